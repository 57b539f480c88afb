//! Per-store queues that coalesce concurrent calls into one request: callers wait in a lane,
//! one dispatcher task per lane takes everything waiting once it holds a rate-limit token.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;
use tokio::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

use super::StoreKey;
use crate::transport::Error;

/// One waiting call: what it asks for and where its answer goes.
pub(super) struct Entry<I, O> {
    pub(super) item: I,
    pub(super) reply: Reply<O>,
    ticket: u64,
    arrived: Instant,
}

/// Where one caller's answer goes.
pub(super) struct Reply<O> {
    sender: oneshot::Sender<Result<O, Error>>,
    /// The caller's stop token (Terraform's StopProvider).
    pub(super) cancel: CancellationToken,
}

impl<O> Reply<O> {
    /// Hands the result to the caller (who may have stopped waiting: then it is dropped).
    pub(super) fn answer(self, result: Result<O, Error>) {
        let _ = self.sender.send(result);
    }
}

struct Lane<I, O> {
    waiting: VecDeque<Entry<I, O>>,
    /// A dispatcher task serves this lane.
    dispatching: bool,
}

/// The lanes of one kind of call (creates, deletes or status polls), one per store: who waits
/// and whether a dispatcher runs. What a round sends is the lane type's (`super::Lane`).
pub(super) struct Lanes<I, O> {
    lanes: Mutex<HashMap<StoreKey, Lane<I, O>>>,
    tickets: AtomicU64,
    /// When each store's lane last took entries for a request.
    last_taken: Mutex<HashMap<StoreKey, Instant>>,
}

impl<I, O> Default for Lanes<I, O> {
    fn default() -> Self {
        Lanes {
            lanes: Mutex::new(HashMap::new()),
            tickets: AtomicU64::new(0),
            last_taken: Mutex::new(HashMap::new()),
        }
    }
}

/// What a caller holds while it waits.
pub(super) struct Waiting<O> {
    reply: oneshot::Receiver<Result<O, Error>>,
    ticket: u64,
    /// The caller must start the lane's dispatcher.
    pub(super) start_dispatcher: bool,
}

impl<I, O> Lanes<I, O> {
    fn lock(&self) -> MutexGuard<'_, HashMap<StoreKey, Lane<I, O>>> {
        self.lanes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn last_taken(&self) -> MutexGuard<'_, HashMap<StoreKey, Instant>> {
        self.last_taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item` for `key`'s lane.
    pub(super) fn enqueue(
        &self,
        key: &StoreKey,
        item: I,
        cancel: &CancellationToken,
    ) -> Waiting<O> {
        let (reply, receiver) = oneshot::channel();
        let ticket = self.tickets.fetch_add(1, Ordering::Relaxed);
        let mut lanes = self.lock();
        let lane = lanes.entry(key.clone()).or_insert_with(|| Lane {
            waiting: VecDeque::new(),
            dispatching: false,
        });
        lane.waiting.push_back(Entry {
            item,
            reply: Reply {
                sender: reply,
                cancel: cancel.clone(),
            },
            ticket,
            arrived: Instant::now(),
        });
        let start_dispatcher = !std::mem::replace(&mut lane.dispatching, true);
        Waiting {
            reply: receiver,
            ticket,
            start_dispatcher,
        }
    }

    /// Takes an entry that no request carries yet out of the lane; `false` when a dispatcher
    /// already took it (its request is under way).
    fn withdraw(&self, key: &StoreKey, ticket: u64) -> bool {
        let mut lanes = self.lock();
        let Some(lane) = lanes.get_mut(key) else {
            return false;
        };
        match lane.waiting.iter().position(|e| e.ticket == ticket) {
            Some(index) => {
                lane.waiting.remove(index);
                true
            }
            None => false,
        }
    }

    /// The stop token of the oldest waiting entry, or `None` after marking the lane idle when
    /// nothing waits (the dispatcher then ends; the next caller starts a new one).
    pub(super) fn next_round(&self, key: &StoreKey) -> Option<CancellationToken> {
        let mut lanes = self.lock();
        let lane = lanes.get_mut(key)?;
        match lane.waiting.front() {
            Some(entry) => Some(entry.reply.cancel.clone()),
            None => {
                lanes.remove(key);
                None
            }
        }
    }

    /// When the oldest entry still waiting in the lane arrived.
    pub(super) fn oldest_arrival(&self, key: &StoreKey) -> Option<Instant> {
        self.lock()
            .get(key)
            .and_then(|lane| lane.waiting.front())
            .map(|entry| entry.arrived)
    }

    /// Whether the lane took entries for a request within `recently` (the store is busy, e.g.
    /// in the middle of a large apply, rather than idle).
    pub(super) fn busy(&self, key: &StoreKey, recently: Duration) -> bool {
        let last = self.last_taken();
        last.get(key).is_some_and(|at| at.elapsed() <= recently)
    }

    /// Up to `max` waiting entries, oldest first. Entries whose caller was stopped are
    /// answered [`Error::Cancelled`] (nothing was sent for them) instead of being taken.
    pub(super) fn take(&self, key: &StoreKey, max: usize) -> Vec<Entry<I, O>> {
        let mut lanes = self.lock();
        let Some(lane) = lanes.get_mut(key) else {
            return Vec::new();
        };
        let mut taken = Vec::new();
        while taken.len() < max {
            let Some(entry) = lane.waiting.pop_front() else {
                break;
            };
            if entry.reply.cancel.is_cancelled() {
                entry.reply.answer(Err(not_sent()));
            } else {
                taken.push(entry);
            }
        }
        drop(lanes);
        if !taken.is_empty() {
            self.last_taken().insert(key.clone(), Instant::now());
        }
        taken
    }

    /// Answers every entry whose caller was stopped with [`Error::Cancelled`] and drops it.
    pub(super) fn drop_cancelled(&self, key: &StoreKey) {
        let mut lanes = self.lock();
        if let Some(lane) = lanes.get_mut(key) {
            let (stopped, live): (Vec<_>, Vec<_>) = lane
                .waiting
                .drain(..)
                .partition(|e| e.reply.cancel.is_cancelled());
            lane.waiting = live.into();
            for entry in stopped {
                entry.reply.answer(Err(not_sent()));
            }
        }
    }

    /// A guard that forgets `key`'s lane unless [`AbandonOnDrop::finished`] is called: its
    /// waiting callers then get an error (their senders are dropped). For a dispatcher that ends
    /// abnormally (a panic), so no caller waits forever.
    pub(super) fn abandon_on_drop<'a>(&'a self, key: &'a StoreKey) -> AbandonOnDrop<'a, I, O> {
        AbandonOnDrop {
            lanes: self,
            key,
            finished: false,
        }
    }

    /// Waits for the answer. When `cancel` fires first and no request carries the entry yet,
    /// it leaves the lane and the call fails with [`Error::Cancelled`] at once (nothing was
    /// sent for it); an entry already in a request is awaited, like any request in flight.
    pub(super) async fn wait(
        &self,
        key: &StoreKey,
        waiting: Waiting<O>,
        cancel: &CancellationToken,
    ) -> Result<O, Error> {
        let Waiting { reply, ticket, .. } = waiting;
        let mut reply = std::pin::pin!(reply);
        tokio::select! {
            biased;
            answer = &mut reply => return answer.unwrap_or_else(|_| Err(lost())),
            () = cancel.cancelled() => {}
        }
        if self.withdraw(key, ticket) {
            return Err(not_sent());
        }
        reply.await.unwrap_or_else(|_| Err(lost()))
    }
}

/// Clears its lane when dropped before the dispatcher finished (a panic).
pub(super) struct AbandonOnDrop<'a, I, O> {
    lanes: &'a Lanes<I, O>,
    key: &'a StoreKey,
    finished: bool,
}

impl<I, O> AbandonOnDrop<'_, I, O> {
    /// The dispatcher ended normally: the lane stays.
    pub(super) fn finished(mut self) {
        self.finished = true;
    }
}

impl<I, O> Drop for AbandonOnDrop<'_, I, O> {
    fn drop(&mut self) {
        if !self.finished {
            self.lanes.lock().remove(self.key);
        }
    }
}

/// The caller was stopped before any request carried its call.
pub(super) fn not_sent() -> Error {
    Error::Cancelled {
        may_have_applied: false,
    }
}

/// The dispatcher ended without answering (it panicked or the runtime shut down).
fn lost() -> Error {
    Error::Transport("the batched request ended without an answer".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> StoreKey {
        ("a".into(), "s".into())
    }

    #[tokio::test]
    async fn the_first_caller_starts_the_dispatcher_and_later_ones_join() {
        let lanes: Lanes<u32, u32> = Lanes::default();
        let token = CancellationToken::new();
        let first = lanes.enqueue(&key(), 1, &token);
        let second = lanes.enqueue(&key(), 2, &token);
        assert!(first.start_dispatcher);
        assert!(!second.start_dispatcher);
        assert!(lanes.next_round(&key()).is_some());
        let taken = lanes.take(&key(), 10);
        assert_eq!(taken.iter().map(|e| e.item).collect::<Vec<_>>(), [1, 2]);
        for entry in taken {
            let value = entry.item * 10;
            entry.reply.answer(Ok(value));
        }
        assert_eq!(lanes.wait(&key(), first, &token).await.unwrap(), 10);
        assert_eq!(lanes.wait(&key(), second, &token).await.unwrap(), 20);
        assert!(lanes.next_round(&key()).is_none(), "nothing waits: idle");
        assert!(lanes.enqueue(&key(), 3, &token).start_dispatcher);
    }

    #[tokio::test]
    async fn take_respects_the_batch_size() {
        let lanes: Lanes<usize, ()> = Lanes::default();
        let token = CancellationToken::new();
        for i in 0..5 {
            lanes.enqueue(&key(), i, &token);
        }
        assert_eq!(lanes.take(&key(), 3).len(), 3);
        assert_eq!(lanes.take(&key(), 3).len(), 2);
    }

    #[tokio::test]
    async fn a_stop_withdraws_an_entry_no_request_carries_yet() {
        let lanes: Lanes<u32, u32> = Lanes::default();
        let token = CancellationToken::new();
        let waiting = lanes.enqueue(&key(), 1, &token);
        token.cancel();
        let err = lanes.wait(&key(), waiting, &token).await.unwrap_err();
        assert!(matches!(
            err,
            Error::Cancelled {
                may_have_applied: false
            }
        ));
        assert!(lanes.take(&key(), 10).is_empty(), "the entry left the lane");
    }

    #[tokio::test]
    async fn a_stop_still_awaits_an_entry_already_in_a_request() {
        let lanes: Lanes<u32, u32> = Lanes::default();
        let token = CancellationToken::new();
        let waiting = lanes.enqueue(&key(), 1, &token);
        let taken = lanes.take(&key(), 10);
        token.cancel();
        let answer = tokio::spawn(async move {
            tokio::task::yield_now().await;
            for entry in taken {
                entry.reply.answer(Ok(7));
            }
        });
        assert_eq!(lanes.wait(&key(), waiting, &token).await.unwrap(), 7);
        answer.await.unwrap();
    }
}
