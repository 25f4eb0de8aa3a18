//! Fresh databases and a running stack for each test.

use std::{net::SocketAddr, time::Duration};

use sqlx::{Connection, PgConnection, PgPool, migrate::Migrator};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use udaconnect::{api, grpc, locations, person_directory::PersonDirectory, persons, seed};
use udaconnect_proto::v1::{
    location_service_client::LocationServiceClient, person_service_client::PersonServiceClient,
};
use udaconnect_storage::{LOCATIONS_MIGRATOR, LocationStore, PERSONS_MIGRATOR, PersonStore};
use uuid::Uuid;

/// The server-level database the tests create their databases from.
fn admin_url() -> String {
    std::env::var("TEST_ADMIN_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn database_url(name: &str) -> String {
    let admin = admin_url();
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin);
    format!("{base}/{name}")
}

/// A template database per migration set, named by the migrations' checksums,
/// so each test copies a migrated schema instead of re-running migrations
/// (installing PostGIS takes seconds; copying a template does not).
async fn fresh_database(kind: &str, migrator: &Migrator) -> String {
    let digest = migrator
        .iter()
        .flat_map(|migration| migration.checksum.iter().copied())
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
        });
    let template = format!("udc_tpl_{kind}_{digest:016x}");
    let name = format!("udc_test_{kind}_{}", Uuid::new_v4().simple());

    let mut admin = PgConnection::connect(&admin_url())
        .await
        .expect("connect to PostgreSQL");
    // Serialises template creation across concurrently running test processes.
    sqlx::query("SELECT pg_advisory_lock(724242)")
        .execute(&mut admin)
        .await
        .unwrap();
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&template)
            .fetch_one(&mut admin)
            .await
            .unwrap();
    if !exists {
        sqlx::query(&format!("CREATE DATABASE {template}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let pool = PgPool::connect(&database_url(&template)).await.unwrap();
        migrator
            .run(&pool)
            .await
            .expect("migrations apply to a fresh database");
        pool.close().await;
    }
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query("SELECT pg_advisory_unlock(724242)")
        .execute(&mut admin)
        .await
        .unwrap();
    database_url(&name)
}

/// Every service of the stack, running on ephemeral ports against fresh
/// databases. Dropping it stops the services.
pub struct TestApp {
    pub api_url: String,
    pub persons_grpc: PersonServiceClient<tonic::transport::Channel>,
    pub locations_grpc: LocationServiceClient<tonic::transport::Channel>,
    pub locations_db: PgPool,
    pub persons_store: PersonStore,
    pub http: reqwest::Client,
    shutdown: CancellationToken,
}

impl TestApp {
    /// An empty stack.
    pub async fn spawn() -> Self {
        let persons_db = PgPool::connect(&fresh_database("persons", &PERSONS_MIGRATOR).await)
            .await
            .unwrap();
        let locations_db = PgPool::connect(&fresh_database("locations", &LOCATIONS_MIGRATOR).await)
            .await
            .unwrap();
        let shutdown = CancellationToken::new();

        let (persons_listener, persons_addr) = listener().await;
        tokio::spawn(persons::run(
            PersonStore::new(persons_db.clone()),
            persons_listener,
            None,
            shutdown.clone(),
        ));
        let persons_channel = grpc::channel(&url(persons_addr)).unwrap();

        let (locations_listener, locations_addr) = listener().await;
        tokio::spawn(locations::run(
            LocationStore::new(locations_db.clone()),
            PersonDirectory::new(persons_channel.clone()),
            locations_listener,
            None,
            shutdown.clone(),
        ));
        let locations_channel = grpc::channel(&url(locations_addr)).unwrap();

        let (api_listener, api_addr) = listener().await;
        tokio::spawn(api::run(
            api::ApiState::new(persons_channel.clone(), locations_channel.clone()),
            Duration::from_secs(10),
            api_listener,
            shutdown.clone(),
        ));

        Self {
            api_url: url(api_addr),
            persons_grpc: PersonServiceClient::new(persons_channel),
            locations_grpc: LocationServiceClient::new(locations_channel),
            locations_db,
            http: reqwest::Client::new(),
            shutdown,
            persons_store: PersonStore::new(persons_db),
        }
    }

    /// A stack holding the proof of concept's starter data.
    pub async fn seeded() -> Self {
        let app = Self::spawn().await;
        let data = starter_data();
        seed::load(
            &data,
            &app.persons_store,
            &LocationStore::new(app.locations_db.clone()),
        )
        .await
        .unwrap();
        app
    }

    /// GET a path of the REST API.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.api_url))
            .send()
            .await
            .unwrap()
    }

    /// Rows in the locations table.
    pub async fn stored_locations(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM location")
            .fetch_one(&self.locations_db)
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// The starter data set shipped in the repository.
pub fn starter_data() -> seed::SeedData {
    seed::read(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/starter"))
        .unwrap()
}

async fn listener() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    (listener, addr)
}

fn url(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Asserts an RFC 9457 problem answer with `status`, naming `field` if given,
/// and returns its body.
pub async fn assert_problem(
    response: reqwest::Response,
    status: u16,
    field: Option<&str>,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "problem answers carry the problem media type"
    );
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    if let Some(field) = field {
        assert_eq!(body["field"], field, "{body}");
    }
    body
}
