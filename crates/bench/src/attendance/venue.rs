//! A synthetic venue and the people walking through it: booths of 3 × 3 m
//! on a grid with 2 m aisles, rooms of `room_side` metres south of them, and
//! attendees going from booth to room to aisle, each pinging at a steady
//! interval. Seeded, so that runs compare.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use udaconnect_domain::{Area, AreaKind, NewArea, Outline, Position};

/// Where the venue's south-west booth corner is.
const ORIGIN: (f64, f64) = (52.5, 13.4);
/// Metres per degree of latitude.
const METRES_PER_DEGREE: f64 = 111_320.0;
/// Booth side and the pitch of the booth grid (side plus aisle), in metres.
const BOOTH_SIDE: f64 = 3.0;
const BOOTH_PITCH: f64 = 5.0;

/// A box in degrees: (south, west, north, east).
#[derive(Debug, Clone, Copy)]
struct Rect {
    south: f64,
    west: f64,
    north: f64,
    east: f64,
}

/// The first day of every synthetic event, 09:00 UTC.
pub fn opens() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

/// A floor plan of booths and rooms.
#[derive(Debug, Clone)]
pub struct Venue {
    /// The areas to upload, booths first (`booth-…`), then rooms (`room-…`).
    pub areas: Vec<NewArea>,
    boxes: Vec<Rect>,
    booths: usize,
    columns: usize,
    rows: usize,
}

fn degrees(x: f64, y: f64) -> (f64, f64) {
    let latitude = ORIGIN.0 + y / METRES_PER_DEGREE;
    let longitude = ORIGIN.1 + x / (METRES_PER_DEGREE * ORIGIN.0.to_radians().cos());
    (latitude, longitude)
}

fn rect(x: f64, y: f64, side: f64) -> Rect {
    let (south, west) = degrees(x, y);
    let (north, east) = degrees(x + side, y + side);
    Rect {
        south,
        west,
        north,
        east,
    }
}

fn outline(r: Rect) -> Outline {
    let corner = |longitude, latitude| Position {
        longitude,
        latitude,
    };
    Outline::new(
        "outline",
        vec![vec![
            corner(r.west, r.south),
            corner(r.east, r.south),
            corner(r.east, r.north),
            corner(r.west, r.north),
            corner(r.west, r.south),
        ]],
    )
    .expect("a synthetic square is a valid outline")
}

impl Venue {
    /// `booths` booths on a grid about 1.3 times wider than deep, and
    /// `rooms` square rooms of `room_side` metres, ten to a row, south of it.
    pub fn new(booths: usize, rooms: usize, room_side: f64) -> Self {
        let columns = (((booths as f64) * 1.3).sqrt().ceil() as usize).max(1);
        let rows = booths.div_ceil(columns);
        let mut areas = Vec::with_capacity(booths + rooms);
        let mut boxes = Vec::with_capacity(booths + rooms);
        for booth in 0..booths {
            let (column, row) = (booth % columns, booth / columns);
            let r = rect(
                column as f64 * BOOTH_PITCH,
                row as f64 * BOOTH_PITCH,
                BOOTH_SIDE,
            );
            boxes.push(r);
            areas.push(NewArea {
                name: format!("booth-{booth:05}"),
                kind: AreaKind::Booth,
                exhibitor: Some(format!("Exhibitor {booth}")),
                outline: outline(r),
            });
        }
        for room in 0..rooms {
            let (column, row) = (room % 10, room / 10);
            let pitch = room_side + 5.0;
            let r = rect(
                column as f64 * pitch,
                -(row as f64 + 1.0) * pitch,
                room_side,
            );
            boxes.push(r);
            areas.push(NewArea {
                name: format!("room-{room:03}"),
                kind: AreaKind::Room,
                exhibitor: None,
                outline: outline(r),
            });
        }
        Self {
            areas,
            boxes,
            booths,
            columns,
            rows,
        }
    }

    /// How many booths (the first areas).
    pub fn booths(&self) -> usize {
        self.booths
    }

    /// How many rooms (the areas after the booths).
    pub fn rooms(&self) -> usize {
        self.areas.len() - self.booths
    }

    /// The areas as stored, with ids `1..` in order, for event `event_id`.
    pub fn domain_areas(&self, event_id: i64) -> Vec<Area> {
        self.areas
            .iter()
            .enumerate()
            .map(|(index, area)| Area {
                id: index as i64 + 1,
                event_id,
                name: area.name.clone(),
                kind: area.kind,
                exhibitor: area.exhibitor.clone(),
                outline: area.outline.clone(),
            })
            .collect()
    }

    /// A random point well inside area `index` (10 % margins).
    pub fn inside(&self, index: usize, rng: &mut fastrand::Rng) -> (f64, f64) {
        let r = self.boxes[index];
        let at = |low: f64, high: f64, u: f64| low + (high - low) * (0.1 + 0.8 * u);
        (
            at(r.south, r.north, rng.f64()),
            at(r.west, r.east, rng.f64()),
        )
    }

    /// A random point in an aisle between booth columns: in no area.
    pub fn aisle(&self, rng: &mut fastrand::Rng) -> (f64, f64) {
        let column = rng.usize(..self.columns);
        let x = column as f64 * BOOTH_PITCH + BOOTH_SIDE + 0.5 + rng.f64();
        let y = rng.f64() * self.rows as f64 * BOOTH_PITCH;
        degrees(x, y)
    }
}

/// Where an attendee is until when: an area's index, or walking (`None`).
#[derive(Debug, Clone, Copy)]
struct Stay {
    area: Option<usize>,
    until: DateTime<Utc>,
}

/// Attendees wandering: booth visits of 1–10 minutes (55 %), talks of
/// 15–45 minutes in a room (30 %), walks of 1–3 minutes in the aisles.
#[derive(Debug)]
pub struct Crowd<'a> {
    venue: &'a Venue,
    stays: Vec<Stay>,
    rng: fastrand::Rng,
}

impl<'a> Crowd<'a> {
    /// `attendees` persons, all arriving at `start`.
    pub fn new(venue: &'a Venue, attendees: usize, start: DateTime<Utc>, seed: u64) -> Self {
        let mut crowd = Self {
            venue,
            stays: Vec::with_capacity(attendees),
            rng: fastrand::Rng::with_seed(seed),
        };
        for _ in 0..attendees {
            let stay = crowd.next_stay(start);
            crowd.stays.push(stay);
        }
        crowd
    }

    fn next_stay(&mut self, from: DateTime<Utc>) -> Stay {
        let roll = self.rng.f64();
        let rooms = self.venue.rooms();
        let (area, minutes) = if roll < 0.55 || rooms == 0 {
            (
                Some(self.rng.usize(..self.venue.booths)),
                1.0 + 9.0 * self.rng.f64(),
            )
        } else if roll < 0.85 {
            (
                Some(self.venue.booths + self.rng.usize(..rooms)),
                15.0 + 30.0 * self.rng.f64(),
            )
        } else {
            (None, 1.0 + 2.0 * self.rng.f64())
        };
        Stay {
            area,
            until: from + TimeDelta::milliseconds((minutes * 60_000.0) as i64),
        }
    }

    /// Where person `index` (0-based) is at `time`, which must not go back
    /// for one person: (latitude, longitude).
    pub fn position(&mut self, index: usize, time: DateTime<Utc>) -> (f64, f64) {
        while self.stays[index].until <= time {
            let until = self.stays[index].until;
            self.stays[index] = self.next_stay(until);
        }
        match self.stays[index].area {
            Some(area) => self.venue.inside(area, &mut self.rng),
            None => self.venue.aisle(&mut self.rng),
        }
    }
}

/// One ping: person (1-based), latitude, longitude, time.
#[derive(Debug, Clone, Copy)]
pub struct Ping {
    pub person_id: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub time: DateTime<Utc>,
}

/// `attendees` pinging every `interval` from `start` for `length`, in time
/// order (each phone with a phase of its own), at most `limit` pings.
pub fn pings(
    venue: &Venue,
    attendees: usize,
    start: DateTime<Utc>,
    length: TimeDelta,
    interval: TimeDelta,
    limit: usize,
    seed: u64,
) -> Vec<Ping> {
    let mut crowd = Crowd::new(venue, attendees, start, seed);
    let mut rng = fastrand::Rng::with_seed(seed ^ 0xface);
    let step = interval.num_milliseconds().max(1);
    let mut phases: Vec<(i64, usize)> = (0..attendees)
        .map(|person| (rng.i64(0..step), person))
        .collect();
    phases.sort_unstable();
    let ticks = length.num_milliseconds() / step;
    let mut pings = Vec::with_capacity(limit.min(ticks as usize * attendees));
    'ticks: for tick in 0..ticks {
        for &(phase, person) in &phases {
            if pings.len() == limit {
                break 'ticks;
            }
            let time = start + TimeDelta::milliseconds(tick * step + phase);
            let (latitude, longitude) = crowd.position(person, time);
            pings.push(Ping {
                person_id: person as i64 + 1,
                latitude,
                longitude,
                time,
            });
        }
    }
    pings
}
