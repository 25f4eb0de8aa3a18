//! Credentials shared by every UdaConnect service. The service that owns
//! identity signs short claims with an Ed25519 key ([`TokenSigner`]) and
//! publishes the public half as a JSON Web Key Set; every service that
//! receives requests checks tokens locally against that set
//! ([`TokenVerifier`]), so no request waits on a call to another service.

mod claims;
mod signer;
mod verifier;

pub use claims::{Claims, Principal, Role};
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use signer::TokenSigner;
pub use verifier::{TokenError, TokenVerifier};

/// The issuer UdaConnect's tokens name unless configured otherwise.
pub const DEFAULT_ISSUER: &str = "udaconnect";

/// The audience every UdaConnect token names, so a token minted for
/// another system with the same keys is not taken for ours.
pub const AUDIENCE: &str = "udaconnect";
