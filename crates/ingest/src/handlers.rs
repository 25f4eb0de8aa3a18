//! The handlers of `udaconnect.v1.IngestService`: one ping, a batch, or a
//! phone's long-lived stream.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Code, Request, Response, Status, Streaming};
use udaconnect_domain::FieldError;
use udaconnect_messaging::traceparent;
use udaconnect_proto::{
    limits::MAX_PINGS_PER_BATCH,
    v1::{self, ingest_service_server::IngestService},
};
use udaconnect_runtime::{
    client_address::TrustedProxies,
    grpc::ServiceError,
    rate_limit::{Caller, RateLimiter},
};

use crate::{
    admission::{Admission, Admitter, Sender, count_rejections, log_not_accepted, not_accepted},
    stream,
};

/// Acks of one stream waiting for the phone to read them.
const ACKS_BUFFERED: usize = 16;

/// Handlers of `udaconnect.v1.IngestService`.
#[derive(Debug, Clone)]
pub(crate) struct Ingest {
    admitter: Admitter,
    limiter: RateLimiter,
    trusted_proxies: TrustedProxies,
    stream_idle_timeout: Duration,
}

impl Ingest {
    /// Handlers admitting pings through `admitter`, each caller's calls
    /// within `limiter` (anonymous callers by the address
    /// `trusted_proxies` tell); a stream with no ping for
    /// `stream_idle_timeout` is ended.
    pub(crate) fn new(
        admitter: Admitter,
        limiter: RateLimiter,
        trusted_proxies: TrustedProxies,
        stream_idle_timeout: Duration,
    ) -> Self {
        Self {
            admitter,
            limiter,
            trusted_proxies,
            stream_idle_timeout,
        }
    }

    /// Who sends the request's pings (its `authorization` metadata,
    /// checked), within their rate limit: a phone's by its device, calls
    /// that prove no one by their address, the organizer's unlimited.
    async fn sender_of<T>(&self, request: &Request<T>) -> Result<Sender, Status> {
        let authorization = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok());
        let by_address = || match request.remote_addr() {
            Some(peer) => {
                let address = self
                    .trusted_proxies
                    .caller_address(peer.ip(), request.metadata().as_ref());
                limit(&self.limiter, Caller::Address(address))
            }
            None => Ok(()),
        };
        match self.admitter.sender(authorization).await {
            Ok(Sender::Organizer) => Ok(Sender::Organizer),
            Ok(Sender::Device {
                person_id,
                device_id,
            }) => {
                limit(&self.limiter, Caller::Device(device_id))?;
                Ok(Sender::Device {
                    person_id,
                    device_id,
                })
            }
            Err(error) => {
                by_address()?;
                Err(error.into())
            }
        }
    }

    #[tracing::instrument(skip_all)]
    async fn send_one(
        &self,
        ping: v1::Ping,
        traceparent: &str,
        sender: Sender,
    ) -> Result<v1::PingAck, Status> {
        let mut admission = self.admitter.admit(&[ping], 0, traceparent, sender).await?;
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
        sender: Sender,
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
        } = self.admitter.admit(&pings, 0, traceparent, sender).await?;
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
}

/// Takes one call from the caller's allowance, or answers
/// RESOURCE_EXHAUSTED saying when to retry.
fn limit(limiter: &RateLimiter, caller: Caller) -> Result<(), Status> {
    limiter.check(caller).map_err(|wait| {
        Status::resource_exhausted(format!(
            "too many calls; retry in {} s",
            wait.as_secs_f64().ceil().max(1.0)
        ))
    })
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
        let sender = self.sender_of(&request).await?;
        let traceparent = request_traceparent(&request);
        Ok(Response::new(
            self.send_one(request.into_inner(), &traceparent, sender)
                .await?,
        ))
    }

    async fn send_pings(
        &self,
        request: Request<v1::PingBatch>,
    ) -> Result<Response<v1::PingBatchAck>, Status> {
        let sender = self.sender_of(&request).await?;
        let traceparent = request_traceparent(&request);
        Ok(Response::new(
            self.send_batch(request.into_inner().pings, &traceparent, sender)
                .await?,
        ))
    }

    type StreamPingsStream = ReceiverStream<Result<v1::PingStreamAck, Status>>;

    async fn stream_pings(
        &self,
        request: Request<Streaming<v1::Ping>>,
    ) -> Result<Response<Self::StreamPingsStream>, Status> {
        let sender = self.sender_of(&request).await?;
        let traceparent = request_traceparent(&request);
        let (acks, answers) = mpsc::channel(ACKS_BUFFERED);
        tokio::spawn(stream::serve(
            self.admitter.clone(),
            sender,
            request.into_inner(),
            traceparent,
            self.stream_idle_timeout,
            acks,
        ));
        Ok(Response::new(ReceiverStream::new(answers)))
    }
}
