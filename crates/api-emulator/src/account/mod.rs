//! The account's data and every operation on it, enforcing the API's rules and limits.

mod inputs;
mod secrets;
mod stores;

use secrecy::ExposeSecret;

use super::config::EmulatorConfig;
use super::ids::MonotonicClock;
use super::model::{SecretInfo, SecretRecord, StoreInfo, StoreRecord};

pub use inputs::{DuplicateInput, NewSecretInput, SecretPatchInput};
pub use secrets::SECRET_ORDERS;
pub use stores::STORE_ORDERS;

/// Everything the one account holds.
#[derive(Debug)]
pub(crate) struct AccountData {
    pub config: EmulatorConfig,
    stores: Vec<StoreRecord>,
    secrets: Vec<SecretRecord>,
    clock: MonotonicClock,
    next_sequence: u64,
}

impl AccountData {
    pub fn new(config: EmulatorConfig) -> AccountData {
        AccountData {
            config,
            stores: Vec::new(),
            secrets: Vec::new(),
            clock: MonotonicClock::default(),
            next_sequence: 0,
        }
    }

    /// The next creation sequence number (breaks ordering ties).
    fn sequence(&mut self) -> u64 {
        self.next_sequence += 1;
        self.next_sequence
    }

    pub fn store_infos(&self) -> Vec<StoreInfo> {
        self.stores
            .iter()
            .map(|store| store.info(&self.config.account_id))
            .collect()
    }

    pub fn secret_infos(&self) -> Vec<SecretInfo> {
        self.secrets
            .iter()
            .map(|secret| secret.info(self.config.activation_delay))
            .collect()
    }

    pub fn secret_value(&self, secret_id: &str) -> Option<String> {
        self.secrets
            .iter()
            .find(|secret| secret.id == secret_id)
            .map(|secret| secret.value.expose_secret().to_string())
    }

    /// Marks a secret `deleted` (still listed); false when there is no such secret.
    pub fn mark_deleted(&mut self, secret_id: &str) -> bool {
        let found = self
            .secrets
            .iter_mut()
            .find(|secret| secret.id == secret_id);
        found.map(|secret| secret.deleted = true).is_some()
    }

    pub fn quota(&self) -> (usize, usize) {
        (self.config.max_secrets, self.secrets.len())
    }
}
