//! `ProviderData`: the context `configure` builds for every resource and data source of one
//! provider process: the API client (or why there is none), the default account, and
//! per-process caches (the default store, the account's stores, one secret listing per store
//! for refreshes and lookups by name).
//!
//! Every API call of an operation goes through a client bound to the request's cancellation
//! token (`client_for` / `client_and_account`, and the `cancel` argument of the methods that
//! call the API), so Terraform's StopProvider ends the client's waits at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;

use super::settings::{ACCOUNT_ID, Setting};
use crate::cloudflare::{Client, Error, ListSecretsParams, Secret, Store};
use crate::tfplugin::{AttributePath, Diagnostic, Diagnostics, Value};

/// The name Cloudflare gives an account's default store, and the one this provider creates.
pub const DEFAULT_STORE_NAME: &str = "default_secrets_store";

/// A store's secrets, or `None` when the API says the store itself is gone.
type Listing = Option<Arc<Vec<Secret>>>;
type Stores = Arc<Vec<Store>>;
/// (account id, store id).
type StoreKey = (String, String);

/// The typed shared context of one provider process.
pub struct ProviderData {
    client: Result<Client, String>,
    account_id: Setting<String>,
    activation_timeout: Duration,
    /// Account id → the default store id, created at most once per process.
    default_stores: Mutex<HashMap<String, Arc<OnceCell<String>>>>,
    /// (account id, store id) → one exhaustive listing shared by the refreshes of this process
    /// (or the store's absence, which is as final: a new store never reuses an id).
    listings: Mutex<HashMap<StoreKey, Arc<OnceCell<Listing>>>>,
    /// Account id → its stores, listed once for the lookups of this process (adoption at plan
    /// and apply time, the default store); forgotten after every store this process creates or
    /// deletes.
    stores: Mutex<HashMap<String, Arc<OnceCell<Stores>>>>,
}

impl ProviderData {
    /// `client` is `Err(why)` when no API call can be made (missing or unknown credentials).
    pub fn new(
        client: Result<Client, String>,
        account_id: Setting<String>,
        activation_timeout: Duration,
    ) -> ProviderData {
        ProviderData {
            client,
            account_id,
            activation_timeout,
            default_stores: Mutex::new(HashMap::new()),
            listings: Mutex::new(HashMap::new()),
            stores: Mutex::new(HashMap::new()),
        }
    }

    /// The API client (not bound to any request's cancellation), or an error diagnostic that
    /// says which settings to provide. Operations use [`ProviderData::client_for`].
    pub fn client(&self) -> Result<&Client, Diagnostic> {
        self.client
            .as_ref()
            .map_err(|why| Diagnostic::error("Cloudflare API client is not configured", why))
    }

    /// The API client for one operation: it stops waiting and sends nothing new once `cancel`
    /// (the request's StopProvider token) fires. Otherwise as [`ProviderData::client`].
    pub fn client_for(&self, cancel: &CancellationToken) -> Result<Client, Diagnostic> {
        self.client().map(|c| c.with_cancel(cancel.clone()))
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

    /// The store named `default_secrets_store` in the account, if any. Never creates one.
    pub async fn find_default_store(
        &self,
        account_id: &str,
        cancel: &CancellationToken,
    ) -> Result<Option<Store>, Error> {
        let client = self.client_or_config_error(cancel)?;
        let stores = self.stores(&client, account_id).await?;
        Ok(stores
            .iter()
            .find(|s| s.name == DEFAULT_STORE_NAME)
            .cloned())
    }

    /// The account's stores: one listing per process, shared by every lookup until this
    /// process creates or deletes a store ([`ProviderData::invalidate_stores`]). In one apply,
    /// the plan Terraform makes again right before a create looks up the store to adopt, and
    /// the create itself looks again: one request answers both. Whoever must see a store made
    /// since (after a failed create) lists with the client directly.
    pub async fn stores(&self, client: &Client, account_id: &str) -> Result<Stores, Error> {
        let cell = {
            let mut map = self.stores.lock().unwrap_or_else(PoisonError::into_inner);
            map.entry(account_id.to_string()).or_default().clone()
        };
        cell.get_or_try_init(|| async { client.list_stores(account_id).await.map(Arc::new) })
            .await
            .cloned()
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
        let listed = |e: Error| format!("Listing the stores of account {account_id} failed: {e}");
        let stores = self.stores(&client, account_id).await.map_err(listed)?;
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
                let stores = client.list_stores(account_id).await.map_err(listed)?;
                if let Some(store) = stores.iter().find(|s| s.name == DEFAULT_STORE_NAME) {
                    return Ok(store.id.clone());
                }
                if create_error.is_max_stores_exceeded()
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

    /// The secret as the API shows it now, or `None` when it no longer exists (or shows the
    /// API's `deleted` status). Within one
    /// process, all refreshes of secrets of one store share a single exhaustive listing (or
    /// its answer that the store is gone); a secret missing from a listing is confirmed with a
    /// GET (it may be newer than the listing).
    /// `cancel` stops the API calls ([`Error::Cancelled`]).
    pub async fn read_secret(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
        cancel: &CancellationToken,
    ) -> Result<Option<Secret>, Error> {
        let client = &self.client_or_config_error(cancel)?;
        match self.listing(client, account_id, store_id).await {
            Ok(Some(listing)) => {
                if let Some(secret) = listing.iter().find(|s| s.id == secret_id) {
                    return Ok((!secret.is_deleted()).then(|| secret.clone()));
                }
            }
            Ok(None) => return Ok(None),
            Err(e) if e.is_cancelled() => return Err(e),
            // Fall back to the single GET below; it reports its own error if any.
            Err(_) => {}
        }
        match client.get_secret(account_id, store_id, secret_id).await {
            Ok(secret) => Ok((!secret.is_deleted()).then_some(secret)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The secret named exactly `name` in the store, from the same shared listing the
    /// refreshes use, so any number of lookups and refreshes in one store cost one listing per
    /// 100 secrets (Cloudflare allows 100 per account: one request). A name the listing does
    /// not show as `active` (missing: it may be newer; `pending`: it may be active by now) and a
    /// failed listing fall back to the API's search, which also reports any error. `cancel`
    /// stops the API calls ([`Error::Cancelled`]).
    pub async fn find_secret_by_name(
        &self,
        account_id: &str,
        store_id: &str,
        name: &str,
        cancel: &CancellationToken,
    ) -> Result<Option<Secret>, Error> {
        let client = &self.client_or_config_error(cancel)?;
        if let Ok(Some(listing)) = self.listing(client, account_id, store_id).await
            && let Some(secret) = listing.iter().find(|s| s.name == name && s.is_active())
        {
            return Ok(Some(secret.clone()));
        }
        client.find_secret_by_name(account_id, store_id, name).await
    }

    /// Whether the shared refresh listing of the store's secrets shows any: a store has no
    /// update endpoint, so while its id answers with secrets, it exists exactly as it was
    /// created, and its refresh needs no request of its own. The secrets' refreshes that follow
    /// use the same listing. An empty or failed listing proves nothing (`false`): the caller
    /// asks for the store itself, and that request reports any error.
    pub async fn listing_shows_secrets(
        &self,
        account_id: &str,
        store_id: &str,
        cancel: &CancellationToken,
    ) -> bool {
        let Ok(client) = self.client_or_config_error(cancel) else {
            return false;
        };
        self.listing(&client, account_id, store_id)
            .await
            .is_ok_and(|listing| listing.is_some_and(|l| l.iter().any(|s| !s.is_deleted())))
    }

    /// Forgets the shared listing of a store (call after every write to it).
    pub fn invalidate_listing(&self, account_id: &str, store_id: &str) {
        let mut map = self.listings.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(&(account_id.to_string(), store_id.to_string()));
    }

    async fn listing(
        &self,
        client: &Client,
        account_id: &str,
        store_id: &str,
    ) -> Result<Listing, Error> {
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
        cell.get_or_try_init(|| async {
            tracing::debug!(
                account_id,
                store_id,
                "listing secrets for the refreshes and lookups of this process"
            );
            match client.list_secrets(account_id, store_id, &params).await {
                Ok(secrets) => Ok(Some(Arc::new(secrets))),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e),
            }
        })
        .await
        .cloned()
    }

    fn client_or_config_error(&self, cancel: &CancellationToken) -> Result<Client, Error> {
        self.client
            .as_ref()
            .map(|c| c.with_cancel(cancel.clone()))
            .map_err(|why| Error::Config(why.clone()))
    }
}
