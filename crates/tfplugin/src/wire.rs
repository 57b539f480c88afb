//! Conversions between the framework model and the `tfplugin6` wire messages: schemas, type
//! JSON, diagnostics, attribute paths, client capabilities and dynamic values.

use super::diagnostics::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity};
use super::framework::ClientCapabilities;
use super::proto::tfplugin6 as pb;
use super::schema::{Attribute, AttributeType, Block, DescriptionKind, Nesting, Schema};
use super::types::Type;
use super::value::{CodecError, Value};
use super::{json, msgpack};

/// The type values of `schema` have on the wire (its implied object type).
pub fn schema_type(schema: &Schema) -> Type {
    schema.implied_type()
}

fn string_kind(kind: DescriptionKind) -> i32 {
    match kind {
        DescriptionKind::Plain => pb::StringKind::Plain as i32,
        DescriptionKind::Markdown => pb::StringKind::Markdown as i32,
    }
}

fn attribute_to_proto(attribute: &Attribute) -> pb::schema::Attribute {
    let (type_bytes, nested_type) = match &attribute.ty {
        AttributeType::Plain(ty) => (ty.to_json(), None),
        AttributeType::Nested {
            nesting,
            attributes,
        } => {
            use pb::schema::object::NestingMode;
            let mode = match nesting {
                Nesting::Single | Nesting::Group => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
                Nesting::Map => NestingMode::Map,
            };
            let object = pb::schema::Object {
                attributes: attributes.iter().map(attribute_to_proto).collect(),
                nesting: mode as i32,
                ..Default::default()
            };
            (Vec::new(), Some(object))
        }
    };
    pb::schema::Attribute {
        name: attribute.name.clone(),
        r#type: type_bytes,
        nested_type,
        description: attribute.description.clone(),
        required: attribute.required,
        optional: attribute.optional,
        computed: attribute.computed,
        sensitive: attribute.sensitive,
        description_kind: string_kind(attribute.description_kind),
        deprecated: attribute.deprecated,
        write_only: attribute.write_only,
        deprecation_message: String::new(),
    }
}

fn block_to_proto(block: &Block) -> pb::schema::Block {
    use pb::schema::nested_block::NestingMode;
    pb::schema::Block {
        version: 0,
        attributes: block.attributes.iter().map(attribute_to_proto).collect(),
        block_types: block
            .blocks
            .iter()
            .map(|nested| pb::schema::NestedBlock {
                type_name: nested.type_name.clone(),
                block: Some(block_to_proto(&nested.block)),
                nesting: match nested.nesting {
                    Nesting::Single => NestingMode::Single,
                    Nesting::Group => NestingMode::Group,
                    Nesting::List => NestingMode::List,
                    Nesting::Set => NestingMode::Set,
                    Nesting::Map => NestingMode::Map,
                } as i32,
                min_items: nested.min_items,
                max_items: nested.max_items,
            })
            .collect(),
        description: block.description.clone(),
        description_kind: string_kind(block.description_kind),
        deprecated: block.deprecated,
        deprecation_message: String::new(),
    }
}

/// A schema as the wire message.
pub fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block_to_proto(&schema.block)),
    }
}

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
pub fn diagnostic_to_proto(diagnostic: &Diagnostic) -> pb::Diagnostic {
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
pub fn decode_value(value: Option<&pb::DynamicValue>, ty: &Type) -> Result<Value, CodecError> {
    match value {
        Some(v) if !v.msgpack.is_empty() => msgpack::decode(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => json::decode(&v.json, ty),
        _ => Ok(Value::Null),
    }
}

/// Encodes a value for a reply (always msgpack).
pub fn encode_value(value: &Value, ty: &Type) -> Result<pb::DynamicValue, CodecError> {
    Ok(pb::DynamicValue {
        msgpack: msgpack::encode(value, ty)?,
        json: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::NestedBlock;

    fn sample_schema() -> Schema {
        let mut schema = Schema::new(
            "A thing.",
            vec![
                Attribute::string("id").computed(),
                Attribute::string("secret")
                    .optional()
                    .sensitive()
                    .write_only(),
                Attribute::new("tags", Type::set(Type::String)).optional(),
                Attribute::nested(
                    "binding",
                    Nesting::List,
                    vec![Attribute::string("name").required()],
                )
                .optional(),
            ],
        );
        schema.version = 2;
        schema.block.blocks.push(NestedBlock {
            type_name: "rule".into(),
            nesting: Nesting::Set,
            block: Block {
                attributes: vec![Attribute::number("port").required()],
                ..Default::default()
            },
            min_items: 0,
            max_items: 0,
        });
        schema
    }

    #[test]
    fn schema_type_covers_attributes_nested_attributes_and_blocks() {
        let ty = schema_type(&sample_schema());
        let expected = Type::object([
            ("id", Type::String),
            ("secret", Type::String),
            ("tags", Type::set(Type::String)),
            (
                "binding",
                Type::list(Type::object([("name", Type::String)])),
            ),
            ("rule", Type::set(Type::object([("port", Type::Number)]))),
        ]);
        assert_eq!(ty, expected);
    }

    #[test]
    fn schema_converts_with_flags_kinds_and_nesting() {
        let proto = schema_to_proto(&sample_schema());
        assert_eq!(proto.version, 2);
        let block = proto.block.unwrap();
        assert_eq!(block.description_kind, pb::StringKind::Markdown as i32);
        let secret = block
            .attributes
            .iter()
            .find(|a| a.name == "secret")
            .unwrap();
        assert!(secret.write_only && secret.sensitive && secret.optional);
        assert_eq!(secret.r#type, b"\"string\"");
        let binding = block
            .attributes
            .iter()
            .find(|a| a.name == "binding")
            .unwrap();
        assert!(binding.r#type.is_empty());
        let nested = binding.nested_type.as_ref().unwrap();
        assert_eq!(nested.nesting, pb::schema::object::NestingMode::List as i32);
        assert_eq!(nested.attributes[0].name, "name");
        assert!(nested.attributes[0].required);
        assert_eq!(block.block_types[0].type_name, "rule");
        assert_eq!(
            block.block_types[0].nesting,
            pb::schema::nested_block::NestingMode::Set as i32
        );
    }

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
