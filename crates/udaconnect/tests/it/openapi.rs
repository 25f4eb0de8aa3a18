use std::{collections::BTreeSet, path::Path};

use utoipa::OpenApi;

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
        committed == udaconnect_api::openapi_yaml(),
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

/// Every request of `docs/postman.json` as `METHOD /path/{variable}`, folders
/// flattened.
fn postman_requests(items: &serde_json::Value, found: &mut BTreeSet<String>) {
    for item in items.as_array().expect("`item` is a list") {
        if let Some(children) = item.get("item") {
            postman_requests(children, found);
            continue;
        }
        let request = &item["request"];
        let path: Vec<String> = request["url"]["path"]
            .as_array()
            .expect("every request has a path")
            .iter()
            .map(|segment| {
                let segment = segment.as_str().unwrap();
                match segment.strip_prefix(':') {
                    Some(variable) => format!("{{{variable}}}"),
                    None => segment.to_owned(),
                }
            })
            .collect();
        found.insert(format!(
            "{} /{}",
            request["method"].as_str().unwrap(),
            path.join("/")
        ));
    }
}

/// The Postman collection exercises every route of the API, and no route
/// the API does not have.
#[test]
fn the_postman_collection_covers_every_route() {
    let collection: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/postman.json"),
        )
        .expect("docs/postman.json exists"),
    )
    .expect("docs/postman.json is JSON");
    assert_eq!(
        collection["info"]["schema"],
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    );
    let mut requested = BTreeSet::new();
    postman_requests(&collection["item"], &mut requested);

    let spec = serde_json::to_value(udaconnect_api::ApiDoc::openapi()).unwrap();
    let routes: BTreeSet<String> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, operations)| {
            operations
                .as_object()
                .unwrap()
                .keys()
                .map(move |method| format!("{} {path}", method.to_uppercase()))
        })
        .collect();
    assert!(routes.len() >= 7, "the spec lists the routes: {routes:?}");

    let missing: Vec<_> = routes.difference(&requested).collect();
    assert!(
        missing.is_empty(),
        "routes without a Postman request: {missing:?}"
    );
    let unknown: Vec<_> = requested
        .iter()
        .filter(|request| request.contains(" /api/") && !routes.contains(*request))
        .collect();
    assert!(
        unknown.is_empty(),
        "Postman requests of no API route: {unknown:?}"
    );
}
