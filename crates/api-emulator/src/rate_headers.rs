//! The `Ratelimit` / `Ratelimit-Policy` response headers in the API's format (IETF draft):
//! `Ratelimit: "default";r=<left>;t=<seconds to reset>` and
//! `Ratelimit-Policy: "default";q=<quota>;w=<window seconds>`.

use axum::http::{HeaderMap, HeaderName, HeaderValue};

use super::rate_budget::RateBudget;
use super::rate_limiter::RateVerdict;

/// Adds both headers for `verdict` under `budget` to a response.
pub(crate) fn annotate(headers: &mut HeaderMap, verdict: &RateVerdict, budget: RateBudget) {
    let pairs = [
        (
            "ratelimit",
            format!(
                "\"default\";r={};t={}",
                verdict.remaining, verdict.reset_seconds
            ),
        ),
        (
            "ratelimit-policy",
            format!(
                "\"default\";q={};w={}",
                budget.quota,
                budget.window_seconds()
            ),
        ),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_use_the_documented_format() {
        let mut headers = HeaderMap::new();
        let verdict = RateVerdict {
            remaining: 1_199,
            reset_seconds: 300,
            retry_after: None,
        };
        annotate(&mut headers, &verdict, RateBudget::CLOUDFLARE);
        assert_eq!(headers["ratelimit"], "\"default\";r=1199;t=300");
        assert_eq!(headers["ratelimit-policy"], "\"default\";q=1200;w=300");
    }
}
