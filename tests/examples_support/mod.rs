//! Helpers shared by the example tests: finding the example directories and copying one into a
//! terraform workspace whose `dev_overrides` point at the built provider.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::Workspace;

pub const PROVIDER_SOURCE: &str = "cfsecrets/cloudflare";
pub const PROVIDER_ADDRESS: &str = "registry.terraform.io/cfsecrets/cloudflare";

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every directory under `examples/` that holds `*.tf` files, sorted.
pub fn example_dirs() -> Vec<PathBuf> {
    let mut found = Vec::new();
    collect_tf_dirs(&repo().join("examples"), &mut found);
    found.sort();
    found
}

fn collect_tf_dirs(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut has_tf = false;
    for entry in std::fs::read_dir(dir).expect("examples directory is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect_tf_dirs(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "tf") {
            has_tf = true;
        }
    }
    if has_tf {
        found.push(dir.to_path_buf());
    }
}

/// The `*.tf` files of one directory, by file name.
pub fn tf_files(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .expect("example directory is readable")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "tf"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("example file is readable");
            (name, text)
        })
        .collect()
}

pub fn relative(path: &Path) -> String {
    path.strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The official provider's source address; examples that use it beside ours get the test-only
/// provider (`tests/test_provider`, which has a stand-in `cloudflare_workers_script`) instead.
pub const OFFICIAL_PROVIDER_SOURCE: &str = "cloudflare/cloudflare";

/// Where the stand-in for the official provider keeps its objects, inside the workspace.
pub const STAND_IN_STORE_FILE: &str = "official-provider-stand-in.json";

/// A fresh workspace whose `dev_overrides` point at the built provider, holding a copy of one
/// example directory (and its child modules). A directory that declares no `required_providers`
/// (registry-style snippets) gets one, so `cloudflare` resolves to this provider rather than
/// `hashicorp/cloudflare`. An example that also requires the official provider gets the
/// test-only stand-in for it, keeping its objects in [`STAND_IN_STORE_FILE`].
pub fn workspace_with_example(terraform: &Path, example: &Path) -> Workspace {
    let ours = Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare"));
    let needs_official = tf_files(example)
        .values()
        .any(|text| text.contains(&format!("\"{OFFICIAL_PROVIDER_SOURCE}\"")));
    let workspace = if needs_official {
        let stand_in = crate::support::example_binary("protocol_test_provider");
        let mut workspace = Workspace::with_dev_overrides(
            terraform.to_path_buf(),
            &[
                (PROVIDER_SOURCE, ours),
                (OFFICIAL_PROVIDER_SOURCE, &stand_in),
            ],
        );
        let store = workspace.path().join(STAND_IN_STORE_FILE);
        workspace.set_env("TEST_PROVIDER_STORE_PATH", &store.to_string_lossy());
        workspace
    } else {
        Workspace::with_dev_override(terraform.to_path_buf(), PROVIDER_SOURCE, ours)
    };
    copy_tree(example, workspace.path());
    let declares_provider = tf_files(workspace.path())
        .values()
        .any(|text| text.contains("required_providers"));
    if !declares_provider {
        workspace.write_file(
            "zz_required_providers.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    cloudflare = {{\n      source = \"{PROVIDER_SOURCE}\"\n    }}\n  }}\n}}\n"
            ),
        );
    }
    workspace
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            if path.file_name().is_some_and(|name| name == ".terraform") {
                continue;
            }
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The account and token every example test's emulator accepts.
pub const ACCOUNT_ID: &str = "0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e";
pub const API_TOKEN: &str = "examples-test-token";

/// The emulator served on its own tokio runtime while terraform runs in the foreground.
pub struct LiveEmulator {
    running: Option<api_emulator::RunningEmulator>,
    runtime: tokio::runtime::Runtime,
}

impl LiveEmulator {
    pub fn start(configure: impl FnOnce(&mut api_emulator::EmulatorConfig)) -> LiveEmulator {
        use api_emulator::{EmulatorConfig, EmulatorState, RunningEmulator};
        let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
        // The examples run with the client's rate limit lifted (CLOUDFLARE_RPS below): lift
        // the budget the `Ratelimit` headers report too.
        config.rate_limit = Some(api_emulator::RateBudget::LIFTED);
        configure(&mut config);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime for the emulator");
        let running = runtime
            .block_on(RunningEmulator::start(EmulatorState::new(config)))
            .expect("the emulator binds 127.0.0.1:0");
        LiveEmulator {
            running: Some(running),
            runtime,
        }
    }

    pub fn state(&self) -> &api_emulator::EmulatorState {
        self.running.as_ref().expect("running").state()
    }

    pub fn base_url(&self) -> String {
        self.running.as_ref().expect("running").base_url()
    }

    /// Runs a future (e.g. API client calls) on the emulator's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Points a workspace's provider at this emulator.
    pub fn configure_workspace(&self, workspace: &mut Workspace) {
        workspace.set_env("CLOUDFLARE_BASE_URL", &self.base_url());
        workspace.set_env("CLOUDFLARE_API_TOKEN", API_TOKEN);
        workspace.set_env("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID);
        // Tests need not respect Cloudflare's real rate limit against a local emulator.
        workspace.set_env("CLOUDFLARE_RPS", "200");
    }
}

impl Drop for LiveEmulator {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = self.runtime.block_on(running.shutdown());
        }
    }
}
