//! Acceptance tests of coalesced API calls through real `terraform` runs, under both batch
//! modes the emulator models: 50 secrets applied and destroyed through 429 bursts, 5xx answers
//! and dropped responses end exact (no duplicates, nothing left), and a name that already
//! exists fails only its own resource while the rest of its batch is created. A destroy
//! empties the store whichever body the bulk delete takes (`{"ids": [...]}` or an array of
//! `{"id": ...}`): a refused bulk DELETE is sent once, then secrets go one by one.

mod acc_harness;
mod support;

use std::time::Duration;

use acc_harness::{ACCOUNT_ID, API_TOKEN, Emulator, Workdir};
use api_emulator::{BatchMode, BulkDeleteBody, EmulatorConfig};

const MODES: [BatchMode; 2] = [BatchMode::AllOrNothing, BatchMode::PerItem];

fn emulator(mode: BatchMode) -> Emulator {
    Emulator::start_with(EmulatorConfig {
        batch_mode: mode,
        activation_delay: Duration::from_millis(100),
        ..EmulatorConfig::new(ACCOUNT_ID, API_TOKEN)
    })
}

/// A store (adopted when it exists) and one write-only secret per name.
fn secrets_config(names: &[String]) -> String {
    let names: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
    format!(
        r#"resource "cloudflare_secrets_store" "store" {{
  adopt = true
}}

resource "cloudflare_store_secret" "secret" {{
  for_each = toset([{}])

  store_id         = cloudflare_secrets_store.store.id
  name             = each.key
  value_wo         = "value-${{each.key}}"
  value_wo_version = 1
}}"#,
        names.join(", ")
    )
}

fn count(emulator: &Emulator, method: &str, path_end: &str) -> usize {
    emulator
        .state
        .request_log()
        .iter()
        .filter(|r| r.method == method && r.path.ends_with(path_end))
        .count()
}

#[test]
fn fifty_secrets_through_faults_apply_and_destroy_exactly_in_both_batch_modes() {
    for mode in MODES {
        let emulator = emulator(mode);
        let test = format!("fifty_secrets_through_faults_{mode:?}");
        let Some(mut tf) = Workdir::new(&emulator, &test) else {
            return;
        };
        // A pace at which parallel creates queue behind the rate limiter, and enough retries.
        tf.set_env("CLOUDFLARE_RPS", "10");
        tf.set_env("CLOUDFLARE_MAX_RETRIES", "10");
        tf.set_env("CLOUDFLARE_MIN_BACKOFF", "0.05");
        tf.set_env("CLOUDFLARE_MAX_BACKOFF", "0.5");
        let names: Vec<String> = (0..50).map(|i| format!("FAULT_{i:02}")).collect();
        tf.config(&secrets_config(&names));

        let faults = emulator.state.faults();
        faults.rate_limit_next(3, 1);
        faults.drop_next_write_responses(3);
        faults.set_failure_rate(0.1, 11);
        tf.apply();
        let mut remote: Vec<String> = emulator
            .state
            .secrets()
            .into_iter()
            .map(|s| s.name)
            .collect();
        remote.sort();
        assert_eq!(remote, names, "{mode:?}: exactly the 50, no duplicates");
        let state = tf.state();
        let in_state = state
            .keys()
            .filter(|k| k.starts_with("cloudflare_store_secret."))
            .count();
        assert_eq!(in_state, 50, "{mode:?}");
        let posts = count(&emulator, "POST", "/secrets");
        assert!(posts < 50, "{mode:?}: creates were batched ({posts} POSTs)");
        assert!(
            faults.injected_count() > 3,
            "{mode:?}: faults were injected"
        );

        faults.clear();
        tf.assert_plan_empty();

        emulator.state.clear_request_log();
        faults.rate_limit_next(2, 1);
        faults.drop_next_write_responses(2);
        faults.set_failure_rate(0.1, 12);
        tf.destroy();
        emulator.assert_empty();
        let deletes = count(&emulator, "DELETE", "");
        assert!(
            deletes < 50,
            "{mode:?}: deletes were batched ({deletes} DELETEs)"
        );
    }
}

#[test]
fn a_name_that_exists_fails_only_its_own_resource_in_both_batch_modes() {
    for mode in MODES {
        let emulator = emulator(mode);
        let test = format!("a_name_that_exists_fails_only_its_own_resource_{mode:?}");
        let Some(mut tf) = Workdir::new(&emulator, &test) else {
            return;
        };
        // Slow enough that the five creates gather into one bulk request.
        tf.set_env("CLOUDFLARE_RPS", "2");
        let store = emulator.create_store("default_secrets_store");
        emulator.create_secret(&store, "TAKEN", "outside-value");
        let names: Vec<String> = ["ALPHA", "BRAVO", "TAKEN", "DELTA", "ECHO"]
            .map(String::from)
            .to_vec();
        tf.config(&secrets_config(&names));
        emulator.state.clear_request_log();

        let text = tf.apply_fails();
        assert!(
            text.contains("Secret TAKEN already exists")
                && text.contains("a secret named TAKEN already exists"),
            "{mode:?}: TAKEN gets its own diagnostic:\n{text}"
        );
        for other in ["ALPHA", "BRAVO", "DELTA", "ECHO"] {
            assert!(
                !text.contains(&format!("named {other} already exists")),
                "{mode:?}: {other} must not be reported:\n{text}"
            );
        }
        let state = tf.state();
        for other in ["ALPHA", "BRAVO", "DELTA", "ECHO"] {
            assert!(
                state.contains_key(&format!("cloudflare_store_secret.secret[\"{other}\"]")),
                "{mode:?}: {other} is in state: {:?}",
                state.keys()
            );
        }
        assert!(!state.contains_key("cloudflare_store_secret.secret[\"TAKEN\"]"));
        let mut remote: Vec<String> = emulator
            .state
            .secrets()
            .into_iter()
            .map(|s| s.name)
            .collect();
        remote.sort();
        assert_eq!(
            remote,
            ["ALPHA", "BRAVO", "DELTA", "ECHO", "TAKEN"],
            "{mode:?}: one each"
        );
        let taken = emulator
            .state
            .secrets()
            .into_iter()
            .find(|s| s.name == "TAKEN");
        assert_eq!(
            emulator
                .state
                .secret_value_for_test(&taken.unwrap().id)
                .as_deref(),
            Some("outside-value"),
            "{mode:?}: the existing secret is untouched"
        );
        let posts = count(&emulator, "POST", "/secrets");
        let expected = match mode {
            // At most one create goes alone before the rest gather; a bulk POST refused
            // whole is followed by each of its secrets alone.
            BatchMode::AllOrNothing => 6,
            // The bulk POST creates what it can; TAKEN alone gets its own answer.
            BatchMode::PerItem => 3,
        };
        assert!(
            posts <= expected,
            "{mode:?}: {posts} POSTs, at most {expected} expected"
        );
    }
}

#[test]
fn destroy_empties_the_store_whichever_body_the_bulk_delete_takes() {
    for shape in [BulkDeleteBody::Ids, BulkDeleteBody::Objects] {
        let emulator = Emulator::start_with(EmulatorConfig {
            bulk_delete_body: shape,
            activation_delay: Duration::ZERO,
            ..EmulatorConfig::new(ACCOUNT_ID, API_TOKEN)
        });
        let test = format!("destroy_empties_the_store_bulk_delete_body_{shape:?}");
        let Some(mut tf) = Workdir::new(&emulator, &test) else {
            return;
        };
        // Slow enough that the destroy's parallel deletes gather behind the rate limiter.
        tf.set_env("CLOUDFLARE_RPS", "5");
        let names: Vec<String> = (0..8).map(|i| format!("SHAPE_{i:02}")).collect();
        tf.config(&secrets_config(&names));
        tf.apply();
        assert_eq!(emulator.state.secrets().len(), 8, "{shape:?}");

        emulator.state.clear_request_log();
        tf.destroy();
        emulator.assert_empty();
        let log = emulator.state.request_log();
        let bulk: Vec<u16> = log
            .iter()
            .filter(|r| r.method == "DELETE" && r.path.ends_with("/secrets"))
            .map(|r| r.status)
            .collect();
        let single_202 = log
            .iter()
            .filter(|r| r.method == "DELETE" && r.path.contains("/secrets/") && r.status == 202)
            .count();
        match shape {
            BulkDeleteBody::Ids => {
                assert!(!bulk.is_empty(), "{shape:?}: deletes were batched");
                assert!(bulk.iter().all(|s| *s == 202), "{shape:?}: {bulk:?}");
                assert!(
                    bulk.len() + single_202 < 8,
                    "{shape:?}: fewer DELETEs than secrets"
                );
            }
            BulkDeleteBody::Objects => {
                assert_eq!(
                    bulk,
                    [400],
                    "{shape:?}: the refused bulk DELETE is sent once"
                );
                assert_eq!(single_202, 8, "{shape:?}: each secret deleted on its own");
            }
        }
    }
}
