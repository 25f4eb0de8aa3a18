-- A person's pings over a time range (the own side of every contact and
-- connection search, and a contacts search narrowed to a few persons) are
-- read from this index alone: the coordinate rides along, so the heap, where
-- one person's pings lie scattered among everyone's, is not visited. It
-- replaces the index of the same key, so a write maintains no extra index.
-- Built in the migration's transaction: writes wait for it, and Kafka holds
-- the pings meanwhile.
CREATE INDEX location_person_time_covering ON location (person_id, creation_time) INCLUDE (coordinate);
DROP INDEX location_person_time;
ALTER INDEX location_person_time_covering RENAME TO location_person_time;
