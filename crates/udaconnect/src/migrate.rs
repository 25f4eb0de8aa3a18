//! Bringing each service's database schema up to date, for `udaconnect
//! migrate` (a Kubernetes Job) and for `udaconnect all` (once, before the
//! services start).

use clap::ValueEnum;
use udaconnect_locations::LocationsDatabaseArgs;
use udaconnect_persons::PersonsDatabaseArgs;
use udaconnect_storage::{EventStore, LocationStore, PersonStore};

/// Whose schema `udaconnect migrate` brings up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrateTarget {
    /// Only the persons database.
    Persons,
    /// Only the locations database.
    Locations,
    /// Only the events database.
    Events,
    /// Every database.
    All,
}

/// The stores of both databases, for one-off tasks (migrate, seed).
pub fn stores(
    persons: &PersonsDatabaseArgs,
    locations: &LocationsDatabaseArgs,
) -> anyhow::Result<(PersonStore, LocationStore)> {
    Ok((
        PersonStore::new(udaconnect_storage::connect_lazy(
            &persons.persons_database_url,
            2,
        )?),
        LocationStore::new(udaconnect_storage::connect_lazy(
            &locations.locations_database_url,
            2,
        )?),
    ))
}

/// Applies the migrations of `target`'s databases.
pub async fn migrate(
    target: MigrateTarget,
    persons: &PersonStore,
    locations: &LocationStore,
    events: &EventStore,
) -> anyhow::Result<()> {
    if matches!(target, MigrateTarget::Persons | MigrateTarget::All) {
        persons.migrate().await?;
        tracing::info!("persons database migrated");
    }
    if matches!(target, MigrateTarget::Locations | MigrateTarget::All) {
        locations.migrate().await?;
        tracing::info!("locations database migrated");
    }
    if matches!(target, MigrateTarget::Events | MigrateTarget::All) {
        events.migrate().await?;
        tracing::info!("events database migrated");
    }
    Ok(())
}
