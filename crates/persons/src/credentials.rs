//! Checking credentials where requests arrive (the REST API, ingest): the
//! organizer's token from the environment, and the tokens the persons
//! service signs, verified here against the keys it publishes, with no call
//! per request; and what the persons service says to refuse (revoked
//! devices, erased persons, paused locations), read every few seconds.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use clap::Args;
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use udaconnect_auth::{ExternalIssuer, JwkSet, Principal, TokenError, TokenVerifier};
use udaconnect_domain::FieldError;
use udaconnect_proto::v1::{self, person_service_client::PersonServiceClient};
use udaconnect_runtime::grpc::SignedChannel;
use uuid::Uuid;

use crate::unknown_person;

/// Shortest organizer token accepted: 32 characters, so it cannot be
/// guessed.
const MIN_ORGANIZER_TOKEN: usize = 32;

/// How often the keys and the restrictions are read again: a revoked
/// device's or erased person's token stops working, and a paused person's
/// pings stop being accepted, within this (plus one call).
pub const REVOCATION_REFRESH: Duration = Duration::from_secs(15);

/// Shortest time between two key reads prompted by a token of an unknown
/// key, so made-up key ids cannot make a service hammer persons.
const UNKNOWN_KEY_REFRESH: Duration = Duration::from_secs(5);

/// Most verified tokens remembered; past it the memory starts over.
const MAX_REMEMBERED_TOKENS: usize = 100_000;

/// Longest a read of an external issuer's key set may take.
const EXTERNAL_KEYS_TIMEOUT: Duration = Duration::from_secs(5);

/// Who may call besides those the persons service vouches for: the
/// organizer, and attendees an external identity provider vouches for.
#[derive(Clone, Default, Args)]
pub struct CredentialArgs {
    /// The organizer's bearer token: at least 32 characters (`openssl rand
    /// -hex 32`). Required by the services that take requests;
    /// `./scripts/run` makes one when it is unset.
    #[arg(long, env = "ORGANIZER_TOKEN", hide_env_values = true)]
    pub organizer_token: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub external: ExternalIssuerArgs,
}

/// An external OpenID Connect issuer whose tokens stand for attendees.
#[derive(Debug, Clone, Args)]
pub struct ExternalIssuerArgs {
    /// The issuer (`iss`) of tokens to accept besides UdaConnect's own, e.g.
    /// `https://login.example.org/realms/expo`; unset, none are.
    #[arg(long, env = "OIDC_ISSUER", requires = "oidc_jwks_url")]
    pub oidc_issuer: Option<String>,
    /// Where that issuer publishes its keys (its JWKS URL, `jwks_uri` in
    /// its discovery document); read at start and every 15 s.
    #[arg(long, env = "OIDC_JWKS_URL", requires = "oidc_issuer")]
    pub oidc_jwks_url: Option<String>,
    /// The claim of its tokens that holds the UdaConnect person id.
    #[arg(
        long,
        env = "OIDC_PERSON_CLAIM",
        default_value = "udaconnect_person_id"
    )]
    pub oidc_person_claim: String,
    /// The audience (`aud`) its tokens must name.
    #[arg(long, env = "OIDC_AUDIENCE", default_value = "udaconnect")]
    pub oidc_audience: String,
}

impl Default for ExternalIssuerArgs {
    fn default() -> Self {
        Self {
            oidc_issuer: None,
            oidc_jwks_url: None,
            oidc_person_claim: "udaconnect_person_id".to_owned(),
            oidc_audience: "udaconnect".to_owned(),
        }
    }
}

/// An external issuer and where its keys are.
#[derive(Debug, Clone)]
struct External {
    issuer: ExternalIssuer,
    jwks_url: String,
    http: reqwest::Client,
}

impl External {
    /// The issuer `args` name, if any.
    fn from_args(args: &ExternalIssuerArgs) -> anyhow::Result<Option<Self>> {
        let (Some(issuer), Some(jwks_url)) = (&args.oidc_issuer, &args.oidc_jwks_url) else {
            return Ok(None);
        };
        Ok(Some(Self {
            issuer: ExternalIssuer::new(issuer, &args.oidc_audience, &args.oidc_person_claim),
            jwks_url: jwks_url.clone(),
            http: reqwest::Client::builder()
                .timeout(EXTERNAL_KEYS_TIMEOUT)
                .build()?,
        }))
    }

    /// Reads the issuer's key set again.
    async fn refresh(&self) -> Result<(), reqwest::Error> {
        let set: JwkSet = self
            .http
            .get(&self.jwks_url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        self.issuer.replace_keys(&set);
        Ok(())
    }
}

impl std::fmt::Debug for CredentialArgs {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        formatter
            .debug_struct("CredentialArgs")
            .finish_non_exhaustive()
    }
}

/// Why a credential was not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialError {
    /// No bearer token.
    #[error("a bearer token is required")]
    Missing,
    /// A token that proves nothing: malformed, forged, expired, foreign.
    #[error("{0}")]
    Invalid(String),
    /// The token of a revoked device or of an erased person.
    #[error("the credential has been revoked")]
    Revoked,
    /// Tokens cannot be checked now: persons, whose keys verify them, is
    /// unreachable.
    #[error("credentials cannot be checked now; retry later")]
    Unavailable,
}

/// Why a person's pings are refused at the entry points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PingRefusal {
    /// The person was erased: unknown from then on.
    Erased,
    /// The person paused sharing their location: the ping is not kept, and
    /// sending it again will not change that while the pause lasts.
    Paused,
}

impl PingRefusal {
    /// The refusal, naming the field at fault.
    pub fn reason(self, person_id: i64) -> FieldError {
        match self {
            Self::Erased => unknown_person(person_id),
            Self::Paused => FieldError::new(
                "person_id",
                "the person paused sharing their location; the ping is not kept",
            ),
        }
    }
}

/// What the persons service last said to refuse.
#[derive(Debug, Default)]
struct Restrictions {
    revoked_devices: HashSet<Uuid>,
    erased_persons: HashSet<i64>,
    paused_persons: HashSet<i64>,
}

/// A verified token's caller, when the token expires, and the key that
/// signed it.
type Remembered = (Principal, u64, String);

/// Checks credentials. Cheap to clone: clones share the keys, the revoked
/// devices and the tokens already verified.
#[derive(Debug, Clone)]
pub struct Credentials {
    organizer_digest: [u8; 32],
    verifier: TokenVerifier,
    external: Option<External>,
    restrictions: Arc<RwLock<Restrictions>>,
    /// Tokens verified, until they expire or their key is no longer
    /// published, so a phone's every call does not pay for a signature
    /// check (revocation is checked on every call regardless).
    verified: Arc<RwLock<HashMap<Box<str>, Remembered>>>,
    persons: PersonServiceClient<SignedChannel>,
    last_prompted_refresh: Arc<Mutex<Option<Instant>>>,
}

impl Credentials {
    /// Checks the organizer's token, the tokens of the persons service
    /// reached through `persons`, and those of the external issuer `args`
    /// may name.
    pub fn new(args: &CredentialArgs, persons: SignedChannel) -> anyhow::Result<Self> {
        let token = args
            .organizer_token
            .as_deref()
            .filter(|token| token.chars().count() >= MIN_ORGANIZER_TOKEN)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "ORGANIZER_TOKEN must be set, at least {MIN_ORGANIZER_TOKEN} characters"
                )
            })?;
        Ok(Self {
            organizer_digest: Sha256::digest(token.as_bytes()).into(),
            verifier: TokenVerifier::default(),
            external: External::from_args(&args.external)?,
            restrictions: Arc::default(),
            verified: Arc::default(),
            persons: PersonServiceClient::new(persons),
            last_prompted_refresh: Arc::default(),
        })
    }

    /// Reads the keys and the restrictions every [`REVOCATION_REFRESH`]
    /// until `shutdown`.
    pub async fn refresh_until(self, shutdown: CancellationToken) {
        loop {
            if let Err(status) = self.refresh().await {
                tracing::warn!(%status, "cannot read the token keys and restrictions");
            }
            self.refresh_external().await;
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(REVOCATION_REFRESH) => {}
            }
        }
    }

    async fn refresh(&self) -> Result<(), tonic::Status> {
        let (mut keys_client, mut restrictions_client) =
            (self.persons.clone(), self.persons.clone());
        let (keys, restrictions) = tokio::try_join!(
            keys_client.get_key_set(v1::GetKeySetRequest {}),
            restrictions_client.list_restrictions(v1::ListRestrictionsRequest {}),
        )?;
        let keys = keys.into_inner();
        let set: JwkSet = serde_json::from_str(&keys.jwks)
            .map_err(|error| tonic::Status::internal(format!("unreadable key set: {error}")))?;
        self.verifier.replace_keys(&keys.issuer, &set);
        let restrictions = restrictions.into_inner();
        *write(&self.restrictions) = Restrictions {
            revoked_devices: restrictions
                .revoked_device_ids
                .iter()
                .filter_map(|id| id.parse().ok())
                .collect(),
            erased_persons: restrictions.erased_person_ids.into_iter().collect(),
            paused_persons: restrictions.paused_person_ids.into_iter().collect(),
        };
        self.forget_retired_keys();
        Ok(())
    }

    /// Reads the external issuer's keys again, if there is one; on failure
    /// the keys read before stay.
    async fn refresh_external(&self) {
        let Some(external) = &self.external else {
            return;
        };
        match external.refresh().await {
            Ok(()) => self.forget_retired_keys(),
            Err(error) => tracing::warn!(
                %error,
                url = external.jwks_url,
                "cannot read the external issuer's keys"
            ),
        }
    }

    /// Forgets the verified tokens of keys no longer published: they are
    /// verified again, and refused.
    fn forget_retired_keys(&self) {
        write(&self.verified).retain(|_, (_, _, key_id)| {
            self.verifier.knows_key(key_id)
                || self
                    .external
                    .as_ref()
                    .is_some_and(|external| external.issuer.knows_key(key_id))
        });
    }

    /// The caller an `Authorization` value (`Bearer <token>`) proves.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
    ) -> Result<Principal, CredentialError> {
        let token = authorization
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or(CredentialError::Missing)?;
        if <[u8; 32]>::from(Sha256::digest(token.as_bytes())) == self.organizer_digest {
            return Ok(Principal::Organizer);
        }
        let principal = match self.remembered(token) {
            Some(principal) => principal,
            None => self.verify(token).await?,
        };
        if self.is_revoked(&principal) {
            return Err(CredentialError::Revoked);
        }
        Ok(principal)
    }

    /// Whether the caller's credential has been taken back (as of the last
    /// refresh): a revoked device, or an erased person. For callers that
    /// hold a connection open past the first check.
    pub fn is_revoked(&self, principal: &Principal) -> bool {
        let restrictions = read(&self.restrictions);
        if let Principal::Device { device_id, .. } = principal
            && restrictions.revoked_devices.contains(device_id)
        {
            return true;
        }
        principal
            .person_id()
            .is_some_and(|person_id| restrictions.erased_persons.contains(&person_id))
    }

    /// Why the person's pings are refused, whoever sends them (as of the
    /// last refresh), if they are.
    pub fn refuses_pings_of(&self, person_id: i64) -> Option<PingRefusal> {
        let restrictions = read(&self.restrictions);
        if restrictions.erased_persons.contains(&person_id) {
            Some(PingRefusal::Erased)
        } else if restrictions.paused_persons.contains(&person_id) {
            Some(PingRefusal::Paused)
        } else {
            None
        }
    }

    fn remembered(&self, token: &str) -> Option<Principal> {
        let verified = read(&self.verified);
        let (principal, expires, _) = verified.get(token)?;
        (now() < *expires).then(|| principal.clone())
    }

    async fn verify(&self, token: &str) -> Result<Principal, CredentialError> {
        let (principal, expires) = match &self.external {
            Some(external) if external.issuer.claims_to_issue(token) => {
                self.verify_external(external, token).await?
            }
            _ => self.verify_own(token).await?,
        };
        let mut verified = write(&self.verified);
        if verified.len() >= MAX_REMEMBERED_TOKENS {
            verified.clear();
        }
        let key_id = TokenVerifier::key_id_of(token).unwrap_or_default();
        verified.insert(token.into(), (principal.clone(), expires, key_id));
        Ok(principal)
    }

    /// A token the persons service signed: its caller and expiry.
    async fn verify_own(&self, token: &str) -> Result<(Principal, u64), CredentialError> {
        let claims = match self.verifier.verify(token) {
            Err(TokenError::UnknownKey) if self.may_refresh_now() => {
                // Perhaps a key made since the last read.
                self.refresh().await.map_err(|status| {
                    tracing::warn!(%status, "cannot read the token keys");
                    CredentialError::Unavailable
                })?;
                self.verifier.verify(token)
            }
            verified => verified,
        }
        .map_err(|error| CredentialError::Invalid(error.to_string()))?;
        let principal = Principal::from_claims(&claims)
            .ok_or_else(|| CredentialError::Invalid("the token names no person".into()))?;
        Ok((principal, claims.exp))
    }

    /// A token of the external issuer: the attendee it stands for, and its
    /// expiry.
    async fn verify_external(
        &self,
        external: &External,
        token: &str,
    ) -> Result<(Principal, u64), CredentialError> {
        let identity = match external.issuer.verify(token) {
            Err(TokenError::UnknownKey) if self.may_refresh_now() => {
                // Perhaps the issuer rotated its keys since the last read.
                external.refresh().await.map_err(|error| {
                    tracing::warn!(%error, "cannot read the external issuer's keys");
                    CredentialError::Unavailable
                })?;
                external.issuer.verify(token)
            }
            verified => verified,
        }
        .map_err(|error| CredentialError::Invalid(error.to_string()))?;
        Ok((
            Principal::Attendee {
                person_id: identity.person_id,
            },
            identity.expires,
        ))
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

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
