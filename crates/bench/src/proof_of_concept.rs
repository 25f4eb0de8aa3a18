//! The proof of concept's connection search, sent the way its Flask service
//! sent it, as the baseline every connection ratio is built on. Faithful in
//! what PostgreSQL sees, since that is where its time goes:
//!
//! - its schema and indexes (`db/2020-08-15_init-db.sql`): a `GEOMETRY`
//!   column with a B-tree index, which no spatial predicate can use, and an
//!   index on the time, which the three-day window makes useless;
//! - its SQL, verbatim, with the values written into the text: psycopg2
//!   interpolates on the client, so PostgreSQL gets the simple query
//!   protocol and literals, never a prepared statement or a generic plan;
//! - its transactions: the request's ORM session reads the person's pings
//!   and every person in one transaction, then each per-ping query runs on
//!   a pooled connection in a transaction of its own, which SQLAlchemy's
//!   pool rolls back when the connection returns;
//! - its session: libpq's defaults, not the driver settings of sqlx, but
//!   for one setting chosen so as not to flatter the ratio: PostgreSQL's
//!   just-in-time compilation is off. Whether the proof of concept's server
//!   had it is not known; here it makes each of the loop's queries up to a
//!   third slower (docs/benchmarks.md, §7), and the services run without it.
//!
//! Left out, and so not timed: the Python side (SQLAlchemy's row objects,
//! Shapely's parsing and the JSON), which an outside test measured at about
//! 2.2 s of a 60-s request at 1M rows. The baseline is a lower bound.

use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::{Connection, PgConnection, Row, postgres::PgConnectOptions};

/// The proof of concept's tables (`db/2020-08-15_init-db.sql`), in a schema
/// of their own so that its SQL runs unchanged (`location`, not a renamed
/// table). Its foreign key and indexes are [`POC_CONSTRAINTS`], made once
/// the rows are in.
const POC_TABLES: &str = "
CREATE SCHEMA poc;
SET search_path = poc, public;
CREATE TABLE person (
    id SERIAL PRIMARY KEY,
    first_name VARCHAR NOT NULL,
    last_name VARCHAR NOT NULL,
    company_name VARCHAR NOT NULL
);
CREATE TABLE location (
    id SERIAL PRIMARY KEY,
    person_id INT NOT NULL,
    coordinate GEOMETRY NOT NULL,
    creation_time TIMESTAMP NOT NULL DEFAULT NOW()
);
";

/// The rest of the proof of concept's schema, verbatim but for the foreign
/// key's form. Made after the copy, as a restore makes them: checked row by
/// row, the key queued 100 million checks to the copy's end at a week, and
/// its indexes, grown by inserts in random order, took most of the copy's
/// half hour. What its queries read is the same either way: the heap is
/// copied in the same order, and neither index serves the per-ping query
/// (the module's notes).
const POC_CONSTRAINTS: &str = "
ALTER TABLE location ADD FOREIGN KEY (person_id) REFERENCES person(id);
CREATE INDEX coordinate_idx ON location (coordinate);
CREATE INDEX creation_time_idx ON location (creation_time);
";

/// Copies the attendees and the pings of our schema (`public.location`,
/// geography, UTC) into the proof of concept's (`poc`, SRID 0 geometry,
/// naive UTC times), ids kept, makes its key and indexes, and analyses them
/// as its database would be after autovacuum. The copy is one transaction,
/// so a copy cut short leaves nothing for [`is_loaded`] to take as loaded.
/// A session of its own, since it sets the search path.
pub async fn load(database_url: &str, persons: u64) -> anyhow::Result<()> {
    let mut session = PgConnection::connect(database_url).await?;
    let mut copy = session.begin().await?;
    sqlx::raw_sql(POC_TABLES).execute(&mut *copy).await?;
    sqlx::query(
        "INSERT INTO person (id, first_name, last_name, company_name)
         SELECT id, 'Attendee ' || id, 'Bench', 'UdaConnect' FROM generate_series(1, $1::int) id",
    )
    .bind(i32::try_from(persons)?)
    .execute(&mut *copy)
    .await?;
    for statement in [
        // Each partition's primary key leads with the id and follows its
        // heap, so merging the partitions' keys gives the ids' order without
        // a sort, which at a week spills 8 GB to disk beside the copy.
        "SET LOCAL enable_sort = off",
        "INSERT INTO location (id, person_id, coordinate, creation_time)
         SELECT id, person_id, ST_SetSRID(coordinate::geometry, 0), creation_time AT TIME ZONE 'UTC'
         FROM public.location ORDER BY id",
        "SELECT setval('location_id_seq', (SELECT max(id) FROM location))",
        POC_CONSTRAINTS,
    ] {
        sqlx::raw_sql(statement).execute(&mut *copy).await?;
    }
    copy.commit().await?;
    // One statement each: VACUUM refuses to run in a transaction.
    for statement in ["VACUUM ANALYZE person", "VACUUM ANALYZE location"] {
        sqlx::raw_sql(statement).execute(&mut session).await?;
    }
    Ok(())
}

/// Whether the database at `database_url` holds the proof of concept's
/// tables already (loaded by an earlier run over the same data).
pub async fn is_loaded(database_url: &str) -> anyhow::Result<bool> {
    let mut session = PgConnection::connect(database_url).await?;
    Ok(
        sqlx::query_scalar("SELECT to_regclass('poc.location') IS NOT NULL")
            .fetch_one(&mut session)
            .await?,
    )
}

/// Two connections as the proof of concept's pool held them: one for the
/// request's ORM session, one for the per-ping queries.
pub struct PocClient {
    session: PgConnection,
    engine: PgConnection,
}

/// One request's answer, as the proof of concept's loop found it.
pub struct PocAnswer {
    /// From the request's first query to the last row of its last.
    pub elapsed: Duration,
    /// Rows found, one per (own ping, other ping) pair.
    pub rows: usize,
    /// Own pings, one query each in the whole loop.
    pub own_pings: usize,
    /// Per-ping queries sent: every own ping's, or as many as asked.
    pub queries: usize,
    /// The time those queries took, of `elapsed`.
    pub per_ping: Duration,
}

impl PocAnswer {
    /// The mean time of a per-ping query sent.
    pub fn per_query(&self) -> Duration {
        self.per_ping / u32::try_from(self.queries.max(1)).unwrap_or(u32::MAX)
    }

    /// The whole loop's time: what ran, and each own ping not queried at
    /// the mean time of those that were.
    pub fn estimated_whole(&self) -> Duration {
        let unqueried = u32::try_from(self.own_pings - self.queries).unwrap_or(u32::MAX);
        self.elapsed + self.per_query() * unqueried
    }
}

impl PocClient {
    /// Connects as libpq does by default: no DateStyle, time zone or
    /// float-digit settings of the driver's own, the tables found through
    /// the search path; without JIT (see the module's notes).
    pub async fn connect(database_url: &str) -> anyhow::Result<Self> {
        let options: PgConnectOptions = database_url.parse()?;
        let options = options
            .extra_float_digits(None)
            .options([("search_path", "poc,public"), ("jit", "off")]);
        let session = PgConnection::connect_with(&options).await?;
        let engine = PgConnection::connect_with(&options).await?;
        Ok(Self { session, engine })
    }

    /// `GET /api/persons/{person}/connection?start_date=…&end_date=…&distance=…`
    /// as `ConnectionService.find_contacts` answered it: the person's pings
    /// in `[start, end)` and every person, then one query per ping for the
    /// others' pings within `meters` up to one day past `end`; with
    /// `at_most`, only the first that many per-ping queries are sent.
    pub async fn find_contacts(
        &mut self,
        person: i64,
        (start, end, end_plus_one): (&str, &str, &str),
        meters: f64,
        at_most: Option<usize>,
    ) -> anyhow::Result<PocAnswer> {
        let started = Instant::now();
        sqlx::raw_sql("BEGIN").execute(&mut self.session).await?;
        let own = sqlx::raw_sql(&format!(
            "SELECT location.id AS location_id, location.person_id AS location_person_id, \
             ST_AsEWKB(location.coordinate) AS location_coordinate, \
             location.creation_time AS location_creation_time \
             FROM location \
             WHERE location.person_id = {person} AND location.creation_time < '{end}T00:00:00'::timestamp \
             AND location.creation_time >= '{start}T00:00:00'::timestamp"
        ))
        .fetch_all(&mut self.session)
        .await?;
        sqlx::raw_sql(
            "SELECT person.id AS person_id, person.first_name AS person_first_name, \
             person.last_name AS person_last_name, person.company_name AS person_company_name \
             FROM person",
        )
        .fetch_all(&mut self.session)
        .await?;
        // The model's `latitude` and `longitude` are slices of the point's
        // WKT (x first): here, the same numbers in their shortest exact text.
        let mut points = Vec::with_capacity(own.len());
        for row in &own {
            let ewkb: Vec<u8> = row.try_get("location_coordinate")?;
            points.push(point_of_ewkb(&ewkb).context("an own ping is not a point")?);
        }
        let mut rows = 0;
        let queries = at_most.map_or(points.len(), |limit| limit.min(points.len()));
        let looping = Instant::now();
        for (x, y) in &points[..queries] {
            sqlx::raw_sql("BEGIN").execute(&mut self.engine).await?;
            let found = sqlx::raw_sql(&format!(
                "
        SELECT  person_id, id, ST_X(coordinate), ST_Y(coordinate), creation_time
        FROM    location
        WHERE   ST_DWithin(coordinate::geography,ST_SetSRID(ST_MakePoint('{x}','{y}'),4326)::geography, {meters})
        AND     person_id != {person}
        AND     TO_DATE('{start}', 'YYYY-MM-DD') <= creation_time
        AND     TO_DATE('{end_plus_one}', 'YYYY-MM-DD') > creation_time;
        "
            ))
            .fetch_all(&mut self.engine)
            .await?;
            // Read as the service read them, column by column.
            for row in &found {
                let _: (i32, i32, f64, f64, chrono::NaiveDateTime) = (
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                    row.try_get(4)?,
                );
            }
            rows += found.len();
            sqlx::raw_sql("ROLLBACK").execute(&mut self.engine).await?;
        }
        let per_ping = looping.elapsed();
        sqlx::raw_sql("ROLLBACK").execute(&mut self.session).await?;
        Ok(PocAnswer {
            elapsed: started.elapsed(),
            rows,
            own_pings: points.len(),
            queries,
            per_ping,
        })
    }
}

/// The (x, y) of a 2-D point in extended well-known binary, with or
/// without its SRID: what Shapely reads from the ORM's column.
fn point_of_ewkb(bytes: &[u8]) -> Option<(f64, f64)> {
    let little = *bytes.first()? == 1;
    let kind = u32::from_le_bytes(little_endian(bytes, 1, little)?);
    const HAS_SRID: u32 = 0x2000_0000;
    if kind & !HAS_SRID != 1 {
        return None;
    }
    let at = if kind & HAS_SRID != 0 { 9 } else { 5 };
    let float = |at| Some(f64::from_le_bytes(little_endian(bytes, at, little)?));
    Some((float(at)?, float(at + 8)?))
}

/// The `N` bytes at `at`, in little-endian order whichever order they were
/// written in.
fn little_endian<const N: usize>(bytes: &[u8], at: usize, little: bool) -> Option<[u8; N]> {
    let mut field: [u8; N] = bytes.get(at..at + N)?.try_into().ok()?;
    if !little {
        field.reverse();
    }
    Some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point as PostGIS writes it, with and without its SRID, in both
    /// byte orders.
    #[test]
    fn reads_a_points_coordinates_from_ewkb() {
        let (x, y) = (-122.290524_f64, 37.553441_f64);
        let point = |little: bool, srid: Option<u32>| {
            let mut bytes = vec![u8::from(little)];
            let kind = 1 | srid.map_or(0, |_| 0x2000_0000_u32);
            let put = |bytes: &mut Vec<u8>, field: &[u8]| {
                let mut field = field.to_vec();
                if !little {
                    field.reverse();
                }
                bytes.extend(field);
            };
            put(&mut bytes, &kind.to_le_bytes());
            if let Some(srid) = srid {
                put(&mut bytes, &srid.to_le_bytes());
            }
            put(&mut bytes, &x.to_le_bytes());
            put(&mut bytes, &y.to_le_bytes());
            bytes
        };
        for little in [true, false] {
            for srid in [None, Some(4326)] {
                assert_eq!(point_of_ewkb(&point(little, srid)), Some((x, y)));
            }
        }
        let mut line = point(true, None);
        line[1] = 2;
        assert_eq!(point_of_ewkb(&line), None, "a line string is not a point");
    }
}
