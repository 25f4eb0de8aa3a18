//! The organizer's token of the stacks the benchmarks start, and a client
//! that sends it, since every REST route timed needs a credential.

/// The organizer's token every benchmark stack is started with.
pub const ORGANIZER_TOKEN: &str = "organizer-token-of-the-benchmarks-0123456789";

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
