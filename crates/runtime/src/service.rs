//! The contract every service's builder fulfils, so that the command line,
//! `udaconnect all`, the integration tests and the benchmarks start services
//! the same way.

use std::{collections::BTreeMap, net::SocketAddr, path::Path};

use futures::future::BoxFuture;
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
