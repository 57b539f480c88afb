//! One attempt over HTTP: send the request, read the body up to a cap, and, when it fails, say
//! whether the request may have reached the server.

use std::time::{Duration, Instant, SystemTime};

use reqwest::Url;
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};

use super::budget::Reading;
use super::call::Call;
use super::error::Error;
use super::retry::parse_retry_after;

/// The largest response body read: 16 MiB. Secrets Store answers are a few KiB (values never
/// come back); the cap keeps a wrong `base_url` or a hostile endpoint from filling memory.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// A response as received, before envelope parsing.
pub(super) struct RawResponse {
    pub(super) status: u16,
    /// The `Retry-After` header as a wait (uncapped), when it was sent and readable.
    pub(super) retry_after: Option<Duration>,
    /// The server's rate-limit budget as its headers report it, when they were sent.
    pub(super) budget: Option<Reading>,
    pub(super) body: Vec<u8>,
}

impl RawResponse {
    /// A response from its status, raw `Retry-After` header value and body.
    pub(super) fn new(status: u16, retry_after: Option<&str>, body: Vec<u8>) -> RawResponse {
        RawResponse {
            status,
            retry_after: retry_after.and_then(|v| parse_retry_after(v, SystemTime::now())),
            budget: None,
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

/// Sends one attempt of `call` to `url` (the caller has passed the rate limiter) and reads the
/// whole body.
pub(super) async fn send(
    http: &reqwest::Client,
    timeout: Duration,
    call: &Call,
    url: &Url,
    body: Option<Vec<u8>>,
    attempt: u32,
) -> Result<RawResponse, Failure> {
    let mut request = http
        .request(call.method.clone(), url.clone())
        .timeout(timeout);
    if let Some(body) = body {
        request = request.header(CONTENT_TYPE, "application/json").body(body);
    }
    let started = Instant::now();
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => {
            let failure = transport_failure(timeout, call, e);
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
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
    let retry_after = header(RETRY_AFTER.as_str()).map(str::to_owned);
    let budget = Reading::from_headers(header("ratelimit"), header("ratelimit-policy"));
    let body = match read_body(response, MAX_RESPONSE_BYTES).await {
        Ok(body) => body,
        Err(BodyError::Transport(e)) => return Err(transport_failure(timeout, call, e)),
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
    let mut raw = RawResponse::new(status, retry_after.as_deref(), body);
    raw.budget = budget;
    Ok(raw)
}

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

/// A failure of the connection: a timeout, or the error chain (URL left out); only a refused
/// connection is known not to have reached the server.
fn transport_failure(timeout: Duration, call: &Call, e: reqwest::Error) -> Failure {
    let not_sent = e.is_connect();
    let error = if e.is_timeout() {
        Error::Timeout(timeout)
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
