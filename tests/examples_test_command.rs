//! `terraform test` against the API emulator, as docs/guides/testing-modules-with-the-emulator.md
//! shows it: the `cloudflare-api-emulator` binary started with its defaults on a free port, then
//! `terraform test -var=emulator_base_url=…` in `examples/module-test`. Every run block passes,
//! the runs really reached that emulator, and the teardown leaves it empty.

mod examples_support;
mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use cloudflare_api::{Client, ClientConfig, Credentials};
use examples_support::{repo, workspace_with_example};
use secrecy::SecretString;
use support::terraform_or_skip;

/// The emulator's default account and token (`cloudflare-api-emulator --help`), which the
/// guide passes explicitly and the example's test file configures the provider with.
const DEFAULT_ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const DEFAULT_API_TOKEN: &str = "local-emulator-token";

/// The emulator binary, run as a user runs it; killed when dropped.
struct EmulatorProcess(Child);

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the emulator as the guide does (`--listen 127.0.0.1:0` and the default account and
/// token written out), plus `--verbose`, with no Cloudflare settings from this environment and
/// its request log going to `log`; returns it with the address it printed on its first line.
fn start_emulator(log: &Path) -> (EmulatorProcess, String) {
    let mut command = Command::new(support::emulator_binary());
    command
        .args(["--listen", "127.0.0.1:0", "--verbose"])
        .args(["--account-id", DEFAULT_ACCOUNT_ID])
        .args(["--api-token", DEFAULT_API_TOKEN])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).expect("the emulator's log file"));
    for name in [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_API_KEY",
        "CLOUDFLARE_EMAIL",
    ] {
        command.env_remove(name);
    }
    let mut child = command.spawn().expect("cloudflare-api-emulator starts");
    let stdout = child.stdout.take().unwrap();
    let running = EmulatorProcess(child);
    let mut first_line = String::new();
    BufReader::new(stdout)
        .read_line(&mut first_line)
        .expect("the emulator's first line");
    let base_url = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_string();
    (running, base_url)
}

/// The `run "NAME"` blocks of every test file of the example, in order.
fn run_blocks(example: &Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(example.join("tests"))
        .expect("the example's tests directory")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(".tftest.hcl"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|file| {
            std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .filter_map(|line| line.strip_prefix("run \""))
                .filter_map(|rest| rest.split('"').next().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_module_test_example_passes_terraform_test_against_the_emulator_and_leaves_it_empty() {
    let test =
        "the_module_test_example_passes_terraform_test_against_the_emulator_and_leaves_it_empty";
    let Some(terraform) = terraform_or_skip(test) else {
        return;
    };
    let example = repo().join("examples/module-test");
    let runs = run_blocks(&example);
    assert!(runs.len() >= 4, "{runs:?}");

    let scratch = tempfile::tempdir().unwrap();
    let log = scratch.path().join("emulator.log");
    let (_emulator, base_url) = start_emulator(&log);
    assert!(
        base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/client/v4"),
        "{base_url}"
    );

    let workspace = workspace_with_example(&terraform, &example);
    // Installs the test files' helper module (providers come from dev_overrides).
    workspace.run_ok(&["get", "-no-color"]);
    let var = format!("emulator_base_url={base_url}");
    let output = workspace.run(&["test", "-no-color", "-var", &var]);
    let text = output.combined();
    assert!(output.success(), "terraform test failed:\n{text}");
    for run in &runs {
        assert!(
            text.contains(&format!("run \"{run}\"... pass")),
            "run {run} did not pass:\n{text}"
        );
    }
    assert!(
        text.contains(&format!("Success! {} passed, 0 failed.", runs.len())),
        "{text}"
    );

    // The runs created secrets at this emulator, and the teardown deleted them.
    let requests = std::fs::read_to_string(&log).unwrap();
    let logged = |method: &str, path_end: &str| {
        requests
            .lines()
            .filter(|line| line.contains(&format!("method={method} ")))
            .filter(|line| {
                line.split(" path=")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .is_some_and(|path| path.ends_with(path_end))
            })
            .count()
    };
    assert!(
        logged("POST", "/secrets") >= 1,
        "no secret created:\n{requests}"
    );
    assert!(
        logged("POST", "/stores") >= 1,
        "no store created:\n{requests}"
    );
    assert!(logged("DELETE", "") >= 1, "nothing deleted:\n{requests}");

    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = Client::new(ClientConfig::new(
        base_url.clone(),
        Credentials::ApiToken(SecretString::from(DEFAULT_API_TOKEN.to_string())),
    ))
    .expect("API client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (stores, quota) = runtime.block_on(async {
        let stores = client.list_stores(DEFAULT_ACCOUNT_ID).await.unwrap();
        let quota = client.quota(DEFAULT_ACCOUNT_ID).await.unwrap();
        (stores, quota)
    });
    assert_eq!(stores, vec![], "stores left after the teardown");
    assert_eq!(quota.usage, 0, "secrets left after the teardown: {quota:?}");
}
