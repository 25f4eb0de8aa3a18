//! Request extractors that turn every malformed input into an [`ApiError`]
//! naming the field, instead of axum's plain-text rejections.

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, RawPathParams, Request},
    http::{StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;
use udaconnect_domain::{FieldError, check_id};

use crate::problem::ApiError;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body deserialized strictly (unknown fields are errors).
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !declares_json(&request) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::BodyTooLarge(MAX_BODY_BYTES)
                } else {
                    ApiError::MalformedJson(rejection.body_text())
                }
            })?;
        parse_json(&bytes).map(JsonBody)
    }
}

fn declares_json(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Deserializes `bytes`, telling syntax errors (400) from field errors
/// (422). Every body this API takes is an object; serde would otherwise also
/// accept a struct written as an array.
fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
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
        value
            .parse::<i64>()
            .map_err(|_| FieldError::new(name, "must be a positive integer"))
            .and_then(|id| check_id(name, id))
            .map(PathId)
            .map_err(ApiError::InvalidParameter)
    }
}
