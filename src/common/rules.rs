//! Plan-time rules for names and ids, each as a diagnostic on the attribute it concerns.
//!
//! The rules and where they come from (docs/index.md lists them for users):
//! * ids (`account_id`, `store_id`): exactly 32 lowercase hexadecimal characters. The OpenAPI
//!   document (`crates/api-emulator/tests/fixtures/cloudflare-secrets-store-openapi.json`) gives every identifier
//!   `maxLength: 32` with 32-hex examples; every id the API has been seen to return is 32
//!   lowercase hex.
//! * secret names: at least one character; only ASCII letters, digits, `_` and `-`. Cloudflare's
//!   docs say a name must not contain spaces, wrangler accepts only letters, digits, `_` and `-`
//!   (its `validateSecretName`), and the API answers an empty name with `secret_name_empty`. No
//!   source gives a maximum length, so none is enforced.
//! * store names: at least one character (the create-store body requires `name`). No source
//!   documents other rules or a maximum length, so none is enforced.

use tfplugin::{Attr, AttributePath, Diagnostic};

/// The length of every Cloudflare id this provider handles.
pub const ID_LENGTH: usize = 32;

/// Whether `id` is a Cloudflare id: 32 lowercase hexadecimal characters. The one id rule: plan
/// checks, import ids and identities all use it.
pub fn is_id(id: &str) -> bool {
    id.len() == ID_LENGTH && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Why `id` is not a Cloudflare id ([`is_id`]), if it is not; `what` names it in the message
/// ("account_id").
pub fn id_problem(what: &str, id: &str) -> Option<String> {
    if is_id(id) {
        return None;
    }
    let shape = if id.len() == ID_LENGTH && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        "has upper-case letters".to_string()
    } else {
        format!("is {} characters long", id.chars().count())
    };
    Some(format!(
        "The {what} {id:?} is not a Cloudflare id: ids are {ID_LENGTH} lowercase hexadecimal \
         characters (0-9, a-f), e.g. 0123456789abcdef0123456789abcdef, and this one {shape}. \
         Copy the id from the Cloudflare dashboard or API."
    ))
}

/// A validate-time error at `attribute` when its value is known and not a Cloudflare id.
pub fn check_id(attribute: &str, value: &Attr<String>) -> Option<Diagnostic> {
    let id = value.as_deref()?;
    id_problem(attribute, id).map(|detail| {
        Diagnostic::error(format!("Invalid {attribute}"), detail).at(AttributePath::root(attribute))
    })
}

/// Why `name` is not a valid store name, if it is not: it must not be empty.
pub fn store_name_problem(name: &str) -> Option<String> {
    name.is_empty().then(|| {
        "The store name is empty. Remove `name` to use the default (default_secrets_store), or \
         give the store a name such as service_keys."
            .to_string()
    })
}

/// A validate-time error at `name` when it is known and not a valid store name.
pub fn check_store_name(name: &Attr<String>) -> Option<Diagnostic> {
    store_name_problem(name.as_deref()?).map(|detail| {
        Diagnostic::error("Invalid store name", detail).at(AttributePath::root("name"))
    })
}

/// Why `name` is not a valid secret name, if it is not: non-empty; only ASCII letters, digits,
/// `_` and `-` (which also rules out whitespace). Every character it may not hold is named.
pub fn secret_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("The secret name is empty. Give it a name such as API_KEY.".to_string());
    }
    let mut bad: Vec<char> = Vec::new();
    for c in name.chars() {
        if !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || bad.contains(&c)) {
            bad.push(c);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let described: Vec<String> = bad
        .iter()
        .map(|c| match c {
            ' ' => "a space".to_string(),
            c if c.is_whitespace() => format!("whitespace {c:?}"),
            c => format!("{c:?}"),
        })
        .collect();
    let (what, list) = match described.as_slice() {
        [one] => ("a character", one.clone()),
        [init @ .., last] => ("characters", format!("{} and {last}", init.join(", "))),
        [] => unreachable!("bad is not empty"),
    };
    Some(format!(
        "The secret name {name:?} contains {what} a secret name may not hold: {list}. Secret \
         names may contain only letters, digits, underscores (_) and dashes (-), e.g. \
         MY_API_KEY."
    ))
}

/// A validate-time error at `name` when it is known and not a valid secret name.
pub fn check_secret_name(name: &Attr<String>) -> Option<Diagnostic> {
    secret_name_problem(name.as_deref()?).map(|detail| {
        Diagnostic::error("Invalid secret name", detail).at(AttributePath::root("name"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::Severity;

    #[test]
    fn ids_are_32_lowercase_hex_characters() {
        assert_eq!(
            id_problem("store_id", "0123456789abcdef0123456789abcdef"),
            None
        );
        let upper = id_problem("store_id", "0123456789ABCDEF0123456789ABCDEF").unwrap();
        assert!(upper.contains("upper-case"), "{upper}");
        let short = id_problem("account_id", "not-an-account").unwrap();
        assert!(short.contains("\"not-an-account\""), "{short}");
        assert!(short.contains("14 characters"), "{short}");
        assert!(id_problem("account_id", "").is_some());
        assert!(id_problem("account_id", "0123456789abcdef0123456789abcdeg").is_some());
        let diag = check_id("account_id", &Attr::Known("acct".to_string())).unwrap();
        assert_eq!(diag.path, Some(AttributePath::root("account_id")));
        assert!(check_id("account_id", &Attr::Unknown).is_none());
        assert!(check_id("account_id", &Attr::Null).is_none());
    }

    #[test]
    fn store_names_must_not_be_empty() {
        assert_eq!(store_name_problem("default_secrets_store"), None);
        let diag = check_store_name(&Attr::Known(String::new())).unwrap();
        assert_eq!(diag.path, Some(AttributePath::root("name")));
        assert!(diag.detail.contains("empty"), "{}", diag.detail);
    }

    #[test]
    fn secret_names_follow_the_rules() {
        assert_eq!(secret_name_problem("API_KEY-2"), None);
        assert!(secret_name_problem("").unwrap().contains("empty"));
        assert!(secret_name_problem("MY KEY").unwrap().contains("a space"));
        assert!(
            secret_name_problem("key\t")
                .unwrap()
                .contains("whitespace '\\t'")
        );
        assert!(secret_name_problem("a.b").unwrap().contains("'.'"));
        let both = secret_name_problem("MY SECRET.x.y").unwrap();
        assert!(
            both.contains("characters a secret name may not hold: a space and '.'"),
            "every bad character is named once: {both}"
        );
        assert!(secret_name_problem("ключ").is_some());
    }

    #[test]
    fn name_check_points_at_the_attribute_and_skips_unknowns() {
        let diag = check_secret_name(&Attr::Known("has space".to_string())).expect("an error");
        assert_eq!(diag.path, Some(AttributePath::root("name")));
        assert_eq!(diag.severity, Severity::Error);
        assert!(check_secret_name(&Attr::Unknown).is_none());
    }
}
