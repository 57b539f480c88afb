//! Diagnostics for failed API calls, and the lookups whose failures become them.

use tokio_util::sync::CancellationToken;

use crate::cloudflare::Error;
use crate::provider::{DEFAULT_STORE_NAME, ProviderData};
use crate::tfplugin::Diagnostic;

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
    Diagnostic::error(
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
        Diagnostic::error(
            "Default Secrets Store not found",
            format!(
                "Unable to {operation}: account {account_id} has no store named \
                 {DEFAULT_STORE_NAME}. {fix}"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
