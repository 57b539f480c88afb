//! Keeps `examples/` and `docs/` from rotting: every example directory passes `terraform validate`
//! with the built provider, the HCL and import commands in the docs (and the README) are copies
//! of the examples, and no secret variable can reach a saved plan. `tests/docs.rs` keeps the
//! generated pages current with the schema.

mod examples_support;
mod markdown;
mod secret_variables;
mod support;

use std::io::Write;
use std::path::Path;

use examples_support::{
    PROVIDER_SOURCE, example_dirs, relative, repo, tf_files, workspace_with_example,
};
use serde_json::Value as Json;
use support::{Workspace, terraform_or_skip, terraform_release};

/// The Terraform (major, minor) an example directory needs, from its `REQUIRES_TERRAFORM` file
/// (e.g. `1.12` for `import { identity = … }`); (1, 11) without one.
fn required_terraform(example: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(example.join("REQUIRES_TERRAFORM")).unwrap_or_default();
    let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor),
        _ => (1, 11),
    }
}

#[test]
fn every_example_directory_passes_terraform_validate() {
    let Some(terraform) = terraform_or_skip("every_example_directory_passes_terraform_validate")
    else {
        return;
    };
    let dirs = example_dirs();
    assert!(
        dirs.len() >= 8,
        "expected the provider, resource, data source, worker-binding, module and demo examples, found {dirs:?}"
    );
    let release = terraform_release(&terraform).map(|(major, minor, _)| (major, minor));
    let mut failures = Vec::new();
    for example in &dirs {
        let needs = required_terraform(example);
        if release.is_none_or(|have| have < needs) {
            // Not eprintln!: uncaptured, so the skip shows in CI's output.
            let have = release.map_or_else(
                || "not Terraform, or of an unknown version".to_string(),
                |(major, minor)| format!("Terraform {major}.{minor}"),
            );
            let _ = writeln!(
                std::io::stderr(),
                "*** SKIP validating {}: it needs Terraform {}.{} or later; {} is {have} ***",
                relative(example),
                needs.0,
                needs.1,
                terraform.display()
            );
            continue;
        }
        let workspace = workspace_with_example(&terraform, example);
        // Local child modules must be installed before validate; providers come from
        // dev_overrides, so no `terraform init` (it would look the provider up in the registry).
        let get = workspace.run(&["get", "-no-color"]);
        if !get.success() {
            failures.push(format!(
                "{}: terraform get: {}",
                relative(example),
                get.combined()
            ));
            continue;
        }
        let validate = workspace.run(&["validate", "-json", "-no-color"]);
        let report: Json = match serde_json::from_str(&validate.stdout) {
            Ok(report) => report,
            Err(_) => {
                failures.push(format!("{}: {}", relative(example), validate.combined()));
                continue;
            }
        };
        let diagnostics = report["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // The only acceptable diagnostic is Terraform's notice that dev_overrides are in effect.
        let unexpected: Vec<&Json> = diagnostics
            .iter()
            .filter(|d| d["summary"] != "Provider development overrides are in effect")
            .collect();
        if report["valid"] != Json::Bool(true) || !unexpected.is_empty() {
            failures.push(format!(
                "{}: valid = {}, diagnostics: {}",
                relative(example),
                report["valid"],
                serde_json::to_string_pretty(&unexpected).unwrap()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "examples that do not validate:\n\n{}",
        failures.join("\n\n")
    );
}

/// The `*.tfquery.hcl` files of one example directory, by file name.
fn query_files(dir: &Path) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("example directory is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.to_string_lossy().ends_with(".tfquery.hcl"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).expect("query file"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn example_query_files_pass_terraform_validate_query() {
    let test = "example_query_files_pass_terraform_validate_query";
    let Some(terraform) = support::terraform_at_least(test, (1, 14), "terraform validate -query")
    else {
        return;
    };
    let with_queries: Vec<_> = example_dirs()
        .into_iter()
        .filter(|dir| !query_files(dir).is_empty())
        .collect();
    assert!(
        !with_queries.is_empty(),
        "the bulk adoption example has a .tfquery.hcl file"
    );
    for example in with_queries {
        let workspace = workspace_with_example(&terraform, &example);
        for (name, text) in query_files(&example) {
            workspace.write_file(&name, &text);
        }
        let validate = workspace.run(&["validate", "-query", "-json", "-no-color"]);
        let report: Json = serde_json::from_str(&validate.stdout).unwrap_or_default();
        let unexpected: Vec<&Json> = report["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["summary"] != "Provider development overrides are in effect")
            .collect();
        assert!(
            report["valid"] == Json::Bool(true) && unexpected.is_empty(),
            "{}: {}",
            relative(&example),
            validate.combined()
        );
    }
}

#[test]
fn readme_terraform_blocks_pass_terraform_validate() {
    let Some(terraform) = terraform_or_skip("readme_terraform_blocks_pass_terraform_validate")
    else {
        return;
    };
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let blocks = markdown::fenced_blocks(&readme, "terraform");
    assert!(
        !blocks.is_empty(),
        "README.md shows how to use the provider in HCL"
    );
    for block in blocks {
        let workspace = Workspace::with_dev_override(
            terraform.clone(),
            PROVIDER_SOURCE,
            Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare")),
        );
        workspace.write_main_tf(&block);
        let validate = workspace.run(&["validate", "-no-color"]);
        assert!(
            validate.success(),
            "README block does not validate:\n{block}\n{}",
            validate.combined()
        );
    }
}

#[test]
fn examples_are_terraform_fmt_clean() {
    let Some(terraform) = terraform_or_skip("examples_are_terraform_fmt_clean") else {
        return;
    };
    let workspace = Workspace::with_dev_override(
        terraform,
        PROVIDER_SOURCE,
        Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare")),
    );
    let examples = repo().join("examples");
    let output = workspace.run(&[
        "fmt",
        "-check",
        "-recursive",
        "-diff",
        "-no-color",
        examples.to_str().expect("UTF-8 path"),
    ]);
    assert!(
        output.success(),
        "run `terraform fmt -recursive examples`:\n{}",
        output.combined()
    );
}

/// The text of every `*.tftest.hcl` file under `dir`, at any depth.
fn test_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("examples directory is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            found.extend(test_files(&path));
        } else if path.to_string_lossy().ends_with(".tftest.hcl") {
            found.push(std::fs::read_to_string(&path).expect("test file"));
        }
    }
    found
}

#[test]
fn docs_hcl_and_import_commands_come_from_the_examples() {
    let mut example_files: Vec<String> = example_dirs()
        .iter()
        .flat_map(|dir| tf_files(dir).into_values())
        .collect();
    let example_tests = test_files(&repo().join("examples"));
    assert!(
        !example_tests.is_empty(),
        "examples/module-test has a .tftest.hcl file"
    );
    example_files.extend(example_tests);
    let query_examples: Vec<String> = example_dirs()
        .iter()
        .flat_map(|dir| query_files(dir).into_iter().map(|(_, text)| text))
        .collect();
    let import_scripts: String = example_dirs()
        .iter()
        .filter_map(|dir| std::fs::read_to_string(dir.join("import.sh")).ok())
        .collect();
    let mut problems = Vec::new();
    for page in markdown::markdown_files(&repo().join("docs")) {
        let markdown = std::fs::read_to_string(&page).unwrap();
        for block in markdown::fenced_blocks(&markdown, "terraform") {
            if !example_files.iter().any(|file| file.trim() == block.trim()) {
                problems.push(format!(
                    "{}: a terraform block is not a copy of any examples/**/*.tf or *.tftest.hcl file:\n{}",
                    relative(&page),
                    block
                ));
            }
        }
        for block in markdown::fenced_blocks(&markdown, "hcl") {
            if block.contains("list \"") && !query_examples.iter().any(|q| q.trim() == block.trim())
            {
                problems.push(format!(
                    "{}: a list block is not a copy of any examples/**/*.tfquery.hcl file:\n{}",
                    relative(&page),
                    block
                ));
            }
        }
        for block in markdown::fenced_blocks(&markdown, "shell") {
            for line in block.lines().filter(|l| l.starts_with("terraform import")) {
                if !import_scripts.lines().any(|l| l == line) {
                    problems.push(format!(
                        "{}: `{line}` is in no examples/**/import.sh",
                        relative(&page)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn every_secret_variable_in_examples_docs_and_readme_is_sensitive_and_ephemeral() {
    let mut sources: Vec<(String, String)> = example_dirs()
        .iter()
        .flat_map(|dir| {
            tf_files(dir)
                .into_iter()
                .map(move |(name, text)| (relative(&dir.join(name)), text))
        })
        .collect();
    let pages = markdown::markdown_files(&repo().join("docs"))
        .into_iter()
        .chain([repo().join("README.md")]);
    for page in pages {
        let markdown = std::fs::read_to_string(&page).unwrap();
        for block in markdown::fenced_blocks(&markdown, "terraform") {
            sources.push((relative(&page), block));
        }
    }
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for (source, text) in &sources {
        for (name, body) in secret_variables::variable_blocks(text) {
            if let Some(problem) = secret_variables::variable_secrecy_problem(&name, &body) {
                problems.push(format!("{source}: {problem}"));
            }
            if secret_variables::names_a_secret(&name) {
                checked.push(format!("{source}: {name}"));
            }
        }
    }
    // The check saw the secret variables it exists for (so a parser that finds nothing fails).
    for expected in [
        "examples/provider/provider.tf: cloudflare_api_token",
        "examples/module/main.tf: secret_values",
        "examples/module/secrets/main.tf: values",
        "docs/index.md: cloudflare_api_token",
        "README.md: stripe_api_key",
    ] {
        assert!(
            checked.iter().any(|c| c == expected),
            "{expected} not checked; checked: {checked:#?}"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_documented_type_has_examples_and_every_example_type_has_docs() {
    let docs = repo().join("docs");
    let examples = repo().join("examples");
    for (docs_dir, examples_dir) in [
        (docs.join("resources"), examples.join("resources")),
        (docs.join("data-sources"), examples.join("data-sources")),
    ] {
        let documented: Vec<String> = markdown::markdown_files(&docs_dir)
            .iter()
            .map(|page| format!("cloudflare_{}", page.file_stem().unwrap().to_string_lossy()))
            .collect();
        let mut exemplified: Vec<String> = std::fs::read_dir(&examples_dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        exemplified.sort();
        assert_eq!(
            documented,
            exemplified,
            "{} and {} must name the same types",
            relative(&docs_dir),
            relative(&examples_dir)
        );
    }
    for dir in std::fs::read_dir(examples.join("resources")).unwrap() {
        let dir = dir.unwrap().path();
        assert!(
            dir.join("resource.tf").is_file() && dir.join("import.sh").is_file(),
            "{} needs resource.tf and import.sh",
            relative(&dir)
        );
    }
}

#[test]
fn registry_manifest_declares_protocol_6() {
    let text = std::fs::read_to_string(repo().join("terraform-registry-manifest.json"))
        .expect("terraform-registry-manifest.json at the repository root");
    let manifest: Json = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(manifest["version"], 1);
    assert_eq!(
        manifest["metadata"]["protocol_versions"],
        serde_json::json!(["6.0"])
    );
}
