//! What both resources share: the `account_id` attribute and its plan-time default.

use tfplugin::{Attr, Attribute};

/// The `account_id` attribute both resources share; `object` is what a change replaces
/// ("store", "secret").
pub fn account_id_attribute(object: &str) -> Attribute {
    Attribute::string("account_id")
        .optional()
        .computed()
        .requires_replace()
        .use_state_for_unknown()
        .description(&format!(
            "Account that owns the store. Defaults to the provider's `account_id`. Changing it \
             replaces the {object}."
        ))
}

/// On create, an `account_id` the config leaves unset is the provider's, when known at plan
/// time (the schema alone would plan it unknown). Later plans keep the prior value (schema).
pub fn plan_provider_account(
    planned: &mut Attr<String>,
    configured: &Attr<String>,
    provider_account: Option<&str>,
) {
    if configured.is_null()
        && let Some(account) = provider_account
    {
        *planned = Attr::Known(account.to_string());
    }
}
