//! The plan's check of the account's secrets quota (100 secrets per account at Cloudflare): a
//! plan that creates more new secrets than the account has room for warns on each create past
//! the room, before apply creates the ones that fit and fails on the rest. Never an error:
//! deletes in the same run, and the order Terraform runs them in, can free room in time.

use super::{ExistingSecret, SecretModel};
use crate::service::{QuotaStanding, Service};
use tfplugin::{AttributePath, Diagnostic};
use tokio_util::sync::CancellationToken;

/// One plan of the resource, as far as the account's number of secrets goes.
pub(super) struct PlannedChange<'a> {
    /// The state the plan starts from (`None` for a create).
    pub prior: Option<&'a SecretModel>,
    pub planned: &'a SecretModel,
    pub config: &'a SecretModel,
    /// On a create: the secret it replaces, when this is Terraform's second plan of a
    /// replacement (see `SecretPrivate::planned_from`).
    pub replaces: Option<&'a ExistingSecret>,
    /// On a plan with a prior state: whether the provider found a change that replaces it.
    pub replacing: bool,
}

/// The warning for a plan that adds a secret the account has no room for, or `None`: the plan
/// adds no secret, it fits, or the quota could not be read (logged; the plan goes on without
/// the check).
pub(super) async fn quota_warning(
    data: &Service,
    change: &PlannedChange<'_>,
    cancel: &CancellationToken,
) -> Option<Diagnostic> {
    let account_id = account_gaining_a_secret(change)?;
    if change.prior.is_none() && name_already_listed(data, account_id, change) {
        return None;
    }
    let Some(client) = data.client_if_configured(cancel) else {
        tracing::debug!("no API client yet: planning without the secrets quota check");
        return None;
    };
    let standing = data.quota().count_create(&client, account_id).await?;
    if standing.fits() {
        return None;
    }
    Some(over_quota(
        account_id,
        change.planned.name.known().map(String::as_str),
        &standing,
    ))
}

/// The account to which the plan adds one secret, if it adds one (and the account is known):
/// * a create adds one, unless it is Terraform's second plan of a replacement: the old secret
///   holds its room until the new one is made, and Terraform's default order for a replacement
///   (destroy before create) frees that room first. The provider cannot see
///   `create_before_destroy`; with it, the old secret still counts while the new one is
///   created, and only apply's own plan of that create (a plain create) counts it;
/// * the first plan of a replacement adds one when it moves the secret to another account
///   (the old account gets the room). It is counted there, not in the second plan, because
///   Terraform shows only the errors of its second plan of a replacement, never its warnings;
/// * an update adds none.
pub(super) fn account_gaining_a_secret<'a>(change: &PlannedChange<'a>) -> Option<&'a str> {
    let planned_account = change.planned.account_id.known().map(String::as_str);
    match change.prior {
        None if change.replaces.is_some() => None,
        None => planned_account,
        Some(prior) if change.replacing => {
            let prior_account = prior.account_id.known().map(String::as_str);
            match (prior_account, planned_account) {
                (Some(old), Some(new)) if old != new => Some(new),
                _ => None,
            }
        }
        Some(_) => None,
    }
}

/// Whether the listing of the secret's store this process already holds shows a live secret of
/// its name: then the create adds no secret. Either Terraform replaces that secret (a tainted
/// one, whose replacement Terraform plans as a plain create, without the data that marks the
/// second plan of other replacements) and deletes it first, or it was made elsewhere and the
/// create fails on the name.
///
/// Only a listing already at hand is used (a refresh lists the secret's store), never a new
/// request: asking would cost a listing per store on every plan that creates a secret, to
/// sharpen an advisory count. A name not seen listed (a store this process did not list, a
/// default store whose id it does not know, `-refresh=false`) counts as new, which errs
/// towards a warning that says deletes in the same run may free room.
fn name_already_listed(data: &Service, account_id: &str, change: &PlannedChange<'_>) -> bool {
    let Some(name) = change.planned.name.known() else {
        return false;
    };
    let store_id = match change.planned.store_id.known() {
        Some(id) => id.clone(),
        None if change.config.store_id.is_null() => {
            match data.stores().cached_default_id(account_id) {
                Some(id) => id,
                None => return false,
            }
        }
        None => return false,
    };
    data.listings()
        .cached_shows_name(account_id, &store_id, name)
        .unwrap_or(false)
}

/// The warning on a create past the room left in the account's quota.
pub(super) fn over_quota(
    account_id: &str,
    name: Option<&str>,
    standing: &QuotaStanding,
) -> Diagnostic {
    let (summary_subject, secret) = match name {
        Some(name) => (format!("Secret {name}"), format!("secret {name}")),
        None => (
            "A new secret".to_string(),
            "this secret (its name is known after apply)".to_string(),
        ),
    };
    let QuotaStanding {
        quota,
        usage,
        planned,
    } = *standing;
    let fit = match standing.room() {
        0 => "none of the new secrets this plan creates fits".to_string(),
        1 => "only 1 of the new secrets this plan creates fits".to_string(),
        room => format!("only {room} of the new secrets this plan creates fit"),
    };
    Diagnostic::warning(
        format!("{summary_subject} does not fit in the account's secrets quota"),
        format!(
            "Account {account_id} holds {usage} of its {quota} secrets, so {fit}; this plan \
             creates at least {planned}, and {secret} is one of those past the quota. Apply \
             would create the secrets that fit and then fail on the others, leaving a partial \
             apply. Before applying, delete secrets the account no longer needs, ask Cloudflare \
             to raise the account's secrets quota, or split the apply (for example with \
             -target) into parts that fit. Secrets this run deletes before it creates free room \
             too, which is why this is a warning and not an error."
        ),
    )
    .at(AttributePath::root("name"))
}
