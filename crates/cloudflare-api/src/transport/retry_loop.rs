//! The retry and reconcile loop, independent of how an attempt is sent: rate-limit token, one
//! attempt, classification of the outcome, reconciliation of creates, `Retry-After` or backoff,
//! give up, and stop when Terraform cancels.
//!
//! Hand-written rather than a retry crate (`backon` retries a closure): what happens between two
//! attempts decides whether there is a next one and what it sends. A create whose response was
//! lost is looked up first and only what is still missing is sent again (a batch body shrinks);
//! a server's `Retry-After` holds every caller of the client through the shared rate limiter,
//! not just this request; and a stop ends every wait at once while an attempt already sent is
//! never abandoned. The backoff arithmetic beside it (`retry.rs`) is a few lines of its own.
//!
//! Cancellation (StopProvider) ends every wait at once (rate limiter, backoff, `Retry-After`)
//! and is checked before each attempt is sent. An attempt already sent is never abandoned: its
//! response is awaited (the per-request timeout bounds it), because dropping a create in flight
//! could leave an object nobody knows about. When such a create's response is lost and the token
//! has fired, the loop skips the wait and still runs the reconciliation lookup, which the client
//! lets send requests only while they need no wait (see `Cancellation::for_lookup`): a found
//! object is returned as the result; otherwise the loop returns [`Error::Cancelled`], saying
//! whether the create may still have been applied.

use std::future::Future;
use std::time::Duration;

use serde::de::DeserializeOwned;

use super::attempt::{Failure, RawResponse};
use super::call::{BodyFn, Call, Kind, ReconcileFn, Reconciled};
use super::cancel::Cancellation;
use super::envelope::{self, Envelope};
use super::error::{Error, ErrorKind};
use super::rate_limit::{Permit, RateLimiter};
use super::retry::RetryPolicy;

/// What each attempt passes before it is sent: a rate-limit token (the caller's prepaid one
/// first), unless Terraform asked the provider to stop.
pub(super) struct Gate<'a> {
    pub(super) limiter: &'a RateLimiter,
    pub(super) cancel: &'a Cancellation,
    /// The first attempt's token, when the caller already took it (a coalescer takes it before
    /// it decides what the request carries); retries take their own.
    pub(super) prepaid: Option<Permit>,
}

impl Gate<'_> {
    /// Takes the next attempt's token, waiting unless the stop token fires: `false` means the
    /// attempt must not be sent. After a stop, only a lookup may still go out, and only when a
    /// token is free now.
    async fn pass(&mut self) -> bool {
        if self.prepaid.take().is_some() {
            return !self.cancel.token.is_cancelled();
        }
        if self.cancel.token.is_cancelled() {
            return self.cancel.send_without_wait_after_cancel
                && self.limiter.try_acquire().is_some();
        }
        let token = &self.cancel.token;
        self.limiter.acquire_unless_cancelled(token).await.is_some()
    }
}

/// Runs `call` until it succeeds or must stop. Each attempt first passes `gate` (a rate-limit
/// token), then `send(body, attempt)` performs it (`attempt` counts from 0). 429 (honouring
/// `Retry-After`), 5xx, connection errors and timeouts are retried with `policy` up to
/// `policy.max_retries` times; the last error is returned. A create that may have been applied
/// is reconciled with `reconcile` before anything is sent again. When the gate's stop token
/// fires, waits end and no new attempt is sent: the result is [`Error::Cancelled`] (see the
/// module docs).
pub(super) async fn drive<'a, T, S, F>(
    call: &Call,
    policy: RetryPolicy,
    mut gate: Gate<'_>,
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
    // An attempt that writes may have taken effect and no later answer or lookup settled it.
    let mut unsettled_write = false;
    loop {
        let next_body = body()?;
        if !gate.pass().await {
            tracing::debug!(
                method = %call.method,
                path = %call.path(),
                attempt = retry,
                "Cloudflare API request cancelled before it was sent"
            );
            return Err(Error::Cancelled {
                may_have_applied: unsettled_write,
            });
        }
        let outcome = send(next_body, retry).await;
        if let Ok(RawResponse {
            budget: Some(reading),
            ..
        }) = &outcome
        {
            // Every answer, errors included, updates the shared pace first.
            gate.limiter.observe(reading);
        }
        let failure = match outcome {
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
        unsettled_write |= failure.maybe_applied && call.kind != Kind::Read;
        let error = failure.error;

        if call.kind == Kind::Delete
            && maybe_applied
            && retry > 0
            && error.kind() == ErrorKind::NotFound
        {
            return Ok(Envelope {
                result: None,
                result_info: None,
            });
        }
        let retryable = error.is_retryable();
        let reconcile_now = call.kind == Kind::Create
            && maybe_applied
            && (retryable
                || matches!(
                    error.kind(),
                    ErrorKind::NameConflict | ErrorKind::MaxStoresExceeded | ErrorKind::Decode
                ));
        if !retryable && !reconcile_now {
            return Err(error);
        }
        if let Some(wait) = failure.retry_after {
            // The server asked everyone to wait: hold the shared pace, not just this request.
            gate.limiter.hold_off(policy.delay(retry, Some(wait)));
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
            if !sleep_unless_cancelled(delay, gate.cancel).await {
                tracing::debug!(
                    method = %call.method,
                    path = %call.path(),
                    "stopped waiting to retry: Terraform asked the provider to stop"
                );
            }
        }
        if reconcile_now {
            // Runs even after a stop (without waiting): the lookup may find what was created.
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
                Ok(Reconciled::Missing) if will_retry => unsettled_write = false,
                Ok(_) => return Err(error),
                Err(lookup) if lookup.kind() == ErrorKind::Cancelled => {
                    return Err(Error::Cancelled {
                        may_have_applied: true,
                    });
                }
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

/// Sleeps for `delay`; `false` when `cancel` fired first (or had already).
async fn sleep_unless_cancelled(delay: Duration, cancel: &Cancellation) -> bool {
    tokio::select! {
        biased;
        () = cancel.token.cancelled() => false,
        () = tokio::time::sleep(delay) => true,
    }
}

#[cfg(test)]
mod tests;
