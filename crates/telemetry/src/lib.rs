//! Logs, metrics and traces, set up the same way in every UdaConnect
//! service, so that operators read one format, scrape one set of names and
//! follow one ping across services.

mod request_metrics;
mod trace_context;
mod tracing_export;

pub use request_metrics::RequestMetricsLayer;
pub use trace_context::{RequestTraceLayer, current_trace_context, follow_traceparents};
pub use tracing_export::{TraceExport, TraceExportError, Tracing};

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::{EnvFilter, filter::LevelFilter, fmt, prelude::*};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Installs the global log subscriber, and with `traces` an exporter of
/// spans to an OpenTelemetry collector next to it; keep the returned
/// [`Tracing`] and shut it down at exit. The log filter comes from
/// `RUST_LOG` (default `info`); spans of level info and above are exported
/// whatever it says, so that quieter logs keep whole traces. Safe to call
/// more than once: later calls install nothing. Needs a Tokio runtime when
/// `traces` is given.
pub fn init_logging(
    format: LogFormat,
    traces: Option<&TraceExport>,
) -> Result<Tracing, TraceExportError> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = match format {
        LogFormat::Text => fmt::layer().boxed(),
        LogFormat::Json => fmt::layer().json().flatten_event(true).boxed(),
    }
    .with_filter(filter);
    let (exporter, spans) = match traces {
        Some(export) => {
            let (exporter, tracer) = tracing_export::install(export)?;
            let spans = tracing_opentelemetry::layer()
                .with_tracer(tracer)
                .with_filter(LevelFilter::INFO);
            (exporter, Some(spans))
        }
        None => (Tracing::default(), None),
    };
    let exports = spans.is_some();
    // An error only means a subscriber is already installed (tests, `all`).
    if tracing_subscriber::registry()
        .with(logs)
        .with(spans)
        .try_init()
        .is_ok()
    {
        // The trace context travels as W3C `traceparent` headers.
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
        if exports {
            trace_context::start_exporting();
        }
    }
    Ok(exporter)
}

/// The process-wide Prometheus recorder, installed on first use, whose
/// handle renders the `/metrics` page.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    10.0,
                ])
                .expect("the bucket list is not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed, in which case our
            // handle renders an empty page rather than taking the process down.
            let _ = metrics::set_global_recorder(recorder);
            describe_process();
            handle
        })
        .clone()
}

/// What process this is: when it started (a restart shows as a change,
/// and counters that fell back to zero are explained by it) and which build
/// it runs (`UDACONNECT_REVISION` is set by the image build).
fn describe_process() {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_secs_f64())
        .unwrap_or_default();
    metrics::gauge!("process_start_time_seconds").set(started);
    metrics::gauge!(
        "udaconnect_build_info",
        "version" => env!("CARGO_PKG_VERSION"),
        "revision" => option_env!("UDACONNECT_REVISION").unwrap_or("unknown"),
    )
    .set(1.0);
}
