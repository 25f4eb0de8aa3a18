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
    use opentelemetry::trace::{TraceId, TracerProvider as _};
    use opentelemetry_sdk::{propagation::TraceContextPropagator, trace::SdkTracerProvider};
    use tower::ServiceExt;
    use tracing_subscriber::prelude::*;

    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const CALLER: &str = "00f067aa0ba902b7";

    /// Spans made into OpenTelemetry spans (sent nowhere) on this thread,
    /// as `init_logging` does with an exporter.
    fn exporting_spans() -> tracing::subscriber::DefaultGuard {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        start_exporting();
        let tracer = SdkTracerProvider::builder().build().tracer("test");
        tracing::subscriber::set_default(
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer)),
        )
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
}
