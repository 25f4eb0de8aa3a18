//! Visits: merged in as the stream brings stays, or replaced wholesale by a
//! rebuild.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};
use udaconnect_domain::{AreaKind, EventId, PersonId, Retention, Visit, VisitGap, merge_visits};

use super::EventStore;
use crate::StorageError;

type VisitRow = (i64, i64, DateTime<Utc>, DateTime<Utc>);

/// (event, area, area name, area kind, start, end) of a [`PersonVisit`].
type PersonVisitRow = (i64, i64, String, String, DateTime<Utc>, DateTime<Utc>);

/// A stay of one person in a booth or room, with where it was: what the
/// person's export lists.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonVisit {
    /// The event of the area.
    pub event_id: EventId,
    /// The area's id, name and kind.
    pub area_id: i64,
    /// What the floor plan calls it.
    pub area_name: String,
    /// Booth or room.
    pub area_kind: AreaKind,
    /// The first ping's time.
    pub start: DateTime<Utc>,
    /// The last ping's time.
    pub end: DateTime<Utc>,
}

/// Rows per INSERT: four arrays of this length stay well within a
/// statement's limits.
const INSERT_CHUNK: usize = 10_000;

impl EventStore {
    /// Every visit stored of the person, at every event, by start.
    #[tracing::instrument(skip(self))]
    pub async fn person_visits(
        &self,
        person_id: PersonId,
    ) -> Result<Vec<PersonVisit>, StorageError> {
        let rows: Vec<PersonVisitRow> = sqlx::query_as(
            "SELECT a.event_id, v.area_id, a.name, a.kind, v.start_time, v.end_time
             FROM visit v JOIN area a ON a.id = v.area_id
             WHERE v.person_id = $1 ORDER BY v.start_time, v.area_id",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(event_id, area_id, area_name, kind, start, end)| {
                let area_kind =
                    AreaKind::parse("kind", &kind).map_err(|error| StorageError::CorruptRow {
                        table: "area",
                        row: format!("id {area_id}"),
                        reason: error.to_string(),
                    })?;
                Ok(PersonVisit {
                    event_id,
                    area_id,
                    area_name,
                    area_kind,
                    start,
                    end,
                })
            })
            .collect()
    }

    /// Merges stays into the stored visits: each joins the stored visits of
    /// its person and area within `gap` of it. Idempotent and independent of
    /// the order stays come in; stays in areas that no longer exist are
    /// dropped. Returns how many stored visits were created or extended.
    #[tracing::instrument(skip(self, stays), fields(stays = stays.len()))]
    pub async fn record_visits(&self, stays: &[Visit], gap: VisitGap) -> Result<u32, StorageError> {
        if stays.is_empty() {
            return Ok(0);
        }
        // The span each (person, area) of the batch may reach.
        let mut reach: BTreeMap<(i64, i64), (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
        for stay in stays {
            let span = reach
                .entry((stay.person_id, stay.area_id))
                .or_insert((stay.start, stay.end));
            span.0 = span.0.min(stay.start);
            span.1 = span.1.max(stay.end);
        }
        let mut transaction = self.pool.begin().await?;
        // Another consumer (after a rebalance) or a rebuild may write the
        // same person's visits; each person is taken in id order.
        let persons: Vec<i64> = {
            let mut ids: Vec<i64> = reach.keys().map(|(person, _)| *person).collect();
            ids.dedup();
            ids
        };
        sqlx::query("SELECT pg_advisory_xact_lock(id) FROM unnest($1::bigint[]) AS id ORDER BY id")
            .bind(&persons)
            .execute(&mut *transaction)
            .await?;
        let (keys, spans): (Vec<_>, Vec<_>) = reach.into_iter().unzip();
        let (person_ids, area_ids): (Vec<i64>, Vec<i64>) = keys.into_iter().unzip();
        let (lows, highs): (Vec<DateTime<Utc>>, Vec<DateTime<Utc>>) = spans
            .into_iter()
            .map(|(low, high)| (low - gap.get(), high + gap.get()))
            .unzip();
        let stored: Vec<VisitRow> = sqlx::query_as(
            "SELECT v.person_id, v.area_id, v.start_time, v.end_time
             FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::timestamptz[])
                  AS s(person_id, area_id, low, high)
             JOIN visit v ON v.person_id = s.person_id AND v.area_id = s.area_id
                         AND v.start_time <= s.high AND v.end_time >= s.low",
        )
        .bind(&person_ids)
        .bind(&area_ids)
        .bind(&lows)
        .bind(&highs)
        .fetch_all(&mut *transaction)
        .await?;
        let stored: HashSet<Visit> = stored.into_iter().map(visit_from_row).collect();
        let merged = merge_visits(stored.iter().chain(stays).copied(), gap);
        let merged_set: HashSet<Visit> = merged.iter().copied().collect();
        let outdated: Vec<Visit> = stored.difference(&merged_set).copied().collect();
        let new: Vec<Visit> = merged
            .into_iter()
            .filter(|visit| !stored.contains(visit))
            .collect();
        delete_visits(&mut transaction, &outdated).await?;
        let inserted = insert_visits(&mut transaction, &new).await?;
        transaction.commit().await?;
        Ok(inserted)
    }

    /// Deletes every visit of the events past retention at `now` (ended at
    /// least the period before, as [`Retention::has_expired`] says): the
    /// pings they were made of are being deleted too.
    /// Returns how many were deleted.
    #[tracing::instrument(skip(self))]
    pub async fn delete_visits_past_retention(
        &self,
        now: DateTime<Utc>,
        retention: Retention,
    ) -> Result<u64, StorageError> {
        Ok(sqlx::query(
            "DELETE FROM visit WHERE area_id IN (
                 SELECT a.id FROM area a JOIN event e ON e.id = a.event_id
                 WHERE e.end_time <= $1)",
        )
        .bind(now - retention.period())
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Replaces every visit of the event's areas with `visits`, in one
    /// transaction that holds writers of visits off while it runs. Returns
    /// (removed, stored).
    #[tracing::instrument(skip(self, visits), fields(visits = visits.len()))]
    pub async fn replace_event_visits(
        &self,
        event_id: EventId,
        visits: &[Visit],
    ) -> Result<(u64, u32), StorageError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("LOCK TABLE visit IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *transaction)
            .await?;
        let removed = sqlx::query(
            "DELETE FROM visit WHERE area_id IN (SELECT id FROM area WHERE event_id = $1)",
        )
        .bind(event_id)
        .execute(&mut *transaction)
        .await?
        .rows_affected();
        let stored = insert_visits(&mut transaction, visits).await?;
        transaction.commit().await?;
        Ok((removed, stored))
    }
}

fn visit_from_row((person_id, area_id, start, end): VisitRow) -> Visit {
    Visit {
        person_id,
        area_id,
        start,
        end,
    }
}

/// Visits as columns (persons, areas, starts, ends), for `unnest`.
type VisitColumns = (Vec<i64>, Vec<i64>, Vec<DateTime<Utc>>, Vec<DateTime<Utc>>);

fn columns(visits: &[Visit]) -> VisitColumns {
    let mut columns = (
        Vec::with_capacity(visits.len()),
        Vec::with_capacity(visits.len()),
        Vec::with_capacity(visits.len()),
        Vec::with_capacity(visits.len()),
    );
    for visit in visits {
        columns.0.push(visit.person_id);
        columns.1.push(visit.area_id);
        columns.2.push(visit.start);
        columns.3.push(visit.end);
    }
    columns
}

async fn delete_visits(
    transaction: &mut Transaction<'_, Postgres>,
    visits: &[Visit],
) -> Result<(), StorageError> {
    if visits.is_empty() {
        return Ok(());
    }
    let (persons, areas, starts, _) = columns(visits);
    sqlx::query(
        "DELETE FROM visit v
         USING unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS d(person_id, area_id, start_time)
         WHERE (v.person_id, v.area_id, v.start_time) = (d.person_id, d.area_id, d.start_time)",
    )
    .bind(&persons)
    .bind(&areas)
    .bind(&starts)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Inserts visits of areas that still exist (a floor plan may have dropped
/// an area since the stays were seen) and of persons not erased; returns
/// how many.
async fn insert_visits(
    transaction: &mut Transaction<'_, Postgres>,
    visits: &[Visit],
) -> Result<u32, StorageError> {
    let mut inserted = 0;
    for chunk in visits.chunks(INSERT_CHUNK) {
        let (persons, areas, starts, ends) = columns(chunk);
        inserted += sqlx::query(
            "INSERT INTO visit (person_id, area_id, start_time, end_time)
             SELECT n.person_id, n.area_id, n.start_time, n.end_time
             FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::timestamptz[])
                  AS n(person_id, area_id, start_time, end_time)
             WHERE EXISTS (SELECT 1 FROM area WHERE id = n.area_id)
               AND NOT EXISTS (SELECT 1 FROM erased_person e WHERE e.person_id = n.person_id)",
        )
        .bind(&persons)
        .bind(&areas)
        .bind(&starts)
        .bind(&ends)
        .execute(&mut **transaction)
        .await?
        .rows_affected();
    }
    Ok(u32::try_from(inserted).unwrap_or(u32::MAX))
}
