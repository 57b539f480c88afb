//! The request path shared by every endpoint: URL building, one attempt over reqwest, and the
//! entry points into the retry loop (`retry_loop`: rate limiting, backoff and `Retry-After`,
//! reconciliation of creates whose response was lost), plus whole-list pagination over `pages`.

mod retry_loop;

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::client::Client;
use super::envelope::Envelope;
use super::error::Error;
use super::pages::Pages;
use super::retry::parse_retry_after;

/// Largest page the API serves.
pub(super) const MAX_PER_PAGE: u32 = 100;
/// A safety net against servers that never signal the last page.
pub(super) const MAX_PAGES: u32 = 10_000;

/// How a request may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Call {
    pub(super) kind: Kind,
    pub(super) method: Method,
    pub(super) segments: Vec<String>,
    pub(super) query: Vec<(&'static str, String)>,
    /// The caller already took the rate-limit token of the first attempt (a coalescer takes
    /// it before it decides what the request carries); retries take their own.
    pub(super) prepaid_permit: bool,
}

impl Call {
    pub(super) fn path(&self) -> String {
        format!("/{}", self.segments.join("/"))
    }
}

/// What a lookup after a possibly applied create found.
pub(super) enum Reconciled<T> {
    /// Everything the request wanted to create exists: this is the result.
    Found(T),
    /// Nothing of it exists: the request may be sent again as it is.
    Missing,
    /// Part of it exists and the body now only holds the rest: send that.
    Partial,
}

/// The largest response body read: 16 MiB. Secrets Store answers are a few KiB (values never
/// come back); the cap keeps a wrong `base_url` or a hostile endpoint from filling memory.
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Why a response body could not be read.
enum BodyError {
    Transport(reqwest::Error),
    TooLarge,
}

/// Reads the whole body, giving up as soon as it is known to exceed `limit` bytes (from its
/// `Content-Length` before reading, or while reading).
async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A response as received, before envelope parsing.
pub(super) struct RawResponse {
    pub(super) status: u16,
    /// The `Retry-After` header as a wait (uncapped), when it was sent and readable.
    pub(super) retry_after: Option<Duration>,
    pub(super) body: Vec<u8>,
}

impl RawResponse {
    /// A response from its status, raw `Retry-After` header value and body.
    pub(super) fn new(status: u16, retry_after: Option<&str>, body: Vec<u8>) -> RawResponse {
        RawResponse {
            status,
            retry_after: retry_after.and_then(|v| parse_retry_after(v, SystemTime::now())),
            body,
        }
    }
}

/// A failed attempt: the error, and whether the server may have applied the request.
pub(super) struct Failure {
    pub(super) error: Error,
    /// The request may have reached the server (a create must be reconciled before a retry).
    pub(super) maybe_applied: bool,
    pub(super) retry_after: Option<Duration>,
}

/// A boxed lookup run after a possibly applied create (boxed so every endpoint future stays
/// `Send` and the recursion through list calls stays small).
pub(super) type Lookup<'a, T> =
    Pin<Box<dyn Future<Output = Result<Reconciled<T>, Error>> + Send + 'a>>;

/// Builds the body of the next attempt (a batch create shrinks after a partial success).
pub(super) type BodyFn<'a> = &'a (dyn Fn() -> Result<Option<Vec<u8>>, Error> + Send + Sync + 'a);

/// Looks up what a possibly applied create left behind.
pub(super) type ReconcileFn<'a, T> = &'a mut (dyn FnMut() -> Lookup<'a, T> + Send + 'a);

pub(super) fn nothing_to_reconcile<'a, T: Send + 'a>() -> Lookup<'a, T> {
    Box::pin(async { Ok(Reconciled::Missing) })
}

pub(super) fn json<T: Serialize>(body: &T) -> Result<Option<Vec<u8>>, Error> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(|e| Error::Config(format!("could not encode the request body: {e}")))
}

pub(super) fn require(value: &str, what: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::Config(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

impl Client {
    pub(super) fn call(
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
            prepaid_permit: false,
        })
    }

    pub(super) fn url(&self, call: &Call) -> Result<Url, Error> {
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

    /// Sends one attempt (the caller has waited for the rate limiter) and reads the whole body.
    async fn send_once(
        &self,
        call: &Call,
        url: &Url,
        body: Option<Vec<u8>>,
        attempt: u32,
    ) -> Result<RawResponse, Failure> {
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), url.clone())
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
            .map(str::to_owned);
        let body = match read_body(response, MAX_RESPONSE_BYTES).await {
            Ok(body) => body,
            Err(BodyError::Transport(e)) => return Err(self.transport_failure(call, e)),
            Err(BodyError::TooLarge) => {
                return Err(Failure {
                    error: Error::Decode(format!(
                        "the response to {} {} is larger than {} MiB, more than any Secrets \
                         Store answer; check base_url points at the Cloudflare API",
                        call.method,
                        call.path(),
                        MAX_RESPONSE_BYTES / (1024 * 1024)
                    )),
                    maybe_applied: true,
                    retry_after: None,
                });
            }
        };
        tracing::debug!(
            method = %call.method,
            path = %call.path(),
            status,
            attempt,
            latency_ms = started.elapsed().as_millis() as u64,
            "Cloudflare API request"
        );
        Ok(RawResponse::new(status, retry_after.as_deref(), body))
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

    /// The request loop ([`retry_loop::drive`]) over the real transport: retries 429
    /// (honouring `Retry-After`), 5xx, connection errors and timeouts with jittered backoff, up
    /// to `max_retries`. For creates, a possibly applied attempt is reconciled with `reconcile`
    /// before anything is sent again. Stops with [`Error::Cancelled`] when this handle's
    /// cancellation token fires ([`Client::with_cancel`]).
    pub(super) async fn run<'a, T>(
        &self,
        call: &Call,
        body: BodyFn<'a>,
        reconcile: ReconcileFn<'a, T>,
    ) -> Result<Envelope<T>, Error>
    where
        T: DeserializeOwned + Send + 'a,
    {
        let url = &self.url(call)?;
        let limiter = &self.inner.limiter;
        retry_loop::drive(
            call,
            self.inner.retry,
            limiter,
            &self.cancel,
            body,
            reconcile,
            |body, attempt| self.send_once(call, url, body, attempt),
        )
        .await
    }

    /// A request that never needs reconciliation.
    pub(super) async fn simple<T: DeserializeOwned + Send + 'static>(
        &self,
        call: &Call,
        body: Option<Vec<u8>>,
    ) -> Result<Envelope<T>, Error> {
        self.run(call, &|| Ok(body.clone()), &mut nothing_to_reconcile)
            .await
    }

    /// Every item of a paged list, stopping after the page where `enough(items so far)` holds.
    pub(super) async fn paginate_until<T: DeserializeOwned + Send + 'static>(
        &self,
        call: Call,
        per_page: u32,
        id_of: fn(&T) -> &str,
        enough: impl FnMut(&[T]) -> bool,
    ) -> Result<Vec<T>, Error> {
        Pages::new(self, call, per_page, id_of).until(enough).await
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
    use crate::{ClientConfig, Credentials};
    use secrecy::SecretString;

    fn client() -> Client {
        let config = ClientConfig::new(
            "http://127.0.0.1:9/client/v4/",
            Credentials::ApiToken(SecretString::from("tok")),
        );
        Client::new(config).unwrap()
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
    }

    #[test]
    fn empty_ids_are_rejected_before_any_request() {
        let c = client();
        let err = c
            .call(Kind::Read, Method::GET, " ", &["quota"])
            .unwrap_err();
        assert!(err.to_string().contains("account_id"), "{err}");
    }
}
