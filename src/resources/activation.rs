//! Waiting for a new or changed secret to become `active`: polls with backoff, bounded by the
//! provider's `secret_activation_timeout`, and stops when Terraform cancels.
//!
//! Pace: the first poll comes 350 ms after the change, a little after the emulator's default
//! activation delay of 300 ms (Cloudflare documents none), so one poll usually finds the
//! secret active; then the delay doubles up to 2 s. Polls of one store are shared (one listing for
//! all secrets waiting at that moment, see `Client::poll_secret`).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use cloudflare_api::{Error, ErrorKind, Secret};

/// The status a usable secret has.
pub const ACTIVE: &str = "active";

const FIRST_DELAY: Duration = cloudflare_api::FIRST_STATUS_POLL;
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Why waiting did not end with an active secret.
#[derive(Debug)]
pub enum WaitError {
    /// Still not active when the timeout passed; carries the last status seen.
    Timeout {
        last_status: String,
    },
    Cancelled,
    Api(Error),
}

impl std::fmt::Display for WaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitError::Timeout { last_status } => write!(
                f,
                "the secret was still {last_status:?} when secret_activation_timeout passed"
            ),
            WaitError::Cancelled => write!(
                f,
                "the operation was cancelled because Terraform asked the provider to stop"
            ),
            WaitError::Api(e) => write!(f, "{e}"),
        }
    }
}

/// Polls `fetch` (which returns `None` while the secret is not visible yet, e.g. replica lag
/// right after a create) until the secret is active. Returns at once when `current` already is.
pub async fn wait_until_active<F, Fut>(
    current: Secret,
    timeout: Duration,
    cancel: &CancellationToken,
    mut fetch: F,
) -> Result<Secret, (Secret, WaitError)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Secret>, Error>>,
{
    let deadline = Instant::now() + timeout;
    let mut latest = current;
    let mut delay = FIRST_DELAY;
    while !latest.is_active() {
        let now = Instant::now();
        if now >= deadline {
            let last_status = latest.status.to_string();
            return Err((latest, WaitError::Timeout { last_status }));
        }
        let sleep = delay.min(deadline - now);
        tokio::select! {
            _ = cancel.cancelled() => return Err((latest, WaitError::Cancelled)),
            _ = tokio::time::sleep(sleep) => {}
        }
        match fetch().await {
            Ok(Some(secret)) => latest = secret,
            Ok(None) => {}
            Err(e) if e.kind() == ErrorKind::Cancelled => {
                return Err((latest, WaitError::Cancelled));
            }
            Err(e) => return Err((latest, WaitError::Api(e))),
        }
        delay = (delay * 2).min(MAX_DELAY);
    }
    Ok(latest)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use cloudflare_api::SecretStatus;

    fn secret(status: &str) -> Secret {
        Secret {
            id: "3fd85f74b32742f1bff64a85009dda07".into(),
            store_id: "fedcba9876543210fedcba9876543210".into(),
            name: "API_KEY".into(),
            status: status.into(),
            created: "2026-01-01T00:00:00.000000Z".into(),
            modified: "2026-01-01T00:00:00.000000Z".into(),
            comment: None,
            scopes: Some(vec!["workers".into()]),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn returns_once_the_secret_turns_active() {
        let calls = Arc::new(AtomicUsize::new(0));
        let counter = calls.clone();
        let result = wait_until_active(
            secret("pending"),
            Duration::from_secs(60),
            &CancellationToken::new(),
            move || {
                let n = counter.fetch_add(1, Ordering::SeqCst);
                async move {
                    Ok(match n {
                        0 => None, // not visible yet
                        1 => Some(secret("pending")),
                        _ => Some(secret("active")),
                    })
                }
            },
        )
        .await;
        assert_eq!(result.expect("active").status, SecretStatus::Active);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn an_active_secret_needs_no_poll() {
        let result = wait_until_active(
            secret("active"),
            Duration::from_secs(1),
            &CancellationToken::new(),
            || async { panic!("must not poll") },
        )
        .await;
        assert!(result.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_timeout_with_the_last_status() {
        let started = Instant::now();
        let result = wait_until_active(
            secret("pending"),
            Duration::from_secs(5),
            &CancellationToken::new(),
            || async { Ok(Some(secret("pending"))) },
        )
        .await;
        match result {
            Err((last, WaitError::Timeout { last_status })) => {
                assert_eq!(last_status, "pending");
                assert_eq!(last.status, SecretStatus::Pending);
            }
            other => panic!("expected a timeout, got {:?}", other.map(|s| s.status)),
        }
        let waited = started.elapsed();
        assert!(waited >= Duration::from_secs(5) && waited < Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn stops_when_cancelled() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let result = wait_until_active(
            secret("pending"),
            Duration::from_secs(60),
            &cancel,
            || async { Ok(Some(secret("pending"))) },
        )
        .await;
        assert!(matches!(result, Err((_, WaitError::Cancelled))));
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_the_client_cancelled_is_a_cancellation_not_an_api_error() {
        let result = wait_until_active(
            secret("pending"),
            Duration::from_secs(60),
            &CancellationToken::new(),
            || async {
                Err(Error::Cancelled {
                    may_have_applied: false,
                })
            },
        )
        .await;
        assert!(matches!(result, Err((_, WaitError::Cancelled))));
    }

    #[tokio::test(start_paused = true)]
    async fn api_errors_end_the_wait() {
        let result = wait_until_active(
            secret("pending"),
            Duration::from_secs(60),
            &CancellationToken::new(),
            || async { Err(Error::Transport("connection refused".into())) },
        )
        .await;
        assert!(matches!(result, Err((_, WaitError::Api(_)))));
    }
}
