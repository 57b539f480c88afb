//! Validate-time checks for `cloudflare_store_secret`: the name and ids, at most one of `value` /
//! `value_wo` (neither: the value is managed elsewhere), `value_wo` only with `value_wo_version`,
//! value size, scopes. Unknown values are skipped; they are checked once known.

use super::{KNOWN_SCOPES, StoreSecretResource};
use crate::common::rules::{check_id, check_secret_name};
use tfplugin::{
    AttributePath, Diagnostic, Diagnostics, ValidateConfig, ValidateConfigRequest,
    ValidateConfigResponse, Value,
};

/// The API's limit on a value, in bytes.
pub const MAX_VALUE_BYTES: usize = 65_536;
/// Above this size Worker deploys have been seen to fail.
pub const LARGE_VALUE_BYTES: usize = 1_024;

impl ValidateConfig for StoreSecretResource {
    fn validate_config(&self, req: ValidateConfigRequest) -> ValidateConfigResponse {
        let mut diagnostics = Diagnostics::default();
        validate(&req.config, &mut diagnostics);
        ValidateConfigResponse { diagnostics }
    }
}

/// All checks on one configuration. (A `value_wo` sent by a Terraform without write-only
/// support is refused before this runs, by the protocol layer for every write-only attribute.)
pub fn validate(config: &Value, diags: &mut Diagnostics) {
    diags.extend(check_secret_name(config));
    for id in ["account_id", "store_id"] {
        diags.extend(check_id(config, id));
    }
    let value = config.get("value");
    let value_wo = config.get("value_wo");
    match (value, value_wo) {
        (v, w) if !v.is_null() && !w.is_null() && !v.is_unknown() && !w.is_unknown() => diags.add(
            Diagnostic::error(
                "Conflicting secret values",
                "Both value and value_wo are set. Set exactly one of them: remove value to keep \
                 the secret out of state, or remove value_wo.",
            )
            .at(AttributePath::root("value_wo")),
        ),
        // Neither set: the value is managed elsewhere (creating the secret is refused at plan).
        _ => {}
    }
    // An unknown value or version counts as set: it is set once known.
    if !value_wo.is_null() && config.get("value_wo_version").is_null() {
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
    for attribute in ["value", "value_wo"] {
        if let Some(text) = config.get(attribute).as_str() {
            check_size(attribute, text.len(), diags);
        }
    }
    if config.get("value_wo_version").is_wholly_known()
        && !config.get("value_wo_version").is_null()
        && config.get("value_wo").is_null()
        && !config.get("value").is_null()
    {
        diags.add(
            Diagnostic::warning(
                "value_wo_version has no effect without value_wo",
                "value_wo_version only tells Terraform when to send value_wo again. Remove it, or \
             switch from value to value_wo.",
            )
            .at(AttributePath::root("value_wo_version")),
        );
    }
    if let Some(scopes) = config.get("scopes").elements() {
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
        for scope in scopes.iter().filter_map(Value::as_str) {
            if !KNOWN_SCOPES.contains(&scope) {
                diags.add(Diagnostic::warning(format!("Unknown scope {scope:?}"), format!(
                        "{scope:?} is not one of the scopes this provider knows ({}). The API may \
                         reject it; check the spelling.",
                        KNOWN_SCOPES.join(", ")
                    )).at(AttributePath::root("scopes")));
            }
        }
    }
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
