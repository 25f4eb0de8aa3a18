//! The REST API's JSON shapes. Field names and types follow the proof of
//! concept exactly, since existing clients depend on them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use udaconnect_proto::v1;
use utoipa::ToSchema;

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
/// trimming; unknown fields are rejected.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"first_name": "Ada", "last_name": "Lovelace", "company_name": "Analytical Engines"}))]
pub struct NewPersonJson {
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Employer or affiliation.
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
            creation_time: location
                .creation_time
                .and_then(|t| DateTime::<Utc>::from_timestamp(t.seconds, t.nanos.try_into().ok()?))
                .map(naive_iso)
                .unwrap_or_default(),
        }
    }
}

/// Formats a time as the proof of concept did: naive ISO-8601 in UTC, with a
/// fraction only when there is one.
pub fn naive_iso(time: DateTime<Utc>) -> String {
    time.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string()
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
