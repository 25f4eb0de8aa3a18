//! Benchmark databases on the local server.

use sqlx::{Connection, PgConnection, PgPool};

/// A pool to the existing database `name` on the server of `admin_url`.
pub async fn connect(admin_url: &str, name: &str) -> anyhow::Result<PgPool> {
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(admin_url);
    Ok(PgPool::connect(&format!("{base}/{name}")).await?)
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
