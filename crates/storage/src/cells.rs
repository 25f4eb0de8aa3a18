//! The spatial grid behind contact search, mirroring the SQL function
//! `location_cell` of the locations schema: 8 m cubes of a grid centred on
//! the Earth, each named by one `bigint`.

use udaconnect_domain::{
    Coordinates,
    geodesy::{EARTH_RADIUS_METERS, max_chord_meters, unit_vector},
};

/// Edge of a cube, in metres (the `8` in `location_cell`). Each halving,
/// from 32 m to 16 m and from 16 m to 8 m, cut the rows a search reads by
/// about two fifths (docs/architecture_decisions.txt).
const CELL_METERS: f64 = 8.0;

/// Added to each axis index so that it is never negative (the `1048576` in
/// `location_cell`); the Earth spans ±796,375 cubes per axis.
const AXIS_OFFSET: i64 = 1 << 20;

/// Bits per axis in a cell key (the shifts in `location_cell`): three make
/// 63, so a key is a non-negative `bigint`.
const AXIS_BITS: u32 = 21;

/// Slack around a search box, in metres: far more than any difference
/// between PostgreSQL's and Rust's trigonometry, so a ping the exact distance
/// keeps always lies well inside the cubes searched.
const SAFETY_METERS: f64 = 0.5;

fn position_meters(position: Coordinates) -> [f64; 3] {
    unit_vector(position).map(|component| component * EARTH_RADIUS_METERS)
}

fn axis_index(meters: f64) -> i64 {
    (meters / CELL_METERS).floor() as i64
}

fn key([x, y, z]: [i64; 3]) -> i64 {
    ((x + AXIS_OFFSET) << (2 * AXIS_BITS)) | ((y + AXIS_OFFSET) << AXIS_BITS) | (z + AXIS_OFFSET)
}

/// The cube holding `position` (what `location_cell` computes in SQL).
#[cfg(test)]
fn cell_of(position: Coordinates) -> i64 {
    key(position_meters(position).map(axis_index))
}

/// Every cube that may hold a position within `meters` of `position` along
/// the spheroid: the cubes meeting a box around it that the chord bound
/// guarantees to contain all such positions, less those that lie wholly
/// above or below the Earth's surface.
pub fn cells_near(position: Coordinates, meters: f64) -> impl Iterator<Item = i64> {
    let centre = position_meters(position);
    let reach = max_chord_meters(meters) + SAFETY_METERS;
    let lower = centre.map(|c| axis_index(c - reach));
    let upper = centre.map(|c| axis_index(c + reach));
    (lower[0]..=upper[0]).flat_map(move |x| {
        (lower[1]..=upper[1]).flat_map(move |y| {
            (lower[2]..=upper[2])
                .map(move |z| [x, y, z])
                .filter(|&cube| touches_surface(cube))
                .map(key)
        })
    })
}

/// Whether a cube reaches the sphere the grid's positions lie on (with the
/// same slack as the search box).
fn touches_surface(cube: [i64; 3]) -> bool {
    let (mut nearest, mut farthest) = (0.0, 0.0);
    for index in cube {
        let (low, high) = (index as f64 * CELL_METERS, (index + 1) as f64 * CELL_METERS);
        let near = if low > 0.0 {
            low
        } else if high < 0.0 {
            -high
        } else {
            0.0
        };
        let far = low.abs().max(high.abs());
        nearest += near * near;
        farthest += far * far;
    }
    let (inner, outer) = (
        EARTH_RADIUS_METERS - SAFETY_METERS,
        EARTH_RADIUS_METERS + SAFETY_METERS,
    );
    nearest <= outer * outer && farthest >= inner * inner
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(latitude: f64, longitude: f64) -> Coordinates {
        Coordinates::new(latitude, longitude).unwrap()
    }

    #[test]
    fn a_position_s_own_cell_is_among_those_near_it() {
        for (latitude, longitude) in [(37.784, -122.401), (90.0, 0.0), (-33.9, 180.0), (0.0, 0.0)] {
            let position = at(latitude, longitude);
            let near: Vec<i64> = cells_near(position, 10.0).collect();
            assert!(near.contains(&cell_of(position)), "{latitude},{longitude}");
            // A 21 m box meets at most 4 cubes of 8 m along each axis.
            assert!(near.len() <= 64, "{} cells", near.len());
        }
    }

    #[test]
    fn neighbours_across_a_cell_border_are_searched() {
        // Two points 9 m apart on either side of the antimeridian.
        let (east, west) = (at(-17.0, 179.999_96), at(-17.0, -179.999_96));
        assert!(cells_near(east, 10.0).any(|cell| cell == cell_of(west)));
    }
}
