//! `StreamPings`: a phone's stream, open for as long as the phone likes.
//! Pings are admitted in chunks as they arrive and settle as Kafka takes
//! them; about every second the phone hears how far the stream has come
//! (which pings it may forget, which were refused), and once more when it
//! closes its side and everything is settled.

use std::{collections::BTreeSet, time::Duration};

use futures::{FutureExt, StreamExt, stream::FuturesUnordered};
use tokio::{sync::mpsc, time::Instant};
use tonic::{Status, Streaming};
use udaconnect_messaging::ProduceError;
use udaconnect_proto::v1;
use udaconnect_runtime::grpc;

use crate::admission::{
    Admitter, Sender, count_rejections, is_not_accepted, not_accepted, warn_not_accepted,
};

/// How often a stream with news is acknowledged.
const ACK_INTERVAL: Duration = Duration::from_secs(1);

/// Rejections one ack lists one by one; the rest are only counted.
const MAX_LISTED_PER_ACK: usize = 1_000;

/// Pings read from a stream and validated together.
const STREAM_CHUNK: usize = 1_000;

/// Pings of one stream waiting for Kafka's acknowledgement at most: a
/// stream is read no faster than Kafka takes it, which bounds memory and
/// pushes back on the phone instead of timing its pings out.
const MAX_IN_FLIGHT_PER_STREAM: usize = 2_000;

/// Where a stream stands.
#[derive(Debug, Default)]
struct Progress {
    /// Pings received so far: the position of the next one.
    received: u64,
    /// Positions of pings queued for Kafka and not yet settled.
    outstanding: BTreeSet<u64>,
    accepted: u64,
    rejected_total: u64,
    /// Rejections not yet reported to the phone (the first of them).
    unreported: Vec<v1::PingRejection>,
    /// Whether anything happened since the last ack.
    news: bool,
    /// Pings Kafka did not take, and the first reason, logged once at the end.
    not_accepted: u64,
    not_accepted_reason: Option<String>,
}

impl Progress {
    fn receive(&mut self, count: usize, queued: impl IntoIterator<Item = u64>) {
        self.received += count as u64;
        self.outstanding.extend(queued);
        self.news = true;
    }

    fn reject(&mut self, rejections: Vec<v1::PingRejection>) {
        count_rejections(&rejections);
        self.rejected_total += rejections.len() as u64;
        for rejection in rejections.iter().filter(|r| is_not_accepted(r)) {
            self.not_accepted += 1;
            self.not_accepted_reason
                .get_or_insert_with(|| rejection.reason.clone());
        }
        let room = MAX_LISTED_PER_ACK.saturating_sub(self.unreported.len());
        self.unreported.extend(rejections.into_iter().take(room));
        self.news = true;
    }

    fn settle(&mut self, index: u64, outcome: Result<(), ProduceError>) {
        self.outstanding.remove(&index);
        match outcome {
            Ok(()) => {
                metrics::counter!("ingest_pings_accepted_total").increment(1);
                self.accepted += 1;
                self.news = true;
            }
            Err(error) => self.reject(vec![not_accepted(index, &error)]),
        }
    }

    /// The ack of everything so far; the rejections listed are forgotten.
    fn ack(&mut self) -> v1::PingStreamAck {
        self.news = false;
        let mut rejected = std::mem::take(&mut self.unreported);
        rejected.sort_by_key(|rejection| rejection.index);
        v1::PingStreamAck {
            settled_through: self.outstanding.first().copied().unwrap_or(self.received),
            accepted: self.accepted,
            rejected,
            rejected_total: self.rejected_total,
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(reason) = &self.not_accepted_reason {
            warn_not_accepted(self.not_accepted, reason);
        }
    }
}

/// Serves one stream: reads `pings`, admits them through `admitter` as
/// `sender`'s (a phone revoked meanwhile ends the stream), and
/// sends acks to `acks` until the phone closes its side (then a last ack
/// once every ping is settled), the phone goes away, or no ping comes for
/// `idle_timeout` (then the last ack and `DEADLINE_EXCEEDED`). A failure to
/// admit (the persons service is away) ends the stream the same way, with
/// its status, after the pings already queued are settled.
pub(crate) async fn serve(
    admitter: Admitter,
    sender: Sender,
    pings: Streaming<v1::Ping>,
    traceparent: String,
    idle_timeout: Duration,
    acks: mpsc::Sender<Result<v1::PingStreamAck, Status>>,
) {
    let mut progress = Progress::default();
    let mut in_flight = FuturesUnordered::new();
    let mut chunks = pings.ready_chunks(STREAM_CHUNK);
    let mut ticker = tokio::time::interval_at(Instant::now() + ACK_INTERVAL, ACK_INTERVAL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The phone's last sign of life, or Kafka's while it holds the stream back.
    let mut last_activity = Instant::now();
    let mut open = true;

    let ending = loop {
        if !open && in_flight.is_empty() {
            break None;
        }
        tokio::select! {
            chunk = chunks.next(), if open && in_flight.len() < MAX_IN_FLIGHT_PER_STREAM => {
                let Some(chunk) = chunk else {
                    open = false;
                    continue;
                };
                last_activity = Instant::now();
                let chunk: Vec<v1::Ping> = match chunk.into_iter().collect() {
                    Ok(chunk) => chunk,
                    Err(status) => break Some(grpc::unreadable_is_invalid(status)),
                };
                let admission = match admitter.admit(&chunk, progress.received, &traceparent, sender).await {
                    Ok(admission) => admission,
                    Err(error) => break Some(Status::from(error)),
                };
                progress.receive(chunk.len(), admission.queued.iter().map(|queued| queued.index));
                progress.reject(admission.rejected);
                in_flight.extend(admission.queued.into_iter().map(|queued| async move {
                    (queued.index, queued.delivery.acknowledged().await)
                }));
            }
            Some((index, outcome)) = in_flight.next(), if !in_flight.is_empty() => {
                last_activity = Instant::now();
                progress.settle(index, outcome);
                // Deliveries settle in bursts: take every one that is done
                // before going round the loop again.
                while let Some(Some((index, outcome))) = in_flight.next().now_or_never() {
                    progress.settle(index, outcome);
                }
            }
            _ = ticker.tick() => {
                if open && last_activity.elapsed() >= idle_timeout {
                    break Some(Status::deadline_exceeded(format!(
                        "no ping for {} s; open a new stream to send more",
                        idle_timeout.as_secs()
                    )));
                }
                if progress.news && acks.send(Ok(progress.ack())).await.is_err() {
                    // The phone went away; what it sent is queued regardless.
                    return;
                }
            }
        }
    };
    // Whatever ended the stream, the pings already queued are settled and
    // the phone hears about them before the stream closes.
    while let Some((index, outcome)) = in_flight.next().await {
        progress.settle(index, outcome);
    }
    if acks.send(Ok(progress.ack())).await.is_ok()
        && let Some(status) = ending
    {
        let _ = acks.send(Err(status)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watermark_waits_for_the_oldest_unsettled_ping() {
        let mut progress = Progress::default();
        progress.receive(4, [0, 1, 3]);
        progress.reject(vec![v1::PingRejection {
            index: 2,
            reason: "latitude: out of range".to_owned(),
            code: 3,
        }]);
        progress.settle(1, Ok(()));
        progress.settle(3, Ok(()));
        let ack = progress.ack();
        assert_eq!(ack.settled_through, 0, "ping 0 is still on its way");
        assert_eq!((ack.accepted, ack.rejected_total), (2, 1));
        assert_eq!(ack.rejected.len(), 1);

        progress.settle(0, Ok(()));
        let ack = progress.ack();
        assert_eq!(ack.settled_through, 4);
        assert_eq!(ack.accepted, 3);
        assert!(ack.rejected.is_empty(), "a rejection is reported once");
        assert!(!progress.news);
    }

    #[test]
    fn an_ack_lists_a_bounded_number_of_rejections_and_counts_them_all() {
        let mut progress = Progress::default();
        let rejections = (0..3 * MAX_LISTED_PER_ACK as u32)
            .map(|index| v1::PingRejection {
                index,
                reason: "person_id: no person with id 9".to_owned(),
                code: 5,
            })
            .collect();
        progress.receive(3 * MAX_LISTED_PER_ACK, []);
        progress.reject(rejections);
        let ack = progress.ack();
        assert_eq!(ack.rejected.len(), MAX_LISTED_PER_ACK);
        assert_eq!(ack.rejected_total, 3 * MAX_LISTED_PER_ACK as u64);
        assert_eq!(ack.settled_through, 3 * MAX_LISTED_PER_ACK as u64);
    }
}
