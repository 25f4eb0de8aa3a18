use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::{FieldError, Location, LocationId, PersonId, check_id};

/// The proof of concept's default radius for connections, in metres.
pub const DEFAULT_CONNECTION_DISTANCE_METERS: f64 = 5.0;

/// The largest radius a connection query accepts, in metres. Beyond a venue's
/// scale the answer is meaningless and its cost grows with the square of it.
pub const MAX_CONNECTION_DISTANCE_METERS: f64 = 10_000.0;

/// The proof of concept's "connections" question: which pings of other people
/// lie within a distance of one of this person's pings in a date range.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionQuery {
    person_id: PersonId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    distance_meters: f64,
}

impl ConnectionQuery {
    /// Validates a query over the person's own pings in `[start, end)`.
    pub fn new(
        person_id: PersonId,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        distance_meters: f64,
    ) -> Result<Self, FieldError> {
        check_id("person_id", person_id)?;
        if end < start {
            return Err(FieldError::new("end_date", "must not be before start_date"));
        }
        if !distance_meters.is_finite()
            || !(0.0..=MAX_CONNECTION_DISTANCE_METERS).contains(&distance_meters)
        {
            return Err(FieldError::new(
                "distance",
                format!("must be a number of metres within [0, {MAX_CONNECTION_DISTANCE_METERS}]"),
            ));
        }
        Ok(Self {
            person_id,
            start,
            end,
            distance_meters,
        })
    }

    /// The REST form: whole days, from midnight UTC of `start_date` to midnight
    /// UTC of `end_date` (exclusive).
    pub fn from_dates(
        person_id: PersonId,
        start_date: NaiveDate,
        end_date: NaiveDate,
        distance_meters: f64,
    ) -> Result<Self, FieldError> {
        Self::new(
            person_id,
            start_date.and_time(chrono::NaiveTime::MIN).and_utc(),
            end_date.and_time(chrono::NaiveTime::MIN).and_utc(),
            distance_meters,
        )
    }

    /// Whose connections are wanted.
    pub fn person_id(&self) -> PersonId {
        self.person_id
    }

    /// Start of the window for the person's own pings (inclusive).
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// End of the window for the person's own pings (exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// End of the window for other people's pings (exclusive): one day past
    /// `end`, as the proof of concept did.
    pub fn others_end(&self) -> DateTime<Utc> {
        self.end
            .checked_add_days(Days::new(1))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// Geodesic radius in metres.
    pub fn distance_meters(&self) -> f64 {
        self.distance_meters
    }
}

/// One answer row: another person's ping near one of the person's own pings.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// The person's own ping.
    pub own_location_id: LocationId,
    /// The other person's ping.
    pub location: Location,
}

/// Parses a calendar date written as `YYYY-MM-DD`.
pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|_| value.len() == 10)
        .ok_or_else(|| FieldError::new(field, "must be a date written as YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        parse_date("d", s).unwrap()
    }

    #[test]
    fn windows_follow_the_proof_of_concept() {
        let query =
            ConnectionQuery::from_dates(1, date("2020-01-01"), date("2020-12-30"), 5.0).unwrap();
        assert_eq!(query.start().to_rfc3339(), "2020-01-01T00:00:00+00:00");
        assert_eq!(query.end().to_rfc3339(), "2020-12-30T00:00:00+00:00");
        assert_eq!(query.others_end().to_rfc3339(), "2020-12-31T00:00:00+00:00");
    }

    #[test]
    fn invalid_queries_name_the_field() {
        let (a, b) = (date("2020-01-01"), date("2020-02-01"));
        assert_eq!(
            ConnectionQuery::from_dates(1, b, a, 5.0).unwrap_err().field,
            "end_date"
        );
        assert_eq!(
            ConnectionQuery::from_dates(0, a, b, 5.0).unwrap_err().field,
            "person_id"
        );
        for distance in [
            -1.0,
            f64::NAN,
            f64::INFINITY,
            MAX_CONNECTION_DISTANCE_METERS + 1.0,
        ] {
            assert_eq!(
                ConnectionQuery::from_dates(1, a, b, distance)
                    .unwrap_err()
                    .field,
                "distance"
            );
        }
        assert!(ConnectionQuery::from_dates(1, a, a, 0.0).is_ok());
    }

    #[test]
    fn dates_are_strict() {
        for bad in [
            "2020-1-01",
            "2020-02-30",
            "20200101",
            "2020-01-01T00:00:00",
            "",
            " 2020-01-01",
        ] {
            assert!(
                parse_date("start_date", bad).is_err(),
                "{bad:?} was accepted"
            );
        }
    }

    proptest! {
        #[test]
        fn every_valid_date_round_trips(days in 0i64..200_000) {
            let day = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            let text = day.format("%Y-%m-%d").to_string();
            prop_assert_eq!(parse_date("d", &text).unwrap(), day);
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,24}") {
            let _ = parse_date("d", &text);
        }
    }
}
