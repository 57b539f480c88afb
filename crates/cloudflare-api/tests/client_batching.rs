//! Coalesced calls against the emulator: concurrent creates, deletes and status polls of one
//! store join one request; per-item failures still reach the right caller, under both batch
//! modes the emulator models (all-or-nothing and per-item); faults leave no duplicates.

mod client_support;

use std::collections::BTreeSet;
use std::time::Duration;

use api_emulator::{BatchMode, EmulatorConfig};
use client_support::clock::FrozenClock;
use client_support::{ACCOUNT, Harness, TOKEN, create_all, delete_all, names, new_secret};
use cloudflare_api::{Error, ErrorKind, FIRST_STATUS_POLL, Secret, SecretStatus};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

const MODES: [BatchMode; 2] = [BatchMode::AllOrNothing, BatchMode::PerItem];

/// An emulator in `mode` (activation immediate) and a client at one request per second, so
/// calls made while it waits for its next token gather into one request.
async fn slow_harness(mode: BatchMode, max_secrets: usize) -> Harness {
    let config = EmulatorConfig {
        batch_mode: mode,
        max_secrets,
        activation_delay: Duration::ZERO,
        ..EmulatorConfig::new(ACCOUNT, TOKEN)
    };
    Harness::start_with(config, |c| c.requests_per_second = 1.0).await
}

/// Makes the store (spending the client's one-token burst), then clears the log.
async fn store_and_empty_bucket(h: &Harness) -> String {
    let store = h.store().await;
    h.state.clear_request_log();
    store
}

fn remote_names(h: &Harness) -> Vec<String> {
    let mut names: Vec<String> = h.state.secrets().into_iter().map(|s| s.name).collect();
    names.sort();
    names
}

#[tokio::test]
async fn creates_waiting_for_the_rate_limiter_go_out_as_one_bulk_post() {
    let h = slow_harness(BatchMode::AllOrNothing, 100).await;
    let store = store_and_empty_bucket(&h).await;
    let wanted = names("BULK", 10);
    let results = create_all(&h.client, &store, &wanted).await;
    for (name, result) in wanted.iter().zip(&results) {
        let secret = result.as_ref().expect("created");
        assert_eq!(&secret.name, name, "each caller gets its own secret");
    }
    assert_eq!(h.log_lines(), ["POST 200"], "one request for ten secrets");
    assert_eq!(remote_names(&h), wanted);
}

#[tokio::test]
async fn a_lone_create_and_delete_use_the_ordinary_requests() {
    let h = Harness::start().await;
    let store = h.store().await;
    h.state.clear_request_log();
    let secret = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("ALONE", "v"))
        .await
        .unwrap();
    h.client
        .delete_secret(ACCOUNT, &store, &secret.id)
        .await
        .unwrap();
    let paths: Vec<String> = h
        .state
        .request_log()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path.rsplit('/').next().unwrap_or("")))
        .collect();
    assert_eq!(
        paths,
        ["POST secrets".to_string(), format!("DELETE {}", secret.id)]
    );
}

#[tokio::test]
async fn a_name_that_exists_fails_only_its_own_create_in_both_batch_modes() {
    for mode in MODES {
        let h = slow_harness(mode, 100).await;
        let store = h.store().await;
        h.client
            .create_secret(ACCOUNT, &store, new_secret("TAKEN", "old"))
            .await
            .unwrap();
        // That create took the bucket's last token: the four creates below queue together
        // while the lane waits for the next one.
        h.state.clear_request_log();

        let wanted: Vec<String> = ["A", "B", "TAKEN", "C"].map(String::from).to_vec();
        let results = create_all(&h.client, &store, &wanted).await;
        for (name, result) in wanted.iter().zip(&results) {
            match result {
                Ok(secret) => assert_eq!(&secret.name, name, "{mode:?}"),
                Err(e) => {
                    assert_eq!(name, "TAKEN", "{mode:?}: {name} failed: {e}");
                    assert_eq!(e.kind(), ErrorKind::NameConflict, "{mode:?}: {e}");
                }
            }
        }
        assert!(results[2].is_err(), "{mode:?}: TAKEN must fail");
        assert_eq!(remote_names(&h), ["A", "B", "C", "TAKEN"], "{mode:?}");
        let taken = h.state.secrets().into_iter().find(|s| s.name == "TAKEN");
        let value = h.state.secret_value_for_test(&taken.unwrap().id);
        assert_eq!(value.as_deref(), Some("old"), "{mode:?}: untouched");
        let expected: &[&str] = match mode {
            // The batch is refused whole; then each secret alone.
            BatchMode::AllOrNothing => {
                &["POST 409", "POST 200", "POST 200", "POST 409", "POST 200"]
            }
            // A, B and C are created; TAKEN alone gets its own answer.
            BatchMode::PerItem => &["POST 200", "POST 409"],
        };
        assert_eq!(h.log_lines(), expected, "{mode:?}");
    }
}

#[tokio::test]
async fn the_account_limit_fails_exactly_the_secrets_beyond_it_in_both_batch_modes() {
    for mode in MODES {
        let h = slow_harness(mode, 3).await;
        let store = store_and_empty_bucket(&h).await;
        let wanted = names("LIMIT", 5);
        let results = create_all(&h.client, &store, &wanted).await;
        let created = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(created, 3, "{mode:?}: {results:?}");
        for error in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(
                error.to_string().contains("maximum_secrets_exceeded"),
                "{mode:?}: {error}"
            );
        }
        assert_eq!(h.state.secrets().len(), 3, "{mode:?}");
    }
}

#[tokio::test]
async fn concurrent_deletes_go_out_as_one_bulk_delete_and_a_gone_secret_counts_as_deleted() {
    for mode in MODES {
        let h = slow_harness(mode, 100).await;
        let store = h.store().await;
        let created = create_all(&h.client, &store, &names("DEL", 8)).await;
        let ids: Vec<String> = created.into_iter().map(|s| s.unwrap().id).collect();
        // One secret is deleted outside the batch: its delete must still succeed. It takes the
        // bucket's next token: the eight deletes below queue together while the lane waits.
        h.client
            .delete_secret(ACCOUNT, &store, &ids[0])
            .await
            .unwrap();
        h.state.clear_request_log();

        let results = delete_all(&h.client, &store, &ids).await;
        assert!(results.iter().all(Result::is_ok), "{mode:?}: {results:?}");
        assert!(h.state.secrets().is_empty(), "{mode:?}");
        let expected: &[&str] = match mode {
            // Refused whole for the unknown id: the store is listed, the rest sent again.
            BatchMode::AllOrNothing => &["DELETE 404", "GET 200", "DELETE 202"],
            BatchMode::PerItem => &["DELETE 202"],
        };
        assert_eq!(h.log_lines(), expected, "{mode:?}");
    }
}

#[tokio::test]
async fn status_polls_of_one_store_share_one_listing() {
    let h = slow_harness(BatchMode::AllOrNothing, 100).await;
    let store = h.store().await;
    let created: Vec<_> = create_all(&h.client, &store, &names("POLL", 10))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    h.state.clear_request_log();
    let tasks: Vec<_> = created
        .iter()
        .map(|secret| {
            let client = h.client.clone();
            let (store, id) = (store.clone(), secret.id.clone());
            tokio::spawn(async move { client.poll_secret(ACCOUNT, &store, &id).await })
        })
        .collect();
    for (task, secret) in tasks.into_iter().zip(&created) {
        let polled = task.await.unwrap().unwrap().expect("listed");
        assert_eq!(polled.id, secret.id);
        assert_eq!(polled.status, SecretStatus::Active);
    }
    assert_eq!(h.log_lines(), ["GET 200"], "one listing for ten polls");
    let query = h.state.request_log()[0].query.clone().unwrap_or_default();
    assert!(
        query.contains("order=modified") && query.contains("direction=desc"),
        "{query}"
    );
}

#[tokio::test]
async fn a_stop_ends_a_create_waiting_in_line_at_once_and_sends_nothing() {
    let config = EmulatorConfig::new(ACCOUNT, TOKEN);
    // One token per 100 s: after the store, every create waits in line.
    let h = Harness::start_with(config, |c| c.requests_per_second = 0.01).await;
    let store = h.store().await;
    h.state.clear_request_log();
    // Nothing is sent from here on (unless the stop fails): the paused clock runs ahead to the
    // next timer whenever every task waits.
    tokio::time::pause();
    let stop = CancellationToken::new();
    let client = h.client.with_cancel(stop.clone());
    let waiting = tokio::spawn(async move {
        client
            .create_secret(ACCOUNT, &store, new_secret("STOPPED", "v"))
            .await
    });
    // Ends once every task waits: the create is in line for the token due in 100 s.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.cancel();
    let stopped = Instant::now();
    let result = waiting.await.unwrap();
    assert_eq!(
        stopped.elapsed(),
        Duration::ZERO,
        "the stop ends the wait at once"
    );
    assert!(
        matches!(
            result,
            Err(Error::Cancelled {
                may_have_applied: false
            })
        ),
        "{result:?}"
    );
    assert!(h.state.request_log().is_empty(), "nothing was sent");
    assert!(h.state.secrets().is_empty());
}

/// 50 secrets created and deleted concurrently through 429 bursts, 5xx answers and dropped
/// responses: every call succeeds, the store ends with exactly the 50 (no duplicates), then
/// with none.
#[tokio::test]
async fn fifty_secrets_through_faults_end_exact_in_both_batch_modes() {
    for mode in MODES {
        let config = EmulatorConfig {
            batch_mode: mode,
            activation_delay: Duration::ZERO,
            ..EmulatorConfig::new(ACCOUNT, TOKEN)
        };
        let h = Harness::start_with(config, |c| {
            c.requests_per_second = 20.0;
            c.max_retries = 12;
        })
        .await;
        let store = h.store().await;
        let faults = h.state.faults();
        faults.rate_limit_next(3, 0);
        faults.drop_next_write_responses(2);
        faults.set_failure_rate(0.2, 7);

        let wanted = names("FAULT", 50);
        let results = create_all(&h.client, &store, &wanted).await;
        let mut ids = Vec::new();
        for (name, result) in wanted.iter().zip(results) {
            let secret = result.unwrap_or_else(|e| panic!("{mode:?}: {name}: {e}"));
            assert_eq!(&secret.name, name);
            ids.push(secret.id);
        }
        let remote = h.state.secrets();
        let remote_ids: BTreeSet<String> = remote.iter().map(|s| s.id.clone()).collect();
        assert_eq!(remote.len(), 50, "{mode:?}: no duplicates, none missing");
        assert_eq!(remote_ids, ids.iter().cloned().collect(), "{mode:?}");
        assert_eq!(remote_names(&h), wanted, "{mode:?}");
        let posts = h
            .state
            .request_log()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/secrets"))
            .count();
        assert!(posts < 50, "{mode:?}: creates were batched ({posts} POSTs)");

        faults.rate_limit_next(2, 0);
        faults.drop_next_write_responses(2);
        let results = delete_all(&h.client, &store, &ids).await;
        for result in results {
            result.unwrap_or_else(|e| panic!("{mode:?}: delete: {e}"));
        }
        assert!(h.state.secrets().is_empty(), "{mode:?}: nothing left");
        assert!(
            faults.injected_count() > 5,
            "{mode:?}: faults were injected"
        );
        faults.clear();
    }
}

#[tokio::test]
async fn a_bulk_create_whose_answer_is_a_server_error_is_reconciled_before_any_resend() {
    let h = slow_harness(BatchMode::AllOrNothing, 100).await;
    let store = store_and_empty_bucket(&h).await;
    h.state.faults().fail_next(1, 500);
    let wanted = names("RETRY", 4);
    let results = create_all(&h.client, &store, &wanted).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(remote_names(&h), wanted);
    // The failed POST, a listing that finds none of them, the POST again.
    assert_eq!(h.log_lines(), ["POST 500", "GET 200", "POST 200"]);
}

/// Starts `future` on its own task and lets it, and a task it starts, run up to their first
/// wait before the caller goes on (e.g. moves the clock).
async fn start<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let task = tokio::spawn(future);
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
    task
}

#[tokio::test]
async fn a_poll_waits_for_a_create_that_falls_due_moments_later_and_keeps_the_wave_in_step() {
    // The emulator keeps new secrets pending for 300 ms of the (tokio) clock.
    let h = Harness::start().await;
    let store = h.store().await;
    h.state.clear_request_log();
    let create = |name: &'static str| {
        let (client, store) = (h.client.clone(), store.clone());
        start(async move {
            let secret = new_secret(name, "v");
            client.create_secret(ACCOUNT, &store, secret).await.unwrap()
        })
    };
    let poll = |secret: &Secret| {
        let (client, store, id) = (h.client.clone(), store.clone(), secret.id.clone());
        start(async move { client.poll_secret(ACCOUNT, &store, &id).await })
    };
    let status = |polled: Option<Secret>| polled.expect("listed").status;
    // From here the clock moves only when this test moves it; the requests take real time.
    let clock = FrozenClock::freeze();
    let ms = Duration::from_millis;
    // At T: FIRST is created (an idle store's create goes out at once). SECOND is asked for
    // too, but the store is busy now: it waits to gather with others (one rate-limit interval)
    // and goes out once the clock moves on.
    let first = create("FIRST").await.await.unwrap();
    let second = create("SECOND").await;
    clock.advance(ms(100)).await;
    // T + 100 ms: SECOND is created. Both are pending: first polls fall due FIRST_STATUS_POLL
    // (150 ms) after each.
    let second = second.await.unwrap();
    clock.advance(FIRST_STATUS_POLL - ms(100)).await;
    // T + 150 ms: FIRST's first poll, which waits for SECOND's, due moments later.
    let first_poll = poll(&first).await;
    clock.advance(ms(100)).await;
    // T + 250 ms: SECOND's first poll joins it; their listing goes out at T + 270 ms...
    let second_poll = poll(&second).await;
    clock.advance(ms(100)).await;
    // ...and is answered at T + 350 ms: SECOND (250 ms old) is still pending, FIRST is active,
    // and its answer waits for SECOND's next poll, so the two finish together.
    let second_answer = second_poll.await.unwrap().unwrap();
    assert_eq!(status(second_answer), SecretStatus::Pending);
    tokio::task::yield_now().await;
    assert!(
        !first_poll.is_finished(),
        "FIRST is held for SECOND's next poll"
    );
    let second_again = poll(&second).await;
    clock.advance(ms(100)).await;
    // T + 450 ms: the next listing (at T + 370 ms) shows SECOND active and releases FIRST.
    assert_eq!(
        status(first_poll.await.unwrap().unwrap()),
        SecretStatus::Active
    );
    assert_eq!(
        status(second_again.await.unwrap().unwrap()),
        SecretStatus::Active
    );
    clock.thaw();
    assert_eq!(
        h.log_lines(),
        ["POST 200", "POST 200", "GET 200", "GET 200"],
        "one listing answers both first polls, one both second ones"
    );
}
