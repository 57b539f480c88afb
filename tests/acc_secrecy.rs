//! Acceptance test that secrets never leak: apply, plan and an update with Terraform and the
//! provider logging at trace level; neither the API token nor any secret value may appear in
//! terraform's output, the log file or the plan JSON, nor a write-only value in the state.

mod acc_harness;
mod support;

use acc_harness::{API_TOKEN, Emulator, Workdir};

/// Values distinctive enough that finding one anywhere cannot be a coincidence.
const VALUE_1: &str = "state-value-6f0d41c2";
const VALUE_2: &str = "state-value-b7e390aa";
const WO_VALUE_1: &str = "wo-value-c4a8e15b";
const WO_VALUE_2: &str = "wo-value-1d9f27e3";

fn config(value: &str, version: u32) -> String {
    format!(
        r#"variable "wo_value" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "in_state" {{
  store_id = cloudflare_secrets_store.store.id
  name     = "IN_STATE"
  value    = "{value}"
  comment  = "kept in state"
}}

resource "cloudflare_store_secret" "write_only" {{
  store_id         = cloudflare_secrets_store.store.id
  name             = "WRITE_ONLY"
  value_wo         = var.wo_value
  value_wo_version = {version}
}}

data "cloudflare_secret_ref" "write_only" {{
  store_id = cloudflare_store_secret.write_only.store_id
  name     = cloudflare_store_secret.write_only.name
}}"#
    )
}

/// Panics naming `place` if any of `needles` occurs in `haystack`.
fn assert_absent(place: &str, haystack: &str, needles: &[&str]) {
    for needle in needles {
        assert!(!haystack.contains(needle), "{needle:?} leaked into {place}");
    }
}

#[test]
fn no_token_or_secret_value_in_output_trace_logs_plan_or_write_only_state() {
    let emulator = Emulator::start();
    let Some(mut tf) = Workdir::new(
        &emulator,
        "no_token_or_secret_value_in_output_trace_logs_plan_or_write_only_state",
    ) else {
        return;
    };
    let log_path = tf.path().join("terraform-trace.log");
    let log_file = log_path.to_string_lossy().into_owned();
    let trace = [
        ("TF_LOG", "trace"),
        ("TF_LOG_PROVIDER", "trace"),
        ("TF_LOG_PATH", log_file.as_str()),
    ];
    let everything = [API_TOKEN, VALUE_1, VALUE_2, WO_VALUE_1, WO_VALUE_2];
    let mut outputs = String::new();
    let mut plans = String::new();

    // Create both secrets, then change both values (the PATCH path); each step is plan -out,
    // show -json, apply of the saved plan, and a plan that must be empty.
    let steps = [(VALUE_1, WO_VALUE_1, 1), (VALUE_2, WO_VALUE_2, 2)];
    for (value, wo_value, version) in steps {
        tf.set_env("TF_VAR_wo_value", wo_value);
        tf.config(&config(value, version));
        let plan = tf.run_with_env(
            &["plan", "-out=tfplan", "-input=false", "-no-color"],
            &trace,
        );
        assert_eq!(plan.code, 0, "plan: {}", plan.text());
        let shown = tf.run_with_env(&["show", "-json", "tfplan"], &trace);
        assert_eq!(shown.code, 0, "show: {}", shown.stderr);
        plans.push_str(&shown.stdout);
        let apply = tf.run_with_env(&["apply", "-input=false", "-no-color", "tfplan"], &trace);
        assert_eq!(apply.code, 0, "apply: {}", apply.text());
        let again = tf.run_with_env(
            &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
            &trace,
        );
        assert_eq!(again.code, 0, "second plan must be empty: {}", again.text());
        for run in [plan, apply, again] {
            outputs.push_str(&run.stdout);
            outputs.push_str(&run.stderr);
        }
        outputs.push_str(&shown.stderr);
        let secrets = emulator.state.secrets();
        let stored = |name: &str| {
            let id = &secrets.iter().find(|s| s.name == name).expect(name).id;
            emulator.state.secret_value_for_test(id)
        };
        assert_eq!(stored("IN_STATE").as_deref(), Some(value));
        assert_eq!(stored("WRITE_ONLY").as_deref(), Some(wo_value));
        let state = tf.raw_state();
        assert!(state.contains(value), "value is kept in state by design");
        assert_absent(
            "the state file",
            &state,
            &[API_TOKEN, WO_VALUE_1, WO_VALUE_2],
        );
    }

    let log = std::fs::read_to_string(&log_path).expect("the trace log was written");
    // The log really is a trace log of both Terraform and the provider.
    assert!(log.contains("[TRACE]"), "no trace lines in {log_file}");
    assert!(
        log.contains("provider.terraform-provider-cloudflare: Cloudflare API request"),
        "the provider's request logs are in {log_file}"
    );
    assert_absent("the trace log", &log, &everything);
    assert_absent("terraform's stdout/stderr", &outputs, &everything);
    // Terraform's JSON plan format carries sensitive values in clear text (marked in
    // `after_sensitive`); only write-only values are absent. So `value` is expected there, and
    // the token and `value_wo` must not be.
    assert!(
        plans.contains(VALUE_1),
        "Terraform changed its JSON plan; tighten this test"
    );
    assert_absent(
        "the plan JSON",
        &plans,
        &[API_TOKEN, WO_VALUE_1, WO_VALUE_2],
    );

    tf.destroy();
    emulator.assert_empty();
}
