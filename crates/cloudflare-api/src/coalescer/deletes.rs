//! The delete lane: concurrent deletes of secrets in one store go out as one bulk DELETE (a
//! lone one as the single-secret DELETE); a secret already gone counts as deleted. A store whose
//! bulk DELETE the API refused for the form of its body deletes one by one from then on.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use super::lanes::{Entry, Lanes, Reply};
use super::{Lane, StoreKey};
use crate::endpoints::bulk::{self, BulkDeleted};
use crate::transport::{Permit, Transport};

/// The delete lane of every store.
#[derive(Default)]
pub(super) struct Deletes {
    queues: Lanes<String, ()>,
    one_by_one: OneByOneStores,
}

impl Lane for Deletes {
    type Item = String;
    type Output = ();

    fn queues(&self) -> &Lanes<String, ()> {
        &self.queues
    }

    /// Deletes the ids of `entries`: one by the single-secret DELETE, several by the bulk
    /// DELETE (or one by one where the API refused its body); every caller gets the outcome.
    async fn send(
        &self,
        api: &Transport,
        key: &StoreKey,
        entries: Vec<Entry<String, ()>>,
        permit: Permit,
    ) {
        let (account_id, store_id) = (key.0.as_str(), key.1.as_str());
        let (ids, replies): (Vec<String>, Vec<Reply<()>>) =
            entries.into_iter().map(|e| (e.item, e.reply)).unzip();
        let one_by_one =
            |ids, permit| bulk::delete_one_by_one(api, account_id, store_id, ids, permit);
        let result = if ids.is_empty() {
            return;
        } else if ids.len() == 1 || self.one_by_one.contains(key) {
            one_by_one(ids, Some(permit)).await
        } else {
            match bulk::delete_secrets(api, account_id, store_id, ids, Some(permit)).await {
                Ok(BulkDeleted::All) => Ok(()),
                Ok(BulkDeleted::BodyRefused { status, remaining }) => {
                    if self.one_by_one.note(key) {
                        tracing::warn!(
                            account_id,
                            store_id,
                            status,
                            "the Cloudflare API refused the body of a bulk delete of secrets \
                             ({{\"ids\": [...]}}); this store's secrets are deleted one by one \
                             from now on"
                        );
                    }
                    one_by_one(remaining, None).await
                }
                Err(e) => Err(e),
            }
        };
        for reply in replies {
            reply.answer(result.clone());
        }
    }
}

/// The stores whose bulk DELETE the API refused for the form of its body (it may expect
/// another shape, see `bulk::delete_secrets`): for the rest of the process their deletes use
/// the single-secret DELETE, so the refused request is sent once per store, not once per round.
#[derive(Default)]
struct OneByOneStores(Mutex<HashSet<StoreKey>>);

impl OneByOneStores {
    fn contains(&self, key: &StoreKey) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(key)
    }

    /// Notes `key`'s store; true the first time.
    fn note(&self, key: &StoreKey) -> bool {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_noted_once_and_others_stay_on_bulk_deletes() {
        let stores = OneByOneStores::default();
        let key: StoreKey = ("a".into(), "s".into());
        let other: StoreKey = ("a".into(), "t".into());
        assert!(!stores.contains(&key));
        assert!(stores.note(&key), "first time");
        assert!(!stores.note(&key), "already noted");
        assert!(stores.contains(&key));
        assert!(!stores.contains(&other));
    }
}
