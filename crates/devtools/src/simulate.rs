//! `udaconnect simulate`: plays a conference. Attendees wander between
//! booths and talks; their phones stream pings through the ingest service.
//! The visits are recorded as ground truth, so tests and benchmarks can check
//! what the system finds, and the run doubles as the load generator. With
//! `--event` it plays an event with a floor plan and a programme instead,
//! registered with the events service, and can score the attendance that
//! service finds against the truth.

mod event;
mod send;

use std::{path::PathBuf, sync::Arc, time::Duration};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use clap::Args;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use udaconnect_proto::v1::{self, person_service_client::PersonServiceClient};
use udaconnect_runtime::{
    ServiceCredential, ServiceTokenArgs,
    config::{IngestPeerArgs, PersonsPeerArgs, parse_duration},
};
use uuid::Uuid;

pub use self::event::{AttendanceScore, EventModeArgs, play_event};
use self::send::{Phone, Transmission, Transmitted};
use crate::conference::{self, Itinerary, Venue};

/// Settings of a simulated conference.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub ingest: IngestPeerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub persons: PersonsPeerArgs,
    /// The organizer's token, with which the simulator sends every
    /// attendee's pings, as a venue's own location feed would. Required.
    #[arg(long, env = "ORGANIZER_TOKEN", hide_env_values = true)]
    pub organizer_token: Option<String>,
    /// The services' token, with which the simulator creates its attendees
    /// (and its event) straight in the internal services. Required.
    #[command(flatten)]
    pub service: ServiceTokenArgs,
    /// Attendees to create and simulate.
    #[arg(long, default_value_t = 200)]
    pub attendees: u32,
    /// Length of the simulated conference, in minutes (an event needs 30
    /// at least).
    #[arg(long, default_value_t = 30)]
    pub minutes: u32,
    /// Simulated time between two pings of one phone.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub ping_interval: Duration,
    /// When the simulated conference starts (RFC 3339); default: `--minutes`
    /// before now, so every ping is in the past.
    #[arg(long)]
    pub start: Option<DateTime<Utc>>,
    /// Booths on the exhibition floor.
    #[arg(long, default_value_t = 24)]
    pub booths: u32,
    /// Talk rooms (with `--event`, presentation rooms).
    #[arg(long, default_value_t = 4)]
    pub talks: u32,
    /// Pings per second to send at most (0: as fast as the system takes them).
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Concurrent client streams (each serves a share of the attendees).
    #[arg(long, default_value_t = 4)]
    pub streams: u32,
    /// Pings per call; a failed call is retried with the same event ids.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub segment: u32,
    /// Send each segment as one `SendPings` batch instead of a
    /// `StreamPings` stream.
    #[arg(long)]
    pub batched: bool,
    /// Where to write the ground truth (CSV: who was at which place when;
    /// with `--event`, who attended which presentation or booth).
    #[arg(long)]
    pub ground_truth: Option<PathBuf>,
    /// Seed of the random choices, so a run can be replayed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub event: EventModeArgs,
}

/// How many calls creating attendees run at once.
const CREATE_CONCURRENCY: usize = 16;

/// What a played conference sent and how the ingest service answered.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Attendees created and simulated.
    pub attendees: u32,
    /// Simulated time span.
    pub start: DateTime<Utc>,
    /// End of the simulated span.
    pub end: DateTime<Utc>,
    /// Simulated time between two pings of one phone, in seconds.
    pub ping_interval_seconds: f64,
    /// Pings sent (each counted once, however often its call was retried).
    pub sent: u64,
    /// Pings the ingest service acknowledged.
    pub accepted: u64,
    /// Pings it refused.
    pub rejected: u64,
    /// When the first ping was sent (wall clock).
    pub began: DateTime<Utc>,
    /// From the first ping sent to the last acknowledgement, in seconds.
    pub elapsed_seconds: f64,
    /// The attendees' person ids, lowest and highest.
    pub persons: (i64, i64),
    /// Why some pings could not be sent, when a call failed for good.
    pub failure: Option<String>,
    /// With `--event`: the event created for the run.
    pub event_id: Option<i64>,
    /// With `--check-attendance`: how the events service's answers compare
    /// with the truth.
    pub attendance: Option<AttendanceScore>,
}

impl Report {
    /// The report of a run of `args` from `start` to `end` by `persons`,
    /// as far as sending goes.
    fn new(
        args: &SimulateArgs,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        persons: &[i64],
        transmitted: Transmitted,
    ) -> Self {
        Self {
            attendees: args.attendees,
            start,
            end,
            ping_interval_seconds: args.ping_interval.as_secs_f64(),
            sent: transmitted.sent,
            accepted: transmitted.accepted,
            rejected: transmitted.rejected,
            began: transmitted.began,
            elapsed_seconds: transmitted.elapsed.as_secs_f64(),
            persons: (
                persons.iter().min().copied().unwrap_or_default(),
                persons.iter().max().copied().unwrap_or_default(),
            ),
            failure: transmitted.failure,
            event_id: None,
            attendance: None,
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (first, last) = self.persons;
        writeln!(
            f,
            "simulated  {} attendees from {} to {}, a ping every {} s",
            self.attendees, self.start, self.end, self.ping_interval_seconds
        )?;
        writeln!(f, "sent       {}", self.sent)?;
        writeln!(f, "accepted   {}", self.accepted)?;
        writeln!(f, "rejected   {}", self.rejected)?;
        writeln!(
            f,
            "began      {}",
            self.began
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        )?;
        writeln!(f, "elapsed    {:.2} s", self.elapsed_seconds)?;
        writeln!(
            f,
            "rate       {:.0} pings/s accepted",
            self.accepted as f64 / self.elapsed_seconds.max(1e-9)
        )?;
        writeln!(f, "persons    {first}..={last} (the simulated attendees)")?;
        writeln!(
            f,
            "try        curl -H \"authorization: Bearer $ORGANIZER_TOKEN\" 'http://localhost:30001/api/persons/{first}/connection?start_date={}&end_date={}&distance=5'",
            self.start.format("%Y-%m-%d"),
            (self.end + TimeDelta::days(1)).format("%Y-%m-%d"),
        )?;
        if let Some(event) = self.event_id {
            writeln!(f, "event      {event}")?;
        }
        if let Some(score) = &self.attendance {
            write!(f, "{score}")?;
        }
        Ok(())
    }
}

/// Plays the conference and prints a summary; fails if some pings could
/// not be sent.
pub async fn run(args: SimulateArgs, shutdown: CancellationToken) -> anyhow::Result<()> {
    let report = if args.event.enabled {
        play_event(&args, shutdown).await?
    } else {
        play_conference(&args, shutdown).await?
    };
    println!();
    print!("{report}");
    match report.failure {
        Some(failure) => anyhow::bail!(failure),
        None => Ok(()),
    }
}

/// Plays the conference through the ingest service and reports what
/// happened (for `run`, the tests and the pipeline benchmark).
pub async fn play_conference(
    args: &SimulateArgs,
    shutdown: CancellationToken,
) -> anyhow::Result<Report> {
    check(args)?;
    anyhow::ensure!(
        args.booths + args.talks > 0,
        "the venue needs a booth or a talk"
    );
    let (start, end) = span(args)?;
    let venue = Arc::new(Venue::new(args.booths, args.talks));

    eprintln!("creating {} attendees…", args.attendees);
    let person_ids = create_attendees(
        &args.persons.persons_url,
        &args.service.credential()?,
        args.attendees,
    )
    .await?;
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let itineraries: Vec<Itinerary> = person_ids
        .iter()
        .map(|&id| conference::plan(id, &venue, start, end, &mut rng))
        .collect();
    if let Some(path) = &args.ground_truth {
        write_ground_truth(path, &itineraries, &venue)?;
    }
    let phones = itineraries
        .into_iter()
        .map(|itinerary| ConferencePhone {
            itinerary,
            venue: Arc::clone(&venue),
        })
        .collect();
    let transmitted = send::transmit(phones, &transmission(args, (start, end))?, shutdown).await?;
    Ok(Report::new(args, (start, end), &person_ids, transmitted))
}

/// Checks the settings both modes share.
fn check(args: &SimulateArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.attendees > 0, "--attendees must be at least 1");
    anyhow::ensure!(args.minutes > 0, "--minutes must be at least 1");
    anyhow::ensure!(
        !args.ping_interval.is_zero(),
        "--ping-interval must be positive"
    );
    anyhow::ensure!(
        args.rate >= 0.0 && args.rate.is_finite(),
        "--rate must be >= 0"
    );
    anyhow::ensure!(args.segment > 0, "--segment must be at least 1");
    Ok(())
}

/// The simulated span: `--minutes` from `--start`, or up to the current
/// minute.
fn span(args: &SimulateArgs) -> anyhow::Result<(DateTime<Utc>, DateTime<Utc>)> {
    let length = TimeDelta::minutes(i64::from(args.minutes));
    let start = match args.start {
        Some(start) => start,
        None => (Utc::now() - length).duration_trunc(TimeDelta::minutes(1))?,
    };
    Ok((start, start + length))
}

/// How the pings of `args` over `start..end` go out: a tick per ping
/// interval.
fn transmission(
    args: &SimulateArgs,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> anyhow::Result<Transmission<'_>> {
    let interval = TimeDelta::from_std(args.ping_interval)?;
    Ok(Transmission {
        ingest_url: &args.ingest.ingest_url,
        token: args.organizer_token.as_deref().ok_or_else(|| {
            anyhow::anyhow!(
                "set ORGANIZER_TOKEN: the simulator sends pings with the organizer's token"
            )
        })?,
        start,
        interval,
        steps: ((end - start).num_milliseconds() / interval.num_milliseconds()).max(1) as u64,
        streams: args.streams,
        segment: args.segment as usize,
        batched: args.batched,
        rate: args.rate,
        seed: args.seed,
    })
}

/// A conference attendee's phone: where the conference model puts them.
struct ConferencePhone {
    itinerary: Itinerary,
    venue: Arc<Venue>,
}

impl Phone for ConferencePhone {
    fn person_id(&self) -> i64 {
        self.itinerary.person_id
    }

    fn position(&self, time: DateTime<Utc>, rng: &mut fastrand::Rng) -> (f64, f64) {
        self.itinerary.position(&self.venue, time, rng)
    }
}

/// Creates `count` attendees through the persons service (called with
/// `service`'s token) and returns their ids in creation order (shared with
/// the benchmarks).
pub async fn create_attendees(
    persons_url: &str,
    service: &ServiceCredential,
    count: u32,
) -> anyhow::Result<Vec<i64>> {
    const COMPANIES: [&str; 6] = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark"];
    let client = PersonServiceClient::new(service.channel(persons_url)?);
    let suffix = &Uuid::new_v4().simple().to_string()[..6];
    futures::stream::iter(0..count)
        .map(|i| {
            let mut client = client.clone();
            let request = v1::CreatePersonRequest {
                first_name: format!("Attendee{}", i + 1),
                last_name: format!("Sim-{suffix}"),
                company_name: COMPANIES[i as usize % COMPANIES.len()].to_owned(),
            };
            async move {
                client
                    .create_person(request)
                    .await
                    .map(|response| response.into_inner().id)
            }
        })
        .buffered(CREATE_CONCURRENCY)
        .try_collect()
        .await
        .map_err(|status| anyhow::anyhow!("cannot create attendees: {status}"))
}

fn write_ground_truth(
    path: &std::path::Path,
    itineraries: &[Itinerary],
    venue: &Venue,
) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    for visit in itineraries
        .iter()
        .flat_map(|itinerary| itinerary.visits(venue))
    {
        writer.serialize(visit)?;
    }
    writer.flush()?;
    eprintln!("ground truth written to {}", path.display());
    Ok(())
}
