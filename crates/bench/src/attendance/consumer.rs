//! The attendance consumer end to end: can it keep up with 50,000 pings/s
//! against a floor plan of 2,000 areas? A fresh development broker (tansu,
//! in memory) gets `--pings` location events up front, in large batches
//! (tansu answers a fetch from inside a record batch with the following
//! batches only, and its in-memory fetch slows as a partition grows, so
//! the topic is filled once and the consumer never restarted); an events
//! service runs in this process over a fresh database holding the floor
//! plan; then `--consumers` `AttendanceConsumer`s in one group (one by
//! default), each built as `udaconnect attendance-consumer` builds it with
//! the default batch settings (20,000 records or 500 ms), are timed from
//! their start until the group's committed offsets cover every record: Kafka fetch, decoding, mapping, merging and
//! `RecordVisits` (and the visits' upserts in PostgreSQL) included. CPU
//! seconds are read from /proc for this process (consumer and events
//! service), the PostgreSQL processes and the broker.

use std::{collections::VecDeque, path::PathBuf, time::Duration, time::Instant};

use chrono::TimeDelta;
use rdkafka::{Offset, TopicPartitionList, consumer::Consumer};
use tokio_util::sync::CancellationToken;
use udaconnect_attendance::{AttendanceConsumer, AttendanceConsumerConfig, VisitGapArgs};
use udaconnect_domain::{Coordinates, NewEvent, NewLocation};
use udaconnect_events::{
    AttendanceRulesArgs, EventsConfig, EventsDatabaseArgs, EventsListenArgs, EventsServer,
};
use udaconnect_messaging::{EventProducer, LocationPublisher, ProduceError, Source, traceparent};
use udaconnect_runtime::{
    Service,
    config::{KafkaArgs, local_url},
    topics,
};
use udaconnect_storage::EventStore;
use uuid::Uuid;

use super::venue::{self, Venue};
use crate::{
    credentials::service,
    database,
    pipeline::{
        procfs::CpuClock,
        stack::{BrokerStorage, start_broker},
    },
    services,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Location events produced before the consumer starts.
    #[arg(long, default_value_t = 1_000_000)]
    pings: usize,
    /// Booths of the floor plan.
    #[arg(long, default_value_t = 1_900)]
    booths: usize,
    /// Rooms of the floor plan.
    #[arg(long, default_value_t = 100)]
    rooms: usize,
    /// People pinging, every 10 s each.
    #[arg(long, default_value_t = 2_000)]
    attendees: usize,
    /// Partitions of the locations topic.
    #[arg(long, default_value_t = 4)]
    partitions: i32,
    /// Attendance consumers in the group, sharing the partitions as
    /// replicas of the Deployment would.
    #[arg(long, default_value_t = 1)]
    consumers: usize,
    /// Longest the consumer may take before the run is given up.
    #[arg(long, default_value_t = 900)]
    timeout_seconds: u64,
    /// The development Kafka broker.
    #[arg(long, env = "TANSU_BIN", default_value = "tansu")]
    tansu_bin: PathBuf,
    /// Seed of the crowd.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// Acknowledgements awaited at most before producing more.
const IN_FLIGHT: usize = 150_000;
const GROUP: &str = "attendance-bench";

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let venue = Venue::new(args.booths, args.rooms, 15.0);
    let start = venue::opens();
    let length = TimeDelta::hours(8);

    // The events database: the event and its floor plan.
    let events_db = "udaconnect_bench_attendance_consumer";
    let store = EventStore::new(database::recreate(admin_url, events_db).await?);
    store.migrate().await?;
    let event = store
        .create_event(&NewEvent::new("Bench", start, start + length, "UTC")?)
        .await?;
    store.replace_floor_plan(event.id, &venue.areas).await?;

    let work = std::env::temp_dir().join(format!(
        "udaconnect-bench-attendance-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&work)?;
    let (broker, bootstrap) = start_broker(&args.tansu_bin, BrokerStorage::Memory, &work).await?;
    let kafka = KafkaArgs {
        kafka_bootstrap_servers: bootstrap,
        locations_topic: "locations".to_owned(),
        dlq_topic: "locations.dlq".to_owned(),
        erasures_topic: "erasures".to_owned(),
        topic_partitions: args.partitions,
        replication_factor: 1,
        produce_timeout: Duration::from_secs(60),
        idempotent_producer: true,
    };
    let shutdown = CancellationToken::new();
    topics::ensure(&kafka.settings(), &kafka.topics(), &shutdown).await?;

    // Produce everything first.
    let pings = venue::pings(
        &venue,
        args.attendees,
        start,
        length,
        TimeDelta::seconds(10),
        args.pings,
        args.seed,
    );
    let publisher = LocationPublisher::new(EventProducer::new(&kafka.settings())?, "locations");
    let produced_at = Instant::now();
    let mut pending = VecDeque::new();
    let trace = traceparent(None);
    for ping in &pings {
        let location = NewLocation {
            event_id: Uuid::from_u64_pair(fastrand::u64(..), fastrand::u64(..)),
            person_id: ping.person_id,
            coordinates: Coordinates::new(ping.latitude, ping.longitude)?,
            creation_time: ping.time,
        };
        loop {
            match publisher.enqueue(&location, Source::Grpc, &trace) {
                Ok(delivery) => {
                    pending.push_back(delivery);
                    break;
                }
                Err(ProduceError::QueueFull) => match pending.pop_front() {
                    Some(delivery) => delivery.acknowledged().await?,
                    None => tokio::time::sleep(Duration::from_millis(10)).await,
                },
                Err(error) => return Err(error.into()),
            }
        }
        if pending.len() > IN_FLIGHT {
            pending
                .pop_front()
                .expect("not empty")
                .acknowledged()
                .await?;
        }
    }
    for delivery in pending {
        delivery.acknowledged().await?;
    }
    let producing = produced_at.elapsed();
    drop(publisher);
    let records = pings.len() as i64;
    println!(
        "produced {records} location events in {:.1} s ({:.0}/s, {} partitions)",
        producing.as_secs_f64(),
        records as f64 / producing.as_secs_f64(),
        args.partitions
    );

    // The events service, then the consumer.
    let events = EventsServer::build(
        &EventsConfig {
            listeners: EventsListenArgs::loopback(),
            database: EventsDatabaseArgs {
                events_database_url: database::url(admin_url, events_db),
            },
            rules: AttendanceRulesArgs {
                booth_min_dwell: Duration::from_secs(120),
                presentation_min_presence: Duration::from_secs(600),
            },
        },
        &services::keep_everything(),
        &kafka,
        &service(),
    )
    .await?;
    let events_url = local_url(events.grpc_address());
    tokio::spawn(Box::new(events).run_until_stopped(shutdown.clone()));
    let config = AttendanceConsumerConfig {
        consumer_group: GROUP.to_owned(),
        batch_size: 20_000,
        batch_linger: Duration::from_millis(500),
        areas_refresh: Duration::from_secs(1),
        visit_gap: VisitGapArgs {
            visit_gap: Duration::from_secs(120),
        },
        admin_listen: "127.0.0.1:0".parse()?,
    };
    let clock = CpuClock::new()?;
    let cpu = |clock: &CpuClock| -> anyhow::Result<(f64, f64, f64)> {
        Ok((
            clock.seconds(std::process::id())?,
            clock.postgres_seconds()?,
            clock.seconds(broker.pid)?,
        ))
    };
    let before = cpu(&clock)?;
    let began = Instant::now();
    let mut running = Vec::with_capacity(args.consumers);
    for _ in 0..args.consumers {
        let consumer =
            AttendanceConsumer::build(&config, &kafka, &events_url, &service(), &shutdown).await?;
        running.push(tokio::spawn(
            Box::new(consumer).run_until_stopped(shutdown.clone()),
        ));
    }
    let settings = kafka.settings();
    let mut committed = 0;
    while committed < records {
        anyhow::ensure!(
            began.elapsed() < Duration::from_secs(args.timeout_seconds),
            "the consumer committed {committed} of {records} records in {} s",
            args.timeout_seconds
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (settings, partitions) = (settings.clone(), args.partitions);
        committed =
            tokio::task::spawn_blocking(move || committed_offsets(&settings, partitions)).await??;
    }
    let elapsed = began.elapsed();
    let after = cpu(&clock)?;
    shutdown.cancel();
    for consumer in running {
        consumer.await??;
    }
    broker.stop().await;
    let _ = std::fs::remove_dir_all(&work);

    let (visits, people): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT person_id) FROM visit")
            .fetch_one(store.pool())
            .await?;
    let rate = records as f64 / elapsed.as_secs_f64();
    let per_ping = |seconds: f64| seconds * 1e9 / records as f64;
    let (process, postgres, broker_cpu) =
        (after.0 - before.0, after.1 - before.1, after.2 - before.2);
    println!(
        "attendance consumer ×{}: {records} records, {} areas, committed in {:.1} s: {rate:.0} pings/s end to end",
        args.consumers,
        venue.areas.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "  CPU per ping: consumer + events service {:.0} ns, PostgreSQL {:.0} ns, broker {:.0} ns; {visits} visits of {people} persons stored",
        per_ping(process),
        per_ping(postgres),
        per_ping(broker_cpu)
    );
    Ok(serde_json::json!({
        "benchmark": "attendance_consumer", "records": records, "areas": venue.areas.len(),
        "attendees": args.attendees, "partitions": args.partitions,
        "consumers": args.consumers, "batch_size": 20_000,
        "batch_linger_ms": 500, "seconds": elapsed.as_secs_f64(), "pings_per_second": rate,
        "produce_seconds": producing.as_secs_f64(),
        "cpu_ns_per_ping": {"consumer_and_events": per_ping(process), "postgres": per_ping(postgres), "broker": per_ping(broker_cpu)},
        "visits": visits,
    }))
}

/// The group's committed offsets, summed over the partitions.
fn committed_offsets(
    settings: &udaconnect_messaging::KafkaSettings,
    partitions: i32,
) -> anyhow::Result<i64> {
    let consumer = settings.consumer(GROUP)?;
    let mut list = TopicPartitionList::new();
    for partition in 0..partitions {
        list.add_partition("locations", partition);
    }
    Ok(consumer
        .committed_offsets(list, Duration::from_secs(10))?
        .elements()
        .iter()
        .map(|element| match element.offset() {
            Offset::Offset(offset) => offset,
            _ => 0,
        })
        .sum())
}
