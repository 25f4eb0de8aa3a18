\set p random(1, 10000)
WITH own AS MATERIALIZED (SELECT person_id, coordinate, creation_time FROM location WHERE person_id = :p)
SELECT count(*) FROM own JOIN location l
  ON spacetime(l.coordinate, l.creation_time) &&& spacetime_box(own.coordinate, own.creation_time - interval '10 min', own.creation_time + interval '10 min', 10)
 AND l.creation_time BETWEEN own.creation_time - interval '10 min' AND own.creation_time + interval '10 min'
 AND ST_DWithin(l.coordinate, own.coordinate, 10, false) AND l.person_id <> own.person_id;
