//! Registry-layout documentation generated from a provider's schemas (the idea of tfplugindocs):
//! each page is a Markdown template whose directive lines become the `## Schema` section and
//! copies of example files.
//!
//! Under a repository root, the page `docs/<page>.md` comes from `templates/<page>.md.tmpl`:
//! `index` documents the provider (example `examples/provider/provider.tf`),
//! `resources/<name>` the resource type `<provider>_<name>` (example
//! `examples/resources/<type>/resource.tf`, import script `examples/resources/<type>/import.sh`)
//! and `data-sources/<name>` a data source (example
//! `examples/data-sources/<type>/data-source.tf`). A directive is a line of its own:
//!
//! - `{{schema}}`: the `## Schema` section of the page's schema;
//! - `{{example}}`: the page's example, as a `terraform` code block;
//! - `{{import}}`: the resource's import script, as a `shell` code block;
//! - `{{code LANGUAGE PATH}}`: the file at `PATH` (from the root), as a `LANGUAGE` code block.

mod schema_section;

use std::path::Path;

pub use schema_section::schema_section;

use crate::framework::Provider;
use crate::schema::Schema;

/// A generated page: its path from the repository root, and its text.
#[derive(Debug, PartialEq)]
pub struct Page {
    pub path: String,
    pub text: String,
}

/// What one page documents, and the files its directives name.
struct Subject {
    /// `index`, `resources/<name>` or `data-sources/<name>`.
    page: String,
    schema: Schema,
    example: String,
    import: Option<String>,
}

/// The pages of `provider`, from the templates and examples under `root`; an error names the
/// file that is missing or the directive that is wrong.
pub fn pages<P: Provider>(provider: &P, root: &Path) -> Result<Vec<Page>, String> {
    let short = |type_name: &str| {
        let prefix = format!("{}_", provider.type_name());
        type_name
            .strip_prefix(&prefix)
            .unwrap_or(type_name)
            .to_string()
    };
    let mut subjects = vec![Subject {
        page: "index".into(),
        schema: provider.schema(),
        example: "examples/provider/provider.tf".into(),
        import: None,
    }];
    for resource in provider.resources() {
        let dir = format!("examples/resources/{}", resource.type_name());
        subjects.push(Subject {
            page: format!("resources/{}", short(resource.type_name())),
            schema: resource.schema(),
            example: format!("{dir}/resource.tf"),
            import: Some(format!("{dir}/import.sh")),
        });
    }
    for data_source in provider.data_sources() {
        let type_name = data_source.type_name();
        subjects.push(Subject {
            page: format!("data-sources/{}", short(type_name)),
            schema: data_source.schema(),
            example: format!("examples/data-sources/{type_name}/data-source.tf"),
            import: None,
        });
    }
    subjects.iter().map(|s| render(s, root)).collect()
}

fn render(subject: &Subject, root: &Path) -> Result<Page, String> {
    let template_path = format!("templates/{}.md.tmpl", subject.page);
    let template = read(root, &template_path)?;
    let mut text = String::new();
    for (index, line) in template.split_inclusive('\n').enumerate() {
        let directive = line.trim_end().strip_prefix("{{");
        let Some(directive) = directive.and_then(|d| d.strip_suffix("}}")) else {
            text.push_str(line);
            continue;
        };
        let expansion = match directive.split_whitespace().collect::<Vec<_>>()[..] {
            ["schema"] => schema_section(&subject.schema.block),
            ["example"] => code_block("terraform", &read(root, &subject.example)?),
            ["import"] if subject.import.is_some() => {
                code_block("shell", &read(root, subject.import.as_ref().unwrap())?)
            }
            ["code", language, path] => code_block(language, &read(root, path)?),
            _ => {
                let number = index + 1;
                return Err(format!(
                    "{template_path}:{number}: `{{{{{directive}}}}}` is not a directive of this page"
                ));
            }
        };
        text.push_str(&expansion);
        text.push('\n');
    }
    let notice = format!("Generated from {template_path}: edit the template, not this page.");
    let text = match text.strip_prefix("---\n") {
        Some(front_matter) => format!("---\n# {notice}\n{front_matter}"),
        None => format!("<!-- {notice} -->\n{text}"),
    };
    Ok(Page {
        path: format!("docs/{}.md", subject.page),
        text,
    })
}

fn read(root: &Path, path: &str) -> Result<String, String> {
    std::fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))
}

fn code_block(language: &str, code: &str) -> String {
    format!("```{language}\n{}\n```", code.trim_end_matches('\n'))
}

#[cfg(test)]
mod tests;
