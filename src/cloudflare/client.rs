//! The HTTP client: one request loop (rate limit, retries, reconciliation of lost creates)
//! and one method per Secrets Store endpoint.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::{DeserializeOwned, IgnoredAny};

use super::config::{ClientConfig, normalized_base_url};
use super::envelope::{self, Envelope, OneOrMany};
use super::error::Error;
use super::http;
use super::models::{
    CreateSecretBody, CreateStoreBody, DeleteSecretsBody, DuplicateSecretBody, ListSecretsParams,
    NewSecret, PatchSecretBody, Quota, QuotaResult, Secret, SecretPatch, Store,
};
use super::rate_limit::RateLimiter;
use super::retry::{RetryPolicy, parse_retry_after};

/// Largest page the API serves.
const MAX_PER_PAGE: u32 = 100;
/// A safety net against servers that never signal the last page.
const MAX_PAGES: u32 = 10_000;

/// The shared API client. Cheap to clone; clones share the rate limiter and connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: Url,
    limiter: RateLimiter,
    retry: RetryPolicy,
    timeout: Duration,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url.as_str())
            .field("retry", &self.inner.retry)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// How a request may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Safe to repeat.
    Read,
    /// Repeating it is harmless (same body, same outcome).
    Update,
    /// Repeating it after a lost response may answer "not found": that means done.
    Delete,
    /// Not idempotent: a possibly applied attempt is reconciled by name before any retry.
    Create,
}

/// One API operation: method, path segments below the base URL, query.
#[derive(Debug)]
struct Call {
    kind: Kind,
    method: Method,
    segments: Vec<String>,
    query: Vec<(&'static str, String)>,
}

impl Call {
    fn path(&self) -> String {
        format!("/{}", self.segments.join("/"))
    }
}

/// What a lookup after a possibly applied create found.
enum Reconciled<T> {
    /// Everything the request wanted to create exists: this is the result.
    Found(T),
    /// Nothing of it exists: the request may be sent again as it is.
    Missing,
    /// Part of it exists and the body now only holds the rest: send that.
    Partial,
}

/// A response as received, before envelope parsing.
struct RawResponse {
    status: u16,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// A failed attempt: the error, and whether the server may have applied the request.
struct Failure {
    error: Error,
    maybe_applied: bool,
    retry_after: Option<Duration>,
}

/// A boxed lookup run after a possibly applied create (boxed so every endpoint future stays
/// `Send` and the recursion through list calls stays small).
type Lookup<'a, T> = Pin<Box<dyn Future<Output = Result<Reconciled<T>, Error>> + Send + 'a>>;

/// Builds the body of the next attempt (a batch create shrinks after a partial success).
type BodyFn<'a> = &'a (dyn Fn() -> Result<Option<Vec<u8>>, Error> + Send + Sync + 'a);

/// Looks up what a possibly applied create left behind.
type ReconcileFn<'a, T> = &'a mut (dyn FnMut() -> Lookup<'a, T> + Send + 'a);

fn nothing_to_reconcile<'a, T: Send + 'a>() -> Lookup<'a, T> {
    Box::pin(async { Ok(Reconciled::Missing) })
}

fn json<T: Serialize>(body: &T) -> Result<Option<Vec<u8>>, Error> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(|e| Error::Config(format!("could not encode the request body: {e}")))
}

fn require(value: &str, what: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::Config(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

impl Client {
    /// Validates `config` and builds the client (no request is sent).
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        config.validate()?;
        let base_url = Url::parse(&normalized_base_url(&config.base_url)?)
            .map_err(|e| Error::Config(format!("base_url is not a valid URL: {e}")))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base_url {:?} cannot hold API paths",
                config.base_url
            )));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                http: http::build(&config)?,
                base_url,
                limiter: RateLimiter::new(config.requests_per_second),
                retry: RetryPolicy {
                    max_retries: config.max_retries,
                    min_backoff: config.min_backoff,
                    max_backoff: config.max_backoff,
                },
                timeout: config.request_timeout,
            }),
        })
    }

    /// The base URL every request goes to (without a trailing slash).
    pub fn base_url(&self) -> &str {
        self.inner.base_url.as_str().trim_end_matches('/')
    }

    fn call(
        &self,
        kind: Kind,
        method: Method,
        account_id: &str,
        rest: &[&str],
    ) -> Result<Call, Error> {
        require(account_id, "account_id")?;
        let mut segments = vec![
            "accounts".to_string(),
            account_id.to_string(),
            "secrets_store".to_string(),
        ];
        segments.extend(rest.iter().map(|s| s.to_string()));
        Ok(Call {
            kind,
            method,
            segments,
            query: Vec::new(),
        })
    }

    fn url(&self, call: &Call) -> Result<Url, Error> {
        let mut url = self.inner.base_url.clone();
        url.path_segments_mut()
            .map_err(|_| Error::Config("base_url cannot hold API paths".into()))?
            .pop_if_empty()
            .extend(&call.segments);
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(call.query.iter());
        }
        Ok(url)
    }

    /// Sends one attempt (after waiting for the rate limiter) and reads the whole body.
    async fn attempt(
        &self,
        call: &Call,
        body: Option<Vec<u8>>,
        attempt: u32,
    ) -> Result<RawResponse, Failure> {
        let url = self.url(call).map_err(|error| Failure {
            error,
            maybe_applied: false,
            retry_after: None,
        })?;
        self.inner.limiter.acquire().await;
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url)
            .timeout(self.inner.timeout);
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let started = Instant::now();
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => {
                let failure = self.transport_failure(call, e);
                tracing::debug!(
                    method = %call.method,
                    path = %call.path(),
                    attempt,
                    latency_ms = started.elapsed().as_millis() as u64,
                    error = %failure.error,
                    "Cloudflare API request failed"
                );
                return Err(failure);
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, SystemTime::now()));
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_failure(call, e))?;
        tracing::debug!(
            method = %call.method,
            path = %call.path(),
            status,
            attempt,
            latency_ms = started.elapsed().as_millis() as u64,
            "Cloudflare API request"
        );
        Ok(RawResponse {
            status,
            retry_after,
            body: body.to_vec(),
        })
    }

    fn transport_failure(&self, call: &Call, e: reqwest::Error) -> Failure {
        let not_sent = e.is_connect();
        let error = if e.is_timeout() {
            Error::Timeout(self.inner.timeout)
        } else {
            Error::Transport(format!(
                "{} {}: {}",
                call.method,
                call.path(),
                error_chain(&e.without_url())
            ))
        };
        Failure {
            error,
            maybe_applied: !not_sent,
            retry_after: None,
        }
    }

    /// The request loop: retries 429 (honouring `Retry-After`), 5xx, connection errors and
    /// timeouts with jittered backoff, up to `max_retries`. For creates, a possibly applied
    /// attempt is reconciled with `reconcile` before anything is sent again.
    async fn run<'a, T>(
        &self,
        call: &Call,
        body: BodyFn<'a>,
        reconcile: ReconcileFn<'a, T>,
    ) -> Result<Envelope<T>, Error>
    where
        T: DeserializeOwned + Send + 'a,
    {
        let policy = self.inner.retry;
        let mut retry = 0u32;
        let mut maybe_applied = false;
        loop {
            let failure = match self.attempt(call, body()?, retry).await {
                Ok(raw) => match envelope::parse::<T>(raw.status, &raw.body) {
                    Ok(envelope) => return Ok(envelope),
                    Err(error) => Failure {
                        maybe_applied: raw.status >= 500 || matches!(error, Error::Decode(_)),
                        retry_after: (raw.status == 429).then_some(raw.retry_after).flatten(),
                        error,
                    },
                },
                Err(failure) => failure,
            };
            maybe_applied |= failure.maybe_applied;
            let error = failure.error;

            if call.kind == Kind::Delete && maybe_applied && retry > 0 && error.is_not_found() {
                return Ok(Envelope {
                    result: None,
                    result_info: None,
                });
            }
            let retryable = error.is_retryable();
            let reconcile_now = call.kind == Kind::Create
                && maybe_applied
                && (retryable
                    || error.is_name_conflict()
                    || error.is_max_stores_exceeded()
                    || matches!(error, Error::Decode(_)));
            if !retryable && !reconcile_now {
                return Err(error);
            }
            let retries_left = retry < policy.max_retries;
            let will_retry = retryable && retries_left;
            if will_retry {
                let delay = policy.delay(retry, failure.retry_after);
                tracing::debug!(
                    method = %call.method,
                    path = %call.path(),
                    attempt = retry,
                    delay_ms = delay.as_millis() as u64,
                    "retrying Cloudflare API request"
                );
                tokio::time::sleep(delay).await;
            }
            if reconcile_now {
                match reconcile().await {
                    Ok(Reconciled::Found(result)) => {
                        tracing::debug!(
                            method = %call.method,
                            path = %call.path(),
                            "a create whose response was lost had been applied; using it"
                        );
                        return Ok(Envelope {
                            result: Some(result),
                            result_info: None,
                        });
                    }
                    Ok(Reconciled::Partial) if retries_left => {}
                    Ok(Reconciled::Missing) if will_retry => {}
                    Ok(_) => return Err(error),
                    Err(lookup) => {
                        tracing::debug!(
                            method = %call.method,
                            path = %call.path(),
                            error = %lookup,
                            "could not check whether a create was applied"
                        );
                        return Err(error);
                    }
                }
            } else if !will_retry {
                return Err(error);
            }
            retry += 1;
        }
    }

    /// A request that never needs reconciliation.
    async fn simple<T: DeserializeOwned + Send + 'static>(
        &self,
        call: &Call,
        body: Option<Vec<u8>>,
    ) -> Result<Envelope<T>, Error> {
        self.run(call, &|| Ok(body.clone()), &mut nothing_to_reconcile)
            .await
    }

    /// Every item of a paged list: follows `page` until the last page.
    async fn paginate<T: DeserializeOwned + Send + 'static>(
        &self,
        mut call: Call,
        per_page: u32,
        id_of: fn(&T) -> &str,
    ) -> Result<Vec<T>, Error> {
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let base_query = call.query.clone();
        let mut items: Vec<T> = Vec::new();
        let mut previous_first: Option<String> = None;
        for page in 1..=MAX_PAGES {
            call.query = base_query.clone();
            call.query.push(("page", page.to_string()));
            call.query.push(("per_page", per_page.to_string()));
            let envelope = self.simple::<Vec<T>>(&call, None).await?;
            let batch = envelope.result.unwrap_or_default();
            if batch.is_empty() {
                break;
            }
            let first = id_of(&batch[0]).to_string();
            if previous_first.as_deref() == Some(first.as_str()) {
                return Err(Error::Decode(format!(
                    "{} returned the same page twice (page {page}); pagination did not advance",
                    call.path()
                )));
            }
            previous_first = Some(first);
            let len = batch.len() as u64;
            items.extend(batch);
            let info = envelope.result_info.unwrap_or_default();
            let last = if let Some(total_pages) = info.total_pages {
                u64::from(page) >= total_pages
            } else if let Some(total) = info.total_count {
                items.len() as u64 >= total
            } else {
                len < info.per_page.unwrap_or(u64::from(per_page))
            };
            if last {
                break;
            }
        }
        Ok(items)
    }

    /// All stores of the account (every page).
    pub async fn list_stores(&self, account_id: &str) -> Result<Vec<Store>, Error> {
        let call = self.call(Kind::Read, Method::GET, account_id, &["stores"])?;
        self.paginate(call, MAX_PER_PAGE, |s: &Store| s.id.as_str())
            .await
    }

    /// Creates a store; a lost response is reconciled by listing the stores, never duplicated.
    pub async fn create_store(&self, account_id: &str, name: &str) -> Result<Store, Error> {
        require(name, "the store name")?;
        let call = self.call(Kind::Create, Method::POST, account_id, &["stores"])?;
        let body = json(&CreateStoreBody { name })?;
        let envelope = self
            .run::<OneOrMany<Store>>(&call, &|| Ok(body.clone()), &mut || {
                Box::pin(async move {
                    let stores = self.list_stores(account_id).await?;
                    Ok(match stores.into_iter().find(|s| s.name == name) {
                        Some(store) => Reconciled::Found(OneOrMany::One(store)),
                        None => Reconciled::Missing,
                    })
                })
            })
            .await?;
        envelope.into_result("store")?.into_single("store")
    }

    pub async fn get_store(&self, account_id: &str, store_id: &str) -> Result<Store, Error> {
        require(store_id, "store_id")?;
        let call = self.call(Kind::Read, Method::GET, account_id, &["stores", store_id])?;
        self.simple::<OneOrMany<Store>>(&call, None)
            .await?
            .into_result("store")?
            .into_single("store")
    }

    /// Deletes a store; `force` deletes it with its secrets.
    pub async fn delete_store(
        &self,
        account_id: &str,
        store_id: &str,
        force: bool,
    ) -> Result<(), Error> {
        require(store_id, "store_id")?;
        let mut call = self.call(
            Kind::Delete,
            Method::DELETE,
            account_id,
            &["stores", store_id],
        )?;
        if force {
            call.query.push(("force", "true".into()));
        }
        self.simple::<IgnoredAny>(&call, None).await.map(|_| ())
    }

    /// Every secret of the store matching `params` (all pages).
    pub async fn list_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        params: &ListSecretsParams,
    ) -> Result<Vec<Secret>, Error> {
        require(store_id, "store_id")?;
        let mut call = self.call(
            Kind::Read,
            Method::GET,
            account_id,
            &["stores", store_id, "secrets"],
        )?;
        let filters = [
            ("search", &params.search),
            ("order", &params.order),
            ("direction", &params.direction),
        ];
        for (key, value) in filters {
            if let Some(value) = value {
                call.query.push((key, value.clone()));
            }
        }
        let per_page = params.per_page.unwrap_or(MAX_PER_PAGE);
        let secrets = self
            .paginate(call, per_page, |s: &Secret| s.id.as_str())
            .await?;
        Ok(secrets.into_iter().map(Secret::normalized).collect())
    }

    /// Batch create. Results come back in the order of `secrets`. A lost response is
    /// reconciled by name before any retry: secrets that exist are not created again.
    pub async fn create_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        secrets: Vec<NewSecret>,
    ) -> Result<Vec<Secret>, Error> {
        require(store_id, "store_id")?;
        if secrets.is_empty() {
            return Ok(Vec::new());
        }
        for secret in &secrets {
            require(&secret.name, "the secret name")?;
        }
        let call = self.call(
            Kind::Create,
            Method::POST,
            account_id,
            &["stores", store_id, "secrets"],
        )?;
        let order: Vec<String> = secrets.iter().map(|s| s.name.clone()).collect();
        let batch = Mutex::new(Batch {
            remaining: secrets,
            found: Vec::new(),
        });
        let body = || batch.lock().unwrap_or_else(|p| p.into_inner()).body();
        let envelope = self
            .run::<Vec<Secret>>(&call, &body, &mut || {
                Box::pin(self.reconcile_batch(account_id, store_id, &batch))
            })
            .await?;
        let created = envelope.into_result("secrets")?;
        let found = std::mem::take(&mut batch.lock().unwrap_or_else(|p| p.into_inner()).found);
        let mut all: Vec<Secret> = created
            .into_iter()
            .chain(found)
            .map(Secret::normalized)
            .collect();
        all.sort_by_key(|s| {
            order
                .iter()
                .position(|n| *n == s.name)
                .unwrap_or(usize::MAX)
        });
        Ok(all)
    }

    /// After a lost batch-create response: which of the remaining secrets exist now?
    /// One name is looked up by search, several by listing the store.
    async fn reconcile_batch(
        &self,
        account_id: &str,
        store_id: &str,
        batch: &Mutex<Batch>,
    ) -> Result<Reconciled<Vec<Secret>>, Error> {
        let single = {
            let batch = batch.lock().unwrap_or_else(|p| p.into_inner());
            match batch.remaining.as_slice() {
                [only] => Some(only.name.clone()),
                _ => None,
            }
        };
        let existing = match single {
            Some(name) => self
                .find_secret_by_name(account_id, store_id, &name)
                .await?
                .into_iter()
                .collect(),
            None => {
                self.list_secrets(account_id, store_id, &ListSecretsParams::default())
                    .await?
            }
        };
        let mut batch = batch.lock().unwrap_or_else(|p| p.into_inner());
        Ok(batch.absorb(existing))
    }

    /// Creates one secret; a lost response is reconciled by name, never duplicated.
    pub async fn create_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret: NewSecret,
    ) -> Result<Secret, Error> {
        let name = secret.name.clone();
        let created = self
            .create_secrets(account_id, store_id, vec![secret])
            .await?;
        created.into_iter().find(|s| s.name == name).ok_or_else(|| {
            Error::Decode(format!(
                "the response did not contain the created secret {name:?}"
            ))
        })
    }

    pub async fn get_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Secret, Error> {
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        let call = self.call(
            Kind::Read,
            Method::GET,
            account_id,
            &["stores", store_id, "secrets", secret_id],
        )?;
        Ok(self
            .simple::<Secret>(&call, None)
            .await?
            .into_result("secret")?
            .normalized())
    }

    /// The secret named exactly `name` (all pages searched), if any. The API's `search` also
    /// matches substrings and comments, so results are filtered for the exact name.
    pub async fn find_secret_by_name(
        &self,
        account_id: &str,
        store_id: &str,
        name: &str,
    ) -> Result<Option<Secret>, Error> {
        require(name, "the secret name")?;
        let params = ListSecretsParams {
            search: Some(name.to_string()),
            ..ListSecretsParams::default()
        };
        let secrets = self.list_secrets(account_id, store_id, &params).await?;
        Ok(secrets.into_iter().find(|s| s.name == name))
    }

    pub async fn patch_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        patch: SecretPatch,
    ) -> Result<Secret, Error> {
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        let call = self.call(
            Kind::Update,
            Method::PATCH,
            account_id,
            &["stores", store_id, "secrets", secret_id],
        )?;
        let body = json(&PatchSecretBody::from(&patch))?;
        Ok(self
            .simple::<Secret>(&call, body)
            .await?
            .into_result("secret")?
            .normalized())
    }

    pub async fn delete_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<(), Error> {
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        let call = self.call(
            Kind::Delete,
            Method::DELETE,
            account_id,
            &["stores", store_id, "secrets", secret_id],
        )?;
        self.simple::<IgnoredAny>(&call, None).await.map(|_| ())
    }

    /// Bulk delete (`{"ids": [...]}`); an empty list sends nothing.
    pub async fn delete_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        ids: &[String],
    ) -> Result<(), Error> {
        require(store_id, "store_id")?;
        if ids.is_empty() {
            return Ok(());
        }
        let call = self.call(
            Kind::Delete,
            Method::DELETE,
            account_id,
            &["stores", store_id, "secrets"],
        )?;
        let body = json(&DeleteSecretsBody { ids })?;
        self.simple::<IgnoredAny>(&call, body).await.map(|_| ())
    }

    /// Copies a secret's value under a new name. A lost response is reconciled by name.
    pub async fn duplicate_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        name: &str,
        scopes: Vec<String>,
        comment: Option<String>,
    ) -> Result<Secret, Error> {
        require(store_id, "store_id")?;
        require(secret_id, "secret_id")?;
        require(name, "the secret name")?;
        let call = self.call(
            Kind::Create,
            Method::POST,
            account_id,
            &["stores", store_id, "secrets", secret_id, "duplicate"],
        )?;
        let body = json(&DuplicateSecretBody {
            name,
            scopes: &scopes,
            comment: comment.as_deref(),
        })?;
        let envelope = self
            .run::<Secret>(&call, &|| Ok(body.clone()), &mut || {
                Box::pin(async move {
                    Ok(
                        match self.find_secret_by_name(account_id, store_id, name).await? {
                            Some(secret) => Reconciled::Found(secret),
                            None => Reconciled::Missing,
                        },
                    )
                })
            })
            .await?;
        Ok(envelope.into_result("secret")?.normalized())
    }

    pub async fn quota(&self, account_id: &str) -> Result<Quota, Error> {
        let call = self.call(Kind::Read, Method::GET, account_id, &["quota"])?;
        let result = self
            .simple::<QuotaResult>(&call, None)
            .await?
            .into_result("quota")?;
        Ok(result.into())
    }
}

/// The progress of a batch create across attempts.
struct Batch {
    /// Secrets not known to exist yet: the next attempt's body.
    remaining: Vec<NewSecret>,
    /// Secrets found to exist after a lost response.
    found: Vec<Secret>,
}

impl Batch {
    /// The next attempt's body: the secrets not known to exist yet.
    fn body(&self) -> Result<Option<Vec<u8>>, Error> {
        let items: Vec<CreateSecretBody<'_>> =
            self.remaining.iter().map(CreateSecretBody::from).collect();
        json(&items)
    }

    /// Moves every remaining secret that `existing` holds into `found`.
    fn absorb(&mut self, existing: Vec<Secret>) -> Reconciled<Vec<Secret>> {
        let before = self.remaining.len();
        for secret in existing {
            if let Some(index) = self.remaining.iter().position(|s| s.name == secret.name) {
                self.remaining.remove(index);
                self.found.push(secret);
            }
        }
        if self.remaining.is_empty() {
            Reconciled::Found(Vec::new())
        } else if self.remaining.len() < before {
            Reconciled::Partial
        } else {
            Reconciled::Missing
        }
    }
}

/// An error's message followed by its sources, e.g. `error sending request: connection refused`.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let message = inner.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = inner.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudflare::config::Credentials;
    use secrecy::SecretString;

    fn client() -> Client {
        let config = ClientConfig::new(
            "http://127.0.0.1:9/client/v4/",
            Credentials::ApiToken(SecretString::from("tok")),
        );
        Client::new(config).unwrap()
    }

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn endpoint_futures_are_send() {
        let c = client();
        let new = || NewSecret {
            name: "N".into(),
            value: SecretString::from("v"),
            scopes: vec![],
            comment: None,
        };
        assert_send(&c.create_secret("a", "s", new()));
        assert_send(&c.create_secrets("a", "s", vec![new()]));
        assert_send(&c.create_store("a", "n"));
        assert_send(&c.duplicate_secret("a", "s", "i", "n", vec![], None));
        assert_send(&c.list_secrets("a", "s", &ListSecretsParams::default()));
        assert_send(&c.patch_secret("a", "s", "i", SecretPatch::default()));
        assert_send(&c.delete_secrets("a", "s", &[]));
    }

    #[test]
    fn urls_escape_ids_and_carry_the_query() {
        let c = client();
        let mut call = c
            .call(
                Kind::Read,
                Method::GET,
                "acc",
                &["stores", "a/b?c", "secrets"],
            )
            .unwrap();
        call.query.push(("search", "A B&C".into()));
        let url = c.url(&call).unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:9/client/v4/accounts/acc/secrets_store/stores/a%2Fb%3Fc/secrets?search=A+B%26C"
        );
        assert_eq!(c.base_url(), "http://127.0.0.1:9/client/v4");
    }

    #[test]
    fn empty_ids_are_rejected_before_any_request() {
        let c = client();
        let err = c
            .call(Kind::Read, Method::GET, " ", &["quota"])
            .unwrap_err();
        assert!(err.to_string().contains("account_id"), "{err}");
    }

    #[test]
    fn batch_absorb_tracks_what_already_exists() {
        let new = |name: &str| NewSecret {
            name: name.into(),
            value: SecretString::from("v"),
            scopes: vec![],
            comment: None,
        };
        let existing = |name: &str| Secret {
            id: format!("id-{name}"),
            store_id: "s".into(),
            name: name.into(),
            status: "active".into(),
            created: "c".into(),
            modified: "m".into(),
            comment: None,
            scopes: None,
        };
        let mut batch = Batch {
            remaining: vec![new("A"), new("B")],
            found: vec![],
        };
        assert!(matches!(
            batch.absorb(vec![existing("X")]),
            Reconciled::Missing
        ));
        assert!(matches!(
            batch.absorb(vec![existing("B")]),
            Reconciled::Partial
        ));
        assert_eq!(batch.remaining.len(), 1);
        assert_eq!(batch.remaining[0].name, "A");
        assert!(matches!(
            batch.absorb(vec![existing("A"), existing("B")]),
            Reconciled::Found(_)
        ));
        assert_eq!(batch.found.len(), 2);
    }
}
