//! Schema model: attributes (required / optional / computed, sensitive, write-only, nested),
//! blocks, descriptions, and the framework-only plan hints (defaults, requires-replace).

use super::types::Type;
use super::value::Value;

/// Whether a description is plain text or markdown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DescriptionKind {
    #[default]
    Plain,
    Markdown,
}

/// How a nested attribute or block holds its objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    Single,
    List,
    Set,
    Map,
    /// Blocks only: always present, all attributes null when absent from config.
    Group,
}

/// An attribute's type: a plain cty type, or nested attributes (protocol 6).
#[derive(Clone, Debug, PartialEq)]
pub enum AttributeType {
    Plain(Type),
    Nested {
        nesting: Nesting,
        attributes: Vec<Attribute>,
    },
}

/// One attribute of a schema block.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    pub description: String,
    pub description_kind: DescriptionKind,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: bool,
    /// Framework only: a change of this attribute replaces the resource.
    pub requires_replace: bool,
    /// Framework only (optional + computed attributes): the planned value when config is null.
    pub default: Option<Value>,
    /// Framework only (computed attributes): keep the prior value when other attributes change,
    /// instead of planning "known after apply".
    pub use_state_for_unknown: bool,
}

impl Attribute {
    pub fn new(name: &str, ty: Type) -> Attribute {
        Attribute {
            name: name.to_string(),
            ty: AttributeType::Plain(ty),
            description: String::new(),
            description_kind: DescriptionKind::Markdown,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            requires_replace: false,
            default: None,
            use_state_for_unknown: false,
        }
    }

    pub fn string(name: &str) -> Attribute {
        Attribute::new(name, Type::String)
    }

    pub fn bool(name: &str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    pub fn number(name: &str) -> Attribute {
        Attribute::new(name, Type::Number)
    }

    /// Nested attributes of the given nesting.
    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Attribute {
        let mut a = Attribute::new(name, Type::String);
        a.ty = AttributeType::Nested {
            nesting,
            attributes,
        };
        a
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    /// Sets a default (the attribute must be optional + computed).
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self
    }

    pub fn use_state_for_unknown(mut self) -> Self {
        self.use_state_for_unknown = true;
        self
    }

    /// Markdown description.
    pub fn description(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }
}

/// A nested block type.
#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub type_name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: i64,
    pub max_items: i64,
}

/// A block: attributes and nested blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub description_kind: DescriptionKind,
    pub deprecated: bool,
}

/// The schema of a provider, resource or data source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// The resource schema version stored in state.
    pub version: i64,
    pub block: Block,
}

impl Schema {
    /// A version-0 schema of the given attributes with a markdown description.
    pub fn new(description: &str, attributes: Vec<Attribute>) -> Schema {
        Schema {
            version: 0,
            block: Block {
                attributes,
                blocks: Vec::new(),
                description: description.to_string(),
                description_kind: DescriptionKind::Markdown,
                deprecated: false,
            },
        }
    }

    /// The top-level attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.block.attributes.iter().find(|a| a.name == name)
    }
}
