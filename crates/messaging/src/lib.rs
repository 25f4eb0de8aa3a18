//! Kafka plumbing for UdaConnect: topic creation, the location event format
//! and its headers, the erasure records, the publisher of accepted pings, and a producer and a
//! batching consumer chosen for "an acknowledged ping is never lost"
//! (idempotent producer, `acks=all`, offsets committed after the write).

mod consumer;
mod erasure;
mod event;
mod observed;
mod producer;
mod publisher;
mod topics;

pub use consumer::{EventConsumer, Offsets, Record, batch_span};
pub use erasure::{ErasurePublisher, PERSON_ERASED_CONTENT_TYPE};
pub use event::{
    CONTENT_TYPE_HEADER, DLQ_ORIGIN_HEADER, DLQ_REASON_HEADER, DecodeError,
    LOCATION_EVENT_CONTENT_TYPE, TRACEPARENT_HEADER, decode_location_event, encode_location_event,
    header,
};
pub use observed::{ConsumerMetrics, ProducerMetrics};
pub use producer::{EventProducer, Outgoing, PendingDelivery, ProduceError};
pub use publisher::{LocationPublisher, Source, traceparent};
pub use topics::{TopicSpec, ensure_topics};

use std::time::Duration;

use rdkafka::{ClientConfig, consumer::StreamConsumer, error::KafkaResult};

/// Where the brokers are and how long a produce may wait for them.
#[derive(Debug, Clone)]
pub struct KafkaSettings {
    /// Comma-separated `host:port` list.
    pub bootstrap_servers: String,
    /// Longest a produced record may wait for the brokers' acknowledgement
    /// before the caller is told the broker is unavailable.
    pub produce_timeout: Duration,
    /// Whether producers are idempotent (exactly one copy per record on the
    /// topic, in order). Always on against Apache Kafka; the development
    /// broker forgets producer state when it restarts, so a test that
    /// restarts it under a live producer turns it off.
    pub idempotent_producer: bool,
}

impl KafkaSettings {
    fn client_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &self.bootstrap_servers)
            // Fail fast and keep retrying in the background when brokers go away.
            .set("socket.connection.setup.timeout.ms", "3000")
            .set("socket.timeout.ms", "10000")
            .set("reconnect.backoff.max.ms", "2000")
            // Requests are small and awaited one by one; with Nagle's
            // algorithm each could wait for the broker's delayed ACK (40 ms).
            .set("socket.nagle.disable", "true");
        config
    }

    /// A consumer in `group` that never commits on its own: the caller
    /// commits after the consumed records are safely written.
    pub fn consumer(&self, group: &str) -> KafkaResult<StreamConsumer<ConsumerMetrics>> {
        self.client_config()
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false")
            .set("session.timeout.ms", "10000")
            .set("heartbeat.interval.ms", "1000")
            // Apache Kafka answers a fetch as soon as a record arrives and
            // waits this long only when there is none (librdkafka's default).
            // The development broker sleeps through about half of it on every
            // fetch and lists the partition's stored batches for each one, so
            // a short wait (50 ms) multiplied that work beside the produces
            // and lengthened the acknowledgements' tail (bench/profile.md).
            .set("fetch.wait.max.ms", "500")
            // Prefetch a few batches, not librdkafka's default of 100,000
            // records per partition: that bounds the consumer's memory.
            .set("queued.min.messages", "20000")
            .set("queued.max.messages.kbytes", "16384")
            .create_with_context(ConsumerMetrics::new(group))
    }
}
