//! What an attendee decides about their own data: whether others may see
//! them, whether their location is shared at all, and erasing everything.

use axum::{Extension, Json, extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use udaconnect_auth::Principal;
use udaconnect_proto::v1;
use utoipa::ToSchema;

use crate::{
    auth::Caller,
    extract::{JsonBody, PathId},
    problem::{ApiError, Problem},
    state::ApiState,
};

/// An attendee's choices. Both start `false`: nobody is shown to others,
/// and every location is shared, until the attendee decides otherwise.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"visible_to_others": true, "location_paused": false}))]
pub struct PrivacyJson {
    /// Whether other attendees may see this person in their contacts,
    /// shared attendance and connections. Mutual: an attendee sees only
    /// those who are visible, and only while visible themselves.
    pub visible_to_others: bool,
    /// While `true`, pings for the person are refused (409 here,
    /// FAILED_PRECONDITION on gRPC) and never stored; pings accepted
    /// before are kept. Takes effect within 15 seconds.
    pub location_paused: bool,
}

impl From<v1::Privacy> for PrivacyJson {
    fn from(privacy: v1::Privacy) -> Self {
        Self {
            visible_to_others: privacy.visible_to_others,
            location_paused: privacy.location_paused,
        }
    }
}

/// An erasure under way.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErasureJson {
    /// Whose data is being erased.
    pub person_id: i64,
    /// When it was asked for.
    pub requested: DateTime<Utc>,
}

/// The person's privacy choices.
#[utoipa::path(
    get, path = "/api/persons/{person_id}/privacy", tag = "privacy",
    params(("person_id" = i64, Path, minimum = 1, description = "The person's id")),
    responses(
        (status = 200, description = "The person's choices", body = PrivacyJson),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_privacy(
    State(state): State<ApiState>,
    PathId(person_id): PathId,
) -> Result<Json<PrivacyJson>, ApiError> {
    let person = state.person(person_id).await?;
    Ok(Json(person.privacy.unwrap_or_default().into()))
}

/// Records the person's choices. Only the person decides: the organizer
/// may read them, not make them.
#[utoipa::path(
    put, path = "/api/persons/{person_id}/privacy", tag = "privacy",
    params(("person_id" = i64, Path, minimum = 1, description = "The person's id")),
    request_body = PrivacyJson,
    responses(
        (status = 200, description = "The choices as now recorded", body = PrivacyJson),
        (status = 400, description = "The id is not a positive integer, or the body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing, unknown or not a boolean; `field` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn set_privacy(
    State(state): State<ApiState>,
    PathId(person_id): PathId,
    JsonBody(body): JsonBody<PrivacyJson>,
) -> Result<Json<PrivacyJson>, ApiError> {
    let person = state
        .persons
        .clone()
        .set_privacy(v1::SetPrivacyRequest {
            person_id,
            privacy: Some(v1::Privacy {
                visible_to_others: body.visible_to_others,
                location_paused: body.location_paused,
            }),
        })
        .await
        .map_err(ApiError::about_person(person_id))?
        .into_inner();
    Ok(Json(person.privacy.unwrap_or_default().into()))
}

/// Erases the person from every service: profile, enrollment codes,
/// devices and tokens, pings, visits. Answered once the erasure is durably
/// queued; each service carries it out within seconds, and a ping still in
/// flight for the person is never stored. Signed-in tokens of the person
/// stop working within 15 seconds. Cannot be undone.
#[utoipa::path(
    delete, path = "/api/persons/{person_id}", tag = "privacy",
    params(("person_id" = i64, Path, minimum = 1, description = "The person's id")),
    responses(
        (status = 202, description = "The erasure is queued and will be carried out by every service within seconds; until then the person's routes answer as before", body = ErasureJson),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person (or already erased)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The erasure could not be queued; nothing was erased; retry", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn erase_person(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    PathId(person_id): PathId,
) -> Result<(StatusCode, Json<ErasureJson>), ApiError> {
    state.person(person_id).await?;
    let requested = Utc::now();
    state
        .erasures
        .publish(person_id, requested)
        .await
        .map_err(ApiError::ErasureNotAccepted)?;
    tracing::info!(
        target: "audit",
        person_id,
        by_organizer = caller.0 == Principal::Organizer,
        "erasure requested"
    );
    Ok((
        StatusCode::ACCEPTED,
        Json(ErasureJson {
            person_id,
            requested,
        }),
    ))
}
