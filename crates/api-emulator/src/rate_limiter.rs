//! `RateLimiter`: a fixed window of requests per credential and, when the budget is enforced,
//! the lockout that the request over a window's quota starts (as Cloudflare does: 429 for every
//! request of that user until the lockout ends).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::http::HeaderMap;
use tokio::time::Instant;

use super::credential_key::{CredentialHasher, CredentialKey};
use super::rate_budget::{RateBudget, whole_seconds_up};
use super::rate_report::RateLimitReport;

/// Above this many tracked credentials, those whose window or lockout is over are forgotten.
const PRUNE_ABOVE: usize = 4_096;

/// Where one credential stands.
#[derive(Clone, Copy, Debug)]
enum Standing {
    /// In a window that began at `started`, with `used` requests counted.
    Counting { started: Instant, used: u32 },
    /// Refused until `until`; the next request after that begins a fresh window.
    LockedOut { until: Instant },
}

impl Standing {
    fn is_over(&self, now: Instant, window: Duration) -> bool {
        match *self {
            Standing::Counting { started, .. } => now.duration_since(started) >= window,
            Standing::LockedOut { until } => now >= until,
        }
    }
}

/// The budget's verdict on one request: what its `Ratelimit` header says, and whether it is
/// refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateVerdict {
    /// Requests left in the current window after this one (0 during a lockout).
    pub remaining: u32,
    /// Whole seconds until the window or lockout ends, rounded up.
    pub reset_seconds: u64,
    /// `Some(Retry-After seconds)` when the request is answered 429 because of the budget.
    pub retry_after: Option<u64>,
}

#[derive(Debug, Default)]
struct Ledger {
    standings: HashMap<CredentialKey, Standing>,
    report: RateLimitReport,
}

/// Counts every request against its credential's budget.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    budget: RateBudget,
    enforced: bool,
    hasher: CredentialHasher,
    ledger: Mutex<Ledger>,
}

impl RateLimiter {
    /// Enforces `enforced` when given; otherwise only reports Cloudflare's budget in headers.
    pub fn new(enforced: Option<RateBudget>) -> RateLimiter {
        RateLimiter {
            budget: enforced.unwrap_or(RateBudget::CLOUDFLARE),
            enforced: enforced.is_some(),
            hasher: CredentialHasher::default(),
            ledger: Mutex::new(Ledger::default()),
        }
    }

    /// The budget shown in `Ratelimit-Policy`.
    pub fn budget(&self) -> RateBudget {
        self.budget
    }

    /// Counts one request carrying `headers` (their credential, valid or not) now.
    pub fn count(&self, headers: &HeaderMap) -> RateVerdict {
        self.count_at(self.hasher.key_of(headers), Instant::now())
    }

    /// The totals so far, over every credential.
    pub fn report(&self) -> RateLimitReport {
        self.ledger().report
    }

    fn count_at(&self, key: CredentialKey, now: Instant) -> RateVerdict {
        let RateBudget { quota, window } = self.budget;
        let mut ledger = self.ledger();
        if ledger.standings.len() > PRUNE_ABOVE {
            ledger
                .standings
                .retain(|_, standing| !standing.is_over(now, window));
        }
        let fresh = Standing::Counting {
            started: now,
            used: 0,
        };
        let standing = ledger.standings.entry(key).or_insert(fresh);
        if standing.is_over(now, window) {
            *standing = fresh;
        }
        let over_quota =
            self.enforced && matches!(*standing, Standing::Counting { used, .. } if used >= quota);
        if over_quota {
            *standing = Standing::LockedOut {
                until: later(now, window),
            };
        }
        let verdict = match standing {
            Standing::LockedOut { until } => refusal(until.duration_since(now)),
            Standing::Counting { started, used } => {
                *used = used.saturating_add(1);
                let left = window.saturating_sub(now.duration_since(*started));
                RateVerdict {
                    remaining: quota.saturating_sub(*used),
                    reset_seconds: whole_seconds_up(left),
                    retry_after: None,
                }
            }
        };
        let report = &mut ledger.report;
        report.requests += 1;
        report.lockouts += u32::from(over_quota);
        report.budget_429s += u64::from(verdict.retry_after.is_some());
        report.lowest_remaining = Some(
            report
                .lowest_remaining
                .map_or(verdict.remaining, |lowest| lowest.min(verdict.remaining)),
        );
        verdict
    }

    fn ledger(&self) -> MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A 429 with `left` of the lockout to go.
fn refusal(left: Duration) -> RateVerdict {
    let seconds = whole_seconds_up(left).max(1);
    RateVerdict {
        remaining: 0,
        reset_seconds: seconds,
        retry_after: Some(seconds),
    }
}

/// `now + by`, or a century from now when that is past what an `Instant` can hold.
fn later(now: Instant, by: Duration) -> Instant {
    now.checked_add(by)
        .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 24 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn token(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static(value));
        headers
    }

    fn served(remaining: u32, reset_seconds: u64) -> RateVerdict {
        RateVerdict {
            remaining,
            reset_seconds,
            retry_after: None,
        }
    }

    fn refused(seconds: u64) -> RateVerdict {
        RateVerdict {
            remaining: 0,
            reset_seconds: seconds,
            retry_after: Some(seconds),
        }
    }

    fn budget(quota: u32, seconds: u64) -> Option<RateBudget> {
        Some(RateBudget {
            quota,
            window: Duration::from_secs(seconds),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn the_request_over_quota_starts_a_lockout_as_long_as_the_window() {
        let limiter = RateLimiter::new(budget(2, 10));
        let alice = token("Bearer alice");
        assert_eq!(limiter.count(&alice), served(1, 10));
        tokio::time::advance(Duration::from_millis(2_500)).await;
        assert_eq!(limiter.count(&alice), served(0, 8));
        assert_eq!(limiter.count(&alice), refused(10));
        tokio::time::advance(Duration::from_millis(9_500)).await;
        assert_eq!(limiter.count(&alice), refused(1));
        tokio::time::advance(Duration::from_millis(500)).await;
        assert_eq!(limiter.count(&alice), served(1, 10));
        let report = limiter.report();
        assert_eq!(
            report,
            RateLimitReport {
                lockouts: 1,
                budget_429s: 2,
                lowest_remaining: Some(0),
                requests: 5,
            }
        );
    }

    #[tokio::test(start_paused = true)]
    async fn informational_mode_counts_per_credential_and_never_refuses() {
        let limiter = RateLimiter::new(None);
        assert_eq!(limiter.budget(), RateBudget::CLOUDFLARE);
        for used in 1..=1_201u32 {
            let verdict = limiter.count(&token("Bearer alice"));
            assert_eq!(verdict, served(1_200u32.saturating_sub(used), 300));
        }
        assert_eq!(limiter.count(&token("Bearer bob")), served(1_199, 300));
        tokio::time::advance(Duration::from_secs(300)).await;
        assert_eq!(limiter.count(&token("Bearer alice")), served(1_199, 300));
        let report = limiter.report();
        assert_eq!((report.lockouts, report.budget_429s), (0, 0));
        assert_eq!(report.requests, 1_203);
    }

    #[tokio::test(start_paused = true)]
    async fn finished_windows_are_forgotten_when_many_credentials_were_seen() {
        let limiter = RateLimiter::new(budget(1, 1));
        let hasher = CredentialHasher::default();
        for n in 0..=PRUNE_ABOVE as u64 {
            let mut headers = HeaderMap::new();
            headers.insert("authorization", HeaderValue::from(n));
            limiter.count_at(hasher.key_of(&headers), Instant::now());
        }
        tokio::time::advance(Duration::from_secs(1)).await;
        limiter.count(&token("Bearer late"));
        assert_eq!(limiter.ledger().standings.len(), 1);
    }
}
