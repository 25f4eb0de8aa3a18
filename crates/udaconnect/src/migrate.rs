//! Bringing each service's database schema up to date, for `udaconnect
//! migrate` (a Kubernetes Job) and for `udaconnect all` (once, before the
//! services start).

use clap::ValueEnum;
use udaconnect_locations::LocationsDatabaseArgs;
use udaconnect_persons::PersonsDatabaseArgs;
use udaconnect_storage::{LocationStore, PersonStore};

/// Whose schema `udaconnect migrate` brings up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrateTarget {
    /// Only the persons database.
    Persons,
    /// Only the locations database.
    Locations,
    /// Both.
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
) -> anyhow::Result<()> {
    if matches!(target, MigrateTarget::Persons | MigrateTarget::All) {
        persons.migrate().await?;
        tracing::info!("persons database migrated");
    }
    if matches!(target, MigrateTarget::Locations | MigrateTarget::All) {
        locations.migrate().await?;
        tracing::info!("locations database migrated");
    }
    Ok(())
}
