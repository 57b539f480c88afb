//! Retries, Retry-After, timeouts and lost responses, against the emulator's fault injection.

mod client_support;

use std::time::{Duration, Instant};

use client_support::{ACCOUNT, Harness, create_all, new_secret};
use cloudflare_api::{Error, ErrorKind, SecretPatch};
use secrecy::SecretString;

#[tokio::test]
async fn rate_limited_requests_wait_for_retry_after() {
    let h = Harness::start().await;
    h.state.faults().rate_limit_next(1, 1);
    let started = Instant::now();
    let quota = h.client.quota(ACCOUNT).await.unwrap();
    assert_eq!(quota.usage, 0);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the retry waited only {:?} despite Retry-After: 1",
        started.elapsed()
    );
    assert_eq!(h.log_lines(), ["GET 429", "GET 200"]);
}

#[tokio::test]
async fn retries_stop_after_max_retries() {
    let h = Harness::start().await;
    let client = h.client_with(|c| c.max_retries = 2);
    h.state.faults().rate_limit_next(10, 0);
    let err = client.quota(ACCOUNT).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert_eq!(h.log_lines(), ["GET 429", "GET 429", "GET 429"]);

    h.state.faults().clear();
    h.state.clear_request_log();
    let no_retries = h.client_with(|c| c.max_retries = 0);
    h.state.faults().fail_next(1, 503);
    let err = no_retries.quota(ACCOUNT).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(h.log_lines(), ["GET 503"]);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let h = Harness::start().await;
    let store = h.store().await;
    h.state.clear_request_log();
    h.state.faults().fail_next(2, 502);
    let stores = h.client.list_stores(ACCOUNT).await.unwrap();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].id, store);
    assert_eq!(h.log_lines(), ["GET 502", "GET 502", "GET 200"]);
}

#[tokio::test]
async fn a_failed_create_is_looked_up_before_it_is_sent_again() {
    let h = Harness::start().await;
    let store = h.store().await;
    h.state.clear_request_log();
    // The emulator answers 500 without applying the write: the lookup finds nothing,
    // so the create is sent again, once.
    h.state.faults().fail_next(1, 500);
    let secret = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("RETRIED", "v"))
        .await
        .unwrap();
    assert_eq!(secret.name, "RETRIED");
    assert_eq!(h.log_lines(), ["POST 500", "GET 200", "POST 200"]);
    assert_eq!(h.state.secrets().len(), 1);
}

#[tokio::test]
async fn a_dropped_create_response_never_yields_a_duplicate() {
    let h = Harness::start().await;
    let store = h.store().await;
    h.state.clear_request_log();
    h.state.faults().drop_next_write_responses(1);
    let secret = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("ONCE", "only-value"))
        .await
        .unwrap();
    let all = h.state.secrets();
    assert_eq!(all.len(), 1, "exactly one secret exists");
    assert_eq!(all[0].id, secret.id);
    assert_eq!(secret.name, "ONCE");
    let log = h.state.request_log();
    assert!(log[0].response_dropped, "{log:?}");
    assert_eq!(
        log.iter().filter(|r| r.method == "POST").count(),
        1,
        "{log:?}"
    );
    assert_eq!(
        h.state.secret_value_for_test(&secret.id).as_deref(),
        Some("only-value")
    );
}

#[tokio::test]
async fn a_dropped_batch_create_response_never_yields_duplicates() {
    let h = Harness::start().await;
    let store = h.store().await;
    h.state.clear_request_log();
    h.state.faults().drop_next_write_responses(1);
    let created = create_all(&h.client, &store, &["A", "B", "C"].map(String::from)).await;
    let names: Vec<_> = created
        .iter()
        .map(|s| s.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(names, ["A", "B", "C"]);
    assert_eq!(h.state.secrets().len(), 3);
    // One bulk POST, its answer lost; one listing finds all three, so nothing is sent again.
    assert_eq!(h.log_lines(), ["POST 200", "GET 200"]);
}

#[tokio::test]
async fn a_dropped_store_create_response_never_yields_a_second_store() {
    let mut config = api_emulator::EmulatorConfig::new(ACCOUNT, client_support::TOKEN);
    config.max_stores = 5;
    let h = Harness::start_with(config, |_| {}).await;
    h.state.faults().drop_next_write_responses(1);
    let store = h.client.create_store(ACCOUNT, "only_one").await.unwrap();
    let stores = h.state.stores();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].id, store.id);
}

#[tokio::test]
async fn dropped_delete_and_patch_responses_still_succeed() {
    let h = Harness::start().await;
    let store = h.store().await;
    let secret = h
        .client
        .create_secret(ACCOUNT, &store, new_secret("P", "old"))
        .await
        .unwrap();

    h.state.faults().drop_next_write_responses(1);
    h.client
        .patch_secret(
            ACCOUNT,
            &store,
            &secret.id,
            SecretPatch {
                value: Some(SecretString::from("new")),
                ..SecretPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        h.state.secret_value_for_test(&secret.id).as_deref(),
        Some("new")
    );

    h.state.faults().drop_next_write_responses(1);
    h.client
        .delete_secret(ACCOUNT, &store, &secret.id)
        .await
        .unwrap();
    assert!(h.state.secrets().is_empty());
}

#[tokio::test]
async fn slow_answers_time_out() {
    let h = Harness::start().await;
    let client = h.client_with(|c| {
        c.request_timeout = Duration::from_millis(100);
        c.max_retries = 1;
    });
    h.state.faults().set_latency(Duration::from_millis(600));
    let err = client.quota(ACCOUNT).await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Timeout);
}

#[tokio::test]
async fn an_unreachable_api_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let config = client_support::fast_config(
        &format!("http://{address}/client/v4"),
        client_support::token(),
    );
    let client = cloudflare_api::Client::new(config).unwrap();
    let err = client.quota(ACCOUNT).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert!(err.to_string().contains("/quota"), "{err}");
}
