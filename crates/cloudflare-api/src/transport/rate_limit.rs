//! The one component that paces the client's requests: a token bucket shared by every clone of
//! a client and all its concurrent requests (the retry loop's attempts, the coalescer's bulk
//! requests), which the response path reaches too (`hold_off` for a server's `Retry-After`).
//!
//! Hand-written because a general-purpose limiter answers "may I send now?", and this client
//! needs more of its pacing: a waiter reserves its token before it sleeps, so concurrent callers
//! queue fairly in arrival order; a wait ended by Terraform's StopProvider gives its reserved
//! token back (cancel refund), so a stop does not slow later callers down; a server's
//! `Retry-After` holds the whole bucket, not one request; a lookup after a stop may take a token
//! only when one is free now; and the coalescer takes a token before it decides what a request
//! carries. Each is a few lines on one bucket.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Hands out permits at `rate` per second with a small burst. Clones share one bucket.
/// Waiters reserve their token before sleeping, so concurrent callers queue fairly.
#[derive(Clone, Debug)]
pub(crate) struct RateLimiter {
    bucket: Arc<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    rate: f64,
    burst: f64,
    /// May go negative: tokens already promised to sleeping callers.
    tokens: f64,
    updated: Instant,
}

/// One rate-limit token, taken: the right to send one request now.
#[must_use = "a permit is the right to send one request"]
#[derive(Debug)]
pub(crate) struct Permit(());

impl RateLimiter {
    /// `requests_per_second` (positive) with a burst of `clamp(floor(rate), 1, 5)` requests.
    pub(super) fn new(requests_per_second: f64) -> RateLimiter {
        let burst = requests_per_second.floor().clamp(1.0, 5.0);
        RateLimiter::with_burst(requests_per_second, burst as u32)
    }

    /// `requests_per_second` (positive) and an explicit burst size (at least 1).
    pub(super) fn with_burst(requests_per_second: f64, burst: u32) -> RateLimiter {
        let burst = f64::from(burst.max(1));
        RateLimiter {
            bucket: Arc::new(Mutex::new(Bucket {
                rate: requests_per_second.max(f64::MIN_POSITIVE),
                burst,
                tokens: burst,
                updated: Instant::now(),
            })),
        }
    }

    /// Waits until this caller may send one request, or until `cancel` fires: then returns
    /// `None` and gives the reserved token back, so a stop does not slow later callers down.
    pub(crate) async fn acquire_unless_cancelled(
        &self,
        cancel: &CancellationToken,
    ) -> Option<Permit> {
        if cancel.is_cancelled() {
            return None;
        }
        let wait = self.reserve();
        if wait.is_zero() {
            return Some(Permit(()));
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => Some(Permit(())),
            () = cancel.cancelled() => {
                self.give_back();
                None
            }
        }
    }

    /// Takes a token only when one is free now (no wait); `None` leaves the bucket as it was.
    pub(super) fn try_acquire(&self) -> Option<Permit> {
        let mut bucket = self.refilled();
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Some(Permit(()))
        } else {
            None
        }
    }

    /// The time between two tokens at the steady rate.
    pub(crate) fn interval(&self) -> Duration {
        let bucket = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        Duration::from_secs_f64(1.0 / bucket.rate).min(Duration::from_secs(3600))
    }

    /// Hands out no token before `wait` from now: a server's `Retry-After` (HTTP 429) holds
    /// every caller sharing this bucket, not only the request that received it. Tokens already
    /// promised to sleeping callers stay promised.
    pub(super) fn hold_off(&self, wait: Duration) {
        let mut bucket = self.refilled();
        // After the next reservation takes one token, it waits `-tokens / rate` = `wait`.
        let held = 1.0 - wait.as_secs_f64() * bucket.rate;
        bucket.tokens = bucket.tokens.min(held);
    }

    /// Takes a token now and returns how long the caller must wait before using it.
    fn reserve(&self) -> Duration {
        let mut bucket = self.refilled();
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-bucket.tokens / bucket.rate)
        }
    }

    /// Returns a reserved token that will not be used.
    fn give_back(&self) {
        let mut bucket = self.refilled();
        bucket.tokens = (bucket.tokens + 1.0).min(bucket.burst);
    }

    /// The bucket, locked, with the tokens earned since the last update added.
    fn refilled(&self) -> std::sync::MutexGuard<'_, Bucket> {
        let mut bucket = self
            .bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * bucket.rate).min(bucket.burst);
        bucket.updated = now;
        bucket
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl RateLimiter {
        /// Waits until this caller may send one request.
        async fn acquire(&self) {
            let never = CancellationToken::new();
            assert!(self.acquire_unless_cancelled(&never).await.is_some());
        }
    }

    #[tokio::test(start_paused = true)]
    async fn burst_is_immediate_then_paced_at_the_rate() {
        let limiter = RateLimiter::with_burst(2.0, 3);
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(1000));
    }

    #[tokio::test(start_paused = true)]
    async fn clones_share_one_bucket_across_tasks() {
        let limiter = RateLimiter::with_burst(4.0, 1);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let limiter = limiter.clone();
            tasks.push(tokio::spawn(async move {
                limiter.acquire().await;
                Instant::now()
            }));
        }
        let mut finished = Vec::new();
        for task in tasks {
            finished.push(task.await.unwrap() - start);
        }
        finished.sort();
        let expected: Vec<_> = (0..8).map(|i| Duration::from_millis(250 * i)).collect();
        assert_eq!(finished, expected);
    }

    #[tokio::test(start_paused = true)]
    async fn idle_time_refills_up_to_the_burst_only() {
        let limiter = RateLimiter::with_burst(1.0, 2);
        limiter.acquire().await;
        limiter.acquire().await;
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_wait_returns_early_and_gives_its_token_back() {
        let limiter = RateLimiter::with_burst(1.0, 1);
        let cancel = CancellationToken::new();
        let start = Instant::now();
        assert!(limiter.acquire_unless_cancelled(&cancel).await.is_some());
        let stopper = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            stopper.cancel();
        });
        assert!(limiter.acquire_unless_cancelled(&cancel).await.is_none());
        assert_eq!(start.elapsed(), Duration::from_millis(300));
        // The abandoned reservation is returned: the next caller waits for the token earned
        // at 1 s, not for a second one at 2 s.
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
        // Already cancelled: no token is taken and nothing waits.
        assert!(limiter.acquire_unless_cancelled(&cancel).await.is_none());
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn try_acquire_takes_only_a_free_token() {
        let limiter = RateLimiter::with_burst(2.0, 2);
        assert!(limiter.try_acquire().is_some());
        assert!(limiter.try_acquire().is_some());
        assert!(limiter.try_acquire().is_none(), "the burst is spent");
        tokio::time::sleep(Duration::from_millis(499)).await;
        assert!(limiter.try_acquire().is_none());
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(
            limiter.try_acquire().is_some(),
            "one token earned after 500 ms"
        );
        // A failed try reserved nothing: the next acquire waits one interval only.
        let start = Instant::now();
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_off_delays_every_later_caller() {
        let limiter = RateLimiter::with_burst(10.0, 5);
        let start = Instant::now();
        limiter.acquire().await;
        limiter.hold_off(Duration::from_secs(2));
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // Then the usual pace: one token per 100 ms (the burst was spent by the hold).
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(2100));
        // A shorter hold than what is already owed changes nothing.
        limiter.hold_off(Duration::ZERO);
        limiter.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_millis(2200));
    }

    #[test]
    fn default_burst_is_small() {
        let limiter = RateLimiter::new(3.5);
        assert_eq!(limiter.bucket.lock().unwrap().burst, 3.0);
        let limiter = RateLimiter::new(100.0);
        assert_eq!(limiter.bucket.lock().unwrap().burst, 5.0);
        let limiter = RateLimiter::new(0.2);
        assert_eq!(limiter.bucket.lock().unwrap().burst, 1.0);
    }
}
