//! Visits: a person's stays in the areas of a floor plan, and the rules that
//! turn them into attendance.
//!
//! A visit is a maximal set of one person's pings inside one area in which
//! successive pings are at most the visit gap apart. It depends on the set
//! of pings only, never on the order they arrive in: merging stays is
//! associative, commutative and idempotent, so redelivered, duplicated or
//! late pings give the same visits, and rebuilding from the stored pings
//! gives exactly what the stream gave.

use chrono::{DateTime, TimeDelta, Utc};

use crate::{AreaId, FieldError, PersonId};

/// One person's stay in one area, from its first ping to its last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Visit {
    /// Who.
    pub person_id: PersonId,
    /// Where.
    pub area_id: AreaId,
    /// The first ping's time.
    pub start: DateTime<Utc>,
    /// The last ping's time.
    pub end: DateTime<Utc>,
}

impl Visit {
    /// A visit of one ping.
    pub fn at(person_id: PersonId, area_id: AreaId, time: DateTime<Utc>) -> Self {
        Self {
            person_id,
            area_id,
            start: time,
            end: time,
        }
    }

    /// How long the person stayed.
    pub fn dwell(&self) -> TimeDelta {
        self.end - self.start
    }
}

/// Smallest and largest visit gap.
pub const VISIT_GAP_RANGE: (TimeDelta, TimeDelta) = (TimeDelta::seconds(1), TimeDelta::hours(1));

/// The longest time between two pings of one visit: longer, and the person
/// is taken to have left. Excursions shorter than this (GPS jitter at an
/// area's edge, a step outside) do not split a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitGap(TimeDelta);

impl VisitGap {
    /// Accepts gaps within [`VISIT_GAP_RANGE`].
    pub fn new(gap: TimeDelta) -> Result<Self, FieldError> {
        let (low, high) = VISIT_GAP_RANGE;
        if gap < low || gap > high {
            return Err(FieldError::new(
                "max_gap",
                "must be between one second and one hour",
            ));
        }
        Ok(Self(gap))
    }

    /// The gap.
    pub fn get(self) -> TimeDelta {
        self.0
    }

    /// Whether `later` (starting no earlier than `earlier`) belongs to the
    /// same visit.
    fn joins(self, earlier: &Visit, later: &Visit) -> bool {
        later.start - earlier.end <= self.0
    }
}

/// Merges stays of the same person and area that are at most `gap` apart,
/// overlapping ones included. The answer is sorted by person, area and
/// start, and is the same for any order and any repetition of the input.
pub fn merge_visits(visits: impl IntoIterator<Item = Visit>, gap: VisitGap) -> Vec<Visit> {
    let mut sorted: Vec<Visit> = visits.into_iter().collect();
    sorted.sort_unstable();
    let mut merged: Vec<Visit> = Vec::with_capacity(sorted.len());
    for visit in sorted {
        match merged.last_mut() {
            Some(last)
                if (last.person_id, last.area_id) == (visit.person_id, visit.area_id)
                    && gap.joins(last, &visit) =>
            {
                last.end = last.end.max(visit.end);
            }
            _ => merged.push(visit),
        }
    }
    merged
}

/// When a stay counts as attendance. Applied when answering, so changing
/// them needs no rebuild of the visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttendanceRules {
    /// A booth is visited after one visit at least this long.
    pub booth_min_dwell: TimeDelta,
    /// A presentation is attended after this long in its room during it, or
    /// half its length if shorter.
    pub presentation_min_presence: TimeDelta,
}

impl Default for AttendanceRules {
    fn default() -> Self {
        Self {
            booth_min_dwell: TimeDelta::minutes(2),
            presentation_min_presence: TimeDelta::minutes(10),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
    }

    fn gap() -> VisitGap {
        VisitGap::new(TimeDelta::minutes(2)).unwrap()
    }

    #[test]
    fn pings_closer_than_the_gap_make_one_visit() {
        let pings = [0, 10, 20, 150, 260, 400].map(|s| Visit::at(1, 7, at(s)));
        let visits = merge_visits(pings, gap());
        // 20 → 150 is 130 s apart: a new visit; 260 → 400 is 140 s.
        assert_eq!(
            visits,
            vec![
                Visit {
                    person_id: 1,
                    area_id: 7,
                    start: at(0),
                    end: at(20)
                },
                Visit {
                    person_id: 1,
                    area_id: 7,
                    start: at(150),
                    end: at(260)
                },
                Visit::at(1, 7, at(400)),
            ]
        );
    }

    #[test]
    fn a_late_ping_can_bridge_two_visits() {
        let mut visits = merge_visits([at(0), at(200)].map(|t| Visit::at(1, 7, t)), gap());
        assert_eq!(visits.len(), 2);
        visits.push(Visit::at(1, 7, at(100)));
        let bridged = merge_visits(visits, gap());
        assert_eq!(bridged.len(), 1);
        assert_eq!(bridged[0].dwell(), TimeDelta::seconds(200));
    }

    #[test]
    fn other_people_and_areas_stay_apart() {
        let visits = merge_visits(
            [
                Visit::at(1, 7, at(0)),
                Visit::at(2, 7, at(5)),
                Visit::at(1, 8, at(10)),
            ],
            gap(),
        );
        assert_eq!(visits.len(), 3);
    }

    proptest! {
        #[test]
        fn merging_ignores_order_repetition_and_batching(
            times in prop::collection::vec((0i64..3, 0i64..3_600), 1..60),
            cut in 0usize..60,
            seed in any::<u64>(),
        ) {
            let pings: Vec<Visit> = times.iter().map(|&(area, s)| Visit::at(1, area, at(s))).collect();
            let whole = merge_visits(pings.clone(), gap());

            // Shuffled, doubled, and merged in two batches whose results
            // are merged again, as the consumer and the store do.
            let mut shuffled = pings.clone();
            shuffled.extend(pings.iter().copied());
            fastrand_shuffle(&mut shuffled, seed);
            let cut = cut.min(shuffled.len());
            let (first, second) = shuffled.split_at(cut);
            let mut stored = merge_visits(first.to_vec(), gap());
            stored.extend(merge_visits(second.to_vec(), gap()));
            prop_assert_eq!(merge_visits(stored, gap()), whole);
        }
    }

    /// A deterministic shuffle without a dependency.
    fn fastrand_shuffle(items: &mut [Visit], mut seed: u64) {
        for index in (1..items.len()).rev() {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let other = (seed >> 33) as usize % (index + 1);
            items.swap(index, other);
        }
    }
}
