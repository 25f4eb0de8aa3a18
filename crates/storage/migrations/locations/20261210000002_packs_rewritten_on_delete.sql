-- Deleted pings are taken out of their packs in one pass, whatever their
-- number. The first version kept each record of a touched pack that was
-- NOT IN the deleted keys; past work_mem that list is searched from its
-- start for every record, so the cost grew with the product of the two:
-- deleting a 1.44M-ping conference (its pings in 1,175 packs) ran for more
-- than six minutes before it was cancelled. Now the records of every
-- touched cube and bucket are matched against the deleted ones by a join,
-- which hashes them, and each group's records that remain are written
-- back as one pack. That pack is the group's only one, so it is merged;
-- a group left empty gets none.
CREATE OR REPLACE FUNCTION location_pack_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        SELECT location_cell(coordinate) AS cell, location_bucket(creation_time) AS bucket,
               int8send(person_id) || timestamptz_send(creation_time) AS key
        FROM deleted
    ), taken AS (
        DELETE FROM location_pack p
        USING (SELECT DISTINCT cell, bucket FROM gone) t
        WHERE p.cell = t.cell AND p.bucket = t.bucket
        RETURNING p.cell, p.bucket, p.pings
    ), records AS (
        SELECT t.cell, t.bucket, substr(t.pings, 32 * i + 1, 32) AS record
        FROM taken t, generate_series(0, length(t.pings) / 32 - 1) AS i
    )
    INSERT INTO location_pack (cell, bucket, pings, merged)
    SELECT r.cell, r.bucket, string_agg(r.record, ''::bytea), true
    FROM records r
    WHERE NOT EXISTS (
        SELECT FROM gone g
        WHERE g.cell = r.cell AND g.bucket = r.bucket AND g.key = substr(r.record, 1, 16))
    GROUP BY r.cell, r.bucket;
    RETURN NULL;
END
$$;
