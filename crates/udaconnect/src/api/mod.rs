//! The public REST API: the proof of concept's routes, answered by calling
//! the persons and locations services over gRPC.

mod connections;
mod contacts;
mod extract;
pub mod json;
mod locations;
mod openapi;
mod persons;
pub mod problem;

pub use openapi::{ApiDoc, openapi_yaml};

use std::{collections::HashMap, time::Duration};

use axum::{
    Router,
    error_handling::HandleErrorLayer,
    extract::{DefaultBodyLimit, OriginalUri},
    routing::{get, post},
    serve::ListenerExt,
};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tower::ServiceBuilder;
use tower_http::{cors::CorsLayer, trace::TraceLayer};
use udaconnect_messaging::EventProducer;
use udaconnect_proto::v1::{
    self, location_service_client::LocationServiceClient,
    person_service_client::PersonServiceClient,
};
use udaconnect_telemetry::RequestMetricsLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::{
    admin,
    config::{ApiServerArgs, KafkaArgs},
    grpc,
    person_directory::PersonDirectory,
    publisher::LocationPublisher,
};
use problem::ApiError;

/// Largest connection-search answer the API accepts from the locations
/// service (gRPC's default of 4 MiB is about 20,000 rows).
const MAX_CONNECTION_ANSWER_BYTES: usize = 256 * 1024 * 1024;

/// Clients of the services behind the API, shared by every request.
#[derive(Debug, Clone)]
pub struct ApiState {
    persons: PersonServiceClient<Channel>,
    locations: LocationServiceClient<Channel>,
    person_directory: PersonDirectory,
    publisher: LocationPublisher,
    peers: Vec<(&'static str, Channel)>,
}

impl ApiState {
    /// State over channels to the persons and locations services, publishing
    /// new pings through `publisher`.
    pub fn new(persons: Channel, locations: Channel, publisher: LocationPublisher) -> Self {
        Self {
            peers: vec![
                ("persons", persons.clone()),
                ("locations", locations.clone()),
            ],
            person_directory: PersonDirectory::new(persons.clone()),
            persons: PersonServiceClient::new(persons),
            // The compatible connection search is unpaginated, and a busy
            // person's answer is large.
            locations: LocationServiceClient::new(locations)
                .max_decoding_message_size(MAX_CONNECTION_ANSWER_BYTES),
            publisher,
        }
    }

    /// One person, or the 404 that routes under `/api/persons/{id}` answer.
    async fn person(&self, id: i64) -> Result<v1::Person, ApiError> {
        self.persons
            .clone()
            .get_person(v1::GetPersonRequest { id })
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| match status.code() {
                tonic::Code::NotFound => ApiError::NotFound { what: "person", id },
                _ => ApiError::Peer {
                    peer: "persons",
                    status,
                },
            })
    }

    /// The existing persons among `ids`, by id, in as few calls as the
    /// persons service's batch limit allows.
    async fn persons_by_id(&self, ids: Vec<i64>) -> Result<HashMap<i64, v1::Person>, ApiError> {
        let mut found = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(crate::persons::MAX_BATCH_IDS) {
            let response = self
                .persons
                .clone()
                .batch_get_persons(v1::BatchGetPersonsRequest {
                    ids: chunk.to_vec(),
                })
                .await
                .map_err(ApiError::peer("persons"))?;
            found.extend(response.into_inner().persons.into_iter().map(|p| (p.id, p)));
        }
        Ok(found)
    }
}

/// The complete REST application: API routes, documentation, operational
/// endpoints, and the layers every request passes through.
pub fn router(state: ApiState, request_timeout: Duration) -> Router {
    // POST /api/locations also needs Kafka, but reads must not fail with it.
    let readiness = grpc::peer_readiness(state.peers.clone());
    let api = Router::new()
        .route(
            "/api/persons",
            get(persons::list_persons).post(persons::create_person),
        )
        .route("/api/persons/{person_id}", get(persons::get_person))
        .route(
            "/api/persons/{person_id}/connection",
            get(connections::find_connections),
        )
        .route(
            "/api/persons/{person_id}/contacts",
            get(contacts::find_contacts),
        )
        .route("/api/locations", post(locations::create_location))
        .route("/api/locations/{location_id}", get(locations::get_location))
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .route_layer(RequestMetricsLayer::new("api"))
        .with_state(state);

    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/docs").url("/openapi.json", ApiDoc::openapi()))
        .merge(admin::routes(readiness))
        .fallback(|OriginalUri(uri): OriginalUri| async move {
            ApiError::NoRoute(uri.path().to_owned())
        })
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(CorsLayer::permissive())
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    ApiError::Timeout
                }))
                .timeout(request_timeout)
                .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES)),
        )
}

/// Serves the REST API on `listener` until `shutdown`, then drains.
pub async fn run(
    state: ApiState,
    request_timeout: Duration,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    tracing::info!(address = %listener.local_addr()?, "REST API listening");
    // Answers go out at once, not after the client's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::warn!(%error, "cannot set TCP_NODELAY");
        }
    });
    axum::serve(listener, router(state, request_timeout))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    tracing::info!("REST API stopped");
    Ok(())
}

/// Starts the REST API as configured (`udaconnect api`).
pub async fn start(
    server: &ApiServerArgs,
    kafka: &KafkaArgs,
    persons_url: &str,
    locations_url: &str,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // Reads must work while Kafka is away, so the API does not wait for the
    // topics; the ingest service and the consumer create them.
    let publisher = LocationPublisher::new(
        EventProducer::new(&kafka.settings())?,
        &kafka.locations_topic,
    );
    let state = ApiState::new(
        grpc::channel(persons_url)?,
        grpc::channel(locations_url)?,
        publisher.clone(),
    );
    let served = run(
        state,
        server.request_timeout,
        TcpListener::bind(server.listen).await?,
        shutdown,
    )
    .await;
    publisher.flush(Duration::from_secs(10));
    served
}
