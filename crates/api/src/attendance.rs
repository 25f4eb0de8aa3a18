//! Who attended what: a person's presentations and booths, the attendees
//! a person shares the most with (the product's answer), a presentation's
//! attendees, an area's visitors, and the organizer's figures.

use std::collections::HashMap;

use axum::{Extension, Json, extract::State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use udaconnect_domain::{FieldError, check_id};
use udaconnect_proto::{timedelta_from_duration, timestamp_from_datetime, v1};
use utoipa::ToSchema;

use crate::{
    auth::Caller,
    contacts::MeetingJson,
    events::{EventJson, PresentationJson, event, events_error},
    extract::{PathId, QueryParams},
    json::{PersonJson, peer_time},
    problem::{ApiError, Problem},
    state::{ApiState, Viewer},
};

/// How much each shared thing weighs in the ranking of `/shared` (the
/// events service ranks by the same weights).
const PRESENTATION_WEIGHT: u32 = 3;
const BOOTH_WEIGHT: u32 = 2;
/// Entries per page of `/shared`: default and most (at most as many as one
/// narrowed contacts search takes).
const DEFAULT_SHARED_PAGE: u32 = 20;
const MAX_SHARED_PAGE: u32 = 100;

fn minutes(duration: Option<&udaconnect_proto::Duration>) -> f64 {
    timedelta_from_duration("duration", duration)
        .ok()
        .flatten()
        .map_or(0.0, |delta| delta.as_seconds_f64() / 60.0)
}

fn events_time(timestamp: Option<&udaconnect_proto::Timestamp>) -> Result<DateTime<Utc>, ApiError> {
    peer_time("events", timestamp)
}

/// The `?event=` every per-person route takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventParam {
    event: Option<String>,
}

fn event_id(text: Option<&str>) -> Result<i64, ApiError> {
    let text = text.ok_or_else(|| {
        ApiError::InvalidParameter(FieldError::new("event", "is required (an event id)"))
    })?;
    text.trim()
        .parse::<i64>()
        .map_err(|_| FieldError::new("event", "must be a positive integer"))
        .and_then(|id| check_id("event", id))
        .map_err(ApiError::InvalidParameter)
}

/// A presentation a person attended.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttendedPresentationJson {
    /// Which.
    pub presentation: PresentationJson,
    /// Time in the room during it, in minutes.
    pub minutes_present: f64,
    /// First ping in the room during it.
    pub arrived: DateTime<Utc>,
    /// Last ping in the room during it.
    pub left: DateTime<Utc>,
}

/// A booth as answers name it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BoothJson {
    /// The area's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its exhibitor.
    pub exhibitor: Option<String>,
}

impl BoothJson {
    fn from_wire(area: &v1::Area) -> Self {
        Self {
            id: area.id,
            name: area.name.clone(),
            exhibitor: (!area.exhibitor.is_empty()).then(|| area.exhibitor.clone()),
        }
    }
}

/// A booth a person visited.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitedBoothJson {
    /// Which.
    pub booth: BoothJson,
    /// The counted visits' dwells, summed, in minutes.
    pub minutes_present: f64,
    /// How many visits counted (each at least the minimum dwell).
    pub visits: u32,
    /// Start of the first counted visit.
    pub first_arrived: DateTime<Utc>,
    /// End of the last counted visit.
    pub last_left: DateTime<Utc>,
}

/// What a person attended at an event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttendanceJson {
    /// Whose attendance.
    pub person: PersonJson,
    /// At which event.
    pub event: EventJson,
    /// Presentations attended (in the room for at least 10 minutes of it,
    /// or half of it if shorter), by start.
    pub presentations: Vec<AttendedPresentationJson>,
    /// Booths visited (one stay of at least 2 minutes), by first arrival.
    pub booths: Vec<VisitedBoothJson>,
}

/// The presentations the person attended and the booths they visited at
/// the event, with times and minutes present.
#[utoipa::path(
    get, path = "/api/persons/{person_id}/attendance", tag = "attendance",
    params(
        ("person_id" = i64, Path, minimum = 1, description = "The person's id"),
        ("event" = i64, Query, minimum = 1, description = "The event's id (a positive integer)"),
    ),
    responses(
        (status = 200, description = "What the person attended", body = AttendanceJson),
        (status = 400, description = "A parameter is missing or invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person or event", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_attendance(
    State(state): State<ApiState>,
    PathId(person_id): PathId,
    QueryParams(params): QueryParams<EventParam>,
) -> Result<Json<AttendanceJson>, ApiError> {
    let event_id = event_id(params.event.as_deref())?;
    let (person, event, attendance) =
        tokio::try_join!(state.person(person_id), event(&state, event_id), async {
            state
                .events
                .clone()
                .get_attendance(v1::AttendanceRequest {
                    person_id,
                    event_id,
                })
                .await
                .map_err(events_error("event", event_id))
        },)?;
    let attendance = attendance.into_inner();
    Ok(Json(AttendanceJson {
        person: person.into(),
        event: EventJson::from_wire(event)?,
        presentations: attendance
            .presentations
            .into_iter()
            .map(|attended| {
                Ok(AttendedPresentationJson {
                    minutes_present: minutes(attended.present.as_ref()),
                    arrived: events_time(attended.arrived.as_ref())?,
                    left: events_time(attended.left.as_ref())?,
                    presentation: PresentationJson::from_wire(
                        attended.presentation.unwrap_or_default(),
                    )?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        booths: attendance
            .booths
            .into_iter()
            .map(|visited| {
                Ok(VisitedBoothJson {
                    booth: BoothJson::from_wire(&visited.booth.unwrap_or_default()),
                    minutes_present: minutes(visited.dwell.as_ref()),
                    visits: visited.visits,
                    first_arrived: events_time(visited.first_arrived.as_ref())?,
                    last_left: events_time(visited.last_left.as_ref())?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
    }))
}

/// A presentation as `/shared` names it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SharedPresentationJson {
    /// The presentation's id.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// Its room's name.
    pub room: String,
    /// When it started.
    pub start: DateTime<Utc>,
}

/// What the person shares with one other attendee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SharedWithJson {
    /// The other attendee.
    pub person: PersonJson,
    /// 3 per presentation and 2 per booth shared.
    pub score: u32,
    /// Presentations both attended, by start.
    pub presentations: Vec<SharedPresentationJson>,
    /// Booths both visited, by name.
    pub booths: Vec<BoothJson>,
    /// Times the two met at the event (the contacts search), earliest
    /// first; listed, not scored.
    pub meetings: Vec<MeetingJson>,
}

/// A page of the attendees a person shares the most with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SharedPageJson {
    /// Ranked by score, then by presentations shared, then person id.
    pub shared: Vec<SharedWithJson>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// `?event=&limit=&cursor=` of `/shared`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedParams {
    event: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

impl SharedParams {
    /// (event, page size, entries to skip).
    fn parse(&self) -> Result<(i64, u32, u32), ApiError> {
        let event = event_id(self.event.as_deref())?;
        let limit = match &self.limit {
            None => DEFAULT_SHARED_PAGE,
            Some(text) => text
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|limit| (1..=MAX_SHARED_PAGE).contains(limit))
                .ok_or_else(|| {
                    ApiError::InvalidParameter(FieldError::new(
                        "limit",
                        format!("must be an integer from 1 to {MAX_SHARED_PAGE}"),
                    ))
                })?,
        };
        let skip = match &self.cursor {
            None => 0,
            Some(text) => text.trim().parse::<u32>().map_err(|_| {
                ApiError::InvalidParameter(FieldError::new(
                    "cursor",
                    "must be the next_cursor of a previous page",
                ))
            })?,
        };
        Ok((event, limit, skip))
    }
}

/// The other attendees ranked by what they attended with this person at
/// the event: 3 points per presentation both attended, 2 per booth both
/// visited. Each entry lists what is shared, so people with common
/// interests can connect, and the times the two met there (the contacts
/// search over the event's hours with its defaults: 10 m, 10-minute
/// window). Meetings do not rank: whom one met is the contacts route's
/// answer, and ranking by it would search every contact of the event for
/// each page.
#[utoipa::path(
    get, path = "/api/persons/{person_id}/shared", tag = "attendance",
    params(
        ("person_id" = i64, Path, minimum = 1, description = "The person's id"),
        ("event" = i64, Query, minimum = 1, description = "The event's id (a positive integer)"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Entries per page, 1 to 100; default 20"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "A page of attendees, ranked", body = SharedPageJson),
        (status = 400, description = "A parameter is missing or invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person or event", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn find_shared(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    PathId(person_id): PathId,
    QueryParams(params): QueryParams<SharedParams>,
) -> Result<Json<SharedPageJson>, ApiError> {
    let (event_id, limit, skip) = params.parse()?;
    let (subject, event, page) =
        tokio::try_join!(state.person(person_id), event(&state, event_id), async {
            state
                .events
                .clone()
                .find_shared_attendance(v1::FindSharedAttendanceRequest {
                    person_id,
                    event_id,
                    limit,
                    cursor: skip.to_string(),
                })
                .await
                .map_err(events_error("event", event_id))
        },)?;
    let page = page.into_inner();
    let presentations: HashMap<i64, v1::Presentation> = page
        .presentations
        .into_iter()
        .map(|presentation| (presentation.id, presentation))
        .collect();
    let areas: HashMap<i64, v1::Area> = page
        .booths
        .into_iter()
        .map(|area| (area.id, area))
        .collect();
    let others: Vec<i64> = page.others.iter().map(|other| other.person_id).collect();
    let (named, mut meetings) = tokio::try_join!(
        state.with_persons(
            page.others,
            |other| other.person_id,
            Viewer::of(&caller, &subject)
        ),
        meetings_during(&state, person_id, &event, others),
    )?;
    let mut shared = Vec::with_capacity(named.len());
    for (person, attendance) in named {
        shared.push(SharedWithJson {
            person,
            score: PRESENTATION_WEIGHT * attendance.presentation_ids.len() as u32
                + BOOTH_WEIGHT * attendance.booth_ids.len() as u32,
            presentations: attendance
                .presentation_ids
                .iter()
                .filter_map(|id| presentations.get(id))
                .map(|presentation| {
                    Ok(SharedPresentationJson {
                        id: presentation.id,
                        title: presentation.title.clone(),
                        room: presentation.room.clone(),
                        start: events_time(presentation.start.as_ref())?,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            booths: attendance
                .booth_ids
                .iter()
                .filter_map(|id| areas.get(id))
                .map(BoothJson::from_wire)
                .collect(),
            meetings: meetings
                .remove(&attendance.person_id)
                .unwrap_or_default()
                .into_iter()
                .map(MeetingJson::try_from)
                .collect::<Result<_, _>>()?,
        });
    }
    Ok(Json(SharedPageJson {
        shared,
        next_cursor: (!page.next_cursor.is_empty()).then_some(page.next_cursor),
    }))
}

/// The meetings of the person with each of `others` during the event: one
/// contacts search narrowed to them.
async fn meetings_during(
    state: &ApiState,
    person_id: i64,
    event: &v1::Event,
    others: Vec<i64>,
) -> Result<HashMap<i64, Vec<v1::Meeting>>, ApiError> {
    if others.is_empty() {
        return Ok(HashMap::new());
    }
    let (start, end) = (
        events_time(event.start.as_ref())?,
        events_time(event.end.as_ref())?,
    );
    let found = state
        .locations
        .clone()
        .find_contacts(v1::FindContactsRequest {
            person_id,
            start_time: Some(timestamp_from_datetime(start)),
            end_time: Some(timestamp_from_datetime(end)),
            // One page holds them all.
            limit: others.len() as u32,
            among_person_ids: others,
            ..Default::default()
        })
        .await
        .map_err(ApiError::peer("locations"))?
        .into_inner();
    Ok(found
        .contacts
        .into_iter()
        .map(|contact| (contact.person_id, contact.meetings))
        .collect())
}

/// One attendee of a presentation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PresentationAttendeeJson {
    /// Who.
    pub person: PersonJson,
    /// Time in the room during it, in minutes.
    pub minutes_present: f64,
    /// First ping in the room during it.
    pub arrived: DateTime<Utc>,
    /// Last ping in the room during it.
    pub left: DateTime<Utc>,
}

/// A presentation and who attended it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PresentationAttendeesJson {
    /// Which presentation.
    pub presentation: PresentationJson,
    /// Longest present first.
    pub attendees: Vec<PresentationAttendeeJson>,
}

/// Who attended the presentation.
#[utoipa::path(
    get, path = "/api/presentations/{presentation_id}/attendees", tag = "attendance",
    params(("presentation_id" = i64, Path, minimum = 1, description = "The presentation's id")),
    responses(
        (status = 200, description = "The presentation and its attendees", body = PresentationAttendeesJson),
        (status = 404, description = "No such presentation", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_presentation_attendees(
    State(state): State<ApiState>,
    PathId(presentation_id): PathId,
) -> Result<Json<PresentationAttendeesJson>, ApiError> {
    let answer = state
        .events
        .clone()
        .list_presentation_attendees(v1::ListPresentationAttendeesRequest { presentation_id })
        .await
        .map_err(events_error("presentation", presentation_id))?
        .into_inner();
    let attendees = state
        .with_persons(
            answer.attendees,
            |attendee| attendee.person_id,
            Viewer::Organizer,
        )
        .await?
        .into_iter()
        .map(|(person, attendee)| {
            Ok(PresentationAttendeeJson {
                person,
                minutes_present: minutes(attendee.present.as_ref()),
                arrived: events_time(attendee.arrived.as_ref())?,
                left: events_time(attendee.left.as_ref())?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(PresentationAttendeesJson {
        presentation: PresentationJson::from_wire(answer.presentation.unwrap_or_default())?,
        attendees,
    }))
}

/// One visitor of an area.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AreaVisitorJson {
    /// Who.
    pub person: PersonJson,
    /// Every visit's dwell, summed, in minutes.
    pub minutes_present: f64,
    /// How many visits.
    pub visits: u32,
    /// Start of the first visit.
    pub first_arrived: DateTime<Utc>,
    /// End of the last visit.
    pub last_left: DateTime<Utc>,
    /// Whether a visit was long enough to count as a booth visit (always
    /// true in rooms).
    pub counted: bool,
}

/// An area and everyone seen in it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AreaVisitorsJson {
    /// Which area.
    pub area: crate::events::AreaFeatureJson,
    /// Longest dwell first.
    pub visitors: Vec<AreaVisitorJson>,
}

/// Everyone seen in a booth or room, passers-by included (`counted` tells
/// visits long enough to count).
#[utoipa::path(
    get, path = "/api/areas/{area_id}/visitors", tag = "attendance",
    params(("area_id" = i64, Path, minimum = 1, description = "The area's id")),
    responses(
        (status = 200, description = "The area and its visitors", body = AreaVisitorsJson),
        (status = 404, description = "No such area", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_area_visitors(
    State(state): State<ApiState>,
    PathId(area_id): PathId,
) -> Result<Json<AreaVisitorsJson>, ApiError> {
    let answer = state
        .events
        .clone()
        .list_area_visitors(v1::ListAreaVisitorsRequest { area_id })
        .await
        .map_err(events_error("area", area_id))?
        .into_inner();
    let visitors = state
        .with_persons(
            answer.visitors,
            |visitor| visitor.person_id,
            Viewer::Organizer,
        )
        .await?
        .into_iter()
        .map(|(person, visitor)| {
            Ok(AreaVisitorJson {
                person,
                minutes_present: minutes(visitor.dwell.as_ref()),
                visits: visitor.visits,
                first_arrived: events_time(visitor.first_arrived.as_ref())?,
                last_left: events_time(visitor.last_left.as_ref())?,
                counted: visitor.counted,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(AreaVisitorsJson {
        area: crate::events::AreaFeatureJson::from_wire(answer.area.unwrap_or_default()),
        visitors,
    }))
}

/// Attendance of one presentation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PresentationCountJson {
    /// Which.
    pub presentation: PresentationJson,
    /// How many attended it.
    pub attendees: u32,
}

/// Visitors of one booth during one hour.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BoothHourJson {
    /// Which booth.
    pub booth: BoothJson,
    /// Start of the hour (UTC).
    pub hour: DateTime<Utc>,
    /// Persons with a counted visit overlapping the hour.
    pub visitors: u32,
}

/// The organizer's figures of an event.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventStatisticsJson {
    /// Every presentation with its attendance, by start.
    pub presentations: Vec<PresentationCountJson>,
    /// Booth traffic per hour, by booth then hour (hours without visitors
    /// left out).
    pub booth_traffic: Vec<BoothHourJson>,
}

/// For the organizer: attendance of every presentation and booth traffic
/// per hour.
#[utoipa::path(
    get, path = "/api/events/{event_id}/statistics", tag = "events",
    params(("event_id" = i64, Path, minimum = 1, description = "The event's id")),
    responses(
        (status = 200, description = "The event's figures", body = EventStatisticsJson),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_statistics(
    State(state): State<ApiState>,
    PathId(event_id): PathId,
) -> Result<Json<EventStatisticsJson>, ApiError> {
    let events = || state.events.clone();
    let (statistics, presentations, areas) = tokio::try_join!(
        async {
            events()
                .get_event_statistics(v1::GetEventRequest { id: event_id })
                .await
                .map_err(events_error("event", event_id))
        },
        async {
            events()
                .list_presentations(v1::ListPresentationsRequest { event_id })
                .await
                .map_err(events_error("event", event_id))
        },
        async {
            events()
                .list_areas(v1::ListAreasRequest { event_id })
                .await
                .map_err(events_error("event", event_id))
        },
    )?;
    let statistics = statistics.into_inner();
    let mut presentations: HashMap<i64, v1::Presentation> = presentations
        .into_inner()
        .presentations
        .into_iter()
        .map(|presentation| (presentation.id, presentation))
        .collect();
    let areas: HashMap<i64, v1::Area> = areas
        .into_inner()
        .areas
        .into_iter()
        .map(|area| (area.id, area))
        .collect();
    Ok(Json(EventStatisticsJson {
        presentations: statistics
            .presentations
            .into_iter()
            .filter_map(|count| {
                let presentation = presentations.remove(&count.presentation_id)?;
                Some(
                    PresentationJson::from_wire(presentation).map(|presentation| {
                        PresentationCountJson {
                            presentation,
                            attendees: count.attendees,
                        }
                    }),
                )
            })
            .collect::<Result<_, _>>()?,
        booth_traffic: statistics
            .booth_traffic
            .into_iter()
            .filter_map(|hour| {
                let booth = BoothJson::from_wire(areas.get(&hour.booth_id)?);
                Some(events_time(hour.hour.as_ref()).map(|start| BoothHourJson {
                    booth,
                    hour: start,
                    visitors: hour.visitors,
                }))
            })
            .collect::<Result<_, _>>()?,
    }))
}
