//! The Cloudflare API client shared by every resource and data source (Secrets Store endpoints).
//!
//! This file is the public contract; the implementation lives in small modules re-exported here:
//! [`config`] (settings and credentials), [`models`] (stores, secrets, quota), [`error`] (the
//! error type and its helpers), `envelope` (the one place that parses the v4 envelope),
//! [`retry`] (backoff policy), [`rate_limit`] (the shared token bucket), `http` (reqwest with
//! ring-backed rustls and auth headers), `request` (the request loop: retries and reconciliation
//! of creates whose response was lost), `pages` (paged lists read one page at a time, see
//! [`Pages`]), `batch` (batch-create progress), `coalesce` and `bulk`
//! (concurrent creates, deletes and status polls of one store joined into one request),
//! `cancel` (how Terraform's StopProvider ends the client's waits) and `client` (one method
//! per endpoint).
//!
//! [`Client::with_cancel`] gives a clone that stops waiting (rate limit, backoff,
//! `Retry-After`) and sends nothing new once a token fires, failing with [`Error::Cancelled`].
//!
//! ```no_run
//! use secrecy::SecretString;
//! use cloudflare_api::{
//!     Client, ClientConfig, Credentials, ErrorKind, NewSecret, DEFAULT_BASE_URL,
//! };
//!
//! # async fn demo() -> Result<(), cloudflare_api::Error> {
//! let token = Credentials::ApiToken(SecretString::from("…"));
//! let client = Client::new(ClientConfig::new(DEFAULT_BASE_URL, token))?;
//! let store = client.create_store("account-id", "default_secrets_store").await?;
//! let secret = NewSecret {
//!     name: "API_KEY".into(),
//!     value: SecretString::from("…"),
//!     scopes: vec!["workers".into()],
//!     comment: None,
//! };
//! let created = client.create_secret("account-id", &store.id, secret).await?;
//! match client.get_secret("account-id", &store.id, &created.id).await {
//!     Err(e) if e.kind() == ErrorKind::NotFound => { /* gone: remove from state */ }
//!     other => { other?; }
//! }
//! # Ok(())
//! # }
//! ```

mod batch;
mod bulk;
mod cancel;
mod client;
mod coalesce;
pub mod config;
mod envelope;
pub mod error;
mod http;
pub mod models;
mod pages;
pub mod rate_limit;
mod request;
pub mod retry;

pub use bulk::FIRST_STATUS_POLL;
pub use client::Client;
pub use config::{
    ClientConfig, Credentials, DEFAULT_BASE_URL, check_base_url, is_loopback, without_credentials,
};
pub use error::{Error, ErrorKind};
pub use models::{
    ApiMessage, ListSecretsParams, NewSecret, Quota, Secret, SecretPatch, SecretStatus, Store,
};
pub use pages::Pages;
pub use rate_limit::RateLimiter;
pub use request::MAX_RESPONSE_BYTES;
pub use retry::RetryPolicy;
