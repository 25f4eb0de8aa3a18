//! Settings that several services share (where the peers are, how to reach
//! Kafka), as command-line and environment arguments. Each service's own
//! settings live in its crate; the command line flattens them.

use std::{net::SocketAddr, time::Duration};

use chrono::TimeDelta;
use clap::Args;
use udaconnect_domain::Retention;
use udaconnect_messaging::{KafkaSettings, TopicSpec};

/// Where the persons service answers gRPC.
#[derive(Debug, Clone, Args)]
pub struct PersonsPeerArgs {
    /// gRPC URL of the persons service.
    #[arg(long, env = "PERSONS_URL", default_value = "http://127.0.0.1:50051")]
    pub persons_url: String,
}

/// Where the locations service answers gRPC.
#[derive(Debug, Clone, Args)]
pub struct LocationsPeerArgs {
    /// gRPC URL of the locations service.
    #[arg(long, env = "LOCATIONS_URL", default_value = "http://127.0.0.1:50052")]
    pub locations_url: String,
}

/// Where the events service answers gRPC.
#[derive(Debug, Clone, Args)]
pub struct EventsPeerArgs {
    /// gRPC URL of the events service.
    #[arg(long, env = "EVENTS_URL", default_value = "http://127.0.0.1:50053")]
    pub events_url: String,
}

/// Where the ingest service answers gRPC.
#[derive(Debug, Clone, Args)]
pub struct IngestPeerArgs {
    /// gRPC URL of the ingest service.
    #[arg(long, env = "INGEST_URL", default_value = "http://127.0.0.1:30002")]
    pub ingest_url: String,
}

/// How often the services apply the retention: pings and visits outlive
/// their time by an hour at most.
pub const RETENTION_PERIOD: Duration = Duration::from_secs(3600);

/// How long pings and visits are kept after their event ends. The
/// locations and events services both apply it, and `udaconnect all` hands
/// its one setting to both, so the two never disagree.
#[derive(Debug, Clone, Args)]
pub struct RetentionArgs {
    /// Pings and visits are deleted this long after their event ends (a
    /// day of pings without an event: after the day ends).
    #[arg(long, env = "DATA_RETENTION", default_value = "30d", value_parser = parse_duration)]
    pub data_retention: Duration,
}

impl RetentionArgs {
    /// The rule the setting makes.
    pub fn retention(&self) -> anyhow::Result<Retention> {
        Ok(Retention::new(TimeDelta::from_std(self.data_retention)?))
    }
}

/// Declares the listen settings of a gRPC service, its gRPC address and its
/// operational HTTP address (health, readiness, metrics), with flags and
/// environment variables named after the service (`--persons-listen`,
/// `PERSONS_ADMIN_LISTEN`), so that `udaconnect all` takes every service's
/// side by side.
#[macro_export]
macro_rules! grpc_listen_args {
    ($(#[$meta:meta])* $name:ident, $service:literal, $env:literal, $grpc:literal, $admin:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, clap::Args)]
        pub struct $name {
            #[doc = concat!("Where ", $service, " answers gRPC.")]
            #[arg(
                id = concat!($service, "-listen"),
                long = concat!($service, "-listen"),
                env = concat!($env, "_LISTEN"),
                default_value = $grpc,
                value_name = "ADDRESS",
                help = concat!("Address of the ", $service, " gRPC endpoint")
            )]
            pub listen: std::net::SocketAddr,
            #[doc = concat!("Where ", $service, " serves /healthz, /readyz and /metrics.")]
            #[arg(
                id = concat!($service, "-admin-listen"),
                long = concat!($service, "-admin-listen"),
                env = concat!($env, "_ADMIN_LISTEN"),
                default_value = $admin,
                value_name = "ADDRESS",
                help = concat!("Address of the ", $service, " HTTP endpoint serving /healthz, /readyz and /metrics")
            )]
            pub admin_listen: std::net::SocketAddr,
        }

        impl $name {
            /// Both on free loopback ports, for tests and benchmarks that
            /// learn the real ports from the bound service.
            pub fn loopback() -> Self {
                let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
                Self {
                    listen: any,
                    admin_listen: any,
                }
            }
        }
    };
}

/// How to reach Kafka and which topics carry the location stream and the
/// erasures.
#[derive(Debug, Clone, Args)]
pub struct KafkaArgs {
    /// Bootstrap brokers, `host:port[,host:port…]`.
    #[arg(
        long,
        env = "KAFKA_BOOTSTRAP_SERVERS",
        default_value = "127.0.0.1:9092"
    )]
    pub kafka_bootstrap_servers: String,
    /// Topic of accepted location pings.
    #[arg(long, env = "KAFKA_LOCATIONS_TOPIC", default_value = "locations")]
    pub locations_topic: String,
    /// Topic of records that can never be stored, with the reason in a header.
    #[arg(long, env = "KAFKA_DLQ_TOPIC", default_value = "locations.dlq")]
    pub dlq_topic: String,
    /// Topic of persons to erase, which every service holding data about
    /// persons follows.
    #[arg(long, env = "KAFKA_ERASURES_TOPIC", default_value = "erasures")]
    pub erasures_topic: String,
    /// Partitions of a topic created at startup (the most consumers that share the work).
    #[arg(long, env = "KAFKA_TOPIC_PARTITIONS", default_value_t = 4)]
    pub topic_partitions: i32,
    /// Replication factor of a topic created at startup.
    #[arg(long, env = "KAFKA_REPLICATION_FACTOR", default_value_t = 1)]
    pub replication_factor: i32,
    /// Longest a ping waits for Kafka's acknowledgement before the caller is answered UNAVAILABLE.
    #[arg(long, env = "KAFKA_PRODUCE_TIMEOUT", default_value = "2s", value_parser = parse_duration)]
    pub produce_timeout: Duration,
    /// Idempotent producers: keep `true` with Apache Kafka; `false` only for
    /// a broker that cannot keep idempotent-producer state (tansu on SQLite).
    #[arg(long, env = "KAFKA_IDEMPOTENT_PRODUCER", default_value_t = true, action = clap::ArgAction::Set)]
    pub idempotent_producer: bool,
}

impl KafkaArgs {
    /// Connection settings for producers, consumers and the admin client.
    pub fn settings(&self) -> KafkaSettings {
        KafkaSettings {
            bootstrap_servers: self.kafka_bootstrap_servers.clone(),
            produce_timeout: self.produce_timeout,
            idempotent_producer: self.idempotent_producer,
        }
    }

    /// Settings that reach no broker, for tests and benchmarks of services
    /// that serve without Kafka (they keep trying in the background).
    pub fn unreachable() -> Self {
        Self {
            kafka_bootstrap_servers: "127.0.0.1:9".to_owned(),
            locations_topic: "unused".to_owned(),
            dlq_topic: "unused.dlq".to_owned(),
            erasures_topic: "unused.erasures".to_owned(),
            topic_partitions: 1,
            replication_factor: 1,
            produce_timeout: Duration::from_secs(1),
            idempotent_producer: true,
        }
    }

    /// The topics the services need.
    pub fn topics(&self) -> Vec<TopicSpec> {
        [&self.locations_topic, &self.dlq_topic, &self.erasures_topic]
            .into_iter()
            .map(|name| TopicSpec {
                name: name.clone(),
                partitions: self.topic_partitions,
                replication_factor: self.replication_factor,
            })
            .collect()
    }
}

/// The URL under which a service bound to `address` is reached from this
/// machine (a wildcard address is reached on loopback).
pub fn local_url(address: SocketAddr) -> String {
    if address.ip().is_unspecified() {
        format!("http://127.0.0.1:{}", address.port())
    } else {
        format!("http://{address}")
    }
}

/// Parses durations written as `250ms`, `10s`, `2m`, `12h` or `30d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{value:?} has no unit: use ms, s, m, h or d"))?;
    let (number, unit) = value.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{value:?} does not start with a whole number"))?;
    let millis_per_unit: u64 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => {
            return Err(format!(
                "{value:?} has an unknown unit: use ms, s, m, h or d"
            ));
        }
    };
    number
        .checked_mul(millis_per_unit)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{value:?} is too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_known_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("12h"), Ok(Duration::from_secs(43_200)));
        assert_eq!(parse_duration("30d"), Ok(Duration::from_secs(2_592_000)));
        for bad in ["10", "s", "1.5s", "10w", "", "99999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
