-- An attendee's choices about their data (udaconnect.v1.Privacy). Both
-- start off: being shown to others is agreed to, not opted out of.
ALTER TABLE person
    ADD COLUMN visible_to_others boolean NOT NULL DEFAULT false,
    ADD COLUMN location_paused   boolean NOT NULL DEFAULT false;
-- The few paused persons, read every few seconds by the services that
-- refuse their pings.
CREATE INDEX person_location_paused ON person (id) WHERE location_paused;

-- Persons erased: the id alone, nothing about the person. Their tokens are
-- refused until they expire, and an id once erased is never given again
-- (an import of seed rows skips it).
CREATE TABLE erased_person (
    person_id bigint PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
CREATE INDEX erased_person_erased_at ON erased_person (erased_at);
