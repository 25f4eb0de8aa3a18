//! The contract every service's builder fulfils, so that the command line,
//! `udaconnect all`, the integration tests and the benchmarks start services
//! the same way.

use std::{collections::BTreeMap, net::SocketAddr, path::Path};

use futures::future::BoxFuture;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The addresses a process bound, by listener name (`persons`,
/// `persons-admin`, …). Port 0 in the configuration becomes a real port
/// here, which is how callers learn where to reach a service.
pub type BoundAddresses = BTreeMap<String, SocketAddr>;

/// A service whose listeners are bound and which serves once run.
///
/// Builders bind in `build` and serve in [`Service::run_until_stopped`], so
/// that everything that can fail at startup (a port in use, bad settings)
/// fails before anything serves, and so that the real addresses are known
/// before any peer needs them.
pub trait Service: Send + 'static {
    /// The addresses this service listens on, by listener name.
    fn addresses(&self) -> BoundAddresses;

    /// Serves until `shutdown` is cancelled, then drains and returns.
    fn run_until_stopped(
        self: Box<Self>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>>;
}

/// A listener on `address`. Its error names the address: a process that
/// binds several ports (`udaconnect all` binds a dozen) would otherwise
/// report only "address already in use", not which.
pub async fn listen(address: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(address).await.map_err(|error| {
        std::io::Error::new(error.kind(), format!("cannot listen on {address}: {error}"))
    })
}

/// Writes `addresses` to `path` as one JSON object, atomically (a reader
/// polling for the file never sees half of it).
pub fn write_addresses(path: &Path, addresses: &BoundAddresses) -> std::io::Result<()> {
    let json: BTreeMap<&str, String> = addresses
        .iter()
        .map(|(name, address)| (name.as_str(), address.to_string()))
        .collect();
    let partial = path.with_extension("partial");
    std::fs::write(&partial, serde_json::to_vec_pretty(&json)?)?;
    std::fs::rename(&partial, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_port_in_use_is_named_in_the_error() {
        let taken = listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
        let address = taken.local_addr().unwrap();
        let error = listen(address).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
        assert!(error.to_string().contains(&address.to_string()), "{error}");
    }
}
