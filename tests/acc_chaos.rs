//! Chaos acceptance test: real `terraform` applies 50 secrets against an emulator that answers
//! about 25 % of requests with 503, throws bursts of 429 with `Retry-After`, and drops the
//! responses of writes it applied. Re-applying must converge to exactly the configuration: no
//! duplicates, state equal to the API, an empty re-plan, and a destroy that leaves nothing.

mod acc_harness;
mod support;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use acc_harness::{Emulator, Run, Workdir};

const SECRETS: usize = 50;
/// Applies (and destroys) allowed before the test gives up on convergence.
const MAX_ATTEMPTS: usize = 8;

/// Keeps faults coming while terraform runs: a 503 on ~25 % of requests, a burst of three 429s
/// (`Retry-After: 1`) every 4 s, and one dropped write response every 0.4 s.
struct Chaos {
    running: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Chaos {
    fn start(emulator: &Emulator, seed: u64) -> Chaos {
        let faults = emulator.state.faults();
        faults.set_failure_rate(0.25, seed);
        let running = Arc::new(AtomicBool::new(true));
        let flag = running.clone();
        let thread = std::thread::spawn(move || {
            let mut tick = 0u64;
            while flag.load(Ordering::Relaxed) {
                if tick.is_multiple_of(40) {
                    faults.rate_limit_next(3, 1);
                }
                if tick.is_multiple_of(4) {
                    faults.drop_next_write_responses(1);
                }
                tick += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            faults.clear();
        });
        Chaos {
            running,
            thread: Some(thread),
        }
    }

    fn stop(mut self) {
        self.running.store(false, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("chaos thread");
        }
    }
}

/// Runs `args` until it succeeds, at most [`MAX_ATTEMPTS`] times; the attempts it took.
fn until_it_succeeds(tf: &Workdir, what: &str, args: &[&str]) -> usize {
    let mut last: Option<Run> = None;
    for attempt in 1..=MAX_ATTEMPTS {
        let run = tf.run(args);
        if run.code == 0 {
            return attempt;
        }
        last = Some(run);
    }
    let last = last.expect("at least one attempt");
    panic!(
        "{what} did not converge in {MAX_ATTEMPTS} attempts; last output:\n{}\n{}",
        last.stdout, last.stderr
    );
}

#[test]
fn fifty_secrets_converge_through_429s_503s_and_dropped_writes() {
    let emulator = Emulator::start();
    let Some(mut tf) = Workdir::new(
        &emulator,
        "fifty_secrets_converge_through_429s_503s_and_dropped_writes",
    ) else {
        return;
    };
    // Fast backoff so the run stays short; Retry-After (1 s) is still honoured.
    tf.set_env("CLOUDFLARE_MAX_RETRIES", "4");
    tf.set_env("CLOUDFLARE_MIN_BACKOFF", "0.01");
    tf.set_env("CLOUDFLARE_MAX_BACKOFF", "0.1");
    tf.config(&format!(
        r#"resource "cloudflare_secrets_store" "store" {{}}

resource "cloudflare_store_secret" "s" {{
  count    = {SECRETS}
  store_id = cloudflare_secrets_store.store.id
  name     = "CHAOS_${{count.index}}"
  value    = "chaos-value-${{count.index}}"
  scopes   = ["workers"]
}}"#
    ));

    let started = Instant::now();
    let chaos = Chaos::start(&emulator, 11);
    let applies = until_it_succeeds(
        &tf,
        "apply",
        &["apply", "-auto-approve", "-input=false", "-no-color"],
    );
    chaos.stop();
    let injected = emulator.state.faults().injected_count();
    println!(
        "converged after {applies} apply run(s) in {:?}; {injected} faults injected",
        started.elapsed()
    );
    assert!(injected > 0, "the run saw no faults at all");

    // Exactly the configured secrets, each once, all in the one store.
    let stores = emulator.state.stores();
    assert_eq!(stores.len(), 1, "one store");
    let secrets = emulator.state.secrets();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for secret in &secrets {
        *by_name.entry(secret.name.clone()).or_default() += 1;
    }
    let duplicated: Vec<_> = by_name.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicated.is_empty(), "duplicates: {duplicated:?}");
    assert_eq!(secrets.len(), SECRETS, "names: {:?}", by_name.keys());
    for i in 0..SECRETS {
        assert!(by_name.contains_key(&format!("CHAOS_{i}")), "CHAOS_{i}");
    }

    // State equals the API: every secret in state exists with its id, name, store and value.
    let state = tf.state();
    let in_state: Vec<_> = state
        .iter()
        .filter(|(address, _)| address.starts_with("cloudflare_store_secret.s["))
        .collect();
    assert_eq!(in_state.len(), SECRETS);
    for (address, values) in in_state {
        let id = values["id"].as_str().expect("id");
        let api = secrets
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("{address} ({id}) is not in the API"));
        assert_eq!(values["name"], api.name.as_str(), "{address}");
        assert_eq!(values["store_id"], api.store_id.as_str(), "{address}");
        assert_eq!(api.status, "active", "{address}");
        let index = api.name.trim_start_matches("CHAOS_");
        assert_eq!(
            emulator.state.secret_value_for_test(id).as_deref(),
            Some(format!("chaos-value-{index}").as_str()),
            "{address}"
        );
        assert_eq!(values["value"], format!("chaos-value-{index}"), "{address}");
    }
    assert_eq!(
        state["cloudflare_secrets_store.store"]["id"],
        stores[0].id.as_str()
    );

    tf.assert_plan_empty();

    // Destroy through the same weather.
    let chaos = Chaos::start(&emulator, 12);
    let destroys = until_it_succeeds(
        &tf,
        "destroy",
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    );
    chaos.stop();
    println!(
        "destroyed after {destroys} run(s); whole test {:?}",
        started.elapsed()
    );
    emulator.assert_empty();
}
