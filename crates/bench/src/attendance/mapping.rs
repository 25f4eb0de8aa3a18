//! The attendance consumer's mapping stage alone, in this process on one
//! core: a [`FloorIndex`] of `--booths` booths and `--rooms` rooms, and pings
//! of `--attendees` people over `--hours` hours in time order, fed in batches
//! of `--batch` (the consumer's default) through `record_ping` and
//! `merge_visits`, as the consumer does for each batch. What it costs per
//! ping bounds how fast any consumer can go, whatever Kafka and the events
//! service add (see `attendance-consumer` for those).

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use udaconnect_attendance::FloorIndex;
use udaconnect_domain::{Event, VisitGap, merge_visits};

use super::venue::{self, Venue};
use crate::stats::Summary;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Booths of 3 × 3 m on a grid.
    #[arg(long, default_value_t = 1_900)]
    booths: usize,
    /// Rooms of 15 × 15 m.
    #[arg(long, default_value_t = 100)]
    rooms: usize,
    /// People pinging.
    #[arg(long, default_value_t = 2_000)]
    attendees: usize,
    /// Hours of pings.
    #[arg(long, default_value_t = 8)]
    hours: i64,
    /// Seconds between two pings of one phone.
    #[arg(long, default_value_t = 10)]
    interval_seconds: i64,
    /// Pings per batch (the consumer's default batch size).
    #[arg(long, default_value_t = 20_000)]
    batch: usize,
    /// Seed of the venue's crowd.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

pub fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let venue = Venue::new(args.booths, args.rooms, 15.0);
    let start = venue::opens();
    let length = TimeDelta::hours(args.hours);
    let event = Event {
        id: 1,
        name: "bench".to_owned(),
        start,
        end: start + length,
        time_zone: "UTC".to_owned(),
    };
    let built = Instant::now();
    let index = FloorIndex::new(std::slice::from_ref(&event), venue.domain_areas(1));
    let build_time = built.elapsed();
    let pings = venue::pings(
        &venue,
        args.attendees,
        start,
        length,
        TimeDelta::seconds(args.interval_seconds),
        usize::MAX,
        args.seed,
    );
    let gap = VisitGap::new(TimeDelta::minutes(2))?;

    let mut batches = Vec::new();
    let (mut mapping, mut merging) = (Duration::ZERO, Duration::ZERO);
    let (mut stays, mut visits) = (0u64, 0u64);
    for batch in pings.chunks(args.batch.max(1)) {
        let began = Instant::now();
        let mut found = Vec::new();
        for ping in batch {
            index.record_ping(
                ping.person_id,
                ping.latitude,
                ping.longitude,
                ping.time,
                &mut found,
            );
        }
        let mapped = Instant::now();
        stays += found.len() as u64;
        let merged = merge_visits(found, gap);
        let done = Instant::now();
        visits += merged.len() as u64;
        std::hint::black_box(merged);
        mapping += mapped - began;
        merging += done - mapped;
        batches.push(done - began);
    }
    let total = mapping + merging;
    let count = pings.len() as f64;
    let rate = count / total.as_secs_f64();
    let per_ping = total.as_secs_f64() * 1e9 / count;
    let per_batch = Summary::of(&batches);
    println!(
        "attendance mapping: {} areas ({} booths, {} rooms), index built in {:.1} ms",
        index.len(),
        args.booths,
        args.rooms,
        build_time.as_secs_f64() * 1e3
    );
    println!(
        "  {} pings of {} attendees over {} h in batches of {}: {rate:.0} pings/s on one core, \
         {per_ping:.0} ns per ping (mapping {:.0} ns, merging {:.0} ns)",
        pings.len(),
        args.attendees,
        args.hours,
        args.batch,
        mapping.as_secs_f64() * 1e9 / count,
        merging.as_secs_f64() * 1e9 / count,
    );
    println!(
        "  {:.0} % of pings in an area; {visits} stays after merging within batches; per batch: {per_batch}",
        stays as f64 * 100.0 / count
    );
    Ok(serde_json::json!({
        "benchmark": "attendance_mapping", "areas": index.len(), "booths": args.booths,
        "rooms": args.rooms, "attendees": args.attendees, "hours": args.hours,
        "interval_seconds": args.interval_seconds, "batch": args.batch,
        "pings": pings.len(), "pings_per_second": rate, "ns_per_ping": per_ping,
        "mapping_ns_per_ping": mapping.as_secs_f64() * 1e9 / count,
        "merging_ns_per_ping": merging.as_secs_f64() * 1e9 / count,
        "pings_in_areas": stays, "stays_per_batch_merged": visits,
        "index_build_ms": build_time.as_secs_f64() * 1e3, "per_batch": per_batch.to_json(),
    }))
}
