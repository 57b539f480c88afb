//! The runnable examples really work: `examples/demo`, `examples/module` (20 secrets through a
//! child module) and `examples/worker-binding` (beside a stand-in for the official provider) are
//! applied with the built provider against the in-process emulator, re-planned (must be empty)
//! and destroyed.

mod examples_support;
mod support;

use std::collections::BTreeSet;

use examples_support::{
    ACCOUNT_ID, API_TOKEN, LiveEmulator, STAND_IN_STORE_FILE, repo, workspace_with_example,
};
use secrecy::SecretString;
use serde_json::Value as Json;
use support::{Workspace, terraform_or_skip};
use terraform_provider_cloudflare::cloudflare::{Client, ClientConfig, Credentials, NewSecret};

fn example_workspace(test: &str, example: &str, emulator: &LiveEmulator) -> Option<Workspace> {
    let terraform = terraform_or_skip(test)?;
    let mut workspace = workspace_with_example(&terraform, &repo().join("examples").join(example));
    emulator.configure_workspace(&mut workspace);
    Some(workspace)
}

/// `terraform output -json`, parsed into name → value.
fn outputs(workspace: &Workspace) -> Json {
    let output = workspace.run_ok(&["output", "-json", "-no-color"]);
    let parsed: Json = serde_json::from_str(&output.stdout).expect("output -json prints JSON");
    let mut values = serde_json::Map::new();
    for (name, output) in parsed.as_object().expect("outputs object") {
        values.insert(name.clone(), output["value"].clone());
    }
    Json::Object(values)
}

fn assert_emulator_empty(emulator: &LiveEmulator) {
    assert_eq!(
        emulator.state().stores(),
        vec![],
        "stores left after destroy"
    );
    assert_eq!(
        emulator.state().secrets(),
        vec![],
        "secrets left after destroy"
    );
}

#[test]
fn demo_example_applies_with_a_write_only_value_replans_empty_and_destroys() {
    let emulator = LiveEmulator::start(|_| {});
    let Some(mut workspace) = example_workspace(
        "demo_example_applies_with_a_write_only_value_replans_empty_and_destroys",
        "demo",
        &emulator,
    ) else {
        return;
    };
    let write_only_value = "wo-value-4f1c9a7e-never-in-state";
    workspace.set_env("TF_VAR_payments_api_key", write_only_value);

    // Neither the plan output nor a saved plan holds the write-only value.
    let plan = workspace.run_ok(&["plan", "-out=demo.tfplan", "-no-color"]);
    assert!(!plan.combined().contains(write_only_value));
    // A saved plan is a zip archive; `show -json` reads it back uncompressed.
    let saved_plan = workspace.run_ok(&["show", "-json", "-no-color", "demo.tfplan"]);
    assert!(
        saved_plan.stdout.contains("PAYMENTS_API_KEY"),
        "show -json of the saved plan lists the planned secret"
    );
    assert!(
        !saved_plan.stdout.contains(write_only_value),
        "the write-only value is in the saved plan"
    );
    assert!(emulator.state().stores().is_empty(), "plan must not create");

    workspace.apply();
    let outputs = outputs(&workspace);
    let store_id = outputs["store_id"].as_str().expect("store_id output");
    let payments_id = outputs["secrets"]["PAYMENTS_API_KEY"]["id"]
        .as_str()
        .expect("PAYMENTS_API_KEY id");
    assert_eq!(outputs["secrets"]["PAYMENTS_API_KEY"]["status"], "active");
    assert_eq!(
        outputs["secrets"]["PAYMENTS_API_KEY"]["scopes"],
        serde_json::json!(["ai_gateway", "workers"])
    );
    assert_eq!(
        outputs["secrets"]["FEATURE_FLAGS_TOKEN"]["status"],
        "active"
    );
    assert_eq!(outputs["secret_ref"]["id"], payments_id);
    assert_eq!(
        outputs["worker_binding"],
        serde_json::json!({
            "type": "secrets_store_secret",
            "name": "PAYMENTS_API_KEY",
            "store_id": store_id,
            "secret_name": "PAYMENTS_API_KEY",
        })
    );
    // The write-only value reached the API and nothing else.
    assert_eq!(
        emulator
            .state()
            .secret_value_for_test(payments_id)
            .as_deref(),
        Some(write_only_value)
    );
    assert!(!workspace.state_text().contains(write_only_value));
    workspace.assert_plan_empty();
    workspace.destroy();
    assert_emulator_empty(&emulator);
}

#[test]
fn module_example_creates_twenty_secrets_through_for_each() {
    let emulator = LiveEmulator::start(|_| {});
    let Some(mut workspace) = example_workspace(
        "module_example_creates_twenty_secrets_through_for_each",
        "module",
        &emulator,
    ) else {
        return;
    };
    let module_main = std::fs::read_to_string(repo().join("examples/module/main.tf")).unwrap();
    let names: Vec<String> = module_main
        .lines()
        .skip_while(|line| !line.contains("secret_comments = {"))
        .skip(1)
        .take_while(|line| line.trim() != "}")
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect();
    assert_eq!(
        names.len(),
        20,
        "the module example should pass 20 secrets: {names:?}"
    );
    let values: serde_json::Map<String, Json> = names
        .iter()
        .map(|name| (name.clone(), Json::from(format!("value-of-{name}"))))
        .collect();
    workspace.set_env("TF_VAR_secret_values", &Json::Object(values).to_string());

    workspace.run_ok(&["get", "-no-color"]);
    workspace.apply();
    let secrets = emulator.state().secrets();
    let created: BTreeSet<&str> = secrets.iter().map(|s| s.name.as_str()).collect();
    let expected: BTreeSet<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(created, expected);
    for secret in &secrets {
        assert_eq!(secret.status, "active", "{}", secret.name);
        assert_eq!(
            emulator.state().secret_value_for_test(&secret.id),
            Some(format!("value-of-{}", secret.name))
        );
        let want_scopes = if secret.name.contains("OPENAI") || secret.name.contains("ANTHROPIC") {
            vec!["ai_gateway", "workers"]
        } else {
            vec!["workers"]
        };
        assert_eq!(secret.scopes, want_scopes, "{}", secret.name);
    }
    assert!(!workspace.state_text().contains("value-of-"));
    let outputs = outputs(&workspace);
    assert_eq!(outputs["secret_ids"].as_object().map(|m| m.len()), Some(20));
    assert_eq!(
        outputs["worker_bindings"].as_array().map(Vec::len),
        Some(20)
    );

    workspace.assert_plan_empty();
    workspace.destroy();
    assert_emulator_empty(&emulator);
}

#[test]
fn worker_binding_example_reads_existing_secrets_without_touching_them() {
    let emulator = LiveEmulator::start(|config| config.activation_delay = Default::default());
    let Some(mut workspace) = example_workspace(
        "worker_binding_example_reads_existing_secrets_without_touching_them",
        "worker-binding",
        &emulator,
    ) else {
        return;
    };
    workspace.set_env("TF_VAR_account_id", ACCOUNT_ID);
    // Secrets created outside Terraform, as another team or wrangler would.
    let client = Client::new(ClientConfig::new(
        emulator.base_url(),
        Credentials::ApiToken(SecretString::from(API_TOKEN.to_string())),
    ))
    .expect("API client");
    let store_id = emulator.block_on(async {
        let store = client
            .create_store(ACCOUNT_ID, "default_secrets_store")
            .await
            .expect("create the default store");
        for name in ["OPENAI_API_KEY", "STRIPE_API_KEY"] {
            let secret = NewSecret {
                name: name.to_string(),
                value: SecretString::from(format!("existing-{name}")),
                scopes: vec!["workers".to_string()],
                comment: None,
            };
            client
                .create_secret(ACCOUNT_ID, &store.id, secret)
                .await
                .expect("create an existing secret");
        }
        store.id
    });
    let before = emulator.state().secrets();

    workspace.apply();
    let outputs = outputs(&workspace);
    let bindings = outputs["worker_bindings"]
        .as_array()
        .expect("bindings list");
    assert!(bindings.contains(&serde_json::json!({
        "type": "secrets_store_secret",
        "name": "OPENAI_API_KEY",
        "store_id": store_id,
        "secret_name": "OPENAI_API_KEY",
    })));
    assert!(bindings.contains(&serde_json::json!({
        "type": "secrets_store_secret",
        "name": "STRIPE",
        "store_id": store_id,
        "secret_name": "STRIPE_API_KEY",
    })));
    assert_eq!(bindings.len(), 3);
    let wrangler: Json =
        serde_json::from_str(outputs["wrangler_config"].as_str().expect("JSON text")).unwrap();
    assert_eq!(
        wrangler["secrets_store_secrets"][0],
        serde_json::json!({"binding": "OPENAI_API_KEY", "store_id": store_id, "secret_name": "OPENAI_API_KEY"})
    );
    assert_eq!(outputs["all_secrets_active"], true);
    // The Worker went to the official provider (its stand-in) with exactly these bindings.
    let stand_in_store = workspace.path().join(STAND_IN_STORE_FILE);
    let scripts: Json = serde_json::from_slice(&std::fs::read(&stand_in_store).unwrap()).unwrap();
    assert_eq!(
        scripts["payments"]["bindings"].as_array().map(Vec::len),
        Some(3)
    );
    assert_eq!(
        scripts["payments"]["bindings"][0]["secret_name"],
        "OPENAI_API_KEY"
    );
    assert_eq!(
        scripts["payments"]["bindings"][0]["store_id"],
        store_id.as_str()
    );

    workspace.assert_plan_empty();
    workspace.destroy();
    let scripts: Json = serde_json::from_slice(&std::fs::read(&stand_in_store).unwrap()).unwrap();
    assert_eq!(scripts, serde_json::json!({}), "the Worker is destroyed");
    assert_eq!(
        emulator.state().secrets(),
        before,
        "data sources must not change secrets"
    );
}
