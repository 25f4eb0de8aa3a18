//! `udaconnect all` as the binary runs it: every listener on port 0, the
//! real addresses handed to the services that call them, the databases
//! migrated and seeded once, and a ping going all the way through.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;
use udaconnect::stack::{Stack, StackConfig};
use udaconnect_attendance::{AttendanceConsumerConfig, VisitGapArgs};
use udaconnect_events::{AttendanceRulesArgs, EventsConfig, EventsDatabaseArgs, EventsListenArgs};
use udaconnect_ingest::{IngestConfig, IngestListenArgs};
use udaconnect_location_consumer::LocationConsumerConfig;
use udaconnect_locations::LocationsConfig;
use udaconnect_persons::{IdentityArgs, PersonsConfig, PersonsDatabaseArgs, PersonsListenArgs};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{Ping, ingest_service_client::IngestServiceClient},
};
use udaconnect_runtime::{
    Service, ServiceTokenArgs,
    client_address::TrustedProxies,
    config::{KafkaArgs, RetentionArgs, local_url},
};
use udaconnect_web::WebConfig;
use uuid::Uuid;

use crate::{
    broker::{Broker, Storage},
    support::{
        KEEP_EVERYTHING, SERVICE_TOKEN, any_port, api_config, credentials, empty_database,
        organizer_channel, organizer_http, starter_data,
    },
    web::built_page,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_runs_on_port_zero_and_every_service_finds_its_peers() {
    let broker = Broker::start(Storage::Memory).await;
    let persons_database = empty_database("persons").await;
    let locations_database = empty_database("locations").await;
    let events_database = empty_database("events").await;
    let page = built_page();
    let config = StackConfig {
        persons: PersonsConfig {
            listeners: PersonsListenArgs::loopback(),
            database: PersonsDatabaseArgs {
                persons_database_url: persons_database.url.clone(),
            },
            identity: IdentityArgs::default(),
        },
        locations: LocationsConfig::loopback(&locations_database.url),
        events: EventsConfig {
            listeners: EventsListenArgs::loopback(),
            database: EventsDatabaseArgs {
                events_database_url: events_database.url.clone(),
            },
            rules: AttendanceRulesArgs {
                booth_min_dwell: Duration::from_secs(120),
                presentation_min_presence: Duration::from_secs(600),
            },
        },
        api: api_config(Duration::from_secs(10)),
        ingest: IngestConfig {
            listeners: IngestListenArgs::loopback(),
            stream_idle_timeout: Duration::from_secs(300),
            rate_limit_per_second: 10.0,
            rate_limit_burst: 50.0,
            trusted_proxies: TrustedProxies::default(),
        },
        consumer: LocationConsumerConfig {
            consumer_group: "location-consumer".to_owned(),
            batch_size: 100,
            batch_linger: Duration::from_millis(20),
            admin_listen: any_port(),
        },
        attendance: AttendanceConsumerConfig {
            consumer_group: "attendance".to_owned(),
            batch_size: 100,
            batch_linger: Duration::from_millis(20),
            areas_refresh: Duration::from_secs(1),
            visit_gap: VisitGapArgs {
                visit_gap: Duration::from_secs(120),
            },
            admin_listen: any_port(),
        },
        web: WebConfig {
            listen: any_port(),
            assets_dir: page.clone(),
            api_url: None,
        },
        kafka: KafkaArgs {
            kafka_bootstrap_servers: broker.bootstrap(),
            locations_topic: "locations".to_owned(),
            dlq_topic: "locations.dlq".to_owned(),
            erasures_topic: "erasures".to_owned(),
            topic_partitions: 2,
            replication_factor: 1,
            produce_timeout: Duration::from_secs(10),
            idempotent_producer: true,
        },
        credentials: credentials(),
        service: ServiceTokenArgs {
            service_token: Some(SERVICE_TOKEN.to_owned()),
        },
        retention: RetentionArgs {
            data_retention: KEEP_EVERYTHING,
        },
        seed_data_dir: Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/starter"),
        ),
    };
    let shutdown = CancellationToken::new();
    let stack = Stack::build(&config, &shutdown).await.unwrap();
    let addresses = stack.addresses();
    let names: Vec<&str> = addresses.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "api",
            "attendance-consumer-admin",
            "events",
            "events-admin",
            "ingest",
            "ingest-admin",
            "location-consumer-admin",
            "locations",
            "locations-admin",
            "persons",
            "persons-admin",
            "web"
        ]
    );
    assert!(
        addresses.values().all(|address| address.port() != 0),
        "every listener has a real port: {addresses:?}"
    );
    let running = tokio::spawn(Box::new(stack).run_until_stopped(shutdown.clone()));

    // The API reaches persons, locations and events (it is ready only when
    // all answer), and the seed data is there.
    let api = local_url(addresses["api"]);
    let http = organizer_http();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http
        .get(format!("{api}/readyz"))
        .send()
        .await
        .map_or(true, |response| !response.status().is_success())
    {
        assert!(Instant::now() < deadline, "the API never became ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let persons: Vec<serde_json::Value> = http
        .get(format!("{api}/api/persons"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        persons.len(),
        starter_data().persons.len(),
        "the starter data's persons"
    );

    // A ping sent to ingest goes through Kafka and the consumer to
    // locations: every hop found its peer at the port it really bound.
    let event_id = Uuid::new_v4();
    IngestServiceClient::new(organizer_channel(&local_url(addresses["ingest"])))
        .send_ping(Ping {
            event_id: event_id.to_string(),
            person_id: 1,
            latitude: 37.553441,
            longitude: -122.290524,
            creation_time: Some(timestamp_from_datetime(chrono::Utc::now())),
        })
        .await
        .expect("ingest accepts the ping");
    let locations = sqlx::PgPool::connect(&locations_database.url)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM location WHERE event_id = $1")
            .bind(event_id)
            .fetch_one(&locations)
            .await
            .unwrap();
        if stored == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the ping was never stored");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page_answer = http
        .get(format!("{}/config.json", local_url(addresses["web"])))
        .send()
        .await
        .unwrap();
    assert_eq!(page_answer.status(), 200);

    // The page may call the API from the browser; another site's page may
    // not. And the API's answers are data, not to be sniffed or kept.
    let preflight = |origin: String| {
        http.request(reqwest::Method::OPTIONS, format!("{api}/api/persons"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let page_origin = format!("http://localhost:{}", addresses["web"].port());
    let allowed = preflight(page_origin.clone()).await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        page_origin.as_str()
    );
    let refused = preflight("http://evil.example".to_owned()).await.unwrap();
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin"),
        "another origin is not allowed: {:?}",
        refused.headers()
    );
    let answer = http
        .get(format!("{api}/api/persons/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    assert_eq!(answer.headers()["cache-control"], "no-store");
    assert!(
        answer.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );

    shutdown.cancel();
    running.await.unwrap().expect("the stack stops cleanly");
    locations.close().await;
    std::fs::remove_dir_all(page).unwrap();
}
