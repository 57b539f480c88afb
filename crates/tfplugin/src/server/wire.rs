//! Conversions between framework values and the `tfplugin6` wire messages every group of RPCs
//! shares: dynamic values (msgpack out, msgpack or JSON in), identity data, diagnostics,
//! attribute paths and client capabilities.

use super::pb;
use crate::diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use crate::framework::ClientCapabilities;
use crate::framework::server::invalid_value;
use crate::types::Type;
use crate::value::{CodecError, Value};
use crate::{json, msgpack};

/// An attribute path as the wire message.
pub fn path_to_proto(path: &AttributePath) -> pb::AttributePath {
    use pb::attribute_path::{Step, step::Selector};
    pb::AttributePath {
        steps: path
            .0
            .iter()
            .map(|step| Step {
                selector: Some(match step {
                    PathStep::Attribute(name) => Selector::AttributeName(name.clone()),
                    PathStep::ElementKeyString(key) => Selector::ElementKeyString(key.clone()),
                    PathStep::ElementKeyInt(index) => Selector::ElementKeyInt(*index),
                }),
            })
            .collect(),
    }
}

/// One diagnostic as the wire message; severity is always set explicitly.
fn diagnostic_to_proto(diagnostic: &Diagnostic) -> pb::Diagnostic {
    let severity = match diagnostic.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: diagnostic.summary.clone(),
        detail: diagnostic.detail.clone(),
        attribute: diagnostic.path.as_ref().map(path_to_proto),
    }
}

pub fn diagnostics_to_proto(diagnostics: &Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics.iter().map(diagnostic_to_proto).collect()
}

pub fn capabilities(capabilities: Option<&pb::ClientCapabilities>) -> ClientCapabilities {
    capabilities.map_or_else(ClientCapabilities::default, |c| ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
}

/// Decodes a dynamic value: msgpack when present, else JSON, else (absent or empty) null.
fn decode_value(value: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, CodecError> {
    match value {
        Some(v) if !v.msgpack.is_empty() => msgpack::decode(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => json::decode(&v.json, ty),
        _ => Ok(Value::Null),
    }
}

/// Decodes one value of a request; `what` names it in the error.
pub fn decode(
    value: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Diagnostics> {
    decode_value(value, ty).map_err(|e| invalid_value(what, e))
}

/// Encodes one value of a reply (always msgpack); `what` names it in the error.
pub fn encode(value: &Value, ty: &Type, what: &str) -> Result<pb::DynamicValue, Diagnostics> {
    let msgpack = msgpack::encode(value, ty).map_err(|e| invalid_value(what, e))?;
    Ok(pb::DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

/// Identity data of type `ty` for a reply; `None` when there is no identity.
pub fn encode_identity(
    identity: Option<Value>,
    ty: Option<Type>,
) -> Result<Option<pb::ResourceIdentityData>, Diagnostics> {
    let (Some(identity), Some(ty)) = (identity, ty) else {
        return Ok(None);
    };
    Ok(Some(pb::ResourceIdentityData {
        identity_data: Some(encode(&identity, &ty, "identity")?),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_carry_explicit_severity_and_path() {
        let mut diags = Diagnostics::default();
        diags.add(
            Diagnostic::error("Bad", "Fix it")
                .at(AttributePath::root("binding").index(0).attribute("name")),
        );
        diags.add(Diagnostic::warning("Careful", ""));
        let proto = diagnostics_to_proto(&diags);
        assert_eq!(proto[0].severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(proto[1].severity, pb::diagnostic::Severity::Warning as i32);
        use pb::attribute_path::step::Selector;
        let steps: Vec<_> = proto[0]
            .attribute
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .map(|s| s.selector.clone().unwrap())
            .collect();
        assert_eq!(
            steps,
            vec![
                Selector::AttributeName("binding".into()),
                Selector::ElementKeyInt(0),
                Selector::AttributeName("name".into()),
            ]
        );
        assert!(proto[1].attribute.is_none());
    }

    #[test]
    fn absent_or_empty_dynamic_value_is_null() {
        let ty = Type::String;
        assert_eq!(decode_value(None, &ty), Ok(Value::Null));
        assert_eq!(
            decode_value(Some(&pb::DynamicValue::default()), &ty),
            Ok(Value::Null)
        );
    }
}
