//! The persons, locations (and events) services and the REST API in this process on
//! loopback ports, started through the same builders as `udaconnect all`,
//! for benchmarks that call them over real gRPC and HTTP.

use std::{net::SocketAddr, time::Duration};

use tokio_util::sync::CancellationToken;
use udaconnect_api::{ApiConfig, ApiServer};
use udaconnect_domain::{Person, Privacy};
use udaconnect_events::{
    AttendanceRulesArgs, EventsConfig, EventsDatabaseArgs, EventsListenArgs, EventsServer,
};
use udaconnect_locations::{LocationsConfig, LocationsServer};
use udaconnect_persons::{
    CredentialArgs, IdentityArgs, PersonsConfig, PersonsDatabaseArgs, PersonsListenArgs,
    PersonsServer,
};
use udaconnect_proto::v1::location_service_client::LocationServiceClient;
use udaconnect_runtime::{
    Service,
    client_address::TrustedProxies,
    config::{KafkaArgs, RetentionArgs, local_url},
    grpc::SignedChannel,
};

use crate::credentials::{ORGANIZER_TOKEN, service, signed_client};

/// Persons `1..=count`, for benchmark data to refer to.
pub fn attendees(count: i64) -> Vec<Person> {
    (1..=count)
        .map(|id| Person {
            id,
            first_name: format!("Attendee {id}"),
            last_name: "Bench".to_owned(),
            company_name: "UdaConnect".to_owned(),
            privacy: Privacy::default(),
        })
        .collect()
}

/// A retention no benchmark data set reaches, whatever its dates: nothing
/// may be dropped while it is measured.
pub fn keep_everything() -> RetentionArgs {
    RetentionArgs {
        data_retention: Duration::from_secs(100 * 365 * 86_400),
    }
}

/// The REST API's request timeout: generous, so that a slow answer is
/// measured rather than cut off.
const API_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// Where a service that was not started would be: a closed port.
const NO_SERVICE: &str = "http://127.0.0.1:9";

/// Running services; dropping this stops them.
pub struct Services {
    /// A client of the locations service, with room for large messages.
    pub locations: LocationServiceClient<SignedChannel>,
    /// Base URL of the REST API, in front of both services.
    pub api_url: String,
    /// A client of the REST API, signed in as the organizer.
    pub http: reqwest::Client,
    /// gRPC URL of the locations service.
    pub locations_url: String,
    /// gRPC URL of the events service, when one was started.
    pub events_url: Option<String>,
    shutdown: CancellationToken,
}

impl Services {
    /// Starts both services over the given databases, and the REST API.
    pub async fn start(persons_database: &str, locations_database: &str) -> anyhow::Result<Self> {
        Self::start_with_events(persons_database, locations_database, None).await
    }

    /// Starts persons and locations, the events service too when given its
    /// database, and the REST API in front of them.
    pub async fn start_with_events(
        persons_database: &str,
        locations_database: &str,
        events_database: Option<&str>,
    ) -> anyhow::Result<Self> {
        let mut started: Vec<Box<dyn Service>> = Vec::new();
        let kafka = KafkaArgs::unreachable();
        let service = service();
        let mut events_url = None;
        if let Some(database) = events_database {
            let events = EventsServer::build(
                &EventsConfig {
                    listeners: EventsListenArgs::loopback(),
                    database: EventsDatabaseArgs {
                        events_database_url: database.to_owned(),
                    },
                    rules: AttendanceRulesArgs {
                        booth_min_dwell: Duration::from_secs(120),
                        presentation_min_presence: Duration::from_secs(600),
                    },
                },
                &keep_everything(),
                &kafka,
                &service,
            )
            .await?;
            events_url = Some(local_url(events.grpc_address()));
            started.push(Box::new(events));
        }
        let persons = PersonsServer::build(
            &PersonsConfig {
                listeners: PersonsListenArgs::loopback(),
                database: PersonsDatabaseArgs {
                    persons_database_url: persons_database.to_owned(),
                },
                identity: IdentityArgs::default(),
            },
            &kafka,
            &service,
        )
        .await?;
        let persons_url = local_url(persons.grpc_address());
        let locations = LocationsServer::build(
            &LocationsConfig::loopback(locations_database),
            &persons_url,
            // Without an events service, the housekeeping finds no events
            // and drops nothing.
            events_url.as_deref().unwrap_or(NO_SERVICE),
            &keep_everything(),
            &kafka,
            &service,
        )
        .await?;
        let locations_url = local_url(locations.grpc_address());
        let api = ApiServer::build(
            &ApiConfig {
                listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                request_timeout: API_REQUEST_TIMEOUT,
                cors_allowed_origins: Vec::new(),
                // The benchmarks call as the organizer, whom no limit holds.
                rate_limit_per_second: 10.0,
                rate_limit_burst: 50.0,
                trusted_proxies: TrustedProxies::default(),
            },
            &kafka,
            &persons_url,
            &locations_url,
            // Without an events service, the timed routes do not ask it.
            events_url.as_deref().unwrap_or(NO_SERVICE),
            &CredentialArgs {
                organizer_token: Some(ORGANIZER_TOKEN.to_owned()),
                ..Default::default()
            },
            &service,
        )
        .await?;
        let api_url = local_url(api.address());

        let shutdown = CancellationToken::new();
        started.extend([
            Box::new(persons) as Box<dyn Service>,
            Box::new(locations),
            Box::new(api),
        ]);
        for each in started {
            tokio::spawn(each.run_until_stopped(shutdown.clone()));
        }
        Ok(Self {
            locations: LocationServiceClient::new(service.channel(&locations_url)?)
                .max_decoding_message_size(64 << 20)
                .max_encoding_message_size(64 << 20),
            api_url,
            http: signed_client(ORGANIZER_TOKEN)?,
            locations_url,
            events_url,
            shutdown,
        })
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
