//! When a secret waiting to become `active` is polled: a geometric schedule, and where on it a
//! wait starts, learned from the secrets this client has already seen turn active.
//!
//! How long a new secret stays `pending` is documented nowhere (Alchemy polls every 500 ms;
//! the emulator waits 300 ms by default, 0 ms to hours in tests), so no first step can be right
//! for every API. The schedule's rungs, from the change on, are 150, 450, 1050, 2250 ms, then
//! one every 2 s:
//!
//! - **First poll at 150 ms.** Short enough that a secret active almost at once (as the create
//!   answer often already says; then nothing is polled) costs little latency: about one round
//!   trip to Cloudflare, and Terraform's own work per resource is larger.
//! - **Steps that double, up to 2 s.** A poll finds a secret active at most twice as late as it
//!   turned active (plus 150 ms), and a secret that takes `A` costs about `1 + log2(A / 150 ms)`
//!   polls rather than `A / step`; a slow secret then costs one poll per 2 s.
//! - **Start where secrets turned active before.** Terraform applies in waves (`-parallelism`,
//!   10 by default): each wave's creates go out together and wait together, and polls of one
//!   store are one shared listing, so the price of a schedule is its polls per wave. A wave that
//!   polls at 150 ms a secret that takes 300 ms pays two listings where one would do. Once this
//!   client has seen a secret turn active at some rung, later waits skip the rungs before it:
//!   after the first wave, each wave costs one listing. The budget this protects: Cloudflare
//!   allows 1,200 requests per 5 minutes per user, 4 per second, and the provider sends 3.5 per
//!   second at most by default, creates and deletes included.
//! - **Never start later than 2.25 s** (the last rung before the steps stop growing): one slow
//!   secret must not make every later one wait long, and past that rung a poll every 2 s costs
//!   little. The learned rung only rises, for the life of the client (one Terraform command):
//!   checking whether the API became faster would cost a poll per wave.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The first rung of the schedule: how long after a change a wait that learned nothing yet
/// first polls the secret.
pub const FIRST_STATUS_POLL: Duration = Duration::from_millis(150);

/// The longest step between two polls of one secret.
const MAX_STEP: Duration = Duration::from_secs(2);

/// The latest rung a wait starts at (2.25 s after the change): steps stop growing after it.
const MAX_START_RUNG: usize = 3;

/// The wait between rung `rung - 1` and rung `rung` (for rung 0: from the change).
fn step(rung: usize) -> Duration {
    let doublings = u32::try_from(rung.min(16)).unwrap_or(16);
    FIRST_STATUS_POLL
        .saturating_mul(1 << doublings)
        .min(MAX_STEP)
}

/// The time from the change to rung `rung`.
fn rung_time(rung: usize) -> Duration {
    (0..=rung).map(step).sum()
}

/// Where this client's waits start on the schedule: the rung at which it last saw a secret
/// turn active, the highest so far (shared by the client's clones).
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

    fn seen_active_at(&self, rung: usize) {
        self.start_rung
            .fetch_max(rung.min(MAX_START_RUNG), Ordering::Relaxed);
    }
}

/// The polls of one secret's wait to become `active` (see the module documentation): call
/// [`PollSchedule::next_wait`] before each poll, and [`PollSchedule::found_active`] when a poll
/// shows the secret active, so later waits of the client start at that rung.
#[derive(Debug)]
pub struct PollSchedule {
    pace: Arc<ActivationPace>,
    /// The rung of the latest poll, once there was one.
    polled_rung: Option<usize>,
}

impl Default for PollSchedule {
    /// A schedule that learned nothing yet (and teaches no other): polls at 150 ms, 450 ms, …
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

    /// The latest poll showed the secret active: later waits of this client start at its rung
    /// (no later than 2.25 s). Nothing is learned when no poll was made.
    pub fn found_active(&self) {
        if let Some(rung) = self.polled_rung {
            self.pace.seen_active_at(rung);
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
    fn rungs_double_from_150_ms_and_then_come_every_2_s() {
        let mut schedule = PollSchedule::default();
        assert_eq!(
            waits(&mut schedule, 7),
            [150, 300, 600, 1200, 2000, 2000, 2000].map(ms)
        );
        let rungs: Vec<Duration> = (0..5).map(rung_time).collect();
        assert_eq!(rungs, [150, 450, 1050, 2250, 4250].map(ms));
        assert_eq!(rung_time(MAX_START_RUNG), ms(2250));
        assert_eq!(step(10_000), MAX_STEP, "no overflow far out");
    }

    #[test]
    fn later_waits_start_at_the_rung_where_a_secret_turned_active() {
        let pace = Arc::new(ActivationPace::default());
        assert_eq!(pace.first_poll(), FIRST_STATUS_POLL);
        let mut first = pace.schedule();
        // Pending at 150 ms, active at 450 ms.
        assert_eq!(waits(&mut first, 2), [150, 300].map(ms));
        first.found_active();
        assert_eq!(pace.first_poll(), ms(450));
        let mut second = pace.schedule();
        assert_eq!(waits(&mut second, 3), [450, 600, 1200].map(ms));
        // A secret found active at an earlier rung does not lower it.
        let mut quick = pace.schedule();
        quick.polled_rung = Some(0); // a wait that started before the pace learned rung 1
        quick.found_active();
        assert_eq!(pace.first_poll(), ms(450));
    }

    #[test]
    fn no_wait_starts_later_than_2_25_s_and_an_unpolled_secret_teaches_nothing() {
        let pace = Arc::new(ActivationPace::default());
        pace.schedule().found_active();
        assert_eq!(pace.first_poll(), FIRST_STATUS_POLL, "nothing was polled");
        let mut slow = pace.schedule();
        waits(&mut slow, 12);
        slow.found_active();
        assert_eq!(pace.first_poll(), ms(2250));
        assert_eq!(pace.schedule().next_wait(), ms(2250));
    }
}
