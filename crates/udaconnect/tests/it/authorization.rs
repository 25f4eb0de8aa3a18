//! Who may call what, for every operation the OpenAPI document lists,
//! against the running stack: each operation × {anonymous, attendee self,
//! attendee other, device self, device other, organizer, expired token,
//! forged signature, `alg: none`}. The expected rule of each operation is
//! written here, apart from the code that enforces it; an operation without
//! one fails the test. And the phones' gRPC ingest, by the same tokens.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use reqwest::{Method, StatusCode};
use udaconnect_auth::{AUDIENCE, Claims, Role, TokenSigner};
use udaconnect_proto::v1;
use udaconnect_runtime::grpc::{self, BearerToken};
use utoipa::OpenApi;
use uuid::Uuid;

use crate::support::{ORGANIZER_TOKEN, Options, TestApp, ingest_as, ping, redeem, token};

/// The person whose data the requests address, and another one.
const SELF: i64 = 1;
const OTHER: i64 = 5;

/// What an operation requires, as the issue states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Open to anyone.
    Public,
    /// Any signed-in caller.
    SignedIn,
    /// The person in the path, or the organizer.
    PathPerson,
    /// The person in the path alone.
    OwnPerson,
    /// A device of the person the ping names, or the organizer.
    Pings,
    /// The location's person, or the organizer; others get 404 as for a
    /// missing location.
    OwnLocation,
    /// The organizer alone.
    Organizer,
}

fn rule_of(operation: &str) -> Option<Rule> {
    use Rule::*;
    Some(match operation {
        "redeem_enrollment" | "get_key_set" => Public,
        "get_session" | "list_events" | "get_event" | "list_areas" | "list_presentations" => {
            SignedIn
        }
        "get_person"
        | "export_person"
        | "find_connections"
        | "find_contacts"
        | "get_attendance"
        | "find_shared"
        | "create_enrollment_code"
        | "list_devices"
        | "revoke_device"
        | "get_privacy"
        | "erase_person" => PathPerson,
        "set_privacy" => OwnPerson,
        "create_location" => Pings,
        "get_location" => OwnLocation,
        "list_persons"
        | "create_person"
        | "create_event"
        | "put_floor_plan"
        | "put_programme"
        | "get_statistics"
        | "list_presentation_attendees"
        | "list_area_visitors" => Organizer,
        _ => return None,
    })
}

/// The callers of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    AttendeeSelf,
    AttendeeOther,
    DeviceSelf,
    DeviceOther,
    Organizer,
    Expired,
    Forged,
    AlgNone,
}

const CALLERS: [Caller; 9] = [
    Caller::Anonymous,
    Caller::AttendeeSelf,
    Caller::AttendeeOther,
    Caller::DeviceSelf,
    Caller::DeviceOther,
    Caller::Organizer,
    Caller::Expired,
    Caller::Forged,
    Caller::AlgNone,
];

/// What the caller must get: `Some(status)` exactly, or `None` for "let
/// through" (any answer but 401 and 403).
fn expected(rule: Rule, caller: Caller) -> Option<StatusCode> {
    use Caller::*;
    let (unauthorized, forbidden, not_found) = (
        Some(StatusCode::UNAUTHORIZED),
        Some(StatusCode::FORBIDDEN),
        Some(StatusCode::NOT_FOUND),
    );
    if rule == Rule::Public {
        return None;
    }
    match caller {
        Anonymous | Expired | Forged | AlgNone => unauthorized,
        Organizer if rule == Rule::OwnPerson => forbidden,
        Organizer => None,
        AttendeeSelf | DeviceSelf => match rule {
            Rule::Organizer => forbidden,
            Rule::Pings if caller == AttendeeSelf => forbidden,
            _ => None,
        },
        AttendeeOther | DeviceOther => match rule {
            Rule::SignedIn => None,
            Rule::OwnLocation => not_found,
            _ => forbidden,
        },
    }
}

/// Tokens of each caller.
struct Tokens {
    attendee_self: String,
    attendee_other: String,
    device_self: String,
    device_other: String,
    expired: String,
    forged: String,
    alg_none: String,
    /// A device of SELF that the revocation route may revoke.
    spare_device: String,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

async fn tokens(app: &TestApp) -> Tokens {
    let device_self = redeem(app, SELF, "device").await;
    let spare = redeem(app, SELF, "device").await;
    // The persons service's own key, to sign a token that is expired but
    // otherwise genuine.
    let key: Vec<u8> =
        sqlx::query_scalar("SELECT private_key FROM signing_key ORDER BY id DESC LIMIT 1")
            .fetch_one(app.persons_store.pool())
            .await
            .unwrap();
    let genuine = TokenSigner::new("udaconnect", &key).unwrap();
    let claims = |exp| Claims {
        iss: "udaconnect".into(),
        aud: AUDIENCE.into(),
        sub: SELF.to_string(),
        role: Role::Attendee,
        iat: exp - 3_600,
        exp,
        jti: Uuid::now_v7(),
    };
    let expired = genuine.sign(&claims(now() - 600)).unwrap();
    assert_eq!(
        token_status(app, &genuine.sign(&claims(now() + 600)).unwrap()).await,
        StatusCode::OK,
        "the key read from the database is the one that signs"
    );
    let forger = TokenSigner::new("udaconnect", &TokenSigner::generate_key().unwrap()).unwrap();
    let forged_parts: Vec<String> = forger
        .sign(&Claims {
            role: Role::Organizer,
            sub: "organizer".into(),
            ..claims(now() + 600)
        })
        .unwrap()
        .split('.')
        .map(str::to_owned)
        .collect();
    let header = |value: serde_json::Value| URL_SAFE_NO_PAD.encode(value.to_string());
    let forged = format!(
        "{}.{}.{}",
        header(serde_json::json!({"alg": "EdDSA", "typ": "JWT", "kid": genuine.key_id()})),
        forged_parts[1],
        forged_parts[2]
    );
    let alg_none = format!(
        "{}.{}.",
        header(serde_json::json!({"alg": "none", "typ": "JWT"})),
        URL_SAFE_NO_PAD.encode(
            serde_json::to_string(&Claims {
                role: Role::Organizer,
                sub: "organizer".into(),
                ..claims(now() + 600)
            })
            .unwrap()
        )
    );
    Tokens {
        attendee_self: token(&redeem(app, SELF, "web").await),
        attendee_other: token(&redeem(app, OTHER, "web").await),
        device_self: token(&device_self),
        device_other: token(&redeem(app, OTHER, "device").await),
        expired,
        forged,
        alg_none,
        spare_device: spare["device_id"].as_str().unwrap().to_owned(),
    }
}

async fn token_status(app: &TestApp, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{}/api/session", app.api_url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

impl Tokens {
    fn of(&self, caller: Caller) -> Option<&str> {
        Some(match caller {
            Caller::Anonymous => return None,
            Caller::AttendeeSelf => &self.attendee_self,
            Caller::AttendeeOther => &self.attendee_other,
            Caller::DeviceSelf => &self.device_self,
            Caller::DeviceOther => &self.device_other,
            Caller::Organizer => ORGANIZER_TOKEN,
            Caller::Expired => &self.expired,
            Caller::Forged => &self.forged,
            Caller::AlgNone => &self.alg_none,
        })
    }
}

/// A request body that passes each operation's checks as far as possible,
/// so "let through" is seen past the body's parsing.
fn body_of(operation: &str) -> Option<(&'static str, String)> {
    let json = |value: serde_json::Value| Some(("application/json", value.to_string()));
    match operation {
        "create_location" => json(serde_json::json!({
            "person_id": SELF, "latitude": "-122.29", "longitude": "37.55",
            "creation_time": "2020-08-18T10:37:06"
        })),
        "create_person" => json(serde_json::json!({
            "first_name": "Matrix", "last_name": "Test", "company_name": "UdaConnect"
        })),
        "create_event" => json(serde_json::json!({
            "name": "Matrix", "start": "2020-08-18T08:00:00Z", "end": "2020-08-18T18:00:00Z",
            "time_zone": "UTC"
        })),
        "redeem_enrollment" => {
            json(serde_json::json!({"code": "0000-0000-0000", "enrollment": "web"}))
        }
        "put_floor_plan" => json(serde_json::json!({"type": "FeatureCollection", "features": []})),
        "put_programme" => json(serde_json::json!({"presentations": []})),
        "set_privacy" => {
            json(serde_json::json!({"visible_to_others": false, "location_paused": false}))
        }
        _ => None,
    }
}

/// The operation's path with its parameters filled in: persons are SELF,
/// the location is one of SELF's, other ids need not exist.
fn path_of(template: &str, location_id: i64, device_id: &str) -> String {
    template
        .replace("{person_id}", &SELF.to_string())
        .replace("{location_id}", &location_id.to_string())
        .replace("{device_id}", device_id)
        .replace("{event_id}", "1")
        .replace("{presentation_id}", "1")
        .replace("{area_id}", "1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_each_caller_as_its_rule_says() {
    let app = TestApp::seeded().await;
    let tokens = tokens(&app).await;
    let location_id: i64 = sqlx::query_scalar("SELECT min(id) FROM location WHERE person_id = $1")
        .bind(SELF)
        .fetch_one(&app.locations_db)
        .await
        .unwrap();
    let spec = serde_json::to_value(udaconnect_api::ApiDoc::openapi()).unwrap();
    let client = reqwest::Client::new();
    let mut wrong = Vec::new();
    let mut checked = 0;
    let mut operations: Vec<(&String, &String, &str)> = spec["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(template, operations)| {
            operations
                .as_object()
                .unwrap()
                .iter()
                .map(move |(method, operation)| {
                    (template, method, operation["operationId"].as_str().unwrap())
                })
        })
        .collect();
    // Erasing SELF comes last, since it ends SELF's tokens; once one
    // erasure was let through, SELF's remaining tokens may already be
    // refused.
    operations.sort_by_key(|(_, _, id)| *id == "erase_person");
    let mut erased = false;
    for (template, method, id) in operations {
        let Some(rule) = rule_of(id) else {
            wrong.push(format!("{id}: no rule in this test"));
            continue;
        };
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let path = path_of(template, location_id, &tokens.spare_device);
        for caller in CALLERS {
            let mut request = client.request(method.clone(), format!("{}{path}", app.api_url));
            if let Some(token) = tokens.of(caller) {
                request = request.bearer_auth(token);
            }
            if let Some((content_type, body)) = body_of(id) {
                request = request.header("content-type", content_type).body(body);
            }
            let status = request.send().await.unwrap().status();
            checked += 1;
            let right = match expected(rule, caller) {
                Some(expected) => status == expected,
                None if erased && status == StatusCode::UNAUTHORIZED => {
                    matches!(caller, Caller::AttendeeSelf | Caller::DeviceSelf)
                }
                None => status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
            };
            erased |= id == "erase_person" && status == StatusCode::ACCEPTED;
            // And never a server error, whoever asks.
            if !right || status.is_server_error() {
                wrong.push(format!(
                    "{method} {path} ({id}, {rule:?}) as {caller:?}: {status}, expected {}",
                    expected(rule, caller).map_or("not 401/403".to_owned(), |s| s.to_string())
                ));
            }
        }
    }
    assert!(checked > 200, "the matrix ran: {checked} requests");
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Whether a person or location exists is told to no one who may not see
/// it: the answers for an existing and a missing id are the same.
#[tokio::test]
async fn ids_reveal_nothing_to_those_who_may_not_see_them() {
    let app = TestApp::seeded().await;
    let other = token(&redeem(&app, OTHER, "web").await);
    let client = reqwest::Client::new();
    let missing_location: i64 = sqlx::query_scalar("SELECT max(id) + 1000 FROM location")
        .fetch_one(&app.locations_db)
        .await
        .unwrap();
    let someone_elses: i64 =
        sqlx::query_scalar("SELECT min(id) FROM location WHERE person_id = $1")
            .bind(SELF)
            .fetch_one(&app.locations_db)
            .await
            .unwrap();
    let answer = |path: String| {
        let request = client
            .get(format!("{}{path}", app.api_url))
            .bearer_auth(&other);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let body: serde_json::Value = response.json().await.unwrap();
            (
                status,
                without_numbers(body["detail"].as_str().unwrap_or_default()),
            )
        }
    };
    assert_eq!(
        answer(format!("/api/persons/{SELF}/contacts")).await,
        answer("/api/persons/987654/contacts".to_owned()).await
    );
    assert_eq!(
        answer(format!("/api/locations/{someone_elses}")).await,
        answer(format!("/api/locations/{missing_location}")).await
    );
}

/// The text with each number written as `#`, so answers naming different
/// ids compare equal.
fn without_numbers(text: &str) -> String {
    let mut written = String::new();
    for c in text.chars() {
        if !c.is_ascii_digit() {
            written.push(c);
        } else if !written.ends_with('#') {
            written.push('#');
        }
    }
    written
}

/// A revoked phone's token stops working within the refresh period.
#[tokio::test]
async fn a_revoked_device_is_refused_within_the_refresh_period() {
    let app = TestApp::seeded().await;
    let device = redeem(&app, SELF, "device").await;
    let device_token = token(&device);
    assert_eq!(token_status(&app, &device_token).await, StatusCode::OK);
    let revoked = reqwest::Client::new()
        .delete(format!(
            "{}/api/persons/{SELF}/devices/{}",
            app.api_url,
            device["device_id"].as_str().unwrap()
        ))
        .bearer_auth(&device_token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        revoked.status(),
        StatusCode::OK,
        "a person may revoke their own device"
    );
    let started = Instant::now();
    while token_status(&app, &device_token).await != StatusCode::UNAUTHORIZED {
        assert!(
            started.elapsed() < udaconnect_persons::REVOCATION_REFRESH + Duration::from_secs(5),
            "the revoked token still works"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Phones send their own person's pings; the organizer anyone's; nobody
/// else any.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_takes_a_phone_s_own_pings_and_the_organizer_s() {
    let app = TestApp::seeded().await;
    let phone = token(&redeem(&app, SELF, "device").await);
    let web = token(&redeem(&app, SELF, "web").await);
    let forger = TokenSigner::new("udaconnect", &TokenSigner::generate_key().unwrap()).unwrap();
    let forged = forger
        .issue(
            &SELF.to_string(),
            Role::Device,
            Uuid::now_v7(),
            Duration::from_secs(60),
        )
        .unwrap();

    for (who, token) in [("nobody", None), ("a forged token", Some(forged.as_str()))] {
        let status = ingest_as(&app, token)
            .send_ping(ping(SELF))
            .await
            .unwrap_err();
        assert_eq!(
            status.code(),
            tonic::Code::Unauthenticated,
            "{who}: {status:?}"
        );
        let status = ingest_as(&app, token)
            .stream_pings(tokio_stream::iter(vec![ping(SELF)]))
            .await
            .unwrap_err();
        assert_eq!(
            status.code(),
            tonic::Code::Unauthenticated,
            "{who}: {status:?}"
        );
    }
    let status = ingest_as(&app, Some(&web))
        .send_ping(ping(SELF))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");

    let mut phone_ingest = ingest_as(&app, Some(&phone));
    phone_ingest.send_ping(ping(SELF)).await.unwrap();
    let status = phone_ingest.send_ping(ping(OTHER)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::PermissionDenied, "{status:?}");
    let ack = phone_ingest
        .send_pings(v1::PingBatch {
            pings: vec![ping(SELF), ping(OTHER)],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ack.accepted_event_ids.len(), 1);
    assert_eq!(ack.rejected.len(), 1);
    assert_eq!(ack.rejected[0].index, 1);
    assert_eq!(ack.rejected[0].code, tonic::Code::PermissionDenied as i32);

    let ack = ingest_as(&app, Some(ORGANIZER_TOKEN))
        .send_pings(v1::PingBatch {
            pings: vec![ping(SELF), ping(OTHER)],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ack.accepted_event_ids.len(), 2, "{ack:?}");
}

/// A phone revoked while its stream is open is cut off within the refresh
/// period, and its next call is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_phone_s_open_stream_ends() {
    let app = TestApp::seeded().await;
    let device = redeem(&app, SELF, "device").await;
    let phone = token(&device);
    let (pings, outgoing) = tokio::sync::mpsc::channel(16);
    let mut acks = ingest_as(&app, Some(&phone))
        .stream_pings(tokio_stream::wrappers::ReceiverStream::new(outgoing))
        .await
        .unwrap()
        .into_inner();
    pings.send(ping(SELF)).await.unwrap();
    let first = acks.message().await.unwrap().unwrap();
    assert_eq!(first.accepted, 1);

    let revoked = app
        .http
        .delete(format!(
            "{}/api/persons/{SELF}/devices/{}",
            app.api_url,
            device["device_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let started = Instant::now();
    let ended = loop {
        assert!(
            started.elapsed() < udaconnect_persons::REVOCATION_REFRESH + Duration::from_secs(10),
            "the revoked phone's stream is still open"
        );
        // Keep the phone talking, as a live one does.
        let _ = pings.send(ping(SELF)).await;
        match tokio::time::timeout(Duration::from_millis(500), acks.message()).await {
            Ok(Ok(Some(_))) | Err(_) => continue,
            Ok(Ok(None)) => panic!("the stream ended without a status"),
            Ok(Err(status)) => break status,
        }
    };
    assert_eq!(ended.code(), tonic::Code::Unauthenticated, "{ended:?}");
    let status = ingest_as(&app, Some(&phone))
        .send_ping(ping(SELF))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
}

/// One caller past its allowance is told to wait (429 with Retry-After;
/// RESOURCE_EXHAUSTED) while another caller, and the organizer, go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_past_its_rate_limit_waits_and_no_one_else_does() {
    let app = TestApp::spawn_with(Options {
        rate_limit: (1.0, 3.0),
        ..Options::default()
    })
    .await;
    let person = app
        .http
        .post(format!("{}/api/persons", app.api_url))
        .json(&serde_json::json!({"first_name": "Rate", "last_name": "Limit", "company_name": "U"}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    // Redeeming a code is anonymous: this address's allowance, which the
    // guesses below then use up.
    let phone = token(&redeem(&app, person, "device").await);
    let anonymous = reqwest::Client::new();
    let guess = || {
        anonymous
            .post(format!("{}/api/enrollments", app.api_url))
            .json(&serde_json::json!({"code": "0000-0000-0000", "enrollment": "web"}))
            .send()
    };
    let mut refused = None;
    for attempt in 0..6 {
        let answer = guess().await.unwrap();
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(attempt >= 1, "the allowance is three calls at once");
            refused = Some(answer);
            break;
        }
        assert_eq!(answer.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let refused = refused.expect("guessing codes fast is refused");
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let problem: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(problem["status"], 429);

    // A phone has an allowance of its own, and ingest counts its calls too.
    let mut ingest = ingest_as(&app, Some(&phone));
    let mut exhausted = None;
    for _ in 0..5 {
        if let Err(status) = ingest.send_ping(ping(person)).await {
            exhausted = Some(status);
            break;
        }
    }
    let status = exhausted.expect("the phone's fourth call in a second is refused");
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");

    // The organizer is not limited.
    for _ in 0..10 {
        let answer = app
            .http
            .get(format!("{}/api/persons/{person}", app.api_url))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
    }
}

/// Behind a trusted proxy (an ingress), anonymous callers are told apart by
/// the address the proxy passes on, so one cannot use up another's
/// allowance; an address the client itself put in front of the proxy's is
/// not believed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_proxy_each_client_has_an_allowance_of_its_own() {
    let app = TestApp::spawn_with(Options {
        // Two calls at once, and the next only after two seconds.
        rate_limit: (0.5, 2.0),
        trusted_proxies: "127.0.0.1".parse().unwrap(),
        ..Options::default()
    })
    .await;
    let anonymous = reqwest::Client::new();
    let guess_from = |forwarded_for: &'static str| {
        let request = anonymous
            .post(format!("{}/api/enrollments", app.api_url))
            .header("x-forwarded-for", forwarded_for)
            .json(&serde_json::json!({"code": "0000-0000-0000", "enrollment": "web"}))
            .send();
        async move { request.await.unwrap().status() }
    };
    let mut first = Vec::new();
    for _ in 0..3 {
        first.push(guess_from("198.51.100.1").await);
    }
    assert_eq!(
        first,
        [
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(
        guess_from("198.51.100.2").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another client behind the same proxy has its own allowance"
    );
    assert_eq!(
        guess_from("203.0.113.50, 198.51.100.1").await,
        StatusCode::TOO_MANY_REQUESTS,
        "the proxy saw 198.51.100.1, whatever that client wrote before it"
    );

    // Ingest reads the same header from the call's metadata.
    let ingest = ingest_as(&app, None);
    let call_from = |forwarded_for: &'static str| {
        let mut request = tonic::Request::new(ping(SELF));
        request
            .metadata_mut()
            .insert("x-forwarded-for", forwarded_for.parse().unwrap());
        let mut ingest = ingest.clone();
        async move { ingest.send_ping(request).await }
    };
    let mut codes = Vec::new();
    for _ in 0..3 {
        codes.push(call_from("198.51.100.7").await.unwrap_err().code());
    }
    assert_eq!(
        codes,
        [
            tonic::Code::Unauthenticated,
            tonic::Code::Unauthenticated,
            tonic::Code::ResourceExhausted
        ]
    );
    let other = call_from("198.51.100.8").await.unwrap_err();
    assert_eq!(other.code(), tonic::Code::Unauthenticated, "{other:?}");
}

/// The internal services answer UdaConnect's own services only: a call
/// without the service token, or with the organizer's or a phone's, is
/// refused before any handler runs; their health still answers the
/// probes.
#[tokio::test]
async fn the_internal_services_answer_the_services_only() {
    use v1::{
        event_service_client::EventServiceClient, location_service_client::LocationServiceClient,
        person_service_client::PersonServiceClient,
    };
    let app = TestApp::seeded().await;
    let phone = token(&redeem(&app, SELF, "device").await);
    for token in ["", ORGANIZER_TOKEN, &phone] {
        let signed = |url: &str| {
            BearerToken::new(token)
                .unwrap()
                .sign(grpc::channel(url).unwrap())
        };
        let refusals = [
            PersonServiceClient::new(signed(&app.persons_url))
                .get_person(v1::GetPersonRequest { id: SELF })
                .await
                .map(|_| ()),
            LocationServiceClient::new(signed(&app.locations_url))
                .get_location(v1::GetLocationRequest { id: 1 })
                .await
                .map(|_| ()),
            EventServiceClient::new(signed(&app.events_url))
                .list_events(v1::ListEventsRequest {})
                .await
                .map(|_| ()),
        ];
        for (service, answer) in ["persons", "locations", "events"].iter().zip(refusals) {
            assert_eq!(
                answer.map_err(|status| status.code()),
                Err(tonic::Code::Unauthenticated),
                "{service} with the token {token:?}"
            );
        }
    }
    // The health the probes ask needs no token.
    let unsigned = [&app.persons_url, &app.locations_url, &app.events_url]
        .map(|url| ("internal", grpc::channel(url).unwrap()));
    let readiness = grpc::peer_readiness(unsigned.to_vec());
    assert_eq!(readiness.check().await, Ok(()));
    // With the service token, they answer.
    let person = app
        .persons_grpc
        .clone()
        .get_person(v1::GetPersonRequest { id: SELF })
        .await
        .unwrap();
    assert_eq!(person.into_inner().id, SELF);
}
