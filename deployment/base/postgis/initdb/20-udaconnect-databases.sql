-- Runs once, when the data directory is first initialised (after the
-- image's own 10_postgis.sh). One database per owning service; their
-- schemas, PostGIS included, come from `udaconnect migrate`.
CREATE DATABASE udaconnect_persons;
CREATE DATABASE udaconnect_locations;
CREATE DATABASE udaconnect_events;
