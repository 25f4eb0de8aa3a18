//! A day of `location` loaded as a restore would: its table filled alone,
//! then attached as the day's partition, which builds every index once,
//! sorted, instead of row by row. Shared by the benchmarks that store
//! weeks of pings beforehand.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use sqlx::{PgConnection, PgPool, Postgres, pool::PoolConnection};

/// The table of one UTC day, not yet a partition of `location`.
pub struct DetachedDay {
    /// `location_create_partition`'s name for the day.
    pub name: String,
    opens: DateTime<Utc>,
    session: PoolConnection<Postgres>,
}

impl DetachedDay {
    /// Creates the table of `day`, shaped like `location`, on a session of
    /// its own that has the memory to sort the indexes and group the packs
    /// when attaching.
    pub async fn create(pool: &PgPool, day: NaiveDate) -> anyhow::Result<Self> {
        let name = format!("location_p{}", day.format("%Y%m%d"));
        let mut session = pool.acquire().await?;
        for setting in ["SET maintenance_work_mem = '1GB'", "SET work_mem = '256MB'"] {
            sqlx::query(setting).execute(&mut *session).await?;
        }
        sqlx::query(&format!("CREATE TABLE {name} (LIKE location)"))
            .execute(&mut *session)
            .await?;
        Ok(Self {
            name,
            opens: day.and_time(chrono::NaiveTime::MIN).and_utc(),
            session,
        })
    }

    /// The session the table was made on, to fill it with.
    pub fn session(&mut self) -> &mut PgConnection {
        &mut self.session
    }

    /// Attaches the table as the day's partition, building its indexes,
    /// and makes the day's packs for contact search (which attaching, past
    /// location's triggers, does not).
    pub async fn attach(mut self) -> anyhow::Result<()> {
        sqlx::query(&format!(
            "ALTER TABLE location ATTACH PARTITION {} FOR VALUES FROM ('{}') TO ('{}')",
            self.name,
            self.opens.to_rfc3339(),
            (self.opens + TimeDelta::days(1)).to_rfc3339()
        ))
        .execute(&mut *self.session)
        .await?;
        sqlx::query("SELECT location_pack_day($1)")
            .bind(self.opens.date_naive())
            .execute(&mut *self.session)
            .await?;
        Ok(())
    }
}
