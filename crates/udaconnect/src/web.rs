//! `udaconnect web`: serves the built web page, and tells it at run time
//! where the REST API is (`/config.json`), so one build of the page runs in
//! every environment.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use anyhow::bail;
use axum::{
    Json, Router,
    extract::Request,
    http::{HeaderValue, header},
    middleware::{self, Next},
    response::Response,
    routing::get,
};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

use crate::{admin, config::WebServerArgs};

/// The page's entry point; every path that is not a file gets it, so that
/// shared links to a view load the page.
const INDEX: &str = "index.html";

/// The web application: the page's files, its configuration and the
/// operational endpoints.
pub fn router(assets_dir: &Path, api_url: Option<String>) -> Router {
    let index = assets_dir.join(INDEX);
    let readiness_dir = assets_dir.to_owned();
    let readiness: admin::ReadinessCheck = Arc::new(move || {
        let result = check_assets(&readiness_dir).map_err(|error| error.to_string());
        Box::pin(async move { result })
    });
    let content_security_policy = content_security_policy(api_url.as_deref());
    let config = json!({ "api_url": api_url });
    let files = ServeDir::new(assets_dir).fallback(ServeFile::new(index));

    Router::new()
        .route(
            "/config.json",
            get(move || async move {
                ([(header::CACHE_CONTROL, "no-store")], Json(config.clone()))
            }),
        )
        .merge(admin::routes(readiness))
        .fallback_service(files)
        .layer(middleware::from_fn(cache_control))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            content_security_policy,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(TraceLayer::new_for_http())
}

/// Only the page's own scripts and styles, and requests to the API alone.
/// Without a configured API URL the page calls its own host on another
/// port, which a policy cannot name, so any origin is allowed then.
fn content_security_policy(api_url: Option<&str>) -> HeaderValue {
    let connect = match api_url {
        Some(url) => format!("'self' {url}"),
        None => "*".to_owned(),
    };
    let policy = format!(
        "default-src 'self'; connect-src {connect}; img-src 'self' data:; \
         style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    );
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// Vite names the files under `/assets/` by their content, so they never
/// change and may be cached for good; anything else (the entry page above
/// all) is checked again on every load, so a deployment takes effect at once.
async fn cache_control(request: Request, next: Next) -> Response {
    let immutable = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        let value = if immutable && response.status().is_success() {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// Fails early with the fix when the page has not been built.
pub fn check_assets(assets_dir: &Path) -> anyhow::Result<()> {
    let index = assets_dir.join(INDEX);
    if !index.is_file() {
        bail!(
            "the web page is not built: {} is missing (run `npm ci && npm run build` in web/, \
             or set WEB_ASSETS_DIR)",
            index.display()
        );
    }
    Ok(())
}

/// Serves the page on `listener` until `shutdown`, then drains.
pub async fn run(
    assets_dir: PathBuf,
    api_url: Option<String>,
    listener: TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    check_assets(&assets_dir)?;
    tracing::info!(address = %listener.local_addr()?, assets = %assets_dir.display(), "web page served");
    axum::serve(listener, router(&assets_dir, api_url))
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await?;
    tracing::info!("web server stopped");
    Ok(())
}

/// Starts the web server as configured (`udaconnect web`).
pub async fn start(server: &WebServerArgs, shutdown: CancellationToken) -> anyhow::Result<()> {
    run(
        server.assets_dir.clone(),
        server.api_url.clone(),
        TcpListener::bind(server.listen).await?,
        shutdown,
    )
    .await
}
