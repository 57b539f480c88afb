//! Diagnostics for failed API calls and for a client that cannot be built, worded for the
//! credentials in use and the access the operation needs. What is the same for every resource
//! (credentials refused, none configured) is explained in full once per provider process; the
//! other resources get one line that points at it.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use super::lookup::ReadFailure;
use cloudflare_api::{Error, ErrorKind};
use tfplugin::Diagnostic;

/// Which credential the client sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    /// `api_token` / `CLOUDFLARE_API_TOKEN`.
    Token,
    /// `api_key` + `email` / `CLOUDFLARE_API_KEY` + `CLOUDFLARE_EMAIL`.
    GlobalKey,
}

/// What an operation needs the credentials to allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Refreshes, lookups, imports and queries.
    Read,
    /// Creates, updates and deletes.
    Write,
}

/// An explanation given once per process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Explained {
    Refused(Access),
    NoClient,
}

/// Builds the diagnostics of one provider process.
#[derive(Debug)]
pub struct ErrorReporter {
    credential: Option<CredentialKind>,
    explained: Mutex<HashSet<Explained>>,
}

impl ErrorReporter {
    /// `credential` is `None` when no client could be built.
    pub fn new(credential: Option<CredentialKind>) -> ErrorReporter {
        ErrorReporter {
            credential,
            explained: Mutex::new(HashSet::new()),
        }
    }

    /// Whether `what` is explained here for the first time in this process.
    fn first_time(&self, what: Explained) -> bool {
        self.explained
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(what)
    }

    /// An error for a failed API call: names the operation (e.g. `create secret K in store S`),
    /// then the remote error and what to do. `Error`'s text never holds a value or a credential.
    pub fn api_error(&self, operation: &str, access: Access, err: &Error) -> Diagnostic {
        let detail = format!("Unable to {operation}: {err}.{}", self.hint(access, err));
        Diagnostic::error(format!("Unable to {operation}"), detail)
    }

    /// An error for a read that a plan, a refresh or a data source needed: names `purpose`
    /// (e.g. `look up store "prod" to adopt`), the request, its error and what to do, and says
    /// that nothing was planned on it.
    pub fn read_failed(&self, purpose: &str, failure: &ReadFailure) -> Diagnostic {
        let mut diag = self.request_failed(purpose, failure);
        diag.detail.push_str(
            " Terraform plans nothing on a failed read, so this resource has no plan until the \
             request succeeds.",
        );
        diag
    }

    /// An error for a failed read during apply or import: names `purpose`, the request, its
    /// error and what to do.
    pub fn request_failed(&self, purpose: &str, failure: &ReadFailure) -> Diagnostic {
        let hint = self.hint(Access::Read, &failure.error);
        Diagnostic::error(
            format!("Unable to {purpose}"),
            format!(
                "Unable to {purpose}: the request {} failed: {}.{hint}",
                failure.request, failure.error
            ),
        )
    }

    /// The error for an operation that needs the API when no client could be built; `why` says
    /// which settings to give. In full the first time, then one line.
    pub fn no_client(&self, why: &str) -> Diagnostic {
        if self.first_time(Explained::NoClient) {
            Diagnostic::error("Cloudflare API client is not configured", why)
        } else {
            Diagnostic::error(
                "Cloudflare API client is not configured",
                "This operation needs the Cloudflare API, and the provider cannot call it: see \
                 the error \"Cloudflare API client is not configured\" reported for another \
                 resource of this run, which says what to set.",
            )
        }
    }

    /// What to do about `err`, as sentences after the error (empty when there is nothing to add).
    fn hint(&self, access: Access, err: &Error) -> String {
        if let Error::Cancelled { may_have_applied } = err {
            return if *may_have_applied {
                " A request had already been sent and may have taken effect at Cloudflare; the \
                 next plan refreshes the state and shows what is left to do."
                    .to_string()
            } else {
                " No request of it took effect, so it changed nothing at Cloudflare; run the \
                 command again to finish."
                    .to_string()
            };
        }
        if err.kind() == ErrorKind::Auth {
            return self.refused(access);
        }
        let hint = if err.kind() == ErrorKind::RateLimited {
            " Cloudflare's rate limit (1,200 requests per 5 minutes per user, shared by every \
             client of that user) was still exceeded after the provider's retries. Wait a few \
             minutes and run the command again; if other runs or tools share the credentials, \
             raise the provider's rate_limit_reserve, lower requests_per_second, or run fewer \
             Terraform commands at once."
        } else if err.kind() == ErrorKind::NoRoute {
            " The API has no such path: check the provider's base_url (it must end in \
             /client/v4, e.g. https://api.cloudflare.com/client/v4) and the account_id."
        } else if matches!(err, Error::Transport(_) | Error::Timeout(_)) {
            " Check the network connection and the provider's base_url, then run the command \
             again."
        } else if err.kind() == ErrorKind::Server {
            " Cloudflare's API kept failing through the provider's retries (max_retries). Run \
             the command again later; https://www.cloudflarestatus.com shows known incidents."
        } else {
            ""
        };
        hint.to_string()
    }

    /// What to do when Cloudflare refuses the credentials: in full once per access kind.
    fn refused(&self, access: Access) -> String {
        let permission = match access {
            Access::Read => {
                "the Secrets Store Read permission (dashboard: Account > Secrets Store > Read; \
                 Write/Edit includes it)"
            }
            Access::Write => {
                "the Secrets Store Write permission (dashboard: Account > Secrets Store > Edit)"
            }
        };
        let what = match self.credential {
            Some(CredentialKind::GlobalKey) => "the global API key and email",
            _ => "the API token",
        };
        if !self.first_time(Explained::Refused(access)) {
            return format!(
                " Cloudflare refused {what}: see the other error of this run that explains it; \
                 the fix is the same for every resource."
            );
        }
        match self.credential {
            Some(CredentialKind::GlobalKey) => format!(
                " Cloudflare refused {what}. Check that api_key (CLOUDFLARE_API_KEY) is the \
                 Global API Key of the user whose email is set in email (CLOUDFLARE_EMAIL), that \
                 this user is a member of the account, and that its role has {permission}. An \
                 API token is the safer choice: set api_token (CLOUDFLARE_API_TOKEN) instead."
            ),
            _ => format!(
                " Cloudflare refused {what}. Check that api_token (CLOUDFLARE_API_TOKEN) is \
                 valid and not expired, that it covers this account, and that it has \
                 {permission}."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudflare_api::ApiMessage;

    fn api(status: u16) -> Error {
        Error::Api {
            status,
            errors: vec![ApiMessage {
                code: 10000,
                message: "Authentication error".into(),
            }],
        }
    }

    #[test]
    fn hints_say_what_to_do_for_rate_limits_routing_network_and_outages() {
        let reporter = ErrorReporter::new(Some(CredentialKind::Token));
        let detail = |err: &Error| {
            reporter
                .api_error("create secret K", Access::Write, err)
                .detail
        };
        assert!(detail(&api(429)).contains("requests_per_second"));
        let no_route = Error::Api {
            status: 404,
            errors: vec![ApiMessage {
                code: 7003,
                message: "Could not route to /accounts/x/secrets_store/stores".into(),
            }],
        };
        assert!(detail(&no_route).contains("/client/v4"));
        assert!(detail(&Error::Transport("connection refused".into())).contains("base_url"));
        assert!(detail(&api(503)).contains("cloudflarestatus"));
        let stopped = detail(&Error::Cancelled {
            may_have_applied: false,
        });
        assert!(stopped.contains("changed nothing"), "{stopped}");
        let unsure = detail(&Error::Cancelled {
            may_have_applied: true,
        });
        assert!(unsure.contains("may have taken effect"), "{unsure}");
        let plain = detail(&api(400));
        assert!(plain.starts_with("Unable to create secret K: "), "{plain}");
        assert!(!plain.contains("requests_per_second") && !plain.contains("base_url"));
    }

    #[test]
    fn a_refused_token_is_explained_once_per_access_then_in_one_line() {
        let reporter = ErrorReporter::new(Some(CredentialKind::Token));
        let read = reporter
            .api_error("read secret A", Access::Read, &api(403))
            .detail;
        assert!(read.contains("Secrets Store Read permission"), "{read}");
        assert!(read.contains("api_token"), "{read}");
        assert!(!read.contains("Write permission"), "{read}");
        let again = reporter
            .api_error("read secret B", Access::Read, &api(403))
            .detail;
        assert!(again.starts_with("Unable to read secret B: "), "{again}");
        assert!(again.contains("see the other error"), "{again}");
        assert!(!again.contains("permission"), "{again}");
        let write = reporter
            .api_error("create secret C", Access::Write, &api(401))
            .detail;
        assert!(write.contains("Secrets Store Write permission"), "{write}");
    }

    #[test]
    fn a_refused_global_key_talks_about_the_key_not_a_token() {
        let reporter = ErrorReporter::new(Some(CredentialKind::GlobalKey));
        let detail = reporter
            .api_error("list secrets", Access::Read, &api(403))
            .detail;
        assert!(
            detail.contains("refused the global API key and email"),
            "{detail}"
        );
        assert!(detail.contains("CLOUDFLARE_EMAIL"), "{detail}");
        assert!(!detail.contains("refused the API token"), "{detail}");
    }

    #[test]
    fn a_missing_client_is_explained_once_then_in_one_line() {
        let reporter = ErrorReporter::new(None);
        let first = reporter.no_client("Set CLOUDFLARE_API_TOKEN.");
        assert_eq!(first.detail, "Set CLOUDFLARE_API_TOKEN.");
        let second = reporter.no_client("Set CLOUDFLARE_API_TOKEN.");
        assert!(
            second.detail.contains("another resource"),
            "{}",
            second.detail
        );
        assert!(!second.detail.contains("Set CLOUDFLARE_API_TOKEN"));
    }

    #[test]
    fn a_failed_read_names_the_request_and_says_nothing_was_planned() {
        let reporter = ErrorReporter::new(Some(CredentialKind::Token));
        let failure = ReadFailure::new(
            "GET /accounts/a/secrets_store/stores".into(),
            Error::Transport("connection refused".into()),
        );
        let diag = reporter.read_failed("look up store \"prod\" to adopt", &failure);
        assert_eq!(diag.summary, "Unable to look up store \"prod\" to adopt");
        assert!(
            diag.detail
                .contains("the request GET /accounts/a/secrets_store/stores failed"),
            "{}",
            diag.detail
        );
        assert!(diag.detail.contains("plans nothing"), "{}", diag.detail);
    }
}
