//! Acceptance tests for `cloudflare_store_secret`: default and explicit stores, `value` and
//! `value_wo`, in-place updates and replacement, waiting for `active`, import, and changes made
//! outside Terraform. Real `terraform` with the built provider binary against the in-process
//! emulator; each test ends with destroy and an empty emulator.

mod acc_harness;
mod support;

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, Workdir};
use api_emulator::EmulatorConfig;
use serde_json::Value as Json;

const STORE: &str = "cloudflare_secrets_store.store";
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
  value_wo_version = 1
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
  value_wo_version = 1
}}"#
    ));
    let failure = tf.apply_fails();
    assert!(
        failure.contains(&format!("import id {ACCOUNT_ID}/{store_id}/IMPORTED")),
        "{failure}"
    );
    assert!(failure.contains("create_before_destroy"), "{failure}");
    assert!(failure.contains(&format!("with {SECRET}")), "{failure}");
    assert!(!failure.contains("<resource name>"), "{failure}");

    let bad = tf.run(&["import", "-input=false", "-no-color", SECRET, "a/b"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.text().contains("<account_id>/<store_id>/<secret_name>"),
        "{}",
        bad.text()
    );

    // value_wo with value_wo_version: the imported state has no version, so the plan is one
    // in-place update that sets it (and pushes value_wo once).
    let run = tf.run(&["import", "-input=false", "-no-color", SECRET, "IMPORTED"]);
    assert_eq!(run.code, 0, "{}", run.text());
    let imported = tf.resource(SECRET);
    assert_eq!(imported["id"], secret_id.as_str());
    assert_eq!(imported["status"], "active");
    assert_eq!(
        tf.planned_actions(),
        vec![(SECRET.to_string(), vec!["update".to_string()])]
    );
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

    // Moving an existing secret to value_wo: adding value_wo_version is one in-place update
    // that sends the value.
    tf.config(&format!(
        r#"resource "cloudflare_store_secret" "secret" {{
  store_id         = "{store_id}"
  name             = "IMPORTED"
  value_wo         = "pushed-write-only"
  value_wo_version = 1
}}"#
    ));
    assert_eq!(
        tf.planned_actions(),
        vec![(SECRET.to_string(), vec!["update".to_string()])]
    );
    tf.apply();
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("pushed-write-only")
    );
    assert!(!tf.raw_state().contains("pushed-write-only"));
    tf.assert_plan_empty();

    tf.destroy();
    emulator.api("DELETE", &format!("/stores/{store_id}"), None);
    emulator.assert_empty();
}

/// The requests logged since the last clear, as `METHOD /endpoint` names.
fn logged_endpoints(emulator: &Emulator) -> Vec<String> {
    emulator
        .state
        .request_log()
        .iter()
        .map(acc_harness::endpoint)
        .collect()
}

#[test]
fn a_value_without_store_id_goes_into_a_default_store_created_for_it() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_value_without_store_id_goes_into_a_default_store_created_for_it",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_store_secret" "secret" {
  name  = "IN_DEFAULT"
  value = "default-store-value"
}"#,
    );
    assert!(emulator.state.stores().is_empty());
    tf.apply();
    let stores = emulator.state.stores();
    assert_eq!(stores.len(), 1, "the default store was created");
    assert_eq!(stores[0].name, "default_secrets_store");
    let secret = tf.resource(SECRET);
    assert_eq!(secret["store_id"], stores[0].id.as_str());
    assert_eq!(secret["account_id"], ACCOUNT_ID);
    assert_eq!(secret["status"], "active");
    assert_eq!(secret["scopes"], serde_json::json!(["workers"]));
    assert_eq!(secret["value"], "default-store-value");
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("default-store-value")
    );
    tf.assert_plan_empty();
    tf.destroy();
    assert!(emulator.state.secrets().is_empty());
    emulator.api("DELETE", &format!("/stores/{}", stores[0].id), None);
    emulator.assert_empty();
}

#[test]
fn a_write_only_value_reaches_neither_the_state_nor_the_saved_plan() {
    let emulator = Emulator::start();
    let Some(mut tf) = Workdir::new(
        &emulator,
        "a_write_only_value_reaches_neither_the_state_nor_the_saved_plan",
    ) else {
        return;
    };
    // The value comes from an ephemeral variable, as write-only values are meant to: a literal
    // in the HCL would be echoed by Terraform itself in the plan's `configuration` section.
    let config = |version: u32| {
        format!(
            r#"variable "wo_value" {{
  type      = string
  sensitive = true
  ephemeral = true
}}

resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "secret" {{
  store_id         = cloudflare_secrets_store.store.id
  name             = "WO"
  value_wo         = var.wo_value
  value_wo_version = {version}
}}"#
        )
    };
    tf.set_env("TF_VAR_wo_value", "wo-first-7c1e");
    tf.config(&config(1));
    let plan = tf.plan_json_text();
    assert!(!plan.contains("wo-first-7c1e"), "create plan: {plan}");
    let parsed: Json = serde_json::from_str(&plan).unwrap();
    let change = parsed["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == SECRET)
        .unwrap();
    assert!(change["change"]["after"]["value_wo"].is_null(), "{change}");
    assert_eq!(change["change"]["after"]["value_wo_version"], 1);
    let applied = tf.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert_eq!(applied.code, 0, "{}", applied.text());
    assert!(!applied.text().contains("wo-first-7c1e"));
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("wo-first-7c1e")
    );
    assert!(!tf.raw_state().contains("wo-first-7c1e"));
    let shown = tf.run(&["show", "-json"]);
    assert!(!shown.stdout.contains("wo-first-7c1e"));
    tf.assert_plan_empty();

    // The update plan that pushes a new value does not carry it either.
    tf.set_env("TF_VAR_wo_value", "wo-second-93ab");
    tf.config(&config(2));
    let plan = tf.plan_json_text();
    assert!(!plan.contains("wo-second-93ab"), "update plan: {plan}");
    assert!(!plan.contains("wo-first-7c1e"));
    let applied = tf.run(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert_eq!(applied.code, 0, "{}", applied.text());
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("wo-second-93ab")
    );
    let state = tf.raw_state();
    assert!(!state.contains("wo-second-93ab") && !state.contains("wo-first-7c1e"));
    tf.assert_plan_empty();

    // With a literal in the HCL, only Terraform's echo of the configuration holds it: the
    // planned values, changes and prior state the provider answers for do not.
    tf.config(&config(3).replace("var.wo_value", "\"wo-literal-5d2f\""));
    let mut parsed: Json = serde_json::from_str(&tf.plan_json_text()).unwrap();
    assert!(
        parsed["configuration"]
            .to_string()
            .contains("wo-literal-5d2f"),
        "Terraform echoes HCL literals; if it stops, tighten this test"
    );
    parsed["configuration"] = Json::Null;
    assert!(!parsed.to_string().contains("wo-literal-5d2f"), "{parsed}");

    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn value_version_comment_and_scopes_each_update_in_place() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "value_version_comment_and_scopes_each_update_in_place",
    ) else {
        return;
    };
    const WO: &str = "cloudflare_store_secret.wo";
    let config = |value: &str, comment: &str, scopes: &str, wo: &str, version: u32| {
        format!(
            r#"resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "secret" {{
  store_id = cloudflare_secrets_store.store.id
  name     = "IN_STATE"
  value    = "{value}"
  comment  = "{comment}"
  scopes   = {scopes}
}}

resource "cloudflare_store_secret" "wo" {{
  store_id         = cloudflare_secrets_store.store.id
  name             = "WRITE_ONLY"
  value_wo         = "{wo}"
  value_wo_version = {version}
}}"#
        )
    };
    tf.config(&config("v1", "c1", r#"["workers"]"#, "w1", 1));
    tf.apply();
    let ids = (
        tf.resource(SECRET)["id"].as_str().unwrap().to_string(),
        tf.resource(WO)["id"].as_str().unwrap().to_string(),
    );
    tf.assert_plan_empty();

    // (step, config, the resource that must be updated)
    let steps = [
        (
            "value",
            config("v2", "c1", r#"["workers"]"#, "w1", 1),
            SECRET,
        ),
        (
            "value_wo_version",
            config("v2", "c1", r#"["workers"]"#, "w2", 2),
            WO,
        ),
        (
            "comment",
            config("v2", "c2", r#"["workers"]"#, "w2", 2),
            SECRET,
        ),
        (
            "scopes",
            config("v2", "c2", r#"["workers", "access"]"#, "w2", 2),
            SECRET,
        ),
    ];
    for (step, hcl, updated) in steps {
        tf.config(&hcl);
        let mut actions = tf.planned_actions();
        actions.sort();
        let mut expected = vec![
            (STORE.to_string(), vec!["no-op".to_string()]),
            (SECRET.to_string(), vec!["no-op".to_string()]),
            (WO.to_string(), vec!["no-op".to_string()]),
        ];
        for entry in &mut expected {
            if entry.0 == updated {
                entry.1 = vec!["update".to_string()];
            }
        }
        expected.sort();
        assert_eq!(actions, expected, "changing {step}");
        emulator.state.clear_request_log();
        tf.apply();
        let writes: Vec<String> = logged_endpoints(&emulator)
            .into_iter()
            .filter(|e| !e.starts_with("GET"))
            .collect();
        assert_eq!(
            writes,
            ["PATCH /stores/{store_id}/secrets/{secret_id}"],
            "changing {step} is one PATCH"
        );
        assert_eq!(tf.resource(SECRET)["id"], ids.0.as_str(), "{step}");
        assert_eq!(tf.resource(WO)["id"], ids.1.as_str(), "{step}");
        tf.assert_plan_empty();
    }
    let remote = emulator
        .state
        .secrets()
        .into_iter()
        .find(|s| s.id == ids.0)
        .unwrap();
    assert_eq!(remote.comment.as_deref(), Some("c2"));
    assert_eq!(remote.scopes, ["access", "workers"]);
    assert_eq!(
        emulator.state.secret_value_for_test(&ids.0).as_deref(),
        Some("v2")
    );
    assert_eq!(
        emulator.state.secret_value_for_test(&ids.1).as_deref(),
        Some("w2")
    );
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn scopes_edited_outside_terraform_are_planned_back() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "scopes_edited_outside_terraform_are_planned_back",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {}

resource "cloudflare_store_secret" "secret" {
  store_id = cloudflare_secrets_store.store.id
  name     = "SCOPED"
  value_wo = "scoped-value"
  value_wo_version = 1
  scopes   = ["workers", "ai_gateway"]
}"#,
    );
    tf.apply();
    let secret = tf.resource(SECRET);
    let path = format!(
        "/stores/{}/secrets/{}",
        secret["store_id"].as_str().unwrap(),
        secret["id"].as_str().unwrap()
    );
    tf.assert_plan_empty();

    emulator.api(
        "PATCH",
        &path,
        Some(serde_json::json!({ "scopes": ["dex"] })),
    );
    let actions = tf.planned_actions();
    assert_eq!(
        actions,
        vec![
            (STORE.to_string(), vec!["no-op".to_string()]),
            (SECRET.to_string(), vec!["update".to_string()]),
        ]
    );
    let plan = tf.plan_text(true);
    assert!(plan.contains("\"dex\""), "the plan shows the drift: {plan}");
    tf.apply();
    let remote = emulator
        .state
        .secrets()
        .into_iter()
        .find(|s| s.id == secret["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(remote.scopes, ["ai_gateway", "workers"]);
    assert_eq!(
        emulator.state.secret_value_for_test(&remote.id).as_deref(),
        Some("scoped-value"),
        "planning scopes back does not touch the value"
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn apply_waits_until_a_new_secret_is_active() {
    let emulator = Emulator::start_with_activation_delay(std::time::Duration::from_millis(1500));
    let Some(tf) = Workdir::new(&emulator, "apply_waits_until_a_new_secret_is_active") else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {}

resource "cloudflare_store_secret" "secret" {
  store_id = cloudflare_secrets_store.store.id
  name     = "SLOW"
  value_wo = "slow-value"
  value_wo_version = 1
}"#,
    );
    tf.apply();
    let secret = tf.resource(SECRET);
    assert_eq!(secret["status"], "active", "{secret}");
    // The create answered `pending`; apply polled the store's listing (newest changes first)
    // until the emulator said `active`.
    let log = emulator.state.request_log();
    let create = log
        .iter()
        .position(|r| r.method == "POST" && r.path.ends_with("/secrets"))
        .expect("the secret was created");
    let polls = log[create..]
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path.ends_with("/secrets")
                && r.query
                    .as_deref()
                    .is_some_and(|q| q.contains("order=modified"))
                && r.status == 200
        })
        .count();
    assert!(
        polls >= 2,
        "polled until active: {:?}",
        logged_endpoints(&emulator)
    );
    assert!(
        emulator
            .state
            .secrets()
            .iter()
            .all(|s| s.status == "active")
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn a_store_deleted_with_its_secrets_outside_terraform_is_planned_back_whole() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_store_deleted_with_its_secrets_outside_terraform_is_planned_back_whole",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {}

resource "cloudflare_store_secret" "secret" {
  store_id = cloudflare_secrets_store.store.id
  name     = "GONE"
  value    = "gone-value"
}"#,
    );
    tf.apply();
    let store_id = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    emulator.api("DELETE", &format!("/stores/{store_id}?force=true"), None);
    emulator.assert_empty();

    let mut actions = tf.planned_actions();
    actions.sort();
    assert_eq!(
        actions,
        vec![
            (STORE.to_string(), vec!["create".to_string()]),
            (SECRET.to_string(), vec!["create".to_string()]),
        ]
    );
    tf.apply();
    let new_store = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    assert_ne!(new_store, store_id);
    assert_eq!(tf.resource(SECRET)["store_id"], new_store.as_str());
    assert_eq!(
        secret_value(&emulator, &tf, SECRET).as_deref(),
        Some("gone-value")
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn importing_a_bare_name_without_a_default_store_fails_and_creates_nothing() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "importing_a_bare_name_without_a_default_store_fails_and_creates_nothing",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_store_secret" "secret" {
  name     = "NOWHERE"
  value_wo = "v"
  value_wo_version = 1
}"#,
    );
    let run = tf.run(&["import", "-input=false", "-no-color", SECRET, "NOWHERE"]);
    assert_ne!(run.code, 0);
    let text = run.text();
    assert!(text.contains("default_secrets_store"), "{text}");
    let writes = emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    assert_eq!(
        writes,
        0,
        "import only reads: {:?}",
        logged_endpoints(&emulator)
    );
    emulator.assert_empty();
}

#[test]
fn switching_between_value_and_value_wo_updates_in_place_and_an_empty_comment_is_stable() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "switching_between_value_and_value_wo_updates_in_place_and_an_empty_comment_is_stable",
    ) else {
        return;
    };
    let config = |value_line: &str| {
        format!(
            r#"resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "secret" {{
  store_id = cloudflare_secrets_store.store.id
  name     = "SWITCH"
  comment  = ""
  {value_line}
}}"#
        )
    };
    tf.config(&config(r#"value = "in-state-1""#));
    tf.apply();
    let id = tf.resource(SECRET)["id"].as_str().unwrap().to_string();
    assert_eq!(tf.resource(SECRET)["comment"], "");
    tf.assert_plan_empty();

    // value → value_wo: one in-place update; the value leaves the state.
    tf.config(&config(
        "value_wo         = \"write-only-2\"\n  value_wo_version = 1",
    ));
    let actions = tf.planned_actions();
    assert!(
        actions.contains(&(SECRET.to_string(), vec!["update".to_string()])),
        "{actions:?}"
    );
    tf.apply();
    let secret = tf.resource(SECRET);
    assert_eq!(secret["id"], id.as_str());
    assert!(secret["value"].is_null(), "{secret}");
    assert_eq!(
        emulator.state.secret_value_for_test(&id).as_deref(),
        Some("write-only-2")
    );
    assert!(!tf.raw_state().contains("in-state-1") && !tf.raw_state().contains("write-only-2"));
    tf.assert_plan_empty();

    // value_wo → value: one in-place update that sends the value.
    tf.config(&config(r#"value = "in-state-3""#));
    let actions = tf.planned_actions();
    assert!(
        actions.contains(&(SECRET.to_string(), vec!["update".to_string()])),
        "{actions:?}"
    );
    tf.apply();
    assert_eq!(tf.resource(SECRET)["id"], id.as_str());
    assert_eq!(
        emulator.state.secret_value_for_test(&id).as_deref(),
        Some("in-state-3")
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn a_secret_still_pending_at_the_activation_timeout_is_tainted_and_replaced() {
    let emulator = Emulator::start_with_activation_delay(std::time::Duration::from_millis(2500));
    let Some(mut tf) = Workdir::new(
        &emulator,
        "a_secret_still_pending_at_the_activation_timeout_is_tainted_and_replaced",
    ) else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {}

resource "cloudflare_store_secret" "secret" {
  store_id = cloudflare_secrets_store.store.id
  name     = "SLOW"
  value_wo = "slow-value"
  value_wo_version = 1
}"#,
    );
    tf.set_env("CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT", "1s");
    let failure = tf.apply_fails();
    assert!(
        failure.contains("Secret SLOW did not become active"),
        "{failure}"
    );
    assert!(failure.contains("secret_activation_timeout"), "{failure}");
    let first = emulator.state.secrets();
    assert_eq!(first.len(), 1, "the secret was created");
    let state = tf.raw_state();
    assert!(state.contains("\"status\": \"tainted\""), "{state}");
    assert!(!state.contains("slow-value"));

    tf.set_env("CLOUDFLARE_SECRET_ACTIVATION_TIMEOUT", "30s");
    let actions = tf.planned_actions();
    let secret_actions = &actions.iter().find(|(a, _)| a == SECRET).unwrap().1;
    assert_eq!(secret_actions, &["delete", "create"], "{actions:?}");
    tf.apply();
    let secret = tf.resource(SECRET);
    assert_eq!(secret["status"], "active");
    assert_ne!(secret["id"], first[0].id.as_str());
    assert_eq!(emulator.state.secrets().len(), 1);
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn moving_a_secret_to_another_store_replaces_it() {
    let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
    config.max_stores = 2;
    let emulator = Emulator::start_with(config);
    let Some(tf) = Workdir::new(&emulator, "moving_a_secret_to_another_store_replaces_it") else {
        return;
    };
    let config = |store: &str| {
        format!(
            r#"resource "cloudflare_secrets_store" "first" {{
  name = "first"
}}

resource "cloudflare_secrets_store" "second" {{
  name = "second"
}}

resource "cloudflare_store_secret" "secret" {{
  store_id = cloudflare_secrets_store.{store}.id
  name     = "MOVING"
  value    = "moving-value"
}}"#
        )
    };
    tf.config(&config("first"));
    tf.apply();
    let before = tf.resource(SECRET);
    tf.assert_plan_empty();
    tf.config(&config("second"));
    let actions = tf.planned_actions();
    let secret_actions = &actions.iter().find(|(a, _)| a == SECRET).unwrap().1;
    assert_eq!(secret_actions, &["delete", "create"], "{actions:?}");
    tf.apply();
    let after = tf.resource(SECRET);
    let second = tf.resource("cloudflare_secrets_store.second");
    assert_eq!(after["store_id"], second["id"]);
    assert_ne!(after["id"], before["id"]);
    let secrets = emulator.state.secrets();
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].store_id, second["id"].as_str().unwrap());
    assert_eq!(
        emulator
            .state
            .secret_value_for_test(&secrets[0].id)
            .as_deref(),
        Some("moving-value")
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn import_blocks_adopt_an_existing_store_and_secret_in_one_plan() {
    let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
    config.activation_delay = std::time::Duration::ZERO;
    let emulator = Emulator::start_with(config);
    let Some(tf) = Workdir::new(
        &emulator,
        "import_blocks_adopt_an_existing_store_and_secret_in_one_plan",
    ) else {
        return;
    };
    let store_id = emulator.create_store("default_secrets_store");
    let secret_id = emulator.create_secret(&store_id, "ADOPTED", "outside-value");
    tf.config(&format!(
        r#"import {{
  to = {STORE}
  id = "{ACCOUNT_ID}/default_secrets_store"
}}

import {{
  to = {SECRET}
  id = "ADOPTED"
}}

resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "secret" {{
  store_id = cloudflare_secrets_store.store.id
  name             = "ADOPTED"
  value_wo         = "from-terraform"
  value_wo_version = 1
  comment          = "now managed by Terraform"
}}"#
    ));
    // One plan imports both; the secret gets an in-place update for its comment and its
    // value (value_wo_version is new to the state), nothing is created or replaced.
    let plan = tf.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.text());
    assert!(
        plan.text()
            .contains("Plan: 2 to import, 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.text()
    );
    tf.apply();
    let store = tf.resource(STORE);
    assert_eq!(store["id"], store_id.as_str());
    assert_eq!(store["name"], "default_secrets_store");
    let secret = tf.resource(SECRET);
    assert_eq!(secret["id"], secret_id.as_str());
    assert_eq!(secret["store_id"], store_id.as_str());
    assert_eq!(secret["comment"], "now managed by Terraform");
    assert!(secret["value_wo"].is_null());
    // The imported state has no value_wo_version, so the update sent value_wo once.
    assert_eq!(
        emulator.state.secret_value_for_test(&secret_id).as_deref(),
        Some("from-terraform")
    );
    assert_eq!(emulator.state.stores().len(), 1);
    assert_eq!(emulator.state.secrets().len(), 1);
    tf.assert_plan_empty();

    tf.destroy();
    emulator.assert_empty();
}
