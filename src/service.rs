//! `Service`: what `configure` gives every resource and data source of one provider process —
//! the API client (or why there is none), the default account, how errors are reported, the
//! notes of the walk, the per-process caches of stores and secret listings, and the secrets
//! quota that plans of new secrets are checked against.
//!
//! Every read a plan, a refresh or a data source depends on returns a [`Lookup`]: found, absent
//! (a real 404) or failed (naming the request). Every API call of an operation goes through a
//! client bound to the request's cancellation token ([`Service::client_for`]), so Terraform's
//! StopProvider ends the client's waits at once.

pub mod errors;
pub mod listings;
pub mod lookup;
mod once_per_key;
pub mod quota;
pub mod stores;
pub mod walk;

use std::time::Duration;

use cloudflare_api::{Client, Error};
use tfplugin::{AttributePath, Diagnostic, Diagnostics};
use tokio_util::sync::CancellationToken;

pub use errors::{Access, CredentialKind, ErrorReporter};
pub use listings::SecretListings;
pub use lookup::{Lookup, ReadFailure};
pub use quota::{QuotaStanding, SecretQuota};
pub use stores::{DEFAULT_STORE_NAME, DefaultStoreError, StoreDirectory};
pub use walk::WalkNotes;

/// Why no API call can be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// A setting the client needs depends on a value not known until apply; the sentence says
    /// which. A plan-time lookup is then left for apply.
    Unknown(String),
    /// Credentials are missing or a setting is unusable; the sentence says what to set.
    Misconfigured(String),
}

impl Unavailable {
    /// The sentence for a diagnostic detail.
    pub fn why(&self) -> &str {
        match self {
            Unavailable::Unknown(why) | Unavailable::Misconfigured(why) => why,
        }
    }
}

/// The provider's default account: from its `account_id` (or `CLOUDFLARE_ACCOUNT_ID`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DefaultAccount {
    Known(String),
    /// It depends on a value not known until apply.
    Unknown,
    Unset,
}

/// The shared context of one provider process.
pub struct Service {
    client: Result<Client, Unavailable>,
    account: DefaultAccount,
    activation_timeout: Duration,
    errors: ErrorReporter,
    walk: WalkNotes,
    stores: StoreDirectory,
    listings: SecretListings,
    quota: SecretQuota,
}

impl Service {
    /// `client` is `Err` when no API call can be made (missing or unknown credentials).
    pub fn new(
        client: Result<Client, Unavailable>,
        account: DefaultAccount,
        activation_timeout: Duration,
        errors: ErrorReporter,
    ) -> Service {
        Service {
            client,
            account,
            activation_timeout,
            errors,
            walk: WalkNotes::default(),
            stores: StoreDirectory::default(),
            listings: SecretListings::default(),
            quota: SecretQuota::default(),
        }
    }

    /// A warning, once per process, when its requests have waited more than 30 s in all for
    /// the rate limit: a slow run says why instead of looking hung.
    pub fn long_wait_notice(&self) -> Option<Diagnostic> {
        let waited = self.client.as_ref().ok()?.take_long_rate_limit_wait()?;
        Some(Diagnostic::warning(
            "Slowed down by the Cloudflare API rate limit",
            format!(
                "This provider process has waited {} s in all before sending requests, to stay \
                 within the provider's requests_per_second and Cloudflare's rate-limit budget \
                 (1,200 requests per 5 minutes per user, shared by every client of that user; \
                 overrunning it locks the user out of the API for five minutes). Nothing \
                 failed. If other Terraform runs or tools share the credentials, running fewer \
                 at once makes each faster; TF_LOG_PROVIDER=debug shows the remaining budget.",
                waited.as_secs()
            ),
        ))
    }

    /// How failed API calls become diagnostics in this process.
    pub fn errors(&self) -> &ErrorReporter {
        &self.errors
    }

    /// What this process noted while Terraform walks the configuration.
    pub fn walk(&self) -> &WalkNotes {
        &self.walk
    }

    /// The accounts' stores and default stores.
    pub fn stores(&self) -> &StoreDirectory {
        &self.stores
    }

    /// The stores' secret listings.
    pub fn listings(&self) -> &SecretListings {
        &self.listings
    }

    /// The account's secrets quota and the creates planned against it.
    pub fn quota(&self) -> &SecretQuota {
        &self.quota
    }

    /// An error diagnostic for a failed API call (see [`ErrorReporter::api_error`]).
    pub fn api_error(&self, operation: &str, access: Access, err: &Error) -> Diagnostic {
        self.errors.api_error(operation, access, err)
    }

    /// An error diagnostic for a failed read a plan needed (see [`ErrorReporter::read_failed`]).
    pub fn read_failed(&self, purpose: &str, failure: &ReadFailure) -> Diagnostic {
        self.errors.read_failed(purpose, failure)
    }

    /// The API client for one operation: it stops waiting and sends nothing new once `cancel`
    /// (the request's StopProvider token) fires; otherwise an error diagnostic that says which
    /// settings to provide (in full once per process).
    pub fn client_for(&self, cancel: &CancellationToken) -> Result<Client, Diagnostic> {
        match &self.client {
            Ok(client) => Ok(client.with_cancel(cancel.clone())),
            Err(why) => Err(self.errors.no_client(why.why())),
        }
    }

    /// Like [`Service::client_for`], for a plan-time lookup that may wait for apply: `None`
    /// when the credentials are not known yet (the lookup is deferred); an error when they are
    /// known to be missing.
    pub fn client_if_known(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Option<Client>, Diagnostic> {
        match &self.client {
            Err(Unavailable::Unknown(_)) => Ok(None),
            _ => self.client_for(cancel).map(Some),
        }
    }

    /// The API client (bound to `cancel`) for an advisory read a plan can do without: `None`,
    /// and nothing reported, when no API call can be made (a plan that needs no other request
    /// works without credentials).
    pub fn client_if_configured(&self, cancel: &CancellationToken) -> Option<Client> {
        let client = self.client.as_ref().ok()?;
        Some(client.with_cancel(cancel.clone()))
    }

    /// The provider's default account, when known at plan time.
    pub fn default_account(&self) -> Option<&str> {
        match &self.account {
            DefaultAccount::Known(id) if !id.is_empty() => Some(id),
            _ => None,
        }
    }

    /// How long apply waits for a new or changed secret to become `active`.
    pub fn activation_timeout(&self) -> Duration {
        self.activation_timeout
    }

    /// The account to use: the resource's own `account_id` attribute when known, else the
    /// provider's.
    pub fn resolve_account_id(&self, attribute: Option<&str>) -> Result<String, Diagnostic> {
        let error = |summary: &str, detail: &str| {
            Diagnostic::error(summary, detail).at(AttributePath::root("account_id"))
        };
        // An unknown attribute here is one the plan left for the provider to fill in (config
        // values are known by the time an API call is made), so the provider's setting decides.
        if let Some(id) = attribute.filter(|id| !id.is_empty()) {
            return Ok(id.to_string());
        }
        match (&self.account, self.default_account()) {
            (_, Some(id)) => Ok(id.to_string()),
            (DefaultAccount::Unknown, _) => Err(error(
                "Provider account_id is not known yet",
                "The provider's account_id depends on a value that is not known yet, but an API \
                 call needs it now. Set account_id on this resource, or give the provider an \
                 account_id known at plan time.",
            )),
            _ => Err(error(
                "Missing Cloudflare account ID",
                "No account ID is configured. Set account_id on this resource, or set \
                 `account_id` in the provider block, or the environment variable \
                 CLOUDFLARE_ACCOUNT_ID.",
            )),
        }
    }

    /// The client (bound to `cancel`, see [`Service::client_for`]) and the account for one API
    /// operation on a resource whose `account_id` attribute is `account_attribute`; otherwise
    /// every reason it cannot be made.
    pub fn client_and_account(
        &self,
        account_attribute: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<(Client, String), Diagnostics> {
        match (
            self.client_for(cancel),
            self.resolve_account_id(account_attribute),
        ) {
            (Ok(client), Ok(account)) => Ok((client, account)),
            (client, account) => Err(client.err().into_iter().chain(account.err()).collect()),
        }
    }

    /// The id of the account's existing `default_secrets_store` (never created here). A failed
    /// lookup is an error for `purpose` (e.g. `read secret K`); when the store does not exist,
    /// `fix` says what to do instead.
    pub async fn existing_default_store_id(
        &self,
        client: &Client,
        account_id: &str,
        purpose: &str,
        fix: &str,
    ) -> Result<String, Diagnostic> {
        match self
            .stores
            .find(client, account_id, DEFAULT_STORE_NAME)
            .await
        {
            Lookup::Found(store) => Ok(store.id),
            Lookup::Absent => Err(Diagnostic::error(
                "Default Secrets Store not found",
                format!(
                    "Unable to {purpose}: account {account_id} has no store named \
                     {DEFAULT_STORE_NAME}. {fix}"
                ),
            )),
            Lookup::Failed(failure) => Err(self.errors.request_failed(
                &format!("{purpose}: finding the account's {DEFAULT_STORE_NAME}"),
                &failure,
            )),
        }
    }
}
