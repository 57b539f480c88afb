//! Cloudflare-specific acceptance-test helpers on top of `tests/support`: an in-process
//! emulator, a `support::Workspace` wired to the built provider binary (dev_overrides) and
//! configured only through `CLOUDFLARE_*` environment variables, and steps in the spirit of
//! terraform-plugin-testing (apply, check state, require an empty plan). Test crates using it
//! declare `mod support;` and `mod acc_harness;`.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use api_emulator::{self, EmulatorConfig, EmulatorState, RateBudget, RequestRecord};
use serde_json::Value as Json;

use crate::support::{TfOutput, Workspace, terraform_at_least, terraform_or_skip};

/// The account every test works in.
pub const ACCOUNT_ID: &str = "0123456789abcdef0123456789abcdef";
pub const API_TOKEN: &str = "acc-test-token";

/// The client-side rate limit the tests run with (the default, 3.5/s, would make a
/// 20-secret apply take many seconds for no benefit against the emulator).
pub const TEST_REQUESTS_PER_SECOND: &str = "100";

/// The provider's source address in HCL.
pub const PROVIDER_SOURCE: &str = "cfsecrets/cloudflare";

/// An emulator served on 127.0.0.1:0 from its own runtime; shuts down on drop.
pub struct Emulator {
    pub state: EmulatorState,
    pub base_url: String,
    address: std::net::SocketAddr,
    runtime: tokio::runtime::Runtime,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<()>>,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::start_with(EmulatorConfig::new(ACCOUNT_ID, API_TOKEN))
    }

    /// The emulator with `config`; a config that sets no `rate_limit` gets
    /// [`RateBudget::LIFTED`] in the `Ratelimit` headers, as the tests lift the provider's own
    /// rate limit too (`TEST_REQUESTS_PER_SECOND`).
    pub fn start_with(mut config: EmulatorConfig) -> Emulator {
        config.rate_limit.get_or_insert(RateBudget::LIFTED);
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
        let address = listener.local_addr().expect("emulator address");
        let mut emulator = Emulator {
            state,
            base_url: format!("http://{address}/client/v4"),
            address,
            runtime,
            shutdown: None,
            serving: None,
        };
        emulator.serve_on(listener);
        emulator
    }

    fn serve_on(&mut self, listener: tokio::net::TcpListener) {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let serving = self.state.clone();
        self.serving = Some(self.runtime.spawn(async move {
            let _ = api_emulator::serve(listener, serving, async {
                let _ = rx.await;
            })
            .await;
        }));
        self.shutdown = Some(tx);
    }

    /// Stops serving (connections are refused) and waits until the port is closed; the
    /// account data stays for [`Emulator::resume`].
    pub fn pause(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(serving) = self.serving.take() {
            self.runtime.block_on(serving).expect("emulator task");
        }
    }

    /// Serves the same account data on the same address again after [`Emulator::pause`].
    pub fn resume(&mut self) {
        let listener = self
            .runtime
            .block_on(tokio::net::TcpListener::bind(self.address))
            .expect("bind the emulator's address again");
        self.serve_on(listener);
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

    /// An emulator whose new secrets stay `pending` for `delay`.
    pub fn start_with_activation_delay(delay: std::time::Duration) -> Emulator {
        let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
        config.activation_delay = delay;
        Emulator::start_with(config)
    }

    /// The logged requests as `METHOD /path` with ids replaced by `{store_id}` / `{secret_id}`
    /// (and the query, if any), counted per endpoint.
    pub fn request_breakdown(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for record in self.state.request_log() {
            *counts.entry(endpoint(&record)).or_default() += 1;
        }
        counts
    }

    /// Panics (listing them) if any API request was logged; `what` names the step.
    pub fn assert_no_requests(&self, what: &str) {
        let log = self.state.request_log();
        assert!(
            log.is_empty(),
            "{what} must make no API call, but made {}: {:?}",
            log.len(),
            log.iter().map(endpoint).collect::<Vec<_>>()
        );
    }

    /// Panics unless the only API request logged is the one read of the account's secrets
    /// quota that a plan creating secrets makes (at most one per provider process); `what`
    /// names the step.
    pub fn assert_only_the_quota_read(&self, what: &str) {
        let requests = self.request_breakdown();
        assert!(
            requests.keys().all(|r| r == "GET /quota") && requests.values().sum::<usize>() <= 1,
            "{what} must make no API call but the quota read, but made {requests:?}"
        );
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

/// `GET /accounts/{account_id}/secrets_store/stores/{store_id}/secrets?per_page=100`-style
/// endpoint name of one logged request.
pub fn endpoint(record: &RequestRecord) -> String {
    let mut path = Vec::new();
    let mut previous = "";
    for segment in record.path.split('/') {
        let is_id = segment.len() == 32 && segment.chars().all(|c| c.is_ascii_hexdigit());
        let shown = match previous {
            _ if !is_id => segment,
            "accounts" => "{account_id}",
            "stores" => "{store_id}",
            "secrets" => "{secret_id}",
            _ => "{id}",
        };
        path.push(shown);
        previous = segment;
    }
    let path = path.join("/");
    let path = path
        .strip_prefix("/client/v4/accounts/{account_id}/secrets_store")
        .unwrap_or(&path);
    match &record.query {
        Some(query) => format!("{} {path}?{query}", record.method),
        None => format!("{} {path}", record.method),
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
        Some(Workdir::with_terraform(emulator, terraform_or_skip(test)?))
    }

    /// Like [`Workdir::new`], but `None` (with a SKIP line naming the reason) unless terraform is
    /// at least `minimum` (major, minor), which `feature` needs.
    pub fn at_least(
        emulator: &Emulator,
        test: &str,
        minimum: (u64, u64),
        feature: &str,
    ) -> Option<Workdir> {
        Some(Workdir::with_terraform(
            emulator,
            terraform_at_least(test, minimum, feature)?,
        ))
    }

    fn with_terraform(emulator: &Emulator, terraform: std::path::PathBuf) -> Workdir {
        Workdir::with_overrides(emulator, terraform, &[])
    }

    /// Like [`Workdir::new`], with another build of this provider (e.g. an older release).
    pub fn with_provider_binary(emulator: &Emulator, test: &str, binary: &Path) -> Option<Workdir> {
        let terraform = terraform_or_skip(test)?;
        Some(Workdir::with_binary(emulator, terraform, binary, &[]))
    }

    /// A working directory where, besides this provider, each `(source, binary)` of
    /// `stand_ins` is served through `dev_overrides` (e.g. a stand-in for the official provider).
    pub fn with_stand_ins(
        emulator: &Emulator,
        test: &str,
        minimum: (u64, u64),
        feature: &str,
        stand_ins: &[(&str, &Path)],
    ) -> Option<Workdir> {
        let terraform = terraform_at_least(test, minimum, feature)?;
        Some(Workdir::with_overrides(emulator, terraform, stand_ins))
    }

    fn with_overrides(
        emulator: &Emulator,
        terraform: std::path::PathBuf,
        stand_ins: &[(&str, &Path)],
    ) -> Workdir {
        let binary = Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare"));
        Workdir::with_binary(emulator, terraform, binary, stand_ins)
    }

    fn with_binary(
        emulator: &Emulator,
        terraform: std::path::PathBuf,
        binary: &Path,
        stand_ins: &[(&str, &Path)],
    ) -> Workdir {
        let mut overrides = vec![(PROVIDER_SOURCE, binary)];
        overrides.extend_from_slice(stand_ins);
        let mut workspace = Workspace::with_dev_overrides(terraform, &overrides);
        for (key, value) in [
            ("CLOUDFLARE_BASE_URL", emulator.base_url.as_str()),
            ("CLOUDFLARE_API_TOKEN", API_TOKEN),
            ("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID),
            ("CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT", "30s"),
            // The emulator has no server-side limit to respect; keep the suite fast.
            ("CLOUDFLARE_RPS", TEST_REQUESTS_PER_SECOND),
            // Keep the runner's own Cloudflare settings out of the tests.
            ("CLOUDFLARE_API_KEY", ""),
            ("CLOUDFLARE_EMAIL", ""),
        ] {
            workspace.set_env(key, value);
        }
        Workdir { workspace }
    }

    pub fn path(&self) -> &Path {
        self.workspace.path()
    }

    /// Adds an environment variable to every later command of this working directory.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.workspace.set_env(key, value);
    }

    /// Writes a file (e.g. `modules/secrets/main.tf`), creating its directories.
    pub fn write_file(&self, relative: &str, contents: &str) {
        let path = self.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("creating a module directory");
        }
        std::fs::write(path, contents).expect("writing a workspace file");
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

    /// Runs terraform with `extra_env` on top of the usual environment.
    pub fn run_with_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
        Run::from(self.workspace.run_with_env(args, extra_env))
    }

    /// Starts terraform in the background with stdout and stderr captured.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.workspace
            .command(args, &[])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starting terraform")
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
        serde_json::from_str(&self.plan_json_text()).expect("plan JSON")
    }

    /// `terraform plan -out=tfplan` then the raw text of `show -json tfplan` (for "never in the
    /// plan" checks).
    pub fn plan_json_text(&self) -> String {
        let run = self.run(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
        assert_eq!(run.code, 0, "plan failed:\n{}\n{}", run.stdout, run.stderr);
        let show = self.run(&["show", "-json", "tfplan"]);
        assert_eq!(show.code, 0, "show failed: {}", show.stderr);
        show.stdout
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

    /// `terraform show -json` state: resource address → its attribute values, for the root
    /// module and every child module (addresses like `module.m.cloudflare_store_secret.s["K"]`).
    pub fn state(&self) -> BTreeMap<String, Json> {
        let run = self.run(&["show", "-json", "-no-color"]);
        assert_eq!(run.code, 0, "show failed: {}", run.stderr);
        let state: Json = serde_json::from_str(&run.stdout).expect("state JSON");
        let mut resources = BTreeMap::new();
        collect_resources(&state["values"]["root_module"], &mut resources);
        resources
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

/// Adds the resources of `module` (a `show -json` module object) and its children to `into`.
fn collect_resources(module: &Json, into: &mut BTreeMap<String, Json>) {
    for resource in module["resources"].as_array().into_iter().flatten() {
        into.insert(
            resource["address"].as_str().unwrap_or_default().to_string(),
            resource["values"].clone(),
        );
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect_resources(child, into);
    }
}
