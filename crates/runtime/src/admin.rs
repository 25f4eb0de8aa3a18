//! The operational endpoints every service exposes over HTTP: liveness,
//! readiness and Prometheus metrics.

use std::{sync::Arc, time::Duration};

use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};
use futures::future::BoxFuture;
use serde_json::json;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// Answers whether the service's dependencies are reachable right now.
pub type ReadinessCheck = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// Readiness of a service whose only dependency is its database, named
/// `name`; also publishes the use of its pool until `shutdown`.
pub fn database_readiness(
    name: &'static str,
    pool: PgPool,
    shutdown: CancellationToken,
) -> ReadinessCheck {
    tokio::spawn(report_pool(name, pool.clone(), shutdown));
    Arc::new(move || {
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
    match readiness().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not ready", "reason": reason })),
            )
        }
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
