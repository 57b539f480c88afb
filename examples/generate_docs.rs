//! Writes `docs/index.md`, `docs/resources/*.md` and `docs/data-sources/*.md` from the
//! provider's schemas, `templates/` and `examples/` (`cargo xtask docs` runs it; `tests/docs.rs`
//! fails while a committed page differs from what it writes).

use std::path::Path;
use std::process::ExitCode;

use terraform_provider_cloudflare::provider::CloudflareProvider;

fn main() -> ExitCode {
    match write_pages(Path::new(env!("CARGO_MANIFEST_DIR"))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// Writes each page that differs from what is on disk, and says which it wrote.
fn write_pages(root: &Path) -> Result<(), String> {
    for page in tfplugin::docs::pages(&CloudflareProvider, root)? {
        let path = root.join(&page.path);
        if std::fs::read_to_string(&path).is_ok_and(|text| text == page.text) {
            println!("    unchanged {}", page.path);
            continue;
        }
        std::fs::create_dir_all(path.parent().expect("a page is in a directory"))
            .and_then(|()| std::fs::write(&path, &page.text))
            .map_err(|e| format!("{}: {e}", page.path))?;
        println!("==> wrote {}", page.path);
    }
    Ok(())
}
