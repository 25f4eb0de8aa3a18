//! The connection search on a contacts benchmark's conference (loaded by
//! `contacts --bulk`; at its largest the week of 100 million pings) against
//! the proof of concept's loop, over one day. At that size the loop takes
//! hours a person (each of the person's pings that day is a query over the
//! day's pings), so its per-ping queries are timed for the first few of
//! each person's pings and the whole loop estimated from them; the REST
//! answer is timed whole.

use std::time::Instant;

use chrono::TimeDelta;

use crate::{
    connections::{connection_request, read_connection_answer},
    contacts, database,
    proof_of_concept::{self, PocClient},
    services::Services,
    stats::Summary,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The conference's attendees, as loaded by `contacts --bulk`.
    #[arg(long, default_value_t = 10_000)]
    attendees: u32,
    /// Its pings per attendee.
    #[arg(long, default_value_t = 10_000)]
    pings: u32,
    /// Its days.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Its seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// The day searched, from 0: `start_date` that day, `end_date` the
    /// next, as the proof of concept's route takes them.
    #[arg(long, default_value_t = 3)]
    day: u32,
    /// Connection radius, in metres.
    #[arg(long, default_value_t = 5.0)]
    distance: f64,
    /// Persons timed, chosen at random.
    #[arg(long, default_value_t = 3)]
    samples: usize,
    /// The proof of concept's per-ping queries timed for each person.
    #[arg(long, default_value_t = 5)]
    poc_queries: usize,
}

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(
        args.day < args.days,
        "--day must be one of the conference's days"
    );
    let (persons_db, locations_db) =
        contacts::databases(args.attendees, args.pings, args.days, args.seed, true);
    let locations_url = database::url(admin_url, &locations_db);
    // Connecting first says at once if the conference was never loaded.
    database::connect(admin_url, &locations_db).await?;
    if !proof_of_concept::is_loaded(&locations_url).await? {
        let started = Instant::now();
        proof_of_concept::load(&locations_url, u64::from(args.attendees)).await?;
        eprintln!(
            "the proof of concept's tables loaded in {:.0?}",
            started.elapsed()
        );
    }
    let services = Services::start(&database::url(admin_url, &persons_db), &locations_url).await?;

    let day = contacts::first_day().date_naive() + TimeDelta::days(i64::from(args.day));
    let [start, end, end_plus_one] = [0, 1, 2].map(|after| {
        (day + TimeDelta::days(after))
            .format("%Y-%m-%d")
            .to_string()
    });
    let mut rng = fastrand::Rng::with_seed(args.seed ^ 0xc0ec);
    let persons: Vec<i64> = (0..args.samples)
        .map(|_| 1 + i64::from(rng.u32(..args.attendees)))
        .collect();
    let mut poc = PocClient::connect(&locations_url).await?;
    let (mut through_rest, mut estimated_loops, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut runs = Vec::new();
    for &person in &persons {
        let started = Instant::now();
        let response = connection_request(&services, person, (&start, &end), args.distance)
            .send()
            .await?
            .error_for_status()?;
        let (rows, bytes) = read_connection_answer(response).await?;
        let rest = started.elapsed();

        let answer = poc
            .find_contacts(
                person,
                (&start, &end, &end_plus_one),
                args.distance,
                Some(args.poc_queries),
            )
            .await?;
        let whole = answer.estimated_whole();
        let per_query = answer.per_query();
        let ratio = whole.as_secs_f64() / rest.as_secs_f64();
        println!(
            "  person {person}: REST {rest:.1?} for {rows} rows ({:.0} MB); the proof of concept's \
             loop {per_query:.1?} a query over {} of {} own pings, so about {:.0?} whole: {ratio:.0}×",
            bytes as f64 / 1e6,
            answer.queries,
            answer.own_pings,
            whole
        );
        runs.push(serde_json::json!({
            "person": person, "rest_seconds": rest.as_secs_f64(), "rows": rows, "bytes": bytes,
            "own_pings": answer.own_pings, "poc_queries": answer.queries,
            "poc_seconds_per_query": per_query.as_secs_f64(),
            "poc_estimated_seconds": whole.as_secs_f64(), "ratio": ratio,
        }));
        through_rest.push(rest);
        estimated_loops.push(whole);
        ratios.push(ratio);
    }
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    let (through_rest, estimated_loops) =
        (Summary::of(&through_rest), Summary::of(&estimated_loops));
    println!(
        "connections on {locations_db}, {start} (distance {} m): REST {through_rest}; \
         the proof of concept's loop, estimated {estimated_loops}; ratio, same persons, median {ratio:.0}×",
        args.distance
    );
    Ok(serde_json::json!({
        "benchmark": "connections_on_contacts_data",
        "attendees": args.attendees, "pings_per_attendee": args.pings, "days": args.days,
        "day": start, "distance": args.distance,
        "rest": through_rest.to_json(), "poc_estimated": estimated_loops.to_json(),
        "ratio": ratio, "persons": runs,
    }))
}
