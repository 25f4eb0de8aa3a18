//! `udaconnect-bench`: measures the figures the issues ask for and prints
//! them, with the baselines measured in the same run on the same data.
//!
//! ```sh
//! cargo run --release -p udaconnect-bench -- connections --rows 1000000
//! cargo run --release -p udaconnect-bench -- contacts --attendees 10000 --pings 100
//! cargo run --release -p udaconnect-bench -- write --batches 300 --batch-size 1000
//! ./scripts/bench-ingest    # the ingest pipeline, each service its own process
//! ./scripts/bench           # the whole suite, written to docs/benchmarks.md
//! ```
//!
//! Each benchmark prints its figures and ends with one JSON object of them,
//! printed and, with `--out FILE`, appended to FILE as a line.

mod attendance;
mod connections;
mod connections_week;
mod contacts;
mod credentials;
mod database;
mod day_partition;
mod history;
mod live_writes;
mod machine;
mod pipeline;
mod proof_of_concept;
mod services;
mod square_venue;
mod stats;
mod token_checks;
mod unary;
mod write;

use std::{
    fs::OpenOptions,
    io::Write,
    path::{Path, PathBuf},
};

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "udaconnect-bench",
    about = "Benchmarks of UdaConnect on this machine."
)]
struct Cli {
    /// Server-level PostgreSQL URL; the benchmark creates its own databases.
    #[arg(
        long,
        env = "BENCH_ADMIN_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres",
        global = true
    )]
    admin_database_url: String,
    /// Append the result, one JSON object, as a line to this file.
    #[arg(long, global = true)]
    out: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Connection search: the set-based query against the proof of concept's
    /// one-query-per-ping loop, on a synthetic conference.
    Connections(connections::Args),
    /// Connection search on a contacts benchmark's conference (the week of
    /// 100 million pings at its largest), against the proof of concept's
    /// loop estimated from a sample of its queries.
    ConnectionsWeek(connections_week::Args),
    /// Contact search (`FindContacts`) latency on a simulated conference.
    Contacts(contacts::Args),
    /// Bulk `WriteLocations` over gRPC, in rows per second.
    Write(write::Args),
    /// One-ping-per-call ingest (gRPC or REST) against a running stack:
    /// highest rate, then acknowledgement latency and freshness at half of it.
    Unary(unary::Args),
    /// The ingest pipeline end to end, every service its own release
    /// process: a conference streamed and batched until durable, then the
    /// one-ping-per-call runs, each on a fresh broker and fresh services.
    Pipeline(pipeline::Args),
    /// The attendance consumer's mapping stage alone (floor index and
    /// merge), in pings per second on one core.
    AttendanceMapping(attendance::mapping::Args),
    /// The attendance consumer end to end through Kafka and the events service.
    AttendanceConsumer(attendance::consumer::Args),
    /// Rebuilding an event's visits from its stored pings.
    AttendanceRebuild(attendance::rebuild::Args),
    /// `GET /api/persons/{id}/shared` latency on a large event.
    AttendanceShared(attendance::shared::Args),
    /// What checking a caller's token costs per call, against one ping's
    /// share of the machine in one-ping-per-call ingest.
    TokenChecks(token_checks::Args),
    /// The machine, database and tools the figures were measured with, for
    /// the report's header.
    Machine(machine::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let admin_url = &cli.admin_database_url;
    let out = cli.out.as_deref();
    let result = match cli.command {
        Command::Connections(args) => connections::run(admin_url, args).await?.to_string(),
        Command::ConnectionsWeek(args) => connections_week::run(admin_url, args).await?.to_string(),
        Command::Contacts(args) => contacts::run(admin_url, args).await?.to_string(),
        Command::Write(args) => write::run(admin_url, args).await?.to_string(),
        Command::Unary(args) => unary::run(args).await?.to_string(),
        Command::AttendanceMapping(args) => attendance::mapping::run(args)?.to_string(),
        Command::AttendanceConsumer(args) => attendance::consumer::run(admin_url, args)
            .await?
            .to_string(),
        Command::AttendanceRebuild(args) => {
            attendance::rebuild::run(admin_url, args).await?.to_string()
        }
        Command::AttendanceShared(args) => {
            attendance::shared::run(admin_url, args).await?.to_string()
        }
        Command::TokenChecks(args) => token_checks::run(admin_url, args).await?.to_string(),
        Command::Pipeline(args) => pipeline::run(admin_url, args, out).await?.to_string(),
        // A struct, not a JSON value, keeps the fields in their order.
        Command::Machine(args) => serde_json::to_string(&machine::run(admin_url, args).await?)?,
    };
    record(&result, out)
}

/// Prints a benchmark's result, one JSON object, and appends it to `out` as
/// a line; shared with the pipeline, whose one-ping-per-call runs land in
/// the same file.
fn record(result: &str, out: Option<&Path>) -> anyhow::Result<()> {
    println!("{result}");
    if let Some(path) = out {
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(file, "{result}")?;
    }
    Ok(())
}
