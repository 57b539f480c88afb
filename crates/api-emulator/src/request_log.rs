//! The request log: method, path, query, status and credential kind of every request (never
//! bodies, header values or credentials).

use std::collections::VecDeque;
use std::sync::Mutex;

/// One handled request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// The raw query string, if any (the API takes no secrets in queries).
    pub query: Option<String>,
    /// The status the emulator produced (also for dropped responses).
    pub status: u16,
    /// The write was applied but the response was dropped by fault injection.
    pub response_dropped: bool,
    /// Which credential headers the request carried (their presence, never their values).
    pub credentials: CredentialHeaders,
}

/// Which credential headers arrived with a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CredentialHeaders {
    #[default]
    None,
    /// `Authorization` only (an API token).
    Token,
    /// `X-Auth-Key` and/or `X-Auth-Email` only (the legacy global key).
    Key,
    /// Both kinds at once.
    TokenAndKey,
}

impl CredentialHeaders {
    pub(crate) fn of(headers: &axum::http::HeaderMap) -> CredentialHeaders {
        let token = headers.contains_key(axum::http::header::AUTHORIZATION);
        let key = headers.contains_key("x-auth-key") || headers.contains_key("x-auth-email");
        match (token, key) {
            (false, false) => CredentialHeaders::None,
            (true, false) => CredentialHeaders::Token,
            (false, true) => CredentialHeaders::Key,
            (true, true) => CredentialHeaders::TokenAndKey,
        }
    }
}

/// How many records the log keeps; older ones are dropped (the count goes on), so a long-running
/// emulator does not grow without bound.
pub const MAX_KEPT_RECORDS: usize = 10_000;

/// The log shared by all requests: the latest records and a count of every request.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    inner: Mutex<Records>,
}

#[derive(Debug, Default)]
struct Records {
    latest: VecDeque<RequestRecord>,
    /// Requests handled since the last clear, including records no longer kept.
    count: usize,
}

impl RequestLog {
    pub fn push(&self, record: RequestRecord) {
        let mut inner = self.lock();
        if inner.latest.len() == MAX_KEPT_RECORDS {
            inner.latest.pop_front();
        }
        inner.latest.push_back(record);
        inner.count += 1;
    }

    /// The kept records, oldest first.
    pub fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().latest.iter().cloned().collect()
    }

    /// Requests handled since the last clear (also those whose records were dropped).
    pub fn len(&self) -> usize {
        self.lock().count
    }

    pub fn clear(&self) {
        *self.lock() = Records::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Records> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: usize) -> RequestRecord {
        RequestRecord {
            method: "GET".into(),
            path: format!("/{n}"),
            query: None,
            status: 200,
            response_dropped: false,
            credentials: CredentialHeaders::Token,
        }
    }

    #[test]
    fn keeps_the_latest_records_and_counts_them_all() {
        let log = RequestLog::default();
        for n in 0..MAX_KEPT_RECORDS + 5 {
            log.push(record(n));
        }
        let kept = log.snapshot();
        assert_eq!(kept.len(), MAX_KEPT_RECORDS);
        assert_eq!(kept[0].path, "/5");
        assert_eq!(
            kept.last().unwrap().path,
            format!("/{}", MAX_KEPT_RECORDS + 4)
        );
        assert_eq!(log.len(), MAX_KEPT_RECORDS + 5);
        log.clear();
        assert_eq!((log.len(), log.snapshot().len()), (0, 0));
    }
}
