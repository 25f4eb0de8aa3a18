//! Pings stored at a steady rate through the locations service's write
//! call, as the consumers store them, for the benchmarks that time reads
//! beside live ingest.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;
use udaconnect_devtools::conference::Venue;
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{NewLocation, WriteLocationsRequest, location_service_client::LocationServiceClient},
};
use udaconnect_runtime::grpc::SignedChannel;
use uuid::Uuid;

use crate::stats::Summary;

/// Pings a write call carries: the consumers' default batch.
pub const BATCH: usize = 5_000;
/// Writers at once, as two consumers of the topic's partitions would be.
const WRITERS: u32 = 2;

/// What the writers stored while they ran.
pub struct LiveWrites {
    /// Pings stored, as the locations service counted them.
    pub pings: u64,
    /// Pings stored a second, over the writers' whole run.
    pub rate: f64,
    /// Each write call, from sent to answered.
    pub calls: Summary,
}

impl LiveWrites {
    /// The figures for the benchmark's record.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "pings": self.pings, "pings_per_second": self.rate, "calls": self.calls.to_json(),
        })
    }
}

/// Where and when the writers' pings fall.
pub struct LiveEvent<'a> {
    /// The event's halls: attendee n pings from hall n mod their number.
    pub halls: &'a [Venue],
    /// Attendees, ids 1 to this.
    pub attendees: u32,
    /// The pings' first time; each is timed this much later than the
    /// writers' start as it is sent, so they arrive in order as live pings do.
    pub start: DateTime<Utc>,
}

/// Stores about `rate` pings a second until `stop`, each of a random
/// attendee at a random place of their hall, in batches of [`BATCH`] from
/// [`WRITERS`] writers at once. A writer whose calls take longer than its
/// share of the rate allows falls behind, and the rate reported says so.
pub async fn write_until(
    client: &LocationServiceClient<SignedChannel>,
    event: &LiveEvent<'_>,
    rate: u32,
    stop: &CancellationToken,
) -> anyhow::Result<LiveWrites> {
    let started = Instant::now();
    let per_writer = f64::from(rate) / f64::from(WRITERS);
    let writers = (0..WRITERS).map(|_| {
        let mut client = client.clone();
        async move {
            // Pings no earlier run wrote, so none is taken for a duplicate.
            let mut rng = fastrand::Rng::new();
            let mut ticks =
                tokio::time::interval(Duration::from_secs_f64(BATCH as f64 / per_writer));
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let (mut calls, mut written) = (Vec::new(), 0u64);
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    _ = ticks.tick() => {}
                }
                let time = event.start + TimeDelta::from_std(started.elapsed())?;
                let locations = (0..BATCH).map(|_| ping(event, time, &mut rng)).collect();
                let sent = Instant::now();
                let answer = client
                    .write_locations(WriteLocationsRequest { locations })
                    .await?
                    .into_inner();
                calls.push(sent.elapsed());
                written += u64::from(answer.written);
                anyhow::ensure!(
                    answer.rejected.is_empty(),
                    "the live writer's pings were rejected: {:?}",
                    answer.rejected.first()
                );
            }
            anyhow::Ok((calls, written))
        }
    });
    let (mut calls, mut pings) = (Vec::new(), 0);
    for (writer_calls, written) in futures::future::try_join_all(writers).await? {
        calls.extend(writer_calls);
        pings += written;
    }
    Ok(LiveWrites {
        pings,
        rate: pings as f64 / started.elapsed().as_secs_f64(),
        calls: Summary::of(&calls),
    })
}

/// One ping of a random attendee somewhere in their hall at `time`.
fn ping(event: &LiveEvent<'_>, time: DateTime<Utc>, rng: &mut fastrand::Rng) -> NewLocation {
    let person_id = 1 + rng.u32(..event.attendees);
    let hall = &event.halls[person_id as usize % event.halls.len()];
    let ((south, west), (north, east)) = hall.bounds_degrees();
    NewLocation {
        event_id: Uuid::from_u64_pair(rng.u64(..), rng.u64(..)).to_string(),
        person_id: i64::from(person_id),
        latitude: south + rng.f64() * (north - south),
        longitude: west + rng.f64() * (east - west),
        creation_time: Some(timestamp_from_datetime(time)),
    }
}
