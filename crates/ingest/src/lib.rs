//! The ingest service: where phones send location pings
//! (`udaconnect.v1.IngestService`), each call with a bearer token in its
//! `authorization` metadata: a phone's sends its own person's pings, the
//! organizer's anyone's. A ping is validated, checked against the
//! persons directory, put on the locations topic, and acknowledged only once
//! Kafka has it, so an acknowledged ping is never lost and a rejected one is
//! never stored.

mod admission;
mod handlers;
mod stream;

use std::{net::SocketAddr, time::Duration};

use admission::Admitter;
use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use udaconnect_messaging::{EventProducer, LocationPublisher};
use udaconnect_persons::{CredentialArgs, Credentials, PersonDirectory};
use udaconnect_proto::v1::ingest_service_server::IngestServiceServer;
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceCredential,
    admin::ReadinessCheck,
    client_address::TrustedProxies,
    config::{KafkaArgs, parse_duration},
    grpc::{GrpcListeners, GrpcService},
    rate_limit::RateLimiter,
    topics,
};

/// Longest a readiness check waits for the brokers.
const KAFKA_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Longest shutdown waits for Kafka to acknowledge what is still queued.
const FINAL_FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

udaconnect_runtime::grpc_listen_args!(
    /// Where the ingest service listens (its gRPC port is what phones call).
    IngestListenArgs, "ingest", "INGEST", "127.0.0.1:30002", "127.0.0.1:9103"
);

/// Everything the ingest service needs to start, but Kafka and its peers.
#[derive(Debug, Clone, Args)]
pub struct IngestConfig {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub listeners: IngestListenArgs,
    /// A phone's stream with no ping for this long is ended (after its last
    /// ack); the phone opens a new one when it has more to send.
    #[arg(long, env = "INGEST_STREAM_IDLE_TIMEOUT", default_value = "5m", value_parser = parse_duration)]
    pub stream_idle_timeout: Duration,
    /// Calls per second each phone (and each address whose calls prove no
    /// one) may make on average; past it, RESOURCE_EXHAUSTED. A stream is
    /// one call. The organizer is not limited.
    #[arg(
        id = "ingest-rate-limit-per-second",
        long = "ingest-rate-limit-per-second",
        env = "INGEST_RATE_LIMIT_PER_SECOND",
        default_value_t = 10.0
    )]
    pub rate_limit_per_second: f64,
    /// Calls each may make at once before the average applies.
    #[arg(
        id = "ingest-rate-limit-burst",
        long = "ingest-rate-limit-burst",
        env = "INGEST_RATE_LIMIT_BURST",
        default_value_t = 50.0
    )]
    pub rate_limit_burst: f64,
    /// The proxies in front of ingest (addresses or networks,
    /// comma-separated: `10.0.0.0/8`), such as an ingress or load balancer:
    /// their `x-forwarded-for` names the caller whose allowance a call that
    /// proves no one takes. None by default: the connection's own address
    /// is the caller's.
    #[arg(
        id = "ingest-trusted-proxies",
        long = "ingest-trusted-proxies",
        value_name = "NETWORKS",
        env = "TRUSTED_PROXIES",
        default_value = ""
    )]
    pub trusted_proxies: TrustedProxies,
}

/// The ingest service, bound and ready to serve.
#[derive(Debug)]
pub struct IngestServer {
    listeners: GrpcListeners,
    publisher: LocationPublisher,
    persons: PersonDirectory,
    credentials: Credentials,
    limiter: RateLimiter,
    trusted_proxies: TrustedProxies,
    stream_idle_timeout: Duration,
}

impl IngestServer {
    /// Creates the topics when missing (retrying until the brokers answer
    /// or `shutdown` fires), then binds the service's ports. Persons, and
    /// the phones' tokens, are checked with the persons service at
    /// `persons_url`, called with `service`'s token; the organizer's token
    /// is `organizer`'s.
    pub async fn build(
        config: &IngestConfig,
        kafka: &KafkaArgs,
        persons_url: &str,
        credentials: &CredentialArgs,
        service: &ServiceCredential,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        let persons = service.channel(persons_url)?;
        let credentials = Credentials::new(credentials, persons.clone())?;
        let settings = kafka.settings();
        topics::ensure(&settings, &kafka.topics(), shutdown).await?;
        Ok(Self {
            listeners: GrpcListeners::bind(
                "ingest",
                config.listeners.listen,
                config.listeners.admin_listen,
            )
            .await?,
            publisher: LocationPublisher::new(
                EventProducer::new(&settings)?,
                &kafka.locations_topic,
            ),
            persons: PersonDirectory::new(persons),
            credentials,
            limiter: RateLimiter::new(config.rate_limit_per_second, config.rate_limit_burst),
            trusted_proxies: config.trusted_proxies.clone(),
            stream_idle_timeout: config.stream_idle_timeout,
        })
    }

    /// Where phones send pings.
    pub fn grpc_address(&self) -> SocketAddr {
        self.listeners.grpc_address()
    }
}

/// Ready when Kafka's brokers answer: without them no ping can be accepted.
fn kafka_readiness(publisher: LocationPublisher) -> ReadinessCheck {
    ReadinessCheck::new(move || {
        let publisher = publisher.clone();
        Box::pin(async move { publisher.check_brokers(KAFKA_CHECK_TIMEOUT).await })
    })
}

impl Service for IngestServer {
    fn addresses(&self) -> BoundAddresses {
        self.listeners.addresses()
    }

    /// Serves until `shutdown`, then waits for Kafka to acknowledge what is
    /// still queued.
    fn run_until_stopped(
        self: Box<Self>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        let publisher = self.publisher;
        let credentials = self.credentials.clone();
        let service = GrpcService {
            proto_name: "udaconnect.v1.IngestService",
            readiness: kafka_readiness(publisher.clone()),
            routes: Routes::new(IngestServiceServer::new(handlers::Ingest::new(
                Admitter::new(publisher.clone(), self.persons, self.credentials),
                self.limiter,
                self.trusted_proxies,
                self.stream_idle_timeout,
            ))),
        };
        let listeners = self.listeners;
        async move {
            let refresher = tokio::spawn(credentials.refresh_until(shutdown.child_token()));
            let served = listeners.serve(service, shutdown).await;
            refresher.abort();
            publisher.flush(FINAL_FLUSH_TIMEOUT).await;
            served
        }
        .boxed()
    }
}
