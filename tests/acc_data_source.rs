//! Acceptance tests for the `cloudflare_secret_ref` data source: lookups by exact name in the
//! default and in an explicit store, `worker_binding`, the not-found error, and one listing
//! shared with the refreshes of the same store. Real
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
    assert!(run.text().contains("Set store_id"), "{}", run.text());
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

/// Creates a secret with a comment outside Terraform; returns its id.
fn create_commented_secret(
    emulator: &Emulator,
    store_id: &str,
    name: &str,
    comment: &str,
) -> String {
    let body = emulator.api(
        "POST",
        &format!("/stores/{store_id}/secrets"),
        Some(serde_json::json!([{
            "name": name,
            "value": "irrelevant",
            "scopes": ["workers", "ai_gateway"],
            "comment": comment,
        }])),
    );
    body["result"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("secret not created: {body}"))
        .to_string()
}

/// Checks every attribute of a `cloudflare_secret_ref` against the emulator's secret `id`.
fn assert_matches_remote(emulator: &Emulator, data: &Json, id: &str) {
    let remote = emulator
        .state
        .secrets()
        .into_iter()
        .find(|s| s.id == id)
        .expect("the secret exists");
    assert_eq!(data["id"], id, "{data}");
    assert_eq!(data["name"], remote.name.as_str());
    assert_eq!(data["store_id"], remote.store_id.as_str());
    assert_eq!(data["account_id"], ACCOUNT_ID);
    assert_eq!(data["status"], remote.status.as_str());
    assert_eq!(
        data["comment"],
        remote.comment.as_deref().unwrap_or_default()
    );
    assert_eq!(data["created"], remote.created.as_str());
    assert_eq!(data["modified"], remote.modified.as_str());
    let mut scopes: Vec<&str> = data["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .filter_map(Json::as_str)
        .collect();
    scopes.sort_unstable();
    assert_eq!(scopes, remote.scopes);
    assert_eq!(
        data["worker_binding"],
        serde_json::json!({
            "type": "secrets_store_secret",
            "store_id": remote.store_id,
            "secret_name": remote.name,
        })
    );
    assert!(data.get("value").is_none() && data.get("value_wo").is_none());
}

#[test]
fn secret_ref_matches_the_exact_name_in_the_default_store() {
    // Secrets made outside Terraform are active at once, so the status read is the status now.
    let emulator = Emulator::start_with_activation_delay(std::time::Duration::ZERO);
    let Some(tf) = Workdir::new(
        &emulator,
        "secret_ref_matches_the_exact_name_in_the_default_store",
    ) else {
        return;
    };
    let store_id = emulator.create_store("default_secrets_store");
    let wanted = create_commented_secret(&emulator, &store_id, "API_KEY", "the real one");
    // Decoys after it: the API lists newest first, so a lookup that took the API's `search`
    // result at face value (it matches substrings of names and comments) would pick one.
    create_commented_secret(&emulator, &store_id, "API_KEY_OLD", "replaced by API_KEY");
    create_commented_secret(&emulator, &store_id, "NOTES", "API_KEY");
    create_commented_secret(&emulator, &store_id, "MY_API_KEY", "");
    let searched = emulator.api(
        "GET",
        &format!("/stores/{store_id}/secrets?search=API_KEY"),
        None,
    );
    assert_eq!(
        searched["result"].as_array().map(Vec::len),
        Some(4),
        "{searched}"
    );
    assert_ne!(searched["result"][0]["id"], wanted.as_str(), "{searched}");
    tf.config(
        r#"data "cloudflare_secret_ref" "api_key" {
  name = "API_KEY"
}

output "binding" {
  value = merge(data.cloudflare_secret_ref.api_key.worker_binding, { name = "PAYMENTS" })
}"#,
    );
    emulator.state.clear_request_log();
    tf.apply();
    let data = tf.resource("data.cloudflare_secret_ref.api_key");
    assert_matches_remote(&emulator, &data, &wanted);
    assert_eq!(data["store_id"], store_id.as_str());
    assert_eq!(
        tf.outputs()["binding"]["value"],
        serde_json::json!({
            "type": "secrets_store_secret",
            "name": "PAYMENTS",
            "store_id": store_id,
            "secret_name": "API_KEY",
        })
    );
    let writes = emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    assert_eq!(writes, 0, "a data source only reads");
    tf.assert_plan_empty();

    // A name that only occurs inside other names and comments is not found.
    tf.config(
        r#"data "cloudflare_secret_ref" "partial" {
  name = "API"
}"#,
    );
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.code, 0, "{}", run.text());
    let text = run.text();
    assert!(
        text.contains("\"API\"") && text.contains(&store_id),
        "{text}"
    );
    assert!(text.contains("API_KEY"), "lists existing names: {text}");

    tf.config("");
    tf.destroy();
    assert_eq!(emulator.state.stores().len(), 1, "nothing created");
    emulator.api("DELETE", &format!("/stores/{store_id}?force=true"), None);
    emulator.assert_empty();
}

#[test]
fn secret_ref_in_an_explicit_store_never_touches_the_default_store() {
    let mut config = api_emulator::EmulatorConfig::new(ACCOUNT_ID, acc_harness::API_TOKEN);
    config.max_stores = 2;
    config.activation_delay = std::time::Duration::ZERO;
    let emulator = Emulator::start_with(config);
    let Some(tf) = Workdir::new(
        &emulator,
        "secret_ref_in_an_explicit_store_never_touches_the_default_store",
    ) else {
        return;
    };
    let default = emulator.create_store("default_secrets_store");
    let team = emulator.create_store("team");
    create_commented_secret(&emulator, &default, "SHARED", "in the default store");
    let wanted = create_commented_secret(&emulator, &team, "SHARED", "in the team store");
    tf.config(&format!(
        r#"data "cloudflare_secret_ref" "shared" {{
  store_id = "{team}"
  name     = "SHARED"
}}"#
    ));
    emulator.state.clear_request_log();
    tf.apply();
    let data = tf.resource("data.cloudflare_secret_ref.shared");
    assert_matches_remote(&emulator, &data, &wanted);
    assert_eq!(data["comment"], "in the team store");
    let touched_default = emulator
        .state
        .request_log()
        .iter()
        .any(|r| r.path.contains(&default) || r.path.ends_with("/stores"));
    assert!(
        !touched_default,
        "an explicit store_id needs no store lookup: {:?}",
        emulator.request_breakdown()
    );
    tf.assert_plan_empty();

    // Not found in the explicit store: the error names that store and what it holds.
    tf.config(&format!(
        r#"data "cloudflare_secret_ref" "shared" {{
  store_id = "{team}"
  name     = "MISSING"
}}"#
    ));
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    assert_ne!(run.code, 0);
    let text = run.text();
    assert!(text.contains(&team) && text.contains("SHARED"), "{text}");

    tf.config("");
    tf.destroy();
    assert_eq!(emulator.state.stores().len(), 2, "nothing created");
    for store in [default, team] {
        emulator.api("DELETE", &format!("/stores/{store}?force=true"), None);
    }
    emulator.assert_empty();
}

#[test]
fn secret_ref_finds_a_name_past_the_first_page() {
    let mut config = api_emulator::EmulatorConfig::new(ACCOUNT_ID, acc_harness::API_TOKEN);
    config.max_secrets = 200;
    config.activation_delay = std::time::Duration::ZERO;
    let emulator = Emulator::start_with(config);
    let Some(tf) = Workdir::new(&emulator, "secret_ref_finds_a_name_past_the_first_page") else {
        return;
    };
    let store_id = emulator.create_store("default_secrets_store");
    let wanted = create_commented_secret(&emulator, &store_id, "PAGED", "");
    // 110 newer secrets whose names contain the wanted one fill the first page of 100 (of a
    // listing or of a search).
    let decoys: Vec<Json> = (0..110)
        .map(|i| serde_json::json!({ "name": format!("PAGED_{i:03}"), "value": "x", "scopes": ["workers"] }))
        .collect();
    let created = emulator.api(
        "POST",
        &format!("/stores/{store_id}/secrets"),
        Some(Json::Array(decoys)),
    );
    assert_eq!(
        created["result"].as_array().map(Vec::len),
        Some(110),
        "{created}"
    );
    tf.config(
        r#"data "cloudflare_secret_ref" "paged" {
  name = "PAGED"
}"#,
    );
    emulator.state.clear_request_log();
    tf.apply();
    assert_eq!(
        tf.resource("data.cloudflare_secret_ref.paged")["id"],
        wanted.as_str()
    );
    let second_pages = emulator
        .state
        .request_log()
        .iter()
        .filter(|r| {
            r.path.ends_with("/secrets") && r.query.as_deref().is_some_and(|q| q.contains("page=2"))
        })
        .count();
    assert!(
        second_pages >= 1,
        "looked past the first page: {:?}",
        emulator.request_breakdown()
    );
    tf.assert_plan_empty();
    tf.config("");
    tf.destroy();
    emulator.api("DELETE", &format!("/stores/{store_id}?force=true"), None);
    emulator.assert_empty();
}

#[test]
fn secret_refs_and_secrets_of_one_store_refresh_with_one_listing() {
    let emulator = Emulator::start_with_activation_delay(std::time::Duration::ZERO);
    let Some(tf) = Workdir::new(
        &emulator,
        "secret_refs_and_secrets_of_one_store_refresh_with_one_listing",
    ) else {
        return;
    };
    let store_id = emulator.create_store("default_secrets_store");
    let ids: Vec<String> = ["PAYMENTS", "SEARCH", "MAIL"]
        .iter()
        .map(|name| create_commented_secret(&emulator, &store_id, name, "made elsewhere"))
        .collect();
    tf.config(&format!(
        r#"resource "cloudflare_store_secret" "own" {{
  store_id = "{store_id}"
  name     = "OWN"
  value    = "own-value"
}}

data "cloudflare_secret_ref" "shared" {{
  for_each = toset(["PAYMENTS", "SEARCH", "MAIL"])
  store_id = "{store_id}"
  name     = each.key
}}"#
    ));
    tf.apply();
    for (name, id) in ["PAYMENTS", "SEARCH", "MAIL"].iter().zip(&ids) {
        let data = tf.resource(&format!("data.cloudflare_secret_ref.shared[\"{name}\"]"));
        assert_matches_remote(&emulator, &data, id);
    }

    // A refreshing plan: the secret's refresh and the three lookups share one listing.
    emulator.state.clear_request_log();
    tf.assert_plan_empty();
    let log = emulator.state.request_log();
    assert!(
        log.len() == 1 && log[0].method == "GET" && log[0].path.ends_with("/secrets"),
        "one listing: {:?}",
        emulator.request_breakdown()
    );

    tf.destroy();
    emulator.api("DELETE", &format!("/stores/{store_id}?force=true"), None);
    emulator.assert_empty();
}
