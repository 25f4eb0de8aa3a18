//! The handlers of `udaconnect.v1.IngestService`.

use chrono::Utc;
use futures::{StreamExt, stream::FuturesUnordered};
use tonic::{Code, Request, Response, Status, Streaming};
use udaconnect_domain::{FieldError, NewLocation};
use udaconnect_messaging::{LocationPublisher, PendingDelivery, ProduceError, Source, traceparent};
use udaconnect_persons::PersonDirectory;
use udaconnect_proto::{
    limits::MAX_PINGS_PER_BATCH,
    new_location_from_ping,
    v1::{self, ingest_service_server::IngestService},
};
use udaconnect_runtime::grpc::ServiceError;
use uuid::Uuid;

/// Rejections a stream summary lists one by one; the rest are only counted.
const MAX_LISTED_REJECTIONS: usize = 1_000;

/// Pings read from a stream and validated together.
const STREAM_CHUNK: usize = 1_000;

/// Pings of one stream waiting for Kafka's acknowledgement at most: a
/// stream is read no faster than Kafka takes it, which bounds memory and
/// pushes back on the phone instead of timing its pings out.
const MAX_IN_FLIGHT_PER_STREAM: usize = 2_000;

/// Handlers of `udaconnect.v1.IngestService`.
#[derive(Debug, Clone)]
pub(crate) struct Ingest {
    publisher: LocationPublisher,
    persons: PersonDirectory,
}

/// A ping put on the topic, waiting for Kafka's acknowledgement.
struct Queued {
    index: u64,
    event_id: Uuid,
    delivery: PendingDelivery,
}

/// What became of the pings of one request before Kafka answered.
struct Admission {
    queued: Vec<Queued>,
    rejected: Vec<v1::PingRejection>,
}

impl Ingest {
    /// Handlers publishing through `publisher`, checking persons in `persons`.
    pub(crate) fn new(publisher: LocationPublisher, persons: PersonDirectory) -> Self {
        Self { publisher, persons }
    }

    /// Validates `pings` (numbered from `first_index`) and queues the valid
    /// ones of existing persons. Fails as a whole only when the persons
    /// service cannot say who exists.
    async fn admit(
        &self,
        pings: &[v1::Ping],
        first_index: u64,
        traceparent: &str,
    ) -> Result<Admission, ServiceError> {
        let now = Utc::now();
        let mut valid: Vec<(u64, NewLocation)> = Vec::with_capacity(pings.len());
        let mut rejected = Vec::new();
        for (index, ping) in (first_index..).zip(pings) {
            match new_location_from_ping(ping, now) {
                Ok(location) => valid.push((index, location)),
                Err(error) => rejected.push(rejection(index, Code::InvalidArgument, &error)),
            }
        }
        let (known, unknown) = self
            .persons
            .split_known(valid)
            .await
            .map_err(ServiceError::peer("persons"))?;
        rejected.extend(
            unknown
                .iter()
                .map(|(index, error)| rejection(*index, Code::NotFound, error)),
        );

        let mut queued = Vec::with_capacity(known.len());
        for (index, location) in known {
            match self.publisher.enqueue(&location, Source::Grpc, traceparent) {
                Ok(delivery) => queued.push(Queued {
                    index,
                    event_id: location.event_id,
                    delivery,
                }),
                Err(error) => rejected.push(not_accepted(index, &error)),
            }
        }
        Ok(Admission { queued, rejected })
    }

    #[tracing::instrument(skip_all)]
    async fn send_one(&self, ping: v1::Ping, traceparent: &str) -> Result<v1::PingAck, Status> {
        let mut admission = self.admit(&[ping], 0, traceparent).await?;
        if let Some(rejection) = admission.rejected.pop() {
            count_rejections(std::slice::from_ref(&rejection));
            return Err(Status::new(Code::from(rejection.code), rejection.reason));
        }
        let queued = admission
            .queued
            .pop()
            .ok_or_else(|| Status::internal("internal error"))?;
        queued.delivery.acknowledged().await.map_err(|error| {
            let rejection = not_accepted(0, &error);
            count_rejections(std::slice::from_ref(&rejection));
            log_not_accepted(std::slice::from_ref(&rejection));
            Status::unavailable(rejection.reason)
        })?;
        metrics::counter!("ingest_pings_accepted_total").increment(1);
        Ok(v1::PingAck {
            event_id: queued.event_id.to_string(),
        })
    }

    #[tracing::instrument(skip_all, fields(pings = pings.len()))]
    async fn send_batch(
        &self,
        pings: Vec<v1::Ping>,
        traceparent: &str,
    ) -> Result<v1::PingBatchAck, Status> {
        if pings.len() > MAX_PINGS_PER_BATCH {
            return Err(ServiceError::from(FieldError::new(
                "pings",
                format!("at most {MAX_PINGS_PER_BATCH} pings per call"),
            ))
            .into());
        }
        let Admission {
            queued,
            mut rejected,
        } = self.admit(&pings, 0, traceparent).await?;
        let outcomes = futures::future::join_all(queued.into_iter().map(|queued| async move {
            let outcome = queued.delivery.acknowledged().await;
            (queued.index, queued.event_id, outcome)
        }))
        .await;
        let mut accepted_event_ids = Vec::with_capacity(outcomes.len());
        for (index, event_id, outcome) in outcomes {
            match outcome {
                Ok(()) => accepted_event_ids.push(event_id.to_string()),
                Err(error) => rejected.push(not_accepted(index, &error)),
            }
        }
        rejected.sort_by_key(|rejection| rejection.index);
        count_rejections(&rejected);
        log_not_accepted(&rejected);
        metrics::counter!("ingest_pings_accepted_total").increment(accepted_event_ids.len() as u64);
        if accepted_event_ids.is_empty()
            && let Some(unavailable) = rejected.iter().find(|r| r.code == Code::Unavailable as i32)
        {
            // Nothing was taken because Kafka is away: say so for the whole call.
            return Err(Status::unavailable(unavailable.reason.clone()));
        }
        Ok(v1::PingBatchAck {
            accepted_event_ids,
            rejected,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn receive_stream(
        &self,
        pings: Streaming<v1::Ping>,
        traceparent: &str,
    ) -> Result<v1::PingStreamSummary, Status> {
        let mut summary = StreamTally::default();
        let mut in_flight = FuturesUnordered::new();
        let mut next_index = 0u64;
        let mut chunks = pings.ready_chunks(STREAM_CHUNK);
        while let Some(chunk) = chunks.next().await {
            let chunk: Vec<v1::Ping> = chunk.into_iter().collect::<Result<_, Status>>()?;
            let admission = self.admit(&chunk, next_index, traceparent).await?;
            next_index += chunk.len() as u64;
            summary.reject(admission.rejected);
            in_flight.extend(
                admission.queued.into_iter().map(|queued| async move {
                    (queued.index, queued.delivery.acknowledged().await)
                }),
            );
            while in_flight.len() > MAX_IN_FLIGHT_PER_STREAM {
                if let Some((index, outcome)) = in_flight.next().await {
                    summary.settle(index, outcome);
                }
            }
        }
        while let Some((index, outcome)) = in_flight.next().await {
            summary.settle(index, outcome);
        }
        Ok(summary.finish())
    }
}

/// Running totals of a stream, listing only the first rejections.
#[derive(Default)]
struct StreamTally {
    accepted: u64,
    rejected_total: u64,
    listed: Vec<v1::PingRejection>,
    /// Pings Kafka did not take, and the first reason, logged once at the end.
    not_accepted: u64,
    not_accepted_reason: Option<String>,
}

impl StreamTally {
    fn reject(&mut self, rejections: Vec<v1::PingRejection>) {
        count_rejections(&rejections);
        self.rejected_total += rejections.len() as u64;
        for rejection in rejections.iter().filter(|r| is_not_accepted(r)) {
            self.not_accepted += 1;
            self.not_accepted_reason
                .get_or_insert_with(|| rejection.reason.clone());
        }
        let room = MAX_LISTED_REJECTIONS.saturating_sub(self.listed.len());
        self.listed.extend(rejections.into_iter().take(room));
    }

    fn settle(&mut self, index: u64, outcome: Result<(), ProduceError>) {
        match outcome {
            Ok(()) => {
                metrics::counter!("ingest_pings_accepted_total").increment(1);
                self.accepted += 1;
            }
            Err(error) => self.reject(vec![not_accepted(index, &error)]),
        }
    }

    fn finish(mut self) -> v1::PingStreamSummary {
        self.listed.sort_by_key(|rejection| rejection.index);
        if let Some(reason) = &self.not_accepted_reason {
            warn_not_accepted(self.not_accepted, reason);
        }
        v1::PingStreamSummary {
            accepted: self.accepted,
            rejected: self.listed,
            rejected_total: self.rejected_total,
        }
    }
}

fn rejection(index: u64, code: Code, error: &FieldError) -> v1::PingRejection {
    v1::PingRejection {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        reason: error.to_string(),
        code: code as i32,
    }
}

/// The rejection of a ping that Kafka did not take.
fn not_accepted(index: u64, error: &ProduceError) -> v1::PingRejection {
    v1::PingRejection {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        reason: format!("not accepted ({error}); retry with the same event id"),
        code: Code::Unavailable as i32,
    }
}

fn is_not_accepted(rejection: &v1::PingRejection) -> bool {
    rejection.code == Code::Unavailable as i32
}

/// Logs, once per call rather than once per ping, that Kafka did not take
/// some pings.
fn log_not_accepted(rejections: &[v1::PingRejection]) {
    let mut not_accepted = rejections.iter().filter(|r| is_not_accepted(r));
    if let Some(first) = not_accepted.next() {
        warn_not_accepted(1 + not_accepted.count() as u64, &first.reason);
    }
}

fn warn_not_accepted(count: u64, reason: &str) {
    tracing::warn!(count, reason, "pings not accepted by Kafka");
}

fn count_rejections(rejections: &[v1::PingRejection]) {
    for rejection in rejections {
        let code = match Code::from(rejection.code) {
            Code::InvalidArgument => "invalid_argument",
            Code::NotFound => "not_found",
            _ => "unavailable",
        };
        metrics::counter!("ingest_pings_rejected_total", "code" => code).increment(1);
    }
}

/// The trace context for the events a request produces.
fn request_traceparent<T>(request: &Request<T>) -> String {
    traceparent(
        request
            .metadata()
            .get("traceparent")
            .and_then(|value| value.to_str().ok()),
    )
}

#[tonic::async_trait]
impl IngestService for Ingest {
    async fn send_ping(&self, request: Request<v1::Ping>) -> Result<Response<v1::PingAck>, Status> {
        let traceparent = request_traceparent(&request);
        Ok(Response::new(
            self.send_one(request.into_inner(), &traceparent).await?,
        ))
    }

    async fn send_pings(
        &self,
        request: Request<v1::PingBatch>,
    ) -> Result<Response<v1::PingBatchAck>, Status> {
        let traceparent = request_traceparent(&request);
        Ok(Response::new(
            self.send_batch(request.into_inner().pings, &traceparent)
                .await?,
        ))
    }

    async fn stream_pings(
        &self,
        request: Request<Streaming<v1::Ping>>,
    ) -> Result<Response<v1::PingStreamSummary>, Status> {
        let traceparent = request_traceparent(&request);
        Ok(Response::new(
            self.receive_stream(request.into_inner(), &traceparent)
                .await?,
        ))
    }
}
