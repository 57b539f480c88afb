//! `moved {}` from the official Cloudflare provider: which source provider and types this
//! provider takes state over from, and the refusal for everything else.

use tfplugin::{Diagnostic, Diagnostics, MoveStateRequest};

/// The official Cloudflare provider's address, as Terraform sends it.
pub const OFFICIAL_PROVIDER: &str = "registry.terraform.io/cloudflare/cloudflare";

/// The string attribute `name` of a source state, if set.
pub fn source_string(req: &MoveStateRequest, name: &str) -> Option<String> {
    req.source_state
        .get(name)
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

/// `Ok` when `req` comes from `source_type` of the official provider; otherwise the error
/// naming what `target_type` can be moved from.
pub fn check_source(
    req: &MoveStateRequest,
    source_type: &str,
    target_type: &str,
) -> Result<(), Diagnostics> {
    if req
        .source_provider_address
        .eq_ignore_ascii_case(OFFICIAL_PROVIDER)
        && req.source_type_name == source_type
    {
        return Ok(());
    }
    Err(Diagnostic::error(
        "Unsupported move source",
        format!(
            "{target_type} cannot take over {} of {}. A moved block can bring only \
             {source_type} of {OFFICIAL_PROVIDER} to {target_type}. For anything else, import \
             the object instead (import {{ to = …, id = \"…\" }}) and drop the old one with \
             removed {{ from = …, lifecycle {{ destroy = false }} }}.",
            req.source_type_name, req.source_provider_address
        ),
    )
    .into())
}

/// Every required attribute of `names` present in the source state, or an error naming the
/// first missing one.
pub fn require_source(req: &MoveStateRequest, names: &[&str]) -> Result<(), Diagnostics> {
    for name in names {
        if source_string(req, name).is_none_or(|v| v.is_empty()) {
            return Err(Diagnostic::error(
                "Incomplete source state",
                format!(
                    "The {} state being moved has no {name}, so the object cannot be found. \
                     Import it instead (import {{ to = …, id = \"…\" }}).",
                    req.source_type_name
                ),
            )
            .into());
        }
    }
    Ok(())
}
