//! Acceptance tests for the `cloudflare_secret_ref` data source: lookups by exact name in the
//! default and in an explicit store, `worker_binding`, and the not-found error. Real
//! `terraform` with the built provider binary against the in-process emulator; each test ends
//! with an empty emulator.

mod acc_harness;
mod support;

use acc_harness::{ACCOUNT_ID, Emulator, Workdir};
use serde_json::Value as Json;

const STORE: &str = "cloudflare_secrets_store.store";

#[test]
fn secrets_and_the_secret_ref_data_source_end_to_end() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "secrets_and_the_secret_ref_data_source_end_to_end",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {}

resource "cloudflare_store_secret" "write_only" {
  store_id         = cloudflare_secrets_store.store.id
  name             = "API_KEY"
  value_wo         = "wo-value-never-in-state"
  value_wo_version = 1
  comment          = "payment provider"
}

resource "cloudflare_store_secret" "in_state" {
  store_id = cloudflare_secrets_store.store.id
  name     = "DB_PASSWORD"
  value    = "state-value"
  scopes   = ["workers", "ai_gateway"]
}

data "cloudflare_secret_ref" "api_key" {
  store_id = cloudflare_store_secret.write_only.store_id
  name     = cloudflare_store_secret.write_only.name
}

output "binding" {
  value = merge(data.cloudflare_secret_ref.api_key.worker_binding, { name = "API_KEY" })
}"#,
    );
    tf.apply();
    let store_id = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    let wo = tf.resource("cloudflare_store_secret.write_only");
    assert_eq!(wo["status"], "active");
    assert_eq!(wo["store_id"], store_id.as_str());
    assert!(wo["value_wo"].is_null());
    assert!(wo["value"].is_null());
    assert_eq!(wo["scopes"], serde_json::json!(["workers"]));
    let wo_id = wo["id"].as_str().unwrap();
    assert_eq!(
        emulator.state.secret_value_for_test(wo_id).as_deref(),
        Some("wo-value-never-in-state")
    );
    assert!(!tf.raw_state().contains("wo-value-never-in-state"));

    let in_state = tf.resource("cloudflare_store_secret.in_state");
    assert_eq!(in_state["status"], "active");
    let mut scopes: Vec<&str> = in_state["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Json::as_str)
        .collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["ai_gateway", "workers"]);

    let data = tf.resource("data.cloudflare_secret_ref.api_key");
    assert_eq!(data["id"], wo_id);
    assert_eq!(data["comment"], "payment provider");
    assert_eq!(data["status"], "active");
    let binding = &tf.outputs()["binding"]["value"];
    assert_eq!(
        binding,
        &serde_json::json!({
            "type": "secrets_store_secret",
            "name": "API_KEY",
            "store_id": store_id,
            "secret_name": "API_KEY",
        })
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn secret_ref_not_found_lists_names_and_never_creates_a_store() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "secret_ref_not_found_lists_names_and_never_creates_a_store",
    ) else {
        return;
    };
    tf.config(
        r#"data "cloudflare_secret_ref" "missing" {
  name = "NOPE"
}"#,
    );
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.code, 0);
    assert!(
        run.text().contains("default_secrets_store"),
        "{}",
        run.text()
    );
    assert!(
        emulator.state.stores().is_empty(),
        "data source must not create a store"
    );

    let store_id = emulator.create_store("default_secrets_store");
    emulator.create_secret(&store_id, "ALPHA", "a");
    emulator.create_secret(&store_id, "BETA", "b");
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.code, 0);
    let text = run.text();
    assert!(
        text.contains("\"NOPE\"") && text.contains(&store_id),
        "{text}"
    );
    assert!(text.contains("ALPHA, BETA"), "{text}");

    tf.config(
        r#"data "cloudflare_secret_ref" "found" {
  name = "BETA"
}"#,
    );
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(run.code, 0, "{}", run.text());
    emulator.api("DELETE", &format!("/stores/{store_id}?force=true"), None);
    emulator.assert_empty();
}
