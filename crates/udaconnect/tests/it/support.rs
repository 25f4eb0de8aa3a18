//! Fresh databases, a broker and a running stack for each test.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use sqlx::{Connection, PgConnection, PgPool, migrate::Migrator};
use tokio::{net::TcpListener, task::JoinHandle};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use udaconnect::{
    api, grpc, ingest,
    location_consumer::{self, ConsumerSettings, LocationConsumer},
    locations,
    person_directory::PersonDirectory,
    persons,
    publisher::LocationPublisher,
    seed,
};
use udaconnect_messaging::{EventProducer, KafkaSettings, TopicSpec, ensure_topics};
use udaconnect_proto::v1::{
    ingest_service_client::IngestServiceClient, location_service_client::LocationServiceClient,
    person_service_client::PersonServiceClient,
};
use udaconnect_storage::{LOCATIONS_MIGRATOR, LocationStore, PERSONS_MIGRATOR, PersonStore};
use uuid::Uuid;

use crate::broker::{Broker, Storage};

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

/// How a test wants its stack.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Where the broker keeps records.
    pub storage: Storage,
    /// Whether a location consumer runs inside the test process.
    pub consumer: bool,
    /// How long a ping waits for Kafka before it is answered UNAVAILABLE.
    pub produce_timeout: Duration,
    /// Whether the producers are idempotent (see [`KafkaSettings`]).
    pub idempotent_producer: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            storage: Storage::Memory,
            consumer: true,
            produce_timeout: Duration::from_secs(10),
            idempotent_producer: true,
        }
    }
}

/// A service task that can be stopped and started again on the same port.
struct Task {
    token: CancellationToken,
    handle: JoinHandle<anyhow::Result<()>>,
}

impl Task {
    async fn stop(self) {
        self.token.cancel();
        self.handle
            .await
            .expect("the task did not panic")
            .expect("the service stopped cleanly");
    }
}

/// Every service of the stack, running on ephemeral ports against fresh
/// databases and a broker of its own. Dropping it stops the services.
pub struct TestApp {
    pub api_url: String,
    pub persons_url: String,
    pub ingest_url: String,
    pub persons_grpc: PersonServiceClient<Channel>,
    pub locations_grpc: LocationServiceClient<Channel>,
    pub ingest_grpc: IngestServiceClient<Channel>,
    pub locations_db: PgPool,
    pub persons_store: PersonStore,
    pub http: reqwest::Client,
    pub broker: Broker,
    pub kafka: KafkaSettings,
    pub topic: String,
    pub dlq_topic: String,
    pub group: String,
    locations_addr: SocketAddr,
    pub locations_url: String,
    persons_channel: Channel,
    locations: Option<Task>,
    consumer: Option<(CancellationToken, std::thread::JoinHandle<()>)>,
    shutdown: CancellationToken,
}

impl TestApp {
    /// An empty stack with an in-process consumer.
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    /// An empty stack as `options` say.
    pub async fn spawn_with(options: Options) -> Self {
        // Service logs, when a developer asks for them with RUST_LOG.
        if std::env::var_os("RUST_LOG").is_some() {
            udaconnect_telemetry::init_logging(udaconnect_telemetry::LogFormat::Text);
        }
        let persons_db = PgPool::connect(&fresh_database("persons", &PERSONS_MIGRATOR).await)
            .await
            .unwrap();
        let locations_db = PgPool::connect(&fresh_database("locations", &LOCATIONS_MIGRATOR).await)
            .await
            .unwrap();
        let broker = Broker::start(options.storage).await;
        let kafka = KafkaSettings {
            bootstrap_servers: broker.bootstrap(),
            produce_timeout: options.produce_timeout,
            idempotent_producer: options.idempotent_producer,
        };
        let suffix = Uuid::new_v4().simple().to_string();
        let (topic, dlq_topic) = (format!("locations-{suffix}"), format!("dlq-{suffix}"));
        let topics: Vec<TopicSpec> = [&topic, &dlq_topic]
            .into_iter()
            .map(|name| TopicSpec {
                name: name.clone(),
                partitions: 4,
                replication_factor: 1,
            })
            .collect();
        ensure_topics(&kafka, &topics)
            .await
            .expect("topics are created");
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
        let locations_channel = grpc::channel(&url(locations_addr)).unwrap();

        let (api_listener, api_addr) = listener().await;
        let publisher = LocationPublisher::new(EventProducer::new(&kafka).unwrap(), &topic);
        tokio::spawn(api::run(
            api::ApiState::new(
                persons_channel.clone(),
                locations_channel.clone(),
                publisher,
            ),
            Duration::from_secs(30),
            api_listener,
            shutdown.clone(),
        ));

        let (ingest_listener, ingest_addr) = listener().await;
        tokio::spawn(ingest::run(
            LocationPublisher::new(EventProducer::new(&kafka).unwrap(), &topic),
            PersonDirectory::new(persons_channel.clone()),
            ingest_listener,
            None,
            shutdown.clone(),
        ));

        let mut app = Self {
            api_url: url(api_addr),
            persons_url: url(persons_addr),
            ingest_url: url(ingest_addr),
            persons_grpc: PersonServiceClient::new(persons_channel.clone()),
            locations_grpc: LocationServiceClient::new(locations_channel),
            ingest_grpc: IngestServiceClient::new(grpc::channel(&url(ingest_addr)).unwrap()),
            locations_db,
            http: reqwest::Client::new(),
            persons_store: PersonStore::new(persons_db),
            broker,
            kafka,
            topic,
            dlq_topic,
            group: format!("consumer-{suffix}"),
            locations_addr,
            locations_url: url(locations_addr),
            persons_channel,
            locations: None,
            consumer: None,
            shutdown,
        };
        app.start_locations_on(locations_listener);
        if options.consumer {
            app.start_consumer();
        }
        app
    }

    fn start_locations_on(&mut self, listener: TcpListener) {
        let token = self.shutdown.child_token();
        let handle = tokio::spawn(locations::run(
            LocationStore::new(self.locations_db.clone()),
            PersonDirectory::new(self.persons_channel.clone()),
            listener,
            None,
            token.clone(),
        ));
        self.locations = Some(Task { token, handle });
    }

    /// Stops the locations service (it drains and closes its port).
    pub async fn stop_locations(&mut self) {
        if let Some(task) = self.locations.take() {
            task.stop().await;
        }
    }

    /// Starts the locations service again on its old port.
    pub async fn start_locations(&mut self) {
        let listener = TcpListener::bind(self.locations_addr).await.unwrap();
        self.start_locations_on(listener);
    }

    /// Starts a location consumer inside the test process, on a thread and
    /// runtime of its own, so that dropping the app can wait for it to leave
    /// the group before the broker goes away.
    pub fn start_consumer(&mut self) {
        let token = self.shutdown.child_token();
        let channel = grpc::channel(&self.locations_url).unwrap();
        let consumer = LocationConsumer::new(
            self.kafka.consumer(&self.group).unwrap(),
            channel.clone(),
            EventProducer::new(&self.kafka).unwrap(),
            ConsumerSettings {
                topic: self.topic.clone(),
                dlq_topic: self.dlq_topic.clone(),
                batch_size: 500,
                batch_linger: Duration::from_millis(20),
            },
        )
        .unwrap();
        let stop = token.clone();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(location_consumer::run(consumer, channel, None, stop))
                .expect("the consumer stops cleanly");
        });
        self.consumer = Some((token, thread));
    }

    /// A location consumer as a separate `udaconnect` process, which the
    /// test may kill as abruptly as it likes.
    pub fn consumer_process(&self) -> std::process::Child {
        std::process::Command::new(env!("CARGO_BIN_EXE_udaconnect"))
            .arg("location-consumer")
            .env("KAFKA_BOOTSTRAP_SERVERS", &self.kafka.bootstrap_servers)
            .env("KAFKA_LOCATIONS_TOPIC", &self.topic)
            .env("KAFKA_DLQ_TOPIC", &self.dlq_topic)
            .env("KAFKA_CONSUMER_GROUP", &self.group)
            .env("CONSUMER_BATCH_SIZE", "500")
            .env("LOCATIONS_URL", &self.locations_url)
            .env("CONSUMER_ADMIN_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .spawn()
            .expect("the udaconnect binary starts")
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

    /// Waits until at least `expected` rows are stored (or a minute passes),
    /// then a little longer to catch extra rows, and returns the count.
    pub async fn settled_locations(&self, expected: i64) -> i64 {
        let deadline = Instant::now() + Duration::from_secs(60);
        while self.stored_locations().await < expected && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.stored_locations().await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
        // The consumer commits and leaves its group while the broker (a
        // field, dropped after this) still runs.
        if let Some((token, thread)) = self.consumer.take() {
            token.cancel();
            let outcome = thread.join();
            if !std::thread::panicking() {
                outcome.expect("the consumer thread did not panic");
            }
        }
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
