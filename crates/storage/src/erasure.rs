//! Erasing a person from one service's database: what it holds of them is
//! deleted and the id alone is kept (table `erased_person`), so that nothing
//! written for them later is stored.

use std::future::Future;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use udaconnect_domain::PersonId;

use crate::StorageError;

/// A store that erases persons; erasing a person twice changes nothing the
/// second time.
pub trait ErasesPersons: Clone + Send + Sync + 'static {
    /// Deletes what the store holds of the person and remembers the id;
    /// returns how many rows were deleted.
    fn erase_person(
        &self,
        person_id: PersonId,
        requested_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64, StorageError>> + Send;
}

/// How one store erases: what it holds writers off with while it erases
/// (so that a write racing the erasure is either deleted with the rest or
/// sees the id), and what it deletes (`$1` is the person's id).
pub(crate) struct Erasure {
    /// A statement run first in the transaction, if writers must wait.
    pub(crate) hold_writers_off: Option<String>,
    /// The statement that deletes what the store holds of the person.
    pub(crate) delete: &'static str,
}

impl Erasure {
    /// Runs the erasure in one transaction; returns the rows deleted.
    pub(crate) async fn run(
        &self,
        pool: &PgPool,
        person_id: PersonId,
        requested_at: DateTime<Utc>,
    ) -> Result<u64, StorageError> {
        let mut transaction = pool.begin().await?;
        if let Some(statement) = &self.hold_writers_off {
            sqlx::query(statement).execute(&mut *transaction).await?;
        }
        sqlx::query(
            "INSERT INTO erased_person (person_id, erased_at) VALUES ($1, $2)
             ON CONFLICT (person_id) DO NOTHING",
        )
        .bind(person_id)
        .bind(requested_at)
        .execute(&mut *transaction)
        .await?;
        let deleted = sqlx::query(self.delete)
            .bind(person_id)
            .execute(&mut *transaction)
            .await?
            .rows_affected();
        transaction.commit().await?;
        Ok(deleted)
    }
}
