//! `StoreDirectory`: the account's stores, listed once per provider process for every lookup
//! (adoption at plan and apply time, the default store), and the default store created at most
//! once per process when a secret needs it.

use std::sync::Arc;

use cloudflare_api::{Client, Error, ErrorKind, Store};

use super::lookup::{Lookup, ReadFailure, get_request};
use super::once_per_key::OncePerKey;

/// The name Cloudflare gives an account's default store, and the one this provider creates.
pub const DEFAULT_STORE_NAME: &str = "default_secrets_store";

/// An account's stores.
type Stores = Arc<Vec<Store>>;

/// Why the default store could not be found or created. `Display` is a sentence for a
/// diagnostic detail.
#[derive(Clone, Debug, thiserror::Error)]
pub enum DefaultStoreError {
    #[error("Listing the stores of account {account_id} ({}) failed: {}.", .failure.request, .failure.error)]
    ListFailed {
        account_id: String,
        failure: ReadFailure,
    },
    #[error(
        "Account {account_id} has no store named {DEFAULT_STORE_NAME} and cannot get one: it \
         already holds store {other_name:?} (id {other_id}), and Cloudflare allows one store per \
         account. Set store_id = \"{other_id}\" on the secret (or reference a \
         cloudflare_secrets_store resource's id)."
    )]
    AnotherStoreExists {
        account_id: String,
        other_name: String,
        other_id: String,
    },
    #[error("Creating store {DEFAULT_STORE_NAME} in account {account_id} failed: {error}.")]
    CreateFailed { account_id: String, error: Error },
    #[error(
        "Creating store {DEFAULT_STORE_NAME} in account {account_id} was cancelled because \
         Terraform asked the provider to stop. {}",
        if *.may_have_applied {
            "The create request had been sent and may have taken effect; the next run finds \
             the store if it exists."
        } else {
            "The store was not created."
        }
    )]
    Cancelled {
        account_id: String,
        may_have_applied: bool,
    },
}

/// The per-process cache of every account's stores and default store.
#[derive(Default)]
pub struct StoreDirectory {
    /// Account id → its stores, listed once; forgotten after every store this process creates
    /// or deletes. A failed listing is kept as failed, so every lookup waiting on it reports it.
    listed: OncePerKey<String, Result<Stores, ReadFailure>>,
    /// Account id → the default store id, created at most once per process.
    default_ids: OncePerKey<String, String>,
}

impl StoreDirectory {
    /// The account's stores: one listing per process, shared by every lookup until this
    /// process creates or deletes a store ([`StoreDirectory::forget`]). In one apply, the plan
    /// Terraform makes again right before a create looks up the store to adopt, and the create
    /// itself looks again: one request answers both.
    pub async fn stores(&self, client: &Client, account_id: &str) -> Result<Stores, ReadFailure> {
        let cell = self.listed.cell(account_id.to_string());
        let failure = |e| ReadFailure::new(get_request(account_id, "stores"), e);
        let listed = cell
            .get_or_try_init(|| async {
                match client.list_stores(account_id).await {
                    Ok(stores) => Ok(Ok(Arc::new(stores))),
                    // A stop is not an answer: the next caller may ask again.
                    Err(e) if e.kind() == ErrorKind::Cancelled => Err(e),
                    Err(e) => Ok(Err(failure(e))),
                }
            })
            .await;
        match listed {
            Ok(result) => result.clone(),
            Err(e) => Err(failure(e)),
        }
    }

    /// The account's store named `name`.
    pub async fn find(&self, client: &Client, account_id: &str, name: &str) -> Lookup<Store> {
        match self.stores(client, account_id).await {
            Ok(stores) => match stores.iter().find(|s| s.name == name) {
                Some(store) => Lookup::Found(store.clone()),
                None => Lookup::Absent,
            },
            Err(failure) => Lookup::Failed(failure),
        }
    }

    /// The store as the API shows it now (its own GET, past the cache).
    pub async fn get(&self, client: &Client, account_id: &str, store_id: &str) -> Lookup<Store> {
        let request = || get_request(account_id, &format!("stores/{store_id}"));
        Lookup::from_response(request, client.get_store(account_id, store_id).await)
    }

    /// The id of the account's default store when this process already knows it (it made or
    /// found it, or holds the account's store listing); `None` otherwise. Never sends a request.
    pub fn cached_default_id(&self, account_id: &str) -> Option<String> {
        let account = account_id.to_string();
        if let Some(id) = self.default_ids.peek(&account) {
            return Some(id);
        }
        let stores = self.listed.peek(&account)?.ok()?;
        let default = stores.iter().find(|s| s.name == DEFAULT_STORE_NAME)?;
        Some(default.id.clone())
    }

    /// Forgets the listing of the account's stores (after creating or deleting a store).
    pub fn forget(&self, account_id: &str) {
        self.listed.forget(&account_id.to_string());
    }

    /// The id of the account's default store, creating it when absent. Concurrent callers of
    /// one process share one lookup (and at most one create); a create that races another
    /// process, or hits the one-store limit, lists again and uses the store of the default name.
    pub async fn ensure_default(
        &self,
        client: &Client,
        account_id: &str,
    ) -> Result<String, DefaultStoreError> {
        let cell = self.default_ids.cell(account_id.to_string());
        cell.get_or_try_init(|| self.find_or_create_default(client, account_id))
            .await
            .cloned()
    }

    async fn find_or_create_default(
        &self,
        client: &Client,
        account_id: &str,
    ) -> Result<String, DefaultStoreError> {
        let list_failed = |failure| DefaultStoreError::ListFailed {
            account_id: account_id.to_string(),
            failure,
        };
        let stores = self.stores(client, account_id).await.map_err(list_failed)?;
        if let Some(store) = stores.iter().find(|s| s.name == DEFAULT_STORE_NAME) {
            return Ok(store.id.clone());
        }
        tracing::info!(account_id, "creating the default Secrets Store");
        let created = client.create_store(account_id, DEFAULT_STORE_NAME).await;
        self.forget(account_id);
        let create_error = match created {
            Ok(store) => return Ok(store.id),
            Err(Error::Cancelled { may_have_applied }) => {
                return Err(DefaultStoreError::Cancelled {
                    account_id: account_id.to_string(),
                    may_have_applied,
                });
            }
            Err(e) => e,
        };
        // Another process may have created it meanwhile, or the account already holds its one
        // store under another name: look again, past the cache, before giving up.
        let stores = client
            .list_stores(account_id)
            .await
            .map_err(|e| list_failed(ReadFailure::new(get_request(account_id, "stores"), e)))?;
        if let Some(store) = stores.iter().find(|s| s.name == DEFAULT_STORE_NAME) {
            return Ok(store.id.clone());
        }
        match stores.first() {
            Some(other) if create_error.kind() == ErrorKind::MaxStoresExceeded => {
                Err(DefaultStoreError::AnotherStoreExists {
                    account_id: account_id.to_string(),
                    other_name: other.name.clone(),
                    other_id: other.id.clone(),
                })
            }
            _ => Err(DefaultStoreError::CreateFailed {
                account_id: account_id.to_string(),
                error: create_error,
            }),
        }
    }
}
