//! Identity: one-time enrollment codes, the tokens they are exchanged for,
//! the keys that sign those tokens, and the devices they bind.

use std::time::Duration;

use chrono::{DateTime, Utc};
use clap::Args;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use udaconnect_auth::{DEFAULT_ISSUER, JwkSet, Role, TokenSigner};
use udaconnect_domain::{FieldError, PersonId, check_id};
use udaconnect_proto::{timestamp_from_datetime, v1};
use udaconnect_runtime::{config::parse_duration, grpc::ServiceError};
use udaconnect_storage::{Device, IdentityStore, Redemption};
use uuid::Uuid;

const DEFAULT_ENROLLMENT_CODE_LIFETIME: &str = "15m";
const DEFAULT_DEVICE_TOKEN_LIFETIME: &str = "30d";
const DEFAULT_WEB_TOKEN_LIFETIME: &str = "12h";

/// How tokens are issued.
#[derive(Debug, Clone, Args)]
pub struct IdentityArgs {
    /// The issuer ("iss") that tokens name and verifiers expect.
    #[arg(long, env = "TOKEN_ISSUER", default_value = DEFAULT_ISSUER)]
    pub token_issuer: String,
    /// How long an enrollment code can be redeemed.
    #[arg(long, env = "ENROLLMENT_CODE_LIFETIME", default_value = DEFAULT_ENROLLMENT_CODE_LIFETIME, value_parser = parse_duration)]
    pub enrollment_code_lifetime: Duration,
    /// How long a phone's token lasts (revoking the device ends it sooner).
    #[arg(long, env = "DEVICE_TOKEN_LIFETIME", default_value = DEFAULT_DEVICE_TOKEN_LIFETIME, value_parser = parse_duration)]
    pub device_token_lifetime: Duration,
    /// How long a web page sign-in lasts.
    #[arg(long, env = "WEB_TOKEN_LIFETIME", default_value = DEFAULT_WEB_TOKEN_LIFETIME, value_parser = parse_duration)]
    pub web_token_lifetime: Duration,
}

impl Default for IdentityArgs {
    /// The command line's defaults, for services started in-process.
    fn default() -> Self {
        let lifetime = |text| parse_duration(text).expect("a default lifetime parses");
        Self {
            token_issuer: DEFAULT_ISSUER.to_owned(),
            enrollment_code_lifetime: lifetime(DEFAULT_ENROLLMENT_CODE_LIFETIME),
            device_token_lifetime: lifetime(DEFAULT_DEVICE_TOKEN_LIFETIME),
            web_token_lifetime: lifetime(DEFAULT_WEB_TOKEN_LIFETIME),
        }
    }
}

/// Letters and digits of an enrollment code: Crockford's base 32, without
/// the look-alikes I, L, O and U. 32 symbols, so one random byte masked to
/// five bits picks one without bias.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Symbols per code: 60 random bits.
const CODE_LENGTH: usize = 12;

/// Longest device name.
const MAX_DEVICE_NAME: usize = 100;

/// The signing keys, read from the database on first use (so the service
/// starts while the database is down).
#[derive(Debug)]
struct Keys {
    signer: TokenSigner,
    published: JwkSet,
}

/// Issues codes and tokens; keeps devices.
#[derive(Debug)]
pub(crate) struct Identity {
    store: IdentityStore,
    settings: IdentityArgs,
    keys: OnceCell<Keys>,
}

impl Identity {
    pub(crate) fn new(store: IdentityStore, settings: IdentityArgs) -> Self {
        Self {
            store,
            settings,
            keys: OnceCell::new(),
        }
    }

    /// The newest unretired key signs and every unretired key is
    /// published; a first start makes the first key. Replicas starting
    /// together may each make one: both are published, so either's tokens
    /// verify.
    async fn keys(&self) -> Result<&Keys, ServiceError> {
        self.keys
            .get_or_try_init(|| async {
                let mut stored = self.store.signing_keys().await?;
                if stored.is_empty() {
                    let key = TokenSigner::generate_key().map_err(internal)?;
                    self.store.add_signing_key(&key).await?;
                    tracing::info!("created the first token signing key");
                    stored = self.store.signing_keys().await?;
                }
                let signers = stored
                    .iter()
                    .map(|key| TokenSigner::new(&self.settings.token_issuer, key))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(internal)?;
                let published = JwkSet {
                    keys: signers
                        .iter()
                        .map(|signer| signer.public_key().clone())
                        .collect(),
                };
                let signer = signers
                    .into_iter()
                    .next()
                    .ok_or_else(|| internal("no signing key after creating one".to_owned()))?;
                Ok(Keys { signer, published })
            })
            .await
    }

    pub(crate) async fn create_code(
        &self,
        person_id: PersonId,
    ) -> Result<v1::EnrollmentCode, ServiceError> {
        check_id("person_id", person_id)?;
        let code = new_code().map_err(internal)?;
        let expires = Utc::now() + self.settings.enrollment_code_lifetime;
        if !self
            .store
            .add_enrollment_code(person_id, &code_hash(&code), expires)
            .await?
        {
            return Err(ServiceError::NotFound(format!(
                "no person with id {person_id}"
            )));
        }
        tracing::info!(person_id, "enrollment code created");
        Ok(v1::EnrollmentCode {
            code: display_code(&code),
            person_id,
            expires: Some(timestamp_from_datetime(expires)),
        })
    }

    pub(crate) async fn redeem(
        &self,
        request: &v1::RedeemEnrollmentCodeRequest,
    ) -> Result<v1::Credential, ServiceError> {
        let code = normalize_code(&request.code).ok_or_else(unusable_code)?;
        let (redemption, role, lifetime) = match v1::Enrollment::try_from(request.enrollment) {
            Ok(v1::Enrollment::Device) => (
                Redemption::Device {
                    id: Uuid::now_v7(),
                    name: device_name(&request.device_name)?,
                },
                Role::Device,
                self.settings.device_token_lifetime,
            ),
            Ok(v1::Enrollment::Web) => (
                Redemption::Session,
                Role::Attendee,
                self.settings.web_token_lifetime,
            ),
            _ => {
                return Err(FieldError::new("enrollment", "must be DEVICE or WEB").into());
            }
        };
        // Sign before using the code up, so a key failure leaves it usable.
        let keys = self.keys().await?;
        let person_id = self
            .store
            .redeem_enrollment_code(&code_hash(&code), &redemption)
            .await?
            .ok_or_else(unusable_code)?;
        let token_id = match &redemption {
            Redemption::Device { id, .. } => *id,
            Redemption::Session => Uuid::now_v7(),
        };
        let token = keys
            .signer
            .issue(&person_id.to_string(), role, token_id, lifetime)
            .map_err(internal)?;
        tracing::info!(person_id, ?role, "enrollment code redeemed");
        Ok(v1::Credential {
            token,
            expires: Some(timestamp_from_datetime(Utc::now() + lifetime)),
            person_id,
            device_id: match redemption {
                Redemption::Device { id, .. } => id.to_string(),
                Redemption::Session => String::new(),
            },
        })
    }

    pub(crate) async fn key_set(&self) -> Result<v1::KeySet, ServiceError> {
        let keys = self.keys().await?;
        Ok(v1::KeySet {
            jwks: serde_json::to_string(&keys.published).map_err(internal)?,
            issuer: self.settings.token_issuer.clone(),
        })
    }

    pub(crate) async fn devices(
        &self,
        person_id: PersonId,
    ) -> Result<v1::ListDevicesResponse, ServiceError> {
        check_id("person_id", person_id)?;
        Ok(v1::ListDevicesResponse {
            devices: self
                .store
                .devices(person_id)
                .await?
                .iter()
                .map(device_to_wire)
                .collect(),
        })
    }

    pub(crate) async fn revoke(
        &self,
        request: &v1::RevokeDeviceRequest,
    ) -> Result<v1::Device, ServiceError> {
        check_id("person_id", request.person_id)?;
        let not_found = || {
            ServiceError::NotFound(format!(
                "person {} has no device {:?}",
                request.person_id, request.device_id
            ))
        };
        let device_id = Uuid::parse_str(request.device_id.trim()).map_err(|_| not_found())?;
        if !self
            .store
            .revoke_device(request.person_id, device_id)
            .await?
        {
            return Err(not_found());
        }
        tracing::info!(person_id = request.person_id, %device_id, "device revoked");
        self.store
            .devices(request.person_id)
            .await?
            .iter()
            .find(|device| device.id == device_id)
            .map(device_to_wire)
            .ok_or_else(not_found)
    }

    /// Revoked devices whose tokens may still be unexpired.
    pub(crate) async fn revoked_devices(&self) -> Result<Vec<String>, ServiceError> {
        let enrolled_after = Utc::now() - self.settings.device_token_lifetime;
        Ok(self
            .store
            .revoked_devices(enrolled_after)
            .await?
            .iter()
            .map(Uuid::to_string)
            .collect())
    }

    /// When the oldest token that may still be unexpired was issued: a
    /// token of an earlier time has expired, whoever holds it.
    pub(crate) fn oldest_unexpired_token(&self) -> DateTime<Utc> {
        Utc::now()
            - self
                .settings
                .device_token_lifetime
                .max(self.settings.web_token_lifetime)
    }
}

fn device_to_wire(device: &Device) -> v1::Device {
    v1::Device {
        id: device.id.to_string(),
        person_id: device.person_id,
        name: device.name.clone(),
        created: Some(timestamp_from_datetime(device.created_at)),
        revoked: device.revoked_at.map(timestamp_from_datetime),
    }
}

fn internal(error: impl ToString) -> ServiceError {
    ServiceError::Internal(error.to_string().into())
}

fn unusable_code() -> ServiceError {
    FieldError::new("code", "is unknown, expired or already used").into()
}

fn device_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_DEVICE_NAME {
        return Err(FieldError::new(
            "device_name",
            format!("must be 1 to {MAX_DEVICE_NAME} characters"),
        ));
    }
    Ok(name.to_owned())
}

/// A fresh code, without its dashes.
fn new_code() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; CODE_LENGTH];
    getrandom::fill(&mut bytes)?;
    Ok(bytes
        .iter()
        .map(|byte| char::from(CODE_ALPHABET[usize::from(byte & 31)]))
        .collect())
}

/// The code in groups of four, as people read it out.
fn display_code(code: &str) -> String {
    code.as_bytes()
        .chunks(4)
        .map(|group| std::str::from_utf8(group).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed, in its canonical form: case, dashes and spaces
/// ignored, and the look-alikes read as what they look like. `None` if it
/// cannot be a code.
fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        })
        .collect();
    (code.len() == CODE_LENGTH && code.bytes().all(|byte| CODE_ALPHABET.contains(&byte)))
        .then_some(code)
}

/// What is stored of a code.
fn code_hash(code: &str) -> Vec<u8> {
    Sha256::digest(code.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = new_code().unwrap();
        let shown = display_code(&code);
        assert_eq!(shown.len(), CODE_LENGTH + 2);
        assert_eq!(normalize_code(&shown).as_deref(), Some(code.as_str()));
        assert_eq!(
            normalize_code(&shown.to_lowercase().replace('-', " ")).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(
            normalize_code("0OIl-abcd-efgh").as_deref(),
            Some("0011ABCDEFGH")
        );
        for bad in [
            "",
            "ABCD-EFGH-JKM",
            "ABCD-EFGH-JKMNP",
            "ABCD-EFGH-JKMU",
            "ÄBCD-EFGH-JKMN",
        ] {
            assert_eq!(normalize_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_defaults_parse() {
        let defaults = IdentityArgs::default();
        assert_eq!(defaults.enrollment_code_lifetime, Duration::from_secs(900));
        assert_eq!(defaults.web_token_lifetime, Duration::from_secs(43_200));
    }

    #[test]
    fn codes_differ() {
        let codes: std::collections::HashSet<String> =
            (0..1_000).map(|_| new_code().unwrap()).collect();
        assert_eq!(codes.len(), 1_000);
    }
}
