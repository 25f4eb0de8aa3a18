-- The connection search reads every other ping near each of a person's own
-- (about 20,000 a ping within 5 m at a week-long event's density). Through
-- the plain GiST index each of those candidates cost a visit to the heap,
-- where a spot's pings lie spread over as many pages as there are pings,
-- since a day's rows are stored in time order. With every column the search
-- returns carried in the index, it reads the index alone (an index-only scan
-- on pages the visibility map marks all-visible, so every day but today once
-- autovacuum has passed): 2x at 1M rows, 1.6x at the week's density
-- (bench/profile.md). The index is about 2.6 times the size. The coordinate
-- is both the key and included: the key keeps only its bounding box, and
-- the distance is checked on the point itself.
-- It replaces the plain index, so a write maintains no extra index. Built in
-- the migration's transaction: writes wait for it, and Kafka holds the pings
-- meanwhile.
CREATE INDEX location_coordinate_gist_covering ON location USING gist (coordinate)
    INCLUDE (id, person_id, creation_time, event_id, coordinate);
DROP INDEX location_coordinate_gist;
ALTER INDEX location_coordinate_gist_covering RENAME TO location_coordinate_gist;
