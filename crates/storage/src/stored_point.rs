//! A `geography` point read as PostgreSQL sends it, extended WKB, and parsed
//! here: reading a ping's position through `ST_Y`/`ST_X` of a cast to
//! `geometry` cost 0.75 µs a row in PostgreSQL, half of what a contact
//! search's candidate rows cost (docs/architecture_decisions.txt).

use sqlx::{
    Postgres,
    error::BoxDynError,
    postgres::{PgHasArrayType, PgTypeInfo, PgValueFormat, PgValueRef},
};

/// The SRID of every stored coordinate: WGS 84.
const WGS84_SRID: u32 = 4326;

/// The extended-WKB type flag that an SRID follows the type.
const SRID_FLAG: u32 = 0x2000_0000;

/// The WKB type of a two-dimensional point.
const POINT: u32 = 1;

/// A stored position in degrees, as read; the caller checks the ranges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StoredPoint {
    /// Degrees north (the point's y).
    pub latitude: f64,
    /// Degrees east (the point's x).
    pub longitude: f64,
}

impl sqlx::Type<Postgres> for StoredPoint {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("geography")
    }
}

impl PgHasArrayType for StoredPoint {
    fn array_type_info() -> PgTypeInfo {
        PgTypeInfo::with_name("_geography")
    }
}

impl<'r> sqlx::Decode<'r, Postgres> for StoredPoint {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        if value.format() != PgValueFormat::Binary {
            return Err("a geography point must arrive in binary".into());
        }
        Ok(parse(value.as_bytes()?)?)
    }
}

/// Why bytes are not a WGS 84 point in extended WKB.
#[derive(Debug, thiserror::Error, PartialEq)]
enum PointError {
    #[error("the WKB is cut short")]
    Truncated,
    #[error("byte order {0} is neither 0 nor 1")]
    ByteOrder(u8),
    #[error("WKB type {0:#x} is not a two-dimensional point")]
    NotAPoint(u32),
    #[error("SRID {0} is not WGS 84")]
    Srid(u32),
    #[error("{0} bytes follow the point")]
    TrailingBytes(usize),
}

/// Parses `[byte order][type][SRID, if flagged][x][y]`.
fn parse(bytes: &[u8]) -> Result<StoredPoint, PointError> {
    let (&order, mut rest) = bytes.split_first().ok_or(PointError::Truncated)?;
    let little_endian = match order {
        0 => false,
        1 => true,
        other => return Err(PointError::ByteOrder(other)),
    };
    let mut take = |length: usize| -> Result<&[u8], PointError> {
        let (taken, after) = rest.split_at_checked(length).ok_or(PointError::Truncated)?;
        rest = after;
        Ok(taken)
    };
    let mut word = || -> Result<u32, PointError> {
        let bytes: [u8; 4] = take(4)?.try_into().map_err(|_| PointError::Truncated)?;
        Ok(if little_endian {
            u32::from_le_bytes(bytes)
        } else {
            u32::from_be_bytes(bytes)
        })
    };
    let kind = word()?;
    if kind & !SRID_FLAG != POINT {
        return Err(PointError::NotAPoint(kind));
    }
    if kind & SRID_FLAG != 0 {
        let srid = word()?;
        if srid != WGS84_SRID {
            return Err(PointError::Srid(srid));
        }
    }
    let mut number = || -> Result<f64, PointError> {
        let bytes: [u8; 8] = take(8)?.try_into().map_err(|_| PointError::Truncated)?;
        Ok(if little_endian {
            f64::from_le_bytes(bytes)
        } else {
            f64::from_be_bytes(bytes)
        })
    };
    let longitude = number()?;
    let latitude = number()?;
    match rest.len() {
        0 => Ok(StoredPoint {
            latitude,
            longitude,
        }),
        extra => Err(PointError::TrailingBytes(extra)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ewkb(little_endian: bool, kind: u32, srid: Option<u32>, x: f64, y: f64) -> Vec<u8> {
        let mut bytes = vec![u8::from(little_endian)];
        let word = |value: u32| {
            if little_endian {
                value.to_le_bytes()
            } else {
                value.to_be_bytes()
            }
        };
        let number = |value: f64| {
            if little_endian {
                value.to_le_bytes()
            } else {
                value.to_be_bytes()
            }
        };
        bytes.extend(word(kind));
        bytes.extend(srid.map(word).into_iter().flatten());
        bytes.extend(number(x));
        bytes.extend(number(y));
        bytes
    }

    #[test]
    fn points_in_either_byte_order_with_or_without_srid() {
        let expected = StoredPoint {
            latitude: 37.553441,
            longitude: -122.290524,
        };
        for little_endian in [true, false] {
            for (kind, srid) in [(POINT | SRID_FLAG, Some(4326)), (POINT, None)] {
                let bytes = ewkb(little_endian, kind, srid, -122.290524, 37.553441);
                assert_eq!(parse(&bytes), Ok(expected));
            }
        }
    }

    #[test]
    fn anything_but_a_wgs84_point_is_refused() {
        let point = ewkb(true, POINT | SRID_FLAG, Some(4326), 1.0, 2.0);
        assert_eq!(parse(&[]), Err(PointError::Truncated));
        assert_eq!(parse(&point[..point.len() - 1]), Err(PointError::Truncated));
        assert_eq!(parse(&[2]), Err(PointError::ByteOrder(2)));
        assert_eq!(
            parse(&ewkb(true, 2 | SRID_FLAG, Some(4326), 1.0, 2.0)),
            Err(PointError::NotAPoint(2 | SRID_FLAG))
        );
        assert_eq!(
            parse(&ewkb(true, POINT | 0x8000_0000, None, 1.0, 2.0)),
            Err(PointError::NotAPoint(POINT | 0x8000_0000))
        );
        assert_eq!(
            parse(&ewkb(true, POINT | SRID_FLAG, Some(3857), 1.0, 2.0)),
            Err(PointError::Srid(3857))
        );
        let mut longer = point.clone();
        longer.push(0);
        assert_eq!(parse(&longer), Err(PointError::TrailingBytes(1)));
    }
}
