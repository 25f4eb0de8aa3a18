//! Keeping the floor index in step with the events service.

use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use udaconnect_proto::{
    area_from_wire, event_from_wire,
    v1::{self, event_service_client::EventServiceClient},
};
use udaconnect_runtime::{backoff::Backoff, grpc::SignedChannel};

use crate::FloorIndex;

/// Largest floor-plans answer accepted: thousands of detailed outlines.
pub(crate) const MAX_FLOOR_PLANS_BYTES: usize = 256 * 1024 * 1024;

/// The index of every floor plan, reloaded when the events service's
/// revision moves.
#[derive(Debug)]
pub(crate) struct FloorPlans {
    events: EventServiceClient<SignedChannel>,
    every: Duration,
    checked: Option<Instant>,
    revision: i64,
    index: FloorIndex,
}

impl FloorPlans {
    /// Nothing loaded yet; the first [`FloorPlans::refresh`] loads.
    pub(crate) fn new(events: EventServiceClient<SignedChannel>, every: Duration) -> Self {
        Self {
            events,
            every,
            checked: None,
            revision: 0,
            index: FloorIndex::new(&[], Vec::new()),
        }
    }

    /// The index as last loaded.
    pub(crate) fn index(&self) -> &FloorIndex {
        &self.index
    }

    /// Reloads the floor plans if they changed and the last check is older
    /// than the refresh interval. The first load is retried until it
    /// succeeds (`false` if shutdown comes first); later failures keep the
    /// index in hand.
    pub(crate) async fn refresh(&mut self, shutdown: &CancellationToken) -> bool {
        if self
            .checked
            .is_some_and(|checked| checked.elapsed() < self.every)
        {
            return true;
        }
        let mut backoff = Backoff::new();
        loop {
            match self.load().await {
                Ok(()) => return true,
                Err(error) if self.checked.is_some() => {
                    tracing::warn!(%error, "cannot reload floor plans; keeping the ones in hand");
                    return true;
                }
                Err(error) => tracing::warn!(%error, "cannot load floor plans; retrying"),
            }
            if !backoff.wait(shutdown).await {
                return false;
            }
        }
    }

    async fn load(&mut self) -> anyhow::Result<()> {
        let answer = self
            .events
            .clone()
            .get_floor_plans(v1::GetFloorPlansRequest {
                known_revision: self.revision,
            })
            .await?
            .into_inner();
        if answer.unchanged {
            self.checked = Some(Instant::now());
            return Ok(());
        }
        let events = answer
            .events
            .iter()
            .map(event_from_wire)
            .collect::<Result<Vec<_>, _>>()?;
        let areas = answer
            .areas
            .iter()
            .map(area_from_wire)
            .collect::<Result<Vec<_>, _>>()?;
        self.index = FloorIndex::new(&events, areas);
        self.revision = answer.revision;
        self.checked = Some(Instant::now());
        metrics::gauge!("attendance_indexed_areas").set(self.index.len() as f64);
        tracing::info!(
            revision = self.revision,
            areas = self.index.len(),
            "floor plans loaded"
        );
        Ok(())
    }
}
