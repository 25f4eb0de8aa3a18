//! Issuing tokens: the private half of the identity service's key.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{
    Algorithm, EncodingKey, Header,
    jwk::{Jwk, PublicKeyUse, ThumbprintHash},
};
use uuid::Uuid;

use crate::{AUDIENCE, Claims, Role, TokenError};

/// The fixed PKCS#8 v1 prefix of an Ed25519 private key (RFC 8410), before
/// its 32-byte seed.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

/// Signs tokens with one Ed25519 key, named in each token's header by the
/// key's RFC 7638 thumbprint so verifiers pick the right public key.
#[derive(Clone)]
pub struct TokenSigner {
    issuer: String,
    key: EncodingKey,
    public_key: Jwk,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private key.
        formatter
            .debug_struct("TokenSigner")
            .field("issuer", &self.issuer)
            .field("key_id", &self.key_id())
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// A new private key, PKCS#8 DER-encoded, from the operating system's
    /// random source.
    pub fn generate_key() -> Result<Vec<u8>, TokenError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|error| TokenError::Key(error.to_string()))?;
        Ok([ED25519_PKCS8_PREFIX.as_slice(), &seed].concat())
    }

    /// A signer for `issuer` with a PKCS#8 DER Ed25519 private key.
    pub fn new(issuer: impl Into<String>, pkcs8_der: &[u8]) -> Result<Self, TokenError> {
        let key = EncodingKey::from_ed_der(pkcs8_der);
        let mut public_key = Jwk::from_encoding_key(&key, Algorithm::EdDSA)
            .map_err(|error| TokenError::Key(error.to_string()))?;
        let key_id = public_key
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|error| TokenError::Key(error.to_string()))?;
        public_key.common.key_id = Some(key_id);
        public_key.common.public_key_use = Some(PublicKeyUse::Signature);
        Ok(Self {
            issuer: issuer.into(),
            key,
            public_key,
        })
    }

    /// The public key, as published in the key set.
    pub fn public_key(&self) -> &Jwk {
        &self.public_key
    }

    /// The key's id, as written in each token's header.
    pub fn key_id(&self) -> &str {
        self.public_key.common.key_id.as_deref().unwrap_or_default()
    }

    /// Who the tokens say issued them.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// A token for `subject` in `role`, valid for `lifetime` from now, with
    /// `token_id` as its `jti`.
    pub fn issue(
        &self,
        subject: &str,
        role: Role,
        token_id: Uuid,
        lifetime: Duration,
    ) -> Result<String, TokenError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        self.sign(&Claims {
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            sub: subject.to_owned(),
            role,
            iat: now,
            exp: now.saturating_add(lifetime.as_secs()),
            jti: token_id,
        })
    }

    /// Signs claims as they are (tests use it for expired tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id().to_owned());
        jsonwebtoken::encode(&header, claims, &self.key)
            .map_err(|error| TokenError::Key(error.to_string()))
    }
}
