//! A person's export: everything stored about them, as one JSON document
//! they can take with them — their record, their phones, their visits to
//! booths and rooms, and every ping, streamed as the locations service
//! reads them, so a long event's pings cost time, not memory.

use axum::{
    body::{Body, Bytes},
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tower::BoxError;
use udaconnect_proto::v1;
use utoipa::ToSchema;

use crate::{
    extract::PathId,
    identity::DeviceJson,
    json::{LocationJson, PersonJson, peer_time},
    problem::{ApiError, Problem},
    state::ApiState,
};

/// A stay in a booth or room, as the attendance consumer recorded it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitJson {
    /// The event of the area.
    pub event_id: i64,
    /// The booth or room.
    pub area_id: i64,
    /// Its name on the floor plan.
    pub area_name: String,
    /// `booth` or `room`.
    pub area_kind: String,
    /// The first ping in it.
    pub start: DateTime<Utc>,
    /// The last ping in it.
    pub end: DateTime<Utc>,
}

/// Everything stored about a person.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonExportJson {
    /// When the export was made.
    pub exported_at: DateTime<Utc>,
    /// Their record.
    pub person: PersonJson,
    /// Their phones, revoked ones included.
    pub devices: Vec<DeviceJson>,
    /// Their visits to booths and rooms, at every event, by start.
    pub visits: Vec<VisitJson>,
    /// Every ping of theirs, oldest first. Last, because it is written as
    /// it is read.
    pub locations: Vec<LocationJson>,
}

/// Everything stored about the person, as one JSON document (an
/// attachment): their record, phones, visits and every ping. The person
/// themselves, or the organizer (logged).
#[utoipa::path(
    get, path = "/api/persons/{person_id}/export", tag = "persons",
    params(("person_id" = i64, Path, minimum = 1, description = "The person's id")),
    responses(
        (status = 200, description = "The person's data, streamed as it is read. A client that takes none of it for 30 seconds (the server's `LOCATIONS_READ_STALL_LIMIT`) has it cut short, the document left unterminated", body = PersonExportJson),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn export_person(
    State(state): State<ApiState>,
    PathId(person_id): PathId,
) -> Result<Response, ApiError> {
    let (person, devices, visits) = tokio::try_join!(
        state.person(person_id),
        async {
            state
                .persons
                .clone()
                .list_devices(v1::ListDevicesRequest { person_id })
                .await
                .map_err(ApiError::peer("persons"))
        },
        async {
            state
                .events
                .clone()
                .list_person_visits(v1::ListPersonVisitsRequest { person_id })
                .await
                .map_err(ApiError::peer("events"))
        },
    )?;
    let locations = state
        .locations
        .clone()
        .list_person_locations(v1::ListPersonLocationsRequest { person_id })
        .await
        .map_err(ApiError::peer("locations"))?
        .into_inner();
    let head = PersonExportJson {
        exported_at: Utc::now(),
        person: person.into(),
        devices: devices
            .into_inner()
            .devices
            .into_iter()
            .map(DeviceJson::from_wire)
            .collect::<Result<_, _>>()?,
        visits: visits
            .into_inner()
            .visits
            .into_iter()
            .map(|visit| {
                Ok(VisitJson {
                    event_id: visit.event_id,
                    area_id: visit.area_id,
                    area_name: visit.area_name,
                    area_kind: visit.area_kind,
                    start: peer_time("events", visit.start.as_ref())?,
                    end: peer_time("events", visit.end.as_ref())?,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        locations: Vec::new(),
    };
    // The document up to its empty list of locations, which the streamed
    // pings then fill.
    let mut opening =
        serde_json::to_vec(&head).map_err(|error| ApiError::Internal(error.to_string()))?;
    let closing = b"]}";
    debug_assert!(opening.ends_with(b"\"locations\":[]}"));
    opening.truncate(opening.len() - closing.len());
    let mut written = 0_u64;
    let pings = locations.map(move |chunk| -> Result<Bytes, BoxError> {
        let chunk = chunk.inspect_err(|status| {
            tracing::error!(%status, person_id, "export cut short");
        })?;
        let mut out = Vec::with_capacity(chunk.locations.len() * 120);
        for location in chunk.locations {
            if written > 0 {
                out.push(b',');
            }
            serde_json::to_writer(&mut out, &LocationJson::from(location))?;
            written += 1;
        }
        Ok(Bytes::from(out))
    });
    let body = futures::stream::once(async move { Ok::<_, BoxError>(Bytes::from(opening)) })
        .chain(pings)
        .chain(futures::stream::once(async move {
            Ok(Bytes::from_static(closing))
        }));
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"udaconnect-person-{person_id}.json\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
