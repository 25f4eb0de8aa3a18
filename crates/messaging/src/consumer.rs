//! Reading a topic in batches as a consumer group member that commits only
//! what its caller has safely processed, so that a crash re-delivers instead
//! of losing. Callers see [`Record`]s, never the Kafka client's types.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use rdkafka::{
    Message, Offset, TopicPartitionList,
    consumer::{CommitMode, Consumer, StreamConsumer},
    error::{KafkaError, KafkaResult},
    message::{BorrowedMessage, Headers, OwnedMessage},
};
use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};

use udaconnect_proto::v1::{LocationEvent, PersonErased};

use crate::{
    ConsumerMetrics, DLQ_ORIGIN_HEADER, DLQ_REASON_HEADER, DecodeError, KafkaSettings, Outgoing,
    erasure::PERSON_ERASED_CONTENT_TYPE,
};

/// Longest the last offset commit may take at shutdown.
const FINAL_COMMIT_TIMEOUT: Duration = Duration::from_secs(5);

/// How often a consumer's lag is measured at the brokers.
const LAG_PERIOD: Duration = Duration::from_secs(5);

/// Longest one question of a lag measurement may wait for the brokers.
const LAG_TIMEOUT: Duration = Duration::from_secs(5);

/// The span of processing one batch. One batch carries pings of many
/// traces: its parent is the span that published the first record (its
/// `traceparent`), and it links to those of the others, so each ping's trace
/// leads through it to the calls the batch makes.
pub fn batch_span(batch: &[Record]) -> tracing::Span {
    let span = tracing::info_span!("process", records = batch.len(), otel.kind = "consumer");
    udaconnect_telemetry::follow_traceparents(
        &span,
        batch
            .iter()
            .filter_map(|record| record.header(crate::TRACEPARENT_HEADER)),
    );
    span
}

/// One record read from a topic, owned by the caller.
#[derive(Debug)]
pub struct Record(OwnedMessage);

impl Record {
    /// The payload bytes, if any.
    pub fn payload(&self) -> Option<&[u8]> {
        self.0.payload()
    }

    /// The value of header `key`, if present and text.
    pub fn header(&self, key: &str) -> Option<String> {
        crate::header(&self.0, key)
    }

    /// The record read as a location event.
    pub fn location_event(&self) -> Result<LocationEvent, DecodeError> {
        crate::decode_location_event(&self.0)
    }

    /// The record read as a person's erasure.
    pub fn person_erased(&self) -> Result<PersonErased, DecodeError> {
        crate::event::decode(&self.0, PERSON_ERASED_CONTENT_TYPE)
    }

    /// Where the record was read: `topic/partition/offset`.
    pub fn origin(&self) -> String {
        format!(
            "{}/{}/{}",
            self.0.topic(),
            self.0.partition(),
            self.0.offset()
        )
    }

    /// The headers of this record's copy on a dead-letter topic: its own,
    /// with the reason and its origin added.
    pub fn dead_letter_headers(&self, reason: &str) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .0
            .headers()
            .map(|headers| {
                headers
                    .iter()
                    .filter(|header| header.key != DLQ_REASON_HEADER)
                    .map(|header| {
                        let value = header
                            .value
                            .map(String::from_utf8_lossy)
                            .unwrap_or_default();
                        (header.key.to_owned(), value.into_owned())
                    })
                    .collect()
            })
            .unwrap_or_default();
        headers.push((DLQ_REASON_HEADER.to_owned(), reason.to_owned()));
        headers.push((DLQ_ORIGIN_HEADER.to_owned(), self.origin()));
        headers
    }

    /// This record, sent to `topic` with `headers` (see
    /// [`Record::dead_letter_headers`]).
    pub fn resend_to<'a>(
        &'a self,
        topic: &'a str,
        headers: &'a [(&'a str, &'a str)],
    ) -> Outgoing<'a> {
        Outgoing {
            topic,
            key: self.0.key().unwrap_or_default(),
            payload: self.0.payload().unwrap_or_default(),
            headers,
        }
    }
}

impl From<&BorrowedMessage<'_>> for Record {
    fn from(message: &BorrowedMessage<'_>) -> Self {
        Self(message.detach())
    }
}

/// The next offset of each partition a batch read, to be committed.
#[derive(Debug, Clone)]
pub struct Offsets(TopicPartitionList);

/// A consumer group member that never commits on its own.
#[derive(Clone)]
pub struct EventConsumer {
    consumer: Arc<StreamConsumer<ConsumerMetrics>>,
    group: Arc<str>,
    /// When the batch in hand was handed out, for the time its caller takes
    /// to store it (`consumer_write_batch_seconds`).
    handed_out: Arc<Mutex<Option<Instant>>>,
    /// Stops the lag reports when the last clone goes.
    _lag_reports: Arc<DropGuard>,
}

impl std::fmt::Debug for EventConsumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventConsumer").finish_non_exhaustive()
    }
}

impl EventConsumer {
    /// Joins `group` and subscribes to `topic`.
    /// Must be called within a Tokio runtime, which reports the lag.
    pub fn subscribe(settings: &KafkaSettings, group: &str, topic: &str) -> KafkaResult<Self> {
        let consumer = Arc::new(settings.consumer(group)?);
        consumer.subscribe(&[topic])?;
        let stop = CancellationToken::new();
        tokio::spawn(report_lag(Arc::clone(&consumer), stop.clone()));
        Ok(Self {
            consumer,
            group: group.into(),
            handed_out: Arc::default(),
            _lag_reports: Arc::new(stop.drop_guard()),
        })
    }

    /// Up to `size` records: waits for the first, then at most `linger` for
    /// more. Empty only at shutdown. Client errors are logged and counted;
    /// the client reconnects by itself.
    pub async fn next_batch(
        &self,
        size: usize,
        linger: Duration,
        shutdown: &CancellationToken,
    ) -> Vec<Record> {
        let mut batch = Vec::new();
        let mut deadline = None;
        while batch.len() < size {
            let received = tokio::select! {
                _ = shutdown.cancelled() => break,
                received = self.receive(deadline) => received,
            };
            match received {
                Some(Ok(message)) => {
                    batch.push(Record::from(&message));
                    deadline.get_or_insert_with(|| Instant::now() + linger);
                }
                Some(Err(error)) => {
                    tracing::warn!(%error, "Kafka consumer error");
                    metrics::counter!("consumer_kafka_errors_total").increment(1);
                }
                None => break,
            }
        }
        *self.handed_out() = (!batch.is_empty()).then(Instant::now);
        batch
    }

    fn handed_out(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.handed_out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next record, or `None` once `deadline` passes.
    async fn receive(&self, deadline: Option<Instant>) -> Option<KafkaResult<BorrowedMessage<'_>>> {
        match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, self.consumer.recv())
                .await
                .ok(),
            None => Some(self.consumer.recv().await),
        }
    }

    /// Commits, per partition, the offset after the batch's last record, in
    /// the background. A failed commit only means re-delivery, so it is
    /// logged, not fatal. Returns the offsets for [`EventConsumer::commit_last`].
    pub fn commit(&self, batch: &[Record]) -> Offsets {
        if let Some(handed_out) = self.handed_out().take() {
            metrics::histogram!("consumer_write_batch_seconds", "group" => self.group.to_string())
                .record(handed_out.elapsed().as_secs_f64());
        }
        let mut next: BTreeMap<(&str, i32), i64> = BTreeMap::new();
        for Record(message) in batch {
            let offset = next
                .entry((message.topic(), message.partition()))
                .or_default();
            *offset = (*offset).max(message.offset() + 1);
        }
        let mut offsets = TopicPartitionList::with_capacity(next.len());
        for ((topic, partition), offset) in next {
            if let Err(error) =
                offsets.add_partition_offset(topic, partition, Offset::Offset(offset))
            {
                tracing::warn!(%error, topic, partition, "cannot record an offset to commit");
            }
        }
        if let Err(error) = self.consumer.commit(&offsets, CommitMode::Async) {
            tracing::warn!(%error, "offset commit failed; the batch may be delivered again");
        }
        Offsets(offsets)
    }

    /// Makes the last commit stick before the consumer leaves: a synchronous
    /// commit, waited for at most five seconds so that shutdown never hangs
    /// on a broker that is gone. If it does not finish, the last batch is
    /// delivered again later, which idempotent processing makes harmless.
    pub async fn commit_last(&self, Offsets(offsets): Offsets) {
        let consumer = Arc::clone(&self.consumer);
        let (done, outcome) = tokio::sync::oneshot::channel::<Result<(), KafkaError>>();
        // A thread of its own: a blocking pool task that never returns would
        // hold up the runtime's shutdown.
        std::thread::spawn(move || {
            let _ = done.send(consumer.commit(&offsets, CommitMode::Sync));
        });
        match tokio::time::timeout(FINAL_COMMIT_TIMEOUT, outcome).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => tracing::warn!(%error, "final offset commit failed"),
            Ok(Err(_)) | Err(_) => tracing::warn!("final offset commit did not finish in time"),
        }
    }
}

/// Publishes, every [`LAG_PERIOD`] until `stop`, how far the group's
/// committed offset of each partition this member holds is behind the
/// partition's end: the records still to be stored. Measured at the brokers
/// rather than taken from the client's statistics, which it only hands over
/// while it is polled: a member stuck retrying a write would report nothing
/// just when its lag matters.
async fn report_lag(consumer: Arc<StreamConsumer<ConsumerMetrics>>, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(LAG_PERIOD);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        // The client's questions block their thread.
        let consumer = Arc::clone(&consumer);
        match tokio::task::spawn_blocking(move || measure_lag(&consumer)).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::debug!(%error, "consumer lag not measured"),
            Err(error) => tracing::warn!(%error, "consumer lag measurement failed"),
        }
    }
}

/// One lag measurement of the partitions assigned to `consumer`.
fn measure_lag(consumer: &StreamConsumer<ConsumerMetrics>) -> KafkaResult<()> {
    for partition in consumer.committed(LAG_TIMEOUT)?.elements() {
        let (topic, number) = (partition.topic(), partition.partition());
        let (start, end) = consumer.fetch_watermarks(topic, number, LAG_TIMEOUT)?;
        // Nothing committed yet: everything kept is still to be read.
        let committed = match partition.offset() {
            Offset::Offset(offset) => offset,
            _ => start,
        };
        consumer
            .context()
            .set_lag(topic, number, (end - committed).max(0));
    }
    Ok(())
}
