//! Bulk `WriteLocations` throughput: the persons and locations services run
//! in this process, and a client writes batches over real gRPC. The
//! baseline, on the same table in the same run: one `INSERT` and commit per
//! ping, as the proof of concept stored each `POST`.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use udaconnect_proto::{
    datetime_from_timestamp, timestamp_from_datetime,
    v1::{NewLocation, WriteLocationsRequest},
};
use udaconnect_storage::{LocationStore, PersonStore};
use uuid::Uuid;

use crate::{
    database,
    services::{self, Services},
    square_venue,
    stats::{Summary, ms},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Batches to write.
    #[arg(long, default_value_t = 300)]
    batches: usize,
    /// Pings per batch.
    #[arg(long, default_value_t = 1000)]
    batch_size: usize,
    /// Concurrent writers.
    #[arg(long, default_value_t = 2)]
    concurrency: usize,
    /// Attendees the pings belong to.
    #[arg(long, default_value_t = 10_000)]
    persons: i64,
    /// Random event ids (UUIDv4, as arbitrary phones may send) instead of
    /// time-ordered ones (UUIDv7, as the services assign and recommend).
    #[arg(long)]
    random_event_ids: bool,
    /// Drop this secondary index first, to measure what it costs the writes.
    #[arg(long, value_parser = SECONDARY_INDEXES)]
    without_index: Option<String>,
    /// Pings stored one `INSERT` at a time for the baseline (0: none).
    #[arg(long, default_value_t = 5_000)]
    baseline_pings: usize,
}

/// The locations table's indexes that serve searches (the other two, the
/// primary key and the (event id, time) key, make writes idempotent and
/// stay).
const SECONDARY_INDEXES: [&str; 2] = ["location_coordinate_gist", "location_person_time"];

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let persons_pool = database::recreate(admin_url, "udaconnect_bench_persons").await?;
    let locations_pool = database::recreate(admin_url, "udaconnect_bench_locations").await?;
    let person_store = PersonStore::new(persons_pool);
    person_store.migrate().await?;
    let location_store = LocationStore::new(locations_pool.clone());
    location_store.migrate().await?;
    if let Some(index) = &args.without_index {
        sqlx::query(&format!("DROP INDEX {index}"))
            .execute(&locations_pool)
            .await?;
    }
    person_store
        .import(&services::attendees(args.persons))
        .await?;

    let services = Services::start(
        &database::url(admin_url, "udaconnect_bench_persons"),
        &database::url(admin_url, "udaconnect_bench_locations"),
    )
    .await?;
    let client = services.locations.clone();

    let mut rng = fastrand::Rng::with_seed(11);
    let batches: Vec<Vec<NewLocation>> = (0..args.batches)
        .map(|_| {
            (0..args.batch_size)
                .map(|_| random_ping(&mut rng, args.persons, args.random_event_ids))
                .collect()
        })
        .collect();

    // One warm-up batch fills the person cache and the connection pools.
    client
        .clone()
        .write_locations(WriteLocationsRequest {
            locations: vec![random_ping(&mut rng, args.persons, args.random_event_ids)],
        })
        .await?;

    let started = Instant::now();
    let mut chunks: Vec<Vec<Vec<NewLocation>>> =
        (0..args.concurrency).map(|_| Vec::new()).collect();
    for (i, batch) in batches.into_iter().enumerate() {
        chunks[i % args.concurrency].push(batch);
    }
    let writers: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(chunk.len());
                let mut written = 0u64;
                for batch in chunk {
                    let sent = Instant::now();
                    let response = client
                        .write_locations(WriteLocationsRequest { locations: batch })
                        .await?
                        .into_inner();
                    latencies.push(sent.elapsed());
                    written += u64::from(response.written);
                }
                anyhow::Ok((written, latencies))
            })
        })
        .collect();
    let mut written = 0;
    let mut latencies: Vec<Duration> = Vec::new();
    for writer in writers {
        let (count, mut times) = writer.await??;
        written += count;
        latencies.append(&mut times);
    }
    let elapsed = started.elapsed();
    drop(services);

    let rate = written as f64 / elapsed.as_secs_f64();
    let latency = Summary::of(&latencies);
    println!(
        "write: {written} rows in {} batches of {} with {} writers in {:.2} s: {rate:.0} rows/s",
        args.batches,
        args.batch_size,
        args.concurrency,
        elapsed.as_secs_f64()
    );
    println!("  per-batch latency {latency}");
    let mut result = serde_json::json!({
        "benchmark": "write_locations", "rows": written, "batch_size": args.batch_size,
        "concurrency": args.concurrency, "without_index": args.without_index,
        "seconds": elapsed.as_secs_f64(), "rows_per_second": rate,
        "batch_latency": latency.to_json(), "elapsed_ms": ms(elapsed),
    });
    if args.baseline_pings > 0 {
        let pings: Vec<NewLocation> = (0..args.baseline_pings)
            .map(|_| random_ping(&mut rng, args.persons, args.random_event_ids))
            .collect();
        let started = Instant::now();
        for ping in &pings {
            insert_one(&locations_pool, ping).await?;
        }
        let elapsed = started.elapsed();
        let baseline = pings.len() as f64 / elapsed.as_secs_f64();
        println!(
            "  baseline: one INSERT per ping: {} rows in {:.2} s: {baseline:.0} rows/s ({:.0}x slower)",
            pings.len(),
            elapsed.as_secs_f64(),
            rate / baseline
        );
        result["baseline_single_insert"] = serde_json::json!({
            "rows": pings.len(), "seconds": elapsed.as_secs_f64(), "rows_per_second": baseline,
        });
    }
    Ok(result)
}

/// The proof of concept's way to store a ping: its own statement, committed
/// alone, before the next one is sent.
async fn insert_one(pool: &sqlx::PgPool, ping: &NewLocation) -> anyhow::Result<()> {
    let time = datetime_from_timestamp("creation_time", ping.creation_time.as_ref())?;
    sqlx::query(
        "INSERT INTO location (event_id, person_id, coordinate, creation_time)
         VALUES ($1, $2, ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography, $5)",
    )
    .bind(Uuid::parse_str(&ping.event_id)?)
    .bind(ping.person_id)
    .bind(ping.longitude)
    .bind(ping.latitude)
    .bind(time)
    .execute(pool)
    .await?;
    Ok(())
}

fn random_ping(rng: &mut fastrand::Rng, persons: i64, random_event_id: bool) -> NewLocation {
    let (longitudes, latitudes) = square_venue::side_degrees(300.0);
    let time = Utc.with_ymd_and_hms(2024, 5, 14, 8, 0, 0).unwrap()
        + chrono::Duration::seconds(rng.i64(0..9 * 3600));
    NewLocation {
        event_id: if random_event_id {
            Uuid::from_u64_pair(rng.u64(..), rng.u64(..)).to_string()
        } else {
            Uuid::now_v7().to_string()
        },
        person_id: 1 + rng.i64(0..persons),
        latitude: square_venue::SOUTH + rng.f64() * latitudes,
        longitude: square_venue::WEST + rng.f64() * longitudes,
        creation_time: Some(timestamp_from_datetime(time)),
    }
}
