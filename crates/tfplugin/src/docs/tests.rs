//! Page generation against the framework's test provider (`test_widget`, `test_plain`) in a
//! scratch repository of templates and examples.

use std::path::Path;

use super::*;
use crate::framework::server::tests::widget;

fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A repository with every file the test provider's pages need.
fn repository() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let files = [
        (
            "templates/index.md.tmpl",
            "# Test\n\n{{example}}\n\n{{schema}}\n",
        ),
        (
            "templates/resources/widget.md.tmpl",
            "---\npage_title: widget\n---\n\nProse {{kept}}.\n{{example}}\n{{code hcl extra/list.hcl}}\n\n{{ import }}\n",
        ),
        ("templates/resources/plain.md.tmpl", "{{schema}}"),
        ("examples/provider/provider.tf", "provider \"test\" {}\n\n"),
        (
            "examples/resources/test_widget/resource.tf",
            "resource \"test_widget\" \"w\" {}\n",
        ),
        (
            "examples/resources/test_widget/import.sh",
            "terraform import test_widget.w 1\n",
        ),
        ("extra/list.hcl", "list \"test_widget\" \"all\" {}"),
    ];
    for (path, text) in files {
        write(root.path(), path, text);
    }
    root
}

fn provider() -> widget::TestProvider {
    widget::framework().0.provider
}

#[test]
fn every_type_gets_its_page_from_its_template_and_examples() {
    let root = repository();
    let pages = pages(&provider(), root.path()).unwrap();
    let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "docs/index.md",
            "docs/resources/widget.md",
            "docs/resources/plain.md"
        ]
    );
    assert_eq!(
        pages[0].text,
        "<!-- Generated from templates/index.md.tmpl: edit the template, not this page. -->\n\
         # Test\n\n```terraform\nprovider \"test\" {}\n```\n\n## Schema\n"
    );
    assert_eq!(
        pages[1].text,
        "---\n# Generated from templates/resources/widget.md.tmpl: edit the template, not this page.\n\
         page_title: widget\n---\n\nProse {{kept}}.\n\
         ```terraform\nresource \"test_widget\" \"w\" {}\n```\n\
         ```hcl\nlist \"test_widget\" \"all\" {}\n```\n\n\
         ```shell\nterraform import test_widget.w 1\n```\n"
    );
    assert!(
        pages[2].text.ends_with(
            "## Schema\n\n### Required\n\n- `name` (String)\n\n### Optional\n\n\
             - `value` (String, Sensitive)\n- `value_wo` (String, Write-only)\n\n\
             ### Read-Only\n\n- `id` (String)\n"
        ),
        "{}",
        pages[2].text
    );
}

#[test]
fn a_missing_file_is_named() {
    let root = repository();
    std::fs::remove_file(root.path().join("templates/resources/plain.md.tmpl")).unwrap();
    let error = pages(&provider(), root.path()).unwrap_err();
    assert!(
        error.starts_with("templates/resources/plain.md.tmpl: "),
        "{error}"
    );
    std::fs::remove_file(root.path().join("examples/resources/test_widget/import.sh")).unwrap();
    let error = pages(&provider(), root.path()).unwrap_err();
    assert!(
        error.starts_with("examples/resources/test_widget/import.sh: "),
        "{error}"
    );
}

#[test]
fn a_directive_the_page_cannot_have_is_refused_with_its_line() {
    let root = repository();
    for (template, line) in [
        ("{{import}}", 3),
        ("{{code terraform}}", 3),
        ("{{schemas}}", 3),
    ] {
        write(
            root.path(),
            "templates/index.md.tmpl",
            &format!("# Test\n\n{template}\n"),
        );
        let error = pages(&provider(), root.path()).unwrap_err();
        assert_eq!(
            error,
            format!("templates/index.md.tmpl:{line}: `{template}` is not a directive of this page")
        );
    }
}
