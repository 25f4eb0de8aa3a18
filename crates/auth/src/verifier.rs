//! Checking tokens locally, against the identity service's published keys.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use jsonwebtoken::{
    Algorithm, DecodingKey, Validation,
    errors::ErrorKind,
    jwk::{AlgorithmParameters, EllipticCurve, JwkSet},
};

use crate::{AUDIENCE, CLOCK_LEEWAY_SECONDS, Claims};

/// Why a token was not accepted. Each answers 401: the caller is not known.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    /// Not a JWT, or one whose header or claims cannot be read (this
    /// includes `alg: none` and every algorithm but EdDSA).
    #[error("the token is malformed")]
    Malformed,
    /// Signed by a key the key set does not hold.
    #[error("the token is signed by an unknown key")]
    UnknownKey,
    /// The signature does not match.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// Past its expiry.
    #[error("the token has expired")]
    Expired,
    /// Issued by someone else, or for another audience.
    #[error("the token was not issued for UdaConnect")]
    WrongIssuer,
    /// An external issuer's token without the claim that names the person.
    #[error("the token names no UdaConnect person")]
    NoPerson,
    /// A key could not be made or used.
    #[error("key: {0}")]
    Key(String),
}

/// Verifies tokens against the public keys their issuer publishes. The
/// issuer and its keys are replaced as a whole when they change; until the
/// first are given, no token verifies.
#[derive(Debug, Clone, Default)]
pub struct TokenVerifier {
    trusted: Arc<RwLock<Arc<Trusted>>>,
}

/// One issuer and its keys.
#[derive(Debug, Default)]
struct Trusted {
    validation: Option<Validation>,
    keys: HashMap<String, DecodingKey>,
}

impl TokenVerifier {
    /// Trusts `issuer`'s Ed25519 signing keys in `set` (others are ignored)
    /// in place of what was trusted; answers how many keys there are.
    pub fn replace_keys(&self, issuer: &str, set: &JwkSet) -> usize {
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = CLOCK_LEEWAY_SECONDS;
        let keys: HashMap<String, DecodingKey> = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let AlgorithmParameters::OctetKeyPair(params) = &jwk.algorithm else {
                    return None;
                };
                if params.curve != EllipticCurve::Ed25519 {
                    return None;
                }
                let key = DecodingKey::from_ed_components(&params.x).ok()?;
                Some((jwk.common.key_id.clone()?, key))
            })
            .collect();
        let count = keys.len();
        *self
            .trusted
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(Trusted {
            validation: Some(validation),
            keys,
        });
        count
    }

    /// Whether a key with this id is known.
    pub fn knows_key(&self, key_id: &str) -> bool {
        self.trusted().keys.contains_key(key_id)
    }

    /// The key id a token names, if its header can be read; a caller that
    /// does not know it may refresh the key set before verifying.
    pub fn key_id_of(token: &str) -> Option<String> {
        jsonwebtoken::decode_header(token).ok()?.kid
    }

    /// The token's claims, if its signature, issuer, audience and expiry
    /// hold.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Malformed);
        }
        let key_id = header.kid.ok_or(TokenError::UnknownKey)?;
        let trusted = self.trusted();
        let (Some(validation), Some(key)) = (&trusted.validation, trusted.keys.get(&key_id)) else {
            return Err(TokenError::UnknownKey);
        };
        jsonwebtoken::decode::<Claims>(token, key, validation)
            .map(|data| data.claims)
            .map_err(|error| match error.kind() {
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => TokenError::WrongIssuer,
                _ => TokenError::Malformed,
            })
    }

    fn trusted(&self) -> Arc<Trusted> {
        self.trusted
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}
