//! Generated protobuf messages and gRPC stubs shared by every UdaConnect
//! service, so that clients and servers can never disagree on the wire format,
//! plus the conversions between wire and domain types.

mod convert;
mod events;

/// Version 1 of the UdaConnect API (`udaconnect.v1`).
#[allow(missing_docs, clippy::all)]
pub mod v1 {
    tonic::include_proto!("udaconnect.v1");
}

/// Encoded descriptors of every UdaConnect proto, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("udaconnect_descriptor");

/// Limits of the gRPC contract that both sides of a call must know: a
/// caller splits its work to stay within them, a server refuses more with
/// `INVALID_ARGUMENT`.
pub mod limits {
    /// Most ids one `PersonService.BatchGetPersons` call may ask for.
    pub const MAX_BATCH_GET_PERSONS: usize = 10_000;
    /// Most pings one `LocationService.WriteLocations` call may carry.
    pub const MAX_WRITE_LOCATIONS: usize = 10_000;
    /// Most pings one `IngestService.SendPings` call may carry.
    pub const MAX_PINGS_PER_BATCH: usize = 10_000;
    /// Most visits one `EventService.RecordVisits` call, or one chunk of
    /// `ReplaceEventVisits`, may carry.
    pub const MAX_VISITS_PER_CALL: usize = 20_000;
    /// Most pings one chunk of `LocationService.StreamAreaPings` carries.
    pub const AREA_PINGS_CHUNK: usize = 10_000;
}

pub use convert::{
    datetime_from_timestamp, duration_from_timedelta, location_event, new_location_from_event,
    new_location_from_ping, new_location_from_wire, timedelta_from_duration,
    timestamp_from_datetime,
};
pub use events::{area_from_wire, event_from_wire, visit_from_wire};
pub use prost_types::{Duration, Timestamp};
