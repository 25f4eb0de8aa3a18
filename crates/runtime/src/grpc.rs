//! What every gRPC service shares: error mapping, client channels, and a
//! server with health, reflection, metrics and graceful shutdown.

use std::{net::SocketAddr, time::Duration};

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::{
    Code, Status,
    service::Routes,
    transport::{Channel, Endpoint, Server, server::TcpIncoming},
};
use tonic_health::{
    ServingStatus,
    pb::{HealthCheckRequest, health_check_response, health_client::HealthClient},
    server::HealthReporter,
};
use udaconnect_domain::FieldError;
use udaconnect_storage::StorageError;
use udaconnect_telemetry::{RequestMetricsLayer, RequestTraceLayer};

use crate::{
    admin::{self, ReadinessCheck},
    service::BoundAddresses,
};

/// Why a gRPC call failed, before it becomes a [`Status`].
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The request is malformed; the client must change it.
    #[error("{0}")]
    InvalidArgument(#[from] FieldError),
    /// The request carries no credential, or one that proves nothing.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    PermissionDenied(String),
    /// The requested entity does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request is valid but conflicts with what is stored (e.g. removing
    /// a room that presentations still use).
    #[error("{0}")]
    FailedPrecondition(String),
    /// Our own database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A service we depend on failed.
    #[error("{peer} failed: {status}")]
    Peer {
        /// Which service.
        peer: &'static str,
        /// What it answered.
        status: Status,
    },
    /// Our own code failed (a panicked task); the cause is logged.
    #[error("internal error: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    /// Wraps an error answered by the `peer` service.
    pub fn peer(peer: &'static str) -> impl FnOnce(Status) -> Self {
        move |status| Self::Peer { peer, status }
    }
}

impl From<ServiceError> for Status {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::InvalidArgument(field) => Status::invalid_argument(field.to_string()),
            ServiceError::Unauthenticated(message) => Status::unauthenticated(message),
            ServiceError::PermissionDenied(message) => Status::permission_denied(message),
            ServiceError::NotFound(message) => Status::not_found(message),
            ServiceError::FailedPrecondition(message) => Status::failed_precondition(message),
            ServiceError::Storage(StorageError::ReaderStalled { stall_limit }) => {
                Status::deadline_exceeded(format!(
                    "the answer was not read for {stall_limit:?}; it was stopped to free the database"
                ))
            }
            ServiceError::Storage(error) if error.is_transient() => {
                tracing::warn!(%error, "database unavailable");
                Status::unavailable("database unavailable; retry later")
            }
            ServiceError::Storage(error) => {
                tracing::error!(%error, "storage failure");
                Status::internal("internal error")
            }
            ServiceError::Internal(error) => {
                tracing::error!(%error, "internal failure");
                Status::internal("internal error")
            }
            ServiceError::Peer { peer, status } => match status.code() {
                Code::Unavailable | Code::DeadlineExceeded | Code::ResourceExhausted => {
                    tracing::warn!(peer, %status, "peer unavailable");
                    Status::unavailable(format!("{peer} service unavailable; retry later"))
                }
                _ => {
                    tracing::error!(peer, %status, "peer failed");
                    Status::internal("internal error")
                }
            },
        }
    }
}

/// The beginnings of the messages tonic gives a request it cannot read as
/// the method's message: bytes that are not gRPC frames, or frames that are
/// not the protobuf message.
const UNREADABLE_REQUEST: [&str; 3] = [
    "failed to decode Protobuf message",
    "Unexpected EOF decoding stream",
    "protocol error: received message with compressed-flag",
];

/// Whether `status` says the request could not be read, which tonic
/// answers INTERNAL (the gRPC specification's choice for a parse error)
/// though the fault is the client's.
fn is_unreadable_request(code: Code, message: &str) -> bool {
    code == Code::Internal
        && UNREADABLE_REQUEST
            .iter()
            .any(|start| message.starts_with(start))
}

/// `status`, with an unreadable request answered INVALID_ARGUMENT, as
/// every other bad input is: for handlers that read a request stream.
pub fn unreadable_is_invalid(status: Status) -> Status {
    if is_unreadable_request(status.code(), status.message()) {
        Status::invalid_argument(format!(
            "the request is not a valid message: {}",
            status.message()
        ))
    } else {
        status
    }
}

/// Answers INVALID_ARGUMENT where tonic, failing to read a unary request,
/// answered INTERNAL: its trailers-only answer carries the status in the
/// headers.
fn unreadable_request_is_invalid<B>(mut response: http::Response<B>) -> http::Response<B> {
    let headers = response.headers();
    let (Some(code), Some(message)) = (headers.get("grpc-status"), headers.get("grpc-message"))
    else {
        return response;
    };
    let code = Code::from_bytes(code.as_bytes());
    let message = percent_encoding::percent_decode(message.as_bytes()).decode_utf8_lossy();
    if is_unreadable_request(code, &message) {
        let invalid = unreadable_is_invalid(Status::new(code, message.into_owned()));
        let headers = response.headers_mut();
        headers.insert(
            "grpc-status",
            http::HeaderValue::from(Code::InvalidArgument as i32),
        );
        if let Ok(message) = http::HeaderValue::from_str(
            &percent_encoding::utf8_percent_encode(invalid.message(), GRPC_MESSAGE_ESCAPES)
                .to_string(),
        ) {
            headers.insert("grpc-message", message);
        }
    }
    response
}

/// What a `grpc-message` header must percent-encode (its spec: anything but
/// printable ASCII, and `%` itself).
const GRPC_MESSAGE_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%');

/// Signs every call of a client with a bearer token, in the
/// `authorization` metadata the services that take requests read; and,
/// when spans are exported, passes the calling span's trace context on
/// (`traceparent`), so that the callee's span joins the caller's trace.
#[derive(Debug, Clone)]
pub struct BearerToken(tonic::metadata::AsciiMetadataValue);

/// A channel whose every call carries a [`BearerToken`].
pub type SignedChannel = tonic::service::interceptor::InterceptedService<Channel, BearerToken>;

impl BearerToken {
    /// The `Bearer <token>` value; fails on a token that is not visible
    /// ASCII.
    pub fn new(token: &str) -> Result<Self, tonic::metadata::errors::InvalidMetadataValue> {
        Ok(Self(format!("Bearer {token}").parse()?))
    }

    /// `channel`, signing each call with this token.
    pub fn sign(self, channel: Channel) -> SignedChannel {
        tonic::service::interceptor::InterceptedService::new(channel, self)
    }

    /// Adds the token to one request (for clients that build requests
    /// themselves).
    pub fn apply<T>(&self, request: &mut tonic::Request<T>) {
        request
            .metadata_mut()
            .insert("authorization", self.0.clone());
    }
}

impl tonic::service::Interceptor for BearerToken {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        self.apply(&mut request);
        for (key, value) in udaconnect_telemetry::current_trace_context() {
            if let (Ok(key), Ok(value)) = (
                tonic::metadata::AsciiMetadataKey::from_bytes(key.as_bytes()),
                value.parse(),
            ) {
                request.metadata_mut().insert(key, value);
            }
        }
        Ok(request)
    }
}

/// A lazily connected channel to a peer service: startup never waits for the
/// peer, and calls fail fast with `UNAVAILABLE` while it is down.
pub fn channel(url: &str) -> Result<Channel, tonic::transport::Error> {
    Ok(Endpoint::from_shared(url.to_owned())?
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(30))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(30))
        .keep_alive_while_idle(true)
        .connect_lazy())
}

/// Readiness of a service that depends on the gRPC `peers`: ready when each
/// reports itself serving through the standard health service.
pub fn peer_readiness(peers: Vec<(&'static str, Channel)>) -> ReadinessCheck {
    let peers: Vec<_> = peers
        .into_iter()
        .map(|(name, channel)| (name, HealthClient::new(channel)))
        .collect();
    ReadinessCheck::new(move || {
        let peers = peers.clone();
        Box::pin(async move {
            for (name, mut client) in peers {
                let status = client
                    .check(HealthCheckRequest::default())
                    .await
                    .map_err(|status| format!("{name}: {}", status.message()))?
                    .into_inner()
                    .status();
                if status != health_check_response::ServingStatus::Serving {
                    return Err(format!("{name}: {}", status.as_str_name()));
                }
            }
            Ok(())
        })
    })
}

/// Longest a single call may run on our servers.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the gRPC health status is refreshed from the readiness check.
const HEALTH_REFRESH: Duration = Duration::from_secs(5);

/// A gRPC service ready to serve: its routes, its fully qualified name (for
/// the health service) and what makes it ready.
pub struct GrpcService {
    /// Fully qualified proto service name (`udaconnect.v1.PersonService`).
    pub proto_name: &'static str,
    /// The service's handlers.
    pub routes: Routes,
    /// Whether its dependencies answer.
    pub readiness: ReadinessCheck,
}

/// The two listeners of a gRPC service, bound: the gRPC port and the
/// operational HTTP port (health, readiness, metrics).
#[derive(Debug)]
pub struct GrpcListeners {
    name: &'static str,
    grpc: TcpListener,
    admin: TcpListener,
}

impl GrpcListeners {
    /// Binds both ports of the service called `name` (port 0 picks a free one).
    pub async fn bind(
        name: &'static str,
        grpc: SocketAddr,
        admin: SocketAddr,
    ) -> std::io::Result<Self> {
        Ok(Self {
            name,
            grpc: crate::listen(grpc).await?,
            admin: crate::listen(admin).await?,
        })
    }

    /// Where gRPC is answered.
    pub fn grpc_address(&self) -> SocketAddr {
        self.grpc
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Both bound addresses: `NAME` for gRPC, `NAME-admin` for HTTP.
    pub fn addresses(&self) -> BoundAddresses {
        BoundAddresses::from([
            (self.name.to_owned(), self.grpc_address()),
            (
                format!("{}-admin", self.name),
                self.admin
                    .local_addr()
                    .expect("a bound listener has an address"),
            ),
        ])
    }

    /// Serves `service` with health and reflection, and the operational
    /// endpoints, until `shutdown`; then drains.
    pub async fn serve(
        self,
        service: GrpcService,
        shutdown: CancellationToken,
    ) -> anyhow::Result<()> {
        let (reporter, health) = tonic_health::server::health_reporter();
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(udaconnect_proto::FILE_DESCRIPTOR_SET)
            .build_v1()?;
        let routes = service.routes.add_service(health).add_service(reflection);

        tokio::spawn(report_health(
            reporter,
            service.proto_name,
            service.readiness.clone(),
            shutdown.clone(),
        ));
        let admin_task = tokio::spawn(admin::serve(
            self.admin,
            service.readiness,
            shutdown.clone(),
        ));

        tracing::info!(service = self.name, address = %self.grpc.local_addr()?, "gRPC listening");
        Server::builder()
            .timeout(CALL_TIMEOUT)
            .layer(RequestTraceLayer)
            .layer(RequestMetricsLayer::new(self.name))
            .layer(tower::util::MapResponseLayer::new(
                unreadable_request_is_invalid,
            ))
            .add_routes(routes)
            // Small request/answer pairs must not wait for delayed ACKs (Nagle's
            // algorithm cost 40 ms per call between services).
            .serve_with_incoming_shutdown(
                TcpIncoming::from(self.grpc).with_nodelay(Some(true)),
                shutdown.cancelled(),
            )
            .await?;
        admin_task.await??;
        tracing::info!(service = self.name, "stopped");
        Ok(())
    }
}

/// Keeps the gRPC health status (what Kubernetes' `grpc:` probes ask) in step
/// with the readiness check.
async fn report_health(
    reporter: HealthReporter,
    proto_name: &'static str,
    readiness: ReadinessCheck,
    shutdown: CancellationToken,
) {
    let mut interval = tokio::time::interval(HEALTH_REFRESH);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = interval.tick() => {}
        }
        let status = match readiness.check().await {
            Ok(()) => ServingStatus::Serving,
            Err(_) => ServingStatus::NotServing,
        };
        reporter.set_service_status("", status).await;
        reporter.set_service_status(proto_name, status).await;
    }
    reporter
        .set_service_status("", ServingStatus::NotServing)
        .await;
    reporter
        .set_service_status(proto_name, ServingStatus::NotServing)
        .await;
}
