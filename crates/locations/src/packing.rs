//! Merging the packs that writers add to `location_pack` (a small one per
//! grid cube and bucket of each batch), so that contact search reads one
//! row per cube and bucket a short while after the pings arrive.

use std::time::Duration;

use udaconnect_storage::LocationStore;

/// How often the packs are merged: the most recent half minute of pings is
/// read from the batches' packs until then.
pub(crate) const MERGE_PERIOD: Duration = Duration::from_secs(30);

/// Cubes and buckets merged per statement: each statement is a transaction
/// of its own, kept short, since erasures wait for it.
pub const GROUPS_PER_STATEMENT: u16 = 2_000;

/// One pass, until nothing is left to merge. A failure is logged and left
/// for the next pass; searches read unmerged packs meanwhile, only more of
/// them.
pub(crate) async fn merge_packs(store: &LocationStore) {
    match store.merge_packs(GROUPS_PER_STATEMENT).await {
        Ok(merged) => metrics::counter!("locations_packs_merged_total").increment(merged),
        Err(error) => {
            tracing::warn!(%error, "cannot merge the packs of recent pings; trying again next time");
        }
    }
}
