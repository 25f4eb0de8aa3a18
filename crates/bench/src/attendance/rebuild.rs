//! Rebuilding an event's attendance from the stored pings: is it done
//! within 60 s for 2,000 attendees over 8 hours at a ping every 10 s (5.76
//! million pings)? The pings of a crowd walking between the booths and
//! rooms of a 2,000-area floor plan are bulk-loaded into a fresh locations
//! database (as the contacts benchmark loads its conference), the event and
//! its floor plan go into a fresh events database, the persons, locations
//! and events services run in this process, and
//! `udaconnect_attendance::rebuild_event` is timed: `StreamAreaPings`,
//! mapping and merging, and `ReplaceEventVisits`. A second, untimed-by-the-
//! target pass reads the same pings through `StreamAreaPings` and maps them
//! in this process, timing the reading and the mapping apart, so that the
//! rebuild's share of each is known (the swap is what remains).

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta};
use futures::{StreamExt, TryStreamExt};
use udaconnect_attendance::{FloorIndex, rebuild_event};
use udaconnect_domain::{Coordinates, NewEvent, NewLocation, Visit, VisitGap, merge_visits};
use udaconnect_proto::{timestamp_from_datetime, v1::StreamAreaPingsRequest};
use udaconnect_storage::{EventStore, LocationStore, PersonStore};
use uuid::Uuid;

use super::venue::{self, Venue};
use crate::{
    credentials::service,
    database,
    services::{self, Services},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Attendees, pinging every `--interval-seconds` for 8 hours.
    #[arg(long, default_value_t = 2_000)]
    attendees: usize,
    /// Seconds between two pings of one phone.
    #[arg(long, default_value_t = 10)]
    interval_seconds: i64,
    /// Hours of the event.
    #[arg(long, default_value_t = 8)]
    hours: i64,
    /// Booths of the floor plan.
    #[arg(long, default_value_t = 1_900)]
    booths: usize,
    /// Rooms of the floor plan.
    #[arg(long, default_value_t = 100)]
    rooms: usize,
    /// Seed of the crowd.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Reuse the pings of an earlier run with the same parameters.
    #[arg(long)]
    reuse: bool,
}

/// Rows per bulk insert and concurrent inserts while loading.
const LOAD_BATCH: usize = 10_000;
const LOAD_CONCURRENCY: usize = 2;

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let venue = Venue::new(args.booths, args.rooms, 15.0);
    let start = venue::opens();
    let length = TimeDelta::hours(args.hours);
    let name = format!(
        "udaconnect_bench_rebuild_{}_{}_{}_{}",
        args.attendees, args.interval_seconds, args.hours, args.seed
    );
    let (persons_db, locations_db, events_db) = (
        format!("{name}_p"),
        format!("{name}_l"),
        format!("{name}_e"),
    );
    let locations = if args.reuse {
        LocationStore::new(database::connect(admin_url, &locations_db).await?)
    } else {
        let persons = PersonStore::new(database::recreate(admin_url, &persons_db).await?);
        persons.migrate().await?;
        persons
            .import(&services::attendees(args.attendees as i64))
            .await?;
        let locations = LocationStore::new(database::recreate(admin_url, &locations_db).await?);
        locations.migrate().await?;
        let pings = venue::pings(
            &venue,
            args.attendees,
            start,
            length,
            TimeDelta::seconds(args.interval_seconds),
            usize::MAX,
            args.seed,
        );
        let rows = pings
            .iter()
            .map(|ping| {
                Ok(NewLocation {
                    event_id: Uuid::from_u64_pair(fastrand::u64(..), fastrand::u64(..)),
                    person_id: ping.person_id,
                    coordinates: Coordinates::new(ping.latitude, ping.longitude)?,
                    creation_time: ping.time,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        drop(pings);
        let began = Instant::now();
        let written = futures::stream::iter(rows.chunks(LOAD_BATCH))
            .map(|batch| locations.write(batch))
            .buffered(LOAD_CONCURRENCY)
            .try_fold(0, |sum, count| async move { Ok(sum + count) })
            .await?;
        database::settle_locations(&locations).await?;
        println!(
            "loaded {written} pings in {:.0} s",
            began.elapsed().as_secs_f64()
        );
        locations
    };
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM location")
        .fetch_one(locations.pool())
        .await?;

    let events = EventStore::new(database::recreate(admin_url, &events_db).await?);
    events.migrate().await?;
    let event = events
        .create_event(&NewEvent::new("Bench", start, start + length, "UTC")?)
        .await?;
    events.replace_floor_plan(event.id, &venue.areas).await?;
    let services = Services::start_with_events(
        &database::url(admin_url, &persons_db),
        &database::url(admin_url, &locations_db),
        Some(&database::url(admin_url, &events_db)),
    )
    .await?;
    let events_url = services.events_url.clone().expect("started with events");
    let gap = VisitGap::new(TimeDelta::minutes(2))?;

    // Reading and mapping apart, through the same gRPC stream.
    let index = FloorIndex::new(std::slice::from_ref(&event), events.areas(event.id).await?);
    let ((south, west), (north, east)) = index.bounds().expect("areas");
    let began = Instant::now();
    let mut chunks = services
        .locations
        .clone()
        .stream_area_pings(StreamAreaPingsRequest {
            start_time: Some(timestamp_from_datetime(event.start)),
            end_time: Some(timestamp_from_datetime(event.end)),
            min_latitude: south,
            min_longitude: west,
            max_latitude: north,
            max_longitude: east,
        })
        .await?
        .into_inner();
    let (mut read, mut mapping) = (0u64, Duration::ZERO);
    let mut stays: Vec<Visit> = Vec::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        let mapped = Instant::now();
        read += chunk.person_ids.len() as u64;
        for (((person, latitude), longitude), micros) in chunk
            .person_ids
            .iter()
            .zip(&chunk.latitudes)
            .zip(&chunk.longitudes)
            .zip(&chunk.times_micros)
        {
            let time = DateTime::from_timestamp_micros(*micros).expect("a valid time");
            index.record_ping(*person, *latitude, *longitude, time, &mut stays);
        }
        if stays.len() > 1_000_000 {
            stays = merge_visits(stays, gap);
        }
        mapping += mapped.elapsed();
    }
    let mapped = Instant::now();
    let merged = merge_visits(stays, gap).len();
    mapping += mapped.elapsed();
    let read_and_map = began.elapsed();

    let report = rebuild_event(
        &events_url,
        &services.locations_url,
        &service(),
        event.id,
        gap,
    )
    .await?;
    let seconds = report.elapsed.as_secs_f64();
    let reading = (read_and_map - mapping).as_secs_f64();
    let swap = (seconds - read_and_map.as_secs_f64()).max(0.0);
    println!(
        "attendance rebuild: {rows} stored pings ({} attendees × {} h at {} s), {} areas",
        args.attendees,
        args.hours,
        args.interval_seconds,
        venue.areas.len()
    );
    println!(
        "  rebuild_event: {} pings read, {} visits stored, {seconds:.1} s (target: 60 s)",
        report.pings, report.visits
    );
    println!(
        "  phases (separate pass): StreamAreaPings {reading:.1} s, mapping and merging {:.1} s \
         ({read} pings, {merged} visits); the swap and the rest ≈ {swap:.1} s",
        mapping.as_secs_f64()
    );
    Ok(serde_json::json!({
        "benchmark": "attendance_rebuild", "rows": rows, "attendees": args.attendees,
        "hours": args.hours, "interval_seconds": args.interval_seconds,
        "areas": venue.areas.len(), "pings": report.pings, "visits": report.visits,
        "seconds": seconds, "reading_seconds": reading,
        "mapping_seconds": mapping.as_secs_f64(), "swap_seconds": swap,
    }))
}
