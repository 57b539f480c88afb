//! `Service` against the emulator over a real socket: the default store is created once
//! per process even under concurrency or a lost response, refreshes share one listing, and
//! Terraform's stop (the request's cancellation token) ends a resource's API waits promptly, and
//! a `terraform query` listing streams page by page and stops paging at its limit. A secret the
//! create answer shows active costs no status poll.

#[path = "../crates/cloudflare-api/tests/client_support/clock.rs"]
mod clock;
mod service_support;

use std::time::Duration;

use api_emulator::{AimedFault, EmulatorConfig, EmulatorState, FaultAnswer};
use clock::{FrozenClock, jump};
use cloudflare_api::{Client, ErrorKind, NewSecret, Secret, SecretStatus};
use secrecy::SecretString;
use service_support::{ACCOUNT, ServiceHarness};
use terraform_provider_cloudflare::resources::secrets_store::SecretsStoreResource;
use terraform_provider_cloudflare::resources::store_secret::StoreSecretResource;
use terraform_provider_cloudflare::service::{DEFAULT_STORE_NAME, Lookup, ReadFailure};
use tfplugin::{
    CreateRequest, ListEvent, ListRequest, ListResource, ListSink, ReadRequest, Resource, Value,
};
use tokio_util::sync::CancellationToken;

const TOKEN: &str = "provider-data-token";

type Setup = ServiceHarness;

async fn setup() -> Setup {
    setup_with(EmulatorConfig::new(ACCOUNT, TOKEN)).await
}

async fn setup_with(emulator_config: EmulatorConfig) -> Setup {
    ServiceHarness::start(emulator_config, TOKEN, &[]).await
}

/// A token that never fires: these tests do not stop the provider.
fn never() -> CancellationToken {
    CancellationToken::new()
}

impl Setup {
    /// The provider's client, as an operation gets it.
    fn provider_client(&self) -> Client {
        self.data.client_for(&never()).expect("configured")
    }

    /// The provider's refresh of secret `id` in `store_id` (through the shared listing).
    async fn read(&self, store_id: &str, id: &str) -> Option<Secret> {
        self.data
            .listings()
            .read(&self.provider_client(), ACCOUNT, store_id, id)
            .await
            .into_result()
            .expect("a successful read")
    }

    /// The provider's lookup of the secret named `name` in `store_id`.
    async fn find(&self, store_id: &str, name: &str) -> Option<Secret> {
        self.data
            .listings()
            .find_by_name(&self.provider_client(), ACCOUNT, store_id, name)
            .await
            .into_result()
            .expect("a successful lookup")
    }

    /// Creates a secret named `name` (value "v", scope workers) through the plain client.
    async fn secret(&self, store_id: &str, name: &str) -> Secret {
        let new = NewSecret {
            name: name.to_string(),
            value: SecretString::from("v".to_string()),
            scopes: vec!["workers".to_string()],
            comment: None,
        };
        self.client
            .create_secret(ACCOUNT, store_id, new)
            .await
            .unwrap()
    }
}

fn store_posts(state: &EmulatorState) -> usize {
    state
        .request_log()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/stores"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_create_the_default_store_once() {
    let s = setup().await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let data = s.data.clone();
            tokio::spawn(async move {
                data.stores()
                    .ensure_default(&data.client_for(&never()).unwrap(), ACCOUNT)
                    .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap().expect("default store"));
    }
    let stores = s.state.stores();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].name, DEFAULT_STORE_NAME);
    assert!(ids.iter().all(|id| *id == stores[0].id));
    assert_eq!(store_posts(&s.state), 1);
}

#[tokio::test]
async fn a_lost_create_response_still_yields_the_default_store() {
    let s = setup().await;
    s.state.faults().drop_next_write_responses(1);
    let id = s
        .data
        .stores()
        .ensure_default(&s.provider_client(), ACCOUNT)
        .await
        .expect("recovered");
    let stores = s.state.stores();
    assert_eq!(stores.len(), 1, "never a second store");
    assert_eq!(stores[0].id, id);
}

#[tokio::test]
async fn a_store_made_by_another_process_is_used() {
    let s = setup().await;
    // Created by another process (or the dashboard) before: found by the first listing.
    let theirs = s
        .client
        .create_store(ACCOUNT, DEFAULT_STORE_NAME)
        .await
        .unwrap();
    let id = s
        .data
        .stores()
        .ensure_default(&s.provider_client(), ACCOUNT)
        .await
        .unwrap();
    assert_eq!(id, theirs.id);
    assert_eq!(s.state.stores().len(), 1);
}

#[tokio::test]
async fn another_store_name_is_an_error_that_names_store_id() {
    let s = setup().await;
    let other = s.client.create_store(ACCOUNT, "team").await.unwrap();
    let err = s
        .data
        .stores()
        .ensure_default(&s.provider_client(), ACCOUNT)
        .await
        .unwrap_err();
    let err = err.to_string();
    assert!(err.contains("\"team\""), "{err}");
    assert!(
        err.contains(&format!("store_id = \"{}\"", other.id)),
        "{err}"
    );
    assert!(
        matches!(
            s.data
                .stores()
                .find(&s.provider_client(), ACCOUNT, DEFAULT_STORE_NAME)
                .await,
            Lookup::Absent
        ),
        "lookups never create"
    );
    assert_eq!(s.state.stores().len(), 1);
}

#[tokio::test]
async fn refreshes_share_one_listing_until_a_write() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let mut ids = Vec::new();
    for name in ["A", "B", "C"] {
        let secret = s.secret(&store.id, name).await;
        ids.push(secret.id);
    }
    s.state.clear_request_log();
    for id in &ids {
        let secret = s.read(&store.id, id).await;
        assert_eq!(secret.map(|x| x.id).as_deref(), Some(id.as_str()));
    }
    let log = s.state.request_log();
    assert_eq!(log.len(), 1, "one listing for three reads: {log:?}");

    // After an invalidation (every write through this process does one) the next read lists
    // again; ids missing from a listing are confirmed with a GET.
    s.client
        .delete_secret(ACCOUNT, &store.id, &ids[0])
        .await
        .unwrap();
    s.data.listings().forget(ACCOUNT, &store.id);
    assert!(s.read(&store.id, &ids[0]).await.is_none());
    let missing = "ffffffffffffffffffffffffffffffff";
    assert!(s.read(&store.id, missing).await.is_none());
    // A whole store that is gone means its secrets are gone, and one listing says so for all.
    s.client
        .delete_store(ACCOUNT, &store.id, true)
        .await
        .unwrap();
    s.data.listings().forget(ACCOUNT, &store.id);
    s.state.clear_request_log();
    for id in &ids[1..] {
        assert!(s.read(&store.id, id).await.is_none());
    }
    let log = s.state.request_log();
    assert_eq!(
        log.len(),
        1,
        "one listing answers for the whole store: {log:?}"
    );
}

/// The state of `store` as this provider writes it (not adopted, no force_destroy).
fn store_state(store: &cloudflare_api::Store) -> Value {
    Value::object([
        ("id", Value::string(&store.id)),
        ("account_id", Value::string(ACCOUNT)),
        ("name", Value::string(&store.name)),
        ("adopt", Value::Bool(false)),
        ("force_destroy", Value::Bool(false)),
        ("created", Value::string(&store.created)),
        ("modified", Value::string(&store.modified)),
    ])
}

/// Refreshes the store resource whose state is `current`; returns the new state and the
/// requests it made, as `METHOD path`.
async fn refresh_store(s: &Setup, current: Value) -> (Value, Vec<String>) {
    s.state.clear_request_log();
    let resp = SecretsStoreResource
        .read(ReadRequest {
            current_state: current,
            private: Vec::new(),
            provider: s.data.clone(),
            cancel: never(),
        })
        .await
        .expect("a refresh");
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let requests = s
        .state
        .request_log()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    (resp.new_state, requests)
}

#[tokio::test]
async fn a_store_holding_secrets_is_refreshed_by_the_listing_its_secrets_share() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let secret = s.secret(&store.id, "HELD").await;
    let state = store_state(&store);

    let (refreshed, requests) = refresh_store(&s, state.clone()).await;
    assert_eq!(refreshed, state);
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert!(
        requests[0].ends_with("/secrets"),
        "one listing: {requests:?}"
    );

    // The secret's refresh that follows in the same plan is answered by that listing.
    s.state.clear_request_log();
    let read = s.read(&store.id, &secret.id).await;
    assert_eq!(read.map(|x| x.id), Some(secret.id));
    assert!(s.state.request_log().is_empty());
}

#[tokio::test]
async fn an_empty_or_imported_store_is_read_with_its_own_request() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let store_path = format!(
        "GET /client/v4/accounts/{ACCOUNT}/secrets_store/stores/{}",
        store.id
    );

    // An empty listing proves nothing (the API's answer for a missing store is not
    // documented), so the store itself is read.
    let (refreshed, requests) = refresh_store(&s, store_state(&store)).await;
    assert_eq!(refreshed, store_state(&store));
    assert_eq!(requests.last(), Some(&store_path), "{requests:?}");

    // An import leaves only the id: the store's own read fills in the rest, with no listing.
    s.secret(&store.id, "LATER").await;
    s.data.listings().forget(ACCOUNT, &store.id);
    let imported = Value::object([
        ("id", Value::string(&store.id)),
        ("account_id", Value::string(ACCOUNT)),
        ("name", Value::Null),
        ("adopt", Value::Bool(false)),
        ("force_destroy", Value::Bool(false)),
        ("created", Value::Null),
        ("modified", Value::Null),
    ]);
    let (refreshed, requests) = refresh_store(&s, imported).await;
    assert_eq!(refreshed, store_state(&store));
    assert_eq!(requests, [store_path], "only the store's own read");

    // A store gone with all its secrets is gone from state.
    s.client
        .delete_store(ACCOUNT, &store.id, true)
        .await
        .unwrap();
    s.data.listings().forget(ACCOUNT, &store.id);
    let (refreshed, _) = refresh_store(&s, store_state(&store)).await;
    assert_eq!(refreshed, Value::Null);
}

#[tokio::test]
async fn lookups_by_name_share_the_refresh_listing_and_search_only_for_newer_names() {
    // New secrets stay pending until the test moves the (tokio) clock past the delay.
    let activation = Duration::from_secs(3600);
    let mut config = EmulatorConfig::new(ACCOUNT, TOKEN);
    config.activation_delay = activation;
    let s = setup_with(config).await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let a = s.secret(&store.id, "A").await;
    let b = s.secret(&store.id, "B").await;
    let searches = |state: &EmulatorState| -> Vec<String> {
        state
            .request_log()
            .iter()
            .filter_map(|r| r.query.clone().filter(|q| q.contains("search=")))
            .collect()
    };

    // A listing that shows the secret still `pending` may be out of date: the API is asked.
    s.state.clear_request_log();
    let found = s.find(&store.id, "A").await.unwrap();
    assert_eq!(
        (found.id.as_str(), found.status.as_str()),
        (a.id.as_str(), "pending")
    );
    jump(activation).await;
    let found = s.find(&store.id, "A").await.unwrap();
    assert_eq!(
        found.status,
        SecretStatus::Active,
        "not the listing's stale status"
    );
    assert_eq!(s.state.request_log().len(), 3, "listing, then two searches");

    // Active secrets: two lookups and a refresh share one listing.
    s.data.listings().forget(ACCOUNT, &store.id);
    s.state.clear_request_log();
    for wanted in [&a, &b] {
        let found = s.find(&store.id, &wanted.name).await;
        assert_eq!(found.map(|x| x.id), Some(wanted.id.clone()));
    }
    let read = s.read(&store.id, &a.id).await;
    assert_eq!(read.map(|x| x.id), Some(a.id.clone()));
    let log = s.state.request_log();
    assert_eq!(
        log.len(),
        1,
        "one listing for two lookups and a refresh: {log:?}"
    );

    // A secret made after the listing (by another tool) is found by the API's search.
    let newer = s.secret(&store.id, "NEWER").await;
    s.state.clear_request_log();
    let found = s.find(&store.id, "NEWER").await;
    assert_eq!(found.map(|x| x.id), Some(newer.id));
    assert_eq!(searches(&s.state).len(), 1);
    assert_eq!(s.state.request_log().len(), 1);

    // Exact names only, and a name nowhere is `None`.
    for absent in ["NOPE", "NEW"] {
        let found = s.find(&store.id, absent).await;
        assert!(found.is_none(), "{absent}");
    }
}

#[tokio::test]
async fn a_refresh_against_an_unknown_account_is_an_error_not_a_deleted_secret() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let secret = s.secret(&store.id, "KEPT").await;
    // A 404 "no route" (wrong base_url path or account id) says nothing about the secret:
    // reading it as gone would drop it from state and plan a duplicate.
    let other_account = "ffffffffffffffffffffffffffffffff";
    let failure = s
        .data
        .listings()
        .read(&s.provider_client(), other_account, &store.id, &secret.id)
        .await
        .into_result()
        .expect_err("a failure, not an absence");
    assert_ne!(
        failure.error.kind(),
        ErrorKind::NotFound,
        "{}",
        failure.error
    );
    assert!(
        failure.error.to_string().contains("7003"),
        "{}",
        failure.error
    );
    // The secret itself is still found where it is.
    assert_eq!(
        s.read(&store.id, &secret.id).await.map(|x| x.id),
        Some(secret.id)
    );
}

#[tokio::test]
async fn a_secret_shown_as_deleted_is_gone_for_refresh_and_lookup_by_name() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let secret = s.secret(&store.id, "TOMBSTONE").await;
    assert!(s.state.mark_secret_deleted_for_test(&secret.id));
    let shown = s
        .client
        .get_secret(ACCOUNT, &store.id, &secret.id)
        .await
        .unwrap();
    assert!(shown.is_deleted(), "the API still shows it: {shown:?}");

    // The refresh (through the shared listing) and the lookup by name both treat it as gone.
    assert!(s.read(&store.id, &secret.id).await.is_none());
    let found = s
        .client
        .find_secret_by_name(ACCOUNT, &store.id, "TOMBSTONE")
        .await
        .unwrap();
    assert!(found.is_none());
}

/// The failure a lookup ended with; panics on an answer.
fn failed<T: std::fmt::Debug>(lookup: Lookup<T>) -> ReadFailure {
    match lookup {
        Lookup::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_failed_listing_is_a_failure_for_every_refresh_and_lookup_of_its_store() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let a = s.secret(&store.id, "A").await;
    let b = s.secret(&store.id, "B").await;
    s.state.faults().aim(AimedFault::new(
        "GET",
        "/stores/*/secrets",
        FaultAnswer::Status(503),
    ));
    s.state.clear_request_log();
    let client = s.provider_client();
    let first = failed(
        s.data
            .listings()
            .read(&client, ACCOUNT, &store.id, &a.id)
            .await,
    );
    assert_eq!(
        first.request,
        format!(
            "GET /accounts/{ACCOUNT}/secrets_store/stores/{}/secrets",
            store.id
        )
    );
    assert_eq!(first.error.status(), Some(503));
    // Neither a GET per secret nor another listing: the failure answers the whole store.
    let retried = s.state.request_log().len();
    failed(
        s.data
            .listings()
            .read(&client, ACCOUNT, &store.id, &b.id)
            .await,
    );
    failed(
        s.data
            .listings()
            .find_by_name(&client, ACCOUNT, &store.id, "A")
            .await,
    );
    failed(
        s.data
            .listings()
            .shows_secrets(&client, ACCOUNT, &store.id)
            .await,
    );
    failed(s.data.listings().names(&client, ACCOUNT, &store.id).await);
    let log = s.state.request_log();
    assert_eq!(log.len(), retried, "nothing more was sent: {log:?}");
    assert!(
        log.iter().all(|r| r.path.ends_with("/secrets")),
        "only the listing (with its retries): {log:?}"
    );
    // A later write forgets the failure with the listing.
    s.state.faults().clear();
    s.data.listings().forget(ACCOUNT, &store.id);
    assert_eq!(s.read(&store.id, &b.id).await.map(|x| x.id), Some(b.id));
}

#[tokio::test]
async fn failed_store_lookups_and_searches_are_failures_that_name_their_request() {
    let s = setup().await;
    let store = s
        .client
        .create_store(ACCOUNT, DEFAULT_STORE_NAME)
        .await
        .unwrap();
    let client = s.provider_client();
    let faults = s.state.faults();
    faults.aim(AimedFault::new("GET", "/stores", FaultAnswer::Status(403)));
    let stores = failed(
        s.data
            .stores()
            .find(&client, ACCOUNT, DEFAULT_STORE_NAME)
            .await,
    );
    assert_eq!(
        stores.request,
        format!("GET /accounts/{ACCOUNT}/secrets_store/stores")
    );
    assert_eq!(stores.error.kind(), ErrorKind::Auth, "{}", stores.error);
    let missing = s
        .data
        .existing_default_store_id(&client, ACCOUNT, "read secret K", "Set store_id.")
        .await
        .expect_err("an error, not 'no default store'");
    assert!(
        missing.detail.contains("secrets_store/stores failed"),
        "{}",
        missing.detail
    );
    assert!(
        !missing.detail.contains("has no store named"),
        "{}",
        missing.detail
    );

    // A name the listing does not show is searched for; a failed search is a failure too.
    faults.clear();
    faults.aim(AimedFault::new(
        "GET",
        "/stores/*/secrets?search=*",
        FaultAnswer::Close,
    ));
    let search = failed(
        s.data
            .listings()
            .find_by_name(&client, ACCOUNT, &store.id, "NEWER")
            .await,
    );
    assert!(
        search.request.ends_with("/secrets?search=NEWER"),
        "{}",
        search.request
    );
    assert!(
        matches!(search.error, cloudflare_api::Error::Transport(_)),
        "{}",
        search.error
    );
    // A secret missing from a listing is confirmed with a GET; a failed GET is a failure.
    faults.clear();
    faults.aim(AimedFault::new(
        "GET",
        "/stores/*/secrets/*",
        FaultAnswer::Status(503),
    ));
    let get = failed(
        s.data
            .listings()
            .read(
                &client,
                ACCOUNT,
                &store.id,
                "ffffffffffffffffffffffffffffffff",
            )
            .await,
    );
    assert!(
        get.request
            .ends_with("/secrets/ffffffffffffffffffffffffffffffff")
    );
}

/// Cancels `token` (as Terraform's StopProvider would, e.g. on Ctrl-C) once the emulator has
/// answered a request: the operation is then waiting out that answer's `Retry-After`, or about
/// to.
async fn stop_once_answered(state: &EmulatorState, token: &CancellationToken) {
    while state.request_count() == 0 {
        tokio::task::yield_now().await;
    }
    token.cancel();
}

/// A `cloudflare_store_secret` object: every attribute null except `pairs`.
fn secret_object(pairs: &[(&str, Value)]) -> Value {
    let mut object = Value::object(
        StoreSecretResource
            .schema()
            .block
            .attributes
            .iter()
            .map(|a| (a.name.clone(), Value::Null)),
    );
    for (name, value) in pairs {
        object.set(name, value.clone());
    }
    object
}

#[tokio::test]
async fn a_secret_the_create_answer_shows_active_is_not_polled() {
    let mut config = EmulatorConfig::new(ACCOUNT, TOKEN);
    config.activation_delay = Duration::ZERO;
    let s = setup_with(config).await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    s.state.clear_request_log();
    let planned = secret_object(&[
        ("name", Value::string("AT_ONCE")),
        ("store_id", Value::string(&store.id)),
        ("value", Value::string("v")),
        ("scopes", Value::string_set(["workers"])),
    ]);
    let resp = StoreSecretResource
        .create(CreateRequest {
            config: planned.clone(),
            planned_state: planned,
            planned_private: Vec::new(),
            provider: s.data.clone(),
            cancel: never(),
        })
        .await
        .unwrap_or_else(|d| panic!("{d:?}"));
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    assert_eq!(resp.new_state.get("status"), &Value::string("active"));
    let requests: Vec<String> = s
        .state
        .request_log()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(
        requests,
        [format!(
            "POST /client/v4/accounts/{ACCOUNT}/secrets_store/stores/{}/secrets",
            store.id
        )],
        "the create only, no status poll"
    );
}

#[tokio::test]
async fn a_stop_during_a_long_retry_after_ends_a_create_promptly_and_creates_nothing() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    s.state.clear_request_log();
    s.state.faults().rate_limit_next(10, 600);
    let planned = secret_object(&[
        ("name", Value::string("STOPPED")),
        ("store_id", Value::string(&store.id)),
        ("value", Value::string("never-sent-twice")),
        ("scopes", Value::string_set(["workers"])),
    ]);
    let cancel = CancellationToken::new();
    // Frozen: only the stop can end the wait for the 600 s Retry-After.
    let clock = FrozenClock::freeze();
    let started = tokio::time::Instant::now();
    let create = StoreSecretResource.create(CreateRequest {
        config: planned.clone(),
        planned_state: planned,
        planned_private: Vec::new(),
        provider: s.data.clone(),
        cancel: cancel.clone(),
    });
    let (resp, ()) = tokio::join!(create, stop_once_answered(&s.state, &cancel));
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "the stop ended every wait"
    );
    clock.thaw();
    // A refusal: nothing saved.
    let diagnostics = resp.err().expect("a refusal");
    let diag = &diagnostics.as_slice()[0];
    assert_eq!(diag.summary, "Creating secret STOPPED was cancelled");
    assert!(
        diag.detail.contains("asked the provider to stop"),
        "{}",
        diag.detail
    );
    assert!(diag.detail.contains("was not created"), "{}", diag.detail);
    assert!(!diag.detail.contains("never-sent-twice"));
    // One POST, answered 429; nothing was sent after the stop.
    let log = s.state.request_log();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].method, "POST");
    s.state.faults().clear();
    assert!(
        s.client
            .find_secret_by_name(ACCOUNT, &store.id, "STOPPED")
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_stop_during_a_long_retry_after_ends_a_refresh_promptly_and_keeps_the_state() {
    let s = setup().await;
    let store = s.client.create_store(ACCOUNT, "main").await.unwrap();
    let secret = s.secret(&store.id, "KEPT").await;
    let current = secret_object(&[
        ("id", Value::string(&secret.id)),
        ("account_id", Value::string(ACCOUNT)),
        ("store_id", Value::string(&store.id)),
        ("name", Value::string("KEPT")),
        ("scopes", Value::string_set(["workers"])),
    ]);
    s.state.faults().rate_limit_next(10, 600);
    s.state.clear_request_log();
    let cancel = CancellationToken::new();
    // Frozen: only the stop can end the wait for the 600 s Retry-After.
    let clock = FrozenClock::freeze();
    let started = tokio::time::Instant::now();
    let read = StoreSecretResource.read(ReadRequest {
        current_state: current.clone(),
        private: Vec::new(),
        provider: s.data.clone(),
        cancel: cancel.clone(),
    });
    let (resp, ()) = tokio::join!(read, stop_once_answered(&s.state, &cancel));
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "the stop ended every wait"
    );
    clock.thaw();
    // A refusal: nothing saved.
    let diagnostics = resp.err().expect("a refusal");
    let diag = &diagnostics.as_slice()[0];
    assert!(
        diag.detail.contains("asked the provider to stop"),
        "{}",
        diag.detail
    );
    assert!(diag.detail.contains("changed nothing"), "{}", diag.detail);
}

/// A setup whose default store holds `count` secrets `KEY_000`, `KEY_001`, … (more than one
/// page from 101 on), with an empty request log; returns the store id.
async fn store_with_secrets(count: usize) -> (Setup, String) {
    let mut config = EmulatorConfig::new(ACCOUNT, TOKEN);
    config.max_secrets = count.max(100);
    let s = setup_with(config).await;
    let store_id = s
        .data
        .stores()
        .ensure_default(&s.provider_client(), ACCOUNT)
        .await
        .unwrap();
    // Concurrent creates: the client joins them into bulk requests.
    let mut creates = tokio::task::JoinSet::new();
    for n in 0..count {
        let (client, store_id) = (s.client.clone(), store_id.clone());
        let secret = NewSecret {
            name: format!("KEY_{n:03}"),
            value: SecretString::from("v".to_string()),
            scopes: vec!["workers".to_string()],
            comment: None,
        };
        creates.spawn(async move { client.create_secret(ACCOUNT, &store_id, secret).await });
    }
    while let Some(created) = creates.join_next().await {
        created.expect("create task").expect("created");
    }
    s.state.clear_request_log();
    (s, store_id)
}

/// Starts `list "cloudflare_store_secret"` over the default store, taking at most `limit`.
fn start_listing(s: &Setup, limit: i64) -> tokio::sync::mpsc::Receiver<ListEvent> {
    let (sink, events) = ListSink::new(limit);
    let request = ListRequest {
        config: Value::object([
            ("store_id", Value::Null),
            ("name_prefix", Value::Null),
            ("scopes", Value::Null),
        ]),
        provider: s.data.clone(),
        cancel: never(),
    };
    tokio::spawn(async move { StoreSecretResource.list(request, sink).await });
    events
}

/// The `page` query parameter of every secret listing request so far, in order.
fn listed_pages(state: &EmulatorState) -> Vec<String> {
    state
        .request_log()
        .iter()
        .filter(|r| r.method == "GET" && r.path.ends_with("/secrets"))
        .map(|r| {
            let query = r.query.clone().unwrap_or_default();
            let page = query.split('&').find_map(|kv| kv.strip_prefix("page="));
            page.unwrap_or("?").to_string()
        })
        .collect()
}

/// Waits until the lister has filled the events channel: it can run no further ahead of this
/// reader.
async fn until_the_lister_waits(events: &tokio::sync::mpsc::Receiver<ListEvent>) {
    while events.len() < events.max_capacity() {
        tokio::task::yield_now().await;
    }
}

/// Receives every remaining event: the names of the listed objects and the diagnostics.
async fn drain(events: &mut tokio::sync::mpsc::Receiver<ListEvent>) -> (Vec<String>, Vec<String>) {
    let (mut names, mut problems) = (Vec::new(), Vec::new());
    while let Some(event) = events.recv().await {
        match event {
            ListEvent::Object(object) => names.push(object.display_name),
            ListEvent::Diagnostics(diags) => {
                problems.extend(diags.iter().map(|d| format!("{}: {}", d.summary, d.detail)));
            }
        }
    }
    (names, problems)
}

#[tokio::test]
async fn a_query_streams_the_first_page_before_it_requests_the_second() {
    let (s, _) = store_with_secrets(130).await;
    let mut events = start_listing(&s, i64::MAX);
    let Some(ListEvent::Object(first)) = events.recv().await else {
        panic!("the first event is an object");
    };
    assert_eq!(first.display_name, "KEY_000");
    // However far the lister runs ahead, it waits for this reader before asking for page 2.
    until_the_lister_waits(&events).await;
    assert_eq!(listed_pages(&s.state), ["1"]);
    let (rest, problems) = drain(&mut events).await;
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(rest.len(), 129);
    assert_eq!(rest.last().map(String::as_str), Some("KEY_129"));
    assert_eq!(listed_pages(&s.state), ["1", "2"]);
}

#[tokio::test]
async fn a_query_limit_reached_on_the_first_page_requests_no_other_page() {
    let (s, _) = store_with_secrets(130).await;
    let (names, problems) = drain(&mut start_listing(&s, 5)).await;
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        names,
        ["KEY_000", "KEY_001", "KEY_002", "KEY_003", "KEY_004"]
    );
    assert_eq!(listed_pages(&s.state), ["1"], "page 2 is never requested");

    // A limit past the first page takes the second page too, and only as far as needed.
    s.state.clear_request_log();
    let (names, _) = drain(&mut start_listing(&s, 120)).await;
    assert_eq!(names.len(), 120);
    assert_eq!(listed_pages(&s.state), ["1", "2"]);
}

#[tokio::test]
async fn a_query_that_fails_after_sending_results_ends_with_a_diagnostic() {
    let (s, store_id) = store_with_secrets(130).await;
    let mut events = start_listing(&s, i64::MAX);
    assert!(matches!(events.recv().await, Some(ListEvent::Object(_))));
    until_the_lister_waits(&events).await;
    // Page 2 is not requested yet: every attempt at it (the first and its retries) fails.
    s.state.faults().fail_next(50, 502);
    let (names, problems) = drain(&mut events).await;
    assert_eq!(names.len(), 99, "the rest of the first page");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains(&format!("list secrets of store {store_id}")),
        "{problems:?}"
    );
}
