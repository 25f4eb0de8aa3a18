//! Benchmark databases on the local server.

use sqlx::{Connection, PgConnection, PgPool};
use udaconnect_locations::MERGE_GROUPS_PER_STATEMENT;
use udaconnect_storage::LocationStore;

/// The URL of database `name` on the server of `admin_url`.
pub fn url(admin_url: &str, name: &str) -> String {
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// A pool to the existing database `name` on the server of `admin_url`.
pub async fn connect(admin_url: &str, name: &str) -> anyhow::Result<PgPool> {
    Ok(PgPool::connect(&url(admin_url, name)).await?)
}

/// Drops and recreates database `name`, returning a pool to it.
pub async fn recreate(admin_url: &str, name: &str) -> anyhow::Result<PgPool> {
    let mut admin = PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    connect(admin_url, name).await
}

/// Leaves freshly loaded pings as the locations service keeps them once a
/// burst of writes is over: every writer's pack merged, and the statistics
/// of both tables taken. Otherwise the service merges the load's backlog
/// during the timed searches (each statement slow, planned without
/// statistics) and the figures measure the load, not the search. The
/// load's pages are written out too: a checkpoint started by its WAL would
/// spread that writing over the first minute of searches.
pub async fn settle_locations(store: &LocationStore) -> anyhow::Result<()> {
    store.merge_packs(MERGE_GROUPS_PER_STATEMENT).await?;
    for statement in ["VACUUM ANALYZE location, location_pack", "CHECKPOINT"] {
        sqlx::query(statement).execute(store.pool()).await?;
    }
    Ok(())
}
