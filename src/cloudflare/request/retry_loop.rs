//! The retry loop, independent of how an attempt is sent: rate-limit token, one attempt,
//! classification of the outcome, reconciliation of creates, `Retry-After` or backoff, give up.

use std::future::Future;

use serde::de::DeserializeOwned;

use super::{BodyFn, Call, Failure, Kind, RawResponse, ReconcileFn, Reconciled};
use crate::cloudflare::envelope::{self, Envelope};
use crate::cloudflare::error::Error;
use crate::cloudflare::rate_limit::RateLimiter;
use crate::cloudflare::retry::RetryPolicy;

/// Runs `call` until it succeeds or must stop. Each attempt first takes a token from `limiter`,
/// then `send(body, attempt)` performs it (`attempt` counts from 0). 429 (honouring
/// `Retry-After`), 5xx, connection errors and timeouts are retried with `policy` up to
/// `policy.max_retries` times; the last error is returned. A create that may have been applied
/// is reconciled with `reconcile` before anything is sent again.
pub(super) async fn drive<'a, T, S, F>(
    call: &Call,
    policy: RetryPolicy,
    limiter: &RateLimiter,
    body: BodyFn<'a>,
    reconcile: ReconcileFn<'a, T>,
    mut send: S,
) -> Result<Envelope<T>, Error>
where
    T: DeserializeOwned + Send + 'a,
    S: FnMut(Option<Vec<u8>>, u32) -> F,
    F: Future<Output = Result<RawResponse, Failure>>,
{
    let mut retry = 0u32;
    let mut maybe_applied = false;
    loop {
        let next_body = body()?;
        limiter.acquire().await;
        let failure = match send(next_body, retry).await {
            Ok(raw) => match envelope::parse::<T>(raw.status, &raw.body) {
                Ok(envelope) => return Ok(envelope),
                Err(error) => Failure {
                    maybe_applied: raw.status >= 500 || matches!(error, Error::Decode(_)),
                    retry_after: (raw.status == 429 || raw.status == 503)
                        .then_some(raw.retry_after)
                        .flatten(),
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

#[cfg(test)]
mod tests;
