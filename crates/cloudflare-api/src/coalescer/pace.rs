//! When a secret waiting to become `active` is polled: a geometric schedule, and where on it a
//! wait starts, learned from what this client's earlier polls saw.
//!
//! How long a new secret stays `pending` is documented nowhere (Alchemy polls every 500 ms;
//! the emulator waits 300 ms by default, 0 ms to hours in tests), so no first step is right
//! for every API. The schedule's rungs, from the change on, are 150, 362, 662, 1086, 1686,
//! 2535, 3735 ms, …, then one every 2 s:
//!
//! - **First poll at 150 ms.** Short enough that a secret active almost at once (when the
//!   create answer already says so, nothing is polled) costs little latency: about one round
//!   trip to Cloudflare, less than Terraform's own work per resource.
//! - **Steps that grow by √2 (double every other poll), up to 2 s.** A poll finds a secret
//!   active at most about 1.4 times as late as it turned active (plus 150 ms), and a secret that
//!   takes `A` costs about `1 + 2 log2(A / 150 ms)` polls, not `A / step`; a slow one then costs
//!   one poll per 2 s. Doubling at every step would halve the polls of a slow first wait but let
//!   a poll come up to twice as late.
//! - **Later waits start where secrets turned active.** Terraform applies in waves
//!   (`-parallelism`, 10 by default) whose creates go out together and wait together, and polls
//!   of one store share one listing, so what a schedule costs is its polls per wave. The client
//!   remembers the latest point at which a poll still saw a secret pending and the earliest
//!   later point at which one saw a secret active: later waits poll first at the latter, and
//!   after the first wave each wave costs one listing. The budget this protects: Cloudflare
//!   allows 1,200 requests per 5 minutes per user (4 per second), and the provider sends at
//!   most 3.5 per second by default, creates and deletes included. A point seen pending beyond
//!   the one seen active means the API got slower: the rungs after it are used again.
//! - **A wide gap is narrowed once.** When those two points are more than 500 ms apart (a slow
//!   API, where rungs are far apart), later waits poll first halfway between them: found
//!   active, that saves half the gap on every wave after; found pending, it costs one request
//!   (286 ms of the budget at 3.5 per second) and the wait goes on at the point known good.
//!   Narrower gaps save less than a request costs.
//! - **Never start later than 2,535 ms** (rung 5): a secret that is slow once (or never turns
//!   active) must not make every later one wait long, and from there a poll costs little next
//!   to the wait. What is learned lasts for the life of the client (one Terraform command).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The first rung of the schedule: how long after a change a wait that learned nothing yet
/// first polls the secret.
pub const FIRST_STATUS_POLL: Duration = Duration::from_millis(150);

/// The longest step between two polls of one secret.
const MAX_STEP: Duration = Duration::from_secs(2);

/// The latest rung a wait starts at (2,535 ms after the change).
const MAX_START_RUNG: usize = 5;

/// The gap between the points seen pending and active beyond which a wait first tries its
/// middle.
const NARROWED_GAP: Duration = Duration::from_millis(500);

/// The wait between rung `rung - 1` and rung `rung` (for rung 0: from the change), in whole
/// milliseconds: 150 ms × √2^rung, at most 2 s.
fn step(rung: usize) -> Duration {
    let growth = std::f64::consts::SQRT_2.powi(i32::try_from(rung.min(64)).unwrap_or(64));
    let millis = (FIRST_STATUS_POLL.as_secs_f64() * 1000.0 * growth).round();
    Duration::from_millis(millis as u64).min(MAX_STEP)
}

/// The time from the change to rung `rung`.
fn rung_time(rung: usize) -> Duration {
    (0..=rung).map(step).sum()
}

/// The first rung later than `after`.
fn rung_after(after: Duration) -> Duration {
    let mut time = Duration::ZERO;
    let mut rung = 0;
    loop {
        time += step(rung);
        if time > after {
            return time;
        }
        rung += 1;
    }
}

/// What this client's polls saw, in time from the change (shared by the client's clones).
#[derive(Debug, Default)]
pub(crate) struct ActivationPace(Mutex<Seen>);

#[derive(Clone, Copy, Debug, Default)]
struct Seen {
    /// The latest point at which a poll still saw a secret pending.
    pending: Option<Duration>,
    /// The earliest point after `pending` at which a poll saw a secret active.
    active: Option<Duration>,
}

impl ActivationPace {
    /// How long after a change a wait first polls its secret.
    pub(crate) fn first_poll(&self) -> Duration {
        let Seen { pending, active } = self.seen();
        let first = match (pending, active) {
            (Some(pending), Some(active)) if active - pending > NARROWED_GAP => {
                let middle = (pending + active) / 2;
                Duration::from_millis(u64::try_from(middle.as_millis()).unwrap_or(u64::MAX))
            }
            (_, Some(active)) => active,
            (Some(pending), None) => rung_after(pending),
            (None, None) => FIRST_STATUS_POLL,
        };
        first.min(rung_time(MAX_START_RUNG))
    }

    /// The schedule of one wait, starting at [`ActivationPace::first_poll`].
    pub(crate) fn schedule(self: &Arc<Self>) -> PollSchedule {
        PollSchedule {
            pace: self.clone(),
            polled_at: None,
        }
    }

    fn seen(&self) -> Seen {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next poll after one at `at`: the next rung, or the point seen active if sooner.
    fn after(&self, at: Duration) -> Duration {
        let next = rung_after(at);
        match self.seen().active {
            Some(active) if active > at => next.min(active),
            _ => next,
        }
    }

    fn seen_pending_at(&self, at: Duration) {
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let pending = seen.pending.map_or(at, |p| p.max(at));
        seen.pending = Some(pending);
        if seen.active.is_some_and(|active| active <= pending) {
            seen.active = None;
        }
    }

    fn seen_active_at(&self, at: Duration) {
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.pending.is_none_or(|pending| at > pending) {
            seen.active = Some(seen.active.map_or(at, |a| a.min(at)));
        }
    }
}

/// The polls of one secret's wait to become `active` (see the module documentation): call
/// [`PollSchedule::next_wait`] before each poll, then [`PollSchedule::found_pending`] or
/// [`PollSchedule::found_active`] with what the poll showed, so later waits of the client
/// start at the right point.
#[derive(Debug)]
pub struct PollSchedule {
    pace: Arc<ActivationPace>,
    /// When (from the change) the latest poll was due, once there was one.
    polled_at: Option<Duration>,
}

impl Default for PollSchedule {
    /// A schedule that learned nothing yet (and teaches no other): polls at 150 ms, 362 ms, …
    fn default() -> Self {
        Arc::new(ActivationPace::default()).schedule()
    }
}

impl PollSchedule {
    /// How long to wait before the next poll: before the first, from the change.
    pub fn next_wait(&mut self) -> Duration {
        let (previous, next) = match self.polled_at {
            None => (Duration::ZERO, self.pace.first_poll()),
            Some(at) => (at, self.pace.after(at)),
        };
        self.polled_at = Some(next);
        next - previous
    }

    /// The latest poll showed the secret still pending (a status other than `active`). Nothing
    /// is learned when no poll was made.
    pub fn found_pending(&self) {
        if let Some(at) = self.polled_at {
            self.pace.seen_pending_at(at);
        }
    }

    /// The latest poll showed the secret active. Nothing is learned when no poll was made.
    pub fn found_active(&self) {
        if let Some(at) = self.polled_at {
            self.pace.seen_active_at(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    /// The times (from the change) of the next `count` polls of `schedule`.
    fn poll_times(schedule: &mut PollSchedule, count: usize) -> Vec<Duration> {
        let mut at = schedule.polled_at.unwrap_or_default();
        (0..count)
            .map(|_| {
                at += schedule.next_wait();
                at
            })
            .collect()
    }

    /// One wait on `pace` for a secret that turns active `activation` after its change: the
    /// times of its polls, each reported to the pace.
    fn wait(pace: &Arc<ActivationPace>, activation: Duration) -> Vec<Duration> {
        let mut schedule = pace.schedule();
        let mut times = Vec::new();
        loop {
            let at = poll_times(&mut schedule, 1)[0];
            times.push(at);
            if at >= activation {
                schedule.found_active();
                return times;
            }
            schedule.found_pending();
        }
    }

    #[test]
    fn rungs_grow_by_the_square_root_of_two_from_150_ms_to_steps_of_2_s() {
        let mut schedule = PollSchedule::default();
        assert_eq!(
            poll_times(&mut schedule, 11),
            [
                150, 362, 662, 1086, 1686, 2535, 3735, 5432, 7432, 9432, 11432
            ]
            .map(ms)
        );
        assert_eq!(step(10_000), MAX_STEP, "no overflow far out");
        assert_eq!(rung_after(ms(362)), ms(662));
        assert_eq!(rung_after(Duration::ZERO), FIRST_STATUS_POLL);
    }

    #[test]
    fn after_the_first_wait_a_wave_costs_one_poll() {
        let pace = Arc::new(ActivationPace::default());
        assert_eq!(wait(&pace, ms(300)), [150, 362].map(ms));
        assert_eq!(wait(&pace, ms(300)), [ms(362)]);
        assert_eq!(wait(&pace, ms(300)), [ms(362)], "a gap of 212 ms stays");
        assert_eq!(pace.first_poll(), ms(362));
    }

    #[test]
    fn a_wide_gap_is_narrowed_by_polling_its_middle_first() {
        let pace = Arc::new(ActivationPace::default());
        let slow = ms(2000);
        assert_eq!(wait(&pace, slow), [150, 362, 662, 1086, 1686, 2535].map(ms));
        // Pending at 1,686 ms, active at 2,535 ms: the middle is tried, and holds.
        assert_eq!(wait(&pace, slow), [ms(2110)]);
        assert_eq!(wait(&pace, slow), [ms(2110)], "a gap of 424 ms stays");
        // Had the middle been too early, the wait goes on at the point known good.
        let pace = Arc::new(ActivationPace::default());
        let slower = ms(2300);
        wait(&pace, slower);
        assert_eq!(wait(&pace, slower), [2110, 2535].map(ms));
        assert_eq!(wait(&pace, slower), [ms(2535)], "a gap of 425 ms stays");
    }

    #[test]
    fn an_api_that_got_slower_sends_waits_back_up_the_rungs() {
        let pace = Arc::new(ActivationPace::default());
        assert_eq!(wait(&pace, ms(300)), [150, 362].map(ms));
        assert_eq!(wait(&pace, ms(1000)), [362, 662, 1086].map(ms));
        assert_eq!(pace.first_poll(), ms(1086));
    }

    #[test]
    fn no_wait_starts_later_than_rung_5_and_an_unpolled_secret_teaches_nothing() {
        let pace = Arc::new(ActivationPace::default());
        pace.schedule().found_pending();
        pace.schedule().found_active();
        assert_eq!(pace.first_poll(), FIRST_STATUS_POLL, "nothing was polled");
        let mut never_active = pace.schedule();
        for _ in 0..12 {
            never_active.next_wait();
            never_active.found_pending();
        }
        assert_eq!(pace.first_poll(), ms(2535));
        assert_eq!(pace.schedule().next_wait(), ms(2535));
    }
}
