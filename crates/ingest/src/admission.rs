//! What becomes of each ping a call brings: validated, checked against the
//! persons directory, and put on the locations topic, or rejected with the
//! reason and the status code a single-ping call would answer.

use chrono::Utc;
use tonic::Code;
use udaconnect_auth::Principal;
use udaconnect_domain::{FieldError, NewLocation};
use udaconnect_messaging::{LocationPublisher, PendingDelivery, ProduceError, Source};
use udaconnect_persons::{CredentialError, Credentials, PersonDirectory, PingRefusal};
use udaconnect_proto::{new_location_from_ping, v1};
use udaconnect_runtime::grpc::ServiceError;
use uuid::Uuid;

/// Admits pings onto the locations topic.
#[derive(Debug, Clone)]
pub(crate) struct Admitter {
    publisher: LocationPublisher,
    persons: PersonDirectory,
    credentials: Credentials,
}

/// Who sends a call's pings, and so whose pings it may send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sender {
    /// The organizer: anyone's (a venue's own location feed, an import).
    Organizer,
    /// A phone: its own person's only, while it is not revoked.
    Device { person_id: i64, device_id: Uuid },
}

/// A ping put on the topic, waiting for Kafka's acknowledgement.
pub(crate) struct Queued {
    pub(crate) index: u64,
    pub(crate) event_id: Uuid,
    pub(crate) delivery: PendingDelivery,
}

/// What became of the pings of one request before Kafka answered.
pub(crate) struct Admission {
    pub(crate) queued: Vec<Queued>,
    pub(crate) rejected: Vec<v1::PingRejection>,
}

impl Admitter {
    /// Publishing through `publisher`, checking persons in `persons` and
    /// callers with `credentials`.
    pub(crate) fn new(
        publisher: LocationPublisher,
        persons: PersonDirectory,
        credentials: Credentials,
    ) -> Self {
        Self {
            publisher,
            persons,
            credentials,
        }
    }

    /// Who a call's `authorization` metadata proves: the organizer or a
    /// phone. An attendee's web token sends no pings.
    pub(crate) async fn sender(&self, authorization: Option<&str>) -> Result<Sender, ServiceError> {
        match self.credentials.authenticate(authorization).await {
            Ok(Principal::Organizer) => Ok(Sender::Organizer),
            Ok(Principal::Device {
                person_id,
                device_id,
            }) => Ok(Sender::Device {
                person_id,
                device_id,
            }),
            Ok(_) => Err(ServiceError::PermissionDenied(
                "only a phone (a device token) or the organizer sends pings".into(),
            )),
            Err(CredentialError::Unavailable) => Err(ServiceError::Peer {
                peer: "persons",
                status: tonic::Status::unavailable("the token keys cannot be read"),
            }),
            Err(error) => Err(ServiceError::Unauthenticated(error.to_string())),
        }
    }

    /// Validates `pings` (numbered from `first_index`) and queues the valid
    /// ones of existing persons that `sender` may send for; a phone's ping
    /// for someone else is refused with PERMISSION_DENIED. Fails as a whole
    /// only when the sender's device has been revoked or the persons
    /// service cannot say who exists.
    pub(crate) async fn admit(
        &self,
        pings: &[v1::Ping],
        first_index: u64,
        traceparent: &str,
        sender: Sender,
    ) -> Result<Admission, ServiceError> {
        if let Sender::Device {
            person_id,
            device_id,
        } = sender
            && self.credentials.is_revoked(&Principal::Device {
                person_id,
                device_id,
            })
        {
            return Err(ServiceError::Unauthenticated(
                "the device has been revoked".into(),
            ));
        }
        let now = Utc::now();
        let mut valid: Vec<(u64, NewLocation)> = Vec::with_capacity(pings.len());
        let mut rejected = Vec::new();
        for (index, ping) in (first_index..).zip(pings) {
            match new_location_from_ping(ping, now) {
                Ok(location) if !sender.may_send_for(location.person_id) => {
                    rejected.push(rejection(
                        index,
                        Code::PermissionDenied,
                        &FieldError::new("person_id", "a phone sends its own person's pings only"),
                    ));
                }
                Ok(location) => match self.credentials.refuses_pings_of(location.person_id) {
                    Some(refusal) => {
                        let code = match refusal {
                            PingRefusal::Erased => Code::NotFound,
                            PingRefusal::Paused => Code::FailedPrecondition,
                        };
                        rejected.push(rejection(index, code, &refusal.reason(location.person_id)));
                    }
                    None => valid.push((index, location)),
                },
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
}

impl Sender {
    fn may_send_for(self, person_id: i64) -> bool {
        match self {
            Self::Organizer => true,
            Self::Device { person_id: own, .. } => own == person_id,
        }
    }
}

pub(crate) fn rejection(index: u64, code: Code, error: &FieldError) -> v1::PingRejection {
    v1::PingRejection {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        reason: error.to_string(),
        code: code as i32,
    }
}

/// The rejection of a ping that Kafka did not take.
pub(crate) fn not_accepted(index: u64, error: &ProduceError) -> v1::PingRejection {
    v1::PingRejection {
        index: u32::try_from(index).unwrap_or(u32::MAX),
        reason: format!("not accepted ({error}); retry with the same event id"),
        code: Code::Unavailable as i32,
    }
}

pub(crate) fn is_not_accepted(rejection: &v1::PingRejection) -> bool {
    rejection.code == Code::Unavailable as i32
}

/// Logs, once per call rather than once per ping, that Kafka did not take
/// some pings.
pub(crate) fn log_not_accepted(rejections: &[v1::PingRejection]) {
    let mut not_accepted = rejections.iter().filter(|r| is_not_accepted(r));
    if let Some(first) = not_accepted.next() {
        warn_not_accepted(1 + not_accepted.count() as u64, &first.reason);
    }
}

pub(crate) fn warn_not_accepted(count: u64, reason: &str) {
    tracing::warn!(count, reason, "pings not accepted by Kafka");
}

pub(crate) fn count_rejections(rejections: &[v1::PingRejection]) {
    for rejection in rejections {
        let code = match Code::from(rejection.code) {
            Code::InvalidArgument => "invalid_argument",
            Code::NotFound => "not_found",
            Code::PermissionDenied => "permission_denied",
            Code::FailedPrecondition => "failed_precondition",
            _ => "unavailable",
        };
        metrics::counter!("ingest_pings_rejected_total", "code" => code).increment(1);
    }
}
