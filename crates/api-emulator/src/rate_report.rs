//! `RateLimitReport`: what the rate budget did so far, for tests and the shutdown summary.

use std::fmt;

use serde::Serialize;

/// Totals over every credential since the emulator started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RateLimitReport {
    /// Lockouts started (each one by a request over a credential's quota).
    pub lockouts: u32,
    /// Requests answered 429 because of the budget (not the injected 429s of fault settings).
    pub budget_429s: u64,
    /// The lowest `r=` (requests left) any `Ratelimit` header reported; `None` before any request.
    pub lowest_remaining: Option<u32>,
    /// Requests counted against the budget (every request that reached the API's front door).
    pub requests: u64,
}

impl fmt::Display for RateLimitReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lowest = self
            .lowest_remaining
            .map_or_else(|| "none".to_string(), |remaining| remaining.to_string());
        write!(
            f,
            "rate limit: {} requests, {} lockouts, {} budget 429s, lowest remaining {lowest}",
            self.requests, self.lockouts, self.budget_429s
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_one_line_with_every_field() {
        let report = RateLimitReport {
            lockouts: 1,
            budget_429s: 3,
            lowest_remaining: Some(0),
            requests: 24,
        };
        assert_eq!(
            report.to_string(),
            "rate limit: 24 requests, 1 lockouts, 3 budget 429s, lowest remaining 0"
        );
        assert!(
            RateLimitReport::default()
                .to_string()
                .ends_with("lowest remaining none")
        );
    }
}
