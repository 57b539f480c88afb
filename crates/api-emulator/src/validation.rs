//! Input rules for names, scopes, values and comments, each failing with a clear `ApiError`.

use super::envelope::ApiError;

/// The scopes a secret may carry.
pub const ALLOWED_SCOPES: [&str; 6] = [
    "workers",
    "ai_gateway",
    "dex",
    "access",
    "containers",
    "websearch",
];

/// A secret name: non-empty, only ASCII letters, digits, `_` and `-`.
pub fn check_secret_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() {
        return Err(ApiError::invalid("secret_name_empty"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        let shown = if bad.is_whitespace() {
            "whitespace".to_string()
        } else {
            format!("{bad:?}")
        };
        return Err(ApiError::invalid(format!(
            "secret_name_invalid: the name contains {shown}; a secret name may only contain letters, digits, underscores (_) and dashes (-)"
        )));
    }
    Ok(())
}

/// A store name: non-empty and without leading or trailing whitespace.
pub fn check_store_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::invalid(
            "store_name_empty: give the store a non-empty name",
        ));
    }
    if name.trim() != name {
        return Err(ApiError::invalid(
            "store_name_invalid: a store name must not start or end with whitespace",
        ));
    }
    Ok(())
}

/// Non-empty scopes from the allowed set; returns them sorted and without duplicates.
pub fn normalize_scopes(scopes: &[String]) -> Result<Vec<String>, ApiError> {
    if scopes.is_empty() {
        return Err(ApiError::invalid(format!(
            "secret_scopes_empty: give at least one scope (one of {})",
            ALLOWED_SCOPES.join(", ")
        )));
    }
    if let Some(bad) = scopes
        .iter()
        .find(|scope| !ALLOWED_SCOPES.contains(&scope.as_str()))
    {
        return Err(ApiError::invalid(format!(
            "secret_scope_invalid: {bad:?} is not a scope; use one of {}",
            ALLOWED_SCOPES.join(", ")
        )));
    }
    let mut sorted = scopes.to_vec();
    sorted.sort();
    sorted.dedup();
    Ok(sorted)
}

/// The value fits in `max_bytes` UTF-8 bytes. The message gives sizes, never the value.
pub fn check_value_size(value: &str, max_bytes: usize) -> Result<(), ApiError> {
    if value.len() > max_bytes {
        return Err(ApiError::invalid(format!(
            "secret_value_too_large: the value is {} bytes; the maximum is {max_bytes} bytes",
            value.len()
        )));
    }
    Ok(())
}

/// `None` and `Some("")` both mean "no comment".
pub fn normalize_comment(comment: Option<String>) -> Option<String> {
    comment.filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_accept_letters_digits_underscore_dash_only() {
        assert!(check_secret_name("API_KEY-2").is_ok());
        assert_eq!(
            check_secret_name("").unwrap_err().message,
            "secret_name_empty"
        );
        let spaced = check_secret_name("MY KEY").unwrap_err();
        assert_eq!(spaced.code, 1001);
        assert!(spaced.message.starts_with("secret_name_invalid"));
        assert!(spaced.message.contains("whitespace"));
        assert!(
            check_secret_name("a.b")
                .unwrap_err()
                .message
                .contains("'.'")
        );
        assert!(check_secret_name("naïve").is_err());
    }

    #[test]
    fn scopes_are_checked_sorted_and_deduplicated() {
        let scopes = vec!["workers".to_string(), "ai_gateway".into(), "workers".into()];
        assert_eq!(
            normalize_scopes(&scopes).unwrap(),
            vec!["ai_gateway", "workers"]
        );
        assert!(
            normalize_scopes(&[])
                .unwrap_err()
                .message
                .starts_with("secret_scopes_empty")
        );
        let bad = normalize_scopes(&["pages".to_string()]).unwrap_err();
        assert!(bad.message.starts_with("secret_scope_invalid"));
        assert!(bad.message.contains("pages"));
    }

    #[test]
    fn value_size_is_counted_in_bytes_and_never_echoed() {
        assert!(check_value_size("abcd", 4).is_ok());
        let error = check_value_size("ééé", 4).unwrap_err();
        assert!(error.message.contains("6 bytes"));
        assert!(!error.message.contains("ééé"));
    }

    #[test]
    fn store_names_must_not_be_blank() {
        assert!(check_store_name("default_secrets_store").is_ok());
        assert!(check_store_name("  ").is_err());
        assert!(check_store_name(" x").is_err());
    }
}
