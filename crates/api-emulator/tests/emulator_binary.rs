//! The `cloudflare-api-emulator` binary: starts on a free port, announces its URL on the
//! first stdout line, serves the API with the given credentials and limits, stops on SIGTERM.

mod emulator_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use emulator_support::read_checked;
use serde_json::json;

const BINARY: &str = env!("CARGO_BIN_EXE_cloudflare-api-emulator");

/// The spawned emulator; killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with `args` and `env` (no inherited Cloudflare settings); returns it
/// with the base URL announced on its first stdout line.
async fn launch(args: &[&str], env: &[(&str, &str)]) -> (Running, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for name in [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_ACCOUNT_ID",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_KEY",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("the emulator binary starts");
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

#[tokio::test]
async fn the_binary_serves_the_api_on_the_announced_address() {
    let account_id = "abcdefabcdefabcdefabcdefabcdefab";
    let (mut running, base) = launch(
        &[
            "--listen",
            "127.0.0.1:0",
            "--account-id",
            account_id,
            "--api-token",
            "binary-token",
            "--max-secrets",
            "1",
        ],
        &[],
    )
    .await;
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/client/v4"),
        "{base}"
    );
    let quota_url = format!("{base}/accounts/{account_id}/secrets_store/quota");
    let http = reqwest::Client::new();

    let denied = http
        .get(&quota_url)
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    let (status, _, body) = read_checked("GET", denied).await;
    assert_eq!(status, 403);
    assert_eq!(body["errors"][0]["code"], 10000);

    let quota = http
        .get(&quota_url)
        .bearer_auth("binary-token")
        .send()
        .await
        .unwrap();
    let (status, _, body) = read_checked("GET", quota).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"], json!({"secrets": {"quota": 1, "usage": 0}}));

    let pid = running.0.id().to_string();
    let terminated = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(terminated.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let Some(status) = running.0.try_wait().unwrap() {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the emulator exits on SIGTERM");
    assert!(exit.success(), "{exit:?}");
}

#[tokio::test]
async fn credentials_and_faults_can_come_from_the_environment() {
    let account_id = "11111111111111111111111111111111";
    let (_running, base) = launch(
        &["--listen", "127.0.0.1:0"],
        &[
            ("CLOUDFLARE_API_TOKEN", "env-token"),
            ("CLOUDFLARE_ACCOUNT_ID", account_id),
            ("CF_EMULATOR_RATE_LIMIT_NEXT", "1"),
            ("CF_EMULATOR_RETRY_AFTER", "3"),
        ],
    )
    .await;
    let quota_url = format!("{base}/accounts/{account_id}/secrets_store/quota");
    let http = reqwest::Client::new();
    let limited = http
        .get(&quota_url)
        .bearer_auth("env-token")
        .send()
        .await
        .unwrap();
    let (status, headers, _) = read_checked("GET", limited).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "3");
    let allowed = http
        .get(&quota_url)
        .bearer_auth("env-token")
        .send()
        .await
        .unwrap();
    assert_eq!(read_checked("GET", allowed).await.0, 200);
}

#[test]
fn bad_options_are_refused_with_a_hint() {
    let output = Command::new(BINARY)
        .args(["--max-stores", "many"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--max-stores must be a number"), "{stderr}");
    let unknown = Command::new(BINARY).arg("--colour").output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    let help = Command::new(BINARY).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--drop-next-writes"));
}
