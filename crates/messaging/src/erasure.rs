//! The erasures topic: "erase this person", published once by whoever was
//! asked (the REST API) and acted on by every service that holds data about
//! persons, each in its own consumer group.

use chrono::{DateTime, Utc};
use udaconnect_proto::{timestamp_from_datetime, v1::PersonErased};

use crate::{CONTENT_TYPE_HEADER, EventProducer, Outgoing, ProduceError};

/// The payload format of the erasures topic.
pub const PERSON_ERASED_CONTENT_TYPE: &str =
    "application/x-protobuf; messageType=udaconnect.v1.PersonErased";

/// Publishes erasures to the erasures topic.
#[derive(Debug, Clone)]
pub struct ErasurePublisher {
    producer: EventProducer,
    topic: String,
}

impl ErasurePublisher {
    /// Publishes to `topic` through `producer`.
    pub fn new(producer: EventProducer, topic: &str) -> Self {
        Self {
            producer,
            topic: topic.to_owned(),
        }
    }

    /// Puts the person's erasure on the topic and waits until Kafka has
    /// it: once this returns, every service will erase the person, however
    /// long it is down meanwhile.
    pub async fn publish(
        &self,
        person_id: i64,
        requested: DateTime<Utc>,
    ) -> Result<(), ProduceError> {
        let payload = prost::Message::encode_to_vec(&PersonErased {
            person_id,
            requested_time: Some(timestamp_from_datetime(requested)),
        });
        self.producer
            .send(Outgoing {
                topic: &self.topic,
                key: person_id.to_string().as_bytes(),
                payload: &payload,
                headers: &[(CONTENT_TYPE_HEADER, PERSON_ERASED_CONTENT_TYPE)],
            })
            .await
    }
}
