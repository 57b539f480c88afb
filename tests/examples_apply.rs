//! The runnable examples really work and never leak: `examples/demo`, `examples/module` (20
//! secrets through a child module), `examples/worker-binding` (beside a stand-in for the official
//! provider) and `examples/provider` (its token variable) are planned into a saved plan file that
//! must hold no value or token, applied from that file against the in-process emulator, re-planned
//! (must be empty) and destroyed.

mod examples_support;
mod support;

use std::collections::BTreeSet;

use cloudflare_api::{Client, ClientConfig, Credentials, NewSecret};
use examples_support::{
    ACCOUNT_ID, API_TOKEN, LiveEmulator, STAND_IN_STORE_FILE, repo, workspace_with_example,
};
use secrecy::SecretString;
use serde_json::Value as Json;
use support::{TfOutput, Workspace, terraform_or_skip};

/// The classic (state-stored) `value` the demo sets as a literal, on purpose.
const CLASSIC_DEMO_VALUE: &str = "demo-feature-flags-token";

/// The saved plan file every test writes and applies.
const PLAN_FILE: &str = "plan.bin";

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

/// A saved plan as a CI pipeline keeps it: what `terraform plan -out` printed, `terraform show
/// -json` of the file, and the bytes of every member of the file (a zip archive: the plan, the
/// prior state, a copy of the configuration).
struct SavedPlan {
    printed: String,
    shown: String,
    members: Vec<(String, Vec<u8>)>,
}

impl SavedPlan {
    /// `terraform plan -out=plan.bin`, then reads the file back both ways.
    fn write(workspace: &Workspace) -> SavedPlan {
        let out = format!("-out={PLAN_FILE}");
        let printed = workspace.run_ok(&["plan", &out, "-no-color"]).combined();
        let shown = workspace
            .run_ok(&["show", "-json", "-no-color", PLAN_FILE])
            .stdout;
        let entries = xtask::archive::read_entries(&workspace.path().join(PLAN_FILE))
            .expect("a saved plan is a zip archive");
        let members: Vec<(String, Vec<u8>)> = entries
            .into_iter()
            .map(|entry| (entry.name, entry.contents))
            .collect();
        assert!(
            members.iter().any(|(name, _)| name == "tfplan"),
            "the plan file has a tfplan member: {:?}",
            members.iter().map(|(name, _)| name).collect::<Vec<_>>()
        );
        SavedPlan {
            printed,
            shown,
            members,
        }
    }

    /// Where `needle` occurs: "plan output", "show -json" and/or the names of the plan file's
    /// members.
    fn places_holding(&self, needle: &str) -> Vec<String> {
        let mut places = Vec::new();
        if self.printed.contains(needle) {
            places.push("plan output".to_string());
        }
        if self.shown.contains(needle) {
            places.push("show -json".to_string());
        }
        for (name, bytes) in &self.members {
            if bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
            {
                places.push(name.clone());
            }
        }
        places
    }

    /// Panics naming every secret (value or token) found anywhere in the saved plan.
    fn assert_holds_none_of(&self, secrets: &[&str]) {
        assert!(!secrets.is_empty(), "nothing to look for");
        let leaks: Vec<String> = secrets
            .iter()
            .filter_map(|secret| {
                let places = self.places_holding(secret);
                (!places.is_empty()).then(|| format!("{secret:?} in {}", places.join(", ")))
            })
            .collect();
        assert!(
            leaks.is_empty(),
            "the saved plan holds secrets:\n{}",
            leaks.join("\n")
        );
    }
}

/// `terraform apply plan.bin`, which must succeed. Before that, for each ephemeral variable
/// given through `TF_VAR_<name>` at plan time, an apply without it must be refused by Terraform
/// (an ephemeral variable must be given again), changing nothing: what the docs tell users.
fn apply_saved_plan(workspace: &Workspace, ephemeral_variables: &[&str]) -> TfOutput {
    for variable in ephemeral_variables {
        let output = workspace
            .command(&["apply", "-no-color", PLAN_FILE], &[])
            .env_remove(format!("TF_VAR_{variable}"))
            .output()
            .expect("running terraform");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !output.status.success(),
            "applied without {variable}: {text}"
        );
        assert!(
            text.contains(&format!("The ephemeral input variable \"{variable}\"")),
            "{text}"
        );
        assert!(
            text.contains("must also be set during the apply phase"),
            "{text}"
        );
        assert!(
            workspace.state_text().is_empty(),
            "nothing is applied without {variable}"
        );
    }
    workspace.run_ok(&["apply", "-no-color", PLAN_FILE])
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

    // Neither the plan output nor a saved plan holds the write-only value or the token.
    let saved = SavedPlan::write(&workspace);
    assert!(
        saved.shown.contains("PAYMENTS_API_KEY"),
        "show -json of the saved plan lists the planned secret"
    );
    saved.assert_holds_none_of(&[write_only_value, API_TOKEN]);
    // The demo's classic `value` is a literal that state and plans keep by design: the search
    // finds it in the planned values, so it would find a leaked value too.
    let classic = saved.places_holding(CLASSIC_DEMO_VALUE);
    assert!(
        classic.iter().any(|place| place == "tfplan"),
        "the classic value is in the plan's planned values: {classic:?}"
    );
    assert!(emulator.state().stores().is_empty(), "plan must not create");

    apply_saved_plan(&workspace, &["payments_api_key"]);
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
    assert!(workspace.state_text().contains(CLASSIC_DEMO_VALUE));
    workspace.assert_plan_empty();
    workspace.destroy();
    assert_emulator_empty(&emulator);
}

#[test]
fn module_example_creates_twenty_secrets_through_for_each_from_a_saved_plan_without_values() {
    let emulator = LiveEmulator::start(|_| {});
    let Some(mut workspace) = example_workspace(
        "module_example_creates_twenty_secrets_through_for_each_from_a_saved_plan_without_values",
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
    workspace.set_env(
        "TF_VAR_secret_values",
        &Json::Object(values.clone()).to_string(),
    );

    workspace.run_ok(&["get", "-no-color"]);
    let mut never_in_plan: Vec<&str> = values.values().filter_map(Json::as_str).collect();
    never_in_plan.push(API_TOKEN);
    SavedPlan::write(&workspace).assert_holds_none_of(&never_in_plan);
    apply_saved_plan(&workspace, &["secret_values"]);
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

    // Terraform never sees these values; the token must stay out of the saved plan too.
    SavedPlan::write(&workspace).assert_holds_none_of(&[
        "existing-OPENAI_API_KEY",
        "existing-STRIPE_API_KEY",
        API_TOKEN,
    ]);
    apply_saved_plan(&workspace, &[]);
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

#[test]
fn provider_example_keeps_the_token_variable_out_of_a_saved_plan() {
    // The emulator accepts only this token, which reaches the provider through the example's
    // ephemeral variable alone (the environment holds another one).
    let token = "provider-example-token-5c0d1e8a";
    let emulator = LiveEmulator::start(|config| config.api_token = token.to_string());
    let Some(mut workspace) = example_workspace(
        "provider_example_keeps_the_token_variable_out_of_a_saved_plan",
        "provider",
        &emulator,
    ) else {
        return;
    };
    workspace.set_env("TF_VAR_cloudflare_api_token", token);
    // The example configures the provider only; one resource makes the provider call the API.
    workspace.write_file(
        "zz_store.tf",
        "resource \"cloudflare_secrets_store\" \"main\" {}\n",
    );

    SavedPlan::write(&workspace).assert_holds_none_of(&[token, API_TOKEN]);
    assert!(emulator.state().stores().is_empty(), "plan must not create");
    apply_saved_plan(&workspace, &["cloudflare_api_token"]);
    let stores = emulator.state().stores();
    assert_eq!(stores.len(), 1, "{stores:?}");
    assert_eq!(stores[0].name, "default_secrets_store");
    assert!(!workspace.state_text().contains(token));

    workspace.assert_plan_empty();
    workspace.destroy();
    assert_emulator_empty(&emulator);
}
