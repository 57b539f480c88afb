//! Credential checks: a Bearer token or the legacy `X-Auth-Email` + `X-Auth-Key` pair.

use axum::http::{HeaderMap, StatusCode, header};

use super::config::EmulatorConfig;
use super::envelope::ApiError;

/// Accepts the request's credentials or says what is wrong with them (never echoing them).
pub fn authenticate(headers: &HeaderMap, config: &EmulatorConfig) -> Result<(), ApiError> {
    if let Some(authorization) = headers.get(header::AUTHORIZATION) {
        let token = authorization
            .to_str()
            .ok()
            .and_then(|text| text.strip_prefix("Bearer "))
            .filter(|token| is_well_formed(token))
            .ok_or_else(|| invalid_header(6111, "Invalid format for Authorization header"))?;
        return if constant_time_eq(token, &config.api_token) {
            Ok(())
        } else {
            Err(authentication_error())
        };
    }
    let email = headers.get("x-auth-email");
    let key = headers.get("x-auth-key");
    if email.is_none() && key.is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            9106,
            "Missing X-Auth-Key, X-Auth-Email or Authorization headers",
        ));
    }
    let email = email
        .and_then(|value| value.to_str().ok())
        .filter(|value| value.contains('@') && is_well_formed(value))
        .ok_or_else(|| invalid_header(6102, "Invalid format for X-Auth-Email header"))?;
    let key = key
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_well_formed(value))
        .ok_or_else(|| invalid_header(6103, "Invalid format for X-Auth-Key header"))?;
    match &config.api_key {
        Some((expected_email, expected_key))
            if email.eq_ignore_ascii_case(expected_email)
                && constant_time_eq(key, expected_key) =>
        {
            Ok(())
        }
        _ => Err(authentication_error()),
    }
}

fn is_well_formed(credential: &str) -> bool {
    !credential.is_empty() && credential.chars().all(|c| c.is_ascii_graphic())
}

fn invalid_header(code: u32, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, 6003, "Invalid request headers")
        .with_chain(code, message)
}

fn authentication_error() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, 10000, "Authentication error")
}

fn constant_time_eq(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config() -> EmulatorConfig {
        let mut config = EmulatorConfig::new("acc", "good-token");
        config.api_key = Some(("me@example.com".into(), "good-key".into()));
        config
    }

    fn check(pairs: &[(&'static str, &'static str)]) -> Result<(), (u16, u32, Option<u32>)> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        authenticate(&headers, &config()).map_err(|error| {
            (
                error.status.as_u16(),
                error.code,
                error.error_chain.first().map(|link| link.code),
            )
        })
    }

    #[test]
    fn accepts_the_token_and_the_key_pair() {
        assert!(check(&[("authorization", "Bearer good-token")]).is_ok());
        assert!(
            check(&[
                ("x-auth-email", "me@example.com"),
                ("x-auth-key", "good-key")
            ])
            .is_ok()
        );
    }

    #[test]
    fn reports_each_failure_with_its_code() {
        assert_eq!(check(&[]), Err((400, 9106, None)));
        assert_eq!(
            check(&[("authorization", "Token good-token")]),
            Err((400, 6003, Some(6111)))
        );
        assert_eq!(
            check(&[("authorization", "Bearer ")]),
            Err((400, 6003, Some(6111)))
        );
        assert_eq!(
            check(&[("authorization", "Bearer bad-token")]),
            Err((403, 10000, None))
        );
        assert_eq!(
            check(&[("x-auth-email", "me@example.com")]),
            Err((400, 6003, Some(6103)))
        );
        assert_eq!(
            check(&[
                ("x-auth-email", "me@example.com"),
                ("x-auth-key", "bad-key")
            ]),
            Err((403, 10000, None))
        );
    }

    #[test]
    fn rejects_key_auth_when_not_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-auth-email", HeaderValue::from_static("me@example.com"));
        headers.insert("x-auth-key", HeaderValue::from_static("good-key"));
        let config = EmulatorConfig::new("acc", "good-token");
        assert_eq!(authenticate(&headers, &config).unwrap_err().code, 10000);
    }
}
