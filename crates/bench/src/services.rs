//! The persons and locations services and the REST API in this process on
//! loopback ports, exactly as `udaconnect all` runs them, for benchmarks that
//! call them over real gRPC and HTTP.

use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use udaconnect::{
    api::{self, ApiState},
    grpc, locations,
    person_directory::PersonDirectory,
    persons,
    publisher::LocationPublisher,
};
use udaconnect_domain::Person;
use udaconnect_messaging::{EventProducer, KafkaSettings};
use udaconnect_proto::v1::location_service_client::LocationServiceClient;
use udaconnect_storage::{LocationStore, PersonStore};

/// Persons `1..=count`, for benchmark data to refer to.
pub fn attendees(count: i64) -> Vec<Person> {
    (1..=count)
        .map(|id| Person {
            id,
            first_name: format!("Attendee {id}"),
            last_name: "Bench".to_owned(),
            company_name: "UdaConnect".to_owned(),
        })
        .collect()
}

/// The REST API's request timeout: generous, so that a slow answer is
/// measured rather than cut off.
const API_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

/// Running services; dropping this stops them.
pub struct Services {
    /// A client of the locations service, with room for large messages.
    pub locations: LocationServiceClient<Channel>,
    /// Base URL of the REST API, in front of both services.
    pub api_url: String,
    shutdown: CancellationToken,
}

impl Services {
    /// Starts both services over the given stores, and the REST API.
    pub async fn start(persons: PersonStore, locations: LocationStore) -> anyhow::Result<Self> {
        let shutdown = CancellationToken::new();
        let (persons_listener, persons_url) = loopback_listener().await?;
        tokio::spawn(persons::run(
            persons,
            persons_listener,
            None,
            shutdown.clone(),
        ));
        let (locations_listener, locations_url) = loopback_listener().await?;
        tokio::spawn(locations::run(
            locations,
            PersonDirectory::new(grpc::channel(&persons_url)?),
            locations_listener,
            None,
            shutdown.clone(),
        ));
        let client = LocationServiceClient::new(grpc::channel(&locations_url)?)
            .max_decoding_message_size(64 << 20)
            .max_encoding_message_size(64 << 20);

        // The benchmarks only read, and the API serves reads without Kafka,
        // so its producer points at a closed port instead of a broker.
        let producer = EventProducer::new(&KafkaSettings {
            bootstrap_servers: "127.0.0.1:9".to_owned(),
            produce_timeout: Duration::from_secs(1),
            idempotent_producer: true,
        })?;
        let state = ApiState::new(
            grpc::channel(&persons_url)?,
            grpc::channel(&locations_url)?,
            LocationPublisher::new(producer, "unused"),
        );
        let (api_listener, api_url) = loopback_listener().await?;
        tokio::spawn(api::run(
            state,
            API_REQUEST_TIMEOUT,
            api_listener,
            shutdown.clone(),
        ));
        Ok(Self {
            locations: client,
            api_url,
            shutdown,
        })
    }
}

/// A listener on a free loopback port, and the URL that reaches it.
async fn loopback_listener() -> std::io::Result<(TcpListener, String)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    Ok((listener, url))
}

impl Drop for Services {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
