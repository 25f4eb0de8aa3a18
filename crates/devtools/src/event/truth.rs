//! The true attendance of a simulated event, by the product's definitions
//! applied to the planned stays, and how found answers score against it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::TimeDelta;
use serde::Serialize;

use super::{
    agenda::Itinerary,
    programme::{Presentation, Programme},
    venue::{AreaKind, Venue},
};

/// How long one visit of a booth must last (last ping − first) to count.
pub const BOOTH_DWELL: TimeDelta = TimeDelta::minutes(2);
/// The most presence a presentation asks for; a short one asks half its
/// length.
pub const PRESENCE_CAP: TimeDelta = TimeDelta::minutes(10);

/// Time in the room during a presentation that makes attendance.
pub fn presence_needed(presentation: &Presentation) -> TimeDelta {
    PRESENCE_CAP.min(presentation.length() / 2)
}

/// Something one attends: the key both the truth and the events service's
/// answers are mapped to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// A presentation, by its iCalendar UID.
    Presentation(String),
    /// A booth, by its area name.
    Booth(String),
}

/// Who attended what.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    attended: BTreeMap<i64, BTreeSet<Item>>,
}

impl Truth {
    /// The attendance of every itinerary: booths with one stay of at least
    /// `BOOTH_DWELL`, presentations with at least [`presence_needed`] of
    /// stays in their room during them.
    pub fn new(itineraries: &[Itinerary], venue: &Venue, programme: &Programme) -> Self {
        let areas = venue.areas();
        let attended = itineraries
            .iter()
            .map(|itinerary| {
                let booths = itinerary
                    .stays()
                    .filter(|&(area, from, to)| {
                        areas[area].kind == AreaKind::Booth && to - from >= BOOTH_DWELL
                    })
                    .map(|(area, _, _)| Item::Booth(areas[area].name.clone()));
                let presentations = programme
                    .presentations
                    .iter()
                    .filter(|presentation| {
                        let present = itinerary
                            .stays()
                            .filter(|&(area, _, _)| area == presentation.room)
                            .map(|(_, from, to)| {
                                (to.min(presentation.end) - from.max(presentation.start))
                                    .max(TimeDelta::zero())
                            })
                            .sum::<TimeDelta>();
                        present >= presence_needed(presentation)
                    })
                    .map(|presentation| Item::Presentation(presentation.uid.clone()));
                (itinerary.person_id, booths.chain(presentations).collect())
            })
            .collect();
        Self { attended }
    }

    /// Every (person, item) attended.
    pub fn attendance(&self) -> BTreeSet<(i64, Item)> {
        self.attended
            .iter()
            .flat_map(|(&person, items)| items.iter().map(move |item| (person, item.clone())))
            .collect()
    }

    /// Every (person, other person, item) that both attended: what asking
    /// each person for their shared attendance should find.
    pub fn shared(&self) -> BTreeSet<(i64, i64, Item)> {
        let mut attendees: BTreeMap<&Item, Vec<i64>> = BTreeMap::new();
        for (&person, items) in &self.attended {
            for item in items {
                attendees.entry(item).or_default().push(person);
            }
        }
        attendees
            .into_iter()
            .flat_map(|(item, persons)| {
                persons
                    .iter()
                    .flat_map(|&a| persons.iter().map(move |&b| (a, b)))
                    .filter(|(a, b)| a != b)
                    .map(|(a, b)| (a, b, item.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }
}

/// How a found set of facts compares with the true one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Agreement {
    /// True facts.
    pub expected: usize,
    /// Facts found.
    pub found: usize,
    /// Facts found that are true.
    pub matched: usize,
}

impl Agreement {
    /// Compares `found` with `truth`.
    pub fn of<T: Ord>(truth: &BTreeSet<T>, found: &BTreeSet<T>) -> Self {
        Self {
            expected: truth.len(),
            found: found.len(),
            matched: found.intersection(truth).count(),
        }
    }

    /// Share of the found facts that are true (1 when none was found).
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.found)
    }

    /// Share of the true facts that were found (1 when none is true).
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.expected)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_attendance_pairs_everyone_at_an_item_both_ways() {
        let booth = || Item::Booth("Booth A1".into());
        let talk = || Item::Presentation("x@example".into());
        let truth = Truth {
            attended: BTreeMap::from([
                (1, BTreeSet::from([booth(), talk()])),
                (2, BTreeSet::from([booth()])),
                (3, BTreeSet::from([talk()])),
            ]),
        };
        assert_eq!(
            truth.shared(),
            BTreeSet::from([
                (1, 2, booth()),
                (2, 1, booth()),
                (1, 3, talk()),
                (3, 1, talk()),
            ])
        );
        let found = BTreeSet::from([(1, 2, booth()), (2, 3, booth())]);
        let agreement = Agreement::of(&truth.shared(), &found);
        assert_eq!((agreement.precision(), agreement.recall()), (0.5, 0.25));
    }
}
