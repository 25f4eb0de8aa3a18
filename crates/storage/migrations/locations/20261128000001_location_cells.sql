-- Contact search: for each of a person's pings, every other person's ping
-- within a few metres and minutes. Space is cut into 16 m cubes of a grid
-- centred on the Earth (positions on a sphere of the mean radius, so poles
-- and the antimeridian are nothing special); a ping's cube and time are the
-- key of a B-tree, so "pings in this cube between t0 and t1" is one range
-- scan. The included columns let that scan answer from the index alone.
-- crates/storage/src/cells.rs computes the same cubes for queries; the
-- reasons for this choice, and the figures, are in
-- docs/architecture_decisions.txt.
CREATE FUNCTION location_cell(coordinate geography) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN
    ((floor(6371000 * cosd(ST_Y(coordinate::geometry)) * cosd(ST_X(coordinate::geometry)) / 16)::bigint + 524288) << 40)
  | ((floor(6371000 * cosd(ST_Y(coordinate::geometry)) * sind(ST_X(coordinate::geometry)) / 16)::bigint + 524288) << 20)
  |  (floor(6371000 * sind(ST_Y(coordinate::geometry)) / 16)::bigint + 524288);

CREATE INDEX location_cell_time ON location (location_cell(coordinate), creation_time)
    INCLUDE (person_id, coordinate);
