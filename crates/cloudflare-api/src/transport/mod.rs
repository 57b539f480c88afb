//! The bottom layer: one request to the Cloudflare v4 API, from settings and credentials to a
//! typed result or a typed error. It paces every request (the one rate limiter), retries with
//! backoff and `Retry-After`, reconciles a create whose response was lost, and stops when
//! Terraform asks. It knows HTTP and the envelope, not the Secrets Store: callers give it a
//! [`Call`] (method and path segments).

mod attempt;
mod budget;
mod call;
mod cancel;
mod config;
mod envelope;
mod error;
mod http;
mod rate_limit;
mod retry;
mod retry_loop;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

pub(crate) use call::{BodyFn, Call, Kind, ReconcileFn, Reconciled};
use cancel::Cancellation;
use config::normalized_base_url;
pub use config::{
    ClientConfig, Credentials, DEFAULT_BASE_URL, check_base_url, without_credentials,
};
pub(crate) use envelope::Envelope;
pub use error::{ApiMessage, Error, ErrorKind};
pub(crate) use rate_limit::{Permit, RateLimiter};
use retry::RetryPolicy;
use retry_loop::Gate;

/// What every request of a client and all its clones share.
struct Shared {
    http: reqwest::Client,
    base_url: Url,
    limiter: RateLimiter,
    retry: RetryPolicy,
    timeout: Duration,
}

/// A handle on the transport. Cheap to clone; clones share the connection pool and the rate
/// limiter, and each has its own cancellation (see [`Transport::with_cancel`]).
#[derive(Clone)]
pub(crate) struct Transport {
    shared: Arc<Shared>,
    /// What ends this handle's waits; never fires unless set with [`Transport::with_cancel`].
    cancel: Cancellation,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base_url", &self.shared.base_url.as_str())
            .field("retry", &self.shared.retry)
            .field("timeout", &self.shared.timeout)
            .field("cancelled", &self.cancel.token.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Validates `config` and builds the transport (no request is sent).
    pub(crate) fn new(config: &ClientConfig) -> Result<Transport, Error> {
        config.validate()?;
        let base_url = normalized_base_url(&config.base_url)?;
        let shared = Shared {
            http: http::build(config, base_url.scheme() == "https")?,
            base_url,
            limiter: RateLimiter::new(config.requests_per_second)
                .keeping(config.rate_limit_reserve),
            retry: RetryPolicy {
                max_retries: config.max_retries,
                min_backoff: config.min_backoff,
                max_backoff: config.max_backoff,
            },
            timeout: config.request_timeout,
        };
        Ok(Transport {
            shared: Arc::new(shared),
            cancel: Cancellation::default(),
        })
    }

    /// A clone whose requests stop when `token` fires: waits for the rate limiter, backoff or
    /// `Retry-After` end at once and no new attempt is sent; the call fails with
    /// [`Error::Cancelled`]. An attempt already sent is awaited (bounded by the request
    /// timeout), so a create in flight is never abandoned.
    pub(crate) fn with_cancel(&self, token: CancellationToken) -> Transport {
        Transport {
            shared: self.shared.clone(),
            cancel: Cancellation::new(token),
        }
    }

    /// The handle for the lookup after a create whose response was lost: after a stop it still
    /// sends requests that need no wait, so what the create made can be found, not orphaned.
    pub(crate) fn for_lookup(&self) -> Transport {
        Transport {
            shared: self.shared.clone(),
            cancel: self.cancel.for_lookup(),
        }
    }

    /// The token that stops this handle's requests.
    pub(crate) fn cancel_token(&self) -> &CancellationToken {
        &self.cancel.token
    }

    /// The total time this client's requests waited for the rate limit, once, the first time it
    /// is asked after it passed 30 s (so a slow run can say why once).
    pub(crate) fn take_long_wait(&self) -> Option<Duration> {
        self.shared.limiter.take_long_wait()
    }

    /// The one rate limiter every request of this client waits for.
    pub(crate) fn limiter(&self) -> &RateLimiter {
        &self.shared.limiter
    }

    /// Sends `call` with `body` through the retry loop (no reconciliation). `permit` is the
    /// first attempt's rate-limit token when the caller already took it.
    pub(crate) async fn send<T: DeserializeOwned + Send + 'static>(
        &self,
        call: &Call,
        permit: Option<Permit>,
        body: Option<Vec<u8>>,
    ) -> Result<Envelope<T>, Error> {
        let same_body = || Ok(body.clone());
        self.send_reconciling(call, permit, &same_body, &mut call::nothing_to_reconcile)
            .await
    }

    /// Sends `call` through the retry loop: retries 429 (honouring `Retry-After`), 5xx,
    /// connection errors and timeouts with jittered backoff, up to `max_retries`. Each attempt's
    /// body comes from `body`; a create that may have been applied is reconciled with
    /// `reconcile` before anything is sent again. Stops with [`Error::Cancelled`] when this
    /// handle's cancellation token fires.
    pub(crate) async fn send_reconciling<'a, T>(
        &self,
        call: &Call,
        permit: Option<Permit>,
        body: BodyFn<'a>,
        reconcile: ReconcileFn<'a, T>,
    ) -> Result<Envelope<T>, Error>
    where
        T: DeserializeOwned + Send + 'a,
    {
        let url = &self.url(call)?;
        let shared = &*self.shared;
        let gate = Gate {
            limiter: &shared.limiter,
            cancel: &self.cancel,
            prepaid: permit,
        };
        let send =
            |body, attempt| attempt::send(&shared.http, shared.timeout, call, url, body, attempt);
        retry_loop::drive(call, shared.retry, gate, body, reconcile, send).await
    }

    /// The base URL with the call's path segments (escaped) and query.
    fn url(&self, call: &Call) -> Result<Url, Error> {
        let mut url = self.shared.base_url.clone();
        url.path_segments_mut()
            .map_err(|_| Error::Config("base_url cannot hold API paths".into()))?
            .pop_if_empty()
            .extend(&call.segments);
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(call.query.iter());
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;
    use secrecy::SecretString;

    #[test]
    fn urls_escape_segments_and_carry_the_query() {
        let config = ClientConfig::new(
            "http://127.0.0.1:9/client/v4/",
            Credentials::ApiToken(SecretString::from("tok")),
        );
        let transport = Transport::new(&config).unwrap();
        let segments = ["accounts", "acc", "stores", "a/b?c", "secrets"];
        let mut call = Call::new(Kind::Read, Method::GET, segments.map(String::from).to_vec());
        call.query.push(("search", "A B&C".into()));
        assert_eq!(
            transport.url(&call).unwrap().as_str(),
            "http://127.0.0.1:9/client/v4/accounts/acc/stores/a%2Fb%3Fc/secrets?search=A+B%26C"
        );
    }
}
