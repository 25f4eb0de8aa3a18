//! The persons and locations services in this process on loopback ports,
//! exactly as `udaconnect all` runs them, for benchmarks that call them over
//! real gRPC.

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use udaconnect::{grpc, locations, person_directory::PersonDirectory, persons};
use udaconnect_domain::Person;
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

/// Running services; dropping this stops them.
pub struct Services {
    /// A client of the locations service, with room for large messages.
    pub locations: LocationServiceClient<Channel>,
    shutdown: CancellationToken,
}

impl Services {
    /// Starts both services over the given stores.
    pub async fn start(persons: PersonStore, locations: LocationStore) -> anyhow::Result<Self> {
        let shutdown = CancellationToken::new();
        let persons_listener = TcpListener::bind("127.0.0.1:0").await?;
        let persons_url = format!("http://{}", persons_listener.local_addr()?);
        tokio::spawn(persons::run(
            persons,
            persons_listener,
            None,
            shutdown.clone(),
        ));
        let locations_listener = TcpListener::bind("127.0.0.1:0").await?;
        let locations_url = format!("http://{}", locations_listener.local_addr()?);
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
        Ok(Self {
            locations: client,
            shutdown,
        })
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
