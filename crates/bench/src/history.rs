//! Pings stored before a benchmark starts: the week of a long event up to
//! today, so that the ingest pipeline can be timed with the table already
//! holding tens of millions of rows.
//!
//! A week of 100 million rows would take hours through the write path (each
//! row updates five indexes at random places). It is loaded instead as a
//! restore would: each day's partition is filled without indexes and then
//! attached, which builds them once, sorted. Two days load at a time (the
//! attaching takes turns, the filling does not).

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt};
use sqlx::PgPool;

use udaconnect_devtools::conference::Venue;

use crate::day_partition::DetachedDay;

/// Days of stored pings, today the last.
const DAYS: u32 = 7;
/// Their attendees, ids 1 to this: a large event's.
const PERSONS: i64 = 10_000;
/// Days loaded at a time.
const CONCURRENT_DAYS: usize = 2;

/// Stores `rows` pings over the seven UTC days up to `now`'s, the same
/// number each (today's before `now`), spread over `venue`'s floor, in
/// `location`, which must have no partition for those days yet. The venue
/// must be the one the benchmark's conferences then play at: the indexes'
/// cost is where a new ping lands among the stored ones, and pings of
/// another place land beside them, in pages of their own. Seeded by
/// `seed`, so runs compare. Returns the highest id stored: the rows a
/// benchmark writes afterwards are above it.
pub async fn load(
    pool: &PgPool,
    rows: u64,
    now: DateTime<Utc>,
    venue: &Venue,
    seed: u64,
) -> anyhow::Result<i64> {
    let today = now.date_naive();
    let days: Vec<NaiveDate> = (0..DAYS)
        .rev()
        .map(|back| today - TimeDelta::days(i64::from(back)))
        .collect();
    futures::stream::iter(days.iter().enumerate())
        .map(|(index, &day)| {
            // The remainder goes to today.
            let share = rows / u64::from(DAYS)
                + if day == today {
                    rows % u64::from(DAYS)
                } else {
                    0
                };
            load_day(
                pool,
                day,
                share,
                now,
                venue,
                seed.wrapping_add(index as u64),
            )
        })
        .buffer_unordered(CONCURRENT_DAYS)
        .try_collect::<()>()
        .await?;
    // Every day must be a partition the store knows, named as the migration
    // names them.
    let partitioned: Vec<NaiveDate> =
        sqlx::query_scalar("SELECT day FROM location_partition_days() AS day WHERE day = ANY($1)")
            .bind(&days)
            .fetch_all(pool)
            .await?;
    anyhow::ensure!(
        partitioned.len() == days.len(),
        "the loaded days {days:?} are not all partitions of location ({partitioned:?})"
    );
    sqlx::query("VACUUM ANALYZE location").execute(pool).await?;
    Ok(
        sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM location")
            .fetch_one(pool)
            .await?,
    )
}

/// Fills the partition of `day` with `rows` pings spread over the day (up to
/// `now` for today), on one session, and attaches it.
async fn load_day(
    pool: &PgPool,
    day: NaiveDate,
    rows: u64,
    now: DateTime<Utc>,
    venue: &Venue,
    seed: u64,
) -> anyhow::Result<()> {
    let opens = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let until = (opens + TimeDelta::days(1)).min(now);
    let mut partition = DetachedDay::create(pool, day).await?;
    sqlx::query("SELECT setseed($1)")
        .bind((seed % 1000) as f64 / 1000.0)
        .execute(partition.session())
        .await?;
    let ((south, west), (north, east)) = venue.bounds_degrees();
    sqlx::query(&format!(
        "INSERT INTO {} (id, event_id, person_id, coordinate, creation_time)
         SELECT nextval(pg_get_serial_sequence('location', 'id')), gen_random_uuid(),
                1 + floor(random() * $2)::bigint,
                ST_SetSRID(ST_MakePoint($3 + random() * $4, $5 + random() * $6), 4326)::geography,
                $7 + random() * ($8 - $7)
         FROM generate_series(1, $1::bigint)",
        partition.name
    ))
    .bind(i64::try_from(rows)?)
    .bind(PERSONS)
    .bind(west)
    .bind(east - west)
    .bind(south)
    .bind(north - south)
    .bind(opens)
    .bind(until)
    .execute(partition.session())
    .await?;
    partition.attach().await?;
    Ok(())
}
