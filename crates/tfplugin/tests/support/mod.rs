//! What the integration tests share: the example provider binary, built on demand, and the
//! Terraform binary to drive it with.
// Each test binary uses part of this.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

/// Example `name` of this crate, built first when stale or missing (`cargo test --test x` does
/// not build examples). Builds once per test process.
pub fn example_binary(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let exe = std::env::current_exe().expect("the test executable");
    // target/<profile>/deps/<test> → target/<profile>/examples/<name>
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    if built.iter().any(|b| b == name) {
        return path;
    }
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "-p", "tfplugin", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    // A nested build that inherits this process's per-package CARGO_* variables and OUT_DIR
    // makes build scripts that watch them rebuild every time.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let per_package =
            key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_TARGET_DIR";
        if per_package || key == "OUT_DIR" {
            build.env_remove(key.as_ref());
        }
    }
    let status = build.status().expect("running cargo to build an example");
    assert!(
        status.success(),
        "cargo build -p tfplugin --example {name} failed"
    );
    assert!(path.is_file(), "{} after building it", path.display());
    built.push(name.to_string());
    path
}

/// The `terraform` (or `tofu`) to test with: `TF_ACC_TERRAFORM_PATH`, else `terraform` on PATH.
/// Without one the test is skipped, loudly; when `CI` is set it fails instead.
pub fn terraform_or_skip(test: &str) -> Option<PathBuf> {
    let configured = std::env::var_os("TF_ACC_TERRAFORM_PATH").map(PathBuf::from);
    let found = configured.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|dir| dir.join("terraform"))
            .find(|candidate| candidate.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: no terraform in CI"
        );
        // Straight to stderr, so the harness does not capture it: the skip shows.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "*** SKIP {test}: no terraform (set TF_ACC_TERRAFORM_PATH or put it on PATH) ***"
        );
    }
    found
}
