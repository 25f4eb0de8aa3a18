-- Packs are written in the order of their index, (cell, bucket), wherever
-- many are written at once: a day's packs made anew (a restore, the
-- benchmarks' bulk load), which fill new pages in that order, and each
-- merge statement's, which go where the table has room. A contact search
-- reads each probe's cube over consecutive buckets; stored in that order,
-- those packs and their TOAST chunks share pages. Grouped by hash, a day's
-- packs lay in no order of the cube (correlation 0.00; 0.75 with the
-- bucket in a bulk-loaded week), and a search whose packs were not in
-- memory read about 30 % more blocks from disk (bench/profile.md).

CREATE OR REPLACE FUNCTION location_pack_day(day date) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    opens timestamptz := day::timestamp AT TIME ZONE 'UTC';
BEGIN
    PERFORM location_day_partition('location_pack', day);
    DELETE FROM location_pack WHERE bucket >= opens AND bucket < opens + interval '1 day';
    INSERT INTO location_pack (cell, bucket, pings, merged)
    SELECT location_cell(latitude, longitude), location_bucket(creation_time),
           string_agg(location_pack_record(person_id, creation_time, latitude, longitude), ''::bytea),
           true
    FROM (
        SELECT person_id, creation_time, ST_Y(point) AS latitude, ST_X(point) AS longitude
        FROM (
            SELECT person_id, creation_time, coordinate::geometry AS point
            FROM location
            WHERE creation_time >= opens AND creation_time < opens + interval '1 day'
            OFFSET 0
        ) cast_once
        OFFSET 0
    ) ping
    GROUP BY 1, 2
    ORDER BY 1, 2;
END
$$;

CREATE OR REPLACE FUNCTION location_merge_packs(
    groups integer,
    after_cell bigint,
    after_bucket timestamptz,
    OUT merged_groups integer,
    OUT last_cell bigint,
    OUT last_bucket timestamptz)
LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    cells bigint[];
    buckets timestamptz[];
BEGIN
    LOCK TABLE location IN ROW EXCLUSIVE MODE;
    SELECT array_agg(cell ORDER BY cell, bucket), array_agg(bucket ORDER BY cell, bucket)
    INTO cells, buckets
    FROM (
        SELECT DISTINCT cell, bucket FROM location_pack
        WHERE NOT merged
          AND (cell, bucket) > (coalesce(after_cell, -9223372036854775808), coalesce(after_bucket, '-infinity'))
        ORDER BY cell, bucket
        LIMIT groups
    ) chosen;
    WITH taken AS (
        DELETE FROM location_pack p USING unnest(cells, buckets) AS c(cell, bucket)
        WHERE p.cell = c.cell AND p.bucket = c.bucket
        RETURNING p.cell, p.bucket, p.pings
    )
    INSERT INTO location_pack (cell, bucket, pings, merged)
    SELECT cell, bucket, string_agg(pings, ''::bytea), true FROM taken
    GROUP BY cell, bucket
    ORDER BY cell, bucket;
    GET DIAGNOSTICS merged_groups = ROW_COUNT;
    last_cell := cells[cardinality(cells)];
    last_bucket := buckets[cardinality(buckets)];
END
$$;
