use std::collections::HashMap;

use geographiclib_rs::{Geodesic, InverseGeodesic};
use serde_json::{Value, json};

use crate::support::{TestApp, starter_data};

/// The proof of concept's row counts on its own data for this query.
const EXPECTED_COUNTS: [(i64, usize); 5] = [(1, 45), (5, 43), (6, 62), (8, 54), (9, 28)];

async fn connections(app: &TestApp, person_id: i64, query: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/api/persons/{person_id}/connection?{query}"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn seeded_counts_match_the_proof_of_concept() {
    let app = TestApp::seeded().await;
    for (person_id, expected) in EXPECTED_COUNTS {
        let rows = connections(
            &app,
            person_id,
            "start_date=2020-01-01&end_date=2020-12-30&distance=5",
        )
        .await;
        assert_eq!(rows.len(), expected, "person {person_id}");
    }
}

/// Recomputes the answer from the CSV with an independent geodesic
/// implementation (Karney's algorithm) and the documented semantics, and
/// compares whole rows in order, not just counts.
#[tokio::test]
async fn seeded_rows_match_an_independent_computation() {
    let app = TestApp::seeded().await;
    let data = starter_data();
    let geodesic = Geodesic::wgs84();
    let persons: HashMap<i64, _> = data.persons.iter().map(|p| (p.id, p)).collect();
    let date = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
    };
    let (start, end, others_end) = (date("2020-01-01"), date("2020-12-30"), date("2020-12-31"));

    for (person_id, _) in EXPECTED_COUNTS {
        let mut own: Vec<_> = data
            .locations
            .iter()
            .filter(|l| {
                l.person_id == person_id && l.creation_time >= start && l.creation_time < end
            })
            .collect();
        own.sort_by_key(|l| l.id);
        let mut expected = Vec::new();
        for mine in own {
            let mut near: Vec<_> = data
                .locations
                .iter()
                .filter(|other| {
                    let metres: f64 = geodesic.inverse(
                        mine.coordinates.latitude(),
                        mine.coordinates.longitude(),
                        other.coordinates.latitude(),
                        other.coordinates.longitude(),
                    );
                    other.person_id != person_id
                        && other.creation_time >= start
                        && other.creation_time < others_end
                        && metres <= 5.0
                })
                .collect();
            near.sort_by_key(|l| l.id);
            for other in near {
                let person = persons[&other.person_id];
                expected.push(json!({
                    "location": {
                        "id": other.id,
                        "person_id": other.person_id,
                        "latitude": other.coordinates.latitude().to_string(),
                        "longitude": other.coordinates.longitude().to_string(),
                        "creation_time": other.creation_time.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
                    },
                    "person": {
                        "id": person.id,
                        "first_name": person.first_name,
                        "last_name": person.last_name,
                        "company_name": person.company_name,
                    },
                }));
            }
        }
        let actual = connections(
            &app,
            person_id,
            "start_date=2020-01-01&end_date=2020-12-30&distance=5",
        )
        .await;
        assert_eq!(actual, expected, "person {person_id}");
    }
}

/// Person 9 by hand: their 2020 pings are 52 (Albuquerque, 07-01), 53
/// (Albuquerque, 07-07) and 65 (Bay Area, 07-07); 54 is from 2019.
#[tokio::test]
async fn person_nine_by_hand() {
    let app = TestApp::seeded().await;
    let rows = connections(
        &app,
        9,
        "start_date=2020-01-01&end_date=2020-12-30&distance=5",
    )
    .await;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| r["location"]["id"].as_i64().unwrap())
        .collect();
    // Near 52 (35.058564, -106.5721846): the six pings at that spot or 9 mm
    // away (46, 47, 48, 49, 50, 51); 45 is 9.3 m off. Near 53 (35.0585136,
    // -106.5719566): 42, 43, 44, 58, 59, 60 at the same spot, 61 (5 cm), 62,
    // 63, 64 (41 cm). Near 65 (Bay Area): every other ping at 37.55363,
    // -122.290883 (30, 34, 36–41, 57, 66, 67, 68) and none of the 37.5534xx
    // ones, which are about 38 m away.
    let expected: Vec<i64> = [46, 47, 48, 49, 50, 51]
        .into_iter()
        .chain([42, 43, 44, 58, 59, 60, 61, 62, 63, 64])
        .chain([30, 34, 36, 37, 38, 39, 40, 41, 57, 66, 67, 68])
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(rows[0]["person"]["first_name"], "Frank");
    assert_eq!(rows[0]["location"]["latitude"], "35.058564");
}

#[tokio::test]
async fn the_distance_widens_and_narrows_the_answer() {
    let app = TestApp::seeded().await;
    let range = "start_date=2020-01-01&end_date=2020-12-30";
    let default = connections(&app, 9, range).await;
    assert_eq!(default.len(), 28, "distance defaults to 5 m");
    let zero = connections(&app, 9, &format!("{range}&distance=0")).await;
    assert!(zero.len() < default.len());
    let wide = connections(&app, 9, &format!("{range}&distance=100")).await;
    assert!(wide.len() > default.len());
}

#[tokio::test]
async fn end_date_bounds_own_pings_and_others_get_one_more_day() {
    let app = TestApp::seeded().await;
    // Person 8's own pings on 2020-07-07 are excluded by end_date=2020-07-07,
    // but others' pings on 07-07 still count against 8's pings of 07-05/07-06.
    let rows = connections(
        &app,
        8,
        "start_date=2020-07-05&end_date=2020-07-07&distance=5",
    )
    .await;
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .any(|r| r["location"]["creation_time"] == "2020-07-07T10:37:06")
    );
    let own_day_excluded = connections(&app, 8, "start_date=2020-07-07&end_date=2020-07-07").await;
    assert!(own_day_excluded.is_empty());
}
