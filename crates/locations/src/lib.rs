//! The locations service: owns the pings (its own PostGIS database), stores
//! them in bulk and idempotently, and answers the spatial searches over them
//! as `udaconnect.v1.LocationService`. Answers name persons by id only; it
//! asks the persons service whether a person exists, never for records.
//! Pings are kept until `DATA_RETENTION` after their event ends: it asks the
//! events service for the events, and drops whole days of pings.

mod handlers;
mod retention;

use std::net::SocketAddr;

use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use udaconnect_persons::PersonDirectory;
use udaconnect_proto::v1::{
    event_service_client::EventServiceClient, location_service_server::LocationServiceServer,
};
use udaconnect_runtime::{
    BoundAddresses, Service, admin,
    config::{RETENTION_PERIOD, RetentionArgs},
    grpc::{self, GrpcListeners, GrpcService},
    periodic,
};
use udaconnect_storage::LocationStore;

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
}

/// The locations service, bound and ready to serve.
#[derive(Debug)]
pub struct LocationsServer {
    listeners: GrpcListeners,
    store: LocationStore,
    persons: PersonDirectory,
    housekeeping: retention::Housekeeping,
}

impl LocationsServer {
    /// Binds the service's ports; it will check persons with the persons
    /// service at `persons_url`, and keep the pings of the events of the
    /// events service at `events_url` as `retention` says. The database and
    /// the peers are connected on first use.
    pub async fn build(
        config: &LocationsConfig,
        persons_url: &str,
        events_url: &str,
        retention: &RetentionArgs,
    ) -> anyhow::Result<Self> {
        let pool =
            udaconnect_storage::connect_lazy(&config.database.locations_database_url, POOL_SIZE)?;
        let store = LocationStore::new(pool);
        Ok(Self {
            listeners: GrpcListeners::bind(
                "locations",
                config.listeners.listen,
                config.listeners.admin_listen,
            )
            .await?,
            housekeeping: retention::Housekeeping {
                store: store.clone(),
                events: EventServiceClient::new(grpc::channel(events_url)?),
                retention: retention.retention()?,
            },
            store,
            persons: PersonDirectory::new(grpc::channel(persons_url)?),
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
        let readiness = admin::database_readiness(self.store.pool().clone());
        let handlers = handlers::Locations::new(self.store, self.persons);
        let service = GrpcService {
            proto_name: "udaconnect.v1.LocationService",
            readiness,
            routes: Routes::new(LocationServiceServer::new(handlers)),
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
            listeners.serve(service, shutdown).await?;
            housekeeping.await?;
            Ok(())
        }
        .boxed()
    }
}
