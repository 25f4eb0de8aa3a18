//! Durable storage for UdaConnect. Each owning service has its own store and
//! its own migrations, and may live in its own database: nothing here joins
//! across them.

pub mod cells;
mod erasure;
mod error;
mod events;
mod identity;
mod locations;
mod packs;
mod persons;
mod stored_point;
mod streamed_read;

pub use erasure::ErasesPersons;
pub use error::StorageError;
pub use events::{
    AreaVisitor, AttendedPresentation, BoothHour, EventStatistics, EventStore, FloorPlanChange,
    FloorPlans, PersonVisit, PresentationAttendee, SharedAttendance, SharedPage, SharedPageRequest,
    VisitedBooth,
};
pub use identity::{Device, IdentityStore, Redemption};
pub use locations::{AreaPings, ContactSightings, LocationStore};
pub use persons::PersonStore;

use std::{str::FromStr, time::Duration};

use sqlx::{
    PgPool,
    postgres::{PgConnectOptions, PgPoolOptions},
};

/// Opens a connection pool. Connections are made lazily, so a service can
/// start (and report itself not ready) while the database is still down.
///
/// Just-in-time compilation is off for the services' sessions: their
/// queries are index-driven and short, yet the planner's cost estimates for
/// PostGIS functions reach the JIT threshold, where compiling cost a
/// connection search 110 ms of about a second (docs/benchmarks.md, §7).
pub fn connect_lazy(database_url: &str, max_connections: u32) -> Result<PgPool, StorageError> {
    let options = PgConnectOptions::from_str(database_url)?.options([("jit", "off")]);
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with(options))
}

/// Schema of the persons service's database.
pub static PERSONS_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/persons");

/// Schema of the locations service's database (PostGIS required).
pub static LOCATIONS_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/locations");

/// Schema of the events service's database (PostGIS required).
pub static EVENTS_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/events");

/// Cheap liveness probe of a database connection.
pub async fn ping(pool: &PgPool) -> Result<(), StorageError> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// Moves a table's identity sequence past its largest id, so that rows loaded
/// with explicit ids never collide with the next generated one.
async fn advance_identity(pool: &PgPool, table: &str) -> Result<(), StorageError> {
    let statement = format!(
        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
    );
    sqlx::query(&statement).execute(pool).await?;
    Ok(())
}
