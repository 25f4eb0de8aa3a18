use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use geographiclib_rs::{DirectGeodesic, Geodesic, InverseGeodesic};
use tonic::Code;
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{
        Connection, CreatePersonRequest, FindConnectionsRequest, GetLocationRequest,
        GetPersonRequest, NewLocation, WriteLocationsRequest,
    },
};
use uuid::Uuid;

use crate::support::{ORGANIZER_TOKEN, SERVICE_TOKEN, TestApp};

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 14, 12, 0, 0).unwrap()
}

async fn create_person(app: &TestApp, name: &str) -> i64 {
    app.persons_grpc
        .clone()
        .create_person(CreatePersonRequest {
            first_name: name.to_owned(),
            last_name: "Tester".to_owned(),
            company_name: "UdaConnect".to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
        .id
}

fn ping(person_id: i64, latitude: f64, longitude: f64) -> NewLocation {
    NewLocation {
        event_id: Uuid::new_v4().to_string(),
        person_id,
        latitude,
        longitude,
        creation_time: Some(timestamp_from_datetime(noon())),
    }
}

#[tokio::test]
async fn writing_the_same_batch_twice_stores_each_event_once() {
    let app = TestApp::spawn().await;
    let person = create_person(&app, "Idem").await;
    let batch: Vec<NewLocation> = (0..1000)
        .map(|i| ping(person, 37.0 + f64::from(i) * 1e-5, -122.0))
        .collect();
    let mut client = app.locations_grpc.clone();

    let first = client
        .write_locations(WriteLocationsRequest {
            locations: batch.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (first.written, first.duplicates, first.rejected.len()),
        (1000, 0, 0)
    );

    let second = client
        .write_locations(WriteLocationsRequest {
            locations: batch.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (second.written, second.duplicates, second.rejected.len()),
        (0, 1000, 0)
    );

    // A repeat inside one batch is also stored once.
    let repeat = ping(person, 1.0, 1.0);
    let third = client
        .write_locations(WriteLocationsRequest {
            locations: vec![repeat.clone(), repeat],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!((third.written, third.duplicates), (1, 1));
    assert_eq!(app.stored_locations().await, 1001);
}

#[tokio::test]
async fn invalid_pings_are_rejected_by_index_and_the_rest_stored() {
    let app = TestApp::spawn().await;
    let person = create_person(&app, "Mixed").await;
    let mut bad_event = ping(person, 0.0, 0.0);
    bad_event.event_id = "not-a-uuid".to_owned();
    let mut no_time = ping(person, 0.0, 0.0);
    no_time.creation_time = None;
    let batch = vec![
        ping(person, 10.0, 10.0),
        ping(person, 91.0, 0.0),
        ping(person, 0.0, -180.5),
        ping(person, f64::NAN, 0.0),
        bad_event,
        no_time,
        ping(person + 1000, 0.0, 0.0),
        ping(0, 0.0, 0.0),
        ping(person, -90.0, 180.0),
    ];
    let response = app
        .locations_grpc
        .clone()
        .write_locations(WriteLocationsRequest { locations: batch })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.written, 2);
    let rejected: Vec<(u32, &str)> = response
        .rejected
        .iter()
        .map(|r| (r.index, r.reason.split(':').next().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        [
            (1, "latitude"),
            (2, "longitude"),
            (3, "latitude"),
            (4, "event_id"),
            (5, "creation_time"),
            (6, "person_id"),
            (7, "person_id"),
        ]
    );
    assert!(response.rejected[5].reason.contains("no person with id"));
    assert_eq!(app.stored_locations().await, 2);
}

/// Two points a known geodesic distance apart (computed with Karney's
/// algorithm, independently of PostGIS) are connected at d + 0.5 m and not
/// at d − 0.5 m, from the equator to the high latitudes.
#[tokio::test]
async fn distances_are_geodesic_on_the_spheroid() {
    let app = TestApp::spawn().await;
    let geodesic = Geodesic::wgs84();
    let mut client = app.locations_grpc.clone();
    for (latitude, longitude, azimuth, metres) in [
        (0.0, 10.0, 90.0, 50.0),
        (35.0585, -106.5719, 30.0, 120.0),
        (37.5534, -122.2905, 200.0, 7.0),
        (-45.0, 170.0, 45.0, 300.0),
        (60.17, 24.94, 90.0, 800.0),
        (78.22, 15.65, 10.0, 2000.0),
    ] {
        let (lat2, lon2): (f64, f64) = geodesic.direct(latitude, longitude, azimuth, metres);
        let distance: f64 = geodesic.inverse(latitude, longitude, lat2, lon2);
        let me = create_person(&app, "Near").await;
        let other = create_person(&app, "Far").await;
        client
            .write_locations(WriteLocationsRequest {
                locations: vec![ping(me, latitude, longitude), ping(other, lat2, lon2)],
            })
            .await
            .unwrap();
        for (radius, expected) in [(distance + 0.5, 1), (distance - 0.5, 0)] {
            let found: Vec<Connection> = connection_chunks(&app, me, radius)
                .await
                .into_iter()
                .flatten()
                .collect();
            assert_eq!(
                found.len(),
                expected,
                "{distance} m at latitude {latitude}, radius {radius}"
            );
        }
    }
}

/// Every chunk of `person`'s connections within `radius` around noon, as
/// the locations service streams them.
async fn connection_chunks(app: &TestApp, person: i64, radius: f64) -> Vec<Vec<Connection>> {
    let mut chunks = app
        .locations_grpc
        .clone()
        .find_connections(FindConnectionsRequest {
            person_id: person,
            start_time: Some(timestamp_from_datetime(noon() - chrono::Days::new(1))),
            end_time: Some(timestamp_from_datetime(noon() + chrono::Days::new(1))),
            distance_meters: radius,
        })
        .await
        .unwrap()
        .into_inner();
    let mut all = Vec::new();
    while let Some(chunk) = chunks.message().await.unwrap() {
        all.push(chunk.connections);
    }
    all
}

/// Two people who stood at one spot, `mine` and `theirs` pings each.
async fn crowd(app: &TestApp, mine: usize, theirs: usize) -> (i64, i64) {
    let (me, other) = (
        create_person(app, "Crowded").await,
        create_person(app, "Other").await,
    );
    let mut pings: Vec<NewLocation> = std::iter::repeat_n(me, mine)
        .chain(std::iter::repeat_n(other, theirs))
        .map(|person| ping(person, 48.8584, 2.2945))
        .collect();
    for batch in pings.chunks_mut(10_000) {
        app.locations_grpc
            .clone()
            .write_locations(WriteLocationsRequest {
                locations: batch.to_vec(),
            })
            .await
            .unwrap();
    }
    (me, other)
}

#[tokio::test]
async fn a_large_connection_answer_streams_in_ordered_chunks() {
    let app = TestApp::spawn().await;
    let (me, _) = crowd(&app, 50, 50).await;
    let chunks = connection_chunks(&app, me, 5.0).await;
    assert!(chunks.len() >= 3, "2,500 rows come in several messages");
    assert!(chunks.iter().all(|chunk| chunk.len() <= 1_000));
    let rows: Vec<(i64, i64)> = chunks
        .iter()
        .flatten()
        .map(|c| (c.own_location_id, c.location.as_ref().unwrap().id))
        .collect();
    assert_eq!(rows.len(), 2_500);
    assert!(
        rows.windows(2).all(|pair| pair[0] < pair[1]),
        "ordered by (own ping, other ping) across chunks"
    );

    // The REST answer is the same rows, written as they stream.
    let answer: Vec<serde_json::Value> = app
        .get(&format!(
            "/api/persons/{me}/connection?start_date=2020-01-01&end_date=2030-01-01&distance=5"
        ))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = answer
        .iter()
        .map(|row| row["location"]["id"].as_i64().unwrap())
        .collect();
    let expected: Vec<i64> = rows.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids, expected);
    assert_eq!(answer[0]["person"]["first_name"], "Other");
}

/// The connection searches running in the test's database right now.
async fn running_searches(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND state = 'active'
           AND query LIKE '%ST_DWithin(l.coordinate, own.coordinate%'
           AND pid <> pg_backend_pid()",
    )
    .fetch_one(&app.locations_db)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_client_that_goes_away_stops_the_search() {
    let app = TestApp::spawn().await;
    // 3,000 × 3,000 pings at one spot: nine million rows, seconds of work.
    let (me, _) = crowd(&app, 3_000, 3_000).await;
    let mut response = app
        .get(&format!(
            "/api/persons/{me}/connection?start_date=2020-01-01&end_date=2030-01-01&distance=5"
        ))
        .await;
    assert_eq!(response.status(), 200);
    let opening = response.chunk().await.unwrap().unwrap();
    assert!(opening.starts_with(b"["));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while running_searches(&app).await == 0 {
        assert!(std::time::Instant::now() < deadline, "the search never ran");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    drop(response);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while running_searches(&app).await > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the search still runs 3 s after its client went away"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn grpc_errors_use_the_documented_codes() {
    let app = TestApp::spawn().await;
    let mut persons = app.persons_grpc.clone();
    let mut locations = app.locations_grpc.clone();

    let missing = persons
        .get_person(GetPersonRequest { id: 42 })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);
    let missing = locations
        .get_location(GetLocationRequest { id: 42 })
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Code::NotFound);

    let invalid = persons
        .create_person(CreatePersonRequest {
            first_name: "Ada".to_owned(),
            last_name: String::new(),
            company_name: "X".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), Code::InvalidArgument);
    assert!(
        invalid.message().starts_with("last_name:"),
        "{}",
        invalid.message()
    );

    let invalid = locations
        .find_connections(FindConnectionsRequest {
            person_id: 1,
            start_time: None,
            end_time: None,
            distance_meters: 5.0,
        })
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), Code::InvalidArgument);
    assert!(
        invalid.message().starts_with("start_time:"),
        "{}",
        invalid.message()
    );

    // The query's own checks name the request's fields, not REST parameters.
    let invalid = locations
        .find_connections(FindConnectionsRequest {
            person_id: 1,
            start_time: Some(timestamp_from_datetime(Utc::now())),
            end_time: Some(timestamp_from_datetime(Utc::now() - TimeDelta::days(1))),
            distance_meters: 5.0,
        })
        .await
        .unwrap_err();
    assert_eq!(invalid.code(), Code::InvalidArgument);
    assert!(
        invalid.message().starts_with("end_time:"),
        "{}",
        invalid.message()
    );

    let too_many = locations
        .write_locations(WriteLocationsRequest {
            locations: vec![ping(1, 0.0, 0.0); 10_001],
        })
        .await
        .unwrap_err();
    assert_eq!(too_many.code(), Code::InvalidArgument);
}

/// The gRPC status a raw HTTP/2 call of `method` at `address` ends with,
/// its request body being `body` as sent (not necessarily a gRPC frame).
async fn raw_call(address: &str, method: &str, token: &str, body: &'static [u8]) -> String {
    let address = address.trim_start_matches("http://");
    let tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    let (client, connection) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(connection);
    let mut client = client.ready().await.unwrap();
    let request = http::Request::post(format!("http://{address}/{method}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .unwrap();
    let (response, mut send) = client.send_request(request, false).unwrap();
    send.send_data(bytes::Bytes::from_static(body), true)
        .unwrap();
    let (parts, mut answer) = response.await.unwrap().into_parts();
    while let Some(chunk) = answer.data().await {
        chunk.unwrap();
    }
    let trailers = answer.trailers().await.unwrap().unwrap_or_default();
    let status = parts
        .headers
        .get("grpc-status")
        .or_else(|| trailers.get("grpc-status"))
        .expect("the call ends with a status");
    status.to_str().unwrap().to_owned()
}

/// A request that is not the method's message is the client's fault:
/// INVALID_ARGUMENT, never INTERNAL, for unary and streaming calls alike.
#[tokio::test]
async fn unreadable_requests_are_invalid_arguments() {
    let app = TestApp::spawn().await;
    // Not a gRPC frame; a frame whose payload is not protobuf.
    let not_a_frame: &'static [u8] = b"x";
    let not_protobuf: &'static [u8] = &[0, 0, 0, 0, 3, 0xff, 0xff, 0xff];
    for body in [not_a_frame, not_protobuf] {
        for (address, method, token) in [
            (
                &app.ingest_url,
                "udaconnect.v1.IngestService/SendPing",
                ORGANIZER_TOKEN,
            ),
            (
                &app.ingest_url,
                "udaconnect.v1.IngestService/StreamPings",
                ORGANIZER_TOKEN,
            ),
            (
                &app.persons_url,
                "udaconnect.v1.PersonService/GetPerson",
                SERVICE_TOKEN,
            ),
        ] {
            assert_eq!(
                raw_call(address, method, token, body).await,
                "3",
                "{method} with {body:?}"
            );
        }
    }
}
