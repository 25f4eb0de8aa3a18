//! Command-line and environment configuration, grouped so that each service
//! takes exactly the settings it needs and `all` takes their union.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::Args;
use udaconnect_messaging::{KafkaSettings, TopicSpec};
use udaconnect_telemetry::LogFormat;

/// Settings every service shares.
#[derive(Debug, Clone, Args)]
pub struct CommonArgs {
    /// Log line format: `text` for a terminal, `json` for a collector.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", value_parser = parse_log_format, global = true)]
    pub log_format: LogFormat,
}

fn parse_log_format(value: &str) -> Result<LogFormat, String> {
    match value {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(format!("unknown log format {other:?}: use text or json")),
    }
}

/// The persons service's own database.
#[derive(Debug, Clone, Args)]
pub struct PersonsDatabaseArgs {
    /// PostgreSQL URL of the persons database.
    #[arg(
        long,
        env = "PERSONS_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/udaconnect_persons"
    )]
    pub persons_database_url: String,
}

/// The locations service's own database (PostGIS).
#[derive(Debug, Clone, Args)]
pub struct LocationsDatabaseArgs {
    /// PostgreSQL URL of the locations database (PostGIS must be installable).
    #[arg(
        long,
        env = "LOCATIONS_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/udaconnect_locations"
    )]
    pub locations_database_url: String,
}

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

/// Where the ingest service answers gRPC.
#[derive(Debug, Clone, Args)]
pub struct IngestPeerArgs {
    /// gRPC URL of the ingest service.
    #[arg(long, env = "INGEST_URL", default_value = "http://127.0.0.1:30002")]
    pub ingest_url: String,
}

/// Where the persons service listens.
#[derive(Debug, Clone, Args)]
pub struct PersonsServerArgs {
    /// Address of the persons gRPC endpoint.
    #[arg(
        id = "persons-listen",
        long = "persons-listen",
        env = "PERSONS_LISTEN",
        default_value = "0.0.0.0:50051"
    )]
    pub listen: SocketAddr,
    /// Address of the persons HTTP endpoint serving /healthz, /readyz and /metrics.
    #[arg(
        id = "persons-admin-listen",
        long = "persons-admin-listen",
        env = "PERSONS_ADMIN_LISTEN",
        default_value = "0.0.0.0:9101"
    )]
    pub admin_listen: SocketAddr,
}

/// Where the locations service listens.
#[derive(Debug, Clone, Args)]
pub struct LocationsServerArgs {
    /// Address of the locations gRPC endpoint.
    #[arg(
        id = "locations-listen",
        long = "locations-listen",
        env = "LOCATIONS_LISTEN",
        default_value = "0.0.0.0:50052"
    )]
    pub listen: SocketAddr,
    /// Address of the locations HTTP endpoint serving /healthz, /readyz and /metrics.
    #[arg(
        id = "locations-admin-listen",
        long = "locations-admin-listen",
        env = "LOCATIONS_ADMIN_LISTEN",
        default_value = "0.0.0.0:9102"
    )]
    pub admin_listen: SocketAddr,
}

/// Where the public REST API listens and how long it lets a request run.
#[derive(Debug, Clone, Args)]
pub struct ApiServerArgs {
    /// Address of the REST endpoint (also serves /docs, /healthz, /readyz, /metrics).
    #[arg(
        id = "api-listen",
        long = "api-listen",
        env = "API_LISTEN",
        default_value = "0.0.0.0:30001"
    )]
    pub listen: SocketAddr,
    /// Longest time a request may take before it is answered 503.
    #[arg(long, env = "API_REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
}

/// Where the web page is served from, and which API it talks to.
#[derive(Debug, Clone, Args)]
pub struct WebServerArgs {
    /// Address of the web page's HTTP endpoint (also serves /config.json,
    /// /healthz, /readyz, /metrics).
    #[arg(
        id = "web-listen",
        long = "web-listen",
        env = "WEB_LISTEN",
        default_value = "0.0.0.0:30000"
    )]
    pub listen: SocketAddr,
    /// Folder holding the built page (`npm run build` in `web/`).
    #[arg(long, env = "WEB_ASSETS_DIR", default_value = "web/dist")]
    pub assets_dir: PathBuf,
    /// Base URL of the REST API as the browser reaches it. Unset: the page's
    /// own host on port 30001.
    #[arg(long, env = "WEB_API_URL")]
    pub api_url: Option<String>,
}

/// Where the ingest service listens.
#[derive(Debug, Clone, Args)]
pub struct IngestServerArgs {
    /// Address of the ingest gRPC endpoint (what phones call).
    #[arg(
        id = "ingest-listen",
        long = "ingest-listen",
        env = "INGEST_LISTEN",
        default_value = "0.0.0.0:30002"
    )]
    pub listen: SocketAddr,
    /// Address of the ingest HTTP endpoint serving /healthz, /readyz and /metrics.
    #[arg(
        id = "ingest-admin-listen",
        long = "ingest-admin-listen",
        env = "INGEST_ADMIN_LISTEN",
        default_value = "0.0.0.0:9103"
    )]
    pub admin_listen: SocketAddr,
}

/// How the location consumer reads the topic and batches its writes.
#[derive(Debug, Clone, Args)]
pub struct ConsumerArgs {
    /// Kafka consumer group; every replica of the consumer joins it.
    #[arg(
        long,
        env = "KAFKA_CONSUMER_GROUP",
        default_value = "location-consumer"
    )]
    pub consumer_group: String,
    /// Most records written in one batch.
    #[arg(long, env = "CONSUMER_BATCH_SIZE", default_value_t = 5000)]
    pub batch_size: usize,
    /// Longest a batch waits to fill up after its first record.
    #[arg(long, env = "CONSUMER_BATCH_LINGER", default_value = "50ms", value_parser = parse_duration)]
    pub batch_linger: Duration,
    /// Address of the consumer's HTTP endpoint serving /healthz, /readyz and /metrics.
    #[arg(
        id = "consumer-admin-listen",
        long = "consumer-admin-listen",
        env = "CONSUMER_ADMIN_LISTEN",
        default_value = "0.0.0.0:9104"
    )]
    pub admin_listen: SocketAddr,
}

/// How to reach Kafka and which topics carry the location stream.
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

    /// The topics the pipeline needs.
    pub fn topics(&self) -> Vec<TopicSpec> {
        [&self.locations_topic, &self.dlq_topic]
            .into_iter()
            .map(|name| TopicSpec {
                name: name.clone(),
                partitions: self.topic_partitions,
                replication_factor: self.replication_factor,
            })
            .collect()
    }
}

/// The URL under which a service on `listen` is reached from this machine.
pub fn local_url(listen: SocketAddr) -> String {
    format!("http://127.0.0.1:{}", listen.port())
}

/// Parses durations written as `250ms`, `10s` or `2m`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{value:?} has no unit: use ms, s or m"))?;
    let (number, unit) = value.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{value:?} does not start with a whole number"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number * 60)),
        _ => Err(format!("{value:?} has an unknown unit: use ms, s or m")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_known_unit() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        for bad in ["10", "s", "1.5s", "10h", ""] {
            assert!(parse_duration(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
