//! `EmulatorConfig`: the one account, its credentials and its limits.

use std::fmt;
use std::time::Duration;

use super::rate_budget::RateBudget;

/// What a bulk create or bulk delete does when some of its items cannot be applied. The API
/// documentation does not say (`docs/api-economy.md`); the provider is correct under both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BatchMode {
    /// Every item is checked first; one bad item refuses the whole request with that item's
    /// error and nothing is applied (the default: how the API answers a single create).
    #[default]
    AllOrNothing,
    /// Good items are applied, bad ones skipped: HTTP 200 (202 for deletes) with
    /// `success: true`, `result` holding only the created secrets, and one `errors[]` entry
    /// per skipped item. When no item could be applied, the first item's error as usual.
    PerItem,
}

impl BatchMode {
    /// Parses `all-or-nothing` or `per-item`.
    pub fn parse(text: &str) -> Option<BatchMode> {
        match text.trim() {
            "all-or-nothing" => Some(BatchMode::AllOrNothing),
            "per-item" => Some(BatchMode::PerItem),
            _ => None,
        }
    }
}

/// The body the bulk delete (`DELETE …/stores/{id}/secrets`) accepts. Generations of the API's
/// schema disagree (`cloudflare-secrets-store-api.md` §3): the current OpenAPI file says
/// `{"ids": [...]}`, an older one an array of `{"id": ...}` objects. The emulator accepts one
/// and answers the other with HTTP 400 `invalid_json_body`, so clients can be tested against
/// a server of either generation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BulkDeleteBody {
    /// `{"ids": ["<secret id>", ...]}` (the default: the current OpenAPI file).
    #[default]
    Ids,
    /// `[{"id": "<secret id>"}, ...]` (the older schema generation).
    Objects,
}

impl BulkDeleteBody {
    /// Parses `ids` or `objects`.
    pub fn parse(text: &str) -> Option<BulkDeleteBody> {
        match text.trim() {
            "ids" => Some(BulkDeleteBody::Ids),
            "objects" => Some(BulkDeleteBody::Objects),
            _ => None,
        }
    }
}

/// The HTTP status of `secret_name_already_exists` (code 1003), which no document settles:
/// clients of the API check 409 and 400 (`cloudflare-secrets-store-api.md` §7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NameConflictStatus {
    /// HTTP 409 Conflict (the default).
    #[default]
    Conflict,
    /// HTTP 400 Bad Request.
    BadRequest,
}

impl NameConflictStatus {
    /// Parses `409` or `400`.
    pub fn parse(text: &str) -> Option<NameConflictStatus> {
        match text.trim() {
            "409" => Some(NameConflictStatus::Conflict),
            "400" => Some(NameConflictStatus::BadRequest),
            _ => None,
        }
    }
}

/// Settings of an emulator instance. Debug output never shows the token or key.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// The one account that exists.
    pub account_id: String,
    /// The accepted `Authorization: Bearer` token.
    pub api_token: String,
    /// Optional legacy credentials: (`X-Auth-Email`, `X-Auth-Key`).
    pub api_key: Option<(String, String)>,
    /// Stores per account (default 1, as during the beta).
    pub max_stores: usize,
    /// Secrets per account (default 100).
    pub max_secrets: usize,
    /// Maximum secret value size in UTF-8 bytes (default 65,536).
    pub max_value_bytes: usize,
    /// How long a new secret stays `pending` before it is `active` (default 300 ms).
    pub activation_delay: Duration,
    /// What bulk creates and deletes do with items that cannot be applied.
    pub batch_mode: BatchMode,
    /// Enforce this request budget per credential as Cloudflare does (429 and a lockout as long
    /// as the window for the request over the quota). `None` (the default): the `Ratelimit`
    /// headers report Cloudflare's 1,200 per 300 s per credential, and nothing is refused.
    pub rate_limit: Option<RateBudget>,
    /// The body shape the bulk delete accepts.
    pub bulk_delete_body: BulkDeleteBody,
    /// The HTTP status of a duplicate secret name.
    pub name_conflict_status: NameConflictStatus,
}

impl EmulatorConfig {
    /// A config for `account_id` accepting `api_token`, with the default limits.
    pub fn new(account_id: &str, api_token: &str) -> Self {
        EmulatorConfig {
            account_id: account_id.to_string(),
            api_token: api_token.to_string(),
            api_key: None,
            max_stores: 1,
            max_secrets: 100,
            max_value_bytes: 65_536,
            activation_delay: Duration::from_millis(300),
            batch_mode: BatchMode::AllOrNothing,
            rate_limit: None,
            bulk_delete_body: BulkDeleteBody::Ids,
            name_conflict_status: NameConflictStatus::Conflict,
        }
    }
}

impl fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("account_id", &self.account_id)
            .field("api_token", &"[REDACTED]")
            .field(
                "api_key",
                &self
                    .api_key
                    .as_ref()
                    .map(|(email, _)| (email.as_str(), "[REDACTED]")),
            )
            .field("max_stores", &self.max_stores)
            .field("max_secrets", &self.max_secrets)
            .field("max_value_bytes", &self.max_value_bytes)
            .field("activation_delay", &self.activation_delay)
            .field("batch_mode", &self.batch_mode)
            .field("rate_limit", &self.rate_limit)
            .field("bulk_delete_body", &self.bulk_delete_body)
            .field("name_conflict_status", &self.name_conflict_status)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_credentials() {
        let mut config = EmulatorConfig::new("acc", "tok-very-secret");
        config.api_key = Some(("me@example.com".into(), "key-very-secret".into()));
        let shown = format!("{config:?}");
        assert!(!shown.contains("tok-very-secret"));
        assert!(!shown.contains("key-very-secret"));
        assert!(shown.contains("me@example.com"));
    }
}
