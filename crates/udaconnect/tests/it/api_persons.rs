use serde_json::{Value, json};

use std::time::Duration;

use crate::support::{Options, TestApp, assert_problem, metric_sum, ping};

#[tokio::test]
async fn lists_the_seeded_persons_in_id_order() {
    let app = TestApp::seeded().await;
    let response = app.get("/api/persons").await;
    assert_eq!(response.status(), 200);
    let persons: Vec<Value> = response.json().await.unwrap();
    let ids: Vec<i64> = persons.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [1, 5, 6, 8, 9]);
    assert_eq!(
        persons[0],
        json!({"id": 1, "first_name": "Pam", "last_name": "Trexler", "company_name": "Hampton, Hampton and McQuill"})
    );
}

#[tokio::test]
async fn a_created_person_gets_a_fresh_id_and_a_location_header() {
    let app = TestApp::seeded().await;
    let response = app
        .http
        .post(format!("{}/api/persons", app.api_url))
        .json(&json!({"first_name": " Ada ", "last_name": "Lovelace", "company_name": "Analytical Engines"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    // The seed's ids go up to 9; the sequence was advanced past them.
    assert_eq!(created["id"], 10);
    assert_eq!(created["first_name"], "Ada", "names are trimmed");
    assert_eq!(location, "/api/persons/10");

    let fetched: Value = app.get(&location).await.json().await.unwrap();
    assert_eq!(fetched, created);
    let all: Vec<Value> = app.get("/api/persons").await.json().await.unwrap();
    assert_eq!(all.len(), 6);
}

#[tokio::test]
async fn unknown_ids_are_not_found() {
    let app = TestApp::seeded().await;
    let body = assert_problem(app.get("/api/persons/4").await, 404, None).await;
    assert_eq!(body["detail"], "no person with id 4");
    assert_problem(app.get("/api/locations/1000").await, 404, None).await;
    assert_problem(
        app.get("/api/persons/77/connection?start_date=2020-01-01&end_date=2020-12-30")
            .await,
        404,
        None,
    )
    .await;
}

#[tokio::test]
async fn a_location_reads_back_in_the_proof_of_concepts_shape() {
    let app = TestApp::seeded().await;
    let response = app.get("/api/locations/29").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"id": 29, "person_id": 1, "latitude": "37.553441", "longitude": "-122.290524", "creation_time": "2020-08-18T10:37:06"})
    );
}

#[tokio::test]
async fn operational_endpoints_answer() {
    let app = TestApp::seeded().await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    // Readiness follows the gRPC health of both backing services, which is
    // refreshed in the background; it turns ready within a few seconds.
    let mut last = String::new();
    for _ in 0..50 {
        let response = app.get("/readyz").await;
        if response.status() == 200 {
            last.clear();
            break;
        }
        last = response.text().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(last.is_empty(), "the API never became ready: {last}");
    app.get("/api/persons").await;
    let metrics = app.scrape().await;
    assert!(metrics.contains("requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/api/persons\""), "{metrics}");
    // Which build runs, since when: a restart explains counters that fell.
    let build = [("version", env!("CARGO_PKG_VERSION"))];
    assert_eq!(
        metric_sum(&metrics, "udaconnect_build_info", &build),
        Some(1.0)
    );
    let started = metric_sum(&metrics, "process_start_time_seconds", &[]).unwrap_or_default();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        started > now - 3600.0 && started <= now,
        "started at {started}, now {now}"
    );
    // The persons service's database pool, in use and at most.
    app.metric_reaches(
        "db_pool_max_connections",
        &[("pool", "persons")],
        Duration::from_secs(10),
        |max| max >= 1.0,
    )
    .await;
    app.metric_reaches(
        "db_pool_connections",
        &[("pool", "persons")],
        Duration::from_secs(10),
        |open| open >= 1.0,
    )
    .await;
}

/// The count of `requests_total` for the series with every one of `labels`.
fn requests_counted(metrics: &str, labels: &[(&str, &str)]) -> f64 {
    metric_sum(metrics, "requests_total", labels).unwrap_or_default()
}

/// A request cut short by the time limit is counted with the 503 it is
/// answered, and a phone's stream that the phone abandons as abandoned:
/// neither goes missing from `requests_total`.
#[tokio::test]
async fn requests_cut_short_or_abandoned_are_counted() {
    let app = TestApp::spawn_with(Options {
        // No call to the persons service ends within a nanosecond.
        request_timeout: std::time::Duration::from_nanos(1),
        ..Options::default()
    })
    .await;
    let timed_out = [
        ("service", "api"),
        ("route", "/api/persons"),
        ("status", "503"),
    ];
    let abandoned = [
        ("service", "ingest"),
        ("route", "/udaconnect.v1.IngestService/StreamPings"),
        ("status", "abandoned"),
    ];
    let scrape = || async { app.get("/metrics").await.text().await.unwrap() };
    let before = scrape().await;

    assert_eq!(app.get("/api/persons").await.status(), 503);
    let (pings, receiver) = tokio::sync::mpsc::channel(1);
    let mut ingest = app.ingest_grpc.clone();
    let stream = tokio::spawn(async move {
        ingest
            .stream_pings(tokio_stream::wrappers::ReceiverStream::new(receiver))
            .await
    });
    pings.send(ping(1)).await.unwrap();
    let acks = stream.await.unwrap().unwrap();
    // The phone goes away mid-stream.
    drop((acks, pings));

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let after = scrape().await;
        let counted = |labels: &[(&str, &str)]| {
            requests_counted(&after, labels) - requests_counted(&before, labels)
        };
        if counted(&timed_out) >= 1.0 && counted(&abandoned) >= 1.0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "not counted: {after}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
