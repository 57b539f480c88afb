//! `ProviderData`: the context `configure` builds for every resource and data source of one
//! provider process: the API client (or why there is none), the default account, the error
//! reporter, the notes of the walk, and per-process caches (the default store, the account's
//! stores, one secret listing per store for refreshes and lookups by name).
//!
//! Every read a plan, a refresh or a data source depends on returns a [`Lookup`]: found, absent
//! (a real 404) or failed (naming the request). A failed listing is kept as failed for the rest
//! of the process, so the resources waiting on it all report it at once instead of each
//! retrying it.
//!
//! Every API call of an operation goes through a client bound to the request's cancellation
//! token (`client_for` / `client_and_account`), so Terraform's StopProvider ends the client's
//! waits at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use super::errors::{Access, ErrorReporter};
use super::lookup::{Lookup, ReadFailure, get_request};
use super::settings::{ACCOUNT_ID, Setting};
use super::walk::WalkNotes;
use cloudflare_api::{Client, Error, ErrorKind, ListSecretsParams, Secret, Store};
use tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

/// The name Cloudflare gives an account's default store, and the one this provider creates.
pub const DEFAULT_STORE_NAME: &str = "default_secrets_store";

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

/// A store's secrets (all pages), or its absence.
type Listing = Lookup<Arc<Vec<Secret>>>;
type Stores = Arc<Vec<Store>>;
/// The account's stores, or the failure of listing them.
type StoresListing = Result<Stores, ReadFailure>;
/// (account id, store id).
type StoreKey = (String, String);

/// The typed shared context of one provider process.
pub struct ProviderData {
    client: Result<Client, Unavailable>,
    account_id: Setting<String>,
    activation_timeout: Duration,
    errors: ErrorReporter,
    walk: WalkNotes,
    /// Account id → the default store id, created at most once per process.
    default_stores: Mutex<HashMap<String, Arc<OnceCell<String>>>>,
    /// (account id, store id) → one exhaustive listing shared by the refreshes and lookups of
    /// this process (or the store's absence, which is as final: a new store never reuses an
    /// id, or the failure, so every resource waiting on it reports it at once).
    listings: Mutex<HashMap<StoreKey, Arc<OnceCell<Listing>>>>,
    /// Account id → its stores, listed once for the lookups of this process (adoption at plan
    /// and apply time, the default store); forgotten after every store this process creates or
    /// deletes. A failed listing is kept as failed, like a secret listing.
    stores: Mutex<HashMap<String, Arc<OnceCell<StoresListing>>>>,
}

impl ProviderData {
    /// `client` is `Err` when no API call can be made (missing or unknown credentials).
    pub fn new(
        client: Result<Client, Unavailable>,
        account_id: Setting<String>,
        activation_timeout: Duration,
        errors: ErrorReporter,
    ) -> ProviderData {
        ProviderData {
            client,
            account_id,
            activation_timeout,
            errors,
            walk: WalkNotes::default(),
            default_stores: Mutex::new(HashMap::new()),
            listings: Mutex::new(HashMap::new()),
            stores: Mutex::new(HashMap::new()),
        }
    }

    /// How failed API calls become diagnostics in this process.
    pub fn errors(&self) -> &ErrorReporter {
        &self.errors
    }

    /// What this process noted while Terraform walks the configuration.
    pub fn walk(&self) -> &WalkNotes {
        &self.walk
    }

    /// An error diagnostic for a failed API call (see [`ErrorReporter::api_error`]).
    pub fn api_error(&self, operation: &str, access: Access, err: &Error) -> Diagnostic {
        self.errors.api_error(operation, access, err)
    }

    /// An error diagnostic for a failed read (see [`ErrorReporter::read_failed`]).
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

    /// Like [`ProviderData::client_for`], for a plan-time lookup that may wait for apply:
    /// `None` when the credentials are not known yet (the lookup is deferred); an error when
    /// they are known to be missing.
    pub fn client_if_known(
        &self,
        cancel: &CancellationToken,
    ) -> Result<Option<Client>, Diagnostic> {
        match &self.client {
            Err(Unavailable::Unknown(_)) => Ok(None),
            _ => self.client_for(cancel).map(Some),
        }
    }

    /// The provider's account id setting (config or `CLOUDFLARE_ACCOUNT_ID`).
    pub fn account_id(&self) -> &Setting<String> {
        &self.account_id
    }

    /// How long apply waits for a new or changed secret to become `active`.
    pub fn activation_timeout(&self) -> Duration {
        self.activation_timeout
    }

    /// The account to use: the resource's own `account_id` attribute, else the provider's.
    pub fn resolve_account_id(&self, attribute: &Value) -> Result<String, Diagnostic> {
        let error = |summary: &str, detail: String| {
            Diagnostic::error(summary, detail).at(AttributePath::root("account_id"))
        };
        // An unknown attribute here is one the plan left for the provider to fill in (config
        // values are known by the time an API call is made), so the provider's setting decides.
        if let Value::String(id) = attribute
            && !id.is_empty()
        {
            return Ok(id.clone());
        }
        match &self.account_id {
            Setting::Known(id) if !id.is_empty() => Ok(id.clone()),
            Setting::Unknown => Err(error(
                "Provider account_id is not known yet",
                "The provider's account_id depends on a value that is not known yet, but an API \
                 call needs it now. Set account_id on this resource, or give the provider an \
                 account_id known at plan time."
                    .to_string(),
            )),
            _ => Err(error(
                "Missing Cloudflare account ID",
                format!(
                    "No account ID is configured. Set account_id on this resource, or set \
                     `{}` in the provider block, or the environment variable {}.",
                    ACCOUNT_ID.0, ACCOUNT_ID.1
                ),
            )),
        }
    }

    /// The client (bound to `cancel`, see [`ProviderData::client_for`]) and the account for one
    /// API operation on a resource whose `account_id` attribute is `account_attribute`;
    /// otherwise every reason it cannot be made.
    pub fn client_and_account(
        &self,
        account_attribute: &Value,
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

    /// The account's store named `name`, from the shared listing of its stores.
    pub async fn find_store(&self, client: &Client, account_id: &str, name: &str) -> Lookup<Store> {
        match self.stores(client, account_id).await {
            Ok(stores) => match stores.iter().find(|s| s.name == name) {
                Some(store) => Lookup::Found(store.clone()),
                None => Lookup::Absent,
            },
            Err(failure) => Lookup::Failed(failure),
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
            .find_store(client, account_id, DEFAULT_STORE_NAME)
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

    /// The account's stores: one listing per process, shared by every lookup until this
    /// process creates or deletes a store ([`ProviderData::invalidate_stores`]). In one apply,
    /// the plan Terraform makes again right before a create looks up the store to adopt, and
    /// the create itself looks again: one request answers both. Whoever must see a store made
    /// since (after a failed create) lists with the client directly.
    pub async fn stores(&self, client: &Client, account_id: &str) -> Result<Stores, ReadFailure> {
        let cell = {
            let mut map = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
            map.entry(account_id.to_string()).or_default().clone()
        };
        let listed = cell
            .get_or_try_init(|| async {
                match client.list_stores(account_id).await {
                    Ok(stores) => Ok(Ok(Arc::new(stores))),
                    // A stop is not an answer: the next caller may ask again.
                    Err(e) if e.kind() == ErrorKind::Cancelled => Err(e),
                    Err(e) => Ok(Err(ReadFailure::new(get_request(account_id, "stores"), e))),
                }
            })
            .await;
        match listed {
            Ok(result) => result.clone(),
            Err(e) => Err(ReadFailure::new(get_request(account_id, "stores"), e)),
        }
    }

    /// Forgets the listing of the account's stores (call after creating or deleting a store).
    pub fn invalidate_stores(&self, account_id: &str) {
        let mut map = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(account_id);
    }

    /// The id of the account's default store, creating it when absent. Concurrent callers of
    /// one process share one lookup (and at most one create); a create that races another
    /// process, or hits the one-store limit, re-lists and uses the store of the default name.
    /// The error is a complete sentence for a diagnostic detail. `cancel` stops the API calls
    /// (the error then says so, and whether the store may have been created).
    pub async fn ensure_default_store(
        &self,
        account_id: &str,
        cancel: &CancellationToken,
    ) -> Result<String, String> {
        let cell = {
            let mut map = self
                .default_stores
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            map.entry(account_id.to_string()).or_default().clone()
        };
        cell.get_or_try_init(|| self.lookup_or_create_default_store(account_id, cancel))
            .await
            .cloned()
    }

    async fn lookup_or_create_default_store(
        &self,
        account_id: &str,
        cancel: &CancellationToken,
    ) -> Result<String, String> {
        let client = self.client_for(cancel).map_err(|d| d.detail)?;
        let listed = |e: &Error| {
            format!(
                "Listing the stores of account {account_id} ({}) failed: {e}",
                get_request(account_id, "stores")
            )
        };
        let stores = self
            .stores(&client, account_id)
            .await
            .map_err(|f| listed(&f.error))?;
        if let Some(store) = stores.iter().find(|s| s.name == DEFAULT_STORE_NAME) {
            return Ok(store.id.clone());
        }
        tracing::info!(account_id, "creating the default Secrets Store");
        let created = client.create_store(account_id, DEFAULT_STORE_NAME).await;
        self.invalidate_stores(account_id);
        match created {
            Ok(store) => Ok(store.id),
            Err(Error::Cancelled { may_have_applied }) => {
                let outcome = if may_have_applied {
                    "The create request had been sent and may have taken effect; the next run \
                     finds the store if it exists."
                } else {
                    "The store was not created."
                };
                Err(format!(
                    "Creating store {DEFAULT_STORE_NAME} in account {account_id} was cancelled \
                     because Terraform asked the provider to stop. {outcome}"
                ))
            }
            Err(create_error) => {
                // Another process may have created it meanwhile, or the account already holds
                // its one store under another name: look again before giving up.
                let stores = client
                    .list_stores(account_id)
                    .await
                    .map_err(|e| listed(&e))?;
                if let Some(store) = stores.iter().find(|s| s.name == DEFAULT_STORE_NAME) {
                    return Ok(store.id.clone());
                }
                if create_error.kind() == ErrorKind::MaxStoresExceeded
                    && let Some(other) = stores.first()
                {
                    return Err(format!(
                        "Account {account_id} has no store named {DEFAULT_STORE_NAME} and cannot \
                         get one: it already holds store {:?} (id {}), and Cloudflare allows one \
                         store per account. Set store_id = \"{}\" on the secret (or reference a \
                         cloudflare_secrets_store resource's id).",
                        other.name, other.id, other.id
                    ));
                }
                Err(format!(
                    "Creating store {DEFAULT_STORE_NAME} in account {account_id} failed: \
                     {create_error}"
                ))
            }
        }
    }

    /// The store as the API shows it now (its own GET).
    pub async fn get_store(
        &self,
        client: &Client,
        account_id: &str,
        store_id: &str,
    ) -> Lookup<Store> {
        let request = || get_request(account_id, &format!("stores/{store_id}"));
        Lookup::from_response(request, client.get_store(account_id, store_id).await)
    }

    /// Whether the shared listing of the store's secrets shows any: a store has no update
    /// endpoint, so while its id answers with secrets, it exists exactly as it was created, and
    /// its refresh needs no request of its own. The secrets' refreshes that follow use the same
    /// listing. `Found(false)` (empty) and `Absent` (the listing 404s) prove nothing by
    /// themselves: the caller reads the store with its own GET.
    pub async fn listing_shows_secrets(
        &self,
        client: &Client,
        account_id: &str,
        store_id: &str,
    ) -> Lookup<bool> {
        self.listing(client, account_id, store_id)
            .await
            .map(|secrets| secrets.iter().any(|s| !s.is_deleted()))
    }

    /// The secret as the API shows it now; absent when it no longer exists (or shows the API's
    /// `deleted` status), or its store is gone. Within one process, all refreshes of secrets of
    /// one store share a single exhaustive listing; a secret missing from it is confirmed with
    /// a GET (it may be newer than the listing). A failed listing is a failure, not a reason to
    /// send one GET per secret.
    pub async fn read_secret(
        &self,
        client: &Client,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Lookup<Secret> {
        match self.listing(client, account_id, store_id).await {
            Lookup::Found(listing) => {
                if let Some(secret) = listing.iter().find(|s| s.id == secret_id) {
                    return live(secret.clone());
                }
            }
            Lookup::Absent => return Lookup::Absent,
            Lookup::Failed(failure) => return Lookup::Failed(failure),
        }
        let request = || {
            get_request(
                account_id,
                &format!("stores/{store_id}/secrets/{secret_id}"),
            )
        };
        match Lookup::from_response(
            request,
            client.get_secret(account_id, store_id, secret_id).await,
        ) {
            Lookup::Found(secret) => live(secret),
            other => other,
        }
    }

    /// The secret named exactly `name` in the store, from the same shared listing the
    /// refreshes use, so any number of lookups and refreshes in one store cost one listing per
    /// 100 secrets (Cloudflare allows 100 per account: one request). A name the listing does
    /// not show as `active` (missing: it may be newer; `pending`: it may be active by now) is
    /// looked up with the API's search. Absent when the store itself is gone.
    pub async fn find_secret_by_name(
        &self,
        client: &Client,
        account_id: &str,
        store_id: &str,
        name: &str,
    ) -> Lookup<Secret> {
        match self.listing(client, account_id, store_id).await {
            Lookup::Found(listing) => {
                if let Some(secret) = listing.iter().find(|s| s.name == name && s.is_active()) {
                    return Lookup::Found(secret.clone());
                }
            }
            Lookup::Absent => return Lookup::Absent,
            Lookup::Failed(failure) => return Lookup::Failed(failure),
        }
        let request = || {
            get_request(
                account_id,
                &format!("stores/{store_id}/secrets?search={name}"),
            )
        };
        match client.find_secret_by_name(account_id, store_id, name).await {
            Ok(Some(secret)) => Lookup::Found(secret),
            Ok(None) => Lookup::Absent,
            Err(e) => Lookup::Failed(ReadFailure::new(request(), e)),
        }
    }

    /// The names of the store's live secrets, sorted, from the shared listing.
    pub async fn secret_names(
        &self,
        client: &Client,
        account_id: &str,
        store_id: &str,
    ) -> Lookup<Vec<String>> {
        self.listing(client, account_id, store_id)
            .await
            .map(|secrets| {
                let mut names: Vec<String> = secrets
                    .iter()
                    .filter(|s| !s.is_deleted())
                    .map(|s| s.name.clone())
                    .collect();
                names.sort_unstable();
                names
            })
    }

    /// Forgets the shared listing of a store (call after every write to it).
    pub fn invalidate_listing(&self, account_id: &str, store_id: &str) {
        let mut map = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(&(account_id.to_string(), store_id.to_string()));
    }

    async fn listing(&self, client: &Client, account_id: &str, store_id: &str) -> Listing {
        let cell = {
            let mut map = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
            map.entry((account_id.to_string(), store_id.to_string()))
                .or_default()
                .clone()
        };
        let params = ListSecretsParams {
            per_page: Some(100),
            ..ListSecretsParams::default()
        };
        let request = || get_request(account_id, &format!("stores/{store_id}/secrets"));
        let listed = cell
            .get_or_try_init(|| async {
                tracing::debug!(
                    account_id,
                    store_id,
                    "listing secrets for the refreshes and lookups of this process"
                );
                match client.list_secrets(account_id, store_id, &params).await {
                    // A stop is not an answer: the next caller may ask again.
                    Err(e) if e.kind() == ErrorKind::Cancelled => Err(e),
                    answer => Ok(Lookup::from_response(request, answer).map(Arc::new)),
                }
            })
            .await;
        match listed {
            Ok(listing) => listing.clone(),
            Err(e) => Lookup::Failed(ReadFailure::new(request(), e)),
        }
    }
}

/// A secret the API still shows, unless its status says it was deleted.
fn live(secret: Secret) -> Lookup<Secret> {
    if secret.is_deleted() {
        Lookup::Absent
    } else {
        Lookup::Found(secret)
    }
}
