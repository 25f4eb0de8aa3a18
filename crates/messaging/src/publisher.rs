//! Puts accepted pings on the locations topic: the one place that turns a
//! validated ping into a Kafka record, for every entry point.

use std::sync::Arc;

use chrono::Utc;
use udaconnect_domain::NewLocation;
use udaconnect_proto::location_event;

use crate::{
    CONTENT_TYPE_HEADER, EventProducer, LOCATION_EVENT_CONTENT_TYPE, Outgoing, PendingDelivery,
    ProduceError, TRACEPARENT_HEADER, encode_location_event,
};
use uuid::Uuid;

/// Which entry point accepted a ping (recorded in the event).
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// The gRPC ingest service.
    Grpc,
    /// `POST /api/locations`.
    Rest,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Grpc => "grpc",
            Self::Rest => "rest",
        }
    }
}

/// Publishes location events, keyed by person so that one person's pings
/// stay in order on one partition.
#[derive(Debug, Clone)]
pub struct LocationPublisher {
    producer: EventProducer,
    topic: Arc<str>,
}

impl LocationPublisher {
    /// Publishes to `topic` through `producer`.
    pub fn new(producer: EventProducer, topic: &str) -> Self {
        Self {
            producer,
            topic: topic.into(),
        }
    }

    /// Queues the event of `location`; the returned delivery resolves when
    /// Kafka has it. Fails at once when the producer's queue is full.
    pub fn enqueue(
        &self,
        location: &NewLocation,
        source: Source,
        traceparent: &str,
    ) -> Result<PendingDelivery, ProduceError> {
        let payload = encode_location_event(&location_event(location, Utc::now(), source.as_str()));
        let key = location.person_id.to_string();
        self.producer.enqueue(Outgoing {
            topic: &self.topic,
            key: key.as_bytes(),
            payload: &payload,
            headers: &[
                (CONTENT_TYPE_HEADER, LOCATION_EVENT_CONTENT_TYPE),
                (TRACEPARENT_HEADER, traceparent),
            ],
        })
    }

    /// Whether the brokers answer within `timeout` (readiness).
    pub async fn check_brokers(&self, timeout: std::time::Duration) -> Result<(), String> {
        self.producer.check_brokers(timeout).await
    }

    /// Waits for queued events to be acknowledged (graceful shutdown).
    pub async fn flush(&self, timeout: std::time::Duration) {
        self.producer.flush(timeout).await;
    }
}

/// A W3C `traceparent` for work caused by a request. When spans are
/// exported, the current (request) span's, so that the consumer's span is
/// its child in the same trace. Otherwise the caller's trace id when it sent
/// a valid one, a new trace else, and always a new span id.
pub fn traceparent(incoming: Option<&str>) -> String {
    if let Some(current) = udaconnect_telemetry::current_trace_context().remove(TRACEPARENT_HEADER)
    {
        return current;
    }
    let span = Uuid::new_v4().as_u64_pair().0;
    let trace = incoming
        .and_then(|value| {
            let mut parts = value.split('-');
            let (version, trace) = (parts.next()?, parts.next()?);
            (version == "00" && trace.len() == 32 && trace.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| trace.to_ascii_lowercase())
        })
        .unwrap_or_else(|| Uuid::new_v4().simple().to_string());
    format!("00-{trace}-{span:016x}-01")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traceparent_continues_a_valid_incoming_trace() {
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let next = traceparent(Some(incoming));
        assert!(next.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
        assert_ne!(next, incoming, "a new span");
        assert_eq!(next.len(), incoming.len());
    }

    #[test]
    fn traceparent_starts_a_trace_otherwise() {
        for incoming in [None, Some("garbage"), Some("01-abc-def-01")] {
            let value = traceparent(incoming);
            let parts: Vec<&str> = value.split('-').collect();
            assert_eq!((parts[0], parts[1].len(), parts[2].len()), ("00", 32, 16));
        }
    }
}
