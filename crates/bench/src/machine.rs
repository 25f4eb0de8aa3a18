//! What the figures were measured on: the machine, the database server and
//! the tools, for the header of docs/benchmarks.md (bench/report.py reads
//! it from bench/results/machine.json). A fact that cannot be found reads
//! `unknown` rather than failing the suite at its very end.

use std::{path::PathBuf, process::Command};

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use sqlx::{Connection, PgConnection};

/// What the report says about the run itself.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// When the suite started (RFC 3339); default: now.
    #[arg(long)]
    started: Option<String>,
    /// The command that reproduces the run, quoted in the report.
    #[arg(long)]
    command: String,
    /// The Kafka broker whose version is reported.
    #[arg(long, env = "TANSU_BIN", default_value = "tansu")]
    tansu_bin: PathBuf,
}

/// Stands in for a fact that could not be found.
const UNKNOWN: &str = "unknown";
/// The value of the server setting named by the parameter.
const SETTING: &str = "SELECT current_setting($1)";

/// The description, its fields in the order machine.json has always had
/// them (the report lists the PostgreSQL settings in this order).
#[derive(Debug, Serialize)]
pub struct Machine {
    started: String,
    command: String,
    cpu: String,
    cores: usize,
    memory_gib: Option<f64>,
    os: String,
    kernel: String,
    postgresql: String,
    postgresql_settings: PostgresqlSettings,
    postgis: String,
    broker: String,
    rustc: String,
}

/// The server settings that bear most on the figures.
#[derive(Debug, Serialize)]
struct PostgresqlSettings {
    shared_buffers: String,
    max_wal_size: String,
    checkpoint_timeout: String,
    wal_compression: String,
    synchronous_commit: String,
    /// Off on this workplace's machines (their CI configuration), on in
    /// production: without it a partition being written is never
    /// analyzed, and its dead rows stay.
    autovacuum: String,
}

/// Describes this machine and the server of `admin_url`.
pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<Machine> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| field(line, "model name"))
        .unwrap_or(std::env::consts::ARCH)
        .to_owned();
    // Every processor of the machine, as os.cpu_count() counted them.
    let cores = match cpuinfo
        .lines()
        .filter(|line| field(line, "processor").is_some())
        .count()
    {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        counted => counted,
    };
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|meminfo| {
            let kib: f64 = meminfo
                .lines()
                .find_map(|line| field(line, "MemTotal"))?
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()?;
            Some((kib / f64::from(1 << 20) * 10.0).round() / 10.0)
        });
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release.lines().find_map(|line| {
                line.strip_prefix("PRETTY_NAME=")
                    .map(|name| name.trim_matches('"').to_owned())
            })
        })
        .unwrap_or_else(|| UNKNOWN.to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| UNKNOWN.to_owned(), |release| release.trim().to_owned());

    let mut server = PgConnection::connect(admin_url).await.ok();
    // One text answer of the server to `query` with `parameter`.
    let mut ask = async |query: &str, parameter: &str| match &mut server {
        Some(connection) => sqlx::query_scalar::<_, String>(query)
            .bind(parameter.to_owned())
            .fetch_optional(connection)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| UNKNOWN.to_owned()),
        None => UNKNOWN.to_owned(),
    };
    Ok(Machine {
        started: args
            .started
            .unwrap_or_else(|| Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)),
        command: args.command,
        cpu,
        cores,
        memory_gib,
        os,
        kernel,
        postgresql: ask(SETTING, "server_version").await,
        postgresql_settings: PostgresqlSettings {
            shared_buffers: ask(SETTING, "shared_buffers").await,
            max_wal_size: ask(SETTING, "max_wal_size").await,
            checkpoint_timeout: ask(SETTING, "checkpoint_timeout").await,
            wal_compression: ask(SETTING, "wal_compression").await,
            synchronous_commit: ask(SETTING, "synchronous_commit").await,
            autovacuum: ask(SETTING, "autovacuum").await,
        },
        postgis: ask(
            "SELECT default_version FROM pg_available_extensions WHERE name = $1",
            "postgis",
        )
        .await,
        broker: version(Command::new(&args.tansu_bin).arg("--version")),
        rustc: version(Command::new("rustc").arg("--version")),
    })
}

/// The value of `line` when it reads `name: value` (as /proc's files do,
/// padded with spaces or tabs before the colon).
fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    let (key, value) = line.split_once(':')?;
    (key.trim() == name).then(|| value.trim())
}

/// What a tool prints about itself, or [`UNKNOWN`] when it cannot be run.
fn version(command: &mut Command) -> String {
    match command.output() {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        }
        _ => UNKNOWN.to_owned(),
    }
}

/// Resets this process's peak resident memory to its current size (Linux:
/// `/proc/self/clear_refs`), and returns that size in KiB, so that the next
/// [`peak_rss`] tells the peak of what runs in between.
pub fn reset_peak_rss() -> anyhow::Result<u64> {
    std::fs::write("/proc/self/clear_refs", "5")?;
    status_kib("VmRSS")
}

/// This process's peak resident memory in KiB since it started or since
/// [`reset_peak_rss`].
pub fn peak_rss() -> anyhow::Result<u64> {
    status_kib("VmHWM")
}

fn status_kib(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix("kB")?.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/self/status"))
}
