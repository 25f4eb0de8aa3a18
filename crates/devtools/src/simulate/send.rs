//! The sender both simulator modes share: every phone's pings in time
//! order through the ingest service, over a few concurrent client streams,
//! a segment per call, retried with the same event ids while the service is
//! unavailable, with a progress display and running totals.

use std::{
    io::{IsTerminal, Write as _},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::Code;
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{self, ingest_service_client::IngestServiceClient},
};
use udaconnect_runtime::{
    backoff::Backoff,
    grpc::{self, SignedChannel},
};
use uuid::Uuid;

/// Failed stream calls are retried this often before the segment is given up.
const SEGMENT_ATTEMPTS: u32 = 8;

/// A simulated phone: whose it is and where it is at any moment. Each
/// simulator mode has its own model of where people go.
pub(crate) trait Phone: Send + Sync + 'static {
    /// The attendee carrying it.
    fn person_id(&self) -> i64;
    /// Where it reports being at `time`, in WGS 84 degrees (latitude,
    /// longitude); `rng` draws any noise.
    fn position(&self, time: DateTime<Utc>, rng: &mut fastrand::Rng) -> (f64, f64);
}

/// How a run's pings go out.
pub(crate) struct Transmission<'a> {
    /// gRPC URL of the ingest service.
    pub ingest_url: &'a str,
    /// The bearer token every call carries.
    pub token: &'a str,
    /// The first tick.
    pub start: DateTime<Utc>,
    /// Simulated time between two pings of one phone.
    pub interval: TimeDelta,
    /// Ticks: each phone pings once per tick, at its own phase.
    pub steps: u64,
    /// Concurrent client streams.
    pub streams: u32,
    /// Pings per call.
    pub segment: usize,
    /// Segments go as `SendPings` batches rather than streams.
    pub batched: bool,
    /// Pings per second in all; 0 for unlimited.
    pub rate: f64,
    /// Seed of the phones' phases and noise.
    pub seed: u64,
}

/// What a transmission sent and how the ingest service answered.
pub(crate) struct Transmitted {
    /// Pings sent (each counted once, however often its call was retried).
    pub sent: u64,
    /// Pings the ingest service acknowledged.
    pub accepted: u64,
    /// Pings it refused.
    pub rejected: u64,
    /// When the first ping was sent (wall clock).
    pub began: DateTime<Utc>,
    /// From the first ping sent to the last acknowledgement.
    pub elapsed: Duration,
    /// Why some pings could not be sent, when a call failed for good.
    pub failure: Option<String>,
}

/// Running totals, shared by the streams and the progress display.
#[derive(Debug, Default)]
struct Totals {
    sent: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
}

/// Sends every ping of `phones` as `how` says and reports the outcome; a
/// call that fails for good is reported, not returned as an error, so the
/// caller still learns how far the run came.
pub(crate) async fn transmit<P: Phone>(
    phones: Vec<P>,
    how: &Transmission<'_>,
    shutdown: CancellationToken,
) -> anyhow::Result<Transmitted> {
    let streams = how.streams.clamp(1, u32::try_from(phones.len())?.max(1));
    let total = how.steps * phones.len() as u64;
    let totals = Arc::new(Totals::default());
    let ingest = grpc::BearerToken::new(how.token)
        .context("the organizer's token is not visible ASCII")?
        .sign(grpc::channel(how.ingest_url)?);

    // Phone i is served by stream i % streams.
    let mut shares: Vec<Vec<P>> = (0..streams).map(|_| Vec::new()).collect();
    for (i, phone) in phones.into_iter().enumerate() {
        shares[i % streams as usize].push(phone);
    }
    let began = Instant::now();
    let began_at = Utc::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, share) in shares.into_iter().enumerate() {
        let plan = StreamPlan {
            phones: share,
            start: how.start,
            interval: how.interval,
            steps: how.steps,
            segment: how.segment,
            batched: how.batched,
            rate: how.rate / f64::from(streams),
            seed: how.seed.wrapping_add(index as u64 + 1),
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
    Ok(Transmitted {
        sent: totals.sent.load(Ordering::Relaxed),
        accepted: totals.accepted.load(Ordering::Relaxed),
        rejected: totals.rejected.load(Ordering::Relaxed),
        began: began_at,
        elapsed: began.elapsed(),
        failure: failure.map(|error| format!("{error:#}")),
    })
}

/// What one client stream sends.
struct StreamPlan<P> {
    phones: Vec<P>,
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
async fn play<P: Phone>(
    plan: StreamPlan<P>,
    client: IngestServiceClient<SignedChannel>,
    totals: Arc<Totals>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let mut rng = fastrand::Rng::with_seed(plan.seed);
    // Phones are not synchronised: each pings at its own phase.
    let phases: Vec<TimeDelta> = plan
        .phones
        .iter()
        .map(|_| TimeDelta::milliseconds(rng.i64(0..plan.interval.num_milliseconds())))
        .collect();
    let mut pacer = Pacer::new(plan.rate);
    let mut segment = Vec::with_capacity(plan.segment);
    for step in 0..plan.steps {
        let tick = plan.start + plan.interval * step as i32;
        for (phone, phase) in plan.phones.iter().zip(&phases) {
            let time = tick + *phase;
            let (latitude, longitude) = phone.position(time, &mut rng);
            segment.push(v1::Ping {
                // Time-ordered ids, as we recommend phones generate them.
                event_id: Uuid::now_v7().to_string(),
                person_id: phone.person_id(),
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
    client: &IngestServiceClient<SignedChannel>,
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
    client: &IngestServiceClient<SignedChannel>,
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
    client: &IngestServiceClient<SignedChannel>,
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
