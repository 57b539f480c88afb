//! Validate-time checks for `cloudflare_store_secret`: the name and ids, at most one of `value` /
//! `value_wo` (neither: the value is managed elsewhere), `value_wo` only with `value_wo_version`,
//! value size, scopes. Unknown values are skipped; they are checked once known.

use super::{KNOWN_SCOPES, SecretModel, StoreSecretResource};
use crate::common::rules::{check_id, check_secret_name};
use tfplugin::{
    Attr, AttributePath, Diagnostic, Diagnostics, ValidateConfig, ValidateConfigRequest,
    ValidateConfigResponse, model,
};

/// The API's limit on a value, in bytes.
pub const MAX_VALUE_BYTES: usize = 65_536;
/// Above this size Worker deploys have been seen to fail.
pub const LARGE_VALUE_BYTES: usize = 1_024;

impl ValidateConfig for StoreSecretResource {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let diagnostics = match model::from_value::<SecretModel>(&req.config) {
            Ok(config) => validate(&config),
            Err(e) => e.into(),
        };
        ValidateConfigResponse { diagnostics }
    }
}

/// All checks on one configuration. (A `value_wo` sent by a Terraform without write-only
/// support is refused before this runs, by the protocol layer for every write-only attribute.)
pub fn validate(config: &SecretModel) -> Diagnostics {
    let mut diags = Diagnostics::default();
    diags.extend(check_secret_name(&config.name));
    diags.extend(check_id("account_id", &config.account_id));
    diags.extend(check_id("store_id", &config.store_id));
    let (value, value_wo) = (&config.value, &config.value_wo);
    if value.known().is_some() && value_wo.known().is_some() {
        diags.add(
            Diagnostic::error(
                "Conflicting secret values",
                "Both value and value_wo are set. Set exactly one of them: remove value to keep \
                 the secret out of state, or remove value_wo.",
            )
            .at(AttributePath::root("value_wo")),
        );
    }
    // Neither set: the value is managed elsewhere (creating the secret is refused at plan).
    // An unknown value or version counts as set: it is set once known.
    if !value_wo.is_null() && config.value_wo_version.is_null() {
        diags.add(
            Diagnostic::error(
                "value_wo needs value_wo_version",
                "value_wo is write-only: Terraform never stores it, so it cannot see when it \
                 changes, and without a version a new value would never be sent (and an existing \
                 secret would not get its value at all). Add value_wo_version = 1 beside it, and \
                 change that number each time value_wo should be sent again.",
            )
            .at(AttributePath::root("value_wo")),
        );
    }
    for (attribute, text) in [("value", value), ("value_wo", value_wo)] {
        if let Some(text) = text.known() {
            check_size(attribute, text.len(), &mut diags);
        }
    }
    if config.value_wo_version.known().is_some() && value_wo.is_null() && !value.is_null() {
        diags.add(
            Diagnostic::warning(
                "value_wo_version has no effect without value_wo",
                "value_wo_version only tells Terraform when to send value_wo again. Remove it, or \
                 switch from value to value_wo.",
            )
            .at(AttributePath::root("value_wo_version")),
        );
    }
    if let Some(scopes) = config.scopes.known() {
        if scopes.is_empty() {
            diags.add(
                Diagnostic::error(
                    "Empty scopes",
                    "A secret needs at least one scope. Remove scopes to get the default \
                     [\"workers\"], or list where the secret may be used, e.g. [\"workers\"].",
                )
                .at(AttributePath::root("scopes")),
            );
        }
        for scope in scopes.iter().filter_map(Attr::known) {
            if !KNOWN_SCOPES.contains(&scope.as_str()) {
                let detail = format!(
                    "{scope:?} is not one of the scopes this provider knows ({}). The API may \
                     reject it; check the spelling.",
                    KNOWN_SCOPES.join(", ")
                );
                diags.add(
                    Diagnostic::warning(format!("Unknown scope {scope:?}"), detail)
                        .at(AttributePath::root("scopes")),
                );
            }
        }
    }
    diags
}

fn check_size(attribute: &str, bytes: usize, diags: &mut Diagnostics) {
    if bytes > MAX_VALUE_BYTES {
        diags.add(Diagnostic::error("Secret value too large", format!(
                "The value is {bytes} bytes; Cloudflare accepts at most {MAX_VALUE_BYTES} bytes \
                 (64 KiB). Store a smaller value, e.g. a key instead of a whole file."
            )).at(AttributePath::root(attribute)));
    } else if bytes > LARGE_VALUE_BYTES {
        diags.add(Diagnostic::warning("Large secret value", format!(
                "The value is {bytes} bytes. The API accepts up to {MAX_VALUE_BYTES} bytes, but \
                 Worker deploys binding secrets larger than {LARGE_VALUE_BYTES} bytes have been \
                 seen to fail."
            )).at(AttributePath::root(attribute)));
    }
}
