use std::path::Path;

use crate::support::TestApp;

/// The committed spec is what the code generates; regenerate it with
/// `cargo run -q -p udaconnect -- openapi > docs/openapi.yaml`.
#[test]
fn committed_openapi_matches_the_code() {
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.yaml"),
    )
    .expect("docs/openapi.yaml exists");
    assert!(
        committed == udaconnect::api::openapi_yaml(),
        "docs/openapi.yaml is stale: run `cargo run -q -p udaconnect -- openapi > docs/openapi.yaml`"
    );
}

#[tokio::test]
async fn the_spec_and_its_viewer_are_served() {
    let app = TestApp::spawn().await;
    let spec: serde_json::Value = app.get("/openapi.json").await.json().await.unwrap();
    assert_eq!(spec["info"]["title"], "UdaConnect API");
    assert!(spec["paths"]["/api/persons/{person_id}/connection"]["get"].is_object());
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(
        docs.text().await.unwrap().contains("swagger"),
        "Swagger UI is served"
    );
}
