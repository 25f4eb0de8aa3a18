//! The location consumer: reads the locations topic in batches, writes each
//! batch through the locations service, and only then commits the offsets.
//! A crash at any point re-delivers instead of losing, and the per-event id
//! makes re-delivery harmless. Records that can never be written go to the
//! dead-letter topic with the reason, so one bad record cannot stall the
//! stream.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use tokio::{net::TcpListener, time::Instant};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use udaconnect_messaging::{
    DLQ_REASON_HEADER, EventProducer, Outgoing, decode_location_event,
    rdkafka::{
        Message, Offset, TopicPartitionList,
        consumer::{CommitMode, Consumer, StreamConsumer},
        error::KafkaResult,
        message::{BorrowedMessage, Headers, OwnedMessage},
    },
};
use udaconnect_proto::{
    new_location_from_event,
    v1::{self, location_service_client::LocationServiceClient},
};

use crate::{
    admin,
    backoff::Backoff,
    config::{ConsumerArgs, KafkaArgs},
    grpc,
    locations::MAX_WRITE_BATCH,
};

/// Longest the consumer waits for its last offset commit at shutdown.
const FINAL_COMMIT_TIMEOUT: Duration = Duration::from_secs(5);

/// Header naming where a dead-lettered record came from (`topic/partition/offset`).
pub const DLQ_ORIGIN_HEADER: &str = "dlq-origin";

/// How the consumer batches its work and where dead letters go.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// Topic of accepted pings.
    pub topic: String,
    /// Topic of records that can never be written.
    pub dlq_topic: String,
    /// Most records written in one batch.
    pub batch_size: usize,
    /// Longest a batch waits to fill after its first record.
    pub batch_linger: Duration,
}

/// The consumer's connections: Kafka in, the locations service out.
pub struct LocationConsumer {
    consumer: Arc<StreamConsumer>,
    locations: LocationServiceClient<Channel>,
    dead_letters: EventProducer,
    settings: ConsumerSettings,
}

/// What became of a batch.
enum Outcome {
    /// Every record is written or dead-lettered: its offsets may be committed.
    Done,
    /// Shutdown came while a dependency was failing; nothing is committed and
    /// the batch will be delivered again.
    Interrupted,
}

impl LocationConsumer {
    /// A consumer that has joined its group and subscribed to the topic.
    pub fn new(
        consumer: StreamConsumer,
        locations: Channel,
        dead_letters: EventProducer,
        settings: ConsumerSettings,
    ) -> KafkaResult<Self> {
        consumer.subscribe(&[&settings.topic])?;
        Ok(Self {
            consumer: Arc::new(consumer),
            locations: LocationServiceClient::new(locations),
            dead_letters,
            settings,
        })
    }

    /// Consumes until `shutdown`; the batch in hand is finished and committed
    /// before returning.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let mut committed = None;
        loop {
            let batch = self.next_batch(&shutdown).await;
            if !batch.is_empty() {
                match self.process(&batch, &shutdown).await {
                    Outcome::Done => committed = Some(self.commit(&batch)),
                    Outcome::Interrupted => break,
                }
            }
            if shutdown.is_cancelled() {
                break;
            }
        }
        if let Some(offsets) = committed {
            self.commit_last(offsets).await;
        }
        tracing::info!("location consumer stopped");
        Ok(())
    }

    /// Makes the last commit stick before the consumer leaves: a synchronous
    /// commit, waited for at most [`FINAL_COMMIT_TIMEOUT`] so that shutdown
    /// never hangs on a broker that is gone. If it does not finish, the last
    /// batch is delivered again later, which the event ids make harmless.
    async fn commit_last(&self, offsets: TopicPartitionList) {
        let consumer = Arc::clone(&self.consumer);
        let (done, outcome) = tokio::sync::oneshot::channel();
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

    /// Up to `batch_size` records: waits for the first, then at most
    /// `batch_linger` for more. Empty only at shutdown.
    async fn next_batch(&self, shutdown: &CancellationToken) -> Vec<OwnedMessage> {
        let mut batch = Vec::new();
        let mut deadline = None;
        while batch.len() < self.settings.batch_size {
            let received = tokio::select! {
                _ = shutdown.cancelled() => break,
                received = self.receive(deadline) => received,
            };
            match received {
                Some(Ok(record)) => {
                    batch.push(record.detach());
                    deadline.get_or_insert_with(|| Instant::now() + self.settings.batch_linger);
                }
                Some(Err(error)) => {
                    // The client reconnects by itself; note it and keep polling.
                    tracing::warn!(%error, "Kafka consumer error");
                    metrics::counter!("consumer_kafka_errors_total").increment(1);
                }
                None => break,
            }
        }
        batch
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

    /// Writes the batch's pings (retrying until the write succeeds) and
    /// dead-letters the records that can never be written.
    #[tracing::instrument(skip_all, fields(records = batch.len()))]
    async fn process(&self, batch: &[OwnedMessage], shutdown: &CancellationToken) -> Outcome {
        let mut pings = Vec::with_capacity(batch.len());
        let mut origins = Vec::with_capacity(batch.len());
        let mut dead = Vec::new();
        for (position, record) in batch.iter().enumerate() {
            match decode_location_event(record) {
                Ok(event) => {
                    pings.push(new_location_from_event(&event));
                    origins.push(position);
                }
                Err(error) => dead.push((position, error.to_string())),
            }
        }

        for (chunk_index, chunk) in pings.chunks(MAX_WRITE_BATCH).enumerate() {
            let Some(response) = self.write(chunk, shutdown).await else {
                return Outcome::Interrupted;
            };
            metrics::counter!("consumer_records_total", "outcome" => "written")
                .increment(response.written.into());
            metrics::counter!("consumer_records_total", "outcome" => "duplicate")
                .increment(response.duplicates.into());
            let first = chunk_index * MAX_WRITE_BATCH;
            dead.extend(
                response
                    .rejected
                    .into_iter()
                    .map(|rejected| (origins[first + rejected.index as usize], rejected.reason)),
            );
        }

        for (position, reason) in dead {
            if !self.dead_letter(&batch[position], &reason, shutdown).await {
                return Outcome::Interrupted;
            }
        }
        Outcome::Done
    }

    /// One `WriteLocations` call, retried with backoff until it succeeds;
    /// `None` if shutdown comes first.
    async fn write(
        &self,
        pings: &[v1::NewLocation],
        shutdown: &CancellationToken,
    ) -> Option<v1::WriteLocationsResponse> {
        let mut backoff = Backoff::new();
        loop {
            let request = v1::WriteLocationsRequest {
                locations: pings.to_vec(),
            };
            match self.locations.clone().write_locations(request).await {
                Ok(response) => return Some(response.into_inner()),
                Err(status) => {
                    tracing::warn!(%status, records = pings.len(), "write failed; retrying");
                    metrics::counter!("consumer_write_retries_total").increment(1);
                }
            }
            if !backoff.wait(shutdown).await {
                return None;
            }
        }
    }

    /// Copies `record` to the dead-letter topic with `reason`, retrying until
    /// Kafka has it; `false` if shutdown comes first.
    async fn dead_letter(
        &self,
        record: &OwnedMessage,
        reason: &str,
        shutdown: &CancellationToken,
    ) -> bool {
        tracing::warn!(
            partition = record.partition(),
            offset = record.offset(),
            reason,
            "dead-lettering a record"
        );
        let origin = format!(
            "{}/{}/{}",
            record.topic(),
            record.partition(),
            record.offset()
        );
        let mut headers: Vec<(String, String)> = record
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
        headers.push((DLQ_ORIGIN_HEADER.to_owned(), origin));
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        let outgoing = Outgoing {
            topic: &self.settings.dlq_topic,
            key: record.key().unwrap_or_default(),
            payload: record.payload().unwrap_or_default(),
            headers: &headers,
        };

        let mut backoff = Backoff::new();
        loop {
            match self.dead_letters.send(outgoing).await {
                Ok(()) => {
                    metrics::counter!("consumer_records_total", "outcome" => "dead_lettered")
                        .increment(1);
                    return true;
                }
                Err(error) => tracing::warn!(%error, "dead-letter write failed; retrying"),
            }
            if !backoff.wait(shutdown).await {
                return false;
            }
        }
    }

    /// Commits, per partition, the offset after the batch's last record, in
    /// the background. A failed commit only means re-delivery, so it is
    /// logged, not fatal. Returns the offsets for the final commit.
    fn commit(&self, batch: &[OwnedMessage]) -> TopicPartitionList {
        let mut next: BTreeMap<(&str, i32), i64> = BTreeMap::new();
        for record in batch {
            let offset = next
                .entry((record.topic(), record.partition()))
                .or_default();
            *offset = (*offset).max(record.offset() + 1);
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
        offsets
    }
}

/// Runs the consumer and its operational endpoints until `shutdown`.
pub async fn run(
    consumer: LocationConsumer,
    locations: Channel,
    admin_listener: Option<TcpListener>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let admin_task = admin_listener.map(|listener| {
        let readiness = grpc::peer_readiness(vec![("locations", locations)]);
        tokio::spawn(admin::serve(listener, readiness, shutdown.clone()))
    });
    let consumed = consumer.run(shutdown).await;
    if let Some(task) = admin_task {
        task.await??;
    }
    consumed
}

/// Starts the consumer as configured (`udaconnect location-consumer`):
/// creates the topics when missing, joins the group, consumes.
pub async fn start(
    args: &ConsumerArgs,
    kafka: &KafkaArgs,
    locations_url: &str,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=MAX_WRITE_BATCH).contains(&args.batch_size),
        "the batch size must be within 1..={MAX_WRITE_BATCH}"
    );
    let settings = kafka.settings();
    crate::topics::ensure(&settings, &kafka.topics(), &shutdown).await?;
    let channel = grpc::channel(locations_url)?;
    let consumer = LocationConsumer::new(
        settings.consumer(&args.consumer_group)?,
        channel.clone(),
        EventProducer::new(&settings)?,
        ConsumerSettings {
            topic: kafka.locations_topic.clone(),
            dlq_topic: kafka.dlq_topic.clone(),
            batch_size: args.batch_size,
            batch_linger: args.batch_linger,
        },
    )?;
    run(
        consumer,
        channel,
        Some(TcpListener::bind(args.admin_listen).await?),
        shutdown,
    )
    .await
}
