//! What browsers are told: which web origins may call the API, and that
//! its answers are not to be sniffed, framed, cached or sent on as a
//! referrer. These are people's location traces.

use std::str::FromStr;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::{
    cors::{AllowOrigin, CorsLayer},
    set_header::SetResponseHeaderLayer,
};

/// An origin the page may call the API from: `scheme://host[:port]`,
/// where the host may be `*` for any host with that scheme and port (a
/// development cluster's page, reached at whatever the node is called).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigin {
    scheme: String,
    /// `None`: any host.
    host: Option<String>,
    port: Option<u16>,
}

impl FromStr for AllowedOrigin {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || {
            format!(
                "{text:?} is not an origin such as https://udaconnect.example.org or http://*:30000"
            )
        };
        let (scheme, authority) = text.trim().split_once("://").ok_or_else(invalid)?;
        if !matches!(scheme, "http" | "https") || authority.is_empty() || authority.contains('/') {
            return Err(invalid());
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port.parse::<u16>().map_err(|_| invalid())?)),
            None => (authority, None),
        };
        if host.is_empty() {
            return Err(invalid());
        }
        Ok(Self {
            scheme: scheme.to_owned(),
            host: (host != "*").then(|| host.to_ascii_lowercase()),
            port,
        })
    }
}

impl AllowedOrigin {
    /// The page served at `address` on this machine, as a browser names
    /// it: by its IP or as localhost.
    pub fn local(address: std::net::SocketAddr) -> [Self; 2] {
        let at = |host: String| Self {
            scheme: "http".to_owned(),
            host: Some(host),
            port: Some(address.port()),
        };
        let ip = match address.ip() {
            std::net::IpAddr::V4(ip) => ip.to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        };
        [at(ip), at("localhost".to_owned())]
    }

    /// Whether a request's `Origin` is this one.
    fn admits(&self, origin: &str) -> bool {
        let Ok(origin) = origin.parse::<Self>() else {
            return false;
        };
        origin.scheme == self.scheme
            && origin.port == self.port
            && self
                .host
                .as_ref()
                .is_none_or(|host| origin.host.as_ref() == Some(host))
    }
}

/// CORS for the allowed origins only: the methods and headers the API
/// uses, bearer tokens included; no cookies are ever involved.
pub fn cors(allowed: Vec<AllowedOrigin>) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin
                .to_str()
                .is_ok_and(|origin| allowed.iter().any(|allowed| allowed.admits(origin)))
        }))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .expose_headers([header::LOCATION, header::WWW_AUTHENTICATE])
}

/// The API's answers are data, never a page to run: nothing may be
/// sniffed into one, framed, or kept by caches and referrers. The
/// documentation page needs its own scripts and styles, which `'self'`
/// allows.
pub fn security_headers() -> [SetResponseHeaderLayer<HeaderValue>; 4] {
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    [
        header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
        header(header::REFERRER_POLICY, "no-referrer"),
        header(header::CACHE_CONTROL, "no-store"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_match_by_scheme_host_and_port() {
        let exact: AllowedOrigin = "https://udaconnect.example.org".parse().unwrap();
        assert!(exact.admits("https://udaconnect.example.org"));
        assert!(exact.admits("https://UDACONNECT.example.org"));
        assert!(!exact.admits("http://udaconnect.example.org"));
        assert!(!exact.admits("https://udaconnect.example.org:8443"));
        assert!(!exact.admits("https://evil.example.org"));
        assert!(!exact.admits("null"));

        let any_host: AllowedOrigin = "http://*:30000".parse().unwrap();
        assert!(any_host.admits("http://192.168.1.20:30000"));
        assert!(any_host.admits("http://node-1:30000"));
        assert!(!any_host.admits("http://node-1:30001"));
        assert!(!any_host.admits("https://node-1:30000"));
    }

    #[test]
    fn malformed_origins_are_refused() {
        for bad in [
            "",
            "localhost:30000",
            "ftp://x",
            "http://",
            "http://x:port",
            "http://x/path",
            "http://:80",
        ] {
            assert!(bad.parse::<AllowedOrigin>().is_err(), "{bad:?}");
        }
    }
}
