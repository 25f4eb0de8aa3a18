-- Writers' packs take each ping's position out of its geography once. The
-- cube and the record were written over the geography, and the planner
-- inlines them, so every row cast its coordinate to geometry seven times
-- (five for the cube, two for the record): the insert trigger's own time
-- was 3.8 µs a row, 2.0 µs with one cast (bench/profile.md). The cube and the record now take the
-- latitude and longitude; their geography forms call those, inlined as
-- before, and the trigger and location_pack_day read each position once
-- (OFFSET 0 keeps the planner from copying the cast back into every use).

CREATE FUNCTION location_cell(latitude double precision, longitude double precision) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN
    ((floor(6371000 * cosd(latitude) * cosd(longitude) / 8)::bigint + 1048576) << 42)
  | ((floor(6371000 * cosd(latitude) * sind(longitude) / 8)::bigint + 1048576) << 21)
  |  (floor(6371000 * sind(latitude) / 8)::bigint + 1048576);

CREATE OR REPLACE FUNCTION location_cell(coordinate geography) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN location_cell(ST_Y(coordinate::geometry), ST_X(coordinate::geometry));

CREATE FUNCTION location_pack_record(
    person_id bigint, creation_time timestamptz,
    latitude double precision, longitude double precision)
RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN int8send(person_id) || timestamptz_send(creation_time)
    || float8send(latitude) || float8send(longitude);

CREATE OR REPLACE FUNCTION location_pack_record(person_id bigint, coordinate geography, creation_time timestamptz)
RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN location_pack_record(person_id, creation_time, ST_Y(coordinate::geometry), ST_X(coordinate::geometry));

CREATE OR REPLACE FUNCTION location_pack_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO location_pack (cell, bucket, pings)
    SELECT location_cell(latitude, longitude), location_bucket(creation_time),
           string_agg(location_pack_record(person_id, creation_time, latitude, longitude), ''::bytea)
    FROM (
        SELECT person_id, creation_time, ST_Y(point) AS latitude, ST_X(point) AS longitude
        FROM (SELECT person_id, creation_time, coordinate::geometry AS point FROM added OFFSET 0) cast_once
        OFFSET 0
    ) ping
    GROUP BY 1, 2;
    RETURN NULL;
END
$$;

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
    GROUP BY 1, 2;
END
$$;
