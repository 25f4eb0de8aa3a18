//! Contact search's packs (table `location_pack`): the pings of one grid
//! cube in one 10-minute bucket as fixed-size records in one `bytea`, so a
//! search reads a few thousand values of bytes where it read a row per ping.

use chrono::{DateTime, Utc};
use udaconnect_domain::PersonId;

use crate::stored_point::StoredPoint;

/// Bytes of one ping in a pack (`location_pack_record`): the person, the
/// time, the latitude and the longitude, 8 bytes each, big-endian.
const RECORD_BYTES: usize = 32;

/// PostgreSQL's epoch, 2000-01-01 UTC, in microseconds of the Unix epoch:
/// a `timestamptz` is sent as microseconds since the former.
const POSTGRES_EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

/// One ping of a pack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PackedPing {
    pub(crate) person_id: PersonId,
    pub(crate) time: DateTime<Utc>,
    pub(crate) point: StoredPoint,
}

/// Why bytes are not a pack.
#[derive(Debug, thiserror::Error, PartialEq)]
pub(crate) enum PackError {
    #[error("{0} bytes are not a whole number of {RECORD_BYTES}-byte pings")]
    Length(usize),
    #[error("a ping's time is out of range")]
    Time,
}

/// The pings of a pack, in the order stored.
pub(crate) fn unpack(pack: &[u8]) -> Result<Vec<PackedPing>, PackError> {
    let (records, rest) = pack.as_chunks::<RECORD_BYTES>();
    if !rest.is_empty() {
        return Err(PackError::Length(pack.len()));
    }
    records.iter().map(ping_of).collect()
}

fn ping_of(record: &[u8; RECORD_BYTES]) -> Result<PackedPing, PackError> {
    let (fields, _) = record.as_chunks::<8>();
    let [person, time, latitude, longitude] = [0, 1, 2, 3].map(|field| fields[field]);
    let micros = i64::from_be_bytes(time)
        .checked_add(POSTGRES_EPOCH_UNIX_MICROS)
        .ok_or(PackError::Time)?;
    Ok(PackedPing {
        person_id: i64::from_be_bytes(person),
        time: DateTime::from_timestamp_micros(micros).ok_or(PackError::Time)?,
        point: StoredPoint {
            latitude: f64::from_be_bytes(latitude),
            longitude: f64::from_be_bytes(longitude),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(person_id: i64, since_2000_micros: i64, latitude: f64, longitude: f64) -> Vec<u8> {
        [
            person_id.to_be_bytes(),
            since_2000_micros.to_be_bytes(),
            latitude.to_be_bytes(),
            longitude.to_be_bytes(),
        ]
        .concat()
    }

    #[test]
    fn records_are_read_in_order_with_postgres_s_epoch() {
        let pack = [
            record(7, 0, 37.784, -122.401),
            record(8, 1_000_001, -33.9, 180.0),
        ]
        .concat();
        let pings = unpack(&pack).unwrap();
        assert_eq!(pings.len(), 2);
        assert_eq!(pings[0].person_id, 7);
        assert_eq!(pings[0].time.to_rfc3339(), "2000-01-01T00:00:00+00:00");
        assert_eq!(pings[0].point.latitude, 37.784);
        assert_eq!(pings[0].point.longitude, -122.401);
        assert_eq!(pings[1].person_id, 8);
        assert_eq!(
            pings[1].time.to_rfc3339(),
            "2000-01-01T00:00:01.000001+00:00"
        );
        assert_eq!(pings[1].point.longitude, 180.0);
    }

    #[test]
    fn an_empty_pack_has_no_pings() {
        assert_eq!(unpack(&[]), Ok(Vec::new()));
    }

    #[test]
    fn a_cut_record_is_an_error() {
        let pack = record(7, 0, 1.0, 2.0);
        assert_eq!(unpack(&pack[..31]), Err(PackError::Length(31)));
    }

    #[test]
    fn a_time_beyond_chrono_s_range_is_an_error() {
        assert_eq!(unpack(&record(7, i64::MAX, 1.0, 2.0)), Err(PackError::Time));
    }
}
