use std::{
    sync::{Arc, Mutex, PoisonError, RwLock},
    time::{Duration, Instant},
};

use rdkafka::{
    error::{KafkaError, RDKafkaErrorCode},
    message::{Header, OwnedHeaders},
    producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer},
};

use crate::{
    KafkaSettings,
    observed::{ProducerMetrics, STATISTICS_INTERVAL_MS},
};

/// Why a record was not durably accepted by Kafka. Every variant means "not
/// stored": the caller may retry with the same event id.
#[derive(Debug, thiserror::Error)]
pub enum ProduceError {
    /// The local send queue is full: the brokers are slow or gone.
    #[error("Kafka send queue full")]
    QueueFull,
    /// The brokers did not acknowledge in time.
    #[error("Kafka did not acknowledge in time")]
    TimedOut,
    /// Kafka refused the record or the client failed.
    #[error("Kafka error: {0}")]
    Kafka(KafkaError),
}

/// Records the producer holds in memory at most while brokers catch up.
const MAX_QUEUED_RECORDS: &str = "200000";

/// A producer for which "sent" means "every in-sync replica has it":
/// `acks=all` and idempotence, so retries inside the client cannot duplicate
/// or reorder records.
///
/// It heals itself: when every delivery has failed for three produce
/// timeouts in a row, the client is replaced by a fresh one. An idempotent
/// client can get stuck for good when the broker forgets its producer state
/// (the development broker does on restart); a new client starts a new
/// producer session, and the pipeline's event ids keep re-sent pings single.
#[derive(Clone)]
pub struct EventProducer {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EventProducer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventProducer").finish_non_exhaustive()
    }
}

struct Shared {
    settings: KafkaSettings,
    client: RwLock<FutureProducer<ProducerMetrics>>,
    /// When the current run of failed deliveries began, if one is running.
    failing_since: Mutex<Option<Instant>>,
}

impl Shared {
    fn client(&self) -> FutureProducer<ProducerMetrics> {
        self.client
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Notes a delivery's outcome, replacing the client after a long enough
    /// run of failures.
    fn record(&self, delivered: bool) {
        let mut failing_since = self
            .failing_since
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if delivered {
            *failing_since = None;
            return;
        }
        let started = *failing_since.get_or_insert_with(Instant::now);
        if started.elapsed() < self.settings.produce_timeout * 3 {
            return;
        }
        match create_client(&self.settings) {
            Ok(fresh) => {
                tracing::warn!(
                    failing_for = ?started.elapsed(),
                    "every Kafka delivery failed for a while; replaced the producer client"
                );
                *self.client.write().unwrap_or_else(PoisonError::into_inner) = fresh;
                *failing_since = None;
            }
            Err(error) => tracing::error!(%error, "cannot create a Kafka producer client"),
        }
    }
}

fn create_client(settings: &KafkaSettings) -> Result<FutureProducer<ProducerMetrics>, KafkaError> {
    let timeout_ms = settings.produce_timeout.as_millis().max(1).to_string();
    settings
        .client_config()
        .set(
            "enable.idempotence",
            settings.idempotent_producer.to_string(),
        )
        .set("acks", "all")
        .set("message.timeout.ms", &timeout_ms)
        .set("linger.ms", "2")
        .set("batch.num.messages", "10000")
        .set("queue.buffering.max.messages", MAX_QUEUED_RECORDS)
        .set("statistics.interval.ms", STATISTICS_INTERVAL_MS)
        .create_with_context(ProducerMetrics)
}

/// A record to send.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// Destination topic.
    pub topic: &'a str,
    /// Partitioning key.
    pub key: &'a [u8],
    /// Payload bytes.
    pub payload: &'a [u8],
    /// Headers as (name, value) pairs.
    pub headers: &'a [(&'a str, &'a str)],
}

impl EventProducer {
    /// Connects lazily to the brokers of `settings`.
    pub fn new(settings: &KafkaSettings) -> Result<Self, KafkaError> {
        Ok(Self {
            shared: Arc::new(Shared {
                client: RwLock::new(create_client(settings)?),
                settings: settings.clone(),
                failing_since: Mutex::new(None),
            }),
        })
    }

    /// Queues a record and returns the acknowledgement to wait for. Fails at
    /// once when the local queue is full, so memory stays bounded and callers
    /// hear "unavailable" instead of waiting.
    pub fn enqueue(&self, record: Outgoing<'_>) -> Result<PendingDelivery, ProduceError> {
        let headers = record
            .headers
            .iter()
            .fold(OwnedHeaders::new(), |headers, (key, value)| {
                headers.insert(Header {
                    key,
                    value: Some(*value),
                })
            });
        let future_record = FutureRecord::to(record.topic)
            .key(record.key)
            .payload(record.payload)
            .headers(headers);
        match self.shared.client().send_result(future_record) {
            Ok(delivery) => Ok(PendingDelivery {
                delivery,
                producer: Arc::clone(&self.shared),
            }),
            Err((error, _)) => {
                self.shared.record(false);
                match error {
                    KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull) => {
                        Err(ProduceError::QueueFull)
                    }
                    error => Err(ProduceError::Kafka(error)),
                }
            }
        }
    }

    /// Sends one record and waits for the acknowledgement.
    pub async fn send(&self, record: Outgoing<'_>) -> Result<(), ProduceError> {
        self.enqueue(record)?.acknowledged().await
    }

    /// Whether the brokers answer a metadata request within `timeout`.
    pub async fn check_brokers(&self, timeout: Duration) -> Result<(), String> {
        let producer = self.shared.client();
        tokio::task::spawn_blocking(move || {
            producer
                .client()
                .fetch_metadata(None, timeout)
                .map(|_| ())
                .map_err(|error| format!("Kafka: {error}"))
        })
        .await
        .map_err(|error| format!("Kafka check failed: {error}"))?
    }

    /// Waits until every queued record is acknowledged or `timeout` passes.
    /// librdkafka's flush blocks its thread, so it runs off the async workers.
    pub async fn flush(&self, timeout: Duration) {
        let producer = self.shared.client();
        let flushed = tokio::task::spawn_blocking(move || producer.flush(timeout)).await;
        match flushed {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "records still unacknowledged at shutdown"),
            Err(error) => tracing::warn!(%error, "the flush did not finish"),
        }
    }
}

/// A queued record's acknowledgement.
pub struct PendingDelivery {
    delivery: DeliveryFuture,
    producer: Arc<Shared>,
}

impl std::fmt::Debug for PendingDelivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingDelivery").finish_non_exhaustive()
    }
}

impl PendingDelivery {
    /// Resolves once Kafka has the record (or has definitely not taken it).
    pub async fn acknowledged(mut self) -> Result<(), ProduceError> {
        let outcome = self.outcome().await;
        self.producer.record(outcome.is_ok());
        outcome
    }

    async fn outcome(&mut self) -> Result<(), ProduceError> {
        match (&mut self.delivery).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err((KafkaError::MessageProduction(RDKafkaErrorCode::MessageTimedOut), _))) => {
                Err(ProduceError::TimedOut)
            }
            Ok(Err((error, _))) => Err(ProduceError::Kafka(error)),
            // The producer was dropped with the record still queued.
            Err(_canceled) => Err(ProduceError::TimedOut),
        }
    }
}
