//! Distances and averages on the WGS 84 spheroid, shared by every query that
//! decides whether two pings were close.

use crate::Coordinates;

/// Mean Earth radius in metres, the scale of [`unit_vector`] positions.
pub const EARTH_RADIUS_METERS: f64 = 6_371_000.0;

/// The smallest radius of curvature of the WGS 84 spheroid (the meridian at
/// the equator), in metres. Two points `s` metres apart along the spheroid
/// are at most `s / MIN_CURVATURE_RADIUS_METERS` radians apart as seen from
/// the centre, which bounds their chord in [`unit_vector`] space.
pub const MIN_CURVATURE_RADIUS_METERS: f64 = 6_335_439.0;

/// The WGS 84 spheroid's equatorial radius, in metres.
const SEMI_MAJOR_AXIS_METERS: f64 = 6_378_137.0;

/// The WGS 84 spheroid's flattening.
const FLATTENING: f64 = 1.0 / 298.257_223_563;

/// A position on the WGS 84 spheroid as Earth-centred Cartesian coordinates
/// in metres, for comparing many pairs of close positions: the straight line
/// between two of them costs a few multiplications where the geodesic costs
/// Karney's series, and at contact range the two agree to a nanometre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurfacePoint([f64; 3]);

impl SurfacePoint {
    /// The point of the spheroid's surface at `position`, and `position`'s
    /// [`unit_vector`]: contact search needs both of every ping, and they
    /// share their trigonometry.
    pub fn with_unit_vector(position: Coordinates) -> (Self, [f64; 3]) {
        let (sin_latitude, cos_latitude) = position.latitude().to_radians().sin_cos();
        let (sin_longitude, cos_longitude) = position.longitude().to_radians().sin_cos();
        let eccentricity_squared = FLATTENING * (2.0 - FLATTENING);
        let prime_vertical_radius = SEMI_MAJOR_AXIS_METERS
            / (1.0 - eccentricity_squared * sin_latitude * sin_latitude).sqrt();
        let unit = [
            cos_latitude * cos_longitude,
            cos_latitude * sin_longitude,
            sin_latitude,
        ];
        let point = Self([
            prime_vertical_radius * unit[0],
            prime_vertical_radius * unit[1],
            prime_vertical_radius * (1.0 - eccentricity_squared) * unit[2],
        ]);
        (point, unit)
    }

    /// The square of the straight-line distance to `other`, in square metres.
    /// A geodesic of length s bends no more than the spheroid's tightest
    /// curvature (1 / [`MIN_CURVATURE_RADIUS_METERS`]), so the line falls
    /// short of it by at most s³ / (24 · 6,335,439²): 1.3·10⁻¹⁰ m at 50 m.
    pub fn distance_squared(&self, other: &Self) -> f64 {
        let [dx, dy, dz] = [0, 1, 2].map(|axis| self.0[axis] - other.0[axis]);
        dx * dx + dy * dy + dz * dz
    }
}

/// A ball holding some [`SurfacePoint`]s: a point farther than `meters`
/// from the ball is farther than `meters` from each of them, so contact
/// search can pass over a run of the subject's pings with one distance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ball {
    centre: SurfacePoint,
    radius_meters: f64,
}

impl Ball {
    /// Rounding in the points' coordinates (millions of metres) is below a
    /// nanometre; a micrometre more keeps the ball from ever being too small.
    const SLACK_METERS: f64 = 1e-6;

    /// The ball centred on the mean of `points` that reaches the farthest
    /// of them; `points` must not be empty.
    pub(crate) fn around(points: &[SurfacePoint]) -> Self {
        debug_assert!(!points.is_empty(), "a ball around no points");
        let count = points.len() as f64;
        let centre = SurfacePoint(
            [0, 1, 2].map(|axis| points.iter().map(|p| p.0[axis]).sum::<f64>() / count),
        );
        let farthest_squared = points
            .iter()
            .map(|p| p.distance_squared(&centre))
            .fold(0.0, f64::max);
        Self {
            centre,
            radius_meters: farthest_squared.sqrt() + Self::SLACK_METERS,
        }
    }

    /// Whether some point in the ball may lie within `meters` of `point`
    /// (never false when one does).
    pub(crate) fn may_reach(&self, point: &SurfacePoint, meters: f64) -> bool {
        let reach = meters + self.radius_meters;
        self.centre.distance_squared(point) <= reach * reach
    }
}

/// A box of latitudes and longitudes, in degrees, holding every position
/// within some metres of a set of positions: contact search drops another
/// person's ping outside it with four comparisons, before any trigonometry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DegreeBox {
    south: f64,
    north: f64,
    west: f64,
    east: f64,
}

impl DegreeBox {
    /// Added to every reach: far more than the straight line and the
    /// geodesic differ by at contact range, or than rounding in degrees.
    const SLACK_METERS: f64 = 1e-3;

    /// Beyond this latitude a few metres may span any longitude; a box
    /// reaching it does not bound longitudes.
    const POLAR_LATITUDE: f64 = 89.0;

    /// The box holding only `position`.
    pub fn at(position: Coordinates) -> Self {
        let (latitude, longitude) = (position.latitude(), position.longitude());
        Self {
            south: latitude,
            north: latitude,
            west: longitude,
            east: longitude,
        }
    }

    /// Grows the box to hold `position` too. Positions on both sides of
    /// the antimeridian make a box around the globe: too wide, never too
    /// narrow.
    pub fn include(&mut self, position: Coordinates) {
        self.south = self.south.min(position.latitude());
        self.north = self.north.max(position.latitude());
        self.west = self.west.min(position.longitude());
        self.east = self.east.max(position.longitude());
    }

    /// The box holding every position within `meters` of one in this box,
    /// along the spheroid. Along a geodesic, latitude turns by at most
    /// ds / M and longitude by at most ds / (N·cos φ), where the meridian's
    /// radius of curvature M is never below [`MIN_CURVATURE_RADIUS_METERS`]
    /// and the prime vertical's N never below the equatorial radius.
    pub fn widened(self, meters: f64) -> Self {
        let reach = meters + Self::SLACK_METERS;
        let latitude_reach = (reach / MIN_CURVATURE_RADIUS_METERS).to_degrees();
        let (south, north) = (self.south - latitude_reach, self.north + latitude_reach);
        let farthest_from_equator = south.abs().max(north.abs());
        let (mut west, mut east) = (f64::NEG_INFINITY, f64::INFINITY);
        if farthest_from_equator < Self::POLAR_LATITUDE {
            let parallel_radius = SEMI_MAJOR_AXIS_METERS * farthest_from_equator.to_radians().cos();
            let longitude_reach = (reach / parallel_radius).to_degrees();
            // Past ±180° longitudes wrap: such a box does not bound them.
            if self.west - longitude_reach > -180.0 && self.east + longitude_reach < 180.0 {
                (west, east) = (self.west - longitude_reach, self.east + longitude_reach);
            }
        }
        Self {
            south,
            north,
            west,
            east,
        }
    }

    /// Whether the box holds the position at `latitude` and `longitude`.
    pub fn contains(&self, latitude: f64, longitude: f64) -> bool {
        (self.south..=self.north).contains(&latitude)
            && (self.west..=self.east).contains(&longitude)
    }
}

/// The direction of a position from the Earth's centre: a point on the unit
/// sphere, free of the poles' and the antimeridian's special cases.
pub fn unit_vector(position: Coordinates) -> [f64; 3] {
    SurfacePoint::with_unit_vector(position).1
}

/// The largest distance between two [`unit_vector`]s scaled by
/// [`EARTH_RADIUS_METERS`] whose positions are `meters` apart on the
/// spheroid: a cheap, never-too-small filter before the exact distance.
pub fn max_chord_meters(meters: f64) -> f64 {
    meters * EARTH_RADIUS_METERS / MIN_CURVATURE_RADIUS_METERS
}

/// Averages positions through their unit vectors, so that places across the
/// antimeridian or near a pole average to where they are.
#[derive(Debug, Clone, Copy, Default)]
pub struct Centroid {
    sum: [f64; 3],
    count: u32,
}

impl Centroid {
    /// The centroid of one position.
    pub fn of(position: Coordinates) -> Self {
        Self {
            sum: unit_vector(position),
            count: 1,
        }
    }

    /// The centroid of `count` positions whose [`unit_vector`]s add up to
    /// `sum`.
    pub(crate) fn of_unit_vectors(sum: [f64; 3], count: u32) -> Self {
        Self { sum, count }
    }

    /// Adds one position.
    pub fn add(&mut self, position: Coordinates) {
        *self += Self::of(position);
    }

    /// The centroid of these positions, each counted `times` times.
    pub fn repeated(self, times: u32) -> Self {
        Self {
            sum: self.sum.map(|component| component * f64::from(times)),
            count: self.count * times,
        }
    }

    /// The average position; `None` when nothing was added or the positions
    /// cancel out (antipodes).
    pub fn position(&self) -> Option<Coordinates> {
        let [x, y, z] = self.sum;
        let length = (x * x + y * y + z * z).sqrt();
        if self.count == 0 || length < 1e-12 {
            return None;
        }
        let latitude = (z / length).clamp(-1.0, 1.0).asin().to_degrees();
        let longitude = if x.hypot(y) < 1e-15 {
            0.0
        } else {
            y.atan2(x).to_degrees()
        };
        // Averaging unit vectors leaves noise in the last bits; a tenth of a
        // millimetre is finer than any phone measures.
        let round = |degrees: f64| (degrees * 1e9).round() / 1e9;
        Coordinates::new(round(latitude), round(longitude)).ok()
    }
}

/// Adds the positions of another centroid.
impl std::ops::AddAssign for Centroid {
    fn add_assign(&mut self, other: Self) {
        for (sum, component) in self.sum.iter_mut().zip(other.sum) {
            *sum += component;
        }
        self.count += other.count;
    }
}

/// Karney's geodesics on the WGS 84 spheroid (what PostGIS computes for
/// `geography`): the reference the fast distances are tested against.
#[cfg(test)]
pub(crate) mod karney {
    use std::sync::LazyLock;

    use geographiclib_rs::{Geodesic, InverseGeodesic};

    use crate::Coordinates;

    /// The solver, its coefficients computed once.
    pub(crate) static WGS84: LazyLock<Geodesic> = LazyLock::new(Geodesic::wgs84);

    /// Geodesic distance, in metres.
    pub(crate) fn geodesic_distance(a: Coordinates, b: Coordinates) -> f64 {
        WGS84.inverse(a.latitude(), a.longitude(), b.latitude(), b.longitude())
    }
}

#[cfg(test)]
mod tests {
    use super::karney::{WGS84, geodesic_distance};
    use super::*;
    use proptest::prelude::*;

    fn at(latitude: f64, longitude: f64) -> Coordinates {
        Coordinates::new(latitude, longitude).unwrap()
    }

    #[test]
    fn a_degree_of_latitude_at_the_equator_is_110_574_metres() {
        let distance = geodesic_distance(at(0.0, 0.0), at(1.0, 0.0));
        assert!((distance - 110_574.4).abs() < 0.5, "{distance}");
    }

    #[test]
    fn the_centroid_of_two_points_across_the_antimeridian_is_on_it() {
        let mut centroid = Centroid::default();
        centroid.add(at(10.0, 179.0));
        centroid.add(at(10.0, -179.0));
        let middle = centroid.position().unwrap();
        assert!((middle.longitude().abs() - 180.0).abs() < 1e-9);
        assert!((middle.latitude() - 10.0).abs() < 0.01);
        assert!(Centroid::default().position().is_none());
        let mut same = Centroid::default();
        for _ in 0..12 {
            same.add(at(37.55363, -122.290883));
        }
        assert_eq!(same.position(), Some(at(37.55363, -122.290883)));
    }

    proptest! {
        /// The chord bound never undercuts: the filter cannot drop a pair
        /// that the exact distance would keep, anywhere on Earth.
        #[test]
        fn chords_never_exceed_their_bound(
            latitude in -90.0f64..=90.0,
            longitude in -180.0f64..=180.0,
            bearing in 0.0f64..360.0,
            meters in 0.0f64..20_000.0,
        ) {
            use geographiclib_rs::DirectGeodesic;
            let (other_latitude, other_longitude): (f64, f64) =
                WGS84.direct(latitude, longitude, bearing, meters);
            let (a, b) = (at(latitude, longitude), at(other_latitude, other_longitude));
            let (u, v) = (unit_vector(a), unit_vector(b));
            let chord = EARTH_RADIUS_METERS
                * ((u[0] - v[0]).powi(2) + (u[1] - v[1]).powi(2) + (u[2] - v[2]).powi(2)).sqrt();
            prop_assert!(chord <= max_chord_meters(meters) + 1e-6, "{chord} > {meters}");
        }

        /// Within contact range the straight line on the spheroid is the
        /// geodesic, anywhere on Earth: poles and the antimeridian included.
        #[test]
        fn short_lines_are_geodesics(
            latitude in -90.0f64..=90.0,
            longitude in -180.0f64..=180.0,
            bearing in 0.0f64..360.0,
            meters in 0.0f64..=50.0,
        ) {
            use geographiclib_rs::DirectGeodesic;
            let (other_latitude, other_longitude): (f64, f64) =
                WGS84.direct(latitude, longitude, bearing, meters);
            let (a, b) = (at(latitude, longitude), at(other_latitude, other_longitude));
            let line = SurfacePoint::with_unit_vector(a)
                .0
                .distance_squared(&SurfacePoint::with_unit_vector(b).0)
                .sqrt();
            let geodesic = geodesic_distance(a, b);
            prop_assert!((line - geodesic).abs() < 1e-6, "{line} against {geodesic}");
        }

        /// A widened box holds every position within reach of the
        /// positions it was made around, wherever they are on Earth, and
        /// away from the poles and the antimeridian it turns away a
        /// position twice as far from all of them.
        #[test]
        fn widened_boxes_hold_every_position_within_reach(
            latitude in -90.0f64..=90.0,
            longitude in -180.0f64..=180.0,
            offsets in proptest::collection::vec((0.0f64..360.0, 0.0f64..30.0), 1..12),
            probe_bearing in 0.0f64..360.0,
            meters in 0.0f64..=50.0,
        ) {
            use geographiclib_rs::DirectGeodesic;
            let position = |(bearing, distance): (f64, f64)| {
                let (lat, lon): (f64, f64) = WGS84.direct(latitude, longitude, bearing, distance);
                at(lat, lon)
            };
            let positions: Vec<Coordinates> = offsets.into_iter().map(position).collect();
            let mut degree_box = DegreeBox::at(positions[0]);
            for &p in &positions[1..] {
                degree_box.include(p);
            }
            let widened = degree_box.widened(meters);
            for &p in &positions {
                let (lat, lon): (f64, f64) =
                    WGS84.direct(p.latitude(), p.longitude(), probe_bearing, meters);
                prop_assert!(widened.contains(lat, lon), "{lat} {lon} outside {widened:?}");
            }
            let (far_latitude, far_longitude): (f64, f64) =
                WGS84.direct(latitude, longitude, probe_bearing, 2.0 * (30.0 + meters) + 1.0);
            if latitude.abs() < 80.0 && longitude.abs() < 179.0 {
                prop_assert!(!widened.contains(far_latitude, far_longitude));
            }
        }

        /// A ball never turns away a point within reach of one of the
        /// points it was made around, wherever they are on Earth.
        #[test]
        fn balls_turn_away_only_points_out_of_reach(
            latitude in -90.0f64..=90.0,
            longitude in -180.0f64..=180.0,
            offsets in proptest::collection::vec((0.0f64..360.0, 0.0f64..30.0), 1..12),
            probe in (0.0f64..360.0, 0.0f64..80.0),
            meters in 0.0f64..=50.0,
        ) {
            use geographiclib_rs::DirectGeodesic;
            let point = |(bearing, distance): (f64, f64)| {
                let (lat, lon): (f64, f64) = WGS84.direct(latitude, longitude, bearing, distance);
                SurfacePoint::with_unit_vector(at(lat, lon)).0
            };
            let points: Vec<SurfacePoint> = offsets.into_iter().map(point).collect();
            let probe = point(probe);
            let ball = Ball::around(&points);
            let within = points.iter().any(|p| p.distance_squared(&probe) <= meters * meters);
            prop_assert!(!within || ball.may_reach(&probe, meters));
        }
    }
}
