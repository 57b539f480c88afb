//! When a secret waiting to become `active` is polled: a geometric schedule, and where on it a
//! wait starts, learned from the secrets this client has already seen still pending.
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
//!   a poll come up to twice as late, and its second step (300 ms) would be longer than the
//!   window in which Terraform's next creates gather (one rate-limit interval, 286 ms at the
//!   default 3.5 requests per second): when a first poll finds part of a wave of creates active
//!   and the rest pending, the rest is polled again 212 ms later and its resources finish in
//!   time for their next creates to go out in the same request as the first part's.
//! - **Start after the rungs at which secrets were still pending.** Terraform applies in waves
//!   (`-parallelism`, 10 by default) whose creates go out together and wait together, and polls
//!   of one store share one listing, so what a schedule costs is its polls per wave. A rung at
//!   which a secret was seen still pending is too early for this API: later waits of the client
//!   skip it, and after the first wave each wave costs one listing. The budget this protects:
//!   Cloudflare allows 1,200 requests per 5 minutes per user (4 per second), and the provider
//!   sends at most 3.5 per second by default, creates and deletes included.
//! - **Never start later than 2.5 s** (rung 5): a secret that is slow once (or never turns
//!   active) must not make every later one wait long, and from there a poll costs little next
//!   to the wait. The start only moves later, for the life of the client (one Terraform
//!   command): checking whether the API became faster would cost a poll per wave.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The first rung of the schedule: how long after a change a wait that learned nothing yet
/// first polls the secret.
pub const FIRST_STATUS_POLL: Duration = Duration::from_millis(150);

/// The longest step between two polls of one secret.
const MAX_STEP: Duration = Duration::from_secs(2);

/// The latest rung a wait starts at (2,535 ms after the change).
const MAX_START_RUNG: usize = 5;

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

/// Where this client's waits start on the schedule: after the latest rung at which it saw a
/// secret still pending (shared by the client's clones).
#[derive(Debug, Default)]
pub(crate) struct ActivationPace {
    start_rung: AtomicUsize,
}

impl ActivationPace {
    /// How long after a change a wait first polls its secret.
    pub(crate) fn first_poll(&self) -> Duration {
        rung_time(self.start_rung())
    }

    /// The schedule of one wait, starting at the learned rung.
    pub(crate) fn schedule(self: &Arc<Self>) -> PollSchedule {
        PollSchedule {
            pace: self.clone(),
            polled_rung: None,
        }
    }

    fn start_rung(&self) -> usize {
        self.start_rung.load(Ordering::Relaxed)
    }

    fn seen_pending_at(&self, rung: usize) {
        let start = (rung + 1).min(MAX_START_RUNG);
        self.start_rung.fetch_max(start, Ordering::Relaxed);
    }
}

/// The polls of one secret's wait to become `active` (see the module documentation): call
/// [`PollSchedule::next_wait`] before each poll, and [`PollSchedule::found_pending`] when a poll
/// shows the secret still pending, so later waits of the client start after that rung.
#[derive(Debug)]
pub struct PollSchedule {
    pace: Arc<ActivationPace>,
    /// The rung of the latest poll, once there was one.
    polled_rung: Option<usize>,
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
        match self.polled_rung {
            None => {
                let start = self.pace.start_rung();
                self.polled_rung = Some(start);
                rung_time(start)
            }
            Some(rung) => {
                self.polled_rung = Some(rung + 1);
                step(rung + 1)
            }
        }
    }

    /// The latest poll showed the secret still pending (a status other than `active`): later
    /// waits of this client start after its rung (no later than rung 5). Nothing is learned
    /// when no poll was made.
    pub fn found_pending(&self) {
        if let Some(rung) = self.polled_rung {
            self.pace.seen_pending_at(rung);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(millis: u64) -> Duration {
        Duration::from_millis(millis)
    }

    fn waits(schedule: &mut PollSchedule, count: usize) -> Vec<Duration> {
        (0..count).map(|_| schedule.next_wait()).collect()
    }

    #[test]
    fn rungs_grow_by_the_square_root_of_two_from_150_ms_to_steps_of_2_s() {
        let mut schedule = PollSchedule::default();
        assert_eq!(
            waits(&mut schedule, 11),
            [150, 212, 300, 424, 600, 849, 1200, 1697, 2000, 2000, 2000].map(ms)
        );
        let rungs: Vec<Duration> = (0..7).map(rung_time).collect();
        assert_eq!(rungs, [150, 362, 662, 1086, 1686, 2535, 3735].map(ms));
        assert_eq!(step(10_000), MAX_STEP, "no overflow far out");
    }

    #[test]
    fn later_waits_start_after_the_rungs_at_which_a_secret_was_still_pending() {
        let pace = Arc::new(ActivationPace::default());
        assert_eq!(pace.first_poll(), FIRST_STATUS_POLL);
        let mut first = pace.schedule();
        // Pending at 150 ms (then active at 362 ms).
        assert_eq!(waits(&mut first, 1), [ms(150)]);
        first.found_pending();
        assert_eq!(pace.first_poll(), ms(362));
        let mut second = pace.schedule();
        assert_eq!(waits(&mut second, 3), [362, 300, 424].map(ms));
        // A wait that began before and saw a secret pending at an earlier rung moves nothing.
        let mut older = pace.schedule();
        older.polled_rung = Some(0);
        older.found_pending();
        assert_eq!(pace.first_poll(), ms(362));
    }

    #[test]
    fn no_wait_starts_later_than_rung_5_and_an_unpolled_secret_teaches_nothing() {
        let pace = Arc::new(ActivationPace::default());
        pace.schedule().found_pending();
        assert_eq!(pace.first_poll(), FIRST_STATUS_POLL, "nothing was polled");
        let mut never_active = pace.schedule();
        for _ in 0..12 {
            never_active.next_wait();
            never_active.found_pending();
        }
        assert_eq!(pace.first_poll(), rung_time(MAX_START_RUNG));
        assert_eq!(pace.schedule().next_wait(), ms(2535));
    }
}
