//! Contact search at scale: a conference of `--attendees` people pinging
//! `--pings` times each over `--days` days is loaded in time order (as the
//! pipeline would write it), then `GET /api/persons/{id}/contacts` (and the
//! locations service's `FindContacts` behind it, over gRPC) is timed for
//! random persons over the whole event, with the default distance and window.

use std::time::Instant;

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use udaconnect_devtools::conference::{self, Venue};
use udaconnect_domain::{
    ContactQuery, ContactQueryParts, Coordinates, NewLocation, find_encounters, group_contacts,
};
use udaconnect_proto::{timestamp_from_datetime, v1::FindContactsRequest};
use udaconnect_storage::{LocationStore, PersonStore};
use uuid::Uuid;

use crate::{
    database,
    services::{self, Services},
    stats::{Summary, ms},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Attendees, 2,000 to a hall of 100 booths and 10 talk rooms; large
    /// events fill more halls, side by side.
    #[arg(long, default_value_t = 10_000)]
    attendees: u32,
    /// Pings per attendee over the whole event.
    #[arg(long, default_value_t = 100)]
    pings: u32,
    /// Conference days, 8 hours each.
    #[arg(long, default_value_t = 3)]
    days: u32,
    /// Persons whose contacts are timed.
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// Seed of the conference and of the choice of persons.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Reuse the data of an earlier run with the same parameters.
    #[arg(long)]
    reuse: bool,
}

/// Hours of each conference day.
const HOURS_PER_DAY: i64 = 8;
/// Attendees per hall.
const HALL_ATTENDEES: u32 = 2_000;
/// Rows per bulk insert while loading.
const LOAD_BATCH: usize = 5_000;
/// Concurrent bulk inserts while loading.
const LOAD_CONCURRENCY: usize = 2;

fn first_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let name = format!(
        "udaconnect_bench_contacts_{}_{}_{}_{}",
        args.attendees, args.pings, args.days, args.seed
    );
    let (persons_db, locations_db) = (format!("{name}_p"), format!("{name}_l"));
    let locations = if args.reuse {
        LocationStore::new(database::connect(admin_url, &locations_db).await?)
    } else {
        let persons = PersonStore::new(database::recreate(admin_url, &persons_db).await?);
        persons.migrate().await?;
        persons
            .import(&services::attendees(i64::from(args.attendees)))
            .await?;
        let locations = LocationStore::new(database::recreate(admin_url, &locations_db).await?);
        locations.migrate().await?;
        load(&locations, &args).await?;
        sqlx::query("VACUUM ANALYZE location")
            .execute(locations.pool())
            .await?;
        locations
    };
    // Sizes add up over the partitions (a partitioned table or index holds
    // no data of its own).
    let (rows, table_bytes, index_bytes): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM location),
                sum(pg_table_size(relid))::bigint, sum(pg_indexes_size(relid))::bigint
         FROM pg_partition_tree('location')",
    )
    .fetch_one(locations.pool())
    .await?;
    let cell_index_bytes: i64 = sqlx::query_scalar(
        "SELECT sum(pg_relation_size(relid))::bigint FROM pg_partition_tree('location_cell_time')",
    )
    .fetch_one(locations.pool())
    .await?;

    let services = Services::start(
        &database::url(admin_url, &persons_db),
        &database::url(admin_url, &locations_db),
    )
    .await?;
    let mut rng = fastrand::Rng::with_seed(args.seed ^ 0x5eed);
    let request = |person_id| FindContactsRequest {
        person_id,
        start_time: Some(timestamp_from_datetime(first_day())),
        end_time: Some(timestamp_from_datetime(
            first_day() + TimeDelta::days(i64::from(args.days)),
        )),
        ..Default::default()
    };
    let http = &services.http;
    let period = [
        ("start", first_day()),
        ("end", first_day() + TimeDelta::days(i64::from(args.days))),
    ]
    .map(|(name, time)| (name, time.to_rfc3339_opts(SecondsFormat::Secs, true)));
    let rest = |person: i64| {
        let request = http
            .get(format!(
                "{}/api/persons/{person}/contacts",
                services.api_url
            ))
            .query(&period);
        async move {
            let started = Instant::now();
            let body = request.send().await?.error_for_status()?.bytes().await?;
            let elapsed = started.elapsed();
            std::hint::black_box(body);
            anyhow::Ok(elapsed)
        }
    };
    // Warm-up: the persons cache, the connection pools, the index's pages.
    for _ in 0..20 {
        rest(1 + i64::from(rng.u32(..args.attendees))).await?;
    }
    let mut latencies = Vec::with_capacity(args.samples);
    let mut grpc_latencies = Vec::with_capacity(args.samples);
    let (mut fetching, mut matching) = (Vec::new(), Vec::new());
    let (mut contacts, mut meetings, mut encounters, mut candidates) = (0u64, 0u64, 0u64, 0u64);
    for _ in 0..args.samples {
        let person = 1 + i64::from(rng.u32(..args.attendees));
        let mut all = request(person);
        all.limit = 100;
        latencies.push(rest(person).await?);
        let started = Instant::now();
        let page = services
            .locations
            .clone()
            .find_contacts(request(person))
            .await?
            .into_inner();
        grpc_latencies.push(started.elapsed());
        // Untimed: the size of the whole answer, for the record.
        let whole = services
            .locations
            .clone()
            .find_contacts(all)
            .await?
            .into_inner();
        contacts += whole.contacts.len() as u64;
        meetings += whole
            .contacts
            .iter()
            .map(|c| u64::from(c.meeting_count))
            .sum::<u64>();
        encounters += whole
            .contacts
            .iter()
            .flat_map(|c| &c.meetings)
            .map(|m| u64::from(m.encounters))
            .sum::<u64>();
        std::hint::black_box(page);

        // Untimed above, timed here: the stages inside the service.
        let query = ContactQuery::new(ContactQueryParts {
            person_id: person,
            start: Some(first_day()),
            end: Some(first_day() + TimeDelta::days(i64::from(args.days))),
            ..Default::default()
        })?;
        let started = Instant::now();
        let sightings = locations.contact_sightings(&query).await?;
        fetching.push(started.elapsed());
        candidates += sightings.candidates.len() as u64;
        let started = Instant::now();
        let found = find_encounters(
            &sightings.own,
            &sightings.candidates,
            query.distance_meters(),
            query.window(),
        );
        std::hint::black_box(group_contacts(found, query.window(), query.min_duration()));
        matching.push(started.elapsed());
    }
    let latency = Summary::of(&latencies);
    let grpc_latency = Summary::of(&grpc_latencies);
    let per_person = |total: u64| total as f64 / args.samples as f64;
    println!(
        "contacts: {rows} rows ({} attendees × {} pings over {} days), table {:.0} MB, \
         indexes {:.0} MB (cell index {:.0} MB)",
        args.attendees,
        args.pings,
        args.days,
        table_bytes as f64 / 1e6,
        index_bytes as f64 / 1e6,
        cell_index_bytes as f64 / 1e6,
    );
    println!(
        "  GET …/contacts, first page, 10 m / 10 min: {latency}  p99 {:.2} ms",
        ms(latency.p99)
    );
    println!(
        "  FindContacts alone (gRPC):                {grpc_latency}  p99 {:.2} ms",
        ms(grpc_latency.p99)
    );
    println!(
        "  stages: reading candidates {}\n          exact distances and meetings {}",
        Summary::of(&fetching),
        Summary::of(&matching)
    );
    println!(
        "  per person: {:.0} candidate pings, {:.1} contacts, {:.1} meetings, {:.0} encounters (first 100 contacts)",
        per_person(candidates),
        per_person(contacts),
        per_person(meetings),
        per_person(encounters)
    );
    Ok(serde_json::json!({
        "benchmark": "find_contacts", "rows": rows, "attendees": args.attendees,
        "pings_per_attendee": args.pings, "days": args.days, "latency": latency.to_json(),
        "grpc_latency": grpc_latency.to_json(),
        "table_bytes": table_bytes, "index_bytes": index_bytes,
        "cell_index_bytes": cell_index_bytes,
        "contacts_per_person": per_person(contacts),
        "meetings_per_person": per_person(meetings),
        "encounters_per_person": per_person(encounters),
        "candidates_per_person": per_person(candidates),
        "reading_candidates": Summary::of(&fetching).to_json(),
        "matching": Summary::of(&matching).to_json(),
    }))
}

/// Plays the conference day by day and writes its pings in time order.
async fn load(store: &LocationStore, args: &Args) -> anyhow::Result<()> {
    let halls: Vec<Venue> = (0..args.attendees.div_ceil(HALL_ATTENDEES))
        .map(|hall| Venue::new(100, 10).in_hall(hall))
        .collect();
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let day_length = TimeDelta::hours(HOURS_PER_DAY);
    // Each phone pings at a steady interval with a phase of its own.
    let interval = day_length * args.days as i32 / args.pings as i32;
    let phases: Vec<TimeDelta> = (0..args.attendees)
        .map(|_| TimeDelta::milliseconds(rng.i64(0..interval.num_milliseconds())))
        .collect();
    let started = Instant::now();
    let mut written = 0u64;
    for day in 0..args.days {
        let opens = first_day() + TimeDelta::days(i64::from(day));
        // Attendee n spends the event in hall n mod halls.
        let itineraries: Vec<_> = (1..=i64::from(args.attendees))
            .map(|person| {
                let hall = &halls[person as usize % halls.len()];
                conference::plan(person, hall, opens, opens + day_length, &mut rng)
            })
            .collect();
        let mut pings = Vec::new();
        for (itinerary, phase) in itineraries.iter().zip(&phases) {
            // Offsets into the event's open hours, laid end to end.
            for k in 0..args.pings {
                let offset = *phase + interval * k as i32;
                let (ping_day, within) = (
                    offset.num_milliseconds() / day_length.num_milliseconds(),
                    TimeDelta::milliseconds(
                        offset.num_milliseconds() % day_length.num_milliseconds(),
                    ),
                );
                if ping_day != i64::from(day) {
                    continue;
                }
                let time = opens + within;
                let hall = &halls[itinerary.person_id as usize % halls.len()];
                let (latitude, longitude) = itinerary.position(hall, time, &mut rng);
                pings.push(NewLocation {
                    event_id: Uuid::from_u64_pair(rng.u64(..), rng.u64(..)),
                    person_id: itinerary.person_id,
                    coordinates: Coordinates::new(latitude, longitude)?,
                    creation_time: time,
                });
            }
        }
        pings.sort_by_key(|ping| ping.creation_time);
        written += futures::stream::iter(pings.chunks(LOAD_BATCH))
            .map(|batch| store.write(batch))
            .buffered(LOAD_CONCURRENCY)
            .try_fold(0, |sum, count| async move { Ok(sum + count) })
            .await?;
        eprintln!(
            "  day {}: {written} rows loaded in {:.0} s",
            day + 1,
            started.elapsed().as_secs_f64()
        );
    }
    let elapsed = started.elapsed();
    println!(
        "loaded {written} rows in {:.1} s ({:.0} rows/s, {LOAD_CONCURRENCY} writers of {LOAD_BATCH})",
        elapsed.as_secs_f64(),
        written as f64 / elapsed.as_secs_f64().max(1e-9)
    );
    Ok(())
}
