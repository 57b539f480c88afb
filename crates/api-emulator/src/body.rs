//! JSON request bodies: parsing with `invalid_json_body` errors that never echo body content.

use secrecy::SecretString;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::envelope::ApiError;

/// Parses `bytes` as `T`; `expected` describes the accepted shape for the error message.
///
/// serde's own messages can quote parts of the body (possibly a secret value), so only
/// the "missing field" kind is passed on; everything else gets a generic description.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], expected: &str) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid_json_body(&format!(
            "the request body is empty; send {expected}"
        )));
    }
    serde_json::from_slice(bytes).map_err(|error| {
        let text = error.to_string();
        let detail = if text.starts_with("missing field") || text.starts_with("duplicate field") {
            let without_position = text.split(" at line").next().unwrap_or(&text);
            format!("{without_position}; send {expected}")
        } else if error.is_syntax() || error.is_eof() {
            format!(
                "the body is not valid JSON (line {}, column {}); send {expected}",
                error.line(),
                error.column()
            )
        } else {
            format!(
                "the body does not have the expected shape (line {}, column {}); send {expected}",
                error.line(),
                error.column()
            )
        };
        ApiError::invalid_json_body(&detail)
    })
}

/// Deserializes a string straight into a `SecretString`.
pub fn secret_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    String::deserialize(deserializer).map(SecretString::from)
}

/// Same as [`secret_string`] for an optional field.
pub fn optional_secret_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<SecretString>, D::Error> {
    Option::<String>::deserialize(deserializer).map(|value| value.map(SecretString::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Named {
        #[allow(dead_code)]
        name: String,
    }

    #[test]
    fn missing_fields_are_named_and_wrong_shapes_are_not_echoed() {
        let missing = parse_json::<Named>(b"{}", "{\"name\": ...}").unwrap_err();
        assert!(
            missing
                .message
                .starts_with("invalid_json_body: missing field `name`")
        );
        let wrong = parse_json::<Named>(b"\"hunter2\"", "an object").unwrap_err();
        assert!(!wrong.message.contains("hunter2"), "{}", wrong.message);
        assert!(
            parse_json::<Named>(b"", "x")
                .unwrap_err()
                .message
                .contains("empty")
        );
        assert!(
            parse_json::<Named>(b"{", "x")
                .unwrap_err()
                .message
                .contains("not valid JSON")
        );
    }
}
