//! A model of a conference floor: booths on a grid with aisles between
//! them, talk rooms beyond a lobby, and attendees who stay at places and walk
//! the aisles in between. The simulator plays it through the ingest service;
//! the benchmarks load it straight into the database. Its stays are the
//! ground truth that contact search is checked against.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

/// Metres per degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_320.0;
/// The venue's corner: the Moscone Center, San Francisco.
const VENUE_ORIGIN: (f64, f64) = (37.784_000, -122.401_000);
/// Distance between neighbouring booths' centres, in metres; the aisles run
/// midway between them.
const BOOTH_SPACING: f64 = 15.0;
/// Where attendees stand around a booth's centre, in metres.
const BOOTH_RADIUS: f64 = 2.0;
/// Where attendees sit around a talk room's centre, in metres.
const TALK_RADIUS: f64 = 6.0;
/// Distance between neighbouring talk rooms' centres, in metres.
const TALK_SPACING: f64 = 20.0;
/// Distance between the corners of neighbouring halls, in metres.
const HALL_SPACING: f64 = 1_000.0;
/// Walking speed between places, m/s.
const WALKING_SPEED: f64 = 1.2;
/// Shortest walk between two stays.
const MIN_WALK_SECONDS: f64 = 20.0;
/// Share of visits that are talks rather than booths.
const TALK_SHARE: f64 = 0.25;

/// What kind of place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceKind {
    /// An exhibitor's booth: short stays, a few people.
    Booth,
    /// A talk room: long stays, many people.
    Talk,
}

/// A booth or a talk room: a disc where attendees stand, and the point on
/// the aisles (its door) through which they come and go.
#[derive(Debug, Clone)]
pub struct Place {
    /// `booth-07`, `talk-2`.
    pub name: String,
    /// Booth or talk.
    pub kind: PlaceKind,
    /// Metres east and north of the venue's corner.
    centre: (f64, f64),
    radius: f64,
    door: (f64, f64),
}

impl Place {
    /// Where the place is, in WGS 84 degrees (latitude, longitude).
    pub fn centre_degrees(&self) -> (f64, f64) {
        to_degrees(self.centre)
    }

    /// Radius of the disc attendees stand in, in metres.
    pub fn radius(&self) -> f64 {
        self.radius
    }
}

/// The floor: booths in a square grid with aisles midway between rows and
/// columns, then a lobby, then the talk rooms in a row.
#[derive(Debug, Clone)]
pub struct Venue {
    places: Vec<Place>,
    booths: Vec<usize>,
    talks: Vec<usize>,
}

impl Venue {
    /// A venue with `booths` booths and `talks` talk rooms (at least one place).
    pub fn new(booths: u32, talks: u32) -> Self {
        let columns = f64::from(booths).sqrt().ceil().max(1.0) as u32;
        let rows = booths.div_ceil(columns).max(1);
        let aisle = BOOTH_SPACING / 2.0;
        // The lobby runs a full aisle's width beyond the last booth row, so
        // people crossing it pass no booth within its spacing.
        let lobby = f64::from(rows - 1) * BOOTH_SPACING + aisle + BOOTH_SPACING;
        let booth_places = (0..booths).map(|i| {
            let centre = (
                f64::from(i % columns) * BOOTH_SPACING,
                f64::from(i / columns) * BOOTH_SPACING,
            );
            Place {
                name: format!("booth-{:02}", i + 1),
                kind: PlaceKind::Booth,
                centre,
                radius: BOOTH_RADIUS,
                door: (centre.0, centre.1 + aisle),
            }
        });
        let talk_places = (0..talks).map(|i| {
            let x = f64::from(i) * TALK_SPACING;
            Place {
                name: format!("talk-{}", i + 1),
                kind: PlaceKind::Talk,
                centre: (x, lobby + 2.0 * TALK_RADIUS),
                radius: TALK_RADIUS,
                door: (x, lobby),
            }
        });
        let places: Vec<Place> = booth_places.chain(talk_places).collect();
        let of_kind = |kind| {
            (0..places.len())
                .filter(|&i| places[i].kind == kind)
                .collect()
        };
        Self {
            booths: of_kind(PlaceKind::Booth),
            talks: of_kind(PlaceKind::Talk),
            places,
        }
    }

    /// The same floor as hall number `hall` of a convention centre, halls
    /// side by side, so a large event keeps each hall's density and walks.
    pub fn in_hall(mut self, hall: u32) -> Self {
        let east = f64::from(hall) * HALL_SPACING;
        for place in &mut self.places {
            place.centre.0 += east;
            place.door.0 += east;
        }
        self
    }

    /// The smallest box holding every place and the aisles between them,
    /// as its south-west and north-east corners in WGS 84 degrees
    /// (latitude, longitude): where the venue's pings fall.
    pub fn bounds_degrees(&self) -> ((f64, f64), (f64, f64)) {
        let (mut west, mut south) = (f64::INFINITY, f64::INFINITY);
        let (mut east, mut north) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for place in &self.places {
            // The disc, the door, and for a booth the column aisle beside
            // it (see `route`).
            let aisle = match place.kind {
                PlaceKind::Booth => BOOTH_SPACING / 2.0,
                PlaceKind::Talk => 0.0,
            };
            west = west.min(place.centre.0 - place.radius).min(place.door.0);
            east = east
                .max(place.centre.0 + place.radius)
                .max(place.centre.0 + aisle);
            south = south.min(place.centre.1 - place.radius).min(place.door.1);
            north = north.max(place.centre.1 + place.radius).max(place.door.1);
        }
        (to_degrees((west, south)), to_degrees((east, north)))
    }

    /// Every place, booths first.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The walk from place `from` to place `to` along the aisles: out of the
    /// first place to its door, along a column aisle, and in through the
    /// second's door. Booth aisles pass booths at half their spacing, so a
    /// passer-by never comes as close to the people at a booth as they are to
    /// each other.
    fn route(&self, from: usize, to: usize) -> Vec<(f64, f64)> {
        let (a, b) = (&self.places[from], &self.places[to]);
        let mut route = vec![a.centre, a.door];
        let column_aisle = match (a.kind, b.kind) {
            (PlaceKind::Talk, PlaceKind::Talk) => None,
            (PlaceKind::Booth, _) => Some(a.centre.0 + BOOTH_SPACING / 2.0),
            (PlaceKind::Talk, PlaceKind::Booth) => Some(b.centre.0 + BOOTH_SPACING / 2.0),
        };
        if let Some(x) = column_aisle {
            route.extend([(x, a.door.1), (x, b.door.1)]);
        }
        route.extend([b.door, b.centre]);
        route
    }

    /// How long walking `route` takes.
    fn walking_time(route: &[(f64, f64)]) -> TimeDelta {
        let seconds = (length(route) / WALKING_SPEED).max(MIN_WALK_SECONDS);
        TimeDelta::milliseconds((seconds * 1000.0) as i64)
    }
}

fn length(route: &[(f64, f64)]) -> f64 {
    route
        .windows(2)
        .map(|leg| (leg[1].0 - leg[0].0).hypot(leg[1].1 - leg[0].1))
        .sum()
}

/// The point `share` (0 to 1) of the way along `route`.
fn along(route: &[(f64, f64)], share: f64) -> (f64, f64) {
    let mut remaining = length(route) * share.clamp(0.0, 1.0);
    for leg in route.windows(2) {
        let leg_length = (leg[1].0 - leg[0].0).hypot(leg[1].1 - leg[0].1);
        if remaining <= leg_length && leg_length > 0.0 {
            let t = remaining / leg_length;
            return (
                leg[0].0 + (leg[1].0 - leg[0].0) * t,
                leg[0].1 + (leg[1].1 - leg[0].1) * t,
            );
        }
        remaining -= leg_length;
    }
    route[route.len() - 1]
}

/// Venue metres to WGS 84 degrees (latitude, longitude).
fn to_degrees((east, north): (f64, f64)) -> (f64, f64) {
    let latitude = VENUE_ORIGIN.0 + north / METRES_PER_DEGREE;
    let longitude = VENUE_ORIGIN.1 + east / (METRES_PER_DEGREE * VENUE_ORIGIN.0.to_radians().cos());
    (latitude, longitude)
}

/// One stay of an attendee at a place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stay {
    /// Index into [`Venue::places`].
    pub place: usize,
    /// When the attendee arrived.
    pub arrive: DateTime<Utc>,
    /// When the attendee left.
    pub leave: DateTime<Utc>,
}

/// An attendee's day: stays at places, walking in between.
#[derive(Debug, Clone)]
pub struct Itinerary {
    /// The attendee.
    pub person_id: i64,
    /// In time order, never overlapping.
    pub stays: Vec<Stay>,
}

/// A row of the ground truth: who was at which place when.
#[derive(Debug, Clone, Serialize)]
pub struct Visit {
    /// The attendee.
    pub person_id: i64,
    /// The place's name.
    pub place: String,
    /// Booth or talk.
    pub kind: PlaceKind,
    /// The place's centre.
    pub latitude: f64,
    /// The place's centre.
    pub longitude: f64,
    /// The disc the attendee stood in, in metres.
    pub radius_m: f64,
    /// Arrival.
    pub arrive: DateTime<Utc>,
    /// Departure.
    pub leave: DateTime<Utc>,
}

/// Plans one attendee's day from `start` to `end`: a booth (2–8 minutes) or
/// a talk (10–20 minutes) after another, chosen at random, with the walks
/// between them.
pub fn plan(
    person_id: i64,
    venue: &Venue,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rng: &mut fastrand::Rng,
) -> Itinerary {
    let mut stays = Vec::new();
    let mut at = start;
    let mut previous: Option<usize> = None;
    while at < end {
        let pool = if !venue.talks.is_empty() && (venue.booths.is_empty() || rng.f64() < TALK_SHARE)
        {
            &venue.talks
        } else {
            &venue.booths
        };
        let place = pool[rng.usize(..pool.len())];
        if let Some(from) = previous {
            at += Venue::walking_time(&venue.route(from, place));
        }
        let dwell_minutes = match venue.places[place].kind {
            PlaceKind::Talk => 10.0 + rng.f64() * 10.0,
            PlaceKind::Booth => 2.0 + rng.f64() * 6.0,
        };
        let leave = (at + TimeDelta::milliseconds((dwell_minutes * 60_000.0) as i64)).min(end);
        if at < leave {
            stays.push(Stay {
                place,
                arrive: at,
                leave,
            });
        }
        previous = Some(place);
        at = leave;
    }
    Itinerary { person_id, stays }
}

impl Itinerary {
    /// Where the phone is at `time`, in WGS 84 degrees (latitude,
    /// longitude): anywhere in the place it is visiting, or on the aisles
    /// between two places.
    pub fn position(
        &self,
        venue: &Venue,
        time: DateTime<Utc>,
        rng: &mut fastrand::Rng,
    ) -> (f64, f64) {
        to_degrees(self.position_meters(venue, time, rng))
    }

    fn position_meters(
        &self,
        venue: &Venue,
        time: DateTime<Utc>,
        rng: &mut fastrand::Rng,
    ) -> (f64, f64) {
        let next = self.stays.partition_point(|stay| stay.arrive <= time);
        let Some(current) = next.checked_sub(1).map(|i| self.stays[i]) else {
            return self
                .stays
                .first()
                .map_or((0.0, 0.0), |stay| venue.places[stay.place].centre);
        };
        if time < current.leave {
            let place = &venue.places[current.place];
            let (angle, reach) = (
                rng.f64() * std::f64::consts::TAU,
                place.radius * rng.f64().sqrt(),
            );
            return (
                place.centre.0 + reach * angle.cos(),
                place.centre.1 + reach * angle.sin(),
            );
        }
        match self.stays.get(next) {
            Some(following) => {
                let share = (time - current.leave).as_seconds_f64()
                    / (following.arrive - current.leave).as_seconds_f64();
                along(&venue.route(current.place, following.place), share)
            }
            None => venue.places[current.place].centre,
        }
    }

    /// The stays as ground-truth rows.
    pub fn visits<'a>(&'a self, venue: &'a Venue) -> impl Iterator<Item = Visit> + 'a {
        self.stays.iter().map(|stay| {
            let place = &venue.places[stay.place];
            let (latitude, longitude) = place.centre_degrees();
            Visit {
                person_id: self.person_id,
                place: place.name.clone(),
                kind: place.kind,
                latitude,
                longitude,
                radius_m: place.radius,
                arrive: stay.arrive,
                leave: stay.leave,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn itineraries_cover_the_conference_without_overlap() {
        let venue = Venue::new(9, 2);
        let start = Utc::now();
        let end = start + TimeDelta::minutes(60);
        let mut rng = fastrand::Rng::with_seed(7);
        for person in 0..50 {
            let plan = plan(person, &venue, start, end, &mut rng);
            assert!(!plan.stays.is_empty());
            for pair in plan.stays.windows(2) {
                assert!(pair[0].leave <= pair[1].arrive, "stays overlap");
            }
            assert!(
                plan.stays
                    .iter()
                    .all(|s| start <= s.arrive && s.arrive < s.leave && s.leave <= end)
            );
        }
    }

    #[test]
    fn pings_during_a_stay_fall_inside_the_place() {
        let venue = Venue::new(4, 1);
        let start = Utc::now();
        let mut rng = fastrand::Rng::with_seed(3);
        let plan = plan(1, &venue, start, start + TimeDelta::minutes(30), &mut rng);
        for stay in &plan.stays {
            let middle = stay.arrive + (stay.leave - stay.arrive) / 2;
            let (east, north) = plan.position_meters(&venue, middle, &mut rng);
            let place = &venue.places[stay.place];
            assert!((east - place.centre.0).hypot(north - place.centre.1) <= place.radius + 1e-9);
        }
    }

    #[test]
    fn every_ping_falls_within_the_venue_bounds() {
        let venue = Venue::new(24, 4).in_hall(1);
        let ((south, west), (north, east)) = venue.bounds_degrees();
        let start = Utc::now();
        let mut rng = fastrand::Rng::with_seed(5);
        for person in 0..20 {
            let plan = plan(
                person,
                &venue,
                start,
                start + TimeDelta::minutes(60),
                &mut rng,
            );
            for minute in 0..60 {
                let time = start + TimeDelta::minutes(minute);
                let (latitude, longitude) = plan.position(&venue, time, &mut rng);
                assert!(
                    (south..=north).contains(&latitude),
                    "{latitude} outside {south}..{north}"
                );
                assert!(
                    (west..=east).contains(&longitude),
                    "{longitude} outside {west}..{east}"
                );
            }
        }
    }

    /// Walkers keep more than 5 m from everyone standing at a booth they
    /// pass (only their own two booths' doorways come closer).
    #[test]
    fn aisles_keep_passers_by_away_from_booths() {
        let venue = Venue::new(24, 4);
        for from in 0..venue.places.len() {
            for to in 0..venue.places.len() {
                let route = venue.route(from, to);
                for step in 0..=200 {
                    let point = along(&route, f64::from(step) / 200.0);
                    for (index, booth) in venue.places.iter().enumerate() {
                        if index == from || index == to {
                            continue;
                        }
                        let gap = (point.0 - booth.centre.0).hypot(point.1 - booth.centre.1)
                            - booth.radius;
                        assert!(
                            gap > 5.0,
                            "{from}->{to} passes {} at {gap:.1} m",
                            booth.name
                        );
                    }
                }
            }
        }
    }
}
