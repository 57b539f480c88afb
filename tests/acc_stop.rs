//! Acceptance test for Ctrl-C: Terraform's interrupt reaches the provider as StopProvider, which
//! ends a long Cloudflare wait (a 429 with a 10-minute `Retry-After`, which holds every request of
//! the provider process) at once; the apply fails promptly with a message that says nothing was
//! created, and nothing was.

mod acc_harness;
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use acc_harness::{Emulator, Run, Workdir};

#[test]
fn ctrl_c_ends_a_long_retry_after_wait_and_creates_nothing() {
    let emulator = Emulator::start();
    let Some(mut tf) = Workdir::new(
        &emulator,
        "ctrl_c_ends_a_long_retry_after_wait_and_creates_nothing",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_store_secret" "stopped" {
  name  = "STOPPED_SECRET"
  value = "never-sent"
}"#,
    );
    // Planned first: Terraform does not stop the plan phase of `terraform apply` on Ctrl-C (it
    // sends StopProvider only once it applies), so the interrupt must come while it applies.
    let planned = tf.run(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    assert_eq!(planned.code, 0, "{}", planned.text());
    emulator.state.clear_request_log();
    // Every request is rate limited and asks the client to come back in ten minutes. The first
    // one, apply's own plan of the create reading the secrets quota, takes the 429 and gives up
    // at once (no retries: the read is advice); the create then waits out the 10 minutes that
    // hold every request of the process.
    emulator.state.faults().rate_limit_next(1_000, 600);
    tf.set_env("CLOUDFLARE_MAX_RETRIES", "0");

    let started = Instant::now();
    let terraform = tf.spawn(&["apply", "-input=false", "-no-color", "tfplan"]);
    // Interrupt once the provider is waiting out the first 429.
    let waited_for_request = Instant::now();
    while emulator.state.request_count() == 0 {
        assert!(
            waited_for_request.elapsed() < Duration::from_secs(60),
            "the provider never called the API"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let interrupted = Command::new("kill")
        .args(["-INT", &terraform.id().to_string()])
        .status()
        .expect("sending SIGINT to terraform");
    assert!(interrupted.success());
    let output = terraform.wait_with_output().expect("waiting for terraform");
    let elapsed = started.elapsed();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let text = run.text();

    // Far below the 600 s the server asked for (and the 10-minute cap): the wait was cut short.
    assert!(
        elapsed < Duration::from_secs(120),
        "apply took {elapsed:?} after Ctrl-C:\n{text}"
    );
    assert_ne!(run.code, 0, "an interrupted apply must fail:\n{text}");
    assert!(
        text.contains("Terraform asked the provider to stop"),
        "the error says why it stopped:\n{text}"
    );
    assert!(
        text.contains("The secret was not created"),
        "the error says what state things are in:\n{text}"
    );
    assert!(
        emulator.state.secrets().is_empty() && emulator.state.stores().is_empty(),
        "nothing may be created"
    );
    let requests = emulator.state.request_log();
    assert!(
        requests.iter().all(|r| r.status == 429),
        "every request was answered 429: {requests:?}"
    );
    assert!(
        !text.contains("never-sent"),
        "the value never reaches output"
    );
}
