//! The client's error type and its kinds, what callers branch on (not found, conflicts, auth, …).

use std::time::Duration;

/// One entry of the API's `errors[]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiMessage {
    pub code: u32,
    pub message: String,
}

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

/// What kind of failure an [`Error`] is: what callers branch on, so no caller reads the API's
/// message strings. [`Error::kind`] is the one place that classifies them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The store or secret does not exist (`secret_not_found`, `store_not_found`, or an
    /// envelope with HTTP 404 that is not a routing error).
    NotFound,
    /// `secret_name_already_exists`.
    NameConflict,
    /// `maximum_stores_exceeded` (one store per account).
    MaxStoresExceeded,
    /// `store_not_empty` (a store delete without force).
    StoreNotEmpty,
    /// A routing error (codes 7000 / 7003, "No route" / "Could not route to …"): the URL names
    /// nothing the API knows, usually a wrong `base_url` or account id.
    NoRoute,
    /// HTTP 401 / 403: bad or insufficient credentials.
    Auth,
    /// HTTP 429: the API's rate limit was hit (after the client's retries ran out).
    RateLimited,
    /// HTTP 5xx: the API failed (after the client's retries ran out).
    Server,
    /// Any other refusal by the API (validation, limits, a body it cannot read, a 404 without
    /// an envelope).
    Refused,
    /// The API could not be reached or the connection broke.
    Transport,
    /// No answer within the request timeout.
    Timeout,
    /// An answer this client cannot read.
    Decode,
    /// Invalid client settings or arguments; nothing was sent.
    Config,
    /// Terraform asked the provider to stop.
    Cancelled,
}

/// Cloudflare's codes for a URL that routes nowhere.
const ROUTING_ERROR_CODES: [u32; 2] = [7000, 7003];

/// The API's error names (`errors[].message`, possibly followed by `: <detail>`) and their kinds.
const ERROR_NAMES: [(&str, ErrorKind); 5] = [
    ("secret_not_found", ErrorKind::NotFound),
    ("store_not_found", ErrorKind::NotFound),
    ("secret_name_already_exists", ErrorKind::NameConflict),
    ("maximum_stores_exceeded", ErrorKind::MaxStoresExceeded),
    ("store_not_empty", ErrorKind::StoreNotEmpty),
];

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

    /// What kind of failure this is. For an API answer the status class decides first (a 5xx
    /// or 429 never means "not found", whatever its message says), then the API's error names,
    /// then its routing codes. A 404 without an envelope (e.g. a proxy's page) says nothing
    /// about the object, so it is [`ErrorKind::Refused`], not [`ErrorKind::NotFound`]: treating
    /// it so would drop live objects from state.
    pub fn kind(&self) -> ErrorKind {
        let (status, errors) = match self {
            Error::Api { status, errors } => (*status, errors),
            Error::Transport(_) => return ErrorKind::Transport,
            Error::Timeout(_) => return ErrorKind::Timeout,
            Error::Decode(_) => return ErrorKind::Decode,
            Error::Config(_) => return ErrorKind::Config,
            Error::Cancelled { .. } => return ErrorKind::Cancelled,
        };
        match status {
            401 | 403 => return ErrorKind::Auth,
            429 => return ErrorKind::RateLimited,
            500.. => return ErrorKind::Server,
            _ => {}
        }
        let named = ERROR_NAMES
            .iter()
            .find(|(name, _)| errors.iter().any(|e| e.message.starts_with(name)));
        if let Some((_, kind)) = named {
            *kind
        } else if errors.iter().any(|m| ROUTING_ERROR_CODES.contains(&m.code)) {
            ErrorKind::NoRoute
        } else if status == 404 && !errors.is_empty() {
            ErrorKind::NotFound
        } else {
            ErrorKind::Refused
        }
    }

    /// The API's `errors[]`.
    #[cfg(test)]
    pub(crate) fn messages(&self) -> &[ApiMessage] {
        match self {
            Error::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// Worth retrying: 429, 5xx, connection failures and timeouts. Other 4xx are final.
    pub(crate) fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimited | ErrorKind::Server | ErrorKind::Transport | ErrorKind::Timeout
        )
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
    fn kinds_recognise_the_api_error_names_codes_and_statuses() {
        use ErrorKind::*;
        let cases = [
            (api(404, 1001, "secret_not_found"), NotFound),
            (api(400, 1001, "store_not_found"), NotFound),
            (api(404, 1000, "whatever"), NotFound),
            (api(400, 1001, "invalid_json_body"), Refused),
            // Routing errors and bodies that are not an envelope (a proxy's HTML page) say
            // nothing about the object.
            (
                api(404, 7003, "Could not route to /accounts/x/secrets_store"),
                NoRoute,
            ),
            (api(404, 7000, "No route for that URI"), NoRoute),
            // A duplicate name comes with 409 or 400, depending on whom one asks.
            (
                api(409, 1003, "secret_name_already_exists: API_KEY"),
                NameConflict,
            ),
            (
                api(400, 1003, "secret_name_already_exists: API_KEY"),
                NameConflict,
            ),
            (api(409, 1003, "maximum_stores_exceeded"), MaxStoresExceeded),
            (api(400, 1003, "maximum_stores_exceeded"), MaxStoresExceeded),
            (api(409, 1004, "store_not_empty"), StoreNotEmpty),
            (api(403, 10000, "Authentication error"), Auth),
            (api(401, 10000, "Authentication error"), Auth),
            (api(400, 1001, "secret_name_empty"), Refused),
            (api(429, 971, "Please wait"), RateLimited),
            (api(503, 1, "boom"), Server),
            // The status class wins: a failing server never says "gone".
            (api(500, 1001, "secret_not_found"), Server),
            (api(200, 1001, "secret_not_found"), NotFound),
        ];
        for (error, kind) in cases {
            assert_eq!(error.kind(), kind, "{error}");
        }
        let bare_404 = Error::Api {
            status: 404,
            errors: Vec::new(),
        };
        assert_eq!(bare_404.kind(), Refused);
        assert_eq!(Error::Transport("x".into()).kind(), Transport);
        assert_eq!(Error::Timeout(Duration::from_secs(1)).kind(), Timeout);
        assert_eq!(Error::Decode("x".into()).kind(), Decode);
        assert_eq!(Error::Config("x".into()).kind(), Config);
    }

    #[test]
    fn code_1003_alone_decides_nothing_the_message_does() {
        // 1003 is the code of a duplicate name, of the store limit and of the secret limit.
        use ErrorKind::*;
        for status in [400, 409] {
            let cases = [
                (
                    api(status, 1003, "maximum_stores_exceeded"),
                    MaxStoresExceeded,
                ),
                (
                    api(
                        status,
                        1003,
                        "maximum_secrets_exceeded: the account may hold 100",
                    ),
                    Refused,
                ),
                (api(status, 1003, ""), Refused),
                (api(status, 1003, "something_new"), Refused),
                // The name decides whatever the code.
                (
                    api(status, 1001, "secret_name_already_exists: X"),
                    NameConflict,
                ),
            ];
            for (error, kind) in cases {
                assert_eq!(error.kind(), kind, "{error}");
            }
        }
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
        assert_eq!(before.kind(), ErrorKind::Cancelled);
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
        assert_eq!(after.kind(), ErrorKind::Cancelled);
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
