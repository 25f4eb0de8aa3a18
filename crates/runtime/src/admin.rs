//! The operational endpoints every service exposes over HTTP: liveness,
//! readiness and Prometheus metrics.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};
use futures::future::BoxFuture;
use serde_json::json;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What a readiness probe runs: whether the service's dependencies answer
/// right now, or why not.
type Probe = dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync;

/// Answers whether the service's dependencies are reachable right now, and
/// logs when that changes rather than at every probe: a database down for a
/// minute is one warning when it goes, with the reason, and one line when it
/// is back, with how long it was gone. Clones share what was logged.
#[derive(Clone)]
pub struct ReadinessCheck {
    probe: Arc<Probe>,
    /// Since when and why the checks fail; `None` while they pass.
    failing: Arc<Mutex<Option<(Instant, String)>>>,
}

impl ReadinessCheck {
    /// A check that runs `probe`.
    pub fn new(
        probe: impl Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            probe: Arc::new(probe),
            failing: Arc::default(),
        }
    }

    /// Runs the probe; the error says which dependency does not answer.
    pub async fn check(&self) -> Result<(), String> {
        let outcome = (self.probe)().await;
        let mut failing = self
            .failing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match (&outcome, failing.take()) {
            (Err(reason), None) => {
                tracing::warn!(%reason, "not ready");
                *failing = Some((Instant::now(), reason.clone()));
            }
            (Err(reason), Some((since, before))) => {
                if *reason != before {
                    tracing::warn!(%reason, %before, "still not ready, for another reason");
                }
                *failing = Some((since, reason.clone()));
            }
            (Ok(()), Some((since, _))) => {
                tracing::info!(down_for = ?since.elapsed(), "ready again");
            }
            (Ok(()), None) => {}
        }
        outcome
    }
}

/// Readiness of a service whose only dependency is its database, named
/// `name`; also publishes the use of its pool until `shutdown`.
pub fn database_readiness(
    name: &'static str,
    pool: PgPool,
    shutdown: CancellationToken,
) -> ReadinessCheck {
    tokio::spawn(report_pool(name, pool.clone(), shutdown));
    ReadinessCheck::new(move || {
        let pool = pool.clone();
        Box::pin(async move {
            udaconnect_storage::ping(&pool)
                .await
                .map_err(|error| error.to_string())
        })
    })
}

/// How often a database pool's use is published.
const POOL_REPORT_PERIOD: Duration = Duration::from_secs(5);

/// Publishes the use of `pool` every few seconds until `shutdown`: a pool
/// running dry shows on the dashboard before requests start waiting for
/// connections.
async fn report_pool(name: &'static str, pool: PgPool, shutdown: CancellationToken) {
    let max = pool.options().get_max_connections();
    metrics::gauge!("db_pool_max_connections", "pool" => name).set(f64::from(max));
    crate::periodic::every(POOL_REPORT_PERIOD, shutdown, || {
        let idle = pool.num_idle() as f64;
        let open = f64::from(pool.size());
        metrics::gauge!("db_pool_connections", "pool" => name, "state" => "idle").set(idle);
        metrics::gauge!("db_pool_connections", "pool" => name, "state" => "in_use")
            .set(open - idle);
        std::future::ready(())
    })
    .await;
}

/// `/healthz` (the process answers), `/readyz` (its dependencies answer) and
/// `/metrics` (Prometheus text format).
///
/// Building the routes installs the metrics recorder, so counts start with
/// the server rather than with the first scrape.
pub fn routes(readiness: ReadinessCheck) -> Router {
    let metrics = udaconnect_telemetry::metrics_handle();
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .route("/readyz", get(readyz))
        .with_state(readiness)
        .route(
            "/metrics",
            get(move || async move {
                (
                    [("content-type", "text/plain; version=0.0.4")],
                    metrics.render(),
                )
            }),
        )
}

async fn readyz(State(readiness): State<ReadinessCheck>) -> impl IntoResponse {
    match readiness.check().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "reason": reason })),
        ),
    }
}

/// Serves the operational endpoints on their own port until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    readiness: ReadinessCheck,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, routes(readiness))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::*;

    /// The formatted log, shared with the subscriber that writes it.
    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Log {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn an_outage_is_logged_when_it_starts_and_when_it_ends_not_at_every_probe() {
        let log = Log::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer({
                let log = log.clone();
                move || log.clone()
            })
            .with_ansi(false)
            .finish();
        let _logging = tracing::subscriber::set_default(subscriber);
        let up = Arc::new(AtomicBool::new(true));
        let check = ReadinessCheck::new({
            let up = up.clone();
            move || {
                let outcome = if up.load(Ordering::SeqCst) {
                    Ok(())
                } else {
                    Err("database: connection refused".to_owned())
                };
                Box::pin(std::future::ready(outcome))
            }
        });
        // A clone, as the health reporter and /readyz each hold one.
        let other_prober = check.clone();

        check.check().await.unwrap();
        up.store(false, Ordering::SeqCst);
        for _ in 0..4 {
            assert_eq!(
                check.check().await.unwrap_err(),
                "database: connection refused"
            );
            other_prober.check().await.unwrap_err();
        }
        up.store(true, Ordering::SeqCst);
        other_prober.check().await.unwrap();
        check.check().await.unwrap();

        let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(
            lines[0].contains("WARN")
                && lines[0].contains("not ready")
                && lines[0].contains("connection refused"),
            "{text}"
        );
        assert!(
            lines[1].contains("INFO") && lines[1].contains("ready again"),
            "{text}"
        );
    }
}
