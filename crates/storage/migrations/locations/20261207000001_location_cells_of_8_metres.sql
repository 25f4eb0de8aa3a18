-- Contact search's cubes shrink from 16 m to 8 m. Around a ping, the cubes
-- a 10 m search reads cover about 850 m² of floor instead of 1,380 m² (the
-- circle searched is 314 m²), so a crowded hall's search reads about 40 %
-- fewer rows; each probe of the index costs a few microseconds, each row
-- read about one. At a phone ping every 20 s, 2,000 people to a hall, an
-- hour's search read 136,563 rows (docs/architecture_decisions.txt). The
-- Earth spans ±796,375 cubes of 8 m per axis, so each axis takes 21 bits
-- (offset 1,048,576) and the key 63: still a bigint, never negative.
-- crates/storage/src/cells.rs computes the same cubes for queries.
--
-- The index is rebuilt in the migration's transaction, one sorted build
-- per partition; writes wait for it, and Kafka holds the pings meanwhile.
DROP INDEX location_cell_time;

CREATE OR REPLACE FUNCTION location_cell(coordinate geography) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN
    ((floor(6371000 * cosd(ST_Y(coordinate::geometry)) * cosd(ST_X(coordinate::geometry)) / 8)::bigint + 1048576) << 42)
  | ((floor(6371000 * cosd(ST_Y(coordinate::geometry)) * sind(ST_X(coordinate::geometry)) / 8)::bigint + 1048576) << 21)
  |  (floor(6371000 * sind(ST_Y(coordinate::geometry)) / 8)::bigint + 1048576);

CREATE INDEX location_cell_time ON location (location_cell(coordinate), creation_time)
    INCLUDE (person_id, coordinate);
