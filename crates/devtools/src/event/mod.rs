//! A simulated event with a floor plan and a programme: the venue to scale,
//! presentations in parallel rooms, attendees who choose talks by interest
//! and browse booths in between, and the attendance that follows from the
//! product's definitions. `simulate --event` plays it through the services
//! and scores their answers against the truth; the sample event in
//! `data/sample-event` is one of these plans written out.

pub mod agenda;
mod ical;
pub mod programme;
pub mod sample;
pub mod truth;
pub mod venue;

use chrono::{DateTime, TimeDelta, Utc};

use self::{
    agenda::Itinerary,
    programme::{Presentation, Programme},
    truth::Truth,
    venue::{Projection, Venue},
};

/// The largest GPS error added to a ping, in metres: well inside the
/// margins that stays and walks keep from the areas' edges.
const GPS_NOISE: f64 = 0.5;
/// The most rooms (named "Hall A" to "Hall Z").
const MAX_ROOMS: u32 = 26;
/// The most booths (26 rows of booths, named "Booth A1" to "Booth Z26").
const MAX_BOOTHS: u32 = 26 * 26;

/// What to generate: the event's size, time and place.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSpec {
    /// The event's name (also the calendar's).
    pub name: String,
    /// Seed of every random choice, so the same spec gives the same plan.
    pub seed: u64,
    /// Booths on the exhibition floor.
    pub booths: u32,
    /// Presentation rooms.
    pub rooms: u32,
    /// When the event starts.
    pub start: DateTime<Utc>,
    /// How long it lasts.
    pub length: TimeDelta,
    /// Latitude and longitude of the venue's reference corner (the lobby's
    /// west end).
    pub origin: (f64, f64),
}

/// A generated event: venue, programme, the attendees' days, and the truth.
#[derive(Debug, Clone)]
pub struct EventPlan {
    spec: EventSpec,
    venue: Venue,
    programme: Programme,
    itineraries: Vec<Itinerary>,
    truth: Truth,
}

impl EventPlan {
    /// Generates the event of `spec`, with one attendee per id in `persons`.
    pub fn generate(spec: EventSpec, persons: &[i64]) -> anyhow::Result<Self> {
        anyhow::ensure!(
            (1..=MAX_BOOTHS).contains(&spec.booths),
            "an event has 1 to {MAX_BOOTHS} booths"
        );
        anyhow::ensure!(
            (1..=MAX_ROOMS).contains(&spec.rooms),
            "an event has 1 to {MAX_ROOMS} rooms"
        );
        let mut rng = fastrand::Rng::with_seed(spec.seed);
        let venue = Venue::new(
            spec.booths,
            spec.rooms,
            Projection {
                origin: spec.origin,
            },
            &mut rng,
        );
        let end = spec.start + spec.length;
        let programme = Programme::new(&venue, spec.start, end, &mut rng);
        anyhow::ensure!(
            !programme.presentations.is_empty(),
            "an event of {} minutes is too short for a presentation (30 at least)",
            spec.length.num_minutes()
        );
        let itineraries: Vec<Itinerary> = persons
            .iter()
            .map(|&person| Itinerary::plan(person, &venue, &programme, (spec.start, end), &mut rng))
            .collect();
        let truth = Truth::new(&itineraries, &venue, &programme);
        Ok(Self {
            spec,
            venue,
            programme,
            itineraries,
            truth,
        })
    }

    /// What the plan was generated from.
    pub fn spec(&self) -> &EventSpec {
        &self.spec
    }

    /// When the event ends (it starts at the spec's start).
    pub fn end(&self) -> DateTime<Utc> {
        self.spec.start + self.spec.length
    }

    /// The floor.
    pub fn venue(&self) -> &Venue {
        &self.venue
    }

    /// The programme's presentations, by start then room.
    pub fn presentations(&self) -> &[Presentation] {
        &self.programme.presentations
    }

    /// Each attendee's day, in the order of the persons given.
    pub fn itineraries(&self) -> &[Itinerary] {
        &self.itineraries
    }

    /// Who attended what.
    pub fn truth(&self) -> &Truth {
        &self.truth
    }

    /// The floor plan as the events service takes it: a GeoJSON
    /// FeatureCollection (RFC 7946), one Polygon per area with properties
    /// `name`, `kind` and, for booths, `exhibitor`.
    pub fn floor_plan_geojson(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.venue.geojson())
            .expect("a JSON value always serialises");
        text.push('\n');
        text
    }

    /// The programme as the events service takes it: an iCalendar (RFC
    /// 5545) with one VEVENT per presentation, times in UTC, `time_zone`
    /// named as the calendar's zone for display.
    pub fn programme_icalendar(&self, time_zone: &str) -> String {
        ical::calendar(
            &self.spec.name,
            time_zone,
            // The stamp is the event's start, so the same plan always gives
            // the same text.
            self.spec.start,
            &self.programme.presentations,
            self.venue.areas(),
        )
    }

    /// Where attendee `attendee`'s phone reports being at `time`, in WGS 84
    /// degrees (latitude, longitude): the true position plus up to
    /// `GPS_NOISE` metres of error.
    pub fn ping(
        &self,
        attendee: usize,
        time: DateTime<Utc>,
        rng: &mut fastrand::Rng,
    ) -> (f64, f64) {
        let (x, y) = self.itineraries[attendee].position(&self.venue, time, rng);
        let (angle, reach) = (
            rng.f64() * std::f64::consts::TAU,
            GPS_NOISE * rng.f64().sqrt(),
        );
        self.venue
            .projection()
            .degrees((x + reach * angle.cos(), y + reach * angle.sin()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{
        agenda::Leg,
        truth::{BOOTH_DWELL, Item, PRESENCE_CAP},
        venue::{AreaKind, STAY_MARGIN},
        *,
    };

    fn spec(seed: u64, booths: u32, rooms: u32, minutes: i64) -> EventSpec {
        EventSpec {
            name: format!("Test event {seed}"),
            seed,
            booths,
            rooms,
            start: DateTime::parse_from_rfc3339("2024-05-14T08:00:00Z")
                .unwrap()
                .to_utc(),
            length: TimeDelta::minutes(minutes),
            origin: (35.0585, -106.572),
        }
    }

    fn plan(seed: u64, booths: u32, rooms: u32, minutes: i64, attendees: i64) -> EventPlan {
        let persons: Vec<i64> = (1..=attendees).collect();
        EventPlan::generate(spec(seed, booths, rooms, minutes), &persons).unwrap()
    }

    /// Each stay's positions are inside its area by the margin, each walk's
    /// outside every area by it, and the legs follow each other.
    #[test]
    fn stays_are_inside_their_area_and_walks_outside_every_area() {
        let mut rng = fastrand::Rng::with_seed(9);
        for plan in [plan(1, 30, 4, 300, 40), plan(2, 7, 2, 90, 40)] {
            let areas = plan.venue().areas();
            for itinerary in plan.itineraries() {
                assert_eq!(itinerary.legs[0].from(), plan.spec().start);
                assert_eq!(itinerary.legs.last().unwrap().to(), plan.end());
                for pair in itinerary.legs.windows(2) {
                    assert_eq!(pair[0].to(), pair[1].from());
                    assert!(pair[0].from() <= pair[0].to());
                }
                for leg in &itinerary.legs {
                    let (from, to) = (leg.from(), leg.to());
                    for step in 0..20 {
                        let time = from + (to - from) * step / 20;
                        let point = itinerary.position(plan.venue(), time, &mut rng);
                        match leg {
                            Leg::Stay { area, .. } => {
                                let depth = areas[*area].outline.depth(point);
                                assert!(depth >= STAY_MARGIN - 1e-9, "{depth} m inside");
                            }
                            Leg::Walk { .. } => {
                                for area in areas {
                                    let depth = area.outline.depth(point);
                                    assert!(depth <= -STAY_MARGIN + 1e-9, "{depth} m inside");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The behaviour the definitions need at ping resolution: booth stays
    /// are passes or real visits, never a return within 6 minutes, walks of
    /// 20 s or more between stays, presentations joined in their first 3
    /// minutes.
    #[test]
    fn stays_keep_clear_of_every_threshold() {
        for plan in [plan(3, 30, 4, 300, 60), plan(4, 12, 3, 120, 60)] {
            let areas = plan.venue().areas();
            for itinerary in plan.itineraries() {
                let stays: Vec<_> = itinerary.stays().collect();
                for (i, &(area, from, to)) in stays.iter().enumerate() {
                    if i > 0 {
                        assert!(from - stays[i - 1].2 >= TimeDelta::seconds(20));
                    }
                    match areas[area].kind {
                        AreaKind::Booth => {
                            let dwell = to - from;
                            assert!(
                                (TimeDelta::seconds(20)..=TimeDelta::seconds(70)).contains(&dwell)
                                    || (TimeDelta::seconds(210)..=TimeDelta::minutes(12))
                                        .contains(&dwell),
                                "{dwell}"
                            );
                            let back = stays[i + 1..].iter().find(|s| s.0 == area);
                            assert!(back.is_none_or(|s| s.1 - to >= TimeDelta::minutes(6)));
                        }
                        AreaKind::Room => {
                            let presentation = plan
                                .presentations()
                                .iter()
                                .find(|p| p.room == area && p.start <= to && from < p.end)
                                .expect("a room stay is for a presentation");
                            assert!(from - presentation.start <= TimeDelta::minutes(3));
                        }
                    }
                }
            }
        }
    }

    /// Whether `(latitude, longitude)` is inside `ring` ([lon, lat] pairs).
    fn inside(ring: &[(f64, f64)], (latitude, longitude): (f64, f64)) -> bool {
        let mut inside = false;
        for edge in ring.windows(2) {
            let ((x1, y1), (x2, y2)) = (edge[0], edge[1]);
            if (y1 > latitude) != (y2 > latitude)
                && longitude < x1 + (latitude - y1) / (y2 - y1) * (x2 - x1)
            {
                inside = !inside;
            }
        }
        inside
    }

    /// The longest time between two pings of one visit.
    const VISIT_GAP: TimeDelta = TimeDelta::minutes(2);

    /// A floor plan feature as the reference reads it: name, kind, and the
    /// outer ring as (longitude, latitude) pairs.
    type Feature = (String, String, Vec<(f64, f64)>);
    /// One person's visits of one area: (first ping, last ping) each.
    type Visits = Vec<(DateTime<Utc>, DateTime<Utc>)>;

    /// The attendance that the definitions give for the rendered pings,
    /// computed the plain way: every ping placed in the floor plan's
    /// polygons (read back from the GeoJSON), visits cut where pings in an
    /// area are more than 2 minutes apart, booths counted by one visit's
    /// dwell, presentations by the visits' time in the room during them.
    fn reference_attendance(
        plan: &EventPlan,
        interval: TimeDelta,
        seed: u64,
    ) -> BTreeSet<(i64, Item)> {
        let geojson: serde_json::Value = serde_json::from_str(&plan.floor_plan_geojson()).unwrap();
        let polygons: Vec<Feature> = geojson["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|feature| {
                let ring = feature["geometry"]["coordinates"][0]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap()))
                    .collect();
                let name = feature["properties"]["name"].as_str().unwrap().to_owned();
                let kind = feature["properties"]["kind"].as_str().unwrap().to_owned();
                (name, kind, ring)
            })
            .collect();
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut found = BTreeSet::new();
        for (attendee, itinerary) in plan.itineraries().iter().enumerate() {
            // Each phone pings at its own phase, as the simulator's do.
            let phase = TimeDelta::milliseconds(rng.i64(0..interval.num_milliseconds()));
            let mut visits: BTreeMap<usize, Visits> = BTreeMap::new();
            let mut time = plan.spec().start + phase;
            while time < plan.end() {
                let ping = plan.ping(attendee, time, &mut rng);
                let areas: Vec<usize> = (0..polygons.len())
                    .filter(|&i| inside(&polygons[i].2, ping))
                    .collect();
                assert!(areas.len() <= 1, "areas overlap");
                if let Some(&area) = areas.first() {
                    let area_visits = visits.entry(area).or_default();
                    match area_visits.last_mut() {
                        Some(visit) if time - visit.1 <= VISIT_GAP => visit.1 = time,
                        _ => area_visits.push((time, time)),
                    }
                }
                time += interval;
            }
            for (area, area_visits) in visits {
                let (name, kind, _) = &polygons[area];
                if kind == "booth" {
                    if area_visits
                        .iter()
                        .any(|(first, last)| *last - *first >= BOOTH_DWELL)
                    {
                        found.insert((itinerary.person_id, Item::Booth(name.clone())));
                    }
                    continue;
                }
                for presentation in plan.presentations() {
                    if plan.venue().areas()[presentation.room].name != *name {
                        continue;
                    }
                    let present: TimeDelta = area_visits
                        .iter()
                        .map(|(first, last)| {
                            ((*last).min(presentation.end) - (*first).max(presentation.start))
                                .max(TimeDelta::zero())
                        })
                        .sum();
                    let needed = PRESENCE_CAP.min((presentation.end - presentation.start) / 2);
                    if present >= needed {
                        found.insert((
                            itinerary.person_id,
                            Item::Presentation(presentation.uid.clone()),
                        ));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn the_truth_is_what_the_definitions_give_for_the_pings() {
        for (seed, interval) in [(11, 10), (12, 10), (13, 5), (14, 30)] {
            let plan = plan(seed, 30, 4, 240, 60);
            let truth = plan.truth().attendance();
            let reference = reference_attendance(&plan, TimeDelta::seconds(interval), seed);
            assert_eq!(
                truth.symmetric_difference(&reference).collect::<Vec<_>>(),
                Vec::<&(i64, Item)>::new(),
                "seed {seed}, a ping every {interval} s"
            );
            // Every kind of fact occurs, and some stays do not count.
            let booths = truth
                .iter()
                .filter(|(_, i)| matches!(i, Item::Booth(_)))
                .count();
            assert!(
                booths > 60 && truth.len() - booths > 60,
                "{booths} of {}",
                truth.len()
            );
            let stays: usize = plan.itineraries().iter().map(|i| i.stays().count()).sum();
            assert!(stays > truth.len() + 60);
        }
    }

    #[test]
    fn the_floor_plan_is_a_feature_collection_of_closed_rings() {
        let plan = plan(5, 30, 4, 120, 1);
        let geojson: serde_json::Value = serde_json::from_str(&plan.floor_plan_geojson()).unwrap();
        assert_eq!(geojson["type"], "FeatureCollection");
        let features = geojson["features"].as_array().unwrap();
        assert_eq!(features.len(), 34);
        let mut names = BTreeSet::new();
        for feature in features {
            assert_eq!(feature["type"], "Feature");
            assert_eq!(feature["geometry"]["type"], "Polygon");
            let ring = feature["geometry"]["coordinates"][0].as_array().unwrap();
            assert!(ring.len() >= 4);
            assert_eq!(ring.first(), ring.last());
            let properties = &feature["properties"];
            assert!(names.insert(properties["name"].as_str().unwrap().to_owned()));
            match properties["kind"].as_str().unwrap() {
                "booth" => assert!(properties["exhibitor"].is_string()),
                "room" => assert!(properties.get("exhibitor").is_none()),
                other => panic!("kind {other}"),
            }
        }
    }

    #[test]
    fn the_programme_is_well_formed_icalendar() {
        let plan = plan(6, 30, 4, 300, 1);
        let text = plan.programme_icalendar("America/Denver");
        assert!(text.ends_with("\r\n"));
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert!(
            !lines
                .iter()
                .any(|line| line.contains('\n') || line.contains('\r'))
        );
        assert!(
            lines.iter().all(|line| line.len() <= 75),
            "a line over 75 octets"
        );
        let mut open: Vec<&str> = Vec::new();
        for line in &lines {
            if let Some(component) = line.strip_prefix("BEGIN:") {
                open.push(component);
            } else if let Some(component) = line.strip_prefix("END:") {
                assert_eq!(open.pop(), Some(component));
            }
        }
        assert!(open.is_empty());
        let unfolded = text.replace("\r\n ", "");
        let unfolded: Vec<&str> = unfolded.split_terminator("\r\n").collect();
        assert_eq!(unfolded[..2], ["BEGIN:VCALENDAR", "VERSION:2.0"]);
        assert!(unfolded.iter().any(|l| l.starts_with("PRODID:")));
        let events = unfolded.iter().filter(|l| **l == "BEGIN:VEVENT").count();
        assert_eq!(events, plan.presentations().len());
        for property in [
            "UID:",
            "DTSTAMP:",
            "DTSTART:",
            "DTEND:",
            "SUMMARY:",
            "LOCATION:",
            "DESCRIPTION:",
        ] {
            let count = unfolded.iter().filter(|l| l.starts_with(property)).count();
            assert_eq!(count, events, "{property}");
        }
        let first = &plan.presentations()[0];
        assert!(
            unfolded
                .contains(&format!("DTSTART:{}", first.start.format("%Y%m%dT%H%M%SZ")).as_str())
        );
        let speakers: usize = plan.presentations().iter().map(|p| p.speakers.len()).sum();
        let attendees = unfolded
            .iter()
            .filter(|l| l.starts_with("ATTENDEE;CN=") && l.contains(";ROLE=CHAIR:mailto:"))
            .count();
        assert_eq!(attendees, speakers);
    }
}
