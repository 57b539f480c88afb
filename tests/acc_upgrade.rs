//! State written by earlier commits of main plans "No changes" with this provider: each state in
//! `tests/fixtures/state` (see its README) is filled with the ids of objects made in the
//! emulator, and `terraform plan` must find nothing to do.

mod acc_harness;
mod support;

use std::path::Path;

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, Workdir};
use api_emulator::EmulatorConfig;

/// The configuration the earlier providers applied.
const CONFIGURATION: &str = r#"resource "cloudflare_secrets_store" "main" {}

resource "cloudflare_store_secret" "write_only" {
  store_id         = cloudflare_secrets_store.main.id
  name             = "WRITE_ONLY"
  value_wo         = "write-only-value"
  value_wo_version = 1
  comment          = "kept out of state"
}

resource "cloudflare_store_secret" "classic" {
  store_id = cloudflare_secrets_store.main.id
  name     = "CLASSIC"
  value    = "classic-value"
  scopes   = ["workers", "ai_gateway"]
}

data "cloudflare_secret_ref" "classic" {
  store_id = cloudflare_secrets_store.main.id
  name     = cloudflare_store_secret.classic.name
}"#;

/// The objects of the configuration, made in `emulator` as the earlier providers made them;
/// the placeholders of a state file and what they stand for.
fn objects(emulator: &Emulator) -> Vec<(String, String)> {
    let store_id = emulator.create_store("default_secrets_store");
    let secrets = [
        (
            "WRITE_ONLY",
            "write-only-value",
            vec!["workers"],
            Some("kept out of state"),
        ),
        (
            "CLASSIC",
            "classic-value",
            vec!["workers", "ai_gateway"],
            None,
        ),
    ];
    for (name, value, scopes, comment) in secrets {
        let mut body = serde_json::json!({ "name": name, "value": value, "scopes": scopes });
        if let Some(comment) = comment {
            body["comment"] = comment.into();
        }
        let answer = emulator.api(
            "POST",
            &format!("/stores/{store_id}/secrets"),
            Some(serde_json::json!([body])),
        );
        assert_eq!(answer["success"], true, "{answer}");
    }
    let store = emulator.state.stores().remove(0);
    let mut placeholders = vec![
        ("{{ACCOUNT_ID}}".to_string(), ACCOUNT_ID.to_string()),
        ("{{STORE_ID}}".to_string(), store.id),
        ("{{STORE_CREATED}}".to_string(), store.created),
    ];
    for secret in emulator.state.secrets() {
        // The earlier states hold a `modified` equal to `created`: a secret never changed.
        assert_eq!(secret.created, secret.modified, "{}", secret.name);
        placeholders.push((format!("{{{{{}_ID}}}}", secret.name), secret.id));
        placeholders.push((format!("{{{{{}_CREATED}}}}", secret.name), secret.created));
    }
    placeholders
}

#[test]
fn state_written_by_earlier_commits_plans_no_changes() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state");
    let mut states: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("tests/fixtures/state")
        .map(|entry| entry.expect("a fixture").path())
        .filter(|path| path.extension().is_some_and(|e| e == "tfstate"))
        .collect();
    states.sort();
    assert!(states.len() >= 3, "{states:?}");
    for state in states {
        let commit = state.file_stem().unwrap().to_string_lossy().into_owned();
        let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
        config.activation_delay = std::time::Duration::ZERO;
        let emulator = Emulator::start_with(config);
        let Some(tf) = Workdir::new(
            &emulator,
            "state_written_by_earlier_commits_plans_no_changes",
        ) else {
            return;
        };
        let mut text = std::fs::read_to_string(&state).expect("a state fixture");
        for (placeholder, value) in objects(&emulator) {
            text = text.replace(&placeholder, &value);
        }
        assert!(
            !text.contains("{{"),
            "{commit}: a placeholder is left: {text}"
        );
        tf.write_file("terraform.tfstate", &text);
        tf.config(CONFIGURATION);
        emulator.state.clear_request_log();
        let run = tf.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert_eq!(
            run.code,
            0,
            "state written at {commit} must plan no changes:\n{}",
            run.text()
        );
        assert!(
            run.text().contains("No changes."),
            "{commit}: {}",
            run.text()
        );
        // A real refresh happened: the state was read against the API, not skipped.
        assert!(!emulator.state.request_log().is_empty(), "{commit}");
        tf.destroy();
        emulator.assert_empty();
        println!("state written at {commit}: no changes");
    }
}
