//! The client's error type and the helpers callers branch on (not found, conflicts, auth).

use std::time::Duration;

use super::models::ApiMessage;

/// What went wrong with a request. Never contains secret values or credentials.
/// Clone: one failed bulk request answers every call it carried.
#[derive(Clone, Debug, thiserror::Error)]
pub enum Error {
    #[error("Cloudflare API returned HTTP {status}: {}", format_messages(errors))]
    Api {
        status: u16,
        errors: Vec<ApiMessage>,
    },
    #[error("could not reach the Cloudflare API: {0}")]
    Transport(String),
    #[error("the Cloudflare API did not answer within {0:?}")]
    Timeout(Duration),
    #[error("unexpected response from the Cloudflare API: {0}")]
    Decode(String),
    #[error("invalid Cloudflare client settings: {0}")]
    Config(String),
    /// Terraform asked the provider to stop (StopProvider, e.g. after Ctrl-C) while the request
    /// waited (rate limit, backoff, `Retry-After`) or before it was sent.
    #[error(
        "the operation was cancelled because Terraform asked the provider to stop{}",
        cancel_note(*.may_have_applied)
    )]
    Cancelled {
        /// A request of the operation was sent and may have taken effect, but its outcome is
        /// not known (its response was lost and could not be checked). `false`: the last
        /// request was never sent, or it was answered without taking effect.
        may_have_applied: bool,
    },
}

fn cancel_note(may_have_applied: bool) -> &'static str {
    if may_have_applied {
        " (a request already sent may have taken effect at Cloudflare)"
    } else {
        ""
    }
}

/// Cloudflare's codes for a URL that routes nowhere.
const ROUTING_ERROR_CODES: [u32; 2] = [7000, 7003];

fn format_messages(errors: &[ApiMessage]) -> String {
    if errors.is_empty() {
        return "no error details in the response".into();
    }
    errors
        .iter()
        .map(|e| format!("{} [code: {}]", e.message, e.code))
        .collect::<Vec<_>>()
        .join("; ")
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API's `errors[]` (empty for errors that did not come from an API response).
    pub fn messages(&self) -> &[ApiMessage] {
        match self {
            Error::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    fn has_message(&self, token: &str) -> bool {
        self.messages().iter().any(|e| e.message.starts_with(token))
    }

    /// The store or secret does not exist: the API said so by name, or answered 404 with an
    /// envelope that is not a routing error. A routing error (wrong `base_url` path, unknown
    /// account) or a 404 without an envelope (e.g. a proxy's page) says nothing about the object,
    /// so it is not "not found": treating it so would drop live objects from state.
    pub fn is_not_found(&self) -> bool {
        if self.has_message("secret_not_found") || self.has_message("store_not_found") {
            return true;
        }
        self.status() == Some(404) && !self.messages().is_empty() && !self.is_no_route()
    }

    /// A routing error (codes 7000 / 7003, "No route" / "Could not route to …"): the URL names
    /// nothing the API knows, usually a wrong `base_url` or account id.
    pub fn is_no_route(&self) -> bool {
        self.messages()
            .iter()
            .any(|m| ROUTING_ERROR_CODES.contains(&m.code))
    }

    /// `secret_name_already_exists`.
    pub fn is_name_conflict(&self) -> bool {
        self.has_message("secret_name_already_exists")
    }

    /// `maximum_stores_exceeded` (one store per account).
    pub fn is_max_stores_exceeded(&self) -> bool {
        self.has_message("maximum_stores_exceeded")
    }

    /// `store_not_empty` (delete without force).
    pub fn is_store_not_empty(&self) -> bool {
        self.has_message("store_not_empty")
    }

    /// Bad or insufficient credentials.
    pub fn is_auth_error(&self) -> bool {
        matches!(self.status(), Some(401 | 403))
    }

    /// HTTP 429: the API's rate limit was hit (after the client's retries ran out).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// Terraform asked the provider to stop before the operation finished.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled { .. })
    }

    /// Worth retrying: 429, 5xx, connection failures and timeouts. Other 4xx are final.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => *status == 429 || *status >= 500,
            Error::Transport(_) | Error::Timeout(_) => true,
            Error::Decode(_) | Error::Config(_) | Error::Cancelled { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: u32, message: &str) -> Error {
        Error::Api {
            status,
            errors: vec![ApiMessage {
                code,
                message: message.into(),
            }],
        }
    }

    #[test]
    fn helpers_recognise_the_api_error_tokens() {
        assert!(api(404, 1001, "secret_not_found").is_not_found());
        assert!(api(400, 1001, "store_not_found").is_not_found());
        assert!(api(404, 1000, "whatever").is_not_found());
        assert!(!api(400, 1001, "invalid_json_body").is_not_found());
        // Routing errors and bodies that are not an envelope (a proxy's HTML page) say nothing
        // about the object.
        assert!(!api(404, 7003, "Could not route to /accounts/x/secrets_store").is_not_found());
        assert!(!api(404, 7000, "No route for that URI").is_not_found());
        assert!(api(404, 7003, "Could not route").is_no_route());
        let bare_404 = Error::Api {
            status: 404,
            errors: Vec::new(),
        };
        assert!(!bare_404.is_not_found());
        assert!(api(409, 1003, "secret_name_already_exists: API_KEY").is_name_conflict());
        assert!(!api(409, 1003, "maximum_stores_exceeded").is_name_conflict());
        assert!(api(400, 1003, "maximum_stores_exceeded").is_max_stores_exceeded());
        assert!(api(409, 1004, "store_not_empty").is_store_not_empty());
        assert!(api(403, 10000, "Authentication error").is_auth_error());
        assert!(api(401, 10000, "Authentication error").is_auth_error());
        assert!(!api(400, 1001, "secret_name_empty").is_auth_error());
        assert!(api(429, 971, "Please wait").is_rate_limited());
        assert!(!Error::Transport("x".into()).is_not_found());
    }

    #[test]
    fn only_throttling_server_and_network_failures_are_retryable() {
        assert!(api(429, 971, "Please wait").is_retryable());
        assert!(api(500, 1, "boom").is_retryable());
        assert!(api(503, 1, "boom").is_retryable());
        assert!(Error::Transport("reset".into()).is_retryable());
        assert!(Error::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(!api(400, 1001, "secret_name_empty").is_retryable());
        assert!(!api(404, 1001, "secret_not_found").is_retryable());
        assert!(!api(403, 10000, "Authentication error").is_retryable());
        assert!(!Error::Decode("x".into()).is_retryable());
        assert!(
            !Error::Cancelled {
                may_have_applied: false
            }
            .is_retryable()
        );
    }

    #[test]
    fn cancelled_says_terraform_asked_to_stop_and_whether_a_request_may_have_applied() {
        let before = Error::Cancelled {
            may_have_applied: false,
        };
        assert!(before.is_cancelled());
        assert!(!Error::Transport("x".into()).is_cancelled());
        assert_eq!(
            before.to_string(),
            "the operation was cancelled because Terraform asked the provider to stop"
        );
        let after = Error::Cancelled {
            may_have_applied: true,
        };
        assert!(
            after.to_string().contains("may have taken effect"),
            "{after}"
        );
        assert!(!after.is_not_found() && !after.is_rate_limited() && !after.is_auth_error());
    }

    #[test]
    fn display_lists_every_message_with_its_code() {
        let err = Error::Api {
            status: 400,
            errors: vec![
                ApiMessage {
                    code: 1001,
                    message: "secret_name_empty".into(),
                },
                ApiMessage {
                    code: 1001,
                    message: "secret_scopes_empty".into(),
                },
            ],
        };
        assert_eq!(
            err.to_string(),
            "Cloudflare API returned HTTP 400: secret_name_empty [code: 1001]; \
             secret_scopes_empty [code: 1001]"
        );
    }
}
