//! Attendees' days at a simulated event: which presentations they go to
//! (by interest), when they come and go, and the booths they browse in
//! between, as a sequence of stays and walks. The timings keep every
//! attendance decision far from its threshold, so the truth is the same
//! whatever the phones' ping phase.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::{
    programme::{Presentation, Programme, topic_count},
    venue::{AislePoint, AreaKind, Metres, STAY_MARGIN, Venue},
};

/// Arrival at a presentation, relative to its start: from a little early
/// to within its first 3 minutes.
const ARRIVAL: (TimeDelta, TimeDelta) = (TimeDelta::minutes(-2), TimeDelta::minutes(3));
/// Share of attendees who walk out very early, and how long after arriving
/// (far below any presence a presentation asks).
const VERY_EARLY_EXIT: (f64, TimeDelta, TimeDelta) =
    (0.08, TimeDelta::minutes(2), TimeDelta::minutes(4));
/// Share of attendees who leave before the end, and when, as shares of the
/// presentation's length (far above the presence it asks).
const LATE_EXIT: (f64, f64, f64) = (0.12, 0.75, 0.9);
/// Departure of everyone else, relative to the end.
const DEPARTURE: (TimeDelta, TimeDelta) = (TimeDelta::minutes(-1), TimeDelta::minutes(2));
/// A booth passed by: too short to count as a visit at any ping phase.
const PASS: (TimeDelta, TimeDelta) = (TimeDelta::seconds(20), TimeDelta::seconds(70));
/// A real booth visit: long enough to count at any ping phase.
const BOOTH_VISIT: (TimeDelta, TimeDelta) =
    (TimeDelta::seconds(3 * 60 + 30), TimeDelta::minutes(12));
/// Share of booth stays that are passes.
const PASS_SHARE: f64 = 0.35;
/// Nobody comes back to a booth sooner: two passes never join into a visit.
const BOOTH_RETURN: TimeDelta = TimeDelta::minutes(6);
/// Booths tried before giving up on fitting one more stay before a
/// deadline.
const BOOTH_TRIES: usize = 8;
/// Chance of going to a presentation on one of the attendee's interests,
/// when the slot has one, and to another one otherwise.
const ATTENDANCE: (f64, f64) = (0.9, 0.3);
/// How many topics interest an attendee.
const INTERESTS: (usize, usize) = (2, 3);
/// How far a staying person shifts about their spot, in metres.
const FIDGET: f64 = 0.3;

/// A stretch of an attendee's day.
#[derive(Debug, Clone, PartialEq)]
pub enum Leg {
    /// In an area, `STAY_MARGIN` or more inside its edges.
    Stay {
        /// Index into the venue's areas.
        area: usize,
        /// Where the attendee stands or sits.
        spot: Metres,
        /// Arrival.
        from: DateTime<Utc>,
        /// Departure.
        to: DateTime<Utc>,
    },
    /// On the aisles: along `route` at walking speed from `from`, then
    /// waiting at its end until `to`.
    Walk {
        /// The way, on the aisles' walking lines.
        route: Vec<Metres>,
        /// Departure.
        from: DateTime<Utc>,
        /// Arrival.
        to: DateTime<Utc>,
    },
}

impl Leg {
    /// When the leg begins.
    pub fn from(&self) -> DateTime<Utc> {
        match self {
            Leg::Stay { from, .. } | Leg::Walk { from, .. } => *from,
        }
    }

    /// When the leg ends (the next one's beginning).
    pub fn to(&self) -> DateTime<Utc> {
        match self {
            Leg::Stay { to, .. } | Leg::Walk { to, .. } => *to,
        }
    }
}

/// One attendee's day, from the event's start to its end.
#[derive(Debug, Clone)]
pub struct Itinerary {
    /// The attendee.
    pub person_id: i64,
    /// Topics (indices) the attendee chooses presentations by.
    pub interests: Vec<usize>,
    /// In time order, each beginning where the previous one ends.
    pub legs: Vec<Leg>,
}

impl Itinerary {
    /// Plans the day of `person_id` at `programme` in `venue`, from `start`
    /// to `end`.
    pub fn plan(
        person_id: i64,
        venue: &Venue,
        programme: &Programme,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        rng: &mut fastrand::Rng,
    ) -> Self {
        let mut interests: Vec<usize> = (0..topic_count()).collect();
        rng.shuffle(&mut interests);
        interests.truncate(rng.usize(INTERESTS.0..=INTERESTS.1));

        let entrance = venue.entrance(rng);
        let booths = venue.of_kind(AreaKind::Booth);
        let mut planner = Planner {
            venue,
            booths: &booths,
            rng,
            legs: Vec::new(),
            here: entrance,
            at: start,
            left_booth: HashMap::new(),
        };
        for slot in &programme.slots {
            let Some(presentation) = choose(
                &programme.presentations[slot.clone()],
                &interests,
                planner.rng,
            ) else {
                continue;
            };
            let door = venue.areas()[presentation.room].door;
            let earliest = planner.at + seconds(venue.walking_seconds(planner.here, door));
            let arrive = (presentation.start + between(planner.rng, ARRIVAL)).max(earliest);
            if arrive > presentation.start + ARRIVAL.1 {
                // Too far to get there in time: the attendee browses on.
                continue;
            }
            let leave = departure(presentation, arrive, planner.rng).min(end);
            planner.browse_until(door, arrive);
            planner.stay(presentation.room, leave);
        }
        planner.browse_until(entrance, end);
        Self {
            person_id,
            interests,
            legs: planner.legs,
        }
    }

    /// The stays, as (area index, arrival, departure).
    pub fn stays(&self) -> impl Iterator<Item = (usize, DateTime<Utc>, DateTime<Utc>)> + '_ {
        self.legs.iter().filter_map(|leg| match leg {
            Leg::Stay { area, from, to, .. } => Some((*area, *from, *to)),
            Leg::Walk { .. } => None,
        })
    }

    /// Where the attendee is at `time`, before any GPS noise: about their
    /// spot while staying (never nearer than `STAY_MARGIN` to the area's
    /// edges), on the route while walking.
    pub fn position(&self, venue: &Venue, time: DateTime<Utc>, rng: &mut fastrand::Rng) -> Metres {
        let index = self
            .legs
            .partition_point(|leg| leg.from() <= time)
            .saturating_sub(1);
        match &self.legs[index] {
            Leg::Stay { area, spot, .. } => {
                let room = venue.areas()[*area].outline.inset(STAY_MARGIN);
                (
                    (spot.0 + FIDGET * (2.0 * rng.f64() - 1.0)).clamp(room.west, room.east),
                    (spot.1 + FIDGET * (2.0 * rng.f64() - 1.0)).clamp(room.south, room.north),
                )
            }
            Leg::Walk { route, from, .. } => {
                Venue::walked(route, (time - *from).as_seconds_f64().max(0.0))
            }
        }
    }
}

/// The presentation of a slot the attendee goes to, if any.
fn choose<'a>(
    slot: &'a [Presentation],
    interests: &[usize],
    rng: &mut fastrand::Rng,
) -> Option<&'a Presentation> {
    let interesting: Vec<&Presentation> = slot
        .iter()
        .filter(|p| interests.contains(&p.topic))
        .collect();
    if !interesting.is_empty() && rng.f64() < ATTENDANCE.0 {
        Some(interesting[rng.usize(..interesting.len())])
    } else if !slot.is_empty() && rng.f64() < ATTENDANCE.1 {
        Some(&slot[rng.usize(..slot.len())])
    } else {
        None
    }
}

/// When an attendee who arrived at `arrive` leaves `presentation`: very
/// early, well before the end, or about the end.
fn departure(
    presentation: &Presentation,
    arrive: DateTime<Utc>,
    rng: &mut fastrand::Rng,
) -> DateTime<Utc> {
    let draw = rng.f64();
    if draw < VERY_EARLY_EXIT.0 {
        arrive + between(rng, (VERY_EARLY_EXIT.1, VERY_EARLY_EXIT.2))
    } else if draw < VERY_EARLY_EXIT.0 + LATE_EXIT.0 {
        let share = LATE_EXIT.1 + rng.f64() * (LATE_EXIT.2 - LATE_EXIT.1);
        presentation.start + seconds(presentation.length().as_seconds_f64() * share)
    } else {
        presentation.end + between(rng, DEPARTURE)
    }
}

/// A random span in `[low, high]`, to the millisecond.
fn between(rng: &mut fastrand::Rng, (low, high): (TimeDelta, TimeDelta)) -> TimeDelta {
    TimeDelta::milliseconds(rng.i64(low.num_milliseconds()..=high.num_milliseconds()))
}

fn seconds(seconds: f64) -> TimeDelta {
    TimeDelta::milliseconds((seconds * 1000.0).ceil() as i64)
}

/// Builds an itinerary leg by leg.
struct Planner<'a> {
    venue: &'a Venue,
    booths: &'a [usize],
    rng: &'a mut fastrand::Rng,
    legs: Vec<Leg>,
    /// Where the last leg ended.
    here: AislePoint,
    /// When it ended.
    at: DateTime<Utc>,
    /// When the attendee last left each booth.
    left_booth: HashMap<usize, DateTime<Utc>>,
}

impl Planner<'_> {
    /// Browses booths while there is time, then walks to `destination`,
    /// arriving at `deadline` (or waiting there until then).
    fn browse_until(&mut self, destination: AislePoint, deadline: DateTime<Utc>) {
        while let Some((booth, arrive, leave)) = self.next_booth(destination, deadline) {
            self.walk(self.venue.areas()[booth].door, arrive);
            self.stay(booth, leave);
        }
        self.walk(destination, deadline);
    }

    /// A booth to stay at next, with arrival and departure, leaving time to
    /// reach `destination` by `deadline`; none when no booth fits.
    fn next_booth(
        &mut self,
        destination: AislePoint,
        deadline: DateTime<Utc>,
    ) -> Option<(usize, DateTime<Utc>, DateTime<Utc>)> {
        if self.booths.is_empty() {
            return None;
        }
        for _ in 0..BOOTH_TRIES {
            let booth = self.booths[self.rng.usize(..self.booths.len())];
            let door = self.venue.areas()[booth].door;
            let arrive = self.at + seconds(self.venue.walking_seconds(self.here, door));
            if self
                .left_booth
                .get(&booth)
                .is_some_and(|&left| arrive - left < BOOTH_RETURN)
            {
                continue;
            }
            let budget = deadline - arrive - seconds(self.venue.walking_seconds(door, destination));
            let dwell = if self.rng.f64() >= PASS_SHARE && budget >= BOOTH_VISIT.0 {
                between(self.rng, BOOTH_VISIT).min(budget)
            } else if budget >= PASS.0 {
                between(self.rng, (PASS.0, PASS.1.min(budget)))
            } else {
                continue;
            };
            return Some((booth, arrive, arrive + dwell));
        }
        None
    }

    /// Walks from here to `to`, arriving (or done waiting) at `until`.
    fn walk(&mut self, to: AislePoint, until: DateTime<Utc>) {
        self.legs.push(Leg::Walk {
            route: self.venue.route(self.here, to),
            from: self.at,
            to: until,
        });
        self.here = to;
        self.at = until;
    }

    /// Stays in `area`, entered from its door, until `until`.
    fn stay(&mut self, area: usize, until: DateTime<Utc>) {
        let inner = self.venue.areas()[area].outline.inset(STAY_MARGIN);
        let spot = (
            inner.west + self.rng.f64() * (inner.east - inner.west),
            inner.south + self.rng.f64() * (inner.north - inner.south),
        );
        self.legs.push(Leg::Stay {
            area,
            spot,
            from: self.at,
            to: until,
        });
        if self.venue.areas()[area].kind == AreaKind::Booth {
            self.left_booth.insert(area, until);
        }
        self.at = until;
        self.here = self.venue.areas()[area].door;
    }
}
