-- Persons erased (the erasures topic): the id alone, nothing about the
-- person. What is written for them after their erasure (a ping still in
-- flight, a visit still open) is never stored.
CREATE TABLE erased_person (
    person_id bigint PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
