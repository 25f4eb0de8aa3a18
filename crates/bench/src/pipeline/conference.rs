//! One conference, played through the running stack by the simulator (in
//! this process) and timed from its first ping sent until every ping the
//! ingest service acknowledged is durable in PostGIS, with the CPU time each
//! process used meanwhile; then how long the locations service took to merge
//! the packs its writers left.

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

/// How often the unmerged packs are looked for once every ping is stored.
const MERGED_POLL: Duration = Duration::from_millis(250);

/// How long merging may take after the last ping is stored before the
/// conference is given up: several of the locations service's merge
/// periods (30 s), so a merge that falls behind shows as a figure first.
const MERGED_WITHIN: Duration = Duration::from_secs(300);

/// What one played conference showed.
pub struct Played {
    /// Pings the ingest service acknowledged (and so were waited for).
    pub pings: u64,
    /// From the first ping sent to the last one durable.
    pub seconds: f64,
    /// CPU seconds each process used meanwhile, by process name.
    pub cpu_seconds: BTreeMap<String, f64>,
    /// Autovacuum and autoanalyze runs on the location partitions meanwhile.
    pub autovacuums: Maintenance,
    /// Packs written by the consumers' batches and not yet merged when the
    /// last ping was stored.
    pub unmerged_packs: i64,
    /// From the last ping stored until every pack was merged: at most the
    /// merge period if merging keeps up with the conference.
    pub merged_after_seconds: f64,
}

impl Played {
    /// The end-to-end throughput.
    pub fn pings_per_second(&self) -> f64 {
        self.pings as f64 / self.seconds
    }

    /// PostgreSQL's CPU time per ping stored, in microseconds: what the
    /// table's size costs the database, apart from the rest of the machine.
    fn postgres_micros_per_ping(&self) -> f64 {
        self.cpu_seconds
            .get("postgres")
            .copied()
            .unwrap_or_default()
            * 1e6
            / self.pings as f64
    }
}

/// The conferences of one kind a run played; its figure is their median.
pub struct Conferences(Vec<Played>);

impl Conferences {
    /// Collects `played`, which must not be empty.
    pub fn new(played: Vec<Played>) -> anyhow::Result<Self> {
        anyhow::ensure!(!played.is_empty(), "no conference was played");
        Ok(Self(played))
    }

    /// The conference of the median throughput (the lower of the middle two).
    pub fn median(&self) -> &Played {
        let mut runs: Vec<&Played> = self.0.iter().collect();
        runs.sort_by(|a, b| a.pings_per_second().total_cmp(&b.pings_per_second()));
        runs[(runs.len() - 1) / 2]
    }

    /// The median's throughput, and each conference's, as the result holds
    /// them.
    pub fn figures(&self) -> serde_json::Value {
        let median = self.median();
        let runs: Vec<serde_json::Value> = self
            .0
            .iter()
            .map(|played| {
                serde_json::json!({
                    "pings_per_second": played.pings_per_second(),
                    "postgres_cpu_us_per_ping": played.postgres_micros_per_ping(),
                    "autovacuums": played.autovacuums.vacuums,
                    "autoanalyzes": played.autovacuums.analyzes,
                    "unmerged_packs_when_stored": played.unmerged_packs,
                    "packs_merged_after_seconds": played.merged_after_seconds,
                })
            })
            .collect();
        serde_json::json!({
            "pings": median.pings,
            "seconds": median.seconds,
            "pings_per_second": median.pings_per_second(),
            "runs": runs,
        })
    }
}

/// Counts of PostgreSQL's background maintenance of the location partitions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Maintenance {
    /// Autovacuum runs.
    pub vacuums: i64,
    /// Autoanalyze runs.
    pub analyzes: i64,
}

impl Maintenance {
    /// The counts so far, as the statistics collector has them.
    async fn now(pool: &sqlx::PgPool) -> anyhow::Result<Self> {
        let (vacuums, analyzes): (i64, i64) = sqlx::query_as(
            "SELECT coalesce(sum(autovacuum_count), 0)::bigint,
                    coalesce(sum(autoanalyze_count), 0)::bigint
             FROM pg_stat_user_tables WHERE relname LIKE 'location\\_p%'",
        )
        .fetch_one(pool)
        .await?;
        Ok(Self { vacuums, analyzes })
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
    let maintenance_before = Maintenance::now(&pipeline.locations).await?;
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
    let maintenance = Maintenance::now(&pipeline.locations).await?;
    let cpu_seconds = cpu_seconds(pipeline, stack)?
        .into_iter()
        .map(|(name, used)| {
            let used = used - before.get(&name).copied().unwrap_or_default();
            (name, (used * 100.0).round() / 100.0)
        })
        .collect();
    let unmerged_packs: i64 =
        sqlx::query_scalar("SELECT count(*) FROM location_pack WHERE NOT merged")
            .fetch_one(&pipeline.locations)
            .await?;
    wait_until_merged(&pipeline.locations).await?;
    let played = Played {
        pings: report.accepted,
        seconds: (durable - report.began).as_seconds_f64(),
        cpu_seconds,
        autovacuums: Maintenance {
            vacuums: maintenance.vacuums - maintenance_before.vacuums,
            analyzes: maintenance.analyzes - maintenance_before.analyzes,
        },
        unmerged_packs,
        merged_after_seconds: (Utc::now() - durable).as_seconds_f64(),
    };
    eprintln!(
        "==> {kind}: {} pings stored in {:.1} s ({:.0} pings/s); {} packs unmerged then, all merged {:.1} s later",
        played.pings,
        played.seconds,
        played.pings_per_second(),
        played.unmerged_packs,
        played.merged_after_seconds
    );
    Ok(played)
}

/// Waits until the locations service has merged every pack, or fails after
/// [`MERGED_WITHIN`].
async fn wait_until_merged(locations: &sqlx::PgPool) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + MERGED_WITHIN;
    loop {
        let unmerged: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM location_pack WHERE NOT merged)")
                .fetch_one(locations)
                .await?;
        if !unmerged {
            return Ok(());
        }
        anyhow::ensure!(
            tokio::time::Instant::now() < deadline,
            "the packs were not merged within {MERGED_WITHIN:?} of the last ping stored"
        );
        tokio::time::sleep(MERGED_POLL).await;
    }
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
