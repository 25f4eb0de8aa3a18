//! The W3C trace context (`traceparent`) across process boundaries: read
//! from a request's headers or a Kafka record's, written into an outgoing
//! call's, so that the spans each service exports join into one trace.
//!
//! All of it is a no-op unless the process exports spans: without an
//! exporter there is no trace to join, and requests cost no span.

use std::{
    collections::{HashMap, HashSet},
    sync::atomic::{AtomicBool, Ordering},
    task::{Context, Poll},
};

use axum::extract::MatchedPath;
use http::Request;
use opentelemetry::{
    propagation::Extractor,
    trace::{SpanContext, TraceContextExt},
};
use tower::{Layer, Service};
use tracing::{Instrument, instrument::Instrumented};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::request_metrics::{FAILED, GRPC_STATUS_PREFIX};

/// Set once the process exports spans ([`crate::init_logging`]).
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Records that spans are exported from now on.
pub(crate) fn start_exporting() {
    EXPORTING.store(true, Ordering::Relaxed);
}

fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// The trace context of the current span, as the headers that carry it
/// (`traceparent`, and `tracestate` when there is one): what an outgoing
/// call or record carries so that its receiver's span is this span's child.
/// Empty when no span is exported.
pub fn current_trace_context() -> HashMap<String, String> {
    let mut carrier = HashMap::new();
    if exporting() {
        let context = tracing::Span::current().context();
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.inject_context(&context, &mut carrier);
        });
    }
    carrier
}

/// The span context a `traceparent` value stands for; invalid if the value
/// is not one.
fn span_context_of(traceparent: &str) -> SpanContext {
    let carrier = HashMap::from([("traceparent".to_owned(), traceparent.to_owned())]);
    opentelemetry::global::get_text_map_propagator(|propagator| propagator.extract(&carrier))
        .span()
        .span_context()
        .clone()
}

/// Makes `span` (not yet entered) the continuation of work that several
/// traces caused, as a batch of records is: its parent is the first valid
/// `traceparent`, and it links to the others, once each.
pub fn follow_traceparents<I>(span: &tracing::Span, traceparents: I)
where
    I: IntoIterator,
    I::Item: AsRef<str>,
{
    if !exporting() {
        return;
    }
    let mut seen = HashSet::new();
    let mut contexts = traceparents
        .into_iter()
        .map(|value| span_context_of(value.as_ref()))
        .filter(|context| {
            context.is_valid() && seen.insert((context.trace_id(), context.span_id()))
        });
    if let Some(parent) = contexts.next() {
        // Fails only for a disabled span, which exports nothing anyway.
        let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(parent));
    }
    for link in contexts {
        span.add_link(link);
    }
}

/// Marks a request's span with how the request ended, `status` as the
/// request metrics label it (`200`, `503`, `grpc-13`, `error`,
/// `abandoned`): the answer's HTTP or gRPC status code as an attribute, and
/// the span's status an error when the server failed (a 5xx, or a gRPC code
/// that OpenTelemetry counts as the server's fault) so that a tracing
/// backend finds the failed requests. A client's mistake (a 4xx, a gRPC
/// `INVALID_ARGUMENT` or `NOT_FOUND`) is not the server's error, and a
/// request whose client went away has no status to give.
pub(crate) fn record_outcome(span: &tracing::Span, status: &str) {
    if !exporting() || span.is_disabled() {
        return;
    }
    let failed = if let Some(code) = status.strip_prefix(GRPC_STATUS_PREFIX) {
        let Ok(code) = code.parse::<i64>() else {
            return;
        };
        span.set_attribute("rpc.grpc.status_code", code);
        server_fault_grpc_code(code)
    } else if let Ok(code) = status.parse::<i64>() {
        span.set_attribute("http.response.status_code", code);
        code >= 500
    } else {
        status == FAILED
    };
    if failed {
        span.set_status(opentelemetry::trace::Status::error(status.to_owned()));
    }
}

/// The gRPC codes a server's span reports as errors (OpenTelemetry's
/// semantic conventions for RPC): UNKNOWN, DEADLINE_EXCEEDED,
/// UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS.
fn server_fault_grpc_code(code: i64) -> bool {
    matches!(code, 2 | 4 | 12 | 13 | 14 | 15)
}

/// Reads trace headers from an HTTP (or gRPC) request.
struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// The gRPC health service's methods, which make no span.
const HEALTH_CHECKS: &str = "/grpc.health.v1.Health/";

/// Runs each request in a server span named by its route (axum's matched
/// path, or the gRPC method path), whose parent is the caller's span when
/// the request carries a `traceparent`. Health checks make none.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestTraceLayer;

impl<S> Layer<S> for RequestTraceLayer {
    type Service = RequestTrace<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestTrace { inner }
    }
}

/// The service that [`RequestTraceLayer`] wraps around another.
#[derive(Debug, Clone)]
pub struct RequestTrace<S> {
    inner: S,
}

impl<S, Body> Service<Request<Body>> for RequestTrace<S>
where
    S: Service<Request<Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Instrumented<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // Health checks (probes, peers' readiness, every few seconds) would
        // bury the traces worth reading.
        if !exporting() || request.uri().path().starts_with(HEALTH_CHECKS) {
            return self.inner.call(request).instrument(tracing::Span::none());
        }
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|path| path.as_str().to_owned())
            .unwrap_or_else(|| request.uri().path().to_owned());
        let span = tracing::info_span!(
            "request",
            otel.name = %route,
            otel.kind = "server",
            http.request.method = %request.method(),
        );
        let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.extract(&HeaderExtractor(request.headers()))
        });
        // Fails only for a disabled span, which exports nothing anyway.
        let _ = span.set_parent(parent);
        let response = span.in_scope(|| self.inner.call(request));
        response.instrument(span)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use opentelemetry::{
        Value,
        trace::{Status, TraceId, TracerProvider as _},
    };
    use opentelemetry_sdk::{
        error::OTelSdkResult,
        propagation::TraceContextPropagator,
        trace::{SdkTracerProvider, SpanData, SpanExporter},
    };
    use tower::ServiceExt;
    use tracing_subscriber::prelude::*;

    use super::*;
    use crate::RequestMetricsLayer;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const CALLER: &str = "00f067aa0ba902b7";

    /// Spans made into OpenTelemetry spans (sent nowhere) on this thread,
    /// as `init_logging` does with an exporter.
    fn exporting_spans() -> tracing::subscriber::DefaultGuard {
        spans_to(SdkTracerProvider::builder().build())
    }

    /// Spans made into OpenTelemetry spans of `provider` on this thread.
    fn spans_to(provider: SdkTracerProvider) -> tracing::subscriber::DefaultGuard {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        start_exporting();
        let tracer = provider.tracer("test");
        tracing::subscriber::set_default(
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer)),
        )
    }

    /// Keeps every span that ends, as a collector would.
    #[derive(Debug, Clone, Default)]
    struct Collected(Arc<Mutex<Vec<SpanData>>>);

    impl SpanExporter for Collected {
        async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
            self.0.lock().unwrap().extend(batch);
            Ok(())
        }
    }

    /// The value of `span`'s attribute `key`, if it has one.
    fn attribute<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
        span.attributes
            .iter()
            .find(|attribute| attribute.key.as_str() == key)
            .map(|attribute| &attribute.value)
    }

    fn trace_of(carrier: &HashMap<String, String>) -> (&str, &str) {
        let traceparent = carrier["traceparent"].as_str();
        (&traceparent[3..35], &traceparent[36..52])
    }

    #[test]
    fn a_batch_continues_its_first_valid_record() {
        let _spans = exporting_spans();
        let span = tracing::info_span!("batch");
        follow_traceparents(
            &span,
            [
                "garbage".to_owned(),
                format!("00-{TRACE}-{CALLER}-01"),
                "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned(),
            ],
        );
        let carried = span.in_scope(current_trace_context);
        let (trace, parent) = trace_of(&carried);
        assert_eq!(trace, TRACE);
        assert_ne!(parent, CALLER, "the batch is a span of its own");
    }

    #[test]
    fn without_a_span_nothing_is_carried() {
        let _spans = exporting_spans();
        assert!(current_trace_context().is_empty());
    }

    #[tokio::test]
    async fn a_request_span_continues_the_callers_trace() {
        let _spans = exporting_spans();
        let handler = tower::service_fn(|_: Request<()>| async {
            Ok::<_, std::convert::Infallible>(current_trace_context())
        });
        let request = Request::builder()
            .uri("/udaconnect.v1.IngestService/SendPing")
            .header("traceparent", format!("00-{TRACE}-{CALLER}-01"))
            .body(())
            .unwrap();
        let carried = RequestTraceLayer
            .layer(handler)
            .oneshot(request)
            .await
            .unwrap();
        let (trace, parent) = trace_of(&carried);
        assert_eq!(trace, TRACE);
        assert_ne!(parent, CALLER);

        let fresh = Request::builder().uri("/a").body(()).unwrap();
        let carried = RequestTraceLayer
            .layer(handler)
            .oneshot(fresh)
            .await
            .unwrap();
        let (trace, _) = trace_of(&carried);
        assert_ne!(trace, TRACE, "no traceparent: a trace of its own");
        assert_ne!(TraceId::from_hex(trace).unwrap(), TraceId::INVALID);
    }

    #[tokio::test]
    async fn a_request_span_tells_how_the_request_ended() {
        let collected = Collected::default();
        let _spans = spans_to(
            SdkTracerProvider::builder()
                .with_simple_exporter(collected.clone())
                .build(),
        );
        // Each path answers with the status it names: an HTTP status, or
        // gRPC's `grpc-status` header on a 200.
        let handler = tower::service_fn(|request: Request<()>| async move {
            let mut response = http::Response::builder();
            response = match request.uri().path().strip_prefix("/grpc/") {
                Some(code) => response.header("grpc-status", code),
                None => response.status(request.uri().path()[1..].parse::<u16>().unwrap()),
            };
            Ok::<_, std::convert::Infallible>(response.body(axum::body::Body::empty()).unwrap())
        });
        let service = RequestTraceLayer.layer(RequestMetricsLayer::new("test").layer(handler));
        for path in ["/200", "/404", "/503", "/grpc/0", "/grpc/5", "/grpc/13"] {
            let request = Request::builder().uri(path).body(()).unwrap();
            let response = service.clone().oneshot(request).await.unwrap();
            // The span ends once the answer has been sent whole.
            axum::body::to_bytes(axum::body::Body::new(response.into_body()), usize::MAX)
                .await
                .unwrap();
        }

        let spans = collected.0.lock().unwrap();
        let span = |name: &str| {
            spans
                .iter()
                .find(|span| span.name == name)
                .unwrap_or_else(|| panic!("no span {name}"))
        };
        for (name, code) in [("/200", 200), ("/404", 404), ("/503", 503)] {
            assert_eq!(
                attribute(span(name), "http.response.status_code"),
                Some(&Value::I64(code))
            );
        }
        for (name, code) in [("/grpc/0", 0), ("/grpc/5", 5), ("/grpc/13", 13)] {
            assert_eq!(
                attribute(span(name), "rpc.grpc.status_code"),
                Some(&Value::I64(code))
            );
        }
        // Only the server's failures are errors; a client's mistake is not.
        for name in ["/200", "/404", "/grpc/0", "/grpc/5"] {
            assert_eq!(span(name).status, Status::Unset, "{name}");
        }
        assert_eq!(span("/503").status, Status::error("503"));
        assert_eq!(span("/grpc/13").status, Status::error("grpc-13"));
    }
}
