//! Acceptance-test harness: finds terraform (or tofu), makes a scratch working directory with
//! its own CLI config (`dev_overrides` to a built provider binary, or reattach to an in-process
//! server), runs terraform commands and reads their results. Knows nothing about Cloudflare.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as Json;

/// The terraform binary: `TF_ACC_TERRAFORM_PATH`, else `terraform`, else `tofu` on PATH.
/// Without one: panics when `CI` is set, otherwise prints a loud SKIP line and returns `None`.
pub fn terraform_or_skip(test: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TF_ACC_TERRAFORM_PATH").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let search = std::env::var_os("PATH").unwrap_or_default();
    for name in ["terraform", "tofu"] {
        if let Some(found) = std::env::split_paths(&search)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
        {
            return Some(found);
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{test}: no terraform or tofu found (set TF_ACC_TERRAFORM_PATH or put one on PATH); \
         acceptance tests cannot be skipped in CI"
    );
    eprintln!(
        "\n*** SKIP {test}: no terraform or tofu on PATH and TF_ACC_TERRAFORM_PATH unset ***\n"
    );
    None
}

/// The Terraform release of `terraform` as (major, minor, patch), from `version -json`; `None` for
/// OpenTofu (whose numbers do not line up with Terraform's features) or when it cannot be read.
pub fn terraform_release(terraform: &Path) -> Option<(u64, u64, u64)> {
    let output = Command::new(terraform)
        .args(["version", "-json"])
        .env("CHECKPOINT_DISABLE", "1")
        .output()
        .ok()?;
    let shown: Json = serde_json::from_slice(&output.stdout).ok()?;
    if shown.get("terraform_version").is_none() || terraform.ends_with("tofu") {
        return None;
    }
    let mut parts = shown["terraform_version"]
        .as_str()?
        .split(['.', '-'])
        .map(|p| p.parse::<u64>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

/// Like [`terraform_or_skip`], but also skips (saying why, even in CI) when the binary is older
/// than Terraform `minimum` (major, minor), which `feature` needs.
pub fn terraform_at_least(test: &str, minimum: (u64, u64), feature: &str) -> Option<PathBuf> {
    let terraform = terraform_or_skip(test)?;
    let release = terraform_release(&terraform);
    match release {
        Some((major, minor, _)) if (major, minor) >= minimum => Some(terraform),
        _ => {
            let found = release
                .map(|(a, b, c)| format!("Terraform {a}.{b}.{c}"))
                .unwrap_or_else(|| "not Terraform (or an unreadable version)".into());
            // Written to stderr directly, not with eprintln!, so the test harness does not
            // capture it: the skip shows in CI's output.
            let _ = writeln!(
                std::io::stderr(),
                "*** SKIP {test}: {feature} needs Terraform {}.{} or later; {} is {found} \
                 (set TF_ACC_TERRAFORM_PATH to a newer one, e.g. `.ci/terraform-1.15`) ***",
                minimum.0,
                minimum.1,
                terraform.display()
            );
            None
        }
    }
}

/// A binary built by cargo next to the test executable, e.g. an example:
/// `built_binary("examples", "protocol_test_provider")`, or `None` when it is not built.
pub fn built_binary(subdir: &str, name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    // target/<profile>/deps/<test> → target/<profile>
    let profile_dir = exe.parent()?.parent()?;
    let path = profile_dir.join(subdir).join(name);
    path.is_file().then_some(path)
}

/// An example binary of this package (e.g. `protocol_test_provider`), built when stale or
/// missing (`cargo test --test x` does not build examples).
pub fn example_binary(name: &str) -> PathBuf {
    package_binary("terraform-provider-cloudflare", "example", name)
}

/// The `cloudflare-api-emulator` binary (`crates/api-emulator`), built when stale or missing.
pub fn emulator_binary() -> PathBuf {
    package_binary("api-emulator", "bin", "cloudflare-api-emulator")
}

/// Builds (when stale or missing: a test of this package does not build another package's
/// binaries) and returns binary `name` (`kind`: `bin` or `example`) of workspace package
/// `package`, in this test's profile. Builds once per test process.
fn package_binary(package: &str, kind: &str, name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let subdir = if kind == "example" { "examples" } else { "" };
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if built.iter().any(|b| b == name) {
        return built_binary(subdir, name).expect("binary built earlier");
    }
    let mut build = Command::new(env!("CARGO"));
    build
        .args([
            "build",
            "--quiet",
            "-p",
            package,
            &format!("--{kind}"),
            name,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    // `cargo test` hands this process OUT_DIR, CARGO_MANIFEST_DIR, CARGO_PKG_* and the like; a nested
    // build that inherits them makes build scripts that watch them (ring's) rebuild every time.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let per_package =
            key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_TARGET_DIR";
        if per_package || key == "OUT_DIR" {
            build.env_remove(key.as_ref());
        }
    }
    let status = build
        .status()
        .expect("running cargo to build a workspace binary");
    assert!(
        status.success(),
        "cargo build -p {package} --{kind} {name} failed"
    );
    built.push(name.to_string());
    built_binary(subdir, name).expect("the binary after building it")
}

/// The result of one terraform command.
#[derive(Debug)]
pub struct TfOutput {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl TfOutput {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout and stderr together, for assertions on messages.
    pub fn combined(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// A scratch terraform working directory with its own CLI config.
pub struct Workspace {
    dir: tempfile::TempDir,
    terraform: PathBuf,
    env: Vec<(String, String)>,
    _plugin_dirs: Vec<tempfile::TempDir>,
}

impl Workspace {
    fn new(terraform: PathBuf) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("tfacc-")
            .tempdir()
            .expect("creating a temp working directory");
        Workspace {
            dir,
            terraform,
            env: Vec::new(),
            _plugin_dirs: Vec::new(),
        }
    }

    /// A workspace where provider `source` (e.g. `cfsecrets/cloudflare`) resolves to `binary`
    /// through `dev_overrides`; the binary is linked as `terraform-provider-<type>`.
    pub fn with_dev_override(terraform: PathBuf, source: &str, binary: &Path) -> Workspace {
        Workspace::with_dev_overrides(terraform, &[(source, binary)])
    }

    /// A workspace where each (source, binary) pair resolves through `dev_overrides`, each
    /// binary in its own plugin directory (two providers may share a type name).
    pub fn with_dev_overrides(terraform: PathBuf, overrides: &[(&str, &Path)]) -> Workspace {
        let mut ws = Workspace::new(terraform);
        let mut lines = String::new();
        for (source, binary) in overrides {
            let provider_type = source.rsplit('/').next().expect("source has a type");
            let plugin_dir = tempfile::Builder::new()
                .prefix("tfacc-plugin-")
                .tempdir()
                .expect("creating a plugin directory");
            std::os::unix::fs::symlink(
                binary,
                plugin_dir
                    .path()
                    .join(format!("terraform-provider-{provider_type}")),
            )
            .expect("linking the provider binary");
            lines.push_str(&format!(
                "    \"{source}\" = \"{}\"\n",
                plugin_dir.path().display()
            ));
            ws._plugin_dirs.push(plugin_dir);
        }
        ws.write_cli_config(&format!(
            "provider_installation {{\n  dev_overrides {{\n{lines}  }}\n  direct {{}}\n}}\n"
        ));
        ws
    }

    /// A workspace where Terraform reattaches to an already running provider
    /// (`TF_REATTACH_PROVIDERS`), e.g. one served in process by `tfplugin::serve::serve_debug`.
    pub fn with_reattach(terraform: PathBuf, reattach_json: &str) -> Workspace {
        let mut ws = Workspace::new(terraform);
        ws.write_cli_config("");
        ws.env
            .push(("TF_REATTACH_PROVIDERS".into(), reattach_json.to_string()));
        ws
    }

    /// A workspace with the given CLI configuration (e.g. a `provider_installation` block for a
    /// filesystem mirror); an empty one makes Terraform use its implied local mirrors.
    pub fn with_cli_config(terraform: PathBuf, contents: &str) -> Workspace {
        let mut ws = Workspace::new(terraform);
        ws.write_cli_config(contents);
        ws
    }

    fn write_cli_config(&mut self, contents: &str) {
        let path = self.dir.path().join("cli.tfrc");
        std::fs::write(&path, contents).expect("writing the CLI config");
        self.env.push((
            "TF_CLI_CONFIG_FILE".into(),
            path.to_string_lossy().into_owned(),
        ));
    }

    /// Adds an environment variable for every command of this workspace.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.into(), value.into()));
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `main.tf`.
    pub fn write_main_tf(&self, hcl: &str) {
        self.write_file("main.tf", hcl);
    }

    pub fn write_file(&self, name: &str, contents: &str) {
        std::fs::write(self.dir.path().join(name), contents).expect("writing a workspace file");
    }

    /// Runs `terraform <args>` here with the workspace's environment plus `extra_env`.
    pub fn run_with_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> TfOutput {
        let output = self
            .command(args, extra_env)
            .output()
            .expect("running terraform");
        TfOutput {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// `terraform <args>` ready to run here with the workspace's environment plus `extra_env`
    /// (for callers that need the process itself, e.g. to interrupt it).
    pub fn command(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(&self.terraform);
        command
            .args(args)
            .current_dir(self.dir.path())
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_INPUT", "0")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_REATTACH_PROVIDERS")
            .env_remove("TF_PLUGIN_CACHE_DIR")
            .env_remove("TF_DATA_DIR");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        for (key, value) in extra_env {
            command.env(key, value);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> TfOutput {
        self.run_with_env(args, &[])
    }

    /// Runs a command that must succeed; panics with its output otherwise.
    pub fn run_ok(&self, args: &[&str]) -> TfOutput {
        let output = self.run(args);
        assert!(
            output.success(),
            "terraform {} failed ({:?}):\n{}",
            args.join(" "),
            output.code,
            output.combined()
        );
        output
    }

    pub fn validate(&self) -> TfOutput {
        self.run(&["validate", "-no-color"])
    }

    /// `terraform apply -auto-approve`, which must succeed.
    pub fn apply(&self) -> TfOutput {
        self.run_ok(&["apply", "-auto-approve", "-no-color"])
    }

    /// `terraform plan -detailed-exitcode`: 0 empty, 2 changes, 1 error.
    pub fn plan(&self) -> TfOutput {
        self.run(&["plan", "-detailed-exitcode", "-no-color"])
    }

    /// Asserts the plan is empty (exit 0): the perpetual-diff check.
    pub fn assert_plan_empty(&self) {
        let output = self.plan();
        assert_eq!(
            output.code,
            Some(0),
            "expected an empty plan:\n{}",
            output.combined()
        );
    }

    pub fn import(&self, address: &str, id: &str) -> TfOutput {
        self.run(&["import", "-no-color", address, id])
    }

    /// `terraform destroy -auto-approve`, which must succeed.
    pub fn destroy(&self) -> TfOutput {
        self.run_ok(&["destroy", "-auto-approve", "-no-color"])
    }

    /// `terraform show -json`, parsed.
    pub fn show_json(&self) -> Json {
        let output = self.run_ok(&["show", "-json", "-no-color"]);
        serde_json::from_str(&output.stdout).expect("show -json prints JSON")
    }

    /// The `values` of resource `address` from `show -json` (root module), if present.
    pub fn resource_values(&self, address: &str) -> Option<Json> {
        let shown = self.show_json();
        shown["values"]["root_module"]["resources"]
            .as_array()?
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"].clone())
    }

    /// The raw state file (`terraform.tfstate`), parsed; `None` when there is none.
    pub fn state(&self) -> Option<Json> {
        let text = std::fs::read_to_string(self.dir.path().join("terraform.tfstate")).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The raw state file as text (for "never stored" checks).
    pub fn state_text(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("terraform.tfstate")).unwrap_or_default()
    }
}
