use chrono::{DateTime, Utc};
use sqlx::PgPool;
use udaconnect_domain::{NewPerson, Person, PersonId, Privacy};

use crate::{ErasesPersons, PERSONS_MIGRATOR, StorageError, advance_identity, erasure::Erasure};

type PersonRow = (i64, String, String, String, bool, bool);

/// The columns of [`PersonRow`].
const PERSON_COLUMNS: &str =
    "id, first_name, last_name, company_name, visible_to_others, location_paused";

fn person_from_row(
    (id, first_name, last_name, company_name, visible_to_others, location_paused): PersonRow,
) -> Person {
    Person {
        id,
        first_name,
        last_name,
        company_name,
        privacy: Privacy {
            visible_to_others,
            location_paused,
        },
    }
}

/// The persons service's table of attendees.
#[derive(Debug, Clone)]
pub struct PersonStore {
    pool: PgPool,
}

impl PersonStore {
    /// A store over an open pool of the persons database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The underlying pool (for readiness checks).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StorageError> {
        PERSONS_MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// Stores a new person and returns it with its id.
    #[tracing::instrument(skip_all)]
    pub async fn create(&self, person: &NewPerson) -> Result<Person, StorageError> {
        let row: PersonRow = sqlx::query_as(&format!(
            "INSERT INTO person (first_name, last_name, company_name) VALUES ($1, $2, $3)
             RETURNING {PERSON_COLUMNS}"
        ))
        .bind(person.first_name())
        .bind(person.last_name())
        .bind(person.company_name())
        .fetch_one(&self.pool)
        .await?;
        Ok(person_from_row(row))
    }

    /// One person, if it exists.
    #[tracing::instrument(skip(self))]
    pub async fn get(&self, id: PersonId) -> Result<Option<Person>, StorageError> {
        let row: Option<PersonRow> = sqlx::query_as(&format!(
            "SELECT {PERSON_COLUMNS} FROM person WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(person_from_row))
    }

    /// Every person, ordered by id.
    #[tracing::instrument(skip(self))]
    pub async fn list(&self) -> Result<Vec<Person>, StorageError> {
        let rows: Vec<PersonRow> =
            sqlx::query_as(&format!("SELECT {PERSON_COLUMNS} FROM person ORDER BY id"))
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(person_from_row).collect())
    }

    /// The existing persons among `ids`, ordered by id.
    #[tracing::instrument(skip_all, fields(ids = ids.len()))]
    pub async fn batch_get(&self, ids: &[PersonId]) -> Result<Vec<Person>, StorageError> {
        let rows: Vec<PersonRow> = sqlx::query_as(&format!(
            "SELECT {PERSON_COLUMNS} FROM person WHERE id = ANY($1) ORDER BY id"
        ))
        .bind(ids)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(person_from_row).collect())
    }

    /// Loads persons with their own ids (seed data), skipping ids that exist
    /// or were erased, then advances the id sequence past them. Returns how
    /// many were new.
    pub async fn import(&self, persons: &[Person]) -> Result<u64, StorageError> {
        let ids: Vec<i64> = persons.iter().map(|p| p.id).collect();
        let first: Vec<&str> = persons.iter().map(|p| p.first_name.as_str()).collect();
        let last: Vec<&str> = persons.iter().map(|p| p.last_name.as_str()).collect();
        let company: Vec<&str> = persons.iter().map(|p| p.company_name.as_str()).collect();
        let inserted = sqlx::query(
            "INSERT INTO person (id, first_name, last_name, company_name)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(id)
             WHERE NOT EXISTS (SELECT 1 FROM erased_person e WHERE e.person_id = u.id)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&ids)
        .bind(&first)
        .bind(&last)
        .bind(&company)
        .execute(&self.pool)
        .await?
        .rows_affected();
        advance_identity(&self.pool, "person").await?;
        Ok(inserted)
    }

    /// Records the person's choices; `None` when there is no such person.
    #[tracing::instrument(skip(self))]
    pub async fn set_privacy(
        &self,
        id: PersonId,
        privacy: Privacy,
    ) -> Result<Option<Person>, StorageError> {
        let row: Option<PersonRow> = sqlx::query_as(&format!(
            "UPDATE person SET visible_to_others = $2, location_paused = $3 WHERE id = $1
             RETURNING {PERSON_COLUMNS}"
        ))
        .bind(id)
        .bind(privacy.visible_to_others)
        .bind(privacy.location_paused)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(person_from_row))
    }

    /// Persons erased after `since`, whose tokens may still be unexpired.
    pub async fn erased_since(&self, since: DateTime<Utc>) -> Result<Vec<PersonId>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT person_id FROM erased_person WHERE erased_at > $1 ORDER BY person_id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Persons who paused sharing their location.
    pub async fn paused(&self) -> Result<Vec<PersonId>, StorageError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM person WHERE location_paused ORDER BY id")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}

impl ErasesPersons for PersonStore {
    /// Deletes the person's record; enrollment codes and devices go with
    /// it.
    async fn erase_person(
        &self,
        person_id: PersonId,
        requested_at: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        Erasure {
            hold_writers_off: None,
            delete: "DELETE FROM person WHERE id = $1",
        }
        .run(&self.pool, person_id, requested_at)
        .await
    }
}
