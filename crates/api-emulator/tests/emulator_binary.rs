//! The `cloudflare-api-emulator` binary: starts on a free port, announces its URL on the
//! first stdout line, serves the API with the given credentials and limits, stops on SIGTERM;
//! every documented option works as a flag (`--flag value` and `--flag=value`) and from its
//! environment variable; bad usage exits 2.

mod emulator_support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use api_emulator::{EmulatorConfig, EmulatorState, RATE_LIMIT_REPORT_PATH, RunningEmulator};
use emulator_support::read_checked;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_cloudflare-api-emulator");
const DEFAULT_ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const DEFAULT_TOKEN: &str = "local-emulator-token";

/// One documented option: its flag, its environment variable, and a value whose effect
/// [`assert_effect`] can see.
struct Setting {
    flag: &'static str,
    env: &'static str,
    value: &'static str,
}

const fn setting(flag: &'static str, env: &'static str, value: &'static str) -> Setting {
    Setting { flag, env, value }
}

/// Every option of `--help` but `--verbose`, grouped where one needs another to show.
const OPTIONS: &[&[Setting]] = &[
    &[setting("listen", "CF_EMULATOR_LISTEN", "127.0.0.1:0")],
    &[setting(
        "account-id",
        "CLOUDFLARE_ACCOUNT_ID",
        "abcdefabcdefabcdefabcdefabcdefab",
    )],
    &[setting("api-token", "CLOUDFLARE_API_TOKEN", "binary-token")],
    &[
        setting("api-email", "CLOUDFLARE_EMAIL", "me@example.com"),
        setting("api-key", "CLOUDFLARE_API_KEY", "global-key"),
    ],
    &[setting("max-stores", "CF_EMULATOR_MAX_STORES", "2")],
    &[setting("max-secrets", "CF_EMULATOR_MAX_SECRETS", "7")],
    &[setting(
        "max-value-bytes",
        "CF_EMULATOR_MAX_VALUE_BYTES",
        "4",
    )],
    &[setting(
        "activation-delay-ms",
        "CF_EMULATOR_ACTIVATION_DELAY_MS",
        "0",
    )],
    &[setting("batch-mode", "CF_EMULATOR_BATCH_MODE", "per-item")],
    &[setting(
        "bulk-delete-body",
        "CF_EMULATOR_BULK_DELETE_BODY",
        "objects",
    )],
    &[setting(
        "name-conflict-status",
        "CF_EMULATOR_NAME_CONFLICT_STATUS",
        "400",
    )],
    &[setting("latency-ms", "CF_EMULATOR_LATENCY_MS", "400")],
    &[
        setting("rate-limit-next", "CF_EMULATOR_RATE_LIMIT_NEXT", "1"),
        setting("retry-after", "CF_EMULATOR_RETRY_AFTER", "3"),
    ],
    &[setting("fail-next", "CF_EMULATOR_FAIL_NEXT", "1")],
    &[setting("fail-every", "CF_EMULATOR_FAIL_EVERY", "2")],
    &[
        setting("failure-rate", "CF_EMULATOR_FAILURE_RATE", "0.5"),
        setting("failure-seed", "CF_EMULATOR_FAILURE_SEED", "7"),
    ],
    &[setting(
        "drop-next-writes",
        "CF_EMULATOR_DROP_NEXT_WRITES",
        "1",
    )],
    &[setting(
        "fault",
        "CF_EMULATOR_FAULT",
        "503 GET /quota; close GET /stores;",
    )],
    &[setting(
        "enforce-rate-limit",
        "CF_EMULATOR_ENFORCE_RATE_LIMIT",
        "2/60s",
    )],
];

/// The spawned emulator; killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args` and `env` (none of the documented variables inherited), stderr
/// piped; returns it with the base URL announced on its first stdout line.
async fn launch(args: &[String], env: &[(&str, &str)]) -> (Running, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut child = emulator(env)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the emulator binary starts");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let first_line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let base = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_string();
    (running, base)
}

/// The binary with `env` and none of the documented variables inherited from the test run.
fn emulator(env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BINARY);
    for setting in OPTIONS.iter().copied().flatten() {
        command.env_remove(setting.env);
    }
    command.envs(env.iter().copied());
    command
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|arg| arg.to_string()).collect()
}

/// Stops the emulator with SIGTERM and returns what it wrote to stderr.
fn stop(mut running: Running) -> String {
    let pid = running.0.id().to_string();
    let terminated = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(terminated.success());
    let mut stderr = String::new();
    running
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let exit = running.0.wait().unwrap();
    assert!(exit.success(), "{exit:?}: {stderr}");
    stderr
}

/// Requests to one emulator, every JSON body checked against the OpenAPI file.
struct Api {
    base: String,
    account: &'static str,
    http: reqwest::Client,
}

impl Api {
    fn new(base: String, account: &'static str) -> Api {
        Api {
            base,
            account,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/accounts/{}/secrets_store{path}",
            self.base, self.account
        )
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let (status, _, body) = self.send_full(method, path, body).await;
        (status, body)
    }

    async fn send_full(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let response = self
            .request(method, path, body)
            .send()
            .await
            .unwrap_or_else(|error| panic!("{method} {path}: {error}"));
        read_checked(method, response).await
    }

    fn request(&self, method: &str, path: &str, body: Option<Value>) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(DEFAULT_TOKEN);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
    }

    async fn quota_statuses(&self, count: usize) -> Vec<u16> {
        let mut statuses = Vec::new();
        for _ in 0..count {
            statuses.push(self.send("GET", "/quota", None).await.0);
        }
        statuses
    }

    async fn create_store(&self, name: &str) -> String {
        let (status, body) = self
            .send("POST", "/stores", Some(json!({"name": name})))
            .await;
        assert_eq!(status, 200, "{body}");
        body["result"]["id"].as_str().unwrap().to_string()
    }
}

/// Asserts that the option (group) `group` took effect on the emulator behind `api`; each check
/// fails under the option's default.
async fn assert_effect(group: &[Setting], api: &Api) {
    let secret =
        |name: &str, value: &str| json!({"name": name, "value": value, "scopes": ["workers"]});
    match group[0].flag {
        "listen" => assert!(!api.base.contains(":8787/"), "{}", api.base),
        "account-id" => assert_eq!(api.send("GET", "/quota", None).await.0, 200),
        "api-token" => {
            let response = api
                .http
                .get(api.url("/quota"))
                .bearer_auth("binary-token")
                .send()
                .await
                .unwrap();
            assert_eq!(read_checked("GET", response).await.0, 200);
            assert_eq!(api.send("GET", "/quota", None).await.0, 403);
        }
        "api-email" => {
            let response = api
                .http
                .get(api.url("/quota"))
                .header("x-auth-email", "me@example.com")
                .header("x-auth-key", "global-key")
                .send()
                .await
                .unwrap();
            assert_eq!(read_checked("GET", response).await.0, 200);
        }
        "max-stores" => {
            api.create_store("first").await;
            api.create_store("second").await;
        }
        "max-secrets" => {
            let (_, body) = api.send("GET", "/quota", None).await;
            assert_eq!(body["result"]["secrets"]["quota"], 7);
        }
        "max-value-bytes" => {
            let store = api.create_store("s").await;
            let path = format!("/stores/{store}/secrets");
            let (status, _) = api
                .send("POST", &path, Some(json!([secret("BIG", "12345")])))
                .await;
            assert_eq!(status, 400);
        }
        "activation-delay-ms" => {
            let store = api.create_store("s").await;
            let path = format!("/stores/{store}/secrets");
            let (_, body) = api
                .send("POST", &path, Some(json!([secret("NOW", "v")])))
                .await;
            assert_eq!(body["result"][0]["status"], "active", "{body}");
        }
        "batch-mode" => {
            let store = api.create_store("s").await;
            let path = format!("/stores/{store}/secrets");
            let batch = json!([secret("GOOD", "v"), secret("BAD NAME", "v")]);
            let (status, body) = api.send("POST", &path, Some(batch)).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["result"].as_array().unwrap().len(), 1, "{body}");
        }
        "bulk-delete-body" => {
            let store = api.create_store("s").await;
            let path = format!("/stores/{store}/secrets");
            let (_, body) = api
                .send("POST", &path, Some(json!([secret("GONE", "v")])))
                .await;
            let id = body["result"][0]["id"].clone();
            let (status, body) = api.send("DELETE", &path, Some(json!({"ids": [id]}))).await;
            assert_eq!(status, 400, "{body}");
            let (status, body) = api.send("DELETE", &path, Some(json!([{"id": id}]))).await;
            assert_eq!(status, 202, "{body}");
        }
        "name-conflict-status" => {
            let store = api.create_store("s").await;
            let path = format!("/stores/{store}/secrets");
            let twice = json!([secret("TWICE", "v"), secret("TWICE", "v")]);
            let (status, body) = api.send("POST", &path, Some(twice)).await;
            assert_eq!(status, 400, "{body}");
            assert_eq!(body["errors"][0]["code"], 1003, "{body}");
        }
        "latency-ms" => {
            let started = Instant::now();
            assert_eq!(api.send("GET", "/quota", None).await.0, 200);
            assert!(started.elapsed() >= Duration::from_millis(400));
        }
        "rate-limit-next" => {
            let (status, headers, _) = api.send_full("GET", "/quota", None).await;
            assert_eq!(status, 429);
            assert_eq!(headers["retry-after"], "3");
            assert_eq!(api.send("GET", "/quota", None).await.0, 200);
        }
        "fail-next" => assert_eq!(api.quota_statuses(2).await, [503, 200]),
        "fail-every" => assert_eq!(api.quota_statuses(4).await, [200, 503, 200, 503]),
        "failure-rate" => {
            let seeded = api.quota_statuses(16).await;
            assert_eq!(seeded, in_process_failure_pattern(7, 16).await);
            assert_ne!(seeded, in_process_failure_pattern(0, 16).await);
        }
        "drop-next-writes" => {
            let dropped = api
                .request("POST", "/stores", Some(json!({"name": "s"})))
                .send()
                .await;
            assert!(dropped.is_err(), "{dropped:?}");
            let (_, body) = api.send("GET", "/stores", None).await;
            assert_eq!(body["result"].as_array().unwrap().len(), 1, "{body}");
        }
        "fault" => {
            assert_eq!(api.send("GET", "/quota", None).await.0, 503);
            assert!(api.request("GET", "/stores", None).send().await.is_err());
            assert_eq!(
                api.send("POST", "/stores", Some(json!({"name": "s"})))
                    .await
                    .0,
                200
            );
        }
        "enforce-rate-limit" => {
            assert_eq!(api.quota_statuses(2).await, [200, 200]);
            let (status, headers, _) = api.send_full("GET", "/quota", None).await;
            assert_eq!(status, 429);
            assert_eq!(headers["retry-after"], "60");
            assert_eq!(headers["ratelimit"], "\"default\";r=0;t=60");
            assert_eq!(headers["ratelimit-policy"], "\"default\";q=2;w=60");
        }
        other => panic!("no check for --{other}"),
    }
}

/// The statuses of `count` quota requests to an in-process emulator failing half its requests
/// at random from `seed`.
async fn in_process_failure_pattern(seed: u64, count: usize) -> Vec<u16> {
    let state = EmulatorState::new(EmulatorConfig::new(DEFAULT_ACCOUNT, DEFAULT_TOKEN));
    state.faults().set_failure_rate(0.5, seed);
    let running = RunningEmulator::start(state).await.unwrap();
    let api = Api::new(running.base_url(), DEFAULT_ACCOUNT);
    api.quota_statuses(count).await
}

#[tokio::test]
async fn every_option_works_as_a_flag_in_both_forms_and_from_its_environment_variable() {
    for (index, group) in OPTIONS.iter().enumerate() {
        let mut args = Vec::new();
        for setting in group.iter() {
            // Half the options as `--flag=value`, the other half as `--flag value`.
            if index % 2 == 0 {
                args.push(format!("--{}={}", setting.flag, setting.value));
            } else {
                args.extend([format!("--{}", setting.flag), setting.value.to_string()]);
            }
        }
        let env: Vec<(&str, &str)> = group.iter().map(|s| (s.env, s.value)).collect();
        let free_port = strings(&["--listen", "127.0.0.1:0"]);
        let listen_args = if group[0].flag == "listen" {
            Vec::new()
        } else {
            free_port.clone()
        };
        let account = match group[0].flag {
            "account-id" => group[0].value,
            _ => DEFAULT_ACCOUNT,
        };
        let as_flags = [listen_args.clone(), args].concat();
        for (args, env) in [(as_flags, &[][..]), (listen_args, &env[..])] {
            let (running, base) = launch(&args, env).await;
            assert_effect(group, &Api::new(base, account)).await;
            stop(running);
        }
    }
}

#[tokio::test]
async fn verbose_logs_every_request_to_stderr() {
    for verbose in ["--verbose", "-v", ""] {
        let args: Vec<String> = ["--listen", "127.0.0.1:0", verbose]
            .iter()
            .filter(|arg| !arg.is_empty())
            .map(|arg| arg.to_string())
            .collect();
        let (running, base) = launch(&args, &[]).await;
        let api = Api::new(base, DEFAULT_ACCOUNT);
        assert_eq!(api.send("GET", "/quota", None).await.0, 200);
        let stderr = stop(running);
        assert_eq!(
            stderr.contains("/secrets_store/quota"),
            !verbose.is_empty(),
            "{verbose}: {stderr}"
        );
    }
}

#[test]
fn help_lists_every_flag_and_environment_variable() {
    for help in ["--help", "-h"] {
        let output = emulator(&[]).arg(help).output().unwrap();
        assert!(output.status.success());
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("listening on http://ADDR/client/v4"),
            "{text}"
        );
        for setting in OPTIONS.iter().copied().flatten() {
            let flag = format!("--{} <", setting.flag);
            let listed = text
                .lines()
                .any(|line| line.trim_start().starts_with(&flag));
            assert!(listed, "{flag}: {text}");
            let env = format!("[env: {}", setting.env);
            assert!(text.contains(&env), "{env}: {text}");
        }
        assert!(text.contains("-v, --verbose"), "{text}");
    }
}

#[tokio::test]
async fn the_binary_serves_the_api_on_the_announced_address_until_sigterm() {
    let (running, base) = launch(&strings(&["--listen", "127.0.0.1:0"]), &[]).await;
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/client/v4"),
        "{base}"
    );
    let api = Api::new(base, DEFAULT_ACCOUNT);
    let (status, body) = api.send("GET", "/quota", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["result"],
        json!({"secrets": {"quota": 100, "usage": 0}})
    );
    let stderr = stop(running);
    assert!(
        !stderr.contains("rate limit:"),
        "no summary when not enforcing: {stderr}"
    );
}

#[tokio::test]
async fn an_enforced_budget_is_reported_over_http_and_summed_up_on_shutdown() {
    let args = ["--listen", "127.0.0.1:0", "--enforce-rate-limit", "1/60"];
    let (running, base) = launch(&strings(&args), &[]).await;
    let api = Api::new(base.clone(), DEFAULT_ACCOUNT);
    assert_eq!(api.quota_statuses(2).await, [200, 429]);
    let origin = base.strip_suffix("/client/v4").unwrap();
    let report: Value = api
        .http
        .get(format!("{origin}{RATE_LIMIT_REPORT_PATH}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        report,
        json!({"lockouts": 1, "budget_429s": 1, "lowest_remaining": 0, "requests": 2})
    );
    let stderr = stop(running);
    let summary = "rate limit: 2 requests, 1 lockouts, 1 budget 429s, lowest remaining 0";
    assert!(stderr.contains(summary), "{stderr}");
}

#[test]
fn bad_usage_exits_2_with_a_hint() {
    // Arguments, environment, what the message names.
    type Case = (
        &'static [&'static str],
        &'static [(&'static str, &'static str)],
        &'static str,
    );
    let cases: &[Case] = &[
        (&["--max-stores", "many"], &[], "--max-stores"),
        (&["--colour"], &[], "--colour"),
        (&["--listen"], &[], "--listen"),
        (&["stray"], &[], "stray"),
        (&["--api-email", "me@example.com"], &[], "--api-key"),
        (&[], &[("CLOUDFLARE_API_KEY", "key")], "--api-email"),
        (&["--failure-rate", "2"], &[], "between 0 and 1"),
        (&["--batch-mode", "some"], &[], "per-item"),
        (&["--bulk-delete-body", "none"], &[], "ids or objects"),
        (&["--name-conflict-status", "422"], &[], "409 or 400"),
        (&["--fault", "200 GET /stores"], &[], "400-599"),
        (&[], &[("CF_EMULATOR_LATENCY_MS", "soon")], "--latency-ms"),
        (&["--enforce-rate-limit", "20"], &[], "QUOTA/WINDOW"),
        (&["--enforce-rate-limit=20/15m"], &[], "WINDOW in seconds"),
        (
            &["--enforce-rate-limit", "0/15"],
            &[],
            "quota must be at least 1",
        ),
        (
            &[],
            &[("CF_EMULATOR_ENFORCE_RATE_LIMIT", "20/0")],
            "window must be at least 1 second",
        ),
    ];
    for (args, env, expected) in cases {
        let output = emulator(env).args(*args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(stderr.contains("--help"), "{args:?}: {stderr}");
    }
    let unbound = emulator(&[])
        .args(["--listen", "256.0.0.1:1"])
        .output()
        .unwrap();
    assert_eq!(unbound.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&unbound.stderr);
    assert!(stderr.contains("cannot listen on 256.0.0.1:1"), "{stderr}");
}
