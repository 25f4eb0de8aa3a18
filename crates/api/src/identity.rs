//! Signing in: the organizer hands an attendee a one-time code, which a
//! phone exchanges for a device token and the web page for an attendee
//! token; the attendee sees and revokes their devices; anyone may read the
//! keys that verify tokens.

use axum::{
    Extension, Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use udaconnect_auth::Principal;
use udaconnect_domain::{FieldError, check_id};
use udaconnect_proto::v1;
use utoipa::ToSchema;

use crate::{
    auth::Caller,
    events::field_of,
    extract::{JsonBody, PathId},
    json::peer_time,
    problem::{ApiError, Problem},
    state::ApiState,
};

/// A one-time code, shown once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"code": "7KQ2-M9XD-4TZP", "person_id": 5, "expires": "2026-12-01T15:15:00Z"}))]
pub struct EnrollmentCodeJson {
    /// Twelve letters and digits in groups of four; case, dashes and
    /// spaces do not matter when it is typed back.
    pub code: String,
    /// Whose code.
    pub person_id: i64,
    /// Unusable after this, and after its first use.
    pub expires: DateTime<Utc>,
}

/// What a code is exchanged for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EnrollmentKind {
    /// A phone: a device token that sends the person's pings.
    Device,
    /// The web page: an attendee token.
    Web,
}

/// A code to exchange.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "7KQ2-M9XD-4TZP", "enrollment": "device", "device_name": "Pam's phone"}))]
pub struct NewEnrollmentJson {
    /// The code the organizer handed out.
    pub code: String,
    /// What to exchange it for.
    pub enrollment: EnrollmentKind,
    /// For a device: its name, as the attendee will see it (1 to 100
    /// characters).
    #[serde(default)]
    pub device_name: Option<String>,
}

/// A bearer token and what it stands for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CredentialJson {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// When it stops working.
    pub expires: DateTime<Utc>,
    /// Whose it is.
    pub person_id: i64,
    /// The device it binds, for a device token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
}

/// A phone bound to an attendee.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceJson {
    /// The device's id (a UUID).
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it enrolled.
    pub created: DateTime<Utc>,
    /// When it was revoked; absent while it may send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked: Option<DateTime<Utc>>,
}

impl DeviceJson {
    pub(crate) fn from_wire(device: v1::Device) -> Result<Self, ApiError> {
        Ok(Self {
            revoked: device
                .revoked
                .as_ref()
                .map(|revoked| peer_time("persons", Some(revoked)))
                .transpose()?,
            created: peer_time("persons", device.created.as_ref())?,
            id: device.id,
            name: device.name,
        })
    }
}

/// Who the caller is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"role": "attendee", "person_id": 5}))]
pub struct SessionJson {
    /// `organizer`, `attendee` or `device`.
    pub role: String,
    /// The person the caller acts for, unless the organizer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<i64>,
    /// The device, for a device token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
}

/// A one-time code for the person to enrol a phone or sign in to the web
/// page; valid for 15 minutes and one use. The organizer makes the first;
/// a signed-in attendee may make more for themselves.
#[utoipa::path(
    post, path = "/api/persons/{person_id}/enrollment-codes", tag = "identity",
    params(("person_id" = i64, Path, minimum = 1, description = "The person's id")),
    responses(
        (status = 201, description = "The code, shown only now", body = EnrollmentCodeJson,
            links(
                ("RedeemEnrollment" = (operation_id = "redeem_enrollment", request_body = json!({
                    "code": "$response.body#/code", "enrollment": "device", "device_name": "Pam's phone"
                })))
            )),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_enrollment_code(
    State(state): State<ApiState>,
    PathId(person_id): PathId,
) -> Result<impl IntoResponse, ApiError> {
    let code = state
        .persons
        .clone()
        .create_enrollment_code(v1::CreateEnrollmentCodeRequest { person_id })
        .await
        .map_err(ApiError::about_person(person_id))?
        .into_inner();
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(EnrollmentCodeJson {
            expires: peer_time("persons", code.expires.as_ref())?,
            code: code.code,
            person_id: code.person_id,
        }),
    ))
}

/// Exchanges a one-time code for a token: a phone's (`device`) or the web
/// page's (`web`). Needs no token: the code is the credential.
#[utoipa::path(
    post, path = "/api/enrollments", tag = "identity",
    request_body = NewEnrollmentJson,
    security(()),
    responses(
        (status = 201, description = "The token", body = CredentialJson,
            links(
                ("ListDevices" = (operation_id = "list_devices", parameters(("person_id" = "$response.body#/person_id")))),
                ("RevokeDevice" = (operation_id = "revoke_device", parameters(("person_id" = "$response.body#/person_id"), ("device_id" = "$response.body#/device_id"))))
            )),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The code is unknown, expired or used, or a field is invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn redeem_enrollment(
    State(state): State<ApiState>,
    JsonBody(body): JsonBody<NewEnrollmentJson>,
) -> Result<impl IntoResponse, ApiError> {
    let enrollment = match body.enrollment {
        EnrollmentKind::Device => v1::Enrollment::Device,
        EnrollmentKind::Web => v1::Enrollment::Web,
    };
    let credential = state
        .persons
        .clone()
        .redeem_enrollment_code(v1::RedeemEnrollmentCodeRequest {
            code: body.code,
            enrollment: enrollment.into(),
            device_name: body.device_name.unwrap_or_default(),
        })
        .await
        .map_err(|status| match status.code() {
            tonic::Code::InvalidArgument => ApiError::InvalidBody(field_of(status.message())),
            _ => ApiError::Peer {
                peer: "persons",
                status,
            },
        })?
        .into_inner();
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(CredentialJson {
            expires: peer_time("persons", credential.expires.as_ref())?,
            token: credential.token,
            token_type: "Bearer".to_owned(),
            person_id: credential.person_id,
            device_id: (!credential.device_id.is_empty()).then_some(credential.device_id),
        }),
    ))
}

/// The person's phones, newest first.
#[utoipa::path(
    get, path = "/api/persons/{person_id}/devices", tag = "identity",
    params(("person_id" = i64, Path, minimum = 1, description = "The person's id")),
    responses(
        (status = 200, description = "The devices", body = [DeviceJson]),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_devices(
    State(state): State<ApiState>,
    PathId(person_id): PathId,
) -> Result<Json<Vec<DeviceJson>>, ApiError> {
    let devices = state
        .persons
        .clone()
        .list_devices(v1::ListDevicesRequest { person_id })
        .await
        .map_err(ApiError::peer("persons"))?
        .into_inner()
        .devices;
    Ok(Json(
        devices
            .into_iter()
            .map(DeviceJson::from_wire)
            .collect::<Result<_, _>>()?,
    ))
}

/// Revokes one of the person's phones: its token stops working within
/// 15 seconds, and its pings are refused from then on.
#[utoipa::path(
    delete, path = "/api/persons/{person_id}/devices/{device_id}", tag = "identity",
    params(
        ("person_id" = i64, Path, minimum = 1, description = "The person's id"),
        ("device_id" = String, Path, description = "The device's id (a UUID)"),
    ),
    responses(
        (status = 200, description = "The device, revoked", body = DeviceJson),
        (status = 400, description = "The person id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The person has no such device", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn revoke_device(
    State(state): State<ApiState>,
    Path((person_id, device_id)): Path<(String, String)>,
) -> Result<Json<DeviceJson>, ApiError> {
    let person_id = person_id
        .parse::<i64>()
        .map_err(|_| FieldError::new("person_id", "must be a positive integer"))
        .and_then(|id| check_id("person_id", id))
        .map_err(ApiError::InvalidParameter)?;
    let device = state
        .persons
        .clone()
        .revoke_device(v1::RevokeDeviceRequest {
            person_id,
            device_id,
        })
        .await
        .map_err(|status| match status.code() {
            tonic::Code::NotFound => ApiError::NoSuchDevice,
            _ => ApiError::Peer {
                peer: "persons",
                status,
            },
        })?
        .into_inner();
    Ok(Json(DeviceJson::from_wire(device)?))
}

/// Who the token belongs to, so the web page can show whose data it reads.
#[utoipa::path(
    get, path = "/api/session", tag = "identity",
    responses((status = 200, description = "The caller", body = SessionJson))
)]
pub async fn get_session(Extension(Caller(principal)): Extension<Caller>) -> Json<SessionJson> {
    let (role, device_id) = match &principal {
        Principal::Organizer => ("organizer", None),
        Principal::Attendee { .. } => ("attendee", None),
        Principal::Device { device_id, .. } => ("device", Some(device_id.to_string())),
        Principal::Service { .. } => ("service", None),
    };
    Json(SessionJson {
        role: role.to_owned(),
        person_id: principal.person_id(),
        device_id,
    })
}

/// The public keys that verify UdaConnect's tokens (RFC 7517), for other
/// systems that accept them.
#[utoipa::path(
    get, path = "/.well-known/jwks.json", tag = "identity",
    security(()),
    responses((status = 200, description = "A JSON Web Key Set", content_type = "application/jwk-set+json", body = Object))
)]
pub async fn get_key_set(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let set = state
        .persons
        .clone()
        .get_key_set(v1::GetKeySetRequest {})
        .await
        .map_err(ApiError::peer("persons"))?
        .into_inner();
    Ok((
        [(header::CONTENT_TYPE, "application/jwk-set+json")],
        set.jwks,
    ))
}
