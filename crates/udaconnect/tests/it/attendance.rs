//! Booths and presentations end to end: an event's floor plan and programme
//! uploaded through REST, pings through ingest and Kafka, visits found by
//! the attendance consumer, and the answers; the rebuild gives the stream's
//! visits exactly; bad uploads store nothing.

use std::time::{Duration, Instant};

use chrono::{DateTime, DurationRound, SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};
use udaconnect_domain::{NewPerson, VisitGap};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{self, Ping, PingBatch},
};

use crate::support::{
    ORGANIZER_TOKEN, Options, SERVICE_TOKEN, TestApp, assert_problem, redeem, service,
    until_the_group_drops_a_killed_member,
};

/// The hall's south-west corner; booths and the room lie north-east of it.
const ORIGIN: (f64, f64) = (35.0580, -106.5720);
/// Metres per degree of latitude; of longitude at this latitude.
const METRES_PER_DEGREE_LATITUDE: f64 = 111_000.0;
const METRES_PER_DEGREE_LONGITUDE: f64 = 90_900.0;

/// (latitude, longitude) of a point `east` and `north` metres from the origin.
fn at(east: f64, north: f64) -> (f64, f64) {
    (
        ORIGIN.0 + north / METRES_PER_DEGREE_LATITUDE,
        ORIGIN.1 + east / METRES_PER_DEGREE_LONGITUDE,
    )
}

/// A rectangle `width` × `depth` metres with its south-west corner at
/// (`east`, `north`), as GeoJSON coordinates.
fn rectangle(east: f64, north: f64, width: f64, depth: f64) -> Value {
    let corner = |e: f64, n: f64| {
        let (latitude, longitude) = at(e, n);
        json!([longitude, latitude])
    };
    json!([[
        corner(east, north),
        corner(east + width, north),
        corner(east + width, north + depth),
        corner(east, north + depth),
        corner(east, north)
    ]])
}

fn feature(name: &str, kind: &str, coordinates: Value) -> Value {
    json!({"type": "Feature", "properties": {"name": name, "kind": kind},
           "geometry": {"type": "Polygon", "coordinates": coordinates}})
}

/// Hall A (a room, 30 × 30 m at the origin) and booth B1 (4 × 4 m, 40 m east).
fn floor_plan() -> Value {
    json!({"type": "FeatureCollection", "features": [
        feature("Hall A", "room", rectangle(0.0, 0.0, 30.0, 30.0)),
        feature("B1", "booth", rectangle(40.0, 0.0, 4.0, 4.0)),
    ]})
}

fn ical_time(time: DateTime<Utc>) -> String {
    time.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One talk in Hall A from `start` for 40 minutes.
fn programme(start: DateTime<Utc>) -> String {
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//udaconnect tests//EN",
        "BEGIN:VEVENT",
        "UID:keynote@example.org",
        &format!("DTSTAMP:{}", ical_time(start)),
        &format!("DTSTART:{}", ical_time(start)),
        &format!("DTEND:{}", ical_time(start + TimeDelta::minutes(40))),
        "SUMMARY:Keynote\\, the future of meeting people",
        "LOCATION:Hall A",
        "ATTENDEE;CN=Ada Lovelace;ROLE=CHAIR:mailto:ada@example.org",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
    .join("\r\n")
}

/// Creates the event (an hour before `talk` to three hours after) with its
/// floor plan and programme; returns its id.
async fn create_event(app: &TestApp, talk: DateTime<Utc>) -> i64 {
    let text = |time: DateTime<Utc>| time.to_rfc3339_opts(SecondsFormat::Secs, true);
    let created = app
        .http
        .post(format!("{}/api/events", app.api_url))
        .json(
            &json!({"name": "Test conference", "start": text(talk - TimeDelta::hours(1)),
                      "end": text(talk + TimeDelta::hours(3)), "time_zone": "America/Denver"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let event: Value = created.json().await.unwrap();
    let id = event["id"].as_i64().unwrap();
    let plan = app
        .http
        .put(format!("{}/api/events/{id}/floor-plan", app.api_url))
        .header("content-type", "application/geo+json")
        .body(floor_plan().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(plan.status(), 200);
    let plan: Value = plan.json().await.unwrap();
    assert_eq!(plan["features"].as_array().unwrap().len(), 2);
    let programme = app
        .http
        .put(format!("{}/api/events/{id}/programme", app.api_url))
        .header("content-type", "text/calendar")
        .body(programme(talk))
        .send()
        .await
        .unwrap();
    assert_eq!(programme.status(), 200);
    let programme: Value = programme.json().await.unwrap();
    assert_eq!(
        programme[0]["title"],
        "Keynote, the future of meeting people"
    );
    assert_eq!(programme[0]["speakers"], json!(["Ada Lovelace"]));
    id
}

/// Pings every 10 s at `place` from `from` for `minutes`.
fn stay(person_id: i64, place: (f64, f64), from: DateTime<Utc>, minutes: i64) -> Vec<Ping> {
    (0..=minutes * 6)
        .map(|step| Ping {
            event_id: String::new(),
            person_id,
            latitude: place.0,
            longitude: place.1,
            creation_time: Some(timestamp_from_datetime(
                from + TimeDelta::seconds(step * 10),
            )),
        })
        .collect()
}

/// Polls `path` until its JSON answer satisfies `done`, for at most a minute.
async fn eventually(app: &TestApp, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer: Value = app.get(path).await.json().await.unwrap();
        if done(&answer) {
            return answer;
        }
        assert!(Instant::now() < deadline, "{path} never settled: {answer}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every stored visit, in order, for comparing two ways of finding them.
async fn stored_visits(app: &TestApp) -> Vec<(i64, i64, DateTime<Utc>, DateTime<Utc>)> {
    sqlx::query_as("SELECT person_id, area_id, start_time, end_time FROM visit ORDER BY 1, 2, 3")
        .fetch_all(&app.events_db)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_is_found_from_the_stream_and_rebuilt_exactly() {
    let app = TestApp::spawn_with(Options {
        attendance: true,
        ..Options::default()
    })
    .await;
    let mut ids = Vec::new();
    for name in ["Attends", "Leaves", "Shares"] {
        let person = app
            .persons_store
            .create(&NewPerson::parse(name, "Tester", "Acme").unwrap())
            .await
            .unwrap();
        ids.push(person.id);
    }
    let (attends, leaves, shares) = (ids[0], ids[1], ids[2]);
    let talk = (Utc::now() - TimeDelta::hours(2))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    let event = create_event(&app, talk).await;

    // Attends: 25 minutes of the talk at the front, then 4 at the booth.
    // Leaves: 4 minutes at the back of the room, then 1 at the booth.
    // Shares: 30 minutes of the talk at the front (within meeting range of
    // Attends), then 3 at the booth.
    let mut pings = stay(attends, at(5.0, 5.0), talk, 25);
    pings.extend(stay(
        attends,
        at(42.0, 2.0),
        talk + TimeDelta::minutes(27),
        4,
    ));
    pings.extend(stay(
        leaves,
        at(25.0, 25.0),
        talk + TimeDelta::minutes(1),
        4,
    ));
    pings.extend(stay(
        leaves,
        at(42.0, 2.0),
        talk + TimeDelta::minutes(50),
        1,
    ));
    pings.extend(stay(shares, at(6.0, 5.0), talk, 30));
    pings.extend(stay(
        shares,
        at(42.5, 2.5),
        talk + TimeDelta::minutes(33),
        3,
    ));
    // Out of order and in several batches: visits must not care.
    pings.reverse();
    let total = pings.len();
    for batch in pings.chunks(97) {
        app.ingest_grpc
            .clone()
            .send_pings(PingBatch {
                pings: batch.to_vec(),
            })
            .await
            .unwrap();
    }
    assert_eq!(app.settled_locations(total as i64).await, total as i64);

    let attendance = eventually(
        &app,
        &format!("/api/persons/{attends}/attendance?event={event}"),
        |answer| {
            answer["presentations"]
                .as_array()
                .is_some_and(|p| p.len() == 1)
                && answer["booths"].as_array().is_some_and(|b| b.len() == 1)
        },
    )
    .await;
    let minutes = attendance["presentations"][0]["minutes_present"]
        .as_f64()
        .unwrap();
    assert!((minutes - 25.0).abs() < 0.01, "{attendance}");
    assert_eq!(attendance["booths"][0]["booth"]["name"], "B1");
    assert_eq!(attendance["event"]["id"], event);
    eventually(
        &app,
        &format!("/api/persons/{shares}/attendance?event={event}"),
        |answer| answer["booths"].as_array().is_some_and(|b| b.len() == 1),
    )
    .await;

    // Leaving after 4 minutes is not attending; a minute is not a visit.
    let left = app
        .get(&format!("/api/persons/{leaves}/attendance?event={event}"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(left["presentations"], json!([]), "{left}");
    assert_eq!(left["booths"], json!([]), "{left}");

    // The owner's answer: Shares attended the talk and visited the booth
    // too, and met Attends; Leaves shares nothing.
    let shared = app
        .get(&format!("/api/persons/{attends}/shared?event={event}"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let entries = shared["shared"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{shared}");
    assert_eq!(entries[0]["person"]["id"], shares);
    assert_eq!(
        entries[0]["presentations"][0]["title"],
        "Keynote, the future of meeting people"
    );
    assert_eq!(entries[0]["booths"][0]["name"], "B1");
    let meetings = entries[0]["meetings"].as_array().unwrap().len() as u64;
    assert!(meetings >= 1, "they sat a metre apart: {shared}");
    assert_eq!(
        entries[0]["score"],
        3 + 2,
        "meetings are listed, not scored"
    );

    let presentation = attendance["presentations"][0]["presentation"]["id"]
        .as_i64()
        .unwrap();
    let attendees = app
        .get(&format!("/api/presentations/{presentation}/attendees"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let names: Vec<&str> = attendees["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["person"]["first_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Shares", "Attends"], "longest present first");
    let statistics = app
        .get(&format!("/api/events/{event}/statistics"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(statistics["presentations"][0]["attendees"], 2);
    let traffic: u64 = statistics["booth_traffic"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hour| hour["visitors"].as_u64().unwrap())
        .sum();
    assert!(traffic >= 2, "{statistics}");
    let booth = attendance["booths"][0]["booth"]["id"].as_i64().unwrap();
    let visitors = app
        .get(&format!("/api/areas/{booth}/visitors"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let counted: Vec<bool> = visitors["visitors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["counted"].as_bool().unwrap())
        .collect();
    assert_eq!(
        counted,
        [true, true, false],
        "the passer-by is seen, not counted"
    );

    // Redelivery is harmless: a second group reads the whole topic again
    // into the same visits.
    let streamed = stored_visits(&app).await;
    let replayed = {
        let mut app = app;
        app.group = format!("{}-again", app.group);
        app.start_attendance_consumer();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(
            stored_visits(&app).await,
            streamed,
            "replaying changed the visits"
        );

        // The rebuild from the stored pings gives exactly the stream's visits.
        let report = udaconnect_attendance::rebuild_event(
            &app.events_url,
            &app.locations_url,
            &service(),
            event,
            VisitGap::new(TimeDelta::minutes(2)).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(report.pings, total as u64);
        assert_eq!(report.removed as usize, streamed.len());
        stored_visits(&app).await
    };
    assert_eq!(replayed, streamed, "the rebuild differs from the stream");
}

/// A stack without a location consumer, and an event (see [`create_event`])
/// whose talk began two hours ago: (stack, talk's start, event id).
async fn app_with_event() -> (TestApp, DateTime<Utc>, i64) {
    let app = TestApp::spawn_with(Options {
        consumer: false,
        ..Options::default()
    })
    .await;
    let talk = (Utc::now() - TimeDelta::hours(2))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    let event = create_event(&app, talk).await;
    (app, talk, event)
}

/// Uploads `body` as the event's `path` (`floor-plan`, `programme`).
async fn put_to(
    app: &TestApp,
    event: i64,
    path: &str,
    content_type: &str,
    body: String,
) -> reqwest::Result<reqwest::Response> {
    app.http
        .put(format!("{}/api/events/{event}/{path}", app.api_url))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
}

/// The owner's answer over several pages: each other attendee's score is
/// what the recorded visits say (a 3-minute stay in a talk or a 1-minute
/// one at a booth counts for nothing), ties are ranked, and walking the
/// pages gives every sharer once, in the same order the events service
/// ranks them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_attendance_is_ranked_and_paged_as_the_visits_say() {
    let (app, talk, event) = app_with_event().await;
    let booths = ["B1", "B2", "B3", "B4"];
    let mut features = vec![
        feature("Hall A", "room", rectangle(0.0, 0.0, 30.0, 30.0)),
        feature("Hall B", "room", rectangle(0.0, 40.0, 30.0, 30.0)),
    ];
    for (i, name) in booths.iter().enumerate() {
        features.push(feature(
            name,
            "booth",
            rectangle(40.0, 10.0 * i as f64, 4.0, 4.0),
        ));
    }
    let plan = json!({"type": "FeatureCollection", "features": features});
    let uploaded = put_to(
        &app,
        event,
        "floor-plan",
        "application/geo+json",
        plan.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(uploaded.status(), 200);
    // Two talks at once, then one after.
    let text = |time: DateTime<Utc>| time.to_rfc3339_opts(SecondsFormat::Secs, true);
    let slot = |room: &str, title: &str, start: DateTime<Utc>| {
        json!({"title": title, "room": room, "start": text(start),
               "end": text(start + TimeDelta::minutes(40))})
    };
    let talks = json!({"presentations": [
        slot("Hall A", "Rust at scale", talk),
        slot("Hall B", "Maps for people", talk),
        slot("Hall A", "Privacy by design", talk + TimeDelta::hours(1)),
    ]});
    let uploaded = put_to(
        &app,
        event,
        "programme",
        "application/json",
        talks.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(uploaded.status(), 200);
    let programme: Value = uploaded.json().await.unwrap();
    let talk_ids: Vec<i64> = programme
        .as_array()
        .unwrap()
        .iter()
        .map(|presentation| presentation["id"].as_i64().unwrap())
        .collect();
    let areas: Value = app
        .get(&format!("/api/events/{event}/areas"))
        .await
        .json()
        .await
        .unwrap();
    let area_id = |name: &str| {
        areas["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|area| area["properties"]["name"] == name)
            .map(|area| area["id"].as_i64().unwrap())
            .unwrap()
    };
    let rooms = [area_id("Hall A"), area_id("Hall B"), area_id("Hall A")];
    let talk_starts = [talk, talk, talk + TimeDelta::hours(1)];

    // Fourteen attendees with random agendas, but for the first, the
    // subject, who attends two talks and visits every booth.
    let mut rng = fastrand::Rng::with_seed(15);
    let mut agendas = Vec::new();
    let mut visits = Vec::new();
    for i in 0..14 {
        let person_id = app
            .persons_store
            .create(&NewPerson::parse(&format!("Sharer{i}"), "Tester", "Acme").unwrap())
            .await
            .unwrap()
            .id;
        let mut stay = |area_id: i64, start: DateTime<Utc>, minutes: i64| {
            visits.push(v1::Visit {
                person_id,
                area_id,
                start: Some(timestamp_from_datetime(start)),
                end: Some(timestamp_from_datetime(start + TimeDelta::minutes(minutes))),
            });
        };
        let subject = i == 0;
        // 0: away; 1: too short to count; 2: counts.
        let outcome = |rng: &mut fastrand::Rng| if subject { 2 } else { rng.u8(0..3) };
        let mut attended = Vec::new();
        // The first slot: one of the two talks or neither; the second: the
        // talk or not. A 3-minute stay is not attending.
        for choices in [[0, 1].as_slice(), [2].as_slice()] {
            let chosen = if subject {
                choices[0]
            } else {
                choices[rng.usize(..choices.len())]
            };
            match outcome(&mut rng) {
                0 => {}
                1 => stay(
                    rooms[chosen],
                    talk_starts[chosen] + TimeDelta::minutes(5),
                    3,
                ),
                _ => {
                    stay(rooms[chosen], talk_starts[chosen], 38);
                    attended.push(talk_ids[chosen]);
                }
            }
        }
        let mut visited = Vec::new();
        for (b, booth) in booths.iter().enumerate() {
            let at = talk + TimeDelta::minutes(42 + 4 * b as i64);
            match outcome(&mut rng) {
                0 => {}
                1 => stay(area_id(booth), at, 1),
                _ => {
                    stay(area_id(booth), at, 3);
                    visited.push(*booth);
                }
            }
        }
        agendas.push((person_id, attended, visited));
    }
    let changed = app
        .events_grpc
        .clone()
        .record_visits(v1::RecordVisitsRequest {
            visits: visits.clone(),
            max_gap: Some(udaconnect_proto::duration_from_timedelta(
                TimeDelta::minutes(2),
            )),
        })
        .await
        .unwrap()
        .into_inner()
        .changed;
    assert_eq!(changed as usize, visits.len());

    // What the agendas say: (person, score, presentations, booths), ranked.
    let (subject, my_talks, my_booths) = agendas[0].clone();
    let mut expected: Vec<(i64, u64, usize, usize)> = agendas[1..]
        .iter()
        .map(|(person_id, talks, booths)| {
            let shared_talks = talks.iter().filter(|id| my_talks.contains(id)).count();
            let shared_booths = booths.iter().filter(|b| my_booths.contains(b)).count();
            let score = 3 * shared_talks as u64 + 2 * shared_booths as u64;
            (*person_id, score, shared_talks, shared_booths)
        })
        .filter(|&(_, score, ..)| score > 0)
        .collect();
    expected.sort_by_key(|&(person_id, score, talks, _)| {
        (
            std::cmp::Reverse(score),
            std::cmp::Reverse(talks),
            person_id,
        )
    });
    assert!(expected.len() > 8, "too few sharers to page: {expected:?}");

    let mut walked = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = app
            .get(&format!(
                "/api/persons/{subject}/shared?event={event}&limit=4{cursor}"
            ))
            .await
            .json()
            .await
            .unwrap();
        let entries = page["shared"].as_array().unwrap();
        assert!(entries.len() <= 4, "{page}");
        for entry in entries {
            assert_eq!(entry["meetings"], json!([]), "nobody pinged: {entry}");
            walked.push((
                entry["person"]["id"].as_i64().unwrap(),
                entry["score"].as_u64().unwrap(),
                entry["presentations"].as_array().unwrap().len(),
                entry["booths"].as_array().unwrap().len(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(walked, expected);

    // The events service pages the same ranking and counts every sharer.
    let first = app
        .events_grpc
        .clone()
        .find_shared_attendance(v1::FindSharedAttendanceRequest {
            person_id: subject,
            event_id: event,
            limit: 5,
            cursor: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(first.total as usize, expected.len());
    let ids: Vec<i64> = first.others.iter().map(|other| other.person_id).collect();
    let top: Vec<i64> = expected[..5].iter().map(|entry| entry.0).collect();
    assert_eq!(ids, top);
    assert_eq!(first.next_cursor, "5");
    for (limit, cursor, field) in [(1_001, "", "limit: "), (5, "x", "cursor: ")] {
        let status = app
            .events_grpc
            .clone()
            .find_shared_attendance(v1::FindSharedAttendanceRequest {
                person_id: subject,
                event_id: event,
                limit,
                cursor: cursor.to_owned(),
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::InvalidArgument);
        assert!(status.message().starts_with(field), "{}", status.message());
    }
    let past_the_end: Value = app
        .get(&format!(
            "/api/persons/{subject}/shared?event={event}&cursor=1000"
        ))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(past_the_end, json!({"shared": [], "next_cursor": null}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_uploads_are_refused_naming_the_field_and_store_nothing() {
    let (app, talk, event) = app_with_event().await;

    // A bow tie crosses itself: PostGIS says so, and nothing changes.
    let (a, b, c, d) = (at(0.0, 0.0), at(10.0, 10.0), at(10.0, 0.0), at(0.0, 10.0));
    let bow_tie = json!({"type": "FeatureCollection", "features": [
        feature("Hall A", "room", rectangle(0.0, 0.0, 30.0, 30.0)),
        feature("Bow", "booth", json!([[[a.1, a.0], [b.1, b.0], [c.1, c.0], [d.1, d.0], [a.1, a.0]]])),
    ]});
    let problem = assert_problem(
        put_to(
            &app,
            event,
            "floor-plan",
            "application/geo+json",
            bow_tie.to_string(),
        )
        .await
        .unwrap(),
        422,
        Some("features[1].geometry"),
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Self-intersection"),
        "{problem}"
    );
    let kinds = [
        (json!({"type": "FeatureCollection", "features": [feature("X", "stage", rectangle(0.0, 0.0, 1.0, 1.0))]}).to_string(), "features[0].properties.kind"),
        ("{\"type\": \"FeatureCollection\"".to_owned(), "body"),
    ];
    for (body, field) in kinds {
        assert_problem(
            put_to(&app, event, "floor-plan", "application/json", body)
                .await
                .unwrap(),
            422,
            Some(field),
        )
        .await;
    }
    assert_problem(
        put_to(
            &app,
            event,
            "floor-plan",
            "text/plain",
            floor_plan().to_string(),
        )
        .await
        .unwrap(),
        415,
        None,
    )
    .await;
    let areas: Value = app
        .get(&format!("/api/events/{event}/areas"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        areas["features"].as_array().unwrap().len(),
        2,
        "the floor plan is unchanged"
    );

    // Dropping the room the keynote is in conflicts with the programme.
    let without_room = json!({"type": "FeatureCollection", "features": [
        feature("B1", "booth", rectangle(40.0, 0.0, 4.0, 4.0)),
    ]});
    assert_problem(
        put_to(
            &app,
            event,
            "floor-plan",
            "application/geo+json",
            without_room.to_string(),
        )
        .await
        .unwrap(),
        409,
        None,
    )
    .await;

    // Programmes: an unknown room, an end before the start, outside the
    // event, unparsable; each leaves the programme as it was.
    let keynote = programme(talk);
    let cases = [
        (
            keynote.replace("LOCATION:Hall A", "LOCATION:Hall Z"),
            "presentations[0].room",
        ),
        (
            keynote.replace("LOCATION:Hall A", "LOCATION:B1"),
            "presentations[0].room",
        ),
        (
            keynote.replace(
                &format!("DTEND:{}", ical_time(talk + TimeDelta::minutes(40))),
                &format!("DTEND:{}", ical_time(talk - TimeDelta::minutes(5))),
            ),
            "presentations[0].end",
        ),
        (
            keynote.replace(
                &format!("DTSTART:{}", ical_time(talk)),
                &format!("DTSTART:{}", ical_time(talk - TimeDelta::hours(3))),
            ),
            "presentations[0].start",
        ),
        ("BEGIN:VCALENDAR\r\nthis is not".to_owned(), "body"),
    ];
    for (body, field) in cases {
        assert_problem(
            put_to(&app, event, "programme", "text/calendar", body)
                .await
                .unwrap(),
            422,
            Some(field),
        )
        .await;
    }
    let json_programme = json!({"presentations": [{"title": "T", "room": "Hall A", "start": "noon", "end": "later"}]});
    assert_problem(
        put_to(
            &app,
            event,
            "programme",
            "application/json",
            json_programme.to_string(),
        )
        .await
        .unwrap(),
        422,
        Some("presentations[0].start"),
    )
    .await;
    let presentations: Value = app
        .get(&format!("/api/events/{event}/presentations"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        presentations.as_array().unwrap().len(),
        1,
        "the programme is unchanged"
    );

    // Events: an end before the start, an unknown zone, an unknown event.
    let new_event = |body: Value| {
        app.http
            .post(format!("{}/api/events", app.api_url))
            .json(&body)
            .send()
    };
    assert_problem(new_event(json!({"name": "E", "start": "2026-05-04T10:00:00Z", "end": "2026-05-04T09:00:00Z", "time_zone": "UTC"})).await.unwrap(), 422, Some("end")).await;
    assert_problem(new_event(json!({"name": "E", "start": "2026-05-04T10:00:00Z", "end": "2026-05-04T19:00:00Z", "time_zone": "Mars/Olympus"})).await.unwrap(), 422, Some("time_zone")).await;
    assert_problem(app.get("/api/events/999999").await, 404, None).await;
    assert_problem(
        app.get(&format!("/api/persons/1/attendance?event={}", event + 1000))
            .await,
        404,
        None,
    )
    .await;
    assert_problem(
        app.get("/api/persons/1/attendance").await,
        400,
        Some("event"),
    )
    .await;
    assert_problem(
        app.get(&format!("/api/persons/1/shared?event={event}&limit=0"))
            .await,
        400,
        Some("limit"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_event_is_attended_as_the_simulator_planned() {
    use udaconnect_devtools::simulate::{self, EventModeArgs, SimulateArgs};
    use udaconnect_runtime::{
        ServiceTokenArgs,
        config::{EventsPeerArgs, IngestPeerArgs, PersonsPeerArgs},
    };

    let app = TestApp::spawn_with(Options {
        attendance: true,
        ..Options::default()
    })
    .await;
    let report = simulate::play_event(
        &SimulateArgs {
            ingest: IngestPeerArgs {
                ingest_url: app.ingest_url.clone(),
            },
            persons: PersonsPeerArgs {
                persons_url: app.persons_url.clone(),
            },
            organizer_token: Some(ORGANIZER_TOKEN.to_owned()),
            service: ServiceTokenArgs {
                service_token: Some(SERVICE_TOKEN.to_owned()),
            },
            attendees: 60,
            minutes: 120,
            ping_interval: Duration::from_secs(10),
            start: Some(Utc::now() - TimeDelta::hours(3)),
            booths: 20,
            talks: 3,
            rate: 0.0,
            streams: 2,
            segment: 5_000,
            batched: false,
            ground_truth: None,
            seed: 7,
            event: EventModeArgs {
                enabled: true,
                events: EventsPeerArgs {
                    events_url: app.events_url.clone(),
                },
                check_attendance: true,
                attendance_timeout: Duration::from_secs(90),
            },
        },
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();
    let score = report.attendance.expect("the attendance was checked");
    eprintln!("attendance score: {score:?}");
    assert!(score.settled, "the answers settled: {score:?}");
    assert!(
        score.attendance_precision >= 0.98 && score.attendance_recall >= 0.98,
        "{score:?}"
    );
    assert!(
        score.shared_precision >= 0.95 && score.shared_recall >= 0.95,
        "{score:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_attendance_consumer_mid_run_loses_and_doubles_nothing() {
    let app = TestApp::spawn().await;
    let talk = (Utc::now() - TimeDelta::hours(2))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    let event = create_event(&app, talk).await;
    // Ten people, each going back and forth between the hall, the aisle
    // and the booth for 100 minutes: many visits, started and ended.
    let mut pings = Vec::new();
    for index in 0..10 {
        let person = app
            .persons_store
            .create(&NewPerson::parse(&format!("P{index}"), "Tester", "Acme").unwrap())
            .await
            .unwrap();
        let mut time = talk - TimeDelta::minutes(55) + TimeDelta::seconds(index * 7);
        let places = [
            (at(3.0 + index as f64, 10.0), 11 + index % 5),
            (at(35.0, 10.0), 3),
            (at(41.0 + (index % 3) as f64, 2.0), 2 + index % 4),
            (at(35.0, -5.0), 4),
        ];
        while time < talk + TimeDelta::minutes(45) {
            for (place, minutes) in places {
                pings.extend(stay(person.id, place, time, minutes));
                time += TimeDelta::minutes(minutes) + TimeDelta::seconds(10);
            }
        }
    }
    let total = pings.len();
    let mut consumer = app.attendance_process();
    // One ping per call, each acknowledged before the next, so every record
    // is a record batch of its own: the development broker (tansu 0.6),
    // asked to fetch from an offset inside a batch, skips to the next batch
    // (Apache Kafka returns the batch holding the offset), which would lose
    // the rest of the batch a crash interrupted.
    let sender = {
        let client = app.ingest_grpc.clone();
        tokio::spawn(async move {
            for ping in pings {
                client.clone().send_ping(ping).await.unwrap();
            }
        })
    };
    // Killed once it has recorded part of the stream: mid-run, uncommitted.
    let deadline = Instant::now() + Duration::from_secs(60);
    while stored_visits(&app).await.len() < 20 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    consumer.kill().unwrap();
    consumer.wait().unwrap();
    let at_kill = stored_visits(&app).await;
    assert!(!at_kill.is_empty(), "killed after recording visits");

    until_the_group_drops_a_killed_member().await;
    let mut successor = app.attendance_process();
    sender.await.unwrap();
    assert_eq!(app.settled_locations(total as i64).await, total as i64);
    // Settled: the successor (which starts once the group has given up on
    // the killed member) has committed every record, or has gone on from
    // where the first one stopped and then recorded nothing new for ten
    // seconds (an offset commit caught in a rebalance is only repeated with
    // the next batch).
    let group = app.attendance_config().consumer_group;
    let deadline = Instant::now() + Duration::from_secs(180);
    let (mut last, mut since) = (stored_visits(&app).await, Instant::now());
    while app.committed_offsets(&group) < total as i64 {
        assert!(Instant::now() < deadline, "the successor never caught up");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = stored_visits(&app).await;
        if now != last {
            (last, since) = (now, Instant::now());
        } else if last != at_kill && since.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    let streamed = stored_visits(&app).await;
    successor.kill().unwrap();
    successor.wait().unwrap();

    // Exactly what the stored pings give: nothing lost, nothing doubled.
    let report = udaconnect_attendance::rebuild_event(
        &app.events_url,
        &app.locations_url,
        &service(),
        event,
        VisitGap::new(TimeDelta::minutes(2)).unwrap(),
    )
    .await
    .unwrap();
    // Pings in the aisle south of the hall, or after the event, are not
    // the event's to read.
    assert!(
        report.pings > 0 && report.pings < total as u64,
        "{report:?}"
    );
    let rebuilt = stored_visits(&app).await;
    let only_streamed: Vec<_> = streamed.iter().filter(|v| !rebuilt.contains(v)).collect();
    let only_rebuilt: Vec<_> = rebuilt.iter().filter(|v| !streamed.contains(v)).collect();
    assert!(
        only_streamed.is_empty() && only_rebuilt.is_empty(),
        "the stream after a crash differs from the rebuild: only streamed {only_streamed:?}, only rebuilt {only_rebuilt:?}"
    );
    assert!(streamed.len() > at_kill.len(), "the successor went on");
}

/// An attendee downloads everything stored about them: their record, their
/// phone, their visit to a booth, and every ping, oldest first; nobody
/// else's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attendee_exports_everything_stored_about_them() {
    let app = TestApp::spawn().await;
    let talk = (Utc::now() - TimeDelta::hours(2))
        .duration_trunc(TimeDelta::minutes(1))
        .unwrap();
    let event = create_event(&app, talk).await;
    let person = |name: &str| {
        let store = app.persons_store.clone();
        let name = name.to_owned();
        async move {
            store
                .create(&NewPerson::parse(&name, "Exporter", "Acme").unwrap())
                .await
                .unwrap()
                .id
        }
    };
    let (subject, other) = (person("Subject").await, person("Other").await);
    let phone = redeem(&app, subject, "device").await;
    let web = redeem(&app, subject, "web").await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Three pings of the subject, sent out of order, and one of another.
    let times: Vec<DateTime<Utc>> = (0..3)
        .map(|minute| talk + TimeDelta::minutes(minute))
        .collect();
    let ping = |person_id: i64, time: DateTime<Utc>| Ping {
        event_id: uuid::Uuid::now_v7().to_string(),
        person_id,
        latitude: ORIGIN.0,
        longitude: ORIGIN.1,
        creation_time: Some(timestamp_from_datetime(time)),
    };
    app.ingest_grpc
        .clone()
        .send_pings(PingBatch {
            pings: vec![
                ping(subject, times[2]),
                ping(subject, times[0]),
                ping(other, times[1]),
                ping(subject, times[1]),
            ],
        })
        .await
        .unwrap();
    assert_eq!(app.settled_locations(4).await, 4);
    let areas: Value = app
        .get(&format!("/api/events/{event}/areas"))
        .await
        .json()
        .await
        .unwrap();
    let booth = areas["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|area| area["properties"]["name"] == "B1")
        .map(|area| area["id"].as_i64().unwrap())
        .unwrap();
    app.events_grpc
        .clone()
        .record_visits(v1::RecordVisitsRequest {
            visits: vec![v1::Visit {
                person_id: subject,
                area_id: booth,
                start: Some(timestamp_from_datetime(times[0])),
                end: Some(timestamp_from_datetime(times[2])),
            }],
            max_gap: Some(udaconnect_proto::duration_from_timedelta(
                TimeDelta::minutes(2),
            )),
        })
        .await
        .unwrap();

    let export = |token: String, person_id: i64| {
        reqwest::Client::new()
            .get(format!("{}/api/persons/{person_id}/export", app.api_url))
            .bearer_auth(token)
            .send()
    };
    let answer = export(web.clone(), subject).await.unwrap();
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.headers()["content-disposition"],
        format!("attachment; filename=\"udaconnect-person-{subject}.json\"").as_str()
    );
    let document: Value = answer.json().await.unwrap();
    assert_eq!(document["person"]["id"], subject);
    assert_eq!(document["devices"].as_array().unwrap().len(), 1);
    assert_eq!(document["devices"][0]["id"], phone["device_id"]);
    let visits = document["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0]["area_name"], "B1");
    assert_eq!(visits[0]["area_kind"], "booth");
    assert_eq!(visits[0]["event_id"], event);
    let locations = document["locations"].as_array().unwrap();
    assert_eq!(locations.len(), 3, "{locations:?}");
    assert!(
        locations
            .iter()
            .all(|location| location["person_id"] == subject)
    );
    let written: Vec<&str> = locations
        .iter()
        .map(|location| location["creation_time"].as_str().unwrap())
        .collect();
    let mut sorted = written.clone();
    sorted.sort_unstable();
    assert_eq!(written, sorted, "oldest first");

    // Another attendee's data is not theirs to take.
    assert_eq!(export(web, other).await.unwrap().status(), 403);
}
