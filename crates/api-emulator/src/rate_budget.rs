//! `RateBudget`: how many requests one credential may send per window, and its `QUOTA/WINDOW`
//! text form (`20/15`, `20/15s`, `1200/300`).

use std::fmt;
use std::time::Duration;

/// A request budget per credential: `quota` requests per `window`. Cloudflare's is 1,200 per
/// 300 s ([`RateBudget::CLOUDFLARE`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateBudget {
    /// Requests served per window (at least 1).
    pub quota: u32,
    /// How long a window lasts, and how long the lockout after an exceeded window lasts.
    pub window: Duration,
}

impl RateBudget {
    /// The live API's budget: 1,200 requests per 5 minutes per user.
    pub const CLOUDFLARE: RateBudget = RateBudget {
        quota: 1_200,
        window: Duration::from_secs(300),
    };

    /// A budget no test reaches (about two billion requests per 5 minutes), for tests and
    /// benchmarks that lift the client's own rate limit: with Cloudflare's 1,200 in the
    /// `Ratelimit` headers, a client that paces by them would send about 3.6 requests a second.
    pub const LIFTED: RateBudget = RateBudget {
        quota: u32::MAX / 2,
        window: Duration::from_secs(300),
    };

    /// The window in whole seconds, rounded up (the `w=` of `Ratelimit-Policy`).
    pub fn window_seconds(&self) -> u64 {
        whole_seconds_up(self.window)
    }

    /// Parses `QUOTA/WINDOW`, WINDOW in seconds with an optional `s`: `20/15`, `20/15s`,
    /// `1200/300`. Both numbers must be at least 1.
    pub fn parse(text: &str) -> Result<RateBudget, String> {
        let shape = || {
            format!(
                "must be QUOTA/WINDOW with WINDOW in seconds, e.g. 1200/300 or 20/15s; got {text:?}"
            )
        };
        let (quota, window) = text.trim().split_once('/').ok_or_else(shape)?;
        let window = window.trim();
        let window = window.strip_suffix('s').unwrap_or(window);
        let quota: u32 = quota.trim().parse().map_err(|_| shape())?;
        let seconds: u64 = window.trim().parse().map_err(|_| shape())?;
        if quota == 0 {
            return Err(format!(
                "the quota must be at least 1 request; got {text:?}"
            ));
        }
        if seconds == 0 {
            return Err(format!(
                "the window must be at least 1 second; got {text:?}"
            ));
        }
        Ok(RateBudget {
            quota,
            window: Duration::from_secs(seconds),
        })
    }
}

impl fmt::Display for RateBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}s", self.quota, self.window_seconds())
    }
}

/// `duration` in whole seconds, any fraction counted as a full second.
pub(crate) fn whole_seconds_up(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(quota: u32, seconds: u64) -> RateBudget {
        RateBudget {
            quota,
            window: Duration::from_secs(seconds),
        }
    }

    #[test]
    fn parses_quota_and_window_with_or_without_the_unit() {
        assert_eq!(RateBudget::parse("20/15"), Ok(budget(20, 15)));
        assert_eq!(RateBudget::parse("20/15s"), Ok(budget(20, 15)));
        assert_eq!(RateBudget::parse("1200/300"), Ok(RateBudget::CLOUDFLARE));
        assert_eq!(RateBudget::parse(" 3 / 60s "), Ok(budget(3, 60)));
        assert_eq!(RateBudget::CLOUDFLARE.to_string(), "1200/300s");
    }

    #[test]
    fn refuses_other_shapes_naming_the_expected_one() {
        for bad in [
            "", "20", "20/", "/15", "x/15", "20/15m", "20/1.5", "-1/15", "20/15/3",
        ] {
            let error = RateBudget::parse(bad).unwrap_err();
            assert!(error.contains("QUOTA/WINDOW"), "{bad:?}: {error}");
        }
        assert!(RateBudget::parse("0/15").unwrap_err().contains("quota"));
        assert!(RateBudget::parse("20/0s").unwrap_err().contains("window"));
    }

    #[test]
    fn fractions_of_a_second_round_up() {
        assert_eq!(whole_seconds_up(Duration::from_millis(1_001)), 2);
        assert_eq!(whole_seconds_up(Duration::from_secs(3)), 3);
        assert_eq!(whole_seconds_up(Duration::ZERO), 0);
    }
}
