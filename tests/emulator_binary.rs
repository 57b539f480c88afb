//! The `cloudflare-api-emulator` binary: starts on a free port, announces its URL on the
//! first stdout line, serves the API with the given credentials and limits, stops on SIGTERM.

mod emulator_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use emulator_support::assert_matches_spec;
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_cloudflare-api-emulator");

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_the_api_on_the_announced_address() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut child = Command::new(BINARY)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--account-id",
            "abcdefabcdefabcdefabcdefabcdefab",
            "--api-token",
            "binary-token",
            "--max-secrets",
            "1",
        ])
        .env_remove("CLOUDFLARE_API_TOKEN")
        .env_remove("CLOUDFLARE_ACCOUNT_ID")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
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
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/client/v4"),
        "{base}"
    );
    let account = format!("{base}/accounts/abcdefabcdefabcdefabcdefabcdefab/secrets_store");
    let http = reqwest::Client::new();

    let denied = http
        .get(format!("{account}/quota"))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status().as_u16(), 403);

    let quota = http
        .get(format!("{account}/quota"))
        .bearer_auth("binary-token")
        .send()
        .await
        .unwrap();
    assert_eq!(quota.status().as_u16(), 200);
    let path = quota.url().path().to_string();
    let body: Value = quota.json().await.unwrap();
    assert_matches_spec("GET", &path, 200, &body);
    assert_eq!(body["result"], json!({"secrets": {"quota": 1, "usage": 0}}));

    let mut running = running;
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
