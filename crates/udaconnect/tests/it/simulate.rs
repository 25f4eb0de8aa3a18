//! The conference simulator against the real pipeline: every acknowledged
//! ping is stored, and the meetings in its ground truth are found by the
//! connection and contact searches.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use udaconnect_devtools::simulate::{self, SimulateArgs};
use udaconnect_runtime::{
    ServiceTokenArgs,
    config::{IngestPeerArgs, PersonsPeerArgs},
};

use crate::support::{ORGANIZER_TOKEN, SERVICE_TOKEN, TestApp};

#[derive(Debug, Deserialize)]
struct Visit {
    person_id: i64,
    place: String,
    arrive: DateTime<Utc>,
    leave: DateTime<Utc>,
}

/// A conference's size, as the two tests play it.
struct Conference {
    attendees: u32,
    minutes: u32,
    booths: u32,
    talks: u32,
    seed: u64,
    /// Pings go as `SendPings` batches rather than streams.
    batched: bool,
}

/// Plays `conference` through the app's ingest service (a ping every 10 s,
/// starting two hours ago), checks that every ping is stored exactly once,
/// and returns the simulator's ground truth and the start time.
async fn play(app: &TestApp, conference: Conference) -> (Vec<Visit>, DateTime<Utc>) {
    let truth = std::env::temp_dir().join(format!("udc-truth-{}.csv", uuid::Uuid::new_v4()));
    let start = Utc::now() - TimeDelta::hours(2);
    simulate::run(
        SimulateArgs {
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
            attendees: conference.attendees,
            minutes: conference.minutes,
            ping_interval: std::time::Duration::from_secs(10),
            start: Some(start),
            booths: conference.booths,
            talks: conference.talks,
            rate: 0.0,
            streams: 4,
            segment: 5_000,
            batched: conference.batched,
            ground_truth: Some(truth.clone()),
            seed: conference.seed,
            event: Default::default(),
        },
        CancellationToken::new(),
    )
    .await
    .unwrap();
    let pings = i64::from(conference.attendees * conference.minutes * 6);
    assert_eq!(app.settled_locations(pings).await, pings);
    let visits = csv::Reader::from_path(&truth)
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    std::fs::remove_file(&truth).unwrap();
    (visits, start)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_conference_is_stored_and_its_meetings_are_found() {
    let app = TestApp::spawn().await;
    let (visits, start) = play(
        &app,
        Conference {
            attendees: 30,
            minutes: 20,
            booths: 4,
            talks: 1,
            seed: 7,
            batched: true,
        },
    )
    .await;
    // Two attendees at one booth together for a minute both pinged there
    // (every 10 s), and a booth is 4 m across, so the 5 m search finds them.
    let (a, b) = visits
        .iter()
        .flat_map(|a| visits.iter().map(move |b| (a, b)))
        .find(|(a, b)| {
            a.person_id < b.person_id
                && a.place == b.place
                && a.place.starts_with("booth")
                && a.leave.min(b.leave) - a.arrive.max(b.arrive) >= TimeDelta::minutes(1)
        })
        .expect("the simulation puts two attendees at one booth together");
    let day = start.format("%Y-%m-%d");
    let next_day = (start + TimeDelta::days(1)).format("%Y-%m-%d");
    let response = app
        .get(&format!(
            "/api/persons/{}/connection?start_date={day}&end_date={next_day}&distance=5",
            a.person_id
        ))
        .await;
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 200, "{}", &body[..body.len().min(500)]);
    let connections: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    let met: HashSet<i64> = connections
        .iter()
        .map(|c| c["person"]["id"].as_i64().unwrap())
        .collect();
    assert!(
        met.contains(&b.person_id),
        "{} met {} at {}",
        a.person_id,
        b.person_id,
        a.place
    );
}

/// Two attendees' shared stay at one place, from one's point of view.
#[derive(Debug, Clone, Copy)]
struct SharedStay {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// Whether the two were there at once (not just within the window).
    real_overlap: bool,
}

#[derive(Debug, Deserialize)]
struct MeetingJson {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// Every shared stay of the ground truth, by (person, other person): two
/// visits of one place at most `window` apart — the product's own notion of
/// "at the same time". `from..to` is their overlap, or the gap between them.
fn shared_stays(visits: &[Visit], window: TimeDelta) -> HashMap<(i64, i64), Vec<SharedStay>> {
    let mut shared: HashMap<(i64, i64), Vec<SharedStay>> = HashMap::new();
    for a in visits {
        for b in visits {
            let (latest_arrival, earliest_departure) =
                (a.arrive.max(b.arrive), a.leave.min(b.leave));
            let (from, to) = (
                earliest_departure.min(latest_arrival),
                earliest_departure.max(latest_arrival),
            );
            if a.person_id != b.person_id
                && a.place == b.place
                && latest_arrival - earliest_departure <= window
            {
                shared
                    .entry((a.person_id, b.person_id))
                    .or_default()
                    .push(SharedStay {
                        from,
                        to,
                        real_overlap: latest_arrival < earliest_departure,
                    });
            }
        }
    }
    shared
}

/// The contacts found against the simulator's record of who shared a booth
/// or talk when: precision (found meetings that overlap a shared stay of the
/// pair, give or take the window) and recall (shared stays of a minute or
/// more that a meeting of the pair overlaps), both at least 0.95.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_match_the_simulated_ground_truth() {
    let app = TestApp::spawn().await;
    let (visits, start) = play(
        &app,
        Conference {
            attendees: 300,
            minutes: 30,
            booths: 24,
            talks: 4,
            seed: 42,
            batched: false,
        },
    )
    .await;
    // The query fits the simulated phones and floor: pings every 10 s, so
    // a 15 s window joins each ping to the other phone's nearest ones
    // without joining people who merely walk the same aisle a little later;
    // people at one booth stand within 4 m of each other, and the aisles
    // keep passers-by more than 5 m away from them. Two people crossing in
    // an aisle do meet for a few seconds — a real encounter the ground truth
    // does not record — so meetings shorter than 30 s are left out.
    let window = TimeDelta::seconds(15);
    let truth = shared_stays(&visits, window);
    let persons: BTreeSet<i64> = visits.iter().map(|v| v.person_id).collect();
    let (from, to) = (
        start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        (start + TimeDelta::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    );
    let pages = futures::stream::iter(persons.iter().copied())
        .map(|person| {
            let (app, from, to) = (&app, &from, &to);
            async move {
                let mut contacts = Vec::new();
                let mut cursor = String::new();
                loop {
                    let response = app
                        .get(&format!(
                            "/api/persons/{person}/contacts?start={from}&end={to}\
                             &distance=5&window=15&min_duration=30&limit=100{cursor}"
                        ))
                        .await;
                    assert_eq!(response.status(), 200);
                    let page: serde_json::Value = response.json().await.unwrap();
                    contacts.extend(page["contacts"].as_array().unwrap().iter().cloned());
                    match page["next_cursor"].as_str() {
                        Some(next) => cursor = format!("&cursor={next}"),
                        None => break,
                    }
                }
                (person, contacts)
            }
        })
        .buffer_unordered(4)
        .collect::<Vec<_>>()
        .await;
    let mut found: HashMap<(i64, i64), Vec<MeetingJson>> = HashMap::new();
    for (person, contacts) in pages {
        for contact in contacts {
            let other = contact["person"]["id"].as_i64().unwrap();
            let meetings: Vec<MeetingJson> =
                serde_json::from_value(contact["meetings"].clone()).unwrap();
            found.entry((person, other)).or_default().extend(meetings);
        }
    }

    let overlaps =
        |a_from: DateTime<Utc>, a_to: DateTime<Utc>, b_from, b_to| a_from <= b_to && b_from <= a_to;
    let found_meetings: usize = found.values().map(Vec::len).sum();
    let real_meetings = found
        .iter()
        .flat_map(|(pair, meetings)| meetings.iter().map(move |m| (pair, m)))
        .filter(|(pair, meeting)| {
            truth.get(pair).is_some_and(|stays| {
                stays
                    .iter()
                    .any(|stay| overlaps(meeting.start, meeting.end, stay.from, stay.to))
            })
        })
        .count();
    let real_stays: Vec<((i64, i64), SharedStay)> = truth
        .iter()
        .flat_map(|(pair, stays)| stays.iter().map(move |stay| (*pair, *stay)))
        .filter(|(_, stay)| stay.to - stay.from >= TimeDelta::minutes(1) && stay.real_overlap)
        .collect();
    let found_stays = real_stays
        .iter()
        .filter(|(pair, stay)| {
            found.get(pair).is_some_and(|meetings| {
                meetings
                    .iter()
                    .any(|m| overlaps(m.start, m.end, stay.from, stay.to))
            })
        })
        .count();
    let precision = real_meetings as f64 / found_meetings as f64;
    let recall = found_stays as f64 / real_stays.len() as f64;
    println!(
        "ground truth: {} shared stays of 1 min or more; found {found_meetings} meetings; \
         precision {precision:.4}, recall {recall:.4}",
        real_stays.len()
    );
    assert!(real_stays.len() > 1_000, "a busy enough conference");
    assert!(precision >= 0.95, "precision {precision:.4}");
    assert!(recall >= 0.95, "recall {recall:.4}");
}
