//! The conference simulator against the real pipeline: every acknowledged
//! ping is stored, and the meetings in its ground truth are found by the
//! connection search.

use std::collections::HashSet;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use udaconnect::{
    config::PersonsPeerArgs,
    simulate::{self, SimulateArgs},
};

use crate::support::TestApp;

#[derive(Debug, Deserialize)]
struct Visit {
    person_id: i64,
    place: String,
    arrive: DateTime<Utc>,
    leave: DateTime<Utc>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_conference_is_stored_and_its_meetings_are_found() {
    let app = TestApp::spawn().await;
    let truth = std::env::temp_dir().join(format!("udc-truth-{}.csv", uuid::Uuid::new_v4()));
    let start = Utc::now() - TimeDelta::hours(2);
    simulate::run(
        SimulateArgs {
            ingest_url: app.ingest_url.clone(),
            persons: PersonsPeerArgs {
                persons_url: app.persons_url.clone(),
            },
            attendees: 30,
            minutes: 20,
            ping_interval: std::time::Duration::from_secs(10),
            start: Some(start),
            booths: 4,
            talks: 1,
            rate: 0.0,
            streams: 2,
            segment: 1000,
            ground_truth: Some(truth.clone()),
            seed: 7,
        },
        CancellationToken::new(),
    )
    .await
    .unwrap();

    // 30 attendees × 120 pings, all acknowledged and stored once.
    assert_eq!(app.settled_locations(3600).await, 3600);

    let visits: Vec<Visit> = csv::Reader::from_path(&truth)
        .unwrap()
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    std::fs::remove_file(&truth).unwrap();
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
