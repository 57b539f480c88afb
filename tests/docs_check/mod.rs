//! Reads the registry-layout docs (fenced code blocks, the `## Schema` attribute lists) and
//! compares a page's schema section with a block of `terraform providers schema -json`; finds
//! HCL `variable` blocks that could let a secret into state or a saved plan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

/// Every `*.md` file under `dir`, sorted.
pub fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("docs directory is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The contents of every ```` ```language ```` fenced block.
pub fn fenced_blocks(markdown: &str, language: &str) -> Vec<String> {
    let opening = format!("```{language}");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match current.as_mut() {
            None if line.trim_end() == opening => current = Some(String::new()),
            None => {}
            Some(_) if line.trim_end() == "```" => blocks.push(current.take().unwrap()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
        }
    }
    blocks
}

/// One attribute as a docs page lists it: ``- `name` (Type, Flag, …) Description``.
#[derive(Clone, Debug, PartialEq)]
pub struct DocAttribute {
    /// `Required`, `Optional` or `Read-Only`.
    pub category: String,
    /// Type first, then flags such as `Sensitive`, `Write-only`.
    pub kinds: Vec<String>,
    pub description: String,
}

/// A page's `## Schema` section: top-level attributes, and those of each nested schema.
#[derive(Debug, Default)]
pub struct DocSchema {
    pub attributes: BTreeMap<String, DocAttribute>,
    pub nested: BTreeMap<String, BTreeMap<String, DocAttribute>>,
}

const NESTED_LINK_PREFIX: &str = "(see [below for nested schema]";

/// Parses the `## Schema` section of a docs page.
pub fn parse_schema_section(markdown: &str) -> Result<DocSchema, String> {
    let mut lines = markdown
        .lines()
        .skip_while(|line| line.trim() != "## Schema");
    if lines.next().is_none() {
        return Err("no `## Schema` section".into());
    }
    let mut schema = DocSchema::default();
    let mut category: Option<String> = None;
    let mut nested: Option<String> = None;
    for line in lines {
        let line = line.trim_end();
        if line.starts_with("## ") {
            break;
        }
        if let Some(heading) = line.strip_prefix("### ") {
            if let Some(rest) = heading.strip_prefix("Nested Schema for `") {
                nested = Some(rest.trim_end_matches('`').to_string());
                category = None;
            } else {
                nested = None;
                category = Some(heading.to_string());
            }
        } else if nested.is_some() && matches!(line, "Required:" | "Optional:" | "Read-Only:") {
            category = Some(line.trim_end_matches(':').to_string());
        } else if let Some(item) = line.strip_prefix("- `") {
            let Some(category) = category.clone() else {
                return Err(format!(
                    "attribute outside a Required/Optional/Read-Only list: {line}"
                ));
            };
            let (name, attribute) = parse_attribute(item, category)
                .ok_or_else(|| format!("cannot read the attribute line: {line}"))?;
            let list = match &nested {
                Some(parent) => schema.nested.entry(parent.clone()).or_default(),
                None => &mut schema.attributes,
            };
            if list.insert(name.clone(), attribute).is_some() {
                return Err(format!("`{name}` is listed twice"));
            }
        }
    }
    Ok(schema)
}

/// `name` (Type, Flags) Description — after the leading "- `".
fn parse_attribute(item: &str, category: String) -> Option<(String, DocAttribute)> {
    let (name, rest) = item.split_once('`')?;
    let rest = rest.strip_prefix(" (")?;
    let (kinds, description) = rest.split_once(')')?;
    let mut description = description.trim().to_string();
    if let Some(index) = description.find(NESTED_LINK_PREFIX) {
        description.truncate(index);
    }
    Some((
        name.to_string(),
        DocAttribute {
            category,
            kinds: kinds.split(", ").map(str::to_string).collect(),
            description: normalize(&description),
        },
    ))
}

fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How the docs name a cty type from the schema JSON.
pub fn type_name(ty: &Json) -> String {
    match ty {
        Json::String(primitive) => match primitive.as_str() {
            "string" => "String".into(),
            "number" => "Number".into(),
            "bool" => "Boolean".into(),
            "dynamic" => "Dynamic".into(),
            other => other.to_string(),
        },
        Json::Array(parts) => match (parts.first().and_then(Json::as_str), parts.get(1)) {
            (Some("set"), Some(element)) => format!("Set of {}", type_name(element)),
            (Some("list"), Some(element)) => format!("List of {}", type_name(element)),
            (Some("map"), Some(element)) => format!("Map of {}", type_name(element)),
            (Some("object"), _) => "Object".into(),
            _ => ty.to_string(),
        },
        _ => ty.to_string(),
    }
}

fn nested_type_name(nested: &Json) -> String {
    match nested["nesting_mode"].as_str() {
        Some("list") => "Attributes List".into(),
        Some("set") => "Attributes Set".into(),
        Some("map") => "Attributes Map".into(),
        _ => "Attributes".into(),
    }
}

/// What the docs line of a schema attribute must say.
fn expected_attribute(attribute: &Json, parent_category: Option<&str>) -> DocAttribute {
    let flag = |key: &str| attribute[key].as_bool().unwrap_or(false);
    let category = if flag("required") {
        "Required"
    } else if flag("optional") {
        "Optional"
    } else if flag("computed") {
        "Read-Only"
    } else {
        parent_category.unwrap_or("Read-Only")
    };
    let mut kinds = vec![if attribute["nested_type"].is_object() {
        nested_type_name(&attribute["nested_type"])
    } else {
        type_name(&attribute["type"])
    }];
    if flag("sensitive") {
        kinds.push("Sensitive".into());
    }
    if flag("write_only") {
        kinds.push("Write-only".into());
    }
    if flag("deprecated") {
        kinds.push("Deprecated".into());
    }
    DocAttribute {
        category: category.to_string(),
        kinds,
        description: normalize(attribute["description"].as_str().unwrap_or_default()),
    }
}

/// The attributes of a schema block (or of a nested type / object type), by name.
fn schema_attributes(
    attributes: &Json,
    parent_category: Option<&str>,
) -> BTreeMap<String, DocAttribute> {
    attributes
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(name, attribute)| {
                    (name.clone(), expected_attribute(attribute, parent_category))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Object-typed attributes (no descriptions of their own) as the docs list them.
fn object_attributes(ty: &Json, category: &str) -> BTreeMap<String, DocAttribute> {
    ty.get(1)
        .and_then(Json::as_object)
        .map(|map| {
            map.iter()
                .map(|(name, ty)| {
                    (
                        name.clone(),
                        DocAttribute {
                            category: category.to_string(),
                            kinds: vec![type_name(ty)],
                            description: String::new(),
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Differences between a docs page's `## Schema` section and a schema `block`; empty when they
/// agree on names, categories, types, flags and descriptions.
pub fn compare_schema_section(markdown: &str, block: &Json) -> Vec<String> {
    let documented = match parse_schema_section(markdown) {
        Ok(schema) => schema,
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    let expected = schema_attributes(&block["attributes"], None);
    compare_lists("", &documented.attributes, &expected, &mut problems, true);

    let mut expected_nested = BTreeMap::new();
    for (name, attribute) in block["attributes"].as_object().into_iter().flatten() {
        let category = expected[name].category.clone();
        if attribute["nested_type"].is_object() {
            expected_nested.insert(
                name.clone(),
                (
                    schema_attributes(&attribute["nested_type"]["attributes"], Some(&category)),
                    true,
                ),
            );
        } else if attribute["type"].get(0).and_then(Json::as_str) == Some("object") {
            expected_nested.insert(
                name.clone(),
                (object_attributes(&attribute["type"], &category), false),
            );
        }
    }
    for (parent, (attributes, described)) in &expected_nested {
        match documented.nested.get(parent) {
            Some(listed) => compare_lists(
                &format!("{parent}."),
                listed,
                attributes,
                &mut problems,
                *described,
            ),
            None => problems.push(format!("no `### Nested Schema for `{parent}`` section")),
        }
    }
    for parent in documented.nested.keys() {
        if !expected_nested.contains_key(parent) {
            problems.push(format!(
                "nested schema `{parent}` is documented but has no attributes"
            ));
        }
    }
    problems
}

fn compare_lists(
    prefix: &str,
    documented: &BTreeMap<String, DocAttribute>,
    expected: &BTreeMap<String, DocAttribute>,
    problems: &mut Vec<String>,
    compare_descriptions: bool,
) {
    for (name, want) in expected {
        let Some(have) = documented.get(name) else {
            problems.push(format!(
                "`{prefix}{name}` is missing; add under {}: - `{name}` ({}) {}",
                want.category,
                want.kinds.join(", "),
                want.description
            ));
            continue;
        };
        if have.category != want.category || have.kinds != want.kinds {
            problems.push(format!(
                "`{prefix}{name}` is documented as {} ({}) but the schema says {} ({})",
                have.category,
                have.kinds.join(", "),
                want.category,
                want.kinds.join(", ")
            ));
        }
        if compare_descriptions && have.description != want.description {
            problems.push(format!(
                "`{prefix}{name}` description differs from the schema's:\n  docs:   {}\n  schema: {}",
                have.description, want.description
            ));
        }
    }
    for name in documented.keys() {
        if !expected.contains_key(name) {
            problems.push(format!(
                "`{prefix}{name}` is documented but not in the schema"
            ));
        }
    }
}

/// Name endings of variables that carry a secret value or a credential.
const SECRET_NAME_ENDINGS: &[&str] = &["token", "_key", "secret", "password", "values", "_value"];

/// Whether a variable's name says it carries a secret value or a credential (`*_api_token`,
/// `*_api_key`, `webhook_secret`, `secret_values`, …; not `account_id` or `value_version`).
pub fn names_a_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAME_ENDINGS
        .iter()
        .any(|ending| name.ends_with(ending))
}

/// The top-level `variable "NAME" { … }` blocks of an HCL text, as (name, body lines).
pub fn variable_blocks(hcl: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in hcl.lines() {
        match current.as_mut() {
            None => {
                let name = line
                    .strip_prefix("variable \"")
                    .and_then(|rest| rest.split_once('"'))
                    .filter(|(_, rest)| rest.trim() == "{")
                    .map(|(name, _)| name.to_string());
                if let Some(name) = name {
                    current = Some((name, Vec::new()));
                }
            }
            Some(_) if line.trim_end() == "}" => blocks.push(current.take().unwrap()),
            Some((_, body)) => body.push(line.to_string()),
        }
    }
    blocks
}

/// Why a `variable` block could let a secret into state or a saved plan: a sensitive variable
/// that is not ephemeral, or one whose name says it is secret without being both. `None` when
/// it is fine.
pub fn variable_secrecy_problem(name: &str, body: &[String]) -> Option<String> {
    let set = |attribute: &str| {
        body.iter().any(|line| {
            line.split_once('=').is_some_and(|(key, value)| {
                key.trim() == attribute && value.split('#').next().unwrap().trim() == "true"
            })
        })
    };
    let (sensitive, ephemeral) = (set("sensitive"), set("ephemeral"));
    if (sensitive || names_a_secret(name)) && !(sensitive && ephemeral) {
        Some(format!(
            "variable \"{name}\" carries a secret but is not both `sensitive = true` and \
             `ephemeral = true`, so a saved plan (plan -out) would hold its value"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PAGE: &str = "# x\n\n## Schema\n\n### Required\n\n- `name` (String) The name.\n\n\
        ### Optional\n\n- `value_wo` (String, Sensitive, Write-only) Never stored.\n\n\
        ### Read-Only\n\n- `binding` (Attributes) A binding. (see [below for nested schema](#b))\n\n\
        ### Nested Schema for `binding`\n\nRead-Only:\n\n- `type` (String) Always x.\n\n## Import\n\n- `ignored` (String) x\n";

    fn block() -> Json {
        json!({"attributes": {
            "name": {"type": "string", "required": true, "description": "The name."},
            "value_wo": {"type": "string", "optional": true, "sensitive": true, "write_only": true,
                         "description": "Never stored."},
            "binding": {"nested_type": {"nesting_mode": "single", "attributes": {
                "type": {"type": "string", "computed": true, "description": "Always x."}}},
                "computed": true, "description": "A binding."}
        }})
    }

    #[test]
    fn a_page_that_matches_the_schema_has_no_problems() {
        assert_eq!(compare_schema_section(PAGE, &block()), Vec::<String>::new());
    }

    #[test]
    fn wrong_category_flags_descriptions_and_missing_attributes_are_reported() {
        let mut schema = block();
        schema["attributes"]["name"]["description"] = json!("Another text.");
        schema["attributes"]["value_wo"]["write_only"] = json!(false);
        schema["attributes"]["extra"] = json!({"type": ["set", "string"], "optional": true,
                                              "computed": true, "description": "Scopes."});
        let problems = compare_schema_section(PAGE, &schema);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems[0].contains("`extra` is missing") && problems[0].contains("Set of String")
        );
        assert!(problems[1].contains("`name` description differs"));
        assert!(
            problems[2]
                .contains("`value_wo` is documented as Optional (String, Sensitive, Write-only)")
        );
    }

    #[test]
    fn fenced_blocks_are_extracted_by_language() {
        let markdown = "a\n```terraform\nx = 1\n```\n```shell\nls\n```\n";
        assert_eq!(
            fenced_blocks(markdown, "terraform"),
            vec!["x = 1\n".to_string()]
        );
        assert_eq!(fenced_blocks(markdown, "shell"), vec!["ls\n".to_string()]);
    }

    #[test]
    fn variable_blocks_are_found_with_their_bodies() {
        let hcl = "variable \"a\" {\n  type = string\n  validation {\n    condition = true\n  }\n}\n\n\
                   resource \"x\" \"y\" {\n  variable = 1\n}\nvariable \"b\" {}\nvariable \"c\" {\n}\n";
        let blocks = variable_blocks(hcl);
        let names: Vec<&str> = blocks.iter().map(|(name, _)| name.as_str()).collect();
        // `variable "b" {}` on one line has no body and nothing to check.
        assert_eq!(names, vec!["a", "c"]);
        assert_eq!(blocks[0].1.len(), 4);
    }

    #[test]
    fn secret_variables_must_be_sensitive_and_ephemeral() {
        let body = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let both = body(&[
            "  sensitive = true",
            "  ephemeral   = true # kept out of plans",
        ]);
        assert_eq!(variable_secrecy_problem("stripe_api_key", &both), None);
        assert_eq!(variable_secrecy_problem("anything", &both), None);
        let sensitive_only = body(&["  sensitive = true"]);
        for name in ["cloudflare_api_token", "secret_values", "anything"] {
            let problem = variable_secrecy_problem(name, &sensitive_only);
            assert!(problem.is_some_and(|p| p.contains(name)), "{name}");
        }
        let plain = body(&["  type = string", "  ephemeral = false"]);
        assert!(variable_secrecy_problem("webhook_secret", &plain).is_some());
        assert!(variable_secrecy_problem("values", &plain).is_some());
        for name in [
            "account_id",
            "store_id",
            "secrets",
            "value_version",
            "emulator_base_url",
        ] {
            assert_eq!(variable_secrecy_problem(name, &plain), None, "{name}");
        }
    }
}
