//! The organizer's token of the stacks the benchmarks start, and a client
//! that sends it, since every REST route timed needs a credential; and the
//! token their services present to one another.

use udaconnect_runtime::ServiceCredential;

/// The organizer's token every benchmark stack is started with.
pub const ORGANIZER_TOKEN: &str = "organizer-token-of-the-benchmarks-0123456789";

/// The services' token of every benchmark stack.
pub const SERVICE_TOKEN: &str = "service-token-of-the-benchmarks-0123456789";

/// The credential the services of a benchmark stack present to one
/// another (and the benchmarks, when they call an internal service).
pub fn service() -> ServiceCredential {
    ServiceCredential::new(SERVICE_TOKEN).expect("the benchmarks' service token is valid")
}

/// An HTTP client without Nagle's delay that signs each request with
/// `token`.
pub fn signed_client(token: &str) -> anyhow::Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse()?,
    );
    Ok(reqwest::Client::builder()
        .tcp_nodelay(true)
        .default_headers(headers)
        .build()?)
}
