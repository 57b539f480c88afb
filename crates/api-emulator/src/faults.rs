//! Fault injection: latency, 429 bursts with `Retry-After`, 5xx failures (deterministic or
//! seeded), "apply the write, then drop the response", and faults aimed at one method and path
//! (answer a status, or close the connection without answering).

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
    failure_status: u16,
    fail_every_nth: Option<u64>,
    random_failure: Option<(f64, StdRng)>,
    dropped_writes_remaining: u32,
    aimed: Vec<AimedFault>,
    requests_seen: u64,
    injected: u64,
}

/// What an aimed fault answers instead of the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultAnswer {
    /// This HTTP status with the API's envelope: 401/403 as the API's authentication error,
    /// 429 as its rate limit (`Retry-After: 1`), anything else as an injected server failure.
    Status(u16),
    /// Close the connection without answering (in process: a response body that fails).
    Close,
}

/// A fault aimed at the requests of one method whose path (below
/// `/client/v4/accounts/{account_id}/secrets_store`) matches a pattern: `*` stands for one path
/// segment, and a pattern with `?` also matches the query (there `*` stands for any text). A
/// pattern without `?` matches any query. E.g. `GET /stores`, `GET /stores/*/secrets`,
/// `GET /stores/*/secrets?search=*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AimedFault {
    pub method: String,
    pub pattern: String,
    pub answer: FaultAnswer,
}

impl AimedFault {
    pub fn new(method: &str, pattern: &str, answer: FaultAnswer) -> AimedFault {
        AimedFault {
            method: method.to_ascii_uppercase(),
            pattern: pattern.to_string(),
            answer,
        }
    }

    /// Parses `ANSWER METHOD PATTERN`, e.g. `503 GET /stores` or `close GET /stores/*/secrets`.
    pub fn parse(text: &str) -> Result<AimedFault, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [answer, method, pattern] = parts.as_slice() else {
            return Err(format!(
                "a fault is `ANSWER METHOD PATH`, e.g. `503 GET /stores` or `close GET \
                 /stores/*/secrets`; got {text:?}"
            ));
        };
        let answer = match *answer {
            "close" => FaultAnswer::Close,
            status => match status.parse::<u16>() {
                Ok(code) if (400..600).contains(&code) => FaultAnswer::Status(code),
                _ => {
                    return Err(format!(
                        "a fault's answer is an HTTP error status (400-599) or `close`; got \
                         {status:?}"
                    ));
                }
            },
        };
        if !pattern.starts_with('/') {
            return Err(format!(
                "a fault's path starts with / (below /client/v4/accounts/ID/secrets_store), \
                 e.g. /stores; got {pattern:?}"
            ));
        }
        Ok(AimedFault::new(method, pattern, answer))
    }

    /// Whether this fault is aimed at `method` `path` (the full request path) with `query`.
    pub fn matches(&self, method: &str, path: &str, query: Option<&str>) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let Some(below) = api_path(path) else {
            return false;
        };
        let (pattern_path, pattern_query) = match self.pattern.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (self.pattern.as_str(), None),
        };
        let segments: Vec<&str> = below.split('/').collect();
        let wanted: Vec<&str> = pattern_path.split('/').collect();
        let path_matches = segments.len() == wanted.len()
            && segments
                .iter()
                .zip(&wanted)
                .all(|(have, want)| *want == "*" || have == want);
        path_matches
            && match pattern_query {
                None => true,
                Some(wanted) => glob(wanted, query.unwrap_or("")),
            }
    }
}

/// `path` below `/client/v4/accounts/{account_id}/secrets_store`, starting with `/`.
fn api_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/client/v4/accounts/")?;
    let (_, rest) = rest.split_once('/')?;
    let rest = rest.strip_prefix("secrets_store")?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
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
    /// Close the connection without answering (an aimed `close` fault).
    pub close: bool,
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

    /// The next `count` requests answer HTTP `status` (a 5xx, e.g. `503`) without being
    /// applied; a number that is no HTTP status answers 503.
    pub fn fail_next(&self, count: u32, status: u16) {
        self.with(|s| {
            s.failures_remaining = count;
            s.failure_status = status;
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

    /// Adds a fault aimed at one method and path; it answers every matching request until
    /// [`FaultControl::clear`] (the first aimed fault that matches wins).
    pub fn aim(&self, fault: AimedFault) {
        self.with(|s| s.aimed.push(fault));
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

    /// The fate of one request, `method` `path` with `query`.
    pub(crate) fn admit(&self, method: &str, path: &str, query: Option<&str>) -> Admission {
        self.with(|s| {
            s.requests_seen += 1;
            let aimed = s
                .aimed
                .iter()
                .find(|f| f.matches(method, path, query))
                .map(|f| f.answer);
            if aimed.is_some() {
                s.injected += 1;
            }
            match aimed {
                Some(FaultAnswer::Close) => {
                    return Admission {
                        latency: s.latency,
                        rejection: Some(ApiError::server_failure(StatusCode::SERVICE_UNAVAILABLE)),
                        close: true,
                    };
                }
                Some(FaultAnswer::Status(status)) => {
                    return Admission {
                        latency: s.latency,
                        rejection: Some(aimed_status(status)),
                        close: false,
                    };
                }
                None => {}
            }
            let rejection = if s.rate_limited_remaining > 0 {
                s.rate_limited_remaining -= 1;
                Some(ApiError::rate_limited(s.retry_after_seconds))
            } else if s.failures_remaining > 0 {
                s.failures_remaining -= 1;
                let status = StatusCode::from_u16(s.failure_status)
                    .unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
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
                close: false,
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

/// The API's answer for an aimed status.
fn aimed_status(status: u16) -> ApiError {
    match StatusCode::from_u16(status) {
        Ok(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN) => ApiError::new(
            StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN),
            10000,
            "Authentication error",
        ),
        Ok(StatusCode::TOO_MANY_REQUESTS) => ApiError::rate_limited(1),
        Ok(status) => ApiError::server_failure(status),
        Err(_) => ApiError::server_failure(StatusCode::SERVICE_UNAVAILABLE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "/client/v4/accounts/0123/secrets_store/stores/abcd/secrets";

    fn outcomes(faults: &FaultControl, count: usize) -> Vec<Option<u16>> {
        (0..count)
            .map(|_| {
                faults
                    .admit("GET", LISTING, None)
                    .rejection
                    .map(|e| e.status.as_u16())
            })
            .collect()
    }

    #[test]
    fn aimed_faults_hit_only_their_method_and_path() {
        let faults = FaultControl::default();
        faults.aim(AimedFault::parse("503 GET /stores/*/secrets?search=*").unwrap());
        faults.aim(AimedFault::parse("403 GET /stores").unwrap());
        faults.aim(AimedFault::parse("close DELETE /stores/*").unwrap());
        let fate = |method: &str, path: &str, query: Option<&str>| {
            let admission = faults.admit(method, path, query);
            (
                admission.rejection.map(|e| e.status.as_u16()),
                admission.close,
            )
        };
        let stores = "/client/v4/accounts/0123/secrets_store/stores";
        assert_eq!(fate("GET", stores, None), (Some(403), false));
        assert_eq!(fate("POST", stores, None), (None, false));
        assert_eq!(fate("GET", LISTING, Some("per_page=100")), (None, false));
        assert_eq!(
            fate("GET", LISTING, Some("search=API_KEY&page=1")),
            (Some(503), false)
        );
        assert!(fate("DELETE", &format!("{stores}/abcd"), None).1);
        assert_eq!(fate("GET", &format!("{stores}/abcd"), None), (None, false));
        assert_eq!(faults.injected_count(), 3);
        faults.clear();
        assert_eq!(fate("GET", stores, None), (None, false));
    }

    #[test]
    fn aimed_fault_text_says_what_is_wrong() {
        assert_eq!(
            AimedFault::parse("close get /stores").unwrap(),
            AimedFault::new("GET", "/stores", FaultAnswer::Close)
        );
        assert!(
            AimedFault::parse("503 GET")
                .unwrap_err()
                .contains("ANSWER METHOD PATH")
        );
        assert!(
            AimedFault::parse("200 GET /stores")
                .unwrap_err()
                .contains("400-599")
        );
        assert!(
            AimedFault::parse("503 GET stores")
                .unwrap_err()
                .contains("starts with /")
        );
        assert!(glob("a*c", "abbbc") && glob("*", "") && !glob("a*c", "abd"));
    }

    #[test]
    fn bursts_are_consumed_in_order_then_stop() {
        let faults = FaultControl::default();
        faults.rate_limit_next(2, 3);
        faults.fail_next(1, 502);
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
