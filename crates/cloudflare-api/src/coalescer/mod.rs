//! The top layer: per store, concurrent secret creates become one bulk POST, deletes one bulk
//! DELETE, and status polls one listing, whatever gathered while the rate limiter or the
//! request before held the line. Results go back to each caller. One type per lane (`Creates`,
//! `Deletes`, `Polls`) says what its round sends; the dispatcher loop here is shared. When
//! status polls of a waiting secret come is learned from earlier polls (`pace`), and a wave of
//! secrets that turn active apart is answered together (`in_step`).
//!
//! Hand-written: no crate joins calls of independent callers into a request of a remote API
//! while keeping each caller's own outcome, its own stop token, and the client's one rate
//! limiter as the clock that decides when a round goes out.
//!
//! What a bulk answer means, where the API documentation is silent (docs/api-economy.md): a
//! failed multi-item create may have been refused whole (all-or-nothing) or per item (the
//! created ones are in `result`). Either way, every secret missing from the answer is then
//! created on its own, so each caller gets its own outcome (e.g. "name already exists"). A bulk
//! delete that names an id the store no longer holds is checked against a listing and sent
//! again without it.

mod creates;
mod deletes;
mod in_step;
mod lanes;
mod pace;
mod polls;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::endpoints::{NewSecret, Secret, require};
use crate::transport::{Error, Permit, Transport};
use creates::Creates;
use deletes::Deletes;
use lanes::{Entry, Lanes};
use pace::ActivationPace;
pub use pace::{FIRST_STATUS_POLL, PollSchedule};
use polls::{FirstPolls, Polls};

/// (account id, store id): calls for one store share a lane.
type StoreKey = (String, String);

/// The most items one bulk write carries. The API documents no limit; 100 is its page size.
const MAX_BATCH: usize = 100;
/// The longest a create or delete of a busy store waits for others to join.
const MAX_WRITE_GATHERING: Duration = Duration::from_millis(300);
/// A store whose lane sent a request this recently is busy (not idle).
const BUSY_WITHIN: Duration = Duration::from_secs(2);

/// The per-store lanes of one client (shared by all its clones).
#[derive(Clone)]
pub(crate) struct Coalescer {
    creates: Arc<Creates>,
    deletes: Arc<Deletes>,
    polls: Arc<Polls>,
    /// Where waits for activation start on the poll schedule, learned across stores.
    pace: Arc<ActivationPace>,
}

impl Default for Coalescer {
    fn default() -> Self {
        // Creates note when their secrets fall due for a first poll (by the pace waits learn);
        // polls wait for them.
        let pace = Arc::new(ActivationPace::default());
        let first_polls = Arc::new(FirstPolls::new(pace.clone()));
        let creates = Creates {
            queues: Lanes::default(),
            first_polls: first_polls.clone(),
        };
        let polls = Polls {
            queues: Lanes::default(),
            first_polls,
            in_step: Default::default(),
        };
        Coalescer {
            creates: Arc::new(creates),
            deletes: Arc::default(),
            polls: Arc::new(polls),
            pace,
        }
    }
}

impl Coalescer {
    /// Creates one secret, joining the secrets of the same store that other calls create at
    /// the same time into one bulk request; stops with `api`'s stop token.
    pub(crate) async fn create(
        &self,
        api: &Transport,
        account_id: &str,
        store_id: &str,
        secret: NewSecret,
    ) -> Result<Secret, Error> {
        let key = store_key(account_id, store_id)?;
        require(&secret.name, "the secret name")?;
        coalesced(&self.creates, api, key, secret).await
    }

    /// Deletes one secret, joining concurrent deletes of the same store into one bulk request.
    pub(crate) async fn delete(
        &self,
        api: &Transport,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<(), Error> {
        let key = store_key(account_id, store_id)?;
        require(secret_id, "secret_id")?;
        coalesced(&self.deletes, api, key, secret_id.to_string()).await
    }

    /// The poll schedule of one wait for a secret to become active, starting where this
    /// client's earlier polls saw secrets turn active.
    pub(crate) fn activation_schedule(&self) -> PollSchedule {
        self.pace.schedule()
    }

    /// The secret as a listing sent after this call began shows it; concurrent calls for one
    /// store share that listing.
    pub(crate) async fn poll(
        &self,
        api: &Transport,
        account_id: &str,
        store_id: &str,
        secret_id: &str,
    ) -> Result<Option<Secret>, Error> {
        let key = store_key(account_id, store_id)?;
        require(secret_id, "secret_id")?;
        coalesced(&self.polls, api, key, secret_id.to_string()).await
    }
}

fn store_key(account_id: &str, store_id: &str) -> Result<StoreKey, Error> {
    require(account_id, "account_id")?;
    require(store_id, "store_id")?;
    Ok((account_id.to_string(), store_id.to_string()))
}

/// One kind of coalesced call: what its callers queue, what each gets back, when a round's
/// request goes out, and how it is sent.
trait Lane: Send + Sync + 'static {
    type Item: Send + 'static;
    type Output: Send + 'static;
    /// The most calls one request carries.
    const MAX_BATCH: usize = MAX_BATCH;

    /// The lane's per-store queues.
    fn queues(&self) -> &Lanes<Self::Item, Self::Output>;

    /// When the round's request goes out, so that calls falling due about now join it
    /// (`None`: at once); `interval` is the rate limiter's time between two tokens. A write
    /// (create or delete) goes out at once in an idle store; in a busy one (a large apply or
    /// destroy under way) once one rate-limit interval, at most 300 ms, has passed since the
    /// oldest waiting call arrived. Terraform starts those calls as earlier resources finish,
    /// over a few hundred milliseconds, and each extra request would cost every caller an
    /// interval; at a high rate the interval, and so the wait, is negligible.
    fn send_at(&self, key: &StoreKey, interval: Duration) -> Option<Instant> {
        let queues = self.queues();
        let window = write_gathering(queues.busy(key, BUSY_WITHIN), interval);
        if window.is_zero() {
            return None;
        }
        Some(queues.oldest_arrival(key).unwrap_or_else(Instant::now) + window)
    }

    /// Sends `entries` as one request, its first rate-limit token being `permit`, and answers
    /// each caller.
    fn send(
        &self,
        api: &Transport,
        key: &StoreKey,
        entries: Vec<Entry<Self::Item, Self::Output>>,
        permit: Permit,
    ) -> impl Future<Output = ()> + Send;
}

/// Queues `item` in `lane` for `key`, starts the lane's dispatcher if none runs, and waits for
/// the answer (a stop ends the wait at once unless a request already carries it).
async fn coalesced<L: Lane>(
    lane: &Arc<L>,
    api: &Transport,
    key: StoreKey,
    item: L::Item,
) -> Result<L::Output, Error> {
    let cancel = api.cancel_token();
    if cancel.is_cancelled() {
        return Err(lanes::not_sent());
    }
    let waiting = lane.queues().enqueue(&key, item, cancel);
    if waiting.start_dispatcher {
        // On its own task, so a caller that stops waiting does not stop the others' request;
        // each round binds the oldest caller's stop token.
        let unbound = api.with_cancel(CancellationToken::new());
        tokio::spawn(dispatch(lane.clone(), unbound, key.clone()));
    }
    lane.queues().wait(&key, waiting, cancel).await
}

/// One lane's dispatcher: while calls wait, take a rate-limit token (bound to the oldest
/// caller's stop token), let calls that fall due about now join, then take everything waiting
/// and send it as one request.
async fn dispatch<L: Lane>(lane: Arc<L>, api: Transport, key: StoreKey) {
    let queues = lane.queues();
    let guard = queues.abandon_on_drop(&key);
    let limiter = api.limiter();
    while let Some(token) = queues.next_round(&key) {
        let Some(permit) = limiter.acquire_unless_cancelled(&token).await else {
            queues.drop_cancelled(&key);
            continue;
        };
        match lane.send_at(&key, limiter.interval()) {
            Some(until) if until > Instant::now() => {
                tokio::select! {
                    () = token.cancelled() => {}
                    () = tokio::time::sleep_until(until) => {}
                }
            }
            _ => {
                tokio::task::yield_now().await;
                tokio::task::yield_now().await;
            }
        }
        let entries = queues.take(&key, L::MAX_BATCH);
        let bound = api.with_cancel(token);
        lane.send(&bound, &key, entries, permit).await;
    }
    guard.finished();
}

/// How long a create or delete round waits for more calls: see [`Lane::send_at`].
fn write_gathering(busy: bool, interval: Duration) -> Duration {
    if busy {
        interval.min(MAX_WRITE_GATHERING)
    } else {
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_wait_only_in_a_busy_store() {
        let interval = Duration::from_secs_f64(1.0 / 3.5);
        assert_eq!(write_gathering(false, interval), Duration::ZERO);
        assert_eq!(write_gathering(true, interval), interval);
        let fast = Duration::from_millis(1);
        assert_eq!(write_gathering(true, fast), fast);
        let slow = Duration::from_secs(10);
        assert_eq!(write_gathering(true, slow), MAX_WRITE_GATHERING);
    }
}
