//! The ingest pipeline, end to end, in one configuration. Every service runs
//! as its own release process (as in Kubernetes) against a fresh pair of
//! databases, and each measurement below gets a fresh broker and fresh
//! services: the development broker's in-memory storage lists every batch
//! of a partition on each fetch, so its cost grows with the topic's length
//! (Apache Kafka's offset index does not), and a measurement run on the
//! topic of the ones before it would time the broker's history, not the
//! pipeline.
//!
//! 1. The simulator plays a conference through the ingest service, once
//!    streamed (`StreamPings`) and once batched (`SendPings`), each timed
//!    until its last ping is durable in PostGIS.
//! 2. The unary benchmark measures one ping per call, through gRPC and
//!    through REST (see [`crate::unary`]); then gRPC again without following
//!    pings (no polling), with the consumers paused (Kafka holds the
//!    pings), which shows what the storing side's share of the cores costs
//!    the acknowledgements, and with the pings fetched by consumers that
//!    store nothing, which splits that cost between the broker's fetches and
//!    PostgreSQL's inserts. Its results go to `--out` like its own command's.
//! 3. Each process's cold start, CPU time, idle and peak memory are recorded.

mod conference;
pub mod procfs;
pub mod stack;
mod summary;

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use clap::ValueEnum;
use sqlx::PgPool;
use tokio::signal::unix::SignalKind;
use udaconnect_devtools::{conference::Venue, simulate::SimulateArgs};
use udaconnect_runtime::config::parse_duration;
use udaconnect_storage::{EventStore, LocationStore, PersonStore};

use self::{
    conference::Conferences,
    procfs::{CpuClock, Memory, memory_kib},
    stack::{BrokerStorage, Stack, StackConfig},
};
use crate::{
    credentials::{ORGANIZER_TOKEN, SERVICE_TOKEN},
    database, history, unary,
};

/// The pipeline's knobs, `./scripts/bench-ingest`'s environment as flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Attendees of the simulated conference.
    #[arg(long, default_value_t = 2000)]
    attendees: u32,
    /// Length of the simulated conference, in minutes.
    #[arg(long, default_value_t = 60)]
    minutes: u32,
    /// Simulated time between two pings of one phone (`5s`, `500ms`, `1m`).
    #[arg(long, default_value = "5s", value_parser = duration_text)]
    ping_interval: String,
    /// Concurrent client streams of the simulator.
    #[arg(long, default_value_t = 4)]
    streams: u32,
    /// Location-consumer processes in one consumer group, as the prod
    /// overlay runs them.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    consumers: u32,
    /// Partitions of the locations topic (at least `--consumers`).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    partitions: u32,
    /// Seconds of each phase of the one-ping-per-call runs.
    #[arg(long, default_value_t = 10)]
    unary_seconds: u64,
    /// Conferences of each kind (streamed, batched), played in turn; the
    /// figure of each kind is their median.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    conferences: u32,
    /// Skip the one-ping-per-call runs.
    #[arg(long)]
    no_unary: bool,
    /// Pings stored before the conferences: a week-long event's seven days
    /// up to today, 10,000 attendees (today's partition, which the
    /// conferences write to, holds a day's share). Times the conferences
    /// only, so `--no-unary` is required with it.
    #[arg(long, default_value_t = 0)]
    stored_rows: u64,
    /// Where the broker keeps its records.
    #[arg(long, value_enum, default_value = "memory")]
    broker_storage: BrokerStorage,
    /// The `udaconnect` binary; default: the one beside this benchmark's.
    #[arg(long)]
    udaconnect_bin: Option<PathBuf>,
    /// The development Kafka broker.
    #[arg(long, env = "TANSU_BIN", default_value = "tansu")]
    tansu_bin: PathBuf,
}

/// Keeps `--ping-interval` as written, for the result, once it parses.
fn duration_text(value: &str) -> Result<String, String> {
    parse_duration(value).map(|_| value.to_owned())
}

const PERSONS_DATABASE: &str = "udaconnect_bench_ingest_persons";
/// The seed of the pings stored beforehand, so that runs compare.
const HISTORY_SEED: u64 = 7;
const LOCATIONS_DATABASE: &str = "udaconnect_bench_ingest_locations";
/// The events service's, which the REST API needs to be ready.
const EVENTS_DATABASE: &str = "udaconnect_bench_ingest_events";
/// How long a fresh stack is left alone before anything is measured, so the
/// consumers have joined their group and taken their partitions.
const SETTLE: Duration = Duration::from_secs(2);

/// One run of [`crate::unary`] on a fresh stack.
struct UnaryPhase {
    /// What the run is, for the log.
    about: &'static str,
    label: &'static str,
    /// Its flags beside the stack's URLs and the phase length.
    flags: &'static [&'static str],
    /// What reads the pings off the topic meanwhile.
    readers: Readers,
}

/// What reads the pings off the topic during a phase: which of the storing
/// side's two parts, the broker's fetches and PostgreSQL's inserts, runs
/// beside the acknowledgements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Readers {
    /// The location consumers, which fetch the pings and store them.
    Storing,
    /// Nothing: the location consumers are paused (SIGSTOP) throughout and
    /// Kafka holds the pings.
    Paused,
    /// The location consumers paused, and as many consumers of another group
    /// fetching every ping and storing none: the broker's fetches without
    /// the inserts.
    FetchingOnly,
}

const UNARY_PHASES: [UnaryPhase; 5] = [
    UnaryPhase {
        about: "one ping per call through grpc",
        label: "followed",
        flags: &["--via", "grpc"],
        readers: Readers::Storing,
    },
    UnaryPhase {
        about: "one ping per call through rest",
        label: "followed",
        flags: &["--via", "rest"],
        readers: Readers::Storing,
    },
    // Following pings polls PostgreSQL; without it, the acknowledgements alone.
    UnaryPhase {
        about: "one ping per call through grpc, no ping followed",
        label: "unfollowed",
        flags: &["--via", "grpc", "--follow-every", "0"],
        readers: Readers::Storing,
    },
    // Kafka holds the pings, so nothing is stored and there is no backlog
    // to wait for (hence no database URL).
    UnaryPhase {
        about: "one ping per call through grpc, the consumers paused",
        label: "consumers-paused",
        flags: &["--via", "grpc"],
        readers: Readers::Paused,
    },
    // The broker serves the fetches, PostgreSQL stores nothing: which of
    // the two the tail comes from.
    UnaryPhase {
        about: "one ping per call through grpc, the pings fetched and not stored",
        label: "fetched-not-stored",
        flags: &["--via", "grpc"],
        readers: Readers::FetchingOnly,
    },
];

/// Runs every measurement on fresh databases of the server of `admin_url`,
/// appending the one-ping-per-call results to `out`, and returns the
/// pipeline's own figures.
pub async fn run(
    admin_url: &str,
    args: Args,
    out: Option<&Path>,
) -> anyhow::Result<serde_json::Value> {
    anyhow::ensure!(
        args.partitions >= args.consumers,
        "--partitions ({}) must be at least --consumers ({}): a consumer without a partition idles",
        args.partitions,
        args.consumers
    );
    anyhow::ensure!(
        args.stored_rows == 0 || args.no_unary,
        "--stored-rows times the conferences only: pass --no-unary with it"
    );
    let udaconnect = match &args.udaconnect_bin {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("this benchmark's binary is in no directory")?
            .join("udaconnect"),
    };
    let binary_bytes = std::fs::metadata(&udaconnect)
        .with_context(|| {
            format!(
                "no udaconnect binary at {} (build it with `cargo build --release -p udaconnect`, or pass --udaconnect-bin)",
                udaconnect.display()
            )
        })?
        .len();
    let clock = CpuClock::new()?;

    PersonStore::new(database::recreate(admin_url, PERSONS_DATABASE).await?)
        .migrate()
        .await?;
    let locations = database::recreate(admin_url, LOCATIONS_DATABASE).await?;
    LocationStore::new(locations.clone()).migrate().await?;
    let stored_before = if args.stored_rows > 0 {
        let started = std::time::Instant::now();
        // The week took place where the conferences are played: the
        // simulator's floor.
        let simulated: SimulateArgs = parse_flags(["--organizer-token", ORGANIZER_TOKEN])?;
        let last_id = history::load(
            &locations,
            args.stored_rows,
            chrono::Utc::now(),
            &Venue::new(simulated.booths, simulated.talks),
            HISTORY_SEED,
        )
        .await?;
        eprintln!(
            "==> {} pings stored beforehand, loaded in {:.0} s",
            args.stored_rows,
            started.elapsed().as_secs_f64()
        );
        last_id
    } else {
        0
    };
    EventStore::new(database::recreate(admin_url, EVENTS_DATABASE).await?)
        .migrate()
        .await?;

    // The services' logs and address files, kept if the run fails.
    let id = std::process::id();
    let work = std::env::temp_dir().join(format!("udaconnect-bench-pipeline-{id}"));
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    let locations_database_url = database::url(admin_url, LOCATIONS_DATABASE);
    let env = [
        (
            "PERSONS_DATABASE_URL",
            database::url(admin_url, PERSONS_DATABASE),
        ),
        ("LOCATIONS_DATABASE_URL", locations_database_url.clone()),
        (
            "EVENTS_DATABASE_URL",
            database::url(admin_url, EVENTS_DATABASE),
        ),
        ("KAFKA_TOPIC_PARTITIONS", args.partitions.to_string()),
        ("ORGANIZER_TOKEN", ORGANIZER_TOKEN.to_owned()),
        ("SERVICE_TOKEN", SERVICE_TOKEN.to_owned()),
        ("KAFKA_LOCATIONS_TOPIC", format!("bench-locations-{id}")),
        ("KAFKA_DLQ_TOPIC", format!("bench-dlq-{id}")),
        (
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned()),
        ),
    ];
    let mut pipeline = Pipeline {
        config: StackConfig {
            udaconnect,
            tansu: args.tansu_bin.clone(),
            broker_storage: args.broker_storage,
            consumers: args.consumers,
            env: env.map(|(name, value)| (name.to_owned(), value)).to_vec(),
            work: work.clone(),
        },
        args,
        clock,
        locations,
        stored_before,
        locations_database_url,
        stack: None,
        peak_rss_kib: BTreeMap::new(),
    };
    let outcome = tokio::select! {
        outcome = pipeline.measure(out, binary_bytes) => outcome,
        error = interrupted() => Err(error),
    };
    // Whatever happened, nothing is left running.
    pipeline.stop_stack().await;
    if outcome.is_err() {
        eprintln!("==> the services' logs are kept in {}", work.display());
    } else {
        std::fs::remove_dir_all(&work)?;
    }
    outcome
}

/// Resolves on Ctrl-C or SIGTERM, so the run stops its processes before it
/// ends, as an error saying so.
async fn interrupted() -> anyhow::Error {
    let mut terminate = match tokio::signal::unix::signal(SignalKind::terminate()) {
        Ok(terminate) => terminate,
        Err(error) => return anyhow::Error::new(error).context("cannot watch for SIGTERM"),
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => anyhow::anyhow!("interrupted (Ctrl-C)"),
        _ = terminate.recv() => anyhow::anyhow!("interrupted (SIGTERM)"),
    }
}

/// A run in progress: its settings, and the stack running now, kept here
/// so that it is stopped in an orderly way however the run ends.
struct Pipeline {
    args: Args,
    config: StackConfig,
    clock: CpuClock,
    /// The locations database, where stored pings are counted.
    locations: PgPool,
    /// The highest id of the pings stored before the run (0 without them):
    /// the conferences' pings are those above it.
    stored_before: i64,
    locations_database_url: String,
    stack: Option<Stack>,
    /// Each process's highest peak memory over every stack so far.
    peak_rss_kib: BTreeMap<String, u64>,
}

impl Pipeline {
    /// Every measurement in turn; the result holds the figures of this run.
    async fn measure(
        &mut self,
        out: Option<&Path>,
        binary_bytes: u64,
    ) -> anyhow::Result<serde_json::Value> {
        // The first stack starts cold, and its processes idle once settled.
        self.start_stack(0).await?;
        let stack = self.stack()?;
        let cold_start_ms: BTreeMap<String, u64> = stack
            .started_in
            .iter()
            .map(|(name, took)| (name.clone(), took.as_millis() as u64))
            .collect();
        let idle_rss_kib = stack
            .processes()
            .map(|process| {
                Ok((
                    process.name.clone(),
                    memory_kib(process.pid, Memory::Resident)?,
                ))
            })
            .collect::<anyhow::Result<BTreeMap<_, _>>>()?;
        let (mut streamed, mut batched) = (Vec::new(), Vec::new());
        for round in 0..self.args.conferences {
            if round > 0 {
                self.start_stack(0).await?;
            }
            streamed.push(conference::play(self, "streamed", &[]).await?);
            self.stop_stack().await;
            self.start_stack(0).await?;
            batched.push(conference::play(self, "batched", &["--batched", "--seed", "43"]).await?);
            self.stop_stack().await;
        }
        let (streamed, batched) = (Conferences::new(streamed)?, Conferences::new(batched)?);
        if !self.args.no_unary {
            for phase in &UNARY_PHASES {
                eprintln!("==> {}", phase.about);
                let fetchers = match phase.readers {
                    Readers::FetchingOnly => self.args.consumers,
                    Readers::Storing | Readers::Paused => 0,
                };
                self.start_stack(fetchers).await?;
                if phase.readers != Readers::Storing {
                    self.stack()?.pause_consumers()?;
                }
                let result = unary::run(self.unary_args(phase)?).await?;
                crate::record(&result.to_string(), out)?;
                self.stop_stack().await;
            }
        }

        summary::print(
            [
                ("streamed", streamed.median()),
                ("batched", batched.median()),
            ],
            &cold_start_ms,
            &idle_rss_kib,
            &self.peak_rss_kib,
        );
        let args = &self.args;
        Ok(serde_json::json!({
            "benchmark": "pipeline",
            "consumers": args.consumers,
            "partitions": args.partitions,
            "streams": args.streams,
            "attendees": args.attendees,
            "minutes": args.minutes,
            "ping_interval": args.ping_interval,
            "stored_rows": args.stored_rows,
            "broker_storage": args.broker_storage.to_possible_value().map(|value| value.get_name().to_owned()),
            "streamed": streamed.figures(),
            "batched": batched.figures(),
            "conferences": args.conferences,
            "cpu_seconds": {
                "streamed": streamed.median().cpu_seconds,
                "batched": batched.median().cpu_seconds,
            },
            "cold_start_ms": cold_start_ms,
            "idle_rss_kib": idle_rss_kib,
            "peak_rss_kib": self.peak_rss_kib,
            "binary_bytes": binary_bytes,
        }))
    }

    /// Starts a fresh stack, with `fetchers` fetch-only consumers (see
    /// [`Readers::FetchingOnly`]), and lets it settle.
    async fn start_stack(&mut self, fetchers: u32) -> anyhow::Result<()> {
        self.stack = Some(Stack::start(&self.config, fetchers).await?);
        tokio::time::sleep(SETTLE).await;
        Ok(())
    }

    /// The stack running now.
    fn stack(&self) -> anyhow::Result<&Stack> {
        self.stack.as_ref().context("no stack is running")
    }

    /// Stops the running stack, if any, keeping each process's peak memory.
    async fn stop_stack(&mut self) {
        let Some(stack) = self.stack.take() else {
            return;
        };
        for process in stack.processes() {
            if let Ok(peak) = memory_kib(process.pid, Memory::Peak) {
                let highest = self.peak_rss_kib.entry(process.name.clone()).or_default();
                *highest = peak.max(*highest);
            }
        }
        stack.stop().await;
    }

    /// The unary benchmark's settings for `phase` on the running stack.
    fn unary_args(&self, phase: &UnaryPhase) -> anyhow::Result<unary::Args> {
        let stack = self.stack()?;
        let mut flags = vec![
            "--ingest-url".to_owned(),
            stack.url("ingest")?,
            "--api-url".to_owned(),
            stack.url("api")?,
            "--persons-url".to_owned(),
            stack.url("persons")?,
            "--organizer-token".to_owned(),
            ORGANIZER_TOKEN.to_owned(),
            "--service-token".to_owned(),
            SERVICE_TOKEN.to_owned(),
            "--seconds".to_owned(),
            self.args.unary_seconds.to_string(),
            "--label".to_owned(),
            phase.label.to_owned(),
        ];
        flags.extend(phase.flags.iter().map(|&flag| flag.to_owned()));
        if phase.readers == Readers::Storing {
            flags.push("--locations-database-url".to_owned());
            flags.push(self.locations_database_url.clone());
        }
        parse_flags(flags.iter().map(String::as_str))
    }
}

/// Parses `flags` as the arguments `T` of another benchmark or tool, as its
/// own command line would, but blind to this process's environment: the
/// run gets exactly these settings and its command's defaults for the rest
/// (a `LOCATIONS_DATABASE_URL` in the environment must not make the
/// consumers-paused run wait for pings that cannot be stored).
fn parse_flags<'a, T: clap::Args + clap::FromArgMatches>(
    flags: impl IntoIterator<Item = &'a str>,
) -> anyhow::Result<T> {
    let command = T::augment_args(clap::Command::new("flags").no_binary_name(true))
        .mut_args(|arg| arg.env(None::<&'static str>));
    Ok(T::from_arg_matches(&command.try_get_matches_from(flags)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tools_take_the_flags_they_are_given() {
        for phase in &UNARY_PHASES {
            let flags = [
                "--label",
                phase.label,
                "--locations-database-url",
                "postgres://x/y",
                "--organizer-token",
                "t",
            ];
            let args: unary::Args =
                parse_flags(flags.into_iter().chain(phase.flags.iter().copied()))
                    .unwrap_or_else(|error| panic!("{}: {error}", phase.about));
            assert!(format!("{args:?}").contains("postgres://x/y"));
        }
        let simulate: SimulateArgs = parse_flags([
            "--ping-interval",
            "5s",
            "--batched",
            "--seed",
            "43",
            "--organizer-token",
            "t",
        ])
        .unwrap();
        assert!(simulate.batched && simulate.seed == 43);
        assert!(parse_flags::<SimulateArgs>(["--no-such-flag"]).is_err());
    }
}
