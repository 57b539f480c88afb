//! Acceptance tests for `cloudflare_secrets_store` (and a smoke test of a secret plus the
//! `cloudflare_secret_ref` data source): real `terraform` with the built provider binary
//! against the in-process emulator. Each test ends with destroy and an empty emulator.

mod acc_harness;
mod support;

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, Workdir};
use serde_json::Value as Json;
use terraform_provider_cloudflare::emulator::EmulatorConfig;

const STORE: &str = "cloudflare_secrets_store.store";

fn is_hex_id(v: &Json) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 32 && s.chars().all(|c| c.is_ascii_hexdigit()))
}

#[test]
fn store_with_the_default_name() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(&emulator, "store_with_the_default_name") else {
        return;
    };
    tf.config(r#"resource "cloudflare_secrets_store" "store" {}"#);
    tf.apply();
    let store = tf.resource(STORE);
    assert_eq!(store["name"], "default_secrets_store");
    assert_eq!(store["account_id"], ACCOUNT_ID);
    assert_eq!(store["adopt"], false);
    assert_eq!(store["force_destroy"], false);
    assert!(is_hex_id(&store["id"]), "{store}");
    assert!(store["created"].as_str().is_some_and(|c| c.ends_with('Z')));
    assert_eq!(emulator.state.stores().len(), 1);
    assert_eq!(emulator.state.stores()[0].id, store["id"].as_str().unwrap());
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn store_with_a_custom_name_imports_by_id_and_by_name() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "store_with_a_custom_name_imports_by_id_and_by_name",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  name = "production"
}"#,
    );
    tf.apply();
    let applied = tf.resource(STORE);
    assert_eq!(applied["name"], "production");
    tf.assert_plan_empty();
    let id = applied["id"].as_str().unwrap().to_string();

    tf.import_and_compare(STORE, &format!("{ACCOUNT_ID}/{id}"), &applied);
    tf.assert_plan_empty();
    tf.import_and_compare(STORE, &id, &applied);
    tf.assert_plan_empty();
    tf.import_and_compare(STORE, &format!("{ACCOUNT_ID}/production"), &applied);
    tf.assert_plan_empty();

    // Malformed and unknown ids get diagnostics that say what is accepted / what exists.
    tf.state_rm(STORE);
    let bad = tf.run(&["import", "-input=false", "-no-color", STORE, "a/b/c"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.text().contains("<account_id>/<store_id>"),
        "{}",
        bad.text()
    );
    let missing = tf.run(&[
        "import",
        "-input=false",
        "-no-color",
        STORE,
        &format!("{ACCOUNT_ID}/staging"),
    ]);
    assert_ne!(missing.code, 0);
    assert!(
        missing.text().contains("\"production\""),
        "{}",
        missing.text()
    );
    let back = tf.run(&["import", "-input=false", "-no-color", STORE, &id]);
    assert_eq!(back.code, 0, "{}", back.text());

    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn a_second_store_explains_the_limit_and_adopt_takes_the_existing_one() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_second_store_explains_the_limit_and_adopt_takes_the_existing_one",
    ) else {
        return;
    };
    let existing = emulator.create_store("team-store");
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  name = "another"
}"#,
    );
    let failure = tf.apply_fails();
    assert!(failure.contains("maximum_stores_exceeded"), "{failure}");
    assert!(failure.contains("\"team-store\""), "{failure}");
    assert!(failure.contains("adopt = true"), "{failure}");
    assert!(
        failure.contains(&format!(
            "terraform import cloudflare_secrets_store.<resource name> {ACCOUNT_ID}/{existing}"
        )),
        "{failure}"
    );
    assert_eq!(emulator.state.stores().len(), 1);

    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  name  = "team-store"
  adopt = true
}"#,
    );
    tf.apply();
    let adopted = tf.resource(STORE);
    assert_eq!(adopted["id"], existing.as_str());
    assert_eq!(adopted["adopt"], true);
    tf.assert_plan_empty();

    // Without adopt, an existing store of the same name is an error with both fixes.
    tf.state_rm(STORE);
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  name = "team-store"
}"#,
    );
    let failure = tf.apply_fails();
    assert!(
        failure.contains("already has a store named \"team-store\""),
        "{failure}"
    );
    assert!(failure.contains("adopt = true"), "{failure}");
    let back = tf.run(&["import", "-input=false", "-no-color", STORE, &existing]);
    assert_eq!(back.code, 0, "{}", back.text());

    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn destroying_a_non_empty_store_needs_force_destroy() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "destroying_a_non_empty_store_needs_force_destroy",
    ) else {
        return;
    };
    tf.config(r#"resource "cloudflare_secrets_store" "store" {}"#);
    tf.apply();
    let store_id = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    emulator.create_secret(&store_id, "OUTSIDE_1", "v1");
    emulator.create_secret(&store_id, "OUTSIDE_2", "v2");

    let failure = tf.destroy_fails();
    assert!(failure.contains("holds 2 secret(s)"), "{failure}");
    assert!(failure.contains("force_destroy = true"), "{failure}");
    assert_eq!(emulator.state.stores().len(), 1);

    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  force_destroy = true
}"#,
    );
    tf.apply();
    assert_eq!(tf.resource(STORE)["force_destroy"], true);
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn a_store_deleted_outside_terraform_is_planned_for_re_creation() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_store_deleted_outside_terraform_is_planned_for_re_creation",
    ) else {
        return;
    };
    tf.config(r#"resource "cloudflare_secrets_store" "store" {}"#);
    tf.apply();
    let first = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    emulator.api("DELETE", &format!("/stores/{first}"), None);
    assert!(emulator.state.stores().is_empty());

    let actions = tf.planned_actions();
    assert_eq!(
        actions,
        vec![(STORE.to_string(), vec!["create".to_string()])]
    );
    tf.apply();
    let second = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    assert_ne!(first, second);
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

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

// ----- cloudflare_store_secret -----

const SECRET: &str = "cloudflare_store_secret.secret";

fn secret_value(emulator: &Emulator, tf: &Workdir, address: &str) -> Option<String> {
    let id = tf.resource(address)["id"].as_str().unwrap().to_string();
    emulator.state.secret_value_for_test(&id)
}

fn posts_to_stores(emulator: &Emulator) -> usize {
    emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/secrets_store/stores"))
        .count()
}

#[test]
fn ten_parallel_secrets_without_store_id_create_one_default_store() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "ten_parallel_secrets_without_store_id_create_one_default_store",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_store_secret" "many" {
  count    = 10
  name     = "SECRET_${count.index}"
  value_wo = "value-${count.index}"
}"#,
    );
    let plan = tf.plan_json();
    let changes = plan["resource_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 10);
    for change in changes {
        assert_eq!(
            change["change"]["after_unknown"]["store_id"], true,
            "{change}"
        );
        assert_eq!(change["change"]["after"]["account_id"], ACCOUNT_ID);
    }
    assert!(
        emulator.state.stores().is_empty(),
        "plan must not create the store"
    );
    tf.apply();
    let stores = emulator.state.stores();
    assert_eq!(stores.len(), 1, "exactly one default store");
    assert_eq!(stores[0].name, "default_secrets_store");
    assert_eq!(posts_to_stores(&emulator), 1);
    let secrets = emulator.state.secrets();
    assert_eq!(secrets.len(), 10);
    assert!(secrets.iter().all(|s| s.store_id == stores[0].id));
    assert!(secrets.iter().all(|s| s.status == "active"));
    tf.assert_plan_empty();

    // API economy: refreshing ten secrets of one store costs one listing, not ten GETs.
    emulator.state.clear_request_log();
    tf.assert_plan_empty();
    let requests = emulator.state.request_log();
    let listings = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/secrets"))
        .count();
    let single_gets = requests
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/secrets/"))
        .count();
    assert_eq!((listings, single_gets), (1, 0), "{requests:?}");

    tf.destroy();
    // The implicitly created default store is not managed by Terraform and stays.
    assert!(emulator.state.secrets().is_empty());
    emulator.api("DELETE", &format!("/stores/{}", stores[0].id), None);
    emulator.assert_empty();
}

#[test]
fn a_secret_uses_an_existing_default_store_and_errors_when_another_store_exists() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_secret_uses_an_existing_default_store_and_errors_when_another_store_exists",
    ) else {
        return;
    };
    let other = emulator.create_store("not-the-default");
    tf.config(
        r#"resource "cloudflare_store_secret" "secret" {
  name  = "API_KEY"
  value = "v"
}"#,
    );
    let failure = tf.apply_fails();
    assert!(failure.contains("\"not-the-default\""), "{failure}");
    assert!(
        failure.contains(&format!("store_id = \"{other}\"")),
        "{failure}"
    );
    emulator.api("DELETE", &format!("/stores/{other}"), None);

    let default = emulator.create_store("default_secrets_store");
    emulator.state.clear_request_log();
    tf.apply();
    assert_eq!(tf.resource(SECRET)["store_id"], default.as_str());
    assert_eq!(
        posts_to_stores(&emulator),
        0,
        "the existing default store is used"
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.api("DELETE", &format!("/stores/{default}"), None);
    emulator.assert_empty();
}

#[test]
fn a_secret_updates_in_place_and_plans_back_outside_changes() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_secret_updates_in_place_and_plans_back_outside_changes",
    ) else {
        return;
    };
    let config = |value: &str, comment: &str, scopes: &str, name: &str| {
        format!(
            r#"resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "secret" {{
  store_id = cloudflare_secrets_store.store.id
  name     = "{name}"
  value    = "{value}"
  comment  = "{comment}"
  scopes   = {scopes}
}}"#
        )
    };
    tf.config(&config("one", "first", r#"["workers"]"#, "API_KEY"));
    tf.apply();
    assert_eq!(secret_value(&emulator, &tf, SECRET).as_deref(), Some("one"));
    let id = tf.resource(SECRET)["id"].as_str().unwrap().to_string();
    let store_id = tf.resource(SECRET)["store_id"]
        .as_str()
        .unwrap()
        .to_string();
    tf.assert_plan_empty();

    // Comment, scopes (in another order) and value change in place.
    tf.config(&config(
        "two",
        "second",
        r#"["ai_gateway", "workers"]"#,
        "API_KEY",
    ));
    let actions = tf.planned_actions();
    assert!(
        actions.contains(&(SECRET.to_string(), vec!["update".to_string()])),
        "{actions:?}"
    );
    tf.apply();
    let secret = tf.resource(SECRET);
    assert_eq!(secret["id"], id.as_str());
    assert_eq!(secret["comment"], "second");
    assert_eq!(secret_value(&emulator, &tf, SECRET).as_deref(), Some("two"));
    tf.config(&config(
        "two",
        "second",
        r#"["workers", "ai_gateway"]"#,
        "API_KEY",
    ));
    tf.assert_plan_empty();

    // A comment edited outside Terraform is planned back.
    let path = format!("/stores/{store_id}/secrets/{id}");
    emulator.api(
        "PATCH",
        &path,
        Some(serde_json::json!({ "comment": "edited" })),
    );
    let actions = tf.planned_actions();
    assert!(
        actions.contains(&(SECRET.to_string(), vec!["update".to_string()])),
        "{actions:?}"
    );
    tf.apply();
    let remote = emulator
        .state
        .secrets()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap();
    assert_eq!(remote.comment.as_deref(), Some("second"));
    tf.assert_plan_empty();

    // A value replaced outside Terraform (only `modified` moves) is re-sent.
    emulator.api(
        "PATCH",
        &path,
        Some(serde_json::json!({ "value": "tampered" })),
    );
    let plan = tf.plan_text(true);
    assert!(plan.contains("changed outside Terraform"), "{plan}");
    tf.apply();
    assert_eq!(secret_value(&emulator, &tf, SECRET).as_deref(), Some("two"));
    tf.assert_plan_empty();

    // Renaming replaces.
    tf.config(&config("two", "second", r#"["workers"]"#, "RENAMED"));
    let actions = tf.planned_actions();
    let replace = actions.iter().find(|(a, _)| a == SECRET).unwrap();
    assert!(
        replace.1.contains(&"delete".to_string()) && replace.1.contains(&"create".to_string()),
        "{actions:?}"
    );
    tf.apply();
    assert_ne!(tf.resource(SECRET)["id"], id.as_str());
    tf.assert_plan_empty();

    // Deleted outside Terraform: planned for re-creation.
    let id = tf.resource(SECRET)["id"].as_str().unwrap().to_string();
    emulator.api("DELETE", &format!("/stores/{store_id}/secrets/{id}"), None);
    let actions = tf.planned_actions();
    assert!(
        actions.contains(&(SECRET.to_string(), vec!["create".to_string()])),
        "{actions:?}"
    );
    tf.apply();
    tf.assert_plan_empty();

    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn write_only_values_change_with_their_version_and_drift_warns() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "write_only_values_change_with_their_version_and_drift_warns",
    ) else {
        return;
    };
    let config = |value: &str, version: u32| {
        format!(
            r#"resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "secret" {{
  store_id         = cloudflare_secrets_store.store.id
  name             = "TOKEN"
  value_wo         = "{value}"
  value_wo_version = {version}
}}"#
        )
    };
    tf.config(&config("first-wo", 1));
    tf.apply();
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("first-wo")
    );
    assert!(!tf.raw_state().contains("first-wo"));
    tf.assert_plan_empty();

    // A new write-only value alone is invisible; bumping the version sends it.
    tf.config(&config("second-wo", 1));
    tf.assert_plan_empty();
    tf.config(&config("second-wo", 2));
    let actions = tf.planned_actions();
    assert!(
        actions.contains(&(SECRET.to_string(), vec!["update".to_string()])),
        "{actions:?}"
    );
    tf.apply();
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("second-wo")
    );
    assert!(!tf.raw_state().contains("second-wo"));
    tf.assert_plan_empty();

    // Replaced outside Terraform: a warning (that persists) says to bump the version.
    let secret = tf.resource(SECRET);
    let path = format!(
        "/stores/{}/secrets/{}",
        secret["store_id"].as_str().unwrap(),
        secret["id"].as_str().unwrap()
    );
    emulator.api(
        "PATCH",
        &path,
        Some(serde_json::json!({ "value": "tampered" })),
    );
    let plan = tf.plan_text(false);
    assert!(plan.contains("value_wo_version"), "{plan}");
    tf.apply();
    let plan = tf.plan_text(false);
    assert!(
        plan.contains("value_wo_version"),
        "the warning persists: {plan}"
    );
    tf.config(&config("second-wo", 3));
    tf.apply();
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("second-wo")
    );
    let plan = tf.plan_text(false);
    assert!(
        !plan.contains("Warning: Secret"),
        "warning gone after re-push: {plan}"
    );

    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn secrets_import_by_every_id_form() {
    // Secrets made outside Terraform are active at once, so every import sees the same status.
    let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
    config.activation_delay = std::time::Duration::ZERO;
    let emulator = Emulator::start_with(config);
    let Some(tf) = Workdir::new(&emulator, "secrets_import_by_every_id_form") else {
        return;
    };
    let store_id = emulator.create_store("default_secrets_store");
    let secret_id = emulator.create_secret(&store_id, "IMPORTED", "outside-value");

    // Creating a secret whose name exists fails with the exact import id.
    tf.config(&format!(
        r#"resource "cloudflare_store_secret" "secret" {{
  store_id = "{store_id}"
  name     = "IMPORTED"
  value_wo = "outside-value"
}}"#
    ));
    let failure = tf.apply_fails();
    assert!(
        failure.contains(&format!(
            "terraform import cloudflare_store_secret.<resource name> {ACCOUNT_ID}/{store_id}/IMPORTED"
        )),
        "{failure}"
    );

    let bad = tf.run(&["import", "-input=false", "-no-color", SECRET, "a/b"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.text().contains("<account_id>/<store_id>/<secret_name>"),
        "{}",
        bad.text()
    );

    // value_wo: after import the plan is empty.
    let run = tf.run(&["import", "-input=false", "-no-color", SECRET, "IMPORTED"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let imported = tf.resource(SECRET);
    assert_eq!(imported["id"], secret_id.as_str());
    assert_eq!(imported["status"], "active");
    tf.assert_plan_empty();
    tf.import_and_compare(
        SECRET,
        &format!("{ACCOUNT_ID}/{store_id}/{secret_id}"),
        &imported,
    );
    tf.import_and_compare(
        SECRET,
        &format!("{ACCOUNT_ID}/{store_id}/IMPORTED"),
        &imported,
    );

    // value: after import the plan is one in-place update that sends the value.
    tf.config(&format!(
        r#"resource "cloudflare_store_secret" "secret" {{
  store_id = "{store_id}"
  name     = "IMPORTED"
  value    = "from-terraform"
}}"#
    ));
    tf.import_and_compare(
        SECRET,
        &format!("{ACCOUNT_ID}/{store_id}/IMPORTED"),
        &imported,
    );
    let actions = tf.planned_actions();
    assert_eq!(
        actions,
        vec![(SECRET.to_string(), vec!["update".to_string()])]
    );
    tf.apply();
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("from-terraform")
    );
    tf.assert_plan_empty();

    tf.destroy();
    emulator.api("DELETE", &format!("/stores/{store_id}"), None);
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

#[test]
fn validation_needs_no_credentials_and_points_at_attributes() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "validation_needs_no_credentials_and_points_at_attributes",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_store_secret" "secret" {
  name     = "HAS SPACE"
  value    = "a"
  value_wo = "b"
  scopes   = ["workers", "wrokers"]
}"#,
    );
    let run = tf.run_without_credentials(&["validate", "-no-color"]);
    assert_ne!(run.code, 0);
    let text = run.text();
    assert!(text.contains("Invalid secret name"), "{text}");
    assert!(text.contains("Conflicting secret values"), "{text}");
    assert!(text.contains("Unknown scope \"wrokers\""), "{text}");
    assert!(
        text.contains("name     = \"HAS SPACE\""),
        "points at name: {text}"
    );

    tf.config(
        r#"resource "cloudflare_store_secret" "secret" {
  name     = "OK"
  value_wo = "b"
}"#,
    );
    let run = tf.run_without_credentials(&["validate", "-no-color"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let run = tf.run_without_credentials(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.code, 0);
    let text = run.text();
    assert!(
        text.contains("CLOUDFLARE_API_TOKEN") && text.contains("CLOUDFLARE_EMAIL"),
        "{text}"
    );
    emulator.assert_empty();
}

#[test]
fn provider_configuration_unknown_at_plan_time_plans_and_applies() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "provider_configuration_unknown_at_plan_time_plans_and_applies",
    ) else {
        return;
    };
    tf.config(&format!(
        r#"resource "terraform_data" "account" {{
  input = "{ACCOUNT_ID}"
}}

provider "cloudflare" {{
  account_id = terraform_data.account.output
}}

resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "secret" {{
  store_id = cloudflare_secrets_store.store.id
  name     = "LATE"
  value_wo = "late-value"
}}"#
    ));
    let plan = tf.plan_json();
    let changes = plan["resource_changes"].as_array().unwrap();
    let store = changes
        .iter()
        .find(|c| c["address"] == STORE)
        .expect("store planned");
    assert_eq!(
        store["change"]["after_unknown"]["account_id"], true,
        "{store}"
    );
    tf.apply();
    assert_eq!(tf.resource(SECRET)["account_id"], ACCOUNT_ID);
    assert_eq!(tf.resource(STORE)["account_id"], ACCOUNT_ID);
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}
