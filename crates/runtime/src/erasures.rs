//! Acting on the erasures topic. Every service that holds data about
//! persons follows it in a consumer group of its own and erases what it
//! holds; offsets are committed only after the erasure is done, so an
//! erasure survives any crash, and erasing twice is harmless.

use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;
use udaconnect_messaging::EventConsumer;
use udaconnect_proto::datetime_from_timestamp;
use udaconnect_storage::ErasesPersons;

use crate::{backoff::Backoff, config::KafkaArgs, topics};

/// Most erasures handled between two offset commits.
const BATCH: usize = 100;

/// Longest a batch waits for more erasures after its first.
const LINGER: Duration = Duration::from_millis(50);

/// Erases from `store` every person named on the erasures topic, as a
/// member of consumer `group`, until `shutdown`. An erasure that fails (the
/// database is down) is retried until it succeeds; a record that is not an
/// erasure is logged and skipped, since no retry can read it.
pub async fn follow_erasures(
    kafka: KafkaArgs,
    group: &'static str,
    store: impl ErasesPersons,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let settings = kafka.settings();
    if topics::ensure(&settings, &kafka.topics(), &shutdown)
        .await
        .is_err()
    {
        // Stopped before the brokers answered: nothing was consumed.
        return Ok(());
    }
    let consumer = EventConsumer::subscribe(&settings, group, &kafka.erasures_topic)?;
    let mut committed = None;
    loop {
        let batch = consumer.next_batch(BATCH, LINGER, &shutdown).await;
        if batch.is_empty() {
            break;
        }
        for record in &batch {
            let erased = match record.person_erased() {
                Ok(erased) => erased,
                Err(error) => {
                    tracing::error!(%error, origin = record.origin(), "unreadable erasure record skipped");
                    metrics::counter!("erasures_unreadable_total").increment(1);
                    continue;
                }
            };
            let requested =
                datetime_from_timestamp("requested_time", erased.requested_time.as_ref())
                    .unwrap_or_else(|_| Utc::now());
            let mut backoff = Backoff::new();
            let deleted = loop {
                match store.erase_person(erased.person_id, requested).await {
                    Ok(deleted) => break deleted,
                    Err(error) => {
                        tracing::warn!(%error, person_id = erased.person_id, "erasure failed; retrying")
                    }
                }
                if !backoff.wait(&shutdown).await {
                    // Not committed: erased after the restart.
                    return Ok(());
                }
            };
            tracing::info!(target: "audit", person_id = erased.person_id, group, deleted, "person erased");
            metrics::counter!("persons_erased_total").increment(1);
        }
        committed = Some(consumer.commit(&batch));
    }
    if let Some(offsets) = committed {
        consumer.commit_last(offsets).await;
    }
    Ok(())
}
