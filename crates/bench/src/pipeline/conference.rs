//! One conference, played through the running stack by the simulator (in
//! this process) and timed from its first ping sent until every ping the
//! ingest service acknowledged is durable in PostGIS, with the CPU time each
//! process used meanwhile.

use std::{collections::BTreeMap, time::Duration};

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use udaconnect_devtools::simulate::{self, SimulateArgs};

use super::{Pipeline, parse_flags, stack::Stack};
use crate::{
    credentials::{ORGANIZER_TOKEN, SERVICE_TOKEN},
    unary,
};

/// How often the stored pings are counted while a conference drains.
const DURABLE_POLL: Duration = Duration::from_millis(50);

/// What one played conference showed.
pub struct Played {
    /// Pings the ingest service acknowledged (and so were waited for).
    pub pings: u64,
    /// From the first ping sent to the last one durable.
    pub seconds: f64,
    /// CPU seconds each process used meanwhile, by process name.
    pub cpu_seconds: BTreeMap<String, f64>,
}

impl Played {
    /// The end-to-end throughput.
    pub fn pings_per_second(&self) -> f64 {
        self.pings as f64 / self.seconds
    }

    /// The throughput figures, as the result holds them.
    pub fn figures(&self) -> serde_json::Value {
        serde_json::json!({
            "pings": self.pings,
            "seconds": self.seconds,
            "pings_per_second": self.pings_per_second(),
        })
    }
}

/// Plays the run's conference through `pipeline`'s running stack, `flags`
/// added to the simulator's (`kind` names it in the log).
pub async fn play(pipeline: &Pipeline, kind: &str, flags: &[&str]) -> anyhow::Result<Played> {
    let stack = pipeline.stack()?;
    let args = &pipeline.args;
    // Each conference starts from the pings stored before the run (or an
    // empty table), the previous conference's deleted and vacuumed away, so
    // the second is not slowed by the first's. Only the partitions it wrote
    // to are vacuumed: a vacuum reads every GiST index it meets whole, which
    // for a week of stored pings takes minutes.
    let written: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT tableoid::regclass::text FROM location WHERE id > $1")
            .bind(pipeline.stored_before)
            .fetch_all(&pipeline.locations)
            .await?;
    sqlx::query("DELETE FROM location WHERE id > $1")
        .bind(pipeline.stored_before)
        .execute(&pipeline.locations)
        .await?;
    for partition in written {
        sqlx::query(&format!("VACUUM ANALYZE {partition}"))
            .execute(&pipeline.locations)
            .await?;
    }
    let simulate: SimulateArgs = parse_flags(
        [
            "--attendees",
            &args.attendees.to_string(),
            "--minutes",
            &args.minutes.to_string(),
            "--ping-interval",
            &args.ping_interval,
            "--streams",
            &args.streams.to_string(),
            "--ingest-url",
            &stack.url("ingest")?,
            "--persons-url",
            &stack.url("persons")?,
            "--organizer-token",
            ORGANIZER_TOKEN,
            // The simulator creates the attendees at the persons service.
            "--service-token",
            SERVICE_TOKEN,
        ]
        .into_iter()
        .chain(flags.iter().copied()),
    )?;
    let before = cpu_seconds(pipeline, stack)?;
    eprintln!(
        "==> {kind}: {} attendees × {} min, a ping every {}, {} clients, {} consumers, {} partitions",
        args.attendees,
        args.minutes,
        args.ping_interval,
        args.streams,
        args.consumers,
        args.partitions
    );
    let report = simulate::play_conference(&simulate, CancellationToken::new()).await?;
    if let Some(failure) = &report.failure {
        anyhow::bail!("the {kind} conference could not be played: {failure}");
    }
    // Counted often: the figure is the instant the last ping became durable.
    unary::wait_until_drained(
        &pipeline.locations,
        pipeline.stored_before,
        i64::try_from(report.accepted)?,
        DURABLE_POLL,
    )
    .await?;
    let durable = Utc::now();
    let cpu_seconds = cpu_seconds(pipeline, stack)?
        .into_iter()
        .map(|(name, used)| {
            let used = used - before.get(&name).copied().unwrap_or_default();
            (name, (used * 100.0).round() / 100.0)
        })
        .collect();
    Ok(Played {
        pings: report.accepted,
        seconds: (durable - report.began).as_seconds_f64(),
        cpu_seconds,
    })
}

/// CPU seconds used so far by each process of `stack` and by PostgreSQL.
fn cpu_seconds(pipeline: &Pipeline, stack: &Stack) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut used = BTreeMap::new();
    for process in stack.processes() {
        used.insert(process.name.clone(), pipeline.clock.seconds(process.pid)?);
    }
    used.insert("postgres".to_owned(), pipeline.clock.postgres_seconds()?);
    Ok(used)
}
