//! The status-poll lane: concurrent polls of secrets in one store share one listing (newest
//! changes first, paged only until every polled secret was seen), instead of one GET each.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::in_step::{InStep, hold_for};
use super::lanes::{Entry, Lanes};
use super::pace::ActivationPace;
use super::{Lane, StoreKey};
use crate::endpoints::{ListSecretsParams, Secret, secrets};
use crate::transport::{Permit, Transport};

/// How long a status poll holding its rate-limit token waits for others to join: waiters of
/// one bulk create fall due within a few milliseconds of each other.
const POLL_GATHERING: Duration = Duration::from_millis(20);

/// Per store: when the secrets of its latest create that came back `pending` fall due for
/// their first status poll, by the client's [`ActivationPace`].
pub(super) struct FirstPolls {
    due: Mutex<HashMap<StoreKey, Instant>>,
    pace: Arc<ActivationPace>,
}

impl FirstPolls {
    pub(super) fn new(pace: Arc<ActivationPace>) -> FirstPolls {
        FirstPolls {
            due: Mutex::default(),
            pace,
        }
    }

    /// Notes that `created` secrets of `key`'s store will be polled the pace's first poll from
    /// now if any of them is not active yet.
    pub(super) fn note_created(&self, key: &StoreKey, created: &[Secret]) {
        if created.iter().all(Secret::is_active) {
            return;
        }
        let due = Instant::now() + self.pace.first_poll();
        let mut map = self.due.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = map.entry(key.clone()).or_insert(due);
        *entry = (*entry).max(due);
    }

    /// When the latest created secrets of `key`'s store fall due, if that is still ahead.
    fn next(&self, key: &StoreKey) -> Option<Instant> {
        let map = self.due.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(key).copied().filter(|due| *due > Instant::now())
    }
}

/// The status-poll lane of every store.
pub(super) struct Polls {
    pub(super) queues: Lanes<String, Option<Secret>>,
    pub(super) first_polls: Arc<FirstPolls>,
    pub(super) in_step: InStep,
}

impl Lane for Polls {
    type Item = String;
    type Output = Option<Secret>;
    const MAX_BATCH: usize = usize::MAX;

    fn queues(&self) -> &Lanes<String, Option<Secret>> {
        &self.queues
    }

    /// 20 ms from now: the secrets of one bulk create fall due together. When the secrets of
    /// the store's latest create fall due later (at most the pace's first poll from now), 20 ms
    /// after them: one poll for both saves a request and puts Terraform's parallel resources in
    /// step, so their next creates gather into one bulk request too. Two parts of a wave
    /// created apart would otherwise be polled, and finish, apart in every wave after; waiting
    /// costs the earlier part at most one first poll, once.
    fn send_at(&self, key: &StoreKey, _interval: Duration) -> Option<Instant> {
        let due = self.first_polls.next(key);
        Some(due.unwrap_or_else(Instant::now) + POLL_GATHERING)
    }

    /// One listing of the store, newest change first, paged until every polled secret was
    /// seen; each caller gets its secret, or `None` when the listing does not hold it (an
    /// active one a little later while others of its wave are pending, see `InStep`).
    async fn send(
        &self,
        api: &Transport,
        key: &StoreKey,
        entries: Vec<Entry<String, Option<Secret>>>,
        permit: Permit,
    ) {
        if entries.is_empty() {
            return;
        }
        let (account_id, store_id) = (key.0.as_str(), key.1.as_str());
        let wanted: HashSet<String> = entries.iter().map(|e| e.item.clone()).collect();
        let newest_first = ListSecretsParams {
            order: Some("modified".into()),
            direction: Some("desc".into()),
            ..ListSecretsParams::default()
        };
        let listed = match secrets::pages(api, account_id, store_id, &newest_first) {
            Ok(pages) => {
                let all_seen = |items: &[Secret]| {
                    let seen = items.iter().filter(|s| wanted.contains(&s.id)).count();
                    seen >= wanted.len()
                };
                pages.with_permit(permit).until(all_seen).await
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
        match listed {
            Ok(secrets) => {
                let round = entries
                    .into_iter()
                    .map(|entry| {
                        let secret = secrets.iter().find(|s| s.id == entry.item).cloned();
                        (entry.item, entry.reply, secret)
                    })
                    .collect();
                let hold = hold_for(api.limiter().interval()) + POLL_GATHERING;
                self.in_step.answer(key, round, hold);
            }
            Err(e) => {
                self.in_step.release(key);
                for entry in entries {
                    entry.reply.answer(Err(e.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coalescer::FIRST_STATUS_POLL;

    fn key() -> StoreKey {
        ("a".into(), "s".into())
    }

    fn pending() -> Secret {
        serde_json::from_str(
            r#"{"id":"i","store_id":"s","name":"N","status":"pending","created":"c","modified":"m"}"#,
        )
        .unwrap()
    }

    fn first_polls() -> Arc<FirstPolls> {
        Arc::new(FirstPolls::new(Arc::default()))
    }

    #[tokio::test(start_paused = true)]
    async fn polls_gather_briefly_whatever_the_rate() {
        let polls = Polls {
            queues: Lanes::default(),
            first_polls: first_polls(),
            in_step: InStep::default(),
        };
        for interval in [Duration::from_millis(1), Duration::from_secs(10)] {
            let at = polls.send_at(&key(), interval).unwrap();
            assert_eq!(at - Instant::now(), POLL_GATHERING);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_poll_waits_for_created_secrets_that_fall_due_soon() {
        let first_polls = first_polls();
        let polls = Polls {
            queues: Lanes::default(),
            first_polls: first_polls.clone(),
            in_step: InStep::default(),
        };
        first_polls.note_created(&key(), &[pending()]);
        let at = polls.send_at(&key(), Duration::from_millis(1)).unwrap();
        assert_eq!(at - Instant::now(), FIRST_STATUS_POLL + POLL_GATHERING);
        // Another store's creates do not hold this one.
        let other = ("a".into(), "other".into());
        let at = polls.send_at(&other, Duration::from_millis(1)).unwrap();
        assert_eq!(at - Instant::now(), POLL_GATHERING);
        // Once they are due, a poll gathers only briefly again.
        tokio::time::advance(FIRST_STATUS_POLL).await;
        let at = polls.send_at(&key(), Duration::from_millis(1)).unwrap();
        assert_eq!(at - Instant::now(), POLL_GATHERING);
    }

    #[tokio::test(start_paused = true)]
    async fn created_secrets_fall_due_at_the_first_poll_the_pace_learned() {
        let pace = Arc::new(ActivationPace::default());
        let first_polls = Arc::new(FirstPolls::new(pace.clone()));
        let polls = Polls {
            queues: Lanes::default(),
            first_polls: first_polls.clone(),
            in_step: InStep::default(),
        };
        let mut slow = pace.schedule();
        for _ in 0..3 {
            slow.next_wait();
            slow.found_pending();
        }
        // Pending at the first three rungs: later creates fall due at the fourth, 1,086 ms on,
        // and a poll of the store waits for them, whatever the rate.
        first_polls.note_created(&key(), &[pending()]);
        let due = first_polls.next(&key()).unwrap();
        assert_eq!(due - Instant::now(), Duration::from_millis(1086));
        for interval in [Duration::from_millis(1), Duration::from_secs(10)] {
            let at = polls.send_at(&key(), interval).unwrap();
            assert_eq!(at, due + POLL_GATHERING);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn active_secrets_are_not_noted_for_a_first_poll() {
        let first_polls = FirstPolls::new(Arc::default());
        let mut active = pending();
        active.status = crate::endpoints::SecretStatus::Active;
        first_polls.note_created(&key(), &[active]);
        assert_eq!(first_polls.next(&key()), None);
    }
}
