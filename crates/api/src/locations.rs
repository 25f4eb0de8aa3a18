//! `/api/locations`: record pings (through Kafka, like the phones' pings)
//! and read stored ones.

use axum::{
    Extension, Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use chrono::Utc;
use udaconnect_domain::parse_datetime;
use udaconnect_proto::{new_location_from_ping, timestamp_from_datetime, v1};

use crate::{
    auth::Caller,
    extract::{JsonBody, PathId},
    json::{AcceptedLocationJson, LocationJson, NewLocationJson},
    problem::{ApiError, Problem},
    state::ApiState,
};
use udaconnect_messaging::{Source, traceparent};
use udaconnect_persons::{PingRefusal, unknown_person};

/// Records a ping. It is validated, checked against the persons, and
/// durably queued on the locations stream before the answer; it is stored
/// asynchronously, usually within a second, and then readable through the
/// connection search. Sending the same ping again (the same `event_id` and
/// `creation_time`) stores it once.
/// A device sends for its own person only; the organizer may load pings
/// for anyone.
#[utoipa::path(
    post, path = "/api/locations", tag = "locations",
    request_body = NewLocationJson,
    responses(
        (status = 202, description = "Accepted: durably queued, stored shortly", body = AcceptedLocationJson),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The person paused sharing their location: the ping is not kept; do not resend it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing, unknown or invalid, or the person does not exist; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The ping was not accepted (the stream is unavailable); retry with the same `event_id`", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_location(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewLocationJson>,
) -> Result<(StatusCode, Json<AcceptedLocationJson>), ApiError> {
    caller.may_send_for(body.person_id)?;
    let creation_time =
        parse_datetime("creation_time", &body.creation_time).map_err(ApiError::InvalidBody)?;
    // The same ping a phone sends, so both entry points validate alike.
    let ping = v1::Ping {
        event_id: body.event_id.unwrap_or_default(),
        person_id: body.person_id,
        latitude: body.latitude.0,
        longitude: body.longitude.0,
        creation_time: Some(timestamp_from_datetime(creation_time)),
    };
    let location = new_location_from_ping(&ping, Utc::now()).map_err(ApiError::InvalidBody)?;
    let existing = state
        .person_directory
        .existing([location.person_id])
        .await
        .map_err(ApiError::peer("persons"))?;
    if !existing.contains(&location.person_id) {
        return Err(ApiError::InvalidBody(unknown_person(location.person_id)));
    }
    match state.credentials.refuses_pings_of(location.person_id) {
        Some(refusal @ PingRefusal::Erased) => {
            return Err(ApiError::InvalidBody(refusal.reason(location.person_id)));
        }
        Some(refusal @ PingRefusal::Paused) => {
            return Err(ApiError::Conflict(
                refusal.reason(location.person_id).message,
            ));
        }
        None => {}
    }
    let incoming = headers
        .get("traceparent")
        .and_then(|value| value.to_str().ok());
    state
        .publisher
        .enqueue(&location, Source::Rest, &traceparent(incoming))
        .map_err(ApiError::NotAccepted)?
        .acknowledged()
        .await
        .map_err(ApiError::NotAccepted)?;
    metrics::counter!("api_locations_accepted_total").increment(1);
    Ok((
        StatusCode::ACCEPTED,
        Json(AcceptedLocationJson {
            event_id: location.event_id.to_string(),
        }),
    ))
}

/// One location ping: the caller's own, or any for the organizer. Another
/// person's answers 404, as a missing one does, so ids reveal nothing.
#[utoipa::path(
    get, path = "/api/locations/{location_id}", tag = "locations",
    params(("location_id" = i64, Path, minimum = 1, description = "The location's id (a positive integer)")),
    responses(
        (status = 200, description = "The location", body = LocationJson),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_location(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    PathId(id): PathId,
) -> Result<Json<LocationJson>, ApiError> {
    let not_found = || ApiError::NotFound {
        what: "location",
        id,
    };
    let location = state
        .locations
        .clone()
        .get_location(v1::GetLocationRequest { id })
        .await
        .map_err(|status| match status.code() {
            tonic::Code::NotFound => not_found(),
            _ => ApiError::Peer {
                peer: "locations",
                status,
            },
        })?
        .into_inner();
    if !caller.may_see(location.person_id) {
        return Err(not_found());
    }
    Ok(Json(location.into()))
}
