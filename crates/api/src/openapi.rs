//! The OpenAPI document, generated from the handlers so it cannot drift.

use utoipa::OpenApi;

use crate::{attendance, connections, contacts, events, json, locations, persons, problem};

/// The REST API's OpenAPI description, served at `/openapi.json` and
/// committed as `docs/openapi.yaml`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "UdaConnect API",
        description = "Attendees of a conference: the presentations and booths they attended, whom they share them with, and whom they met. Errors are RFC 9457 problem documents (`application/problem+json`) whose `field` names the offending input.",
        license(name = "MIT"),
    ),
    paths(
        persons::list_persons,
        persons::create_person,
        persons::get_person,
        connections::find_connections,
        contacts::find_contacts,
        locations::create_location,
        locations::get_location,
        events::list_events,
        events::create_event,
        events::get_event,
        events::put_floor_plan,
        events::list_areas,
        events::put_programme,
        events::list_presentations,
        attendance::get_statistics,
        attendance::get_attendance,
        attendance::find_shared,
        attendance::list_presentation_attendees,
        attendance::list_area_visitors,
    ),
    components(schemas(
        json::PersonJson,
        json::NewPersonJson,
        json::LocationJson,
        json::ConnectionJson,
        contacts::ContactsPageJson,
        contacts::ContactJson,
        contacts::MeetingJson,
        json::NewLocationJson,
        json::AcceptedLocationJson,
        events::EventJson,
        events::NewEventJson,
        events::PresentationJson,
        events::FloorPlanJson,
        events::AreaFeatureJson,
        events::AreaPropertiesJson,
        events::PolygonJson,
        attendance::AttendanceJson,
        attendance::AttendedPresentationJson,
        attendance::BoothJson,
        attendance::VisitedBoothJson,
        attendance::SharedPageJson,
        attendance::SharedWithJson,
        attendance::SharedPresentationJson,
        attendance::PresentationAttendeesJson,
        attendance::PresentationAttendeeJson,
        attendance::AreaVisitorsJson,
        attendance::AreaVisitorJson,
        attendance::EventStatisticsJson,
        attendance::PresentationCountJson,
        attendance::BoothHourJson,
        problem::Problem,
    )),
    tags(
        (name = "persons", description = "Attendees, whom they met (contacts), and the proof of concept's connections"),
        (name = "events", description = "Conferences: their floor plans (booths and rooms, GeoJSON), programmes (iCalendar or JSON) and the organizer's figures"),
        (name = "attendance", description = "Who attended which presentations and visited which booths, and whom each attendee shares the most with"),
        (name = "locations", description = "Location pings. New pings are accepted into a durable stream and stored asynchronously (202 Accepted)."),
    )
)]
pub struct ApiDoc;

/// The document as YAML, exactly as committed in `docs/openapi.yaml`.
pub fn openapi_yaml() -> String {
    ApiDoc::openapi()
        .to_yaml()
        .expect("the generated OpenAPI document serializes to YAML")
}
