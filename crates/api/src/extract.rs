//! Request extractors that turn every malformed input into an [`ApiError`]
//! naming the field, instead of axum's plain-text rejections.

use std::time::Duration;

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, RawPathParams, Request},
    http::{HeaderMap, header, request::Parts},
};
use bytes::BytesMut;
use futures::StreamExt;
use serde::de::DeserializeOwned;
use udaconnect_domain::{FieldError, check_id};

use crate::problem::ApiError;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Largest accepted upload (a floor plan, a programme).
pub const MAX_UPLOAD_BYTES: usize = 16 * 1024 * 1024;

/// Longest a request body may pause between two of its parts: a client
/// that stalls is told so (408) well before the request's own time runs
/// out.
const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The whole body, read as it arrives: at most `LIMIT` bytes (413 past
/// it), with no pause longer than [`BODY_IDLE_TIMEOUT`] (408).
#[derive(Debug)]
pub struct RawBody<const LIMIT: usize>(pub Bytes);

impl<const LIMIT: usize, S: Send + Sync> FromRequest<S> for RawBody<LIMIT> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let mut parts = request.into_body().into_data_stream();
        let mut body = BytesMut::new();
        loop {
            let part = tokio::time::timeout(BODY_IDLE_TIMEOUT, parts.next())
                .await
                .map_err(|_| ApiError::BodyTimeout)?;
            let Some(part) = part else {
                return Ok(Self(body.freeze()));
            };
            let part = part.map_err(|error| ApiError::UnreadableBody(error.to_string()))?;
            if body.len() + part.len() > LIMIT {
                return Err(ApiError::BodyTooLarge(LIMIT));
            }
            body.extend_from_slice(&part);
        }
    }
}

/// A JSON body deserialized strictly (unknown fields are errors).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if declared_type(request.headers(), &["application/json"]).is_none() {
            return Err(ApiError::UnsupportedMediaType);
        }
        let RawBody(bytes) = RawBody::<MAX_BODY_BYTES>::from_request(request, state).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Which of `types` the request's body is declared as: exactly one of
/// them, with no parameter but `charset=utf-8` (every body this API reads
/// is UTF-8 text), or `None`.
pub(crate) fn declared_type(headers: &HeaderMap, types: &[&str]) -> Option<String> {
    let declared = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parts = declared.split(';');
    let mime = parts.next()?.trim().to_ascii_lowercase();
    let utf8_only = parts.all(|parameter| {
        let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
        name.trim().eq_ignore_ascii_case("charset")
            && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
    });
    (utf8_only && types.contains(&mime.as_str())).then_some(mime)
}

/// The body as text: UTF-8, or a 400 (a body that is not text is not
/// malformed in one field but as a whole).
pub(crate) fn utf8_text(bytes: &[u8]) -> Result<&str, ApiError> {
    std::str::from_utf8(bytes).map_err(|_| ApiError::NotUtf8)
}

/// Deserializes `bytes`, telling syntax errors (400) from field errors
/// (422). Every body this API takes is an object; serde would otherwise also
/// accept a struct written as an array.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes = utf8_text(bytes)?.as_bytes();
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map_err(|error| ApiError::MalformedJson(error.to_string()))?;
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(ApiError::InvalidBody(FieldError::new(
            "body",
            "must be a JSON object",
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|error| ApiError::InvalidBody(field_error(error, "body")))
}

/// A deserialization error as a problem with the field it concerns: the
/// path where it happened, or the missing field itself, or else `whole`
/// (the body or the query string).
fn field_error<E: std::fmt::Display>(
    error: serde_path_to_error::Error<E>,
    whole: &str,
) -> FieldError {
    let path = error.path().to_string();
    let message = error.into_inner().to_string();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    let field = match (path.as_str(), missing) {
        (".", Some(missing)) => missing.to_owned(),
        (".", None) => whole.to_owned(),
        (path, Some(missing)) => format!("{path}.{missing}"),
        (path, None) => path.to_owned(),
    };
    match missing {
        Some(_) => FieldError::new(field, "is required"),
        None => FieldError::new(field, message),
    }
}

/// Query parameters deserialized strictly (unknown parameters are errors).
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(QueryParams)
            .map_err(|error| ApiError::InvalidParameter(field_error(error, "query")))
    }
}

/// The single id in a route such as `/api/persons/{person_id}`, named after
/// the route's parameter in errors.
#[derive(Debug, Clone, Copy)]
pub struct PathId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|rejection| {
                ApiError::InvalidParameter(FieldError::new("path", rejection.body_text()))
            })?;
        let (name, value) = params
            .iter()
            .last()
            .ok_or_else(|| ApiError::InvalidParameter(FieldError::new("path", "missing id")))?;
        // One spelling per id: digits only, no sign, no leading zero.
        let canonical = value.bytes().all(|b| b.is_ascii_digit()) && !value.starts_with('0');
        canonical
            .then(|| value.parse::<i64>().ok())
            .flatten()
            .ok_or_else(|| FieldError::new(name, "must be a positive integer"))
            .and_then(|id| check_id(name, id))
            .map(PathId)
            .map_err(ApiError::InvalidParameter)
    }
}
