//! Summaries of repeated timings.

use std::time::Duration;

/// Median and spread of a set of timings.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub samples: usize,
    pub min: Duration,
    pub median: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
}

impl Summary {
    pub fn of(timings: &[Duration]) -> Self {
        let mut sorted = timings.to_vec();
        sorted.sort();
        let at = |q: f64| quantile(&sorted, q);
        Self {
            samples: sorted.len(),
            min: sorted[0],
            median: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            max: sorted[sorted.len() - 1],
        }
    }

    pub fn to_json(self) -> serde_json::Value {
        serde_json::json!({
            "samples": self.samples,
            "min_ms": ms(self.min),
            "median_ms": ms(self.median),
            "p90_ms": ms(self.p90),
            "p99_ms": ms(self.p99),
            "max_ms": ms(self.max),
        })
    }
}

/// The value at quantile `q` (0 to 1) of `sorted`, which must not be empty:
/// the nearest rank, no interpolation.
pub fn quantile<T: Copy>(sorted: &[T], q: f64) -> T {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "median {:>10.2} ms   min {:>10.2}   p90 {:>10.2}   max {:>10.2}   (n={})",
            ms(self.median),
            ms(self.min),
            ms(self.p90),
            ms(self.max),
            self.samples
        )
    }
}
