//! The REST API's JSON shapes. Field names and types follow the proof of
//! concept exactly, since existing clients depend on them.

use std::{fmt::Write, sync::LazyLock};

use chrono::{
    DateTime, Utc,
    format::{Item, StrftimeItems},
};
use serde::{Deserialize, Serialize};
use udaconnect_proto::v1;
use utoipa::ToSchema;

/// A time a backing service answered, which it must have sent; a missing
/// or impossible one is that service's fault (answered 500, logged).
pub(crate) fn peer_time(
    peer: &'static str,
    timestamp: Option<&udaconnect_proto::Timestamp>,
) -> Result<DateTime<Utc>, crate::problem::ApiError> {
    udaconnect_proto::datetime_from_timestamp("time", timestamp).map_err(|error| {
        crate::problem::ApiError::Peer {
            peer,
            status: tonic::Status::internal(format!("malformed answer: {error}")),
        }
    })
}

/// An attendee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "first_name": "Pam", "last_name": "Trexler", "company_name": "Hampton, Hampton and McQuill"}))]
pub struct PersonJson {
    /// Server-assigned id.
    pub id: i64,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Employer or affiliation.
    pub company_name: String,
}

impl From<v1::Person> for PersonJson {
    fn from(person: v1::Person) -> Self {
        Self {
            id: person.id,
            first_name: person.first_name,
            last_name: person.last_name,
            company_name: person.company_name,
        }
    }
}

/// A person to create. Every name is required, 1–200 characters after
/// trimming spaces, with a visible character and no control characters,
/// direction overrides, byte-order marks or tags; unknown fields are
/// rejected.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical Engines"}))]
pub struct NewPersonJson {
    /// Given name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*$"
    )]
    pub first_name: String,
    /// Family name.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*$"
    )]
    pub last_name: String,
    /// Employer or affiliation.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB][^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF\\uFFF9-\\uFFFB]*$"
    )]
    pub company_name: String,
}

/// A stored location ping. Coordinates are decimal-degree strings and the
/// time is naive ISO-8601 in UTC, as the proof of concept answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 29, "person_id": 1, "latitude": "37.553441", "longitude": "-122.290524", "creation_time": "2020-08-18T10:37:06"}))]
pub struct LocationJson {
    /// Server-assigned id.
    pub id: i64,
    /// Whose ping it is.
    pub person_id: i64,
    /// WGS 84 latitude in decimal degrees, as a string.
    pub latitude: String,
    /// WGS 84 longitude in decimal degrees, as a string.
    pub longitude: String,
    /// When the ping was observed: naive ISO-8601, UTC.
    pub creation_time: String,
}

impl From<v1::Location> for LocationJson {
    fn from(location: v1::Location) -> Self {
        Self {
            id: location.id,
            person_id: location.person_id,
            latitude: location.latitude.to_string(),
            longitude: location.longitude.to_string(),
            creation_time: location_time(&location).map(naive_iso).unwrap_or_default(),
        }
    }
}

impl LocationJson {
    /// Writes `location` as a [`LocationJson`] serialises, straight into
    /// `out`: for answers of many thousands of rows, which this spares an
    /// owned copy of every field.
    pub(crate) fn write(out: &mut String, location: &v1::Location) {
        // Numbers and times need no JSON escaping.
        let _ = write!(
            out,
            r#"{{"id":{},"person_id":{},"latitude":"{}","longitude":"{}","creation_time":""#,
            location.id, location.person_id, location.latitude, location.longitude
        );
        if let Some(time) = location_time(location) {
            write_naive_iso(out, time);
        }
        out.push_str(r#""}"#);
    }
}

fn location_time(location: &v1::Location) -> Option<DateTime<Utc>> {
    let time = location.creation_time.as_ref()?;
    DateTime::<Utc>::from_timestamp(time.seconds, time.nanos.try_into().ok()?)
}

/// Formats a time as the proof of concept did: naive ISO-8601 in UTC, with a
/// fraction only when there is one.
pub fn naive_iso(time: DateTime<Utc>) -> String {
    let mut text = String::with_capacity(26);
    write_naive_iso(&mut text, time);
    text
}

/// [`naive_iso`], written into `out`, with the format parsed once.
fn write_naive_iso(out: &mut String, time: DateTime<Utc>) {
    static NAIVE_ISO: LazyLock<Vec<Item<'static>>> =
        LazyLock::new(|| StrftimeItems::new("%Y-%m-%dT%H:%M:%S%.f").collect());
    let _ = write!(
        out,
        "{}",
        time.naive_utc().format_with_items(NAIVE_ISO.iter())
    );
}

/// Another person's ping near one of the person's own pings, with that other
/// person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConnectionJson {
    /// The other person's ping.
    pub location: LocationJson,
    /// The other person.
    pub person: PersonJson,
}

/// A ping to record, in the proof of concept's shape. Coordinates may be
/// JSON numbers or decimal strings; `creation_time` is ISO-8601 with or
/// without an offset (without one it is UTC). Unknown fields are rejected.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"person_id": 1, "latitude": "37.553441", "longitude": "-122.290524", "creation_time": "2020-08-18T10:37:06"}))]
pub struct NewLocationJson {
    /// Whose phone observed the position (an existing person).
    #[schema(minimum = 1)]
    pub person_id: i64,
    /// WGS 84 latitude in decimal degrees, in [-90, 90].
    pub latitude: Degrees,
    /// WGS 84 longitude in decimal degrees, in [-180, 180].
    pub longitude: Degrees,
    /// When the position was observed: ISO-8601, e.g. `2020-08-18T10:37:06`
    /// (UTC) or `2020-08-18T12:37:06+02:00`; not before 2000, at most 24
    /// hours in the future.
    #[schema(
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
    )]
    pub creation_time: String,
    /// Optional client-chosen UUID, hyphenated and not the nil UUID: sending
    /// the same ping again with the same id stores it once. An id names one
    /// observation: sent again with other content, it is accepted (the
    /// answer comes before the ping is stored) and the first one stored
    /// stays, unless the time differs, which makes it another observation.
    /// Assigned by the server when absent.
    #[serde(default)]
    pub event_id: Option<String>,
}

/// Decimal degrees written as a JSON number or as a decimal string (the
/// proof of concept's clients send strings).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Degrees(pub f64);

impl<'de> Deserialize<'de> for Degrees {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DegreesVisitor;

        impl serde::de::Visitor<'_> for DegreesVisitor {
            type Value = Degrees;

            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a number or a decimal string")
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Degrees, E> {
                Ok(Degrees(value))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Degrees, E> {
                Ok(Degrees(value as f64))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Degrees, E> {
                Ok(Degrees(value as f64))
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Degrees, E> {
                let trimmed = value.trim();
                let decimal = !trimmed.is_empty()
                    && trimmed
                        .trim_start_matches(['-', '+'])
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.');
                trimmed
                    .parse()
                    .ok()
                    .filter(|_| decimal)
                    .map(Degrees)
                    .ok_or_else(|| E::custom(format!("{value:?} is not a decimal number")))
            }
        }

        deserializer.deserialize_any(DegreesVisitor)
    }
}

impl utoipa::PartialSchema for Degrees {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            KnownFormat, ObjectBuilder, OneOfBuilder, SchemaFormat, Type,
        };
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double))),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^\s*[-+]?[0-9]*\.?[0-9]+\s*$")),
            )
            .description(Some("Decimal degrees, as a number or a decimal string"))
            .into()
    }
}

impl ToSchema for Degrees {}

/// The answer to an accepted ping: it is durably queued and will be stored
/// shortly (the write is asynchronous).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"event_id": "0b5e2b63-52a4-4a4b-9d37-0c4a6b8fd1f2"}))]
pub struct AcceptedLocationJson {
    /// The ping's event id (the client's, or the one assigned).
    pub event_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written rows of large answers read exactly as the derived
    /// serialisation of the same location.
    #[test]
    fn a_location_written_directly_matches_its_serialisation() {
        let times = [
            Some((1_597_747_026, 0)),
            Some((1_597_747_026, 123_000_000)),
            Some((1_597_747_026, 123_456_000)),
            Some((1_597_747_026, 123_456_789)),
            Some((946_684_800, 1)),
            None,
        ];
        let coordinates = [(37.553441, -122.290524), (-0.0, 1e-7), (90.0, -180.0)];
        for time in times {
            for (latitude, longitude) in coordinates {
                let location = v1::Location {
                    id: 29,
                    person_id: 1,
                    latitude,
                    longitude,
                    creation_time: time
                        .map(|(seconds, nanos)| udaconnect_proto::Timestamp { seconds, nanos }),
                    ..Default::default()
                };
                let mut written = String::new();
                LocationJson::write(&mut written, &location);
                let serialised = serde_json::to_string(&LocationJson::from(location)).unwrap();
                assert_eq!(written, serialised);
            }
        }
    }
}
