use rdkafka::message::{Headers, Message};
use udaconnect_proto::v1::LocationEvent;

/// Header naming the payload's format, checked before decoding.
pub const CONTENT_TYPE_HEADER: &str = "content-type";
/// The only payload format of the locations topic so far.
pub const LOCATION_EVENT_CONTENT_TYPE: &str =
    "application/x-protobuf; messageType=udaconnect.v1.LocationEvent";
/// W3C trace context of the request that produced the record.
pub const TRACEPARENT_HEADER: &str = "traceparent";
/// Why a record was moved to the dead-letter topic.
pub const DLQ_REASON_HEADER: &str = "dlq-reason";
/// Where a dead-lettered record came from (`topic/partition/offset`).
pub const DLQ_ORIGIN_HEADER: &str = "dlq-origin";

/// The payload bytes of a location event.
pub fn encode_location_event(event: &LocationEvent) -> Vec<u8> {
    prost::Message::encode_to_vec(event)
}

/// Why a record cannot be read as a location event. Such a record can never
/// be processed, so it belongs in the dead-letter topic.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The record declares another format.
    #[error("unsupported content-type {0:?}")]
    UnsupportedContentType(String),
    /// The record has no payload.
    #[error("empty payload")]
    EmptyPayload,
    /// The payload is not a valid protobuf message.
    #[error("undecodable payload: {0}")]
    Malformed(#[from] prost::DecodeError),
}

/// Reads a record of the locations topic.
pub fn decode_location_event(record: &impl Message) -> Result<LocationEvent, DecodeError> {
    decode(record, LOCATION_EVENT_CONTENT_TYPE)
}

/// Reads a record whose payload is a `T`, declared (when the record says)
/// as `content_type`.
pub(crate) fn decode<T: prost::Message + Default>(
    record: &impl Message,
    content_type: &str,
) -> Result<T, DecodeError> {
    if let Some(declared) = header(record, CONTENT_TYPE_HEADER)
        && declared != content_type
    {
        return Err(DecodeError::UnsupportedContentType(declared));
    }
    let payload = record.payload().ok_or(DecodeError::EmptyPayload)?;
    Ok(T::decode(payload)?)
}

/// The value of header `key`, if present and text.
pub fn header(record: &impl Message, key: &str) -> Option<String> {
    record
        .headers()?
        .iter()
        .find(|header| header.key == key)
        .and_then(|header| header.value)
        .map(|value| String::from_utf8_lossy(value).into_owned())
}
