//! Fresh databases, a broker and a running stack for each test.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use rdkafka::{Offset, TopicPartitionList, consumer::Consumer};
use sqlx::{Connection, PgConnection, PgPool, migrate::Migrator};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use udaconnect_api::{ApiConfig, ApiServer};
use udaconnect_attendance::{AttendanceConsumer, AttendanceConsumerConfig, VisitGapArgs};
use udaconnect_devtools::seed;
use udaconnect_events::{
    AttendanceRulesArgs, EventsConfig, EventsDatabaseArgs, EventsListenArgs, EventsServer,
};
use udaconnect_ingest::{IngestConfig, IngestListenArgs, IngestServer};
use udaconnect_location_consumer::{LocationConsumer, LocationConsumerConfig};
use udaconnect_locations::{LocationsConfig, LocationsServer};
use udaconnect_persons::{
    CredentialArgs, IdentityArgs, PersonsConfig, PersonsDatabaseArgs, PersonsListenArgs,
    PersonsServer,
};
use udaconnect_proto::v1::{
    self, event_service_client::EventServiceClient, ingest_service_client::IngestServiceClient,
    location_service_client::LocationServiceClient, person_service_client::PersonServiceClient,
};
use udaconnect_runtime::{
    Service, ServiceCredential,
    client_address::TrustedProxies,
    config::{KafkaArgs, RetentionArgs, local_url},
    grpc::{self, BearerToken, SignedChannel},
};
use udaconnect_storage::{
    EVENTS_MIGRATOR, LOCATIONS_MIGRATOR, LocationStore, PERSONS_MIGRATOR, PersonStore,
};
use uuid::Uuid;

use crate::broker::{Broker, Storage};

/// The organizer's token of every test stack.
pub const ORGANIZER_TOKEN: &str = "organizer-token-of-the-tests-0123456789abcdef";

/// Rate limits (calls per second, burst) no test reaches unless it means
/// to.
pub const UNLIMITED: (f64, f64) = (1e9, 1e9);

/// The API's settings in tests: any port, no rate limit in the way.
pub fn api_config(request_timeout: Duration) -> ApiConfig {
    ApiConfig {
        listen: any_port(),
        request_timeout,
        cors_allowed_origins: Vec::new(),
        rate_limit_per_second: UNLIMITED.0,
        rate_limit_burst: UNLIMITED.1,
        trusted_proxies: TrustedProxies::default(),
    }
}

/// The services' token of every test stack.
pub const SERVICE_TOKEN: &str = "service-token-of-the-tests-0123456789abcdef";

/// The credential the services of every test stack present to one another.
pub fn service() -> ServiceCredential {
    ServiceCredential::new(SERVICE_TOKEN).unwrap()
}

/// The organizer's credential of every test stack.
pub fn credentials() -> CredentialArgs {
    CredentialArgs {
        organizer_token: Some(ORGANIZER_TOKEN.to_owned()),
        ..Default::default()
    }
}

/// A channel whose calls carry the organizer's token, as ingest expects.
pub fn organizer_channel(url: &str) -> SignedChannel {
    BearerToken::new(ORGANIZER_TOKEN)
        .unwrap()
        .sign(grpc::channel(url).unwrap())
}

/// An HTTP client that signs every request as the organizer.
pub fn organizer_http() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {ORGANIZER_TOKEN}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

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

/// A database of one test, dropped when the test ends, passed or failed
/// (`./scripts/test` also sweeps those of a crashed run before it starts).
pub struct TestDatabase {
    name: String,
    /// Where the services reach it.
    pub url: String,
}

impl TestDatabase {
    fn named(name: String) -> Self {
        Self {
            url: database_url(&name),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot block on
        // another; a thread of its own can.
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(async {
                    let mut admin = PgConnection::connect(&admin_url()).await?;
                    sqlx::query(&statement).execute(&mut admin).await?;
                    Ok::<_, anyhow::Error>(())
                })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// A template database per migration set, named by the migrations' checksums,
/// so each test copies a migrated schema instead of re-running migrations
/// (installing PostGIS takes seconds; copying a template does not).
pub async fn fresh_database(kind: &str, migrator: &Migrator) -> TestDatabase {
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
    TestDatabase::named(name)
}

/// An empty database, for a test of what migrates it.
pub async fn empty_database(kind: &str) -> TestDatabase {
    let name = format!("udc_test_{kind}_{}", Uuid::new_v4().simple());
    let mut admin = PgConnection::connect(&admin_url())
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    TestDatabase::named(name)
}

/// How a test wants its stack.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where the broker keeps records.
    pub storage: Storage,
    /// Whether a location consumer runs inside the test process.
    pub consumer: bool,
    /// Whether an attendance consumer runs inside the test process.
    pub attendance: bool,
    /// How long a ping waits for Kafka before it is answered UNAVAILABLE.
    pub produce_timeout: Duration,
    /// Whether the producers are idempotent (see [`KafkaArgs`]).
    pub idempotent_producer: bool,
    /// How long ingest keeps a stream with no ping open.
    pub stream_idle_timeout: Duration,
    /// How long the API lets a request run.
    pub request_timeout: Duration,
    /// The API's and ingest's rate limits: calls per second, burst.
    pub rate_limit: (f64, f64),
    /// The proxies whose `X-Forwarded-For` the API and ingest believe.
    pub trusted_proxies: TrustedProxies,
    /// Who the API and ingest take besides persons' tokens: the
    /// organizer's token, an external issuer.
    pub credentials: CredentialArgs,
    /// How long locations and events keep data after its event ends.
    pub retention: Duration,
}

/// A retention no test's data reaches, whatever its dates (the starter
/// data is of 2020): only the tests of retention set one.
pub const KEEP_EVERYTHING: Duration = Duration::from_secs(100 * 365 * 86_400);

impl Default for Options {
    fn default() -> Self {
        Self {
            storage: Storage::Memory,
            consumer: true,
            attendance: false,
            produce_timeout: Duration::from_secs(10),
            idempotent_producer: true,
            stream_idle_timeout: Duration::from_secs(300),
            request_timeout: Duration::from_secs(30),
            rate_limit: UNLIMITED,
            trusted_proxies: TrustedProxies::default(),
            credentials: credentials(),
            retention: KEEP_EVERYTHING,
        }
    }
}

/// A free port on loopback, as the services' configurations take it.
pub fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A `udaconnect` process of a test, killed when the test ends, passed or
/// failed, so that none outlives it.
pub struct ChildProcess(pub std::process::Child);

impl std::ops::Deref for ChildProcess {
    type Target = std::process::Child;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for ChildProcess {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running service that can be stopped (and started again).
struct Task {
    token: CancellationToken,
    handle: JoinHandle<anyhow::Result<()>>,
}

impl Task {
    fn spawn(service: impl Service, token: CancellationToken) -> Self {
        let handle = tokio::spawn(Box::new(service).run_until_stopped(token.clone()));
        Self { token, handle }
    }

    async fn stop(self) {
        self.token.cancel();
        self.handle
            .await
            .expect("the task did not panic")
            .expect("the service stopped cleanly");
    }
}

/// The persons service alone, on a fresh database: enough for tests of
/// identity, which need no other service.
pub struct PersonsApp {
    pub grpc: PersonServiceClient<SignedChannel>,
    pub db: PgPool,
    task: Option<Task>,
    database: TestDatabase,
}

impl PersonsApp {
    pub async fn spawn() -> Self {
        let database = fresh_database("persons", &PERSONS_MIGRATOR).await;
        let db = PgPool::connect(&database.url).await.unwrap();
        let mut app = Self {
            grpc: PersonServiceClient::new(service().channel("http://127.0.0.1:1").unwrap()),
            db,
            task: None,
            database,
        };
        app.start().await;
        app
    }

    /// Starts the service (again), as a new process would.
    pub async fn start(&mut self) {
        let persons = PersonsServer::build(
            &PersonsConfig {
                listeners: PersonsListenArgs::loopback(),
                database: PersonsDatabaseArgs {
                    persons_database_url: self.database.url.clone(),
                },
                identity: IdentityArgs::default(),
            },
            &KafkaArgs::unreachable(),
            &service(),
        )
        .await
        .unwrap();
        self.grpc = PersonServiceClient::new(
            service()
                .channel(&local_url(persons.grpc_address()))
                .unwrap(),
        );
        self.task = Some(Task::spawn(persons, CancellationToken::new()));
    }

    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.stop().await;
        }
    }
}

impl Drop for PersonsApp {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.token.cancel();
        }
    }
}

/// Every service of the stack, started through the builders that the binary
/// uses, on ephemeral ports against fresh databases and a broker of its own.
/// Dropping it stops the services.
pub struct TestApp {
    pub api_url: String,
    pub persons_url: String,
    pub ingest_url: String,
    pub locations_url: String,
    pub events_url: String,
    pub events_db: PgPool,
    pub persons_grpc: PersonServiceClient<SignedChannel>,
    pub locations_grpc: LocationServiceClient<SignedChannel>,
    /// Signed with the organizer's token.
    pub ingest_grpc: IngestServiceClient<SignedChannel>,
    pub events_grpc: EventServiceClient<SignedChannel>,
    pub locations_db: PgPool,
    pub persons_store: PersonStore,
    pub http: reqwest::Client,
    pub broker: Broker,
    pub kafka: KafkaArgs,
    pub group: String,
    locations_config: LocationsConfig,
    retention: RetentionArgs,
    locations: Option<Task>,
    consumers: Vec<(CancellationToken, std::thread::JoinHandle<()>)>,
    shutdown: CancellationToken,
    /// Last, so that they are dropped after everything that uses them.
    _databases: [TestDatabase; 3],
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
            let _ = udaconnect_telemetry::init_logging(udaconnect_telemetry::LogFormat::Text, None);
        }
        let persons_database = fresh_database("persons", &PERSONS_MIGRATOR).await;
        let locations_database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
        let events_database = fresh_database("events", &EVENTS_MIGRATOR).await;
        let broker = Broker::start(options.storage).await;
        let suffix = Uuid::new_v4().simple().to_string();
        let kafka = KafkaArgs {
            kafka_bootstrap_servers: broker.bootstrap(),
            locations_topic: format!("locations-{suffix}"),
            dlq_topic: format!("dlq-{suffix}"),
            erasures_topic: format!("erasures-{suffix}"),
            topic_partitions: 4,
            replication_factor: 1,
            produce_timeout: options.produce_timeout,
            idempotent_producer: options.idempotent_producer,
        };
        let shutdown = CancellationToken::new();

        let persons = PersonsServer::build(
            &PersonsConfig {
                listeners: PersonsListenArgs::loopback(),
                database: PersonsDatabaseArgs {
                    persons_database_url: persons_database.url.clone(),
                },
                identity: IdentityArgs::default(),
            },
            &kafka,
            &service(),
        )
        .await
        .unwrap();
        let persons_url = local_url(persons.grpc_address());
        Task::spawn(persons, shutdown.clone());

        let retention = RetentionArgs {
            data_retention: options.retention,
        };
        // Before locations, which asks it for the events whose pings it keeps.
        let events = EventsServer::build(
            &EventsConfig {
                listeners: EventsListenArgs::loopback(),
                database: EventsDatabaseArgs {
                    events_database_url: events_database.url.clone(),
                },
                rules: AttendanceRulesArgs {
                    booth_min_dwell: Duration::from_secs(120),
                    presentation_min_presence: Duration::from_secs(600),
                },
            },
            &retention,
            &kafka,
            &service(),
        )
        .await
        .unwrap();
        let events_url = local_url(events.grpc_address());
        Task::spawn(events, shutdown.clone());

        let mut locations_config = LocationsConfig::loopback(&locations_database.url);
        let locations = LocationsServer::build(
            &locations_config,
            &persons_url,
            &events_url,
            &retention,
            &kafka,
            &service(),
        )
        .await
        .unwrap();
        // A restarted locations service comes back on the same port.
        locations_config.listeners.listen = locations.grpc_address();
        let locations_url = local_url(locations.grpc_address());
        let locations = Task::spawn(locations, shutdown.child_token());

        let api = ApiServer::build(
            &ApiConfig {
                rate_limit_per_second: options.rate_limit.0,
                rate_limit_burst: options.rate_limit.1,
                trusted_proxies: options.trusted_proxies.clone(),
                ..api_config(options.request_timeout)
            },
            &kafka,
            &persons_url,
            &locations_url,
            &events_url,
            &options.credentials,
            &service(),
        )
        .await
        .unwrap();
        let api_url = local_url(api.address());
        Task::spawn(api, shutdown.clone());

        let ingest = IngestServer::build(
            &IngestConfig {
                listeners: IngestListenArgs::loopback(),
                stream_idle_timeout: options.stream_idle_timeout,
                rate_limit_per_second: options.rate_limit.0,
                rate_limit_burst: options.rate_limit.1,
                trusted_proxies: options.trusted_proxies.clone(),
            },
            &kafka,
            &persons_url,
            &options.credentials,
            &service(),
            &shutdown,
        )
        .await
        .unwrap();
        let ingest_url = local_url(ingest.grpc_address());
        Task::spawn(ingest, shutdown.clone());

        let persons_channel = service().channel(&persons_url).unwrap();
        let mut app = Self {
            persons_grpc: PersonServiceClient::new(persons_channel),
            locations_grpc: LocationServiceClient::new(service().channel(&locations_url).unwrap()),
            ingest_grpc: IngestServiceClient::new(organizer_channel(&ingest_url)),
            events_grpc: EventServiceClient::new(service().channel(&events_url).unwrap()),
            events_db: PgPool::connect(&events_database.url).await.unwrap(),
            locations_db: PgPool::connect(&locations_database.url).await.unwrap(),
            persons_store: PersonStore::new(PgPool::connect(&persons_database.url).await.unwrap()),
            http: organizer_http(),
            broker,
            kafka,
            group: format!("consumer-{suffix}"),
            api_url,
            persons_url,
            ingest_url,
            locations_url,
            events_url,
            locations_config,
            retention,
            locations: Some(locations),
            consumers: Vec::new(),
            shutdown,
            _databases: [persons_database, locations_database, events_database],
        };
        if options.consumer {
            app.start_consumer();
        }
        if options.attendance {
            app.start_attendance_consumer();
        }
        app
    }

    /// Stops the locations service (it drains and closes its port).
    pub async fn stop_locations(&mut self) {
        if let Some(task) = self.locations.take() {
            task.stop().await;
        }
    }

    /// Starts the locations service again on its old port.
    pub async fn start_locations(&mut self) {
        let locations = LocationsServer::build(
            &self.locations_config,
            &self.persons_url,
            &self.events_url,
            &self.retention,
            &self.kafka,
            &service(),
        )
        .await
        .unwrap();
        self.locations = Some(Task::spawn(locations, self.shutdown.child_token()));
    }

    /// The location consumer's settings, as the tests run it.
    fn consumer_config(&self) -> LocationConsumerConfig {
        LocationConsumerConfig {
            consumer_group: self.group.clone(),
            batch_size: 500,
            batch_linger: Duration::from_millis(20),
            admin_listen: any_port(),
        }
    }

    /// Starts a location consumer inside the test process.
    pub fn start_consumer(&mut self) {
        let (config, kafka, locations_url) = (
            self.consumer_config(),
            self.kafka.clone(),
            self.locations_url.clone(),
        );
        self.spawn_consumer(move |stop| async move {
            let consumer =
                LocationConsumer::build(&config, &kafka, &locations_url, &service(), &stop).await?;
            Ok(Box::new(consumer) as Box<dyn Service>)
        });
    }

    /// The attendance consumer's settings, as the tests run it: floor
    /// plans rechecked often, so a test need not wait for a change to land.
    pub fn attendance_config(&self) -> AttendanceConsumerConfig {
        AttendanceConsumerConfig {
            consumer_group: format!("attendance-{}", self.group),
            batch_size: 2_000,
            batch_linger: Duration::from_millis(50),
            areas_refresh: Duration::from_millis(100),
            visit_gap: VisitGapArgs {
                visit_gap: Duration::from_secs(120),
            },
            admin_listen: any_port(),
        }
    }

    /// Starts an attendance consumer inside the test process.
    pub fn start_attendance_consumer(&mut self) {
        let (config, kafka, events_url) = (
            self.attendance_config(),
            self.kafka.clone(),
            self.events_url.clone(),
        );
        self.spawn_consumer(move |stop| async move {
            let consumer =
                AttendanceConsumer::build(&config, &kafka, &events_url, &service(), &stop).await?;
            Ok(Box::new(consumer) as Box<dyn Service>)
        });
    }

    /// Runs a consumer on a thread and runtime of its own, so that dropping
    /// the app can wait for it to leave its group before the broker goes away.
    fn spawn_consumer<F, Built>(&mut self, build: F)
    where
        F: FnOnce(CancellationToken) -> Built + Send + 'static,
        Built: std::future::Future<Output = anyhow::Result<Box<dyn Service>>>,
    {
        let token = self.shutdown.child_token();
        let stop = token.clone();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    let consumer = build(stop.clone())
                        .await
                        .expect("the consumer joins its group");
                    consumer.run_until_stopped(stop).await
                })
                .expect("the consumer stops cleanly");
        });
        self.consumers.push((token, thread));
    }

    /// A location consumer as a separate `udaconnect` process, which the
    /// test may kill as abruptly as it likes.
    pub fn consumer_process(&self) -> ChildProcess {
        let config = self.consumer_config();
        std::process::Command::new(env!("CARGO_BIN_EXE_udaconnect"))
            .arg("location-consumer")
            .env(
                "KAFKA_BOOTSTRAP_SERVERS",
                &self.kafka.kafka_bootstrap_servers,
            )
            .env("KAFKA_LOCATIONS_TOPIC", &self.kafka.locations_topic)
            .env("KAFKA_DLQ_TOPIC", &self.kafka.dlq_topic)
            .env("KAFKA_CONSUMER_GROUP", &config.consumer_group)
            .env("CONSUMER_BATCH_SIZE", config.batch_size.to_string())
            .env("LOCATIONS_URL", &self.locations_url)
            .env("CONSUMER_ADMIN_LISTEN", config.admin_listen.to_string())
            .env("SERVICE_TOKEN", SERVICE_TOKEN)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .spawn()
            .map(ChildProcess)
            .expect("the udaconnect binary starts")
    }

    /// An attendance consumer as a separate `udaconnect` process, which the
    /// test may kill as abruptly as it likes.
    pub fn attendance_process(&self) -> ChildProcess {
        let config = self.attendance_config();
        std::process::Command::new(env!("CARGO_BIN_EXE_udaconnect"))
            .arg("attendance-consumer")
            .env(
                "KAFKA_BOOTSTRAP_SERVERS",
                &self.kafka.kafka_bootstrap_servers,
            )
            .env("KAFKA_LOCATIONS_TOPIC", &self.kafka.locations_topic)
            .env("KAFKA_DLQ_TOPIC", &self.kafka.dlq_topic)
            .env("ATTENDANCE_CONSUMER_GROUP", &config.consumer_group)
            .env("ATTENDANCE_BATCH_SIZE", "300")
            .env("ATTENDANCE_BATCH_LINGER", "20ms")
            .env("ATTENDANCE_AREAS_REFRESH", "100ms")
            .env("EVENTS_URL", &self.events_url)
            .env("ATTENDANCE_ADMIN_LISTEN", config.admin_listen.to_string())
            .env("SERVICE_TOKEN", SERVICE_TOKEN)
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .spawn()
            .map(ChildProcess)
            .expect("the udaconnect binary starts")
    }

    /// The offsets `group` has committed on the app's topic, summed over its
    /// partitions.
    pub fn committed_offsets(&self, group: &str) -> i64 {
        // Not subscribed, so it reads the group's offsets without joining it.
        let consumer = self.kafka.settings().consumer(group).unwrap();
        let mut partitions = TopicPartitionList::new();
        for partition in 0..self.kafka.topic_partitions {
            partitions.add_partition(&self.kafka.locations_topic, partition);
        }
        consumer
            .committed_offsets(partitions, Duration::from_secs(10))
            .unwrap()
            .elements()
            .iter()
            .map(|element| match element.offset() {
                Offset::Offset(offset) => offset,
                _ => 0,
            })
            .sum()
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

    /// The metrics page (every service of the test process shares one).
    pub async fn scrape(&self) -> String {
        self.get("/metrics").await.text().await.unwrap()
    }

    /// Waits up to `within` for the sum of metric `name` over the series
    /// with every one of `labels` to satisfy `expected`, and returns it; the
    /// Kafka clients report every five seconds.
    pub async fn metric_reaches(
        &self,
        name: &str,
        labels: &[(&str, &str)],
        within: Duration,
        expected: impl Fn(f64) -> bool,
    ) -> f64 {
        let deadline = std::time::Instant::now() + within;
        loop {
            let page = self.scrape().await;
            let value = metric_sum(&page, name, labels);
            match value {
                Some(value) if expected(value) => return value,
                _ if std::time::Instant::now() > deadline => {
                    panic!("{name}{labels:?} is {value:?}; the page:\n{page}")
                }
                _ => tokio::time::sleep(Duration::from_millis(250)).await,
            }
        }
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
        // The consumers commit and leave their groups while the broker (a
        // field, dropped after this) still runs.
        for (token, thread) in self.consumers.drain(..) {
            token.cancel();
            let outcome = thread.join();
            if !std::thread::panicking() {
                outcome.expect("the consumer thread did not panic");
            }
        }
    }
}

/// Waits until the broker has dropped a consumer the test killed (its
/// session, 10 s, has expired), so that the successor joins a group without
/// it: the development broker's group coordinator can leave a member that
/// joins while the dead one is still listed without partitions for minutes
/// (seen as an empty assignment), where Apache Kafka rebalances once the
/// dead member's session ends.
pub async fn until_the_group_drops_a_killed_member() {
    tokio::time::sleep(Duration::from_secs(12)).await;
}

/// The starter data set shipped in the repository.
pub fn starter_data() -> seed::SeedData {
    seed::read(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/starter"))
        .unwrap()
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

/// A one-time code for the person, made by the organizer and redeemed (no
/// token needed) for a `device` or `web` credential.
pub async fn redeem(app: &TestApp, person: i64, enrollment: &str) -> serde_json::Value {
    let code: serde_json::Value = app
        .http
        .post(format!(
            "{}/api/persons/{person}/enrollment-codes",
            app.api_url
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let response = reqwest::Client::new()
        .post(format!("{}/api/enrollments", app.api_url))
        .json(&serde_json::json!({
            "code": code["code"], "enrollment": enrollment, "device_name": "test phone"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    response.json().await.unwrap()
}

/// An ingest client whose calls carry `token` (none: no credential).
pub fn ingest_as(app: &TestApp, token: Option<&str>) -> IngestServiceClient<SignedChannel> {
    // An empty Bearer value is what a client without a token amounts to.
    let token = BearerToken::new(token.unwrap_or("")).unwrap();
    IngestServiceClient::new(token.sign(grpc::channel(&app.ingest_url).unwrap()))
}

/// A ping of the person, taken now.
pub fn ping(person_id: i64) -> v1::Ping {
    v1::Ping {
        event_id: Uuid::now_v7().to_string(),
        person_id,
        latitude: 37.553441,
        longitude: -122.290524,
        creation_time: Some(udaconnect_proto::timestamp_from_datetime(chrono::Utc::now())),
    }
}

/// The token of a credential that [`redeem`] returned.
pub fn token(credential: &serde_json::Value) -> String {
    credential["token"].as_str().unwrap().to_owned()
}

/// What `token`'s caller gets at `path` of the REST API: the status, and
/// the JSON answer (a problem document when refused).
pub async fn get_as(
    app: &TestApp,
    token: &str,
    path: &str,
) -> (reqwest::StatusCode, serde_json::Value) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.api_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// The sum of metric `name` in a Prometheus text exposition over the series
/// with every one of `labels`; `None` when there is no such series.
pub fn metric_sum(page: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let values: Vec<f64> = page
        .lines()
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .filter(|line| {
            labels
                .iter()
                .all(|(label, value)| line.contains(&format!("{label}=\"{value}\"")))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}
