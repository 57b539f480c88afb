//! Acceptance tests for adopting existing objects: `terraform query` with config generation
//! (Terraform 1.14+), import by resource identity and identity stability (1.12+), secrets whose
//! value is managed elsewhere, and `moved` or `removed` + `import` from the official Cloudflare
//! provider.

mod acc_harness;
mod support;

use std::collections::BTreeMap;
use std::path::Path;

use acc_harness::{ACCOUNT_ID, Emulator, Workdir};
use serde_json::{Value as Json, json};

/// The official provider's address, served in these tests by a stand-in: for `moved`, this
/// provider's own binary (Terraform needs a provider at that address only to hold the state
/// being moved); for `removed`, the test-only provider, which declares the official resource
/// types so Terraform can decode and forget their state.
const OFFICIAL: &str = "cloudflare/cloudflare";

/// `(resource address, identity)` of every instance in the raw state file.
fn identities(tf: &Workdir) -> BTreeMap<String, Json> {
    let state: Json = serde_json::from_str(&tf.raw_state()).expect("state JSON");
    let mut found = BTreeMap::new();
    for resource in state["resources"].as_array().into_iter().flatten() {
        let address = format!(
            "{}.{}",
            resource["type"].as_str().unwrap_or_default(),
            resource["name"].as_str().unwrap_or_default()
        );
        found.insert(address, resource["instances"][0]["identity"].clone());
    }
    found
}

/// The id of the secret named `name`.
fn secret_id(emulator: &Emulator, name: &str) -> String {
    let secrets = emulator.state.secrets();
    secrets
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.id.clone())
        .unwrap_or_else(|| panic!("no secret {name}"))
}

/// The default store, created outside Terraform; returns its id.
fn default_store(emulator: &Emulator) -> String {
    emulator.create_store("default_secrets_store")
}

#[test]
fn query_lists_secrets_and_the_generated_config_plans_only_imports() {
    let test = "query_lists_secrets_and_the_generated_config_plans_only_imports";
    let emulator = Emulator::start();
    let Some(tf) = Workdir::at_least(&emulator, test, (1, 14), "terraform query") else {
        return;
    };
    let store_id = default_store(&emulator);
    let names = [
        "APP_DB_URL",
        "APP_MAIL",
        "APP_PAY",
        "APP_SEARCH",
        "APP_STRIPE",
    ];
    for name in names {
        emulator.create_secret(&store_id, name, &format!("value-of-{name}"));
    }
    emulator.create_secret(&store_id, "OTHER_TOKEN", "value-of-other");
    emulator.create_secret(&store_id, "APP_AI_ONLY", "value-of-ai");
    emulator.api(
        "PATCH",
        &format!(
            "/stores/{store_id}/secrets/{}",
            secret_id(&emulator, "APP_AI_ONLY")
        ),
        Some(json!({ "scopes": ["ai_gateway"] })),
    );
    // The bulk adoption example: APP_ secrets with the workers scope, and the stores.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/bulk-adoption");
    for file in ["main.tf", "secrets.tfquery.hcl"] {
        let text = std::fs::read_to_string(example.join(file)).expect("example file");
        tf.write_file(file, &text);
    }

    let query = tf.run(&["query", "-no-color"]);
    assert_eq!(query.code, 0, "query failed:\n{}", query.text());
    let listed: Vec<&str> = query
        .stdout
        .lines()
        .filter(|l| l.starts_with("list.cloudflare_store_secret.app"))
        .collect();
    assert_eq!(listed.len(), 5, "five APP_ secrets:\n{}", query.stdout);
    for name in names {
        assert!(
            listed.iter().any(|l| l.trim_end().ends_with(name)),
            "{name}: {listed:?}"
        );
    }
    assert!(
        listed
            .iter()
            .all(|l| l.contains(&format!("store_id={store_id}")))
    );
    assert!(!query.stdout.contains("OTHER_TOKEN"), "the prefix filters");
    assert!(!query.stdout.contains("APP_AI_ONLY"), "the scopes filter");
    assert!(
        query
            .stdout
            .lines()
            .any(|l| l.starts_with("list.cloudflare_secrets_store.stores")
                && l.trim_end().ends_with("default_secrets_store")),
        "{}",
        query.stdout
    );

    let generate = tf.run(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    assert_eq!(generate.code, 0, "query failed:\n{}", generate.text());
    let generated = std::fs::read_to_string(tf.path().join("generated.tf")).expect("generated");
    // Five secrets and the store.
    assert_eq!(generated.matches("import {").count(), 6, "{generated}");
    assert_eq!(generated.matches("identity = {").count(), 6, "{generated}");
    for computed_only in ["status", "created", "modified"] {
        assert!(
            !generated.contains(computed_only),
            "{computed_only} is computed only:\n{generated}"
        );
    }
    assert!(!generated.contains("value-of-"), "no values: {generated}");

    let plan = tf.plan_text(true);
    assert!(
        plan.contains("Plan: 6 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    tf.apply();
    tf.assert_plan_empty();
    for name in names {
        assert_eq!(
            emulator
                .state
                .secret_value_for_test(&secret_id(&emulator, name))
                .as_deref(),
            Some(format!("value-of-{name}").as_str()),
            "adopting leaves the value alone"
        );
    }
}

#[test]
fn query_respects_the_limit_lists_stores_and_reports_api_errors() {
    let test = "query_respects_the_limit_lists_stores_and_reports_api_errors";
    let emulator = Emulator::start();
    let Some(tf) = Workdir::at_least(&emulator, test, (1, 14), "terraform query") else {
        return;
    };
    tf.config("provider \"cloudflare\" {}");
    tf.write_file(
        "adopt.tfquery.hcl",
        "list \"cloudflare_store_secret\" \"all\" {\n  provider = cloudflare\n}\n",
    );
    let no_store = tf.run(&["query", "-no-color"]);
    assert_ne!(no_store.code, 0, "{}", no_store.text());
    assert!(
        no_store.text().contains("Default Secrets Store not found")
            && no_store.text().contains("Set store_id"),
        "{}",
        no_store.text()
    );
    assert!(
        emulator.state.stores().is_empty(),
        "a query creates no store"
    );

    let store_id = default_store(&emulator);
    for n in 0..4 {
        emulator.create_secret(&store_id, &format!("KEY_{n}"), "v");
    }
    tf.write_file(
        "adopt.tfquery.hcl",
        &format!(
            "list \"cloudflare_store_secret\" \"two\" {{\n  provider = cloudflare\n  limit = 2\n  \
             config {{\n    store_id = \"{store_id}\"\n    scopes = [\"workers\"]\n  }}\n}}\n\n\
             list \"cloudflare_secrets_store\" \"stores\" {{\n  provider = cloudflare\n}}\n"
        ),
    );
    let query = tf.run(&["query", "-no-color"]);
    assert_eq!(query.code, 0, "query failed:\n{}", query.text());
    let count = |prefix: &str| {
        query
            .stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .count()
    };
    assert_eq!(
        count("list.cloudflare_store_secret.two"),
        2,
        "{}",
        query.stdout
    );
    assert_eq!(
        count("list.cloudflare_secrets_store.stores"),
        1,
        "{}",
        query.stdout
    );
    assert!(query.stdout.contains("default_secrets_store"));

    let missing = "0".repeat(32);
    tf.write_file(
        "adopt.tfquery.hcl",
        &format!(
            "list \"cloudflare_store_secret\" \"gone\" {{\n  provider = cloudflare\n  config {{\n    \
             store_id = \"{missing}\"\n  }}\n}}\n"
        ),
    );
    let failed = tf.run(&["query", "-no-color"]);
    assert_ne!(failed.code, 0);
    assert!(
        failed
            .text()
            .contains(&format!("list secrets of store {missing}")),
        "{}",
        failed.text()
    );
}

#[test]
fn import_by_identity_keeps_the_identity_and_leaves_a_value_managed_elsewhere_alone() {
    let test = "import_by_identity_keeps_the_identity_and_leaves_a_value_managed_elsewhere_alone";
    let emulator = Emulator::start();
    let Some(tf) = Workdir::at_least(&emulator, test, (1, 12), "import by identity") else {
        return;
    };
    let store_id = default_store(&emulator);
    let secret_id = emulator.create_secret(&store_id, "WRANGLER_KEY", "set-by-wrangler");
    let resources = |comment: &str| {
        format!(
            "resource \"cloudflare_secrets_store\" \"main\" {{}}\n\n\
             resource \"cloudflare_store_secret\" \"key\" {{\n  name     = \"WRANGLER_KEY\"\n  \
             store_id = cloudflare_secrets_store.main.id\n{comment}}}\n"
        )
    };
    tf.config(&format!(
        "import {{\n  to       = cloudflare_secrets_store.main\n  identity = {{ id = \"{store_id}\" }}\n}}\n\n\
         import {{\n  to       = cloudflare_store_secret.key\n  identity = {{\n    store_id = \"{store_id}\"\n    \
         id       = \"{secret_id}\"\n  }}\n}}\n\n{}",
        resources("")
    ));
    let plan = tf.plan_text(true);
    assert!(
        plan.contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    tf.apply();
    let expected = BTreeMap::from([
        (
            "cloudflare_secrets_store.main".to_string(),
            json!({ "account_id": ACCOUNT_ID, "id": store_id }),
        ),
        (
            "cloudflare_store_secret.key".to_string(),
            json!({ "account_id": ACCOUNT_ID, "id": secret_id, "store_id": store_id }),
        ),
    ]);
    assert_eq!(identities(&tf), expected, "after import");
    tf.assert_plan_empty();

    tf.config(&resources("  comment  = \"rotated by wrangler\"\n"));
    tf.apply();
    assert_eq!(identities(&tf), expected, "after an update");
    assert_eq!(
        emulator.state.secret_value_for_test(&secret_id).as_deref(),
        Some("set-by-wrangler"),
        "a value managed elsewhere is never sent"
    );
    let refresh = tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(refresh.code, 0, "{}", refresh.text());
    assert_eq!(identities(&tf), expected, "after a refresh");
    tf.state_rm("cloudflare_store_secret.key");
    let import = tf.run(&[
        "import",
        "-no-color",
        "cloudflare_store_secret.key",
        &format!("{ACCOUNT_ID}/{store_id}/WRANGLER_KEY"),
    ]);
    assert_eq!(import.code, 0, "{}", import.text());
    assert_eq!(identities(&tf), expected, "after an import by name");
    tf.assert_plan_empty();

    emulator.api(
        "DELETE",
        &format!("/stores/{store_id}/secrets/{secret_id}"),
        None,
    );
    let run = tf.run(&["plan", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.text());
    assert!(
        run.text()
            .contains("Secret WRANGLER_KEY was deleted outside Terraform")
            && run.text().contains("`removed` block"),
        "{}",
        run.text()
    );
}

#[test]
fn state_written_without_identity_gets_it_silently() {
    let test = "state_written_without_identity_gets_it_silently";
    let emulator = Emulator::start();
    let Some(tf) = Workdir::at_least(&emulator, test, (1, 12), "resource identity") else {
        return;
    };
    tf.config(
        "resource \"cloudflare_store_secret\" \"s\" {\n  name  = \"OLD_STATE\"\n  value = \"v\"\n}\n",
    );
    tf.apply();
    let expected = identities(&tf);
    assert!(
        expected["cloudflare_store_secret.s"].is_object(),
        "{expected:?}"
    );
    // What a provider version without identity left behind.
    let mut state: Json = serde_json::from_str(&tf.raw_state()).expect("state JSON");
    for resource in state["resources"].as_array_mut().into_iter().flatten() {
        for instance in resource["instances"].as_array_mut().into_iter().flatten() {
            let instance = instance.as_object_mut().expect("instance");
            instance.remove("identity");
            instance.remove("identity_schema_version");
        }
    }
    std::fs::write(tf.path().join("terraform.tfstate"), state.to_string()).expect("state");
    assert!(identities(&tf)["cloudflare_store_secret.s"].is_null());

    let plan = tf.run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.text());
    assert_eq!(
        plan.text().matches("Warning:").count(),
        1,
        "only the dev_overrides warning: {}",
        plan.text()
    );
    let refresh = tf.run(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
    assert_eq!(refresh.code, 0, "{}", refresh.text());
    assert_eq!(identities(&tf), expected);
}

/// State as the official provider writes it: `instances` by resource type and name, at its
/// schema version 500 (that of `cloudflare_secrets_store` and `cloudflare_secrets_store_secret`
/// in v5.20 to v5.22).
fn official_state(resources: &[(&str, &str, Json)]) -> String {
    let resources: Vec<Json> = resources
        .iter()
        .map(|(type_name, name, attributes)| {
            let version = 500;
            json!({
                "mode": "managed", "type": type_name, "name": name,
                "provider": "provider[\"registry.terraform.io/cloudflare/cloudflare\"]",
                "instances": [{ "schema_version": version, "attributes": attributes,
                                "sensitive_attributes": [] }]
            })
        })
        .collect();
    json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1,
        "lineage": "5c1e7a0e-41f2-4f7b-9d55-0d8e1b2a9c01", "outputs": {},
        "resources": resources
    })
    .to_string()
}

/// The default store and a secret `name` with a plain-text value, created at the emulator and
/// pushed into `tf`'s state as the official provider writes them (`cloudflare_secrets_store.main`
/// and `cloudflare_secrets_store_secret.<address>`); returns the secret's id.
fn push_official_state(emulator: &Emulator, tf: &Workdir, address: &str, name: &str) -> String {
    let store_id = default_store(emulator);
    let secret_id = emulator.create_secret(&store_id, name, "plain-text-from-v5");
    let store = emulator.state.stores().remove(0);
    let secret = emulator.state.secrets().remove(0);
    tf.write_file(
        "official.tfstate",
        &official_state(&[
            (
                "cloudflare_secrets_store",
                "main",
                json!({ "id": store_id, "account_id": ACCOUNT_ID, "name": store.name,
                        "created": store.created, "modified": store.modified }),
            ),
            (
                "cloudflare_secrets_store_secret",
                address,
                json!({ "id": secret_id, "account_id": ACCOUNT_ID, "store_id": store_id,
                        "name": name, "value": "plain-text-from-v5",
                        "scopes": ["workers"], "comment": null, "status": "active",
                        "created": secret.created, "modified": secret.modified }),
            ),
        ]),
    );
    let push = tf.run(&["state", "push", "official.tfstate"]);
    assert_eq!(push.code, 0, "{}", push.text());
    assert!(
        tf.raw_state().contains("plain-text-from-v5"),
        "the starting point"
    );
    secret_id
}

/// A working directory where this provider's own binary stands in for the official one;
/// `None` (skipped) before Terraform `minimum`, which `feature` needs.
fn stand_in_workdir(
    emulator: &Emulator,
    test: &str,
    minimum: (u64, u64),
    feature: &str,
) -> Option<Workdir> {
    let binary = Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudflare"));
    Workdir::with_stand_ins(emulator, test, minimum, feature, &[(OFFICIAL, binary)])
}

#[test]
fn moved_from_the_official_provider_drops_the_plain_text_value_without_replacing() {
    let test = "moved_from_the_official_provider_drops_the_plain_text_value_without_replacing";
    let feature = "moved across providers (1.8) into value_wo (1.11)";
    let value = "value_wo         = \"rotated-on-move\"\n  value_wo_version = 1";
    let Some(moved) = move_the_official_secret(test, (1, 11), feature, value) else {
        return;
    };
    assert!(!moved.tf.raw_state().contains("rotated-on-move"));
}

/// The guide's advice for Terraform 1.8 to 1.10 (no `value_wo` yet): the same move with
/// `value`, which stays in state (sensitive).
#[test]
fn moved_from_the_official_provider_with_value_updates_in_place() {
    let test = "moved_from_the_official_provider_with_value_updates_in_place";
    let value = "value = \"rotated-on-move\"";
    let Some(moved) = move_the_official_secret(test, (1, 8), "moved across providers", value)
    else {
        return;
    };
    assert!(
        moved.tf.raw_state().contains("rotated-on-move"),
        "value is kept in state, as the guide says"
    );
}

/// The migration guide's `moved` example and its advice afterwards: a plan file saved for the
/// move holds no old value, but after the apply `terraform.tfstate.backup` still holds the
/// official provider's plain text while `terraform.tfstate` does not; the guide's two-line rotation (`value_wo` from the ephemeral
/// variable, `value_wo_version` bumped) then pushes a new value with one in-place update.
#[test]
fn after_the_guides_move_old_copies_keep_the_plain_text_until_the_guides_rotation() {
    let test = "after_the_guides_move_old_copies_keep_the_plain_text_until_the_guides_rotation";
    let feature = "moved across providers (1.8) into value_wo (1.11)";
    let emulator = Emulator::start();
    let Some(mut tf) = stand_in_workdir(&emulator, test, (1, 11), feature) else {
        return;
    };
    let secret_id = push_official_state(&emulator, &tf, "stripe", "STRIPE_API_KEY");
    let old = "plain-text-from-v5";
    let guide_config = use_guide_example(&mut tf, "moved");
    tf.set_env("TF_VAR_stripe_api_key", "pushed-on-move");

    // A plan saved for the migration itself holds no old value: the move drops it first.
    let plan = tf.run(&["plan", "-out=migration.tfplan", "-no-color"]);
    assert_eq!(plan.code, 0, "{}", plan.text());
    let members = xtask::archive::read_entries(&tf.path().join("migration.tfplan"))
        .expect("a plan file is a zip archive");
    let holding: Vec<&str> = members
        .iter()
        .filter(|m| m.contents.windows(old.len()).any(|w| w == old.as_bytes()))
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(holding, Vec::<&str>::new(), "members holding the old value");
    let apply = tf.run(&["apply", "-no-color", "migration.tfplan"]);
    assert_eq!(apply.code, 0, "{}", apply.text());
    let backup_file = tf.path().join("terraform.tfstate.backup");
    let backup = move || std::fs::read_to_string(&backup_file).unwrap_or_default();
    assert!(!tf.raw_state().contains(old), "terraform.tfstate is clean");
    assert!(backup().contains(old), "terraform.tfstate.backup is not");
    assert_eq!(
        emulator.state.secret_value_for_test(&secret_id).as_deref(),
        Some("pushed-on-move")
    );

    // The guide's rotation: its two lines in place of the example's value lines.
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/guides/migrating-from-the-official-provider.md"),
    )
    .expect("the migration guide");
    let rotation = guide
        .split("```hcl\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the guide shows the rotation in an hcl block");
    assert_eq!(rotation.lines().count(), 2, "{rotation}");
    let example_lines = "  value_wo         = var.stripe_api_key\n  value_wo_version = 1\n";
    assert!(guide_config.contains(example_lines), "{guide_config}");
    tf.write_file("main.tf", &guide_config.replace(example_lines, rotation));
    tf.set_env("TF_VAR_stripe_api_key", "rotated-after-migration");
    assert_planned_actions(
        &tf,
        &[
            ("cloudflare_secrets_store.main", "no-op"),
            ("cloudflare_store_secret.stripe", "update"),
        ],
    );
    tf.apply();
    assert_eq!(
        emulator.state.secret_value_for_test(&secret_id).as_deref(),
        Some("rotated-after-migration")
    );
    assert_eq!(emulator.state.secrets().len(), 1, "nothing re-created");
    for file in [tf.raw_state(), backup()] {
        assert!(!file.contains(old) && !file.contains("rotated-after-migration"));
    }
    tf.assert_plan_empty();
}

/// What [`move_the_official_secret`] leaves for the caller's own checks.
struct MovedSecret {
    tf: Workdir,
}

/// A secret the official provider wrote to state (plain-text `value`), moved with a `moved`
/// block into `cloudflare_store_secret` configured with `value_lines` (its value attributes):
/// the plan is one in-place update, and after the apply the old value and the official provider
/// are gone from state, the new value is at Cloudflare, nothing was re-created, and the next plan
/// is empty. `None` when the Terraform in use is older than `min_version` (the test skips).
fn move_the_official_secret(
    test: &str,
    min_version: (u64, u64),
    feature: &str,
    value_lines: &str,
) -> Option<MovedSecret> {
    let emulator = Emulator::start();
    let tf = stand_in_workdir(&emulator, test, min_version, feature)?;
    let secret_id = push_official_state(&emulator, &tf, "legacy", "LEGACY_KEY");
    tf.config(&format!(
        "moved {{\n  from = cloudflare_secrets_store_secret.legacy\n  to   = cloudflare_store_secret.legacy\n}}\n\n\
         resource \"cloudflare_secrets_store\" \"main\" {{}}\n\n\
         resource \"cloudflare_store_secret\" \"legacy\" {{\n  name     = \"LEGACY_KEY\"\n  \
         store_id = cloudflare_secrets_store.main.id\n  {value_lines}\n}}\n",
    ));

    let plan = tf.plan_text(true);
    assert!(
        plan.contains("(moved from cloudflare_secrets_store_secret.legacy)"),
        "{plan}"
    );
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(!plan.contains("must be replaced"), "{plan}");
    tf.apply();
    assert!(
        !tf.raw_state().contains("plain-text-from-v5"),
        "the plain-text value is gone from the state file"
    );
    assert!(
        !tf.raw_state()
            .contains("registry.terraform.io/cloudflare/cloudflare")
    );
    assert_eq!(
        emulator.state.secret_value_for_test(&secret_id).as_deref(),
        Some("rotated-on-move")
    );
    assert_eq!(emulator.state.secrets().len(), 1, "nothing re-created");
    tf.assert_plan_empty();
    Some(MovedSecret { tf })
}

#[test]
fn moved_from_anything_else_is_refused_naming_what_is_supported() {
    let test = "moved_from_anything_else_is_refused_naming_what_is_supported";
    let emulator = Emulator::start();
    let Some(tf) = stand_in_workdir(&emulator, test, (1, 8), "moved across providers") else {
        return;
    };
    let store_id = default_store(&emulator);
    tf.write_file(
        "official.tfstate",
        &official_state(&[(
            "cloudflare_workers_secret",
            "old",
            json!({ "id": "x", "account_id": ACCOUNT_ID, "name": "K", "secret_text": "t" }),
        )]),
    );
    tf.config(&format!(
        "moved {{\n  from = cloudflare_workers_secret.old\n  to   = cloudflare_store_secret.new\n}}\n\n\
         resource \"cloudflare_store_secret\" \"new\" {{\n  name     = \"K\"\n  store_id = \"{store_id}\"\n  \
         value    = \"v\"\n}}\n"
    ));
    let push = tf.run(&["state", "push", "official.tfstate"]);
    assert_eq!(push.code, 0, "{}", push.text());
    let run = tf.run(&["plan", "-no-color"]);
    assert_eq!(run.code, 1, "{}", run.text());
    let text = run.text();
    assert!(text.contains("Unsupported move source"), "{text}");
    assert!(
        text.contains(
            "cloudflare_secrets_store_secret of registry.terraform.io/cloudflare/cloudflare"
        ),
        "{text}"
    );
    assert!(emulator.state.secrets().is_empty(), "nothing created");
}

/// A working directory where the official provider is the test-only provider, whose stand-ins
/// for `cloudflare_secrets_store_secret` and `cloudflare_secrets_store` hold the state being
/// forgotten (and refuse any write).
fn official_stand_in_workdir(emulator: &Emulator, test: &str) -> Option<Workdir> {
    let stand_in = support::example_binary("protocol_test_provider");
    let mut tf = Workdir::with_stand_ins(
        emulator,
        test,
        (1, 7),
        "removed with lifecycle { destroy = false }",
        &[(OFFICIAL, &stand_in)],
    )?;
    let objects = tf.path().join("official-provider-stand-in.json");
    tf.set_env("TEST_PROVIDER_STORE_PATH", &objects.to_string_lossy());
    Some(tf)
}

/// Writes the guide's example `examples/migration/<example>/main.tf`, as it is, into `tf`,
/// gives it the account id variable, and returns the configuration.
fn use_guide_example(tf: &mut Workdir, example: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/migration")
        .join(example)
        .join("main.tf");
    let guide_config = std::fs::read_to_string(&path).expect("the guide's example");
    tf.write_file("main.tf", &guide_config);
    tf.set_env("TF_VAR_account_id", ACCOUNT_ID);
    guide_config
}

/// The logged API requests that write (anything but GET).
fn writes(emulator: &Emulator) -> Vec<String> {
    emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method != "GET")
        .map(acc_harness::endpoint)
        .collect()
}

/// The plan's action for each resource address is exactly `expected`.
fn assert_planned_actions(tf: &Workdir, expected: &[(&str, &str)]) {
    let actions: BTreeMap<String, Vec<String>> = tf.planned_actions().into_iter().collect();
    let expected: BTreeMap<String, Vec<String>> = expected
        .iter()
        .map(|(address, action)| (address.to_string(), vec![action.to_string()]))
        .collect();
    assert_eq!(actions, expected);
}

/// Applies a migration plan and checks its outcome: no write at the emulator, the official
/// provider's store and secret (value included) as they were, and a state holding only this
/// provider's `store_address` and `cloudflare_store_secret.stripe`, with their ids and no value.
fn apply_takes_over_without_writing(
    emulator: &Emulator,
    tf: &Workdir,
    store_address: &str,
    store_id: &str,
    secret_id: &str,
) {
    emulator.state.clear_request_log();
    tf.apply();
    assert_eq!(
        writes(emulator),
        Vec::<String>::new(),
        "the apply writes nothing"
    );
    assert_eq!(emulator.state.stores().len(), 1, "the store is kept");
    assert_eq!(emulator.state.secrets().len(), 1, "the secret is kept");
    assert_eq!(
        emulator.state.secret_value_for_test(secret_id).as_deref(),
        Some("plain-text-from-v5"),
        "the value at Cloudflare is untouched"
    );
    let state = tf.raw_state();
    assert!(
        !state.contains("plain-text-from-v5"),
        "no value in state: {state}"
    );
    assert!(
        !state.contains("registry.terraform.io/cloudflare/cloudflare"),
        "no reference to the official provider: {state}"
    );
    let adopted = tf.state();
    let secret = "cloudflare_store_secret.stripe";
    assert_eq!(adopted.keys().collect::<Vec<_>>(), [store_address, secret]);
    assert_eq!(adopted[store_address]["id"], json!(store_id));
    assert_eq!(adopted[secret]["id"], json!(secret_id));
    assert_eq!(adopted[secret]["store_id"], json!(store_id));
    assert_eq!(adopted[secret]["value"], Json::Null);
    tf.assert_plan_empty();
}

#[test]
fn removed_and_import_from_the_official_provider_forget_adopt_and_write_nothing() {
    let test = "removed_and_import_from_the_official_provider_forget_adopt_and_write_nothing";
    let emulator = Emulator::start();
    let Some(mut tf) = official_stand_in_workdir(&emulator, test) else {
        return;
    };
    let secret_id = push_official_state(&emulator, &tf, "stripe", "STRIPE_API_KEY");
    let store_id = emulator.state.stores().remove(0).id;
    let guide_config = use_guide_example(&mut tf, "import-and-remove");

    let plan = tf.plan_text(true);
    assert!(
        plan.contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(
        plan.contains(
            "cloudflare_secrets_store_secret.stripe will no longer be managed by Terraform, \
             but will not be destroyed"
        ),
        "{plan}"
    );
    assert!(
        plan.contains("cloudflare_store_secret.stripe will be imported"),
        "{plan}"
    );
    for never in [
        "will be created",
        "will be destroyed",
        "must be replaced",
        "will be updated",
    ] {
        assert!(!plan.contains(never), "{never}: {plan}");
    }
    assert!(!plan.contains("plain-text-from-v5"), "{plan}");
    assert_planned_actions(
        &tf,
        &[
            ("cloudflare_secrets_store.main", "no-op"),
            ("cloudflare_secrets_store_secret.stripe", "forget"),
            ("cloudflare_store_secret.stripe", "no-op"),
        ],
    );

    apply_takes_over_without_writing(
        &emulator,
        &tf,
        "cloudflare_secrets_store.main",
        &store_id,
        &secret_id,
    );

    // The value taken over: one in-place update (write-only attributes need Terraform 1.11).
    if support::terraform_at_least(test, (1, 11), "its last step, adding value_wo,").is_none() {
        return;
    }
    let secret_block = "  store_id = cloudflare_secrets_store.main.id\n}\n";
    assert!(guide_config.contains(secret_block), "{guide_config}");
    tf.write_file(
        "main.tf",
        &guide_config.replace(
            secret_block,
            "  store_id = cloudflare_secrets_store.main.id\n  value_wo = \"rotated-after-import\"\n  \
             value_wo_version = 1\n}\n",
        ),
    );
    let plan = tf.plan_text(true);
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    assert!(
        plan.contains("cloudflare_store_secret.stripe will be updated in-place"),
        "{plan}"
    );
    assert!(!plan.contains("must be replaced"), "{plan}");
    tf.apply();
    assert_eq!(
        emulator.state.secret_value_for_test(&secret_id).as_deref(),
        Some("rotated-after-import")
    );
    assert_eq!(emulator.state.secrets().len(), 1, "updated, not replaced");
    assert!(!tf.raw_state().contains("rotated-after-import"));
    tf.assert_plan_empty();
}

#[test]
fn removed_and_import_of_the_store_under_a_new_address_forget_both_and_write_nothing() {
    let test = "removed_and_import_of_the_store_under_a_new_address_forget_both_and_write_nothing";
    let emulator = Emulator::start();
    let Some(mut tf) = official_stand_in_workdir(&emulator, test) else {
        return;
    };
    let secret_id = push_official_state(&emulator, &tf, "stripe", "STRIPE_API_KEY");
    let store_id = emulator.state.stores().remove(0).id;
    // The guide's configuration for the store's own `removed` block.
    use_guide_example(&mut tf, "import-and-remove-store");
    tf.set_env("TF_VAR_store_id", &store_id);

    let plan = tf.plan_text(true);
    assert!(
        plan.contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    for forgotten in [
        "cloudflare_secrets_store.main",
        "cloudflare_secrets_store_secret.stripe",
    ] {
        assert!(
            plan.contains(&format!(
                "{forgotten} will no longer be managed by Terraform, but will not be destroyed"
            )),
            "{forgotten}: {plan}"
        );
    }
    assert_planned_actions(
        &tf,
        &[
            ("cloudflare_secrets_store.main", "forget"),
            ("cloudflare_secrets_store_secret.stripe", "forget"),
            ("cloudflare_secrets_store.secrets", "no-op"),
            ("cloudflare_store_secret.stripe", "no-op"),
        ],
    );

    apply_takes_over_without_writing(
        &emulator,
        &tf,
        "cloudflare_secrets_store.secrets",
        &store_id,
        &secret_id,
    );
}

#[test]
fn query_requests_no_page_past_its_limit() {
    let test = "query_requests_no_page_past_its_limit";
    let mut config = api_emulator::EmulatorConfig::new(ACCOUNT_ID, acc_harness::API_TOKEN);
    config.max_secrets = 130;
    let emulator = Emulator::start_with(config);
    let Some(tf) = Workdir::at_least(&emulator, test, (1, 14), "terraform query") else {
        return;
    };
    let store_id = default_store(&emulator);
    for n in 0..130 {
        emulator.create_secret(&store_id, &format!("KEY_{n:03}"), "v");
    }
    tf.config("provider \"cloudflare\" {}");
    let secret_pages = || {
        let log = emulator.state.request_log();
        let pages: Vec<String> = log
            .iter()
            .filter(|r| r.method == "GET" && r.path.ends_with("/secrets"))
            .map(|r| r.query.clone().unwrap_or_default())
            .collect();
        emulator.state.clear_request_log();
        pages
    };
    for (limit, listed, pages) in [(3, 3, 1), (120, 120, 2)] {
        tf.write_file(
            "adopt.tfquery.hcl",
            &format!(
                "list \"cloudflare_store_secret\" \"some\" {{\n  provider = cloudflare\n  \
                 limit = {limit}\n  config {{\n    store_id = \"{store_id}\"\n  }}\n}}\n"
            ),
        );
        emulator.state.clear_request_log();
        let query = tf.run(&["query", "-no-color"]);
        assert_eq!(query.code, 0, "query failed:\n{}", query.text());
        let shown = query
            .stdout
            .lines()
            .filter(|l| l.starts_with("list.cloudflare_store_secret.some"))
            .count();
        assert_eq!(shown, listed, "limit {limit}:\n{}", query.stdout);
        // 100 secrets per page: a limit within the first page never asks for the second.
        let requested = secret_pages();
        assert_eq!(requested.len(), pages, "limit {limit}: {requested:?}");
    }
}
