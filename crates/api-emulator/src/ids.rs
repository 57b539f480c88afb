//! Identifiers (32 lowercase hex) and RFC 3339 UTC timestamps with microseconds.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};

/// A fresh random 32-lowercase-hex identifier.
pub fn new_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// `2023-09-21T18:56:32.624632Z`.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Hands out strictly increasing timestamps (microsecond resolution), so every write
/// gets a distinct, later `modified`.
#[derive(Debug, Default)]
pub struct MonotonicClock {
    last: Option<DateTime<Utc>>,
}

impl MonotonicClock {
    pub fn now(&mut self) -> DateTime<Utc> {
        let mut now = Utc::now().trunc_subsecs(6);
        if let Some(last) = self.last
            && now <= last
        {
            now = last + TimeDelta::microseconds(1);
        }
        self.last = Some(now);
        now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_lowercase_hex_and_distinct() {
        let first = new_id();
        assert_eq!(first.len(), 32);
        assert!(
            first
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        );
        assert_ne!(first, new_id());
    }

    #[test]
    fn timestamps_have_six_fraction_digits_and_never_repeat() {
        let mut clock = MonotonicClock::default();
        let stamps: Vec<String> = (0..50).map(|_| format_timestamp(clock.now())).collect();
        for stamp in &stamps {
            assert_eq!(stamp.len(), "2023-09-21T18:56:32.624632Z".len(), "{stamp}");
            assert!(stamp.ends_with('Z'));
            assert!(DateTime::parse_from_rfc3339(stamp).is_ok());
        }
        let mut sorted = stamps.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, stamps);
    }
}
