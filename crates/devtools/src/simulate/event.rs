//! `simulate --event`: plays a generated event (floor plan, programme,
//! attendees' days) through the services. The event is registered with the
//! events service before any ping goes out; afterwards the attendance that
//! service derives from the pings can be scored against the plan's truth.

use std::{
    collections::{BTreeSet, HashMap},
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use clap::Args;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio_util::sync::CancellationToken;
use tonic::Code;
use udaconnect_proto::{
    datetime_from_timestamp, timestamp_from_datetime,
    v1::{self, event_service_client::EventServiceClient, put_programme_request::Document},
};
use udaconnect_runtime::{
    config::{EventsPeerArgs, parse_duration},
    grpc::SignedChannel,
};

use super::{Report, SimulateArgs, check, create_attendees, send, span, transmission};
use crate::event::{
    EventPlan, EventSpec, sample,
    truth::{Agreement, Item, Truth},
    venue::Projection,
};

/// The events service's default address, as `EventsPeerArgs` has it, for
/// `EventModeArgs::default`.
const DEFAULT_EVENTS_URL: &str = "http://127.0.0.1:50053";
/// The time zone simulated events are created in.
const TIME_ZONE: &str = "UTC";
/// How many attendance queries run at once.
const QUERY_CONCURRENCY: usize = 16;

/// Entries per page when reading every sharer.
const SHARED_PAGE: u32 = 1_000;
/// Pause between two rounds of attendance queries.
const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Side of the square plots simulated venues are placed on, in metres, and
/// how many plots a side of the grid has. A pinged position counts for
/// every event whose areas hold it, so runs sharing a stack must not share
/// floor space: each run picks one of 90,000 plots, 1 km apart (room for
/// the largest venue), north-east of the sample venue.
const PLOT: (f64, u32) = (1_000.0, 300);

/// The flags of event mode, apart so that callers building
/// [`SimulateArgs`] by hand can take them all as `Default::default()`.
#[derive(Debug, Clone, Args)]
pub struct EventModeArgs {
    /// Play an event with a floor plan and a programme (registered with the
    /// events service) instead of a plain conference.
    #[arg(long = "event", id = "event")]
    pub enabled: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub events: EventsPeerArgs,
    /// After the pings, wait for the events service's attendance answers to
    /// settle and score them against the truth (precision and recall).
    #[arg(long, requires = "event")]
    pub check_attendance: bool,
    /// How long to wait for the attendance answers to settle.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub attendance_timeout: Duration,
}

impl Default for EventModeArgs {
    fn default() -> Self {
        Self {
            enabled: false,
            events: EventsPeerArgs {
                events_url: DEFAULT_EVENTS_URL.to_owned(),
            },
            check_attendance: false,
            attendance_timeout: Duration::from_secs(60),
        }
    }
}

/// How the events service's attendance answers compare with the truth.
#[derive(Debug, Clone, Serialize)]
pub struct AttendanceScore {
    /// Share of the (person, item) attendances found that are true.
    pub attendance_precision: f64,
    /// Share of the true (person, item) attendances found.
    pub attendance_recall: f64,
    /// Share of the (person, other person, item) shared attendances found
    /// that are true.
    pub shared_precision: f64,
    /// Share of the true shared attendances found.
    pub shared_recall: f64,
    /// The attendance counts behind the figures.
    pub attendance: Agreement,
    /// The shared-attendance counts behind the figures.
    pub shared: Agreement,
    /// Whether the answers stopped changing before the timeout (if not,
    /// the last answers were scored).
    pub settled: bool,
}

impl AttendanceScore {
    fn new(attendance: Agreement, shared: Agreement, settled: bool) -> Self {
        Self {
            attendance_precision: attendance.precision(),
            attendance_recall: attendance.recall(),
            shared_precision: shared.precision(),
            shared_recall: shared.recall(),
            attendance,
            shared,
            settled,
        }
    }
}

impl std::fmt::Display for AttendanceScore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (label, agreement) in [("attendance", &self.attendance), ("shared", &self.shared)] {
            writeln!(
                f,
                "{label:<10} precision {:.4}, recall {:.4} ({} found, {} true, {} both)",
                agreement.precision(),
                agreement.recall(),
                agreement.found,
                agreement.expected,
                agreement.matched
            )?;
        }
        if !self.settled {
            writeln!(
                f,
                "           (the answers were still changing at the timeout)"
            )?;
        }
        Ok(())
    }
}

/// Plays a generated event: creates the attendees, registers the event
/// with its floor plan and programme, sends every attendee's pings, and
/// with `--check-attendance` scores the events service's answers (for
/// `run` and the tests; the URLs are the `ingest`, `persons` and
/// `event.events` arguments).
pub async fn play_event(
    args: &SimulateArgs,
    shutdown: CancellationToken,
) -> anyhow::Result<Report> {
    check(args)?;
    let (start, end) = span(args)?;
    eprintln!("creating {} attendees…", args.attendees);
    let service = args.service.credential()?;
    let person_ids = create_attendees(&args.persons.persons_url, &service, args.attendees).await?;
    let plan = Arc::new(EventPlan::generate(
        EventSpec {
            name: format!("Simulated event {}", args.seed),
            seed: args.seed,
            booths: args.booths,
            rooms: args.talks,
            start,
            length: end - start,
            origin: venue_origin(),
        },
        &person_ids,
    )?);
    if let Some(path) = &args.ground_truth {
        write_truth(path, plan.truth())?;
    }
    let mut events = EventServiceClient::new(service.channel(&args.event.events.events_url)?);
    let keys = register(&mut events, &plan).await?;
    eprintln!(
        "event {}: {} areas, {} presentations",
        keys.event_id,
        keys.areas.len(),
        keys.presentations.len()
    );

    let phones = (0..person_ids.len())
        .map(|attendee| EventPhone {
            plan: Arc::clone(&plan),
            attendee,
        })
        .collect();
    let transmitted =
        send::transmit(phones, &transmission(args, (start, end))?, shutdown.clone()).await?;
    let mut report = Report::new(args, (start, end), &person_ids, transmitted);
    report.event_id = Some(keys.event_id);
    if args.event.check_attendance && report.failure.is_none() {
        eprintln!("waiting for the attendance to settle…");
        report.attendance = Some(
            score(
                &events,
                &keys,
                plan.truth(),
                &person_ids,
                args.event.attendance_timeout,
                &shutdown,
            )
            .await?,
        );
    }
    Ok(report)
}

/// A random plot of the grid near the sample venue.
fn venue_origin() -> (f64, f64) {
    let (side, count) = PLOT;
    let plot = || f64::from(fastrand::u32(..count)) * side;
    Projection {
        origin: sample::spec().origin,
    }
    .degrees((plot(), plot()))
}

/// An event attendee's phone: where the event plan puts them.
struct EventPhone {
    plan: Arc<EventPlan>,
    attendee: usize,
}

impl send::Phone for EventPhone {
    fn person_id(&self) -> i64 {
        self.plan.itineraries()[self.attendee].person_id
    }

    fn position(&self, time: DateTime<Utc>, rng: &mut fastrand::Rng) -> (f64, f64) {
        self.plan.ping(self.attendee, time, rng)
    }
}

/// The events service's ids for the event and its parts, with the truth's
/// key of each.
struct EventKeys {
    event_id: i64,
    /// Every area by id, keyed as a booth.
    areas: HashMap<i64, Item>,
    presentations: HashMap<i64, Item>,
}

impl EventKeys {
    /// The key of a booth id; an id the upload did not return never
    /// matches the truth.
    fn booth(&self, id: i64) -> Item {
        self.areas
            .get(&id)
            .cloned()
            .unwrap_or_else(|| Item::Booth(format!("#{id}")))
    }

    /// The key of a presentation id, likewise.
    fn presentation(&self, id: i64) -> Item {
        self.presentations
            .get(&id)
            .cloned()
            .unwrap_or_else(|| Item::Presentation(format!("#{id}")))
    }
}

/// Creates the event and uploads its floor plan and programme.
async fn register(
    client: &mut EventServiceClient<SignedChannel>,
    plan: &EventPlan,
) -> anyhow::Result<EventKeys> {
    let event = client
        .create_event(v1::CreateEventRequest {
            name: plan.spec().name.clone(),
            start: Some(timestamp_from_datetime(plan.spec().start)),
            end: Some(timestamp_from_datetime(plan.end())),
            time_zone: TIME_ZONE.to_owned(),
        })
        .await
        .map_err(|status| anyhow::anyhow!("cannot create the event: {status}"))?
        .into_inner();
    let areas = client
        .put_floor_plan(v1::PutFloorPlanRequest {
            event_id: event.id,
            geojson: plan.floor_plan_geojson(),
        })
        .await
        .map_err(|status| anyhow::anyhow!("cannot upload the floor plan: {status}"))?
        .into_inner()
        .areas;
    let presentations = client
        .put_programme(v1::PutProgrammeRequest {
            event_id: event.id,
            document: Some(Document::Icalendar(plan.programme_icalendar(TIME_ZONE))),
        })
        .await
        .map_err(|status| anyhow::anyhow!("cannot upload the programme: {status}"))?
        .into_inner()
        .presentations;
    let presentations = presentations
        .iter()
        .map(|p| Ok((p.id, presentation_key(plan, p)?)))
        .collect::<anyhow::Result<_>>()?;
    Ok(EventKeys {
        event_id: event.id,
        areas: areas
            .into_iter()
            .map(|area| (area.id, Item::Booth(area.name)))
            .collect(),
        presentations,
    })
}

/// The truth's key of a stored presentation: its UID, or, should the
/// service not keep UIDs, the UID of the planned one in the same room at the
/// same start.
fn presentation_key(plan: &EventPlan, stored: &v1::Presentation) -> anyhow::Result<Item> {
    if !stored.uid.is_empty() {
        return Ok(Item::Presentation(stored.uid.clone()));
    }
    let start = datetime_from_timestamp("presentation.start", stored.start.as_ref())?;
    let areas = plan.venue().areas();
    Ok(Item::Presentation(
        plan.presentations()
            .iter()
            .find(|p| areas[p.room].name == stored.room && p.start == start)
            .map_or_else(|| format!("#{}", stored.id), |p| p.uid.clone()),
    ))
}

/// Polls the attendance of every attendee until two rounds in a row agree
/// and hold as many facts as the truth (or `timeout` passes), then asks for
/// everyone's shared attendance, and scores both against `truth`.
async fn score(
    client: &EventServiceClient<SignedChannel>,
    keys: &EventKeys,
    truth: &Truth,
    persons: &[i64],
    timeout: Duration,
    shutdown: &CancellationToken,
) -> anyhow::Result<AttendanceScore> {
    let expected = truth.attendance();
    let deadline = Instant::now() + timeout;
    let mut previous = None;
    let (found, settled) = loop {
        let round = attendance(client, keys, persons).await?;
        let settled = previous.as_ref() == Some(&round) && round.len() >= expected.len();
        if settled || Instant::now() >= deadline {
            break (round, settled);
        }
        previous = Some(round);
        tokio::select! {
            () = shutdown.cancelled() => anyhow::bail!("stopped"),
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    };
    let shared = shared_attendance(client, keys, persons).await?;
    Ok(AttendanceScore::new(
        Agreement::of(&expected, &found),
        Agreement::of(&truth.shared(), &shared),
        settled,
    ))
}

/// Every (person, item) the events service says was attended. A person it
/// does not know (NOT_FOUND) attended nothing.
async fn attendance(
    client: &EventServiceClient<SignedChannel>,
    keys: &EventKeys,
    persons: &[i64],
) -> anyhow::Result<BTreeSet<(i64, Item)>> {
    let answers: Vec<(i64, Option<v1::Attendance>)> = futures::stream::iter(persons)
        .map(|&person_id| {
            let mut client = client.clone();
            let request = v1::AttendanceRequest {
                person_id,
                event_id: keys.event_id,
            };
            async move {
                match client.get_attendance(request).await {
                    Ok(response) => Ok((person_id, Some(response.into_inner()))),
                    Err(status) if status.code() == Code::NotFound => Ok((person_id, None)),
                    Err(status) => Err(status),
                }
            }
        })
        .buffered(QUERY_CONCURRENCY)
        .try_collect()
        .await
        .map_err(|status| anyhow::anyhow!("cannot get the attendance: {status}"))?;
    let mut found = BTreeSet::new();
    for (person, answer) in answers {
        let Some(answer) = answer else { continue };
        for attended in answer.presentations {
            let presentation = attended.presentation.unwrap_or_default();
            let key = if presentation.uid.is_empty() {
                keys.presentation(presentation.id)
            } else {
                Item::Presentation(presentation.uid)
            };
            found.insert((person, key));
        }
        for visited in answer.booths {
            let booth = visited.booth.unwrap_or_default();
            found.insert((person, Item::Booth(booth.name)));
        }
    }
    Ok(found)
}

/// Every (person, other person, item) the events service says both
/// attended, asking each person in turn.
async fn shared_attendance(
    client: &EventServiceClient<SignedChannel>,
    keys: &EventKeys,
    persons: &[i64],
) -> anyhow::Result<BTreeSet<(i64, i64, Item)>> {
    let answers: Vec<(i64, Vec<v1::SharedAttendance>)> = futures::stream::iter(persons)
        .map(|&person_id| {
            let client = client.clone();
            async move {
                every_sharer(client, person_id, keys.event_id)
                    .await
                    .map(|others| (person_id, others))
            }
        })
        .buffered(QUERY_CONCURRENCY)
        .try_collect()
        .await
        .map_err(|status| anyhow::anyhow!("cannot find the shared attendance: {status}"))?;
    Ok(answers
        .into_iter()
        .flat_map(|(person, others)| {
            others.into_iter().flat_map(move |other| {
                let presentations = other
                    .presentation_ids
                    .into_iter()
                    .map(|id| keys.presentation(id));
                let booths = other.booth_ids.into_iter().map(|id| keys.booth(id));
                presentations
                    .chain(booths)
                    .map(move |item| (person, other.person_id, item))
                    .collect::<Vec<_>>()
            })
        })
        .collect())
}

/// Every page of one person's shared attendance.
async fn every_sharer(
    mut client: EventServiceClient<SignedChannel>,
    person_id: i64,
    event_id: i64,
) -> Result<Vec<v1::SharedAttendance>, tonic::Status> {
    let mut others = Vec::new();
    let mut cursor = String::new();
    loop {
        let request = v1::FindSharedAttendanceRequest {
            person_id,
            event_id,
            limit: SHARED_PAGE,
            cursor,
        };
        let page = client.find_shared_attendance(request).await?.into_inner();
        others.extend(page.others);
        if page.next_cursor.is_empty() {
            return Ok(others);
        }
        cursor = page.next_cursor;
    }
}

/// A row of the event's ground truth: who attended what.
#[derive(Debug, Serialize)]
struct AttendanceRow<'a> {
    person_id: i64,
    /// "presentation" or "booth".
    kind: &'static str,
    /// The presentation's UID or the booth's name.
    key: &'a str,
}

fn write_truth(path: &Path, truth: &Truth) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)?;
    for (person_id, item) in &truth.attendance() {
        let (kind, key) = match item {
            Item::Presentation(uid) => ("presentation", uid),
            Item::Booth(name) => ("booth", name),
        };
        writer.serialize(AttendanceRow {
            person_id: *person_id,
            kind,
            key,
        })?;
    }
    writer.flush()?;
    eprintln!("ground truth written to {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::{Args as _, FromArgMatches as _};

    use super::*;

    fn parse(flags: &[&str]) -> Result<SimulateArgs, clap::Error> {
        let command = SimulateArgs::augment_args(clap::Command::new("simulate"));
        command.clone().debug_assert();
        let matches = command
            .try_get_matches_from(std::iter::once("simulate").chain(flags.iter().copied()))?;
        SimulateArgs::from_arg_matches(&matches)
    }

    #[test]
    fn event_mode_takes_its_flags_and_defaults() {
        let args = parse(&[
            "--event",
            "--check-attendance",
            "--events-url",
            "http://events:1",
            "--attendance-timeout",
            "5s",
        ])
        .unwrap();
        assert!(args.event.enabled && args.event.check_attendance);
        assert_eq!(args.event.events.events_url, "http://events:1");
        assert_eq!(args.event.attendance_timeout, Duration::from_secs(5));

        let plain = parse(&[]).unwrap();
        let default = EventModeArgs::default();
        assert!(!plain.event.enabled && !plain.event.check_attendance);
        assert_eq!(plain.event.attendance_timeout, default.attendance_timeout);
        if std::env::var_os("EVENTS_URL").is_none() {
            assert_eq!(plain.event.events.events_url, default.events.events_url);
        }
        assert!(parse(&["--check-attendance"]).is_err());
    }
}
