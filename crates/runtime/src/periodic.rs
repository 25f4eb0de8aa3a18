//! Housekeeping a service does on a schedule (partitions made ahead of
//! time, data past retention deleted): once at start, then at a fixed
//! period, until the service stops.

use std::{future::Future, time::Duration};

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

/// Runs `task` now and then every `period` until `shutdown` is cancelled;
/// a pass still running then is abandoned, so shutdown never waits for
/// one. A pass that overruns the period delays the next instead of
/// bunching them up.
pub async fn every<F, Fut>(period: Duration, shutdown: CancellationToken, mut task: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = task() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_at_once_and_stops_on_shutdown() {
        let (sender, mut passes) = tokio::sync::mpsc::unbounded_channel();
        let shutdown = CancellationToken::new();
        let running = tokio::spawn(every(
            Duration::from_secs(3600),
            shutdown.clone(),
            move || {
                let sender = sender.clone();
                async move {
                    let _ = sender.send(());
                }
            },
        ));
        let first = tokio::time::timeout(Duration::from_secs(5), passes.recv()).await;
        assert_eq!(first, Ok(Some(())), "a pass at start");
        let second = tokio::time::timeout(Duration::from_millis(100), passes.recv()).await;
        assert!(second.is_err(), "no second pass before the period");
        shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), running)
            .await
            .expect("it stops on shutdown")
            .unwrap();
    }
}
