//! Acceptance tests for plan-time validation and provider configuration: bad input is caught
//! before any API call with a diagnostic pointing at the attribute, missing credentials only
//! matter once an API call is needed, and provider configuration unknown at plan time works.

mod acc_harness;
mod support;

use acc_harness::{ACCOUNT_ID, Emulator, Workdir};

const STORE: &str = "cloudflare_secrets_store.store";
const SECRET: &str = "cloudflare_store_secret.secret";

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
  value_wo_version = 1
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
  value_wo_version = 1
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
  value_wo_version = 1
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

/// A config with one secret whose body is `attributes`.
fn secret_config(attributes: &str) -> String {
    format!("resource \"cloudflare_store_secret\" \"secret\" {{\n{attributes}\n}}")
}

#[test]
fn bad_secret_input_fails_the_plan_at_its_attribute_without_any_api_call() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "bad_secret_input_fails_the_plan_at_its_attribute_without_any_api_call",
    ) else {
        return;
    };
    // (attributes, diagnostic summary, the source line Terraform quotes for the attribute path)
    let cases = [
        (
            "  name     = \"HAS SPACE\"\n  value_wo = \"v\"",
            "Invalid secret name",
            "name     = \"HAS SPACE\"",
        ),
        (
            "  name     = \"MY SECRET.x\"\n  value    = \"v\"",
            "Invalid secret name",
            "characters a secret name may not hold: a space and '.'",
        ),
        (
            "  name     = \"NO_VERSION\"\n  value_wo = \"v\"",
            "value_wo needs value_wo_version",
            "value_wo = \"v\"",
        ),
        (
            "  name     = \"TAB\\tINSIDE\"\n  value_wo = \"v\"",
            "Invalid secret name",
            "name     = \"TAB\\tINSIDE\"",
        ),
        (
            "  name     = \"BOTH\"\n  value    = \"a\"\n  value_wo = \"b\"",
            "Conflicting secret values",
            "value_wo = \"b\"",
        ),
        (
            "  name = \"NEITHER\"",
            "A value is needed to create this secret",
            "resource \"cloudflare_store_secret\" \"secret\"",
        ),
        (
            "  name  = \"HUGE\"\n  value = format(\"%65537s\", \"x\")",
            "Secret value too large",
            "value = format(\"%65537s\", \"x\")",
        ),
        (
            "  name     = \"HUGE_WO\"\n  value_wo = format(\"%65537s\", \"x\")",
            "Secret value too large",
            "value_wo = format(\"%65537s\", \"x\")",
        ),
        (
            "  name     = \"K\"\n  value_wo = \"v\"\n  store_id = \"not-a-store\"",
            "Invalid store_id",
            "store_id = \"not-a-store\"",
        ),
        (
            "  name       = \"K\"\n  value_wo   = \"v\"\n  account_id = \"not-an-account\"",
            "Invalid account_id",
            "account_id = \"not-an-account\"",
        ),
        (
            "  name       = \"K\"\n  value_wo   = \"v\"\n  account_id = \"0123456789ABCDEF0123456789ABCDEF\"",
            "Invalid account_id",
            "account_id = \"0123456789ABCDEF0123456789ABCDEF\"",
        ),
    ];
    for (attributes, summary, quoted) in cases {
        tf.config(&secret_config(attributes));
        emulator.state.clear_request_log();
        let run = tf.run(&["plan", "-input=false", "-no-color"]);
        let text = run.text();
        assert_eq!(run.code, 1, "plan must fail for {attributes}: {text}");
        assert!(
            text.contains(&format!("Error: {summary}")),
            "{attributes}: {text}"
        );
        assert!(
            text.contains(quoted),
            "{attributes}: the diagnostic points at the attribute: {text}"
        );
        assert!(
            text.contains(&format!("with {SECRET}")),
            "{attributes}: {text}"
        );
        emulator.assert_no_requests(&format!("planning {attributes}"));
    }
    emulator.assert_empty();
}

/// Extra environment variables for one command.
type Env = &'static [(&'static str, &'static str)];

#[test]
fn bad_store_input_and_a_bad_default_account_fail_the_plan_without_any_api_call() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "bad_store_input_and_a_bad_default_account_fail_the_plan_without_any_api_call",
    ) else {
        return;
    };
    // (configuration, environment, summary, text the diagnostic must contain)
    let cases: [(&str, Env, &str, &str); 4] = [
        (
            "resource \"cloudflare_secrets_store\" \"store\" {\n  name = \"\"\n}",
            &[],
            "Invalid store name",
            "name = \"\"",
        ),
        (
            "resource \"cloudflare_secrets_store\" \"store\" {\n  account_id = \"not-an-account\"\n}",
            &[],
            "Invalid account_id",
            "account_id = \"not-an-account\"",
        ),
        (
            "resource \"cloudflare_secrets_store\" \"store\" {}",
            &[("CLOUDFLARE_ACCOUNT_ID", "not-an-account")],
            "Invalid Cloudflare account ID",
            "environment variable CLOUDFLARE_ACCOUNT_ID \"not-an-account\"",
        ),
        (
            "provider \"cloudflare\" {\n  account_id = \"not-an-account\"\n}\n\n\
             resource \"cloudflare_secrets_store\" \"store\" {}",
            &[],
            "Invalid Cloudflare account ID",
            "account_id = \"not-an-account\"",
        ),
    ];
    for (config, env, summary, shown) in cases {
        tf.config(config);
        emulator.state.clear_request_log();
        let run = tf.run_with_env(&["plan", "-input=false", "-no-color"], env);
        let text = run.text();
        assert_eq!(run.code, 1, "plan must fail for {config}: {text}");
        assert!(
            text.contains(&format!("Error: {summary}")),
            "{config}: {text}"
        );
        assert!(text.contains(shown), "{config}: {text}");
        assert!(text.contains("32 lowercase hexadecimal") || summary == "Invalid store name");
        emulator.assert_no_requests(&format!("planning {config}"));
    }
    emulator.assert_empty();
}

/// The text of the warning `summary` in Terraform's output, up to the next warning.
fn warning_block<'t>(text: &'t str, summary: &str) -> &'t str {
    let start = text
        .find(summary)
        .unwrap_or_else(|| panic!("no {summary}: {text}"));
    let rest = &text[start + summary.len()..];
    &rest[..rest.find("Warning:").unwrap_or(rest.len())]
}

#[test]
fn a_warning_comes_from_every_walk_that_knows_the_value_and_terraform_groups_the_repeats() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_warning_comes_from_every_walk_that_knows_the_value_and_terraform_groups_the_repeats",
    ) else {
        return;
    };
    // A literal is known in all three walks (validate, plan, apply) and warns in each, as with
    // any provider; a variable is known only from the plan walk on. Terraform shows each warning
    // once and counts its repeats (Terraform 1.11 counts a plan's repeat too; 1.15 leaves it out).
    tf.config(&format!(
        "variable \"scopes\" {{\n  type = set(string)\n}}\n\n\
         resource \"cloudflare_secrets_store\" \"store\" {{}}\n\n{}",
        secret_config(
            "  store_id = cloudflare_secrets_store.store.id\n  name     = \"ONCE\"\n  \
             value    = format(\"%2000s\", \"x\")\n  scopes   = var.scopes"
        )
    ));
    let plan = tf.run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-var",
        "scopes=[\"workers\", \"spaceships\"]",
    ]);
    let text = plan.text();
    assert_eq!(plan.code, 0, "{text}");
    let large = "Warning: Large secret value";
    let scope = "Warning: Unknown scope \"spaceships\"";
    for warning in [large, scope] {
        assert_eq!(text.matches(warning).count(), 1, "{warning}: {text}");
    }
    assert!(
        !warning_block(&text, scope).contains("more similar"),
        "{text}"
    );
    // Apply runs all three walks, the last one (apply) validating again.
    let apply = tf.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-var",
        "scopes=[\"workers\"]",
    ]);
    let text = apply.text();
    assert_eq!(apply.code, 0, "{text}");
    assert_eq!(text.matches(large).count(), 1, "{text}");
    let repeats = warning_block(&text, large);
    assert!(
        repeats.contains("(and 2 more similar warnings elsewhere)"),
        "{text}"
    );
    let destroy = tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-var",
        "scopes=[\"workers\"]",
    ]);
    assert_eq!(destroy.code, 0, "{}", destroy.text());
    emulator.assert_empty();
}

#[test]
fn a_large_value_warns_and_an_unknown_scope_warns_but_neither_blocks_the_plan() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "a_large_value_warns_and_an_unknown_scope_warns_but_neither_blocks_the_plan",
    ) else {
        return;
    };
    tf.config(&format!(
        "resource \"cloudflare_secrets_store\" \"store\" {{}}\n\n{}",
        secret_config(
            "  store_id = cloudflare_secrets_store.store.id\n  name     = \"LARGE\"\n  \
             value_wo = format(\"%2000s\", \"x\")\n  value_wo_version = 1\n  scopes   = [\"workers\", \"wrokers\"]"
        )
    ));
    emulator.state.clear_request_log();
    let text = tf.plan_text(true);
    assert!(text.contains("Warning: Large secret value"), "{text}");
    assert!(
        text.contains("Warning: Unknown scope \"wrokers\""),
        "{text}"
    );
    assert!(
        text.contains("scopes   = [\"workers\", \"wrokers\"]"),
        "points at scopes: {text}"
    );
    emulator.assert_only_the_quota_read("planning a new store and secret");

    // Apply goes ahead and sends the scope; the API has the last word and its refusal is
    // reported with the secret and the scope it rejected.
    let failure = tf.apply_fails();
    assert!(failure.contains("Warning: Unknown scope"), "{failure}");
    assert!(failure.contains("LARGE"), "{failure}");
    assert!(failure.contains("wrokers"), "{failure}");
    let posted = emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/secrets"))
        .count();
    assert_eq!(posted, 1, "apply sent the secret despite the warning");
    assert!(emulator.state.secrets().is_empty());

    // The same warning does not stop an apply the API accepts: a large value.
    tf.config(&format!(
        "resource \"cloudflare_secrets_store\" \"store\" {{}}\n\n{}",
        secret_config(
            "  store_id = cloudflare_secrets_store.store.id\n  name     = \"LARGE\"\n  \
             value_wo = format(\"%2000s\", \"x\")\n  value_wo_version = 1"
        )
    ));
    let run = tf.apply();
    assert!(
        run.text().contains("Warning: Large secret value"),
        "{}",
        run.text()
    );
    let id = tf.resource(SECRET)["id"].as_str().unwrap().to_string();
    assert_eq!(
        emulator.state.secret_value_for_test(&id).map(|v| v.len()),
        Some(2000)
    );
    tf.assert_plan_empty();
    tf.destroy();
    emulator.assert_empty();
}

#[test]
fn malformed_import_ids_fail_without_any_api_call() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(&emulator, "malformed_import_ids_fail_without_any_api_call") else {
        return;
    };
    tf.config(
        "resource \"cloudflare_secrets_store\" \"store\" {}\n\n\
         resource \"cloudflare_store_secret\" \"secret\" {\n  name     = \"S\"\n  value_wo = \"v\"\n  value_wo_version = 1\n}",
    );
    let cases = [
        (SECRET, "a/b", "<account_id>/<store_id>/<secret_name>"),
        (SECRET, "a/b/c/d", "<account_id>/<store_id>/<secret_name>"),
        (SECRET, "a//c", "<account_id>/<store_id>/<secret_name>"),
        (SECRET, " S", "<account_id>/<store_id>/<secret_name>"),
        (STORE, "a/b/c", "<account_id>/<store_id>"),
        (STORE, "/b", "<account_id>/<store_id>"),
    ];
    for (address, id, forms) in cases {
        emulator.state.clear_request_log();
        let run = tf.run(&["import", "-input=false", "-no-color", address, id]);
        let text = run.text();
        assert_ne!(run.code, 0, "import {id:?} must fail: {text}");
        assert!(text.contains(&format!("{id:?}")), "names the id: {text}");
        assert!(text.contains(forms), "lists the accepted forms: {text}");
        emulator.assert_no_requests(&format!("importing {id:?}"));
    }
    assert!(tf.raw_state().is_empty() || tf.state().is_empty());
    emulator.assert_empty();
}

#[test]
fn missing_credentials_only_matter_once_an_api_call_is_needed() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(
        &emulator,
        "missing_credentials_only_matter_once_an_api_call_is_needed",
    ) else {
        return;
    };
    tf.config(&format!(
        "resource \"cloudflare_secrets_store\" \"store\" {{}}\n\n{}",
        secret_config(
            "  store_id = cloudflare_secrets_store.store.id\n  name     = \"OK\"\n  value_wo = \"b\"\n  \
             value_wo_version = 1"
        )
    ));
    let run = tf.run_without_credentials(&["validate", "-no-color"]);
    assert_eq!(run.code, 0, "{}", run.text());
    // Planning new resources needs no API call, so no credentials either.
    let run =
        tf.run_without_credentials(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    assert_eq!(run.code, 2, "{}", run.text());
    emulator.assert_no_requests("planning new resources");
    let run = tf.run_without_credentials(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_ne!(run.code, 0);
    let text = run.text();
    assert!(
        text.contains("CLOUDFLARE_API_TOKEN")
            && text.contains("CLOUDFLARE_API_KEY")
            && text.contains("CLOUDFLARE_EMAIL"),
        "names the environment variables to set: {text}"
    );
    assert!(!text.contains("panic"), "{text}");
    emulator.assert_no_requests("an apply without credentials");
    emulator.assert_empty();
}
