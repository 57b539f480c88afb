//! `EmulatorState`: the shared handle to the account data, faults, request log, rate budget and
//! config.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::account::AccountData;
use super::config::EmulatorConfig;
use super::envelope::ApiError;
use super::faults::FaultControl;
use super::model::{SecretInfo, StoreInfo};
use super::rate_limiter::RateLimiter;
use super::rate_report::RateLimitReport;
use super::request_log::{RequestLog, RequestRecord};

struct Shared {
    config: EmulatorConfig,
    data: Mutex<AccountData>,
    faults: FaultControl,
    log: RequestLog,
    rate_limiter: RateLimiter,
}

/// One emulated account. Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct EmulatorState {
    shared: Arc<Shared>,
}

impl EmulatorState {
    pub fn new(config: EmulatorConfig) -> Self {
        EmulatorState {
            shared: Arc::new(Shared {
                data: Mutex::new(AccountData::new(config.clone())),
                rate_limiter: RateLimiter::new(config.rate_limit),
                config,
                faults: FaultControl::default(),
                log: RequestLog::default(),
            }),
        }
    }

    /// The settings this emulator runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// Fault injection controls (latency, 429 bursts, 5xx, dropped write responses).
    pub fn faults(&self) -> FaultControl {
        self.shared.faults.clone()
    }

    /// The latest requests (up to [`MAX_KEPT_RECORDS`](super::MAX_KEPT_RECORDS)), oldest first: method, path, query,
    /// status (never bodies or headers).
    pub fn request_log(&self) -> Vec<RequestRecord> {
        self.shared.log.snapshot()
    }

    /// How many requests were handled since the last clear (also those no longer kept).
    pub fn request_count(&self) -> usize {
        self.shared.log.len()
    }

    pub fn clear_request_log(&self) {
        self.shared.log.clear();
    }

    /// What the rate budget did so far (lockouts, budget 429s, lowest `r=` reported, requests
    /// counted), over every credential. Also counted when the budget is not enforced.
    pub fn rate_limit_report(&self) -> RateLimitReport {
        self.shared.rate_limiter.report()
    }

    /// Every store, as the API would show it.
    pub fn stores(&self) -> Vec<StoreInfo> {
        self.data().store_infos()
    }

    /// Every secret of every store, as the API would show it (no values).
    pub fn secrets(&self) -> Vec<SecretInfo> {
        self.data().secret_infos()
    }

    /// Test hook: the stored value of a secret. No API endpoint exposes values.
    pub fn secret_value_for_test(&self, secret_id: &str) -> Option<String> {
        self.data().secret_value(secret_id)
    }

    /// Test hook: shows a secret with the API's `deleted` status (a tombstone that is still
    /// listed and readable) instead of removing it. False when there is no such secret.
    pub fn mark_secret_deleted_for_test(&self, secret_id: &str) -> bool {
        self.data().mark_deleted(secret_id)
    }

    pub(crate) fn log(&self) -> &RequestLog {
        &self.shared.log
    }

    pub(crate) fn rate_limiter(&self) -> &RateLimiter {
        &self.shared.rate_limiter
    }

    /// The account's data, if `account_id` is the emulated account.
    pub(crate) fn account(
        &self,
        account_id: &str,
        path: &str,
    ) -> Result<MutexGuard<'_, AccountData>, ApiError> {
        if account_id != self.shared.config.account_id {
            return Err(ApiError::no_route(path));
        }
        Ok(self.data())
    }

    fn data(&self) -> MutexGuard<'_, AccountData> {
        self.shared
            .data
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
