//! The events service's database: events, floor plans, programmes and
//! visits, and the attendance answers computed from them.

mod attendance;
mod floor_plan;
mod programme;
mod visits;

pub use attendance::{
    AreaVisitor, AttendedPresentation, BoothHour, EventStatistics, PresentationAttendee,
    SharedAttendance, SharedPage, SharedPageRequest, VisitedBooth,
};
pub use floor_plan::{FloorPlanChange, FloorPlans};
pub use visits::PersonVisit;

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};
use udaconnect_domain::{Event, EventId, NewEvent};

use crate::{EVENTS_MIGRATOR, ErasesPersons, StorageError, erasure::Erasure};

type EventRow = (i64, String, DateTime<Utc>, DateTime<Utc>, String);

fn event_from_row((id, name, start, end, time_zone): EventRow) -> Event {
    Event {
        id,
        name,
        start,
        end,
        time_zone,
    }
}

const EVENT_COLUMNS: &str = "id, name, start_time, end_time, time_zone";

/// The events service's tables.
#[derive(Debug, Clone)]
pub struct EventStore {
    pool: PgPool,
}

impl EventStore {
    /// A store over an open pool of the events database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The underlying pool (for readiness checks).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        EVENTS_MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// Whether PostgreSQL knows the time zone by this IANA name.
    pub async fn time_zone_exists(&self, name: &str) -> Result<bool, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
                .bind(name)
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Stores a new event; its time zone must exist.
    #[tracing::instrument(skip_all)]
    pub async fn create_event(&self, event: &NewEvent) -> Result<Event, StorageError> {
        let mut transaction = self.pool.begin().await?;
        let row: EventRow = sqlx::query_as(&format!(
            "INSERT INTO event (name, start_time, end_time, time_zone) VALUES ($1, $2, $3, $4)
             RETURNING {EVENT_COLUMNS}"
        ))
        .bind(event.name())
        .bind(event.start())
        .bind(event.end())
        .bind(event.time_zone())
        .fetch_one(&mut *transaction)
        .await?;
        bump_revision(&mut *transaction).await?;
        transaction.commit().await?;
        Ok(event_from_row(row))
    }

    /// One event, if it exists.
    pub async fn event(&self, id: EventId) -> Result<Option<Event>, StorageError> {
        event(&self.pool, id).await
    }

    /// Every event, the latest start first.
    pub async fn events(&self) -> Result<Vec<Event>, StorageError> {
        let rows: Vec<EventRow> = sqlx::query_as(&format!(
            "SELECT {EVENT_COLUMNS} FROM event ORDER BY start_time DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(event_from_row).collect())
    }
}

async fn event(executor: impl PgExecutor<'_>, id: EventId) -> Result<Option<Event>, StorageError> {
    let row: Option<EventRow> =
        sqlx::query_as(&format!("SELECT {EVENT_COLUMNS} FROM event WHERE id = $1"))
            .bind(id)
            .fetch_optional(executor)
            .await?;
    Ok(row.map(event_from_row))
}

/// Tells mappers of pings that events or floor plans changed; also
/// serialises floor-plan changes, which take the row's lock.
async fn bump_revision(executor: impl PgExecutor<'_>) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "UPDATE floor_plan_revision SET revision = revision + 1 RETURNING revision",
    )
    .fetch_one(executor)
    .await?)
}

impl ErasesPersons for EventStore {
    /// Deletes every visit of the person, holding the person's lock, as
    /// recording their visits does, so that no stay still open in a
    /// consumer (or a rebuild) records a visit after the erasure.
    async fn erase_person(
        &self,
        person_id: i64,
        requested_at: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        Erasure {
            // An id is a number: nothing in it needs quoting.
            hold_writers_off: Some(format!("SELECT pg_advisory_xact_lock({person_id})")),
            delete: "DELETE FROM visit WHERE person_id = $1",
        }
        .run(&self.pool, person_id, requested_at)
        .await
    }
}
