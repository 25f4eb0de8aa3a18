//! The handlers of `udaconnect.v1.EventService`.

use futures::StreamExt;
use tonic::{Request, Response, Status, Streaming};
use udaconnect_domain::{AttendanceRules, Event, FieldError, NewEvent, Visit, VisitGap, check_id};
use udaconnect_proto::{
    datetime_from_timestamp, duration_from_timedelta,
    limits::MAX_VISITS_PER_CALL,
    timedelta_from_duration, timestamp_from_datetime,
    v1::{self, event_service_server::EventService, put_programme_request::Document},
    visit_from_wire,
};
use udaconnect_runtime::grpc::ServiceError;
use udaconnect_storage::{EventStore, FloorPlanChange, SharedPageRequest};

use crate::{floor_plan::parse_floor_plan, programme, schedule::schedule};

/// Largest request the service decodes: a floor plan of thousands of
/// polygons, or a chunk of visits.
pub(crate) const MAX_MESSAGE_BYTES: usize = 32 * 1024 * 1024;

/// Most visits one rebuild may replace (an event of 10,000 attendees with
/// a few hundred stays each).
const MAX_REBUILT_VISITS: usize = 10_000_000;

/// Entries per page of shared attendance: unless asked, and at most.
const DEFAULT_SHARED_PAGE: u32 = 100;
const MAX_SHARED_PAGE: u32 = 1_000;

/// Handlers of `udaconnect.v1.EventService`.
#[derive(Debug, Clone)]
pub(crate) struct Events {
    store: EventStore,
    rules: AttendanceRules,
}

impl Events {
    /// Handlers over `store`, judging attendance by `rules`.
    pub(crate) fn new(store: EventStore, rules: AttendanceRules) -> Self {
        Self { store, rules }
    }

    async fn event(&self, id: i64) -> Result<Event, ServiceError> {
        check_id("event_id", id)?;
        self.store
            .event(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no event with id {id}")))
    }

    async fn create(&self, request: v1::CreateEventRequest) -> Result<v1::Event, ServiceError> {
        let event = NewEvent::new(
            &request.name,
            datetime_from_timestamp("start", request.start.as_ref())?,
            datetime_from_timestamp("end", request.end.as_ref())?,
            &request.time_zone,
        )?;
        if !self.store.time_zone_exists(event.time_zone()).await? {
            return Err(FieldError::new(
                "time_zone",
                format!(
                    "{:?} is not a known time zone (use an IANA name such as Europe/Berlin)",
                    event.time_zone()
                ),
            )
            .into());
        }
        let created = self.store.create_event(&event).await?;
        tracing::info!(id = created.id, "event created");
        Ok((&created).into())
    }

    async fn put_floor_plan(
        &self,
        request: v1::PutFloorPlanRequest,
    ) -> Result<v1::PutFloorPlanResponse, ServiceError> {
        let event = self.event(request.event_id).await?;
        let areas = parse_floor_plan("geojson", &request.geojson)?;
        match self.store.replace_floor_plan(event.id, &areas).await? {
            FloorPlanChange::Replaced(areas) => {
                tracing::info!(event = event.id, areas = areas.len(), "floor plan replaced");
                Ok(v1::PutFloorPlanResponse {
                    areas: areas.iter().map(Into::into).collect(),
                })
            }
            FloorPlanChange::InvalidOutline { index, reason } => Err(FieldError::new(
                format!("features[{index}].geometry"),
                format!("is not a valid polygon: {reason}"),
            )
            .into()),
            FloorPlanChange::RoomInUse { name } => Err(ServiceError::FailedPrecondition(format!(
                "the programme still has presentations in room {name:?}; change the programme first"
            ))),
        }
    }

    async fn put_programme(
        &self,
        request: v1::PutProgrammeRequest,
    ) -> Result<v1::PutProgrammeResponse, ServiceError> {
        let event = self.event(request.event_id).await?;
        let presentations = match &request.document {
            Some(Document::Icalendar(text)) => programme::parse_icalendar("icalendar", text)?,
            Some(Document::Json(text)) => programme::parse_json("json", text)?,
            None => {
                return Err(FieldError::new("document", "send icalendar or json").into());
            }
        };
        let scheduled = schedule(&self.store, &event, presentations).await?;
        let stored = self.store.replace_programme(event.id, &scheduled).await?;
        tracing::info!(
            event = event.id,
            presentations = stored.len(),
            "programme replaced"
        );
        Ok(v1::PutProgrammeResponse {
            presentations: stored.iter().map(Into::into).collect(),
        })
    }

    async fn floor_plans(&self, known: i64) -> Result<v1::GetFloorPlansResponse, ServiceError> {
        Ok(match self.store.floor_plans(known).await? {
            None => v1::GetFloorPlansResponse {
                revision: known,
                unchanged: true,
                ..Default::default()
            },
            Some(plans) => v1::GetFloorPlansResponse {
                revision: plans.revision,
                unchanged: false,
                events: plans.events.iter().map(Into::into).collect(),
                areas: plans.areas.iter().map(Into::into).collect(),
            },
        })
    }

    async fn record_visits(
        &self,
        request: v1::RecordVisitsRequest,
    ) -> Result<v1::RecordVisitsResponse, ServiceError> {
        let gap = timedelta_from_duration("max_gap", request.max_gap.as_ref())?
            .ok_or_else(|| FieldError::new("max_gap", "is required"))?;
        let gap = VisitGap::new(gap)?;
        let visits = visits_from_wire(&request.visits)?;
        let changed = self.store.record_visits(&visits, gap).await?;
        metrics::counter!("events_visits_changed_total").increment(u64::from(changed));
        Ok(v1::RecordVisitsResponse { changed })
    }

    async fn replace_event_visits(
        &self,
        mut chunks: Streaming<v1::ReplaceEventVisitsRequest>,
    ) -> Result<v1::ReplaceEventVisitsResponse, ServiceError> {
        let mut event_id = None;
        let mut visits = Vec::new();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|status| {
                ServiceError::InvalidArgument(FieldError::new(
                    "stream",
                    format!("broke before its end: {}", status.message()),
                ))
            })?;
            if *event_id.get_or_insert(chunk.event_id) != chunk.event_id {
                return Err(FieldError::new("event_id", "must be the same in every chunk").into());
            }
            visits.extend(visits_from_wire(&chunk.visits)?);
            if visits.len() > MAX_REBUILT_VISITS {
                return Err(FieldError::new(
                    "visits",
                    format!("at most {MAX_REBUILT_VISITS} visits per event"),
                )
                .into());
            }
        }
        let event = self
            .event(event_id.ok_or_else(|| FieldError::new("event_id", "no chunk was sent"))?)
            .await?;
        let (removed, stored) = self.store.replace_event_visits(event.id, &visits).await?;
        tracing::info!(event = event.id, removed, stored, "visits rebuilt");
        Ok(v1::ReplaceEventVisitsResponse {
            removed: u32::try_from(removed).unwrap_or(u32::MAX),
            stored,
        })
    }

    async fn attendance(
        &self,
        request: &v1::AttendanceRequest,
    ) -> Result<v1::Attendance, ServiceError> {
        check_id("person_id", request.person_id)?;
        let event = self.event(request.event_id).await?;
        let (presentations, booths) = self
            .store
            .attendance(request.person_id, event.id, &self.rules)
            .await?;
        Ok(v1::Attendance {
            presentations: presentations
                .iter()
                .map(|attended| v1::AttendedPresentation {
                    presentation: Some((&attended.presentation).into()),
                    present: Some(duration_from_timedelta(attended.present)),
                    arrived: Some(timestamp_from_datetime(attended.arrived)),
                    left: Some(timestamp_from_datetime(attended.left)),
                })
                .collect(),
            booths: booths
                .iter()
                .map(|visited| v1::VisitedBooth {
                    booth: Some((&visited.booth).into()),
                    dwell: Some(duration_from_timedelta(visited.dwell)),
                    visits: visited.visits,
                    first_arrived: Some(timestamp_from_datetime(visited.first_arrived)),
                    last_left: Some(timestamp_from_datetime(visited.last_left)),
                })
                .collect(),
        })
    }

    async fn shared(
        &self,
        request: &v1::FindSharedAttendanceRequest,
    ) -> Result<v1::FindSharedAttendanceResponse, ServiceError> {
        check_id("person_id", request.person_id)?;
        let page = shared_page(request)?;
        let event = self.event(request.event_id).await?;
        let found = self
            .store
            .shared_attendance(request.person_id, event.id, &self.rules, page)
            .await?;
        let next = page.offset.saturating_add(page.limit);
        Ok(v1::FindSharedAttendanceResponse {
            others: found
                .others
                .into_iter()
                .map(|other| v1::SharedAttendance {
                    person_id: other.person_id,
                    presentation_ids: other.presentation_ids,
                    booth_ids: other.booth_ids,
                })
                .collect(),
            next_cursor: if next < found.total {
                next.to_string()
            } else {
                String::new()
            },
            total: found.total,
            presentations: found.presentations.iter().map(Into::into).collect(),
            booths: found.booths.iter().map(Into::into).collect(),
        })
    }

    async fn presentation_attendees(
        &self,
        id: i64,
    ) -> Result<v1::ListPresentationAttendeesResponse, ServiceError> {
        check_id("presentation_id", id)?;
        let presentation = self
            .store
            .presentation(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no presentation with id {id}")))?;
        let attendees = self.store.presentation_attendees(id, &self.rules).await?;
        Ok(v1::ListPresentationAttendeesResponse {
            presentation: Some((&presentation).into()),
            attendees: attendees
                .iter()
                .map(|attendee| v1::PresentationAttendee {
                    person_id: attendee.person_id,
                    present: Some(duration_from_timedelta(attendee.present)),
                    arrived: Some(timestamp_from_datetime(attendee.arrived)),
                    left: Some(timestamp_from_datetime(attendee.left)),
                })
                .collect(),
        })
    }

    async fn area_visitors(&self, id: i64) -> Result<v1::ListAreaVisitorsResponse, ServiceError> {
        check_id("area_id", id)?;
        let area = self
            .store
            .area(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no area with id {id}")))?;
        let visitors = self.store.area_visitors(&area, &self.rules).await?;
        Ok(v1::ListAreaVisitorsResponse {
            area: Some((&area).into()),
            visitors: visitors
                .iter()
                .map(|visitor| v1::AreaVisitor {
                    person_id: visitor.person_id,
                    dwell: Some(duration_from_timedelta(visitor.dwell)),
                    visits: visitor.visits,
                    first_arrived: Some(timestamp_from_datetime(visitor.first_arrived)),
                    last_left: Some(timestamp_from_datetime(visitor.last_left)),
                    counted: visitor.counted,
                })
                .collect(),
        })
    }

    async fn person_visits(
        &self,
        person_id: i64,
    ) -> Result<v1::ListPersonVisitsResponse, ServiceError> {
        check_id("person_id", person_id)?;
        Ok(v1::ListPersonVisitsResponse {
            visits: self
                .store
                .person_visits(person_id)
                .await?
                .into_iter()
                .map(|visit| v1::PersonVisit {
                    event_id: visit.event_id,
                    area_id: visit.area_id,
                    area_name: visit.area_name,
                    area_kind: visit.area_kind.as_str().to_owned(),
                    start: Some(timestamp_from_datetime(visit.start)),
                    end: Some(timestamp_from_datetime(visit.end)),
                })
                .collect(),
        })
    }

    async fn statistics(&self, id: i64) -> Result<v1::EventStatistics, ServiceError> {
        let event = self.event(id).await?;
        let statistics = self.store.event_statistics(event.id, &self.rules).await?;
        Ok(v1::EventStatistics {
            presentations: statistics
                .presentations
                .into_iter()
                .map(|(presentation_id, attendees)| v1::PresentationCount {
                    presentation_id,
                    attendees,
                })
                .collect(),
            booth_traffic: statistics
                .booth_traffic
                .into_iter()
                .map(|hour| v1::BoothHour {
                    booth_id: hour.booth_id,
                    hour: Some(timestamp_from_datetime(hour.hour)),
                    visitors: hour.visitors,
                })
                .collect(),
        })
    }
}

/// Visits as sent, checked; errors name the visit.
/// The page a shared-attendance request asks for; its cursor is the
/// number of ranked entries before it.
fn shared_page(request: &v1::FindSharedAttendanceRequest) -> Result<SharedPageRequest, FieldError> {
    let limit = match request.limit {
        0 => DEFAULT_SHARED_PAGE,
        limit if limit <= MAX_SHARED_PAGE => limit,
        _ => {
            return Err(FieldError::new(
                "limit",
                format!("must be at most {MAX_SHARED_PAGE}"),
            ));
        }
    };
    let offset = match request.cursor.as_str() {
        "" => 0,
        cursor => cursor
            .parse()
            .map_err(|_| FieldError::new("cursor", "must be the next_cursor of a previous page"))?,
    };
    Ok(SharedPageRequest { limit, offset })
}

fn visits_from_wire(wire: &[v1::Visit]) -> Result<Vec<Visit>, FieldError> {
    if wire.len() > MAX_VISITS_PER_CALL {
        return Err(FieldError::new(
            "visits",
            format!("at most {MAX_VISITS_PER_CALL} visits per call"),
        ));
    }
    wire.iter()
        .enumerate()
        .map(|(index, visit)| {
            let field = format!("visits[{index}]");
            check_id(&format!("{field}.person_id"), visit.person_id)?;
            check_id(&format!("{field}.area_id"), visit.area_id)?;
            visit_from_wire(&field, visit)
        })
        .collect()
}

#[tonic::async_trait]
impl EventService for Events {
    async fn create_event(
        &self,
        request: Request<v1::CreateEventRequest>,
    ) -> Result<Response<v1::Event>, Status> {
        Ok(Response::new(self.create(request.into_inner()).await?))
    }

    async fn get_event(
        &self,
        request: Request<v1::GetEventRequest>,
    ) -> Result<Response<v1::Event>, Status> {
        let event = self.event(request.get_ref().id).await?;
        Ok(Response::new((&event).into()))
    }

    async fn list_events(
        &self,
        _request: Request<v1::ListEventsRequest>,
    ) -> Result<Response<v1::ListEventsResponse>, Status> {
        let events = self.store.events().await.map_err(ServiceError::from)?;
        Ok(Response::new(v1::ListEventsResponse {
            events: events.iter().map(Into::into).collect(),
        }))
    }

    async fn put_floor_plan(
        &self,
        request: Request<v1::PutFloorPlanRequest>,
    ) -> Result<Response<v1::PutFloorPlanResponse>, Status> {
        Ok(Response::new(
            self.put_floor_plan(request.into_inner()).await?,
        ))
    }

    async fn list_areas(
        &self,
        request: Request<v1::ListAreasRequest>,
    ) -> Result<Response<v1::ListAreasResponse>, Status> {
        let event = self.event(request.get_ref().event_id).await?;
        let areas = self
            .store
            .areas(event.id)
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(v1::ListAreasResponse {
            areas: areas.iter().map(Into::into).collect(),
        }))
    }

    async fn put_programme(
        &self,
        request: Request<v1::PutProgrammeRequest>,
    ) -> Result<Response<v1::PutProgrammeResponse>, Status> {
        Ok(Response::new(
            self.put_programme(request.into_inner()).await?,
        ))
    }

    async fn list_presentations(
        &self,
        request: Request<v1::ListPresentationsRequest>,
    ) -> Result<Response<v1::ListPresentationsResponse>, Status> {
        let event = self.event(request.get_ref().event_id).await?;
        let presentations = self
            .store
            .presentations(event.id)
            .await
            .map_err(ServiceError::from)?;
        Ok(Response::new(v1::ListPresentationsResponse {
            presentations: presentations.iter().map(Into::into).collect(),
        }))
    }

    async fn get_floor_plans(
        &self,
        request: Request<v1::GetFloorPlansRequest>,
    ) -> Result<Response<v1::GetFloorPlansResponse>, Status> {
        Ok(Response::new(
            self.floor_plans(request.get_ref().known_revision).await?,
        ))
    }

    async fn record_visits(
        &self,
        request: Request<v1::RecordVisitsRequest>,
    ) -> Result<Response<v1::RecordVisitsResponse>, Status> {
        Ok(Response::new(
            self.record_visits(request.into_inner()).await?,
        ))
    }

    async fn replace_event_visits(
        &self,
        request: Request<Streaming<v1::ReplaceEventVisitsRequest>>,
    ) -> Result<Response<v1::ReplaceEventVisitsResponse>, Status> {
        Ok(Response::new(
            self.replace_event_visits(request.into_inner()).await?,
        ))
    }

    async fn get_attendance(
        &self,
        request: Request<v1::AttendanceRequest>,
    ) -> Result<Response<v1::Attendance>, Status> {
        Ok(Response::new(self.attendance(request.get_ref()).await?))
    }

    async fn find_shared_attendance(
        &self,
        request: Request<v1::FindSharedAttendanceRequest>,
    ) -> Result<Response<v1::FindSharedAttendanceResponse>, Status> {
        Ok(Response::new(self.shared(request.get_ref()).await?))
    }

    async fn list_presentation_attendees(
        &self,
        request: Request<v1::ListPresentationAttendeesRequest>,
    ) -> Result<Response<v1::ListPresentationAttendeesResponse>, Status> {
        Ok(Response::new(
            self.presentation_attendees(request.get_ref().presentation_id)
                .await?,
        ))
    }

    async fn list_area_visitors(
        &self,
        request: Request<v1::ListAreaVisitorsRequest>,
    ) -> Result<Response<v1::ListAreaVisitorsResponse>, Status> {
        Ok(Response::new(
            self.area_visitors(request.get_ref().area_id).await?,
        ))
    }

    async fn list_person_visits(
        &self,
        request: Request<v1::ListPersonVisitsRequest>,
    ) -> Result<Response<v1::ListPersonVisitsResponse>, Status> {
        Ok(Response::new(
            self.person_visits(request.get_ref().person_id).await?,
        ))
    }

    async fn get_event_statistics(
        &self,
        request: Request<v1::GetEventRequest>,
    ) -> Result<Response<v1::EventStatistics>, Status> {
        Ok(Response::new(self.statistics(request.get_ref().id).await?))
    }
}
