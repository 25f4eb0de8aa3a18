//! `/api/persons/{person_id}/contacts`: whom a person met, when and where,
//! one entry per other person, ranked and paged.

use axum::{Extension, Json, extract::State};
use chrono::{DateTime, NaiveTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use udaconnect_domain::{ContactQuery, ContactQueryParts, FieldError, parse_date, parse_datetime};
use udaconnect_proto::{
    duration_from_timedelta, timedelta_from_duration, timestamp_from_datetime, v1,
};
use utoipa::ToSchema;

use crate::{
    auth::Caller,
    extract::{PathId, QueryParams},
    json::{PersonJson, peer_time},
    problem::{ApiError, Problem},
    state::{ApiState, Viewer},
};

/// The query string, kept as text so that each error names its parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactParams {
    start: Option<String>,
    end: Option<String>,
    distance: Option<String>,
    window: Option<String>,
    min_duration: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

impl ContactParams {
    fn into_query(self, person_id: i64) -> Result<ContactQuery, FieldError> {
        let start = self
            .start
            .map(|text| parse_instant("start", &text, Boundary::Start))
            .transpose()?;
        let end = self
            .end
            .map(|text| parse_instant("end", &text, Boundary::End))
            .transpose()?;
        let distance_meters = self
            .distance
            .map(|text| {
                text.trim()
                    .parse::<f64>()
                    .map_err(|_| FieldError::new("distance", "must be a number of metres"))
            })
            .transpose()?;
        let window = self
            .window
            .map(|text| parse_duration("window", &text))
            .transpose()?;
        let min_duration = self
            .min_duration
            .map(|text| parse_duration("min_duration", &text))
            .transpose()?;
        let limit = self
            .limit
            .map(|text| {
                text.trim()
                    .parse::<u32>()
                    .map_err(|_| FieldError::new("limit", "must be a positive integer"))
            })
            .transpose()?;
        ContactQuery::new(ContactQueryParts {
            person_id,
            start,
            end,
            distance_meters,
            window,
            min_duration,
            limit,
            cursor: self.cursor.as_deref(),
            among: &[],
        })
    }
}

/// Which end of a range a plain date stands for.
#[derive(Debug, Clone, Copy)]
enum Boundary {
    Start,
    End,
}

/// An ISO-8601 date-time, or a plain date meaning the start of that day
/// (`start`) or the end of it (`end`, so `end=2020-08-18` includes that day),
/// midnight UTC.
fn parse_instant(field: &str, text: &str, boundary: Boundary) -> Result<DateTime<Utc>, FieldError> {
    if text.len() == 10 {
        let day = parse_date(field, text)?;
        let midnight = day.and_time(NaiveTime::MIN).and_utc();
        return Ok(match boundary {
            Boundary::Start => midnight,
            Boundary::End => midnight + TimeDelta::days(1),
        });
    }
    parse_datetime(field, text).map_err(|_| {
        FieldError::new(
            field,
            "must be a date (2020-08-18) or an ISO-8601 date-time (2020-08-18T10:00:00Z)",
        )
    })
}

/// A duration as whole seconds (`600`) or an ISO-8601 duration in hours,
/// minutes and seconds (`PT10M`, `PT1M30S`).
fn parse_duration(field: &str, text: &str) -> Result<TimeDelta, FieldError> {
    let invalid = || {
        FieldError::new(
            field,
            "must be whole seconds (600) or an ISO-8601 duration (PT10M)",
        )
    };
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u32>() {
        return Ok(TimeDelta::seconds(i64::from(seconds)));
    }
    let rest = text
        .strip_prefix("PT")
        .or_else(|| text.strip_prefix("pt"))
        .filter(|rest| !rest.is_empty())
        .ok_or_else(invalid)?;
    let mut total = TimeDelta::zero();
    let mut number = String::new();
    let mut last_unit = 0;
    for character in rest.chars() {
        if character.is_ascii_digit() {
            number.push(character);
            continue;
        }
        let (rank, unit) = match character.to_ascii_uppercase() {
            'H' => (1, 3600),
            'M' => (2, 60),
            'S' => (3, 1),
            _ => return Err(invalid()),
        };
        // Units in order, each once, each with a number of at most 6 digits.
        if rank <= last_unit || number.is_empty() || number.len() > 6 {
            return Err(invalid());
        }
        let value: i64 = number.parse().map_err(|_| invalid())?;
        total += TimeDelta::seconds(value * unit);
        number.clear();
        last_unit = rank;
    }
    if number.is_empty() {
        Ok(total)
    } else {
        Err(invalid())
    }
}

/// One meeting: a run of encounters with no gap longer than the window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"start": "2020-08-18T10:30:00Z", "end": "2020-08-18T10:42:00Z", "duration_seconds": 720.0, "latitude": 37.553441, "longitude": -122.290524, "closest_meters": 1.4, "encounters": 12}))]
pub struct MeetingJson {
    /// Time of the earliest ping involved (RFC 3339, UTC).
    pub start: DateTime<Utc>,
    /// Time of the latest ping involved (RFC 3339, UTC).
    pub end: DateTime<Utc>,
    /// `end - start`, in seconds.
    pub duration_seconds: f64,
    /// Where: the centroid of both people's pings involved (WGS 84 degrees).
    pub latitude: f64,
    /// Where: the centroid of both people's pings involved (WGS 84 degrees).
    pub longitude: f64,
    /// The smallest geodesic distance seen between the two, in metres.
    pub closest_meters: f64,
    /// How many pairs of pings (one of each person) make up the meeting.
    pub encounters: u32,
}

/// Everything the person shares with one other person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactJson {
    /// The other person.
    pub person: PersonJson,
    /// How many meetings.
    pub meeting_count: u32,
    /// The meetings' durations summed, in seconds.
    pub total_seconds: f64,
    /// Start of the first meeting.
    pub first_met: DateTime<Utc>,
    /// End of the last meeting.
    pub last_met: DateTime<Utc>,
    /// Every meeting, earliest first.
    pub meetings: Vec<MeetingJson>,
}

/// A page of contacts, and how to ask for the next one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactsPageJson {
    /// Ranked by total time together, then by the most recent meeting, then
    /// by person id.
    pub contacts: Vec<ContactJson>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// The encounter radius used, in metres.
    pub distance: f64,
    /// The time window used, in seconds.
    pub window_seconds: f64,
    /// The shortest meeting reported, in seconds.
    pub min_duration_seconds: f64,
}

fn seconds(duration: Option<&udaconnect_proto::Duration>) -> f64 {
    timedelta_from_duration("duration", duration)
        .ok()
        .flatten()
        .map_or(0.0, |delta| delta.as_seconds_f64())
}

fn time(timestamp: Option<&udaconnect_proto::Timestamp>) -> Result<DateTime<Utc>, ApiError> {
    peer_time("locations", timestamp)
}

impl TryFrom<v1::Meeting> for MeetingJson {
    type Error = ApiError;

    fn try_from(meeting: v1::Meeting) -> Result<Self, ApiError> {
        let (start, end) = (
            time(meeting.start_time.as_ref())?,
            time(meeting.end_time.as_ref())?,
        );
        Ok(Self {
            start,
            end,
            duration_seconds: (end - start).as_seconds_f64(),
            latitude: meeting.latitude,
            longitude: meeting.longitude,
            closest_meters: meeting.closest_meters,
            encounters: meeting.encounters,
        })
    }
}

impl ContactJson {
    /// `contact` as the API shows it, with the other person's record.
    fn new(contact: v1::Contact, person: PersonJson) -> Result<Self, ApiError> {
        Ok(Self {
            person,
            meeting_count: contact.meeting_count,
            total_seconds: seconds(contact.total_time.as_ref()),
            first_met: time(contact.first_met.as_ref())?,
            last_met: time(contact.last_met.as_ref())?,
            meetings: contact
                .meetings
                .into_iter()
                .map(MeetingJson::try_from)
                .collect::<Result<_, _>>()?,
        })
    }
}

/// Whom the person met, when and where. An *encounter* is a ping of the
/// person and a ping of someone else within `distance` metres (geodesic,
/// WGS 84) and `window` of each other; a *meeting* is a run of encounters
/// with no gap longer than `window`. One entry per other person, ranked by
/// total time together, then by the most recent meeting; computed exactly.
#[utoipa::path(
    get, path = "/api/persons/{person_id}/contacts", tag = "persons",
    params(
        ("person_id" = i64, Path, minimum = 1, description = "The person's id (a positive integer)"),
        ("start" = String, Query, description = "Start of the person's own pings: an ISO-8601 date-time (naive means UTC) or a date (its midnight UTC), inclusive", example = "2020-08-15"),
        ("end" = String, Query, description = "End of the person's own pings, exclusive: an ISO-8601 date-time, or a date meaning the end of that day; at most 31 days after start", example = "2020-08-18"),
        ("distance" = Option<f64>, Query, minimum = 0, maximum = 50, description = "Encounter radius in metres, 0 to 50; default 10", example = 10),
        ("window" = Option<String>, Query, description = "Encounter window and largest gap within a meeting: whole seconds or an ISO-8601 duration (PT10M), at most 1 hour; default 600", example = "PT10M"),
        ("min_duration" = Option<String>, Query, description = "Leave out meetings shorter than this (people merely passing by), and contacts left with none: whole seconds or an ISO-8601 duration, at most 1 day; default 0", example = "PT1M"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Contacts per page, 1 to 100; default 20", example = 20),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "A page of contacts", body = ContactsPageJson),
        (status = 400, description = "A parameter is missing, unknown or invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn find_contacts(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    PathId(person_id): PathId,
    QueryParams(params): QueryParams<ContactParams>,
) -> Result<Json<ContactsPageJson>, ApiError> {
    let query = params
        .into_query(person_id)
        .map_err(ApiError::InvalidParameter)?;
    let (subject, page) = tokio::try_join!(state.person(person_id), async {
        state
            .locations
            .clone()
            .find_contacts(v1::FindContactsRequest {
                person_id,
                start_time: Some(timestamp_from_datetime(query.start())),
                end_time: Some(timestamp_from_datetime(query.end())),
                distance_meters: Some(query.distance_meters()),
                window: Some(duration_from_timedelta(query.window())),
                min_duration: Some(duration_from_timedelta(query.min_duration())),
                limit: query.limit(),
                cursor: query.after().map(ToString::to_string).unwrap_or_default(),
                among_person_ids: Vec::new(),
            })
            .await
            .map_err(ApiError::peer("locations"))
    })?;
    let page = page.into_inner();
    let contacts = state
        .with_persons(
            page.contacts,
            |contact| contact.person_id,
            Viewer::of(&caller, &subject),
        )
        .await?
        .into_iter()
        .map(|(person, contact)| ContactJson::new(contact, person))
        .collect::<Result<_, _>>()?;
    Ok(Json(ContactsPageJson {
        contacts,
        next_cursor: (!page.next_cursor.is_empty()).then_some(page.next_cursor),
        distance: page.distance_meters,
        window_seconds: seconds(page.window.as_ref()),
        min_duration_seconds: seconds(page.min_duration.as_ref()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_in_seconds_or_iso_8601() {
        for (text, seconds) in [
            ("600", 600),
            ("PT10M", 600),
            ("PT1M30S", 90),
            ("PT1H", 3600),
            ("0", 0),
        ] {
            assert_eq!(
                parse_duration("window", text).unwrap(),
                TimeDelta::seconds(seconds),
                "{text}"
            );
        }
        for bad in [
            "",
            "PT",
            "P1D",
            "10m",
            "-5",
            "PT5S10M",
            "PT1M1M",
            "PT9999999M",
            "PTM",
        ] {
            assert_eq!(
                parse_duration("window", bad).unwrap_err().field,
                "window",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_plain_end_date_includes_its_day() {
        let end = parse_instant("end", "2020-08-18", Boundary::End).unwrap();
        assert_eq!(end.to_rfc3339(), "2020-08-19T00:00:00+00:00");
        let start = parse_instant("start", "2020-08-18T10:00:00+02:00", Boundary::Start).unwrap();
        assert_eq!(start.to_rfc3339(), "2020-08-18T08:00:00+00:00");
        assert_eq!(
            parse_instant("start", "yesterday", Boundary::Start)
                .unwrap_err()
                .field,
            "start"
        );
    }
}
