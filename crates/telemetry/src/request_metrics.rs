use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

use axum::extract::MatchedPath;
use http::{Request, Response};
use tower::{Layer, Service};

/// Counts requests and records their latency as `requests_total` and
/// `request_duration_seconds`, labelled by service, route and status, once
/// each request has ended: its answer sent whole (the HTTP status, or
/// `grpc-<code>` from the answer's trailers or headers), `error`, or
/// `abandoned` when it ended before its answer did (the client went away
/// mid-stream). A request the API's time limit cuts short is counted with
/// the 503 it is answered.
///
/// The request's span, when the layer runs inside [`crate::RequestTraceLayer`],
/// is marked with the same outcome.
///
/// The route is axum's matched path (bounded: `/api/persons/{person_id}`) or,
/// for gRPC, the method path (`/udaconnect.v1.PersonService/GetPerson`).
#[derive(Debug, Clone)]
pub struct RequestMetricsLayer {
    service: &'static str,
}

impl RequestMetricsLayer {
    /// Metrics labelled with `service` (`api`, `persons`, …).
    pub fn new(service: &'static str) -> Self {
        Self { service }
    }
}

impl<S> Layer<S> for RequestMetricsLayer {
    type Service = RequestMetrics<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequestMetrics {
            inner,
            service: self.service,
        }
    }
}

/// The service that [`RequestMetricsLayer`] wraps around another.
#[derive(Debug, Clone)]
pub struct RequestMetrics<S> {
    inner: S,
    service: &'static str,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RequestMetrics<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
{
    type Response = Response<MeteredBody<ResBody>>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|path| path.as_str().to_owned())
            .unwrap_or_else(|| request.uri().path().to_owned());
        let mut recorder = Recorder {
            labels: Some([
                ("service", self.service.to_owned()),
                ("method", request.method().to_string()),
                ("route", route),
            ]),
            started: Instant::now(),
            status: ABANDONED.to_owned(),
            span: tracing::Span::current(),
        };
        let response = self.inner.call(request);
        Box::pin(async move {
            match response.await {
                Ok(response) => {
                    let status = grpc_or_http_status(&response);
                    let (parts, body) = response.into_parts();
                    Ok(Response::from_parts(
                        parts,
                        MeteredBody {
                            body,
                            status,
                            recorder,
                        },
                    ))
                }
                Err(error) => {
                    recorder.status = FAILED.to_owned();
                    recorder.record();
                    Err(error)
                }
            }
        })
    }
}

/// The status recorded for a request that ended before its answer did: the
/// client went away, or a time limit cut it short.
const ABANDONED: &str = "abandoned";

/// The status recorded for a request whose service failed to answer.
pub(crate) const FAILED: &str = "error";

/// What the status recorded for a gRPC answer starts with, before its code.
pub(crate) const GRPC_STATUS_PREFIX: &str = "grpc-";

/// The status recorded for a gRPC answer of `code` (`grpc-5`).
fn grpc_status_label(code: &str) -> String {
    format!("{GRPC_STATUS_PREFIX}{code}")
}

/// Records one request when it ends, however it ends: its answer sent
/// whole, an error, or dropped midway ([`ABANDONED`]).
struct Recorder {
    labels: Option<[(&'static str, String); 3]>,
    started: Instant,
    status: String,
    /// The request's span (disabled when none is exported).
    span: tracing::Span,
}

impl Recorder {
    fn record(&mut self) {
        let Some([service, method, route]) = self.labels.take() else {
            return;
        };
        crate::trace_context::record_outcome(&self.span, &self.status);
        let labels = [
            service,
            method,
            route,
            ("status", std::mem::take(&mut self.status)),
        ];
        metrics::counter!("requests_total", &labels).increment(1);
        metrics::histogram!("request_duration_seconds", &labels)
            .record(self.started.elapsed().as_secs_f64());
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.record();
    }
}

pin_project_lite::pin_project! {
    /// An answer's body that records the request once it is sent whole
    /// (with the gRPC status its trailers carry, for a streamed answer) or
    /// dropped before its end ([`ABANDONED`]).
    pub struct MeteredBody<B> {
        #[pin]
        body: B,
        // The answer's status so far: its HTTP status or headers' gRPC
        // status, then its trailers' gRPC status.
        status: String,
        recorder: Recorder,
    }
}

impl<B: http_body::Body> http_body::Body for MeteredBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        let frame = std::task::ready!(this.body.as_mut().poll_frame(cx));
        let mut ended = frame.is_none();
        match &frame {
            Some(Ok(frame)) => {
                if let Some(trailers) = frame.trailers_ref() {
                    // Trailers are an answer's last frame.
                    ended = true;
                    if let Some(code) = trailers
                        .get("grpc-status")
                        .and_then(|code| code.to_str().ok())
                    {
                        *this.status = grpc_status_label(code);
                    }
                }
            }
            Some(Err(_)) => {
                ended = true;
                *this.status = FAILED.to_owned();
            }
            None => {}
        }
        // The server stops asking once the body says it has ended.
        if ended || this.body.is_end_stream() {
            this.recorder.status = std::mem::take(this.status);
            this.recorder.record();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// gRPC errors travel as a `grpc-status` header with HTTP 200; report those.
fn grpc_or_http_status<B>(response: &Response<B>) -> String {
    response
        .headers()
        .get("grpc-status")
        .and_then(|status| status.to_str().ok())
        .map(grpc_status_label)
        .unwrap_or_else(|| response.status().as_u16().to_string())
}
