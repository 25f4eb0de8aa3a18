use chrono::{DateTime, NaiveDate, Utc};
use futures::{StreamExt, stream::BoxStream};
use sqlx::{PgPool, Postgres, postgres::PgArguments};
use std::{
    collections::{BTreeSet, HashMap, HashSet},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};
use tokio::sync::Semaphore;

use udaconnect_domain::{
    Connection, ConnectionQuery, ContactQuery, Coordinates, Event, Location, LocationId,
    NewLocation, PersonId, Retention, Sighting, geodesy::DegreeBox,
};
use uuid::Uuid;

use crate::{
    ErasesPersons, LOCATIONS_MIGRATOR, StorageError, advance_identity, cells,
    erasure::Erasure,
    packs,
    stored_point::StoredPoint,
    streamed_read::{
        Chunk, Chunker, DEFAULT_STALL_LIMIT, ReadLength, ReadSender, WaitingRead, read_channel,
    },
};

type LocationRow = (i64, Uuid, i64, StoredPoint, DateTime<Utc>);

/// Where a streamed connection search sends its chunks.
type ChunkSender = ReadSender<Vec<Connection>>;

/// Runs the connection search on a connection of its own, sending chunks
/// until the rows run out or the receiver goes away; then it cancels the
/// statement, which would otherwise run to its end.
#[tracing::instrument(skip_all, fields(person_id = query.person_id()))]
async fn send_connections(
    pool: &PgPool,
    query: &ConnectionQuery,
    chunk: usize,
    sender: &ChunkSender,
) -> Result<(), StorageError> {
    let mut connection = pool.acquire().await?;
    let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
        .fetch_one(&mut *connection)
        .await?;
    let statement = format!(
        "SELECT own.id, {LOCATION_COLUMNS}
         FROM location own
         JOIN location l
           ON ST_DWithin(l.coordinate, own.coordinate, $4)
          AND l.person_id <> own.person_id
          AND l.creation_time >= $2 AND l.creation_time < $5
         WHERE own.person_id = $1 AND own.creation_time >= $2 AND own.creation_time < $3
         ORDER BY own.id, l.id"
    );
    // Planned for each search's own values, never cached: after five runs
    // a cached statement's generic plan guesses that a time range keeps
    // few rows and intersects the distance index with the time-led key,
    // reading the whole period's entries for every own ping (5 s instead
    // of 0.4 s at 1M rows, bench/profile.md). Planning costs milliseconds.
    let mut rows = sqlx::query_as::<_, ConnectionRow>(&statement)
        .persistent(false)
        .bind(query.person_id())
        .bind(query.start())
        .bind(query.end())
        .bind(query.distance_meters())
        .bind(query.others_end())
        .fetch(&mut *connection);
    let mut batch = Vec::with_capacity(chunk);
    let mut abandoned = false;
    loop {
        // A caller that leaves while the database is still sorting is
        // noticed at once, not at the first chunk.
        let row = tokio::select! {
            row = rows.next() => row,
            () = sender.closed() => {
                abandoned = true;
                break;
            }
        };
        let Some(row) = row else { break };
        let (own_location_id, id, event_id, person_id, point, time) = row?;
        batch.push(Connection {
            own_location_id,
            location: location_from_row((id, event_id, person_id, point, time))?,
        });
        if batch.len() == chunk && !sender.send(Ok(std::mem::take(&mut batch))).await {
            abandoned = true;
            break;
        }
    }
    drop(rows);
    if abandoned {
        tracing::info!(
            backend,
            "connection search abandoned by its caller; cancelling it"
        );
        sqlx::query("SELECT pg_cancel_backend($1)")
            .bind(backend)
            .execute(pool)
            .await?;
        // The connection may still be draining the cancelled statement;
        // it is not worth returning to the pool.
        connection.detach();
    } else if !batch.is_empty() {
        sender.send(Ok(batch)).await;
    }
    Ok(())
}

impl Chunk for AreaPings {
    fn with_capacity(capacity: usize) -> Self {
        AreaPings::with_capacity(capacity)
    }

    fn len(&self) -> usize {
        self.len()
    }
}

/// The own location's id, then a [`LocationRow`].
type ConnectionRow = (i64, i64, Uuid, i64, StoredPoint, DateTime<Utc>);

/// Coordinates read back from a row; out-of-range values mean the row is
/// corrupt, and `row` names it in the error.
fn stored_coordinates(
    point: StoredPoint,
    row: impl FnOnce() -> String,
) -> Result<Coordinates, StorageError> {
    Coordinates::new(point.latitude, point.longitude).map_err(|error| StorageError::CorruptRow {
        table: "location",
        row: row(),
        reason: error.to_string(),
    })
}

fn location_from_row(
    (id, event_id, person_id, point, creation_time): LocationRow,
) -> Result<Location, StorageError> {
    let coordinates = stored_coordinates(point, || format!("id {id}"))?;
    Ok(Location {
        id,
        event_id,
        person_id,
        coordinates,
        creation_time,
    })
}

/// Columns of a [`Location`] in `location_from_row` order, for a table aliased `l`.
const LOCATION_COLUMNS: &str = "l.id, l.event_id, l.person_id,
    l.coordinate, l.creation_time";

/// Pings as columns (index i of each is one ping), the shape they travel
/// in to whoever rebuilds attendance.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct AreaPings {
    /// Whose.
    pub person_ids: Vec<PersonId>,
    /// Degrees north.
    pub latitudes: Vec<f64>,
    /// Degrees east.
    pub longitudes: Vec<f64>,
    /// When.
    pub times: Vec<DateTime<Utc>>,
}

impl AreaPings {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            person_ids: Vec::with_capacity(capacity),
            latitudes: Vec::with_capacity(capacity),
            longitudes: Vec::with_capacity(capacity),
            times: Vec::with_capacity(capacity),
        }
    }

    fn push(&mut self, (person_id, point, time): SightingRow) {
        self.person_ids.push(person_id);
        self.latitudes.push(point.latitude);
        self.longitudes.push(point.longitude);
        self.times.push(time);
    }

    /// How many pings.
    pub fn len(&self) -> usize {
        self.person_ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.person_ids.is_empty()
    }
}

/// (person, position, time) of a [`Sighting`].
type SightingRow = (PersonId, StoredPoint, DateTime<Utc>);

fn sighting_from_row((person_id, point, time): SightingRow) -> Result<Sighting, StorageError> {
    let position = stored_coordinates(point, || format!("person {person_id} at {time}"))?;
    Ok(Sighting {
        person_id,
        position,
        time,
    })
}

/// What a contact search compares: the subject's pings, and every other
/// person's ping that may be close enough to one of them.
pub struct ContactSightings {
    /// The subject's pings in the query's range, sorted by time.
    pub own: Vec<Sighting>,
    /// Other people's pings in the grid cells around the subject's pings,
    /// within the time window of one of them and inside the box that holds
    /// every position within the search's distance of them; each at most
    /// once. They come in chunks as they are read, so that matching the
    /// first chunks overlaps reading the rest.
    pub candidates: BoxStream<'static, Result<Vec<Sighting>, StorageError>>,
}

impl ContactSightings {
    fn nobody() -> Self {
        Self {
            own: Vec::new(),
            candidates: futures::stream::empty().boxed(),
        }
    }
}

/// An inclusive range of observation times.
type TimeRange = (DateTime<Utc>, DateTime<Utc>);

/// Statements a contact search's candidates are read with at once, each on
/// a connection of its own, so that the database scans on as many cores
/// and, when the packs are not in memory, waits on as many disk reads at
/// once: four rather than two cut the p99 of searches that read from disk
/// by a fifth to a third, and cost nothing when the packs are cached
/// (bench/profile.md).
const CANDIDATE_READERS: usize = 4;

/// Connections of a store's pool that streamed reads leave to everything
/// else, the consumers' writes above all. A streamed read holds a
/// connection for as long as its reader takes (a contact search with
/// [`CANDIDATE_READERS`] at once; a connection search or an export at the
/// pace of its client): a few would otherwise hold the whole pool, and
/// writes queued behind them fail when the pool's wait runs out.
const CONNECTIONS_LEFT_BY_STREAMED_READS: u32 = 4;

/// Candidate pings handed on at a time: enough to be worth a thread's
/// matching, few enough that matching starts while most are still read.
const CANDIDATE_CHUNK: usize = 8_192;

/// Probes of a contact search as parallel arrays: a grid cell, a time
/// range, the ranges of one cell merged so that no ping is kept twice, and
/// the box of positions within reach of the subject's pings that made the
/// range. A cube holds pings well beyond reach of those (most of a probe's
/// candidates are farther than the search's distance from all of them):
/// the box drops them before they cost a conversion and a match.
#[derive(Debug, Default)]
struct Probes {
    cells: Vec<i64>,
    earliest: Vec<DateTime<Utc>>,
    latest: Vec<DateTime<Utc>>,
    reach: Vec<DegreeBox>,
}

/// A cube's probe while the subject's pings are gathered: its time range
/// and the box of the pings that made it.
type ProbeRange = (TimeRange, DegreeBox);

impl Probes {
    /// The probes around `own` (sorted by time) for `query`'s distance and window.
    fn around(own: &[Sighting], query: &ContactQuery) -> Self {
        let mut ranges: HashMap<i64, Vec<ProbeRange>> = HashMap::new();
        for sighting in own {
            let (from, to) = (
                sighting.time - query.window(),
                sighting.time + query.window(),
            );
            for cell in cells::cells_near(sighting.position, query.distance_meters()) {
                let cell_ranges = ranges.entry(cell).or_default();
                match cell_ranges.last_mut() {
                    Some(((_, last_to), positions)) if from <= *last_to => {
                        *last_to = (*last_to).max(to);
                        positions.include(sighting.position);
                    }
                    _ => cell_ranges.push(((from, to), DegreeBox::at(sighting.position))),
                }
            }
        }
        let mut probes = Self::default();
        for (cell, cell_ranges) in ranges {
            for ((from, to), positions) in cell_ranges {
                probes.cells.push(cell);
                probes.earliest.push(from);
                probes.latest.push(to);
                probes
                    .reach
                    .push(positions.widened(query.distance_meters()));
            }
        }
        probes
    }

    /// Adds to `kept` the pings of `pack`, found by the probe numbered
    /// `ordinal` (`WITH ORDINALITY` counts from 1), that fall in that
    /// probe's range and box and are not `person_id`'s.
    fn kept_of(
        &self,
        ordinal: i64,
        pack: &[u8],
        person_id: PersonId,
        kept: &mut Vec<Sighting>,
    ) -> Result<(), StorageError> {
        let probe = usize::try_from(ordinal - 1).unwrap_or(usize::MAX);
        let (Some(&cell), Some(&earliest), Some(&latest), Some(reach)) = (
            self.cells.get(probe),
            self.earliest.get(probe),
            self.latest.get(probe),
            self.reach.get(probe),
        ) else {
            return Err(StorageError::CorruptRow {
                table: "location_pack",
                row: format!("probe {ordinal}"),
                reason: "answers a probe that was not asked".to_owned(),
            });
        };
        let pings = packs::unpack(pack).map_err(|error| StorageError::CorruptRow {
            table: "location_pack",
            row: format!("cell {cell} near {earliest}"),
            reason: error.to_string(),
        })?;
        for ping in pings {
            if ping.person_id != person_id
                && (earliest..=latest).contains(&ping.time)
                && reach.contains(ping.point.latitude, ping.point.longitude)
            {
                kept.push(sighting_from_row((ping.person_id, ping.point, ping.time))?);
            }
        }
        Ok(())
    }

    /// The probes in `parts` sets of about equal size, none empty. No ping
    /// is kept by two sets: a cell's ranges do not overlap.
    fn split(self, parts: usize) -> impl Iterator<Item = Self> {
        let size = self.cells.len().div_ceil(parts.max(1)).max(1);
        let mut cells = self.cells.into_iter();
        let mut earliest = self.earliest.into_iter();
        let mut latest = self.latest.into_iter();
        let mut reach = self.reach.into_iter();
        std::iter::from_fn(move || {
            let part = Self {
                cells: cells.by_ref().take(size).collect(),
                earliest: earliest.by_ref().take(size).collect(),
                latest: latest.by_ref().take(size).collect(),
                reach: reach.by_ref().take(size).collect(),
            };
            (!part.cells.is_empty()).then_some(part)
        })
    }
}

/// Parallel arrays of a batch, the shape `UNNEST` wants for one bulk statement.
struct Columns {
    event_ids: Vec<Uuid>,
    person_ids: Vec<i64>,
    latitudes: Vec<f64>,
    longitudes: Vec<f64>,
    times: Vec<DateTime<Utc>>,
}

impl Columns {
    fn of<'a>(batch: impl ExactSizeIterator<Item = &'a NewLocation>) -> Self {
        let mut columns = Self {
            event_ids: Vec::with_capacity(batch.len()),
            person_ids: Vec::with_capacity(batch.len()),
            latitudes: Vec::with_capacity(batch.len()),
            longitudes: Vec::with_capacity(batch.len()),
            times: Vec::with_capacity(batch.len()),
        };
        for location in batch {
            columns.event_ids.push(location.event_id);
            columns.person_ids.push(location.person_id);
            columns.latitudes.push(location.coordinates.latitude());
            columns.longitudes.push(location.coordinates.longitude());
            columns.times.push(location.creation_time);
        }
        columns
    }

    /// `query` with the columns bound as its next five parameters: event
    /// ids, persons, latitudes, longitudes, times, as the inserts unnest
    /// them.
    fn bind<'q>(
        &'q self,
        query: sqlx::query::Query<'q, Postgres, PgArguments>,
    ) -> sqlx::query::Query<'q, Postgres, PgArguments> {
        query
            .bind(&self.event_ids)
            .bind(&self.person_ids)
            .bind(&self.latitudes)
            .bind(&self.longitudes)
            .bind(&self.times)
    }
}

/// The UTC days of these times, each once: the partitions a batch needs.
fn days_of(times: &[DateTime<Utc>]) -> BTreeSet<NaiveDate> {
    times.iter().map(DateTime::date_naive).collect()
}

/// Whether an insert failed because a row's day has no partition: one this
/// process remembered was dropped since (by retention, in another replica).
fn is_missing_partition(error: &sqlx::Error) -> bool {
    // check_violation is also what PostgreSQL reports for "no partition of
    // relation found for row"; location has no CHECK constraint of its own.
    error
        .as_database_error()
        .is_some_and(|error| error.code().as_deref() == Some("23514"))
}

/// The locations service's table of pings, and the spatial queries over it.
#[derive(Debug, Clone)]
pub struct LocationStore {
    pool: PgPool,
    /// Days whose partition of `location` is known to exist, shared by every
    /// clone of the store, so that writing a day seen before costs no
    /// statement.
    partitions: Arc<Mutex<HashSet<NaiveDate>>>,
    /// A permit for each connection streamed reads may hold at once,
    /// shared by every clone of the store: the pool's size less
    /// [`CONNECTIONS_LEFT_BY_STREAMED_READS`], at least one. Reads beyond
    /// it wait their turn here, not in the pool's queue ahead of writers.
    streaming_connections: Arc<Semaphore>,
    /// A permit for each of those connections that [`ReadLength::Unbounded`]
    /// reads may hold at once, taken before one of the above: all but one
    /// contact search's [`CANDIDATE_READERS`], at least one, so that
    /// searches always have connections to read with.
    unbounded_read_connections: Arc<Semaphore>,
    /// How long a streamed read waits for its reader to take a chunk
    /// before it stops: a client who stopped reading holds a connection
    /// for this long at most.
    stall_limit: Duration,
}

impl LocationStore {
    /// A store over an open pool of the locations database.
    pub fn new(pool: PgPool) -> Self {
        let streamable = pool
            .options()
            .get_max_connections()
            .saturating_sub(CONNECTIONS_LEFT_BY_STREAMED_READS)
            .max(1) as usize;
        let unbounded = streamable.saturating_sub(CANDIDATE_READERS).max(1);
        Self {
            pool,
            partitions: Arc::default(),
            streaming_connections: Arc::new(Semaphore::new(streamable)),
            unbounded_read_connections: Arc::new(Semaphore::new(unbounded)),
            stall_limit: DEFAULT_STALL_LIMIT,
        }
    }

    /// The same store, its streamed reads stopping once their reader has
    /// taken nothing for `stall_limit` (30 s unless set): their stream then
    /// ends with [`StorageError::ReaderStalled`].
    pub fn with_stall_limit(self, stall_limit: Duration) -> Self {
        Self {
            stall_limit,
            ..self
        }
    }

    fn known_partitions(&self) -> std::sync::MutexGuard<'_, HashSet<NaiveDate>> {
        self.partitions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes sure every day of `days` (UTC) has its partition of `location`,
    /// creating the missing ones; days this store has seen before cost
    /// nothing. Writers of the same new day at once (batches, replicas) take
    /// turns in the database, so none fails.
    pub async fn ensure_partitions(
        &self,
        days: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<(), StorageError> {
        let missing: Vec<NaiveDate> = {
            let known = self.known_partitions();
            days.into_iter()
                .filter(|day| !known.contains(day))
                .collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        sqlx::query("SELECT location_create_partition(day) FROM UNNEST($1::date[]) AS day")
            .bind(&missing)
            .execute(&self.pool)
            .await?;
        self.known_partitions().extend(missing);
        Ok(())
    }

    /// Runs an insert of rows observed at `times` once their partitions
    /// exist. When a partition this store remembered is gone, it forgets
    /// them all, makes them again and inserts once more.
    async fn insert_partitioned<F, Fut>(
        &self,
        times: &[DateTime<Utc>],
        insert: F,
    ) -> Result<u64, StorageError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<u64, sqlx::Error>>,
    {
        let days = days_of(times);
        self.ensure_partitions(days.iter().copied()).await?;
        match insert().await {
            Err(error) if is_missing_partition(&error) => {
                tracing::info!("a partition was dropped elsewhere; making it again");
                self.known_partitions().clear();
                self.ensure_partitions(days).await?;
                Ok(insert().await?)
            }
            inserted => Ok(inserted?),
        }
    }

    /// The days (UTC) that have a partition, oldest first.
    pub async fn partition_days(&self) -> Result<Vec<NaiveDate>, StorageError> {
        let mut days: Vec<NaiveDate> = sqlx::query_scalar("SELECT location_partition_days()")
            .fetch_all(&self.pool)
            .await?;
        days.sort_unstable();
        Ok(days)
    }

    /// Drops every day's partition whose pings are all past `retention` at
    /// `now`, given every event (see [`Retention::day_has_expired`]), and
    /// returns the days dropped. A partition that cannot be dropped now
    /// (searches hold the table longer than the lock timeout) is logged and
    /// left for the next pass.
    pub async fn drop_partitions_past_retention(
        &self,
        now: DateTime<Utc>,
        retention: Retention,
        events: &[Event],
    ) -> Result<Vec<NaiveDate>, StorageError> {
        let mut dropped = Vec::new();
        for day in self.partition_days().await? {
            if !retention.day_has_expired(day, now, events) {
                continue;
            }
            let result = sqlx::query_scalar("SELECT location_drop_partition($1)")
                .bind(day)
                .fetch_one(&self.pool)
                .await;
            self.known_partitions().remove(&day);
            match result {
                Ok(true) => {
                    tracing::info!(%day, "dropped the day's pings: past retention");
                    dropped.push(day);
                }
                // Another replica dropped it first.
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(%day, %error, "cannot drop the day's pings now; trying again next time");
                }
            }
        }
        Ok(dropped)
    }

    /// Merges the packs writers added into one per cube and bucket
    /// (`location_merge_packs`), so that contact search reads one row per
    /// cube and bucket: `per_statement` cubes and buckets a statement, each
    /// statement a short transaction of its own (erasures wait for it),
    /// going on in (cell, bucket) order from where the last one stopped
    /// until none is left after it. Returns how many it merged.
    pub async fn merge_packs(&self, per_statement: u16) -> Result<u64, StorageError> {
        let mut total = 0;
        let mut after: Option<(i64, DateTime<Utc>)> = None;
        loop {
            let (merged, last_cell, last_bucket): (i32, Option<i64>, Option<DateTime<Utc>>) =
                sqlx::query_as("SELECT * FROM location_merge_packs($1, $2, $3)")
                    .bind(i32::from(per_statement))
                    .bind(after.map(|(cell, _)| cell))
                    .bind(after.map(|(_, bucket)| bucket))
                    .fetch_one(&self.pool)
                    .await?;
            total += u64::try_from(merged).unwrap_or_default();
            after = last_cell.zip(last_bucket);
            if after.is_none() {
                return Ok(total);
            }
        }
    }

    /// The underlying pool (for readiness checks).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Brings the schema up to date (installs PostGIS if needed).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        LOCATIONS_MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// One location, if it exists.
    #[tracing::instrument(skip(self))]
    pub async fn get(&self, id: LocationId) -> Result<Option<Location>, StorageError> {
        let row: Option<LocationRow> = sqlx::query_as(&format!(
            "SELECT {LOCATION_COLUMNS} FROM location l WHERE l.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(location_from_row).transpose()
    }

    /// Stores a batch in one statement, making the partitions of its days
    /// first. Pings already stored (same event id and time, from this batch
    /// or an earlier one) are skipped, so re-delivery is harmless, and so
    /// are the pings of erased persons. Returns how many rows were written.
    #[tracing::instrument(skip_all, fields(batch = batch.len()))]
    pub async fn write(&self, batch: &[NewLocation]) -> Result<u64, StorageError> {
        if batch.is_empty() {
            return Ok(0);
        }
        let columns = Columns::of(batch.iter());
        self.insert_partitioned(&columns.times, || async {
            Ok(columns
                .bind(sqlx::query(
                    "INSERT INTO location (event_id, person_id, coordinate, creation_time)
                     SELECT e, p, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, t
                     FROM UNNEST($1::uuid[], $2::bigint[], $3::float8[], $4::float8[],
                                 $5::timestamptz[]) AS u(e, p, lat, lon, t)
                     WHERE NOT EXISTS (SELECT 1 FROM erased_person x WHERE x.person_id = u.p)
                     ON CONFLICT (event_id, creation_time) DO NOTHING",
                ))
                .execute(&self.pool)
                .await?
                .rows_affected())
        })
        .await
    }

    /// The erased persons among `ids`.
    pub async fn erased_among(
        &self,
        ids: impl IntoIterator<Item = PersonId>,
    ) -> Result<HashSet<PersonId>, StorageError> {
        let mut ids: Vec<PersonId> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        let erased: Vec<PersonId> =
            sqlx::query_scalar("SELECT person_id FROM erased_person WHERE person_id = ANY($1)")
                .bind(&ids)
                .fetch_all(&self.pool)
                .await?;
        Ok(erased.into_iter().collect())
    }

    /// Loads locations with their own ids (seed data), making the partitions
    /// of their days first and skipping rows already there (the same id or
    /// event id at the same time) and those of erased persons, then advances
    /// the id sequence past them. Returns how many were new.
    pub async fn import(&self, locations: &[Location]) -> Result<u64, StorageError> {
        let ids: Vec<i64> = locations.iter().map(|l| l.id).collect();
        let pending: Vec<NewLocation> = locations
            .iter()
            .map(|l| NewLocation {
                event_id: l.event_id,
                person_id: l.person_id,
                coordinates: l.coordinates,
                creation_time: l.creation_time,
            })
            .collect();
        let columns = Columns::of(pending.iter());
        let inserted = self
            .insert_partitioned(&columns.times, || async {
                // No conflict target: a row is skipped whichever key it
                // repeats, (id, time) or (event id, time).
                Ok(columns
                    .bind(
                        sqlx::query(
                            "INSERT INTO location (id, event_id, person_id, coordinate, creation_time)
                             SELECT i, e, p, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography, t
                             FROM UNNEST($1::bigint[], $2::uuid[], $3::bigint[], $4::float8[],
                                         $5::float8[], $6::timestamptz[]) AS u(i, e, p, lat, lon, t)
                             WHERE NOT EXISTS (SELECT 1 FROM erased_person x WHERE x.person_id = u.p)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(&ids),
                    )
                    .execute(&self.pool)
                .await?
                .rows_affected())
            })
            .await?;
        advance_identity(&self.pool, "location").await?;
        Ok(inserted)
    }

    /// The proof of concept's connections, as one set-based query: for each of
    /// the person's pings in the window, every other person's ping within the
    /// distance (the GiST index finds the candidates), ordered by (own ping,
    /// other ping) and not deduplicated. All at once: for answers known to
    /// be small, and the benchmarks; a service streams them instead.
    pub async fn find_connections(
        &self,
        query: &ConnectionQuery,
    ) -> Result<Vec<Connection>, StorageError> {
        let mut chunks = self.stream_connections(query.clone(), 10_000);
        let mut connections = Vec::new();
        while let Some(chunk) = chunks.next().await {
            connections.extend(chunk?);
        }
        Ok(connections)
    }

    /// The same connections, in chunks of at most `chunk` rows as the
    /// database produces them, so that memory stays bounded however large
    /// the answer. Dropping the stream stops the query: the database is
    /// asked to cancel it rather than finish work nobody will read.
    pub fn stream_connections(
        &self,
        query: ConnectionQuery,
        chunk: usize,
    ) -> BoxStream<'static, Result<Vec<Connection>, StorageError>> {
        self.streamed_read(ReadLength::Unbounded, move |pool, sender| async move {
            if let Err(error) = send_connections(&pool, &query, chunk.max(1), &sender).await {
                sender.send(Err(error)).await;
            }
        })
    }

    /// Runs `read` on a task of its own, once the permits its `length`
    /// needs are free (one of [`Self::unbounded_read_connections`] for an
    /// unbounded read, then one of [`Self::streaming_connections`]), and
    /// hands on what it sends, one item in hand at most, so memory stays
    /// bounded however much it reads. Once the stream is dropped, or has
    /// taken nothing for [`Self::with_stall_limit`], its sends fail, which
    /// tells it to stop; dropped before the permits came, it never starts.
    fn streamed_read<T, F>(
        &self,
        length: ReadLength,
        read: impl FnOnce(PgPool, ReadSender<T>) -> F + Send + 'static,
    ) -> BoxStream<'static, Result<T, StorageError>>
    where
        T: Send + 'static,
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        let pool = self.pool.clone();
        let connections = self.streaming_connections.clone();
        let unbounded_reads = match length {
            ReadLength::Bounded => None,
            ReadLength::Unbounded => Some(self.unbounded_read_connections.clone()),
        };
        let (sender, stream) = read_channel(length, self.stall_limit);
        tokio::spawn(async move {
            let waiting = WaitingRead::new(length);
            // Held until the read's connection is back in the pool; the
            // store never closes its semaphores.
            let unbounded_permit = match unbounded_reads {
                Some(permits) => Some(permits.acquire_owned().await),
                None => None,
            };
            let Ok(_unbounded_permit) = unbounded_permit.transpose() else {
                return;
            };
            let Ok(_permit) = connections.acquire_owned().await else {
                return;
            };
            drop(waiting);
            if !sender.is_closed() {
                read(pool, sender).await;
            }
        });
        stream
    }

    /// Every ping observed in `[start, end)` inside the box `(south-west,
    /// north-east)`, in chunks of at most `chunk`, in no particular order:
    /// what rebuilding an event's attendance reads. Two chunks are in hand at
    /// most, so memory stays bounded however many pings there are.
    pub fn stream_area_pings(
        &self,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        (south_west, north_east): (Coordinates, Coordinates),
        chunk: usize,
    ) -> BoxStream<'static, Result<AreaPings, StorageError>> {
        self.streamed_read(ReadLength::Unbounded, move |pool, sender| async move {
            let mut rows = sqlx::query_as::<_, SightingRow>(
                "SELECT person_id, coordinate, creation_time
                 FROM location
                 WHERE creation_time >= $1 AND creation_time < $2
                   AND coordinate && ST_MakeEnvelope($3, $4, $5, $6, 4326)::geography",
            )
            // Planned for each rebuild's own range and box, as the
            // connection search is: a cached generic plan intersects the
            // distance index with the time-led key where reading the
            // event's partition whole is faster (643 ms instead of 471 ms
            // for 1.44 million pings, bench/profile.md).
            .persistent(false)
            .bind(start)
            .bind(end)
            .bind(south_west.longitude())
            .bind(south_west.latitude())
            .bind(north_east.longitude())
            .bind(north_east.latitude())
            .fetch(&pool);
            let mut pings = Chunker::<AreaPings>::new(sender, chunk);
            while let Some(row) = rows.next().await {
                match row {
                    Ok(row) => pings.chunk().push(row),
                    Err(error) => return pings.fail(error.into()).await,
                }
                if !pings.send_if_full().await {
                    return;
                }
            }
            pings.finish().await;
        })
    }

    /// Every ping of the person, oldest first, in chunks of at most
    /// `chunk`: what the person's export reads. Two chunks are in hand at
    /// most, so memory stays bounded however many pings there are.
    pub fn stream_person_locations(
        &self,
        person_id: PersonId,
        chunk: usize,
    ) -> BoxStream<'static, Result<Vec<Location>, StorageError>> {
        self.streamed_read(ReadLength::Unbounded, move |pool, sender| async move {
            let statement = format!(
                "SELECT {LOCATION_COLUMNS} FROM location l
                 WHERE l.person_id = $1 ORDER BY l.creation_time, l.id"
            );
            let mut rows = sqlx::query_as::<_, LocationRow>(&statement)
                .bind(person_id)
                .fetch(&pool);
            let mut locations = Chunker::<Vec<Location>>::new(sender, chunk);
            while let Some(row) = rows.next().await {
                match row.map_err(StorageError::from).and_then(location_from_row) {
                    Ok(location) => locations.chunk().push(location),
                    Err(error) => return locations.fail(error).await,
                }
                if !locations.send_if_full().await {
                    return;
                }
            }
            locations.finish().await;
        })
    }

    /// The pings a contact search compares (see [`ContactSightings`]): the
    /// subject's, then statements reading the packs around them or, for a
    /// search among named persons, their pings by the person index.
    #[tracing::instrument(skip(self), fields(own, probes))]
    pub async fn contact_sightings(
        &self,
        query: &ContactQuery,
    ) -> Result<ContactSightings, StorageError> {
        let own: Vec<SightingRow> = sqlx::query_as(
            "SELECT person_id, coordinate, creation_time
             FROM location
             WHERE person_id = $1 AND creation_time >= $2 AND creation_time < $3
             ORDER BY creation_time",
        )
        .bind(query.person_id())
        .bind(query.start())
        .bind(query.end())
        .fetch_all(&self.pool)
        .await?;
        let own: Vec<Sighting> = own
            .into_iter()
            .map(sighting_from_row)
            .collect::<Result<_, _>>()?;
        let span = tracing::Span::current();
        span.record("own", own.len());
        let (Some(first), Some(last)) = (own.first(), own.last()) else {
            return Ok(ContactSightings::nobody());
        };
        let (first, last) = (first.time, last.time);

        let candidates = if query.among().is_empty() {
            let probes = Probes::around(&own, query);
            span.record("probes", probes.cells.len());
            let person_id = query.person_id();
            futures::stream::select_all(probes.split(CANDIDATE_READERS).map(|part| {
                self.streamed_read(ReadLength::Bounded, move |pool, sender| {
                    candidates_in(pool, part, person_id, sender)
                })
            }))
            .boxed()
        } else {
            // A few named persons: their own pings over the span (the
            // person index) cost less than everyone's in the cells.
            let rows: Vec<SightingRow> = sqlx::query_as(
                "SELECT person_id, coordinate,
                        creation_time
                 FROM location
                 WHERE person_id = ANY($1) AND creation_time BETWEEN $2 AND $3",
            )
            .bind(query.among())
            .bind(first - query.window())
            .bind(last + query.window())
            .fetch_all(&self.pool)
            .await?;
            let among = rows
                .into_iter()
                .map(sighting_from_row)
                .collect::<Result<Vec<_>, _>>();
            futures::stream::once(async { among }).boxed()
        };
        Ok(ContactSightings { own, candidates })
    }
}

/// Sends on other people's pings met by `probes`, [`CANDIDATE_CHUNK`] at a
/// time: the packs of each probe's cube over the buckets its time range
/// meets (one range scan of the packs' index), each pack's pings kept when
/// they fall in that range. A cube's ranges do not overlap, so no ping is
/// kept twice. Stops when the receiver is gone.
async fn candidates_in(
    pool: PgPool,
    probes: Probes,
    person_id: PersonId,
    sender: ReadSender<Vec<Sighting>>,
) {
    // Each probe is one range scan of the packs' index, in the one day's
    // partition its range meets: OFFSET 0 keeps the planner from joining
    // the probes to the packs any other way. A partition not yet analyzed
    // (a day being written, before autovacuum comes by) is taken for half
    // a million rows of unknown cells, and without it the planner hashed
    // the probes against a parallel scan of every pack: 99 ms instead of
    // 0.4 ms for 100 probes (bench/profile.md).
    let mut packs = sqlx::query_as::<_, (i64, Vec<u8>)>(
        "SELECT probe.n, p.pings
         FROM UNNEST($1::bigint[], $2::timestamptz[], $3::timestamptz[])
              WITH ORDINALITY AS probe(cell, earliest, latest, n)
         CROSS JOIN LATERAL (
             SELECT pings FROM location_pack
             WHERE cell = probe.cell
               AND bucket BETWEEN location_bucket(probe.earliest) AND probe.latest
             OFFSET 0
         ) p",
    )
    .bind(&probes.cells)
    .bind(&probes.earliest)
    .bind(&probes.latest)
    .fetch(&pool);
    let mut candidates = Chunker::new(sender, CANDIDATE_CHUNK);
    while let Some(pack) = packs.next().await {
        let kept = pack
            .map_err(StorageError::from)
            .and_then(|(ordinal, pings)| {
                probes.kept_of(ordinal, &pings, person_id, candidates.chunk())
            });
        if let Err(error) = kept {
            return candidates.fail(error).await;
        }
        if !candidates.send_if_full().await {
            return;
        }
    }
    candidates.finish().await;
}

impl ErasesPersons for LocationStore {
    /// Deletes every ping of the person. Writers are held off meanwhile
    /// (briefly: one person's pings, by index), so a batch being written
    /// as the erasure starts is deleted with the rest, and one written
    /// after it sees the id.
    async fn erase_person(
        &self,
        person_id: PersonId,
        requested_at: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        Erasure {
            hold_writers_off: Some("LOCK TABLE location IN SHARE MODE".to_owned()),
            delete: "DELETE FROM location WHERE person_id = $1",
        }
        .run(&self.pool, person_id, requested_at)
        .await
    }
}
