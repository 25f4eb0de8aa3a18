//! `/api/persons/{person_id}/connection`: the proof of concept's connection
//! search, answered with its exact shape.

use std::collections::{BTreeSet, HashMap, HashSet};

use axum::{
    BoxError, Extension,
    body::{Body, Bytes},
    extract::State,
    http::header,
    response::{IntoResponse, Response},
};
use futures::{Stream, StreamExt};
use serde::Deserialize;
use tonic::Streaming;
use udaconnect_domain::{
    ConnectionQuery, DEFAULT_CONNECTION_DISTANCE_METERS, FieldError, parse_date,
};
use udaconnect_proto::{timestamp_from_datetime, v1};

use crate::{
    auth::Caller,
    extract::{PathId, QueryParams},
    json::{ConnectionJson, LocationJson},
    problem::{ApiError, Problem},
    state::{ApiState, Viewer},
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
        ("person_id" = i64, Path, minimum = 1, description = "The person's id (a positive integer)"),
        ("start_date" = String, Query, format = Date, description = "First day, YYYY-MM-DD (UTC midnight, inclusive)", example = "2020-01-01"),
        ("end_date" = String, Query, format = Date, description = "Last day, YYYY-MM-DD (UTC midnight, exclusive for the person's own pings)", example = "2020-12-30"),
        ("distance" = Option<f64>, Query, minimum = 0, maximum = 10000, description = "Radius in metres on the WGS 84 spheroid, 0 to 10000; default 5", example = 5),
    ),
    responses(
        (status = 200, description = "The connections, ordered by (own ping, other ping), streamed as they are found. A client that takes none of the answer for 30 seconds (the server's `LOCATIONS_READ_STALL_LIMIT`) has it cut short, the array left unterminated", body = [ConnectionJson]),
        (status = 400, description = "A parameter is missing, unknown or invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn find_connections(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    PathId(person_id): PathId,
    QueryParams(params): QueryParams<ConnectionParams>,
) -> Result<Response, ApiError> {
    let query = params
        .into_query(person_id)
        .map_err(ApiError::InvalidParameter)?;
    let viewer = Viewer::of(&caller, &state.person(person_id).await?);

    let chunks = state
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
        .into_inner();
    let body = JsonArrayWriter {
        chunks,
        state,
        viewer,
        persons: HashMap::new(),
        asked: HashSet::new(),
        written: 0,
    };
    Ok((
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(body.into_stream()),
    )
        .into_response())
}

/// Writes the answer as a JSON array while the chunks stream in from the
/// locations service, so that a huge answer costs time, not memory. A
/// client that goes away drops the body, which cancels the call and so the
/// search. A failure midway can no longer change the status: the answer is
/// cut short (the client sees an unterminated array) and the cause logged.
struct JsonArrayWriter {
    chunks: Streaming<v1::FindConnectionsResponse>,
    state: ApiState,
    viewer: Viewer,
    /// The persons named so far that the viewer may see, each asked for
    /// once per answer and kept as the JSON every row of theirs repeats.
    persons: HashMap<i64, String>,
    /// The persons asked for so far, seen or not.
    asked: HashSet<i64>,
    /// Rows written so far.
    written: u64,
}

impl JsonArrayWriter {
    fn into_stream(self) -> impl Stream<Item = Result<Bytes, BoxError>> + Send {
        let opening = futures::stream::once(async { Ok(Bytes::from_static(b"[")) });
        let rows = futures::stream::try_unfold(self, |mut writer| async move {
            match writer.chunks.message().await {
                Ok(Some(chunk)) => match writer.write(chunk).await {
                    Ok(bytes) => Ok(Some((bytes, writer))),
                    Err(error) => Err(writer.cut_short(error)),
                },
                Ok(None) => Ok(None),
                Err(status) => Err(writer.cut_short(status.into())),
            }
        });
        let closing = futures::stream::once(async { Ok(Bytes::from_static(b"]")) });
        opening.chain(rows).chain(closing)
    }

    /// Logs why the answer stops midway, and passes the cause on to abort
    /// the response.
    fn cut_short(&self, error: BoxError) -> BoxError {
        tracing::error!(%error, rows = self.written, "connection answer cut short");
        error
    }

    /// The rows of `chunk`, each preceded by a comma but the answer's first.
    async fn write(&mut self, chunk: v1::FindConnectionsResponse) -> Result<Bytes, BoxError> {
        let unasked: BTreeSet<i64> = chunk
            .connections
            .iter()
            .filter_map(|c| c.location.as_ref().map(|l| l.person_id))
            .filter(|id| !self.asked.contains(id))
            .collect();
        if !unasked.is_empty() {
            self.asked.extend(&unasked);
            let named = self.state.persons_named(unasked, self.viewer).await?;
            for (id, person) in named {
                self.persons.insert(id, serde_json::to_string(&person)?);
            }
        }
        // Each row as `ConnectionJson` serialises, written straight from
        // the message: no copy of a row's fields, none of its person.
        let mut out = String::with_capacity(chunk.connections.len() * 256);
        for location in chunk.connections.iter().filter_map(|c| c.location.as_ref()) {
            // Someone the viewer may not see, or erased since.
            let Some(person) = self.persons.get(&location.person_id) else {
                continue;
            };
            if self.written > 0 {
                out.push(',');
            }
            out.push_str(r#"{"location":"#);
            LocationJson::write(&mut out, location);
            out.push_str(r#","person":"#);
            out.push_str(person);
            out.push('}');
            self.written += 1;
        }
        Ok(Bytes::from(out))
    }
}
