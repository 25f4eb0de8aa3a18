//! Benchmark databases on the local server.

use sqlx::{Connection, PgConnection, PgPool};

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
