//! Shared setup for the client tests: an emulator on a real loopback socket and a fast client.

#![allow(dead_code)]

pub mod clock;

use std::time::Duration;

use api_emulator::{self, EmulatorConfig, EmulatorState, RateBudget};
use cloudflare_api::{Client, ClientConfig, Credentials, Error, NewSecret, Secret};
use secrecy::SecretString;
use tokio::sync::oneshot;

pub const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
pub const TOKEN: &str = "tok-DO-NOT-LEAK-8f3a91";

/// A running emulator and a client pointed at it; the emulator stops when this is dropped.
pub struct Harness {
    pub state: EmulatorState,
    pub client: Client,
    pub base_url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Harness {
    /// Default emulator limits, fast client (tiny backoff, no practical rate limit).
    pub async fn start() -> Harness {
        Harness::start_with(EmulatorConfig::new(ACCOUNT, TOKEN), |_| {}).await
    }

    /// The emulator with `emulator_config` (with [`RateBudget::LIFTED`] in its `Ratelimit`
    /// headers unless it sets a budget, as the client's own rate limit is lifted too) and a
    /// client tuned by `tune`.
    pub async fn start_with(
        mut emulator_config: EmulatorConfig,
        tune: impl FnOnce(&mut ClientConfig),
    ) -> Harness {
        emulator_config.rate_limit.get_or_insert(RateBudget::LIFTED);
        let state = EmulatorState::new(emulator_config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let served = state.clone();
        tokio::spawn(async move {
            let _ = api_emulator::serve(listener, served, async move {
                let _ = stopped.await;
            })
            .await;
        });
        let base_url = format!("http://{address}/client/v4");
        let mut config = fast_config(&base_url, token());
        tune(&mut config);
        let client = Client::new(config).expect("client settings are valid");
        Harness {
            state,
            client,
            base_url,
            stop: Some(stop),
        }
    }

    /// Another client for the same emulator with different settings.
    pub fn client_with(&self, tune: impl FnOnce(&mut ClientConfig)) -> Client {
        let mut config = fast_config(&self.base_url, token());
        tune(&mut config);
        Client::new(config).expect("client settings are valid")
    }

    /// Creates the account's store and returns its id.
    pub async fn store(&self) -> String {
        self.client
            .create_store(ACCOUNT, "default_secrets_store")
            .await
            .expect("store is created")
            .id
    }

    /// Methods and statuses of the logged requests, e.g. `"POST 200"`.
    pub fn log_lines(&self) -> Vec<String> {
        self.state
            .request_log()
            .iter()
            .map(|r| format!("{} {}", r.method, r.status))
            .collect()
    }
}

pub fn token() -> Credentials {
    Credentials::ApiToken(SecretString::from(TOKEN))
}

/// Settings that keep tests quick: millisecond backoff, a generous rate limit.
pub fn fast_config(base_url: &str, credentials: Credentials) -> ClientConfig {
    let mut config = ClientConfig::new(base_url, credentials);
    config.min_backoff = Duration::from_millis(1);
    config.max_backoff = Duration::from_millis(20);
    config.requests_per_second = 1000.0;
    config.request_timeout = Duration::from_secs(10);
    config
}

pub fn new_secret(name: &str, value: &str) -> NewSecret {
    NewSecret {
        name: name.into(),
        value: SecretString::from(value),
        scopes: vec!["workers".into()],
        comment: None,
    }
}

/// `count` names `<prefix>_00`, `<prefix>_01`, …
pub fn names(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}_{i:02}")).collect()
}

/// Creates `secrets` concurrently (so the client joins them into bulk requests); each
/// caller's result, in the order of `secrets`.
pub async fn create_concurrently(
    client: &Client,
    store: &str,
    secrets: Vec<NewSecret>,
) -> Vec<Result<Secret, Error>> {
    let tasks: Vec<_> = secrets
        .into_iter()
        .map(|secret| {
            let client = client.clone();
            let store = store.to_string();
            tokio::spawn(async move { client.create_secret(ACCOUNT, &store, secret).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("create task"));
    }
    results
}

/// Creates a secret (value `v`) for every name concurrently; each caller's result, in the
/// order of `names`.
pub async fn create_all(
    client: &Client,
    store: &str,
    names: &[String],
) -> Vec<Result<Secret, Error>> {
    let secrets = names.iter().map(|name| new_secret(name, "v")).collect();
    create_concurrently(client, store, secrets).await
}

/// Deletes every id concurrently; each caller's result.
pub async fn delete_all(client: &Client, store: &str, ids: &[String]) -> Vec<Result<(), Error>> {
    let tasks: Vec<_> = ids
        .iter()
        .map(|id| {
            let client = client.clone();
            let store = store.to_string();
            let id = id.clone();
            tokio::spawn(async move { client.delete_secret(ACCOUNT, &store, &id).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("delete task"));
    }
    results
}
