//! Acceptance tests for `cloudflare_secrets_store`: real `terraform` with the built provider
//! binary against the in-process emulator. Each test ends with destroy and an empty emulator.

mod acc_harness;
mod support;

use acc_harness::{ACCOUNT_ID, Emulator, Workdir};
use serde_json::Value as Json;

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
        failure.contains(&format!("import id {ACCOUNT_ID}/{existing}")),
        "{failure}"
    );
    // The advice points at the `with` line for the address instead of printing a placeholder.
    assert!(failure.contains(&format!("with {STORE}")), "{failure}");
    assert!(!failure.contains("<resource name>"), "{failure}");
    assert_eq!(emulator.state.stores().len(), 1);

    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  name  = "team-store"
  adopt = true
}"#,
    );
    emulator.state.clear_request_log();
    tf.apply();
    // The plan lists the stores once; the apply's provider process once more, shared by the
    // plan Terraform makes again before the create and by the create itself.
    let store_listings = emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/secrets_store/stores"))
        .count();
    assert_eq!(store_listings, 2, "{:?}", emulator.state.request_log());
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
fn renaming_a_store_replaces_it() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(&emulator, "renaming_a_store_replaces_it") else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  name = "before"
}"#,
    );
    tf.apply();
    let first = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    tf.assert_plan_empty();
    tf.config(
        r#"resource "cloudflare_secrets_store" "store" {
  name = "after"
}"#,
    );
    let actions = tf.planned_actions();
    assert_eq!(
        actions,
        vec![(
            STORE.to_string(),
            vec!["delete".to_string(), "create".to_string()]
        )],
        "delete first: the account holds one store"
    );
    tf.apply();
    let renamed = tf.resource(STORE);
    assert_eq!(renamed["name"], "after");
    assert_ne!(renamed["id"], first.as_str());
    let stores = emulator.state.stores();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].name, "after");
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

/// A secret applied without `store_id`, so it lives in the account's implicit default store.
const SECRET_IN_DEFAULT_STORE: &str = r#"resource "cloudflare_store_secret" "a" {
  name             = "ADOPT_A"
  value_wo         = "adopt-a"
  value_wo_version = 1
}"#;

/// The same secret, now referring to the store resource explicitly.
const SECRET_IN_STORE_RESOURCE: &str = r#"resource "cloudflare_store_secret" "a" {
  store_id         = cloudflare_secrets_store.main.id
  name             = "ADOPT_A"
  value_wo         = "adopt-a"
  value_wo_version = 1
}"#;

const ADOPTED: &str = "cloudflare_secrets_store.main";
const SECRET_A: &str = "cloudflare_store_secret.a";

/// Applies [`SECRET_IN_DEFAULT_STORE`]; returns (default store id, secret id).
fn secret_in_the_default_store(tf: &Workdir) -> (String, String) {
    tf.config(SECRET_IN_DEFAULT_STORE);
    tf.apply();
    let secret = tf.resource(SECRET_A);
    let store_id = secret["store_id"].as_str().unwrap().to_string();
    (store_id, secret["id"].as_str().unwrap().to_string())
}

#[test]
fn adopting_the_default_store_plans_its_id_and_keeps_its_secrets() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "adopting_the_default_store_plans_its_id_and_keeps_its_secrets",
    ) else {
        return;
    };
    let (store_id, secret_id) = secret_in_the_default_store(&tf);
    let store = &emulator.state.stores()[0];
    tf.config(&format!(
        "resource \"cloudflare_secrets_store\" \"main\" {{ adopt = true }}\n\n{SECRET_IN_STORE_RESOURCE}"
    ));
    let plan = tf.plan_text(true);
    assert!(
        plan.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(!plan.contains("forces replacement"), "{plan}");
    // The adopted store's id and timestamps are known at plan time, looked up by name.
    let planned = tf.plan_json();
    let store_change = planned["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == ADOPTED)
        .expect("a change for the store");
    let after = &store_change["change"]["after"];
    assert_eq!(after["id"], store_id.as_str(), "{store_change}");
    assert_eq!(after["created"], store.created.as_str(), "{store_change}");
    assert_eq!(after["modified"], store.modified.as_str(), "{store_change}");
    assert_eq!(
        tf.planned_actions(),
        vec![
            (ADOPTED.to_string(), vec!["create".to_string()]),
            (SECRET_A.to_string(), vec!["no-op".to_string()]),
        ]
    );
    tf.apply();
    assert_eq!(tf.resource(ADOPTED)["id"], store_id.as_str());
    assert_eq!(tf.resource(SECRET_A)["id"], secret_id.as_str());
    assert_eq!(emulator.state.secrets().len(), 1);
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn importing_the_default_store_keeps_its_secrets() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(&emulator, "importing_the_default_store_keeps_its_secrets") else {
        return;
    };
    let (store_id, secret_id) = secret_in_the_default_store(&tf);
    tf.config(&format!(
        "import {{\n  to = {ADOPTED}\n  id = \"{ACCOUNT_ID}/default_secrets_store\"\n}}\n\n\
         resource \"cloudflare_secrets_store\" \"main\" {{}}\n\n{SECRET_IN_STORE_RESOURCE}"
    ));
    let plan = tf.plan_text(true);
    assert!(
        plan.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    tf.apply();
    assert_eq!(tf.resource(ADOPTED)["id"], store_id.as_str());
    assert_eq!(tf.resource(SECRET_A)["id"], secret_id.as_str());
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn a_secret_given_an_explicit_reference_to_its_default_store_plans_no_change() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_secret_given_an_explicit_reference_to_its_default_store_plans_no_change",
    ) else {
        return;
    };
    // The store resource creates default_secrets_store; the secret lands there implicitly
    // (after the store, so that it does not create the default store itself).
    let implicit = SECRET_IN_DEFAULT_STORE.replace(
        "value_wo_version = 1",
        "value_wo_version = 1\n  depends_on       = [cloudflare_secrets_store.main]",
    );
    tf.config(&format!(
        "resource \"cloudflare_secrets_store\" \"main\" {{}}\n\n{implicit}"
    ));
    tf.apply();
    let before = tf.resource(SECRET_A);
    assert_eq!(before["store_id"], tf.resource(ADOPTED)["id"]);
    tf.config(&format!(
        "resource \"cloudflare_secrets_store\" \"main\" {{}}\n\n{SECRET_IN_STORE_RESOURCE}"
    ));
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}
