//! Waiting for a new or changed secret to become `active`: polls on the client's schedule,
//! bounded by the provider's `secret_activation_timeout`, and stops when Terraform cancels.
//!
//! A secret the create (or update) answer already shows active is not polled at all. Otherwise
//! the client's [`PollSchedule`] says when: the first poll 150 ms after the change, then steps
//! that grow by √2 up to 2 s; later waits of the provider process poll first where earlier
//! ones saw secrets turn active (no later than 2.5 s), so after the first wave each wave of
//! Terraform's parallel creates costs one poll. Cloudflare documents no activation delay; the
//! reasoning is in `cloudflare_api`'s `coalescer::pace`. Polls of one store are shared (one
//! listing for all secrets waiting at that moment, see `Client::poll_secret`).

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use cloudflare_api::{Error, ErrorKind, PollSchedule, Secret};

/// The status a usable secret has.
pub const ACTIVE: &str = "active";

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
/// right after a create) at the times `schedule` gives until the secret is active, and tells
/// the schedule what each poll found. Returns at once when `current` already is active.
pub async fn wait_until_active<F, Fut>(
    current: Secret,
    mut schedule: PollSchedule,
    timeout: Duration,
    cancel: &CancellationToken,
    mut fetch: F,
) -> Result<Secret, (Secret, WaitError)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<Secret>, Error>>,
{
    if current.is_active() {
        return Ok(current);
    }
    let deadline = Instant::now() + timeout;
    let mut latest = current;
    while !latest.is_active() {
        let now = Instant::now();
        if now >= deadline {
            let last_status = latest.status.to_string();
            return Err((latest, WaitError::Timeout { last_status }));
        }
        let sleep = schedule.next_wait().min(deadline - now);
        tokio::select! {
            _ = cancel.cancelled() => return Err((latest, WaitError::Cancelled)),
            _ = tokio::time::sleep(sleep) => {}
        }
        match fetch().await {
            Ok(Some(secret)) => {
                if secret.is_active() {
                    schedule.found_active();
                } else {
                    schedule.found_pending();
                }
                latest = secret;
            }
            Ok(None) => {}
            Err(e) if e.kind() == ErrorKind::Cancelled => {
                return Err((latest, WaitError::Cancelled));
            }
            Err(e) => return Err((latest, WaitError::Api(e))),
        }
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
            PollSchedule::default(),
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

    /// Runs one wait on `schedule` whose polls find the secret active at the `active_at`th poll
    /// (counting from 1); the times of its polls, from the start of the wait.
    async fn poll_times(schedule: PollSchedule, active_at: usize) -> Vec<Duration> {
        let started = Instant::now();
        let times = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = times.clone();
        let result = wait_until_active(
            secret("pending"),
            schedule,
            Duration::from_secs(60),
            &CancellationToken::new(),
            move || {
                let mut seen = seen.lock().unwrap();
                seen.push(started.elapsed());
                let status = if seen.len() >= active_at {
                    "active"
                } else {
                    "pending"
                };
                async move { Ok(Some(secret(status))) }
            },
        )
        .await;
        assert!(result.is_ok());
        times.lock().unwrap().clone()
    }

    #[tokio::test(start_paused = true)]
    async fn polls_follow_the_schedule_and_later_waits_start_where_a_secret_turned_active() {
        let config = cloudflare_api::ClientConfig::new(
            "http://127.0.0.1:9/client/v4",
            cloudflare_api::Credentials::ApiToken("tok".to_string().into()),
        );
        let client = cloudflare_api::Client::new(config).unwrap();
        let ms = Duration::from_millis;
        assert_eq!(
            poll_times(client.activation_schedule(), 3).await,
            [150, 362, 662].map(ms)
        );
        // The provider process saw a secret still pending at 362 ms and active at 662 ms:
        // later waits poll first at 662 ms.
        assert_eq!(
            poll_times(client.activation_schedule(), 2).await,
            [662, 1086].map(ms)
        );
        // Another client (another provider process) starts from the beginning.
        let fresh = poll_times(PollSchedule::default(), 1).await;
        assert_eq!(fresh, [ms(150)]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_active_secret_needs_no_poll() {
        let result = wait_until_active(
            secret("active"),
            PollSchedule::default(),
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
            PollSchedule::default(),
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
            PollSchedule::default(),
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
            PollSchedule::default(),
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
            PollSchedule::default(),
            Duration::from_secs(60),
            &CancellationToken::new(),
            || async { Err(Error::Transport("connection refused".into())) },
        )
        .await;
        assert!(matches!(result, Err((_, WaitError::Api(_)))));
    }
}
