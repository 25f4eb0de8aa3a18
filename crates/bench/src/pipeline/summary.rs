//! The run's figures as a reader wants them, printed beside the JSON result
//! (which is for the report).

use std::{collections::BTreeMap, fmt::Display};

use super::conference::Played;

/// Prints each conference's throughput and CPU time, then the services'
/// cold starts and every process's idle and peak memory.
pub fn print(
    conferences: [(&str, &Played); 2],
    cold_start_ms: &BTreeMap<String, u64>,
    idle_rss_kib: &BTreeMap<String, u64>,
    peak_rss_kib: &BTreeMap<String, u64>,
) {
    for (kind, played) in conferences {
        eprintln!(
            "{kind:9} end to end: {} pings durable in {:.2} s: {} pings/s",
            played.pings,
            played.seconds,
            thousands(played.pings_per_second())
        );
        eprintln!(
            "  CPU seconds: {}",
            listed(&played.cpu_seconds, |used| format!("{used:.2}"))
        );
    }
    eprintln!(
        "cold start (to ready): {}",
        listed(cold_start_ms, |ms| format!("{ms} ms"))
    );
    let mib = |kib: Option<&u64>| {
        kib.map_or("?".to_owned(), |&kib| format!("{:.1}", kib as f64 / 1024.0))
    };
    let memory: BTreeMap<_, _> = peak_rss_kib
        .iter()
        .map(|(name, peak)| {
            (
                name,
                format!("{} / {} MiB", mib(idle_rss_kib.get(name)), mib(Some(peak))),
            )
        })
        .collect();
    eprintln!("RSS idle / peak: {}", listed(&memory, Clone::clone));
}

/// `name figure, name figure, …` in name order.
fn listed<N: Display, V>(figures: &BTreeMap<N, V>, show: impl Fn(&V) -> String) -> String {
    figures
        .iter()
        .map(|(name, value)| format!("{name} {}", show(value)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `value` rounded to a whole number, its thousands separated by commas.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(54615.7), "54,616");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(thousands(-1000.0), "-1,000");
    }
}
