//! One-ping-per-call ingest against a running stack: the highest rate that
//! concurrent `SendPing` callers reach, then the acknowledgement latency of
//! an open-loop load at half that rate (each call is sent on schedule,
//! whether or not earlier ones have returned, as phones would).

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{TimeDelta, Utc};
use tokio::sync::Mutex;
use udaconnect::{grpc, simulate};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{Ping, ingest_service_client::IngestServiceClient},
};
use uuid::Uuid;

use crate::stats::Summary;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// gRPC URL of the ingest service.
    #[arg(long, default_value = "http://127.0.0.1:30002")]
    ingest_url: String,
    /// gRPC URL of the persons service (to create the phones' owners).
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    persons_url: String,
    /// Concurrent callers while measuring the highest rate.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Seconds of each phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Attendees the pings belong to.
    #[arg(long, default_value_t = 100)]
    attendees: u32,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let channel = grpc::channel(&args.ingest_url)?;
    let client = IngestServiceClient::new(channel);
    let persons = simulate::create_attendees(&args.persons_url, args.attendees).await?;
    let phase = Duration::from_secs(args.seconds);

    // Phase 1: closed loop, as fast as the callers are answered.
    let began = Instant::now();
    let mut callers = tokio::task::JoinSet::new();
    for caller in 0..args.concurrency {
        let (mut client, persons) = (client.clone(), persons.clone());
        callers.spawn(async move {
            let mut sent = 0u64;
            while began.elapsed() < phase {
                let person = persons[(caller + sent as usize) % persons.len()];
                client.send_ping(ping(person)).await?;
                sent += 1;
            }
            anyhow::Ok(sent)
        });
    }
    let mut acknowledged = 0;
    while let Some(done) = callers.join_next().await {
        acknowledged += done??;
    }
    let max_rate = acknowledged as f64 / began.elapsed().as_secs_f64();
    println!(
        "unary, closed loop   {acknowledged} pings acknowledged, {max_rate:.0} pings/s with {} concurrent callers",
        args.concurrency
    );

    // Phase 2: open loop at half that rate, timing every acknowledgement.
    let rate = max_rate / 2.0;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut calls = tokio::task::JoinSet::new();
    let began = Instant::now();
    let mut next = began;
    let mut n = 0usize;
    while began.elapsed() < phase {
        tokio::time::sleep_until(next.into()).await;
        next += interval;
        let (mut client, latencies, failures) =
            (client.clone(), latencies.clone(), failures.clone());
        let person = persons[n % persons.len()];
        n += 1;
        calls.spawn(async move {
            let sent = Instant::now();
            match client.send_ping(ping(person)).await {
                Ok(_) => latencies.lock().await.push(sent.elapsed()),
                Err(_) => {
                    failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
            }
        });
    }
    while calls.join_next().await.is_some() {}
    let latencies = latencies.lock().await;
    let summary = Summary::of(&latencies);
    println!(
        "unary, open loop     {} pings at {rate:.0}/s (half the closed-loop rate), {} failed",
        latencies.len(),
        failures.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "  ack latency        p50 {:.2} ms   p99 {:.2} ms   max {:.2} ms",
        crate::stats::ms(summary.median),
        crate::stats::ms(summary.p99),
        crate::stats::ms(summary.max)
    );
    Ok(())
}

fn ping(person_id: i64) -> Ping {
    let mut rng = fastrand::Rng::new();
    Ping {
        event_id: Uuid::now_v7().to_string(),
        person_id,
        latitude: 37.7840 + rng.f64() * 0.001,
        longitude: -122.4010 + rng.f64() * 0.001,
        creation_time: Some(timestamp_from_datetime(Utc::now() - TimeDelta::seconds(1))),
    }
}
