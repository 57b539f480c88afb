//! Keeping a wave of secrets in step: when one poll round finds some secrets active while
//! others, polled for the first time, are still pending, the active ones' answers wait for the
//! store's next round (briefly), so the wave of Terraform's resources finishes together.
//!
//! Why: Terraform starts a new create as each resource finishes. The creates of one wave often
//! go out as two requests (the first alone, the rest once the rate limiter allows), and their
//! secrets are polled together; a first poll before the API activated the later ones would
//! finish the wave in two parts, each starting its own creates: one more bulk POST and one more
//! poll for every wave after, while the rate limiter (3.5 requests per second by default) is
//! what paces the apply. Held back until the pending ones' next poll (212 ms later on the
//! schedule), the two parts finish together. A secret that stays pending holds others only at
//! its first poll, and nothing is held longer than one rate-limit interval (at least 350 ms, at
//! most 2 s) and 20 ms. A caller stopped by Terraform while held gets its answer then.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::StoreKey;
use super::lanes::Reply;
use crate::endpoints::Secret;

/// The least time an answer is held (with 20 ms of poll gathering on top, and one rate-limit
/// interval instead when that is longer, since the pending secrets' next poll waits for a
/// token): the pending ones are polled again one step later, 212 ms on the schedule.
const MIN_HOLD: Duration = Duration::from_millis(350);

/// The most time an answer is held, however slow the rate limit: a hold also delays a stop.
const MAX_HOLD: Duration = Duration::from_secs(2);

/// How long an answer is held at most when the client sends one request per `interval`.
pub(super) fn hold_for(interval: Duration) -> Duration {
    interval.clamp(MIN_HOLD, MAX_HOLD)
}

/// An answer held back: where it goes and the secret as its poll showed it (active).
struct Held {
    reply: Reply<Option<Secret>>,
    secret: Secret,
}

type HeldAnswers = Arc<Mutex<HashMap<StoreKey, Vec<Held>>>>;

/// One caller of a poll round: the polled secret's id, where the answer goes, and the secret
/// as the round's listing shows it (`None`: not listed).
pub(super) type Polled = (String, Reply<Option<Secret>>, Option<Secret>);

/// The poll lane's memory for keeping waves in step (shared by the client's clones).
#[derive(Default)]
pub(super) struct InStep {
    /// Per store: the secrets a poll round already showed pending.
    seen_pending: Mutex<HashMap<StoreKey, HashSet<String>>>,
    /// Per store: answers held for its next poll round.
    held: HeldAnswers,
}

impl InStep {
    /// Answers the callers of one poll round of `key`'s store, and first those an earlier
    /// round held. When a secret
    /// polled for the first time is still pending (or not listed yet), the callers whose secrets
    /// are active are held for the store's next round, or for `hold_for` at most.
    pub(super) fn answer(&self, key: &StoreKey, round: Vec<Polled>, hold_for: Duration) {
        release(&self.held, key);
        let newly_pending = {
            let mut seen = self
                .seen_pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let pending = seen.entry(key.clone()).or_default();
            let mut newly_pending = false;
            for (id, _, secret) in &round {
                if secret.as_ref().is_some_and(Secret::is_active) {
                    pending.remove(id);
                } else {
                    newly_pending |= pending.insert(id.clone());
                }
            }
            newly_pending
        };
        let mut held = Vec::new();
        for (_, reply, secret) in round {
            match secret {
                Some(secret) if newly_pending && secret.is_active() => {
                    held.push(Held { reply, secret });
                }
                other => reply.answer(Ok(other)),
            }
        }
        if held.is_empty() {
            return;
        }
        tracing::debug!(
            store_id = key.1.as_str(),
            held = held.len(),
            "active secrets wait for the store's next poll: others of their wave are pending"
        );
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.clone())
            .or_default()
            .extend(held);
        let (answers, key) = (self.held.clone(), key.clone());
        tokio::spawn(async move {
            tokio::time::sleep(hold_for).await;
            release(&answers, &key);
        });
    }

    /// Answers every caller held for `key`'s store (e.g. when its round failed).
    pub(super) fn release(&self, key: &StoreKey) {
        release(&self.held, key);
    }
}

fn release(held: &HeldAnswers, key: &StoreKey) {
    let answers = held
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(key)
        .unwrap_or_default();
    for Held { reply, secret } in answers {
        reply.answer(Ok(Some(secret)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coalescer::lanes::Lanes;
    use crate::transport::Error;
    use tokio::task::JoinHandle;
    use tokio_util::sync::CancellationToken;

    type Answer = Result<Option<Secret>, Error>;

    fn key() -> StoreKey {
        ("a".into(), "s".into())
    }

    fn secret(id: &str, status: &str) -> Secret {
        serde_json::from_value(serde_json::json!({
            "id": id, "store_id": "s", "name": id, "status": status,
            "created": "c", "modified": "m",
        }))
        .unwrap()
    }

    /// One caller per `(id, status)` waiting in a lane, and the round `answer` takes: each
    /// caller's id, reply and secret as the listing shows it.
    fn round(
        lanes: &Arc<Lanes<String, Option<Secret>>>,
        listed: &[(&str, &str)],
    ) -> (Vec<JoinHandle<Answer>>, Vec<Polled>) {
        let token = CancellationToken::new();
        let callers = listed
            .iter()
            .map(|(id, _)| {
                let waiting = lanes.enqueue(&key(), id.to_string(), &token);
                let (lanes, token) = (lanes.clone(), token.clone());
                tokio::spawn(async move { lanes.wait(&key(), waiting, &token).await })
            })
            .collect();
        let entries = lanes.take(&key(), usize::MAX);
        let round = entries
            .into_iter()
            .zip(listed)
            .map(|(entry, (id, status))| (entry.item, entry.reply, Some(secret(id, status))))
            .collect();
        (callers, round)
    }

    async fn status(caller: JoinHandle<Answer>) -> String {
        let secret = caller.await.unwrap().unwrap().unwrap();
        secret.status.to_string()
    }

    async fn settle() {
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
    }

    const LONG: Duration = Duration::from_secs(3600);

    #[tokio::test(start_paused = true)]
    async fn an_active_secret_waits_for_the_next_round_while_one_polled_with_it_is_new_and_pending()
    {
        let lanes = Arc::new(Lanes::default());
        let in_step = InStep::default();
        let (mut callers, first) = round(&lanes, &[("A", "active"), ("B", "pending")]);
        in_step.answer(&key(), first, LONG);
        let b = callers.pop().unwrap();
        let a = callers.pop().unwrap();
        assert_eq!(status(b).await, "pending", "the pending one is answered");
        settle().await;
        assert!(!a.is_finished(), "the active one is held");

        let (mut again, second) = round(&lanes, &[("B", "active")]);
        in_step.answer(&key(), second, LONG);
        assert_eq!(status(a).await, "active", "released by the next round");
        assert_eq!(status(again.pop().unwrap()).await, "active");
    }

    #[tokio::test(start_paused = true)]
    async fn a_held_answer_is_released_after_hold_for_without_another_round() {
        let lanes = Arc::new(Lanes::default());
        let in_step = InStep::default();
        let hold_for = Duration::from_millis(370);
        let (mut callers, first) = round(&lanes, &[("A", "active"), ("B", "pending")]);
        let started = tokio::time::Instant::now();
        in_step.answer(&key(), first, hold_for);
        callers.pop();
        assert_eq!(status(callers.pop().unwrap()).await, "active");
        assert_eq!(started.elapsed(), hold_for);
    }

    #[tokio::test(start_paused = true)]
    async fn a_secret_that_stays_pending_holds_others_only_at_its_first_poll() {
        let lanes = Arc::new(Lanes::default());
        let in_step = InStep::default();
        let (_, first) = round(&lanes, &[("STUCK", "pending")]);
        in_step.answer(&key(), first, LONG);
        let (mut callers, second) = round(&lanes, &[("A", "active"), ("STUCK", "pending")]);
        in_step.answer(&key(), second, LONG);
        callers.pop();
        assert_eq!(status(callers.pop().unwrap()).await, "active", "not held");
        // A round where everything is active holds nothing either.
        let (mut callers, third) = round(&lanes, &[("C", "active")]);
        in_step.answer(&key(), third, LONG);
        assert_eq!(status(callers.pop().unwrap()).await, "active");
    }

    #[test]
    fn holds_last_one_rate_limit_interval_within_350_ms_and_2_s() {
        let ms = Duration::from_millis;
        assert_eq!(hold_for(ms(1)), ms(350));
        assert_eq!(hold_for(ms(286)), ms(350));
        assert_eq!(hold_for(ms(1000)), ms(1000));
        assert_eq!(hold_for(Duration::from_secs(3600)), ms(2000));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_round_releases_what_was_held() {
        let lanes = Arc::new(Lanes::default());
        let in_step = InStep::default();
        let (mut callers, first) = round(&lanes, &[("A", "active"), ("B", "pending")]);
        in_step.answer(&key(), first, LONG);
        callers.pop();
        in_step.release(&key());
        assert_eq!(status(callers.pop().unwrap()).await, "active");
    }
}
