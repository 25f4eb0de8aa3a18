//! Loads the proof of concept's starter data set (5 persons, 39 locations),
//! repairing its mixed axis order on the way in.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::NaiveDateTime;
use serde::Deserialize;
use udaconnect_domain::{Coordinates, Location, Person, Privacy};
use udaconnect_storage::{LocationStore, PersonStore};
use uuid::Uuid;

/// Namespace of the event ids given to seed locations, so that loading the
/// data twice stores each location once.
const SEED_EVENT_NAMESPACE: Uuid = Uuid::from_u128(0x6a1c_5e0d_7d3b_4c1e_9f2a_0b5e_8c4d_2f10);

/// The starter data set as it ships with the repository.
pub fn default_data_dir() -> PathBuf {
    PathBuf::from("data/starter")
}

/// The rows of a data set, validated and with corrected coordinates.
#[derive(Debug, Clone)]
pub struct SeedData {
    /// Attendees with their original ids.
    pub persons: Vec<Person>,
    /// Pings with their original ids.
    pub locations: Vec<Location>,
}

#[derive(Debug, Deserialize)]
struct PersonRecord {
    id: i64,
    first_name: String,
    last_name: String,
    company_name: String,
}

#[derive(Debug, Deserialize)]
struct LocationRecord {
    id: i64,
    person_id: i64,
    x: f64,
    y: f64,
    creation_time: NaiveDateTime,
}

/// Reads `persons.csv` and `locations.csv` from `dir`.
pub fn read(dir: &Path) -> anyhow::Result<SeedData> {
    let persons = read_csv::<PersonRecord>(&dir.join("persons.csv"))?
        .into_iter()
        .map(|r| Person {
            id: r.id,
            first_name: r.first_name,
            last_name: r.last_name,
            company_name: r.company_name,
            privacy: Privacy::default(),
        })
        .collect();
    let locations = read_csv::<LocationRecord>(&dir.join("locations.csv"))?
        .into_iter()
        .map(location_from_record)
        .collect::<anyhow::Result<_>>()?;
    Ok(SeedData { persons, locations })
}

fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot open {}", path.display()))?;
    reader
        .deserialize()
        .collect::<Result<_, _>>()
        .with_context(|| format!("malformed row in {}", path.display()))
}

/// The proof of concept stored some points as (longitude, latitude) and some
/// as (latitude, longitude). Exactly one of the two values exceeds 90 in
/// magnitude in every row, and that one is the longitude.
fn location_from_record(record: LocationRecord) -> anyhow::Result<Location> {
    let (latitude, longitude) = match (record.x.abs() > 90.0, record.y.abs() > 90.0) {
        (true, false) => (record.y, record.x),
        (false, true) => (record.x, record.y),
        _ => bail!(
            "location {}: cannot tell longitude from latitude in ({}, {})",
            record.id,
            record.x,
            record.y
        ),
    };
    Ok(Location {
        id: record.id,
        event_id: Uuid::new_v5(&SEED_EVENT_NAMESPACE, &record.id.to_be_bytes()),
        person_id: record.person_id,
        coordinates: Coordinates::new(latitude, longitude)
            .with_context(|| format!("location {}", record.id))?,
        creation_time: record.creation_time.and_utc(),
    })
}

/// Stores the data set; rows already present are left alone, so seeding is
/// repeatable. Returns how many persons and locations were new.
pub async fn load(
    data: &SeedData,
    persons: &PersonStore,
    locations: &LocationStore,
) -> anyhow::Result<(u64, u64)> {
    let new_persons = persons.import(&data.persons).await?;
    let new_locations = locations.import(&data.locations).await?;
    Ok((new_persons, new_locations))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_data() -> SeedData {
        read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/starter")).unwrap()
    }

    #[test]
    fn the_starter_set_has_the_proof_of_concepts_rows() {
        let data = repo_data();
        assert_eq!(data.persons.len(), 5);
        assert_eq!(data.locations.len(), 39);
        assert_eq!(data.persons[0].company_name, "Hampton, Hampton and McQuill");
    }

    #[test]
    fn both_axis_orders_become_longitude_and_latitude() {
        let data = repo_data();
        let by_id = |id| data.locations.iter().find(|l| l.id == id).unwrap();
        // Stored as (x = longitude, y = latitude): San Francisco Bay Area.
        assert_eq!(
            by_id(29).coordinates,
            Coordinates::new(37.553441, -122.290524).unwrap()
        );
        // Stored as (x = latitude, y = longitude): Albuquerque.
        assert_eq!(
            by_id(42).coordinates,
            Coordinates::new(35.0585136, -106.5719566).unwrap()
        );
        assert!(
            data.locations
                .iter()
                .all(|l| l.coordinates.longitude() < -100.0)
        );
    }

    #[test]
    fn ambiguous_rows_are_refused() {
        let record = LocationRecord {
            id: 1,
            person_id: 1,
            x: 10.0,
            y: 20.0,
            creation_time: NaiveDateTime::default(),
        };
        assert!(location_from_record(record).is_err());
    }
}
