//! A secret's status as a type: `pending`, `active`, `deleted`, or one the API may add.

use std::fmt;

use serde::Deserialize;

/// A secret's `status`. A new secret is `pending`, then `active` (usable) shortly after.
///
/// A status this client does not know (the API may add one) is kept as [`SecretStatus::Other`]
/// with the API's text, so it round-trips unchanged (into Terraform state too); it counts as
/// neither active nor deleted, so a wait for activation keeps polling and, at its timeout, names
/// it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "String")]
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

impl From<String> for SecretStatus {
    fn from(status: String) -> SecretStatus {
        match status.as_str() {
            "pending" => SecretStatus::Pending,
            "active" => SecretStatus::Active,
            "deleted" => SecretStatus::Deleted,
            _ => SecretStatus::Other(status),
        }
    }
}

impl From<&str> for SecretStatus {
    fn from(status: &str) -> SecretStatus {
        SecretStatus::from(status.to_string())
    }
}

impl fmt::Display for SecretStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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
            assert_eq!(status.to_string(), text);
            assert_eq!(SecretStatus::from(status.as_str()), status);
        }
    }
}
