//! The OpenAPI document, generated from the handlers so it cannot drift.

use utoipa::{
    Modify, OpenApi,
    openapi::{
        Content, RefOr, Response,
        link::Link,
        security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme},
    },
};

use crate::{
    attendance, connections, contacts, events, export, identity, json, locations, persons, privacy,
    problem,
};

/// The REST API's OpenAPI description, served at `/openapi.json` and
/// committed as `docs/openapi.yaml`.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "UdaConnect API",
        description = "Attendees of a conference: the presentations and booths they attended, whom they share them with, and whom they met. Errors are RFC 9457 problem documents (`application/problem+json`) whose `field` names the offending input.",
        license(name = "MIT"),
    ),
    modifiers(&BearerTokens),
    security(("bearer" = [])),
    paths(
        identity::redeem_enrollment,
        identity::get_session,
        identity::create_enrollment_code,
        identity::list_devices,
        identity::revoke_device,
        identity::get_key_set,
        persons::list_persons,
        persons::create_person,
        persons::get_person,
        privacy::erase_person,
        privacy::get_privacy,
        privacy::set_privacy,
        export::export_person,
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
        identity::EnrollmentCodeJson,
        identity::EnrollmentKind,
        identity::NewEnrollmentJson,
        identity::CredentialJson,
        identity::DeviceJson,
        identity::SessionJson,
        json::PersonJson,
        json::NewPersonJson,
        privacy::PrivacyJson,
        privacy::ErasureJson,
        export::PersonExportJson,
        export::VisitJson,
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
        events::NewFloorPlanJson,
        events::NewAreaFeatureJson,
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
        (name = "identity", description = "Signing in: one-time enrollment codes exchanged for a phone's device token or the web page's attendee token; devices and their revocation. Every other route takes `Authorization: Bearer <token>`: the organizer's (`ORGANIZER_TOKEN`), an attendee's or a device's."),
        (name = "persons", description = "Attendees, whom they met (contacts), and the proof of concept's connections"),
        (name = "events", description = "Conferences: their floor plans (booths and rooms, GeoJSON), programmes (iCalendar or JSON) and the organizer's figures"),
        (name = "attendance", description = "Who attended which presentations and visited which booths, and whom each attendee shares the most with"),
        (name = "privacy", description = "What an attendee decides about their data: whether other attendees see them (mutually; nobody is shown until they choose to be), pausing their location, and erasing everything."),
        (name = "locations", description = "Location pings. New pings are accepted into a durable stream and stored asynchronously (202 Accepted)."),
    )
)]
pub struct ApiDoc;

/// Declares the bearer scheme, and on every operation that requires it the
/// 401 and 403 it may answer (and on every operation the 429 of the rate
/// limits and the 503 of a backing service down or a request too slow, on
/// every one with parameters the 400 of an invalid one, on every one with a
/// body the 408 of a stalled body), so clients and fuzzers know them.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT, or the organizer's token")
                    .build(),
            ),
        );
        let problem = || {
            Content::builder()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                ))))
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for response in operation.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        spell_links(response);
                    }
                }
                operation.responses.responses.insert(
                    "429".to_owned(),
                    RefOr::T(
                        Response::builder()
                            .description(
                                "Too many requests from this phone, person or address; \
                                 `Retry-After` says when to try again",
                            )
                            .content("application/problem+json", problem())
                            .build(),
                    ),
                );
                // Any route may find a backing service down, or run past the
                // time limit; the operations that say more keep their words.
                operation
                    .responses
                    .responses
                    .entry("503".to_owned())
                    .or_insert_with(|| {
                        RefOr::T(
                            Response::builder()
                                .description(
                                    "A backing service is unavailable, or the request took \
                                     longer than the API allows; retry later",
                                )
                                .content("application/problem+json", problem())
                                .build(),
                        )
                    });
                // Every path and query parameter is checked before anything
                // else (an id above 2^63 - 1 too): the operations that say
                // more keep their words.
                if operation
                    .parameters
                    .as_ref()
                    .is_some_and(|parameters| !parameters.is_empty())
                {
                    operation
                        .responses
                        .responses
                        .entry("400".to_owned())
                        .or_insert_with(|| {
                            RefOr::T(
                                Response::builder()
                                    .description(
                                        "A path or query parameter is invalid; `field` names it",
                                    )
                                    .content("application/problem+json", problem())
                                    .build(),
                            )
                        });
                }
                if operation.request_body.is_some() {
                    operation.responses.responses.insert(
                        "408".to_owned(),
                        RefOr::T(
                            Response::builder()
                                .description("The body stopped arriving for 5 s; send it whole")
                                .content("application/problem+json", problem())
                                .build(),
                        ),
                    );
                }
                let public = operation
                    .security
                    .as_ref()
                    .is_some_and(|requirements| requirements.iter().all(is_empty_requirement));
                if public {
                    continue;
                }
                for (status, description) in [
                    ("401", "No token, or one that is expired, forged or revoked"),
                    ("403", "The caller may not do this"),
                ] {
                    operation.responses.responses.insert(
                        status.to_owned(),
                        RefOr::T(
                            Response::builder()
                                .description(description)
                                .content("application/problem+json", problem())
                                .build(),
                        ),
                    );
                }
            }
        }
    }
}

/// Writes a response's links with their fields as OpenAPI spells them
/// (`operationId`, `operationRef`, `requestBody`): utoipa 5 serializes
/// them in snake case, which no reader of the document (schemathesis
/// following links, for one) understands. The links move, as JSON, to the
/// response's one extension `links`; a JSON object's keys serialize in a
/// fixed order, where two fields moved into a link's own extensions (a
/// `HashMap`) came out in either order.
fn spell_links(response: &mut Response) {
    if response.links.is_empty() {
        return;
    }
    let links: serde_json::Map<String, serde_json::Value> = std::mem::take(&mut response.links)
        .into_iter()
        .map(|(name, link)| (name, openapi_spelled(link)))
        .collect();
    response
        .extensions
        .get_or_insert_with(Default::default)
        .insert("links".to_owned(), links.into());
}

/// A link (or a reference to one) as JSON, its fields named as OpenAPI names them.
fn openapi_spelled(link: RefOr<Link>) -> serde_json::Value {
    let serialized = serde_json::to_value(link).expect("a link serializes to JSON");
    let serde_json::Value::Object(fields) = serialized else {
        return serialized;
    };
    fields
        .into_iter()
        .map(|(name, value)| {
            let name = match name.as_str() {
                "operation_id" => "operationId".to_owned(),
                "operation_ref" => "operationRef".to_owned(),
                "request_body" => "requestBody".to_owned(),
                _ => name,
            };
            (name, value)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// `security(())`: an operation open to anyone.
fn is_empty_requirement(requirement: &SecurityRequirement) -> bool {
    requirement == &SecurityRequirement::default()
}

/// The document as YAML, exactly as committed in `docs/openapi.yaml`.
pub fn openapi_yaml() -> String {
    ApiDoc::openapi()
        .to_yaml()
        .expect("the generated OpenAPI document serializes to YAML")
}
