//! The credential UdaConnect's services present to one another, so that the
//! internal services (persons, locations, events) answer no client on the
//! network but them. A shared secret from the environment (`SERVICE_TOKEN`, a
//! Kubernetes Secret): every internal call carries it as a bearer token, and
//! the internal services check it before any handler runs. Health and
//! reflection stay open: probes cannot sign, and neither reveals data.

use clap::Args;
use sha2::{Digest, Sha256};
use tonic::{Request, Status, service::Interceptor, transport::Channel};

use crate::grpc::{self, BearerToken, SignedChannel};

/// Shortest service token accepted: 32 characters, so it cannot be guessed.
const MIN_SERVICE_TOKEN: usize = 32;

/// Where the service token comes from.
#[derive(Clone, Args)]
pub struct ServiceTokenArgs {
    /// The token the services present to one another: at least 32
    /// characters (`openssl rand -hex 32`), the same for every service.
    /// Required by every service; `./scripts/run` makes one.
    #[arg(long, env = "SERVICE_TOKEN", hide_env_values = true)]
    pub service_token: Option<String>,
}

impl std::fmt::Debug for ServiceTokenArgs {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        formatter
            .debug_struct("ServiceTokenArgs")
            .finish_non_exhaustive()
    }
}

impl ServiceTokenArgs {
    /// The credential, or why there is none.
    pub fn credential(&self) -> anyhow::Result<ServiceCredential> {
        ServiceCredential::new(self.service_token.as_deref().unwrap_or_default())
    }
}

/// The service token, to present (clients) and to check (servers).
#[derive(Clone)]
pub struct ServiceCredential {
    bearer: BearerToken,
    digest: [u8; 32],
}

impl std::fmt::Debug for ServiceCredential {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ServiceCredential")
            .finish_non_exhaustive()
    }
}

impl ServiceCredential {
    /// The credential of `token`: at least 32 visible ASCII characters.
    pub fn new(token: &str) -> anyhow::Result<Self> {
        anyhow::ensure!(
            token.chars().count() >= MIN_SERVICE_TOKEN,
            "SERVICE_TOKEN must be set, at least {MIN_SERVICE_TOKEN} characters"
        );
        Ok(Self {
            bearer: BearerToken::new(token)
                .map_err(|_| anyhow::anyhow!("SERVICE_TOKEN must be visible ASCII"))?,
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    /// A lazily connected channel to the internal service at `url`, each
    /// call signed with the token.
    pub fn channel(&self, url: &str) -> anyhow::Result<SignedChannel> {
        Ok(self.sign(grpc::channel(url)?))
    }

    /// `channel`, each call signed with the token.
    pub fn sign(&self, channel: Channel) -> SignedChannel {
        self.bearer.clone().sign(channel)
    }

    /// What an internal service puts in front of its handlers.
    pub fn gate(&self) -> ServiceGate {
        ServiceGate {
            digest: self.digest,
        }
    }
}

/// Lets through the calls that carry the service token, and answers the
/// others UNAUTHENTICATED.
#[derive(Debug, Clone)]
pub struct ServiceGate {
    digest: [u8; 32],
}

impl Interceptor for ServiceGate {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let token = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        match token {
            Some(token) if <[u8; 32]>::from(Sha256::digest(token.as_bytes())) == self.digest => {
                Ok(request)
            }
            _ => Err(Status::unauthenticated(
                "this service answers UdaConnect's own services only",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "service-token-of-the-unit-tests-0123456789";

    #[test]
    fn the_gate_lets_through_the_token_and_nothing_else() {
        let credential = ServiceCredential::new(TOKEN).unwrap();
        let mut gate = credential.gate();
        let mut signed = Request::new(());
        credential.bearer.apply(&mut signed);
        assert!(gate.call(signed).is_ok());
        for header in [
            None,
            Some("Bearer wrong-token-of-the-unit-tests-0123456789"),
            Some(TOKEN),
            Some("Basic c2VydmljZQ=="),
        ] {
            let mut request = Request::new(());
            if let Some(header) = header {
                request
                    .metadata_mut()
                    .insert("authorization", header.parse().unwrap());
            }
            let status = gate.call(request).unwrap_err();
            assert_eq!(status.code(), tonic::Code::Unauthenticated, "{header:?}");
        }
    }

    #[test]
    fn a_short_or_missing_token_is_refused_at_startup() {
        for token in [None, Some("short")] {
            let args = ServiceTokenArgs {
                service_token: token.map(str::to_owned),
            };
            assert!(args.credential().is_err());
        }
    }
}
