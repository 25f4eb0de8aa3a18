//! Turning an uploaded programme into presentations the event can hold:
//! wall-clock times placed by their time zone's rules, rooms found on the
//! floor plan, every entry within the event.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use udaconnect_domain::{
    AreaKind, Event, FieldError, NewPresentation, ProgrammeTime, ScheduledPresentation,
};
use udaconnect_runtime::grpc::ServiceError;
use udaconnect_storage::EventStore;

/// The programme's presentations, checked against `event` and its floor
/// plan; errors name the entry at fault.
pub(crate) async fn schedule(
    store: &EventStore,
    event: &Event,
    programme: Vec<NewPresentation>,
) -> Result<Vec<ScheduledPresentation>, ServiceError> {
    let areas = store.areas(event.id).await?;
    let areas: HashMap<&str, (i64, AreaKind)> = areas
        .iter()
        .map(|area| (area.name.as_str(), (area.id, area.kind)))
        .collect();
    let times = place_times(store, event, &programme).await?;
    programme
        .into_iter()
        .zip(times)
        .enumerate()
        .map(|(index, (presentation, span))| {
            let field = format!("presentations[{index}]");
            let room_id = match areas.get(presentation.room.as_str()) {
                Some((id, AreaKind::Room)) => *id,
                Some((_, AreaKind::Booth)) => {
                    return Err(FieldError::new(
                        format!("{field}.room"),
                        format!("{:?} is a booth, not a room", presentation.room),
                    ));
                }
                None => {
                    return Err(FieldError::new(
                        format!("{field}.room"),
                        format!(
                            "no room named {:?} in the event's floor plan",
                            presentation.room
                        ),
                    ));
                }
            };
            ScheduledPresentation::new(&field, presentation, room_id, span, event)
        })
        .collect::<Result<_, _>>()
        .map_err(ServiceError::from)
}

/// Each presentation's (start, end) as instants. Wall-clock times are
/// placed by PostgreSQL's time zone rules, all in one statement.
async fn place_times(
    store: &EventStore,
    event: &Event,
    programme: &[NewPresentation],
) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, ServiceError> {
    let mut local: Vec<(NaiveDateTime, &str)> = Vec::new();
    let mut owners: Vec<String> = Vec::new();
    for (index, presentation) in programme.iter().enumerate() {
        for (end, time) in [("start", &presentation.start), ("end", &presentation.end)] {
            if let ProgrammeTime::Local { time, zone } = time {
                local.push((*time, zone.as_deref().unwrap_or(&event.time_zone)));
                owners.push(format!("presentations[{index}].{end}"));
            }
        }
    }
    let zones: Vec<&str> = local.iter().map(|(_, zone)| *zone).collect();
    if let Some(unknown) = store.unknown_time_zones(&zones).await?.first() {
        let owner = local
            .iter()
            .position(|(_, zone)| zone == unknown)
            .map(|position| owners[position].clone())
            .unwrap_or_else(|| "presentations".to_owned());
        return Err(FieldError::new(
            owner,
            format!(
                "names the unknown time zone {unknown:?} (use an IANA name such as Europe/Berlin)"
            ),
        )
        .into());
    }
    let placed = store.place_local_times(&local).await?;
    if placed.len() != local.len() {
        return Err(ServiceError::Internal(
            format!("{} local times placed of {}", placed.len(), local.len()).into(),
        ));
    }
    let mut placed = placed.into_iter();
    let mut instant = |time: &ProgrammeTime| match time {
        ProgrammeTime::Local { .. } => placed.next().unwrap_or_default(),
        ProgrammeTime::Utc(time) => *time,
    };
    Ok(programme
        .iter()
        .map(|presentation| (instant(&presentation.start), instant(&presentation.end)))
        .collect())
}
