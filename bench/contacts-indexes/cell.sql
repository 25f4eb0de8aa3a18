\set p random(1, 10000)
-- The cells around each own ping, computed in SQL here (the service does it
-- in Rust): a ±11 m box in 16 m cubes.
WITH own AS MATERIALIZED (
  SELECT person_id, coordinate, creation_time,
         6371000 * cosd(ST_Y(coordinate::geometry)) * cosd(ST_X(coordinate::geometry)) AS x,
         6371000 * cosd(ST_Y(coordinate::geometry)) * sind(ST_X(coordinate::geometry)) AS y,
         6371000 * sind(ST_Y(coordinate::geometry)) AS z
  FROM location WHERE person_id = :p),
probe AS MATERIALIZED (
  SELECT own.*, ((cx + 524288) << 40) | ((cy + 524288) << 20) | (cz + 524288) AS cell FROM own,
    generate_series(floor((x - 11) / 16)::bigint, floor((x + 11) / 16)::bigint) cx,
    generate_series(floor((y - 11) / 16)::bigint, floor((y + 11) / 16)::bigint) cy,
    generate_series(floor((z - 11) / 16)::bigint, floor((z + 11) / 16)::bigint) cz)
SELECT count(*) FROM probe own JOIN location l
  ON location_cell(l.coordinate) = own.cell
 AND l.creation_time BETWEEN own.creation_time - interval '10 min' AND own.creation_time + interval '10 min'
 AND ST_DWithin(l.coordinate, own.coordinate, 10, false) AND l.person_id <> own.person_id;
