//! The connection search at scale: `GET /api/persons/{id}/connection`
//! through the REST API (and its set-based query alone, in the storage
//! layer) against the proof of concept's loop of one `ST_DWithin` query per
//! own ping, on the same data and server: sent as the proof of concept sent
//! it ([`proof_of_concept`]), and on our schema for what the index alone
//! gives.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use sqlx::PgPool;
use udaconnect_domain::ConnectionQuery;
use udaconnect_proto::{timestamp_from_datetime, v1};
use udaconnect_storage::{LOCATIONS_MIGRATOR, LocationStore, PersonStore};

use crate::{
    database, machine,
    proof_of_concept::{self, PocClient},
    services::{self, Services},
    square_venue,
    stats::Summary,
};

/// The synthetic conference's pings, in our schema and the proof of concept's.
const LOCATIONS_DATABASE: &str = "udaconnect_bench_connections";
/// Its attendees, for the REST API's answers.
const PERSONS_DATABASE: &str = "udaconnect_bench_connections_persons";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Locations in the synthetic table.
    #[arg(long, default_value_t = 1_000_000)]
    rows: u64,
    /// Attendees; each gets rows / persons pings.
    #[arg(long, default_value_t = 10_000)]
    persons: u64,
    /// Side of the square venue, in metres.
    #[arg(long, default_value_t = 300.0)]
    venue_meters: f64,
    /// Connection radius, in metres.
    #[arg(long, default_value_t = 5.0)]
    distance: f64,
    /// Persons timed through REST, with the set-based query alone and with
    /// the loop on our schema.
    #[arg(long, default_value_t = 20)]
    samples: usize,
    /// Persons timed with the proof of concept's own loop (its schema, its
    /// queries: every query scans the table), the first of those timed
    /// through REST.
    #[arg(long, default_value_t = 2)]
    poc_samples: usize,
    /// Seed of the data and of the choice of persons.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Reuse the data of an earlier run with the same parameters.
    #[arg(long)]
    reuse: bool,
    /// Also ask for one answer far larger than memory should hold (this
    /// radius, in metres, around the first person's pings), read as it
    /// streams, and report the process's peak memory for it.
    #[arg(long)]
    large_answer_distance: Option<f64>,
}

/// The proof of concept's per-ping query on our schema (geography, so
/// `::geometry` for the coordinates), its values sent as parameters and
/// planned for each query, as the proof of concept's literals were: a
/// cached generic plan would intersect the distance index with the
/// time-led key and read the whole period for every ping.
const LOOP_ON_OUR_SCHEMA: &str = "
    SELECT person_id, id, ST_X(coordinate::geometry), ST_Y(coordinate::geometry), creation_time
    FROM location
    WHERE ST_DWithin(coordinate::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3)
      AND person_id != $4
      AND TO_DATE($5, 'YYYY-MM-DD') <= creation_time
      AND TO_DATE($6, 'YYYY-MM-DD') > creation_time";

/// The synthetic pings fall on the first day and the `DAYS` days after it.
const DAYS: u32 = 3;
const START: &str = "2020-07-06";
const END: &str = "2020-07-09";
const END_PLUS_ONE: &str = "2020-07-10";

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let pool = if args.reuse {
        database::connect(admin_url, LOCATIONS_DATABASE).await?
    } else {
        let pool = database::recreate(admin_url, LOCATIONS_DATABASE).await?;
        generate(&pool, &database::url(admin_url, LOCATIONS_DATABASE), &args).await?;
        let attendees = PersonStore::new(database::recreate(admin_url, PERSONS_DATABASE).await?);
        attendees.migrate().await?;
        attendees
            .import(&services::attendees(args.persons as i64))
            .await?;
        pool
    };
    // The set-based query alone, in a session as the locations service
    // opens them.
    let store = LocationStore::new(udaconnect_storage::connect_lazy(
        &database::url(admin_url, LOCATIONS_DATABASE),
        2,
    )?);
    let services = Services::start(
        &database::url(admin_url, PERSONS_DATABASE),
        &database::url(admin_url, LOCATIONS_DATABASE),
    )
    .await?;
    let rest = |person: i64| {
        let request = connection_request(&services, person, (START, END), args.distance);
        async move {
            let started = Instant::now();
            let response = request.send().await?.error_for_status()?;
            let body = response.bytes().await?;
            let elapsed = started.elapsed();
            let rows: Vec<serde_json::Value> = serde_json::from_slice(&body)?;
            anyhow::Ok((elapsed, rows.len(), body.len()))
        }
    };
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let persons: Vec<i64> = (0..args.samples)
        .map(|_| 1 + rng.u64(..args.persons) as i64)
        .collect();
    let date = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d");
    // Warm-up: the connection pools and the persons service's cache.
    rest(persons[0]).await?;

    let mut through_rest = Vec::new();
    let mut set_based = Vec::new();
    let mut through_grpc = Vec::new();
    let mut loop_ours = Vec::new();
    let mut loop_poc = Vec::new();
    let mut poc_ratios = Vec::new();
    let mut rows_per_person = Vec::new();
    let mut answer_bytes = 0;
    for &person in &persons {
        let (elapsed, rows, bytes) = rest(person).await?;
        through_rest.push(elapsed);
        answer_bytes += bytes;

        let query = ConnectionQuery::from_dates(person, date(START)?, date(END)?, args.distance)?;
        let started = Instant::now();
        let query_rows = store.find_connections(&query).await?.len();
        set_based.push(started.elapsed());
        anyhow::ensure!(
            query_rows == rows,
            "the query found {query_rows} rows, the REST API answered {rows}"
        );

        let (elapsed, grpc_rows) = find_connections_over_grpc(&services, &query).await?;
        through_grpc.push(elapsed);
        anyhow::ensure!(
            grpc_rows == rows,
            "FindConnections streamed {grpc_rows} rows, the REST API answered {rows}"
        );

        let (elapsed, loop_rows) = loop_on_our_schema(&pool, person, args.distance).await?;
        anyhow::ensure!(
            loop_rows == rows,
            "loop found {loop_rows} rows, set-based {rows}"
        );
        loop_ours.push(elapsed);
        rows_per_person.push(rows);
    }
    // Last: the proof of concept's loop reads the whole table per ping,
    // which would leave the caches cold for the queries timed after it.
    // Each of its persons is compared with that same person's REST answer.
    let mut poc = PocClient::connect(&database::url(admin_url, LOCATIONS_DATABASE)).await?;
    for (index, &person) in persons.iter().enumerate().take(args.poc_samples) {
        let answer = poc
            .find_contacts(person, (START, END, END_PLUS_ONE), args.distance, None)
            .await?;
        anyhow::ensure!(
            answer.rows == rows_per_person[index],
            "the proof of concept's loop found {} rows, the REST API answered {}",
            answer.rows,
            rows_per_person[index]
        );
        println!(
            "  person {person}: the proof of concept's loop took {:.1?} for {} own pings ({:.0?} a query)",
            answer.elapsed,
            answer.own_pings,
            answer.elapsed / answer.own_pings.max(1) as u32
        );
        poc_ratios.push(answer.elapsed.as_secs_f64() / through_rest[index].as_secs_f64());
        loop_poc.push(answer.elapsed);
    }

    let through_rest = Summary::of(&through_rest);
    let set_based = Summary::of(&set_based);
    let through_grpc = Summary::of(&through_grpc);
    let loop_ours = Summary::of(&loop_ours);
    let mean_rows = rows_per_person.iter().sum::<usize>() as f64 / rows_per_person.len() as f64;
    let mean_answer_bytes = answer_bytes as f64 / persons.len() as f64;
    println!(
        "connections: {} rows, {} persons, venue {} m, distance {} m, {START}..{END}; {:.0} result rows ({:.1} MB of JSON) per person on average",
        args.rows,
        args.persons,
        args.venue_meters,
        args.distance,
        mean_rows,
        mean_answer_bytes / 1e6
    );
    println!("  GET …/connection (REST)         {through_rest}");
    println!("  FindConnections over gRPC       {through_grpc}");
    println!("  set-based query alone (GiST)    {set_based}");
    println!("  N+1 loop, our schema (GiST)     {loop_ours}");
    let ratio = |loop_time: Duration| loop_time.as_secs_f64() / through_rest.median.as_secs_f64();
    println!(
        "  ratio loop/REST, our schema: {:.1}x",
        ratio(loop_ours.median)
    );
    let mut json = serde_json::json!({
        "benchmark": "connections",
        "rows": args.rows, "persons": args.persons, "venue_meters": args.venue_meters,
        "distance": args.distance, "mean_result_rows": mean_rows,
        "mean_answer_bytes": mean_answer_bytes, "rest": through_rest.to_json(),
        "set_based": set_based.to_json(), "grpc": through_grpc.to_json(), "loop_our_schema": loop_ours.to_json(),
    });
    if !loop_poc.is_empty() {
        let loop_poc = Summary::of(&loop_poc);
        poc_ratios.sort_by(f64::total_cmp);
        let poc_ratio = poc_ratios[poc_ratios.len() / 2];
        println!("  the proof of concept's loop     {loop_poc}");
        println!("  ratio loop/REST, same persons: {poc_ratio:.0}x");
        json["loop_poc"] = loop_poc.to_json();
        json["poc_ratio"] = poc_ratio.into();
    }
    if let Some(distance) = args.large_answer_distance {
        json["large_answer"] = large_answer(&services, persons[0], distance).await?;
    }
    Ok(json)
}

/// `GET /api/persons/{person}/connection` over the dates `[start, end)`.
pub fn connection_request(
    services: &Services,
    person: i64,
    (start, end): (&str, &str),
    distance: f64,
) -> reqwest::RequestBuilder {
    services
        .http
        .get(format!(
            "{}/api/persons/{person}/connection",
            services.api_url
        ))
        .query(&[
            ("start_date", start),
            ("end_date", end),
            ("distance", &distance.to_string()),
        ])
}

/// Reads a connection answer as it streams, keeping none of it: its rows
/// and bytes.
pub async fn read_connection_answer(
    mut response: reqwest::Response,
) -> anyhow::Result<(usize, usize)> {
    const ROW: &[u8] = b"{\"location\":";
    let (mut bytes, mut rows, mut carried) = (0_usize, 0_usize, Vec::new());
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len();
        // Each row opens with ROW; one may straddle two chunks.
        carried.extend_from_slice(&chunk);
        rows += carried.windows(ROW.len()).filter(|w| *w == ROW).count();
        carried.drain(..carried.len().saturating_sub(ROW.len() - 1));
    }
    Ok((rows, bytes))
}

/// One answer of hundreds of megabytes, read as it streams and discarded,
/// with the peak resident memory of this process (which hosts the REST API,
/// the persons and locations services and the client) over it: the answer
/// is streamed from PostgreSQL to the client, so a huge answer should cost
/// time, not memory.
async fn large_answer(
    services: &Services,
    person: i64,
    distance: f64,
) -> anyhow::Result<serde_json::Value> {
    let before = machine::reset_peak_rss()?;
    let started = Instant::now();
    let response = connection_request(services, person, (START, END), distance)
        .send()
        .await?
        .error_for_status()?;
    let (rows, bytes) = read_connection_answer(response).await?;
    let elapsed = started.elapsed();
    let peak = machine::peak_rss()?;
    println!(
        "  a large answer (distance {distance} m): {rows} rows, {:.0} MB in {elapsed:.1?}; \
         peak RSS {:.0} MiB, {:.0} MiB before",
        bytes as f64 / 1e6,
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
    Ok(serde_json::json!({
        "distance": distance, "rows": rows, "bytes": bytes,
        "seconds": elapsed.as_secs_f64(), "rss_before_kib": before, "peak_rss_kib": peak,
    }))
}

/// The locations service's `FindConnections`, its stream read to the end:
/// the answer before the REST API names the persons and writes the JSON.
async fn find_connections_over_grpc(
    services: &Services,
    query: &ConnectionQuery,
) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let mut chunks = services
        .locations
        .clone()
        .find_connections(v1::FindConnectionsRequest {
            person_id: query.person_id(),
            start_time: Some(timestamp_from_datetime(query.start())),
            end_time: Some(timestamp_from_datetime(query.end())),
            distance_meters: query.distance_meters(),
        })
        .await?
        .into_inner();
    let mut rows = 0;
    while let Some(chunk) = chunks.message().await? {
        rows += chunk.connections.len();
    }
    Ok((started.elapsed(), rows))
}

/// The proof of concept's algorithm on our schema: the person's pings,
/// then one query each, where the GiST index finds the candidates.
async fn loop_on_our_schema(
    pool: &PgPool,
    person: i64,
    distance: f64,
) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let own: Vec<(f64, f64)> = sqlx::query_as(
        "SELECT ST_X(coordinate::geometry), ST_Y(coordinate::geometry) FROM location
         WHERE person_id = $1 AND creation_time >= $2::date AND creation_time < $3::date",
    )
    .bind(person)
    .bind(START)
    .bind(END)
    .fetch_all(pool)
    .await?;
    let mut rows = 0;
    for (x, y) in own {
        rows += sqlx::query(LOOP_ON_OUR_SCHEMA)
            .persistent(false)
            .bind(x)
            .bind(y)
            .bind(distance)
            .bind(person)
            .bind(START)
            .bind(END_PLUS_ONE)
            .fetch_all(pool)
            .await?
            .len();
    }
    Ok((started.elapsed(), rows))
}

/// Fills `location` (our schema, through our migrations) and the proof of
/// concept's `poc.location` with the same synthetic conference:
/// uniformly spread over a square venue near San Francisco, three days.
async fn generate(pool: &PgPool, database_url: &str, args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    LOCATIONS_MIGRATOR.run(pool).await?;
    // The rows go in by SQL, past the store: their days' partitions first.
    let first_day =
        NaiveDate::from_ymd_opt(2020, 7, 6).ok_or_else(|| anyhow::anyhow!("bad start date"))?;
    let store = LocationStore::new(pool.clone());
    store
        .ensure_partitions(first_day.iter_days().take(DAYS as usize + 1))
        .await?;
    let pings = args.rows / args.persons;
    let (longitudes, latitudes) = square_venue::side_degrees(args.venue_meters);
    let t0: NaiveDateTime = first_day
        .and_hms_opt(8, 0, 0)
        .ok_or_else(|| anyhow::anyhow!("bad start time"))?;
    // The seed holds for its session only: seeding one pooled connection and
    // inserting on another gave a data set of its own every run.
    let mut session = pool.acquire().await?;
    sqlx::query("SELECT setseed($1)")
        .bind((args.seed % 1000) as f64 / 1000.0)
        .execute(&mut *session)
        .await?;
    sqlx::query(
        "INSERT INTO location (event_id, person_id, coordinate, creation_time)
         SELECT gen_random_uuid(), p,
                ST_SetSRID(ST_MakePoint($8 + random() * $3, $4 + random() * $5), 4326)::geography,
                ($6::timestamp + (random() * $7)::int * interval '1 day' + random() * interval '9 hours') AT TIME ZONE 'UTC'
         FROM generate_series(1, $1::bigint) p, generate_series(1, $2::bigint) k",
    )
    .bind(args.persons as i64)
    .bind(pings as i64)
    .bind(longitudes)
    .bind(square_venue::SOUTH)
    .bind(latitudes)
    .bind(t0)
    .bind(f64::from(DAYS))
    .bind(square_venue::WEST)
    .execute(&mut *session)
    .await?;
    drop(session);
    database::settle_locations(&store).await?;
    proof_of_concept::load(database_url, args.persons).await?;
    eprintln!("generated {} rows in {:.1?}", args.rows, started.elapsed());
    Ok(())
}
