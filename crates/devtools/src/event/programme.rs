//! The programme of a simulated event: slots across the day, each with one
//! presentation per room in parallel, 20 to 60 minutes long, every
//! presentation on a topic so attendees can choose by interest.

use chrono::{DateTime, TimeDelta, Utc};

use super::venue::{AreaKind, Venue};

/// A topic, and the titles of presentations on it.
struct Topic {
    name: &'static str,
    titles: &'static [&'static str],
}

/// What presentations are about; attendees have a few of these as
/// interests. Some names and titles hold commas and semicolons, which
/// iCalendar must escape.
const TOPICS: [Topic; 8] = [
    Topic {
        name: "Cloud, Containers & Kubernetes",
        titles: &[
            "Kubernetes Operators Without Tears",
            "Right-Sizing Pods: A Field Guide",
            "Multi-Region Failover, Tested Weekly",
            "From VMs to Containers in Ninety Days",
            "Service Meshes; When You Need One and When You Don't",
        ],
    },
    Topic {
        name: "Data Engineering",
        titles: &[
            "Streaming Joins at Scale",
            "Change Data Capture, Explained",
            "Building a Lakehouse on a Budget",
            "Exactly-Once Delivery: Myth or Method?",
            "Schemas That Survive Their Producers",
        ],
    },
    Topic {
        name: "Security & Privacy",
        titles: &[
            "Zero Trust for the Rest of Us",
            "Threat Modeling Your Location Data",
            "Secrets, Keys, and Certificates: Rotating Without Downtime",
            "Privacy by Design in Contact Tracing",
            "Supply-Chain Attacks and How to Survive Them",
        ],
    },
    Topic {
        name: "Mobile",
        titles: &[
            "Battery-Friendly Background Location",
            "Offline-First Apps That Sync",
            "Accessibility on Small Screens",
            "Shipping a Mobile Release Every Week",
            "Geofencing That Actually Works Indoors",
        ],
    },
    Topic {
        name: "Machine Learning",
        titles: &[
            "Feature Stores in Production",
            "Forecasting Crowd Flows",
            "ML Models on the Edge",
            "Evaluating Models Beyond Accuracy",
            "From Notebook to Service in a Day",
        ],
    },
    Topic {
        name: "DevOps & Reliability",
        titles: &[
            "Logs, Metrics, and Traces: Observability Done Right",
            "SLOs That Engineers Believe In",
            "Chaos Engineering on a Shoestring",
            "Postmortems Without Blame",
            "Progressive Delivery with Feature Flags",
        ],
    },
    Topic {
        name: "Programming Languages",
        titles: &[
            "Fearless Concurrency in Practice",
            "Rust for Backend Services",
            "Type-Driven API Design",
            "WebAssembly Outside the Browser",
            "Async I/O Under the Hood",
        ],
    },
    Topic {
        name: "Geospatial",
        titles: &[
            "PostGIS Tips for Busy Engineers",
            "Indoor Positioning: BLE, Wi-Fi, and UWB",
            "Spatial Indexes Demystified",
            "Mapping Millions of Pings in the Browser",
            "Geofences, Polygons, and the Antimeridian",
        ],
    },
];

/// Given names of speakers.
const FIRST_NAMES: [&str; 24] = [
    "Maria", "James", "Aisha", "Wei", "Sofia", "Diego", "Priya", "Lucas", "Fatima", "Noah",
    "Elena", "Kenji", "Amara", "Oliver", "Chloé", "Mateo", "Ingrid", "Samuel", "Leila", "Tomás",
    "Hannah", "Ravi", "Zoe", "Andrés",
];
/// Family names of speakers.
const LAST_NAMES: [&str; 24] = [
    "Garcia",
    "Nguyen",
    "Okafor",
    "Chen",
    "Rossi",
    "Martinez",
    "Patel",
    "Schmidt",
    "Haddad",
    "Johnson",
    "Petrova",
    "Tanaka",
    "Mensah",
    "Brown",
    "Dubois",
    "Fernández",
    "Larsen",
    "Cohen",
    "Rahman",
    "Silva",
    "Müller",
    "Iyer",
    "Walsh",
    "Benally",
];

/// Before the first slot: time to arrive and find a room.
const OPENING: TimeDelta = TimeDelta::minutes(5);
/// Length of a slot, chosen at random; a room's presentation fills it or
/// leaves up to `SLOT_SLACK` of it free.
const SLOT_LENGTHS: [TimeDelta; 3] = [
    TimeDelta::minutes(30),
    TimeDelta::minutes(45),
    TimeDelta::minutes(60),
];
/// How much shorter than its slot a presentation may be, in steps of 5
/// minutes.
const SLOT_SLACK_STEPS: i32 = 2;
/// The shortest presentation.
const SHORTEST: TimeDelta = TimeDelta::minutes(20);
/// Between two slots: booth time, and long enough that nobody arriving
/// early for one presentation is in the room during the previous one.
const BREAK: TimeDelta = TimeDelta::minutes(20);
/// After the last slot, before the event ends.
const CLOSING: TimeDelta = TimeDelta::minutes(5);

/// A talk of the programme.
#[derive(Debug, Clone, PartialEq)]
pub struct Presentation {
    /// The iCalendar UID: the key attendance is checked by.
    pub uid: String,
    /// Its title.
    pub title: String,
    /// Who gives it.
    pub speakers: Vec<String>,
    /// What it is about (a topic index; see [`topic_name`]).
    pub topic: usize,
    /// Where: an index into the venue's areas, of a room.
    pub room: usize,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
}

impl Presentation {
    /// How long it lasts.
    pub fn length(&self) -> TimeDelta {
        self.end - self.start
    }
}

/// Every presentation, slot after slot.
#[derive(Debug, Clone)]
pub struct Programme {
    /// By start, then room.
    pub presentations: Vec<Presentation>,
    /// Each slot's presentations, as index ranges into `presentations`.
    pub slots: Vec<std::ops::Range<usize>>,
}

/// How many topics there are.
pub fn topic_count() -> usize {
    TOPICS.len()
}

/// A topic's name.
pub fn topic_name(topic: usize) -> &'static str {
    TOPICS[topic].name
}

impl Programme {
    /// Fills `start..end` with slots, a presentation in every room of
    /// `venue` per slot, drawing lengths, titles and speakers from `rng`.
    pub fn new(
        venue: &Venue,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        rng: &mut fastrand::Rng,
    ) -> Self {
        let rooms = venue.of_kind(AreaKind::Room);
        // Titles are drawn without replacement; an exhausted pool starts again
        // as encores.
        let mut pool: Vec<(usize, &str)> = Vec::new();
        let mut round = 0;
        let mut presentations = Vec::new();
        let mut slots = Vec::new();
        let mut at = start + OPENING;
        loop {
            let room_left = end - CLOSING - at;
            let slot = SLOT_LENGTHS[rng.usize(..SLOT_LENGTHS.len())].min(room_left);
            if slot < SHORTEST {
                break;
            }
            let first = presentations.len();
            for &room in &rooms {
                if pool.is_empty() {
                    round += 1;
                    pool = TOPICS
                        .iter()
                        .enumerate()
                        .flat_map(|(topic, t)| t.titles.iter().map(move |title| (topic, *title)))
                        .collect();
                    rng.shuffle(&mut pool);
                }
                let (topic, title) = pool.pop().expect("refilled above");
                let slack = TimeDelta::minutes(5) * rng.i32(0..=SLOT_SLACK_STEPS);
                let length = (slot - slack).max(SHORTEST);
                let room_name = &venue.areas()[room].name;
                presentations.push(Presentation {
                    uid: format!(
                        "{}-{}@udaconnect.example",
                        at.format("%Y%m%dT%H%M%SZ"),
                        room_name.to_lowercase().replace(' ', "-")
                    ),
                    title: match round {
                        1 => title.to_owned(),
                        _ => format!("{title} (encore {})", round - 1),
                    },
                    speakers: speakers(rng),
                    topic,
                    room,
                    start: at,
                    end: at + length,
                });
            }
            slots.push(first..presentations.len());
            at += slot + BREAK;
        }
        Self {
            presentations,
            slots,
        }
    }
}

/// One speaker, or now and then two.
fn speakers(rng: &mut fastrand::Rng) -> Vec<String> {
    let count = if rng.f64() < 0.25 { 2 } else { 1 };
    let mut names: Vec<String> = Vec::with_capacity(count);
    while names.len() < count {
        let name = format!(
            "{} {}",
            FIRST_NAMES[rng.usize(..FIRST_NAMES.len())],
            LAST_NAMES[rng.usize(..LAST_NAMES.len())]
        );
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::venue::Projection;

    #[test]
    fn presentations_fit_the_event_and_never_share_a_room_at_once() {
        let mut rng = fastrand::Rng::with_seed(5);
        let venue = Venue::new(
            10,
            3,
            Projection {
                origin: (35.0, -106.0),
            },
            &mut rng,
        );
        let start = DateTime::parse_from_rfc3339("2020-08-18T15:00:00Z")
            .unwrap()
            .to_utc();
        for minutes in [30, 90, 300, 480] {
            let end = start + TimeDelta::minutes(minutes);
            let programme = Programme::new(&venue, start, end, &mut rng);
            assert!(!programme.presentations.is_empty(), "{minutes} min");
            for p in &programme.presentations {
                assert!(start < p.start && p.end <= end - CLOSING);
                assert!((SHORTEST..=TimeDelta::minutes(60)).contains(&p.length()));
                assert_eq!(venue.areas()[p.room].kind, AreaKind::Room);
            }
            for pair in programme.slots.windows(2) {
                let last_end = programme.presentations[pair[0].clone()]
                    .iter()
                    .map(|p| p.end)
                    .max()
                    .unwrap();
                assert!(programme.presentations[pair[1].start].start - last_end >= BREAK);
            }
        }
    }
}
