//! Retry policy: exponential backoff with jitter, bounded by a retry count, and `Retry-After`.
//! A few lines of arithmetic the retry loop (`retry_loop.rs`, which says why it is hand-written)
//! asks for each wait.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// The longest `Retry-After` the client agrees to wait for one retry.
pub(super) const MAX_RETRY_AFTER: Duration = Duration::from_secs(600);

/// How often and how long to wait between attempts of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RetryPolicy {
    /// Retries after the first attempt (0 = never retry).
    pub(super) max_retries: u32,
    pub(super) min_backoff: Duration,
    pub(super) max_backoff: Duration,
}

impl RetryPolicy {
    /// The upper bound of the wait before retry number `retry` (0-based):
    /// `min_backoff * 2^retry`, capped at `max_backoff`.
    fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        self.min_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
            .max(self.min_backoff)
    }

    /// The jittered wait before retry number `retry`: uniform in
    /// `[max(min_backoff, ceiling / 2), ceiling]`.
    fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry);
        let floor = (ceiling / 2).max(self.min_backoff).min(ceiling);
        if floor == ceiling {
            return ceiling;
        }
        let span = (ceiling - floor).as_nanos() as u64;
        floor + Duration::from_nanos(rand::rng().random_range(0..=span))
    }

    /// The wait before retry number `retry`: the server's `Retry-After` when it sent one
    /// (capped at [`MAX_RETRY_AFTER`]), the jittered backoff otherwise.
    pub(super) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(wait) => wait.min(MAX_RETRY_AFTER),
            None => self.backoff(retry),
        }
    }
}

/// Parses a `Retry-After` header: delta seconds (`"7"`) or an HTTP date, relative to `now`.
pub(super) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        // `try_`: a huge value (say `1e30`) from a server must not crash the provider; the caller
        // caps what it waits anyway.
        return Duration::try_from_secs_f64(seconds)
            .ok()
            .or_else(|| (seconds > 0.0).then_some(Duration::MAX));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            min_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
        }
    }

    #[test]
    fn ceiling_doubles_from_min_and_stops_at_max() {
        let p = policy();
        assert_eq!(p.ceiling(0), Duration::from_millis(100));
        assert_eq!(p.ceiling(1), Duration::from_millis(200));
        assert_eq!(p.ceiling(3), Duration::from_millis(800));
        assert_eq!(p.ceiling(5), Duration::from_secs(2));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_secs(2));
    }

    #[test]
    fn backoff_stays_within_min_and_max_and_jitters() {
        let p = policy();
        for retry in 0..10 {
            let ceiling = p.ceiling(retry);
            for _ in 0..50 {
                let d = p.backoff(retry);
                assert!(d >= p.min_backoff && d <= p.max_backoff, "{d:?}");
                assert!(d <= ceiling && d >= ceiling / 2, "{d:?} vs {ceiling:?}");
            }
        }
        let samples: std::collections::HashSet<_> = (0..50).map(|_| p.backoff(4)).collect();
        assert!(samples.len() > 1, "backoff must be jittered");
    }

    #[test]
    fn equal_min_and_max_backoff_is_constant() {
        let p = RetryPolicy {
            max_retries: 1,
            min_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(5),
        };
        assert_eq!(p.backoff(0), Duration::from_millis(5));
        assert_eq!(p.backoff(7), Duration::from_millis(5));
    }

    #[test]
    fn retry_after_wins_over_backoff_and_is_capped() {
        let p = policy();
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(100_000))),
            MAX_RETRY_AFTER
        );
        assert!(p.delay(0, None) <= p.ceiling(0));
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        // 1_700_000_000 is Tue, 14 Nov 2023 22:13:20 GMT.
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now),
            Some(Duration::from_secs(10))
        );
        assert_eq!(
            parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-3", now), None);
    }

    #[test]
    fn absurd_retry_after_values_never_panic_and_are_capped() {
        let now = SystemTime::UNIX_EPOCH;
        let p = policy();
        for huge in ["1e30", "inf", "18446744073709551616"] {
            let wait = parse_retry_after(huge, now);
            assert_eq!(wait, Some(Duration::MAX), "{huge}");
            assert_eq!(p.delay(0, wait), MAX_RETRY_AFTER, "{huge}");
        }
        assert_eq!(parse_retry_after("NaN", now), None);
        assert_eq!(parse_retry_after("-1e30", now), None);
    }
}
