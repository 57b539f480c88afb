//! The Cloudflare API client shared by every resource and data source (Secrets Store endpoints).
//!
//! This file is the public contract; the implementation lives in small modules re-exported here:
//! [`config`] (settings and credentials), [`models`] (stores, secrets, quota), [`error`] (the
//! error type and its helpers), `envelope` (the one place that parses the v4 envelope),
//! [`retry`] (backoff policy), [`rate_limit`] (the shared token bucket) and `client`
//! (the HTTP client with retries and create reconciliation).

mod client;
pub mod config;
mod envelope;
pub mod error;
mod http;
pub mod models;
pub mod rate_limit;
pub mod retry;

pub use client::Client;
pub use config::{ClientConfig, Credentials, DEFAULT_BASE_URL};
pub use error::Error;
pub use models::{ApiMessage, ListSecretsParams, NewSecret, Quota, Secret, SecretPatch, Store};
pub use rate_limit::RateLimiter;
pub use retry::RetryPolicy;
