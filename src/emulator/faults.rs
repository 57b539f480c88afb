//! Fault injection: latency, 429 bursts with `Retry-After`, 5xx failures (deterministic or
//! seeded), and "apply the write, then drop the response".

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::http::StatusCode;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::envelope::ApiError;

#[derive(Debug, Default)]
struct FaultSettings {
    latency: Duration,
    rate_limited_remaining: u32,
    retry_after_seconds: u64,
    failures_remaining: u32,
    failure_status: Option<StatusCode>,
    fail_every_nth: Option<u64>,
    random_failure: Option<(f64, StdRng)>,
    dropped_writes_remaining: u32,
    requests_seen: u64,
    injected: u64,
}

/// Shared handle to the emulator's fault settings; clones control the same emulator.
#[derive(Clone, Debug, Default)]
pub struct FaultControl {
    settings: Arc<Mutex<FaultSettings>>,
}

/// What to do with one request before it reaches the API.
#[derive(Debug)]
pub(crate) struct Admission {
    pub latency: Duration,
    pub rejection: Option<ApiError>,
}

impl FaultControl {
    fn with<T>(&self, change: impl FnOnce(&mut FaultSettings) -> T) -> T {
        let mut settings = self.settings.lock().unwrap_or_else(PoisonError::into_inner);
        change(&mut settings)
    }

    /// Every request waits `latency` before it is handled.
    pub fn set_latency(&self, latency: Duration) {
        self.with(|s| s.latency = latency);
    }

    /// The next `count` requests answer 429 (code 971) with `Retry-After: retry_after_seconds`.
    pub fn rate_limit_next(&self, count: u32, retry_after_seconds: u64) {
        self.with(|s| {
            s.rate_limited_remaining = count;
            s.retry_after_seconds = retry_after_seconds;
        });
    }

    /// The next `count` requests answer `status` (a 5xx) without being applied.
    pub fn fail_next(&self, count: u32, status: StatusCode) {
        self.with(|s| {
            s.failures_remaining = count;
            s.failure_status = Some(status);
        });
    }

    /// Every `n`th request (counted from now, 1-based) answers 503; `0` turns it off.
    pub fn fail_every_nth(&self, n: u64) {
        self.with(|s| {
            s.fail_every_nth = (n > 0).then_some(n);
            s.requests_seen = 0;
        });
    }

    /// Each request answers 503 with `probability`, drawn from an RNG seeded with `seed`
    /// (so a run is reproducible); `0.0` turns it off.
    pub fn set_failure_rate(&self, probability: f64, seed: u64) {
        self.with(|s| {
            s.random_failure =
                (probability > 0.0).then(|| (probability.min(1.0), StdRng::seed_from_u64(seed)));
        });
    }

    /// The next `count` authenticated writes (POST, PATCH, DELETE) are handled as usual,
    /// then their response is dropped: over `serve` the connection is closed before any
    /// byte of the response is written; in process the response body fails.
    pub fn drop_next_write_responses(&self, count: u32) {
        self.with(|s| s.dropped_writes_remaining = count);
    }

    /// Clears every fault (counters of injected faults are kept).
    pub fn clear(&self) {
        self.with(|s| {
            let injected = s.injected;
            *s = FaultSettings {
                injected,
                ..FaultSettings::default()
            };
        });
    }

    /// How many faults (429, 5xx, dropped responses) have been injected so far.
    pub fn injected_count(&self) -> u64 {
        self.with(|s| s.injected)
    }

    pub(crate) fn admit(&self) -> Admission {
        self.with(|s| {
            s.requests_seen += 1;
            let rejection = if s.rate_limited_remaining > 0 {
                s.rate_limited_remaining -= 1;
                Some(ApiError::rate_limited(s.retry_after_seconds))
            } else if s.failures_remaining > 0 {
                s.failures_remaining -= 1;
                let status = s.failure_status.unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                Some(ApiError::server_failure(status))
            } else if s.fail_every_nth.is_some_and(|n| s.requests_seen % n == 0) {
                Some(ApiError::server_failure(StatusCode::SERVICE_UNAVAILABLE))
            } else if let Some((probability, rng)) = s.random_failure.as_mut()
                && rng.random_bool(*probability)
            {
                Some(ApiError::server_failure(StatusCode::SERVICE_UNAVAILABLE))
            } else {
                None
            };
            if rejection.is_some() {
                s.injected += 1;
            }
            Admission {
                latency: s.latency,
                rejection,
            }
        })
    }

    /// Whether this (applied) write's response must be dropped; counts it down.
    pub(crate) fn take_dropped_write(&self) -> bool {
        self.with(|s| {
            if s.dropped_writes_remaining > 0 {
                s.dropped_writes_remaining -= 1;
                s.injected += 1;
                true
            } else {
                false
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(faults: &FaultControl, count: usize) -> Vec<Option<u16>> {
        (0..count)
            .map(|_| faults.admit().rejection.map(|e| e.status.as_u16()))
            .collect()
    }

    #[test]
    fn bursts_are_consumed_in_order_then_stop() {
        let faults = FaultControl::default();
        faults.rate_limit_next(2, 3);
        faults.fail_next(1, StatusCode::BAD_GATEWAY);
        assert_eq!(
            outcomes(&faults, 4),
            vec![Some(429), Some(429), Some(502), None]
        );
        assert_eq!(faults.injected_count(), 3);
    }

    #[test]
    fn every_nth_request_fails() {
        let faults = FaultControl::default();
        faults.fail_every_nth(3);
        assert_eq!(
            outcomes(&faults, 6),
            vec![None, None, Some(503), None, None, Some(503)]
        );
    }

    #[test]
    fn seeded_failure_rate_is_reproducible() {
        let first = FaultControl::default();
        first.set_failure_rate(0.5, 42);
        let second = FaultControl::default();
        second.set_failure_rate(0.5, 42);
        let a = outcomes(&first, 40);
        assert_eq!(a, outcomes(&second, 40));
        assert!(a.iter().any(Option::is_some) && a.iter().any(Option::is_none));
    }

    #[test]
    fn dropped_writes_count_down() {
        let faults = FaultControl::default();
        faults.drop_next_write_responses(1);
        assert!(faults.take_dropped_write());
        assert!(!faults.take_dropped_write());
    }
}
