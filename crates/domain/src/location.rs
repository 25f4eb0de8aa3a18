use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use uuid::Uuid;

use crate::{FieldError, PersonId};

/// Identifier of a stored location, assigned by the locations service.
pub type LocationId = i64;

/// A WGS 84 position in decimal degrees, always within the valid ranges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coordinates {
    latitude: f64,
    longitude: f64,
}

impl Coordinates {
    /// Accepts finite latitudes in [-90, 90] and longitudes in [-180, 180].
    pub fn new(latitude: f64, longitude: f64) -> Result<Self, FieldError> {
        check_degrees("latitude", latitude, 90.0)?;
        check_degrees("longitude", longitude, 180.0)?;
        Ok(Self {
            latitude,
            longitude,
        })
    }

    /// Degrees north of the equator.
    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    /// Degrees east of Greenwich.
    pub fn longitude(&self) -> f64 {
        self.longitude
    }
}

fn check_degrees(field: &str, value: f64, limit: f64) -> Result<(), FieldError> {
    if !value.is_finite() {
        return Err(FieldError::new(field, "must be a finite number"));
    }
    if !(-limit..=limit).contains(&value) {
        return Err(FieldError::new(
            field,
            format!("must be within [-{limit}, {limit}] degrees"),
        ));
    }
    Ok(())
}

/// A stored location ping.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// Server-assigned id.
    pub id: LocationId,
    /// The id that made the write idempotent.
    pub event_id: Uuid,
    /// Whose phone sent it.
    pub person_id: PersonId,
    /// Where the phone was.
    pub coordinates: Coordinates,
    /// When the phone was there.
    pub creation_time: DateTime<Utc>,
}

/// A ping to store. Its event id, with its time, makes the write idempotent:
/// writing the same ping twice stores it once.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLocation {
    /// Producer-assigned unique id of this observation.
    pub event_id: Uuid,
    /// Whose phone sent it.
    pub person_id: PersonId,
    /// Where the phone was.
    pub coordinates: Coordinates,
    /// When the phone was there.
    pub creation_time: DateTime<Utc>,
}

/// Parses an event id: a UUID in its hyphenated form
/// (`5f0c1e9a-3c2b-4b8e-9a53-1f2f4e6d7c8b`), one spelling per id so that
/// the same ping is not stored twice under two spellings, and not the nil
/// UUID, which every careless client would share.
pub fn parse_event_id(field: &str, value: &str) -> Result<Uuid, FieldError> {
    let id = Uuid::try_parse(value)
        .ok()
        .filter(|_| value.len() == uuid::fmt::Hyphenated::LENGTH)
        .ok_or_else(|| FieldError::new(field, "must be a hyphenated UUID"))?;
    if id.is_nil() {
        return Err(FieldError::new(field, "must not be the nil UUID"));
    }
    Ok(id)
}

/// Parses an ISO-8601 date-time: with an offset (`2020-08-18T12:37:06+02:00`,
/// `…Z`) it means that instant; without one (`2020-08-18T10:37:06`, as the
/// proof of concept wrote them) it is UTC. Fractions of a second are kept.
pub fn parse_datetime(field: &str, value: &str) -> Result<DateTime<Utc>, FieldError> {
    DateTime::parse_from_rfc3339(value)
        .map(|time| time.with_timezone(&Utc))
        .or_else(|_| {
            NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").map(|time| time.and_utc())
        })
        .map_err(|_| {
            FieldError::new(
                field,
                "must be an ISO-8601 date-time such as 2020-08-18T10:37:06 (UTC) or 2020-08-18T12:37:06+02:00",
            )
        })
}

/// How far ahead of the receiving clock an observation may be (clock skew).
const MAX_CLOCK_SKEW: TimeDelta = TimeDelta::hours(24);

/// Rejects observation times that no phone at a conference could report:
/// before the year 2000, or more than a day ahead of `now`.
pub fn check_observation_time(
    field: &str,
    time: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, FieldError> {
    let earliest = NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|naive| naive.and_utc())
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    if time < earliest {
        return Err(FieldError::new(field, "must not be before 2000-01-01"));
    }
    if time > now + MAX_CLOCK_SKEW {
        return Err(FieldError::new(
            field,
            "must not be more than 24 hours in the future",
        ));
    }
    Ok(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn coordinates_accept_exactly_the_valid_ranges(lat in -1000.0f64..1000.0, lon in -1000.0f64..1000.0) {
            let valid = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
            prop_assert_eq!(Coordinates::new(lat, lon).is_ok(), valid);
        }

        #[test]
        fn bad_latitude_is_reported_before_longitude(lat in 90.0001f64..1e9, lon in -1e9f64..1e9) {
            prop_assert_eq!(Coordinates::new(lat, lon).unwrap_err().field, "latitude");
        }
    }

    #[test]
    fn non_finite_coordinates_are_rejected() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(Coordinates::new(bad, 0.0).unwrap_err().field, "latitude");
            assert_eq!(Coordinates::new(0.0, bad).unwrap_err().field, "longitude");
        }
        assert!(Coordinates::new(-90.0, 180.0).is_ok());
    }

    #[test]
    fn date_times_with_and_without_offset() {
        let utc = Utc.with_ymd_and_hms(2020, 8, 18, 10, 37, 6).unwrap();
        for text in [
            "2020-08-18T10:37:06",
            "2020-08-18T10:37:06Z",
            "2020-08-18T12:37:06+02:00",
            "2020-08-18T10:37:06.000",
        ] {
            assert_eq!(parse_datetime("t", text).unwrap(), utc, "{text}");
        }
        let fraction = parse_datetime("t", "2020-08-18T10:37:06.25").unwrap();
        assert_eq!(fraction.timestamp_subsec_millis(), 250);
        for bad in [
            "",
            "2020-08-18",
            "2020-08-18 10:37",
            "yesterday",
            "2020-13-01T00:00:00",
        ] {
            assert_eq!(parse_datetime("t", bad).unwrap_err().field, "t", "{bad}");
        }
    }

    proptest! {
        #[test]
        fn date_times_round_trip(seconds in 946_684_800i64..4_102_444_800, millis in 0u32..1000) {
            let time = DateTime::from_timestamp(seconds, millis * 1_000_000).unwrap();
            prop_assert_eq!(parse_datetime("t", &time.to_rfc3339()).unwrap(), time);
            let naive = time.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string();
            prop_assert_eq!(parse_datetime("t", &naive).unwrap(), time);
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,40}") {
            let _ = parse_datetime("t", &text);
        }
    }

    #[test]
    fn observation_times_must_be_plausible() {
        let now = Utc::now();
        assert!(check_observation_time("t", now, now).is_ok());
        assert!(check_observation_time("t", now + TimeDelta::hours(23), now).is_ok());
        assert!(check_observation_time("t", now + TimeDelta::hours(25), now).is_err());
        let y1999 = NaiveDate::from_ymd_opt(1999, 12, 31)
            .unwrap()
            .and_hms_opt(23, 59, 59)
            .unwrap();
        assert!(check_observation_time("t", y1999.and_utc(), now).is_err());
    }

    #[test]
    fn event_ids_must_be_uuids() {
        assert!(parse_event_id("event_id", "5f0c1e9a-3c2b-4b8e-9a53-1f2f4e6d7c8b").is_ok());
        assert!(parse_event_id("event_id", "5F0C1E9A-3C2B-4B8E-9A53-1F2F4E6D7C8B").is_ok());
        for other_spelling in [
            "5f0c1e9a3c2b4b8e9a531f2f4e6d7c8b",
            "{5f0c1e9a-3c2b-4b8e-9a53-1f2f4e6d7c8b}",
            "urn:uuid:5f0c1e9a-3c2b-4b8e-9a53-1f2f4e6d7c8b",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(
                parse_event_id("event_id", other_spelling).is_err(),
                "{other_spelling}"
            );
        }
        assert_eq!(
            parse_event_id("event_id", "nope").unwrap_err().field,
            "event_id"
        );
    }
}
