//! `/api/events`: conferences, their floor plans (GeoJSON) and programmes
//! (iCalendar or JSON), answered by the events service.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tonic::Code;
use udaconnect_domain::{FieldError, parse_datetime};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{self, put_programme_request::Document},
};
use utoipa::ToSchema;

use crate::{
    extract::{JsonBody, MAX_UPLOAD_BYTES, PathId, RawBody, declared_type, utf8_text},
    json::peer_time,
    problem::{ApiError, Problem},
    state::ApiState,
};

/// A conference.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 1, "name": "UdaConference 2020", "start": "2020-08-18T14:00:00Z", "end": "2020-08-19T01:00:00Z", "time_zone": "America/Denver"}))]
pub struct EventJson {
    /// Server-assigned id.
    pub id: i64,
    /// What attendees call it.
    pub name: String,
    /// When it starts (RFC 3339, UTC); pings before it never count.
    pub start: DateTime<Utc>,
    /// When it ends, exclusive.
    pub end: DateTime<Utc>,
    /// IANA time zone, for showing local times.
    pub time_zone: String,
}

impl EventJson {
    pub(crate) fn from_wire(event: v1::Event) -> Result<Self, ApiError> {
        Ok(Self {
            id: event.id,
            start: peer_time("events", event.start.as_ref())?,
            end: peer_time("events", event.end.as_ref())?,
            name: event.name,
            time_zone: event.time_zone,
        })
    }
}

/// An event to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "UdaConference 2020", "start": "2020-08-18T08:00:00-06:00", "end": "2020-08-18T19:00:00-06:00", "time_zone": "America/Denver"}))]
pub struct NewEventJson {
    /// 1 to 200 characters.
    pub name: String,
    /// ISO-8601 date-time (naive means UTC).
    #[schema(
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
    )]
    pub start: String,
    /// After `start`, by at most 31 days.
    #[schema(
        pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$"
    )]
    pub end: String,
    /// An IANA time zone name.
    pub time_zone: String,
}

/// A presentation of an event's programme.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": 3, "event_id": 1, "title": "Kafka in a nutshell", "speakers": ["Ada Lovelace"], "room_id": 12, "room": "Hall A", "start": "2020-08-18T15:00:00Z", "end": "2020-08-18T15:45:00Z", "uid": "talk-3@example.org"}))]
pub struct PresentationJson {
    /// Server-assigned id (new ids with each programme upload).
    pub id: i64,
    /// The event.
    pub event_id: i64,
    /// What it is called.
    pub title: String,
    /// Who presents.
    pub speakers: Vec<String>,
    /// The room's area id.
    pub room_id: i64,
    /// The room's name.
    pub room: String,
    /// When it starts (RFC 3339, UTC).
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// The programme's own id of the entry (iCalendar UID), if it had one.
    pub uid: Option<String>,
}

impl PresentationJson {
    pub(crate) fn from_wire(presentation: v1::Presentation) -> Result<Self, ApiError> {
        Ok(Self {
            id: presentation.id,
            event_id: presentation.event_id,
            start: peer_time("events", presentation.start.as_ref())?,
            end: peer_time("events", presentation.end.as_ref())?,
            title: presentation.title,
            speakers: presentation.speakers,
            room_id: presentation.room_id,
            room: presentation.room,
            uid: (!presentation.uid.is_empty()).then_some(presentation.uid),
        })
    }
}

/// An event's floor plan as GeoJSON (RFC 7946), as uploaded, with ids.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FloorPlanJson {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$")]
    pub kind: String,
    /// One feature per area, by name.
    pub features: Vec<AreaFeatureJson>,
}

/// A floor plan to upload: GeoJSON (RFC 7946) as [`FloorPlanJson`] answers
/// it, but an area's `id` may be left out and is ignored: areas keep their
/// id while their name is kept. Only its schema is used: the events service
/// parses the upload itself.
#[derive(Debug, Deserialize, ToSchema)]
#[expect(
    dead_code,
    reason = "documents the upload, which the events service parses"
)]
pub struct NewFloorPlanJson {
    /// Always `FeatureCollection`.
    #[serde(rename = "type")]
    #[schema(pattern = "^FeatureCollection$")]
    kind: String,
    /// One feature per area; names are unique.
    features: Vec<NewAreaFeatureJson>,
}

/// One area of a floor plan to upload.
#[derive(Debug, Deserialize, ToSchema)]
#[expect(
    dead_code,
    reason = "documents the upload, which the events service parses"
)]
pub struct NewAreaFeatureJson {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(pattern = "^Feature$")]
    kind: String,
    /// Name, kind and exhibitor.
    properties: AreaPropertiesJson,
    /// The outline.
    geometry: PolygonJson,
}

/// One area of a floor plan: a booth or a room.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"type": "Feature", "id": 12, "properties": {"name": "Hall A", "kind": "room", "exhibitor": null}, "geometry": {"type": "Polygon", "coordinates": [[[-106.5721, 35.0587], [-106.5719, 35.0587], [-106.5719, 35.0589], [-106.5721, 35.0589], [-106.5721, 35.0587]]]}}))]
pub struct AreaFeatureJson {
    /// Always `Feature`.
    #[serde(rename = "type")]
    #[schema(pattern = "^Feature$")]
    pub kind: String,
    /// The area's id (kept across uploads while its name is).
    pub id: i64,
    /// Name, kind and exhibitor.
    pub properties: AreaPropertiesJson,
    /// The outline.
    pub geometry: PolygonJson,
}

/// What an area is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AreaPropertiesJson {
    /// Unique within the event.
    pub name: String,
    /// `booth` or `room`.
    #[schema(pattern = "^(booth|room)$")]
    pub kind: String,
    /// A booth's exhibitor.
    pub exhibitor: Option<String>,
}

/// A GeoJSON Polygon: rings of [longitude, latitude], the outer one first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PolygonJson {
    /// Always `Polygon`.
    #[serde(rename = "type")]
    #[schema(pattern = "^Polygon$")]
    pub kind: String,
    /// Closed rings of [longitude, latitude] positions.
    pub coordinates: Vec<Vec<[f64; 2]>>,
}

impl AreaFeatureJson {
    pub(crate) fn from_wire(area: v1::Area) -> Self {
        let kind = match area.kind() {
            v1::AreaKind::Booth => "booth",
            v1::AreaKind::Room => "room",
            v1::AreaKind::Unspecified => "unspecified",
        };
        Self {
            kind: "Feature".to_owned(),
            id: area.id,
            properties: AreaPropertiesJson {
                name: area.name,
                kind: kind.to_owned(),
                exhibitor: (!area.exhibitor.is_empty()).then_some(area.exhibitor),
            },
            geometry: PolygonJson {
                kind: "Polygon".to_owned(),
                coordinates: area
                    .outline
                    .map(|outline| {
                        outline
                            .rings
                            .into_iter()
                            .map(|ring| {
                                ring.positions
                                    .into_iter()
                                    .map(|position| [position.longitude, position.latitude])
                                    .collect()
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            },
        }
    }
}

fn floor_plan(areas: Vec<v1::Area>) -> FloorPlanJson {
    FloorPlanJson {
        kind: "FeatureCollection".to_owned(),
        features: areas.into_iter().map(AreaFeatureJson::from_wire).collect(),
    }
}

/// An events-service error: what the client sent is wrong (422, naming
/// the field), conflicts with what is stored (409), or names no event (404).
fn upload_error(status: tonic::Status) -> ApiError {
    match status.code() {
        Code::InvalidArgument => ApiError::InvalidBody(field_of(status.message())),
        Code::FailedPrecondition => ApiError::Conflict(status.message().to_owned()),
        _ => ApiError::peer("events")(status),
    }
}

/// The field a service names at the start of its message (`features[2].geometry:
/// …`); the uploaded document itself is the request body.
pub(crate) fn field_of(message: &str) -> FieldError {
    match message.split_once(": ") {
        Some((field, detail)) if !field.contains(' ') => {
            let field = match field {
                "geojson" | "icalendar" | "json" => "body",
                other => other,
            };
            FieldError::new(field, detail)
        }
        _ => FieldError::new("body", message),
    }
}

/// One event, or the 404 that routes under `/api/events/{id}` answer.
pub(crate) async fn event(state: &ApiState, id: i64) -> Result<v1::Event, ApiError> {
    state
        .events
        .clone()
        .get_event(v1::GetEventRequest { id })
        .await
        .map(tonic::Response::into_inner)
        .map_err(events_error("event", id))
}

/// Every event, the latest start first.
#[utoipa::path(
    get, path = "/api/events", tag = "events",
    responses(
        (status = 200, description = "Every event, the latest start first", body = [EventJson]),
        (status = 503, description = "A backing service is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_events(State(state): State<ApiState>) -> Result<Json<Vec<EventJson>>, ApiError> {
    let events = state
        .events
        .clone()
        .list_events(v1::ListEventsRequest {})
        .await
        .map_err(ApiError::peer("events"))?
        .into_inner()
        .events;
    Ok(Json(
        events
            .into_iter()
            .map(EventJson::from_wire)
            .collect::<Result<_, _>>()?,
    ))
}

/// Creates an event; upload its floor plan, then its programme.
#[utoipa::path(
    post, path = "/api/events", tag = "events",
    request_body = NewEventJson,
    responses(
        (status = 201, description = "Created; `Location` names the new event", body = EventJson,
            headers(("Location" = String, description = "URL of the new event")),
            links(
                ("GetEvent" = (operation_id = "get_event", parameters(("event_id" = "$response.body#/id")))),
                ("PutFloorPlan" = (operation_id = "put_floor_plan", parameters(("event_id" = "$response.body#/id")))),
                ("ListAreas" = (operation_id = "list_areas", parameters(("event_id" = "$response.body#/id")))),
                ("PutProgramme" = (operation_id = "put_programme", parameters(("event_id" = "$response.body#/id")))),
                ("ListPresentations" = (operation_id = "list_presentations", parameters(("event_id" = "$response.body#/id")))),
                ("GetStatistics" = (operation_id = "get_statistics", parameters(("event_id" = "$response.body#/id"))))
            )),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing, unknown or invalid (an end before the start, an unknown time zone); `field` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_event(
    State(state): State<ApiState>,
    JsonBody(event): JsonBody<NewEventJson>,
) -> Result<impl IntoResponse, ApiError> {
    let start = parse_datetime("start", &event.start).map_err(ApiError::InvalidBody)?;
    let end = parse_datetime("end", &event.end).map_err(ApiError::InvalidBody)?;
    let created = state
        .events
        .clone()
        .create_event(v1::CreateEventRequest {
            name: event.name,
            start: Some(timestamp_from_datetime(start)),
            end: Some(timestamp_from_datetime(end)),
            time_zone: event.time_zone,
        })
        .await
        .map_err(upload_error)?
        .into_inner();
    let created = EventJson::from_wire(created)?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/events/{}", created.id))],
        Json(created),
    ))
}

/// One event.
#[utoipa::path(
    get, path = "/api/events/{event_id}", tag = "events",
    params(("event_id" = i64, Path, minimum = 1, description = "The event's id (a positive integer)")),
    responses(
        (status = 200, description = "The event", body = EventJson),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_event(
    State(state): State<ApiState>,
    PathId(event_id): PathId,
) -> Result<Json<EventJson>, ApiError> {
    Ok(Json(EventJson::from_wire(event(&state, event_id).await?)?))
}

/// Replaces the event's floor plan: a GeoJSON FeatureCollection of Polygon
/// features with properties `name` (unique), `kind` (`booth` or `room`) and,
/// for booths, `exhibitor`. Areas keep their id while their name is kept.
/// Nothing is stored unless every area is valid.
#[utoipa::path(
    put, path = "/api/events/{event_id}/floor-plan", tag = "events",
    params(("event_id" = i64, Path, minimum = 1, description = "The event's id (a positive integer)")),
    request_body(content = NewFloorPlanJson, content_type = "application/geo+json", description = "A GeoJSON FeatureCollection (`application/geo+json` or `application/json`), at most 16 MiB"),
    responses(
        (status = 200, description = "The event's floor plan now, with area ids", body = FloorPlanJson, content_type = "application/geo+json",
            links(
                ("ListAreaVisitors" = (operation_id = "list_area_visitors", parameters(("area_id" = "$response.body#/features/0/id"))))
            )),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A room the programme still uses would be removed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 16 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as GeoJSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a FeatureCollection, or an area is invalid (a self-intersecting or open polygon, a missing name, an unknown kind); `field` names it (`features[3].geometry`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_floor_plan(
    State(state): State<ApiState>,
    PathId(event_id): PathId,
    headers: HeaderMap,
    RawBody(body): RawBody<MAX_UPLOAD_BYTES>,
) -> Result<impl IntoResponse, ApiError> {
    declared_type(&headers, &["application/geo+json", "application/json"])
        .ok_or(ApiError::UnsupportedMediaType)?;
    let geojson = utf8_text(&body)?.to_owned();
    let areas = state
        .events
        .clone()
        .put_floor_plan(v1::PutFloorPlanRequest { event_id, geojson })
        .await
        .map_err(|status| match status.code() {
            Code::NotFound => events_error("event", event_id)(status),
            _ => upload_error(status),
        })?
        .into_inner()
        .areas;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        Json(floor_plan(areas)),
    ))
}

/// The event's floor plan.
#[utoipa::path(
    get, path = "/api/events/{event_id}/areas", tag = "events",
    params(("event_id" = i64, Path, minimum = 1, description = "The event's id (a positive integer)")),
    responses(
        (status = 200, description = "Every area, by name, as GeoJSON", body = FloorPlanJson, content_type = "application/geo+json"),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_areas(
    State(state): State<ApiState>,
    PathId(event_id): PathId,
) -> Result<impl IntoResponse, ApiError> {
    let areas = state
        .events
        .clone()
        .list_areas(v1::ListAreasRequest { event_id })
        .await
        .map_err(events_error("event", event_id))?
        .into_inner()
        .areas;
    Ok((
        [(header::CONTENT_TYPE, "application/geo+json")],
        Json(floor_plan(areas)),
    ))
}

/// An events-service error about the `what` with `id`: NOT_FOUND is that
/// entity's 404, anything else the service's failure.
pub(crate) fn events_error(what: &'static str, id: i64) -> impl FnOnce(tonic::Status) -> ApiError {
    move |status| match status.code() {
        Code::NotFound => ApiError::NotFound { what, id },
        _ => ApiError::Peer {
            peer: "events",
            status,
        },
    }
}

/// Replaces the event's programme: iCalendar (`text/calendar`; one VEVENT
/// per presentation: SUMMARY the title, LOCATION the room's name,
/// DTSTART/DTEND, each ATTENDEE's CN a speaker) or JSON (`{"presentations":
/// [{"title", "speakers", "room", "start", "end", "uid"}]}`). Times without
/// an offset are in the event's time zone. Nothing is stored unless every
/// presentation is valid.
#[utoipa::path(
    put, path = "/api/events/{event_id}/programme", tag = "events",
    params(("event_id" = i64, Path, minimum = 1, description = "The event's id (a positive integer)")),
    request_body(content = String, content_type = "text/calendar", description = "An iCalendar text (RFC 5545), or the same programme as `application/json`; at most 16 MiB"),
    responses(
        (status = 200, description = "The event's presentations now, by start", body = [PresentationJson],
            links(
                ("ListPresentationAttendees" = (operation_id = "list_presentation_attendees", parameters(("presentation_id" = "$response.body#/0/id"))))
            )),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 16 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is neither `text/calendar` nor `application/json`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unparsable, or a presentation is invalid (an unknown room, an end before its start, outside the event); `field` names it (`presentations[2].room`)", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn put_programme(
    State(state): State<ApiState>,
    PathId(event_id): PathId,
    headers: HeaderMap,
    RawBody(body): RawBody<MAX_UPLOAD_BYTES>,
) -> Result<Json<Vec<PresentationJson>>, ApiError> {
    let declared = declared_type(&headers, &["text/calendar", "application/json"])
        .ok_or(ApiError::UnsupportedMediaType)?;
    let text = utf8_text(&body)?.to_owned();
    let document = if declared == "text/calendar" {
        Document::Icalendar(text)
    } else {
        Document::Json(text)
    };
    let presentations = state
        .events
        .clone()
        .put_programme(v1::PutProgrammeRequest {
            event_id,
            document: Some(document),
        })
        .await
        .map_err(|status| match status.code() {
            Code::NotFound => events_error("event", event_id)(status),
            _ => upload_error(status),
        })?
        .into_inner()
        .presentations;
    Ok(Json(
        presentations
            .into_iter()
            .map(PresentationJson::from_wire)
            .collect::<Result<_, _>>()?,
    ))
}

/// The event's programme.
#[utoipa::path(
    get, path = "/api/events/{event_id}/presentations", tag = "events",
    params(("event_id" = i64, Path, minimum = 1, description = "The event's id (a positive integer)")),
    responses(
        (status = 200, description = "Every presentation, by start, then room", body = [PresentationJson]),
        (status = 404, description = "No such event", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_presentations(
    State(state): State<ApiState>,
    PathId(event_id): PathId,
) -> Result<Json<Vec<PresentationJson>>, ApiError> {
    let presentations = state
        .events
        .clone()
        .list_presentations(v1::ListPresentationsRequest { event_id })
        .await
        .map_err(events_error("event", event_id))?
        .into_inner()
        .presentations;
    Ok(Json(
        presentations
            .into_iter()
            .map(PresentationJson::from_wire)
            .collect::<Result<_, _>>()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_message_names_its_field() {
        let error = field_of("features[3].geometry: is not a valid polygon: Self-intersection");
        assert_eq!(error.field, "features[3].geometry");
        assert_eq!(error.message, "is not a valid polygon: Self-intersection");
        assert_eq!(
            field_of("geojson: must be a FeatureCollection").field,
            "body"
        );
        assert_eq!(field_of("no colon here").field, "body");
    }
}
