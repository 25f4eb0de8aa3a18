//! Erasure: `DELETE /api/persons/{id}` puts the person on the erasures
//! topic; persons, locations and events each delete what they hold, and
//! nothing sent for the person afterwards, or still in flight, is stored.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::Value;
use sqlx::PgPool;
use udaconnect_devtools::seed;
use udaconnect_messaging::{EventProducer, Outgoing, encode_location_event};
use udaconnect_persons::REVOCATION_REFRESH;
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{self, LocationEvent},
};
use udaconnect_storage::LocationStore;
use uuid::Uuid;

use crate::support::{TestApp, ingest_as, ping, redeem, starter_data, token};

/// The erased person, and one who stays (both in the starter data, with
/// pings near each other).
const ERASED: i64 = 5;
const STAYS: i64 = 1;

async fn count(db: &PgPool, sql: &str, person_id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(person_id)
        .fetch_one(db)
        .await
        .unwrap()
}

/// Gives both persons a visit of a booth, as the attendance consumer would
/// have recorded.
async fn visits(app: &TestApp) {
    let area: i64 = sqlx::query_scalar(
        "WITH e AS (
             INSERT INTO event (name, start_time, end_time, time_zone)
             VALUES ('Expo', '2020-08-18T08:00:00Z', '2020-08-18T18:00:00Z', 'UTC') RETURNING id)
         INSERT INTO area (event_id, name, kind, outline)
         SELECT id, 'Booth', 'booth', ST_GeomFromText('POLYGON((0 0,0 1,1 1,1 0,0 0))', 4326)
         FROM e RETURNING id",
    )
    .fetch_one(&app.events_db)
    .await
    .unwrap();
    for person in [ERASED, STAYS] {
        sqlx::query(
            "INSERT INTO visit VALUES ($1, $2, '2020-08-18T10:00:00Z', '2020-08-18T10:30:00Z')",
        )
        .bind(person)
        .bind(area)
        .execute(&app.events_db)
        .await
        .unwrap();
    }
}

/// Puts a ping of `person_id` straight on the locations topic, as one
/// accepted just before an erasure would be.
async fn in_flight(app: &TestApp, producer: &EventProducer, person_id: i64) {
    let payload = encode_location_event(&LocationEvent {
        event_id: Uuid::now_v7().to_string(),
        person_id,
        latitude: 37.553441,
        longitude: -122.290524,
        creation_time: Some(timestamp_from_datetime(Utc::now())),
        accepted_time: Some(timestamp_from_datetime(Utc::now())),
        source: "grpc".to_owned(),
    });
    producer
        .send(Outgoing {
            topic: &app.kafka.locations_topic,
            key: person_id.to_string().as_bytes(),
            payload: &payload,
            headers: &[],
        })
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erased_person_is_in_no_answer_and_nothing_sent_for_them_is_stored() {
    let app = TestApp::seeded().await;
    visits(&app).await;
    let (web, phone) = (
        token(&redeem(&app, ERASED, "web").await),
        token(&redeem(&app, ERASED, "device").await),
    );
    let pings_of = "SELECT count(*) FROM location WHERE person_id = $1";
    let visits_of = "SELECT count(*) FROM visit WHERE person_id = $1";
    assert!(count(&app.locations_db, pings_of, ERASED).await > 0);
    let stays_pings = count(&app.locations_db, pings_of, STAYS).await;

    // The organizer's feed keeps sending for the person throughout.
    let sending = Arc::new(AtomicBool::new(true));
    let feed = tokio::spawn({
        let (mut ingest, sending) = (app.ingest_grpc.clone(), Arc::clone(&sending));
        async move {
            while sending.load(Ordering::Relaxed) {
                let _ = ingest.send_ping(ping(ERASED)).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    });

    // The person asks; the erasure is queued.
    let response = reqwest::Client::new()
        .delete(format!("{}/api/persons/{ERASED}", app.api_url))
        .bearer_auth(&web)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let erasure: Value = response.json().await.unwrap();
    assert_eq!(erasure["person_id"], ERASED);

    // Every service carries it out.
    let started = Instant::now();
    while app.get(&format!("/api/persons/{ERASED}")).await.status() != StatusCode::NOT_FOUND
        || count(&app.locations_db, pings_of, ERASED).await > 0
        || count(&app.events_db, visits_of, ERASED).await > 0
    {
        assert!(started.elapsed() < Duration::from_secs(30), "not erased");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let codes_and_devices: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM enrollment_code WHERE person_id = $1)
              + (SELECT count(*) FROM device WHERE person_id = $1)",
    )
    .bind(ERASED)
    .fetch_one(app.persons_store.pool())
    .await
    .unwrap();
    assert_eq!(codes_and_devices, 0);

    // Their tokens stop working, and ingest refuses their pings.
    let started = Instant::now();
    loop {
        let session = |token: &str| {
            reqwest::Client::new()
                .get(format!("{}/api/session", app.api_url))
                .bearer_auth(token.to_owned())
                .send()
        };
        let refused = session(&web).await.unwrap().status() == StatusCode::UNAUTHORIZED
            && session(&phone).await.unwrap().status() == StatusCode::UNAUTHORIZED;
        let ingest_refuses = app
            .ingest_grpc
            .clone()
            .send_ping(ping(ERASED))
            .await
            .is_err_and(|status| status.code() == tonic::Code::NotFound);
        if refused && ingest_refuses {
            break;
        }
        assert!(
            started.elapsed() < REVOCATION_REFRESH + Duration::from_secs(5),
            "the erased person's credentials still work"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let status = ingest_as(&app, Some(&phone))
        .send_ping(ping(ERASED))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    sending.store(false, Ordering::Relaxed);
    feed.await.unwrap();

    // A ping already on the topic, and one written straight to the
    // locations service, are not stored; the other person's are.
    let producer = EventProducer::new(&app.kafka.settings()).unwrap();
    let stored = app.stored_locations().await;
    in_flight(&app, &producer, ERASED).await;
    in_flight(&app, &producer, STAYS).await;
    assert_eq!(app.settled_locations(stored + 1).await, stored + 1);
    assert_eq!(
        count(&app.locations_db, pings_of, STAYS).await,
        stays_pings + 1
    );
    let written = app
        .locations_grpc
        .clone()
        .write_locations(v1::WriteLocationsRequest {
            locations: vec![v1::NewLocation {
                event_id: Uuid::now_v7().to_string(),
                person_id: ERASED,
                latitude: 37.55,
                longitude: -122.29,
                creation_time: Some(timestamp_from_datetime(Utc::now())),
            }],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((written.written, written.erased), (0, 1));
    assert!(
        written.rejected.is_empty(),
        "no copy kept, not even rejected"
    );
    assert_eq!(count(&app.locations_db, pings_of, ERASED).await, 0);
    assert_eq!(count(&app.events_db, visits_of, STAYS).await, 1);

    // The person is in no answer, and seeding again does not bring them
    // back.
    let persons: Value = app.get("/api/persons").await.json().await.unwrap();
    assert!(
        !persons
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == ERASED)
    );
    for path in [
        format!(
            "/api/persons/{STAYS}/connection?start_date=2020-01-01&end_date=2021-01-01&distance=1000"
        ),
        format!("/api/persons/{STAYS}/contacts?start=2020-07-01&end=2020-07-31&distance=50"),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let answer = response.text().await.unwrap();
        assert!(
            !answer.contains(&format!("\"person_id\":{ERASED},"))
                && !answer.contains(&format!("\"id\":{ERASED},")),
            "{path} names the erased person"
        );
    }
    for path in [
        format!("/api/persons/{ERASED}"),
        format!("/api/persons/{ERASED}/export"),
        format!("/api/persons/{ERASED}/contacts?start=2020-07-01&end=2020-07-31"),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let again = app
        .http
        .delete(format!("{}/api/persons/{ERASED}", app.api_url))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    seed::load(
        &starter_data(),
        &app.persons_store,
        &LocationStore::new(app.locations_db.clone()),
    )
    .await
    .unwrap();
    assert_eq!(
        app.get(&format!("/api/persons/{ERASED}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(count(&app.locations_db, pings_of, ERASED).await, 0);
}
