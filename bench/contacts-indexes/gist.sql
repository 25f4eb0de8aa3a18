\set p random(1, 10000)
WITH own AS MATERIALIZED (SELECT person_id, coordinate, creation_time FROM location WHERE person_id = :p)
SELECT count(*) FROM own JOIN location l
  ON ST_DWithin(l.coordinate, own.coordinate, 10, false)
 AND l.creation_time BETWEEN own.creation_time - interval '10 min' AND own.creation_time + interval '10 min'
 AND l.person_id <> own.person_id;
