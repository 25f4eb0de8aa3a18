//! The venue of a simulated event, laid out to scale: booths on a grid with
//! an aisle between every two rows and columns, a lobby south of the booths,
//! and the presentation rooms south of the lobby. Every area is a rectangle
//! in metres; people walk only on the aisle network, which keeps clear of
//! every area, so where a ping falls says exactly where its phone was.

use serde::Serialize;

/// A position in metres east and north of the venue's reference corner (the
/// west end of the lobby's walking line).
pub type Metres = (f64, f64);

/// Metres per degree of latitude (and of longitude at the equator).
const METRES_PER_DEGREE: f64 = 111_320.0;
/// Side of a booth. Exhibition booths are about 3 m square; 4 m leaves a
/// square metre to stand in once `STAY_MARGIN` is kept from every edge.
const BOOTH_SIZE: f64 = 4.0;
/// Width of the aisles between booths (at least 2.5 m, as fire codes ask).
const AISLE: f64 = 3.0;
/// Distance between neighbouring booths' corners, along a row or a column.
const BOOTH_PITCH: f64 = BOOTH_SIZE + AISLE;
/// A room's width (east–west) and depth (north–south).
const ROOM_SIZE: (f64, f64) = (20.0, 15.0);
/// The wall between neighbouring rooms.
const ROOM_WALL: f64 = 3.0;
/// From the lobby's walking line to the rooms' north walls.
const LOBBY_TO_ROOMS: f64 = 6.0;
/// Lobby beyond the widest block, on each side.
const LOBBY_END: f64 = 3.0;
/// How far inside its area's edges a staying person is, and how far outside
/// every area a walking one is: GPS noise of half a metre never carries a
/// ping across an edge.
pub const STAY_MARGIN: f64 = 1.5;
/// Walking speed on the aisles, m/s.
const WALKING_SPEED: f64 = 1.2;
/// Shortest walk between two places, in seconds, so stays at two
/// neighbouring booths never run into each other at ping resolution.
const MIN_WALK_SECONDS: f64 = 20.0;

/// What an area is for, as the floor plan's `kind` property names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaKind {
    /// An exhibitor's stand, visited after a long enough dwell.
    Booth,
    /// Where presentations take place.
    Room,
}

/// An axis-aligned rectangle in venue metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Western edge.
    pub west: f64,
    /// Southern edge.
    pub south: f64,
    /// Eastern edge.
    pub east: f64,
    /// Northern edge.
    pub north: f64,
}

impl Rect {
    /// How far `point` is inside the rectangle, to its nearest edge
    /// (negative outside), so both margins can be checked with one number.
    pub fn depth(&self, (x, y): Metres) -> f64 {
        let inside = (x - self.west)
            .min(self.east - x)
            .min(y - self.south)
            .min(self.north - y);
        if inside >= 0.0 {
            return inside;
        }
        let dx = (self.west - x).max(x - self.east).max(0.0);
        let dy = (self.south - y).max(y - self.north).max(0.0);
        -dx.hypot(dy)
    }

    /// The rectangle shrunk by `margin` on every side.
    pub fn inset(&self, margin: f64) -> Rect {
        Rect {
            west: self.west + margin,
            south: self.south + margin,
            east: self.east - margin,
            north: self.north - margin,
        }
    }

    /// The corners counter-clockwise from the south-west one, repeated at
    /// the end: a closed ring that follows GeoJSON's right-hand rule.
    pub fn ring(&self) -> [Metres; 5] {
        [
            (self.west, self.south),
            (self.east, self.south),
            (self.east, self.north),
            (self.west, self.north),
            (self.west, self.south),
        ]
    }

    fn centre(&self) -> Metres {
        (
            (self.west + self.east) / 2.0,
            (self.south + self.north) / 2.0,
        )
    }
}

/// A point on the aisle network: somewhere along the walking line of one
/// horizontal aisle (row 0 is the lobby).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AislePoint {
    /// Metres east.
    pub x: f64,
    /// Which horizontal aisle.
    pub aisle: usize,
}

/// A booth or a room of the floor plan.
#[derive(Debug, Clone)]
pub struct Area {
    /// Unique within the event: "Booth C4", "Hall B".
    pub name: String,
    /// Booth or room.
    pub kind: AreaKind,
    /// The company at a booth; `None` for rooms.
    pub exhibitor: Option<String>,
    /// The area's outline.
    pub outline: Rect,
    /// Where people step in from the aisles, and out again.
    pub door: AislePoint,
}

/// Turns venue metres into WGS 84 degrees near a fixed origin. A flat
/// projection is exact enough over a venue's hundred metres, and pings and
/// outlines go through the same one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    /// Latitude and longitude of the venue's reference corner.
    pub origin: (f64, f64),
}

impl Projection {
    /// A position as (latitude, longitude).
    pub fn degrees(&self, (east, north): Metres) -> (f64, f64) {
        let (latitude, longitude) = self.origin;
        (
            latitude + north / METRES_PER_DEGREE,
            longitude + east / (METRES_PER_DEGREE * latitude.to_radians().cos()),
        )
    }

    /// The inverse of [`Projection::degrees`].
    pub fn metres(&self, (latitude, longitude): (f64, f64)) -> Metres {
        let (origin_latitude, origin_longitude) = self.origin;
        (
            (longitude - origin_longitude) * METRES_PER_DEGREE * origin_latitude.to_radians().cos(),
            (latitude - origin_latitude) * METRES_PER_DEGREE,
        )
    }
}

/// The venue: its areas (booths first, then rooms) and the aisles between.
#[derive(Debug, Clone)]
pub struct Venue {
    areas: Vec<Area>,
    /// Northing of each horizontal aisle's walking line; 0 is the lobby.
    aisles: Vec<f64>,
    /// Easting of each vertical aisle's walking line, which runs from the
    /// lobby to the northernmost horizontal aisle.
    cross_aisles: Vec<f64>,
    /// East end of the lobby.
    width: f64,
    projection: Projection,
}

/// First words of exhibitors' names.
const EXHIBITOR_PREFIXES: [&str; 20] = [
    "Mesa",
    "Sandia",
    "Turquoise",
    "Adobe Peak",
    "Blue Corn",
    "Red Rock",
    "Juniper",
    "Cottonwood",
    "High Desert",
    "Rio Grande",
    "Pinon",
    "Sunrise",
    "Granite",
    "Aspen",
    "Coyote",
    "Yucca",
    "Roadrunner",
    "Sagebrush",
    "Bosque",
    "Zia",
];
/// Last words of exhibitors' names.
const EXHIBITOR_SUFFIXES: [&str; 16] = [
    "Analytics",
    "Systems",
    "Labs",
    "Cloud",
    "Robotics",
    "Networks",
    "Software",
    "Data",
    "Security",
    "Devices",
    "Health",
    "Mobility",
    "Logistics",
    "Energy",
    "Sensors",
    "Media",
];

impl Venue {
    /// Lays out `booths` booths (1 to 26 rows' worth) and `rooms` rooms (1
    /// to 26), giving the booths exhibitors drawn with `rng`.
    pub fn new(booths: u32, rooms: u32, projection: Projection, rng: &mut fastrand::Rng) -> Self {
        let columns = f64::from(booths).sqrt().ceil().max(1.0) as u32;
        let rows = booths.div_ceil(columns);
        let booth_block = f64::from(columns) * BOOTH_PITCH + AISLE;
        let room_block = f64::from(rooms) * (ROOM_SIZE.0 + ROOM_WALL) - ROOM_WALL;
        let width = booth_block.max(room_block) + 2.0 * LOBBY_END;
        // Both blocks centred on the lobby.
        let first_booth = (width - (f64::from(columns) * BOOTH_PITCH - AISLE)) / 2.0;
        let first_room = (width - room_block) / 2.0;

        let mut exhibitors: Vec<String> = EXHIBITOR_PREFIXES
            .iter()
            .flat_map(|prefix| {
                EXHIBITOR_SUFFIXES
                    .iter()
                    .map(move |suffix| format!("{prefix} {suffix}"))
            })
            .collect();
        rng.shuffle(&mut exhibitors);

        let mut areas: Vec<Area> = (0..booths)
            .map(|i| {
                let (row, column) = (i / columns, i % columns);
                // The walking line of aisle r runs midway below booth row r.
                let south = AISLE / 2.0 + f64::from(row) * BOOTH_PITCH;
                let west = first_booth + f64::from(column) * BOOTH_PITCH;
                let outline = Rect {
                    west,
                    south,
                    east: west + BOOTH_SIZE,
                    north: south + BOOTH_SIZE,
                };
                Area {
                    name: format!("Booth {}{}", letter(row), column + 1),
                    kind: AreaKind::Booth,
                    exhibitor: Some(exhibitors[i as usize % exhibitors.len()].clone()),
                    door: AislePoint {
                        x: outline.centre().0,
                        aisle: row as usize,
                    },
                    outline,
                }
            })
            .collect();
        areas.extend((0..rooms).map(|i| {
            let west = first_room + f64::from(i) * (ROOM_SIZE.0 + ROOM_WALL);
            let outline = Rect {
                west,
                south: -LOBBY_TO_ROOMS - ROOM_SIZE.1,
                east: west + ROOM_SIZE.0,
                north: -LOBBY_TO_ROOMS,
            };
            Area {
                name: format!("Hall {}", letter(i)),
                kind: AreaKind::Room,
                exhibitor: None,
                door: AislePoint {
                    x: outline.centre().0,
                    aisle: 0,
                },
                outline,
            }
        }));
        Self {
            areas,
            aisles: (0..rows.max(1))
                .map(|row| f64::from(row) * BOOTH_PITCH)
                .collect(),
            cross_aisles: (0..=columns)
                .map(|column| first_booth + f64::from(column) * BOOTH_PITCH - AISLE / 2.0)
                .collect(),
            width,
            projection,
        }
    }

    /// Every area, booths first.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// Indices of the areas of `kind`.
    pub fn of_kind(&self, kind: AreaKind) -> Vec<usize> {
        (0..self.areas.len())
            .filter(|&i| self.areas[i].kind == kind)
            .collect()
    }

    /// How venue metres become degrees.
    pub fn projection(&self) -> Projection {
        self.projection
    }

    /// A random spot on the lobby's walking line, where an attendee comes in
    /// and leaves.
    pub fn entrance(&self, rng: &mut fastrand::Rng) -> AislePoint {
        AislePoint {
            x: rng.f64() * self.width,
            aisle: 0,
        }
    }

    /// Where a point of the aisle network is.
    pub fn locate(&self, point: AislePoint) -> Metres {
        (point.x, self.aisles[point.aisle])
    }

    /// The walk from `from` to `to`: along `from`'s aisle to the cross aisle
    /// that makes the walk shortest, along it, and along `to`'s aisle. Every
    /// point of it is on a walking line, `STAY_MARGIN` or more from every
    /// area.
    pub fn route(&self, from: AislePoint, to: AislePoint) -> Vec<Metres> {
        let (start, end) = (self.locate(from), self.locate(to));
        if from.aisle == to.aisle {
            return vec![start, end];
        }
        let detour = |x: f64| (from.x - x).abs() + (to.x - x).abs();
        let cross = self
            .cross_aisles
            .iter()
            .copied()
            .min_by(|a, b| detour(*a).total_cmp(&detour(*b)))
            .expect("a venue has a cross aisle");
        vec![start, (cross, start.1), (cross, end.1), end]
    }

    /// How long walking from `from` to `to` takes.
    pub fn walking_seconds(&self, from: AislePoint, to: AislePoint) -> f64 {
        (length(&self.route(from, to)) / WALKING_SPEED).max(MIN_WALK_SECONDS)
    }

    /// Where a walker who set off along `route` is after `seconds`: at the
    /// end, once there.
    pub fn walked(route: &[Metres], seconds: f64) -> Metres {
        along(route, seconds * WALKING_SPEED)
    }

    /// The floor plan as a GeoJSON FeatureCollection (RFC 7946): one Polygon
    /// per area, with the properties the events service reads.
    pub fn geojson(&self) -> serde_json::Value {
        // 7 decimals are about a centimetre, far below every margin.
        let round = |value: f64| (value * 1e7).round() / 1e7;
        let features: Vec<serde_json::Value> = self
            .areas
            .iter()
            .map(|area| {
                let ring: Vec<[f64; 2]> = area
                    .outline
                    .ring()
                    .iter()
                    .map(|&corner| {
                        let (latitude, longitude) = self.projection.degrees(corner);
                        [round(longitude), round(latitude)]
                    })
                    .collect();
                let mut properties = serde_json::json!({
                    "name": area.name,
                    "kind": area.kind,
                });
                if let Some(exhibitor) = &area.exhibitor {
                    properties["exhibitor"] = exhibitor.as_str().into();
                }
                serde_json::json!({
                    "type": "Feature",
                    "geometry": { "type": "Polygon", "coordinates": [ring] },
                    "properties": properties,
                })
            })
            .collect();
        serde_json::json!({ "type": "FeatureCollection", "features": features })
    }
}

/// "A" for 0, "B" for 1…: row and room names.
fn letter(index: u32) -> char {
    char::from(b'A' + u8::try_from(index % 26).expect("below 26"))
}

fn length(route: &[Metres]) -> f64 {
    route
        .windows(2)
        .map(|leg| (leg[1].0 - leg[0].0).hypot(leg[1].1 - leg[0].1))
        .sum()
}

/// The point `distance` metres along `route` (its end, beyond).
fn along(route: &[Metres], distance: f64) -> Metres {
    let mut remaining = distance.max(0.0);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn venue(booths: u32, rooms: u32) -> Venue {
        Venue::new(
            booths,
            rooms,
            Projection {
                origin: (35.0585, -106.572),
            },
            &mut fastrand::Rng::with_seed(1),
        )
    }

    #[test]
    fn areas_never_overlap_and_names_are_unique() {
        for (booths, rooms) in [(1, 1), (30, 4), (24, 4), (7, 9), (100, 2)] {
            let venue = venue(booths, rooms);
            let areas = venue.areas();
            assert_eq!(areas.len(), (booths + rooms) as usize);
            for (i, a) in areas.iter().enumerate() {
                for b in &areas[i + 1..] {
                    assert_ne!(a.name, b.name);
                    let apart = a.outline.east <= b.outline.west
                        || b.outline.east <= a.outline.west
                        || a.outline.north <= b.outline.south
                        || b.outline.north <= a.outline.south;
                    assert!(apart, "{} overlaps {}", a.name, b.name);
                }
            }
        }
    }

    #[test]
    fn every_route_keeps_clear_of_every_area() {
        let venue = venue(30, 4);
        let mut doors: Vec<AislePoint> = venue.areas().iter().map(|area| area.door).collect();
        doors.extend([0.0, venue.width].map(|x| AislePoint { x, aisle: 0 }));
        for &from in &doors {
            for &to in &doors {
                let route = venue.route(from, to);
                let total = length(&route);
                for step in 0..=100 {
                    let point = along(&route, total * f64::from(step) / 100.0);
                    for area in venue.areas() {
                        assert!(
                            area.outline.depth(point) <= -STAY_MARGIN + 1e-9,
                            "{point:?} is within {STAY_MARGIN} m of {}",
                            area.name
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_projection_round_trips() {
        let projection = Projection {
            origin: (35.0585, -106.572),
        };
        let (x, y) = projection.metres(projection.degrees((123.4, -56.7)));
        assert!((x - 123.4).abs() < 1e-6 && (y + 56.7).abs() < 1e-6);
    }
}
