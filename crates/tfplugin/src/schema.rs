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

impl Attribute {
    /// The type of this attribute's value (nested attributes become objects in collections).
    pub(crate) fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Plain(ty) => ty.without_optional_markers(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => nest(nesting, attributes_type(attributes)),
        }
    }

    /// The nested attributes, when this attribute has them.
    pub(crate) fn nested_attributes(&self) -> Option<(Nesting, &[Attribute])> {
        match &self.ty {
            AttributeType::Nested {
                nesting,
                attributes,
            } => Some((*nesting, attributes)),
            AttributeType::Plain(_) => None,
        }
    }
}

fn contains_dynamic(ty: &Type) -> bool {
    match ty {
        Type::Dynamic => true,
        Type::List(e) | Type::Set(e) | Type::Map(e) => contains_dynamic(e),
        Type::Object { attributes, .. } => attributes.values().any(contains_dynamic),
        Type::Tuple(elements) => elements.iter().any(contains_dynamic),
        Type::String | Type::Number | Type::Bool => false,
    }
}

fn check_attributes(
    attributes: &[Attribute],
    prefix: &str,
    in_set: bool,
    problems: &mut Vec<String>,
) {
    for (i, a) in attributes.iter().enumerate() {
        let name = format!("{prefix}{}", a.name);
        let mut problem = |text: &str| problems.push(format!("attribute {name:?} {text}"));
        if attributes[..i].iter().any(|other| other.name == a.name) {
            problem("is declared twice");
        }
        if !(a.required || a.optional || a.computed) {
            problem("must be required, optional or computed");
        }
        if a.required && (a.optional || a.computed) {
            problem("cannot be required and also optional or computed");
        }
        if a.write_only && a.computed {
            problem("cannot be write-only and computed");
        }
        if a.write_only && in_set {
            problem("cannot be write-only inside a set");
        }
        if a.default.is_some() && !(a.optional && a.computed) {
            problem("has a default, so it must be optional and computed");
        }
        if a.use_state_for_unknown && !a.computed {
            problem("uses the prior state for unknown values, so it must be computed");
        }
        if let Some((nesting, children)) = a.nested_attributes() {
            if nesting == Nesting::Group {
                problem("uses GROUP nesting, which only blocks may use");
            }
            if nesting == Nesting::Set && children.iter().any(|c| contains_dynamic(&c.value_type()))
            {
                problem("is a set of objects with a dynamic attribute");
            }
            if a.write_only && children.iter().any(|c| !c.write_only) {
                problem("is write-only, so all its nested attributes must be write-only");
            }
            check_attributes(
                children,
                &format!("{name}."),
                in_set || nesting == Nesting::Set,
                problems,
            );
        }
    }
}

fn attributes_type(attributes: &[Attribute]) -> Type {
    Type::object(attributes.iter().map(|a| (a.name.clone(), a.value_type())))
}

fn nest(nesting: &Nesting, object: Type) -> Type {
    match nesting {
        Nesting::Single | Nesting::Group => object,
        Nesting::List => Type::list(object),
        Nesting::Set => Type::set(object),
        Nesting::Map => Type::map(object),
    }
}

impl Block {
    /// The object type values of this block have: one attribute per attribute and per nested
    /// block type (SINGLE/GROUP an object, LIST a list, SET a set, MAP a map of objects).
    ///
    /// As in Terraform, a LIST or MAP block type whose objects contain a `dynamic` type anywhere
    /// is `dynamic` itself (its values travel as a tuple or object with their type).
    pub(crate) fn implied_type(&self) -> Type {
        let attributes = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()));
        let blocks = self.blocks.iter().map(|b| {
            let object = b.block.implied_type();
            let ty = match b.nesting {
                Nesting::List | Nesting::Map if contains_dynamic(&object) => Type::Dynamic,
                nesting => nest(&nesting, object),
            };
            (b.type_name.clone(), ty)
        });
        Type::object(attributes.chain(blocks))
    }

    /// Schema mistakes Terraform would reject when loading the schema ("invalid schema … a bug
    /// in the provider"), plus misuse of the framework-only hints. Empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        check_attributes(&self.attributes, "", false, &mut problems);
        for block in &self.blocks {
            let name = &block.type_name;
            let valid_name = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid_name {
                problems.push(format!("block type name {name:?} must match ^[a-z0-9_]+$"));
            }
            if self.attribute(name).is_some() {
                problems.push(format!("block type {name:?} has the name of an attribute"));
            }
            let (min, max) = (block.min_items, block.max_items);
            let counts_ok = match block.nesting {
                Nesting::Single => (min, max) == (0, 0) || (min, max) == (1, 1),
                Nesting::Group | Nesting::Map => (min, max) == (0, 0),
                Nesting::List | Nesting::Set => min >= 0 && (max == 0 || min <= max),
            };
            if !counts_ok {
                problems.push(format!(
                    "block type {name:?}: min_items {min} / max_items {max} do not suit its nesting"
                ));
            }
            for problem in block.block.problems() {
                problems.push(format!("in block {name:?}: {problem}"));
            }
        }
        problems
    }

    /// The attribute `name` of this block.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

impl Schema {
    /// Schema mistakes (see [`Block::problems`]); empty when all is well.
    pub fn problems(&self) -> Vec<String> {
        self.block.problems()
    }

    /// The object type of this schema's values (see [`Block::implied_type`]).
    pub(crate) fn implied_type(&self) -> Type {
        self.block.implied_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        let mut schema = Schema::new(
            "test",
            vec![
                Attribute::string("id").computed(),
                Attribute::new("scopes", Type::set(Type::String)).optional(),
                Attribute::nested(
                    "binding",
                    Nesting::List,
                    vec![Attribute::string("store_id").required()],
                )
                .optional(),
            ],
        );
        schema.block.blocks.push(NestedBlock {
            type_name: "timeouts".into(),
            nesting: Nesting::Single,
            block: Block {
                attributes: vec![Attribute::string("create").optional()],
                ..Block::default()
            },
            min_items: 0,
            max_items: 0,
        });
        schema
    }

    #[test]
    fn implied_type_covers_attributes_nested_attributes_and_blocks() {
        assert_eq!(
            schema().implied_type(),
            Type::object([
                ("id", Type::String),
                ("scopes", Type::set(Type::String)),
                (
                    "binding",
                    Type::list(Type::object([("store_id", Type::String)]))
                ),
                ("timeouts", Type::object([("create", Type::String)])),
            ])
        );
    }

    #[test]
    fn block_nesting_decides_the_collection() {
        let inner = Block {
            attributes: vec![Attribute::bool("on").optional()],
            ..Block::default()
        };
        let object = Type::object([("on", Type::Bool)]);
        for (nesting, expected) in [
            (Nesting::Group, object.clone()),
            (Nesting::List, Type::list(object.clone())),
            (Nesting::Set, Type::set(object.clone())),
            (Nesting::Map, Type::map(object.clone())),
        ] {
            let block = Block {
                blocks: vec![NestedBlock {
                    type_name: "b".into(),
                    nesting,
                    block: inner.clone(),
                    min_items: 0,
                    max_items: 0,
                }],
                ..Block::default()
            };
            assert_eq!(block.implied_type(), Type::object([("b", expected)]));
        }
    }

    #[test]
    fn list_blocks_with_dynamic_attributes_are_dynamic() {
        let block = Block {
            blocks: vec![NestedBlock {
                type_name: "rule".into(),
                nesting: Nesting::List,
                block: Block {
                    attributes: vec![Attribute::new("any", Type::Dynamic).optional()],
                    ..Block::default()
                },
                min_items: 0,
                max_items: 0,
            }],
            ..Block::default()
        };
        assert_eq!(
            block.implied_type(),
            Type::object([("rule", Type::Dynamic)])
        );
    }

    #[test]
    fn a_sound_schema_has_no_problems() {
        assert_eq!(schema().problems(), Vec::<String>::new());
    }

    #[test]
    fn schema_mistakes_are_reported() {
        let mut bad = Schema::new(
            "bad",
            vec![
                Attribute::string("neither"),
                Attribute::string("both").required().optional(),
                Attribute::string("wo").computed().write_only(),
                Attribute::bool("flag").optional().default(true),
                Attribute::string("kept").optional().use_state_for_unknown(),
                Attribute::string("twice").optional(),
                Attribute::string("twice").optional(),
                Attribute::nested(
                    "items",
                    Nesting::Set,
                    vec![Attribute::string("secret").optional().write_only()],
                )
                .optional(),
            ],
        );
        bad.block.blocks.push(NestedBlock {
            type_name: "Bad-Name".into(),
            nesting: Nesting::Single,
            block: Block::default(),
            min_items: 0,
            max_items: 2,
        });
        let problems = bad.problems();
        for expected in [
            "\"neither\" must be required",
            "\"both\" cannot be required",
            "\"wo\" cannot be write-only and computed",
            "\"flag\" has a default",
            "\"kept\" uses the prior state",
            "\"twice\" is declared twice",
            "\"items.secret\" cannot be write-only inside a set",
            "\"Bad-Name\" must match",
            "min_items 0 / max_items 2",
        ] {
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{expected} not in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), 9, "{problems:#?}");
    }
}
