//! Identity over gRPC against the persons service and its database:
//! enrollment codes, the tokens they buy, the keys that verify them and
//! the revocation of devices.

use sha2::{Digest, Sha256};
use tonic::Code;
use udaconnect_auth::{JwkSet, Principal, TokenError, TokenVerifier};
use udaconnect_proto::v1;
use uuid::Uuid;

use crate::support::PersonsApp;

async fn add_person(app: &mut PersonsApp) -> i64 {
    app.grpc
        .create_person(v1::CreatePersonRequest {
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            company_name: "Analytical Engines".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .id
}

async fn code_for(app: &mut PersonsApp, person_id: i64) -> String {
    app.grpc
        .create_enrollment_code(v1::CreateEnrollmentCodeRequest { person_id })
        .await
        .unwrap()
        .into_inner()
        .code
}

async fn devices_of(app: &mut PersonsApp, person_id: i64) -> Vec<v1::Device> {
    app.grpc
        .list_devices(v1::ListDevicesRequest { person_id })
        .await
        .unwrap()
        .into_inner()
        .devices
}

fn device(code: &str) -> v1::RedeemEnrollmentCodeRequest {
    v1::RedeemEnrollmentCodeRequest {
        code: code.to_owned(),
        enrollment: v1::Enrollment::Device.into(),
        device_name: "Ada's phone".into(),
    }
}

/// A verifier that knows what the service publishes, as other services
/// will.
async fn verifier(app: &mut PersonsApp) -> TokenVerifier {
    let set = app
        .grpc
        .get_key_set(v1::GetKeySetRequest {})
        .await
        .unwrap()
        .into_inner();
    let verifier = TokenVerifier::default();
    let keys: JwkSet = serde_json::from_str(&set.jwks).unwrap();
    assert!(verifier.replace_keys(&set.issuer, &keys) >= 1);
    verifier
}

fn assert_invalid(status: tonic::Status, field: &str) {
    assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
    assert!(
        status.message().starts_with(field),
        "{field}: {}",
        status.message()
    );
}

#[tokio::test]
async fn a_phone_enrols_with_a_code_and_its_token_names_the_person_and_device() {
    let mut app = PersonsApp::spawn().await;
    let person_id = add_person(&mut app).await;
    let issued = app
        .grpc
        .create_enrollment_code(v1::CreateEnrollmentCodeRequest { person_id })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(issued.person_id, person_id);
    assert!(issued.expires.is_some());

    // Typed as a person would: lower case, spaces for dashes.
    let typed = issued.code.to_lowercase().replace('-', " ");
    let credential = app
        .grpc
        .redeem_enrollment_code(device(&typed))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(credential.person_id, person_id);
    let device_id: Uuid = credential.device_id.parse().unwrap();

    let claims = verifier(&mut app).await.verify(&credential.token).unwrap();
    assert_eq!(
        Principal::from_claims(&claims),
        Some(Principal::Device {
            person_id,
            device_id
        })
    );
    let devices = devices_of(&mut app, person_id).await;
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].id, credential.device_id);
    assert_eq!(devices[0].name, "Ada's phone");
    assert!(devices[0].revoked.is_none());
}

#[tokio::test]
async fn the_web_page_signs_in_with_a_code_as_the_attendee() {
    let mut app = PersonsApp::spawn().await;
    let person_id = add_person(&mut app).await;
    let code = code_for(&mut app, person_id).await;
    let credential = app
        .grpc
        .redeem_enrollment_code(v1::RedeemEnrollmentCodeRequest {
            code,
            enrollment: v1::Enrollment::Web.into(),
            device_name: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(credential.device_id.is_empty());
    let claims = verifier(&mut app).await.verify(&credential.token).unwrap();
    assert_eq!(
        Principal::from_claims(&claims),
        Some(Principal::Attendee { person_id })
    );
    // A web sign-in binds no device.
    let devices = devices_of(&mut app, person_id).await;
    assert!(devices.is_empty());
}

#[tokio::test]
async fn a_code_is_used_once_even_when_redeemed_many_times_at_once() {
    let mut app = PersonsApp::spawn().await;
    let person_id = add_person(&mut app).await;
    let code = code_for(&mut app, person_id).await;
    let attempts = (0..8).map(|_| {
        let mut grpc = app.grpc.clone();
        let request = device(&code);
        tokio::spawn(async move { grpc.redeem_enrollment_code(request).await })
    });
    let mut redeemed = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => redeemed += 1,
            Err(status) => assert_invalid(status, "code"),
        }
    }
    assert_eq!(redeemed, 1);
    let status = app
        .grpc
        .redeem_enrollment_code(device(&code))
        .await
        .unwrap_err();
    assert_invalid(status, "code");
    let devices: i64 = sqlx::query_scalar("SELECT count(*) FROM device")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(devices, 1);
}

#[tokio::test]
async fn an_expired_code_is_refused_like_an_unknown_one_and_stays_unused() {
    let mut app = PersonsApp::spawn().await;
    let person_id = add_person(&mut app).await;
    let code = code_for(&mut app, person_id).await;
    sqlx::query("UPDATE enrollment_code SET expires_at = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    let expired = app
        .grpc
        .redeem_enrollment_code(device(&code))
        .await
        .unwrap_err();
    let unknown = app
        .grpc
        .redeem_enrollment_code(device("0000-0000-0000"))
        .await
        .unwrap_err();
    assert_invalid(expired.clone(), "code");
    assert_eq!(expired.message(), unknown.message());
    let unused: bool =
        sqlx::query_scalar("SELECT bool_and(redeemed_at IS NULL) FROM enrollment_code")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(unused);
}

#[tokio::test]
async fn only_a_hash_of_the_code_is_stored() {
    let mut app = PersonsApp::spawn().await;
    let person_id = add_person(&mut app).await;
    let code = code_for(&mut app, person_id).await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT code_hash FROM enrollment_code")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let canonical = code.replace('-', "");
    assert_eq!(stored, Sha256::digest(canonical.as_bytes()).to_vec());
    let row: String = sqlx::query_scalar("SELECT enrollment_code::text FROM enrollment_code")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(!row.contains(&canonical), "{row}");
}

#[tokio::test]
async fn bad_requests_name_their_field() {
    let mut app = PersonsApp::spawn().await;
    let person_id = add_person(&mut app).await;
    let status = app
        .grpc
        .create_enrollment_code(v1::CreateEnrollmentCodeRequest { person_id: 0 })
        .await
        .unwrap_err();
    assert_invalid(status, "person_id");
    let status = app
        .grpc
        .create_enrollment_code(v1::CreateEnrollmentCodeRequest {
            person_id: person_id + 1,
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::NotFound);

    let code = code_for(&mut app, person_id).await;
    let unnamed = v1::RedeemEnrollmentCodeRequest {
        device_name: "  ".into(),
        ..device(&code)
    };
    let status = app.grpc.redeem_enrollment_code(unnamed).await.unwrap_err();
    assert_invalid(status, "device_name");
    let unspecified = v1::RedeemEnrollmentCodeRequest {
        enrollment: v1::Enrollment::Unspecified.into(),
        ..device(&code)
    };
    let status = app
        .grpc
        .redeem_enrollment_code(unspecified)
        .await
        .unwrap_err();
    assert_invalid(status, "enrollment");
    let status = app
        .grpc
        .redeem_enrollment_code(device("not a code"))
        .await
        .unwrap_err();
    assert_invalid(status, "code");
    // None of them used the code up.
    app.grpc
        .redeem_enrollment_code(device(&code))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_revoked_device_is_listed_until_its_token_would_have_expired() {
    let mut app = PersonsApp::spawn().await;
    let (ada, bob) = (add_person(&mut app).await, add_person(&mut app).await);
    let code = code_for(&mut app, ada).await;
    let credential = app
        .grpc
        .redeem_enrollment_code(device(&code))
        .await
        .unwrap()
        .into_inner();
    let reader = app.grpc.clone();
    let revoked = || async {
        let mut grpc = reader.clone();
        grpc.list_restrictions(v1::ListRestrictionsRequest {})
            .await
            .unwrap()
            .into_inner()
            .revoked_device_ids
    };
    assert!(revoked().await.is_empty());

    // Only its person may revoke it: another's answer is NOT_FOUND.
    for (person_id, device_id) in [
        (bob, credential.device_id.clone()),
        (ada, Uuid::now_v7().to_string()),
        (ada, "not-a-uuid".to_owned()),
    ] {
        let status = app
            .grpc
            .revoke_device(v1::RevokeDeviceRequest {
                person_id,
                device_id,
            })
            .await
            .unwrap_err();
        assert_eq!(status.code(), Code::NotFound, "{status:?}");
    }
    assert!(revoked().await.is_empty());

    let device = app
        .grpc
        .revoke_device(v1::RevokeDeviceRequest {
            person_id: ada,
            device_id: credential.device_id.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(device.revoked.is_some());
    assert_eq!(revoked().await, vec![credential.device_id.clone()]);

    // Enrolled longer ago than a device token lasts: its token has expired
    // whatever the list says, so the list drops it.
    sqlx::query("UPDATE device SET created_at = now() - interval '31 days'")
        .execute(&app.db)
        .await
        .unwrap();
    assert!(revoked().await.is_empty());
}

#[tokio::test]
async fn the_signing_key_outlives_a_restart() {
    let mut app = PersonsApp::spawn().await;
    let person_id = add_person(&mut app).await;
    let code = code_for(&mut app, person_id).await;
    let token = app
        .grpc
        .redeem_enrollment_code(device(&code))
        .await
        .unwrap()
        .into_inner()
        .token;
    app.stop().await;
    app.start().await;
    assert!(verifier(&mut app).await.verify(&token).is_ok());
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM signing_key")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(keys, 1);
    // And a token from a key it never published is refused.
    let stranger = udaconnect_auth::TokenSigner::new(
        "udaconnect",
        &udaconnect_auth::TokenSigner::generate_key().unwrap(),
    )
    .unwrap();
    let forged = stranger
        .issue(
            &person_id.to_string(),
            udaconnect_auth::Role::Organizer,
            Uuid::now_v7(),
            std::time::Duration::from_secs(60),
        )
        .unwrap();
    assert_eq!(
        verifier(&mut app).await.verify(&forged),
        Err(TokenError::UnknownKey)
    );
}
