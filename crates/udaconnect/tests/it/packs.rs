//! Contact search's packs (`location_pack`) hold exactly the stored pings,
//! each in its cube and bucket, through everything that changes `location`:
//! batches (re-delivered ones included), merges, erasures and retention;
//! a day's packs made anew are stored in cube order.
//! Straight against the store, on real PostgreSQL.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use sqlx::PgPool;
use udaconnect_domain::{Coordinates, NewLocation, Retention};
use udaconnect_storage::{ErasesPersons, LOCATIONS_MIGRATOR, LocationStore};
use uuid::Uuid;

use crate::support::fresh_database;

/// Every ping as (cube, bucket, record) text, sorted: once as the packs
/// hold them, once as `location`'s rows make them.
async fn packed_and_stored(pool: &PgPool) -> (Vec<String>, Vec<String>) {
    let packed = sqlx::query_scalar(
        "SELECT format('%s %s %s', p.cell, p.bucket, encode(substr(p.pings, 32 * i + 1, 32), 'hex')) AS ping
         FROM location_pack p, generate_series(0, length(p.pings) / 32 - 1) AS i
         ORDER BY ping",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let stored = sqlx::query_scalar(
        "SELECT format('%s %s %s', location_cell(coordinate), location_bucket(creation_time),
                       encode(location_pack_record(person_id, coordinate, creation_time), 'hex')) AS ping
         FROM location
         ORDER BY ping",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (packed, stored)
}

/// Fails unless the packs hold every stored ping once, and nothing else.
pub async fn assert_packs_hold_the_pings(pool: &PgPool) {
    let (packed, stored) = packed_and_stored(pool).await;
    assert!(!stored.is_empty(), "a check needs pings");
    assert_eq!(packed, stored);
}

/// How closely the places of `day`'s packs in their partition follow
/// their index's (cell, bucket) order: the correlation of the two ranks,
/// 1 when in order. A search's probe reads one cube over consecutive
/// buckets, and finds them on the same pages when this is near 1. Not
/// exactly 1 even when written in order: PostgreSQL puts a small row where
/// an earlier page still has room.
async fn cube_order_correlation(pool: &PgPool, day: NaiveDate) -> f64 {
    sqlx::query_scalar(&format!(
        "SELECT corr(by_cube, by_place) FROM (
             SELECT row_number() OVER (ORDER BY cell, bucket) AS by_cube,
                    row_number() OVER (ORDER BY ctid) AS by_place
             FROM location_pack_p{}
         ) ranks",
        day.format("%Y%m%d")
    ))
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn at(day: NaiveDate, minutes: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap()) + TimeDelta::minutes(minutes)
}

/// Ten people in a 30 m square over two days, a ping every 5 minutes
/// from 23:00 to 01:00, so buckets and days are crossed.
fn conference(first_day: NaiveDate) -> Vec<NewLocation> {
    let mut pings = Vec::new();
    for person_id in 1..=10 {
        for step in 0..24 {
            let offset = (person_id * 7 + step * 3) % 30;
            pings.push(NewLocation {
                event_id: Uuid::now_v7(),
                person_id,
                coordinates: Coordinates::new(
                    37.784 + offset as f64 * 1e-5,
                    -122.401 + (offset * 11 % 30) as f64 * 1e-5,
                )
                .unwrap(),
                creation_time: at(first_day, 23 * 60 + step * 5 + person_id),
            });
        }
    }
    pings
}

#[tokio::test]
async fn packs_follow_writes_merges_erasures_and_retention() {
    let database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    let store = LocationStore::new(pool.clone());
    let first_day = NaiveDate::from_ymd_opt(2031, 3, 4).unwrap();
    let pings = conference(first_day);

    // In batches of 50, the first batch delivered twice.
    for batch in pings.chunks(50) {
        store.write(batch).await.unwrap();
    }
    assert_eq!(store.write(&pings[..50]).await.unwrap(), 0);
    assert_packs_hold_the_pings(&pool).await;
    let groups = count(
        &pool,
        "SELECT count(*) FROM (SELECT DISTINCT cell, bucket FROM location_pack) g",
    )
    .await;
    assert!(
        count(&pool, "SELECT count(*) FROM location_pack").await > groups,
        "batches left more than one pack to some cube and bucket"
    );
    let writers_order = cube_order_correlation(&pool, first_day).await;
    assert!(
        writers_order < 0.5,
        "writers' packs lie in the order of their batches, not of their cubes: {writers_order}"
    );

    // Merging in statements of 7 groups, until none is left.
    store.merge_packs(7).await.unwrap();
    assert_packs_hold_the_pings(&pool).await;
    assert_eq!(
        count(&pool, "SELECT count(*) FROM location_pack").await,
        groups
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM location_pack WHERE NOT merged").await,
        0
    );

    // A day's packs made anew from its pings into an empty partition (as
    // after a restore) are the same, and stored in cube order, also when
    // the pings are grouped by hashing them, as the planner does for a
    // day of millions.
    let mut restore = pool.begin().await.unwrap();
    for statement in [
        format!("TRUNCATE location_pack_p{}", first_day.format("%Y%m%d")),
        "SET LOCAL enable_sort = off".to_owned(),
    ] {
        sqlx::query(&statement)
            .execute(&mut *restore)
            .await
            .unwrap();
    }
    sqlx::query("SELECT location_pack_day($1)")
        .bind(first_day)
        .execute(&mut *restore)
        .await
        .unwrap();
    restore.commit().await.unwrap();
    assert_packs_hold_the_pings(&pool).await;
    assert_eq!(
        count(&pool, "SELECT count(*) FROM location_pack").await,
        groups
    );
    let day_order = cube_order_correlation(&pool, first_day).await;
    assert!(day_order > 0.9, "a day's packs made anew: {day_order}");

    // A late ping adds a pack of its own; an erasure takes a person out
    // of merged and unmerged packs alike.
    let late = NewLocation {
        event_id: Uuid::now_v7(),
        person_id: 3,
        ..pings[0]
    };
    assert_eq!(store.write(&[late]).await.unwrap(), 1);
    assert_eq!(store.erase_person(3, Utc::now()).await.unwrap(), 25);
    assert_packs_hold_the_pings(&pool).await;
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM location_pack p, generate_series(0, length(p.pings) / 32 - 1) AS i
             WHERE substr(p.pings, 32 * i + 1, 8) = int8send(3)"
        )
        .await,
        0
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM location_pack WHERE pings = ''").await,
        0,
        "no empty pack is left"
    );

    // Changing a stored ping would leave its pack behind: refused.
    let update = sqlx::query("UPDATE location SET person_id = 99 WHERE person_id = 4")
        .execute(&pool)
        .await;
    assert!(update.is_err(), "{update:?}");

    // A day past retention takes its packs along.
    let second_day = first_day.succ_opt().unwrap();
    let dropped = store
        .drop_partitions_past_retention(
            at(second_day, 40 * 24 * 60),
            Retention::new(TimeDelta::days(30)),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(dropped, [first_day, second_day]);
    assert_eq!(count(&pool, "SELECT count(*) FROM location_pack").await, 0);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'location_pack'::regclass"
        )
        .await,
        0
    );
}
