//! The events service: owns conferences, their floor plans (booths and
//! rooms, PostGIS polygons) and programmes (presentations), and the visits
//! the attendance consumer derives from the location stream, all in its own
//! database; answers who attended what over gRPC as
//! `udaconnect.v1.EventService`. Visits are deleted `DATA_RETENTION` after
//! their event ends, as the pings they were made of are.

mod floor_plan;
mod handlers;
mod programme;
mod schedule;

use std::{net::SocketAddr, time::Duration};

use chrono::{TimeDelta, Utc};
use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio_util::sync::CancellationToken;
use tonic::service::{Routes, interceptor::InterceptedService};
use udaconnect_domain::{AttendanceRules, Retention};
use udaconnect_proto::v1::event_service_server::EventServiceServer;
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceCredential, ServiceGate, admin,
    config::{KafkaArgs, RETENTION_PERIOD, RetentionArgs, parse_duration},
    erasures::follow_erasures,
    grpc::{GrpcListeners, GrpcService},
    periodic,
};
use udaconnect_storage::EventStore;

/// The events service's consumer group on the erasures topic.
const ERASURES_GROUP: &str = "events-erasures";

/// Database connections the events service keeps open at most.
const POOL_SIZE: u32 = 10;

/// The events service's own database.
#[derive(Debug, Clone, Args)]
pub struct EventsDatabaseArgs {
    /// PostgreSQL URL of the events database (PostGIS required).
    #[arg(
        long,
        env = "EVENTS_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/udaconnect_events"
    )]
    pub events_database_url: String,
}

impl EventsDatabaseArgs {
    /// A store over a lazily connected pool of `connections` at most.
    pub fn store(&self, connections: u32) -> anyhow::Result<EventStore> {
        Ok(EventStore::new(udaconnect_storage::connect_lazy(
            &self.events_database_url,
            connections,
        )?))
    }
}

/// When a stay counts as attendance (applied when answering, so a change
/// needs no rebuild).
#[derive(Debug, Clone, Args)]
pub struct AttendanceRulesArgs {
    /// A booth counts as visited after one visit at least this long.
    #[arg(long, env = "EVENTS_BOOTH_MIN_DWELL", default_value = "2m", value_parser = parse_duration)]
    pub booth_min_dwell: Duration,
    /// A presentation counts as attended after this long in its room during
    /// it, or half its length if that is shorter.
    #[arg(long, env = "EVENTS_PRESENTATION_MIN_PRESENCE", default_value = "10m", value_parser = parse_duration)]
    pub presentation_min_presence: Duration,
}

impl AttendanceRulesArgs {
    fn rules(&self) -> anyhow::Result<AttendanceRules> {
        Ok(AttendanceRules {
            booth_min_dwell: TimeDelta::from_std(self.booth_min_dwell)?,
            presentation_min_presence: TimeDelta::from_std(self.presentation_min_presence)?,
        })
    }
}

udaconnect_runtime::grpc_listen_args!(
    /// Where the events service listens.
    EventsListenArgs, "events", "EVENTS", "127.0.0.1:50053", "127.0.0.1:9105"
);

/// Everything the events service needs to start, but the retention it
/// shares with the locations service.
#[derive(Debug, Clone, Args)]
pub struct EventsConfig {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub listeners: EventsListenArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub database: EventsDatabaseArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub rules: AttendanceRulesArgs,
}

/// The events service, bound and ready to serve.
#[derive(Debug)]
pub struct EventsServer {
    listeners: GrpcListeners,
    store: EventStore,
    rules: AttendanceRules,
    retention: Retention,
    kafka: KafkaArgs,
    gate: ServiceGate,
}

impl EventsServer {
    /// Binds the service's ports; the database is connected on first use,
    /// so the service starts (not ready) while it is down, and so is Kafka,
    /// where it follows the erasures. Visits are kept as `retention` says.
    /// It answers only callers that present `service`'s token.
    pub async fn build(
        config: &EventsConfig,
        retention: &RetentionArgs,
        kafka: &KafkaArgs,
        service: &ServiceCredential,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            listeners: GrpcListeners::bind(
                "events",
                config.listeners.listen,
                config.listeners.admin_listen,
            )
            .await?,
            store: config.database.store(POOL_SIZE)?,
            rules: config.rules.rules()?,
            retention: retention.retention()?,
            kafka: kafka.clone(),
            gate: service.gate(),
        })
    }

    /// Where the service answers gRPC, for its callers.
    pub fn grpc_address(&self) -> SocketAddr {
        self.listeners.grpc_address()
    }
}

impl Service for EventsServer {
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
        let (store, retention, listeners) = (self.store.clone(), self.retention, self.listeners);
        let service = GrpcService {
            proto_name: "udaconnect.v1.EventService",
            readiness: admin::database_readiness(
                "events",
                self.store.pool().clone(),
                shutdown.clone(),
            ),
            routes: Routes::new(InterceptedService::new(
                EventServiceServer::new(handlers::Events::new(self.store, self.rules))
                    .max_decoding_message_size(handlers::MAX_MESSAGE_BYTES),
                self.gate,
            )),
        };
        async move {
            let retention = tokio::spawn(periodic::every(
                RETENTION_PERIOD,
                shutdown.clone(),
                move || delete_visits_past_retention(store.clone(), retention),
            ));
            tokio::try_join!(listeners.serve(service, shutdown), erasures)?;
            retention.await?;
            Ok(())
        }
        .boxed()
    }
}

/// One retention pass: deletes the visits of the events past retention.
/// A failure is logged and left for the next pass.
async fn delete_visits_past_retention(store: EventStore, retention: Retention) {
    match store
        .delete_visits_past_retention(Utc::now(), retention)
        .await
    {
        Ok(0) => {}
        Ok(deleted) => {
            tracing::info!(deleted, "deleted the visits of events past retention");
            metrics::counter!("events_visits_deleted_total").increment(deleted);
        }
        Err(error) => {
            tracing::warn!(%error, "cannot delete the visits past retention; trying again next time");
        }
    }
}
