use proptest::prelude::*;
use serde_json::json;

use crate::support::{ORGANIZER_TOKEN, TestApp, assert_problem};

const RANGE: &str = "start_date=2020-01-01&end_date=2020-12-30";

#[tokio::test]
async fn bad_ids_in_paths_are_400_naming_the_parameter() {
    let app = TestApp::seeded().await;
    for path in [
        "/api/persons/abc",
        "/api/persons/0",
        "/api/persons/-3",
        "/api/persons/1.5",
        // One spelling per id.
        "/api/persons/01",
        "/api/persons/+1",
    ] {
        assert_problem(app.get(path).await, 400, Some("person_id")).await;
    }
    assert_problem(
        app.get("/api/persons/99999999999999999999").await,
        400,
        Some("person_id"),
    )
    .await;
    assert_problem(app.get("/api/locations/x").await, 400, Some("location_id")).await;
    assert_problem(
        app.get(&format!("/api/persons/x/connection?{RANGE}")).await,
        400,
        Some("person_id"),
    )
    .await;
}

#[tokio::test]
async fn bad_connection_parameters_are_400_naming_the_parameter() {
    let app = TestApp::seeded().await;
    for (query, field) in [
        ("end_date=2020-12-30", "start_date"),
        ("start_date=2020-01-01", "end_date"),
        ("start_date=2020-13-01&end_date=2020-12-30", "start_date"),
        ("start_date=01/01/2020&end_date=2020-12-30", "start_date"),
        ("start_date=2020-01-01&end_date=yesterday", "end_date"),
        ("start_date=2020-12-30&end_date=2020-01-01", "end_date"),
        (&format!("{RANGE}&distance=-1"), "distance"),
        (&format!("{RANGE}&distance=abc"), "distance"),
        (&format!("{RANGE}&distance=NaN"), "distance"),
        (&format!("{RANGE}&distance=inf"), "distance"),
        (&format!("{RANGE}&distance=10001"), "distance"),
        (&format!("{RANGE}&distance="), "distance"),
    ] {
        let response = app.get(&format!("/api/persons/1/connection?{query}")).await;
        assert_problem(response, 400, Some(field)).await;
    }
    let unknown = app
        .get(&format!("/api/persons/1/connection?{RANGE}&distanse=5"))
        .await;
    let body = assert_problem(unknown, 400, None).await;
    assert!(
        body["detail"].as_str().unwrap().contains("distanse"),
        "{body}"
    );
}

#[tokio::test]
async fn bad_person_bodies_are_rejected_and_nothing_is_stored() {
    let app = TestApp::seeded().await;
    let url = format!("{}/api/persons", app.api_url);
    let post_json = |body: serde_json::Value| app.http.post(&url).json(&body).send();

    let valid = json!({"first_name": "A", "last_name": "B", "company_name": "C"});
    for (body, field) in [
        (
            json!({"first_name": "", "last_name": "B", "company_name": "C"}),
            "first_name",
        ),
        (
            json!({"first_name": "A", "last_name": "   ", "company_name": "C"}),
            "last_name",
        ),
        (
            json!({"first_name": "A", "last_name": "B", "company_name": "C".repeat(201)}),
            "company_name",
        ),
        (json!({"first_name": "A", "last_name": "B"}), "company_name"),
        (
            json!({"first_name": 5, "last_name": "B", "company_name": "C"}),
            "first_name",
        ),
        (json!([1, 2]), "body"),
    ] {
        assert_problem(post_json(body).await.unwrap(), 422, Some(field)).await;
    }
    let mut extra = valid.clone();
    extra["age"] = json!(3);
    let body = assert_problem(post_json(extra).await.unwrap(), 422, None).await;
    assert!(body["detail"].as_str().unwrap().contains("age"), "{body}");

    let send_raw = |body: &'static str, content_type: &'static str| {
        app.http
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    assert_problem(
        send_raw("{\"first_name\": ", "application/json")
            .await
            .unwrap(),
        400,
        Some("body"),
    )
    .await;
    assert_problem(
        send_raw("{} {}", "application/json").await.unwrap(),
        400,
        Some("body"),
    )
    .await;
    assert_problem(send_raw("{}", "text/plain").await.unwrap(), 415, None).await;
    // JSON is UTF-8 and declared as JSON, nothing else.
    for content_type in [
        "application/json; charset=latin1",
        "application/vnd.example+json",
        "application/json; profile=x",
    ] {
        assert_problem(send_raw("{}", content_type).await.unwrap(), 415, None).await;
    }
    let not_utf8 = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body(
            b"{\"first_name\": \"P\xffm\", \"last_name\": \"T\", \"company_name\": \"H\"}".to_vec(),
        )
        .send()
        .await
        .unwrap();
    assert_problem(not_utf8, 400, Some("body")).await;
    let declared_utf8 = send_raw(
        "{\"first_name\": \"Pam\", \"last_name\": \"Utf\", \"company_name\": \"Eight\"}",
        "application/json; charset=\"UTF-8\"",
    )
    .await
    .unwrap();
    assert_eq!(declared_utf8.status(), 201);
    let huge = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body(format!("{{\"first_name\": \"{}\"}}", "x".repeat(100_000)))
        .send()
        .await
        .unwrap();
    assert_problem(huge, 413, Some("body")).await;

    let persons: Vec<serde_json::Value> = app.get("/api/persons").await.json().await.unwrap();
    assert_eq!(
        persons.len(),
        6,
        "no rejected body created a person (the one declared UTF-8 did)"
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_problems() {
    let app = TestApp::seeded().await;
    assert_problem(app.get("/api/nothing-here").await, 404, None).await;
    let patch = app
        .http
        .patch(format!("{}/api/persons/1", app.api_url))
        .send()
        .await
        .unwrap();
    assert_problem(patch, 405, None).await;
}

/// Whatever text arrives as a date or a distance, the answer is 200 or a 400
/// problem — never a server error.
#[test]
fn arbitrary_query_values_never_cause_server_errors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(TestApp::seeded());
    let config = ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    };
    proptest!(config, |(start in "\\PC{0,12}|[0-9]{4}-[0-9]{2}-[0-9]{2}", distance in "\\PC{0,8}|-?[0-9]{1,6}(\\.[0-9]{1,3})?")| {
        let url = reqwest::Url::parse_with_params(
            &format!("{}/api/persons/1/connection", app.api_url),
            &[("start_date", start.as_str()), ("end_date", "2020-12-30"), ("distance", distance.as_str())],
        ).unwrap();
        let status = runtime.block_on(async { app.http.get(url).send().await.unwrap().status() });
        prop_assert!(status == 200 || status == 400, "status {status} for start={start:?} distance={distance:?}");
    });
}

/// Whatever a person body holds, the answer is 201 or a 4xx problem.
#[test]
fn arbitrary_person_bodies_never_cause_server_errors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(TestApp::spawn());
    let config = ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    };
    proptest!(config, |(first in "\\PC{0,250}", last in ".{0,5}", raw in "\\PC{0,40}")| {
        let url = format!("{}/api/persons", app.api_url);
        let (structured, unstructured) = runtime.block_on(async {
            let structured = app.http.post(&url)
                .json(&json!({"first_name": first, "last_name": last, "company_name": "C"}))
                .send().await.unwrap().status();
            let unstructured = app.http.post(&url)
                .header("content-type", "application/json").body(raw.clone())
                .send().await.unwrap().status();
            (structured, unstructured)
        });
        prop_assert!(structured == 201 || structured == 422, "status {structured}");
        prop_assert!(unstructured == 201 || unstructured.is_client_error(), "status {unstructured}");
    });
}

/// A client that stops sending its body is told so (408) once it has
/// paused for 5 s, not left to the request's own time limit (503).
#[tokio::test]
async fn a_stalled_body_answers_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::spawn().await;
    let address = app.api_url.trim_start_matches("http://").to_owned();
    let mut connection = tokio::net::TcpStream::connect(&address).await.unwrap();
    let started = std::time::Instant::now();
    connection
        .write_all(
            format!(
                "POST /api/persons HTTP/1.1\r\nhost: {address}\r\n\
                 authorization: Bearer {ORGANIZER_TOKEN}\r\n\
                 content-type: application/json\r\ncontent-length: 10\r\n\r\n{{\"fir"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(9),
        connection.read(&mut answer),
    )
    .await
    .expect("answered before the request's own limit")
    .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"field\":\"body\""), "{answer}");
    assert!(started.elapsed() >= std::time::Duration::from_secs(4));
}
