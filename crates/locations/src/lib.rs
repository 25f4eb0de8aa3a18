//! The locations service: owns the pings (its own PostGIS database), stores
//! them in bulk and idempotently, and answers the spatial searches over them
//! as `udaconnect.v1.LocationService`. Answers name persons by id only; it
//! asks the persons service whether a person exists, never for records.
//! Pings are kept until `DATA_RETENTION` after their event ends: it asks the
//! events service for the events, and drops whole days of pings.

mod handlers;
mod packing;
mod retention;

/// How many cubes and buckets one merging statement takes, for whatever
/// merges a load's packs as the service would.
pub use packing::GROUPS_PER_STATEMENT as MERGE_GROUPS_PER_STATEMENT;

use std::{net::SocketAddr, time::Duration};

use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use udaconnect_persons::PersonDirectory;
use udaconnect_proto::v1::{
    event_service_client::EventServiceClient, location_service_server::LocationServiceServer,
};
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceCredential, ServiceGate, admin,
    config::{KafkaArgs, RETENTION_PERIOD, RetentionArgs, parse_duration},
    erasures::follow_erasures,
    grpc::{GrpcListeners, GrpcService},
    periodic,
};
use udaconnect_storage::LocationStore;

/// The locations service's consumer group on the erasures topic.
const ERASURES_GROUP: &str = "locations-erasures";

/// Database connections the locations service keeps open at most.
const POOL_SIZE: u32 = 10;

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

udaconnect_runtime::grpc_listen_args!(
    /// Where the locations service listens.
    LocationsListenArgs, "locations", "LOCATIONS", "127.0.0.1:50052", "127.0.0.1:9102"
);

/// Everything the locations service needs to start, but its peers and the
/// retention it shares with the events service.
#[derive(Debug, Clone, Args)]
pub struct LocationsConfig {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub listeners: LocationsListenArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub database: LocationsDatabaseArgs,
    /// How long the next part of an answer streamed to a client
    /// (connections, an export) may wait to be taken before the answer is
    /// stopped and its database connection freed (30s unless set).
    #[arg(long, env = "LOCATIONS_READ_STALL_LIMIT", value_parser = parse_duration)]
    pub read_stall_limit: Option<Duration>,
}

impl LocationsConfig {
    /// Listening on loopback ports of the system's choosing, over the
    /// database at `locations_database_url`, everything else as by default.
    pub fn loopback(locations_database_url: &str) -> Self {
        Self {
            listeners: LocationsListenArgs::loopback(),
            database: LocationsDatabaseArgs {
                locations_database_url: locations_database_url.to_owned(),
            },
            read_stall_limit: None,
        }
    }
}

/// The locations service, bound and ready to serve.
#[derive(Debug)]
pub struct LocationsServer {
    listeners: GrpcListeners,
    store: LocationStore,
    persons: PersonDirectory,
    housekeeping: retention::Housekeeping,
    kafka: KafkaArgs,
    gate: ServiceGate,
}

impl LocationsServer {
    /// Binds the service's ports; it will check persons with the persons
    /// service at `persons_url`, keep the pings of the events of the events
    /// service at `events_url` as `retention` says, and follow the erasures
    /// on Kafka. The database, the peers and Kafka are connected on first
    /// use. It calls its peers with, and answers only callers that present,
    /// `service`'s token.
    pub async fn build(
        config: &LocationsConfig,
        persons_url: &str,
        events_url: &str,
        retention: &RetentionArgs,
        kafka: &KafkaArgs,
        service: &ServiceCredential,
    ) -> anyhow::Result<Self> {
        let pool =
            udaconnect_storage::connect_lazy(&config.database.locations_database_url, POOL_SIZE)?;
        let store = match config.read_stall_limit {
            Some(limit) => LocationStore::new(pool).with_stall_limit(limit),
            None => LocationStore::new(pool),
        };
        Ok(Self {
            listeners: GrpcListeners::bind(
                "locations",
                config.listeners.listen,
                config.listeners.admin_listen,
            )
            .await?,
            housekeeping: retention::Housekeeping {
                store: store.clone(),
                events: EventServiceClient::new(service.channel(events_url)?),
                retention: retention.retention()?,
            },
            store,
            persons: PersonDirectory::new(service.channel(persons_url)?),
            kafka: kafka.clone(),
            gate: service.gate(),
        })
    }

    /// Where the service answers gRPC, for its callers.
    pub fn grpc_address(&self) -> SocketAddr {
        self.listeners.grpc_address()
    }
}

impl Service for LocationsServer {
    fn addresses(&self) -> BoundAddresses {
        self.listeners.addresses()
    }

    fn run_until_stopped(
        self: Box<Self>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        let erasures = follow_erasures(
            self.kafka,
            ERASURES_GROUP,
            self.store.clone(),
            shutdown.clone(),
        );
        let readiness =
            admin::database_readiness("locations", self.store.pool().clone(), shutdown.clone());
        let store = self.store.clone();
        let handlers = handlers::Locations::new(self.store, self.persons);
        let service = GrpcService {
            proto_name: "udaconnect.v1.LocationService",
            readiness,
            routes: Routes::new(LocationServiceServer::with_interceptor(handlers, self.gate)),
        };
        let (housekeeping, listeners) = (self.housekeeping, self.listeners);
        async move {
            let housekeeping = tokio::spawn(periodic::every(
                RETENTION_PERIOD,
                shutdown.clone(),
                move || {
                    let housekeeping = housekeeping.clone();
                    async move { housekeeping.run().await }
                },
            ));
            let packing = tokio::spawn(periodic::every(
                packing::MERGE_PERIOD,
                shutdown.clone(),
                move || {
                    let store = store.clone();
                    async move { packing::merge_packs(&store).await }
                },
            ));
            tokio::try_join!(listeners.serve(service, shutdown), erasures)?;
            housekeeping.await?;
            packing.await?;
            Ok(())
        }
        .boxed()
    }
}
