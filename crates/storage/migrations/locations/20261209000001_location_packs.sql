-- Contact search reads the pings near a person's from packs instead of a
-- row each: every ping of one 8 m cube (location_cell) in one 10-minute
-- bucket (location_bucket) concatenated into one bytea. An hour's search in
-- a crowded hall met about 110,000 pings; read as index rows they cost
-- PostgreSQL about a microsecond each (scan, aggregate, send), and as packs
-- a few thousand rows of bytes (docs/architecture_decisions.txt).
--
-- location stays the record of every ping; location_pack is derived from it
-- and kept equal to it by triggers, whatever writes: an insert adds a pack
-- per cube and bucket of the statement's rows, a delete (an erasure) takes
-- the deleted pings out of their packs, and partitions come and go by day
-- with location's. Writers append small packs; the locations service merges
-- each cube's and bucket's into one now and then (location_merge_packs), so
-- a search reads one row per cube and bucket whatever the batches were.
-- crates/storage/src/packs.rs reads them.

-- The start of the 10 minutes that hold `at`; a bucket never spans two UTC
-- days, so it belongs to the day partition of its pings.
CREATE FUNCTION location_bucket(at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN date_bin('10 minutes', at, TIMESTAMPTZ '2000-01-01 00:00:00+00');

-- One ping as a pack holds it, 32 bytes, each field as PostgreSQL sends it
-- (big-endian): the person, the time (microseconds since 2000-01-01 UTC),
-- the latitude and the longitude in degrees.
CREATE FUNCTION location_pack_record(person_id bigint, coordinate geography, creation_time timestamptz)
RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN int8send(person_id) || timestamptz_send(creation_time)
    || float8send(ST_Y(coordinate::geometry)) || float8send(ST_X(coordinate::geometry));

CREATE TABLE location_pack (
    cell   bigint NOT NULL,
    bucket timestamptz NOT NULL,
    -- location_pack_record of each ping, in no particular order.
    pings  bytea NOT NULL,
    -- Whether this is the only pack of its cube and bucket, as of when it
    -- was merged; writers' packs are not, until the next merge.
    merged boolean NOT NULL DEFAULT false
) PARTITION BY RANGE (bucket);
-- Pings are numbers: compressing them saves little and costs every read.
ALTER TABLE location_pack ALTER COLUMN pings SET STORAGE EXTERNAL;
CREATE INDEX location_pack_cell_bucket ON location_pack (cell, bucket);
CREATE INDEX location_pack_unmerged ON location_pack (cell, bucket) WHERE NOT merged;

-- Creates the partition of the UTC day `day` of `parent` (location or
-- location_pack, partitioned the same way) unless it exists, named
-- parent_pYYYYMMDD. The new table is made alone and then attached:
-- attaching takes SHARE UPDATE EXCLUSIVE on the parent, which reads and
-- writes do not wait for, where CREATE TABLE ... PARTITION OF would take
-- ACCESS EXCLUSIVE. That lock is also self-conflicting, and taking it
-- first makes creators of the same day (replicas, concurrent batches) take
-- turns: the second finds the partition made and does nothing. Attaching
-- gives the partition every index of the parent.
CREATE FUNCTION location_day_partition(parent text, day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    partition text := parent || '_p' || to_char(day, 'YYYYMMDD');
BEGIN
    EXECUTE format('LOCK TABLE %I IN SHARE UPDATE EXCLUSIVE MODE', parent);
    IF to_regclass(partition) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING STORAGE)', partition, parent);
    EXECUTE format(
        'ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
        parent,
        partition,
        day::timestamp AT TIME ZONE 'UTC',
        (day + 1)::timestamp AT TIME ZONE 'UTC');
END
$$;

-- Makes the packs of the UTC day `day` anew from location's rows, one per
-- cube and bucket: for pings loaded past the triggers (a partition filled
-- alone and then attached, as a restore does) and for the rows stored
-- before packs existed.
CREATE FUNCTION location_pack_day(day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    opens timestamptz := day::timestamp AT TIME ZONE 'UTC';
BEGIN
    PERFORM location_day_partition('location_pack', day);
    DELETE FROM location_pack WHERE bucket >= opens AND bucket < opens + interval '1 day';
    INSERT INTO location_pack (cell, bucket, pings, merged)
    SELECT location_cell(coordinate), location_bucket(creation_time),
           string_agg(location_pack_record(person_id, coordinate, creation_time), ''::bytea),
           true
    FROM location
    WHERE creation_time >= opens AND creation_time < opens + interval '1 day'
    GROUP BY 1, 2;
END
$$;

-- The day's partitions of location and of its packs.
CREATE OR REPLACE FUNCTION location_create_partition(day date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM location_day_partition('location_pack', day);
    PERFORM location_day_partition('location', day);
END
$$;

-- As before, and the day's packs go with its pings, in the same
-- transaction: no copy of a ping outlives its retention.
CREATE OR REPLACE FUNCTION location_drop_partition(day date) RETURNS boolean
LANGUAGE plpgsql SET lock_timeout = '2s' AS $$
DECLARE
    partition text := 'location_p' || to_char(day, 'YYYYMMDD');
BEGIN
    LOCK TABLE location IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('DROP TABLE IF EXISTS %I', 'location_pack_p' || to_char(day, 'YYYYMMDD'));
    IF to_regclass(partition) IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP TABLE %I', partition);
    RETURN true;
END
$$;

-- A pack per cube and bucket of the rows one statement stored. Rows an
-- ON CONFLICT DO NOTHING skipped are not among them, so a re-delivered
-- batch adds nothing.
CREATE FUNCTION location_pack_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO location_pack (cell, bucket, pings)
    SELECT location_cell(coordinate), location_bucket(creation_time),
           string_agg(location_pack_record(person_id, coordinate, creation_time), ''::bytea)
    FROM added
    GROUP BY 1, 2;
    RETURN NULL;
END
$$;

CREATE TRIGGER location_pack_added AFTER INSERT ON location
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION location_pack_added();

-- The deleted pings taken out of their packs (a ping is known by its person
-- and time), and packs left empty deleted.
CREATE FUNCTION location_pack_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH touched AS (
        SELECT DISTINCT location_cell(coordinate) AS cell, location_bucket(creation_time) AS bucket
        FROM deleted
    ), gone AS (
        SELECT int8send(person_id) || timestamptz_send(creation_time) AS key FROM deleted
    )
    UPDATE location_pack p
    SET pings = (
        SELECT COALESCE(string_agg(substr(p.pings, 32 * i + 1, 32), ''::bytea ORDER BY i), ''::bytea)
        FROM generate_series(0, length(p.pings) / 32 - 1) AS i
        WHERE substr(p.pings, 32 * i + 1, 16) NOT IN (SELECT key FROM gone))
    FROM touched t
    WHERE p.cell = t.cell AND p.bucket = t.bucket;
    DELETE FROM location_pack p
    USING (SELECT DISTINCT location_cell(coordinate) AS cell, location_bucket(creation_time) AS bucket
           FROM deleted) t
    WHERE p.cell = t.cell AND p.bucket = t.bucket AND p.pings = ''::bytea;
    RETURN NULL;
END
$$;

CREATE TRIGGER location_pack_deleted AFTER DELETE ON location
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
    EXECUTE FUNCTION location_pack_deleted();

-- Pings are never changed in place; a change would leave packs stale.
CREATE FUNCTION location_pack_refuse_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pings are stored once and never changed';
END
$$;

CREATE TRIGGER location_pack_refuse_update BEFORE UPDATE ON location
    FOR EACH STATEMENT EXECUTE FUNCTION location_pack_refuse_update();

CREATE FUNCTION location_pack_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE location_pack;
    RETURN NULL;
END
$$;

CREATE TRIGGER location_pack_truncated AFTER TRUNCATE ON location
    FOR EACH STATEMENT EXECUTE FUNCTION location_pack_truncated();

-- Merges the packs of up to `groups` cubes and buckets that writers added
-- to into one each; returns how many it merged. It takes the writers' lock
-- on location, so an erasure (which holds writers off while it takes its
-- pings out of packs) never runs beside it. Merges running at once in two
-- replicas take each pack at most once between them. Its join is an index
-- lookup per chosen cube and bucket; the settings hold the planner to that
-- when a partition has no statistics yet (as after a bulk load), where it
-- hashed every pack instead: about a second a statement with 6.7 million.
CREATE FUNCTION location_merge_packs(groups integer) RETURNS integer
LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    merged_groups integer;
BEGIN
    LOCK TABLE location IN ROW EXCLUSIVE MODE;
    WITH chosen AS (
        SELECT DISTINCT cell, bucket FROM location_pack WHERE NOT merged LIMIT groups
    ), taken AS (
        DELETE FROM location_pack p USING chosen c
        WHERE p.cell = c.cell AND p.bucket = c.bucket
        RETURNING p.cell, p.bucket, p.pings
    )
    INSERT INTO location_pack (cell, bucket, pings, merged)
    SELECT cell, bucket, string_agg(pings, ''::bytea), true FROM taken GROUP BY cell, bucket;
    GET DIAGNOSTICS merged_groups = ROW_COUNT;
    RETURN merged_groups;
END
$$;

SELECT location_pack_day(day) FROM location_partition_days() AS day;

-- The packs replace the cell index, the only reader of which was contact
-- search; writers no longer maintain it.
DROP INDEX location_cell_time;
