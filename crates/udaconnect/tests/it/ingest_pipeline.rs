//! The ingest pipeline end to end: gRPC and REST → Kafka → consumer →
//! locations → PostGIS, against a real broker, including the failures it
//! must survive.

use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use rdkafka::consumer::Consumer;
use serde_json::json;
use tonic::Code;
use udaconnect_messaging::{
    DLQ_REASON_HEADER, EventProducer, Outgoing, encode_location_event, header,
};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{CreatePersonRequest, LocationEvent, Ping, PingBatch, PingBatchAck},
};
use uuid::Uuid;

use crate::{
    broker::Storage,
    support::{Options, TestApp, until_the_group_drops_a_killed_member},
};

async fn create_person(app: &TestApp) -> i64 {
    app.persons_grpc
        .clone()
        .create_person(CreatePersonRequest {
            first_name: "Phone".to_owned(),
            last_name: "Owner".to_owned(),
            company_name: "UdaConnect".to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
        .id
}

/// A ping as the phone sent it, kept to compare with what is stored.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
struct Sent {
    event_id: String,
    person_id: i64,
    latitude: f64,
    longitude: f64,
    creation_time: DateTime<Utc>,
}

impl Sent {
    fn new(person_id: i64, n: u32) -> Self {
        Self {
            event_id: Uuid::new_v4().to_string(),
            person_id,
            latitude: 37.55 + f64::from(n) * 1e-6,
            longitude: -122.29 - f64::from(n % 97) * 1e-6,
            creation_time: (Utc::now() - TimeDelta::minutes(10)
                + TimeDelta::milliseconds(n.into()))
            .trunc_subsecs(6),
        }
    }

    fn ping(&self) -> Ping {
        Ping {
            event_id: self.event_id.clone(),
            person_id: self.person_id,
            latitude: self.latitude,
            longitude: self.longitude,
            creation_time: Some(timestamp_from_datetime(self.creation_time)),
        }
    }
}

/// Sends `pings` in one `SendPings` call and returns the acknowledgement.
async fn send_batch(app: &TestApp, pings: &[Sent]) -> PingBatchAck {
    app.ingest_grpc
        .clone()
        .send_pings(PingBatch {
            pings: pings.iter().map(Sent::ping).collect(),
        })
        .await
        .unwrap()
        .into_inner()
}

fn pings(person_id: i64, n: u32) -> Vec<Sent> {
    (0..n).map(|i| Sent::new(person_id, i)).collect()
}

/// Waits for the pipeline to store `sent` and asserts the table holds
/// exactly those pings, once each, with their coordinates and times.
async fn assert_stored_exactly(app: &TestApp, sent: &[Sent]) {
    let count = app.settled_locations(sent.len() as i64).await;
    assert_eq!(count, sent.len() as i64, "rows stored");
    let rows: Vec<(Uuid, i64, f64, f64, DateTime<Utc>)> = sqlx::query_as(
        "SELECT event_id, person_id, ST_Y(coordinate::geometry), ST_X(coordinate::geometry), creation_time
         FROM location ORDER BY event_id",
    )
    .fetch_all(&app.locations_db)
    .await
    .unwrap();
    let mut stored: Vec<Sent> = rows
        .into_iter()
        .map(
            |(event_id, person_id, latitude, longitude, creation_time)| Sent {
                event_id: event_id.to_string(),
                person_id,
                latitude,
                longitude,
                creation_time,
            },
        )
        .collect();
    let mut expected = sent.to_vec();
    expected.sort_by(|a, b| a.event_id.cmp(&b.event_id));
    stored.sort_by(|a, b| a.event_id.cmp(&b.event_id));
    for (stored, expected) in stored.iter().zip(&expected) {
        assert_eq!(stored.event_id, expected.event_id);
        assert_eq!(stored.person_id, expected.person_id);
        assert!(
            (stored.latitude - expected.latitude).abs() < 1e-9,
            "{stored:?} vs {expected:?}"
        );
        assert!(
            (stored.longitude - expected.longitude).abs() < 1e-9,
            "{stored:?} vs {expected:?}"
        );
        assert_eq!(stored.creation_time, expected.creation_time);
    }
}

#[tokio::test]
async fn unary_pings_are_stored_exactly_once() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let sent = pings(person, 200);
    let mut client = app.ingest_grpc.clone();
    for ping in &sent {
        let ack = client.send_ping(ping.ping()).await.unwrap().into_inner();
        assert_eq!(ack.event_id, ping.event_id);
    }
    assert_stored_exactly(&app, &sent).await;
}

#[tokio::test]
async fn batched_pings_are_stored_exactly_once() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let sent = pings(person, 3000);
    for chunk in sent.chunks(1000) {
        let ack = send_batch(&app, chunk).await;
        assert!(ack.rejected.is_empty(), "{:?}", ack.rejected);
        let ids: Vec<&str> = chunk.iter().map(|s| s.event_id.as_str()).collect();
        assert_eq!(ack.accepted_event_ids, ids, "accepted ids in request order");
    }
    assert_stored_exactly(&app, &sent).await;
}

#[tokio::test]
async fn streamed_pings_are_stored_exactly_once() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let sent = pings(person, 5000);
    let mut acks = app
        .ingest_grpc
        .clone()
        .stream_pings(futures::stream::iter(
            sent.iter().map(Sent::ping).collect::<Vec<_>>(),
        ))
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    while let Some(ack) = acks.message().await.unwrap() {
        last = Some(ack);
    }
    let last = last.expect("the stream is acknowledged");
    assert_eq!(
        (last.settled_through, last.accepted, last.rejected_total),
        (5000, 5000, 0)
    );
    assert_stored_exactly(&app, &sent).await;
}

/// A phone streams for longer than any call may take (30 s), and hears
/// how far its stream has come while it is still sending.
#[tokio::test]
async fn a_long_stream_is_acknowledged_as_it_goes() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let sent = pings(person, 140);
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    let mut acks = app
        .ingest_grpc
        .clone()
        .stream_pings(tokio_stream::wrappers::ReceiverStream::new(receiver))
        .await
        .unwrap()
        .into_inner();
    let phone = {
        let pings: Vec<Ping> = sent.iter().map(Sent::ping).collect();
        tokio::spawn(async move {
            // A ping every 250 ms: 35 s in all.
            for ping in pings {
                sender.send(ping).await.unwrap();
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        })
    };
    let mut during = Vec::new();
    let mut last = None;
    while let Some(ack) = acks.message().await.expect("the stream is never cut") {
        if !phone.is_finished() {
            during.push(ack.settled_through);
        }
        last = Some(ack);
    }
    phone.await.unwrap();
    assert!(
        during.len() >= 20 && during.windows(2).all(|pair| pair[0] <= pair[1]),
        "acks came about every second while the phone was sending: {during:?}"
    );
    assert!(during.iter().any(|&through| through > 0 && through < 140));
    let last = last.unwrap();
    assert_eq!((last.settled_through, last.accepted), (140, 140));
    assert_stored_exactly(&app, &sent).await;
}

/// A stream that stops sending without closing is ended after the idle
/// timeout, with a last ack of everything it sent.
#[tokio::test]
async fn an_idle_stream_is_ended_after_its_last_ack() {
    let app = TestApp::spawn_with(Options {
        stream_idle_timeout: Duration::from_secs(2),
        ..Options::default()
    })
    .await;
    let person = create_person(&app).await;
    let sent = pings(person, 3);
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    for ping in sent.iter().map(Sent::ping) {
        sender.send(ping).await.unwrap();
    }
    let mut acks = app
        .ingest_grpc
        .clone()
        .stream_pings(tokio_stream::wrappers::ReceiverStream::new(receiver))
        .await
        .unwrap()
        .into_inner();
    let mut last = None;
    let status = loop {
        match acks.message().await {
            Ok(Some(ack)) => last = Some(ack),
            Ok(None) => panic!("the stream ended without saying why"),
            Err(status) => break status,
        }
    };
    assert_eq!(status.code(), Code::DeadlineExceeded, "{status}");
    let last = last.expect("a last ack before the end");
    assert_eq!((last.settled_through, last.accepted), (3, 3));
    drop(sender);
    assert_stored_exactly(&app, &sent).await;
}

#[tokio::test]
async fn rest_pings_are_stored_exactly_once_in_both_coordinate_forms() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let sent = pings(person, 100);
    for (i, ping) in sent.iter().enumerate() {
        // The proof of concept's clients send strings and naive UTC times;
        // others send numbers and offsets. Both mean the same ping.
        let body = if i % 2 == 0 {
            json!({
                "person_id": ping.person_id,
                "latitude": ping.latitude.to_string(),
                "longitude": ping.longitude.to_string(),
                "creation_time": ping.creation_time.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string(),
                "event_id": ping.event_id,
            })
        } else {
            json!({
                "person_id": ping.person_id,
                "latitude": ping.latitude,
                "longitude": ping.longitude,
                "creation_time": ping.creation_time.with_timezone(&chrono::FixedOffset::east_opt(7200).unwrap()).to_rfc3339(),
                "event_id": ping.event_id,
            })
        };
        let response = app
            .http
            .post(format!("{}/api/locations", app.api_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let accepted: serde_json::Value = response.json().await.unwrap();
        assert_eq!(accepted["event_id"], ping.event_id.as_str());
    }
    assert_stored_exactly(&app, &sent).await;

    // Stored pings read back in the proof of concept's shape.
    let id: i64 = sqlx::query_scalar("SELECT id FROM location WHERE event_id = $1::uuid")
        .bind(&sent[0].event_id)
        .fetch_one(&app.locations_db)
        .await
        .unwrap();
    let location: serde_json::Value = app
        .get(&format!("/api/locations/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(location["latitude"], sent[0].latitude.to_string());
}

#[tokio::test]
async fn the_same_event_id_is_stored_once_whichever_way_it_arrives() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let ping = Sent::new(person, 1);
    let mut client = app.ingest_grpc.clone();
    client.send_ping(ping.ping()).await.unwrap();
    client.send_ping(ping.ping()).await.unwrap();
    send_batch(&app, &[ping.clone(), ping.clone()]).await;
    let response = app
        .http
        .post(format!("{}/api/locations", app.api_url))
        .json(&json!({
            "person_id": person,
            "latitude": ping.latitude,
            "longitude": ping.longitude,
            "creation_time": ping.creation_time.to_rfc3339(),
            "event_id": ping.event_id,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    // A marker ping sent last: once it is stored, everything before it is.
    let marker = Sent::new(person, 2);
    client.send_ping(marker.ping()).await.unwrap();
    assert_stored_exactly(&app, &[ping, marker]).await;
}

#[tokio::test]
async fn invalid_pings_are_rejected_and_nothing_of_them_is_stored() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let mut client = app.ingest_grpc.clone();

    let mut bad_latitude = Sent::new(person, 0).ping();
    bad_latitude.latitude = 91.0;
    let mut not_a_number = Sent::new(person, 1).ping();
    not_a_number.longitude = f64::NAN;
    let mut far_future = Sent::new(person, 2).ping();
    far_future.creation_time = Some(timestamp_from_datetime(Utc::now() + TimeDelta::days(3)));
    let mut no_time = Sent::new(person, 3).ping();
    no_time.creation_time = None;
    let mut bad_event_id = Sent::new(person, 4).ping();
    bad_event_id.event_id = "not-a-uuid".to_owned();
    let unknown_person = Sent::new(person + 1000, 5).ping();

    for (ping, code, field) in [
        (&bad_latitude, Code::InvalidArgument, "latitude"),
        (&not_a_number, Code::InvalidArgument, "longitude"),
        (&far_future, Code::InvalidArgument, "creation_time"),
        (&no_time, Code::InvalidArgument, "creation_time"),
        (&bad_event_id, Code::InvalidArgument, "event_id"),
        (&unknown_person, Code::NotFound, "person_id"),
    ] {
        let status = client.send_ping(ping.clone()).await.unwrap_err();
        assert_eq!(status.code(), code, "{status:?}");
        assert!(status.message().starts_with(field), "{status:?}");
    }

    // In a batch the valid pings are accepted and the others named.
    let valid = pings(person, 3);
    let batch = vec![
        valid[0].ping(),
        bad_latitude.clone(),
        valid[1].ping(),
        unknown_person.clone(),
        valid[2].ping(),
    ];
    let ack = client
        .send_pings(PingBatch { pings: batch })
        .await
        .unwrap()
        .into_inner();
    let accepted: Vec<&str> = valid.iter().map(|s| s.event_id.as_str()).collect();
    assert_eq!(ack.accepted_event_ids, accepted);
    let rejected: Vec<(u32, i32)> = ack.rejected.iter().map(|r| (r.index, r.code)).collect();
    assert_eq!(
        rejected,
        [
            (1, Code::InvalidArgument as i32),
            (3, Code::NotFound as i32)
        ]
    );

    // The same checks on the REST entry point.
    let time = "2024-05-01T10:00:00";
    for (body, field, detail) in [
        (
            json!({"person_id": person, "latitude": "91", "longitude": "0", "creation_time": time}),
            "latitude",
            "[-90, 90]",
        ),
        (
            json!({"person_id": person, "latitude": "abc", "longitude": "0", "creation_time": time}),
            "latitude",
            "decimal",
        ),
        (
            json!({"person_id": person, "latitude": 1, "longitude": 0, "creation_time": "yesterday"}),
            "creation_time",
            "ISO-8601",
        ),
        (
            json!({"person_id": person + 1000, "latitude": 1, "longitude": 0, "creation_time": time}),
            "person_id",
            "no person",
        ),
        (
            json!({"person_id": person, "latitude": 1, "longitude": 0}),
            "creation_time",
            "is required",
        ),
        (
            json!({"person_id": person, "latitude": 1, "longitude": 0, "creation_time": time, "altitude": 3}),
            "altitude",
            "unknown field",
        ),
    ] {
        let response = app
            .http
            .post(format!("{}/api/locations", app.api_url))
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = crate::support::assert_problem(response, 422, Some(field)).await;
        assert!(
            problem["detail"].as_str().unwrap().contains(detail),
            "{body} → {problem}"
        );
    }
    assert_stored_exactly(&app, &valid).await;
}

/// While locations is down, the consumer retries, commits nothing and its
/// lag shows the pings waiting; once locations is back, everything is
/// stored once and the lag falls to zero.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_locations_is_down_the_consumer_retries_and_commits_nothing() {
    let mut app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let first = pings(person, 100);
    send_batch(&app, &first).await;
    assert_eq!(app.settled_locations(100).await, 100);
    let committed_before = app.committed_offsets(&app.group);
    assert_eq!(committed_before, 100, "offsets follow the stored writes");

    app.stop_locations().await;
    let second: Vec<Sent> = (100..1100).map(|i| Sent::new(person, i)).collect();
    let ack = send_batch(&app, &second).await;
    assert_eq!(
        ack.accepted_event_ids.len(),
        1000,
        "Kafka takes pings while locations is down"
    );
    let group_name = app.group.clone();
    let group = [("group", group_name.as_str())];
    // Lag is what the brokers hold beyond the committed offsets. Apache
    // Kafka would make it 1000 here; the development broker answers the
    // end of a partition as its last record batch's first offset + 1, so
    // less, but never nothing.
    app.metric_reaches("consumer_lag_records", &group, WITHIN_TWO_REPORTS, |lag| {
        lag > 0.0
    })
    .await;
    assert_eq!(
        app.committed_offsets(&app.group),
        committed_before,
        "no offset advances without a write"
    );

    app.start_locations().await;
    let all: Vec<Sent> = first.into_iter().chain(second).collect();
    assert_stored_exactly(&app, &all).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while app.committed_offsets(&app.group) < 1100 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.committed_offsets(&app.group), 1100);
    app.metric_reaches("consumer_lag_records", &group, WITHIN_TWO_REPORTS, |lag| {
        lag == 0.0
    })
    .await;
    // The assignment that started it, and the batches it stored.
    let assigned = [("group", group_name.as_str()), ("kind", "assigned")];
    app.metric_reaches(
        "consumer_rebalances_total",
        &assigned,
        WITHIN_TWO_REPORTS,
        |n| n >= 1.0,
    )
    .await;
    let batches = app
        .metric_reaches(
            "consumer_write_batch_seconds_count",
            &group,
            WITHIN_TWO_REPORTS,
            |n| n >= 2.0,
        )
        .await;
    assert!(batches >= 2.0, "{batches} batches stored");
    // Ingest's producer reports its queue (empty by now).
    app.metric_reaches("producer_queue_messages", &[], WITHIN_TWO_REPORTS, |n| {
        n >= 0.0
    })
    .await;
}

/// Long enough for the Kafka clients' statistics (every five seconds) to be
/// reported twice.
const WITHIN_TWO_REPORTS: Duration = Duration::from_secs(12);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_consumer_mid_run_loses_and_duplicates_nothing() {
    let app = TestApp::spawn_with(Options {
        consumer: false,
        ..Options::default()
    })
    .await;
    let person = create_person(&app).await;
    let sent = pings(person, 20_000);
    let mut consumer = app.consumer_process();

    let sender = {
        let client = app.ingest_grpc.clone();
        let pings: Vec<_> = sent.iter().map(Sent::ping).collect();
        tokio::spawn(async move {
            let mut accepted = 0;
            for chunk in pings.chunks(500) {
                let ack = client
                    .clone()
                    .send_pings(PingBatch {
                        pings: chunk.to_vec(),
                    })
                    .await
                    .unwrap()
                    .into_inner();
                accepted += ack.accepted_event_ids.len();
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            accepted
        })
    };
    // Kill it once it has written part of the stream: mid-batch, uncommitted.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while app.stored_locations().await < 2_000 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    consumer.kill().unwrap();
    consumer.wait().unwrap();
    let stored_at_kill = app.stored_locations().await;
    assert!(
        stored_at_kill > 0 && stored_at_kill < 20_000,
        "killed mid-run ({stored_at_kill})"
    );

    until_the_group_drops_a_killed_member().await;
    let mut successor = app.consumer_process();
    assert_eq!(sender.await.unwrap(), 20_000, "every ping acknowledged");
    assert_stored_exactly(&app, &sent).await;
    successor.kill().unwrap();
    successor.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_broker_stopped_ingest_answers_unavailable_then_recovers() {
    let mut app = TestApp::spawn_with(Options {
        storage: Storage::Sqlite,
        produce_timeout: Duration::from_secs(1),
        // tansu 0.6 loses idempotent-producer state on restart and then stops
        // answering the producer that continues its session; Apache Kafka
        // keeps that state. Event ids keep the rows single either way.
        idempotent_producer: false,
        ..Options::default()
    })
    .await;
    let person = create_person(&app).await;
    let before = Sent::new(person, 0);
    app.ingest_grpc
        .clone()
        .send_ping(before.ping())
        .await
        .unwrap();

    app.broker.stop();
    let during = Sent::new(person, 1);
    // Bounded so that a hang fails the test instead of stalling it.
    let status = tokio::time::timeout(
        Duration::from_secs(15),
        app.ingest_grpc.clone().send_ping(during.ping()),
    )
    .await
    .expect("ingest answers instead of hanging")
    .unwrap_err();
    assert_eq!(status.code(), Code::Unavailable, "{status:?}");
    let response = app
        .http
        .post(format!("{}/api/locations", app.api_url))
        .json(&json!({
            "person_id": person, "latitude": 1.0, "longitude": 2.0,
            "creation_time": Utc::now().to_rfc3339(),
        }))
        .send()
        .await
        .unwrap();
    crate::support::assert_problem(response, 503, None).await;

    app.broker.restart().await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut client = app.ingest_grpc.clone();
    loop {
        // The phone's retry: the same event id, so at most one row.
        match client.send_ping(during.ping()).await {
            Ok(_) => break,
            Err(status) => {
                assert_eq!(status.code(), Code::Unavailable, "{status:?}");
                assert!(
                    std::time::Instant::now() < deadline,
                    "ingest did not recover"
                );
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    }
    assert_stored_exactly(&app, &[before, during]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_records_go_to_the_dead_letter_topic_and_the_rest_is_stored() {
    let app = TestApp::spawn().await;
    let person = create_person(&app).await;
    let producer = EventProducer::new(&app.kafka.settings()).unwrap();
    let key = person.to_string();
    let garbage = Outgoing {
        topic: &app.kafka.locations_topic,
        key: key.as_bytes(),
        payload: &[0xff, 0xff, 0xff, 0xff, 0x0f],
        headers: &[],
    };
    producer.send(garbage).await.unwrap();
    let wrong_type = Outgoing {
        headers: &[("content-type", "application/json")],
        payload: b"{}",
        ..garbage
    };
    producer.send(wrong_type).await.unwrap();
    let unknown_person = encode_location_event(&LocationEvent {
        event_id: Uuid::new_v4().to_string(),
        person_id: person + 1000,
        latitude: 1.0,
        longitude: 2.0,
        creation_time: Some(timestamp_from_datetime(Utc::now())),
        accepted_time: None,
        source: "test".to_owned(),
    });
    producer
        .send(Outgoing {
            payload: &unknown_person,
            ..garbage
        })
        .await
        .unwrap();
    let behind = pings(person, 50);
    send_batch(&app, &behind).await;
    assert_stored_exactly(&app, &behind).await;

    let dead = app
        .kafka
        .settings()
        .consumer(&format!("{}-dlq-reader", app.group))
        .unwrap();
    dead.subscribe(&[&app.kafka.dlq_topic]).unwrap();
    let mut reasons = Vec::new();
    for _ in 0..3 {
        let record = tokio::time::timeout(Duration::from_secs(30), dead.recv())
            .await
            .expect("a dead letter arrives")
            .unwrap();
        reasons.push(header(&record, DLQ_REASON_HEADER).expect("the reason is in a header"));
    }
    reasons.sort();
    assert!(
        reasons.iter().any(|r| r.contains("undecodable")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("content-type")),
        "{reasons:?}"
    );
    assert!(
        reasons.iter().any(|r| r.contains("no person")),
        "{reasons:?}"
    );
}
