//! Attendance from the location stream. The attendance consumer is a second
//! consumer group on the locations topic (the location consumer goes on
//! storing pings; this one has its own offsets and pace): it maps each ping
//! to the floor-plan areas that hold it and records the stays as visits
//! through the events service, committing offsets only after. Visits depend
//! on the set of pings alone (see `udaconnect_domain::merge_visits`), so
//! redelivery, duplicates and pings out of order of any delay are harmless,
//! and [`rebuild_event`] recomputes an event's visits from the stored pings
//! with the very same result.

mod floor_index;
mod floor_plans;
mod rebuild;

pub use floor_index::FloorIndex;
pub use rebuild::{RebuildReport, rebuild_event};

use std::{net::SocketAddr, time::Duration};

use chrono::TimeDelta;
use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tracing::Instrument;
use udaconnect_domain::{Visit, VisitGap, merge_visits};
use udaconnect_messaging::{EventConsumer, Record, batch_span};
use udaconnect_proto::{
    datetime_from_timestamp, duration_from_timedelta,
    limits::MAX_VISITS_PER_CALL,
    v1::{self, event_service_client::EventServiceClient},
};
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceCredential, admin,
    backoff::Backoff,
    config::KafkaArgs,
    config::parse_duration,
    grpc::{self, SignedChannel},
    topics,
};

use floor_plans::FloorPlans;

/// The longest time between two pings of one visit, shared by the consumer
/// and the rebuild so that both find the same visits.
#[derive(Debug, Clone, Args)]
pub struct VisitGapArgs {
    /// Pings of one person in one area at most this far apart belong to one
    /// visit (shorter excursions, such as GPS jitter at an edge, do not end it).
    #[arg(long, env = "ATTENDANCE_VISIT_GAP", default_value = "2m", value_parser = parse_duration)]
    pub visit_gap: Duration,
}

impl VisitGapArgs {
    /// The gap, checked.
    pub fn gap(&self) -> anyhow::Result<VisitGap> {
        Ok(VisitGap::new(TimeDelta::from_std(self.visit_gap)?)?)
    }
}

/// How the attendance consumer reads the topic and follows floor plans.
#[derive(Debug, Clone, Args)]
pub struct AttendanceConsumerConfig {
    /// Kafka consumer group of the attendance consumers (not the location
    /// consumer's: each group reads every record).
    #[arg(
        id = "attendance-consumer-group",
        long = "attendance-consumer-group",
        env = "ATTENDANCE_CONSUMER_GROUP",
        default_value = "attendance"
    )]
    pub consumer_group: String,
    /// Most records mapped in one batch.
    #[arg(
        id = "attendance-batch-size",
        long = "attendance-batch-size",
        env = "ATTENDANCE_BATCH_SIZE",
        default_value_t = 20_000
    )]
    pub batch_size: usize,
    /// Longest a batch waits to fill up after its first record: the longer,
    /// the more pings each recorded stay covers.
    #[arg(id = "attendance-batch-linger",
        long = "attendance-batch-linger", env = "ATTENDANCE_BATCH_LINGER", default_value = "500ms", value_parser = parse_duration)]
    pub batch_linger: Duration,
    /// How often floor plans are checked for changes.
    #[arg(id = "attendance-areas-refresh",
        long = "attendance-areas-refresh", env = "ATTENDANCE_AREAS_REFRESH", default_value = "1s", value_parser = parse_duration)]
    pub areas_refresh: Duration,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub visit_gap: VisitGapArgs,
    /// Address of the consumer's HTTP endpoint serving /healthz, /readyz and /metrics.
    #[arg(
        id = "attendance-admin-listen",
        long = "attendance-admin-listen",
        env = "ATTENDANCE_ADMIN_LISTEN",
        default_value = "127.0.0.1:9106"
    )]
    pub admin_listen: SocketAddr,
}

/// The attendance consumer, a member of its group and ready to consume.
#[derive(Debug)]
pub struct AttendanceConsumer {
    admin: TcpListener,
    events_channel: Channel,
    mapper: StayRecorder,
}

impl AttendanceConsumer {
    /// Creates the topics when missing (retrying until the brokers answer
    /// or `shutdown` fires), joins the group and binds the admin port.
    /// Visits are recorded through the events service at `events_url`,
    /// called with `service`'s token.
    pub async fn build(
        config: &AttendanceConsumerConfig,
        kafka: &KafkaArgs,
        events_url: &str,
        service: &ServiceCredential,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(config.batch_size >= 1, "the batch size must be at least 1");
        let settings = kafka.settings();
        topics::ensure(&settings, &kafka.topics(), shutdown).await?;
        let events_channel = grpc::channel(events_url)?;
        let events = EventServiceClient::new(service.sign(events_channel.clone()))
            .max_decoding_message_size(floor_plans::MAX_FLOOR_PLANS_BYTES);
        Ok(Self {
            admin: udaconnect_runtime::listen(config.admin_listen).await?,
            mapper: StayRecorder {
                consumer: EventConsumer::subscribe(
                    &settings,
                    &config.consumer_group,
                    &kafka.locations_topic,
                )?,
                floor_plans: FloorPlans::new(events.clone(), config.areas_refresh),
                events,
                gap: config.visit_gap.gap()?,
                batch_size: config.batch_size,
                batch_linger: config.batch_linger,
            },
            events_channel,
        })
    }
}

impl Service for AttendanceConsumer {
    fn addresses(&self) -> BoundAddresses {
        BoundAddresses::from([(
            "attendance-consumer-admin".to_owned(),
            self.admin
                .local_addr()
                .expect("a bound listener has an address"),
        )])
    }

    /// Consumes until `shutdown`; the batch in hand is finished and
    /// committed before returning.
    fn run_until_stopped(
        self: Box<Self>,
        shutdown: CancellationToken,
    ) -> BoxFuture<'static, anyhow::Result<()>> {
        async move {
            let readiness = grpc::peer_readiness(vec![("events", self.events_channel)]);
            let admin = tokio::spawn(admin::serve(self.admin, readiness, shutdown.clone()));
            self.mapper.run(&shutdown).await;
            admin.await??;
            Ok(())
        }
        .boxed()
    }
}

/// Kafka in, stays to the events service out.
#[derive(Debug)]
struct StayRecorder {
    consumer: EventConsumer,
    floor_plans: FloorPlans,
    events: EventServiceClient<SignedChannel>,
    gap: VisitGap,
    batch_size: usize,
    batch_linger: Duration,
}

impl StayRecorder {
    async fn run(mut self, shutdown: &CancellationToken) {
        let mut committed = None;
        loop {
            let batch = self
                .consumer
                .next_batch(self.batch_size, self.batch_linger, shutdown)
                .await;
            if !batch.is_empty() {
                if !self
                    .process(&batch, shutdown)
                    .instrument(batch_span(&batch))
                    .await
                {
                    break;
                }
                committed = Some(self.consumer.commit(&batch));
            }
            if shutdown.is_cancelled() {
                break;
            }
        }
        if let Some(offsets) = committed {
            self.consumer.commit_last(offsets).await;
        }
        tracing::info!("attendance consumer stopped");
    }

    /// Maps the batch to stays and records them, with the floor plans
    /// brought up to date first; `false` if shutdown comes first.
    async fn process(&mut self, batch: &[Record], shutdown: &CancellationToken) -> bool {
        self.floor_plans.refresh(shutdown).await && {
            let stays = self.stays(batch);
            self.record(&stays, shutdown).await
        }
    }

    /// The batch's pings as stays, merged within the batch. Records that
    /// are not pings are skipped: the location consumer dead-letters them.
    fn stays(&self, batch: &[Record]) -> Vec<Visit> {
        let index = self.floor_plans.index();
        let mut stays = Vec::new();
        for record in batch {
            let Ok(event) = record.location_event() else {
                metrics::counter!("attendance_records_total", "outcome" => "undecodable")
                    .increment(1);
                continue;
            };
            let Ok(time) = datetime_from_timestamp("creation_time", event.creation_time.as_ref())
            else {
                metrics::counter!("attendance_records_total", "outcome" => "undecodable")
                    .increment(1);
                continue;
            };
            let before = stays.len();
            index.record_ping(
                event.person_id,
                event.latitude,
                event.longitude,
                time,
                &mut stays,
            );
            let outcome = if stays.len() > before {
                "in_area"
            } else {
                "elsewhere"
            };
            metrics::counter!("attendance_records_total", "outcome" => outcome).increment(1);
        }
        merge_visits(stays, self.gap)
    }

    /// Records the stays, retrying each call with backoff until it succeeds;
    /// `false` if shutdown comes first (nothing is committed then).
    async fn record(&self, stays: &[Visit], shutdown: &CancellationToken) -> bool {
        for chunk in stays.chunks(MAX_VISITS_PER_CALL) {
            let request = v1::RecordVisitsRequest {
                visits: chunk.iter().map(Into::into).collect(),
                max_gap: Some(duration_from_timedelta(self.gap.get())),
            };
            let mut backoff = Backoff::new();
            loop {
                match self.events.clone().record_visits(request.clone()).await {
                    Ok(response) => {
                        metrics::counter!("attendance_visits_changed_total")
                            .increment(response.get_ref().changed.into());
                        break;
                    }
                    Err(status) => {
                        tracing::warn!(%status, stays = chunk.len(), "recording visits failed; retrying");
                        metrics::counter!("attendance_write_retries_total").increment(1);
                    }
                }
                if !backoff.wait(shutdown).await {
                    return false;
                }
            }
        }
        true
    }
}
