//! `SecretListings`: one exhaustive listing of a store's secrets per provider process, shared by
//! every refresh and lookup by name of that store, so they cost one request per 100 secrets
//! (Cloudflare allows 100 per account: one request).

use std::sync::Arc;

use cloudflare_api::{Client, ErrorKind, ListSecretsParams, Secret};

use super::lookup::{Lookup, ReadFailure, get_request};
use super::once_per_key::OncePerKey;

/// A store's secrets (all pages), its absence (the listing answered 404: the store is gone, as
/// final as a secret's absence, since a new store never reuses an id), or the failure, so that
/// every resource waiting on it reports it at once instead of each retrying it.
type Listing = Lookup<Arc<Vec<Secret>>>;

/// The per-process cache of store listings, keyed by (account id, store id).
#[derive(Default)]
pub struct SecretListings {
    listed: OncePerKey<(String, String), Listing>,
}

impl SecretListings {
    /// Whether the listing of the store's secrets shows any: a store has no update endpoint, so
    /// while its id answers with secrets it exists exactly as it was created, and its refresh
    /// needs no request of its own. `Found(false)` (empty) and `Absent` (the listing 404s) prove
    /// nothing by themselves: the caller reads the store with its own GET.
    pub async fn shows_secrets(
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
    /// `deleted` status), or its store is gone. A secret missing from the listing is confirmed
    /// with a GET (it may be newer than the listing). A failed listing is a failure, not a
    /// reason to send one GET per secret.
    pub async fn read(
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
        let answer = client.get_secret(account_id, store_id, secret_id).await;
        match Lookup::from_response(request, answer) {
            Lookup::Found(secret) => live(secret),
            other => other,
        }
    }

    /// The secret named exactly `name` in the store. A name the listing does not show as
    /// `active` (missing: it may be newer; `pending`: it may be active by now) is looked up
    /// with the API's search. Absent when the store itself is gone.
    pub async fn find_by_name(
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
        match client.find_secret_by_name(account_id, store_id, name).await {
            Ok(Some(secret)) => Lookup::Found(secret),
            Ok(None) => Lookup::Absent,
            Err(e) => {
                let request = format!("stores/{store_id}/secrets?search={name}");
                Lookup::Failed(ReadFailure::new(get_request(account_id, &request), e))
            }
        }
    }

    /// The names of the store's live secrets, sorted.
    pub async fn names(
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

    /// Whether the listing this process already holds of the store shows a live secret named
    /// `name`; `None` when it holds no answer for the store. Never sends a request.
    pub fn cached_shows_name(&self, account_id: &str, store_id: &str, name: &str) -> Option<bool> {
        let key = (account_id.to_string(), store_id.to_string());
        match self.listed.peek(&key)? {
            Lookup::Found(secrets) => {
                Some(secrets.iter().any(|s| s.name == name && !s.is_deleted()))
            }
            Lookup::Absent => Some(false),
            Lookup::Failed(_) => None,
        }
    }

    /// Forgets the listing of a store (after every write to it).
    pub fn forget(&self, account_id: &str, store_id: &str) {
        self.listed
            .forget(&(account_id.to_string(), store_id.to_string()));
    }

    async fn listing(&self, client: &Client, account_id: &str, store_id: &str) -> Listing {
        let cell = self
            .listed
            .cell((account_id.to_string(), store_id.to_string()));
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
