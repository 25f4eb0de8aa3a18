//! The web server: the page's files with the right caching, every view's
//! URL answered with the page, and the run-time configuration.

use tokio_util::sync::CancellationToken;
use udaconnect_runtime::Service;
use udaconnect_web::{WebConfig, WebServer};

use crate::support::any_port;

/// A built page in a folder of its own: an entry page and one asset.
pub fn built_page() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("udc-web-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>UdaConnect</title>",
    )
    .unwrap();
    std::fs::write(dir.join("assets/index-abc123.js"), "console.log('hi')").unwrap();
    dir
}

#[tokio::test]
async fn the_page_its_assets_and_its_configuration_are_served() {
    let assets = built_page();
    let server = WebServer::build(&WebConfig {
        listen: any_port(),
        assets_dir: assets.clone(),
        api_url: Some("http://api.example:30001".to_owned()),
    })
    .await
    .unwrap();
    let base = format!("http://{}", server.address());
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(Box::new(server).run_until_stopped(shutdown.clone()));
    let http = reqwest::Client::new();

    let config = http
        .get(format!("{base}/config.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(config.headers()["cache-control"], "no-store");
    let config: serde_json::Value = config.json().await.unwrap();
    assert_eq!(config["api_url"], "http://api.example:30001");

    // A shared link to a view loads the page, which must not be cached.
    let view = http
        .get(format!("{base}/?person=1&start=2020-07-07"))
        .send()
        .await
        .unwrap();
    assert_eq!(view.status(), 200);
    assert_eq!(view.headers()["cache-control"], "no-cache");
    let policy = view.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        policy.contains("connect-src 'self' http://api.example:30001"),
        "{policy}"
    );
    assert_eq!(view.headers()["x-content-type-options"], "nosniff");
    assert!(
        view.text()
            .await
            .unwrap()
            .contains("<title>UdaConnect</title>")
    );
    let deep = http.get(format!("{base}/persons/1")).send().await.unwrap();
    assert_eq!(deep.status(), 200);
    assert!(
        deep.text()
            .await
            .unwrap()
            .contains("<title>UdaConnect</title>")
    );

    // Assets are named by their content, so they are cached for good.
    let asset = http
        .get(format!("{base}/assets/index-abc123.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(asset.status(), 200);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        asset.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );

    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    std::fs::remove_file(assets.join("index.html")).unwrap();
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503, "not ready without the page");

    shutdown.cancel();
    server.await.unwrap().unwrap();
    std::fs::remove_dir_all(assets).unwrap();
}

#[tokio::test]
async fn without_a_built_page_the_server_says_how_to_build_it() {
    let missing = std::env::temp_dir().join(format!("udc-web-{}", uuid::Uuid::new_v4()));
    let error = WebServer::build(&WebConfig {
        listen: any_port(),
        assets_dir: missing,
        api_url: None,
    })
    .await
    .unwrap_err();
    assert!(error.to_string().contains("npm run build"), "{error}");
}
