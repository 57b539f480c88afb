//! The Cloudflare API client shared by every resource and data source (Secrets Store endpoints).
//!
//! This file is the public contract; the implementation behind it may be split into modules
//! (envelope, errors, models, retry, rate limit) as long as these names stay reachable here.

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// Default API base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";

/// How requests authenticate.
#[derive(Clone)]
pub enum Credentials {
    /// `Authorization: Bearer <token>`.
    ApiToken(SecretString),
    /// Legacy global key: `X-Auth-Email` + `X-Auth-Key`.
    ApiKey { email: String, key: SecretString },
}

/// Client settings.
#[derive(Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub credentials: Credentials,
    /// Appended to `terraform-provider-cloudflare/<version>` in the User-Agent.
    pub user_agent_suffix: Option<String>,
    /// The provider version in the User-Agent.
    pub version: String,
    pub max_retries: u32,
    pub min_backoff: Duration,
    pub max_backoff: Duration,
    /// Client-side rate limit shared by all concurrent requests of this client.
    pub requests_per_second: f64,
    pub request_timeout: Duration,
}

impl ClientConfig {
    /// Settings with the defaults: 4 retries, 1 s..30 s backoff, 3.5 requests/s, 60 s timeout.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            credentials,
            user_agent_suffix: None,
            version: env!("CARGO_PKG_VERSION").to_string(),
            max_retries: 4,
            min_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            requests_per_second: 3.5,
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// A Secrets Store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub created: String,
    pub modified: String,
    #[serde(default)]
    pub account_id: Option<String>,
}

/// A secret's metadata (the API never returns values).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub id: String,
    pub store_id: String,
    pub name: String,
    /// `pending`, `active` or `deleted`.
    pub status: String,
    pub created: String,
    pub modified: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// Sorted; `None` from older API versions that did not return scopes.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

/// A secret to create.
pub struct NewSecret {
    pub name: String,
    pub value: SecretString,
    pub scopes: Vec<String>,
    pub comment: Option<String>,
}

/// A partial update of a secret; `None` fields are left as they are.
#[derive(Default)]
pub struct SecretPatch {
    pub value: Option<SecretString>,
    pub scopes: Option<Vec<String>>,
    /// `Some("")` clears the comment.
    pub comment: Option<String>,
}

/// Filters and ordering for listing secrets.
#[derive(Clone, Debug, Default)]
pub struct ListSecretsParams {
    /// The API's `search` (matches names and comments, substrings).
    pub search: Option<String>,
    /// `name`, `comment`, `created`, `modified` or `status`.
    pub order: Option<String>,
    /// `asc` or `desc`.
    pub direction: Option<String>,
    /// Page size (1..=100).
    pub per_page: Option<u32>,
}

/// The account's secrets quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub quota: u64,
    pub usage: u64,
}

/// One entry of the API's `errors[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiMessage {
    pub code: u32,
    pub message: String,
}

/// What went wrong with a request. Never contains secret values or credentials.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Cloudflare API returned HTTP {status}: {}", format_messages(errors))]
    Api {
        status: u16,
        errors: Vec<ApiMessage>,
    },
    #[error("could not reach the Cloudflare API: {0}")]
    Transport(String),
    #[error("the Cloudflare API did not answer within {0:?}")]
    Timeout(Duration),
    #[error("unexpected response from the Cloudflare API: {0}")]
    Decode(String),
    #[error("invalid Cloudflare client settings: {0}")]
    Config(String),
}

fn format_messages(errors: &[ApiMessage]) -> String {
    errors
        .iter()
        .map(|e| format!("{} [code: {}]", e.message, e.code))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    fn has_message(&self, token: &str) -> bool {
        matches!(self, Error::Api { errors, .. } if errors.iter().any(|e| e.message.starts_with(token)))
    }

    /// The store or secret does not exist.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
            || self.has_message("secret_not_found")
            || self.has_message("store_not_found")
    }

    /// `secret_name_already_exists`.
    pub fn is_name_conflict(&self) -> bool {
        self.has_message("secret_name_already_exists")
    }

    /// `maximum_stores_exceeded` (one store per account).
    pub fn is_max_stores_exceeded(&self) -> bool {
        self.has_message("maximum_stores_exceeded")
    }

    /// `store_not_empty` (delete without force).
    pub fn is_store_not_empty(&self) -> bool {
        self.has_message("store_not_empty")
    }

    /// Bad or insufficient credentials.
    pub fn is_auth_error(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }
}

/// The shared API client. Cheap to clone; clones share the rate limiter and connection pool.
#[derive(Clone)]
pub struct Client {}

#[allow(unused_variables)]
impl Client {
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        Err(Error::Config("not implemented".into()))
    }

    /// All stores of the account (every page).
    pub async fn list_stores(&self, account_id: &str) -> Result<Vec<Store>, Error> {
        unimplemented_call()
    }

    pub async fn create_store(&self, account_id: &str, name: &str) -> Result<Store, Error> {
        unimplemented_call()
    }

    pub async fn get_store(&self, account_id: &str, store_id: &str) -> Result<Store, Error> {
        unimplemented_call()
    }

    /// Deletes a store; `force` deletes it with its secrets.
    pub async fn delete_store(
        &self,
        account_id: &str,
        store_id: &str,
        force: bool,
    ) -> Result<(), Error> {
        unimplemented_call()
    }

    /// Every secret of the store matching `params` (all pages).
    pub async fn list_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        params: &ListSecretsParams,
    ) -> Result<Vec<Secret>, Error> {
        unimplemented_call()
    }

    /// Batch create.
    pub async fn create_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        secrets: Vec<NewSecret>,
    ) -> Result<Vec<Secret>, Error> {
        unimplemented_call()
    }

    /// Creates one secret; a lost response is reconciled by name, never duplicated.
    pub async fn create_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret: NewSecret,
    ) -> Result<Secret, Error> {
        unimplemented_call()
    }

    pub async fn get_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Secret, Error> {
        unimplemented_call()
    }

    /// The secret named exactly `name` (all pages searched), if any.
    pub async fn find_secret_by_name(
        &self,
        account_id: &str,
        store_id: &str,
        name: &str,
    ) -> Result<Option<Secret>, Error> {
        unimplemented_call()
    }

    pub async fn patch_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        patch: SecretPatch,
    ) -> Result<Secret, Error> {
        unimplemented_call()
    }

    pub async fn delete_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<(), Error> {
        unimplemented_call()
    }

    pub async fn delete_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        ids: &[String],
    ) -> Result<(), Error> {
        unimplemented_call()
    }

    /// Copies a secret's value under a new name.
    pub async fn duplicate_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        name: &str,
        scopes: Vec<String>,
        comment: Option<String>,
    ) -> Result<Secret, Error> {
        unimplemented_call()
    }

    pub async fn quota(&self, account_id: &str) -> Result<Quota, Error> {
        unimplemented_call()
    }
}

fn unimplemented_call<T>() -> Result<T, Error> {
    Err(Error::Config("not implemented".into()))
}
