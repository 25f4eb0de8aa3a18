-- A synthetic floor for comparing index designs of contact search: 10,000
-- persons × 100 pings at 200 booths (±1 m), over three 8-hour days.
-- The table is the production one (the run script applies the migrations first).
-- btree_gist lets a GiST index a timestamptz beside the geography.
CREATE EXTENSION IF NOT EXISTS btree_gist;
SELECT setseed(0.42);
INSERT INTO location (event_id, person_id, coordinate, creation_time)
SELECT gen_random_uuid(), p,
  ST_SetSRID(ST_MakePoint(-122.401 + ((b % 15) * 15 + 2 * random() - 1) / 88000.0,
                          37.784 + ((b / 15) * 15 + 2 * random() - 1) / 111320.0), 4326)::geography,
  timestamptz '2026-11-02 09:00Z' + floor(random() * 3) * interval '1 day' + random() * interval '8 hours'
FROM generate_series(1, 10000) p, generate_series(1, 100) i,
     LATERAL (SELECT floor(random() * 200)::int + 0 * p * i AS b) booth;

-- Variant "nd": a 4-D R-tree over (position on a sphere in metres, epoch seconds).
CREATE FUNCTION spacetime(c geography, t timestamptz) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ST_MakePoint(6371000 * cosd(ST_Y(c::geometry)) * cosd(ST_X(c::geometry)),
                    6371000 * cosd(ST_Y(c::geometry)) * sind(ST_X(c::geometry)),
                    6371000 * sind(ST_Y(c::geometry)), extract(epoch FROM t) - 1577836800);
CREATE FUNCTION spacetime_box(c geography, t0 timestamptz, t1 timestamptz, m float8) RETURNS geometry
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ST_MakeLine(
  ST_MakePoint(ST_X(spacetime(c, t0)) - m * 1.006 - 0.5, ST_Y(spacetime(c, t0)) - m * 1.006 - 0.5,
               ST_Z(spacetime(c, t0)) - m * 1.006 - 0.5, ST_M(spacetime(c, t0))),
  ST_MakePoint(ST_X(spacetime(c, t1)) + m * 1.006 + 0.5, ST_Y(spacetime(c, t1)) + m * 1.006 + 0.5,
               ST_Z(spacetime(c, t1)) + m * 1.006 + 0.5, ST_M(spacetime(c, t1))));
