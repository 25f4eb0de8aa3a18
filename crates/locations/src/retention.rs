//! The locations service's housekeeping, at start and then every
//! `RETENTION_PERIOD`:
//! the partitions of today and tomorrow made ahead of the pings, and the
//! days whose pings are all past retention dropped.

use chrono::{TimeDelta, Utc};
use udaconnect_domain::{Event, Retention};
use udaconnect_proto::{
    event_from_wire,
    v1::{self, event_service_client::EventServiceClient},
};
use udaconnect_runtime::grpc::SignedChannel;
use udaconnect_storage::LocationStore;

/// What one housekeeping pass needs.
#[derive(Debug, Clone)]
pub(crate) struct Housekeeping {
    pub(crate) store: LocationStore,
    /// The events service, owner of the events whose pings are kept.
    pub(crate) events: EventServiceClient<SignedChannel>,
    pub(crate) retention: Retention,
}

impl Housekeeping {
    /// One pass. Failures are logged and left for the next pass; without
    /// the events nothing is dropped, since a day's pings may belong to an
    /// event still kept.
    pub(crate) async fn run(&self) {
        let now = Utc::now();
        let ahead = [now, now + TimeDelta::days(1)].map(|time| time.date_naive());
        if let Err(error) = self.store.ensure_partitions(ahead).await {
            tracing::warn!(%error, "cannot make today's and tomorrow's partitions ahead of time");
        }
        let events = match self.events().await {
            Ok(events) => events,
            Err(error) => {
                tracing::warn!(%error, "cannot list the events; no pings are dropped this time");
                return;
            }
        };
        match self
            .store
            .drop_partitions_past_retention(now, self.retention, &events)
            .await
        {
            Ok(dropped) => {
                metrics::counter!("locations_partitions_dropped_total")
                    .increment(dropped.len() as u64);
            }
            Err(error) => tracing::warn!(%error, "cannot drop the pings past retention"),
        }
    }

    async fn events(&self) -> anyhow::Result<Vec<Event>> {
        let answer = self
            .events
            .clone()
            .list_events(v1::ListEventsRequest {})
            .await?
            .into_inner();
        Ok(answer
            .events
            .iter()
            .map(event_from_wire)
            .collect::<Result<_, _>>()?)
    }
}
