//! The create lane: concurrent creates of secrets in one store go out as one bulk POST; a
//! secret the answer leaves out is then created on its own, so its caller gets its own outcome.

use super::lanes::{Entry, Lanes, Reply};
use super::polls::FirstPolls;
use super::{Lane, StoreKey};
use crate::endpoints::bulk::{self, BatchOutcome};
use crate::endpoints::{NewSecret, Secret};
use crate::transport::{Error, ErrorKind, Permit, Transport};
use std::sync::Arc;

/// The create lane of every store.
pub(super) struct Creates {
    pub(super) queues: Lanes<NewSecret, Secret>,
    /// Where created secrets that are not active yet are noted, so polls can wait for them.
    pub(super) first_polls: Arc<FirstPolls>,
}

impl Lane for Creates {
    type Item = NewSecret;
    type Output = Secret;

    fn queues(&self) -> &Lanes<NewSecret, Secret> {
        &self.queues
    }

    /// One bulk POST for `entries`, then each caller's answer; a secret the answer left out
    /// (refused with the rest, or on its own) is created alone.
    async fn send(
        &self,
        api: &Transport,
        key: &StoreKey,
        entries: Vec<Entry<NewSecret, Secret>>,
        permit: Permit,
    ) {
        if entries.is_empty() {
            return;
        }
        let (account_id, store_id) = (key.0.as_str(), key.1.as_str());
        let count = entries.len();
        let (items, replies): (Vec<NewSecret>, Vec<Reply<Secret>>) =
            entries.into_iter().map(|e| (e.item, e.reply)).unzip();
        let names: Vec<String> = items.iter().map(|s| s.name.clone()).collect();
        let BatchOutcome {
            mut created,
            mut remaining,
            error,
        } = bulk::create_secrets(api, account_id, store_id, items, Some(permit)).await;
        self.first_polls.note_created(key, &created);
        if count > 1 {
            tracing::debug!(
                store_id,
                secrets = count,
                created = created.len(),
                "bulk create of secrets"
            );
        }
        let mut alone = Vec::new();
        for (name, reply) in names.into_iter().zip(replies) {
            if let Some(index) = created.iter().position(|s| s.name == name) {
                reply.answer(Ok(created.swap_remove(index)));
                continue;
            }
            match &error {
                Some(e) if count == 1 || !is_item_error(e) => reply.answer(Err(e.clone())),
                _ => match remaining.iter().position(|s| s.name == name) {
                    Some(index) => alone.push((remaining.swap_remove(index), reply)),
                    None => reply.answer(Err(missing(&name))),
                },
            }
        }
        for (secret, reply) in alone {
            let api = api.with_cancel(reply.cancel.clone());
            let name = secret.name.clone();
            let outcome =
                bulk::create_secrets(&api, account_id, store_id, vec![secret], None).await;
            let result = match outcome.error {
                Some(e) => Err(e),
                None => outcome
                    .created
                    .into_iter()
                    .find(|s| s.name == name)
                    .ok_or_else(|| missing(&name)),
            };
            reply.answer(result);
        }
    }
}

/// The answer to a create did not hold the secret.
fn missing(name: &str) -> Error {
    Error::Decode(format!(
        "the response did not contain the created secret {name:?}"
    ))
}

/// A refusal that may concern only some secrets of a batch (a name that exists, a bad value,
/// the account's secret limit): every secret not created is then tried on its own. Other
/// failures (credentials, a missing store, rate limits, outages) answer every caller alike.
fn is_item_error(error: &Error) -> bool {
    let refusal = matches!(
        error.kind(),
        ErrorKind::NameConflict
            | ErrorKind::MaxStoresExceeded
            | ErrorKind::StoreNotEmpty
            | ErrorKind::Refused
    );
    refusal
        && error
            .status()
            .is_some_and(|s| (400..500).contains(&s) && s != 404)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn item_errors_are_the_refusals_one_secret_can_cause() {
        let api = |status| Error::Api {
            status,
            errors: Vec::new(),
        };
        for status in [400, 409, 422] {
            assert!(is_item_error(&api(status)), "{status}");
        }
        for status in [401, 403, 404, 429, 500, 503] {
            assert!(!is_item_error(&api(status)), "{status}");
        }
        assert!(!is_item_error(&Error::Timeout(Duration::from_secs(1))));
    }
}
