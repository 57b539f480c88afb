//! Informational `Ratelimit` / `Ratelimit-Policy` response headers in the API's format
//! (1,200 requests per 5-minute window). The emulator reports usage but never enforces it;
//! 429s come only from fault injection.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;

/// Requests allowed per window.
pub const QUOTA: u32 = 1_200;
/// The window length.
pub const WINDOW: Duration = Duration::from_secs(300);

#[derive(Debug)]
struct Window {
    started: Instant,
    used: u32,
}

/// Counts requests in the current window.
#[derive(Debug)]
pub(crate) struct RateWindow {
    window: Mutex<Option<Window>>,
}

impl RateWindow {
    pub fn new() -> RateWindow {
        RateWindow {
            window: Mutex::new(None),
        }
    }

    /// Counts one request and returns (remaining, seconds until the window resets).
    pub fn count(&self) -> (u32, u64) {
        let mut window = self.window.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let current = match window.as_mut() {
            Some(current) if now.duration_since(current.started) < WINDOW => current,
            _ => window.insert(Window {
                started: now,
                used: 0,
            }),
        };
        current.used = current.used.saturating_add(1);
        let left = WINDOW.saturating_sub(now.duration_since(current.started));
        let reset = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        (QUOTA.saturating_sub(current.used), reset)
    }

    /// Adds both headers to a response.
    pub fn annotate(&self, headers: &mut HeaderMap) {
        let (remaining, reset) = self.count();
        let pairs = [
            ("ratelimit", format!("\"default\";r={remaining};t={reset}")),
            (
                "ratelimit-policy",
                format!("\"default\";q={QUOTA};w={}", WINDOW.as_secs()),
            ),
        ];
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn remaining_counts_down_and_resets_with_the_window() {
        let window = RateWindow::new();
        assert_eq!(window.count(), (QUOTA - 1, 300));
        tokio::time::advance(Duration::from_millis(100_500)).await;
        assert_eq!(window.count(), (QUOTA - 2, 200));
        tokio::time::advance(Duration::from_secs(200)).await;
        assert_eq!(window.count(), (QUOTA - 1, 300));
    }

    #[test]
    fn headers_use_the_documented_format() {
        let mut headers = HeaderMap::new();
        RateWindow::new().annotate(&mut headers);
        assert_eq!(headers["ratelimit"], "\"default\";r=1199;t=300");
        assert_eq!(headers["ratelimit-policy"], "\"default\";q=1200;w=300");
    }
}
