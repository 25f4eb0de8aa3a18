//! `udaconnect all`: the whole local stack in one process, each service on
//! its own ports exactly as it runs alone, talking to the others over gRPC
//! and through Kafka. Every listener is bound before any service runs, and
//! the services are handed each other's real addresses, so every port may
//! be 0.

use std::{net::SocketAddr, path::PathBuf};

use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use udaconnect_api::{AllowedOrigin, ApiConfig, ApiServer};
use udaconnect_attendance::{AttendanceConsumer, AttendanceConsumerConfig};
use udaconnect_devtools::seed;
use udaconnect_events::{EventsConfig, EventsServer};
use udaconnect_ingest::{IngestConfig, IngestServer};
use udaconnect_location_consumer::{LocationConsumer, LocationConsumerConfig};
use udaconnect_locations::{LocationsConfig, LocationsServer};
use udaconnect_persons::{CredentialArgs, PersonsConfig, PersonsServer};
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceTokenArgs,
    config::{KafkaArgs, RetentionArgs, local_url},
    topics,
};
use udaconnect_web::{WebConfig, WebServer};

use crate::migrate::{MigrateTarget, migrate, stores};

/// Settings of `udaconnect all`: every service's, Kafka's, and what to load
/// first.
#[derive(Debug, Clone, Args)]
pub struct StackConfig {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub persons: PersonsConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub locations: LocationsConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub events: EventsConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub ingest: IngestConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub consumer: LocationConsumerConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub attendance: AttendanceConsumerConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub web: WebConfig,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub credentials: CredentialArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub service: ServiceTokenArgs,
    // One setting, handed to locations and events, which both apply it.
    #[command(flatten)]
    #[allow(missing_docs)]
    pub retention: RetentionArgs,
    /// Load the data set in this folder (persons.csv, locations.csv) after
    /// migrating; rows already there are kept.
    #[arg(long = "seed", value_name = "DIR")]
    pub seed_data_dir: Option<PathBuf>,
}

/// Every service of the stack, bound.
pub struct Stack {
    services: Vec<Box<dyn Service>>,
}

impl Stack {
    /// Migrates every database (and seeds them when asked), creates the
    /// topics, and binds every service, each knowing where its peers
    /// really listen. The web page is served only when it is built.
    pub async fn build(config: &StackConfig, shutdown: &CancellationToken) -> anyhow::Result<Self> {
        let (persons_store, locations_store) =
            stores(&config.persons.database, &config.locations.database)?;
        migrate(
            MigrateTarget::All,
            &persons_store,
            &locations_store,
            &config.events.database.store(2)?,
        )
        .await?;
        if let Some(dir) = &config.seed_data_dir {
            let (persons, locations) =
                seed::load(&seed::read(dir)?, &persons_store, &locations_store).await?;
            tracing::info!(
                new_persons = persons,
                new_locations = locations,
                "data set loaded"
            );
        }
        topics::ensure(&config.kafka.settings(), &config.kafka.topics(), shutdown).await?;
        let service = config.service.credential()?;

        let persons = PersonsServer::build(&config.persons, &config.kafka, &service).await?;
        let persons_url = local_url(persons.grpc_address());
        // Before locations, which asks it for the events whose pings it keeps.
        let events =
            EventsServer::build(&config.events, &config.retention, &config.kafka, &service).await?;
        let events_url = local_url(events.grpc_address());
        let locations = LocationsServer::build(
            &config.locations,
            &persons_url,
            &events_url,
            &config.retention,
            &config.kafka,
            &service,
        )
        .await?;
        let locations_url = local_url(locations.grpc_address());
        let mut api = ApiServer::build(
            &config.api,
            &config.kafka,
            &persons_url,
            &locations_url,
            &events_url,
            &config.credentials,
            &service,
        )
        .await?;
        let ingest = IngestServer::build(
            &config.ingest,
            &config.kafka,
            &persons_url,
            &config.credentials,
            &service,
            shutdown,
        )
        .await?;
        let consumer = LocationConsumer::build(
            &config.consumer,
            &config.kafka,
            &locations_url,
            &service,
            shutdown,
        )
        .await?;
        let attendance = AttendanceConsumer::build(
            &config.attendance,
            &config.kafka,
            &events_url,
            &service,
            shutdown,
        )
        .await?;
        let api_address = api.address();
        // Without a build of the page the rest still runs.
        let web = match udaconnect_web::check_assets(&config.web.assets_dir) {
            Ok(()) => {
                let web = WebConfig {
                    api_url: config
                        .web
                        .api_url
                        .clone()
                        .or_else(|| loopback_url(api_address)),
                    ..config.web.clone()
                };
                let web = WebServer::build(&web).await?;
                // The page calls the API from the browser: let it.
                api.allow_origins(AllowedOrigin::local(web.address()));
                Some(web)
            }
            Err(error) => {
                tracing::warn!(%error, "the web page is not served");
                None
            }
        };
        let mut services: Vec<Box<dyn Service>> = vec![
            Box::new(persons),
            Box::new(locations),
            Box::new(events),
            Box::new(api),
            Box::new(ingest),
            Box::new(consumer),
            Box::new(attendance),
        ];
        services.extend(web.map(|web| Box::new(web) as Box<dyn Service>));
        Ok(Self { services })
    }
}

/// The API's exact URL when it listens on loopback only: then the browser
/// is on this machine and the port may be anything (port 0). Otherwise the
/// page falls back to its own host on the API's usual port.
fn loopback_url(api: SocketAddr) -> Option<String> {
    api.ip().is_loopback().then(|| format!("http://{api}"))
}

impl Service for Stack {
    fn addresses(&self) -> BoundAddresses {
        self.services
            .iter()
            .flat_map(|service| service.addresses())
            .collect()
    }

    /// Runs every service until `shutdown` or until one of them fails
    /// (which stops the others).
    fn run_until_stopped(
        self: Box<Self>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        async move {
            let mut running = JoinSet::new();
            for service in self.services {
                running.spawn(service.run_until_stopped(shutdown.clone()));
            }
            let mut outcome = Ok(());
            while let Some(finished) = running.join_next().await {
                let result = finished
                    .map_err(anyhow::Error::from)
                    .and_then(|result| result);
                if let Err(error) = result {
                    tracing::error!(%error, "a service failed; stopping the stack");
                    shutdown.cancel();
                    if outcome.is_ok() {
                        outcome = Err(error);
                    }
                }
            }
            outcome
        }
        .boxed()
    }
}
