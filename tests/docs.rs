//! The committed registry pages are exactly what `cargo xtask docs` writes from the provider's
//! schemas, `templates/` and `examples/`, and no page is left over from a type that is gone.

use std::path::Path;

use terraform_provider_cloudflare::provider::CloudflareProvider;

/// Where `committed` first differs from `generated`, by line; `None` when they are equal.
fn first_difference(committed: &str, generated: &str) -> Option<String> {
    let (mut committed, mut generated) = (committed.split('\n'), generated.split('\n'));
    for number in 1.. {
        match (committed.next(), generated.next()) {
            (None, None) => return None,
            (have, want) if have == want => continue,
            (have, want) => {
                let end = "(end of file)";
                return Some(format!(
                    "line {number} differs\n  committed: {}\n  generated: {}",
                    have.unwrap_or(end),
                    want.unwrap_or(end)
                ));
            }
        }
    }
    unreachable!("the lines run out")
}

#[test]
fn committed_docs_are_what_cargo_xtask_docs_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = tfplugin::docs::pages(&CloudflareProvider, root).expect("the pages render");
    let mut problems = Vec::new();
    for page in &pages {
        match std::fs::read_to_string(root.join(&page.path)) {
            Err(e) => problems.push(format!("{}: {e}", page.path)),
            Ok(committed) => problems.extend(
                first_difference(&committed, &page.text).map(|d| format!("{}: {d}", page.path)),
            ),
        }
    }
    for dir in ["docs/resources", "docs/data-sources"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("the docs directory") {
            let path = format!("{dir}/{}", entry.unwrap().file_name().to_string_lossy());
            if !pages.iter().any(|page| page.path == path) {
                problems.push(format!("{path} documents no type of the provider"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the docs differ from what `cargo xtask docs` writes: run it (the prose is in templates/):\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_first_differing_line_is_named() {
    let committed = "---\n- `name` (String) Old text.\n";
    let generated = "---\n- `name` (String) New text.\n";
    assert_eq!(
        first_difference(committed, generated).as_deref(),
        Some(
            "line 2 differs\n  committed: - `name` (String) Old text.\n  \
             generated: - `name` (String) New text."
        )
    );
    assert_eq!(
        first_difference("a\n", "a\nb\n").as_deref(),
        Some("line 2 differs\n  committed: \n  generated: b")
    );
    assert_eq!(
        first_difference("a", "a\n").as_deref(),
        Some("line 2 differs\n  committed: (end of file)\n  generated: ")
    );
    assert_eq!(first_difference(generated, generated), None);
}
