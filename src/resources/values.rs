//! Small helpers shared by resources and data sources: reading attributes out of `Value`s,
//! secret-name rules, shared schema attributes, and diagnostics for failed API calls.

use tokio_util::sync::CancellationToken;

use crate::cloudflare::Error;
use crate::provider::{DEFAULT_STORE_NAME, ProviderData};
use crate::tfplugin::{AttributePath, Diagnostic, Severity, Value};

/// The string of a known, non-null string value.
pub fn known_string(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

/// A string attribute value, null for `None`.
pub fn string_or_null(value: Option<&str>) -> Value {
    value.map_or(Value::Null, Value::string)
}

/// The strings of a known set or list; `None` when null, unknown or partly unknown.
pub fn known_strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_strings()
        .map(|items| items.into_iter().map(str::to_string).collect())
}

/// An error diagnostic without attribute path.
pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        summary: summary.into(),
        detail: detail.into(),
        path: None,
    }
}

/// An error diagnostic for a failed API call: names the operation, then the remote error.
/// `Error`'s text never contains secret values or credentials. A cancelled call says what state
/// things are in.
pub fn api_error(operation: &str, err: &Error) -> Diagnostic {
    let hint = if let Error::Cancelled { may_have_applied } = err {
        if *may_have_applied {
            " A request had already been sent and may have taken effect at Cloudflare; the next \
             plan refreshes the state and shows what is left to do."
        } else {
            " No request of it took effect, so it changed nothing at Cloudflare; run the \
             command again to finish."
        }
    } else if err.is_auth_error() {
        " Check that the API token is valid and has the Secrets Store Write permission for this \
         account."
    } else if err.is_rate_limited() {
        " Cloudflare's rate limit (1,200 requests per 5 minutes) was still exceeded \
         after the provider's retries. Wait a few minutes and apply again; if it keeps \
         happening, lower the provider's requests_per_second or raise max_retries."
    } else if err.is_no_route() {
        " The API has no such path: check the provider's base_url (it must end in /client/v4, \
         e.g. https://api.cloudflare.com/client/v4) and the account_id."
    } else if matches!(err, Error::Transport(_) | Error::Timeout(_)) {
        " Check the network connection and the provider's base_url, then apply again."
    } else {
        ""
    };
    error(
        format!("Unable to {operation}"),
        format!("Unable to {operation}: {err}.{hint}"),
    )
}

/// The id of the account's existing `default_secrets_store` (never created here). Failures are
/// diagnostics for `operation`; when the store does not exist, `fix` says what to do instead.
pub async fn existing_default_store_id(
    data: &ProviderData,
    account_id: &str,
    operation: &str,
    fix: &str,
    cancel: &CancellationToken,
) -> Result<String, Diagnostic> {
    let store = data
        .find_default_store(account_id, cancel)
        .await
        .map_err(|e| api_error(operation, &e))?;
    store.map(|s| s.id).ok_or_else(|| {
        error(
            "Default Secrets Store not found",
            format!(
                "Unable to {operation}: account {account_id} has no store named \
                 {DEFAULT_STORE_NAME}. {fix}"
            ),
        )
    })
}

/// Why `name` is not a valid secret name, if it is not: non-empty; only ASCII letters, digits,
/// `_` and `-` (which also rules out whitespace).
pub fn secret_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("The secret name is empty. Give it a name such as API_KEY.".to_string());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        let what = if bad.is_whitespace() {
            "whitespace".to_string()
        } else {
            format!("the character {bad:?}")
        };
        return Some(format!(
            "The secret name {name:?} contains {what}. Secret names may contain only letters, \
             digits, underscores (_) and dashes (-), e.g. MY_API_KEY."
        ));
    }
    None
}

/// A validate-time error at `name` when it is known and not a valid secret name.
pub fn check_secret_name(config: &Value) -> Option<Diagnostic> {
    let name = config.get("name").as_str()?;
    secret_name_problem(name).map(|detail| Diagnostic {
        severity: Severity::Error,
        summary: "Invalid secret name".to_string(),
        detail,
        path: Some(AttributePath::root("name")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_follow_the_rules() {
        assert_eq!(secret_name_problem("API_KEY-2"), None);
        assert!(secret_name_problem("").unwrap().contains("empty"));
        assert!(
            secret_name_problem("MY KEY")
                .unwrap()
                .contains("whitespace")
        );
        assert!(secret_name_problem("key\t").unwrap().contains("whitespace"));
        assert!(secret_name_problem("a.b").unwrap().contains("'.'"));
        assert!(secret_name_problem("ключ").is_some());
    }

    #[test]
    fn api_errors_say_what_to_do_for_auth_rate_limit_routing_and_network() {
        let api = |status| Error::Api {
            status,
            errors: Vec::new(),
        };
        let detail = |err: &Error| api_error("create secret K", err).detail;
        assert!(detail(&api(403)).contains("permission"));
        assert!(detail(&api(429)).contains("requests_per_second"));
        let no_route = Error::Api {
            status: 404,
            errors: vec![crate::cloudflare::ApiMessage {
                code: 7003,
                message: "Could not route to /accounts/x/secrets_store/stores".into(),
            }],
        };
        assert!(detail(&no_route).contains("/client/v4"));
        let network = Error::Transport("connection refused".into());
        assert!(detail(&network).contains("base_url"));
        let stopped = detail(&Error::Cancelled {
            may_have_applied: false,
        });
        assert!(stopped.contains("asked the provider to stop"), "{stopped}");
        assert!(stopped.contains("changed nothing"), "{stopped}");
        let unsure = detail(&Error::Cancelled {
            may_have_applied: true,
        });
        assert!(unsure.contains("may have taken effect"), "{unsure}");
        assert!(!unsure.contains("changed nothing"), "{unsure}");
        let plain = detail(&api(400));
        assert!(plain.starts_with("Unable to create secret K: "), "{plain}");
        assert!(!plain.contains("requests_per_second") && !plain.contains("base_url"));
    }

    #[test]
    fn name_check_points_at_the_attribute_and_skips_unknowns() {
        let bad = Value::object([("name", Value::string("has space"))]);
        let diag = check_secret_name(&bad).expect("an error");
        assert_eq!(diag.path, Some(AttributePath::root("name")));
        assert_eq!(diag.severity, Severity::Error);
        let unknown = Value::object([("name", Value::unknown())]);
        assert!(check_secret_name(&unknown).is_none());
    }
}
