//! `SecretQuota`: the account's secrets quota, read at most once per provider process and only
//! when a plan creates a secret, and the creates planned against it, so a plan can warn about
//! the creates that do not fit before apply fails halfway through.
//!
//! The read is advisory, the one exception to "a plan is never built on a failed read": a
//! failed read is logged and the plan goes on without the check, because the plan itself does
//! not depend on it (it only decides whether to warn). For the same reason it may not hold the
//! plan up: past [`READ_PATIENCE`] the plan goes on without it.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use cloudflare_api::{Client, ErrorKind, Quota};

use super::once_per_key::OncePerKey;

/// How long a plan waits for the quota, retries and rate-limit waits included. An answer takes
/// a fraction of a second; what takes longer is a `Retry-After` (up to minutes under a rate
/// limit lockout) or a run of retries, which would stall the plan for advice, and Terraform does
/// not interrupt the plan phase of `terraform apply` on Ctrl-C (it sends StopProvider only once
/// it applies).
pub const READ_PATIENCE: Duration = Duration::from_secs(10);

/// Where one planned create falls against the account's quota as read at the start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuotaStanding {
    /// How many secrets the account may hold.
    pub quota: u64,
    /// How many it held when the quota was read.
    pub usage: u64,
    /// The creates this process has counted in the account so far, this one included.
    pub planned: u64,
}

impl QuotaStanding {
    /// How many new secrets fit in the account.
    pub fn room(&self) -> u64 {
        self.quota.saturating_sub(self.usage)
    }

    /// Whether this create is one of those that fit.
    pub fn fits(&self) -> bool {
        self.planned <= self.room()
    }
}

/// The per-process quota reads and counts of planned creates, keyed by account id.
///
/// One process normally serves one walk (`terraform plan`, or the apply walk that plans each
/// change again right before making it); its count is the walk's. A process that serves several
/// walks (`terraform test` run blocks, see `WalkNotes`) keeps its first read and its count, so a
/// later walk may warn where a fresh read would not: the check only ever warns.
#[derive(Default)]
pub struct SecretQuota {
    /// The account's quota as read; `None` when the read failed (logged; no check then).
    read: OncePerKey<String, Option<Quota>>,
    planned: Mutex<HashMap<String, u64>>,
}

impl SecretQuota {
    /// Counts one planned create of a new secret in the account and says where it falls
    /// against the quota; the first call for an account reads the quota (concurrent callers
    /// share that one request). `None` when the quota could not be read.
    pub async fn count_create(&self, client: &Client, account_id: &str) -> Option<QuotaStanding> {
        let quota = self.quota(client, account_id).await?;
        let mut planned = self.planned.lock().unwrap_or_else(PoisonError::into_inner);
        let count = planned.entry(account_id.to_string()).or_default();
        *count += 1;
        Some(QuotaStanding {
            quota: quota.quota,
            usage: quota.usage,
            planned: *count,
        })
    }

    async fn quota(&self, client: &Client, account_id: &str) -> Option<Quota> {
        let cell = self.read.cell(account_id.to_string());
        let read = cell
            .get_or_try_init(|| async {
                let answer = tokio::time::timeout(READ_PATIENCE, client.quota(account_id)).await;
                let Ok(answer) = answer else {
                    tracing::warn!(
                        account_id,
                        "the account's secrets quota did not come within {}s; planning without \
                         the check that warns about creates beyond it",
                        READ_PATIENCE.as_secs()
                    );
                    return Ok(None);
                };
                match answer {
                    Ok(quota) => {
                        tracing::debug!(
                            account_id,
                            quota = quota.quota,
                            usage = quota.usage,
                            "read the account's secrets quota for the creates this plan makes"
                        );
                        Ok(Some(quota))
                    }
                    // A stop is not an answer: the next caller may ask again.
                    Err(e) if e.kind() == ErrorKind::Cancelled => Err(e),
                    Err(e) => {
                        tracing::warn!(
                            account_id,
                            error = %e,
                            "could not read the account's secrets quota (GET \
                             …/secrets_store/quota); planning without the check that warns \
                             about creates beyond it"
                        );
                        Ok(None)
                    }
                }
            })
            .await;
        match read {
            Ok(quota) => *quota,
            Err(e) => {
                tracing::debug!(account_id, error = %e, "the secrets quota read was stopped");
                None
            }
        }
    }
}
