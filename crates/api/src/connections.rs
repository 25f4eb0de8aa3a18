//! `/api/persons/{person_id}/connection`: the proof of concept's connection
//! search, answered with its exact shape.

use std::collections::BTreeSet;

use axum::{Json, extract::State};
use serde::Deserialize;
use udaconnect_domain::{
    ConnectionQuery, DEFAULT_CONNECTION_DISTANCE_METERS, FieldError, parse_date,
};
use udaconnect_proto::{timestamp_from_datetime, v1};

use crate::{
    extract::{PathId, QueryParams},
    json::{ConnectionJson, LocationJson},
    problem::{ApiError, Problem},
    state::ApiState,
};

/// The query string, kept as text so that each error names its parameter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionParams {
    start_date: Option<String>,
    end_date: Option<String>,
    distance: Option<String>,
}

impl ConnectionParams {
    fn into_query(self, person_id: i64) -> Result<ConnectionQuery, FieldError> {
        let start = parse_date("start_date", &required("start_date", self.start_date)?)?;
        let end = parse_date("end_date", &required("end_date", self.end_date)?)?;
        let distance = match self.distance {
            None => DEFAULT_CONNECTION_DISTANCE_METERS,
            Some(text) => text
                .trim()
                .parse::<f64>()
                .map_err(|_| FieldError::new("distance", "must be a number of metres"))?,
        };
        ConnectionQuery::from_dates(person_id, start, end, distance)
    }
}

fn required(field: &str, value: Option<String>) -> Result<String, FieldError> {
    value.ok_or_else(|| FieldError::new(field, "is required"))
}

/// Every other person's ping within `distance` metres of one of this
/// person's pings. The person's own pings are taken from `start_date`
/// (inclusive) to `end_date` (exclusive), other people's up to one day past
/// `end_date`. One row per pair of pings, not deduplicated, ordered by (own
/// ping id, other ping id) — the proof of concept's semantics.
#[utoipa::path(
    get, path = "/api/persons/{person_id}/connection", tag = "persons",
    params(
        ("person_id" = i64, Path, description = "The person's id (a positive integer)"),
        ("start_date" = String, Query, format = Date, description = "First day, YYYY-MM-DD (UTC midnight, inclusive)", example = "2020-01-01"),
        ("end_date" = String, Query, format = Date, description = "Last day, YYYY-MM-DD (UTC midnight, exclusive for the person's own pings)", example = "2020-12-30"),
        ("distance" = Option<f64>, Query, description = "Radius in metres on the WGS 84 spheroid, 0 to 10000; default 5", example = 5),
    ),
    responses(
        (status = 200, description = "The connections, ordered by (own ping, other ping)", body = [ConnectionJson]),
        (status = 400, description = "A parameter is missing, unknown or invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn find_connections(
    State(state): State<ApiState>,
    PathId(person_id): PathId,
    QueryParams(params): QueryParams<ConnectionParams>,
) -> Result<Json<Vec<ConnectionJson>>, ApiError> {
    let query = params
        .into_query(person_id)
        .map_err(ApiError::InvalidParameter)?;
    state.person(person_id).await?;

    let connections = state
        .locations
        .clone()
        .find_connections(v1::FindConnectionsRequest {
            person_id,
            start_time: Some(timestamp_from_datetime(query.start())),
            end_time: Some(timestamp_from_datetime(query.end())),
            distance_meters: query.distance_meters(),
        })
        .await
        .map_err(ApiError::peer("locations"))?
        .into_inner()
        .connections;

    let other_ids: BTreeSet<i64> = connections
        .iter()
        .filter_map(|c| c.location.as_ref().map(|l| l.person_id))
        .collect();
    let persons = state.persons_named(other_ids).await?;

    let rows = connections
        .into_iter()
        .filter_map(|connection| {
            let location = connection.location?;
            let Some(person) = persons.get(&location.person_id) else {
                tracing::warn!(
                    person_id = location.person_id,
                    "location of an unknown person"
                );
                return None;
            };
            Some(ConnectionJson {
                person: person.clone(),
                location: LocationJson::from(location),
            })
        })
        .collect();
    Ok(Json(rows))
}
