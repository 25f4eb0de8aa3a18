//! `/api/locations`: read stored pings.

use axum::{Json, extract::State};
use udaconnect_proto::v1;

use super::{
    ApiState,
    extract::PathId,
    json::LocationJson,
    problem::{ApiError, Problem},
};

/// One location ping.
#[utoipa::path(
    get, path = "/api/locations/{location_id}", tag = "locations",
    params(("location_id" = i64, Path, description = "The location's id (a positive integer)")),
    responses(
        (status = 200, description = "The location", body = LocationJson),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such location", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_location(
    State(state): State<ApiState>,
    PathId(id): PathId,
) -> Result<Json<LocationJson>, ApiError> {
    let location = state
        .locations
        .clone()
        .get_location(v1::GetLocationRequest { id })
        .await
        .map_err(|status| match status.code() {
            tonic::Code::NotFound => ApiError::NotFound {
                what: "location",
                id,
            },
            _ => ApiError::Peer {
                peer: "locations",
                status,
            },
        })?;
    Ok(Json(location.into_inner().into()))
}
