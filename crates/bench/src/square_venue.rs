//! The square venue near San Francisco where the data sets generated in SQL
//! for the searches and the writes spread their pings uniformly: its
//! corner, and its side in degrees.

/// The latitude of the venue's south-west corner.
pub const SOUTH: f64 = 37.5530;
/// The longitude of the venue's south-west corner.
pub const WEST: f64 = -122.2910;
/// Metres per degree of latitude.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// The side of a square venue of `side_meters`, in degrees of longitude and
/// of latitude at its corner.
pub fn side_degrees(side_meters: f64) -> (f64, f64) {
    let latitude = side_meters / METRES_PER_DEGREE;
    (latitude / SOUTH.to_radians().cos(), latitude)
}
