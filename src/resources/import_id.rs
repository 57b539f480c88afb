//! Parsing of `terraform import` ids for stores and secrets, with diagnostics listing the
//! accepted forms.

use crate::common::rules::is_id;

/// What a store import id names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreImport {
    /// `<account_id>/<store_id>` or `<store_id>` (provider account).
    ById {
        account_id: Option<String>,
        store_id: String,
    },
    /// `<account_id>/<store_name>`.
    ByName { account_id: String, name: String },
}

/// The store import forms, for messages.
pub const STORE_IMPORT_FORMS: &str = "<account_id>/<store_id>, <store_id> (uses the provider's \
     account_id), or <account_id>/<store_name> (a second part of 32 lowercase hexadecimal digits is taken as an id)";

/// Parses a store import id; the error lists the accepted forms.
pub fn parse_store_import(id: &str) -> Result<StoreImport, String> {
    let parts: Vec<&str> = id.split('/').collect();
    let malformed =
        || format!("The import id {id:?} is not valid. Use one of: {STORE_IMPORT_FORMS}.");
    if parts.iter().any(|p| p.trim().is_empty() || p.trim() != *p) {
        return Err(malformed());
    }
    match parts.as_slice() {
        [store] if is_id(store) => Ok(StoreImport::ById {
            account_id: None,
            store_id: store.to_string(),
        }),
        [account, store] if is_id(store) => Ok(StoreImport::ById {
            account_id: Some(account.to_string()),
            store_id: store.to_string(),
        }),
        [account, name] => Ok(StoreImport::ByName {
            account_id: account.to_string(),
            name: name.to_string(),
        }),
        _ => Err(malformed()),
    }
}

/// How a secret import id identifies the secret within its store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretKey {
    Id(String),
    Name(String),
}

/// What a secret import id names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretImport {
    /// `<account_id>/<store_id>/<secret_id or secret_name>`.
    InStore {
        account_id: String,
        store_id: String,
        secret: SecretKey,
    },
    /// `<secret_name>`: provider account, default store.
    InDefaultStore { name: String },
}

/// The secret import forms, for messages.
pub const SECRET_IMPORT_FORMS: &str = "<account_id>/<store_id>/<secret_id>, \
     <account_id>/<store_id>/<secret_name>, or <secret_name> (uses the provider's account_id \
     and the store named default_secrets_store)";

/// Parses a secret import id; the error lists the accepted forms.
pub fn parse_secret_import(id: &str) -> Result<SecretImport, String> {
    let parts: Vec<&str> = id.split('/').collect();
    let malformed =
        || format!("The import id {id:?} is not valid. Use one of: {SECRET_IMPORT_FORMS}.");
    if parts
        .iter()
        .any(|p| p.is_empty() || p.chars().any(char::is_whitespace))
    {
        return Err(malformed());
    }
    match parts.as_slice() {
        [name] => Ok(SecretImport::InDefaultStore {
            name: name.to_string(),
        }),
        [account, store, secret] => Ok(SecretImport::InStore {
            account_id: account.to_string(),
            store_id: store.to_string(),
            secret: if is_id(secret) {
                SecretKey::Id(secret.to_string())
            } else {
                SecretKey::Name(secret.to_string())
            },
        }),
        _ => Err(malformed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
    const STORE: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn ids_follow_the_one_id_rule_of_the_plan_checks() {
        let upper = STORE.to_ascii_uppercase();
        // Not an id (ids are lowercase), so a lone upper-case part is no accepted form ...
        assert!(parse_store_import(&upper).is_err());
        // ... and a second part is a store name, as the forms say.
        assert_eq!(
            parse_store_import(&format!("{ACCOUNT}/{upper}")),
            Ok(StoreImport::ByName {
                account_id: ACCOUNT.into(),
                name: upper.clone()
            })
        );
        assert_eq!(
            parse_secret_import(&format!("{ACCOUNT}/{STORE}/{upper}")),
            Ok(SecretImport::InStore {
                account_id: ACCOUNT.into(),
                store_id: STORE.into(),
                secret: SecretKey::Name(upper)
            })
        );
    }

    #[test]
    fn store_ids_in_every_accepted_form() {
        assert_eq!(
            parse_store_import(&format!("{ACCOUNT}/{STORE}")),
            Ok(StoreImport::ById {
                account_id: Some(ACCOUNT.into()),
                store_id: STORE.into()
            })
        );
        assert_eq!(
            parse_store_import(STORE),
            Ok(StoreImport::ById {
                account_id: None,
                store_id: STORE.into()
            })
        );
        assert_eq!(
            parse_store_import(&format!("{ACCOUNT}/default_secrets_store")),
            Ok(StoreImport::ByName {
                account_id: ACCOUNT.into(),
                name: "default_secrets_store".into()
            })
        );
    }

    #[test]
    fn malformed_store_ids_list_the_accepted_forms() {
        for bad in ["", "not-an-id", "a/b/c", "/x", "x/", " a/b"] {
            let err = parse_store_import(bad).expect_err(bad);
            assert!(err.contains("<account_id>/<store_id>"), "{err}");
            assert!(err.contains("<account_id>/<store_name>"), "{err}");
        }
    }

    #[test]
    fn secret_ids_in_every_accepted_form() {
        let secret_id = "3fd85f74b32742f1bff64a85009dda07";
        assert_eq!(
            parse_secret_import(&format!("{ACCOUNT}/{STORE}/{secret_id}")),
            Ok(SecretImport::InStore {
                account_id: ACCOUNT.into(),
                store_id: STORE.into(),
                secret: SecretKey::Id(secret_id.into())
            })
        );
        assert_eq!(
            parse_secret_import(&format!("{ACCOUNT}/{STORE}/API_KEY")),
            Ok(SecretImport::InStore {
                account_id: ACCOUNT.into(),
                store_id: STORE.into(),
                secret: SecretKey::Name("API_KEY".into())
            })
        );
        assert_eq!(
            parse_secret_import("API_KEY"),
            Ok(SecretImport::InDefaultStore {
                name: "API_KEY".into()
            })
        );
    }

    #[test]
    fn malformed_secret_ids_list_the_accepted_forms() {
        for bad in ["", "a/b", "a/b/c/d", "a//c", "has space"] {
            let err = parse_secret_import(bad).expect_err(bad);
            assert!(err.contains("<account_id>/<store_id>/<secret_id>"), "{err}");
            assert!(err.contains("<secret_name>"), "{err}");
        }
    }
}
