//! What proves who a person is: signing keys, one-time enrollment codes and
//! the devices bound to each person. Lives in the persons database, beside
//! the persons it speaks for.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use udaconnect_domain::PersonId;
use uuid::Uuid;

use crate::StorageError;

/// A phone bound to a person.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Device {
    /// Also the id of every token it holds.
    pub id: Uuid,
    /// Whose phone.
    pub person_id: PersonId,
    /// What the person called it when enrolling.
    pub name: String,
    /// When it was enrolled.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What redeeming a code binds, besides proving the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// A phone, to be recorded as a device.
    Device {
        /// The new device's id.
        id: Uuid,
        /// Its name.
        name: String,
    },
    /// A web page session; nothing is recorded.
    Session,
}

/// The persons service's identity tables.
#[derive(Debug, Clone)]
pub struct IdentityStore {
    pool: PgPool,
}

impl IdentityStore {
    /// A store over the persons database.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// The unretired signing keys (PKCS#8 DER), newest first.
    pub async fn signing_keys(&self) -> Result<Vec<Vec<u8>>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT private_key FROM signing_key WHERE retired_at IS NULL ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Keeps a new signing key; it signs from now on.
    pub async fn add_signing_key(&self, private_key: &[u8]) -> Result<(), StorageError> {
        sqlx::query("INSERT INTO signing_key (private_key) VALUES ($1)")
            .bind(private_key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keeps the hash of a new enrollment code for the person; `false` when
    /// there is no such person.
    pub async fn add_enrollment_code(
        &self,
        person_id: PersonId,
        code_hash: &[u8],
        expires_at: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let added = sqlx::query(
            "INSERT INTO enrollment_code (code_hash, person_id, expires_at)
             SELECT $2, id, $3 FROM person WHERE id = $1",
        )
        .bind(person_id)
        .bind(code_hash)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(added.rows_affected() == 1)
    }

    /// Uses up the code with this hash, if it is unused and unexpired, and
    /// records what it bound; answers whose code it was. One statement
    /// marks it used, so two redemptions at once cannot both succeed.
    pub async fn redeem_enrollment_code(
        &self,
        code_hash: &[u8],
        redemption: &Redemption,
    ) -> Result<Option<PersonId>, StorageError> {
        let mut transaction = self.pool.begin().await?;
        let person_id: Option<PersonId> = sqlx::query_scalar(
            "UPDATE enrollment_code SET redeemed_at = now()
             WHERE code_hash = $1 AND redeemed_at IS NULL AND expires_at > now()
             RETURNING person_id",
        )
        .bind(code_hash)
        .fetch_optional(&mut *transaction)
        .await?;
        if let (Some(person_id), Redemption::Device { id, name }) = (person_id, redemption) {
            sqlx::query("INSERT INTO device (id, person_id, name) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(person_id)
                .bind(name)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
        Ok(person_id)
    }

    /// The person's devices, newest first.
    pub async fn devices(&self, person_id: PersonId) -> Result<Vec<Device>, StorageError> {
        Ok(sqlx::query_as(
            "SELECT id, person_id, name, created_at, revoked_at FROM device
             WHERE person_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Revokes the person's device; `false` when the person has no such
    /// device. Revoking twice keeps the first time.
    pub async fn revoke_device(
        &self,
        person_id: PersonId,
        device_id: Uuid,
    ) -> Result<bool, StorageError> {
        let revoked = sqlx::query(
            "UPDATE device SET revoked_at = coalesce(revoked_at, now())
             WHERE id = $1 AND person_id = $2",
        )
        .bind(device_id)
        .bind(person_id)
        .execute(&self.pool)
        .await?;
        Ok(revoked.rows_affected() == 1)
    }

    /// Revoked devices enrolled after `enrolled_after`. A device's token is
    /// issued when it enrols, so those enrolled earlier hold only expired
    /// tokens and need not be listed.
    pub async fn revoked_devices(
        &self,
        enrolled_after: DateTime<Utc>,
    ) -> Result<Vec<Uuid>, StorageError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM device
             WHERE revoked_at IS NOT NULL AND created_at > $1 ORDER BY id",
        )
        .bind(enrolled_after)
        .fetch_all(&self.pool)
        .await?)
    }
}
