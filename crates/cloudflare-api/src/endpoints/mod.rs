//! The middle layer: one function per Secrets Store endpoint the provider uses, taking the
//! transport; the typed models they read and write; paged lists; and the bulk endpoints with
//! the reconciliation of a batch create, which lives here once. It knows nothing of coalescing.

mod bodies;
pub(crate) mod bulk;
mod models;
mod pages;
pub(crate) mod secrets;
mod status;
pub(crate) mod stores;

use reqwest::Method;
use serde::Serialize;

pub use models::{ListSecretsParams, NewSecret, Quota, Secret, SecretPatch, Store};
pub use pages::Pages;
pub use status::SecretStatus;

use crate::transport::{Call, Error, Kind};

/// Largest page the API serves.
const MAX_PER_PAGE: u32 = 100;

/// The call of an endpoint under `accounts/{account_id}/secrets_store/`, followed by `rest`.
fn endpoint(kind: Kind, method: Method, account_id: &str, rest: &[&str]) -> Result<Call, Error> {
    require(account_id, "account_id")?;
    let mut segments = vec![
        "accounts".to_string(),
        account_id.to_string(),
        "secrets_store".to_string(),
    ];
    segments.extend(rest.iter().map(|s| s.to_string()));
    Ok(Call::new(kind, method, segments))
}

/// The JSON request body.
fn json<T: Serialize>(body: &T) -> Result<Option<Vec<u8>>, Error> {
    serde_json::to_vec(body)
        .map(Some)
        .map_err(|e| Error::Config(format!("could not encode the request body: {e}")))
}

/// Refuses an empty (or blank) id or name before any request is sent.
pub(crate) fn require(value: &str, what: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        Err(Error::Config(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::ErrorKind;

    #[test]
    fn endpoints_live_under_the_account_s_secrets_store() {
        let call = endpoint(Kind::Read, Method::GET, "acc", &["stores", "a/b"]).unwrap();
        assert_eq!(
            call.segments,
            ["accounts", "acc", "secrets_store", "stores", "a/b"]
        );
        assert_eq!(call.path(), "/accounts/acc/secrets_store/stores/a/b");
    }

    #[test]
    fn empty_ids_are_rejected_before_any_request() {
        let err = endpoint(Kind::Read, Method::GET, " ", &["quota"]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("account_id"), "{err}");
    }
}
