//! The server's rate-limit budget, read from its `Ratelimit` / `Ratelimit-Policy` headers, and the
//! pace it leaves this process: the one way processes sharing a token learn of each other.
//!
//! Cloudflare counts requests per user over every client (1,200 per 5 minutes) and locks the user
//! out for a whole window once the count runs out. Each response says what is left (`r`) and
//! when the window resets (`t`); the policy says the quota (`q`) and the window (`w`). A process
//! alone could spend `(r − reserve) / t` requests per second and reach the reserve exactly as
//! the window resets. Processes that share the budget each see the counter fall faster than
//! their own requests explain: the drop between two of a process's readings, per request of its
//! own, estimates how many spend the budget (`sharers`), and each takes that share of the pace,
//! so together they spend what one process alone would. A process's first reading (each
//! Terraform command starts new provider processes) has no drop to go by: there, what the window
//! has spent so far, against what one process alone would spend, gives the first estimate. At the reserve every request is held
//! until the window resets, then the process restarts after a random delay so processes that
//! waited together do not send together.

use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

/// The reserve when none is configured: this share of the quota, kept for people and other tools.
const DEFAULT_RESERVE_SHARE: f64 = 0.10;

/// Readings whose windows end this close together belong to one window (`t` is whole seconds).
const SAME_WINDOW: Duration = Duration::from_millis(1500);

/// The most sharers assumed: beyond it the pace only gets slower than useful.
const MAX_SHARERS: f64 = 64.0;

/// The restart after a hold waits a random extra delay in `[MIN_RESTART_JITTER, cap]`, where cap
/// is a tenth of the window (when the policy says it), between these bounds.
const MIN_RESTART_JITTER: Duration = Duration::from_millis(250);
const MAX_RESTART_JITTER: Duration = Duration::from_secs(5);

/// One response's report of the budget.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Reading {
    /// Requests left in the window (`r`).
    pub(crate) remaining: u32,
    /// Until the window resets (`t`).
    pub(crate) reset: Duration,
    /// The quota of the window (`q`), when a policy was sent.
    pub(crate) quota: Option<u32>,
    /// The window's length (`w`), when a policy was sent.
    pub(crate) window: Option<Duration>,
}

impl Reading {
    /// Reads the two headers. Of several limits the tightest counts: the smallest `r` (with its
    /// `t`), and the `q` and `w` of the policy of the same name, or else the smallest `q`.
    /// `None` when `Ratelimit` is missing or has no `r` and `t`.
    pub(crate) fn from_headers(ratelimit: Option<&str>, policy: Option<&str>) -> Option<Reading> {
        let limits = parse_items(ratelimit?);
        let (name, remaining, reset) = limits
            .iter()
            .filter_map(|item| Some((&item.name, item.param("r")?, item.param("t")?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        let policies = parse_items(policy.unwrap_or_default());
        let with_quota = |item: &&Item| item.param("q").is_some();
        let same_name = policies
            .iter()
            .filter(with_quota)
            .find(|item| &item.name == name);
        let smallest = || {
            policies.iter().filter(with_quota).min_by(|a, b| {
                a.param("q")
                    .unwrap_or(0.0)
                    .total_cmp(&b.param("q").unwrap_or(0.0))
            })
        };
        let policy = same_name.or_else(smallest);
        Some(Reading {
            remaining: remaining.max(0.0).min(f64::from(u32::MAX)) as u32,
            reset: Duration::from_secs_f64(reset.clamp(0.0, 86_400.0)),
            quota: policy
                .and_then(|p| p.param("q"))
                .map(|q| q.clamp(0.0, f64::from(u32::MAX)) as u32),
            window: policy
                .and_then(|p| p.param("w"))
                .map(|w| Duration::from_secs_f64(w.clamp(0.0, 86_400.0))),
        })
    }
}

/// One member of a structured-field list: `"name";key=value;…` (or a bare token as the name).
#[derive(Debug)]
struct Item {
    name: String,
    params: Vec<(String, String)>,
}

impl Item {
    /// A numeric parameter, e.g. `r`.
    fn param(&self, key: &str) -> Option<f64> {
        let (_, value) = self.params.iter().find(|(k, _)| k == key)?;
        value.parse::<f64>().ok().filter(|n| n.is_finite())
    }
}

/// Splits `text` at `separator`, except inside double quotes.
fn split_outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (index, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The members of a list header such as `"default";r=50;t=30, "burst";r=9;t=2`.
fn parse_items(text: &str) -> Vec<Item> {
    split_outside_quotes(text, ',')
        .into_iter()
        .filter_map(|member| {
            let mut parts = split_outside_quotes(member, ';').into_iter();
            let name = parts.next()?.trim().trim_matches('"').to_string();
            let params = parts
                .filter_map(|param| {
                    let (key, value) = param.split_once('=')?;
                    Some((key.trim().to_ascii_lowercase(), value.trim().to_string()))
                })
                .collect();
            Some(Item { name, params })
        })
        .collect()
}

/// What a reading asks of the rate limiter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Pace {
    /// At most this many requests per second (the configured rate caps it further).
    Rate(f64),
    /// The budget is down to the reserve: no request before then.
    HoldUntil(Instant),
}

/// What this process knows of the shared budget.
#[derive(Debug)]
pub(crate) struct Budget {
    /// Requests left for others; `None`: [`DEFAULT_RESERVE_SHARE`] of the quota, at least 1.
    configured_reserve: Option<u32>,
    /// The latest reading: requests left, and when its window ends.
    last: Option<(u32, Instant)>,
    /// How many processes seem to spend the budget, this one included (at least 1).
    sharers: f64,
}

impl Budget {
    pub(crate) fn new(configured_reserve: Option<u32>) -> Budget {
        Budget {
            configured_reserve,
            last: None,
            sharers: 1.0,
        }
    }

    /// The requests kept for others with `quota`.
    pub(crate) fn reserve(&self, quota: Option<u32>) -> u32 {
        self.configured_reserve.unwrap_or_else(|| {
            let share = quota.map_or(0.0, |q| (f64::from(q) * DEFAULT_RESERVE_SHARE).floor());
            (share as u32).max(1)
        })
    }

    /// How many processes seem to spend the budget, this one included.
    pub(crate) fn sharers(&self) -> f64 {
        self.sharers
    }

    /// Takes in the reading of one response received `now` and says the pace it leaves.
    pub(crate) fn observe(&mut self, reading: &Reading, now: Instant) -> Pace {
        let resets_at = now + reading.reset;
        let reserve = self.reserve(reading.quota);
        let seconds = reading.reset.as_secs_f64().max(1.0);
        let spare = f64::from(reading.remaining.saturating_sub(reserve));
        // What is left is spread over at least a quarter of the window: a process that joins
        // (or reads) just before the reset does not sprint with others doing the same.
        let spread = reading
            .window
            .map_or(seconds, |window| seconds.max(window.as_secs_f64() / 4.0));
        let same_window = self.last.filter(|(_, window_end)| {
            resets_at.max(*window_end) - resets_at.min(*window_end) <= SAME_WINDOW
        });
        match same_window {
            Some((before, _)) if reading.remaining < before => {
                // The counter fell by `drop` while this process made one request.
                let drop = f64::from(before - reading.remaining);
                self.sharers = ((self.sharers + drop) / 2.0).clamp(1.0, MAX_SHARERS);
            }
            // Answers overtaking each other: nothing learnt.
            Some(_) => {}
            // The first reading of this window (or of this process, which may have just
            // started beside others): what the window has spent so far, against what one
            // process alone would spend now, tells how many spend it.
            // A lockout's answers (nothing left) say nothing about who spent the budget.
            None if reading.remaining == 0 => {}
            None => {
                if let (Some(quota), Some(window)) = (reading.quota, reading.window) {
                    let spent = f64::from(quota.saturating_sub(reading.remaining));
                    let elapsed = window.saturating_sub(reading.reset).as_secs_f64().max(1.0);
                    let alone = spare.max(1.0) / spread;
                    let seen = (spent / elapsed / alone).clamp(1.0, MAX_SHARERS);
                    self.sharers = self.sharers.max(seen);
                }
            }
        }
        self.last = Some((reading.remaining, resets_at));
        if reading.remaining <= reserve {
            return Pace::HoldUntil(resets_at + restart_jitter(reading.window));
        }
        // Never slower than one request per window: past the reset the budget is whole again.
        Pace::Rate((spare / spread / self.sharers).max(1.0 / seconds))
    }
}

/// The random extra wait after a hold: processes that held together restart apart.
fn restart_jitter(window: Option<Duration>) -> Duration {
    let cap = window
        .map_or(Duration::from_secs(1), |w| w / 10)
        .clamp(MIN_RESTART_JITTER, MAX_RESTART_JITTER);
    let span = (cap - MIN_RESTART_JITTER).as_millis() as u64;
    MIN_RESTART_JITTER + Duration::from_millis(rand::rng().random_range(0..=span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(ratelimit: &str, policy: &str) -> Reading {
        Reading::from_headers(Some(ratelimit), Some(policy)).expect("a reading")
    }

    #[test]
    fn reads_the_documented_headers() {
        let r = reading("\"default\";r=50;t=30", "\"default\";q=1200;w=300");
        assert_eq!(r.remaining, 50);
        assert_eq!(r.reset, Duration::from_secs(30));
        assert_eq!(r.quota, Some(1200));
        assert_eq!(r.window, Some(Duration::from_secs(300)));
    }

    #[test]
    fn the_tightest_limit_counts_with_its_own_policy_or_the_smallest_quota() {
        // Two limits: the smallest r wins, with the q of the policy of the same name.
        let r = reading(
            "\"default\";r=50;t=30, \"burst\";r=9;t=2",
            "\"default\";q=1200;w=300, \"burst\";q=100;w=60",
        );
        assert_eq!((r.remaining, r.reset), (9, Duration::from_secs(2)));
        assert_eq!(r.quota, Some(100));
        assert_eq!(r.window, Some(Duration::from_secs(60)));
        // Names that do not match (the docs' own example): the smallest q.
        let r = reading("\"default\";r=50;t=30", "\"burst\";q=100;w=60, \"x\";q=500");
        assert_eq!(r.quota, Some(100));
        // Tokens for names, spaces and unknown parameters are fine.
        let r = reading(" default ; r=7 ; t=3 ; pk=:YWJj: ", "default;q=20;w=15");
        assert_eq!((r.remaining, r.quota), (7, Some(20)));
    }

    #[test]
    fn missing_or_broken_headers_read_as_no_budget() {
        assert_eq!(Reading::from_headers(None, Some("\"d\";q=5;w=5")), None);
        assert_eq!(Reading::from_headers(Some("\"d\";r=5"), None), None);
        assert_eq!(Reading::from_headers(Some("garbage"), None), None);
        assert_eq!(Reading::from_headers(Some("\"d\";r=x;t=1"), None), None);
        // A limit without a policy still paces; the quota is unknown.
        let r = Reading::from_headers(Some("\"d\";r=5;t=9"), None).unwrap();
        assert_eq!((r.remaining, r.quota), (5, None));
        // A comma inside a quoted name does not split the member.
        let r = Reading::from_headers(Some("\"a,b\";r=4;t=9"), None).unwrap();
        assert_eq!(r.remaining, 4);
    }

    #[test]
    fn the_reserve_is_a_tenth_of_the_quota_at_least_one_unless_configured() {
        let budget = Budget::new(None);
        assert_eq!(budget.reserve(Some(1200)), 120);
        assert_eq!(budget.reserve(Some(20)), 2);
        assert_eq!(budget.reserve(Some(5)), 1);
        assert_eq!(budget.reserve(None), 1);
        assert_eq!(Budget::new(Some(0)).reserve(Some(1200)), 0);
        assert_eq!(Budget::new(Some(300)).reserve(Some(1200)), 300);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_process_paces_to_reach_the_reserve_as_the_window_resets() {
        let mut budget = Budget::new(None);
        let now = Instant::now();
        let pace = budget.observe(&reading("d;r=20;t=10", "d;q=20;w=15"), now);
        assert_eq!(pace, Pace::Rate(1.8), "(20 - 2) / 10");
        // Its own request took one: still alone.
        let pace = budget.observe(
            &reading("d;r=19;t=9", "d;q=20;w=15"),
            now + Duration::from_secs(1),
        );
        assert_eq!(pace, Pace::Rate(17.0 / 9.0));
        assert_eq!(budget.sharers(), 1.0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_falling_counter_shows_the_sharers_and_slows_the_pace() {
        let mut budget = Budget::new(None);
        let now = Instant::now();
        let policy = "d;q=100;w=60";
        // 10 spent in the window's first 10 s: as much as one process would spend.
        budget.observe(&reading("d;r=90;t=50", policy), now);
        assert_eq!(budget.sharers(), 1.0);
        // Five others spent while this process made one request, twice.
        budget.observe(&reading("d;r=84;t=50", policy), now);
        budget.observe(&reading("d;r=78;t=50", policy), now);
        assert!(
            (budget.sharers() - 4.75).abs() < 1e-9,
            "{}",
            budget.sharers()
        );
        let Pace::Rate(rate) = budget.observe(&reading("d;r=72;t=50", policy), now) else {
            panic!("not at the reserve");
        };
        let alone = (72.0 - 10.0) / 50.0;
        assert!(rate < alone / 5.0, "{rate} vs {alone}");
        // Answers that overtake each other teach nothing.
        let before = budget.sharers();
        budget.observe(&reading("d;r=73;t=50", policy), now);
        assert_eq!(budget.sharers(), before);
        // A new window keeps what was learnt about the others.
        budget.observe(
            &reading("d;r=99;t=60", policy),
            now + Duration::from_secs(61),
        );
        assert_eq!(budget.sharers(), before);
    }

    #[tokio::test(start_paused = true)]
    async fn a_first_reading_sees_the_others_in_what_the_window_has_spent() {
        // A process that just started, 3 s into a window of which 15 requests are spent: five a
        // second, twenty times what one process alone would spend now ((5 - 2) / 12).
        let mut budget = Budget::new(None);
        let pace = budget.observe(&reading("d;r=5;t=12", "d;q=20;w=15"), Instant::now());
        assert_eq!(budget.sharers(), 20.0);
        assert_eq!(
            pace,
            Pace::Rate(1.0 / 12.0),
            "its next request waits for the reset"
        );
        // Without the policy there is nothing to go by: alone until the counter says more.
        let mut budget = Budget::new(None);
        budget.observe(&reading("d;r=5;t=12", ""), Instant::now());
        assert_eq!(budget.sharers(), 1.0);
    }

    #[tokio::test(start_paused = true)]
    async fn just_before_the_reset_the_spare_is_not_sprinted() {
        // 3 to spare, 1 s left of a 15 s window: not 3 a second, but no sooner than the reset.
        let mut budget = Budget::new(None);
        let pace = budget.observe(&reading("d;r=5;t=1", "d;q=20;w=15"), Instant::now());
        assert_eq!(pace, Pace::Rate(1.0));
        // Mid-window the time left is what counts.
        let mut budget = Budget::new(None);
        let pace = budget.observe(&reading("d;r=15;t=10", "d;q=20;w=15"), Instant::now());
        assert_eq!(pace, Pace::Rate(1.3));
    }

    #[tokio::test(start_paused = true)]
    async fn at_the_reserve_everything_holds_past_the_reset_with_jitter() {
        let mut budget = Budget::new(None);
        let now = Instant::now();
        for remaining in [2, 1, 0] {
            let header = format!("d;r={remaining};t=7");
            let Pace::HoldUntil(until) = budget.observe(&reading(&header, "d;q=20;w=15"), now)
            else {
                panic!("r={remaining} is at the reserve of 2");
            };
            let extra = until - (now + Duration::from_secs(7));
            assert!(extra >= MIN_RESTART_JITTER && extra <= Duration::from_millis(1500));
        }
        // One above the reserve still paces, never slower than one request per window.
        let pace = budget.observe(&reading("d;r=3;t=7", "d;q=20;w=15"), now);
        assert_eq!(pace, Pace::Rate(1.0 / 7.0));
    }

    #[test]
    fn restart_jitter_spreads_within_its_bounds() {
        let samples: Vec<Duration> = (0..200)
            .map(|_| restart_jitter(Some(Duration::from_secs(300))))
            .collect();
        assert!(
            samples
                .iter()
                .all(|d| *d >= MIN_RESTART_JITTER && *d <= MAX_RESTART_JITTER)
        );
        let distinct: std::collections::HashSet<_> = samples.iter().collect();
        assert!(distinct.len() > 50, "spread out, not one instant");
    }
}
