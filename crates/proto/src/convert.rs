use chrono::{DateTime, TimeDelta, Utc};
use prost_types::{Duration, Timestamp};
use udaconnect_domain::{
    Connection, Coordinates, FieldError, Location, Meeting, NewLocation, Person, Privacy, check_id,
    check_observation_time, parse_event_id,
};
use uuid::Uuid;

use crate::v1;

/// A wire timestamp for a domain time.
pub fn timestamp_from_datetime(time: DateTime<Utc>) -> Timestamp {
    Timestamp {
        seconds: time.timestamp(),
        // Always in [0, 1e9), so the cast cannot truncate.
        nanos: time.timestamp_subsec_nanos() as i32,
    }
}

/// A domain time for a required wire timestamp; the error names `field`.
pub fn datetime_from_timestamp(
    field: &str,
    timestamp: Option<&Timestamp>,
) -> Result<DateTime<Utc>, FieldError> {
    let timestamp = timestamp.ok_or_else(|| FieldError::new(field, "is required"))?;
    u32::try_from(timestamp.nanos)
        .ok()
        .and_then(|nanos| DateTime::from_timestamp(timestamp.seconds, nanos))
        .ok_or_else(|| FieldError::new(field, "is not a representable timestamp"))
}

/// A wire duration for a domain one.
pub fn duration_from_timedelta(delta: TimeDelta) -> Duration {
    Duration {
        seconds: delta.num_seconds(),
        // The sub-second part of a TimeDelta is below 1e9 in magnitude.
        nanos: delta.subsec_nanos(),
    }
}

/// A domain duration for an optional wire one; the error names `field`.
pub fn timedelta_from_duration(
    field: &str,
    duration: Option<&Duration>,
) -> Result<Option<TimeDelta>, FieldError> {
    duration
        .map(|duration| {
            TimeDelta::new(duration.seconds, 0)
                .and_then(|seconds| {
                    seconds.checked_add(&TimeDelta::nanoseconds(i64::from(duration.nanos)))
                })
                .ok_or_else(|| FieldError::new(field, "is not a representable duration"))
        })
        .transpose()
}

/// Validates a ping to store, as received by the locations service.
pub fn new_location_from_wire(
    wire: &v1::NewLocation,
    now: DateTime<Utc>,
) -> Result<NewLocation, FieldError> {
    let event_id = parse_event_id("event_id", &wire.event_id)?;
    validated_location(
        event_id,
        wire.person_id,
        wire.latitude,
        wire.longitude,
        wire.creation_time.as_ref(),
        now,
    )
}

/// Validates a phone's ping, assigning an event id when it brings none
/// (time-ordered UUIDv7, which keeps the unique index's inserts local).
pub fn new_location_from_ping(
    ping: &v1::Ping,
    now: DateTime<Utc>,
) -> Result<NewLocation, FieldError> {
    let event_id = if ping.event_id.is_empty() {
        Uuid::now_v7()
    } else {
        parse_event_id("event_id", &ping.event_id)?
    };
    validated_location(
        event_id,
        ping.person_id,
        ping.latitude,
        ping.longitude,
        ping.creation_time.as_ref(),
        now,
    )
}

/// Reads a location event back into the ping it carries (the consumer's view).
pub fn new_location_from_event(event: &v1::LocationEvent) -> v1::NewLocation {
    v1::NewLocation {
        event_id: event.event_id.clone(),
        person_id: event.person_id,
        latitude: event.latitude,
        longitude: event.longitude,
        creation_time: event.creation_time,
    }
}

/// The event that carries an accepted ping through Kafka.
pub fn location_event(
    location: &NewLocation,
    accepted: DateTime<Utc>,
    source: &str,
) -> v1::LocationEvent {
    v1::LocationEvent {
        event_id: location.event_id.to_string(),
        person_id: location.person_id,
        latitude: location.coordinates.latitude(),
        longitude: location.coordinates.longitude(),
        creation_time: Some(timestamp_from_datetime(location.creation_time)),
        accepted_time: Some(timestamp_from_datetime(accepted)),
        source: source.to_owned(),
    }
}

/// The checks every entry point applies to a ping, in field order, so that
/// the first error reported is the first bad field.
fn validated_location(
    event_id: Uuid,
    person_id: i64,
    latitude: f64,
    longitude: f64,
    creation_time: Option<&Timestamp>,
    now: DateTime<Utc>,
) -> Result<NewLocation, FieldError> {
    let person_id = check_id("person_id", person_id)?;
    let coordinates = Coordinates::new(latitude, longitude)?;
    let creation_time = datetime_from_timestamp("creation_time", creation_time)?;
    Ok(NewLocation {
        event_id,
        person_id,
        coordinates,
        creation_time: check_observation_time("creation_time", creation_time, now)?,
    })
}

impl From<Person> for v1::Person {
    fn from(person: Person) -> Self {
        Self {
            id: person.id,
            first_name: person.first_name,
            last_name: person.last_name,
            company_name: person.company_name,
            privacy: Some(person.privacy.into()),
        }
    }
}

impl From<Privacy> for v1::Privacy {
    fn from(privacy: Privacy) -> Self {
        Self {
            visible_to_others: privacy.visible_to_others,
            location_paused: privacy.location_paused,
        }
    }
}

impl From<v1::Privacy> for Privacy {
    fn from(privacy: v1::Privacy) -> Self {
        Self {
            visible_to_others: privacy.visible_to_others,
            location_paused: privacy.location_paused,
        }
    }
}

impl From<Location> for v1::Location {
    fn from(location: Location) -> Self {
        Self {
            id: location.id,
            person_id: location.person_id,
            latitude: location.coordinates.latitude(),
            longitude: location.coordinates.longitude(),
            creation_time: Some(timestamp_from_datetime(location.creation_time)),
            event_id: location.event_id.to_string(),
        }
    }
}

impl From<Connection> for v1::Connection {
    fn from(connection: Connection) -> Self {
        Self {
            own_location_id: connection.own_location_id,
            location: Some(connection.location.into()),
        }
    }
}

impl From<&Meeting> for v1::Meeting {
    fn from(meeting: &Meeting) -> Self {
        Self {
            start_time: Some(timestamp_from_datetime(meeting.start)),
            end_time: Some(timestamp_from_datetime(meeting.end)),
            latitude: meeting.place.latitude(),
            longitude: meeting.place.longitude(),
            closest_meters: meeting.closest_meters,
            encounters: meeting.encounters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_with_sub_second_precision() {
        let time = DateTime::from_timestamp(1_594_118_226, 123_456_000).unwrap();
        let wire = timestamp_from_datetime(time);
        assert_eq!(datetime_from_timestamp("t", Some(&wire)).unwrap(), time);
    }

    #[test]
    fn durations_round_trip_and_reject_overflow() {
        let delta = TimeDelta::milliseconds(90_500);
        let wire = duration_from_timedelta(delta);
        assert_eq!(
            timedelta_from_duration("w", Some(&wire)).unwrap(),
            Some(delta)
        );
        assert_eq!(timedelta_from_duration("w", None).unwrap(), None);
        let huge = Duration {
            seconds: i64::MAX,
            nanos: 0,
        };
        assert_eq!(
            timedelta_from_duration("w", Some(&huge)).unwrap_err().field,
            "w"
        );
    }

    #[test]
    fn missing_or_broken_timestamps_name_the_field() {
        assert_eq!(datetime_from_timestamp("t", None).unwrap_err().field, "t");
        let negative_nanos = Timestamp {
            seconds: 0,
            nanos: -1,
        };
        assert!(datetime_from_timestamp("t", Some(&negative_nanos)).is_err());
        let huge = Timestamp {
            seconds: i64::MAX,
            nanos: 0,
        };
        assert!(datetime_from_timestamp("t", Some(&huge)).is_err());
    }
}
