//! Every floor plan in memory, in a spatial index: which areas hold a ping.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rstar::{AABB, RTree, primitives::GeomWithData, primitives::Rectangle};
use udaconnect_domain::{Area, AreaId, Event, EventId, PersonId, Visit};

/// An area's bounding box in the tree, with the area's position in `areas`.
type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// The areas of every event, found by position and time.
#[derive(Debug)]
pub struct FloorIndex {
    tree: RTree<Entry>,
    areas: Vec<Area>,
    windows: HashMap<EventId, (DateTime<Utc>, DateTime<Utc>)>,
}

impl FloorIndex {
    /// An index of `areas`, each counting only during its event in `events`
    /// (areas of an event not listed never match).
    pub fn new(events: &[Event], areas: Vec<Area>) -> Self {
        let entries = areas
            .iter()
            .enumerate()
            .map(|(position, area)| {
                let (low, high) = area.outline.bounds();
                Entry::new(
                    Rectangle::from_corners(
                        [low.longitude, low.latitude],
                        [high.longitude, high.latitude],
                    ),
                    position,
                )
            })
            .collect();
        Self {
            tree: RTree::bulk_load(entries),
            areas,
            windows: events
                .iter()
                .map(|event| (event.id, (event.start, event.end)))
                .collect(),
        }
    }

    /// How many areas are indexed.
    pub fn len(&self) -> usize {
        self.areas.len()
    }

    /// Whether no area is indexed.
    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// The areas whose outline holds the position during their event.
    pub fn areas_at(
        &self,
        latitude: f64,
        longitude: f64,
        time: DateTime<Utc>,
    ) -> impl Iterator<Item = AreaId> + '_ {
        self.tree
            .locate_all_at_point(&[longitude, latitude])
            .map(|entry| &self.areas[entry.data])
            .filter(move |area| {
                self.windows
                    .get(&area.event_id)
                    .is_some_and(|(start, end)| *start <= time && time < *end)
                    && area.outline.contains(longitude, latitude)
            })
            .map(|area| area.id)
    }

    /// Adds to `stays` a one-ping visit for each area the ping is in.
    pub fn record_ping(
        &self,
        person_id: PersonId,
        latitude: f64,
        longitude: f64,
        time: DateTime<Utc>,
        stays: &mut Vec<Visit>,
    ) {
        stays.extend(
            self.areas_at(latitude, longitude, time)
                .map(|area_id| Visit::at(person_id, area_id, time)),
        );
    }

    /// The box holding every area: (south-west, north-east) as (latitude,
    /// longitude) pairs; `None` without areas.
    pub fn bounds(&self) -> Option<((f64, f64), (f64, f64))> {
        (!self.areas.is_empty()).then(|| {
            let envelope: AABB<[f64; 2]> = self.tree.root().envelope();
            let (low, high) = (envelope.lower(), envelope.upper());
            ((low[1], low[0]), (high[1], high[0]))
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use udaconnect_domain::{AreaKind, Outline, Position};

    use super::*;

    fn square(id: AreaId, event_id: EventId, west: f64, south: f64) -> Area {
        let corner = |longitude, latitude| Position {
            longitude,
            latitude,
        };
        let side = 0.0001;
        Area {
            id,
            event_id,
            name: format!("area {id}"),
            kind: AreaKind::Booth,
            exhibitor: None,
            outline: Outline::new(
                "outline",
                vec![vec![
                    corner(west, south),
                    corner(west + side, south),
                    corner(west + side, south + side),
                    corner(west, south + side),
                    corner(west, south),
                ]],
            )
            .unwrap(),
        }
    }

    #[test]
    fn a_ping_is_in_the_areas_that_hold_it_during_their_event() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let event = |id| Event {
            id,
            name: "e".to_owned(),
            start,
            end: start + TimeDelta::hours(8),
            time_zone: "UTC".to_owned(),
        };
        let index = FloorIndex::new(
            &[event(1)],
            vec![
                square(10, 1, 0.0, 0.0),
                square(11, 1, 0.00005, 0.0),
                square(12, 1, 0.001, 0.001),
                // An event the index was not told of.
                square(13, 2, 0.0, 0.0),
            ],
        );
        let during = start + TimeDelta::hours(1);
        let mut found: Vec<AreaId> = index.areas_at(0.00002, 0.00007, during).collect();
        found.sort_unstable();
        assert_eq!(found, [10, 11], "overlapping areas both hold the ping");
        assert_eq!(
            index.areas_at(0.00002, 0.00002, during).collect::<Vec<_>>(),
            [10]
        );
        assert_eq!(index.areas_at(0.0005, 0.0005, during).count(), 0);
        assert_eq!(
            index
                .areas_at(0.00002, 0.00002, start - TimeDelta::seconds(1))
                .count(),
            0,
            "before the event"
        );
        assert_eq!(
            index
                .areas_at(0.00002, 0.00002, start + TimeDelta::hours(8))
                .count(),
            0,
            "the end is exclusive"
        );
        let ((south, west), (north, east)) = index.bounds().unwrap();
        assert_eq!((south, west), (0.0, 0.0));
        assert!((north - 0.0011).abs() < 1e-12 && (east - 0.0011).abs() < 1e-12);
    }
}
