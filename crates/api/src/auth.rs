//! Who is calling, and what they may do. Every request but the few public
//! ones carries a bearer token: the organizer's (from the environment) or a
//! token the persons service signed, checked here against its published
//! keys with no call per request. Each route's rule is in [`access`]; the
//! rules a handler alone can apply (whose ping, whose location) go through
//! [`Caller`].

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, RawPathParams, Request, State},
    http::{Method, header},
    middleware::Next,
    response::Response,
};
use clap::Args;
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use udaconnect_auth::{JwkSet, Principal, TokenError, TokenVerifier};
use udaconnect_proto::v1::{self, person_service_client::PersonServiceClient};
use uuid::Uuid;

use crate::{problem::ApiError, state::ApiState};

/// Shortest organizer token accepted: 32 characters, so it cannot be
/// guessed.
const MIN_ORGANIZER_TOKEN: usize = 32;

/// How often the keys and the revoked devices are read again: a revoked
/// device's token stops working within this (plus one call).
pub const REVOCATION_REFRESH: Duration = Duration::from_secs(15);

/// Shortest time between two key reads prompted by a token of an unknown
/// key, so forged key ids cannot make the API hammer the persons service.
const UNKNOWN_KEY_REFRESH: Duration = Duration::from_secs(5);

/// The organizer's credential. Other tokens are checked against the keys
/// and issuer the persons service publishes.
#[derive(Clone, Args)]
pub struct AuthArgs {
    /// The organizer's bearer token: at least 32 characters (`openssl rand
    /// -hex 32`). Required to start; `./scripts/run` makes one when it is
    /// unset.
    #[arg(long, env = "ORGANIZER_TOKEN", hide_env_values = true)]
    pub organizer_token: Option<String>,
}

impl std::fmt::Debug for AuthArgs {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        formatter.debug_struct("AuthArgs").finish_non_exhaustive()
    }
}

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
        ("/api/persons/{person_id}", true)
        | ("/api/persons/{person_id}/connection", true)
        | ("/api/persons/{person_id}/contacts", true)
        | ("/api/persons/{person_id}/attendance", true)
        | ("/api/persons/{person_id}/shared", true)
        | ("/api/persons/{person_id}/enrollment-codes", false)
        | ("/api/persons/{person_id}/devices", true)
        | ("/api/persons/{person_id}/devices/{device_id}", false) => PathPerson,
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

/// Checks tokens: the organizer's by its hash, the others by signature
/// against the keys the persons service publishes, refreshed in the
/// background with the list of revoked devices.
#[derive(Debug, Clone)]
pub struct Authenticator {
    organizer_digest: [u8; 32],
    verifier: TokenVerifier,
    revoked: Arc<RwLock<HashSet<Uuid>>>,
    persons: PersonServiceClient<Channel>,
    /// When keys were last read because of an unknown key id.
    last_prompted_refresh: Arc<Mutex<Option<Instant>>>,
}

impl Authenticator {
    /// Checks tokens of the persons service reached at `persons`.
    pub fn new(args: &AuthArgs, persons: Channel) -> anyhow::Result<Self> {
        let organizer_token = args
            .organizer_token
            .as_deref()
            .filter(|token| token.chars().count() >= MIN_ORGANIZER_TOKEN)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "ORGANIZER_TOKEN must be set, at least {MIN_ORGANIZER_TOKEN} characters"
                )
            })?;
        Ok(Self {
            organizer_digest: Sha256::digest(organizer_token.as_bytes()).into(),
            verifier: TokenVerifier::default(),
            revoked: Arc::default(),
            persons: PersonServiceClient::new(persons),
            last_prompted_refresh: Arc::default(),
        })
    }

    /// Reads the keys and revoked devices every [`REVOCATION_REFRESH`] until
    /// `shutdown`.
    pub async fn refresh_until(self, shutdown: CancellationToken) {
        loop {
            if let Err(status) = self.refresh().await {
                tracing::warn!(%status, "cannot read the token keys and revocations");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(REVOCATION_REFRESH) => {}
            }
        }
    }

    async fn refresh(&self) -> Result<(), tonic::Status> {
        let (mut keys_client, mut revocations_client) =
            (self.persons.clone(), self.persons.clone());
        let (keys, revoked) = tokio::try_join!(
            keys_client.get_key_set(v1::GetKeySetRequest {}),
            revocations_client.list_revoked_devices(v1::ListRevokedDevicesRequest {}),
        )?;
        let keys = keys.into_inner();
        let set: JwkSet = serde_json::from_str(&keys.jwks)
            .map_err(|error| tonic::Status::internal(format!("unreadable key set: {error}")))?;
        self.verifier.replace_keys(&keys.issuer, &set);
        let revoked: HashSet<Uuid> = revoked
            .into_inner()
            .device_ids
            .iter()
            .filter_map(|id| id.parse().ok())
            .collect();
        *self
            .revoked
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = revoked;
        Ok(())
    }

    /// The caller a request's `Authorization` header proves, or why not.
    pub async fn authenticate(&self, authorization: Option<&str>) -> Result<Principal, ApiError> {
        let token = authorization
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or_else(|| ApiError::Unauthenticated("a bearer token is required".into()))?;
        if <[u8; 32]>::from(Sha256::digest(token.as_bytes())) == self.organizer_digest {
            return Ok(Principal::Organizer);
        }
        let claims = match self.verifier.verify(token) {
            Err(TokenError::UnknownKey) if self.may_refresh_now() => {
                // Perhaps a key made since the last read.
                self.refresh().await.map_err(|status| {
                    tracing::warn!(%status, "cannot read the token keys");
                    ApiError::CredentialsUnavailable
                })?;
                self.verifier.verify(token)
            }
            verified => verified,
        }
        .map_err(|error| ApiError::Unauthenticated(error.to_string()))?;
        let principal = Principal::from_claims(&claims)
            .ok_or_else(|| ApiError::Unauthenticated("the token names no person".into()))?;
        if let Principal::Device { device_id, .. } = &principal
            && self
                .revoked
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .contains(device_id)
        {
            return Err(ApiError::Unauthenticated(
                "the device has been revoked".into(),
            ));
        }
        Ok(principal)
    }

    fn may_refresh_now(&self) -> bool {
        let mut last = self
            .last_prompted_refresh
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        if last.is_some_and(|last| now.duration_since(last) < UNKNOWN_KEY_REFRESH) {
            return false;
        }
        *last = Some(now);
        true
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
    let route = path.as_ref().map(MatchedPath::as_str).unwrap_or_default();
    // A method the route does not serve (405) has no rule, nor would a
    // route added without one: both are the organizer's alone.
    let rule = access(request.method(), route).unwrap_or(Access::Organizer);
    if rule == Access::Public {
        return Ok(next.run(request).await);
    }
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok());
    let principal = state.authenticator.authenticate(authorization).await?;
    match rule {
        Access::Public | Access::SignedIn => {}
        Access::Organizer => {
            if principal != Principal::Organizer {
                return Err(ApiError::Forbidden("only the organizer may".into()));
            }
        }
        Access::PathPerson => {
            let person_id = params
                .iter()
                .find(|(name, _)| *name == "person_id")
                .and_then(|(_, value)| value.parse::<i64>().ok());
            match (&principal, person_id) {
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
