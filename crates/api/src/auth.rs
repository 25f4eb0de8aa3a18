//! What each caller may do. Every request but the few public ones carries
//! a bearer token, checked by [`udaconnect_persons::Credentials`]; each
//! route's rule is in [`access`]; the rules a handler alone can apply
//! (whose ping, whose location) go through [`Caller`].

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, MatchedPath, RawPathParams, Request, State},
    http::{Method, header},
    middleware::Next,
    response::Response,
};
use udaconnect_auth::Principal;
use udaconnect_persons::CredentialError;
use udaconnect_runtime::rate_limit::Caller as RateCaller;

use crate::{problem::ApiError, state::ApiState};

/// What a route requires of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing: anyone may call it.
    Public,
    /// Any signed-in caller; the handler may narrow it ([`Caller`]).
    SignedIn,
    /// The person the path names (`{person_id}`), as attendee or device, or
    /// the organizer (logged as reading an individual's data).
    PathPerson,
    /// The person the path names alone (their choices are theirs to make).
    OwnPerson,
    /// The organizer, for what concerns the whole event; the individual
    /// lists among these are logged.
    Organizer,
}

/// The rule of each route, by method and path template. `None` for a route
/// without one, which only the organizer may then call; a test holds every
/// documented operation to having one.
pub fn access(method: &Method, route: &str) -> Option<Access> {
    use Access::*;
    let read = method == Method::GET || method == Method::HEAD;
    Some(match (route, read) {
        ("/api/enrollments", false) | ("/.well-known/jwks.json", true) => Public,
        ("/api/session", true) => SignedIn,
        ("/api/persons", _) => Organizer,
        ("/api/persons/{person_id}", _)
        | ("/api/persons/{person_id}/privacy", true)
        | ("/api/persons/{person_id}/export", true)
        | ("/api/persons/{person_id}/connection", true)
        | ("/api/persons/{person_id}/contacts", true)
        | ("/api/persons/{person_id}/attendance", true)
        | ("/api/persons/{person_id}/shared", true)
        | ("/api/persons/{person_id}/enrollment-codes", false)
        | ("/api/persons/{person_id}/devices", true)
        | ("/api/persons/{person_id}/devices/{device_id}", false) => PathPerson,
        ("/api/persons/{person_id}/privacy", false) => OwnPerson,
        // Pings name their person in the body; so does a location.
        ("/api/locations", false) | ("/api/locations/{location_id}", true) => SignedIn,
        ("/api/events", true)
        | ("/api/events/{event_id}", true)
        | ("/api/events/{event_id}/areas", true)
        | ("/api/events/{event_id}/presentations", true) => SignedIn,
        ("/api/events", false)
        | ("/api/events/{event_id}/floor-plan", false)
        | ("/api/events/{event_id}/programme", false)
        | ("/api/events/{event_id}/statistics", true)
        | ("/api/presentations/{presentation_id}/attendees", true)
        | ("/api/areas/{area_id}/visitors", true) => Organizer,
        _ => return None,
    })
}

/// The verified caller of a request, for the handlers that decide more
/// than [`access`] can.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Caller {
    /// Whether the caller may send pings for the person: their own device,
    /// or the organizer (loading data). 403 otherwise.
    pub fn may_send_for(&self, person_id: i64) -> Result<(), ApiError> {
        match &self.0 {
            Principal::Organizer => Ok(()),
            Principal::Device { person_id: own, .. } if *own == person_id => Ok(()),
            Principal::Device { .. } => Err(ApiError::Forbidden(
                "a device sends pings for its own person only".into(),
            )),
            _ => Err(ApiError::Forbidden("only a device sends pings".into())),
        }
    }

    /// Whether the caller may see what belongs to the person: themselves
    /// or the organizer.
    pub fn may_see(&self, person_id: i64) -> bool {
        matches!(self.0, Principal::Organizer) || self.0.person_id() == Some(person_id)
    }
}

/// Applies [`access`] to every API request before its handler runs, so a
/// caller who may not use a route learns nothing from it (not even whether
/// an id exists), and leaves the [`Caller`] for the handler.
pub async fn authorize(
    State(state): State<ApiState>,
    path: Option<MatchedPath>,
    params: RawPathParams,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // Anonymous calls, and calls with credentials that prove nothing, are
    // limited by the address they come from (guessing codes or tokens
    // costs time); the others by whom they prove.
    let caller_address =
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| {
                state
                    .trusted_proxies
                    .caller_address(peer.ip(), request.headers())
            });
    let by_address = || match caller_address {
        Some(address) => limit(&state, RateCaller::Address(address)),
        None => Ok(()),
    };
    let route = path.as_ref().map(MatchedPath::as_str).unwrap_or_default();
    // A method the route does not serve (405) has no rule, nor would a
    // route added without one: both are the organizer's alone.
    let rule = access(request.method(), route).unwrap_or(Access::Organizer);
    if rule == Access::Public {
        by_address()?;
        return Ok(next.run(request).await);
    }
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let principal = match state.credentials.authenticate(authorization).await {
        Ok(principal) => principal,
        Err(CredentialError::Unavailable) => return Err(ApiError::CredentialsUnavailable),
        Err(error) => {
            by_address()?;
            return Err(ApiError::Unauthenticated(error.to_string()));
        }
    };
    match &principal {
        Principal::Organizer => {}
        Principal::Device { device_id, .. } => limit(&state, RateCaller::Device(*device_id))?,
        Principal::Attendee { person_id } => limit(&state, RateCaller::Person(*person_id))?,
        Principal::Service { .. } => by_address()?,
    }
    match rule {
        Access::Public | Access::SignedIn => {}
        Access::Organizer => {
            if principal != Principal::Organizer {
                return Err(ApiError::Forbidden("only the organizer may".into()));
            }
        }
        Access::PathPerson | Access::OwnPerson => {
            let person_id = params
                .iter()
                .find(|(name, _)| *name == "person_id")
                .and_then(|(_, value)| value.parse::<i64>().ok());
            match (&principal, person_id) {
                (Principal::Organizer, _) if rule == Access::OwnPerson => {
                    return Err(ApiError::Forbidden(
                        "only the person makes these choices".into(),
                    ));
                }
                (Principal::Organizer, _) => {
                    tracing::info!(
                        target: "audit",
                        route,
                        person_id,
                        "the organizer reads an individual's data"
                    );
                }
                (caller, Some(person_id)) if caller.person_id() == Some(person_id) => {}
                // An unparsable id is left to the handler's 400 only for
                // those who may use the route at all.
                _ => {
                    return Err(ApiError::Forbidden(
                        "a person's data is theirs and the organizer's".into(),
                    ));
                }
            }
        }
    }
    request.extensions_mut().insert(Caller(principal));
    Ok(next.run(request).await)
}

/// Takes one request from the caller's allowance, or answers 429.
fn limit(state: &ApiState, caller: RateCaller) -> Result<(), ApiError> {
    state
        .limiter
        .check(caller)
        .map_err(ApiError::TooManyRequests)
}
