//! Typed models of stores, secrets and quota, and the request bodies that carry secret values.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Secrets Store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub created: String,
    pub modified: String,
    #[serde(default)]
    pub account_id: Option<String>,
}

/// A secret's metadata (the API never returns values).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub status: SecretStatus,
    pub created: String,
    pub modified: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// Sorted; `None` from older API versions that did not return scopes.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

impl Secret {
    /// The API's `deleted` status: the secret is gone even though it is still shown.
    pub fn is_deleted(&self) -> bool {
        self.status == SecretStatus::Deleted
    }

    /// The API's `active` status: the secret can be bound to a Worker.
    pub fn is_active(&self) -> bool {
        self.status == SecretStatus::Active
    }

    /// Sorts and de-duplicates `scopes`, so callers can compare them as a set.
    pub(crate) fn normalized(mut self) -> Secret {
        if let Some(scopes) = self.scopes.as_mut() {
            scopes.sort();
            scopes.dedup();
        }
        self
    }
}

/// A secret's `status`. A new secret is `pending`, then `active` (usable) shortly after.
///
/// A status this client does not know (the API may add one) is kept as [`SecretStatus::Other`]
/// with the API's text, so it round-trips unchanged (into Terraform state too); it counts as
/// neither active nor deleted, so a wait for activation keeps polling and, at its timeout, names
/// it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SecretStatus {
    Pending,
    Active,
    Deleted,
    /// A status the API sent that this client does not know, verbatim.
    Other(String),
}

impl SecretStatus {
    /// The API's text for the status: `pending`, `active`, `deleted`, or the unknown one.
    pub fn as_str(&self) -> &str {
        match self {
            SecretStatus::Pending => "pending",
            SecretStatus::Active => "active",
            SecretStatus::Deleted => "deleted",
            SecretStatus::Other(status) => status,
        }
    }
}

impl From<&str> for SecretStatus {
    fn from(status: &str) -> SecretStatus {
        match status {
            "pending" => SecretStatus::Pending,
            "active" => SecretStatus::Active,
            "deleted" => SecretStatus::Deleted,
            other => SecretStatus::Other(other.to_string()),
        }
    }
}

impl fmt::Display for SecretStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for SecretStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SecretStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SecretStatus, D::Error> {
        Ok(SecretStatus::from(
            String::deserialize(deserializer)?.as_str(),
        ))
    }
}

/// A secret to create.
pub struct NewSecret {
    pub name: String,
    pub value: SecretString,
    pub scopes: Vec<String>,
    pub comment: Option<String>,
}

impl fmt::Debug for NewSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSecret")
            .field("name", &self.name)
            .field("value", &"[REDACTED]")
            .field("scopes", &self.scopes)
            .field("comment", &self.comment)
            .finish()
    }
}

/// A partial update of a secret; `None` fields are left as they are.
#[derive(Default)]
pub struct SecretPatch {
    pub value: Option<SecretString>,
    pub scopes: Option<Vec<String>>,
    /// `Some("")` clears the comment.
    pub comment: Option<String>,
}

impl fmt::Debug for SecretPatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretPatch")
            .field("value", &self.value.as_ref().map(|_| "[REDACTED]"))
            .field("scopes", &self.scopes)
            .field("comment", &self.comment)
            .finish()
    }
}

/// Filters and ordering for listing secrets.
#[derive(Clone, Debug, Default)]
pub struct ListSecretsParams {
    /// The API's `search` (matches names and comments, substrings).
    pub search: Option<String>,
    /// `name`, `comment`, `created`, `modified` or `status`.
    pub order: Option<String>,
    /// `asc` or `desc`.
    pub direction: Option<String>,
    /// Page size (1..=100).
    pub per_page: Option<u32>,
}

/// The account's secrets quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub quota: u64,
    pub usage: u64,
}

/// One entry of the API's `errors[]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiMessage {
    pub code: u32,
    pub message: String,
}

/// The wire shape of the quota endpoint's result: `{"secrets": {"quota": n, "usage": n}}`.
#[derive(Deserialize)]
pub(crate) struct QuotaResult {
    secrets: QuotaNumbers,
}

#[derive(Deserialize)]
struct QuotaNumbers {
    #[serde(deserialize_with = "lenient_u64")]
    quota: u64,
    #[serde(deserialize_with = "lenient_u64")]
    usage: u64,
}

impl From<QuotaResult> for Quota {
    fn from(result: QuotaResult) -> Quota {
        Quota {
            quota: result.secrets.quota,
            usage: result.secrets.usage,
        }
    }
}

/// Accepts a JSON number written as an integer or a float (`100` or `100.0`).
pub(crate) fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let number = f64::deserialize(deserializer)?;
    if number.is_finite() && number >= 0.0 {
        Ok(number as u64)
    } else {
        Err(serde::de::Error::custom("expected a non-negative number"))
    }
}

fn expose<S: Serializer>(value: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.expose_secret())
}

fn expose_option<S: Serializer>(
    value: &Option<&SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(value.expose_secret()),
        None => serializer.serialize_none(),
    }
}

/// Body element of `POST /stores/{id}/secrets`; the only place a new value is exposed.
#[derive(Serialize)]
pub(crate) struct CreateSecretBody<'a> {
    name: &'a str,
    #[serde(serialize_with = "expose")]
    value: &'a SecretString,
    scopes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
}

impl<'a> From<&'a NewSecret> for CreateSecretBody<'a> {
    fn from(secret: &'a NewSecret) -> Self {
        CreateSecretBody {
            name: &secret.name,
            value: &secret.value,
            scopes: &secret.scopes,
            comment: secret.comment.as_deref(),
        }
    }
}

/// Body of `PATCH /stores/{id}/secrets/{id}`; only the fields being changed are sent.
#[derive(Serialize)]
pub(crate) struct PatchSecretBody<'a> {
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "expose_option"
    )]
    value: Option<&'a SecretString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
}

impl<'a> From<&'a SecretPatch> for PatchSecretBody<'a> {
    fn from(patch: &'a SecretPatch) -> Self {
        PatchSecretBody {
            value: patch.value.as_ref(),
            scopes: patch.scopes.as_deref(),
            comment: patch.comment.as_deref(),
        }
    }
}

/// Body of `POST /stores`.
#[derive(Serialize)]
pub(crate) struct CreateStoreBody<'a> {
    pub name: &'a str,
}

/// Body of `DELETE /stores/{id}/secrets` (bulk delete).
#[derive(Serialize)]
pub(crate) struct DeleteSecretsBody<'a> {
    pub ids: &'a [String],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_kept_verbatim() {
        let known = [
            ("pending", SecretStatus::Pending),
            ("active", SecretStatus::Active),
            ("deleted", SecretStatus::Deleted),
            ("rotating", SecretStatus::Other("rotating".into())),
        ];
        for (text, status) in known {
            let json = format!("\"{text}\"");
            assert_eq!(serde_json::from_str::<SecretStatus>(&json).unwrap(), status);
            assert_eq!(serde_json::to_string(&status).unwrap(), json);
            assert_eq!(status.to_string(), text);
        }
        let secret = |status: &str| Secret {
            id: "i".into(),
            store_id: "s".into(),
            name: "N".into(),
            status: status.into(),
            created: "c".into(),
            modified: "m".into(),
            comment: None,
            scopes: None,
        };
        assert!(secret("active").is_active() && !secret("active").is_deleted());
        assert!(secret("deleted").is_deleted() && !secret("deleted").is_active());
        let unknown = secret("rotating");
        assert!(!unknown.is_active() && !unknown.is_deleted());
    }
}
