//! The web server: serves the built web page, and tells it at run time
//! where the REST API is (`/config.json`), so one build of the page runs in
//! every environment.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
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
use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::{
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};

use udaconnect_runtime::{BoundAddresses, Service, admin};

/// Where the web page is served from, and which API it talks to.
#[derive(Debug, Clone, Args)]
pub struct WebConfig {
    /// Address of the web page's HTTP endpoint (also serves /config.json,
    /// /healthz, /readyz, /metrics).
    #[arg(
        id = "web-listen",
        long = "web-listen",
        env = "WEB_LISTEN",
        default_value = "127.0.0.1:30000"
    )]
    pub listen: SocketAddr,
    /// Folder holding the built page (`npm run build` in `web/`).
    #[arg(long, env = "WEB_ASSETS_DIR", default_value = "web/dist")]
    pub assets_dir: PathBuf,
    /// Base URL of the REST API as the browser reaches it. Unset: the page's
    /// own host on port 30001.
    #[arg(long, env = "WEB_API_URL")]
    pub api_url: Option<String>,
}

/// The page's entry point; every path that is not a file gets it, so that
/// shared links to a view load the page.
const INDEX: &str = "index.html";

/// The web application: the page's files, its configuration and the
/// operational endpoints.
fn router(assets_dir: &Path, api_url: Option<String>) -> Router {
    let index = assets_dir.join(INDEX);
    let readiness_dir = assets_dir.to_owned();
    let readiness = admin::ReadinessCheck::new(move || {
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

/// The web server, bound and ready to serve.
#[derive(Debug)]
pub struct WebServer {
    listener: TcpListener,
    assets_dir: PathBuf,
    api_url: Option<String>,
}

impl WebServer {
    /// Checks that the page is built, then binds the server's port.
    pub async fn build(config: &WebConfig) -> anyhow::Result<Self> {
        check_assets(&config.assets_dir)?;
        Ok(Self {
            listener: udaconnect_runtime::listen(config.listen).await?,
            assets_dir: config.assets_dir.clone(),
            api_url: config.api_url.clone(),
        })
    }

    /// Where the page is served.
    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }
}

impl Service for WebServer {
    fn addresses(&self) -> BoundAddresses {
        BoundAddresses::from([("web".to_owned(), self.address())])
    }

    fn run_until_stopped(
        self: Box<Self>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        async move {
            tracing::info!(address = %self.address(), assets = %self.assets_dir.display(), "web page served");
            axum::serve(self.listener, router(&self.assets_dir, self.api_url))
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await?;
            tracing::info!("web server stopped");
            Ok(())
        }
        .boxed()
    }
}
