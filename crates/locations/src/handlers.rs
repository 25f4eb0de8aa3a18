//! The handlers of `udaconnect.v1.LocationService`.

use std::sync::Arc;

use chrono::Utc;
use futures::{StreamExt, TryStreamExt, stream::BoxStream};
use tonic::{Request, Response, Status};
use udaconnect_domain::{
    ConnectionQuery, ContactQuery, ContactQueryParts, Coordinates, EncounterFinder, FieldError,
    MAX_EVENT_LENGTH, NewLocation, check_id, group_contacts, page_of,
};
use udaconnect_persons::PersonDirectory;
use udaconnect_proto::{
    datetime_from_timestamp, duration_from_timedelta,
    limits::{AREA_PINGS_CHUNK, MAX_WRITE_LOCATIONS},
    new_location_from_wire, timedelta_from_duration, timestamp_from_datetime,
    v1::{self, location_service_server::LocationService},
};
use udaconnect_runtime::grpc::ServiceError;
use udaconnect_storage::{ContactSightings, LocationStore};

/// The queries name their fields as the REST API's parameters; a gRPC
/// client is told the request's own field names instead.
fn named_as_on_the_wire(mut error: FieldError) -> FieldError {
    error.field = match error.field.as_str() {
        "start" | "start_date" => "start_time",
        "end" | "end_date" => "end_time",
        "distance" => "distance_meters",
        "among" => "among_person_ids",
        other => other,
    }
    .to_owned();
    error
}

/// Connections (or a person's pings) per streamed message: about 100 KB.
const CONNECTIONS_PER_MESSAGE: usize = 1_000;

/// Pings of an area, as the gRPC server streams them.
type AreaPingChunks = BoxStream<'static, Result<v1::AreaPings, Status>>;

/// A streamed connection search, as the gRPC server sends it.
type ConnectionChunks = BoxStream<'static, Result<v1::FindConnectionsResponse, Status>>;

/// A person's pings, as the gRPC server streams them.
type PersonLocationChunks = BoxStream<'static, Result<v1::PersonLocations, Status>>;

/// Handlers of `udaconnect.v1.LocationService`.
#[derive(Debug, Clone)]
pub(crate) struct Locations {
    store: LocationStore,
    persons: PersonDirectory,
}

impl Locations {
    /// Handlers over `store`, checking person ids through `persons`.
    pub(crate) fn new(store: LocationStore, persons: PersonDirectory) -> Self {
        Self { store, persons }
    }

    async fn get(&self, id: i64) -> Result<v1::Location, ServiceError> {
        check_id("id", id)?;
        self.store
            .get(id)
            .await?
            .map(Into::into)
            .ok_or_else(|| ServiceError::NotFound(format!("no location with id {id}")))
    }

    #[tracing::instrument(skip_all, fields(batch = request.locations.len()))]
    async fn write(
        &self,
        request: v1::WriteLocationsRequest,
    ) -> Result<v1::WriteLocationsResponse, ServiceError> {
        if request.locations.len() > MAX_WRITE_LOCATIONS {
            return Err(FieldError::new(
                "locations",
                format!("at most {MAX_WRITE_LOCATIONS} locations per call"),
            )
            .into());
        }
        let now = Utc::now();
        let mut valid: Vec<(u64, NewLocation)> = Vec::with_capacity(request.locations.len());
        let mut rejected = Vec::new();
        for (index, wire) in (0..).zip(&request.locations) {
            match new_location_from_wire(wire, now) {
                Ok(location) => valid.push((index, location)),
                Err(error) => rejected.push(rejection(index, wire, &error)),
            }
        }

        let erased = self
            .store
            .erased_among(valid.iter().map(|(_, location)| location.person_id))
            .await?;
        let before = valid.len();
        valid.retain(|(_, location)| !erased.contains(&location.person_id));
        let dropped = before - valid.len();
        let (accepted, unknown) = self
            .persons
            .split_known(valid)
            .await
            .map_err(ServiceError::peer("persons"))?;
        for (index, error) in unknown {
            rejected.push(rejection(index, &request.locations[index as usize], &error));
        }
        rejected.sort_by_key(|rejection| rejection.index);

        let accepted: Vec<NewLocation> = accepted.into_iter().map(|(_, l)| l).collect();
        let written = self.store.write(&accepted).await?;
        metrics::counter!("locations_written_total").increment(written);
        // Bounded by MAX_WRITE_LOCATIONS, so these fit in u32.
        let written = written as u32;
        Ok(v1::WriteLocationsResponse {
            written,
            duplicates: accepted.len() as u32 - written,
            rejected,
            erased: dropped as u32,
        })
    }

    fn find_connections(
        &self,
        request: v1::FindConnectionsRequest,
    ) -> Result<ConnectionChunks, ServiceError> {
        let query = ConnectionQuery::new(
            request.person_id,
            datetime_from_timestamp("start_time", request.start_time.as_ref())?,
            datetime_from_timestamp("end_time", request.end_time.as_ref())?,
            request.distance_meters,
        )
        .map_err(named_as_on_the_wire)?;
        Ok(self
            .store
            .stream_connections(query, CONNECTIONS_PER_MESSAGE)
            .map(|chunk| {
                chunk
                    .map(|connections| v1::FindConnectionsResponse {
                        connections: connections.into_iter().map(Into::into).collect(),
                    })
                    .map_err(|error| Status::from(ServiceError::from(error)))
            })
            .boxed())
    }

    fn person_locations(&self, person_id: i64) -> Result<PersonLocationChunks, ServiceError> {
        check_id("person_id", person_id)?;
        Ok(self
            .store
            .stream_person_locations(person_id, CONNECTIONS_PER_MESSAGE)
            .map(|chunk| {
                chunk
                    .map(|locations| v1::PersonLocations {
                        locations: locations.into_iter().map(Into::into).collect(),
                    })
                    .map_err(|error| Status::from(ServiceError::from(error)))
            })
            .boxed())
    }

    fn stream_area_pings(
        &self,
        request: &v1::StreamAreaPingsRequest,
    ) -> Result<AreaPingChunks, ServiceError> {
        let start = datetime_from_timestamp("start_time", request.start_time.as_ref())?;
        let end = datetime_from_timestamp("end_time", request.end_time.as_ref())?;
        if end <= start || end - start > MAX_EVENT_LENGTH {
            return Err(FieldError::new(
                "end_time",
                "must be after start_time, by at most 31 days",
            )
            .into());
        }
        let corner = |field: &str, latitude, longitude| {
            Coordinates::new(latitude, longitude)
                .map_err(|error| FieldError::new(field, error.message))
        };
        let south_west = corner("min_latitude", request.min_latitude, request.min_longitude)?;
        let north_east = corner("max_latitude", request.max_latitude, request.max_longitude)?;
        if south_west.latitude() > north_east.latitude()
            || south_west.longitude() > north_east.longitude()
        {
            return Err(
                FieldError::new("max_latitude", "the box's minimum exceeds its maximum").into(),
            );
        }
        Ok(self
            .store
            .stream_area_pings((start, end), (south_west, north_east), AREA_PINGS_CHUNK)
            .map(|chunk| {
                chunk
                    .map(|pings| v1::AreaPings {
                        person_ids: pings.person_ids,
                        latitudes: pings.latitudes,
                        longitudes: pings.longitudes,
                        times_micros: pings
                            .times
                            .iter()
                            .map(chrono::DateTime::timestamp_micros)
                            .collect(),
                    })
                    .map_err(|error| Status::from(ServiceError::from(error)))
            })
            .boxed())
    }

    #[tracing::instrument(skip_all, fields(person_id = request.person_id, candidates))]
    async fn find_contacts(
        &self,
        request: v1::FindContactsRequest,
    ) -> Result<v1::FindContactsResponse, ServiceError> {
        let query = ContactQuery::new(ContactQueryParts {
            person_id: request.person_id,
            start: Some(datetime_from_timestamp(
                "start_time",
                request.start_time.as_ref(),
            )?),
            end: Some(datetime_from_timestamp(
                "end_time",
                request.end_time.as_ref(),
            )?),
            distance_meters: request.distance_meters,
            window: timedelta_from_duration("window", request.window.as_ref())?,
            min_duration: timedelta_from_duration("min_duration", request.min_duration.as_ref())?,
            limit: (request.limit != 0).then_some(request.limit),
            cursor: (!request.cursor.is_empty()).then_some(request.cursor.as_str()),
            among: &request.among_person_ids,
        })
        .map_err(named_as_on_the_wire)?;
        // An existence check, not a join: the answer names persons by id,
        // and the REST API adds their records. Made while the subject's
        // pings are read, which finds none for a person who does not exist.
        let (persons, sightings) = tokio::try_join!(
            async {
                self.persons
                    .existing([query.person_id()])
                    .await
                    .map_err(ServiceError::peer("persons"))
            },
            async { Ok(self.store.contact_sightings(&query).await?) },
        )?;
        if persons.is_empty() {
            return Err(ServiceError::NotFound(format!(
                "no person with id {}",
                query.person_id()
            )));
        }

        let ContactSightings {
            own,
            mut candidates,
        } = sightings;
        // Exact distances for every candidate, chunk by chunk as they are
        // read, so that matching overlaps reading: CPU work kept off the
        // request-serving threads.
        let finder = Arc::new(EncounterFinder::new(
            own,
            query.distance_meters(),
            query.window(),
        ));
        let mut matching = tokio::task::JoinSet::new();
        let mut read = 0;
        while let Some(chunk) = candidates.try_next().await? {
            read += chunk.len();
            let finder = Arc::clone(&finder);
            matching.spawn_blocking(move || finder.encounters_with(&chunk));
        }
        tracing::Span::current().record("candidates", read);
        let mut encounters = Vec::new();
        while let Some(found) = matching.join_next().await {
            encounters.extend(found.map_err(|error| ServiceError::Internal(error.into()))?);
        }
        let (window, min_duration) = (query.window(), query.min_duration());
        let ranked =
            tokio::task::spawn_blocking(move || group_contacts(encounters, window, min_duration))
                .await
                .map_err(|error| ServiceError::Internal(error.into()))?;
        let (page, next) = page_of(ranked, query.after(), query.limit());
        let contacts = page
            .into_iter()
            .map(|contact| v1::Contact {
                person_id: contact.person_id,
                // Bounded by the pings of one person in 31 days.
                meeting_count: contact.meetings.len() as u32,
                total_time: Some(duration_from_timedelta(contact.total_time())),
                first_met: Some(timestamp_from_datetime(contact.first_met())),
                last_met: Some(timestamp_from_datetime(contact.last_met())),
                meetings: contact.meetings.iter().map(Into::into).collect(),
            })
            .collect();
        Ok(v1::FindContactsResponse {
            contacts,
            next_cursor: next.map(|cursor| cursor.to_string()).unwrap_or_default(),
            distance_meters: query.distance_meters(),
            window: Some(duration_from_timedelta(query.window())),
            min_duration: Some(duration_from_timedelta(query.min_duration())),
        })
    }
}

fn rejection(index: u64, wire: &v1::NewLocation, error: &FieldError) -> v1::RejectedLocation {
    v1::RejectedLocation {
        // Bounded by MAX_WRITE_LOCATIONS.
        index: index as u32,
        event_id: wire.event_id.clone(),
        reason: error.to_string(),
    }
}

#[tonic::async_trait]
impl LocationService for Locations {
    async fn get_location(
        &self,
        request: Request<v1::GetLocationRequest>,
    ) -> Result<Response<v1::Location>, Status> {
        Ok(Response::new(self.get(request.get_ref().id).await?))
    }

    async fn write_locations(
        &self,
        request: Request<v1::WriteLocationsRequest>,
    ) -> Result<Response<v1::WriteLocationsResponse>, Status> {
        Ok(Response::new(self.write(request.into_inner()).await?))
    }

    type FindConnectionsStream = ConnectionChunks;

    async fn find_connections(
        &self,
        request: Request<v1::FindConnectionsRequest>,
    ) -> Result<Response<ConnectionChunks>, Status> {
        Ok(Response::new(Locations::find_connections(
            self,
            request.into_inner(),
        )?))
    }

    type ListPersonLocationsStream = PersonLocationChunks;

    async fn list_person_locations(
        &self,
        request: Request<v1::ListPersonLocationsRequest>,
    ) -> Result<Response<PersonLocationChunks>, Status> {
        Ok(Response::new(
            self.person_locations(request.get_ref().person_id)?,
        ))
    }

    type StreamAreaPingsStream = AreaPingChunks;

    async fn stream_area_pings(
        &self,
        request: Request<v1::StreamAreaPingsRequest>,
    ) -> Result<Response<AreaPingChunks>, Status> {
        Ok(Response::new(Locations::stream_area_pings(
            self,
            request.get_ref(),
        )?))
    }

    async fn find_contacts(
        &self,
        request: Request<v1::FindContactsRequest>,
    ) -> Result<Response<v1::FindContactsResponse>, Status> {
        Ok(Response::new(
            Locations::find_contacts(self, request.into_inner()).await?,
        ))
    }
}
