//! The Cloudflare Secrets Store API client shared by every resource and data source of the
//! provider: retries, one rate limit, typed errors, and bulk calls that coalesce concurrent
//! creates, deletes and status polls.
//!
//! The crate is a stack of three layers; each module uses only those below it:
//!
//! ```text
//! Client           client.rs   the type the provider holds; delegates to the layers below
//!   coalescer/     top         per-store lanes (Creates, Deletes, Polls) that join concurrent
//!                              calls into one bulk request; one dispatcher loop
//!   endpoints/     middle      one function per Secrets Store endpoint, typed models
//!                              (Store, Secret, SecretStatus, …), paged lists, and the bulk
//!                              endpoints with the one reconciliation of a batch create
//!   transport/     bottom      settings and credentials, reqwest with ring-backed rustls and
//!                              auth headers, the v4 envelope, Error and ErrorKind, the retry
//!                              and reconcile loop, the rate limiter (the one place that paces
//!                              requests), and cancellation by Terraform's StopProvider
//! ```
//!
//! [`Client::with_cancel`] gives a clone that stops waiting (rate limit, backoff,
//! `Retry-After`) and sends nothing new once a token fires, failing with [`Error::Cancelled`].
//! Callers branch on [`Error::kind`], never on the API's message strings.
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

mod client;
mod coalescer;
mod endpoints;
mod transport;

pub use client::Client;
pub use coalescer::{FIRST_STATUS_POLL, PollSchedule};
pub use endpoints::{
    ListSecretsParams, NewSecret, Pages, Quota, Secret, SecretPatch, SecretStatus, Store,
};
pub use transport::{
    ApiMessage, ClientConfig, Credentials, DEFAULT_BASE_URL, Error, ErrorKind, check_base_url,
    without_credentials,
};
