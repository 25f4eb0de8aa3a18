//! Contacts over REST and gRPC: hand-built encounters with known answers,
//! pagination, errors, and the grid cells agreeing between Rust and SQL.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use geographiclib_rs::{DirectGeodesic, Geodesic};
use serde_json::Value;
use tonic::Code;
use udaconnect_domain::{ContactQuery, ContactQueryParts, Coordinates, NewLocation};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{self, CreatePersonRequest, FindContactsRequest, WriteLocationsRequest},
};
use udaconnect_storage::{LOCATIONS_MIGRATOR, LocationStore, StorageError, cells};
use uuid::Uuid;

use crate::support::{TestApp, assert_problem, fresh_database};

/// A booth at the Moscone Center.
pub const BOOTH: (f64, f64) = (37.784, -122.401);

pub fn base() -> DateTime<Utc> {
    "2026-11-02T09:00:00Z".parse().unwrap()
}

/// The position `meters` due north of the booth.
fn north_of_booth(meters: f64) -> (f64, f64) {
    let (latitude, longitude): (f64, f64) = Geodesic::wgs84().direct(BOOTH.0, BOOTH.1, 0.0, meters);
    (latitude, longitude)
}

pub async fn person(app: &TestApp, name: &str) -> i64 {
    app.persons_grpc
        .clone()
        .create_person(CreatePersonRequest {
            first_name: name.to_owned(),
            last_name: "Tester".to_owned(),
            company_name: "Acme".to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
        .id
}

/// Stores pings of `person_id` at `position`, one at each minute offset from
/// [`base`], straight through the locations service.
pub async fn pings(app: &TestApp, person_id: i64, position: (f64, f64), minutes: &[i64]) {
    let locations = minutes
        .iter()
        .map(|&minute| v1::NewLocation {
            event_id: Uuid::now_v7().to_string(),
            person_id,
            latitude: position.0,
            longitude: position.1,
            creation_time: Some(timestamp_from_datetime(base() + TimeDelta::minutes(minute))),
        })
        .collect();
    let response = app
        .locations_grpc
        .clone()
        .write_locations(WriteLocationsRequest { locations })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(response.written as usize, minutes.len());
}

async fn contacts(app: &TestApp, person_id: i64, query: &str) -> Value {
    let response = app
        .get(&format!(
            "/api/persons/{person_id}/contacts?start=2026-11-02&end=2026-11-02{query}"
        ))
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

fn met(page: &Value) -> Vec<i64> {
    page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|contact| contact["person"]["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn nearness_in_time_and_space_decides_who_met() {
    let app = TestApp::spawn().await;
    let (pam, five_minutes_later, three_hours_later, nine_meters_away) = (
        person(&app, "Pam").await,
        person(&app, "Later").await,
        person(&app, "MuchLater").await,
        person(&app, "Near").await,
    );
    pings(&app, pam, BOOTH, &[0]).await;
    pings(&app, five_minutes_later, BOOTH, &[5]).await;
    pings(&app, three_hours_later, BOOTH, &[180]).await;
    pings(&app, nine_meters_away, north_of_booth(9.0), &[0]).await;

    // Defaults: 10 m and 10 minutes.
    let page = contacts(&app, pam, "").await;
    let found: HashSet<i64> = met(&page).into_iter().collect();
    assert_eq!(found, HashSet::from([five_minutes_later, nine_meters_away]));
    assert_eq!(page["distance"], 10.0);
    assert_eq!(page["window_seconds"], 600.0);
    let later = &page["contacts"].as_array().unwrap()[0];
    assert_eq!(later["person"]["id"], five_minutes_later, "{page}");
    assert_eq!(later["total_seconds"], 300.0);
    assert_eq!(later["first_met"], "2026-11-02T09:00:00Z");
    assert_eq!(later["last_met"], "2026-11-02T09:05:00Z");

    assert_eq!(met(&contacts(&app, pam, "&distance=10").await).len(), 2);
    assert_eq!(
        met(&contacts(&app, pam, "&distance=8").await),
        [five_minutes_later]
    );
    let nine = &contacts(&app, nine_meters_away, "&distance=10").await["contacts"][0];
    let closest = nine["meetings"][0]["closest_meters"].as_f64().unwrap();
    assert!((closest - 9.0).abs() < 1e-6, "{closest}");
    // A window shorter than five minutes parts Pam from the later visitor.
    assert_eq!(
        met(&contacts(&app, pam, "&window=PT4M").await),
        [nine_meters_away]
    );
    // The two pings at the same instant make a meeting of no length, which a
    // shortest-meeting filter leaves out.
    let long = contacts(&app, pam, "&min_duration=60").await;
    assert_eq!(met(&long), [five_minutes_later]);
    assert_eq!(long["min_duration_seconds"], 60.0);
}

#[tokio::test]
async fn a_break_splits_a_run_of_pings_into_two_meetings() {
    let app = TestApp::spawn().await;
    let (pam, taco) = (person(&app, "Pam").await, person(&app, "Taco").await);
    let minutes: Vec<i64> = (0..=10).chain(40..=50).collect();
    pings(&app, pam, BOOTH, &minutes).await;
    pings(&app, taco, north_of_booth(4.0), &minutes).await;

    let page = contacts(&app, pam, "").await;
    let contact = &page["contacts"][0];
    assert_eq!(contact["person"]["id"], taco);
    assert_eq!(contact["meeting_count"], 2);
    assert_eq!(contact["total_seconds"], 1200.0);
    let meetings = contact["meetings"].as_array().unwrap();
    assert_eq!(meetings.len(), 2);
    assert_eq!(meetings[0]["start"], "2026-11-02T09:00:00Z");
    assert_eq!(meetings[0]["end"], "2026-11-02T09:10:00Z");
    assert_eq!(meetings[0]["duration_seconds"], 600.0);
    assert_eq!(meetings[1]["start"], "2026-11-02T09:40:00Z");
    // Both stood still, so the place is midway between them: 2 m north.
    let middle = north_of_booth(2.0);
    for meeting in meetings {
        assert!((meeting["latitude"].as_f64().unwrap() - middle.0).abs() < 1e-7);
        assert!((meeting["longitude"].as_f64().unwrap() - middle.1).abs() < 1e-7);
        assert!((meeting["closest_meters"].as_f64().unwrap() - 4.0).abs() < 1e-6);
    }
}

#[tokio::test]
async fn pages_return_every_contact_exactly_once() {
    let app = TestApp::spawn().await;
    let pam = person(&app, "Pam").await;
    pings(&app, pam, BOOTH, &(0..30).collect::<Vec<_>>()).await;
    let mut everyone = Vec::new();
    for i in 0..23 {
        let other = person(&app, &format!("Visitor{i}")).await;
        // Stays of different lengths, some equal, so ties are ranked too.
        pings(
            &app,
            other,
            north_of_booth(1.0),
            &(0..=(i % 9)).collect::<Vec<_>>(),
        )
        .await;
        everyone.push(other);
    }
    let whole = contacts(&app, pam, "&limit=100").await;
    assert!(whole["next_cursor"].is_null());
    let ranked = met(&whole);
    assert_eq!(ranked.len(), 23);

    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("&limit=5&cursor={cursor}"),
            None => "&limit=5".to_owned(),
        };
        let page = contacts(&app, pam, &query).await;
        assert!(met(&page).len() <= 5);
        walked.extend(met(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(walked, ranked);
    let totals: Vec<f64> = whole["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["total_seconds"].as_f64().unwrap())
        .collect();
    assert!(totals.is_sorted_by(|a, b| a >= b), "{totals:?}");

    // Narrowed to a few persons (one of them never near Pam), the search
    // answers exactly those contacts of the whole search, meetings and all.
    let stranger = person(&app, "Stranger").await;
    pings(&app, stranger, north_of_booth(500.0), &[5, 6]).await;
    let search = |among_person_ids: Vec<i64>| {
        let mut grpc = app.locations_grpc.clone();
        async move {
            grpc.find_contacts(FindContactsRequest {
                person_id: pam,
                start_time: Some(timestamp_from_datetime(base())),
                end_time: Some(timestamp_from_datetime(base() + TimeDelta::days(1))),
                limit: 100,
                among_person_ids,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_inner()
            .contacts
        }
    };
    let among = vec![everyone[20], stranger, everyone[3], everyone[11]];
    let whole = search(Vec::new()).await;
    let expected: Vec<_> = whole
        .into_iter()
        .filter(|contact| among.contains(&contact.person_id))
        .collect();
    assert_eq!(expected.len(), 3);
    assert_eq!(search(among).await, expected);
}

#[tokio::test]
async fn bad_queries_are_refused_with_the_parameter_named() {
    let app = TestApp::spawn().await;
    let pam = person(&app, "Pam").await;
    let path = |query: &str| format!("/api/persons/{pam}/contacts?{query}");
    for (query, field) in [
        ("end=2026-11-02", "start"),
        ("start=2026-11-02", "end"),
        ("start=2026-11-03&end=2026-11-02", "end"),
        ("start=2026-01-01&end=2026-06-01", "end"),
        ("start=yesterday&end=2026-11-02", "start"),
        ("start=2026-11-02&end=2026-11-02&distance=500", "distance"),
        ("start=2026-11-02&end=2026-11-02&distance=-1", "distance"),
        ("start=2026-11-02&end=2026-11-02&distance=ten", "distance"),
        ("start=2026-11-02&end=2026-11-02&window=PT2H", "window"),
        ("start=2026-11-02&end=2026-11-02&window=soon", "window"),
        (
            "start=2026-11-02&end=2026-11-02&min_duration=P2D",
            "min_duration",
        ),
        (
            "start=2026-11-02&end=2026-11-02&min_duration=172800",
            "min_duration",
        ),
        ("start=2026-11-02&end=2026-11-02&limit=0", "limit"),
        ("start=2026-11-02&end=2026-11-02&limit=1000", "limit"),
        ("start=2026-11-02&end=2026-11-02&cursor=nope", "cursor"),
    ] {
        assert_problem(app.get(&path(query)).await, 400, Some(field)).await;
    }
    let unknown = app
        .get("/api/persons/999999/contacts?start=2026-11-02&end=2026-11-02")
        .await;
    assert_problem(unknown, 404, None).await;

    let request = |person_id, distance_meters| FindContactsRequest {
        person_id,
        start_time: Some(timestamp_from_datetime(base())),
        end_time: Some(timestamp_from_datetime(base() + TimeDelta::days(1))),
        distance_meters,
        ..Default::default()
    };
    let mut grpc = app.locations_grpc.clone();
    let status = grpc
        .find_contacts(request(999_999, None))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);
    let status = grpc
        .find_contacts(request(pam, Some(f64::NAN)))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().starts_with("distance_meters: "),
        "{}",
        status.message()
    );
    let status = grpc
        .find_contacts(FindContactsRequest {
            among_person_ids: vec![5, 5],
            ..request(pam, None)
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(
        status.message().starts_with("among_person_ids: "),
        "{}",
        status.message()
    );
    let empty = grpc
        .find_contacts(request(pam, None))
        .await
        .unwrap()
        .into_inner();
    assert!(empty.contacts.is_empty() && empty.next_cursor.is_empty());
}

/// The query side computes grid cells in Rust, the index in SQL: every ping's
/// SQL cell must be among the cells Rust searches around it, or pings would
/// hide where nobody looks (the poles and the antimeridian included, where
/// the two trigonometries differ in the last bits).
#[tokio::test]
async fn rust_and_sql_put_positions_in_the_same_cells() {
    let app = TestApp::spawn_with(crate::support::Options {
        consumer: false,
        ..Default::default()
    })
    .await;
    let mut rng = fastrand::Rng::with_seed(11);
    let positions: Vec<(f64, f64)> = (0..2_000)
        .map(|_| (rng.f64() * 180.0 - 90.0, rng.f64() * 360.0 - 180.0))
        .chain([
            (90.0, 0.0),
            (-90.0, 180.0),
            (0.0, 180.0),
            (0.0, -180.0),
            (0.0, 0.0),
        ])
        .collect();
    let (latitudes, longitudes): (Vec<f64>, Vec<f64>) = positions.iter().copied().unzip();
    let from_sql: Vec<i64> = sqlx::query_scalar(
        "SELECT location_cell(ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography)
         FROM UNNEST($1::float8[], $2::float8[]) WITH ORDINALITY AS u(lat, lon, n) ORDER BY n",
    )
    .bind(&latitudes)
    .bind(&longitudes)
    .fetch_all(&app.locations_db)
    .await
    .unwrap();
    for ((latitude, longitude), sql) in positions.into_iter().zip(from_sql) {
        let position = Coordinates::new(latitude, longitude).unwrap();
        assert!(
            cells::cells_near(position, 0.0).any(|cell| cell == sql),
            "{latitude},{longitude}"
        );
    }
}

/// A search of the person's contacts in the first hour after [`base`], at
/// the default distance and window: what the stores' tests search.
fn first_hours_search(person_id: i64) -> ContactQuery {
    ContactQuery::new(ContactQueryParts {
        person_id,
        start: Some(base()),
        end: Some(base() + TimeDelta::hours(1)),
        distance_meters: Some(10.0),
        window: Some(TimeDelta::minutes(10)),
        ..Default::default()
    })
    .unwrap()
}

/// Contact searches whose candidates are not taken (as behind a slow
/// matcher) hold their readers' connections; they leave the last of the
/// pool to writers, so a write goes through at once instead of failing
/// when the pool's wait runs out, and a search waiting for connections
/// gets every candidate once the others let go.
#[tokio::test]
async fn searches_leave_connections_to_writers() {
    let database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    let store = LocationStore::new(udaconnect_storage::connect_lazy(&database.url, 5).unwrap());
    let ping = |person_id, (latitude, longitude), minute| NewLocation {
        event_id: Uuid::now_v7(),
        person_id,
        coordinates: Coordinates::new(latitude, longitude).unwrap(),
        creation_time: base() + TimeDelta::minutes(minute),
    };
    // The subject stands at the booth for an hour; others' pings fill the
    // disc of 9.5 m around it, so all are candidates, tens of thousands for
    // each of a search's readers: more than a reader hands on before it
    // waits for them to be taken.
    let subject = 1;
    let mut stored: Vec<NewLocation> = (0..60).map(|minute| ping(subject, BOOTH, minute)).collect();
    let others = 200_000;
    for n in 0..others {
        let bearing = (n as f64 * 137.507_764) % 360.0;
        let meters = 9.5 * ((n % 997) as f64 / 997.0).sqrt();
        let position = Geodesic::wgs84().direct(BOOTH.0, BOOTH.1, bearing, meters);
        stored.push(ping(2 + n % 1_000, position, n % 60));
    }
    for batch in stored.chunks(10_000) {
        store.write(batch).await.unwrap();
    }
    let query = first_hours_search(subject);

    // Three searches, twelve readers, for a pool of five.
    let mut searches = Vec::new();
    for _ in 0..3 {
        searches.push(store.contact_sightings(&query).await.unwrap());
    }
    // The readers start (each asks for its connection) before the write.
    tokio::task::yield_now().await;
    let written = store.write(&[ping(2, BOOTH, 120)]).await;
    assert!(
        matches!(written, Ok(1)),
        "a write waited behind the searches' readers: {written:?}"
    );

    let waiting = searches.remove(0);
    drop(searches);
    let candidates: Vec<_> = waiting.candidates.collect().await;
    let found: usize = candidates
        .into_iter()
        .map(|chunk| chunk.unwrap().len())
        .sum();
    assert_eq!(found, others as usize);
}

/// Stores `subject`'s hour at the booth, a ping a minute from [`base`],
/// and `pings` of `exported`'s over the same hour: a search of
/// [`first_hours_search`] meets all of the latter.
async fn store_an_hour(store: &LocationStore, subject: i64, exported: i64, pings: i64) {
    let ping = |person_id, second| NewLocation {
        event_id: Uuid::now_v7(),
        person_id,
        coordinates: Coordinates::new(BOOTH.0, BOOTH.1).unwrap(),
        creation_time: base() + TimeDelta::seconds(second),
    };
    let mut stored: Vec<NewLocation> = (0..60).map(|minute| ping(subject, minute * 60)).collect();
    stored.extend((0..pings).map(|n| ping(exported, n % 3_600)));
    for batch in stored.chunks(10_000) {
        store.write(batch).await.unwrap();
    }
}

/// The pings of a whole export, read to its end.
async fn pings_exported(
    export: impl futures::Stream<Item = Result<Vec<udaconnect_domain::Location>, StorageError>>,
) -> usize {
    export
        .map(|chunk| chunk.unwrap().len())
        .fold(0, |total, chunk| async move { total + chunk })
        .await
}

/// Exports whose clients take nothing (as a stalled browser's) hold their
/// connections; they leave enough of the streamed reads' to contact
/// searches, so a search answers at once, and an export waiting for a
/// connection reads every ping once the others let go.
#[tokio::test]
async fn slow_clients_leave_connections_to_searches() {
    let database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    // Six connections for streamed reads, of which two for exports and
    // connection searches.
    let store = LocationStore::new(udaconnect_storage::connect_lazy(&database.url, 10).unwrap());
    let (subject, exported, pings) = (1, 2, 20_000);
    store_an_hour(&store, subject, exported, pings).await;

    // Six exports whose clients take nothing: each read stops once two
    // chunks wait for its client, and holds its connection meanwhile.
    let mut exports: Vec<_> = (0..6)
        .map(|_| store.stream_person_locations(exported, 100))
        .collect();
    tokio::task::yield_now().await;
    let query = first_hours_search(subject);
    let search = async {
        let sightings = store.contact_sightings(&query).await.unwrap();
        let chunks: Vec<_> = sightings.candidates.collect().await;
        chunks
            .into_iter()
            .map(|chunk| chunk.unwrap().len())
            .sum::<usize>()
    };
    // Without the exports' own allowance the search's readers wait for as
    // long as the exports' clients do: here, for ever.
    let candidates = tokio::time::timeout(std::time::Duration::from_secs(30), search)
        .await
        .expect("the search waited behind the stalled exports");
    assert_eq!(candidates, pings as usize);

    // An export that waited for its turn still reads every ping once the
    // stalled ones are gone.
    let waiting = exports.pop().unwrap();
    drop(exports);
    assert_eq!(pings_exported(waiting).await, pings as usize);
}

/// Exports whose clients stopped reading give their connections back once
/// they have taken nothing for the store's stall limit: an export waiting
/// behind them then reads every ping, and each stalled one, read at last,
/// ends with an error after what it had sent, never looking complete.
#[tokio::test]
async fn stalled_readers_give_their_connections_back() {
    let database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    // Two connections for exports and connection searches, as above.
    let store = LocationStore::new(udaconnect_storage::connect_lazy(&database.url, 10).unwrap())
        .with_stall_limit(std::time::Duration::from_secs(1));
    let (subject, exported, pings) = (1, 2, 20_000);
    store_an_hour(&store, subject, exported, pings).await;

    let stalled: Vec<_> = (0..2)
        .map(|_| store.stream_person_locations(exported, 100))
        .collect();
    tokio::task::yield_now().await;
    // Without the limit this export waits for as long as the stalled
    // clients do: here, for ever.
    let waiting = store.stream_person_locations(exported, 100);
    let read = tokio::time::timeout(std::time::Duration::from_secs(30), pings_exported(waiting))
        .await
        .expect("the export waited behind the stalled ones");
    assert_eq!(read, pings as usize);

    for export in stalled {
        let mut items: Vec<_> = export.collect().await;
        let last = items.pop().expect("a stalled export ends with an error");
        assert!(
            matches!(last, Err(StorageError::ReaderStalled { .. })),
            "a stalled export ended with {last:?}"
        );
        let sent: usize = items.into_iter().map(|chunk| chunk.unwrap().len()).sum();
        assert!(
            sent < pings as usize,
            "a stalled export sent all {sent} pings"
        );
    }
}
