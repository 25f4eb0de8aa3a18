//! Credentials shared by every UdaConnect service. The service that owns
//! identity signs short claims with an Ed25519 key ([`TokenSigner`]) and
//! publishes the public half as a JSON Web Key Set; every service that
//! receives requests checks tokens locally against that set
//! ([`TokenVerifier`]), so no request waits on a call to another service.
//! An organizer's own identity provider may vouch for attendees too
//! ([`ExternalIssuer`]).

mod claims;
mod external;
mod signer;
mod verifier;

pub use claims::{Claims, Principal, Role};
pub use external::{ExternalIdentity, ExternalIssuer};
pub use jsonwebtoken::jwk::{Jwk, JwkSet};
pub use signer::TokenSigner;
pub use verifier::{TokenError, TokenVerifier};

/// Seconds of clock difference between services (and issuers) that a
/// token's expiry tolerates.
const CLOCK_LEEWAY_SECONDS: u64 = 30;

/// The issuer UdaConnect's tokens name unless configured otherwise.
pub const DEFAULT_ISSUER: &str = "udaconnect";

/// The audience every UdaConnect token names, so a token minted for
/// another system with the same keys is not taken for ours.
pub const AUDIENCE: &str = "udaconnect";
