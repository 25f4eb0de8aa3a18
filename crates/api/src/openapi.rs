//! The OpenAPI document, generated from the handlers so it cannot drift.

use utoipa::OpenApi;

use crate::{connections, contacts, json, locations, persons, problem};

/// The REST API's OpenAPI description, served at `/openapi.json` and
/// committed as `docs/openapi.yaml`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "UdaConnect API",
        description = "Attendees of a conference and whom they met. Errors are RFC 9457 problem documents (`application/problem+json`) whose `field` names the offending input.",
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
        problem::Problem,
    )),
    tags(
        (name = "persons", description = "Attendees, whom they met (contacts), and the proof of concept's connections"),
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
