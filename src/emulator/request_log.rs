//! The request log: method, path, query and status of every request (never bodies or headers).

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
}

/// Append-only log shared by all requests.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    records: Mutex<Vec<RequestRecord>>,
}

impl RequestLog {
    pub fn push(&self, record: RequestRecord) {
        self.lock().push(record);
    }

    pub fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().clone()
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RequestRecord>> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
