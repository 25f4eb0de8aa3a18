//! Contact search at scale: a conference of `--attendees` people pinging
//! `--pings` times each over `--days` days is loaded in time order (as the
//! pipeline would write it, or with `--bulk` as a restore would), then
//! `GET /api/persons/{id}/contacts` (and the locations service's
//! `FindContacts` behind it, over gRPC) is timed for random persons over the
//! whole event (or `--window-hours` of one day), with the default distance
//! and window; optionally again, several at once or beside live writes.

use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

use chrono::{DateTime, SecondsFormat, TimeDelta, TimeZone, Utc};
use futures::{StreamExt, TryStreamExt};
use sqlx::PgPool;
use tokio_util::sync::CancellationToken;
use udaconnect_devtools::conference::{self, Venue};
use udaconnect_domain::{
    ContactQuery, ContactQueryParts, Coordinates, EncounterFinder, NewLocation, Sighting,
    group_contacts,
};
use udaconnect_proto::{timestamp_from_datetime, v1::FindContactsRequest};
use udaconnect_storage::{LocationStore, PersonStore};
use uuid::Uuid;

use crate::{
    database,
    day_partition::DetachedDay,
    live_writes::{self, LiveEvent},
    services::{self, Services},
    stats::{Summary, ms, quantile},
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
    /// Seed of the conference, and of the persons searched unless
    /// `--search-seed` is given.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Seed of the choice of persons and periods searched; `--seed` unless
    /// given. With `--reuse`, a run that chooses as an earlier one did
    /// searches what that run left in the caches; another seed searches
    /// what no run has read since the load.
    #[arg(long)]
    search_seed: Option<u64>,
    /// Reuse the data of an earlier run with the same parameters.
    #[arg(long)]
    reuse: bool,
    /// Load each day into a table of its own and attach it as the day's
    /// partition, which builds the indexes once, sorted (as a restore
    /// would): a week of 100 million pings takes hours through the write
    /// path. The pings differ from the write path's for the same seed.
    #[arg(long)]
    bulk: bool,
    /// Search one window of this many hours, at a random time of a random
    /// day, instead of the whole event: whom a person met this morning,
    /// rather than in a week.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=HOURS_PER_DAY))]
    window_hours: Option<u32>,
    /// Search the same persons and periods again, this many clients at
    /// once (REST, each client a closed loop): what searches cost one
    /// another when they share the two cores and the locations service's
    /// connections. 1 leaves it out.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=16))]
    concurrency: u32,
    /// Search the same persons and periods again while this many pings a
    /// second are stored through the locations service's write call, as
    /// the consumers store them, on the day after the event: what live
    /// ingest and searches cost each other. 0 leaves it out.
    #[arg(long, default_value_t = 0)]
    writes_per_second: u32,
}

/// How long `--writes-per-second` writes before the searches start, timed
/// alone.
const WRITES_ALONE: Duration = Duration::from_secs(5);
/// Hours of each conference day.
const HOURS_PER_DAY: i64 = 8;
/// Days whose partitions a bulk load fills at a time.
const BULK_CONCURRENT_DAYS: usize = 2;
/// Bytes of COPY text sent at a time while bulk loading.
const BULK_CHUNK_BYTES: usize = 4 << 20;
/// Attendees per hall.
const HALL_ATTENDEES: u32 = 2_000;
/// Rows per bulk insert while loading.
const LOAD_BATCH: usize = 5_000;
/// Concurrent bulk inserts while loading.
const LOAD_CONCURRENCY: usize = 2;

/// When the conference opens: 09:00 UTC on its first day.
pub fn first_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

/// The conference's databases, persons' and pings', named after what
/// makes it, so that `--reuse` (and other benchmarks) find it again.
pub fn databases(attendees: u32, pings: u32, days: u32, seed: u64, bulk: bool) -> (String, String) {
    let name = format!(
        "udaconnect_bench_contacts_{attendees}_{pings}_{days}_{seed}{}",
        if bulk { "_bulk" } else { "" }
    );
    (format!("{name}_p"), format!("{name}_l"))
}

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let (persons_db, locations_db) =
        databases(args.attendees, args.pings, args.days, args.seed, args.bulk);
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
        if args.bulk {
            load_bulk(locations.pool(), &args).await?;
        } else {
            load(&locations, &args).await?;
        }
        database::settle_locations(&locations).await?;
        locations
    };
    // Sizes add up over the partitions (a partitioned table or index holds
    // no data of its own). The rows are PostgreSQL's estimate, which the
    // load's vacuum and analyze leave close to the truth (256 rows over at
    // 100 million): a count(*) would read the whole table (10 GB at a week) before every
    // run, pushing out of the page cache the packs that a --reuse run
    // means to find there.
    let (rows, table_bytes, index_bytes): (i64, i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(c.reltuples), 0)::bigint,
                coalesce(sum(pg_table_size(t.relid)), 0)::bigint,
                coalesce(sum(pg_indexes_size(t.relid)), 0)::bigint
         FROM pg_partition_tree('location') t JOIN pg_class c ON c.oid = t.relid
         WHERE t.isleaf",
    )
    .fetch_one(locations.pool())
    .await?;
    let pack_bytes: i64 = sqlx::query_scalar(
        "SELECT sum(pg_total_relation_size(relid))::bigint FROM pg_partition_tree('location_pack')",
    )
    .fetch_one(locations.pool())
    .await?;

    let services = Services::start(
        &database::url(admin_url, &persons_db),
        &database::url(admin_url, &locations_db),
    )
    .await?;
    let search_seed = args.search_seed.unwrap_or(args.seed);
    let mut rng = fastrand::Rng::with_seed(search_seed ^ 0x5eed);
    let request = |person_id, (start, end): Period| FindContactsRequest {
        person_id,
        start_time: Some(timestamp_from_datetime(start)),
        end_time: Some(timestamp_from_datetime(end)),
        ..Default::default()
    };
    let http = &services.http;
    let rest = |person: i64, (start, end): Period| {
        let period = [("start", start), ("end", end)]
            .map(|(name, time)| (name, time.to_rfc3339_opts(SecondsFormat::Secs, true)));
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
        let period = searched_period(&args, &mut rng);
        rest(1 + i64::from(rng.u32(..args.attendees)), period).await?;
    }
    let mut latencies = Vec::with_capacity(args.samples);
    let mut grpc_latencies = Vec::with_capacity(args.samples);
    let (mut fetching, mut matching) = (Vec::new(), Vec::new());
    let (mut contacts, mut meetings, mut encounters, mut candidates) = (0u64, 0u64, 0u64, 0u64);
    // Every contact and meeting of the whole answer, not just its first
    // 100 contacts: what a summary of it would have to keep.
    let (mut all_contacts, mut all_meetings) = (0u64, 0u64);
    // Each search's candidates, and its REST time for each 1,000 of them:
    // whether the slowest searches are slow for their work or for the
    // machine.
    let (mut search_candidates, mut rest_per_thousand) = (Vec::new(), Vec::new());
    let mut searched_periods = Vec::with_capacity(args.samples);
    for _ in 0..args.samples {
        let person = 1 + i64::from(rng.u32(..args.attendees));
        let period = searched_period(&args, &mut rng);
        searched_periods.push((person, period));
        let mut all = request(person, period);
        all.limit = 100;
        latencies.push(rest(person, period).await?);
        let started = Instant::now();
        let page = services
            .locations
            .clone()
            .find_contacts(request(person, period))
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
            start: Some(period.0),
            end: Some(period.1),
            ..Default::default()
        })?;
        // The service overlaps the two stages; here each runs alone, the
        // matching on one thread.
        let started = Instant::now();
        let sightings = locations.contact_sightings(&query).await?;
        let chunks: Vec<Vec<Sighting>> = sightings.candidates.try_collect().await?;
        fetching.push(started.elapsed());
        let searched = chunks.iter().map(Vec::len).sum::<usize>();
        candidates += searched as u64;
        search_candidates.push(searched);
        if let Some(&rest_latency) = latencies.last() {
            rest_per_thousand.push(rest_latency.mul_f64(1e3 / searched.max(1) as f64));
        }
        let started = Instant::now();
        let finder = EncounterFinder::new(sightings.own, query.distance_meters(), query.window());
        let found = chunks
            .iter()
            .flat_map(|chunk| finder.encounters_with(chunk))
            .collect();
        let grouped = group_contacts(found, query.window(), query.min_duration());
        matching.push(started.elapsed());
        all_contacts += grouped.len() as u64;
        all_meetings += grouped.iter().map(|c| c.meetings.len() as u64).sum::<u64>();
    }
    // The same searches again, as warm in the caches as they were above,
    // but several at once, or beside live writes.
    let clients = args.concurrency as usize;
    let halls = halls(&args);
    let live_event = LiveEvent {
        halls: &halls,
        attendees: args.attendees,
        start: first_day() + TimeDelta::days(i64::from(args.days)),
    };
    // The writes alone first, for what searches then cost them; this also
    // makes the day's partition, which the writes beside searches find.
    let writes_alone = if args.writes_per_second > 0 {
        let stop = CancellationToken::new();
        let stop_later = async {
            tokio::time::sleep(WRITES_ALONE).await;
            stop.cancel();
        };
        let (written, ()) = tokio::join!(
            live_writes::write_until(
                &services.locations,
                &live_event,
                args.writes_per_second,
                &stop
            ),
            stop_later
        );
        Some(written?)
    } else {
        None
    };
    let (concurrent, live_writes) = if clients > 1 || args.writes_per_second > 0 {
        let rest = &rest;
        let stop = CancellationToken::new();
        let searches = async {
            let started = Instant::now();
            let timed = futures::future::try_join_all(
                searched_periods
                    .chunks(args.samples.div_ceil(clients))
                    .map(|share| async move {
                        let mut latencies = Vec::with_capacity(share.len());
                        for &(person, period) in share {
                            latencies.push(rest(person, period).await?);
                        }
                        anyhow::Ok(latencies)
                    }),
            )
            .await;
            let elapsed = started.elapsed();
            stop.cancel();
            let latencies: Vec<Duration> = timed?.into_iter().flatten().collect();
            anyhow::Ok((
                Summary::of(&latencies),
                latencies.len() as f64 / elapsed.as_secs_f64(),
            ))
        };
        let writes = async {
            if args.writes_per_second == 0 {
                return Ok(None);
            }
            live_writes::write_until(
                &services.locations,
                &live_event,
                args.writes_per_second,
                &stop,
            )
            .await
            .map(Some)
        };
        let (searched, written) = tokio::join!(searches, writes);
        (Some(searched?), written?)
    } else {
        (None, None)
    };
    let latency = Summary::of(&latencies);
    let grpc_latency = Summary::of(&grpc_latencies);
    let per_person = |total: u64| total as f64 / args.samples as f64;
    println!(
        "contacts: about {rows} rows ({} attendees × {} pings over {} days), table {:.0} MB, \
         indexes {:.0} MB, contact search's packs {:.0} MB",
        args.attendees,
        args.pings,
        args.days,
        table_bytes as f64 / 1e6,
        index_bytes as f64 / 1e6,
        pack_bytes as f64 / 1e6,
    );
    println!(
        "  GET …/contacts, first page, 10 m / 10 min, {}: {latency}  p99 {:.2} ms",
        args.window_hours
            .map_or("the whole event".to_owned(), |hours| format!(
                "{hours} h windows"
            )),
        ms(latency.p99)
    );
    println!(
        "  FindContacts alone (gRPC):                {grpc_latency}  p99 {:.2} ms",
        ms(grpc_latency.p99)
    );
    if let Some((latency, rate)) = &concurrent {
        let beside = live_writes.as_ref().map_or(String::new(), |_| {
            format!(", beside {} pings/s written", args.writes_per_second)
        });
        println!(
            "  GET …/contacts again, {clients} clients at once{beside}: {latency}  p99 {:.2} ms, {rate:.1} searches/s",
            ms(latency.p99)
        );
    }
    for (when, written) in [
        ("alone", &writes_alone),
        ("beside the searches", &live_writes),
    ] {
        if let Some(written) = written {
            println!(
                "  live writes {when}: {} pings, {:.0} pings/s (asked {}); each call of {} pings: {}  p99 {:.2} ms",
                written.pings,
                written.rate,
                args.writes_per_second,
                live_writes::BATCH,
                written.calls,
                ms(written.calls.p99)
            );
        }
    }
    println!(
        "  stages: reading candidates {}\n          exact distances and meetings (one thread) {}",
        Summary::of(&fetching),
        Summary::of(&matching)
    );
    search_candidates.sort_unstable();
    let candidates_at = |q: f64| quantile(&search_candidates, q);
    println!(
        "  candidate pings a search: median {}, p99 {}, max {}; REST per 1,000 candidates: {}",
        candidates_at(0.5),
        candidates_at(0.99),
        candidates_at(1.0),
        Summary::of(&rest_per_thousand)
    );
    println!(
        "  per person: {:.0} candidate pings, {:.1} contacts, {:.1} meetings, {:.0} encounters (first 100 contacts)",
        per_person(candidates),
        per_person(contacts),
        per_person(meetings),
        per_person(encounters)
    );
    println!(
        "  the whole answer, per person: {:.1} contacts, {:.1} meetings",
        per_person(all_contacts),
        per_person(all_meetings)
    );
    Ok(serde_json::json!({
        "benchmark": "find_contacts", "rows": rows, "attendees": args.attendees,
        "pings_per_attendee": args.pings, "days": args.days, "bulk": args.bulk,
        "window_hours": args.window_hours, "search_seed": search_seed,
        "latency": latency.to_json(),
        "grpc_latency": grpc_latency.to_json(),
        "table_bytes": table_bytes, "index_bytes": index_bytes,
        "pack_bytes": pack_bytes,
        "contacts_per_person": per_person(contacts),
        "meetings_per_person": per_person(meetings),
        "encounters_per_person": per_person(encounters),
        "all_contacts_per_person": per_person(all_contacts),
        "all_meetings_per_person": per_person(all_meetings),
        "candidates_per_person": per_person(candidates),
        "candidates_per_search": {
            "median": candidates_at(0.5), "p99": candidates_at(0.99), "max": candidates_at(1.0),
        },
        "rest_per_thousand_candidates": Summary::of(&rest_per_thousand).to_json(),
        "reading_candidates": Summary::of(&fetching).to_json(),
        "matching": Summary::of(&matching).to_json(),
        "concurrent": concurrent.map(|(latency, rate)| serde_json::json!({
            "clients": clients, "latency": latency.to_json(), "searches_per_second": rate,
        })),
        "live_writes": live_writes.map(|beside| serde_json::json!({
            "asked_per_second": args.writes_per_second,
            "alone": writes_alone.as_ref().map(live_writes::LiveWrites::to_json),
            "beside_searches": beside.to_json(),
        })),
    }))
}

/// A searched period, from its start to its end.
type Period = (DateTime<Utc>, DateTime<Utc>);

/// The whole event, or with `--window-hours` a window of that length within
/// the open hours of a random day, on a whole minute.
fn searched_period(args: &Args, rng: &mut fastrand::Rng) -> Period {
    let Some(hours) = args.window_hours else {
        return (
            first_day(),
            first_day() + TimeDelta::days(i64::from(args.days)),
        );
    };
    let latest_start_minute = (HOURS_PER_DAY - i64::from(hours)) * 60;
    let start = first_day()
        + TimeDelta::days(i64::from(rng.u32(..args.days)))
        + TimeDelta::minutes(rng.i64(0..=latest_start_minute));
    (start, start + TimeDelta::hours(i64::from(hours)))
}

/// The event's halls, side by side, [`HALL_ATTENDEES`] to each.
fn halls(args: &Args) -> Vec<Venue> {
    (0..args.attendees.div_ceil(HALL_ATTENDEES))
        .map(|hall| Venue::new(100, 10).in_hall(hall))
        .collect()
}

/// The conference the loaders store: its halls, and each phone's steady
/// ping interval and phase.
struct Conference {
    halls: Vec<Venue>,
    interval: TimeDelta,
    phases: Vec<TimeDelta>,
}

impl Conference {
    /// Draws the phones' phases from `rng`.
    fn new(args: &Args, rng: &mut fastrand::Rng) -> Self {
        let halls = halls(args);
        let interval = TimeDelta::hours(HOURS_PER_DAY) * args.days as i32 / args.pings as i32;
        let phases = (0..args.attendees)
            .map(|_| TimeDelta::milliseconds(rng.i64(0..interval.num_milliseconds())))
            .collect();
        Self {
            halls,
            interval,
            phases,
        }
    }

    /// Day `day`'s pings in time order, its itineraries and positions drawn
    /// from `rng`. Attendee n spends the event in hall n mod halls.
    fn day(
        &self,
        args: &Args,
        day: u32,
        rng: &mut fastrand::Rng,
    ) -> anyhow::Result<Vec<NewLocation>> {
        let day_length = TimeDelta::hours(HOURS_PER_DAY);
        let opens = first_day() + TimeDelta::days(i64::from(day));
        let hall = |person: i64| &self.halls[person as usize % self.halls.len()];
        let itineraries: Vec<_> = (1..=i64::from(args.attendees))
            .map(|person| conference::plan(person, hall(person), opens, opens + day_length, rng))
            .collect();
        let mut pings = Vec::new();
        for (itinerary, phase) in itineraries.iter().zip(&self.phases) {
            // Offsets into the event's open hours, laid end to end.
            for k in 0..args.pings {
                let offset = *phase + self.interval * k as i32;
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
                let (latitude, longitude) =
                    itinerary.position(hall(itinerary.person_id), time, rng);
                pings.push(NewLocation {
                    event_id: Uuid::from_u64_pair(rng.u64(..), rng.u64(..)),
                    person_id: itinerary.person_id,
                    coordinates: Coordinates::new(latitude, longitude)?,
                    creation_time: time,
                });
            }
        }
        pings.sort_by_key(|ping| ping.creation_time);
        Ok(pings)
    }
}

/// Plays the conference day by day and writes its pings in time order.
async fn load(store: &LocationStore, args: &Args) -> anyhow::Result<()> {
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let conference = Conference::new(args, &mut rng);
    let started = Instant::now();
    let mut written = 0u64;
    for day in 0..args.days {
        let pings = conference.day(args, day, &mut rng)?;
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
    print_loaded(
        written,
        started,
        &format!("{LOAD_CONCURRENCY} writers of {LOAD_BATCH}"),
    );
    Ok(())
}

/// Loads the conference as a restore would: each day's pings are copied, in
/// time order, into a table of their own that then becomes the day's
/// partition (`location_create_partition`'s name and bounds), the indexes
/// built once. Each day draws from a generator of its own, so days load
/// side by side.
async fn load_bulk(pool: &PgPool, args: &Args) -> anyhow::Result<()> {
    let conference = Conference::new(args, &mut fastrand::Rng::with_seed(args.seed));
    let started = Instant::now();
    let written: u64 = futures::stream::iter(0..args.days)
        .map(|day| {
            let conference = &conference;
            async move {
                let mut rng = fastrand::Rng::with_seed(args.seed ^ (u64::from(day) << 32));
                let pings = conference.day(args, day, &mut rng)?;
                let copied = copy_day(pool, day, &pings).await?;
                eprintln!(
                    "  day {}: {copied} rows copied and attached at {:.0} s",
                    day + 1,
                    started.elapsed().as_secs_f64()
                );
                anyhow::Ok(copied)
            }
        })
        .buffer_unordered(BULK_CONCURRENT_DAYS)
        .try_fold(0, |sum, count| async move { Ok(sum + count) })
        .await?;
    let days: i64 = sqlx::query_scalar("SELECT count(*) FROM location_partition_days()")
        .fetch_one(pool)
        .await?;
    anyhow::ensure!(
        days == i64::from(args.days),
        "{} days were loaded but location has {days} partitions",
        args.days
    );
    print_loaded(
        written,
        started,
        &format!("copied {BULK_CONCURRENT_DAYS} days at a time"),
    );
    Ok(())
}

/// Prints how long loading `written` rows took since `started`, and `how`.
fn print_loaded(written: u64, started: Instant, how: &str) {
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "loaded {written} rows in {seconds:.1} s ({:.0} rows/s, {how})",
        written as f64 / seconds.max(1e-9)
    );
}

/// Copies `pings`, all of day `day` of the event, into that day's partition,
/// made and attached here; returns how many were copied.
async fn copy_day(pool: &PgPool, day: u32, pings: &[NewLocation]) -> anyhow::Result<u64> {
    let mut partition = DetachedDay::create(
        pool,
        (first_day() + TimeDelta::days(i64::from(day))).date_naive(),
    )
    .await?;
    let name = partition.name.clone();
    // Ids come from location's own sequence while the rows are copied.
    sqlx::query(&format!(
        "ALTER TABLE {name} ALTER COLUMN id
             SET DEFAULT nextval(pg_get_serial_sequence('location', 'id'))"
    ))
    .execute(partition.session())
    .await?;
    let mut copy = partition
        .session()
        .copy_in_raw(&format!(
            "COPY {name} (event_id, person_id, coordinate, creation_time) FROM STDIN"
        ))
        .await?;
    let mut text = String::with_capacity(BULK_CHUNK_BYTES + 256);
    for ping in pings {
        writeln!(
            text,
            "{}\t{}\tSRID=4326;POINT({} {})\t{}",
            ping.event_id,
            ping.person_id,
            ping.coordinates.longitude(),
            ping.coordinates.latitude(),
            ping.creation_time
                .to_rfc3339_opts(SecondsFormat::Micros, true)
        )?;
        if text.len() >= BULK_CHUNK_BYTES {
            copy.send(text.as_bytes()).await?;
            text.clear();
        }
    }
    if !text.is_empty() {
        copy.send(text.as_bytes()).await?;
    }
    let copied = copy.finish().await?;
    sqlx::query(&format!("ALTER TABLE {name} ALTER COLUMN id DROP DEFAULT"))
        .execute(partition.session())
        .await?;
    partition.attach().await?;
    Ok(copied)
}
