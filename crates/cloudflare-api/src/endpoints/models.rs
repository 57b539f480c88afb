//! Typed models of stores, secrets and quota, as the provider sees them and the API sends them.

use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

use super::status::SecretStatus;

/// A Secrets Store.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Store {
    pub id: String,
    pub name: String,
    pub created: String,
    pub modified: String,
    #[serde(default)]
    pub account_id: Option<String>,
}

/// A secret's metadata (the API never returns values).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Secret {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub status: SecretStatus,
    pub created: String,
    pub modified: String,
    #[serde(default)]
    pub comment: Option<String>,
    /// Sorted and without duplicates, so callers can compare them as a set; `None` from older
    /// API versions that did not return scopes.
    #[serde(default, deserialize_with = "sorted")]
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
}

/// A secret to create. Debug shows the value as `[REDACTED]` (`SecretString`).
#[derive(Debug)]
pub struct NewSecret {
    pub name: String,
    pub value: SecretString,
    pub scopes: Vec<String>,
    pub comment: Option<String>,
}

/// A partial update of a secret; `None` fields are left as they are.
#[derive(Debug, Default)]
pub struct SecretPatch {
    pub value: Option<SecretString>,
    pub scopes: Option<Vec<String>>,
    /// `Some("")` clears the comment.
    pub comment: Option<String>,
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub struct Quota {
    #[serde(deserialize_with = "lenient_u64")]
    pub quota: u64,
    #[serde(deserialize_with = "lenient_u64")]
    pub usage: u64,
}

/// The wire shape of the quota endpoint's result: `{"secrets": {"quota": n, "usage": n}}`.
#[derive(Deserialize)]
pub(super) struct QuotaResult {
    pub(super) secrets: Quota,
}

/// Scopes sorted and de-duplicated as they arrive.
fn sorted<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Vec<String>>, D::Error> {
    let mut scopes = Option::<Vec<String>>::deserialize(deserializer)?;
    if let Some(scopes) = scopes.as_mut() {
        scopes.sort();
        scopes.dedup();
    }
    Ok(scopes)
}

/// Accepts a JSON number written as an integer or a float (`100` or `100.0`).
fn lenient_u64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let number = f64::deserialize(deserializer)?;
    if number.is_finite() && number >= 0.0 {
        Ok(number as u64)
    } else {
        Err(serde::de::Error::custom("expected a non-negative number"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(status: &str) -> Secret {
        Secret {
            id: "i".into(),
            store_id: "s".into(),
            name: "N".into(),
            status: status.into(),
            created: "c".into(),
            modified: "m".into(),
            comment: None,
            scopes: None,
        }
    }

    #[test]
    fn only_active_is_active_and_only_deleted_is_deleted() {
        assert!(secret("active").is_active() && !secret("active").is_deleted());
        assert!(secret("deleted").is_deleted() && !secret("deleted").is_active());
        let unknown = secret("rotating");
        assert!(!unknown.is_active() && !unknown.is_deleted());
    }

    #[test]
    fn secrets_parse_in_the_current_and_the_older_shape() {
        let current = r#"{"id":"3fd85f74b32742f1bff64a85009dda07","store_id":"023e105f4ecef8ad9ca31a8372d0c353",
            "name":"MY_API_KEY","status":"pending","created":"2023-09-21T18:56:32.624632Z",
            "modified":"2023-09-21T18:56:32.624632Z","comment":"info","scopes":["workers"]}"#;
        let secret: Secret = serde_json::from_str(current).unwrap();
        assert_eq!(secret.name, "MY_API_KEY");
        assert_eq!(secret.status, SecretStatus::Pending);
        assert_eq!(secret.scopes.as_deref(), Some(&["workers".to_string()][..]));
        assert_eq!(secret.comment.as_deref(), Some("info"));
        let older = r#"{"id":"a","store_id":"s","name":"N","status":"active","created":"c","modified":"m"}"#;
        let secret: Secret = serde_json::from_str(older).unwrap();
        assert_eq!(secret.scopes, None);
        assert_eq!(secret.comment, None);
    }

    #[test]
    fn scopes_arrive_sorted_without_duplicates() {
        let listed = r#"{"id":"a","store_id":"s","name":"N","status":"active","created":"c",
            "modified":"m","scopes":["workers","ai_gateway","workers"]}"#;
        let secret: Secret = serde_json::from_str(listed).unwrap();
        assert_eq!(secret.scopes.unwrap(), ["ai_gateway", "workers"]);
        let null = r#"{"id":"a","store_id":"s","name":"N","status":"active","created":"c",
            "modified":"m","scopes":null}"#;
        assert_eq!(serde_json::from_str::<Secret>(null).unwrap().scopes, None);
    }

    #[test]
    fn quota_numbers_may_be_floats() {
        let result = r#"{"secrets":{"quota":100.0,"usage":2}}"#;
        let quota = serde_json::from_str::<QuotaResult>(result).unwrap().secrets;
        assert_eq!(
            quota,
            Quota {
                quota: 100,
                usage: 2
            }
        );
    }
}
