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
/// `request_duration_seconds`, labelled by service, route and status.
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
    type Response = S::Response;
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
        let method = request.method().to_string();
        let service = self.service;
        let started = Instant::now();
        let response = self.inner.call(request);
        Box::pin(async move {
            let result = response.await;
            let status = match &result {
                Ok(response) => grpc_or_http_status(response),
                Err(_) => "error".to_owned(),
            };
            let labels = [
                ("service", service.to_owned()),
                ("method", method),
                ("route", route),
                ("status", status),
            ];
            metrics::counter!("requests_total", &labels).increment(1);
            metrics::histogram!("request_duration_seconds", &labels)
                .record(started.elapsed().as_secs_f64());
            result
        })
    }
}

/// gRPC errors travel as a `grpc-status` header with HTTP 200; report those.
fn grpc_or_http_status<B>(response: &Response<B>) -> String {
    response
        .headers()
        .get("grpc-status")
        .and_then(|status| status.to_str().ok())
        .map(|code| format!("grpc-{code}"))
        .unwrap_or_else(|| response.status().as_u16().to_string())
}
