//! Programmes: presentations in rooms, and the time zone rules that place
//! their wall-clock times.

use chrono::{DateTime, NaiveDateTime, Utc};
use sqlx::PgExecutor;
use udaconnect_domain::{EventId, Presentation, PresentationId, ScheduledPresentation};

use super::EventStore;
use crate::StorageError;

type PresentationRow = (
    i64,
    i64,
    Option<String>,
    String,
    Vec<String>,
    i64,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
);

const PRESENTATION_COLUMNS: &str = "p.id, p.event_id, p.uid, p.title, p.speakers, p.room_id,
    (SELECT name FROM area WHERE id = p.room_id), p.start_time, p.end_time";

fn presentation_from_row(
    (id, event_id, uid, title, speakers, room_id, room, start, end): PresentationRow,
) -> Presentation {
    Presentation {
        id,
        event_id,
        uid,
        title,
        speakers,
        room_id,
        room,
        start,
        end,
    }
}

impl EventStore {
    /// The zones among `zones` that PostgreSQL does not know by name.
    pub async fn unknown_time_zones(&self, zones: &[&str]) -> Result<Vec<String>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT zone FROM unnest($1::text[]) AS zone
             WHERE NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = zone)
             ORDER BY zone",
        )
        .bind(zones)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Each wall-clock time placed in its zone, by the database's rules
    /// (every zone must be known: see [`EventStore::unknown_time_zones`]).
    pub async fn place_local_times(
        &self,
        times: &[(NaiveDateTime, &str)],
    ) -> Result<Vec<DateTime<Utc>>, StorageError> {
        let (clocks, zones): (Vec<NaiveDateTime>, Vec<&str>) = times.iter().copied().unzip();
        Ok(sqlx::query_scalar(
            "SELECT clock AT TIME ZONE zone
             FROM unnest($1::timestamp[], $2::text[]) WITH ORDINALITY AS t(clock, zone, index)
             ORDER BY index",
        )
        .bind(&clocks)
        .bind(&zones)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Replaces an event's programme in one transaction.
    #[tracing::instrument(skip(self, presentations), fields(presentations = presentations.len()))]
    pub async fn replace_programme(
        &self,
        event_id: EventId,
        presentations: &[ScheduledPresentation],
    ) -> Result<Vec<Presentation>, StorageError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("DELETE FROM presentation WHERE event_id = $1")
            .bind(event_id)
            .execute(&mut *transaction)
            .await?;
        // Speakers travel as one JSON document: PostgreSQL has no array of
        // arrays of varying length.
        let speakers: Vec<String> = presentations
            .iter()
            .map(|presentation| serde_json::Value::from(presentation.speakers.clone()).to_string())
            .collect();
        sqlx::query(
            "INSERT INTO presentation (event_id, uid, title, speakers, room_id, start_time, end_time)
             SELECT $1, uid, title,
                    ARRAY(SELECT json_array_elements_text(speakers::json)),
                    room_id, start_time, end_time
             FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[],
                         $6::timestamptz[], $7::timestamptz[])
                  AS p(uid, title, speakers, room_id, start_time, end_time)",
        )
        .bind(event_id)
        .bind(
            presentations
                .iter()
                .map(|p| p.uid.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(presentations.iter().map(|p| &p.title).collect::<Vec<_>>())
        .bind(&speakers)
        .bind(presentations.iter().map(|p| p.room_id).collect::<Vec<_>>())
        .bind(presentations.iter().map(|p| p.start).collect::<Vec<_>>())
        .bind(presentations.iter().map(|p| p.end).collect::<Vec<_>>())
        .execute(&mut *transaction)
        .await?;
        let stored = presentations_of(&mut *transaction, event_id).await?;
        transaction.commit().await?;
        Ok(stored)
    }

    /// An event's presentations, by start, then room.
    pub async fn presentations(
        &self,
        event_id: EventId,
    ) -> Result<Vec<Presentation>, StorageError> {
        presentations_of(&self.pool, event_id).await
    }

    /// One presentation, if it exists.
    pub async fn presentation(
        &self,
        id: PresentationId,
    ) -> Result<Option<Presentation>, StorageError> {
        Ok(presentations_by_id(&self.pool, &[id]).await?.pop())
    }
}

async fn presentations_of(
    executor: impl PgExecutor<'_>,
    event_id: EventId,
) -> Result<Vec<Presentation>, StorageError> {
    let rows: Vec<PresentationRow> = sqlx::query_as(&format!(
        "SELECT {PRESENTATION_COLUMNS} FROM presentation p WHERE p.event_id = $1
         ORDER BY p.start_time, (SELECT name FROM area WHERE id = p.room_id), p.id"
    ))
    .bind(event_id)
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(presentation_from_row).collect())
}

/// The presentations among `ids` that exist, by id.
pub(super) async fn presentations_by_id(
    executor: impl PgExecutor<'_>,
    ids: &[PresentationId],
) -> Result<Vec<Presentation>, StorageError> {
    let rows: Vec<PresentationRow> = sqlx::query_as(&format!(
        "SELECT {PRESENTATION_COLUMNS} FROM presentation p WHERE p.id = ANY($1) ORDER BY p.id"
    ))
    .bind(ids)
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(presentation_from_row).collect())
}
