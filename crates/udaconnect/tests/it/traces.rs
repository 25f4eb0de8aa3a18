//! One ping's trace: a phone's `traceparent` followed through ingest, the
//! Kafka record, the location consumer and the locations service, and the
//! attendance consumer beside them, each a
//! `udaconnect` process exporting its spans over OTLP to a receiver in the
//! test, as it would to a collector.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use opentelemetry_proto::tonic::{
    collector::trace::v1::{
        ExportTraceServiceRequest, ExportTraceServiceResponse,
        trace_service_server::{TraceService, TraceServiceServer},
    },
    common::v1::any_value::Value,
    trace::v1::{ResourceSpans, Span},
};
use tokio_stream::wrappers::TcpListenerStream;
use udaconnect_proto::v1::{CreatePersonRequest, ingest_service_client::IngestServiceClient};
use udaconnect_runtime::config::local_url;
use udaconnect_storage::LOCATIONS_MIGRATOR;
use uuid::Uuid;

use crate::support::{
    ChildProcess, ORGANIZER_TOKEN, Options, SERVICE_TOKEN, TestApp, fresh_database,
    organizer_channel, ping,
};

/// What an OpenTelemetry collector is to the services: keeps every span
/// it is sent.
#[derive(Debug, Clone, Default)]
struct Receiver(Arc<Mutex<Vec<ResourceSpans>>>);

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.0
            .lock()
            .unwrap()
            .extend(request.into_inner().resource_spans);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

impl Receiver {
    /// Serves OTLP/gRPC on a free loopback port; returns its URL.
    async fn start(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = local_url(listener.local_addr().unwrap());
        tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(self.clone()))
                .serve_with_incoming(TcpListenerStream::new(listener)),
        );
        url
    }

    /// The spans of `trace_id` received so far, with the service that
    /// sent each.
    fn spans_of(&self, trace_id: &[u8]) -> Vec<(String, Span)> {
        let received = self.0.lock().unwrap();
        received
            .iter()
            .flat_map(|resource| {
                let service = service_name(resource);
                resource
                    .scope_spans
                    .iter()
                    .flat_map(|scope| &scope.spans)
                    .filter(|span| span.trace_id == trace_id)
                    .map(move |span| (service.clone(), span.clone()))
            })
            .collect()
    }
}

/// The `service.name` the exporting process gave its spans.
fn service_name(resource: &ResourceSpans) -> String {
    resource
        .resource
        .iter()
        .flat_map(|resource| &resource.attributes)
        .find(|attribute| attribute.key == "service.name")
        .and_then(|attribute| attribute.value.as_ref()?.value.as_ref())
        .map(|value| match value {
            Value::StringValue(name) => name.clone(),
            other => format!("{other:?}"),
        })
        .unwrap_or_default()
}

/// A `udaconnect` process of the test with the `kafka` and `env`
/// settings, exporting its spans to `collector`; and the file where it
/// writes its addresses.
fn traced_process(
    command: &str,
    collector: &str,
    dir: &Path,
    kafka: &[(&str, &str)],
    env: &[(&str, &str)],
) -> (ChildProcess, PathBuf) {
    let addresses = dir.join(format!("{command}.json"));
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_udaconnect"))
        .arg(command)
        .envs(kafka.iter().chain(env).copied())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", collector)
        // Spans leave every 100 ms rather than every 5 s.
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("ADDRESSES_FILE", &addresses)
        .env("SERVICE_TOKEN", SERVICE_TOKEN)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .spawn()
        .map(ChildProcess)
        .expect("the udaconnect binary starts");
    (child, addresses)
}

/// The URL of listener `name` once the process has written its addresses.
async fn url_of(addresses: &Path, name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(json) = std::fs::read(addresses) {
            let bound: std::collections::HashMap<String, String> =
                serde_json::from_slice(&json).unwrap();
            return format!("http://{}", bound[name]);
        }
        assert!(Instant::now() < deadline, "{name} did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_ping_is_one_trace_from_the_phone_to_the_locations_service_and_the_attendance_consumer()
{
    let receiver = Receiver::default();
    let collector = receiver.start().await;
    // Persons (which ingest asks) and events (which locations asks) run in
    // the test process; they export nothing.
    let app = TestApp::spawn_with(Options {
        consumer: false,
        ..Options::default()
    })
    .await;
    let locations_database = fresh_database("locations", &LOCATIONS_MIGRATOR).await;
    let dir = std::env::temp_dir().join(format!("udc-traces-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let kafka = [
        (
            "KAFKA_BOOTSTRAP_SERVERS",
            app.kafka.kafka_bootstrap_servers.as_str(),
        ),
        ("KAFKA_LOCATIONS_TOPIC", app.kafka.locations_topic.as_str()),
        ("KAFKA_DLQ_TOPIC", app.kafka.dlq_topic.as_str()),
        ("KAFKA_ERASURES_TOPIC", app.kafka.erasures_topic.as_str()),
    ];

    let (_locations, addresses) = traced_process(
        "locations",
        &collector,
        &dir,
        &kafka,
        &[
            ("LOCATIONS_DATABASE_URL", locations_database.url.as_str()),
            ("LOCATIONS_LISTEN", "127.0.0.1:0"),
            ("LOCATIONS_ADMIN_LISTEN", "127.0.0.1:0"),
            ("PERSONS_URL", app.persons_url.as_str()),
            ("EVENTS_URL", app.events_url.as_str()),
            ("DATA_RETENTION", "36500d"),
        ],
    );
    let locations_url = url_of(&addresses, "locations").await;
    let (_ingest, addresses) = traced_process(
        "ingest",
        &collector,
        &dir,
        &kafka,
        &[
            ("INGEST_LISTEN", "127.0.0.1:0"),
            ("INGEST_ADMIN_LISTEN", "127.0.0.1:0"),
            ("PERSONS_URL", app.persons_url.as_str()),
            ("ORGANIZER_TOKEN", ORGANIZER_TOKEN),
        ],
    );
    let ingest_url = url_of(&addresses, "ingest").await;
    let (_consumer, addresses) = traced_process(
        "location-consumer",
        &collector,
        &dir,
        &kafka,
        &[
            ("KAFKA_CONSUMER_GROUP", app.group.as_str()),
            ("CONSUMER_BATCH_LINGER", "20ms"),
            ("CONSUMER_ADMIN_LISTEN", "127.0.0.1:0"),
            ("LOCATIONS_URL", locations_url.as_str()),
        ],
    );
    url_of(&addresses, "location-consumer-admin").await;
    // The topic's other reader, in a group of its own.
    let attendance_group = format!("{}-attendance", app.group);
    let (_attendance, addresses) = traced_process(
        "attendance-consumer",
        &collector,
        &dir,
        &kafka,
        &[
            ("ATTENDANCE_CONSUMER_GROUP", attendance_group.as_str()),
            ("ATTENDANCE_BATCH_LINGER", "20ms"),
            ("ATTENDANCE_ADMIN_LISTEN", "127.0.0.1:0"),
            ("EVENTS_URL", app.events_url.as_str()),
        ],
    );
    url_of(&addresses, "attendance-consumer-admin").await;

    let person = app
        .persons_grpc
        .clone()
        .create_person(CreatePersonRequest {
            first_name: "Traced".to_owned(),
            last_name: "Phone".to_owned(),
            company_name: "UdaConnect".to_owned(),
        })
        .await
        .unwrap()
        .into_inner()
        .id;
    // The phone's own span, sampled, as its OpenTelemetry SDK would send it.
    let trace_id = *Uuid::new_v4().as_bytes();
    let phone_span = Uuid::new_v4().as_u64_pair().0.to_be_bytes();
    let mut request = tonic::Request::new(ping(person));
    request.metadata_mut().insert(
        "traceparent",
        format!("00-{}-{}-01", hex(&trace_id), hex(&phone_span))
            .parse()
            .unwrap(),
    );
    IngestServiceClient::new(organizer_channel(&ingest_url))
        .send_ping(request)
        .await
        .expect("ingest takes the ping");

    let deadline = Instant::now() + Duration::from_secs(30);
    let (ingest, consumer, locations, attendance) = loop {
        let spans = receiver.spans_of(&trace_id);
        let find = |service: &str, name: &str| {
            spans
                .iter()
                .find(|(from, span)| from == service && span.name == name)
                .map(|(_, span)| span.clone())
        };
        let found = (
            find("ingest", "/udaconnect.v1.IngestService/SendPing"),
            find("location-consumer", "process"),
            find("locations", "/udaconnect.v1.LocationService/WriteLocations"),
            find("attendance-consumer", "process"),
        );
        if let (Some(ingest), Some(consumer), Some(locations), Some(attendance)) = found {
            break (ingest, consumer, locations, attendance);
        }
        assert!(
            Instant::now() < deadline,
            "the trace's spans did not all arrive: {:?}",
            spans
                .iter()
                .map(|(service, span)| (service, &span.name))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };

    assert_eq!(
        ingest.parent_span_id, phone_span,
        "ingest's span is the phone's child"
    );
    assert_eq!(
        consumer.parent_span_id, ingest.span_id,
        "the consumer's batch is the child of the ingest span that published the ping"
    );
    assert_eq!(
        locations.parent_span_id, consumer.span_id,
        "the write is the child of the consumer's batch"
    );
    assert_eq!(
        attendance.parent_span_id, ingest.span_id,
        "the attendance consumer's batch is a child of the same ingest span"
    );
    std::fs::remove_dir_all(&dir).ok();
}
