//! Sending the spans of a process to an OpenTelemetry collector over OTLP
//! (gRPC), so that one ping's path through ingest, Kafka, the consumer and
//! locations reads as one trace.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::{
    Resource,
    trace::{SdkTracerProvider, Tracer},
};

/// Where a process sends its spans, and under which service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceExport {
    /// The collector's OTLP/gRPC address (`http://otel-collector:4317`).
    pub endpoint: String,
    /// The `service.name` the spans are filed under (`ingest`, …).
    pub service_name: String,
}

/// Why spans cannot be exported.
#[derive(Debug, thiserror::Error)]
#[error("cannot export traces to {endpoint}: {source}")]
pub struct TraceExportError {
    endpoint: String,
    #[source]
    source: opentelemetry_otlp::ExporterBuildError,
}

/// The exporter of a process, kept so that the spans still queued reach the
/// collector when the process ends ([`Tracing::shutdown`]).
#[derive(Debug, Default)]
#[must_use = "spans still queued are lost unless `shutdown` is called at exit"]
pub struct Tracing {
    provider: Option<SdkTracerProvider>,
}

impl Tracing {
    /// Sends the spans still queued and stops the exporter. Waits on a
    /// blocking thread: the exporter's own thread needs the runtime's
    /// workers free to send them.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        let outcome = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        if !matches!(outcome, Ok(Ok(()))) {
            tracing::warn!(?outcome, "the last spans may not have been exported");
        }
    }
}

/// The batch exporter to `export`'s collector, and the tracer that feeds it.
/// Needs a Tokio runtime: the gRPC channel is created on it (lazily: the
/// collector need not be up yet).
pub(crate) fn install(export: &TraceExport) -> Result<(Tracing, Tracer), TraceExportError> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(&export.endpoint)
        .build()
        .map_err(|source| TraceExportError {
            endpoint: export.endpoint.clone(),
            source,
        })?;
    let provider = SdkTracerProvider::builder()
        .with_resource(
            Resource::builder()
                .with_service_name(export.service_name.clone())
                .build(),
        )
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
    Ok((
        Tracing {
            provider: Some(provider),
        },
        tracer,
    ))
}
