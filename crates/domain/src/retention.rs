//! How long pings, and what is derived from them, are kept: until a period
//! (DATA_RETENTION) after their event ends. The locations service drops
//! whole days of pings by this rule, the events service the visits of ended
//! events; the rule lives here so that both apply the same one.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};

use crate::Event;

/// The period data is kept after its event ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention(TimeDelta);

impl Retention {
    /// Keeps data for `period` after its event ends; a negative period
    /// would delete events' data before they end, so it counts as none.
    pub fn new(period: TimeDelta) -> Self {
        Self(period.max(TimeDelta::zero()))
    }

    /// The period.
    pub fn period(self) -> TimeDelta {
        self.0
    }

    /// Whether something that ended at `end` is past retention at `now`.
    pub fn has_expired(self, end: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        end + self.0 <= now
    }

    /// Whether every ping of the UTC day `day` is past retention at `now`:
    /// the day itself ended at least the period ago, and so did every event
    /// whose span `[start, end)` overlaps the day (an event's pings are kept
    /// as long as the event's other data).
    pub fn day_has_expired(self, day: NaiveDate, now: DateTime<Utc>, events: &[Event]) -> bool {
        let start = day.and_time(NaiveTime::MIN).and_utc();
        let end = start + TimeDelta::days(1);
        self.has_expired(end, now)
            && events
                .iter()
                .filter(|event| event.start < end && event.end > start)
                .all(|event| self.has_expired(event.end, now))
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, day, hour, 0, 0).unwrap()
    }

    fn event(start: DateTime<Utc>, end: DateTime<Utc>) -> Event {
        Event {
            id: 1,
            name: "Summit".to_owned(),
            start,
            end,
            time_zone: "UTC".to_owned(),
        }
    }

    #[test]
    fn a_day_expires_a_period_after_it_ends() {
        let retention = Retention::new(TimeDelta::days(2));
        let day = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        assert!(!retention.day_has_expired(day, at(12, 23), &[]));
        assert!(retention.day_has_expired(day, at(13, 0), &[]));
    }

    #[test]
    fn a_day_is_kept_while_an_event_overlapping_it_is() {
        let retention = Retention::new(TimeDelta::days(2));
        let day = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        // Began on the day, ended two days later: the day's pings stay as
        // long as the event's.
        let spanning = event(at(10, 9), at(12, 18));
        assert!(!retention.day_has_expired(day, at(14, 17), std::slice::from_ref(&spanning)));
        assert!(retention.day_has_expired(day, at(14, 18), &[spanning]));
        // Events touching the day only at its bounds do not overlap it.
        let before = event(at(9, 9), at(10, 0));
        let after = event(at(11, 0), at(20, 0));
        assert!(retention.day_has_expired(day, at(13, 0), &[before, after]));
    }

    #[test]
    fn a_negative_period_keeps_nothing_past_its_end() {
        let retention = Retention::new(TimeDelta::days(-3));
        assert_eq!(retention.period(), TimeDelta::zero());
        assert!(retention.has_expired(at(10, 0), at(10, 0)));
        assert!(!retention.has_expired(at(10, 1), at(10, 0)));
    }
}
