//! What each process of the pipeline costs, read from /proc: the CPU time it
//! has used and its resident memory.

use std::process::Command;

use anyhow::Context;

/// Converts the CPU times /proc reports, in clock ticks, to seconds.
pub struct CpuClock {
    ticks_per_second: f64,
}

impl CpuClock {
    /// Asks the system how many ticks make a second (`getconf CLK_TCK`).
    pub fn new() -> anyhow::Result<Self> {
        let output = Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .context("cannot run getconf CLK_TCK")?;
        let text = String::from_utf8_lossy(&output.stdout);
        let ticks_per_second: f64 = text
            .trim()
            .parse()
            .ok()
            .filter(|&ticks| ticks > 0.0)
            .with_context(|| format!("getconf CLK_TCK printed {text:?}, not a tick rate"))?;
        Ok(Self { ticks_per_second })
    }

    /// User and system CPU seconds process `pid` and its exited children
    /// have used so far.
    pub fn seconds(&self, pid: u32) -> anyhow::Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .with_context(|| format!("cannot read the CPU time of process {pid}"))?;
        let (_, ticks) =
            parse_stat(&stat).with_context(|| format!("/proc/{pid}/stat is malformed"))?;
        Ok(ticks / self.ticks_per_second)
    }

    /// CPU seconds used so far by every process named `postgres` (the
    /// server and its backends, as `pgrep -x postgres` finds them). A
    /// backend that has exited is still counted, in its parent's (the
    /// server's) children's time, so the figure never falls.
    pub fn postgres_seconds(&self) -> anyhow::Result<f64> {
        let mut ticks = 0.0;
        for entry in std::fs::read_dir("/proc").context("cannot list /proc")? {
            let path = entry?.path().join("stat");
            // Processes come and go while we read: a vanished one is skipped.
            if let Some(("postgres", used)) = std::fs::read_to_string(&path)
                .ok()
                .as_deref()
                .and_then(parse_stat)
            {
                ticks += used;
            }
        }
        Ok(ticks / self.ticks_per_second)
    }
}

/// A process's name and the user + system CPU time in ticks of it and of its
/// children that have exited, from the text of /proc/PID/stat. The name is
/// in parentheses and may hold spaces or parentheses itself, so the fields
/// are counted from the last `)`.
fn parse_stat(stat: &str) -> Option<(&str, f64)> {
    let (head, tail) = stat.rsplit_once(')')?;
    let (_, name) = head.split_once('(')?;
    // After the name: state (field 3), …, utime (14), stime (15), and the
    // exited children's cutime (16), cstime (17).
    let times: Vec<f64> = tail
        .split_whitespace()
        .skip(11)
        .take(4)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    (times.len() == 4).then(|| (name, times.iter().sum()))
}

/// Which memory figure of /proc/PID/status to read.
#[derive(Debug, Clone, Copy)]
pub enum Memory {
    /// What the process holds in RAM now (`VmRSS`).
    Resident,
    /// The most it has held since it started (`VmHWM`).
    Peak,
}

/// The `which` memory figure of process `pid`, in KiB.
pub fn memory_kib(pid: u32, which: Memory) -> anyhow::Result<u64> {
    let key = match which {
        Memory::Resident => "VmRSS:",
        Memory::Peak => "VmHWM:",
    };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("cannot read the memory of process {pid}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("/proc/{pid}/status has no {key} figure"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_from_the_name_s_end() {
        let stat = "42 (post gres) (x) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 30 5 20 0 1 0";
        assert_eq!(parse_stat(stat), Some(("post gres) (x", 360.0)));
        assert_eq!(parse_stat("42 (short) S 1"), None);
    }

    #[test]
    fn this_process_has_memory_and_cpu_time() {
        let pid = std::process::id();
        assert!(memory_kib(pid, Memory::Resident).unwrap() > 0);
        assert!(memory_kib(pid, Memory::Peak).unwrap() > 0);
        assert!(CpuClock::new().unwrap().seconds(pid).unwrap() >= 0.0);
    }
}
