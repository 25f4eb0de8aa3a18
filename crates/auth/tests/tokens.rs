//! Tokens as a verifier sees them: the ones it must accept and each kind
//! it must refuse.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use udaconnect_auth::{
    AUDIENCE, Claims, JwkSet, Principal, Role, TokenError, TokenSigner, TokenVerifier,
};
use uuid::Uuid;

const ISSUER: &str = "https://udaconnect.test";

fn signer() -> TokenSigner {
    TokenSigner::new(ISSUER, &TokenSigner::generate_key().unwrap()).unwrap()
}

/// A verifier that knows the signers' public keys, published and read back
/// as a JSON key set, as services receive them.
fn verifier_of(signers: &[&TokenSigner]) -> TokenVerifier {
    let published = serde_json::to_string(&JwkSet {
        keys: signers
            .iter()
            .map(|signer| signer.public_key().clone())
            .collect(),
    })
    .unwrap();
    let verifier = TokenVerifier::default();
    let set: JwkSet = serde_json::from_str(&published).unwrap();
    assert_eq!(verifier.replace_keys(ISSUER, &set), signers.len());
    verifier
}

/// A token valid for ten minutes, with a token id of its own.
fn fresh_token(signer: &TokenSigner, role: Role, subject: &str) -> String {
    signer
        .issue(subject, role, Uuid::now_v7(), Duration::from_secs(600))
        .unwrap()
}

/// The claims of a fresh token, to alter and sign again.
fn claims(signer: &TokenSigner, role: Role, subject: &str) -> Claims {
    let token = fresh_token(signer, role, subject);
    let (_, payload, _) = parts(&token);
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn parts(token: &str) -> (&str, &str, &str) {
    let mut parts = token.split('.');
    (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    )
}

fn encode_json(value: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[test]
fn a_device_token_names_its_person_and_device() {
    let signer = signer();
    let device = Uuid::now_v7();
    let token = signer
        .issue("42", Role::Device, device, Duration::from_secs(600))
        .unwrap();
    let claims = verifier_of(&[&signer]).verify(&token).unwrap();
    assert_eq!(claims.aud, AUDIENCE);
    assert_eq!(
        Principal::from_claims(&claims),
        Some(Principal::Device {
            person_id: 42,
            device_id: device
        })
    );
}

#[test]
fn a_person_token_must_name_a_positive_person_id() {
    let signer = signer();
    for subject in ["0", "-3", "organizer", ""] {
        let claims = claims(&signer, Role::Attendee, subject);
        assert_eq!(Principal::from_claims(&claims), None, "{subject:?}");
    }
}

#[test]
fn an_expired_token_is_refused() {
    let signer = signer();
    let mut expired = claims(&signer, Role::Attendee, "7");
    expired.iat -= 7_200;
    expired.exp = expired.iat + 3_600;
    let token = signer.sign(&expired).unwrap();
    assert_eq!(
        verifier_of(&[&signer]).verify(&token),
        Err(TokenError::Expired)
    );
}

#[test]
fn a_token_signed_by_another_key_under_a_known_key_id_is_forged() {
    let (genuine, forger) = (signer(), signer());
    let forged = fresh_token(&forger, Role::Organizer, "7");
    let (_, payload, signature) = parts(&forged);
    let header = encode_json(&serde_json::json!({
        "alg": "EdDSA", "typ": "JWT", "kid": genuine.key_id()
    }));
    assert_eq!(
        verifier_of(&[&genuine]).verify(&format!("{header}.{payload}.{signature}")),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn changed_claims_break_the_signature() {
    let signer = signer();
    let token = fresh_token(&signer, Role::Attendee, "7");
    let (header, _, signature) = parts(&token);
    let mut claims = claims(&signer, Role::Attendee, "7");
    claims.sub = "8".into();
    let payload = encode_json(&serde_json::to_value(&claims).unwrap());
    assert_eq!(
        verifier_of(&[&signer]).verify(&format!("{header}.{payload}.{signature}")),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn alg_none_and_symmetric_algorithms_are_refused() {
    let signer = signer();
    let verifier = verifier_of(&[&signer]);
    let payload =
        encode_json(&serde_json::to_value(claims(&signer, Role::Organizer, "organizer")).unwrap());
    for alg in ["none", "None", "HS256"] {
        let header = encode_json(&serde_json::json!({
            "alg": alg, "typ": "JWT", "kid": signer.key_id()
        }));
        for signature in ["", "c2lnbmF0dXJl"] {
            assert_eq!(
                verifier.verify(&format!("{header}.{payload}.{signature}")),
                Err(TokenError::Malformed),
                "alg {alg}, signature {signature:?}"
            );
        }
    }
}

#[test]
fn another_issuer_is_refused_though_its_key_is_known() {
    let other = TokenSigner::new(
        "https://elsewhere.test",
        &TokenSigner::generate_key().unwrap(),
    )
    .unwrap();
    let token = fresh_token(&other, Role::Attendee, "7");
    assert_eq!(
        verifier_of(&[&other]).verify(&token),
        Err(TokenError::WrongIssuer)
    );
}

#[test]
fn a_retired_key_no_longer_verifies() {
    let (old, new) = (signer(), signer());
    let token = fresh_token(&old, Role::Attendee, "7");
    let verifier = verifier_of(&[&old, &new]);
    assert!(verifier.verify(&token).is_ok());
    verifier.replace_keys(
        ISSUER,
        &JwkSet {
            keys: vec![new.public_key().clone()],
        },
    );
    assert!(!verifier.knows_key(old.key_id()));
    assert_eq!(verifier.verify(&token), Err(TokenError::UnknownKey));
}

#[test]
fn garbage_is_malformed() {
    let verifier = verifier_of(&[&signer()]);
    for token in ["", "abc", "a.b.c", "..", "eyJhbGciOiJFZERTQSJ9.e30"] {
        assert_eq!(
            verifier.verify(token),
            Err(TokenError::Malformed),
            "{token:?}"
        );
    }
}
