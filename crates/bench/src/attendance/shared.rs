//! `GET /api/persons/{id}/shared?event=E`, the attendees a person shares the
//! most with: is its p99 within 50 ms for an event of 10,000 attendees, 200
//! presentations and 300 booths? A fresh events database gets an event of
//! two days (09:00–17:00 UTC), 300 booths and 20 rooms of 30 × 30 m, and a
//! programme of 200 one-hour presentations (20 rooms × 5 slots × 2 days);
//! every attendee's visits are written straight into it: 8–12 presentations
//! chosen at random (arriving up to 5 minutes early or 10 late, leaving up
//! to 20 early, one in ten after only 5–9 minutes, which does not count)
//! and 10–20 booth visits of 30 s to 8 minutes. For the meetings part the
//! locations database gets every attendee's pings every `--ping-minutes`
//! over both days, placed in the area of the visit in progress (else in an
//! aisle), so the contacts search behind the route has a realistic crowd to
//! search. Persons, locations, events and the REST API run in this process;
//! the route is timed sequentially for `--samples` random attendees after a
//! warm-up, and so are its two expensive calls alone: the events service's
//! `FindSharedAttendance` for a page of 20 and `FindContacts` narrowed to
//! that page's persons.

use std::{collections::HashMap, time::Instant};

use chrono::{DateTime, TimeDelta, Utc};
use futures::{StreamExt, TryStreamExt};
use udaconnect_domain::{Coordinates, NewEvent, NewLocation, ScheduledPresentation};
use udaconnect_proto::{
    timestamp_from_datetime,
    v1::{self, event_service_client::EventServiceClient},
};
use udaconnect_storage::{EventStore, FloorPlanChange, LocationStore, PersonStore};
use uuid::Uuid;

use super::venue::{self, Venue};
use crate::{
    credentials::service,
    database,
    services::{self, Services},
    stats::{Summary, ms},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Attendees of the event.
    #[arg(long, default_value_t = 10_000)]
    attendees: usize,
    /// Booths of the floor plan.
    #[arg(long, default_value_t = 300)]
    booths: usize,
    /// Rooms; the programme has 5 slots a day in each, over 2 days.
    #[arg(long, default_value_t = 20)]
    rooms: usize,
    /// Minutes between two stored pings of one attendee (0: no pings, so
    /// the meetings part finds nothing).
    #[arg(long, default_value_t = 5)]
    ping_minutes: i64,
    /// Persons whose `/shared` is timed.
    #[arg(long, default_value_t = 300)]
    samples: usize,
    /// Seed of the attendance and of the choice of persons.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Reuse the data of an earlier run with the same parameters.
    #[arg(long)]
    reuse: bool,
}

/// Entries of the route's first page, as it is asked by default.
const ROUTE_PAGE: u32 = 20;

const DAYS: i64 = 2;
const SLOTS: i64 = 5;
const OPEN_HOURS: i64 = 8;

/// A visit as a row: person, area index in the venue, start, end.
type VisitRow = (i64, usize, DateTime<Utc>, DateTime<Utc>);

fn minutes(rng: &mut fastrand::Rng, low: f64, high: f64) -> TimeDelta {
    TimeDelta::milliseconds(((low + (high - low) * rng.f64()) * 60_000.0) as i64)
}

/// Every attendee's visits, as described at the top.
fn visits(
    venue: &Venue,
    args: &Args,
    slots: &[(usize, DateTime<Utc>, DateTime<Utc>)],
) -> Vec<VisitRow> {
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let slot_count = (DAYS * SLOTS) as usize;
    let mut rows = Vec::new();
    for person in 1..=args.attendees as i64 {
        let mut chosen: Vec<usize> = (0..slot_count).collect();
        rng.shuffle(&mut chosen);
        chosen.truncate(rng.usize(8..=12).min(slot_count));
        for slot in chosen {
            // The presentations of a slot are slot * rooms .. + rooms.
            let (room, start, end) = slots[slot * args.rooms + rng.usize(..args.rooms)];
            let arrived = start - minutes(&mut rng, -10.0, 5.0);
            let left = if rng.f64() < 0.1 {
                arrived + minutes(&mut rng, 5.0, 9.0)
            } else {
                end - minutes(&mut rng, 0.0, 20.0)
            };
            rows.push((person, room, arrived, left));
        }
        for _ in 0..rng.usize(10..=20) {
            let day = venue::opens() + TimeDelta::days(rng.i64(0..DAYS));
            let arrived = day + minutes(&mut rng, 0.0, (OPEN_HOURS * 60 - 10) as f64);
            rows.push((
                person,
                rng.usize(..venue.booths()),
                arrived,
                arrived + minutes(&mut rng, 0.5, 8.0),
            ));
        }
    }
    rows
}

pub async fn run(admin_url: &str, args: Args) -> anyhow::Result<serde_json::Value> {
    let venue = Venue::new(args.booths, args.rooms, 30.0);
    let name = format!(
        "udaconnect_bench_shared_{}_{}_{}_{}_{}",
        args.attendees, args.booths, args.rooms, args.ping_minutes, args.seed
    );
    let (persons_db, locations_db, events_db) = (
        format!("{name}_p"),
        format!("{name}_l"),
        format!("{name}_e"),
    );
    let start = venue::opens();
    let end = start + TimeDelta::days(DAYS - 1) + TimeDelta::hours(OPEN_HOURS);
    let events = if args.reuse {
        EventStore::new(database::connect(admin_url, &events_db).await?)
    } else {
        let persons = PersonStore::new(database::recreate(admin_url, &persons_db).await?);
        persons.migrate().await?;
        persons
            .import(&services::attendees(args.attendees as i64))
            .await?;
        let events = EventStore::new(database::recreate(admin_url, &events_db).await?);
        events.migrate().await?;
        let event = events
            .create_event(&NewEvent::new("Bench", start, end, "UTC")?)
            .await?;
        let FloorPlanChange::Replaced(areas) =
            events.replace_floor_plan(event.id, &venue.areas).await?
        else {
            anyhow::bail!("the synthetic floor plan was refused");
        };
        let ids: HashMap<&str, i64> = areas.iter().map(|a| (a.name.as_str(), a.id)).collect();
        let area_id = |index: usize| ids[venue.areas[index].name.as_str()];
        // (room index, start, end) by slot, then room.
        let mut slots = Vec::new();
        let mut programme = Vec::new();
        for day in 0..DAYS {
            for slot in 0..SLOTS {
                let begins = start + TimeDelta::days(day) + TimeDelta::minutes(slot * 105);
                for room in 0..args.rooms {
                    let index = venue.booths() + room;
                    slots.push((index, begins, begins + TimeDelta::hours(1)));
                    programme.push(ScheduledPresentation {
                        uid: None,
                        title: format!("Talk {day}-{slot}-{room}"),
                        speakers: vec![format!("Speaker {room}")],
                        room_id: area_id(index),
                        start: begins,
                        end: begins + TimeDelta::hours(1),
                    });
                }
            }
        }
        events.replace_programme(event.id, &programme).await?;
        let rows = visits(&venue, &args, &slots);
        for chunk in rows.chunks(50_000) {
            sqlx::query(
                "INSERT INTO visit (person_id, area_id, start_time, end_time)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::timestamptz[])
                 ON CONFLICT DO NOTHING",
            )
            .bind(chunk.iter().map(|r| r.0).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| area_id(r.1)).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.2).collect::<Vec<_>>())
            .bind(chunk.iter().map(|r| r.3).collect::<Vec<_>>())
            .execute(events.pool())
            .await?;
        }
        sqlx::query("VACUUM ANALYZE").execute(events.pool()).await?;

        let locations = LocationStore::new(database::recreate(admin_url, &locations_db).await?);
        locations.migrate().await?;
        if args.ping_minutes > 0 {
            load_pings(&locations, &venue, &args, &rows).await?;
        }
        events
    };
    let event_id: i64 = sqlx::query_scalar("SELECT id FROM event")
        .fetch_one(events.pool())
        .await?;
    let (visit_rows, presentations): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM visit), (SELECT count(*) FROM presentation)")
            .fetch_one(events.pool())
            .await?;
    let locations = LocationStore::new(database::connect(admin_url, &locations_db).await?);
    let pings: i64 = sqlx::query_scalar("SELECT count(*) FROM location")
        .fetch_one(locations.pool())
        .await?;

    let services = Services::start_with_events(
        &database::url(admin_url, &persons_db),
        &database::url(admin_url, &locations_db),
        Some(&database::url(admin_url, &events_db)),
    )
    .await?;
    let events_client = EventServiceClient::new(
        service().channel(services.events_url.as_deref().expect("events"))?,
    );
    let http = &services.http;
    let shared = |person: i64| {
        let request = http
            .get(format!("{}/api/persons/{person}/shared", services.api_url))
            .query(&[("event", event_id.to_string())]);
        async move {
            let started = Instant::now();
            let body = request.send().await?.error_for_status()?.bytes().await?;
            anyhow::Ok((started.elapsed(), body.len()))
        }
    };
    let mut rng = fastrand::Rng::with_seed(args.seed ^ 0x5eed);
    let mut pick = || 1 + rng.i64(0..args.attendees as i64);
    for _ in 0..20 {
        shared(pick()).await?;
    }
    let (mut latencies, mut attendance, mut meetings) = (Vec::new(), Vec::new(), Vec::new());
    let (mut bytes, mut others, mut contacts) = (0usize, 0usize, 0usize);
    for _ in 0..args.samples {
        let person = pick();
        let (elapsed, size) = shared(person).await?;
        latencies.push(elapsed);
        bytes += size;
        // Untimed by the route: its two expensive calls alone, as it makes
        // them for its first page.
        let started = Instant::now();
        let answer = events_client
            .clone()
            .find_shared_attendance(v1::FindSharedAttendanceRequest {
                person_id: person,
                event_id,
                limit: ROUTE_PAGE,
                cursor: String::new(),
            })
            .await?
            .into_inner();
        attendance.push(started.elapsed());
        others += answer.total as usize;
        let started = Instant::now();
        let found = services
            .locations
            .clone()
            .find_contacts(v1::FindContactsRequest {
                person_id: person,
                start_time: Some(timestamp_from_datetime(start)),
                end_time: Some(timestamp_from_datetime(end)),
                limit: ROUTE_PAGE,
                among_person_ids: answer.others.iter().map(|other| other.person_id).collect(),
                ..Default::default()
            })
            .await?
            .into_inner();
        contacts += found.contacts.len();
        meetings.push(started.elapsed());
    }
    let latency = Summary::of(&latencies);
    let attendance = Summary::of(&attendance);
    let meetings = Summary::of(&meetings);
    let per = |total: usize| total as f64 / args.samples as f64;
    println!(
        "shared: {} attendees, {presentations} presentations, {} booths, {} rooms, {visit_rows} visits, {pings} pings (every {} min)",
        args.attendees, args.booths, args.rooms, args.ping_minutes
    );
    println!(
        "  GET …/shared: {latency}  p99 {:.2} ms (target: 50 ms)",
        ms(latency.p99)
    );
    println!(
        "  FindSharedAttendance alone: {attendance}  p99 {:.2} ms",
        ms(attendance.p99)
    );
    println!(
        "  FindContacts among the page: {meetings}  p99 {:.2} ms",
        ms(meetings.p99)
    );
    println!(
        "  per person: {:.0} attendees sharing something, {:.0} of the first page met, {:.0} bytes of answer",
        per(others),
        per(contacts),
        per(bytes)
    );
    Ok(serde_json::json!({
        "benchmark": "attendance_shared", "attendees": args.attendees,
        "presentations": presentations, "booths": args.booths, "rooms": args.rooms,
        "visits": visit_rows, "pings": pings, "ping_minutes": args.ping_minutes,
        "latency": latency.to_json(), "find_shared_attendance": attendance.to_json(),
        "find_contacts_among_page": meetings.to_json(),
        "sharing_per_person": per(others), "page_met_per_person": per(contacts),
        "answer_bytes": per(bytes),
    }))
}

/// Each attendee's pings every `--ping-minutes` over the open hours, in the
/// area of the first visit in progress, else in an aisle; in time order.
async fn load_pings(
    store: &LocationStore,
    venue: &Venue,
    args: &Args,
    visits: &[VisitRow],
) -> anyhow::Result<()> {
    let mut by_person: Vec<Vec<&VisitRow>> = vec![Vec::new(); args.attendees + 1];
    for row in visits {
        by_person[row.0 as usize].push(row);
    }
    let mut rng = fastrand::Rng::with_seed(args.seed ^ 0xbeef);
    let mut pings = Vec::new();
    let step = TimeDelta::minutes(args.ping_minutes);
    for day in 0..DAYS {
        let opens = venue::opens() + TimeDelta::days(day);
        for (person, visits) in by_person.iter().enumerate().skip(1) {
            let phase = TimeDelta::seconds(rng.i64(0..step.num_seconds()));
            let mut time = opens + phase;
            while time < opens + TimeDelta::hours(OPEN_HOURS) {
                let (latitude, longitude) = match visits.iter().find(|v| v.2 <= time && time <= v.3)
                {
                    Some(visit) => venue.inside(visit.1, &mut rng),
                    None => venue.aisle(&mut rng),
                };
                pings.push(NewLocation {
                    event_id: Uuid::from_u64_pair(rng.u64(..), rng.u64(..)),
                    person_id: person as i64,
                    coordinates: Coordinates::new(latitude, longitude)?,
                    creation_time: time,
                });
                time += step;
            }
        }
    }
    pings.sort_by_key(|ping| ping.creation_time);
    let began = Instant::now();
    let written = futures::stream::iter(pings.chunks(10_000))
        .map(|batch| store.write(batch))
        .buffered(2)
        .try_fold(0, |sum, count| async move { Ok(sum + count) })
        .await?;
    database::settle_locations(store).await?;
    println!(
        "loaded {written} pings in {:.0} s",
        began.elapsed().as_secs_f64()
    );
    Ok(())
}
