//! Recomputing an event's visits from the stored pings, for a floor plan
//! corrected after the fact (or uploaded late): the same mapping and merging
//! as the stream, so the same visits.

use std::time::{Duration, Instant};

use chrono::DateTime;
use futures::StreamExt;
use serde::Serialize;
use udaconnect_domain::{Visit, VisitGap, merge_visits};
use udaconnect_proto::{
    area_from_wire, event_from_wire,
    limits::MAX_VISITS_PER_CALL,
    timestamp_from_datetime,
    v1::{
        self, event_service_client::EventServiceClient,
        location_service_client::LocationServiceClient,
    },
};
use udaconnect_runtime::ServiceCredential;

use crate::FloorIndex;

/// Stays held before they are merged, bounding memory between merges.
const MERGE_EVERY: usize = 1_000_000;

/// What a rebuild did.
#[derive(Debug, Clone, Serialize)]
pub struct RebuildReport {
    /// The event rebuilt.
    pub event_id: i64,
    /// Pings read in the event's time and box.
    pub pings: u64,
    /// Visits stored.
    pub visits: u32,
    /// Visits replaced.
    pub removed: u32,
    /// How long it took.
    pub elapsed: Duration,
}

/// Replaces every visit of `event_id` with the ones its stored pings give:
/// reads them from the locations service at `locations_url`, maps and
/// merges them as the attendance consumer does, and hands the result to the
/// events service at `events_url`, which swaps it in in one transaction.
/// Both are called with `service`'s token.
pub async fn rebuild_event(
    events_url: &str,
    locations_url: &str,
    service: &ServiceCredential,
    event_id: i64,
    gap: VisitGap,
) -> anyhow::Result<RebuildReport> {
    let began = Instant::now();
    let mut events = EventServiceClient::new(service.channel(events_url)?)
        .max_decoding_message_size(crate::floor_plans::MAX_FLOOR_PLANS_BYTES);
    let event = events
        .get_event(v1::GetEventRequest { id: event_id })
        .await?
        .into_inner();
    let event = event_from_wire(&event)?;
    let areas = events
        .list_areas(v1::ListAreasRequest { event_id })
        .await?
        .into_inner()
        .areas
        .iter()
        .map(area_from_wire)
        .collect::<Result<Vec<_>, _>>()?;
    let index = FloorIndex::new(std::slice::from_ref(&event), areas);

    let mut stays: Vec<Visit> = Vec::new();
    let mut pings = 0u64;
    if let Some(((south, west), (north, east))) = index.bounds() {
        let mut locations = LocationServiceClient::new(service.channel(locations_url)?)
            .max_decoding_message_size(64 * 1024 * 1024);
        let mut chunks = locations
            .stream_area_pings(v1::StreamAreaPingsRequest {
                start_time: Some(timestamp_from_datetime(event.start)),
                end_time: Some(timestamp_from_datetime(event.end)),
                min_latitude: south,
                min_longitude: west,
                max_latitude: north,
                max_longitude: east,
            })
            .await?
            .into_inner();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            pings += chunk.person_ids.len() as u64;
            for (((person_id, latitude), longitude), micros) in chunk
                .person_ids
                .iter()
                .zip(&chunk.latitudes)
                .zip(&chunk.longitudes)
                .zip(&chunk.times_micros)
            {
                let Some(time) = DateTime::from_timestamp_micros(*micros) else {
                    anyhow::bail!("the locations service sent an impossible time: {micros} µs");
                };
                index.record_ping(*person_id, *latitude, *longitude, time, &mut stays);
            }
            if stays.len() > MERGE_EVERY {
                stays = merge_visits(stays, gap);
            }
        }
    }
    let visits = merge_visits(stays, gap);

    let requests: Vec<v1::ReplaceEventVisitsRequest> = if visits.is_empty() {
        vec![v1::ReplaceEventVisitsRequest {
            event_id,
            visits: Vec::new(),
        }]
    } else {
        visits
            .chunks(MAX_VISITS_PER_CALL)
            .map(|chunk| v1::ReplaceEventVisitsRequest {
                event_id,
                visits: chunk.iter().map(Into::into).collect(),
            })
            .collect()
    };
    let replaced = events
        .replace_event_visits(futures::stream::iter(requests))
        .await?
        .into_inner();
    let report = RebuildReport {
        event_id,
        pings,
        visits: replaced.stored,
        removed: replaced.removed,
        elapsed: began.elapsed(),
    };
    tracing::info!(?report, "attendance rebuilt");
    Ok(report)
}
