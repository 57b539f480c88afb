//! The stored records (stores, secrets with their write-only values) and their public views.

use std::time::Duration;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::Serialize;
use tokio::time::Instant;

use super::ids::format_timestamp;

/// A store as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StoreInfo {
    pub id: String,
    pub name: String,
    pub created: String,
    pub modified: String,
    pub account_id: String,
}

/// A secret as the API shows it (never its value).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretInfo {
    pub id: String,
    pub store_id: String,
    pub name: String,
    /// `pending` or `active` (`deleted` only through a test hook).
    pub status: String,
    pub created: String,
    pub modified: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Sorted alphabetically.
    pub scopes: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct StoreRecord {
    pub id: String,
    pub name: String,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub sequence: u64,
}

impl StoreRecord {
    pub fn info(&self, account_id: &str) -> StoreInfo {
        StoreInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            created: format_timestamp(self.created),
            modified: format_timestamp(self.modified),
            account_id: account_id.to_string(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct SecretRecord {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub value: SecretString,
    pub scopes: Vec<String>,
    pub comment: Option<String>,
    pub created: DateTime<Utc>,
    pub modified: DateTime<Utc>,
    pub sequence: u64,
    /// When it was created, on the (pausable) tokio clock: drives `pending` -> `active`.
    pub created_at: Instant,
    /// Set only by a test hook: the API's `deleted` status, a tombstone still listed.
    pub deleted: bool,
}

impl SecretRecord {
    pub fn status(&self, activation_delay: Duration) -> &'static str {
        if self.deleted {
            "deleted"
        } else if self.created_at.elapsed() >= activation_delay {
            "active"
        } else {
            "pending"
        }
    }

    pub fn info(&self, activation_delay: Duration) -> SecretInfo {
        SecretInfo {
            id: self.id.clone(),
            store_id: self.store_id.clone(),
            name: self.name.clone(),
            status: self.status(activation_delay).to_string(),
            created: format_timestamp(self.created),
            modified: format_timestamp(self.modified),
            comment: self.comment.clone(),
            scopes: self.scopes.clone(),
        }
    }
}
