//! Acceptance test of module use: a child module holding a store and, with `for_each`, one
//! secret per entry of a 20-entry map. Measures (and prints) the API requests a refreshing
//! `terraform plan` of the applied module makes, from the emulator's request log.

mod acc_harness;
mod support;

use std::time::Instant;

use acc_harness::{Emulator, Workdir, endpoint};

const SECRETS: usize = 20;

const MODULE: &str = r#"terraform {
  required_providers {
    cloudflare = {
      source = "cfsecrets/cloudflare"
    }
  }
}

variable "store_name" {
  type = string
}

variable "secrets" {
  description = "Secret name => write-only value and comment."
  type = map(object({
    value   = string
    comment = string
  }))
}

resource "cloudflare_secrets_store" "this" {
  name = var.store_name
}

resource "cloudflare_store_secret" "this" {
  for_each = var.secrets

  store_id         = cloudflare_secrets_store.this.id
  name             = each.key
  value_wo         = each.value.value
  value_wo_version = 1
  comment          = each.value.comment
  scopes           = ["workers", "ai_gateway"]
}

output "bindings" {
  value = {
    for name, secret in cloudflare_store_secret.this : name => {
      type        = "secrets_store_secret"
      store_id    = secret.store_id
      secret_name = secret.name
    }
  }
}
"#;

/// The root config calling the module; `changed` gets another comment.
fn root_config(changed: Option<usize>) -> String {
    let entries: Vec<String> = (0..SECRETS)
        .map(|i| {
            let comment = if changed == Some(i) {
                "rotated".to_string()
            } else {
                format!("secret {i}")
            };
            format!(
                "    SECRET_{i:02} = {{ value = \"module-value-{i}\", comment = \"{comment}\" }}"
            )
        })
        .collect();
    format!(
        r#"module "app" {{
  source     = "./modules/app_secrets"
  store_name = "app-store"
  secrets = {{
{}
  }}
}}

output "bindings" {{
  value = module.app.bindings
}}"#,
        entries.join("\n")
    )
}

/// Prints the number of logged requests and their per-endpoint breakdown under `title`.
fn print_requests(emulator: &Emulator, title: &str) -> usize {
    let breakdown = emulator.request_breakdown();
    let total: usize = breakdown.values().sum();
    println!("{title}: {total} API request(s)");
    for (endpoint, count) in &breakdown {
        println!("  {count:>3}  {endpoint}");
    }
    total
}

#[test]
fn twenty_secrets_in_a_child_module_with_for_each() {
    let emulator = Emulator::start();
    let Some(tf) = Workdir::new(&emulator, "twenty_secrets_in_a_child_module_with_for_each") else {
        return;
    };
    tf.write_file("modules/app_secrets/main.tf", MODULE);
    tf.config(&root_config(None));
    // `terraform get` installs the local module; `init` would also look the dev-overridden
    // provider up in the registry.
    let get = tf.run(&["get", "-no-color"]);
    assert_eq!(get.code, 0, "terraform get: {}", get.text());

    let started = Instant::now();
    tf.apply();
    println!("apply of the module took {:?}", started.elapsed());
    print_requests(&emulator, "apply");

    let stores = emulator.state.stores();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].name, "app-store");
    let secrets = emulator.state.secrets();
    assert_eq!(secrets.len(), SECRETS);
    let state = tf.state();
    for i in 0..SECRETS {
        let name = format!("SECRET_{i:02}");
        let address = format!("module.app.cloudflare_store_secret.this[\"{name}\"]");
        let secret = state
            .get(&address)
            .unwrap_or_else(|| panic!("{address} is not in state"));
        assert_eq!(secret["name"], name.as_str());
        assert_eq!(secret["status"], "active");
        assert_eq!(secret["store_id"], stores[0].id.as_str());
        assert_eq!(secret["comment"], format!("secret {i}").as_str());
        assert!(secret["value_wo"].is_null());
        let id = secret["id"].as_str().unwrap();
        assert_eq!(
            emulator.state.secret_value_for_test(id),
            Some(format!("module-value-{i}"))
        );
        let remote = secrets.iter().find(|s| s.id == id).unwrap();
        assert_eq!(remote.scopes, ["ai_gateway", "workers"]);
    }
    assert!(
        !tf.raw_state().contains("module-value-"),
        "write-only values never reach the state"
    );
    let bindings = &tf.outputs()["bindings"]["value"];
    assert_eq!(bindings.as_object().map(|b| b.len()), Some(SECRETS));
    assert_eq!(
        bindings["SECRET_07"],
        serde_json::json!({
            "type": "secrets_store_secret",
            "store_id": stores[0].id,
            "secret_name": "SECRET_07",
        })
    );
    tf.assert_plan_empty();

    // The measurement: one refreshing plan of the applied module, counted from the log.
    emulator.state.clear_request_log();
    let started = Instant::now();
    tf.assert_plan_empty();
    println!(
        "terraform plan (refresh) of {SECRETS} secrets + 1 store took {:?}",
        started.elapsed()
    );
    let total = print_requests(&emulator, "plan with refresh");
    let log = emulator.state.request_log();
    let listings = log
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/secrets"))
        .count();
    let single_secret_reads = log
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/secrets/"))
        .count();
    let writes = log.iter().filter(|r| r.method != "GET").count();
    // The design: the refreshes of one store's secrets share one listing (20 fit one page),
    // which also shows the store is there (it has no update endpoint, so nothing else about it
    // can change), and a plan writes nothing.
    assert_eq!(
        listings,
        1,
        "one shared listing: {:?}",
        log.iter().map(endpoint).collect::<Vec<_>>()
    );
    assert_eq!(single_secret_reads, 0, "no per-secret GET");
    assert_eq!(writes, 0, "a plan writes nothing");
    assert_eq!(total, 1, "one listing for the store and its secrets");

    // Without refresh, planning makes no API call at all.
    emulator.state.clear_request_log();
    let run = tf.run(&[
        "plan",
        "-refresh=false",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
    ]);
    assert_eq!(run.code, 0, "{}", run.text());
    print_requests(&emulator, "plan -refresh=false");
    emulator.assert_no_requests("plan -refresh=false");

    // One entry changes: exactly that secret is updated in place.
    tf.config(&root_config(Some(3)));
    let actions = tf.planned_actions();
    let changing: Vec<_> = actions
        .iter()
        .filter(|(_, a)| a != &["no-op".to_string()])
        .collect();
    assert_eq!(
        changing,
        [&(
            "module.app.cloudflare_store_secret.this[\"SECRET_03\"]".to_string(),
            vec!["update".to_string()]
        )]
    );
    emulator.state.clear_request_log();
    tf.apply();
    let patches = emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patches, 1);
    tf.assert_plan_empty();

    emulator.state.clear_request_log();
    tf.destroy();
    print_requests(&emulator, "destroy");
    emulator.assert_empty();
}
