//! Tokens of an external OpenID Connect issuer: an organizer's own identity
//! provider, whose users sign in there rather than with a one-time code.
//! Its tokens are verified locally against the key set it publishes, like
//! UdaConnect's own; each names the UdaConnect person it stands for in a
//! claim of the organizer's choosing, and stands for that attendee.

use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

use jsonwebtoken::{
    Algorithm, DecodingKey, Validation,
    errors::ErrorKind,
    jwk::{AlgorithmParameters, JwkSet},
};
use serde::Deserialize;

use crate::{CLOCK_LEEWAY_SECONDS, TokenError};

/// The algorithms accepted from an external issuer: public-key signatures
/// only, so neither `alg: none` nor a shared secret can stand in for one.
const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The issuer's keys by key id: each key, and the algorithm the key set
/// binds it to, if any.
type Keys = HashMap<String, (DecodingKey, Option<Algorithm>)>;

/// Who an external token stands for, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalIdentity {
    /// The UdaConnect person the token's claim names.
    pub person_id: i64,
    /// When the token expires (seconds since the epoch).
    pub expires: u64,
}

/// One external issuer and the keys it last published.
#[derive(Debug, Clone)]
pub struct ExternalIssuer {
    issuer: String,
    audience: String,
    person_claim: String,
    keys: Arc<RwLock<Arc<Keys>>>,
}

impl ExternalIssuer {
    /// Trusts tokens of `issuer` (the `iss` its tokens name) for
    /// `audience`, whose claim `person_claim` names the person. No token
    /// verifies until its keys are given ([`ExternalIssuer::replace_keys`]).
    pub fn new(issuer: &str, audience: &str, person_claim: &str) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            person_claim: person_claim.to_owned(),
            keys: Arc::default(),
        }
    }

    /// Whether `token` says it comes from this issuer. Read without
    /// verifying anything: it only decides which verifier gets the token.
    pub fn claims_to_issue(&self, token: &str) -> bool {
        #[derive(Deserialize)]
        struct Issuer {
            iss: Option<String>,
        }
        jsonwebtoken::dangerous::insecure_decode_claims::<Issuer>(token)
            .is_ok_and(|claims| claims.iss.as_deref() == Some(self.issuer.as_str()))
    }

    /// Trusts the public keys of `set` that have an id (symmetric keys are
    /// ignored) in place of the earlier ones; answers how many there are.
    pub fn replace_keys(&self, set: &JwkSet) -> usize {
        let keys: Keys = set
            .keys
            .iter()
            .filter(|jwk| !matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)))
            .filter_map(|jwk| {
                let algorithm = match jwk.common.key_algorithm {
                    // A key bound to an algorithm that is not a signature
                    // (RSA-OAEP encryption, say) verifies nothing.
                    Some(algorithm) => Some(algorithm.to_string().parse::<Algorithm>().ok()?),
                    None => None,
                };
                let key = DecodingKey::from_jwk(jwk).ok()?;
                Some((jwk.common.key_id.clone()?, (key, algorithm)))
            })
            .collect();
        let count = keys.len();
        *self
            .keys
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(keys);
        count
    }

    /// Whether a key with this id is known.
    pub fn knows_key(&self, key_id: &str) -> bool {
        self.keys().contains_key(key_id)
    }

    /// The person the token stands for, if its signature, issuer, audience
    /// and expiry hold and its claim names a person.
    pub fn verify(&self, token: &str) -> Result<ExternalIdentity, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(TokenError::Malformed);
        }
        let key_id = header.kid.ok_or(TokenError::UnknownKey)?;
        let keys = self.keys();
        let (key, bound) = keys.get(&key_id).ok_or(TokenError::UnknownKey)?;
        if bound.is_some_and(|bound| bound != header.alg) {
            return Err(TokenError::Malformed);
        }
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = CLOCK_LEEWAY_SECONDS;
        let claims = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            key,
            &validation,
        )
        .map_err(|error| match error.kind() {
            ErrorKind::InvalidSignature => TokenError::BadSignature,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::InvalidIssuer | ErrorKind::InvalidAudience => TokenError::WrongIssuer,
            _ => TokenError::Malformed,
        })?
        .claims;
        let person_id = match claims.get(&self.person_claim) {
            Some(serde_json::Value::Number(number)) => number.as_i64(),
            Some(serde_json::Value::String(text)) => text.parse().ok(),
            _ => None,
        }
        .filter(|id| *id > 0)
        .ok_or(TokenError::NoPerson)?;
        let expires = claims
            .get("exp")
            .and_then(serde_json::Value::as_u64)
            .ok_or(TokenError::Malformed)?;
        Ok(ExternalIdentity { person_id, expires })
    }

    fn keys(&self) -> Arc<Keys> {
        self.keys
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;
    use crate::TokenSigner;

    const ISSUER: &str = "https://login.example.org/realms/expo";

    /// An issuer trusting one fresh Ed25519 key, and what signs with it.
    fn issuer() -> (ExternalIssuer, EncodingKey, String) {
        let pkcs8 = TokenSigner::generate_key().unwrap();
        let signer = TokenSigner::new(ISSUER, &pkcs8).unwrap();
        let external = ExternalIssuer::new(ISSUER, "udaconnect", "udaconnect_person_id");
        let set = JwkSet {
            keys: vec![signer.public_key().clone()],
        };
        assert_eq!(external.replace_keys(&set), 1);
        (
            external,
            EncodingKey::from_ed_der(&pkcs8),
            signer.key_id().to_owned(),
        )
    }

    fn now() -> u64 {
        jsonwebtoken::get_current_timestamp()
    }

    fn sign(key: &EncodingKey, key_id: &str, claims: serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key_id.to_owned());
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    }

    #[test]
    fn a_token_of_the_issuer_stands_for_the_person_its_claim_names() {
        let (external, key, key_id) = issuer();
        let expires = now() + 600;
        for person in [json!(5), json!("5")] {
            let token = sign(
                &key,
                &key_id,
                json!({"iss": ISSUER, "aud": "udaconnect", "sub": "idp-user-17",
                       "exp": expires, "udaconnect_person_id": person}),
            );
            assert!(external.claims_to_issue(&token));
            assert_eq!(
                external.verify(&token),
                Ok(ExternalIdentity {
                    person_id: 5,
                    expires
                })
            );
        }
    }

    #[test]
    fn tokens_that_prove_nothing_are_refused() {
        let (external, key, key_id) = issuer();
        let claims = |changes: serde_json::Value| {
            let mut claims = json!({"iss": ISSUER, "aud": "udaconnect", "exp": now() + 600,
                                    "udaconnect_person_id": 5});
            for (name, value) in changes.as_object().unwrap() {
                if value.is_null() {
                    claims.as_object_mut().unwrap().remove(name);
                } else {
                    claims[name] = value.clone();
                }
            }
            claims
        };
        for (changes, error) in [
            (json!({"aud": "another-app"}), TokenError::WrongIssuer),
            (
                json!({"iss": "https://elsewhere.example"}),
                TokenError::WrongIssuer,
            ),
            (json!({"exp": now() - 600}), TokenError::Expired),
            (json!({"udaconnect_person_id": null}), TokenError::NoPerson),
            (json!({"udaconnect_person_id": 0}), TokenError::NoPerson),
            (
                json!({"udaconnect_person_id": "five"}),
                TokenError::NoPerson,
            ),
        ] {
            let token = sign(&key, &key_id, claims(changes.clone()));
            assert_eq!(external.verify(&token), Err(error), "{changes}");
        }
        let unknown = sign(&key, "another-key", claims(json!({})));
        assert_eq!(external.verify(&unknown), Err(TokenError::UnknownKey));
        // A shared secret cannot stand in for the issuer's signature.
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key_id.clone());
        let hmac = jsonwebtoken::encode(
            &header,
            &claims(json!({})),
            &EncodingKey::from_secret(b"secret").unwrap(),
        )
        .unwrap();
        assert_eq!(external.verify(&hmac), Err(TokenError::Malformed));
        // Another key's signature under this key's id.
        let (_, other_key, _) = issuer();
        let forged = sign(&other_key, &key_id, claims(json!({})));
        assert_eq!(external.verify(&forged), Err(TokenError::BadSignature));
    }
}
