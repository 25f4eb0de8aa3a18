//! Topic creation at startup, retried while the brokers are still coming
//! up, so that services may start in any order.

use tokio_util::sync::CancellationToken;
use udaconnect_messaging::{KafkaSettings, TopicSpec, ensure_topics};

use crate::backoff::Backoff;

/// Creates the missing `topics`, retrying with backoff until the brokers
/// answer. Fails only if `shutdown` comes first.
pub async fn ensure(
    settings: &KafkaSettings,
    topics: &[TopicSpec],
    shutdown: &CancellationToken,
) -> anyhow::Result<()> {
    let mut backoff = Backoff::new();
    loop {
        match ensure_topics(settings, topics).await {
            Ok(()) => return Ok(()),
            Err(error) => tracing::warn!(%error, "cannot create topics yet; retrying"),
        }
        if !backoff.wait(shutdown).await {
            anyhow::bail!("stopped before the topics could be created");
        }
    }
}
