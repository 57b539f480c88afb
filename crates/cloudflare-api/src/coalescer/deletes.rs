//! The delete lane: concurrent deletes of secrets in one store go out as one bulk DELETE (a
//! lone one as the single-secret DELETE); a secret already gone counts as deleted.

use super::lanes::{Entry, Lanes, Reply};
use super::{Lane, StoreKey};
use crate::endpoints::{bulk, secrets};
use crate::transport::{ErrorKind, Permit, Transport};

/// The delete lane of every store.
#[derive(Default)]
pub(super) struct Deletes {
    queues: Lanes<String, ()>,
}

impl Lane for Deletes {
    type Item = String;
    type Output = ();

    fn queues(&self) -> &Lanes<String, ()> {
        &self.queues
    }

    /// Deletes the ids of `entries`: one by the single-secret DELETE, several by the bulk
    /// DELETE; every caller gets the outcome.
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
        let result = match ids.as_slice() {
            [] => return,
            [only] => match secrets::delete(api, account_id, store_id, only, Some(permit)).await {
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
                other => other,
            },
            _ => bulk::delete_secrets(api, account_id, store_id, ids, Some(permit)).await,
        };
        for reply in replies {
            reply.answer(result.clone());
        }
    }
}
