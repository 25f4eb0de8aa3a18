//! An organizer's own identity provider as a token issuer: the test makes
//! its key set, serves it as the provider would, and signs tokens with it;
//! the API takes them as the attendee their claim names, and nothing else.

use axum::{Json, Router, routing::get};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::{Value, json};
use udaconnect_auth::{JwkSet, TokenSigner};
use udaconnect_persons::{CredentialArgs, ExternalIssuerArgs};

use crate::support::{ORGANIZER_TOKEN, Options, TestApp, get_as};

const ISSUER: &str = "https://login.example.org/realms/expo";

/// The provider's signing key, and its key set served at a local URL.
struct Provider {
    key: EncodingKey,
    key_id: String,
    jwks_url: String,
}

impl Provider {
    async fn start() -> Self {
        let pkcs8 = TokenSigner::generate_key().unwrap();
        let signer = TokenSigner::new(ISSUER, &pkcs8).unwrap();
        let set = JwkSet {
            keys: vec![signer.public_key().clone()],
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let jwks_url = format!(
            "http://{}/protocol/openid-connect/certs",
            listener.local_addr().unwrap()
        );
        let keys = Router::new().route(
            "/protocol/openid-connect/certs",
            get(move || {
                let set = set.clone();
                async move { Json(set) }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, keys).await.unwrap() });
        Self {
            key: EncodingKey::from_ed_der(&pkcs8),
            key_id: signer.key_id().to_owned(),
            jwks_url,
        }
    }

    /// A token of the provider with `claims` over the usual ones.
    fn token(&self, claims: Value) -> String {
        let mut all = json!({
            "iss": ISSUER, "aud": "udaconnect", "sub": "idp-user-17",
            "exp": jsonwebtoken::get_current_timestamp() + 600,
        });
        for (name, value) in claims.as_object().unwrap() {
            all[name] = value.clone();
        }
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.key_id.clone());
        jsonwebtoken::encode(&header, &all, &self.key).unwrap()
    }
}

#[tokio::test]
async fn the_provider_s_tokens_stand_for_the_attendee_their_claim_names() {
    let provider = Provider::start().await;
    let app = TestApp::spawn_with(Options {
        credentials: CredentialArgs {
            organizer_token: Some(ORGANIZER_TOKEN.to_owned()),
            external: ExternalIssuerArgs {
                oidc_issuer: Some(ISSUER.to_owned()),
                oidc_jwks_url: Some(provider.jwks_url.clone()),
                ..ExternalIssuerArgs::default()
            },
        },
        ..Options::default()
    })
    .await;
    let person: Value = app
        .http
        .post(format!("{}/api/persons", app.api_url))
        .json(&json!({"first_name": "Ida", "last_name": "Provider", "company_name": "Expo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = person["id"].as_i64().unwrap();

    // The provider vouches for the person: they are that attendee.
    let token = provider.token(json!({"udaconnect_person_id": id}));
    let (_, session) = get_as(&app, &token, "/api/session").await;
    assert_eq!(session["role"], "attendee");
    assert_eq!(session["person_id"], id);
    assert_eq!(
        get_as(&app, &token, &format!("/api/persons/{id}")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get_as(&app, &token, "/api/persons").await.0,
        StatusCode::FORBIDDEN
    );

    // Nothing else of the provider's, or claiming to be, gets in.
    for (why, bad) in [
        (
            "another audience",
            provider.token(json!({"udaconnect_person_id": id, "aud": "wiki"})),
        ),
        ("no person claim", provider.token(json!({}))),
        (
            "expired",
            provider.token(json!({"udaconnect_person_id": id, "exp": 1_000_000_000})),
        ),
        (
            "signed by another key",
            Provider {
                key_id: provider.key_id.clone(),
                ..Provider::start().await
            }
            .token(json!({"udaconnect_person_id": id})),
        ),
    ] {
        assert_eq!(
            get_as(&app, &bad, "/api/session").await.0,
            StatusCode::UNAUTHORIZED,
            "{why}"
        );
    }
}
