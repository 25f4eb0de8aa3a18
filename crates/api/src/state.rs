//! What every request handler shares: clients of the services behind the
//! API, the publisher of new pings, and the one place where answers are
//! joined with persons' records.

use std::collections::HashMap;

use tonic::transport::Channel;
use udaconnect_messaging::{ErasurePublisher, LocationPublisher};
use udaconnect_persons::{Credentials, PersonDirectory};
use udaconnect_proto::v1::{
    self, event_service_client::EventServiceClient, location_service_client::LocationServiceClient,
    person_service_client::PersonServiceClient,
};
use udaconnect_runtime::{
    ServiceCredential, client_address::TrustedProxies, grpc::SignedChannel, rate_limit::RateLimiter,
};

use udaconnect_auth::Principal;
use udaconnect_domain::Privacy;

use crate::{auth::Caller, json::PersonJson, problem::ApiError};

/// Largest connection-search answer the API accepts from the locations
/// service (gRPC's default of 4 MiB is about 20,000 rows).
const MAX_CONNECTION_ANSWER_BYTES: usize = 256 * 1024 * 1024;

/// Clients of the services behind the API, shared by every request.
#[derive(Debug, Clone)]
pub(crate) struct ApiState {
    pub(crate) persons: PersonServiceClient<SignedChannel>,
    pub(crate) locations: LocationServiceClient<SignedChannel>,
    pub(crate) events: EventServiceClient<SignedChannel>,
    pub(crate) person_directory: PersonDirectory,
    pub(crate) publisher: LocationPublisher,
    pub(crate) erasures: ErasurePublisher,
    pub(crate) peers: Vec<(&'static str, Channel)>,
    pub(crate) credentials: Credentials,
    /// Requests per caller; the organizer is not limited.
    pub(crate) limiter: RateLimiter,
    /// Whose word on an anonymous caller's address the limiter takes.
    pub(crate) trusted_proxies: TrustedProxies,
}

impl ApiState {
    /// State over channels to the persons, locations and events services
    /// (called with `service`'s token; their health asked without),
    /// publishing new pings through `publisher`.
    pub(crate) fn new(
        [persons, locations, events]: [Channel; 3],
        service: &ServiceCredential,
        publisher: LocationPublisher,
        erasures: ErasurePublisher,
        credentials: Credentials,
        limiter: RateLimiter,
        trusted_proxies: TrustedProxies,
    ) -> Self {
        Self {
            peers: vec![
                ("persons", persons.clone()),
                ("locations", locations.clone()),
                ("events", events.clone()),
            ],
            events: EventServiceClient::new(service.sign(events)),
            person_directory: PersonDirectory::new(service.sign(persons.clone())),
            persons: PersonServiceClient::new(service.sign(persons)),
            // The compatible connection search is unpaginated, and a busy
            // person's answer is large.
            locations: LocationServiceClient::new(service.sign(locations))
                .max_decoding_message_size(MAX_CONNECTION_ANSWER_BYTES),
            publisher,
            erasures,
            credentials,
            limiter,
            trusted_proxies,
        }
    }

    /// One person, or the 404 that routes under `/api/persons/{id}` answer.
    pub(crate) async fn person(&self, id: i64) -> Result<v1::Person, ApiError> {
        self.persons
            .clone()
            .get_person(v1::GetPersonRequest { id })
            .await
            .map(tonic::Response::into_inner)
            .map_err(ApiError::about_person(id))
    }

    /// The records of the persons an answer names that `viewer` may see,
    /// by id. The locations and events services answer with person ids
    /// only; this is where every answer of the API gets the persons'
    /// names, so that whom a caller may see is decided in one place.
    pub(crate) async fn persons_named(
        &self,
        ids: impl IntoIterator<Item = i64>,
        viewer: Viewer,
    ) -> Result<HashMap<i64, PersonJson>, ApiError> {
        let persons = self
            .person_directory
            .details(ids)
            .await
            .map_err(ApiError::peer("persons"))?;
        Ok(persons
            .into_iter()
            .filter(|(_, person)| viewer.may_see(person))
            .map(|(id, person)| (id, PersonJson::from(person)))
            .collect())
    }

    /// Each item with the record of the person it names (`person_id`),
    /// in order, for the items `viewer` may see; items naming a person the
    /// persons service does not know (erased since) are left out too.
    pub(crate) async fn with_persons<T>(
        &self,
        items: Vec<T>,
        person_id: impl Fn(&T) -> i64,
        viewer: Viewer,
    ) -> Result<Vec<(PersonJson, T)>, ApiError> {
        let mut persons = self
            .persons_named(items.iter().map(&person_id), viewer)
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|item| {
                persons
                    .remove(&person_id(&item))
                    .map(|person| (person, item))
            })
            .collect())
    }
}

/// Who looks at an answer that names other persons.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Viewer {
    /// Sees everyone: the organizer's routes that name individuals are
    /// logged as such.
    Organizer,
    /// An attendee (or their phone), with their own choices: sees those
    /// who chose to be visible, and only while visible themselves.
    Person(Privacy),
}

impl Viewer {
    /// `caller` looking at an answer about `subject`, the person the route
    /// addresses: the caller themself, unless the organizer.
    pub(crate) fn of(caller: &Caller, subject: &v1::Person) -> Self {
        match caller.0 {
            Principal::Organizer => Self::Organizer,
            _ => Self::Person(subject.privacy.unwrap_or_default().into()),
        }
    }

    fn may_see(self, person: &v1::Person) -> bool {
        match self {
            Self::Organizer => true,
            Self::Person(own) => Privacy::mutually_visible(
                own,
                person.privacy.map(Privacy::from).unwrap_or_default(),
            ),
        }
    }
}
