//! GetMetadata, GetProviderSchema and GetResourceIdentitySchemas: what the provider serves, its
//! schemas as wire messages, and the capabilities the framework implements.

use super::pb;
use crate::framework::Provider;
use crate::framework::server::FrameworkServer;
use crate::schema::{Attribute, AttributeType, Block, DescriptionKind, Nesting, Schema};

/// What the framework does beyond the base protocol: it plans destroys (plan modifiers see
/// them), moves state from other types and generates configuration; its schema never changes.
fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: true,
        generate_resource_config: true,
    }
}

pub fn metadata<P: Provider>(framework: &FrameworkServer<P>) -> pb::get_metadata::Response {
    pb::get_metadata::Response {
        server_capabilities: Some(server_capabilities()),
        resources: (framework.resources.keys())
            .map(|name| pb::get_metadata::ResourceMetadata {
                type_name: name.clone(),
            })
            .collect(),
        data_sources: (framework.data_sources.keys())
            .map(|name| pb::get_metadata::DataSourceMetadata {
                type_name: name.clone(),
            })
            .collect(),
        list_resources: framework
            .resources
            .iter()
            .filter(|(_, entry)| entry.list_schema.is_some())
            .map(|(name, _)| pb::get_metadata::ListResourceMetadata {
                type_name: name.clone(),
            })
            .collect(),
        ..Default::default()
    }
}

pub fn provider_schema<P: Provider>(
    framework: &FrameworkServer<P>,
) -> pb::get_provider_schema::Response {
    pb::get_provider_schema::Response {
        provider: Some(schema_to_proto(&framework.provider_schema)),
        resource_schemas: (framework.resources.iter())
            .map(|(name, entry)| (name.clone(), schema_to_proto(&entry.schema)))
            .collect(),
        data_source_schemas: (framework.data_sources.iter())
            .map(|(name, entry)| (name.clone(), schema_to_proto(&entry.schema)))
            .collect(),
        list_resource_schemas: (framework.resources.iter())
            .filter_map(|(name, entry)| {
                Some((name.clone(), schema_to_proto(entry.list_schema.as_ref()?)))
            })
            .collect(),
        server_capabilities: Some(server_capabilities()),
        ..Default::default()
    }
}

pub fn identity_schemas<P: Provider>(
    framework: &FrameworkServer<P>,
) -> pb::get_resource_identity_schemas::Response {
    let identity_schemas = framework.resources.iter().filter_map(|(name, entry)| {
        let schema = entry.identity.as_ref()?;
        let identity_attributes = (schema.attributes.iter())
            .map(|a| pb::resource_identity_schema::IdentityAttribute {
                name: a.name.to_string(),
                r#type: a.ty.to_json(),
                required_for_import: a.required_for_import,
                optional_for_import: !a.required_for_import,
                description: a.description.to_string(),
            })
            .collect();
        let wire = pb::ResourceIdentitySchema {
            version: schema.version,
            identity_attributes,
        };
        Some((name.clone(), wire))
    });
    pb::get_resource_identity_schemas::Response {
        identity_schemas: identity_schemas.collect(),
        diagnostics: Vec::new(),
    }
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
fn schema_to_proto(schema: &Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block_to_proto(&schema.block)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::NestedBlock;
    use crate::types::Type;

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
}
