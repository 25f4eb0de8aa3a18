//! Floor plans: areas as PostGIS polygons, judged by PostGIS on the way in.

use sqlx::{PgExecutor, Postgres, QueryBuilder};
use udaconnect_domain::{Area, AreaId, AreaKind, Event, EventId, NewArea, Outline, Position};

use super::{EVENT_COLUMNS, EventRow, EventStore, bump_revision, event_from_row};
use crate::StorageError;

type AreaRow = (i64, i64, String, String, Option<String>, String);

const AREA_COLUMNS: &str =
    "a.id, a.event_id, a.name, a.kind, a.exhibitor, ST_AsGeoJSON(a.outline, 15)";

fn area_from_row(
    (id, event_id, name, kind, exhibitor, geojson): AreaRow,
) -> Result<Area, StorageError> {
    let corrupt = |reason: String| StorageError::CorruptRow {
        table: "area",
        row: format!("id {id}"),
        reason,
    };
    let kind = AreaKind::parse("kind", &kind).map_err(|error| corrupt(error.to_string()))?;
    let geometry: GeoJsonPolygon =
        serde_json::from_str(&geojson).map_err(|error| corrupt(error.to_string()))?;
    let rings = geometry
        .coordinates
        .into_iter()
        .map(|ring| {
            ring.into_iter()
                .map(|[longitude, latitude]| Position {
                    longitude,
                    latitude,
                })
                .collect()
        })
        .collect();
    let outline = Outline::new("outline", rings).map_err(|error| corrupt(error.to_string()))?;
    Ok(Area {
        id,
        event_id,
        name,
        kind,
        exhibitor,
        outline,
    })
}

/// What PostGIS writes for a polygon.
#[derive(serde::Deserialize)]
struct GeoJsonPolygon {
    coordinates: Vec<Vec<[f64; 2]>>,
}

/// An outline as GeoJSON, which PostGIS reads.
fn outline_geojson(outline: &Outline) -> String {
    let rings: Vec<Vec<[f64; 2]>> = outline
        .rings()
        .iter()
        .map(|ring| {
            ring.iter()
                .map(|position| [position.longitude, position.latitude])
                .collect()
        })
        .collect();
    serde_json::json!({"type": "Polygon", "coordinates": rings}).to_string()
}

/// What became of a floor-plan upload. Nothing is stored unless it is
/// `Replaced`.
#[derive(Debug)]
pub enum FloorPlanChange {
    /// The event's areas now, by name.
    Replaced(Vec<Area>),
    /// PostGIS finds the outline of `areas[index]` invalid.
    InvalidOutline {
        /// Position in the upload.
        index: usize,
        /// PostGIS's reason, e.g. `Self-intersection[…]`.
        reason: String,
    },
    /// The upload leaves out a room that presentations take place in, or
    /// makes it a booth.
    RoomInUse {
        /// The room's name.
        name: String,
    },
}

/// Every area of every event, for mapping pings to areas.
#[derive(Debug)]
pub struct FloorPlans {
    /// Changes with every change of events and floor plans.
    pub revision: i64,
    /// Every event.
    pub events: Vec<Event>,
    /// Every area.
    pub areas: Vec<Area>,
}

impl EventStore {
    /// Replaces an event's floor plan in one transaction. Areas whose name is
    /// kept keep their id (and visits); removed areas lose their visits.
    #[tracing::instrument(skip(self, areas), fields(areas = areas.len()))]
    pub async fn replace_floor_plan(
        &self,
        event_id: EventId,
        areas: &[NewArea],
    ) -> Result<FloorPlanChange, StorageError> {
        let outlines: Vec<String> = areas
            .iter()
            .map(|area| outline_geojson(&area.outline))
            .collect();
        let invalid: Option<(i64, String)> = sqlx::query_as(
            "SELECT index - 1, ST_IsValidReason(geometry)
             FROM unnest($1::text[]) WITH ORDINALITY AS upload(geojson, index),
                  LATERAL (SELECT ST_SetSRID(ST_GeomFromGeoJSON(geojson), 4326)) AS g(geometry)
             WHERE NOT ST_IsValid(geometry)
             ORDER BY index LIMIT 1",
        )
        .bind(&outlines)
        .fetch_optional(&self.pool)
        .await?;
        if let Some((index, reason)) = invalid {
            return Ok(FloorPlanChange::InvalidOutline {
                index: usize::try_from(index).unwrap_or_default(),
                reason,
            });
        }

        let mut transaction = self.pool.begin().await?;
        bump_revision(&mut *transaction).await?;
        let names: Vec<&str> = areas.iter().map(|area| area.name.as_str()).collect();
        let rooms: Vec<&str> = areas
            .iter()
            .filter(|area| area.kind == AreaKind::Room)
            .map(|area| area.name.as_str())
            .collect();
        // Removed, or no longer a room.
        let room_in_use: Option<String> = sqlx::query_scalar(
            "SELECT a.name FROM area a
             WHERE a.event_id = $1 AND a.name <> ALL($2)
               AND EXISTS (SELECT 1 FROM presentation p WHERE p.room_id = a.id)
             ORDER BY a.name LIMIT 1",
        )
        .bind(event_id)
        .bind(&rooms)
        .fetch_optional(&mut *transaction)
        .await?;
        if let Some(name) = room_in_use {
            return Ok(FloorPlanChange::RoomInUse { name });
        }
        sqlx::query("DELETE FROM area WHERE event_id = $1 AND name <> ALL($2)")
            .bind(event_id)
            .bind(&names)
            .execute(&mut *transaction)
            .await?;
        if !areas.is_empty() {
            let mut upsert = QueryBuilder::<Postgres>::new(
                "INSERT INTO area (event_id, name, kind, exhibitor, outline) ",
            );
            upsert.push_values(areas.iter().zip(&outlines), |mut row, (area, outline)| {
                row.push_bind(event_id)
                    .push_bind(&area.name)
                    .push_bind(area.kind.as_str())
                    .push_bind(&area.exhibitor)
                    .push("ST_SetSRID(ST_GeomFromGeoJSON(")
                    .push_bind_unseparated(outline)
                    .push_unseparated("), 4326)");
            });
            upsert.push(
                " ON CONFLICT (event_id, name) DO UPDATE
                  SET kind = excluded.kind, exhibitor = excluded.exhibitor, outline = excluded.outline",
            );
            upsert.build().execute(&mut *transaction).await?;
        }
        let areas = areas_of(&mut *transaction, event_id).await?;
        transaction.commit().await?;
        Ok(FloorPlanChange::Replaced(areas))
    }

    /// An event's areas, by name.
    pub async fn areas(&self, event_id: EventId) -> Result<Vec<Area>, StorageError> {
        areas_of(&self.pool, event_id).await
    }

    /// One area, if it exists.
    pub async fn area(&self, id: AreaId) -> Result<Option<Area>, StorageError> {
        Ok(areas_by_id(&self.pool, &[id]).await?.pop())
    }

    /// Every floor plan, unless `known_revision` is still current.
    pub async fn floor_plans(
        &self,
        known_revision: i64,
    ) -> Result<Option<FloorPlans>, StorageError> {
        // One snapshot, so the revision matches what is read with it.
        let mut transaction = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *transaction)
            .await?;
        let revision: i64 = sqlx::query_scalar("SELECT revision FROM floor_plan_revision")
            .fetch_one(&mut *transaction)
            .await?;
        if revision == known_revision {
            return Ok(None);
        }
        let events: Vec<EventRow> =
            sqlx::query_as(&format!("SELECT {EVENT_COLUMNS} FROM event ORDER BY id"))
                .fetch_all(&mut *transaction)
                .await?;
        let areas: Vec<AreaRow> =
            sqlx::query_as(&format!("SELECT {AREA_COLUMNS} FROM area a ORDER BY a.id"))
                .fetch_all(&mut *transaction)
                .await?;
        transaction.commit().await?;
        Ok(Some(FloorPlans {
            revision,
            events: events.into_iter().map(event_from_row).collect(),
            areas: areas
                .into_iter()
                .map(area_from_row)
                .collect::<Result<_, _>>()?,
        }))
    }
}

pub(super) async fn areas_of(
    executor: impl PgExecutor<'_>,
    event_id: EventId,
) -> Result<Vec<Area>, StorageError> {
    let rows: Vec<AreaRow> = sqlx::query_as(&format!(
        "SELECT {AREA_COLUMNS} FROM area a WHERE a.event_id = $1 ORDER BY a.name"
    ))
    .bind(event_id)
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(area_from_row).collect()
}

/// The areas among `ids` that exist, by id.
pub(super) async fn areas_by_id(
    executor: impl PgExecutor<'_>,
    ids: &[AreaId],
) -> Result<Vec<Area>, StorageError> {
    let rows: Vec<AreaRow> = sqlx::query_as(&format!(
        "SELECT {AREA_COLUMNS} FROM area a WHERE a.id = ANY($1) ORDER BY a.id"
    ))
    .bind(ids)
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(area_from_row).collect()
}
