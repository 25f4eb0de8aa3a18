//! The address a call came from, as the rate limits count it. Behind an
//! ingress or a load balancer every call arrives from the proxy, so every
//! anonymous caller would share one allowance; the proxies the operator
//! names are believed about the caller they pass on (`X-Forwarded-For`),
//! and nobody else is, so a client cannot choose its own address.

use std::{fmt, net::IpAddr, str::FromStr, sync::Arc};

use ipnet::IpNet;

/// The header in which proxies pass on the addresses a call came through.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// The proxies whose `X-Forwarded-For` is believed: addresses or networks.
/// None by default, which believes no header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpNet]>);

/// A list of proxies that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is neither an IP address nor a network such as 10.0.0.0/8")]
pub struct InvalidProxy(String);

impl FromStr for TrustedProxies {
    type Err = InvalidProxy;

    /// Comma-separated addresses (`10.1.2.3`) and networks (`10.0.0.0/8`,
    /// `fd00::/8`); an empty text names none.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .map(|network| network.trunc())
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| InvalidProxy(item.to_owned()))
            })
            .collect::<Result<Arc<[IpNet]>, _>>()
            .map(Self)
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(IpNet::to_string).collect();
        formatter.write_str(&names.join(","))
    }
}

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&address))
    }

    /// Who made a call that arrived from `peer` with these headers (an
    /// HTTP request's, or a gRPC call's metadata): see [`Self::client_address`].
    pub fn caller_address(&self, peer: IpAddr, headers: &http::HeaderMap) -> IpAddr {
        let forwarded_for = headers.get_all(FORWARDED_FOR);
        self.client_address(
            peer,
            forwarded_for.iter().filter_map(|value| value.to_str().ok()),
        )
    }

    /// Who made a call that arrived from `peer` carrying these
    /// `X-Forwarded-For` values (in the order received): `peer` itself
    /// unless it is a trusted proxy; else, walking the addresses the
    /// proxies appended from the nearest back, the first that is not a
    /// trusted proxy. An entry that is not an address stops the walk at the
    /// proxy that passed it on; if every hop is trusted, the farthest is
    /// the caller.
    fn client_address<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl IntoIterator<Item = &'a str>,
    ) -> IpAddr {
        let mut caller = peer.to_canonical();
        if !self.trusts(caller) {
            return caller;
        }
        let hops: Vec<&str> = forwarded_for
            .into_iter()
            .flat_map(|value| value.split(','))
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(address) = parse_hop(hop.trim()) else {
                return caller;
            };
            caller = address;
            if !self.trusts(caller) {
                return caller;
            }
        }
        caller
    }
}

/// One entry of `X-Forwarded-For`: an address, with a port as some
/// proxies write it (`192.0.2.7:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .or_else(|_| {
            hop.parse::<std::net::SocketAddr>()
                .map(|socket| socket.ip())
        })
        .ok()
        .map(|address| address.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn proxies(text: &str) -> TrustedProxies {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_address(ip("10.0.0.5"), ["198.51.100.1"]),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn a_caller_that_is_no_trusted_proxy_cannot_name_another_address() {
        let ingress = proxies("10.0.0.0/8");
        assert_eq!(
            ingress.client_address(ip("203.0.113.9"), ["198.51.100.1"]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_caller() {
        let ingress = proxies("10.0.0.0/8, 192.0.2.10");
        // The client put a made-up address first; the load balancer
        // (192.0.2.10) and the ingress (10.1.1.1) appended what they saw.
        let header = ["1.2.3.4, 198.51.100.1", "192.0.2.10"];
        assert_eq!(
            ingress.client_address(ip("10.1.1.1"), header),
            ip("198.51.100.1")
        );
        assert_eq!(
            ingress.client_address(ip("10.1.1.1"), ["198.51.100.1:4711"]),
            ip("198.51.100.1")
        );
        assert_eq!(
            ingress.client_address(ip("10.1.1.1"), ["[2001:db8::1]:4711"]),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn every_x_forwarded_for_header_is_read_in_order() {
        let ingress = proxies("10.0.0.0/8");
        let mut headers = http::HeaderMap::new();
        headers.append(FORWARDED_FOR, "198.51.100.1".parse().unwrap());
        headers.append(FORWARDED_FOR, "10.2.2.2".parse().unwrap());
        assert_eq!(
            ingress.caller_address(ip("10.1.1.1"), &headers),
            ip("198.51.100.1")
        );
        assert_eq!(
            ingress.caller_address(ip("10.1.1.1"), &http::HeaderMap::new()),
            ip("10.1.1.1")
        );
    }

    #[test]
    fn an_unreadable_hop_leaves_the_proxy_that_passed_it_on_as_the_caller() {
        let ingress = proxies("10.0.0.0/8");
        assert_eq!(
            ingress.client_address(ip("10.1.1.1"), ["198.51.100.1, unknown, 10.2.2.2"]),
            ip("10.2.2.2")
        );
        assert_eq!(
            ingress.client_address(ip("10.1.1.1"), std::iter::empty()),
            ip("10.1.1.1")
        );
    }

    #[test]
    fn when_every_hop_is_trusted_the_farthest_is_the_caller() {
        let inside = proxies("10.0.0.0/8");
        assert_eq!(
            inside.client_address(ip("10.1.1.1"), ["10.3.3.3, 10.2.2.2"]),
            ip("10.3.3.3")
        );
    }

    #[test]
    fn ipv4_peers_of_a_dual_stack_listener_match_ipv4_networks() {
        let ingress = proxies("10.0.0.0/8");
        assert_eq!(
            ingress.client_address(ip("::ffff:10.1.1.1"), ["::ffff:198.51.100.1"]),
            ip("198.51.100.1")
        );
    }

    #[test]
    fn the_list_parses_addresses_and_networks_and_refuses_anything_else() {
        assert_eq!(proxies(""), TrustedProxies::default());
        assert_eq!(
            proxies(" 10.0.0.0/8 ,192.0.2.10,fd00::/8").to_string(),
            "10.0.0.0/8,192.0.2.10/32,fd00::/8"
        );
        assert_eq!(proxies("10.1.2.3/8").to_string(), "10.0.0.0/8");
        let error = "10.0.0.0/8,ingress".parse::<TrustedProxies>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "`ingress` is neither an IP address nor a network such as 10.0.0.0/8"
        );
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
    }
}
