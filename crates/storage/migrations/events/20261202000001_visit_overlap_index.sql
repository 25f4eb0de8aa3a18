-- Who was in an area during a time span (a presentation's attendees): the
-- visits overlapping it, straight from this index, where visit_area_start
-- reads every earlier visit of the room too. btree_gist lets one GiST index
-- hold the area's id beside the time range; the included columns let the
-- attendance queries read the index alone.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX visit_area_during ON visit
    USING gist (area_id, tstzrange(start_time, end_time, '[]'))
    INCLUDE (person_id, start_time, end_time);
