//! The connection search at scale: `GET /api/persons/{id}/connection`
//! through the REST API (and its set-based query alone, in the storage
//! layer) against the proof of concept's loop of one `ST_DWithin` query per
//! own ping, on the same data and server.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveDateTime};
use sqlx::PgPool;
use udaconnect_domain::ConnectionQuery;
use udaconnect_storage::{LOCATIONS_MIGRATOR, LocationStore, PersonStore};

use crate::{
    database,
    services::{self, Services},
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
    /// Persons timed with the loop on the proof of concept's own schema
    /// (geometry column, B-tree index: every query scans the table).
    #[arg(long, default_value_t = 2)]
    poc_samples: usize,
    /// Seed of the data and of the choice of persons.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Reuse the data of an earlier run with the same parameters.
    #[arg(long)]
    reuse: bool,
}

/// The proof of concept's per-ping query, verbatim but for the table name.
fn poc_loop_sql(table: &str) -> String {
    format!(
        "SELECT person_id, id, ST_X(coordinate::geometry), ST_Y(coordinate::geometry), creation_time
         FROM {table}
         WHERE ST_DWithin(coordinate::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $3)
           AND person_id != $4
           AND TO_DATE($5, 'YYYY-MM-DD') <= creation_time
           AND TO_DATE($6, 'YYYY-MM-DD') > creation_time"
    )
}

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
        generate(&pool, &args).await?;
        let attendees = PersonStore::new(database::recreate(admin_url, PERSONS_DATABASE).await?);
        attendees.migrate().await?;
        attendees
            .import(&services::attendees(args.persons as i64))
            .await?;
        pool
    };
    let store = LocationStore::new(pool.clone());
    let services = Services::start(
        &database::url(admin_url, PERSONS_DATABASE),
        &database::url(admin_url, LOCATIONS_DATABASE),
    )
    .await?;
    let http = &services.http;
    let rest = |person: i64| {
        let request = http
            .get(format!(
                "{}/api/persons/{person}/connection",
                services.api_url
            ))
            .query(&[
                ("start_date", START),
                ("end_date", END),
                ("distance", &args.distance.to_string()),
            ]);
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
    let mut loop_ours = Vec::new();
    let mut loop_poc = Vec::new();
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

        let (elapsed, loop_rows) = poc_loop(&pool, "location", person, args.distance).await?;
        anyhow::ensure!(
            loop_rows == rows,
            "loop found {loop_rows} rows, set-based {rows}"
        );
        loop_ours.push(elapsed);
        rows_per_person.push(rows);
    }
    // Last: the proof of concept's loop reads the whole table per ping,
    // which would leave the caches cold for the queries timed after it.
    for (&person, &rows) in persons.iter().zip(&rows_per_person).take(args.poc_samples) {
        let (elapsed, poc_rows) = poc_loop(&pool, "poc_location", person, args.distance).await?;
        anyhow::ensure!(
            poc_rows == rows,
            "PoC loop found {poc_rows} rows, set-based {rows}"
        );
        loop_poc.push(elapsed);
    }

    let through_rest = Summary::of(&through_rest);
    let set_based = Summary::of(&set_based);
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
        "set_based": set_based.to_json(), "loop_our_schema": loop_ours.to_json(),
    });
    if !loop_poc.is_empty() {
        let loop_poc = Summary::of(&loop_poc);
        println!("  N+1 loop, PoC schema (B-tree)   {loop_poc}");
        println!(
            "  ratio loop/REST, PoC schema: {:.0}x",
            ratio(loop_poc.median)
        );
        json["loop_poc_schema"] = loop_poc.to_json();
    }
    Ok(json)
}

/// The proof of concept's algorithm: its person's pings, then one query each.
async fn poc_loop(
    pool: &PgPool,
    table: &str,
    person: i64,
    distance: f64,
) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let own: Vec<(f64, f64)> = sqlx::query_as(&format!(
        "SELECT ST_X(coordinate::geometry), ST_Y(coordinate::geometry) FROM {table}
         WHERE person_id = $1 AND creation_time >= $2::date AND creation_time < $3::date"
    ))
    .bind(person)
    .bind(START)
    .bind(END)
    .fetch_all(pool)
    .await?;
    let sql = poc_loop_sql(table);
    let mut rows = 0;
    for (x, y) in own {
        rows += sqlx::query(&sql)
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

/// Fills `location` (our schema, through our migrations) and `poc_location`
/// (the proof of concept's schema) with the same synthetic conference:
/// uniformly spread over a square venue near San Francisco, three days.
async fn generate(pool: &PgPool, args: &Args) -> anyhow::Result<()> {
    let started = Instant::now();
    LOCATIONS_MIGRATOR.run(pool).await?;
    // The rows go in by SQL, past the store: their days' partitions first.
    let first_day =
        NaiveDate::from_ymd_opt(2020, 7, 6).ok_or_else(|| anyhow::anyhow!("bad start date"))?;
    LocationStore::new(pool.clone())
        .ensure_partitions(first_day.iter_days().take(DAYS as usize + 1))
        .await?;
    let pings = args.rows / args.persons;
    let lat0 = 37.5530_f64;
    let dlat = args.venue_meters / 111_320.0;
    let dlon = args.venue_meters / (111_320.0 * lat0.to_radians().cos());
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
                ST_SetSRID(ST_MakePoint(-122.2910 + random() * $3, $4 + random() * $5), 4326)::geography,
                ($6::timestamp + (random() * $7)::int * interval '1 day' + random() * interval '9 hours') AT TIME ZONE 'UTC'
         FROM generate_series(1, $1::bigint) p, generate_series(1, $2::bigint) k",
    )
    .bind(args.persons as i64)
    .bind(pings as i64)
    .bind(dlon)
    .bind(lat0)
    .bind(dlat)
    .bind(t0)
    .bind(f64::from(DAYS))
    .execute(&mut *session)
    .await?;
    drop(session);
    sqlx::query(
        "CREATE TABLE poc_location (
             id bigint PRIMARY KEY, person_id integer NOT NULL,
             coordinate geometry(Point) NOT NULL, creation_time timestamp NOT NULL)",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO poc_location
         SELECT id, person_id, ST_SetSRID(coordinate::geometry, 0), creation_time AT TIME ZONE 'UTC'
         FROM location",
    )
    .execute(pool)
    .await?;
    // The proof of concept's index: a B-tree no spatial predicate can use.
    sqlx::query("CREATE INDEX coordinate_idx ON poc_location (coordinate)")
        .execute(pool)
        .await?;
    sqlx::query("CREATE INDEX poc_location_person ON poc_location (person_id)")
        .execute(pool)
        .await?;
    sqlx::query("VACUUM ANALYZE location").execute(pool).await?;
    sqlx::query("VACUUM ANALYZE poc_location")
        .execute(pool)
        .await?;
    eprintln!("generated {} rows in {:.1?}", args.rows, started.elapsed());
    Ok(())
}
