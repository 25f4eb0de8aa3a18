//! The location table partitioned by day: partitions made as pings arrive,
//! writes idempotent across them, whole days dropped past retention, the
//! migrations keeping every row; and visits deleted past retention. Straight
//! against the stores, with `now` given, on real PostgreSQL; and the
//! locations service applying it with the events service's events.

use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use sqlx::{PgPool, migrate::Migrate};
use udaconnect_domain::{Coordinates, Event, NewLocation, Retention};
use udaconnect_proto::{timestamp_from_datetime, v1};
use udaconnect_storage::{EVENTS_MIGRATOR, EventStore, LOCATIONS_MIGRATOR, LocationStore};
use uuid::Uuid;

use crate::support::{Options, TestApp, empty_database, fresh_database};

/// A ping of person 1 at `time`, with an event id of its own.
fn ping(time: DateTime<Utc>) -> NewLocation {
    NewLocation {
        event_id: Uuid::now_v7(),
        person_id: 1,
        coordinates: Coordinates::new(37.5530, -122.2910).unwrap(),
        creation_time: time,
    }
}

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

/// Midnight UTC starting `day`, plus `hours`.
fn on(day: NaiveDate, hours: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap()) + TimeDelta::hours(hours)
}

async fn rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM location")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn pings_of_days_without_a_partition_are_stored_once_however_often_they_come() {
    let database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    let store = LocationStore::new(pool.clone());
    assert_eq!(store.partition_days().await.unwrap(), []);

    // Either side of a UTC midnight: two partitions for one batch.
    let first = day(2031, 3, 4);
    let batch = vec![
        ping(on(first, 23)),
        ping(on(first, 25)),
        ping(on(first, 25)),
    ];
    assert_eq!(store.write(&batch).await.unwrap(), 3);
    assert_eq!(
        store.partition_days().await.unwrap(),
        [first, first.succ_opt().unwrap()]
    );

    // Re-delivered to this replica, and to another that has not seen these
    // days yet: stored once.
    assert_eq!(store.write(&batch).await.unwrap(), 0);
    let other_replica = LocationStore::new(pool.clone());
    assert_eq!(other_replica.write(&batch).await.unwrap(), 0);
    // The same event id at another time is another ping.
    let moved = NewLocation {
        creation_time: batch[0].creation_time + TimeDelta::seconds(1),
        ..batch[0].clone()
    };
    assert_eq!(other_replica.write(&[moved]).await.unwrap(), 1);
    assert_eq!(rows(&pool).await, 4);
}

#[tokio::test]
async fn writers_of_a_new_day_at_once_all_succeed() {
    let database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    let new_day = day(2031, 5, 6);
    // Replicas, each with its own memory of the partitions, racing to make
    // the same one.
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let store = LocationStore::new(pool.clone());
            tokio::spawn(async move {
                let batch: Vec<_> = (0..50)
                    .map(|i| ping(on(new_day, 9) + TimeDelta::seconds(writer * 100 + i)))
                    .collect();
                store.write(&batch).await
            })
        })
        .collect();
    for writer in writers {
        assert_eq!(writer.await.unwrap().unwrap(), 50);
    }
    assert_eq!(rows(&pool).await, 400);
    assert_eq!(
        LocationStore::new(pool).partition_days().await.unwrap(),
        [new_day]
    );
}

#[tokio::test]
async fn retention_drops_whole_days_past_it_and_keeps_those_of_recent_events() {
    let database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    let store = LocationStore::new(pool.clone());
    let retention = Retention::new(TimeDelta::days(30));
    let now = on(day(2031, 7, 1), 12);

    // No event: past retention since 2031-06-21.
    let old = day(2031, 5, 20);
    // Past retention since 2031-06-29, but the first day of an event that
    // ended less than 30 days ago.
    let event_day = day(2031, 5, 28);
    let event = Event {
        id: 1,
        name: "Summit".to_owned(),
        start: on(event_day, 9),
        end: on(day(2031, 6, 2), 12),
        time_zone: "UTC".to_owned(),
    };
    // Not past retention.
    let recent = day(2031, 6, 25);
    for day in [old, event_day, recent] {
        store
            .write(&[ping(on(day, 10)), ping(on(day, 11))])
            .await
            .unwrap();
    }
    // Another replica, which remembers the old day's partition.
    let other_replica = LocationStore::new(pool.clone());
    other_replica.write(&[ping(on(old, 12))]).await.unwrap();

    let dropped = store
        .drop_partitions_past_retention(now, retention, std::slice::from_ref(&event))
        .await
        .unwrap();
    assert_eq!(dropped, [old]);
    assert_eq!(store.partition_days().await.unwrap(), [event_day, recent]);
    assert_eq!(rows(&pool).await, 4);
    let again = store
        .drop_partitions_past_retention(now, retention, std::slice::from_ref(&event))
        .await
        .unwrap();
    assert_eq!(again, [], "nothing more is past retention");

    // Once the event is 30 days past its end, its day goes too.
    let later = event.end + retention.period();
    let dropped = store
        .drop_partitions_past_retention(later, retention, &[event])
        .await
        .unwrap();
    assert_eq!(dropped, [event_day]);
    assert_eq!(store.partition_days().await.unwrap(), [recent]);

    // A late ping of a dropped day is still stored, by a replica that
    // remembered the day's partition and by the one that dropped it.
    assert_eq!(other_replica.write(&[ping(on(old, 13))]).await.unwrap(), 1);
    assert_eq!(store.write(&[ping(on(event_day, 13))]).await.unwrap(), 1);
    assert_eq!(rows(&pool).await, 4);
}

/// Every column of every row, in id order, as text.
async fn every_row(pool: &PgPool) -> Vec<(i64, Uuid, i64, String, DateTime<Utc>)> {
    sqlx::query_as(
        "SELECT id, event_id, person_id, ST_AsText(coordinate), creation_time
         FROM location ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn partitioning_keeps_every_row_id_and_index() {
    let database = empty_database("locations").await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    // The schema as it was before the partitioning migration.
    let migrations: Vec<_> = LOCATIONS_MIGRATOR.iter().collect();
    let partitioning = migrations
        .iter()
        .position(|migration| migration.description.contains("partition location by day"))
        .expect("the partitioning migration exists");
    let earlier = &migrations[..partitioning];
    let mut connection = pool.acquire().await.unwrap();
    connection.ensure_migrations_table().await.unwrap();
    for migration in earlier {
        connection.apply(migration).await.unwrap();
    }
    drop(connection);
    sqlx::query(
        "INSERT INTO location (event_id, person_id, coordinate, creation_time)
         SELECT gen_random_uuid(), g % 7,
                ST_SetSRID(ST_MakePoint(-122.29 + g * 1e-6, 37.55), 4326)::geography,
                timestamptz '2020-07-06 20:00Z' + g * interval '1 minute'
         FROM generate_series(1, 3000) AS g",
    )
    .execute(&pool)
    .await
    .unwrap();
    // Ids given and then deleted are not given again.
    sqlx::query("DELETE FROM location WHERE id > 2990")
        .execute(&pool)
        .await
        .unwrap();
    let before = every_row(&pool).await;

    LOCATIONS_MIGRATOR.run(&pool).await.unwrap();

    assert_eq!(every_row(&pool).await, before);
    // Contact search's packs, made from the rows already stored.
    crate::packs::assert_packs_hold_the_pings(&pool).await;
    let store = LocationStore::new(pool.clone());
    // 20:00 on the 6th plus 3,000 minutes: into the 8th.
    assert_eq!(
        store.partition_days().await.unwrap(),
        [day(2020, 7, 6), day(2020, 7, 7), day(2020, 7, 8)]
    );
    let mut indexes: Vec<String> =
        sqlx::query_scalar("SELECT indexname FROM pg_indexes WHERE tablename = 'location'")
            .fetch_all(&pool)
            .await
            .unwrap();
    indexes.sort();
    assert_eq!(
        indexes,
        [
            "location_coordinate_gist",
            "location_person_time",
            "location_pkey",
            "location_time_event_key"
        ]
    );
    assert_eq!(
        store.write(&[ping(on(day(2020, 7, 7), 1))]).await.unwrap(),
        1
    );
    let newest: i64 = sqlx::query_scalar("SELECT max(id) FROM location")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(newest, 3001, "the sequence continues where it stopped");
}

#[tokio::test]
async fn visits_of_events_past_retention_are_deleted() {
    let database = fresh_database("events", &EVENTS_MIGRATOR).await;
    let pool = PgPool::connect(&database.url).await.unwrap();
    let now = on(day(2031, 7, 1), 12);
    let retention = Retention::new(TimeDelta::days(30));
    // One event ended just past retention, one just within it.
    for (event, end) in [
        (1, now - TimeDelta::days(30)),
        (2, now - TimeDelta::days(30) + TimeDelta::seconds(1)),
    ] {
        sqlx::query(
            "INSERT INTO event (id, name, start_time, end_time, time_zone)
             VALUES ($1, 'Summit', $2, $3, 'UTC')",
        )
        .bind(event)
        .bind(end - TimeDelta::days(2))
        .bind(end)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO area (id, event_id, name, kind, outline)
             VALUES ($1, $1, 'Booth', 'booth', ST_MakeEnvelope(0, 0, 0.0001, 0.0001, 4326))",
        )
        .bind(event)
        .execute(&pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO visit (person_id, area_id, start_time, end_time)
             SELECT person, $1, $2, $2 + interval '5 minutes' FROM generate_series(1, 10) person",
        )
        .bind(event)
        .bind(end - TimeDelta::hours(1))
        .execute(&pool)
        .await
        .unwrap();
    }
    let store = EventStore::new(pool.clone());
    assert_eq!(
        store
            .delete_visits_past_retention(now, retention)
            .await
            .unwrap(),
        10
    );
    let left: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT area_id FROM visit")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, [2]);
    assert_eq!(
        store
            .delete_visits_past_retention(now, retention)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn the_locations_service_drops_old_days_at_start_but_not_those_of_recent_events() {
    let mut app = TestApp::spawn_with(Options {
        consumer: false,
        retention: Duration::from_secs(30 * 86_400),
        ..Options::default()
    })
    .await;
    let now = Utc::now();
    // An event of 20 days that ended 20 days ago, and a day of pings
    // without one, 60 days ago.
    let (start, end) = (now - TimeDelta::days(40), now - TimeDelta::days(20));
    app.events_grpc
        .create_event(v1::CreateEventRequest {
            name: "Summit".to_owned(),
            start: Some(timestamp_from_datetime(start)),
            end: Some(timestamp_from_datetime(end)),
            time_zone: "UTC".to_owned(),
        })
        .await
        .unwrap();
    let (old_day, event_day) = (
        (now - TimeDelta::days(60)).date_naive(),
        (start + TimeDelta::days(1)).date_naive(),
    );
    let store = LocationStore::new(app.locations_db.clone());
    for day in [old_day, event_day] {
        store.write(&[ping(on(day, 12))]).await.unwrap();
    }

    // Housekeeping runs when the service starts.
    app.stop_locations().await;
    app.start_locations().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while store.partition_days().await.unwrap().contains(&old_day) {
        assert!(Instant::now() < deadline, "the old day was not dropped");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let days = store.partition_days().await.unwrap();
    assert!(
        days.contains(&event_day),
        "the event's day is kept: {days:?}"
    );
    for ahead in [now, now + TimeDelta::days(1)] {
        assert!(
            days.contains(&ahead.date_naive()),
            "today's and tomorrow's partitions are made ahead: {days:?}"
        );
    }
    assert_eq!(rows(&app.locations_db).await, 1);
}
