//! Acceptance tests for messages that must point the right way: credentials explained once per
//! run, wording for the credential and the permission in use, an empty credential in the block,
//! two resources planning one name, a secret managed elsewhere and deleted outside Terraform,
//! value drift warnings that go away with their cause, and what `force_destroy` takes along.

mod acc_harness;
mod support;

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, Workdir};
use api_emulator::EmulatorConfig;

const STORE: &str = "cloudflare_secrets_store.store";

/// Three secrets in the default store, with write-only values; nothing orders their
/// refreshes, so each needs the API on its own.
const THREE_SECRETS: &str = r#"resource "cloudflare_store_secret" "s" {
  for_each         = toset(["ONE", "TWO", "THREE"])
  name             = each.key
  value_wo         = "value-of-${each.key}"
  value_wo_version = 1
}"#;

#[test]
fn refused_and_missing_credentials_are_explained_once_per_run() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "refused_and_missing_credentials_are_explained_once_per_run",
    ) else {
        return;
    };
    tf.config(THREE_SECRETS);
    tf.apply();

    // A refused token: three refreshes fail; one explains, the others point at it.
    let refused = tf.run_with_env(
        &["plan", "-input=false", "-no-color"],
        &[("CLOUDFLARE_API_TOKEN", "a-token-cloudflare-refuses")],
    );
    let text = refused.text();
    assert_ne!(refused.code, 0, "{text}");
    let full = "Cloudflare refused the API token. Check that";
    assert_eq!(text.matches(full).count(), 1, "explained once: {text}");
    let pointer = "see the other error of this run that explains it";
    assert_eq!(text.matches(pointer).count(), 2, "then pointed at: {text}");
    assert!(
        text.contains("Secrets Store Read permission"),
        "a refresh needs Read: {text}"
    );
    assert!(!text.contains("Write permission"), "{text}");
    assert!(!text.contains("a-token-cloudflare-refuses"), "{text}");

    // No credentials at all: the refreshes of an apply need the API.
    let missing =
        tf.run_without_credentials(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let text = missing.text();
    assert_ne!(missing.code, 0, "{text}");
    let full = "No Cloudflare credentials are configured";
    assert_eq!(text.matches(full).count(), 1, "explained once: {text}");
    let pointer = "which says what to set";
    assert_eq!(text.matches(pointer).count(), 2, "then pointed at: {text}");
    tf.destroy();
    let store = emulator.state.stores().remove(0);
    emulator.api("DELETE", &format!("/stores/{}", store.id), None);
    emulator.assert_empty();
}

#[test]
fn a_refused_global_key_talks_about_the_key_and_a_query_asks_for_read() {
    let mut config = EmulatorConfig::new(ACCOUNT_ID, API_TOKEN);
    config.api_key = Some(("ops@example.com".into(), "the-right-global-key".into()));
    let emulator = Emulator::start_with(config);
    emulator.create_store("default_secrets_store");
    let Some(tf) = Workdir::new(
        &emulator,
        "a_refused_global_key_talks_about_the_key_and_a_query_asks_for_read",
    ) else {
        return;
    };
    tf.config("resource \"cloudflare_secrets_store\" \"store\" {\n  adopt = true\n}");
    let env = [
        ("CLOUDFLARE_API_TOKEN", ""),
        ("CLOUDFLARE_API_KEY", "a-wrong-global-key"),
        ("CLOUDFLARE_EMAIL", "ops@example.com"),
    ];
    let run = tf.run_with_env(&["plan", "-input=false", "-no-color"], &env);
    let text = run.text();
    assert_ne!(run.code, 0, "{text}");
    assert!(
        text.contains("Cloudflare refused the global API key and email"),
        "{text}"
    );
    assert!(text.contains("CLOUDFLARE_EMAIL"), "{text}");
    assert!(!text.contains("refused the API token"), "{text}");
    assert!(!text.contains("a-wrong-global-key"), "{text}");
}

#[test]
fn a_query_with_a_refused_token_asks_for_the_read_permission_and_checks_store_id() {
    let emulator = Emulator::start();
    emulator.create_store("default_secrets_store");
    let Some(tf) = Workdir::at_least(
        &emulator,
        "a_query_with_a_refused_token_asks_for_the_read_permission_and_checks_store_id",
        (1, 14),
        "terraform query",
    ) else {
        return;
    };
    tf.config("provider \"cloudflare\" {}");
    tf.write_file(
        "all.tfquery.hcl",
        "list \"cloudflare_store_secret\" \"all\" {\n  provider = cloudflare\n}\n",
    );
    let run = tf.run_with_env(
        &["query", "-no-color"],
        &[("CLOUDFLARE_API_TOKEN", "a-token-cloudflare-refuses")],
    );
    let text = run.text();
    assert_ne!(run.code, 0, "{text}");
    assert!(text.contains("Secrets Store Read permission"), "{text}");
    assert!(!text.contains("Write permission"), "{text}");

    // A malformed store_id is caught before any request.
    tf.write_file(
        "all.tfquery.hcl",
        "list \"cloudflare_store_secret\" \"all\" {\n  provider = cloudflare\n  config {\n    \
         store_id = \"nope\"\n  }\n}\n",
    );
    emulator.state.clear_request_log();
    let run = tf.run(&["query", "-no-color"]);
    let text = run.text();
    assert_ne!(run.code, 0, "{text}");
    assert!(text.contains("Invalid store_id"), "{text}");
    assert!(text.contains("is 4 characters long"), "{text}");
    emulator.assert_no_requests("a query with a malformed store_id");
}

#[test]
fn an_empty_token_in_the_block_says_the_block_wins() {
    let emulator = Emulator::start();
    emulator.create_store("default_secrets_store");
    let Some(tf) = Workdir::new(&emulator, "an_empty_token_in_the_block_says_the_block_wins")
    else {
        return;
    };
    tf.config(
        "provider \"cloudflare\" {\n  api_token = \"\"\n}\n\n\
         resource \"cloudflare_secrets_store\" \"store\" {\n  adopt = true\n}",
    );
    // The environment holds a good token, which the block's empty one overrides.
    emulator.state.clear_request_log();
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    let text = run.text();
    assert_ne!(run.code, 0, "{text}");
    assert!(text.contains("sets api_token to an empty string"), "{text}");
    assert!(
        text.contains("CLOUDFLARE_API_TOKEN is not used even when it is set"),
        "{text}"
    );
    assert!(
        !text.contains("set api_token or CLOUDFLARE_API_TOKEN"),
        "{text}"
    );
    emulator.assert_no_requests("a plan with an empty token");
}

#[test]
fn two_resources_planning_one_name_fail_the_plan() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(&emulator, "two_resources_planning_one_name_fail_the_plan") else {
        return;
    };
    tf.config(
        r#"resource "cloudflare_store_secret" "first" {
  name             = "SHARED_NAME"
  value_wo         = "a"
  value_wo_version = 1
}

resource "cloudflare_store_secret" "second" {
  name             = "SHARED_NAME"
  value_wo         = "b"
  value_wo_version = 1
}

resource "cloudflare_store_secret" "other" {
  name             = "OTHER_NAME"
  value_wo         = "c"
  value_wo_version = 1
}"#,
    );
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    let text = run.text();
    assert_ne!(run.code, 0, "{text}");
    assert_eq!(
        text.matches("Error: Two resources plan secret SHARED_NAME")
            .count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("in the account's default store of account"),
        "{text}"
    );
    assert!(!text.contains("import"), "never suggests importing: {text}");
    // The plans of the other creates read the account's secrets quota (to warn about creates
    // beyond it); nothing else is asked.
    emulator.assert_only_the_quota_read("a plan of new secrets");
    emulator.assert_empty();

    // Renamed, the same configuration plans and applies; a replacement (the name changes) is
    // not a second resource.
    tf.config(
        r#"resource "cloudflare_store_secret" "first" {
  name             = "SHARED_NAME"
  value_wo         = "a"
  value_wo_version = 1
}

resource "cloudflare_store_secret" "second" {
  name             = "SECOND_NAME"
  value_wo         = "b"
  value_wo_version = 1
}"#,
    );
    tf.apply();
    tf.config(
        r#"resource "cloudflare_store_secret" "first" {
  name             = "FIRST_NAME"
  value_wo         = "a"
  value_wo_version = 1
}

resource "cloudflare_store_secret" "second" {
  name             = "SECOND_NAME"
  value_wo         = "b"
  value_wo_version = 1
}"#,
    );
    tf.apply();
    tf.assert_plan_empty();
    tf.destroy();
    let store = emulator.state.stores().remove(0);
    emulator.api("DELETE", &format!("/stores/{}", store.id), None);
    emulator.assert_empty();
}

#[test]
fn a_secret_managed_elsewhere_and_deleted_outside_points_at_removed_or_state_rm() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_secret_managed_elsewhere_and_deleted_outside_points_at_removed_or_state_rm",
    ) else {
        return;
    };
    let store_id = emulator.create_store("default_secrets_store");
    let secret_id = emulator.create_secret(&store_id, "ELSEWHERE", "set-by-wrangler");
    tf.config(&format!(
        "import {{\n  to = cloudflare_store_secret.elsewhere\n  id = \"ELSEWHERE\"\n}}\n\n\
         resource \"cloudflare_store_secret\" \"elsewhere\" {{\n  store_id = \"{store_id}\"\n  \
         name     = \"ELSEWHERE\"\n}}"
    ));
    tf.apply();
    tf.assert_plan_empty();
    emulator.api(
        "DELETE",
        &format!("/stores/{store_id}/secrets/{secret_id}"),
        None,
    );
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    let text = run.text();
    assert_ne!(run.code, 0, "{text}");
    assert!(
        text.contains("Error: Secret ELSEWHERE was deleted outside Terraform"),
        "{text}"
    );
    assert!(text.contains("`removed` block"), "{text}");
    assert!(text.contains("terraform state rm"), "{text}");
    // Following the advice works.
    tf.state_rm("cloudflare_store_secret.elsewhere");
    tf.config("");
    tf.assert_plan_empty();
    emulator.api("DELETE", &format!("/stores/{store_id}"), None);
    emulator.assert_empty();
}

#[test]
fn a_value_rotated_outside_warns_only_while_terraform_manages_the_value() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_value_rotated_outside_warns_only_while_terraform_manages_the_value",
    ) else {
        return;
    };
    let store_id = emulator.create_store("default_secrets_store");
    let secret_id = emulator.create_secret(&store_id, "APP_ONE", "set-by-wrangler");
    // Adopted with its value managed elsewhere, as `terraform query -generate-config-out`
    // writes it: no value, no value_wo.
    tf.config(&format!(
        "import {{\n  to = cloudflare_store_secret.app_one\n  id = \"APP_ONE\"\n}}\n\n\
         resource \"cloudflare_store_secret\" \"app_one\" {{\n  store_id = \"{store_id}\"\n  \
         name     = \"APP_ONE\"\n}}"
    ));
    tf.apply();
    // Rotated outside Terraform (as `wrangler secrets-store secret update` does).
    std::thread::sleep(std::time::Duration::from_millis(20));
    emulator.api(
        "PATCH",
        &format!("/stores/{store_id}/secrets/{secret_id}"),
        Some(serde_json::json!({ "value": "rotated-by-wrangler" })),
    );
    for args in [
        vec!["plan", "-input=false", "-no-color"],
        vec!["apply", "-auto-approve", "-input=false", "-no-color"],
        vec![
            "apply",
            "-refresh-only",
            "-auto-approve",
            "-input=false",
            "-no-color",
        ],
        vec!["plan", "-input=false", "-no-color"],
    ] {
        let run = tf.run(&args);
        let text = run.text();
        assert_eq!(run.code, 0, "{args:?}: {text}");
        assert!(
            !text.contains("Warning: Secret"),
            "{args:?}: a value managed elsewhere never warns: {text}"
        );
    }
    assert_eq!(
        emulator.state.secret_value_for_test(&secret_id).as_deref(),
        Some("rotated-by-wrangler"),
        "nothing was sent"
    );

    // Once Terraform manages the value (value_wo), the same drift warns until the version moves.
    tf.config(&format!(
        "resource \"cloudflare_store_secret\" \"app_one\" {{\n  store_id         = \"{store_id}\"\n  \
         name             = \"APP_ONE\"\n  value_wo         = \"from-terraform\"\n  \
         value_wo_version = 1\n}}"
    ));
    tf.apply();
    std::thread::sleep(std::time::Duration::from_millis(20));
    emulator.api(
        "PATCH",
        &format!("/stores/{store_id}/secrets/{secret_id}"),
        Some(serde_json::json!({ "value": "rotated-again" })),
    );
    let warned = tf.plan_text(false);
    assert!(
        warned.contains("Warning: Secret APP_ONE may hold a value set outside Terraform"),
        "{warned}"
    );
    assert!(
        warned.contains("change value_wo_version from 1"),
        "{warned}"
    );
    // Managed elsewhere again: the warning goes with its cause, at once.
    tf.config(&format!(
        "resource \"cloudflare_store_secret\" \"app_one\" {{\n  store_id = \"{store_id}\"\n  \
         name     = \"APP_ONE\"\n}}"
    ));
    let run = tf.run(&["plan", "-input=false", "-no-color"]);
    assert!(!run.text().contains("Warning: Secret"), "{}", run.text());
    tf.state_rm("cloudflare_store_secret.app_one");
    emulator.api(
        "DELETE",
        &format!("/stores/{store_id}"),
        Some(serde_json::json!({})),
    );
    emulator.api("DELETE", &format!("/stores/{store_id}?force=true"), None);
}

#[test]
fn a_store_with_force_destroy_warns_at_plan_what_it_deletes_along() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_store_with_force_destroy_warns_at_plan_what_it_deletes_along",
    ) else {
        return;
    };
    tf.config(
        "resource \"cloudflare_secrets_store\" \"store\" {\n  force_destroy = true\n}\n\n\
         resource \"cloudflare_store_secret\" \"managed\" {\n  \
         store_id         = cloudflare_secrets_store.store.id\n  name             = \"MANAGED\"\n  \
         value_wo         = \"v\"\n  value_wo_version = 1\n}",
    );
    tf.apply();
    let store_id = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    emulator.create_secret(&store_id, "MADE_BY_WRANGLER", "w");
    emulator.state.clear_request_log();
    let plan = tf.run(&["plan", "-destroy", "-input=false", "-no-color"]);
    let text = plan.text();
    assert_eq!(plan.code, 0, "{text}");
    assert!(
        text.contains(
            "Warning: Store default_secrets_store holds 2 secret(s) that force_destroy deletes"
        ),
        "{text}"
    );
    assert!(text.contains("MADE_BY_WRANGLER, MANAGED"), "{text}");
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 2 to destroy."),
        "{text}"
    );
    // `plan -destroy` refreshes in one provider process and plans the destroy in another:
    // the warning costs that second process one listing of the store's secrets.
    let requests = emulator.request_breakdown();
    assert_eq!(requests.values().sum::<usize>(), 2, "{requests:?}");
    assert!(
        requests
            .keys()
            .all(|r| r.starts_with("GET /stores/{store_id}/secrets?")),
        "{requests:?}"
    );
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn destroying_a_non_empty_store_names_what_it_still_holds() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "destroying_a_non_empty_store_names_what_it_still_holds",
    ) else {
        return;
    };
    tf.config("resource \"cloudflare_secrets_store\" \"store\" {}");
    tf.apply();
    let store_id = tf.resource(STORE)["id"].as_str().unwrap().to_string();
    for i in 0..12 {
        emulator.create_secret(&store_id, &format!("LEFT_{i:02}"), "v");
    }
    let failure = tf.destroy_fails();
    assert!(
        failure.contains("it still holds 12 secret(s): LEFT_00, LEFT_01"),
        "{failure}"
    );
    assert!(failure.contains("LEFT_09 and 2 more"), "{failure}");
    assert!(
        failure.contains("not among the resources this run destroys"),
        "{failure}"
    );
    assert!(
        !failure.contains("remove their cloudflare_store_secret"),
        "{failure}"
    );
    emulator.api("DELETE", &format!("/stores/{store_id}?force=true"), None);
}
