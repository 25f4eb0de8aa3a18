//! What checking a caller's token costs each call, in process: the
//! organizer's token (a hash), a phone's device token the first time (an
//! Ed25519 signature check) and every time after (remembered until it
//! expires or its key is retired). Compared with one ping's share of the machine when the
//! ingest service takes one ping per call, it says what credentials cost
//! that path.

use std::time::{Duration, Instant};

use clap::Args as ClapArgs;
use tokio_util::sync::CancellationToken;
use udaconnect_auth::{JwkSet, TokenVerifier};
use udaconnect_persons::{
    CredentialArgs, Credentials, IdentityArgs, PersonsConfig, PersonsDatabaseArgs,
    PersonsListenArgs, PersonsServer,
};
use udaconnect_proto::v1::{self, person_service_client::PersonServiceClient};
use udaconnect_runtime::{
    Service,
    config::{KafkaArgs, local_url},
};
use udaconnect_storage::PersonStore;

use crate::{
    credentials::{ORGANIZER_TOKEN, service},
    database,
};

const PERSONS_DATABASE: &str = "udaconnect_bench_token_checks";

/// Settings of the token-check benchmark.
#[derive(Debug, Clone, ClapArgs)]
pub struct Args {
    /// Checks timed per kind of token.
    #[arg(long, default_value_t = 200_000)]
    checks: u32,
    /// Signature checks timed (each is slow).
    #[arg(long, default_value_t = 5_000)]
    signatures: u32,
    /// One-ping-per-call ingest rate to compare with (pings/s on this
    /// machine, ingest alone: `scripts/bench-ingest`'s last unary phase).
    #[arg(long)]
    ingest_calls_per_second: Option<f64>,
}

/// Runs the benchmark.
pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let pool = database::recreate(admin_url, PERSONS_DATABASE).await?;
    PersonStore::new(pool.clone()).migrate().await?;
    pool.close().await;
    let persons = PersonsServer::build(
        &PersonsConfig {
            listeners: PersonsListenArgs::loopback(),
            database: PersonsDatabaseArgs {
                persons_database_url: database::url(admin_url, PERSONS_DATABASE),
            },
            identity: IdentityArgs::default(),
        },
        &KafkaArgs::unreachable(),
        &service(),
    )
    .await?;
    let persons_url = local_url(persons.grpc_address());
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(Box::new(persons).run_until_stopped(shutdown.clone()));

    let channel = service().channel(&persons_url)?;
    let mut client = PersonServiceClient::new(channel.clone());
    let person = client
        .create_person(v1::CreatePersonRequest {
            first_name: "Token".into(),
            last_name: "Bench".into(),
            company_name: "UdaConnect".into(),
        })
        .await?
        .into_inner();
    let code = client
        .create_enrollment_code(v1::CreateEnrollmentCodeRequest {
            person_id: person.id,
        })
        .await?
        .into_inner()
        .code;
    let device_token = client
        .redeem_enrollment_code(v1::RedeemEnrollmentCodeRequest {
            code,
            enrollment: v1::Enrollment::Device.into(),
            device_name: "bench phone".into(),
        })
        .await?
        .into_inner()
        .token;
    let organizer = format!("Bearer {ORGANIZER_TOKEN}");
    let device = format!("Bearer {device_token}");

    let credentials = Credentials::new(
        &CredentialArgs {
            organizer_token: Some(ORGANIZER_TOKEN.to_owned()),
            ..Default::default()
        },
        channel,
    )?;
    // The first device check reads the keys; the timed ones find them.
    credentials.authenticate(Some(&device)).await?;
    let organizer_ns =
        per_check(args.checks, || credentials.authenticate(Some(&organizer))).await?;
    let remembered_ns = per_check(args.checks, || credentials.authenticate(Some(&device))).await?;

    // The first check of a token: its signature, as a verifier fresh from
    // a refresh does it.
    let set = client
        .get_key_set(v1::GetKeySetRequest {})
        .await?
        .into_inner();
    let verifier = TokenVerifier::default();
    verifier.replace_keys(&set.issuer, &serde_json::from_str::<JwkSet>(&set.jwks)?);
    let started = Instant::now();
    for _ in 0..args.signatures {
        verifier.verify(&device_token)?;
    }
    let signature_ns = nanos_per(started.elapsed(), args.signatures);

    shutdown.cancel();
    running.await??;

    // One ping's share of the machine (every core) at the ingest rate.
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as f64;
    let share = |ns: f64| {
        args.ingest_calls_per_second
            .map(|rate| ns / (cores * 1e9 / rate) * 100.0)
    };
    println!("token checks, per call (in process, one core):");
    println!(
        "  organizer's token (SHA-256, compared)  {:>9.0} ns",
        organizer_ns
    );
    println!(
        "  phone's token, remembered              {:>9.0} ns",
        remembered_ns
    );
    println!(
        "  phone's token, first time (Ed25519)    {:>9.0} ns",
        signature_ns
    );
    if let Some(rate) = args.ingest_calls_per_second {
        println!(
            "  against one ping per call at {rate:.0}/s on {cores} cores ({:.1} µs of the machine per ping): \
             remembered {:.2} %, organizer {:.2} %, first time {:.1} %",
            cores * 1e6 / rate,
            share(remembered_ns).unwrap_or_default(),
            share(organizer_ns).unwrap_or_default(),
            share(signature_ns).unwrap_or_default(),
        );
    }
    Ok(serde_json::json!({
        "benchmark": "token-checks",
        "cores": cores,
        "organizer_ns": organizer_ns.round(),
        "device_remembered_ns": remembered_ns.round(),
        "device_signature_ns": signature_ns.round(),
        "ingest_calls_per_second": args.ingest_calls_per_second,
        "share_remembered_percent": share(remembered_ns),
        "share_organizer_percent": share(organizer_ns),
        "share_signature_percent": share(signature_ns),
    }))
}

/// Mean nanoseconds of one `check`, over `count` of them in a row.
async fn per_check<F, Fut, T, E>(count: u32, check: F) -> anyhow::Result<f64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    let started = Instant::now();
    for _ in 0..count {
        check().await?;
    }
    Ok(nanos_per(started.elapsed(), count))
}

fn nanos_per(elapsed: Duration, count: u32) -> f64 {
    elapsed.as_nanos() as f64 / f64::from(count.max(1))
}
