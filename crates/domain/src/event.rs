//! Conferences, their floor plans and their programmes: what attendance is
//! measured against.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};

use crate::FieldError;

/// Identifier of an event, assigned by the events service.
pub type EventId = i64;
/// Identifier of an area of a floor plan.
pub type AreaId = i64;
/// Identifier of a presentation.
pub type PresentationId = i64;

/// Longest event: a conference, not a season.
pub const MAX_EVENT_LENGTH: TimeDelta = TimeDelta::days(31);
/// Longest name of an event, an area or a presentation's title.
pub const MAX_TITLE_CHARS: usize = 200;

/// A conference as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Server-assigned id.
    pub id: EventId,
    /// What attendees call it.
    pub name: String,
    /// Pings count for the event from here…
    pub start: DateTime<Utc>,
    /// …until here (exclusive).
    pub end: DateTime<Utc>,
    /// IANA name of its local time zone.
    pub time_zone: String,
}

/// A conference to create, valid except for its time zone, which only the
/// database's time zone table can check.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    name: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    time_zone: String,
}

impl NewEvent {
    /// Checks the name (1–200 characters), that `end` follows `start` by at
    /// most [`MAX_EVENT_LENGTH`], and that a time zone is named.
    pub fn new(
        name: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        time_zone: &str,
    ) -> Result<Self, FieldError> {
        let name = check_title("name", name)?;
        if end <= start {
            return Err(FieldError::new("end", "must be after start"));
        }
        if end - start > MAX_EVENT_LENGTH {
            return Err(FieldError::new(
                "end",
                "must be at most 31 days after start",
            ));
        }
        let time_zone = time_zone.trim();
        if time_zone.is_empty() || time_zone.len() > 64 {
            return Err(FieldError::new(
                "time_zone",
                "must be an IANA time zone name such as Europe/Berlin",
            ));
        }
        Ok(Self {
            name,
            start,
            end,
            time_zone: time_zone.to_owned(),
        })
    }

    /// What attendees call it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// When it starts.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// When it ends.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Its time zone's name.
    pub fn time_zone(&self) -> &str {
        &self.time_zone
    }
}

/// A trimmed, non-empty text of at most [`MAX_TITLE_CHARS`] characters.
pub fn check_title(field: &str, text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if text.chars().count() > MAX_TITLE_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_TITLE_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// What an area of a floor plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AreaKind {
    /// An exhibitor's stand.
    Booth,
    /// A room where presentations take place.
    Room,
}

impl AreaKind {
    /// The name used in files, the database and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booth => "booth",
            Self::Room => "room",
        }
    }

    /// Reads `booth` or `room`.
    pub fn parse(field: &str, text: &str) -> Result<Self, FieldError> {
        match text {
            "booth" => Ok(Self::Booth),
            "room" => Ok(Self::Room),
            _ => Err(FieldError::new(field, "must be \"booth\" or \"room\"")),
        }
    }
}

/// A WGS 84 position as GeoJSON writes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    /// Degrees east.
    pub longitude: f64,
    /// Degrees north.
    pub latitude: f64,
}

/// An area's outline: closed rings, the outer one first, then holes.
/// Structurally valid by construction; geometric validity (no
/// self-intersection) is PostGIS's to judge.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    rings: Vec<Vec<Position>>,
}

/// Most positions one outline may have: a floor plan, not a coastline.
pub const MAX_OUTLINE_POSITIONS: usize = 10_000;

impl Outline {
    /// Checks that there is an outer ring, every ring is closed with at
    /// least four positions, and every position is a valid coordinate.
    /// `field` names the geometry in errors.
    pub fn new(field: &str, rings: Vec<Vec<Position>>) -> Result<Self, FieldError> {
        if rings.is_empty() {
            return Err(FieldError::new(field, "a polygon needs an outer ring"));
        }
        let total: usize = rings.iter().map(Vec::len).sum();
        if total > MAX_OUTLINE_POSITIONS {
            return Err(FieldError::new(
                field,
                format!("must have at most {MAX_OUTLINE_POSITIONS} positions"),
            ));
        }
        for (index, ring) in rings.iter().enumerate() {
            let ring_field = || format!("{field}.coordinates[{index}]");
            if ring.len() < 4 {
                return Err(FieldError::new(
                    ring_field(),
                    "a ring needs at least four positions",
                ));
            }
            if ring.first() != ring.last() {
                return Err(FieldError::new(
                    ring_field(),
                    "a ring must end where it starts",
                ));
            }
            for position in ring {
                crate::Coordinates::new(position.latitude, position.longitude)
                    .map_err(|error| FieldError::new(ring_field(), error.to_string()))?;
            }
        }
        Ok(Self { rings })
    }

    /// The rings, outer first.
    pub fn rings(&self) -> &[Vec<Position>] {
        &self.rings
    }

    /// The smallest box holding the outline: (south-west, north-east).
    pub fn bounds(&self) -> (Position, Position) {
        let mut low = self.rings[0][0];
        let mut high = low;
        for position in &self.rings[0] {
            low.longitude = low.longitude.min(position.longitude);
            low.latitude = low.latitude.min(position.latitude);
            high.longitude = high.longitude.max(position.longitude);
            high.latitude = high.latitude.max(position.latitude);
        }
        (low, high)
    }

    /// Whether the point lies inside the outer ring and outside every hole.
    /// Degrees are treated as plane coordinates, exact enough at the scale of
    /// a venue (a few hundred metres, away from the poles and the
    /// antimeridian).
    pub fn contains(&self, longitude: f64, latitude: f64) -> bool {
        let mut rings = self.rings.iter();
        let inside_outer = rings
            .next()
            .is_some_and(|outer| ring_contains(outer, longitude, latitude));
        inside_outer && !rings.any(|hole| ring_contains(hole, longitude, latitude))
    }
}

/// Even-odd rule: a ray from the point crosses the ring an odd number of
/// times exactly when the point is inside.
fn ring_contains(ring: &[Position], x: f64, y: f64) -> bool {
    let mut inside = false;
    for edge in ring.windows(2) {
        let (a, b) = (edge[0], edge[1]);
        if (a.latitude > y) != (b.latitude > y) {
            let crossing = a.longitude
                + (y - a.latitude) / (b.latitude - a.latitude) * (b.longitude - a.longitude);
            if x < crossing {
                inside = !inside;
            }
        }
    }
    inside
}

/// An area of a floor plan as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// Server-assigned id, kept across floor-plan uploads while the name is.
    pub id: AreaId,
    /// The event whose floor plan it belongs to.
    pub event_id: EventId,
    /// Unique within the event.
    pub name: String,
    /// Booth or room.
    pub kind: AreaKind,
    /// The exhibitor of a booth.
    pub exhibitor: Option<String>,
    /// Where it is.
    pub outline: Outline,
}

/// An area of an uploaded floor plan.
#[derive(Debug, Clone, PartialEq)]
pub struct NewArea {
    /// Unique within the floor plan.
    pub name: String,
    /// Booth or room.
    pub kind: AreaKind,
    /// The exhibitor of a booth.
    pub exhibitor: Option<String>,
    /// Where it is.
    pub outline: Outline,
}

/// A time as a programme writes it: an instant, or a wall-clock time in a
/// named zone (or, without one, the event's), which only the database's time
/// zone rules can place.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgrammeTime {
    /// An instant.
    Utc(DateTime<Utc>),
    /// A wall-clock time.
    Local {
        /// The time on the clock.
        time: NaiveDateTime,
        /// The zone, when the programme names one.
        zone: Option<String>,
    },
}

/// A presentation of an uploaded programme, before its times are placed
/// and its room found.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPresentation {
    /// The programme's own id of the entry, when it has one.
    pub uid: Option<String>,
    /// What it is called.
    pub title: String,
    /// Who presents.
    pub speakers: Vec<String>,
    /// The room's name.
    pub room: String,
    /// When it starts.
    pub start: ProgrammeTime,
    /// When it ends.
    pub end: ProgrammeTime,
}

/// A presentation ready to store: times placed, room found, and checked
/// against the event.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledPresentation {
    /// The programme's own id of the entry.
    pub uid: Option<String>,
    /// What it is called.
    pub title: String,
    /// Who presents.
    pub speakers: Vec<String>,
    /// The room.
    pub room_id: AreaId,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

impl ScheduledPresentation {
    /// Checks that the presentation ends after it starts and lies within the
    /// event. `field` names the programme entry in errors.
    pub fn new(
        field: &str,
        presentation: NewPresentation,
        room_id: AreaId,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        event: &Event,
    ) -> Result<Self, FieldError> {
        if end <= start {
            return Err(FieldError::new(
                format!("{field}.end"),
                "must be after the start",
            ));
        }
        if start < event.start || end > event.end {
            return Err(FieldError::new(
                format!("{field}.start"),
                format!(
                    "must lie within the event ({} to {})",
                    event.start.to_rfc3339(),
                    event.end.to_rfc3339()
                ),
            ));
        }
        Ok(Self {
            uid: presentation.uid,
            title: presentation.title,
            speakers: presentation.speakers,
            room_id,
            start,
            end,
        })
    }
}

/// A presentation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    /// Server-assigned id.
    pub id: PresentationId,
    /// The event whose programme it belongs to.
    pub event_id: EventId,
    /// The programme's own id of the entry.
    pub uid: Option<String>,
    /// What it is called.
    pub title: String,
    /// Who presents.
    pub speakers: Vec<String>,
    /// The room.
    pub room_id: AreaId,
    /// The room's name.
    pub room: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(west: f64, south: f64, side: f64) -> Vec<Position> {
        let corner = |longitude, latitude| Position {
            longitude,
            latitude,
        };
        vec![
            corner(west, south),
            corner(west + side, south),
            corner(west + side, south + side),
            corner(west, south + side),
            corner(west, south),
        ]
    }

    #[test]
    fn a_point_is_inside_the_outer_ring_and_outside_the_holes() {
        let outline = Outline::new(
            "geometry",
            vec![square(0.0, 0.0, 1.0), square(0.4, 0.4, 0.2)],
        )
        .unwrap();
        assert!(outline.contains(0.1, 0.1));
        assert!(!outline.contains(0.5, 0.5), "inside the hole");
        assert!(!outline.contains(1.5, 0.5));
        assert!(!outline.contains(-0.1, 0.5));
        assert_eq!(
            outline.bounds(),
            (
                Position {
                    longitude: 0.0,
                    latitude: 0.0
                },
                Position {
                    longitude: 1.0,
                    latitude: 1.0
                }
            )
        );
    }

    #[test]
    fn open_or_short_rings_are_refused_naming_the_ring() {
        let mut open = square(0.0, 0.0, 1.0);
        open.pop();
        open.push(Position {
            longitude: 0.5,
            latitude: 0.5,
        });
        let error = Outline::new("features[2].geometry", vec![open]).unwrap_err();
        assert_eq!(error.field, "features[2].geometry.coordinates[0]");
        let short = square(0.0, 0.0, 1.0)[..3].to_vec();
        assert!(Outline::new("g", vec![short]).is_err());
        assert!(Outline::new("g", vec![]).is_err());
        let mut far = square(0.0, 0.0, 1.0);
        far[1].latitude = 91.0;
        assert!(Outline::new("g", vec![far]).is_err());
    }

    #[test]
    fn an_event_ends_after_it_starts_and_within_a_month() {
        let start = DateTime::parse_from_rfc3339("2026-05-01T08:00:00Z")
            .unwrap()
            .to_utc();
        assert!(NewEvent::new("Conf", start, start + TimeDelta::hours(9), "UTC").is_ok());
        assert_eq!(
            NewEvent::new("Conf", start, start, "UTC")
                .unwrap_err()
                .field,
            "end"
        );
        assert_eq!(
            NewEvent::new("Conf", start, start + TimeDelta::days(40), "UTC")
                .unwrap_err()
                .field,
            "end"
        );
        assert_eq!(
            NewEvent::new("  ", start, start + TimeDelta::hours(1), "UTC")
                .unwrap_err()
                .field,
            "name"
        );
    }
}
