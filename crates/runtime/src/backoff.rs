//! Waiting between retries of work that must eventually succeed (writes of
//! acknowledged pings), without hammering a dependency that is down and
//! without delaying shutdown.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

/// Exponential backoff with jitter: 100 ms, doubling up to 5 s.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    /// Starts at 100 ms and doubles up to 5 s.
    pub fn new() -> Self {
        Self {
            next: Duration::from_millis(100),
            max: Duration::from_secs(5),
        }
    }

    /// Sleeps for the next interval. Returns `false` at once if `shutdown`
    /// is cancelled meanwhile, so the caller can give up cleanly.
    pub async fn wait(&mut self, shutdown: &CancellationToken) -> bool {
        // Up to 25% jitter so that replicas do not retry in lockstep.
        let jitter = self.next.mul_f64(fastrand::f64() / 4.0);
        let delay = self.next + jitter;
        self.next = (self.next * 2).min(self.max);
        tokio::select! {
            _ = shutdown.cancelled() => false,
            _ = tokio::time::sleep(delay) => true,
        }
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}
