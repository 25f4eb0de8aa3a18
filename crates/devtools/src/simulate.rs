//! `udaconnect simulate`: plays a conference. Attendees wander between
//! booths and talks; their phones stream pings through the ingest service.
//! The visits are recorded as ground truth, so tests and benchmarks can check
//! what the system finds, and the run doubles as the load generator.

use std::{
    io::{IsTerminal, Write as _},
    path::PathBuf,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use clap::Args;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::{Code, transport::Channel};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{
        self, ingest_service_client::IngestServiceClient,
        person_service_client::PersonServiceClient,
    },
};
use uuid::Uuid;

use udaconnect_runtime::{
    backoff::Backoff,
    config::{IngestPeerArgs, PersonsPeerArgs, parse_duration},
    grpc,
};

use crate::conference::{self, Itinerary, Venue};

/// Settings of a simulated conference.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub ingest: IngestPeerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub persons: PersonsPeerArgs,
    /// Attendees to create and simulate.
    #[arg(long, default_value_t = 200)]
    pub attendees: u32,
    /// Length of the simulated conference, in minutes.
    #[arg(long, default_value_t = 30)]
    pub minutes: u32,
    /// Simulated time between two pings of one phone.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub ping_interval: Duration,
    /// When the simulated conference starts (RFC 3339); default: `--minutes`
    /// before now, so every ping is in the past.
    #[arg(long)]
    pub start: Option<DateTime<Utc>>,
    /// Booths on the exhibition floor.
    #[arg(long, default_value_t = 24)]
    pub booths: u32,
    /// Talk rooms.
    #[arg(long, default_value_t = 4)]
    pub talks: u32,
    /// Pings per second to send at most (0: as fast as the system takes them).
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Concurrent client streams (each serves a share of the attendees).
    #[arg(long, default_value_t = 4)]
    pub streams: u32,
    /// Pings per call; a failed call is retried with the same event ids.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub segment: u32,
    /// Send each segment as one `SendPings` batch instead of a
    /// `StreamPings` stream.
    #[arg(long)]
    pub batched: bool,
    /// Where to write the ground truth (CSV: who was at which place when).
    #[arg(long)]
    pub ground_truth: Option<PathBuf>,
    /// Seed of the random choices, so a run can be replayed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// How many calls creating attendees run at once.
const CREATE_CONCURRENCY: usize = 16;
/// Failed stream calls are retried this often before the segment is given up.
const SEGMENT_ATTEMPTS: u32 = 8;

/// Running totals, shared by the streams and the progress display.
#[derive(Debug, Default)]
struct Totals {
    sent: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
}

/// What a played conference sent and how the ingest service answered.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Attendees created and simulated.
    pub attendees: u32,
    /// Simulated time span.
    pub start: DateTime<Utc>,
    /// End of the simulated span.
    pub end: DateTime<Utc>,
    /// Simulated time between two pings of one phone, in seconds.
    pub ping_interval_seconds: f64,
    /// Pings sent (each counted once, however often its call was retried).
    pub sent: u64,
    /// Pings the ingest service acknowledged.
    pub accepted: u64,
    /// Pings it refused.
    pub rejected: u64,
    /// When the first ping was sent (wall clock).
    pub began: DateTime<Utc>,
    /// From the first ping sent to the last acknowledgement, in seconds.
    pub elapsed_seconds: f64,
    /// The attendees' person ids, lowest and highest.
    pub persons: (i64, i64),
    /// Why some pings could not be sent, when a call failed for good.
    pub failure: Option<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (first, last) = self.persons;
        writeln!(
            f,
            "simulated  {} attendees from {} to {}, a ping every {} s",
            self.attendees, self.start, self.end, self.ping_interval_seconds
        )?;
        writeln!(f, "sent       {}", self.sent)?;
        writeln!(f, "accepted   {}", self.accepted)?;
        writeln!(f, "rejected   {}", self.rejected)?;
        writeln!(
            f,
            "began      {}",
            self.began
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        )?;
        writeln!(f, "elapsed    {:.2} s", self.elapsed_seconds)?;
        writeln!(
            f,
            "rate       {:.0} pings/s accepted",
            self.accepted as f64 / self.elapsed_seconds.max(1e-9)
        )?;
        writeln!(f, "persons    {first}..={last} (the simulated attendees)")?;
        writeln!(
            f,
            "try        curl 'http://localhost:30001/api/persons/{first}/connection?start_date={}&end_date={}&distance=5'",
            self.start.format("%Y-%m-%d"),
            (self.end + TimeDelta::days(1)).format("%Y-%m-%d"),
        )
    }
}

/// Plays the conference and prints a summary; fails if some pings could
/// not be sent.
pub async fn run(args: SimulateArgs, shutdown: CancellationToken) -> anyhow::Result<()> {
    let report = play_conference(&args, shutdown).await?;
    println!();
    print!("{report}");
    match report.failure {
        Some(failure) => anyhow::bail!(failure),
        None => Ok(()),
    }
}

/// Plays the conference through the ingest service and reports what
/// happened (for `run`, the tests and the pipeline benchmark).
pub async fn play_conference(
    args: &SimulateArgs,
    shutdown: CancellationToken,
) -> anyhow::Result<Report> {
    anyhow::ensure!(args.attendees > 0, "--attendees must be at least 1");
    anyhow::ensure!(args.minutes > 0, "--minutes must be at least 1");
    anyhow::ensure!(
        args.booths + args.talks > 0,
        "the venue needs a booth or a talk"
    );
    anyhow::ensure!(
        !args.ping_interval.is_zero(),
        "--ping-interval must be positive"
    );
    anyhow::ensure!(
        args.rate >= 0.0 && args.rate.is_finite(),
        "--rate must be >= 0"
    );
    anyhow::ensure!(args.segment > 0, "--segment must be at least 1");
    let streams = args.streams.clamp(1, args.attendees);

    let span = TimeDelta::minutes(i64::from(args.minutes));
    let start = match args.start {
        Some(start) => start,
        None => (Utc::now() - span).duration_trunc(TimeDelta::minutes(1))?,
    };
    let end = start + span;
    let venue = Arc::new(Venue::new(args.booths, args.talks));

    eprintln!("creating {} attendees…", args.attendees);
    let person_ids = create_attendees(&args.persons.persons_url, args.attendees).await?;
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let itineraries: Vec<Itinerary> = person_ids
        .iter()
        .map(|&id| conference::plan(id, &venue, start, end, &mut rng))
        .collect();
    if let Some(path) = &args.ground_truth {
        write_ground_truth(path, &itineraries, &venue)?;
    }

    let interval = TimeDelta::from_std(args.ping_interval)?;
    let steps = (span.num_milliseconds() / interval.num_milliseconds()).max(1) as u64;
    let total = steps * u64::from(args.attendees);
    let totals = Arc::new(Totals::default());
    let ingest = grpc::channel(&args.ingest.ingest_url)?;

    // Attendee i is served by stream i % streams.
    let mut shares: Vec<Vec<Itinerary>> = (0..streams).map(|_| Vec::new()).collect();
    for (i, itinerary) in itineraries.into_iter().enumerate() {
        shares[i % streams as usize].push(itinerary);
    }
    let began = Instant::now();
    let began_at = Utc::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, share) in shares.into_iter().enumerate() {
        let plan = StreamPlan {
            itineraries: share,
            venue: Arc::clone(&venue),
            start,
            interval,
            steps,
            segment: args.segment as usize,
            batched: args.batched,
            rate: args.rate / f64::from(streams),
            seed: args.seed.wrapping_add(index as u64 + 1),
        };
        tasks.spawn(play(
            plan,
            IngestServiceClient::new(ingest.clone()),
            Arc::clone(&totals),
            shutdown.clone(),
        ));
    }
    let progress = tokio::spawn(show_progress(Arc::clone(&totals), total, began));
    let mut failure = None;
    while let Some(finished) = tasks.join_next().await {
        if let Err(error) = finished.map_err(anyhow::Error::from).and_then(|r| r) {
            failure.get_or_insert(error);
        }
    }
    progress.abort();
    let elapsed = began.elapsed();

    Ok(Report {
        attendees: args.attendees,
        start,
        end,
        ping_interval_seconds: args.ping_interval.as_secs_f64(),
        sent: totals.sent.load(Ordering::Relaxed),
        accepted: totals.accepted.load(Ordering::Relaxed),
        rejected: totals.rejected.load(Ordering::Relaxed),
        began: began_at,
        elapsed_seconds: elapsed.as_secs_f64(),
        persons: (
            person_ids.iter().min().copied().unwrap_or_default(),
            person_ids.iter().max().copied().unwrap_or_default(),
        ),
        failure: failure.map(|error| format!("{error:#}")),
    })
}

/// Creates `count` attendees through the persons service and returns their
/// ids in creation order (shared with the benchmarks).
pub async fn create_attendees(persons_url: &str, count: u32) -> anyhow::Result<Vec<i64>> {
    const COMPANIES: [&str; 6] = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark"];
    let client = PersonServiceClient::new(grpc::channel(persons_url)?);
    let suffix = &Uuid::new_v4().simple().to_string()[..6];
    futures::stream::iter(0..count)
        .map(|i| {
            let mut client = client.clone();
            let request = v1::CreatePersonRequest {
                first_name: format!("Attendee{}", i + 1),
                last_name: format!("Sim-{suffix}"),
                company_name: COMPANIES[i as usize % COMPANIES.len()].to_owned(),
            };
            async move {
                client
                    .create_person(request)
                    .await
                    .map(|response| response.into_inner().id)
            }
        })
        .buffered(CREATE_CONCURRENCY)
        .try_collect()
        .await
        .map_err(|status| anyhow::anyhow!("cannot create attendees: {status}"))
}

fn write_ground_truth(
    path: &std::path::Path,
    itineraries: &[Itinerary],
    venue: &Venue,
) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    for visit in itineraries
        .iter()
        .flat_map(|itinerary| itinerary.visits(venue))
    {
        writer.serialize(visit)?;
    }
    writer.flush()?;
    eprintln!("ground truth written to {}", path.display());
    Ok(())
}

/// What one client stream sends.
struct StreamPlan {
    itineraries: Vec<Itinerary>,
    venue: Arc<Venue>,
    start: DateTime<Utc>,
    interval: TimeDelta,
    steps: u64,
    segment: usize,
    /// Segments go as `SendPings` batches rather than streams.
    batched: bool,
    /// Pings per second for this stream; 0 for unlimited.
    rate: f64,
    seed: u64,
}

/// Sends every ping of `plan` in time order, a segment per call.
async fn play(
    plan: StreamPlan,
    client: IngestServiceClient<Channel>,
    totals: Arc<Totals>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    // Phones are not synchronised: each pings at its own phase.
    let phases: Vec<TimeDelta> = plan
        .itineraries
        .iter()
        .map(|_| TimeDelta::milliseconds(rng.i64(0..plan.interval.num_milliseconds())))
        .collect();
    let mut pacer = Pacer::new(plan.rate);
    let mut segment = Vec::with_capacity(plan.segment);
    for step in 0..plan.steps {
        let tick = plan.start + plan.interval * step as i32;
        for (itinerary, phase) in plan.itineraries.iter().zip(&phases) {
            let time = tick + *phase;
            let (latitude, longitude) = itinerary.position(&plan.venue, time, &mut rng);
            segment.push(v1::Ping {
                // Time-ordered ids, as we recommend phones generate them.
                event_id: Uuid::now_v7().to_string(),
                person_id: itinerary.person_id,
                latitude,
                longitude,
                creation_time: Some(timestamp_from_datetime(time)),
            });
            if segment.len() == plan.segment {
                send_segment(
                    &client,
                    plan.batched,
                    std::mem::take(&mut segment),
                    &mut pacer,
                    &totals,
                    &shutdown,
                )
                .await?;
            }
        }
    }
    if !segment.is_empty() {
        send_segment(
            &client,
            plan.batched,
            segment,
            &mut pacer,
            &totals,
            &shutdown,
        )
        .await?;
    }
    Ok(())
}

/// Sends one segment, as a stream or as a batch, retrying the whole call
/// (same event ids, so nothing is stored twice) while the service is
/// unavailable. The totals follow the acknowledgements as they come; a
/// failed attempt's share is taken back before the retry.
async fn send_segment(
    client: &IngestServiceClient<Channel>,
    batched: bool,
    pings: Vec<v1::Ping>,
    pacer: &mut Pacer,
    totals: &Totals,
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let mut backoff = Backoff::new();
    for attempt in 1..=SEGMENT_ATTEMPTS {
        let mut credit = Credit::new(totals);
        let outcome = if batched {
            batch_segment(client, &pings, pacer, &mut credit).await
        } else {
            stream_segment(client, &pings, pacer, &mut credit).await
        };
        match outcome {
            Ok(()) => {
                totals.sent.fetch_add(pings.len() as u64, Ordering::Relaxed);
                if let Some(reason) = &credit.first_rejection {
                    tracing::warn!(%reason, count = credit.rejected, "pings rejected");
                }
                return Ok(());
            }
            Err(status) if status.code() == Code::Unavailable && attempt < SEGMENT_ATTEMPTS => {
                tracing::warn!(%status, attempt, "call failed; retrying the segment");
                credit.revoke();
                if !backoff.wait(shutdown).await {
                    anyhow::bail!("stopped");
                }
            }
            Err(status) => anyhow::bail!("call failed: {status}"),
        }
    }
    unreachable!("the last attempt returns")
}

/// One attempt's share of the totals, so that a failed attempt can be
/// taken back.
struct Credit<'a> {
    totals: &'a Totals,
    accepted: u64,
    rejected: u64,
    first_rejection: Option<String>,
}

impl<'a> Credit<'a> {
    fn new(totals: &'a Totals) -> Self {
        Self {
            totals,
            accepted: 0,
            rejected: 0,
            first_rejection: None,
        }
    }

    /// Raises the attempt's counts to `accepted` and `rejected`.
    fn raise_to(&mut self, accepted: u64, rejected: u64, rejections: &[v1::PingRejection]) {
        let totals = self.totals;
        totals
            .accepted
            .fetch_add(accepted.saturating_sub(self.accepted), Ordering::Relaxed);
        totals
            .rejected
            .fetch_add(rejected.saturating_sub(self.rejected), Ordering::Relaxed);
        self.accepted = self.accepted.max(accepted);
        self.rejected = self.rejected.max(rejected);
        if self.first_rejection.is_none() {
            self.first_rejection = rejections.first().map(|r| r.reason.clone());
        }
    }

    fn revoke(self) {
        self.totals
            .accepted
            .fetch_sub(self.accepted, Ordering::Relaxed);
        self.totals
            .rejected
            .fetch_sub(self.rejected, Ordering::Relaxed);
    }
}

/// One segment as a `StreamPings` call, each ping fed as its time comes,
/// the acks credited as they arrive.
async fn stream_segment(
    client: &IngestServiceClient<Channel>,
    pings: &[v1::Ping],
    pacer: &mut Pacer,
    credit: &mut Credit<'_>,
) -> Result<(), tonic::Status> {
    let (sender, receiver) = mpsc::channel(1024);
    let mut client = client.clone();
    let call = async {
        let mut acks = client
            .stream_pings(ReceiverStream::new(receiver))
            .await?
            .into_inner();
        let mut settled_through = 0;
        while let Some(ack) = acks.message().await? {
            credit.raise_to(ack.accepted, ack.rejected_total, &ack.rejected);
            settled_through = ack.settled_through;
        }
        if settled_through < pings.len() as u64 {
            return Err(tonic::Status::unavailable(format!(
                "the stream ended with {} of {} pings settled",
                settled_through,
                pings.len()
            )));
        }
        Ok(())
    };
    let feed = async {
        for ping in pings {
            pacer.wait().await;
            if sender.send(ping.clone()).await.is_err() {
                break;
            }
        }
        drop(sender);
    };
    let (outcome, ()) = tokio::join!(call, feed);
    outcome
}

/// One segment as a `SendPings` call, sent once all its pings are due.
async fn batch_segment(
    client: &IngestServiceClient<Channel>,
    pings: &[v1::Ping],
    pacer: &mut Pacer,
    credit: &mut Credit<'_>,
) -> Result<(), tonic::Status> {
    for _ in pings {
        pacer.wait().await;
    }
    let ack = client
        .clone()
        .send_pings(v1::PingBatch {
            pings: pings.to_vec(),
        })
        .await?
        .into_inner();
    credit.raise_to(
        ack.accepted_event_ids.len() as u64,
        ack.rejected.len() as u64,
        &ack.rejected,
    );
    Ok(())
}

/// Holds a stream to its share of `--rate`.
struct Pacer {
    per_second: f64,
    began: Instant,
    sent: u64,
}

impl Pacer {
    fn new(per_second: f64) -> Self {
        Self {
            per_second,
            began: Instant::now(),
            sent: 0,
        }
    }

    async fn wait(&mut self) {
        self.sent += 1;
        // Checking every 64 pings keeps the overhead negligible at high rates.
        if self.per_second <= 0.0 || !self.sent.is_multiple_of(64) {
            return;
        }
        let due = Duration::from_secs_f64(self.sent as f64 / self.per_second);
        if let Some(ahead) = due.checked_sub(self.began.elapsed()) {
            tokio::time::sleep(ahead).await;
        }
    }
}

/// A progress bar on a terminal, a line every few seconds otherwise, moving
/// as the ingest service acknowledges pings.
async fn show_progress(totals: Arc<Totals>, total: u64, began: Instant) {
    let terminal = std::io::stderr().is_terminal();
    let period = if terminal {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(5)
    };
    let mut ticker = tokio::time::interval(period);
    loop {
        ticker.tick().await;
        let line = progress_line(
            totals.accepted.load(Ordering::Relaxed),
            totals.rejected.load(Ordering::Relaxed),
            total,
            began.elapsed(),
        );
        if terminal {
            eprint!("\r{line}\x1b[K");
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{line}");
        }
    }
}

/// The progress of `total` pings after `elapsed`: how many are acknowledged
/// (accepted or rejected), the rate, and the time left at that rate.
fn progress_line(accepted: u64, rejected: u64, total: u64, elapsed: Duration) -> String {
    const WIDTH: usize = 30;
    let settled = accepted + rejected;
    let share = (settled as f64 / total.max(1) as f64).min(1.0);
    let filled = (share * WIDTH as f64).round() as usize;
    let rate = settled as f64 / elapsed.as_secs_f64().max(1e-3);
    let left = if settled == 0 {
        "--:--".to_owned()
    } else {
        let seconds = (total.saturating_sub(settled) as f64 / rate).round() as u64;
        format!("{}:{:02}", seconds / 60, seconds % 60)
    };
    let rejected = if rejected > 0 {
        format!(" ({rejected} rejected)")
    } else {
        String::new()
    };
    format!(
        "[{}{}] {:>5.1}%  {settled}/{total} acknowledged{rejected}  {rate:.0}/s  {left} left",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled),
        share * 100.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_shows_the_acknowledged_share_the_rate_and_the_time_left() {
        let line = progress_line(450, 50, 1000, Duration::from_secs(10));
        assert!(
            line.starts_with("[###############...............]  50.0%"),
            "{line}"
        );
        assert!(
            line.contains("500/1000 acknowledged (50 rejected)"),
            "{line}"
        );
        assert!(line.contains("50/s"), "{line}");
        assert!(line.contains("0:10 left"), "{line}");
        let start = progress_line(0, 0, 1000, Duration::from_millis(300));
        assert!(
            start.contains("  0.0%") && start.contains("--:-- left"),
            "{start}"
        );
    }
}
