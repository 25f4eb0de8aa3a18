//! The sample event shipped in `data/sample-event`: a one-day conference in
//! Albuquerque on 2020-08-18, laid out where the starter data's Albuquerque
//! pings are, so that some of them fall in its rooms. Its files are written
//! by the generator; a test keeps them current.

use std::path::Path;

use anyhow::Context;
use chrono::{DateTime, TimeDelta};

use super::{EventPlan, EventSpec};

/// The sample event's time zone (its programme's times are in UTC anyway).
pub const TIME_ZONE: &str = "America/Denver";
/// The floor plan's file name.
pub const FLOOR_PLAN_FILE: &str = "floor-plan.geojson";
/// The programme's file name.
pub const PROGRAMME_FILE: &str = "programme.ics";

/// The sample event: 30 booths, 4 rooms, 08:55 to 13:25 local time. The
/// venue's corner puts the starter data's most frequent Albuquerque ping
/// (35.0585136, -106.5719566) 59 m east and 15 m south of it: inside
/// "Hall C", with the two other positions in "Hall B".
pub fn spec() -> EventSpec {
    EventSpec {
        name: "High Desert Tech Summit 2020".to_owned(),
        seed: 2020,
        booths: 30,
        rooms: 4,
        start: DateTime::parse_from_rfc3339("2020-08-18T14:55:00Z")
            .expect("a valid time")
            .to_utc(),
        length: TimeDelta::minutes(270),
        origin: (35.058_648_3, -106.572_604_1),
    }
}

/// The sample event's plan (without attendees: the files hold none).
pub fn plan() -> EventPlan {
    EventPlan::generate(spec(), &[]).expect("the sample spec is valid")
}

/// Writes the sample event's floor plan and programme into `dir`.
pub fn write(dir: &Path) -> anyhow::Result<()> {
    let plan = plan();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (file, text) in [
        (FLOOR_PLAN_FILE, plan.floor_plan_geojson()),
        (PROGRAMME_FILE, plan.programme_icalendar(TIME_ZONE)),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::event::venue::AreaKind;

    fn data_dir(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../data")
            .join(name)
    }

    /// Rewrites `data/sample-event` after a change to the generator:
    /// `cargo test -p udaconnect-devtools --lib -- --ignored regenerate_sample_event`.
    #[test]
    #[ignore = "writes into the repository"]
    fn regenerate_sample_event() {
        write(&data_dir("sample-event")).unwrap();
    }

    #[test]
    fn the_sample_files_are_what_the_generator_writes() {
        let plan = plan();
        for (file, expected) in [
            (FLOOR_PLAN_FILE, plan.floor_plan_geojson()),
            (PROGRAMME_FILE, plan.programme_icalendar(TIME_ZONE)),
        ] {
            let stored = std::fs::read_to_string(data_dir("sample-event").join(file)).unwrap();
            assert!(
                stored == expected,
                "data/sample-event/{file} is stale: run the ignored test regenerate_sample_event"
            );
        }
    }

    #[test]
    fn the_sample_is_a_realistic_day() {
        let plan = plan();
        assert_eq!(plan.venue().of_kind(AreaKind::Booth).len(), 30);
        assert_eq!(plan.venue().of_kind(AreaKind::Room).len(), 4);
        let talks = plan.presentations().len();
        assert!((12..=24).contains(&talks), "{talks} presentations");
    }

    #[test]
    fn starter_pings_fall_in_the_sample_rooms() {
        let starter = crate::seed::read(&data_dir("starter")).unwrap();
        let plan = plan();
        let projection = plan.venue().projection();
        let mut rooms = std::collections::BTreeSet::new();
        for location in &starter.locations {
            let point = projection.metres((
                location.coordinates.latitude(),
                location.coordinates.longitude(),
            ));
            for area in plan.venue().areas() {
                if area.outline.depth(point) > 0.0 {
                    rooms.insert(area.name.as_str());
                }
            }
        }
        assert_eq!(rooms, ["Hall B", "Hall C"].into());
    }
}
