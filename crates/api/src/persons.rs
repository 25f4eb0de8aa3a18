//! `/api/persons`: list, create and read attendees.

use axum::{
    Json,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use udaconnect_domain::NewPerson;
use udaconnect_proto::v1;

use crate::{
    extract::{JsonBody, PathId},
    json::{NewPersonJson, PersonJson},
    problem::{ApiError, Problem},
    state::ApiState,
};

/// Every person, ordered by id.
#[utoipa::path(
    get, path = "/api/persons", tag = "persons",
    responses(
        (status = 200, description = "All persons, ordered by id", body = [PersonJson]),
        (status = 503, description = "A backing service is unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn list_persons(
    State(state): State<ApiState>,
) -> Result<Json<Vec<PersonJson>>, ApiError> {
    let response = state
        .persons
        .clone()
        .list_persons(v1::ListPersonsRequest {})
        .await
        .map_err(ApiError::peer("persons"))?;
    Ok(Json(
        response
            .into_inner()
            .persons
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Creates a person.
#[utoipa::path(
    post, path = "/api/persons", tag = "persons",
    request_body = NewPersonJson,
    responses(
        (status = 201, description = "Created; `Location` names the new person", body = PersonJson,
            headers(("Location" = String, description = "URL of the new person")),
            links(
                ("GetPerson" = (operation_id = "get_person", parameters(("person_id" = "$response.body#/id")))),
                ("GetPrivacy" = (operation_id = "get_privacy", parameters(("person_id" = "$response.body#/id")))),
                ("ExportPerson" = (operation_id = "export_person", parameters(("person_id" = "$response.body#/id")))),
                ("FindContacts" = (operation_id = "find_contacts", parameters(("person_id" = "$response.body#/id")))),
                ("FindConnections" = (operation_id = "find_connections", parameters(("person_id" = "$response.body#/id")))),
                ("GetAttendance" = (operation_id = "get_attendance", parameters(("person_id" = "$response.body#/id")))),
                ("FindShared" = (operation_id = "find_shared", parameters(("person_id" = "$response.body#/id")))),
                ("CreateEnrollmentCode" = (operation_id = "create_enrollment_code", parameters(("person_id" = "$response.body#/id")))),
                ("ListDevices" = (operation_id = "list_devices", parameters(("person_id" = "$response.body#/id")))),
                ("ErasePerson" = (operation_id = "erase_person", parameters(("person_id" = "$response.body#/id"))))
            )),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is larger than 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not declared as JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing, unknown or invalid; `field` names it", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn create_person(
    State(state): State<ApiState>,
    JsonBody(body): JsonBody<NewPersonJson>,
) -> Result<impl IntoResponse, ApiError> {
    let person = NewPerson::parse(&body.first_name, &body.last_name, &body.company_name)
        .map_err(ApiError::InvalidBody)?;
    let created = state
        .persons
        .clone()
        .create_person(v1::CreatePersonRequest {
            first_name: person.first_name().to_owned(),
            last_name: person.last_name().to_owned(),
            company_name: person.company_name().to_owned(),
        })
        .await
        .map_err(ApiError::peer("persons"))?
        .into_inner();
    let location = format!("/api/persons/{}", created.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(PersonJson::from(created)),
    ))
}

/// One person.
#[utoipa::path(
    get, path = "/api/persons/{person_id}", tag = "persons",
    params(("person_id" = i64, Path, minimum = 1, description = "The person's id (a positive integer)")),
    responses(
        (status = 200, description = "The person", body = PersonJson),
        (status = 400, description = "The id is not a positive integer", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such person", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_person(
    State(state): State<ApiState>,
    PathId(id): PathId,
) -> Result<Json<PersonJson>, ApiError> {
    Ok(Json(state.person(id).await?.into()))
}
