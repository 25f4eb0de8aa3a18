//! An attendee's choices: whom others see (nobody until they agree, and
//! only mutually) and whether their location is shared at all.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tonic::Code;
use udaconnect_persons::REVOCATION_REFRESH;

use crate::{
    contacts::{BOOTH, person, pings},
    support::{TestApp, assert_problem, get_as, ingest_as, ping, redeem, token},
};

/// Records `token`'s caller's choices for `person_id`.
async fn choose(app: &TestApp, token: &str, person_id: i64, visible: bool, paused: bool) {
    let response = reqwest::Client::new()
        .put(format!("{}/api/persons/{person_id}/privacy", app.api_url))
        .bearer_auth(token)
        .json(&json!({"visible_to_others": visible, "location_paused": paused}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let recorded: Value = response.json().await.unwrap();
    assert_eq!(
        recorded,
        json!({"visible_to_others": visible, "location_paused": paused})
    );
}

/// The ids of the persons in `person_id`'s contacts and connections, as
/// `token`'s caller sees them.
async fn seen_by(app: &TestApp, token: &str, person_id: i64) -> (Vec<i64>, Vec<i64>) {
    let (status, contacts) = get_as(
        app,
        token,
        &format!("/api/persons/{person_id}/contacts?start=2026-11-02&end=2026-11-02"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{contacts}");
    let (status, connections) = get_as(
        app,
        token,
        &format!(
            "/api/persons/{person_id}/connection?start_date=2026-11-01&end_date=2026-11-03&distance=5"
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{connections}");
    let ids = |rows: &Value, at: &str| -> Vec<i64> {
        let mut ids: Vec<i64> = rows
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[at]["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    (
        ids(&contacts["contacts"], "person"),
        ids(&connections, "person"),
    )
}

#[tokio::test]
async fn attendees_see_each_other_only_when_both_chose_to_be_seen() {
    let app = TestApp::spawn().await;
    let (pam, sam, kim) = (
        person(&app, "Pam").await,
        person(&app, "Sam").await,
        person(&app, "Kim").await,
    );
    for someone in [pam, sam, kim] {
        pings(&app, someone, BOOTH, &[0, 1]).await;
    }
    let (pam_token, sam_token, kim_token) = (
        token(&redeem(&app, pam, "web").await),
        token(&redeem(&app, sam, "web").await),
        token(&redeem(&app, kim, "device").await),
    );
    let organizer = crate::support::ORGANIZER_TOKEN;
    let everyone_but_pam = (vec![sam, kim], vec![sam, kim]);
    let nobody = (Vec::new(), Vec::new());

    // Nobody is shown before choosing to be; the organizer sees everyone.
    let (_, privacy) = get_as(&app, &pam_token, &format!("/api/persons/{pam}/privacy")).await;
    assert_eq!(
        privacy,
        json!({"visible_to_others": false, "location_paused": false})
    );
    assert_eq!(seen_by(&app, organizer, pam).await, everyone_but_pam);
    assert_eq!(seen_by(&app, &pam_token, pam).await, nobody);

    // Being visible oneself shows nobody who is not.
    choose(&app, &pam_token, pam, true, false).await;
    assert_eq!(seen_by(&app, &pam_token, pam).await, nobody);

    // Two who are visible see each other; the one who is not sees neither.
    choose(&app, &sam_token, sam, true, false).await;
    assert_eq!(seen_by(&app, &pam_token, pam).await, (vec![sam], vec![sam]));
    assert_eq!(seen_by(&app, &sam_token, sam).await, (vec![pam], vec![pam]));
    assert_eq!(seen_by(&app, &kim_token, kim).await, nobody);

    // Hiding again hides both ways.
    choose(&app, &pam_token, pam, false, false).await;
    assert_eq!(seen_by(&app, &sam_token, sam).await, nobody);
    assert_eq!(seen_by(&app, &pam_token, pam).await, nobody);
    assert_eq!(seen_by(&app, organizer, pam).await, everyone_but_pam);

    // The choices are the person's: the organizer reads them, makes none.
    let (status, _) = get_as(&app, organizer, &format!("/api/persons/{sam}/privacy")).await;
    assert_eq!(status, StatusCode::OK);
    let response = app
        .http
        .put(format!("{}/api/persons/{sam}/privacy", app.api_url))
        .json(&json!({"visible_to_others": false, "location_paused": false}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403, None).await;
    let response = reqwest::Client::new()
        .put(format!("{}/api/persons/{sam}/privacy", app.api_url))
        .bearer_auth(&sam_token)
        .json(&json!({"visible_to_others": "yes", "location_paused": false}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 422, Some("visible_to_others")).await;
}

/// Sends single pings of `person_id` with `token` until one answers `code`
/// (`None`: accepted), within the refresh period the services read the
/// choices in; returns how many were accepted meanwhile.
async fn until_ping_answers(app: &TestApp, token: &str, person_id: i64, code: Option<Code>) -> i64 {
    let started = Instant::now();
    let mut ingest = ingest_as(app, Some(token));
    let mut accepted = 0;
    loop {
        let answer = ingest.send_ping(ping(person_id)).await;
        accepted += i64::from(answer.is_ok());
        if answer.as_ref().err().map(tonic::Status::code) == code {
            return accepted;
        }
        assert!(
            started.elapsed() < REVOCATION_REFRESH + Duration::from_secs(5),
            "still {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_paused_location_is_refused_and_never_stored() {
    let app = TestApp::spawn().await;
    let pam = person(&app, "Pam").await;
    let phone = token(&redeem(&app, pam, "device").await);
    let mut accepted = until_ping_answers(&app, &phone, pam, None).await;

    // The phone pauses; its pings, and anyone's for Pam, are refused.
    choose(&app, &phone, pam, false, true).await;
    accepted += until_ping_answers(&app, &phone, pam, Some(Code::FailedPrecondition)).await;
    let ack = ingest_as(&app, Some(&phone))
        .send_pings(udaconnect_proto::v1::PingBatch {
            pings: vec![ping(pam), ping(pam)],
        })
        .await
        .unwrap()
        .into_inner();
    assert!(ack.accepted_event_ids.is_empty());
    assert!(
        ack.rejected
            .iter()
            .all(|r| r.code == Code::FailedPrecondition as i32),
        "{ack:?}"
    );
    let response = app
        .http
        .post(format!("{}/api/locations", app.api_url))
        .json(&json!({
            "person_id": pam, "latitude": "37.55", "longitude": "-122.29",
            "creation_time": chrono::Utc::now().naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string()
        }))
        .send()
        .await
        .unwrap();
    assert_problem(response, 409, None).await;

    // Sharing again: accepted again, and nothing sent meanwhile was kept.
    choose(&app, &phone, pam, false, false).await;
    accepted += until_ping_answers(&app, &phone, pam, None).await;
    assert_eq!(
        app.settled_locations(accepted).await,
        accepted,
        "the accepted pings are stored, and no refused one"
    );
}
