//! Rate limits at the public entry points: a token bucket per caller (a
//! phone, a person, or for anonymous callers their address), so one caller
//! cannot crowd out the others. The organizer is not limited.

use std::{
    collections::HashMap,
    hash::Hash,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use uuid::Uuid;

/// Who a limit is counted for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A phone, by its device id.
    Device(Uuid),
    /// A signed-in person.
    Person(i64),
    /// Anyone else, by the address the call came from.
    Address(IpAddr),
}

/// Buckets kept at most; past it, those full again (idle callers) go.
const MAX_BUCKETS: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A token bucket per caller. Cheap to clone: clones share the buckets.
#[derive(Debug, Clone)]
pub struct RateLimiter<K = Caller> {
    per_second: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<K, Bucket>>>,
}

impl<K: Hash + Eq + Copy> RateLimiter<K> {
    /// Each caller may make `burst` calls at once and `per_second` on
    /// average.
    pub fn new(per_second: f64, burst: f64) -> Self {
        Self {
            per_second: per_second.max(f64::MIN_POSITIVE),
            burst: burst.max(1.0),
            buckets: Arc::default(),
        }
    }

    /// Takes one call from `caller`'s bucket; `Err` says how long until the
    /// next call would be allowed.
    pub fn check(&self, caller: K) -> Result<(), Duration> {
        self.check_at(caller, Instant::now())
    }

    fn check_at(&self, caller: K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&caller) {
            let (per_second, burst) = (self.per_second, self.burst);
            buckets.retain(|_, bucket| refilled(bucket, now, per_second, burst) < burst);
        }
        let bucket = buckets.entry(caller).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        bucket.tokens = refilled(bucket, now, self.per_second, self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }
}

fn refilled(bucket: &Bucket, now: Instant, per_second: f64, burst: f64) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
    (bucket.tokens + elapsed * per_second).min(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_second: f64, burst: f64) -> RateLimiter<u32> {
        RateLimiter::new(per_second, burst)
    }

    #[test]
    fn a_burst_then_the_average() {
        let limiter = limiter(2.0, 3.0);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(1, start).is_ok());
        }
        let wait = limiter.check_at(1, start).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9, "{wait:?}");
        // Another caller has a bucket of its own.
        assert!(limiter.check_at(2, start).is_ok());
        // Half a second later one call is allowed again, not two.
        let later = start + Duration::from_millis(500);
        assert!(limiter.check_at(1, later).is_ok());
        assert!(limiter.check_at(1, later).is_err());
    }

    #[test]
    fn idle_callers_are_forgotten_when_the_table_is_full() {
        let limiter = limiter(1_000.0, 1.0);
        let start = Instant::now();
        for caller in 0..MAX_BUCKETS as u32 {
            limiter.check_at(caller, start).unwrap();
        }
        // A second on, every bucket is full again, so a new caller clears them.
        limiter
            .check_at(u32::MAX, start + Duration::from_secs(1))
            .unwrap();
        assert_eq!(limiter.buckets.lock().unwrap().len(), 1);
    }
}
