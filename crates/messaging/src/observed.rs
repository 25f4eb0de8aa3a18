//! What the Kafka clients report about themselves, turned into metrics and
//! log lines: a consumer's rebalances (and the gauge its lag is published
//! on), and a producer's queue, so that an operator sees the pipeline
//! falling behind before the attendees do.

use rdkafka::{
    ClientContext, TopicPartitionList,
    consumer::{BaseConsumer, ConsumerContext, Rebalance},
    statistics::Statistics,
};

/// How often librdkafka reports its statistics, in milliseconds: the
/// resolution of the producer queue gauge.
pub(crate) const STATISTICS_INTERVAL_MS: &str = "5000";

/// The context of a consumer group member: logs and counts its rebalances,
/// and publishes its lag per partition.
pub struct ConsumerMetrics {
    group: String,
}

impl ConsumerMetrics {
    pub(crate) fn new(group: &str) -> Self {
        Self {
            group: group.to_owned(),
        }
    }

    /// Publishes the records of `topic`'s `partition` still to be stored.
    pub(crate) fn set_lag(&self, topic: &str, partition: i32, lag: i64) {
        metrics::gauge!(
            "consumer_lag_records",
            "group" => self.group.clone(),
            "topic" => topic.to_owned(),
            "partition" => partition.to_string(),
        )
        .set(lag as f64);
    }

    fn count_rebalance(&self, kind: &'static str) {
        metrics::counter!("consumer_rebalances_total", "group" => self.group.clone(), "kind" => kind)
            .increment(1);
    }
}

/// Lag is measured at the brokers (`consumer::report_lag`), not taken from
/// the client's statistics.
impl ClientContext for ConsumerMetrics {}

impl ConsumerContext for ConsumerMetrics {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(partitions) => {
                tracing::info!(group = %self.group, partitions = %listed(partitions), "partitions assigned");
                self.count_rebalance("assigned");
            }
            Rebalance::Revoke(partitions) => {
                tracing::info!(group = %self.group, partitions = %listed(partitions), "partitions revoked");
                self.count_rebalance("revoked");
                // Their lag is now another member's to report: this one's
                // last figure would otherwise stay, stale, beside it.
                for partition in partitions.elements() {
                    self.set_lag(partition.topic(), partition.partition(), 0);
                }
            }
            Rebalance::Error(error) => {
                tracing::warn!(group = %self.group, %error, "rebalance failed");
                self.count_rebalance("failed");
            }
        }
    }
}

/// `topic/partition` of each partition, comma-separated, for a log line.
fn listed(partitions: &TopicPartitionList) -> String {
    partitions
        .elements()
        .iter()
        .map(|p| format!("{}/{}", p.topic(), p.partition()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The context of a producer: publishes how many records wait in its
/// queue for the brokers, the first sign of a broker that cannot keep up.
pub struct ProducerMetrics;

impl ClientContext for ProducerMetrics {
    fn stats(&self, statistics: Statistics) {
        metrics::gauge!("producer_queue_messages", "client" => statistics.name)
            .set(statistics.msg_cnt as f64);
    }
}
