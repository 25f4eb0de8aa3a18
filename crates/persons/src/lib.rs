//! The persons service: owns attendee records (its own database) and answers
//! for them over gRPC as `udaconnect.v1.PersonService`; erases a person
//! when the erasures topic says so. Other services reach it through
//! [`PersonDirectory`].

mod credentials;
mod directory;
mod handlers;
mod identity;

pub use credentials::{
    CredentialArgs, CredentialError, Credentials, ExternalIssuerArgs, PingRefusal,
    REVOCATION_REFRESH,
};
pub use directory::{PersonDirectory, unknown_person};
pub use identity::IdentityArgs;

use std::net::SocketAddr;

use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio_util::sync::CancellationToken;
use tonic::service::Routes;
use udaconnect_proto::v1::person_service_server::PersonServiceServer;
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceCredential, ServiceGate, admin,
    config::KafkaArgs,
    erasures::follow_erasures,
    grpc::{GrpcListeners, GrpcService},
};
use udaconnect_storage::{IdentityStore, PersonStore};

use identity::Identity;

/// The persons service's consumer group on the erasures topic.
const ERASURES_GROUP: &str = "persons-erasures";

/// Database connections the persons service keeps open at most.
const POOL_SIZE: u32 = 10;

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

udaconnect_runtime::grpc_listen_args!(
    /// Where the persons service listens.
    PersonsListenArgs, "persons", "PERSONS", "127.0.0.1:50051", "127.0.0.1:9101"
);

/// Everything the persons service needs to start.
#[derive(Debug, Clone, Args)]
pub struct PersonsConfig {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub listeners: PersonsListenArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub database: PersonsDatabaseArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub identity: IdentityArgs,
}

/// The persons service, bound and ready to serve.
#[derive(Debug)]
pub struct PersonsServer {
    listeners: GrpcListeners,
    store: PersonStore,
    identity: Identity,
    kafka: KafkaArgs,
    gate: ServiceGate,
}

impl PersonsServer {
    /// Binds the service's ports; the database is connected on first use,
    /// so the service starts (not ready) while it is down, and so is Kafka,
    /// where it follows the erasures. It answers only callers that present
    /// `service`'s token.
    pub async fn build(
        config: &PersonsConfig,
        kafka: &KafkaArgs,
        service: &ServiceCredential,
    ) -> anyhow::Result<Self> {
        let pool =
            udaconnect_storage::connect_lazy(&config.database.persons_database_url, POOL_SIZE)?;
        Ok(Self {
            listeners: GrpcListeners::bind(
                "persons",
                config.listeners.listen,
                config.listeners.admin_listen,
            )
            .await?,
            store: PersonStore::new(pool.clone()),
            identity: Identity::new(IdentityStore::new(pool), config.identity.clone()),
            kafka: kafka.clone(),
            gate: service.gate(),
        })
    }

    /// Where the service answers gRPC, for its callers.
    pub fn grpc_address(&self) -> SocketAddr {
        self.listeners.grpc_address()
    }
}

impl Service for PersonsServer {
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
        let service = GrpcService {
            proto_name: "udaconnect.v1.PersonService",
            readiness: admin::database_readiness(
                "persons",
                self.store.pool().clone(),
                shutdown.clone(),
            ),
            routes: Routes::new(PersonServiceServer::with_interceptor(
                handlers::Persons::new(self.store, self.identity),
                self.gate,
            )),
        };
        let serve = self.listeners.serve(service, shutdown);
        async move { tokio::try_join!(serve, erasures).map(|_| ()) }.boxed()
    }
}
