//! Cloudflare-specific acceptance-test helpers on top of `tests/support`: an in-process
//! emulator, a `support::Workspace` wired to the built provider binary (dev_overrides) and
//! configured only through `CLOUDFLARE_*` environment variables, and steps in the spirit of
//! terraform-plugin-testing (apply, check state, require an empty plan). Test crates using it
//! declare `mod support;` and `mod acc_harness;`.

#![allow(dead_code)]

use std::path::Path;

use serde_json::Value as Json;
use terraform_provider_cloudflare::emulator::{self, EmulatorConfig, EmulatorState};

use crate::support::{TfOutput, Workspace, terraform_or_skip};

/// The account every test works in.
pub const ACCOUNT_ID: &str = "0123456789abcdef0123456789abcdef";
pub const API_TOKEN: &str = "acc-test-token";

/// The provider's source address in HCL.
pub const PROVIDER_SOURCE: &str = "cfsecrets/cloudflare";

/// An emulator served on 127.0.0.1:0 from its own runtime; shuts down on drop.
pub struct Emulator {
    pub state: EmulatorState,
    pub base_url: String,
    runtime: tokio::runtime::Runtime,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(EmulatorConfig::new(ACCOUNT_ID, API_TOKEN))
    }

    pub fn start_with(config: EmulatorConfig) -> Emulator {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("emulator runtime");
        let state = EmulatorState::new(config);
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind emulator");
        let addr = listener.local_addr().expect("emulator address");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = state.clone();
        runtime.spawn(async move {
            let _ = emulator::serve(listener, serving, async {
                let _ = rx.await;
            })
            .await;
        });
        Emulator {
            state,
            base_url: format!("http://{addr}/client/v4"),
            runtime,
            shutdown: Some(tx),
        }
    }

    /// Calls the emulator's API directly (changes "outside Terraform"); returns the JSON body.
    pub fn api(&self, method: &str, path: &str, body: Option<Json>) -> Json {
        let url = format!(
            "{}/accounts/{ACCOUNT_ID}/secrets_store{path}",
            self.base_url
        );
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        self.runtime.block_on(async move {
            let client = reqwest::Client::new();
            let mut request = client.request(method, &url).bearer_auth(API_TOKEN);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("emulator request");
            response.json::<Json>().await.expect("emulator JSON")
        })
    }

    /// Creates a store outside Terraform; returns its id.
    pub fn create_store(&self, name: &str) -> String {
        let body = self.api("POST", "/stores", Some(serde_json::json!({ "name": name })));
        body["result"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("store not created: {body}"))
            .to_string()
    }

    /// Creates a secret outside Terraform; returns its id.
    pub fn create_secret(&self, store_id: &str, name: &str, value: &str) -> String {
        let body = self.api(
            "POST",
            &format!("/stores/{store_id}/secrets"),
            Some(serde_json::json!([{ "name": name, "value": value, "scopes": ["workers"] }])),
        );
        body["result"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("secret not created: {body}"))
            .to_string()
    }

    /// Panics unless the emulator holds no stores and no secrets.
    pub fn assert_empty(&self) {
        let stores = self.state.stores();
        let secrets = self.state.secrets();
        assert!(
            stores.is_empty() && secrets.is_empty(),
            "left behind: {} store(s), {} secret(s)",
            stores.len(),
            secrets.len()
        );
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// A Terraform working directory using the built provider against an emulator.
pub struct Workdir {
    workspace: Workspace,
}

/// The result of one terraform command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: TfOutput) -> Run {
        Run {
            code: output.code.unwrap_or(-1),
            stdout: output.stdout,
            stderr: output.stderr,
        }
    }

    /// stdout and stderr with Terraform's box-drawing and line wrapping flattened.
    pub fn text(&self) -> String {
        let joined = format!("{}\n{}", self.stdout, self.stderr);
        joined
            .lines()
            .map(|l| l.trim_start_matches(['│', '╷', '╵', ' ']).trim_end())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl Workdir {
    /// `None` when terraform is unavailable (the test then returns early).
    pub fn new(emulator: &Emulator, test: &str) -> Option<Workdir> {
        let terraform = terraform_or_skip(test)?;
        let binary = Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare"));
        let mut workspace = Workspace::with_dev_override(terraform, PROVIDER_SOURCE, binary);
        for (key, value) in [
            ("CLOUDFLARE_BASE_URL", emulator.base_url.as_str()),
            ("CLOUDFLARE_API_TOKEN", API_TOKEN),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
            ("CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT", "30s"),
            // Keep the runner's own Cloudflare settings out of the tests.
            ("CLOUDFLARE_API_KEY", ""),
            ("CLOUDFLARE_EMAIL", ""),
        ] {
            workspace.set_env(key, value);
        }
        Some(Workdir { workspace })
    }

    pub fn path(&self) -> &Path {
        self.workspace.path()
    }

    /// Writes `main.tf`: the required_providers block plus `body`.
    pub fn config(&self, body: &str) {
        let text = format!(
            "terraform {{\n  required_providers {{\n    cloudflare = {{\n      source = \"{PROVIDER_SOURCE}\"\n    }}\n  }}\n}}\n\n{body}\n"
        );
        self.workspace.write_main_tf(&text);
    }

    /// Runs terraform with the provider configured by environment variables only.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.workspace.run(args))
    }

    /// Runs terraform with no credentials in the environment.
    pub fn run_without_credentials(&self, args: &[&str]) -> Run {
        Run::from(
            self.workspace
                .run_with_env(args, &[("CLOUDFLARE_API_TOKEN", "")]),
        )
    }

    /// `terraform apply`; panics with the output when it fails.
    pub fn apply(&self) -> Run {
        let run = self.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert_eq!(run.code, 0, "apply failed:\n{}\n{}", run.stdout, run.stderr);
        run
    }

    /// `terraform apply` that must fail; returns its flattened output.
    pub fn apply_fails(&self) -> String {
        let run = self.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert_ne!(run.code, 0, "apply should fail:\n{}", run.stdout);
        run.text()
    }

    /// Requires `plan -detailed-exitcode` to find nothing to change (the perpetual-diff check).
    pub fn assert_plan_empty(&self) {
        let run = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(
            run.code, 0,
            "expected an empty plan:\n{}\n{}",
            run.stdout, run.stderr
        );
    }

    /// `terraform plan -out` then `show -json` of that plan.
    pub fn plan_json(&self) -> Json {
        let run = self.run(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
        assert_eq!(run.code, 0, "plan failed:\n{}\n{}", run.stdout, run.stderr);
        let show = self.run(&["show", "-json", "tfplan"]);
        assert_eq!(show.code, 0, "show failed: {}", show.stderr);
        serde_json::from_str(&show.stdout).expect("plan JSON")
    }

    /// The planned actions per resource address.
    pub fn planned_actions(&self) -> Vec<(String, Vec<String>)> {
        let plan = self.plan_json();
        plan["resource_changes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                let actions = c["change"]["actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_string))
                    .collect();
                (
                    c["address"].as_str().unwrap_or_default().to_string(),
                    actions,
                )
            })
            .collect()
    }

    /// `terraform plan` output (flattened), requiring success; `changes` says whether the
    /// plan must propose changes (exit 2) or none (exit 0).
    pub fn plan_text(&self, changes: bool) -> String {
        let run = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        let expected = if changes { 2 } else { 0 };
        assert_eq!(run.code, expected, "plan:\n{}\n{}", run.stdout, run.stderr);
        run.text()
    }

    /// `terraform show -json` state: resource address → its attribute values.
    pub fn state(&self) -> std::collections::BTreeMap<String, Json> {
        let run = self.run(&["show", "-json", "-no-color"]);
        assert_eq!(run.code, 0, "show failed: {}", run.stderr);
        let state: Json = serde_json::from_str(&run.stdout).expect("state JSON");
        state["values"]["root_module"]["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["address"].as_str().unwrap_or_default().to_string(),
                    r["values"].clone(),
                )
            })
            .collect()
    }

    /// The attributes of one resource in state.
    pub fn resource(&self, address: &str) -> Json {
        self.state()
            .remove(address)
            .unwrap_or_else(|| panic!("{address} is not in state"))
    }

    /// The raw state file text (to check what never reaches it).
    pub fn raw_state(&self) -> String {
        self.workspace.state_text()
    }

    /// The root module outputs.
    pub fn outputs(&self) -> Json {
        let run = self.run(&["output", "-json"]);
        assert_eq!(run.code, 0, "output failed: {}", run.stderr);
        serde_json::from_str(&run.stdout).expect("outputs JSON")
    }

    pub fn state_rm(&self, address: &str) {
        let run = self.run(&["state", "rm", address]);
        assert_eq!(run.code, 0, "state rm failed: {}", run.stderr);
    }

    /// `terraform import`, then requires every attribute to equal `expected`.
    pub fn import_and_compare(&self, address: &str, id: &str, expected: &Json) {
        self.state_rm(address);
        let run = self.run(&["import", "-input=false", "-no-color", address, id]);
        assert_eq!(
            run.code, 0,
            "import {id} failed:\n{}\n{}",
            run.stdout, run.stderr
        );
        let imported = self.resource(address);
        assert_eq!(
            &imported, expected,
            "import {id} differs from the applied state"
        );
    }

    /// `terraform destroy`; panics with the output when it fails.
    pub fn destroy(&self) {
        let run = self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
        assert_eq!(
            run.code, 0,
            "destroy failed:\n{}\n{}",
            run.stdout, run.stderr
        );
    }

    /// `terraform destroy` that must fail; returns its flattened output.
    pub fn destroy_fails(&self) -> String {
        let run = self.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
        assert_ne!(run.code, 0, "destroy should fail:\n{}", run.stdout);
        run.text()
    }
}
