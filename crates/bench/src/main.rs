//! `udaconnect-bench`: measures the figures the issues ask for and prints
//! them, with the baselines measured in the same run on the same data.
//!
//! ```sh
//! cargo run --release -p udaconnect-bench -- connections --rows 1000000
//! cargo run --release -p udaconnect-bench -- contacts --attendees 10000 --pings 100
//! cargo run --release -p udaconnect-bench -- write --batches 300 --batch-size 1000
//! ./scripts/bench           # the whole suite, written to docs/benchmarks.md
//! ```
//!
//! Each benchmark prints its figures and ends with one JSON object of them,
//! printed and, with `--out FILE`, appended to FILE as a line.

mod connections;
mod contacts;
mod database;
mod services;
mod stats;
mod unary;
mod write;

use std::{fs::OpenOptions, io::Write, path::PathBuf};

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
    /// Contact search (`FindContacts`) latency on a simulated conference.
    Contacts(contacts::Args),
    /// Bulk `WriteLocations` over gRPC, in rows per second.
    Write(write::Args),
    /// One-ping-per-call ingest (gRPC or REST) against a running stack:
    /// highest rate, then acknowledgement latency and freshness at half of it.
    Unary(unary::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Connections(args) => connections::run(&cli.admin_database_url, args).await?,
        Command::Contacts(args) => contacts::run(&cli.admin_database_url, args).await?,
        Command::Write(args) => write::run(&cli.admin_database_url, args).await?,
        Command::Unary(args) => unary::run(args).await?,
    };
    println!("{result}");
    if let Some(path) = cli.out {
        let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
        writeln!(file, "{result}")?;
    }
    Ok(())
}
