//! A schema block as the Registry's `## Schema` section: Required / Optional / Read-Only lists of
//! `` - `name` (Type, Flags) Description ``, then a `Nested Schema` section for each nested
//! attribute, object-typed attribute and nested block.

use std::collections::VecDeque;

use crate::schema::{Attribute, AttributeType, Block, NestedBlock, Nesting};
use crate::types::Type;

/// The lists, in the order they appear.
const CATEGORIES: [&str; 3] = ["Required", "Optional", "Read-Only"];

/// One line of a list, with the entries of its nested section (if it has one).
struct Entry {
    name: String,
    /// One of [`CATEGORIES`].
    category: &'static str,
    /// The type first, then flags such as `Sensitive`.
    kinds: Vec<String>,
    description: String,
    /// `nestedatt` or `nestedblock`: the anchor prefix of the nested section.
    anchor_kind: &'static str,
    children: Vec<Entry>,
}

/// A nested section still to write: its path, its anchor and its entries.
type Pending<'a> = VecDeque<(String, String, &'a [Entry])>;

/// The `## Schema` section of `block`, without a trailing newline.
pub fn schema_section(block: &Block) -> String {
    let mut out = String::from("## Schema\n");
    let top = entries(block);
    let mut pending = Pending::new();
    write_lists(&mut out, None, &top, &mut pending);
    while let Some((path, anchor, children)) = pending.pop_front() {
        out.push_str(&format!(
            "\n<a id=\"{anchor}\"></a>\n### Nested Schema for `{path}`\n"
        ));
        write_lists(&mut out, Some(&path), children, &mut pending);
    }
    out.pop();
    out
}

/// The entries of `list` by category, sorted by name, under `### Category` headings at the top
/// and `Category:` in the nested section of `parent`; queues the nested sections they link to.
fn write_lists<'a>(
    out: &mut String,
    parent: Option<&str>,
    list: &'a [Entry],
    pending: &mut Pending<'a>,
) {
    for category in CATEGORIES {
        let mut members: Vec<&Entry> = list.iter().filter(|e| e.category == category).collect();
        members.sort_by(|a, b| a.name.cmp(&b.name));
        match (members.is_empty(), parent) {
            (true, _) => continue,
            (false, None) => out.push_str(&format!("\n### {category}\n\n")),
            (false, Some(_)) => out.push_str(&format!("\n{category}:\n\n")),
        }
        for entry in members {
            let path = parent.map_or(entry.name.clone(), |p| format!("{p}.{}", entry.name));
            let mut line = format!("- `{}` ({})", entry.name, entry.kinds.join(", "));
            let description = entry.description.trim();
            if !description.is_empty() {
                line = format!("{line} {description}");
            }
            if !entry.children.is_empty() {
                let anchor = format!("{}--{}", entry.anchor_kind, path.replace('.', "--"));
                line = format!("{line} (see [below for nested schema](#{anchor}))");
                pending.push_back((path, anchor, &entry.children));
            }
            out.push_str(&line);
            out.push('\n');
        }
    }
}

fn entries(block: &Block) -> Vec<Entry> {
    let attributes = block.attributes.iter().map(attribute_entry);
    attributes
        .chain(block.blocks.iter().map(block_entry))
        .collect()
}

fn attribute_entry(attribute: &Attribute) -> Entry {
    let category = match (attribute.required, attribute.optional) {
        (true, _) => "Required",
        (false, true) => "Optional",
        (false, false) => "Read-Only",
    };
    let (kind, children) = match &attribute.ty {
        AttributeType::Nested {
            nesting,
            attributes,
        } => (
            format!("Attributes{}", nesting_suffix(*nesting)),
            attributes.iter().map(attribute_entry).collect(),
        ),
        AttributeType::Plain(ty) => (type_name(ty), object_entries(ty, category)),
    };
    let flags = [
        (attribute.sensitive, "Sensitive"),
        (attribute.write_only, "Write-only"),
        (attribute.deprecated, "Deprecated"),
    ];
    let flags = flags
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, flag)| flag.to_string());
    Entry {
        name: attribute.name.clone(),
        category,
        kinds: std::iter::once(kind).chain(flags).collect(),
        description: attribute.description.clone(),
        anchor_kind: "nestedatt",
        children,
    }
}

fn block_entry(nested: &NestedBlock) -> Entry {
    let kind = format!("Block{}", nesting_suffix(nested.nesting));
    let deprecated = nested.block.deprecated.then(|| "Deprecated".to_string());
    Entry {
        name: nested.type_name.clone(),
        category: if nested.min_items > 0 {
            "Required"
        } else {
            "Optional"
        },
        kinds: std::iter::once(kind).chain(deprecated).collect(),
        description: nested.block.description.clone(),
        anchor_kind: "nestedblock",
        children: entries(&nested.block),
    }
}

fn nesting_suffix(nesting: Nesting) -> &'static str {
    match nesting {
        Nesting::Single | Nesting::Group => "",
        Nesting::List => " List",
        Nesting::Set => " Set",
        Nesting::Map => " Map",
    }
}

/// The attributes of an object type (or of a collection of objects), listed without
/// descriptions under the category of the attribute that has the type.
fn object_entries(ty: &Type, category: &'static str) -> Vec<Entry> {
    match ty {
        Type::List(element) | Type::Set(element) | Type::Map(element) => {
            object_entries(element, category)
        }
        Type::Object { attributes, .. } => attributes
            .iter()
            .map(|(name, ty)| Entry {
                name: name.clone(),
                category,
                kinds: vec![type_name(ty)],
                description: String::new(),
                anchor_kind: "nestedatt",
                children: object_entries(ty, category),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// How the Registry names a type: `String`, `Set of String`, `List of Object`, …
fn type_name(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(element) => format!("List of {}", type_name(element)),
        Type::Set(element) => format!("Set of {}", type_name(element)),
        Type::Map(element) => format!("Map of {}", type_name(element)),
        Type::Object { .. } => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Schema;

    #[test]
    fn attributes_are_listed_by_category_and_name_with_type_and_flags() {
        let schema = Schema::new(
            "ignored",
            vec![
                Attribute::string("id").computed().description("Id."),
                Attribute::string("token")
                    .optional()
                    .sensitive()
                    .write_only()
                    .description("  Never stored.\n"),
                Attribute::new("tags", Type::set(Type::String)).optional(),
                Attribute::number("size")
                    .required()
                    .deprecated()
                    .description("Size."),
                Attribute::bool("adopt")
                    .optional()
                    .computed()
                    .description("Adopt."),
            ],
        );
        assert_eq!(
            schema_section(&schema.block),
            "## Schema\n\n### Required\n\n- `size` (Number, Deprecated) Size.\n\n\
             ### Optional\n\n- `adopt` (Boolean) Adopt.\n- `tags` (Set of String)\n\
             - `token` (String, Sensitive, Write-only) Never stored.\n\n\
             ### Read-Only\n\n- `id` (String) Id."
        );
    }

    #[test]
    fn nested_attributes_get_a_section_each_after_the_lists() {
        let schema = Schema::new(
            "ignored",
            vec![
                Attribute::nested(
                    "rules",
                    Nesting::List,
                    vec![
                        Attribute::string("when").required().description("When."),
                        Attribute::nested(
                            "then",
                            Nesting::Single,
                            vec![Attribute::string("do").computed().description("Do.")],
                        )
                        .computed(),
                    ],
                )
                .optional()
                .description("Rules."),
                Attribute::new("pairs", Type::map(Type::object([("left", Type::Number)])))
                    .computed(),
            ],
        );
        assert_eq!(
            schema_section(&schema.block),
            "## Schema\n\n### Optional\n\n- `rules` (Attributes List) Rules. \
             (see [below for nested schema](#nestedatt--rules))\n\n\
             ### Read-Only\n\n- `pairs` (Map of Object) \
             (see [below for nested schema](#nestedatt--pairs))\n\n\
             <a id=\"nestedatt--rules\"></a>\n### Nested Schema for `rules`\n\n\
             Required:\n\n- `when` (String) When.\n\n\
             Read-Only:\n\n- `then` (Attributes) (see [below for nested schema](#nestedatt--rules--then))\n\n\
             <a id=\"nestedatt--pairs\"></a>\n### Nested Schema for `pairs`\n\n\
             Read-Only:\n\n- `left` (Number)\n\n\
             <a id=\"nestedatt--rules--then\"></a>\n### Nested Schema for `rules.then`\n\n\
             Read-Only:\n\n- `do` (String) Do."
        );
    }

    #[test]
    fn blocks_are_listed_with_the_attributes_and_get_a_section() {
        let mut schema = Schema::new("ignored", vec![Attribute::string("name").optional()]);
        schema.block.blocks.push(NestedBlock {
            type_name: "limits".into(),
            nesting: Nesting::Set,
            block: Block {
                attributes: vec![Attribute::number("max").optional()],
                description: "Limits.".into(),
                ..Block::default()
            },
            min_items: 1,
            max_items: 0,
        });
        assert_eq!(
            schema_section(&schema.block),
            "## Schema\n\n### Required\n\n- `limits` (Block Set) Limits. \
             (see [below for nested schema](#nestedblock--limits))\n\n\
             ### Optional\n\n- `name` (String)\n\n\
             <a id=\"nestedblock--limits\"></a>\n### Nested Schema for `limits`\n\n\
             Optional:\n\n- `max` (Number)"
        );
    }
}
