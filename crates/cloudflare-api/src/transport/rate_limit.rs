//! The one component that paces the client's requests: a token bucket shared by every clone of
//! a client and all its concurrent requests (the retry loop's attempts, the coalescer's bulk
//! requests), which the response path reaches too: a server's `Retry-After` (`hold_off`) and its
//! rate-limit headers (`observe`, see `budget.rs`) slow or hold the whole bucket.
//!
//! Hand-written because a general-purpose limiter answers "may I send now?", and this client
//! needs more of its pacing: a waiter reserves its token before it sleeps, so concurrent callers
//! queue fairly in arrival order; a wait ended by Terraform's StopProvider gives its reserved
//! token back (cancel refund), so a stop does not slow later callers down; a server's
//! `Retry-After` or an exhausted budget holds the whole bucket, not one request; the server's
//! budget changes the pace as it runs; a lookup after a stop may take a token only when one is
//! free now; and the coalescer takes a token before it decides what a request carries. Each is
//! a few lines on one bucket.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::budget::{Budget, Pace, Reading};

/// A process that has waited this long in all for the rate limit says so once.
pub(crate) const LONG_WAIT: Duration = Duration::from_secs(30);

/// Hands out permits at `rate` per second with a small burst. Clones share one bucket.
/// Waiters reserve their token before sleeping, so concurrent callers queue fairly.
#[derive(Clone, Debug)]
pub(crate) struct RateLimiter {
    bucket: Arc<Mutex<Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    /// The client's own pace (`requests_per_second`) and burst: never exceeded.
    configured_rate: f64,
    configured_burst: f64,
    /// The pace in force: the configured one, or slower while the server's budget asks.
    rate: f64,
    burst: f64,
    /// May go negative: tokens already promised to sleeping callers.
    tokens: f64,
    /// When `tokens` was counted; in the future while a hold lasts (no token accrues before).
    updated: Instant,
    budget: Budget,
    waits: WaitTally,
}

/// How long the process has waited for the rate limit: the time at least one caller waited.
#[derive(Debug, Default)]
struct WaitTally {
    waiting: usize,
    since: Option<Instant>,
    total: Duration,
    /// Set once the total passed [`LONG_WAIT`]; taken by whoever reports it.
    long_wait: LongWait,
}

#[derive(Debug, Default, PartialEq)]
enum LongWait {
    #[default]
    NotYet,
    Reached(Duration),
    Reported,
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
        let rate = requests_per_second.max(f64::MIN_POSITIVE);
        RateLimiter {
            bucket: Arc::new(Mutex::new(Bucket {
                configured_rate: rate,
                configured_burst: burst,
                rate,
                burst,
                tokens: burst,
                updated: Instant::now(),
                budget: Budget::new(None),
                waits: WaitTally::default(),
            })),
        }
    }

    /// Leaves `reserve` requests of the server's budget to others (`None`: a tenth of its quota).
    pub(super) fn keeping(self, reserve: Option<u32>) -> RateLimiter {
        self.locked().budget = Budget::new(reserve);
        self
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
        let mut wait = self.reserve();
        if wait.is_zero() {
            return Some(Permit(()));
        }
        self.locked().waits.start();
        let permit = loop {
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = cancel.cancelled() => {
                    self.give_back();
                    break None;
                }
            }
            // A hold that began while this caller slept (the budget ran down to the reserve,
            // a `Retry-After`) voids its token: it queues again behind the hold.
            if !self.held() {
                break Some(Permit(()));
            }
            wait = self.reserve();
        };
        self.locked().waits.end();
        permit
    }

    /// Whether a hold keeps every caller waiting now.
    fn held(&self) -> bool {
        self.locked().updated > Instant::now()
    }

    /// Takes a token only when one is free now (no wait); `None` leaves the bucket as it was.
    pub(super) fn try_acquire(&self) -> Option<Permit> {
        let mut bucket = self.refilled();
        if bucket.tokens >= 1.0 && bucket.updated <= Instant::now() {
            bucket.tokens -= 1.0;
            Some(Permit(()))
        } else {
            None
        }
    }

    /// The time between two tokens at the pace in force.
    pub(crate) fn interval(&self) -> Duration {
        let bucket = self.locked();
        Duration::from_secs_f64(1.0 / bucket.rate).min(Duration::from_secs(3600))
    }

    /// Hands out no token before `wait` from now: a server's `Retry-After` (HTTP 429) holds
    /// every caller sharing this bucket, not only the request that received it. Tokens already
    /// promised to sleeping callers stay promised.
    pub(super) fn hold_off(&self, wait: Duration) {
        self.refilled().hold_until(Instant::now() + wait);
    }

    /// Takes in a response's report of the server's budget: paces slower while the budget
    /// asks (never faster than configured), or holds every caller until the window resets.
    pub(super) fn observe(&self, reading: &Reading) {
        let mut bucket = self.refilled();
        let now = Instant::now();
        let pace = bucket.budget.observe(reading, now);
        let reserve = bucket.budget.reserve(reading.quota);
        match pace {
            Pace::Rate(rate) => {
                bucket.pace(rate);
                if bucket.rate < bucket.configured_rate {
                    // The server's pace counts from now: no token saved under an older reading.
                    bucket.tokens = bucket.tokens.min(0.0);
                }
                tracing::debug!(
                    remaining = reading.remaining,
                    reset_s = reading.reset.as_secs(),
                    quota = reading.quota,
                    reserve,
                    sharers = bucket.budget.sharers(),
                    pace_per_s = bucket.rate,
                    "Cloudflare API rate-limit budget"
                );
            }
            Pace::HoldUntil(until) => {
                // The window that follows is unknown until its first answer: start it at the
                // configured pace, one request at a time.
                let configured = bucket.configured_rate;
                bucket.pace(configured);
                bucket.burst = 1.0;
                bucket.hold_until(until);
                tracing::debug!(
                    remaining = reading.remaining,
                    reserve,
                    hold_ms = (until - now).as_millis() as u64,
                    "Cloudflare API rate-limit budget at its reserve: holding every request                      until the window resets"
                );
            }
        }
    }

    /// The total time waited for the rate limit, once, the first time it is asked after it
    /// passed [`LONG_WAIT`].
    pub(crate) fn take_long_wait(&self) -> Option<Duration> {
        let mut bucket = self.locked();
        match bucket.waits.long_wait {
            LongWait::Reached(total) => {
                bucket.waits.long_wait = LongWait::Reported;
                Some(total)
            }
            _ => None,
        }
    }

    /// Takes a token now and returns how long the caller must wait before using it.
    fn reserve(&self) -> Duration {
        let mut bucket = self.refilled();
        bucket.tokens -= 1.0;
        let now = Instant::now();
        let held = bucket.updated.saturating_duration_since(now);
        if bucket.tokens >= 0.0 {
            held
        } else {
            held + Duration::from_secs_f64(-bucket.tokens / bucket.rate)
        }
    }

    /// Returns a reserved token that will not be used.
    fn give_back(&self) {
        let mut bucket = self.refilled();
        bucket.tokens = (bucket.tokens + 1.0).min(bucket.burst);
    }

    fn locked(&self) -> std::sync::MutexGuard<'_, Bucket> {
        self.bucket
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The bucket, locked, with the tokens earned since the last update added.
    fn refilled(&self) -> std::sync::MutexGuard<'_, Bucket> {
        let mut bucket = self.locked();
        let now = Instant::now();
        if now > bucket.updated {
            let elapsed = (now - bucket.updated).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * bucket.rate).min(bucket.burst);
            bucket.updated = now;
        }
        bucket
    }
}

impl Bucket {
    /// No token accrues before `until`; the first caller after it goes at `until`, the next
    /// one interval later. Callers already sleeping keep their time (their tokens were promised).
    fn hold_until(&mut self, until: Instant) {
        if until > self.updated {
            self.updated = until;
            self.tokens = 1.0;
        }
    }

    /// Sets the pace to `rate` (capped by the configured rate). Slower than configured, the
    /// burst shrinks to one request, so a slow pace holds from the next request on.
    fn pace(&mut self, rate: f64) {
        self.rate = rate.min(self.configured_rate).max(f64::MIN_POSITIVE);
        self.burst = if self.rate < self.configured_rate {
            1.0
        } else {
            self.configured_burst
        };
        self.tokens = self.tokens.min(self.burst);
    }
}

impl WaitTally {
    fn start(&mut self) {
        if self.waiting == 0 {
            self.since = Some(Instant::now());
        }
        self.waiting += 1;
    }

    fn end(&mut self) {
        self.waiting = self.waiting.saturating_sub(1);
        if self.waiting > 0 {
            return;
        }
        if let Some(since) = self.since.take() {
            self.total += Instant::now() - since;
        }
        if self.total > LONG_WAIT && self.long_wait == LongWait::NotYet {
            tracing::warn!(
                waited_s = self.total.as_secs(),
                "requests to the Cloudflare API have waited {} s in all for the rate limit \
                 (the client's requests_per_second, or the API's rate-limit budget shared \
                 with other clients of the same user)",
                self.total.as_secs()
            );
            self.long_wait = LongWait::Reached(self.total);
        }
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

    fn reading(remaining: u32, reset_s: u64, quota: u32) -> Reading {
        Reading {
            remaining,
            reset: Duration::from_secs(reset_s),
            quota: Some(quota),
            window: Some(Duration::from_secs(15)),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_servers_budget_slows_the_pace_and_never_speeds_it_up() {
        let limiter = RateLimiter::with_burst(10.0, 5);
        limiter.acquire().await;
        // 18 requests to spare over 10 s, alone: 1.8 per second, one at a time.
        limiter.observe(&reading(20, 10, 20));
        let start = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        // Each one interval (1 / 1.8 s) after the last, from the reading on: no burst, and no
        // token saved under the faster pace before it (to the millisecond of the paused clock).
        let waited = start.elapsed().as_secs_f64();
        assert!(
            (waited - 2.0 / 1.8).abs() < 0.002,
            "no burst while paced: {waited}"
        );
        // Plenty left: back to the configured 10 per second, never faster.
        limiter.observe(&reading(1000, 1, 1200));
        assert_eq!(limiter.interval(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn at_the_reserve_every_caller_holds_until_the_window_resets() {
        let limiter = RateLimiter::with_burst(10.0, 5);
        limiter.observe(&reading(2, 7, 20));
        let start = Instant::now();
        let waited = || async {
            limiter.acquire().await;
            start.elapsed()
        };
        let (a, b) = tokio::join!(waited(), waited());
        let (first, second) = (a.min(b), a.max(b));
        assert!(
            first >= Duration::from_millis(7250) && first <= Duration::from_millis(8500),
            "held past the reset plus a jitter: {first:?}"
        );
        // Then one at a time at the configured pace, until the next reading says more.
        assert_eq!(second - first, Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_that_begins_while_a_caller_sleeps_makes_it_wait_again() {
        let limiter = RateLimiter::with_burst(1.0, 1);
        limiter.acquire().await;
        let start = Instant::now();
        let (waited, ()) = tokio::join!(
            async {
                // Sleeps for the token due at 1 s ...
                limiter.acquire().await;
                start.elapsed()
            },
            async {
                // ... when, at 0.5 s, an answer says to hold for 5 s.
                tokio::time::sleep(Duration::from_millis(500)).await;
                limiter.hold_off(Duration::from_secs(5));
            }
        );
        assert_eq!(waited, Duration::from_millis(5500));
    }

    #[tokio::test(start_paused = true)]
    async fn a_long_wait_in_all_is_reported_once_with_its_total() {
        let limiter = RateLimiter::with_burst(0.1, 1);
        limiter.acquire().await;
        // Two callers waiting at once count their common time once: 10 s, then 20 s.
        tokio::join!(limiter.acquire(), limiter.acquire());
        assert_eq!(limiter.take_long_wait(), None, "20 s so far");
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(limiter.take_long_wait(), Some(Duration::from_secs(40)));
        assert_eq!(limiter.take_long_wait(), None, "said once");
        limiter.acquire().await;
        assert_eq!(limiter.take_long_wait(), None);
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
