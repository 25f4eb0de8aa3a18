//! The location consumer: reads the locations topic in batches, writes each
//! batch through the locations service, and only then commits the offsets.
//! A crash at any point re-delivers instead of losing, and the per-event id
//! makes re-delivery harmless. Records that can never be written go to the
//! dead-letter topic with the reason, so one bad record cannot stall the
//! stream.

use std::{net::SocketAddr, time::Duration};

use clap::Args;
use futures::{FutureExt, future::BoxFuture};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tracing::Instrument;
use udaconnect_messaging::{EventConsumer, EventProducer, Record, batch_span};
use udaconnect_proto::{
    limits::MAX_WRITE_LOCATIONS,
    new_location_from_event,
    v1::{self, location_service_client::LocationServiceClient},
};
use udaconnect_runtime::{
    BoundAddresses, Service, ServiceCredential, admin,
    backoff::Backoff,
    config::KafkaArgs,
    config::parse_duration,
    grpc::{self, SignedChannel},
    topics,
};

/// How the location consumer reads the topic and batches its writes.
#[derive(Debug, Clone, Args)]
pub struct LocationConsumerConfig {
    /// Kafka consumer group; every replica of the consumer joins it.
    #[arg(
        long,
        env = "KAFKA_CONSUMER_GROUP",
        default_value = "location-consumer"
    )]
    pub consumer_group: String,
    /// Most records written in one batch.
    #[arg(long, env = "CONSUMER_BATCH_SIZE", default_value_t = 5000)]
    pub batch_size: usize,
    /// Longest a batch waits to fill up after its first record.
    #[arg(long, env = "CONSUMER_BATCH_LINGER", default_value = "50ms", value_parser = parse_duration)]
    pub batch_linger: Duration,
    /// Address of the consumer's HTTP endpoint serving /healthz, /readyz and /metrics.
    #[arg(
        id = "consumer-admin-listen",
        long = "consumer-admin-listen",
        env = "CONSUMER_ADMIN_LISTEN",
        default_value = "127.0.0.1:9104"
    )]
    pub admin_listen: SocketAddr,
}

/// The location consumer, a member of its group and ready to consume.
#[derive(Debug)]
pub struct LocationConsumer {
    admin: TcpListener,
    locations_channel: Channel,
    batches: BatchWriter,
}

impl LocationConsumer {
    /// Creates the topics when missing (retrying until the brokers answer
    /// or `shutdown` fires), joins the group and binds the admin port. Pings
    /// are written to the locations service at `locations_url`, called
    /// with `service`'s token.
    pub async fn build(
        config: &LocationConsumerConfig,
        kafka: &KafkaArgs,
        locations_url: &str,
        service: &ServiceCredential,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            (1..=MAX_WRITE_LOCATIONS).contains(&config.batch_size),
            "the batch size must be within 1..={MAX_WRITE_LOCATIONS}"
        );
        let settings = kafka.settings();
        topics::ensure(&settings, &kafka.topics(), shutdown).await?;
        let locations_channel = grpc::channel(locations_url)?;
        Ok(Self {
            admin: udaconnect_runtime::listen(config.admin_listen).await?,
            batches: BatchWriter {
                consumer: EventConsumer::subscribe(
                    &settings,
                    &config.consumer_group,
                    &kafka.locations_topic,
                )?,
                locations: LocationServiceClient::new(service.sign(locations_channel.clone())),
                dead_letters: EventProducer::new(&settings)?,
                dlq_topic: kafka.dlq_topic.clone(),
                batch_size: config.batch_size,
                batch_linger: config.batch_linger,
            },
            locations_channel,
        })
    }
}

impl Service for LocationConsumer {
    fn addresses(&self) -> BoundAddresses {
        BoundAddresses::from([(
            "location-consumer-admin".to_owned(),
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
            let readiness = grpc::peer_readiness(vec![("locations", self.locations_channel)]);
            let admin = tokio::spawn(admin::serve(self.admin, readiness, shutdown.clone()));
            self.batches.run(&shutdown).await;
            admin.await??;
            Ok(())
        }
        .boxed()
    }
}

/// What became of a batch.
enum Outcome {
    /// Every record is written or dead-lettered: its offsets may be committed.
    Done,
    /// Shutdown came while a dependency was failing; nothing is committed and
    /// the batch will be delivered again.
    Interrupted,
}

/// Kafka in, the locations service out, the dead-letter topic aside.
#[derive(Debug)]
struct BatchWriter {
    consumer: EventConsumer,
    locations: LocationServiceClient<SignedChannel>,
    dead_letters: EventProducer,
    dlq_topic: String,
    batch_size: usize,
    batch_linger: Duration,
}

impl BatchWriter {
    async fn run(&self, shutdown: &CancellationToken) {
        let mut committed = None;
        loop {
            let batch = self
                .consumer
                .next_batch(self.batch_size, self.batch_linger, shutdown)
                .await;
            if !batch.is_empty() {
                match self
                    .process(&batch, shutdown)
                    .instrument(batch_span(&batch))
                    .await
                {
                    Outcome::Done => committed = Some(self.consumer.commit(&batch)),
                    Outcome::Interrupted => break,
                }
            }
            if shutdown.is_cancelled() {
                break;
            }
        }
        if let Some(offsets) = committed {
            self.consumer.commit_last(offsets).await;
        }
        tracing::info!("location consumer stopped");
    }

    /// Writes the batch's pings (retrying until the write succeeds) and
    /// dead-letters the records that can never be written.
    async fn process(&self, batch: &[Record], shutdown: &CancellationToken) -> Outcome {
        let mut pings = Vec::with_capacity(batch.len());
        let mut origins = Vec::with_capacity(batch.len());
        let mut dead = Vec::new();
        for (position, record) in batch.iter().enumerate() {
            match record.location_event() {
                Ok(event) => {
                    pings.push(new_location_from_event(&event));
                    origins.push(position);
                }
                Err(error) => dead.push((position, error.to_string())),
            }
        }

        for (chunk_index, chunk) in pings.chunks(MAX_WRITE_LOCATIONS).enumerate() {
            let Some(response) = self.write(chunk, shutdown).await else {
                return Outcome::Interrupted;
            };
            metrics::counter!("consumer_records_total", "outcome" => "written")
                .increment(response.written.into());
            metrics::counter!("consumer_records_total", "outcome" => "duplicate")
                .increment(response.duplicates.into());
            let first = chunk_index * MAX_WRITE_LOCATIONS;
            dead.extend(
                response
                    .rejected
                    .into_iter()
                    .map(|rejected| (origins[first + rejected.index as usize], rejected.reason)),
            );
        }

        for (position, reason) in dead {
            if !self.dead_letter(&batch[position], &reason, shutdown).await {
                return Outcome::Interrupted;
            }
        }
        Outcome::Done
    }

    /// One `WriteLocations` call, retried with backoff until it succeeds;
    /// `None` if shutdown comes first.
    async fn write(
        &self,
        pings: &[v1::NewLocation],
        shutdown: &CancellationToken,
    ) -> Option<v1::WriteLocationsResponse> {
        let mut backoff = Backoff::new();
        loop {
            let request = v1::WriteLocationsRequest {
                locations: pings.to_vec(),
            };
            match self.locations.clone().write_locations(request).await {
                Ok(response) => return Some(response.into_inner()),
                Err(status) => {
                    tracing::warn!(%status, records = pings.len(), "write failed; retrying");
                    metrics::counter!("consumer_write_retries_total").increment(1);
                }
            }
            if !backoff.wait(shutdown).await {
                return None;
            }
        }
    }

    /// Copies `record` to the dead-letter topic with `reason`, retrying until
    /// Kafka has it; `false` if shutdown comes first.
    async fn dead_letter(
        &self,
        record: &Record,
        reason: &str,
        shutdown: &CancellationToken,
    ) -> bool {
        tracing::warn!(origin = record.origin(), reason, "dead-lettering a record");
        let headers = record.dead_letter_headers(reason);
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        let mut backoff = Backoff::new();
        loop {
            match self
                .dead_letters
                .send(record.resend_to(&self.dlq_topic, &headers))
                .await
            {
                Ok(()) => {
                    metrics::counter!("consumer_records_total", "outcome" => "dead_lettered")
                        .increment(1);
                    return true;
                }
                Err(error) => tracing::warn!(%error, "dead-letter write failed; retrying"),
            }
            if !backoff.wait(shutdown).await {
                return false;
            }
        }
    }
}
