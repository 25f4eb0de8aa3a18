//! Every error the REST API answers, as an RFC 9457 problem document naming
//! the field at fault. Server-side causes are logged, never shown.

use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use tonic::Code;
use udaconnect_domain::FieldError;
use udaconnect_messaging::ProduceError;
use utoipa::ToSchema;

/// An RFC 9457 problem document (`application/problem+json`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status code says what kind of problem it is.
    #[serde(rename = "type")]
    pub problem_type: &'static str,
    /// The status code's reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, for a human.
    pub detail: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// Why a REST request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A path or query parameter is invalid (400).
    #[error("{0}")]
    InvalidParameter(FieldError),
    /// The body is well-formed JSON but a field is invalid (422).
    #[error("{0}")]
    InvalidBody(FieldError),
    /// The body is not JSON at all (400).
    #[error("malformed JSON body: {0}")]
    MalformedJson(String),
    /// The body stopped arriving (408).
    #[error("the request body stopped arriving; send it whole")]
    BodyTimeout,
    /// The body could not be read to its end (400).
    #[error("the request body could not be read: {0}")]
    UnreadableBody(String),
    /// The body is not UTF-8 text (400).
    #[error("the request body must be UTF-8 text")]
    NotUtf8,
    /// The body was not declared as JSON (415).
    #[error("the request body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// The body exceeds the limit (413).
    #[error("the request body must be at most {0} bytes")]
    BodyTooLarge(usize),
    /// The request carries no credential, or one that proves nothing (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this (403).
    #[error("{0}")]
    Forbidden(String),
    /// The caller made too many requests; `Retry-After` says when to try
    /// again (429).
    #[error("too many requests; retry in {} s", .0.as_secs().max(1))]
    TooManyRequests(std::time::Duration),
    /// Credentials cannot be checked now: the persons service, whose keys
    /// verify them, is unreachable (503).
    #[error("credentials cannot be checked now; retry later")]
    CredentialsUnavailable,
    /// The addressed entity does not exist (404).
    #[error("no {what} with id {id}")]
    NotFound {
        /// `person`, `location`, `event`, `presentation` or `area`.
        what: &'static str,
        /// The id asked for.
        id: i64,
    },
    /// The person has no device with that id (404).
    #[error("the person has no such device")]
    NoSuchDevice,
    /// The request conflicts with what is stored (409).
    #[error("{0}")]
    Conflict(String),
    /// No route matches the path (404).
    #[error("no such resource: {0}")]
    NoRoute(String),
    /// The route exists but not for this method (405).
    #[error("method not allowed on this resource")]
    MethodNotAllowed,
    /// The request took longer than the server allows (503).
    #[error("the request took too long; retry later")]
    Timeout,
    /// Kafka did not take the ping (503); the client may retry it.
    #[error("the ping was not accepted; retry with the same event_id")]
    NotAccepted(ProduceError),
    /// Kafka did not take the erasure (503); the client may ask again.
    #[error("the erasure was not accepted; retry later")]
    ErasureNotAccepted(ProduceError),
    /// Our own defect (500); the cause is logged, not shown.
    #[error("internal error")]
    Internal(String),
    /// A backing service answered with an error.
    #[error("{peer} service failed: {status}")]
    Peer {
        /// Which service.
        peer: &'static str,
        /// What it answered.
        status: tonic::Status,
    },
}

impl ApiError {
    /// Wraps an error answered by the `peer` service.
    pub fn peer(peer: &'static str) -> impl FnOnce(tonic::Status) -> Self {
        move |status| Self::Peer { peer, status }
    }

    /// Wraps an error the persons service answered about person `id`: its
    /// NOT_FOUND is the 404 of the routes under `/api/persons/{id}`.
    pub fn about_person(id: i64) -> impl FnOnce(tonic::Status) -> Self {
        move |status| match status.code() {
            Code::NotFound => Self::NotFound { what: "person", id },
            _ => Self::Peer {
                peer: "persons",
                status,
            },
        }
    }

    fn status_and_field(&self) -> (StatusCode, Option<&str>) {
        match self {
            Self::InvalidParameter(error) => (StatusCode::BAD_REQUEST, Some(&error.field)),
            Self::InvalidBody(error) => (StatusCode::UNPROCESSABLE_ENTITY, Some(&error.field)),
            Self::MalformedJson(_) | Self::NotUtf8 | Self::UnreadableBody(_) => {
                (StatusCode::BAD_REQUEST, Some("body"))
            }
            Self::BodyTimeout => (StatusCode::REQUEST_TIMEOUT, Some("body")),
            Self::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, None),
            Self::BodyTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, Some("body")),
            Self::NotFound { .. } | Self::NoRoute(_) | Self::NoSuchDevice => {
                (StatusCode::NOT_FOUND, None)
            }
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, None),
            Self::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, None),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, None),
            Self::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, None),
            Self::CredentialsUnavailable => (StatusCode::SERVICE_UNAVAILABLE, None),
            Self::Conflict(_) => (StatusCode::CONFLICT, None),
            Self::Timeout | Self::NotAccepted(_) | Self::ErasureNotAccepted(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, None)
            }
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, None),
            Self::Peer { status, .. } => match status.code() {
                Code::NotFound => (StatusCode::NOT_FOUND, None),
                Code::InvalidArgument => (StatusCode::BAD_REQUEST, None),
                Code::Unavailable | Code::DeadlineExceeded | Code::ResourceExhausted => {
                    (StatusCode::SERVICE_UNAVAILABLE, None)
                }
                _ => (StatusCode::INTERNAL_SERVER_ERROR, None),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, field) = self.status_and_field();
        let detail = match &self {
            Self::Peer { peer, status: grpc } => {
                if status.is_server_error() {
                    tracing::error!(peer, status = %grpc, "backing service failed");
                    "a backing service is unavailable; retry later".to_owned()
                } else {
                    grpc.message().to_owned()
                }
            }
            Self::Internal(cause) => {
                tracing::error!(%cause, "internal failure");
                self.to_string()
            }
            Self::NotAccepted(error) | Self::ErasureNotAccepted(error) => {
                tracing::warn!(%error, "not accepted by Kafka");
                self.to_string()
            }
            other => other.to_string(),
        };
        let problem = Problem {
            problem_type: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            field: field.map(str::to_owned),
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            Json(problem),
        )
            .into_response();
        if let Self::TooManyRequests(wait) = &self
            && let Ok(seconds) =
                header::HeaderValue::from_str(&wait.as_secs_f64().ceil().max(1.0).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        if status == StatusCode::UNAUTHORIZED {
            // RFC 6750: say which scheme would be accepted.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"udaconnect\""),
            );
        }
        response
    }
}
