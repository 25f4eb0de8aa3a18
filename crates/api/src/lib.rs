//! The public REST API: the proof of concept's routes and the events'
//! (floor plans, programmes, attendance), answered by calling the persons,
//! locations and events services over gRPC, and new pings published to
//! Kafka. It is where answers are joined with persons' records
//! ([`state::ApiState::persons_named`]).

mod attendance;
mod auth;
mod browser;
mod connections;
mod contacts;
mod events;
mod export;
mod extract;
mod identity;
mod json;
mod locations;
mod openapi;
mod persons;
mod privacy;
mod problem;
mod state;

pub use browser::AllowedOrigin;
pub use openapi::{ApiDoc, openapi_yaml};

use std::{net::SocketAddr, time::Duration};

use axum::{
    Router,
    error_handling::HandleErrorLayer,
    extract::{DefaultBodyLimit, OriginalUri},
    middleware,
    routing::{delete, get, post, put},
    serve::ListenerExt,
};
use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;
use udaconnect_messaging::{ErasurePublisher, EventProducer, LocationPublisher};
use udaconnect_persons::{CredentialArgs, Credentials};
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceCredential, admin,
    client_address::TrustedProxies,
    config::{KafkaArgs, parse_duration},
    grpc,
    rate_limit::RateLimiter,
};
use udaconnect_telemetry::{RequestMetricsLayer, RequestTraceLayer};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use problem::ApiError;
use state::ApiState;

/// How much later than the API's routes the other routes are cut short.
const BACKSTOP_MARGIN: Duration = Duration::from_secs(1);

/// Longest shutdown waits for Kafka to acknowledge what is still queued.
const FINAL_FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the public REST API listens and how long it lets a request run.
#[derive(Debug, Clone, Args)]
pub struct ApiConfig {
    /// Address of the REST endpoint (also serves /docs, /healthz, /readyz, /metrics).
    #[arg(
        id = "api-listen",
        long = "api-listen",
        env = "API_LISTEN",
        default_value = "127.0.0.1:30001"
    )]
    pub listen: SocketAddr,
    /// Longest time a request may take before it is answered 503.
    #[arg(long, env = "API_REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Web origins whose pages may call the API, comma-separated
    /// (`https://udaconnect.example.org`; `http://*:30000` for any host on
    /// that port). `all` adds the page it serves.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub cors_allowed_origins: Vec<AllowedOrigin>,
    /// Requests per second each phone, person or anonymous address may
    /// make on average (the organizer is not limited); past it, 429.
    #[arg(
        id = "api-rate-limit-per-second",
        long = "api-rate-limit-per-second",
        env = "API_RATE_LIMIT_PER_SECOND",
        default_value_t = 10.0
    )]
    pub rate_limit_per_second: f64,
    /// Requests each may make at once before the average applies.
    #[arg(
        id = "api-rate-limit-burst",
        long = "api-rate-limit-burst",
        env = "API_RATE_LIMIT_BURST",
        default_value_t = 50.0
    )]
    pub rate_limit_burst: f64,
    /// The proxies in front of the API (addresses or networks,
    /// comma-separated: `10.0.0.0/8`), such as an ingress: their
    /// `X-Forwarded-For` names the caller whose allowance an anonymous call
    /// takes. None by default: the connection's own address is the caller's.
    #[arg(
        id = "api-trusted-proxies",
        long = "api-trusted-proxies",
        value_name = "NETWORKS",
        env = "TRUSTED_PROXIES",
        default_value = ""
    )]
    pub trusted_proxies: TrustedProxies,
}

/// The REST API, bound and ready to serve.
#[derive(Debug)]
pub struct ApiServer {
    listener: TcpListener,
    state: ApiState,
    request_timeout: Duration,
    allowed_origins: Vec<AllowedOrigin>,
}

impl ApiServer {
    /// Binds the API's port. It calls the persons, locations and events
    /// services at `persons_url`, `locations_url` and `events_url`
    /// (connected on first use), takes the organizer's token of
    /// `organizer` and the tokens persons signs, and
    /// publishes new pings to Kafka. Reads must work while Kafka is away, so
    /// it does not wait for the topics; ingest and the consumer create them.
    pub async fn build(
        config: &ApiConfig,
        kafka: &KafkaArgs,
        persons_url: &str,
        locations_url: &str,
        events_url: &str,
        credentials: &CredentialArgs,
        service: &ServiceCredential,
    ) -> anyhow::Result<Self> {
        let producer = EventProducer::new(&kafka.settings())?;
        let erasures = ErasurePublisher::new(producer.clone(), &kafka.erasures_topic);
        let publisher = LocationPublisher::new(producer, &kafka.locations_topic);
        let persons = grpc::channel(persons_url)?;
        let credentials = Credentials::new(credentials, service.sign(persons.clone()))?;
        Ok(Self {
            listener: udaconnect_runtime::listen(config.listen).await?,
            state: ApiState::new(
                [
                    persons,
                    grpc::channel(locations_url)?,
                    grpc::channel(events_url)?,
                ],
                service,
                publisher,
                erasures,
                credentials,
                RateLimiter::new(config.rate_limit_per_second, config.rate_limit_burst),
                config.trusted_proxies.clone(),
            ),
            request_timeout: config.request_timeout,
            allowed_origins: config.cors_allowed_origins.clone(),
        })
    }

    /// Lets pages from these origins call the API too (the page a stack
    /// serves beside it).
    pub fn allow_origins(&mut self, origins: impl IntoIterator<Item = AllowedOrigin>) {
        self.allowed_origins.extend(origins);
    }

    /// Where the API answers.
    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }
}

impl Service for ApiServer {
    fn addresses(&self) -> BoundAddresses {
        BoundAddresses::from([("api".to_owned(), self.address())])
    }

    /// Serves until `shutdown`, drains, then waits for Kafka to acknowledge
    /// the pings still queued.
    fn run_until_stopped(
        self: Box<Self>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        async move {
            tracing::info!(address = %self.address(), "REST API listening");
            let publisher = self.state.publisher.clone();
            let refresher = tokio::spawn(
                self.state
                    .credentials
                    .clone()
                    .refresh_until(shutdown.child_token()),
            );
            // Answers go out at once, not after the client's delayed ACK.
            let listener = self.listener.tap_io(|tcp| {
                if let Err(error) = tcp.set_nodelay(true) {
                    tracing::warn!(%error, "cannot set TCP_NODELAY");
                }
            });
            let app = router(self.state, self.request_timeout, self.allowed_origins)
                // The caller's address, for the rate limits of anonymous calls.
                .into_make_service_with_connect_info::<SocketAddr>();
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await;
            refresher.abort();
            publisher.flush(FINAL_FLUSH_TIMEOUT).await;
            served?;
            tracing::info!("REST API stopped");
            Ok(())
        }
        .boxed()
    }
}

/// The complete REST application: API routes, documentation, operational
/// endpoints, and the layers every request passes through.
fn router(
    state: ApiState,
    request_timeout: Duration,
    allowed_origins: Vec<AllowedOrigin>,
) -> Router {
    // POST /api/locations also needs Kafka, but reads must not fail with it.
    let readiness = grpc::peer_readiness(state.peers.clone());
    let api = Router::new()
        .route("/.well-known/jwks.json", get(identity::get_key_set))
        .route("/api/session", get(identity::get_session))
        .route("/api/enrollments", post(identity::redeem_enrollment))
        .route(
            "/api/persons/{person_id}/enrollment-codes",
            post(identity::create_enrollment_code),
        )
        .route(
            "/api/persons/{person_id}/devices",
            get(identity::list_devices),
        )
        .route(
            "/api/persons/{person_id}/devices/{device_id}",
            delete(identity::revoke_device),
        )
        .route(
            "/api/persons",
            get(persons::list_persons).post(persons::create_person),
        )
        .route(
            "/api/persons/{person_id}",
            get(persons::get_person).delete(privacy::erase_person),
        )
        .route(
            "/api/persons/{person_id}/privacy",
            get(privacy::get_privacy).put(privacy::set_privacy),
        )
        .route(
            "/api/persons/{person_id}/export",
            get(export::export_person),
        )
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
        .route(
            "/api/events",
            get(events::list_events).post(events::create_event),
        )
        .route("/api/events/{event_id}", get(events::get_event))
        .route(
            "/api/events/{event_id}/floor-plan",
            put(events::put_floor_plan),
        )
        .route("/api/events/{event_id}/areas", get(events::list_areas))
        .route(
            "/api/events/{event_id}/programme",
            put(events::put_programme),
        )
        .route(
            "/api/events/{event_id}/presentations",
            get(events::list_presentations),
        )
        .route(
            "/api/events/{event_id}/statistics",
            get(attendance::get_statistics),
        )
        .route(
            "/api/persons/{person_id}/attendance",
            get(attendance::get_attendance),
        )
        .route(
            "/api/persons/{person_id}/shared",
            get(attendance::find_shared),
        )
        .route(
            "/api/presentations/{presentation_id}/attendees",
            get(attendance::list_presentation_attendees),
        )
        .route(
            "/api/areas/{area_id}/visitors",
            get(attendance::list_area_visitors),
        )
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        // Inside the metrics, so that a request cut short is counted with
        // the 503 it is answered.
        .route_layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    ApiError::Timeout
                }))
                .timeout(request_timeout),
        )
        .route_layer(RequestMetricsLayer::new("api"))
        // The span of a request, named by its route, joins the caller's trace.
        .route_layer(RequestTraceLayer)
        .with_state(state);

    let mut app = Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/docs").url("/openapi.json", ApiDoc::openapi()))
        .merge(admin::routes(readiness))
        .fallback(|OriginalUri(uri): OriginalUri| async move {
            ApiError::NoRoute(uri.path().to_owned())
        })
        .layer(
            ServiceBuilder::new()
                .layer(TraceLayer::new_for_http())
                .layer(browser::cors(allowed_origins))
                // A backstop for the routes outside the API's own (the
                // documentation, health), later than theirs.
                .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
                    ApiError::Timeout
                }))
                .timeout(request_timeout + BACKSTOP_MARGIN)
                .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES)),
        );
    for header in browser::security_headers() {
        app = app.layer(header);
    }
    app
}
