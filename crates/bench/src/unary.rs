//! One ping per call against a running stack, through the ingest service's
//! `SendPing` (gRPC) or the REST API's `POST /api/locations`: the highest
//! rate that concurrent callers reach (closed loop), then, at half that rate
//! (open loop: each call is sent on schedule, whether or not earlier ones
//! have returned, as phones would), the acknowledgement latency and the
//! freshness: how long after its acknowledgement a ping is stored, and so
//! found by the contact search, which reads the stored rows. Each phase
//! starts once every ping acknowledged before it is stored: a phase that
//! inherited the previous one's backlog would time the consumers catching
//! up, not the load it offers.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::{DateTime, SecondsFormat, SubsecRound, TimeDelta, Utc};
use sqlx::PgPool;
use udaconnect_devtools::simulate;
use udaconnect_proto::{
    datetime_from_timestamp, timestamp_from_datetime,
    v1::{Ping, ingest_service_client::IngestServiceClient},
};
use udaconnect_runtime::{
    ServiceTokenArgs,
    grpc::{self, SignedChannel},
};
use uuid::Uuid;

use crate::{
    credentials::signed_client,
    stats::{Summary, ms},
};

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Via {
    /// `IngestService.SendPing`, as phones send.
    Grpc,
    /// `POST /api/locations`, the proof of concept's route.
    Rest,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The entry point measured.
    #[arg(long, value_enum, default_value = "grpc")]
    via: Via,
    /// gRPC URL of the ingest service (with `--via grpc`).
    #[arg(long, default_value = "http://127.0.0.1:30002")]
    ingest_url: String,
    /// Base URL of the REST API (with `--via rest`).
    #[arg(long, default_value = "http://127.0.0.1:30001")]
    api_url: String,
    /// The organizer's token, with which pings are sent (a venue's feed
    /// sends for many attendees).
    #[arg(long, env = "ORGANIZER_TOKEN", hide_env_values = true)]
    organizer_token: String,
    /// The services' token, with which the phones' owners are created in
    /// the persons service.
    #[command(flatten)]
    service: ServiceTokenArgs,
    /// gRPC URL of the persons service (to create the phones' owners).
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    persons_url: String,
    /// The locations database. After each phase the benchmark waits until
    /// every acknowledged ping is stored, so that no phase (and no later
    /// run) pays for an earlier one's backlog, and followed pings are looked
    /// for there. Without it neither happens: freshness is not measured.
    #[arg(long, env = "LOCATIONS_DATABASE_URL")]
    locations_database_url: Option<String>,
    /// Concurrent callers while measuring the highest rate.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds of each phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Attendees the pings belong to.
    #[arg(long, default_value_t = 100)]
    attendees: u32,
    /// One ping in this many is followed until it is stored; 0 follows none,
    /// so nothing polls the database while acknowledgements are timed.
    #[arg(long, default_value_t = 50)]
    follow_every: u32,
    /// A name for the conditions of the run, kept with its result.
    #[arg(long, default_value = "")]
    label: String,
}

/// How often a followed ping is looked for, which bounds the resolution of
/// the freshness figures.
const FOLLOW_POLL: Duration = Duration::from_millis(10);
/// A followed ping not stored by then counts as lost.
const FOLLOW_TIMEOUT: Duration = Duration::from_secs(60);
/// How often the stored rows are counted while waiting for the backlog.
const DRAIN_POLL: Duration = Duration::from_millis(200);
/// How long the newest id must stay put before a drain is counted anyway.
const QUIET: Duration = Duration::from_millis(500);
/// A backlog whose count stops growing for this long will not drain.
const DRAIN_STALL: Duration = Duration::from_secs(60);

/// Sends one ping per call through the chosen entry point.
#[derive(Clone)]
enum Sender {
    Grpc(IngestServiceClient<SignedChannel>),
    Rest {
        client: reqwest::Client,
        url: String,
    },
}

impl Sender {
    fn new(args: &Args) -> anyhow::Result<Self> {
        Ok(match args.via {
            Via::Grpc => Self::Grpc(IngestServiceClient::new(
                grpc::BearerToken::new(&args.organizer_token)?
                    .sign(grpc::channel(&args.ingest_url)?),
            )),
            Via::Rest => Self::Rest {
                client: signed_client(&args.organizer_token)?,
                url: format!("{}/api/locations", args.api_url.trim_end_matches('/')),
            },
        })
    }

    async fn send(&mut self, ping: Ping) -> anyhow::Result<()> {
        match self {
            Self::Grpc(client) => {
                client.send_ping(ping).await?;
            }
            Self::Rest { client, url } => {
                let time = datetime_from_timestamp("creation_time", ping.creation_time.as_ref())?;
                let response = client
                    .post(url.as_str())
                    .json(&serde_json::json!({
                        "event_id": ping.event_id, "person_id": ping.person_id,
                        "latitude": ping.latitude, "longitude": ping.longitude,
                        "creation_time": time.to_rfc3339_opts(SecondsFormat::Millis, true),
                    }))
                    .send()
                    .await?;
                anyhow::ensure!(
                    response.status() == reqwest::StatusCode::ACCEPTED,
                    "POST /api/locations answered {}: {}",
                    response.status(),
                    response.text().await.unwrap_or_default()
                );
            }
        }
        Ok(())
    }
}

pub async fn run(args: Args) -> anyhow::Result<serde_json::Value> {
    let sender = Sender::new(&args)?;
    let persons = simulate::create_attendees(
        &args.persons_url,
        &args.service.credential()?,
        args.attendees,
    )
    .await?;
    let stored = match &args.locations_database_url {
        Some(url) => Some(PgPool::connect(url).await?),
        None => None,
    };
    let rows_before = match &stored {
        Some(pool) => count_rows(pool, 0).await?.0,
        None => 0,
    };
    let phase = Duration::from_secs(args.seconds);
    let via = format!("{:?}", args.via).to_lowercase();

    // Phase 1: closed loop, as fast as the callers are answered.
    let began = Instant::now();
    let mut callers = tokio::task::JoinSet::new();
    for caller in 0..args.concurrency {
        let (mut sender, persons) = (sender.clone(), persons.clone());
        callers.spawn(async move {
            let mut sent = 0u64;
            while began.elapsed() < phase {
                let person = persons[(caller + sent as usize) % persons.len()];
                sender.send(ping(person, StoredKey::new())).await?;
                sent += 1;
            }
            anyhow::Ok(sent)
        });
    }
    let mut acknowledged = 0;
    while let Some(done) = callers.join_next().await {
        acknowledged += done??;
    }
    let max_rate = acknowledged as f64 / began.elapsed().as_secs_f64();
    println!(
        "one ping per call ({via}), closed loop: {acknowledged} pings acknowledged, {max_rate:.0} pings/s with {} concurrent callers",
        args.concurrency
    );
    let mut drained = serde_json::Map::new();
    if let Some(pool) = &stored {
        let waited =
            wait_until_drained(pool, 0, rows_before + acknowledged as i64, DRAIN_POLL).await?;
        println!(
            "  its backlog was stored {:.1} s after the loop ended",
            waited.as_secs_f64()
        );
        drained.insert("closed_loop".into(), waited.as_secs_f64().into());
    }

    // Phase 2: open loop at half that rate, timing every acknowledgement and
    // following some pings until they are stored.
    let rate = max_rate / 2.0;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let freshness = Arc::new(Mutex::new(Vec::new()));
    let (mut failures, mut lost) = (0u64, 0u64);
    let mut calls = tokio::task::JoinSet::new();
    let began = Instant::now();
    let mut next = began;
    let mut n = 0usize;
    while began.elapsed() < phase {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        let (mut sender, latencies, freshness) =
            (sender.clone(), latencies.clone(), freshness.clone());
        let follow = stored
            .clone()
            .filter(|_| args.follow_every > 0 && n.is_multiple_of(args.follow_every as usize));
        let key = StoredKey::new();
        let ping = ping(persons[n % persons.len()], key);
        n += 1;
        calls.spawn(async move {
            let sent = Instant::now();
            sender.send(ping).await?;
            let acknowledged = Instant::now();
            latencies.lock().unwrap().push(acknowledged - sent);
            if let Some(pool) = follow {
                let stored_after = wait_until_stored(&pool, key, acknowledged).await?;
                freshness.lock().unwrap().push(stored_after);
            }
            anyhow::Ok(())
        });
    }
    while let Some(call) = calls.join_next().await {
        match call? {
            Ok(()) => {}
            Err(error) if error.is::<NotStored>() => lost += 1,
            Err(_) => failures += 1,
        }
    }
    let latency = Summary::of(&latencies.lock().unwrap());
    if let Some(pool) = &stored {
        let all = rows_before + acknowledged as i64 + latency.samples as i64;
        let waited = wait_until_drained(pool, 0, all, DRAIN_POLL).await?;
        drained.insert("open_loop".into(), waited.as_secs_f64().into());
    }
    println!(
        "one ping per call ({via}), open loop: {} pings at {rate:.0}/s (half the closed-loop rate), {failures} failed",
        latency.samples
    );
    println!(
        "  acknowledgement   p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        ms(latency.median),
        ms(latency.p99),
        ms(latency.max)
    );
    let mut result = serde_json::json!({
        "benchmark": "unary", "via": via, "label": args.label, "concurrency": args.concurrency, "seconds": args.seconds,
        "closed_loop_pings_per_second": max_rate, "open_loop_pings_per_second": rate,
        "failed": failures, "acknowledgement": latency.to_json(),
        "backlog_stored_after_seconds": drained,
    });
    let freshness = freshness.lock().unwrap();
    if !freshness.is_empty() {
        let summary = Summary::of(&freshness);
        println!(
            "  stored after ack  p50 {:.0} ms   p99 {:.0} ms   max {:.0} ms   ({} followed, {lost} never stored)",
            ms(summary.median),
            ms(summary.p99),
            ms(summary.max),
            summary.samples
        );
        result["freshness"] = summary.to_json();
        result["followed_never_stored"] = lost.into();
    }
    Ok(result)
}

/// A followed ping was not stored within [`FOLLOW_TIMEOUT`].
#[derive(Debug, thiserror::Error)]
#[error("ping {0} was not stored within {FOLLOW_TIMEOUT:?} of its acknowledgement")]
struct NotStored(Uuid);

/// A followed ping's idempotency key. The table's unique index leads with
/// the time, so a poll by the event id alone would read a whole partition's
/// index, a cost that grows with the table and competes with the writes
/// being timed.
#[derive(Debug, Clone, Copy)]
struct StoredKey {
    event_id: Uuid,
    time: DateTime<Utc>,
}

impl StoredKey {
    /// A fresh event id, and a time a second ago in whole milliseconds, as
    /// the REST body carries it, so that the key is the stored one through
    /// either entry point.
    fn new() -> Self {
        Self {
            event_id: Uuid::now_v7(),
            time: (Utc::now() - TimeDelta::seconds(1)).trunc_subsecs(3),
        }
    }
}

/// Time from `acknowledged` until the ping is readable in the locations table.
async fn wait_until_stored(
    pool: &PgPool,
    key: StoredKey,
    acknowledged: Instant,
) -> anyhow::Result<Duration> {
    loop {
        let found: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM location WHERE creation_time = $1 AND event_id = $2)",
        )
        .bind(key.time)
        .bind(key.event_id)
        .fetch_one(pool)
        .await?;
        if found {
            return Ok(acknowledged.elapsed());
        }
        if acknowledged.elapsed() > FOLLOW_TIMEOUT {
            return Err(NotStored(key.event_id).into());
        }
        tokio::time::sleep(FOLLOW_POLL).await;
    }
}

/// Waits until the locations table holds `rows` rows with an id above
/// `after_id` (below it: pings stored before the benchmark began), that is
/// until the consumers have stored every acknowledged ping, looking every
/// `poll`; returns how long it took. (The pipeline benchmark times its
/// conferences with it too.)
///
/// Counting a table of a million rows keeps a core busy for a tenth of a
/// second, and counting at every poll slowed the very writes it waited for.
/// So a poll reads only the newest id (one index lookup), and the table is
/// counted exactly when that id says the rows may all be there (the count
/// then plus the ids since), or when it has not moved for [`QUIET`] (the
/// writes paused or ended). The bound is not exact, since concurrent
/// writers commit out of id order; the second rule catches what it misses,
/// without counting between two batches of a busy writer.
pub(crate) async fn wait_until_drained(
    pool: &PgPool,
    after_id: i64,
    rows: i64,
    poll: Duration,
) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let (mut counted, mut newest_counted) = count_rows(pool, after_id).await?;
    // The newest id seen and when it last moved; the last sign of progress;
    // the last count made because nothing moved.
    let (mut newest_seen, mut moved_at) = (newest_counted, Instant::now());
    let mut progressed_at = Instant::now();
    let mut quiet_count_at: Option<Instant> = None;
    while counted < rows {
        tokio::time::sleep(poll).await;
        let newest: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM location")
            .fetch_one(pool)
            .await?;
        if newest != newest_seen {
            (newest_seen, moved_at, progressed_at) = (newest, Instant::now(), Instant::now());
        }
        let quiet =
            moved_at.elapsed() >= QUIET && quiet_count_at.is_none_or(|at| at.elapsed() >= QUIET);
        if quiet || counted + (newest - newest_counted) >= rows {
            if quiet {
                quiet_count_at = Some(Instant::now());
            }
            let before = counted;
            (counted, newest_counted) = count_rows(pool, after_id).await?;
            if counted != before {
                progressed_at = Instant::now();
            }
        }
        if progressed_at.elapsed() > DRAIN_STALL {
            anyhow::bail!(
                "{} acknowledged pings were not stored (nothing new for {DRAIN_STALL:?})",
                rows - counted
            );
        }
    }
    Ok(started.elapsed())
}

/// The rows of the locations table with an id above `after_id`, exactly,
/// and its newest id.
async fn count_rows(pool: &PgPool, after_id: i64) -> sqlx::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM location WHERE id > $1),
                (SELECT coalesce(max(id), 0) FROM location)",
    )
    .bind(after_id)
    .fetch_one(pool)
    .await
}

fn ping(person_id: i64, key: StoredKey) -> Ping {
    let mut rng = fastrand::Rng::new();
    Ping {
        event_id: key.event_id.to_string(),
        person_id,
        latitude: 37.7840 + rng.f64() * 0.001,
        longitude: -122.4010 + rng.f64() * 0.001,
        creation_time: Some(timestamp_from_datetime(key.time)),
    }
}
