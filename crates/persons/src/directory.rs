//! The persons service as other services see it: whether a person exists
//! (remembering the answers that cannot change) and persons' records, for
//! the one place that joins persons to answers (the REST API).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, RwLock},
};

use tonic::Status;
use udaconnect_domain::{FieldError, NewLocation, PersonId};
use udaconnect_proto::{
    limits::MAX_BATCH_GET_PERSONS,
    v1::{self, BatchGetPersonsRequest, person_service_client::PersonServiceClient},
};
use udaconnect_runtime::grpc::SignedChannel;

/// How many known person ids are remembered before the memory is reset.
const MAX_REMEMBERED: usize = 1_000_000;

/// A caching view of which persons exist. Persons are never deleted, so a
/// person once seen stays known; unknown ids are asked again every time,
/// since the person may be created a moment later.
#[derive(Debug, Clone)]
pub struct PersonDirectory {
    client: PersonServiceClient<SignedChannel>,
    known: Arc<RwLock<HashSet<PersonId>>>,
}

impl PersonDirectory {
    /// A directory asking the persons service behind `channel`.
    pub fn new(channel: SignedChannel) -> Self {
        Self {
            client: PersonServiceClient::new(channel),
            known: Arc::default(),
        }
    }

    /// The subset of `ids` that are existing persons.
    pub async fn existing(
        &self,
        ids: impl IntoIterator<Item = PersonId>,
    ) -> Result<HashSet<PersonId>, Status> {
        let mut found = HashSet::new();
        let mut unknown = Vec::new();
        {
            let known = self
                .known
                .read()
                .unwrap_or_else(|poison| poison.into_inner());
            for id in ids {
                if known.contains(&id) {
                    found.insert(id);
                } else {
                    unknown.push(id);
                }
            }
        }
        if unknown.is_empty() {
            return Ok(found);
        }
        let fetched = self.fetch(unknown).await?;
        found.extend(fetched.into_iter().map(|person| person.id));
        Ok(found)
    }

    /// The records of those `ids` that are existing persons, by id (always
    /// asked of the persons service: names may change).
    pub async fn details(
        &self,
        ids: impl IntoIterator<Item = PersonId>,
    ) -> Result<HashMap<PersonId, v1::Person>, Status> {
        let persons = self.fetch(ids.into_iter().collect()).await?;
        Ok(persons
            .into_iter()
            .map(|person| (person.id, person))
            .collect())
    }

    /// Asks the persons service for `ids` and remembers those that exist.
    async fn fetch(&self, mut ids: Vec<PersonId>) -> Result<Vec<v1::Person>, Status> {
        ids.sort_unstable();
        ids.dedup();
        let mut client = self.client.clone();
        let mut fetched = Vec::new();
        for chunk in ids.chunks(MAX_BATCH_GET_PERSONS) {
            let response = client
                .batch_get_persons(BatchGetPersonsRequest {
                    ids: chunk.to_vec(),
                })
                .await?;
            fetched.extend(response.into_inner().persons);
        }
        let mut known = self
            .known
            .write()
            .unwrap_or_else(|poison| poison.into_inner());
        if known.len() + fetched.len() > MAX_REMEMBERED {
            known.clear();
        }
        known.extend(fetched.iter().map(|person| person.id));
        Ok(fetched)
    }

    /// Splits numbered pings into those of existing persons and those of
    /// unknown ones, each of the latter with the error that names it.
    pub async fn split_known(
        &self,
        pings: Vec<(u64, NewLocation)>,
    ) -> Result<(Vec<(u64, NewLocation)>, Vec<(u64, FieldError)>), Status> {
        let existing = self
            .existing(pings.iter().map(|(_, location)| location.person_id))
            .await?;
        let (known, unknown): (Vec<_>, Vec<_>) = pings
            .into_iter()
            .partition(|(_, location)| existing.contains(&location.person_id));
        let unknown = unknown
            .into_iter()
            .map(|(index, location)| (index, unknown_person(location.person_id)))
            .collect();
        Ok((known, unknown))
    }
}

/// The error for a ping or body naming a person who does not exist.
pub fn unknown_person(person_id: PersonId) -> FieldError {
    FieldError::new("person_id", format!("no person with id {person_id}"))
}
