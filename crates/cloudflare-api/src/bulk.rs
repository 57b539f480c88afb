//! The dispatchers behind coalesced calls: secret creates become one bulk POST, deletes one
//! bulk DELETE, and status polls one listing per store, whatever gathered while the rate
//! limiter or the request before held the line. Results go back to each caller.
//!
//! What a bulk answer means, where the API documentation is silent (README, "API economy"): a failed
//! multi-item create may have been refused whole (all-or-nothing) or per item (the created ones
//! are in `result`). Either way, every secret missing from the answer is then created on its
//! own, so each caller gets its own outcome (e.g. "name already exists"). A bulk delete that
//! names an id the store no longer holds is checked against a listing and sent again without it.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use reqwest::Method;
use serde::de::IgnoredAny;

use super::batch::Batch;
use super::client::Client;
use super::coalesce::{Entry, Lanes, MAX_BATCH, Reply, StoreKey, spawn_dispatcher};
use super::error::{Error, ErrorKind};
use super::models::{DeleteSecretsBody, ListSecretsParams, NewSecret, Secret};
use super::request::{Kind, MAX_PER_PAGE, json};

/// Bulk-delete passes before the remaining ids are deleted one by one.
const BULK_DELETE_PASSES: usize = 3;

/// How long a status poll holding its rate-limit token waits for others to join: waiters of
/// one bulk create fall due within a few milliseconds of each other.
const POLL_GATHERING: Duration = Duration::from_millis(20);
/// The longest a create or delete of a busy store waits for others to join.
const MAX_WRITE_GATHERING: Duration = Duration::from_millis(300);
/// A store whose lane sent a request this recently is busy (not idle).
const BUSY_WITHIN: Duration = Duration::from_secs(2);

/// How long a dispatcher holding its rate-limit token waits for more calls to join.
///
/// - A status poll waits 20 ms: the secrets of one bulk create fall due together. When the
///   secrets of a later create fall due soon (within one rate-limit interval, or within
///   [`FIRST_STATUS_POLL`]), it waits for them too.
/// - A create or delete of an idle store does not wait: a lone call adds no latency. In a busy
///   store (a large apply or destroy under way) it gathers the calls that arrive within one
///   rate-limit interval (at most 300 ms) of the oldest waiting one: Terraform starts them as
///   earlier resources finish, over a few hundred milliseconds, and each extra request would
///   cost every caller an interval. At a high rate the interval, and so the wait, is negligible.
fn gathering(kind: LaneKind, busy: bool, interval: Duration) -> Duration {
    match kind {
        LaneKind::Polls => POLL_GATHERING,
        LaneKind::Creates | LaneKind::Deletes if busy => interval.min(MAX_WRITE_GATHERING),
        LaneKind::Creates | LaneKind::Deletes => Duration::ZERO,
    }
}

/// When a caller waiting for a new secret to become `active` first polls its status (see
/// `resources::activation`): a little after the emulator's default activation delay (300 ms;
/// Cloudflare documents none), so one poll usually finds the secret active.
pub const FIRST_STATUS_POLL: Duration = Duration::from_millis(350);

/// The per-store lanes of one client (shared by all its clones).
#[derive(Default)]
pub(super) struct Coalescer {
    creates: Lanes<NewSecret, Secret>,
    deletes: Lanes<String, ()>,
    polls: Lanes<String, Option<Secret>>,
    /// Per store: when the secrets of its latest create that came back `pending` fall due for
    /// their first status poll.
    first_polls_due: Mutex<HashMap<StoreKey, Instant>>,
}

impl Coalescer {
    /// Notes that `created` secrets of `key`'s store will be polled [`FIRST_STATUS_POLL`] from
    /// now if any of them is not active yet.
    fn note_created(&self, key: &StoreKey, created: &[Secret]) {
        if created.iter().all(Secret::is_active) {
            return;
        }
        let due = Instant::now() + FIRST_STATUS_POLL;
        let mut map = self
            .first_polls_due
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let entry = map.entry(key.clone()).or_insert(due);
        *entry = (*entry).max(due);
    }

    /// When the latest created secrets of `key`'s store fall due, if that is still ahead.
    fn next_first_poll(&self, key: &StoreKey) -> Option<Instant> {
        let map = self
            .first_polls_due
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.get(key).copied().filter(|due| *due > Instant::now())
    }
}

/// Which lane a dispatcher serves.
#[derive(Clone, Copy)]
enum LaneKind {
    Creates,
    Deletes,
    Polls,
}

/// Clears its lane if the dispatcher ends without finishing (a panic): no caller waits forever.
struct AbandonOnDrop<'a> {
    client: &'a Client,
    kind: LaneKind,
    key: &'a StoreKey,
    finished: bool,
}

impl Drop for AbandonOnDrop<'_> {
    fn drop(&mut self) {
        if !self.finished {
            let coalescer = &self.client.inner.coalescer;
            match self.kind {
                LaneKind::Creates => coalescer.creates.abandon(self.key),
                LaneKind::Deletes => coalescer.deletes.abandon(self.key),
                LaneKind::Polls => coalescer.polls.abandon(self.key),
            }
        }
    }
}

impl Client {
    /// This client without its stop token: a dispatcher binds each round to a caller's token.
    fn unbound(&self) -> Client {
        Client {
            inner: self.inner.clone(),
            cancel: Default::default(),
        }
    }

    /// Queues `item` in `lanes` for `key`, starts the lane's dispatcher if none runs, and waits
    /// for the answer (a stop ends the wait at once unless a request already carries it).
    async fn coalesced<I, O, D, F>(
        &self,
        lanes: &Lanes<I, O>,
        key: StoreKey,
        item: I,
        dispatcher: D,
    ) -> Result<O, Error>
    where
        D: FnOnce(Client, StoreKey) -> F,
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let cancel = &self.cancel.token;
        if cancel.is_cancelled() {
            return Err(Error::Cancelled {
                may_have_applied: false,
            });
        }
        let waiting = lanes.enqueue(&key, item, cancel);
        if waiting.start_dispatcher {
            spawn_dispatcher(dispatcher(self.unbound(), key.clone()));
        }
        lanes.wait(&key, waiting, cancel).await
    }

    /// Creates one secret, joining the secrets of the same store that other calls create at
    /// the same time into one bulk request.
    pub(super) async fn create_coalesced(
        &self,
        account_id: &str,
        store_id: &str,
        secret: NewSecret,
    ) -> Result<Secret, Error> {
        let key = (account_id.to_string(), store_id.to_string());
        let lanes = &self.inner.coalescer.creates;
        self.coalesced(lanes, key, secret, |client, key| async move {
            client.dispatch(LaneKind::Creates, key).await
        })
        .await
    }

    /// Deletes one secret, joining concurrent deletes of the same store into one bulk request.
    pub(super) async fn delete_coalesced(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<(), Error> {
        let key = (account_id.to_string(), store_id.to_string());
        let lanes = &self.inner.coalescer.deletes;
        self.coalesced(
            lanes,
            key,
            secret_id.to_string(),
            |client, key| async move { client.dispatch(LaneKind::Deletes, key).await },
        )
        .await
    }

    /// The secret as a listing sent after this call began shows it; concurrent calls for one
    /// store share that listing.
    pub(super) async fn poll_coalesced(
        &self,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Option<Secret>, Error> {
        let key = (account_id.to_string(), store_id.to_string());
        let lanes = &self.inner.coalescer.polls;
        self.coalesced(
            lanes,
            key,
            secret_id.to_string(),
            |client, key| async move { client.dispatch(LaneKind::Polls, key).await },
        )
        .await
    }

    /// One lane's dispatcher: while calls wait, take a rate-limit token (bound to the oldest
    /// caller's stop token), then everything waiting, and send it as one request.
    async fn dispatch(self, kind: LaneKind, key: StoreKey) {
        let mut guard = AbandonOnDrop {
            client: &self,
            kind,
            key: &key,
            finished: false,
        };
        let coalescer = &self.inner.coalescer;
        loop {
            let round = match kind {
                LaneKind::Creates => coalescer.creates.next_round(&key),
                LaneKind::Deletes => coalescer.deletes.next_round(&key),
                LaneKind::Polls => coalescer.polls.next_round(&key),
            };
            let Some(token) = round else {
                break;
            };
            if !self.inner.limiter.acquire_unless_cancelled(&token).await {
                match kind {
                    LaneKind::Creates => coalescer.creates.drop_cancelled(&key),
                    LaneKind::Deletes => coalescer.deletes.drop_cancelled(&key),
                    LaneKind::Polls => coalescer.polls.drop_cancelled(&key),
                }
                continue;
            }
            // Let calls that fall due about now join: see `gathering`.
            let interval = self.inner.limiter.interval();
            let busy = match kind {
                LaneKind::Creates => coalescer.creates.busy(&key, BUSY_WITHIN),
                LaneKind::Deletes => coalescer.deletes.busy(&key, BUSY_WITHIN),
                LaneKind::Polls => true,
            };
            let mut window = gathering(kind, busy, interval);
            if let LaneKind::Polls = kind
                && let Some(due) = coalescer.next_first_poll(&key)
                && due <= Instant::now() + interval.max(FIRST_STATUS_POLL)
            {
                // Secrets of a later bulk create fall due soon: poll once for both (saves a
                // request, and puts Terraform's parallel resources in step, so their next
                // creates gather into one bulk request too).
                window = window.max(due + POLL_GATHERING - Instant::now());
            }
            // A write's window counts from the arrival of the oldest call waiting.
            let since = match kind {
                LaneKind::Creates => coalescer.creates.oldest_arrival(&key),
                LaneKind::Deletes => coalescer.deletes.oldest_arrival(&key),
                LaneKind::Polls => None,
            };
            let until = since.unwrap_or_else(Instant::now) + window;
            if window.is_zero() || until <= Instant::now() {
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
            } else {
                tokio::select! {
                    () = token.cancelled() => {}
                    () = tokio::time::sleep_until(until) => {}
                }
            }
            let client = self.with_cancel(token);
            match kind {
                LaneKind::Creates => {
                    let entries = coalescer.creates.take(&key, MAX_BATCH);
                    client.send_creates(&key, entries).await;
                }
                LaneKind::Deletes => {
                    let entries = coalescer.deletes.take(&key, MAX_BATCH);
                    client.send_deletes(&key, entries).await;
                }
                LaneKind::Polls => {
                    let entries = coalescer.polls.take(&key, usize::MAX);
                    client.send_poll(&key, entries).await;
                }
            }
        }
        guard.finished = true;
    }

    /// One bulk POST for `entries` (the rate-limit token is taken), then each caller's answer.
    async fn send_creates(&self, key: &StoreKey, entries: Vec<Entry<NewSecret, Secret>>) {
        if entries.is_empty() {
            return;
        }
        let (account_id, store_id) = (key.0.as_str(), key.1.as_str());
        let count = entries.len();
        let (items, replies): (Vec<NewSecret>, Vec<Reply<Secret>>) =
            entries.into_iter().map(|e| (e.item, e.reply)).unzip();
        let names: Vec<String> = items.iter().map(|s| s.name.clone()).collect();
        let batch = Mutex::new(Batch {
            remaining: items,
            found: Vec::new(),
        });
        let outcome = match self.call(
            Kind::Create,
            Method::POST,
            account_id,
            &["stores", store_id, "secrets"],
        ) {
            Ok(mut call) => {
                call.prepaid_permit = true;
                let body = || batch.lock().unwrap_or_else(PoisonError::into_inner).body();
                let lookup = &self.for_lookup();
                self.run::<Vec<Secret>>(&call, &body, &mut || {
                    Box::pin(lookup.reconcile_batch(account_id, store_id, &batch))
                })
                .await
                .map(|envelope| envelope.result.unwrap_or_default())
            }
            Err(e) => Err(e),
        };
        let Batch {
            mut remaining,
            found,
        } = batch.into_inner().unwrap_or_else(PoisonError::into_inner);
        let (mut done, failure) = match outcome {
            Ok(created) => (created, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        done.extend(found);
        self.inner.coalescer.note_created(key, &done);
        if count > 1 {
            tracing::debug!(
                store_id,
                secrets = count,
                created = done.len(),
                "bulk create of secrets"
            );
        }
        let mut alone = Vec::new();
        for (name, reply) in names.into_iter().zip(replies) {
            if let Some(index) = done.iter().position(|s| s.name == name) {
                reply.answer(Ok(done.swap_remove(index).normalized()));
                continue;
            }
            match &failure {
                Some(e) if count == 1 || !is_item_error(e) => reply.answer(Err(e.clone())),
                // The answer left this secret out (refused with the rest, or on its own):
                // create it alone, so its caller gets its own outcome.
                _ => match remaining.iter().position(|s| s.name == name) {
                    Some(index) => alone.push((remaining.swap_remove(index), reply)),
                    None => reply.answer(Err(Error::Decode(format!(
                        "the response did not contain the created secret {name:?}"
                    )))),
                },
            }
        }
        for (secret, reply) in alone {
            let client = self.with_cancel(reply.cancel.clone());
            let name = secret.name.clone();
            let result = client
                .create_secrets(account_id, store_id, vec![secret])
                .await
                .and_then(|created| {
                    created.into_iter().find(|s| s.name == name).ok_or_else(|| {
                        Error::Decode(format!(
                            "the response did not contain the created secret {name:?}"
                        ))
                    })
                });
            reply.answer(result);
        }
    }

    /// Deletes `entries` (the rate-limit token is taken): one id by the single-secret DELETE,
    /// several by the bulk DELETE.
    async fn send_deletes(&self, key: &StoreKey, entries: Vec<Entry<String, ()>>) {
        let (account_id, store_id) = (key.0.as_str(), key.1.as_str());
        let (ids, replies): (Vec<String>, Vec<Reply<()>>) =
            entries.into_iter().map(|e| (e.item, e.reply)).unzip();
        let result = match ids.as_slice() {
            [] => return,
            [only] => match self.delete_one(account_id, store_id, only, true).await {
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
                other => other,
            },
            _ => self.delete_many(account_id, store_id, ids, true).await,
        };
        for reply in replies {
            reply.answer(result.clone());
        }
    }

    /// Bulk delete; an id the store no longer holds counts as deleted. After a "not found"
    /// (an id already gone, or a lost answer to an applied attempt) the store is listed and
    /// the ids it still holds are sent again; after a few passes they go one by one.
    pub(super) async fn delete_many(
        &self,
        account_id: &str,
        store_id: &str,
        mut ids: Vec<String>,
        prepaid_permit: bool,
    ) -> Result<(), Error> {
        let mut prepaid = prepaid_permit;
        for _ in 0..BULK_DELETE_PASSES {
            if ids.is_empty() {
                return Ok(());
            }
            // Update, not Delete: a "not found" after a retry does not prove every id is gone.
            let mut call = self.call(
                Kind::Update,
                Method::DELETE,
                account_id,
                &["stores", store_id, "secrets"],
            )?;
            call.prepaid_permit = std::mem::take(&mut prepaid);
            let body = json(&DeleteSecretsBody { ids: &ids })?;
            match self.simple::<IgnoredAny>(&call, body).await {
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    let listed = match self
                        .list_secrets(account_id, store_id, &ListSecretsParams::default())
                        .await
                    {
                        Ok(listed) => listed,
                        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
                        Err(e) => return Err(e),
                    };
                    let live: HashSet<&str> = listed
                        .iter()
                        .filter(|s| !s.is_deleted())
                        .map(|s| s.id.as_str())
                        .collect();
                    ids.retain(|id| live.contains(id.as_str()));
                }
                Err(e) => return Err(e),
            }
        }
        for id in ids {
            match self.delete_one(account_id, store_id, &id, false).await {
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                other => other?,
            }
        }
        Ok(())
    }

    /// One listing of the store, newest change first, paged until every polled secret was
    /// seen (the rate-limit token of the first page is taken); each caller gets its secret.
    async fn send_poll(&self, key: &StoreKey, entries: Vec<Entry<String, Option<Secret>>>) {
        if entries.is_empty() {
            return;
        }
        let (account_id, store_id) = (key.0.as_str(), key.1.as_str());
        let wanted: HashSet<String> = entries.iter().map(|e| e.item.clone()).collect();
        let listed = match self.call(
            Kind::Read,
            Method::GET,
            account_id,
            &["stores", store_id, "secrets"],
        ) {
            Ok(mut call) => {
                call.prepaid_permit = true;
                call.query.push(("order", "modified".into()));
                call.query.push(("direction", "desc".into()));
                self.paginate_until(
                    call,
                    MAX_PER_PAGE,
                    |s: &Secret| s.id.as_str(),
                    |items| {
                        let seen = items.iter().filter(|s| wanted.contains(&s.id)).count();
                        seen >= wanted.len()
                    },
                )
                .await
            }
            Err(e) => Err(e),
        };
        if let Ok(secrets) = &listed {
            let active = secrets
                .iter()
                .filter(|s| wanted.contains(&s.id) && s.is_active())
                .count();
            tracing::debug!(
                store_id,
                polled = wanted.len(),
                active,
                "one listing answered the status polls of a store"
            );
        }
        for entry in entries {
            let answer = match &listed {
                Ok(secrets) => Ok(secrets
                    .iter()
                    .find(|s| s.id == entry.item)
                    .cloned()
                    .map(Secret::normalized)),
                Err(e) => Err(e.clone()),
            };
            entry.reply.answer(answer);
        }
    }
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

    #[test]
    fn polls_gather_briefly_whatever_the_rate() {
        for interval in [Duration::from_millis(1), Duration::from_secs(10)] {
            assert_eq!(gathering(LaneKind::Polls, true, interval), POLL_GATHERING);
        }
    }

    #[test]
    fn writes_wait_only_in_a_busy_store() {
        let interval = Duration::from_secs_f64(1.0 / 3.5);
        for kind in [LaneKind::Creates, LaneKind::Deletes] {
            assert_eq!(gathering(kind, false, interval), Duration::ZERO);
            assert_eq!(gathering(kind, true, interval), interval);
            let fast = Duration::from_millis(1);
            assert_eq!(gathering(kind, true, fast), fast);
            let slow = Duration::from_secs(10);
            assert_eq!(gathering(kind, true, slow), MAX_WRITE_GATHERING);
        }
    }

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
