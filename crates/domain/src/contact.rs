//! Contacts: whom a person actually met. Two people *encounter* each other
//! when a ping of each lies within a distance and within a time window of the
//! other; a *meeting* is a run of encounters with no gap longer than the
//! window; a *contact* is everything one other person shares with the subject,
//! ranked by time spent together.

use std::{cmp::Ordering, fmt, str::FromStr};

use chrono::{DateTime, TimeDelta, Utc};

use crate::{
    Coordinates, FieldError, PersonId, check_id,
    geodesy::{Ball, Centroid, SurfacePoint},
};

/// Default radius of an encounter, in metres: a conversation at a booth.
pub const DEFAULT_CONTACT_DISTANCE_METERS: f64 = 10.0;

/// Largest radius of an encounter, in metres. Beyond it two people are not
/// "together", and the search cost grows with the cube of the radius.
pub const MAX_CONTACT_DISTANCE_METERS: f64 = 50.0;

/// Default time window of an encounter: phones ping sparsely in the
/// background, so two pings ten minutes apart at one spot still count.
pub const DEFAULT_CONTACT_WINDOW: TimeDelta = TimeDelta::minutes(10);

/// Longest time window of an encounter.
pub const MAX_CONTACT_WINDOW: TimeDelta = TimeDelta::hours(1);

/// Largest shortest-meeting filter: a day.
pub const MAX_CONTACT_MIN_DURATION: TimeDelta = TimeDelta::days(1);

/// Longest range of the subject's own pings one query may cover.
pub const MAX_CONTACT_SPAN: TimeDelta = TimeDelta::days(31);

/// Contacts per page unless the caller asks for another number.
pub const DEFAULT_CONTACTS_PAGE: u32 = 20;

/// Most contacts per page.
pub const MAX_CONTACTS_PAGE: u32 = 100;

/// Most persons a search may be narrowed to: a page's worth.
pub const MAX_CONTACTS_AMONG: usize = 100;

/// A validated contacts query.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactQuery {
    person_id: PersonId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    distance_meters: f64,
    window: TimeDelta,
    min_duration: TimeDelta,
    limit: u32,
    after: Option<ContactCursor>,
    among: Vec<PersonId>,
}

/// The raw parts of a [`ContactQuery`]; `None` takes the default.
#[derive(Debug, Clone, Default)]
pub struct ContactQueryParts<'a> {
    /// Whose contacts.
    pub person_id: PersonId,
    /// Start of the subject's own pings (inclusive).
    pub start: Option<DateTime<Utc>>,
    /// End of the subject's own pings (exclusive).
    pub end: Option<DateTime<Utc>>,
    /// Encounter radius in metres.
    pub distance_meters: Option<f64>,
    /// Encounter time window.
    pub window: Option<TimeDelta>,
    /// Shortest meeting to report.
    pub min_duration: Option<TimeDelta>,
    /// Page size.
    pub limit: Option<u32>,
    /// Where the previous page ended.
    pub cursor: Option<&'a str>,
    /// Only contacts with these persons; empty for everyone.
    pub among: &'a [PersonId],
}

impl ContactQuery {
    /// Validates the parts, naming the offending one (`start`, `end`,
    /// `distance`, `window`, `min_duration`, `limit`, `cursor`) in the error.
    pub fn new(parts: ContactQueryParts<'_>) -> Result<Self, FieldError> {
        let person_id = check_id("person_id", parts.person_id)?;
        let start = parts
            .start
            .ok_or_else(|| FieldError::new("start", "is required"))?;
        let end = parts
            .end
            .ok_or_else(|| FieldError::new("end", "is required"))?;
        if end <= start {
            return Err(FieldError::new("end", "must be after start"));
        }
        if end - start > MAX_CONTACT_SPAN {
            return Err(FieldError::new(
                "end",
                format!(
                    "must be at most {} days after start",
                    MAX_CONTACT_SPAN.num_days()
                ),
            ));
        }
        let distance_meters = parts
            .distance_meters
            .unwrap_or(DEFAULT_CONTACT_DISTANCE_METERS);
        if !distance_meters.is_finite()
            || !(0.0..=MAX_CONTACT_DISTANCE_METERS).contains(&distance_meters)
        {
            return Err(FieldError::new(
                "distance",
                format!("must be a number of metres within [0, {MAX_CONTACT_DISTANCE_METERS}]"),
            ));
        }
        let window = parts.window.unwrap_or(DEFAULT_CONTACT_WINDOW);
        if window < TimeDelta::zero() || window > MAX_CONTACT_WINDOW {
            return Err(FieldError::new(
                "window",
                format!(
                    "must be between 0 and {} seconds",
                    MAX_CONTACT_WINDOW.num_seconds()
                ),
            ));
        }
        let min_duration = parts.min_duration.unwrap_or_default();
        if min_duration < TimeDelta::zero() || min_duration > MAX_CONTACT_MIN_DURATION {
            return Err(FieldError::new(
                "min_duration",
                format!(
                    "must be between 0 and {} seconds",
                    MAX_CONTACT_MIN_DURATION.num_seconds()
                ),
            ));
        }
        let limit = parts.limit.unwrap_or(DEFAULT_CONTACTS_PAGE);
        if !(1..=MAX_CONTACTS_PAGE).contains(&limit) {
            return Err(FieldError::new(
                "limit",
                format!("must be between 1 and {MAX_CONTACTS_PAGE}"),
            ));
        }
        let after = parts.cursor.map(str::parse).transpose()?;
        let among = among(parts.among, person_id)?;
        Ok(Self {
            person_id,
            start,
            end,
            distance_meters,
            window,
            min_duration,
            limit,
            after,
            among,
        })
    }

    /// Whose contacts are wanted.
    pub fn person_id(&self) -> PersonId {
        self.person_id
    }

    /// Start of the subject's own pings (inclusive).
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// End of the subject's own pings (exclusive). Other people's pings may
    /// lie up to a window beyond either end.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// Geodesic radius of an encounter, in metres.
    pub fn distance_meters(&self) -> f64 {
        self.distance_meters
    }

    /// Largest time between the two pings of an encounter, and largest gap
    /// within a meeting.
    pub fn window(&self) -> TimeDelta {
        self.window
    }

    /// Shortest meeting reported; shorter ones (people passing by) are left
    /// out, and so are contacts left with no meeting.
    pub fn min_duration(&self) -> TimeDelta {
        self.min_duration
    }

    /// Page size.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Where the previous page ended, if this is a later page.
    pub fn after(&self) -> Option<&ContactCursor> {
        self.after.as_ref()
    }

    /// The only persons whose contacts are wanted, sorted; empty for
    /// everyone.
    pub fn among(&self) -> &[PersonId] {
        &self.among
    }
}

/// The persons a search is narrowed to, checked and sorted: ids, each once,
/// at most [`MAX_CONTACTS_AMONG`], the subject not among them.
fn among(ids: &[PersonId], subject: PersonId) -> Result<Vec<PersonId>, FieldError> {
    if ids.len() > MAX_CONTACTS_AMONG {
        return Err(FieldError::new(
            "among",
            format!("must list at most {MAX_CONTACTS_AMONG} persons"),
        ));
    }
    let mut sorted = Vec::with_capacity(ids.len());
    for &id in ids {
        sorted.push(check_id("among", id)?);
    }
    sorted.sort_unstable();
    if sorted.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err(FieldError::new("among", "must not list a person twice"));
    }
    if sorted.binary_search(&subject).is_ok() {
        return Err(FieldError::new(
            "among",
            "must not list the person whose contacts are searched",
        ));
    }
    Ok(sorted)
}

/// A ping reduced to what contact search needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sighting {
    /// Whose phone.
    pub person_id: PersonId,
    /// Where.
    pub position: Coordinates,
    /// When.
    pub time: DateTime<Utc>,
}

/// Another person's ping and every ping of the subject's close to it: the
/// pairs it makes, summed. Its pairs all span its own time, so they belong
/// to one meeting, and a meeting is the sum of its encounters.
#[derive(Debug, Clone, Copy)]
pub struct Encounter {
    /// The other person.
    pub person_id: PersonId,
    /// Where the other person's ping was.
    pub position: Coordinates,
    /// The earliest time of a ping in any of the pairs.
    pub start: DateTime<Utc>,
    /// The latest time of a ping in any of the pairs.
    pub end: DateTime<Utc>,
    /// How many pairs: the subject's pings close to the other person's.
    pub pairs: u32,
    /// Centroid of both pings of every pair.
    pub place: Centroid,
    /// The shortest distance of a pair, in metres.
    pub closest_meters: f64,
}

impl Encounter {
    /// The order [`group_contacts`] joins encounters in: by person, then by
    /// time.
    fn grouping_key(&self) -> (PersonId, DateTime<Utc>, DateTime<Utc>) {
        (self.person_id, self.start, self.end)
    }
}

/// The subject's pings, in time order, that contact search passes over
/// together when another person's ping is far from all of them.
const OWN_RUN: usize = 8;

/// The subject's pings prepared for finding encounters with other people's:
/// as columns, the times as integers, once for every other ping (the inner
/// loop runs once per pair). Shared by the threads that match the chunks
/// of a search's candidates as they are read.
pub struct EncounterFinder {
    own: Vec<Sighting>,
    micros: Vec<i64>,
    points: Vec<SurfacePoint>,
    places: Vec<Centroid>,
    /// A ball around each [`OWN_RUN`] of `points`. Most of another
    /// person's pings within the window are near few or none of the
    /// subject's (the subject moved on): a ball passes over its run with
    /// one distance.
    runs: Vec<Ball>,
    distance_meters: f64,
    window_micros: i64,
}

impl EncounterFinder {
    /// A finder of pairs within `distance_meters` (at most
    /// [`MAX_CONTACT_DISTANCE_METERS`]) and `window` of each other; `own`,
    /// the subject's sightings, must be sorted by time.
    pub fn new(own: Vec<Sighting>, distance_meters: f64, window: TimeDelta) -> Self {
        debug_assert!(own.is_sorted_by_key(|s| s.time), "own sightings unsorted");
        debug_assert!(distance_meters <= MAX_CONTACT_DISTANCE_METERS);
        let (points, places): (Vec<SurfacePoint>, Vec<Centroid>) = own
            .iter()
            .map(|s| {
                let (point, direction) = SurfacePoint::with_unit_vector(s.position);
                (point, Centroid::of_unit_vectors(direction, 1))
            })
            .unzip();
        Self {
            micros: own.iter().map(|s| s.time.timestamp_micros()).collect(),
            own,
            runs: points.chunks(OWN_RUN).map(Ball::around).collect(),
            points,
            places,
            distance_meters,
            window_micros: window.num_microseconds().unwrap_or(i64::MAX),
        }
    }

    /// The encounters of `others`' sightings with the subject's: every
    /// pair close enough, summed per sighting of `others`. Sightings of the
    /// subject among `others` are ignored. They come sorted as
    /// [`group_contacts`] joins them, so that the threads matching a
    /// search's chunks do most of its sorting while the rest is still
    /// read, and it merges their runs.
    pub fn encounters_with(&self, others: &[Sighting]) -> Vec<Encounter> {
        let own = &self.own;
        let limit_squared = self.distance_meters * self.distance_meters;
        let mut encounters = Vec::new();
        for other in others {
            if own.first().is_some_and(|s| s.person_id == other.person_id) {
                continue;
            }
            let micros = other.time.timestamp_micros();
            let first = self
                .micros
                .partition_point(|&t| t < micros.saturating_sub(self.window_micros));
            let last = self
                .micros
                .partition_point(|&t| t <= micros.saturating_add(self.window_micros));
            let (point, direction) = SurfacePoint::with_unit_vector(other.position);
            let mut pairs = 0;
            let (mut earliest, mut latest) = (usize::MAX, 0);
            let mut own_place = Centroid::default();
            let mut closest_squared = f64::INFINITY;
            for run in first / OWN_RUN..last.div_ceil(OWN_RUN) {
                if !self.runs[run].may_reach(&point, self.distance_meters) {
                    continue;
                }
                for index in first.max(run * OWN_RUN)..last.min((run + 1) * OWN_RUN) {
                    let distance_squared = self.points[index].distance_squared(&point);
                    if distance_squared > limit_squared {
                        continue;
                    }
                    pairs += 1;
                    earliest = earliest.min(index);
                    latest = index;
                    own_place += self.places[index];
                    closest_squared = closest_squared.min(distance_squared);
                }
            }
            if pairs > 0 {
                let mut place = Centroid::of_unit_vectors(direction, 1).repeated(pairs);
                place += own_place;
                encounters.push(Encounter {
                    person_id: other.person_id,
                    position: other.position,
                    // The subject's pings are in time order.
                    start: other.time.min(own[earliest].time),
                    end: other.time.max(own[latest].time),
                    pairs,
                    place,
                    closest_meters: closest_squared.sqrt(),
                });
            }
        }
        encounters.sort_unstable_by_key(Encounter::grouping_key);
        encounters
    }
}

/// A run of encounters with one person, no gap longer than the window.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    /// Time of the earliest ping involved.
    pub start: DateTime<Utc>,
    /// Time of the latest ping involved.
    pub end: DateTime<Utc>,
    /// Centroid of every ping involved, both people's.
    pub place: Coordinates,
    /// The smallest distance seen between the two, in metres.
    pub closest_meters: f64,
    /// How many pairs of pings make up the meeting.
    pub encounters: u32,
}

impl Meeting {
    /// How long the two were together.
    pub fn duration(&self) -> TimeDelta {
        self.end - self.start
    }
}

/// Everything the subject shares with one other person.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// The other person.
    pub person_id: PersonId,
    /// The meetings, earliest first; never empty.
    pub meetings: Vec<Meeting>,
}

impl Contact {
    /// Time spent together over all meetings.
    pub fn total_time(&self) -> TimeDelta {
        self.meetings.iter().map(Meeting::duration).sum()
    }

    /// Start of the first meeting.
    pub fn first_met(&self) -> DateTime<Utc> {
        self.meetings[0].start
    }

    /// End of the last meeting.
    pub fn last_met(&self) -> DateTime<Utc> {
        self.meetings[self.meetings.len() - 1].end
    }

    fn rank(&self) -> ContactCursor {
        ContactCursor {
            total_time: self.total_time(),
            last_met: self.last_met(),
            person_id: self.person_id,
        }
    }
}

/// Joins encounters into meetings and meetings into contacts, ranked by total
/// time together, then by the most recent meeting, then by person id.
/// Meetings shorter than `min_duration` are left out, and so are contacts
/// left with none.
pub fn group_contacts(
    mut encounters: Vec<Encounter>,
    window: TimeDelta,
    min_duration: TimeDelta,
) -> Vec<Contact> {
    // A stable sort finds the sorted runs of the chunks' encounters, one
    // after another, and merges them: less work than sorting anew.
    encounters.sort_by_key(Encounter::grouping_key);
    let mut contacts: Vec<Contact> = encounters
        .chunk_by(|a, b| a.person_id == b.person_id)
        .map(|chunk| Contact {
            person_id: chunk[0].person_id,
            meetings: meetings_of(chunk, window)
                .into_iter()
                .filter(|meeting| meeting.duration() >= min_duration)
                .collect(),
        })
        .filter(|contact| !contact.meetings.is_empty())
        .collect();
    contacts.sort_by_cached_key(Contact::rank);
    contacts
}

/// Meetings of one person's encounters, sorted by start.
fn meetings_of(encounters: &[Encounter], window: TimeDelta) -> Vec<Meeting> {
    let mut meetings = Vec::new();
    let mut current: Option<(Meeting, Centroid)> = None;
    for encounter in encounters {
        match &mut current {
            Some((meeting, place)) if encounter.start - meeting.end <= window => {
                meeting.end = meeting.end.max(encounter.end);
                meeting.closest_meters = meeting.closest_meters.min(encounter.closest_meters);
                meeting.encounters += encounter.pairs;
                *place += encounter.place;
            }
            _ => {
                meetings.extend(current.take().map(finish));
                current = Some((
                    Meeting {
                        start: encounter.start,
                        end: encounter.end,
                        place: encounter.position,
                        closest_meters: encounter.closest_meters,
                        encounters: encounter.pairs,
                    },
                    encounter.place,
                ));
            }
        }
    }
    meetings.extend(current.map(finish));
    meetings
}

/// A meeting placed at the centroid of its pings (where they do not cancel
/// out, which pings within metres of each other never do).
fn finish((mut meeting, place): (Meeting, Centroid)) -> Meeting {
    if let Some(centroid) = place.position() {
        meeting.place = centroid;
    }
    meeting
}

/// One page of ranked contacts: those after `after`, at most `limit`, and
/// the cursor of the next page when more remain.
pub fn page_of(
    contacts: Vec<Contact>,
    after: Option<&ContactCursor>,
    limit: u32,
) -> (Vec<Contact>, Option<ContactCursor>) {
    let skip = after.map_or(0, |after| {
        contacts.partition_point(|contact| contact.rank() <= *after)
    });
    let mut rest = contacts.into_iter().skip(skip);
    let page: Vec<Contact> = rest.by_ref().take(limit as usize).collect();
    let next = match (rest.next(), page.last()) {
        (Some(_), Some(last)) => Some(last.rank()),
        _ => None,
    };
    (page, next)
}

/// A position in the ranking of contacts, handed to clients as an opaque
/// string so that the next page starts after the last contact they saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactCursor {
    total_time: TimeDelta,
    last_met: DateTime<Utc>,
    person_id: PersonId,
}

/// Ranking order: most time together first, then most recent, then by id.
impl Ord for ContactCursor {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .total_time
            .cmp(&self.total_time)
            .then(other.last_met.cmp(&self.last_met))
            .then(self.person_id.cmp(&other.person_id))
    }
}

impl PartialOrd for ContactCursor {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ContactCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{}.{}",
            self.total_time.num_microseconds().unwrap_or(i64::MAX),
            self.last_met.timestamp_micros(),
            self.person_id
        )
    }
}

impl FromStr for ContactCursor {
    type Err = FieldError;

    fn from_str(text: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("cursor", "is not a cursor this endpoint returned");
        let mut parts = text.splitn(3, '.').map(str::parse::<i64>);
        let (Some(Ok(total)), Some(Ok(last_met)), Some(Ok(person_id))) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if total < 0 || person_id < 1 {
            return Err(invalid());
        }
        Ok(Self {
            total_time: TimeDelta::microseconds(total),
            last_met: DateTime::from_timestamp_micros(last_met).ok_or_else(invalid)?,
            person_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geodesy::karney::geodesic_distance;
    use proptest::prelude::*;

    const BOOTH: (f64, f64) = (37.784, -122.401);

    fn at_minute(person_id: PersonId, minute: i64, north_meters: f64) -> Sighting {
        Sighting {
            person_id,
            position: Coordinates::new(BOOTH.0 + north_meters / 111_000.0, BOOTH.1).unwrap(),
            time: DateTime::from_timestamp(1_700_000_000, 0).unwrap() + TimeDelta::minutes(minute),
        }
    }

    fn contacts(own: &[Sighting], others: &[Sighting], meters: f64, minutes: i64) -> Vec<Contact> {
        let window = TimeDelta::minutes(minutes);
        group_contacts(
            EncounterFinder::new(own.to_vec(), meters, window).encounters_with(others),
            window,
            TimeDelta::zero(),
        )
    }

    #[test]
    fn pings_close_in_space_and_time_meet() {
        let found = contacts(&[at_minute(1, 0, 0.0)], &[at_minute(2, 5, 0.0)], 10.0, 10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].meetings[0].duration(), TimeDelta::minutes(5));
        assert!(contacts(&[at_minute(1, 0, 0.0)], &[at_minute(2, 180, 0.0)], 10.0, 10).is_empty());
        assert!(contacts(&[at_minute(1, 0, 0.0)], &[at_minute(1, 1, 0.0)], 10.0, 10).is_empty());
    }

    #[test]
    fn a_break_longer_than_the_window_splits_meetings() {
        let own: Vec<Sighting> = (0..10)
            .chain(40..50)
            .map(|m| at_minute(1, m, 0.0))
            .collect();
        let others: Vec<Sighting> = (0..10)
            .chain(40..50)
            .map(|m| at_minute(2, m, 1.0))
            .collect();
        let found = contacts(&own, &others, 10.0, 2);
        let meetings = &found[0].meetings;
        assert_eq!(meetings.len(), 2);
        assert_eq!(meetings[0].duration(), TimeDelta::minutes(9));
        assert_eq!(meetings[1].start, own[10].time);
        assert_eq!(found[0].total_time(), TimeDelta::minutes(18));
        // 10 pings each, every pair within 2 minutes: 10 + 2·9 + 2·8 = 44.
        assert_eq!(meetings[0].encounters, 44);
    }

    #[test]
    fn ranking_is_by_time_together_then_recency() {
        let encounter = |person_id, from, to| {
            let (own, other) = (at_minute(1, from, 0.0), at_minute(person_id, to, 0.0));
            let mut place = Centroid::of(own.position);
            place.add(other.position);
            Encounter {
                person_id,
                position: other.position,
                start: own.time,
                end: other.time,
                pairs: 1,
                place,
                closest_meters: 0.0,
            }
        };
        let encounters = vec![
            encounter(2, 0, 3),
            encounter(3, 10, 13),
            encounter(4, 0, 1),
            encounter(4, 20, 22),
            encounter(5, 0, 10),
        ];
        let ranked = group_contacts(encounters.clone(), TimeDelta::minutes(5), TimeDelta::zero());
        let order: Vec<PersonId> = ranked.iter().map(|c| c.person_id).collect();
        // 10 minutes first; then three minutes each (person 4's in two
        // meetings, 19 minutes apart), the most recent first.
        assert_eq!(order, [5, 4, 3, 2]);
        assert_eq!(ranked[1].meetings.len(), 2);
        assert_eq!(ranked[1].total_time(), TimeDelta::minutes(3));
        // Asking for meetings of two minutes or more drops person 4's
        // one-minute meeting, which ranks person 4 last.
        let long = group_contacts(encounters, TimeDelta::minutes(5), TimeDelta::minutes(2));
        let order: Vec<PersonId> = long.iter().map(|c| c.person_id).collect();
        assert_eq!(order, [5, 3, 2, 4]);
        assert_eq!(long[3].meetings.len(), 1);
        assert_eq!(long[3].total_time(), TimeDelta::minutes(2));
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = ContactCursor {
            total_time: TimeDelta::seconds(90),
            last_met: DateTime::from_timestamp(-5, 0).unwrap(),
            person_id: 7,
        };
        assert_eq!(cursor.to_string().parse::<ContactCursor>().unwrap(), cursor);
        for bad in [
            "",
            "1.2",
            "a.b.c",
            "-1.0.1",
            "1.0.0",
            "1.99999999999999999999.1",
        ] {
            assert_eq!(
                bad.parse::<ContactCursor>().unwrap_err().field,
                "cursor",
                "{bad}"
            );
        }
    }

    #[test]
    fn queries_name_the_invalid_part() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let valid = || ContactQueryParts {
            person_id: 1,
            start: Some(start),
            end: Some(start + TimeDelta::days(1)),
            ..Default::default()
        };
        let query = ContactQuery::new(valid()).unwrap();
        assert_eq!(query.distance_meters(), DEFAULT_CONTACT_DISTANCE_METERS);
        assert_eq!(query.window(), DEFAULT_CONTACT_WINDOW);
        assert_eq!(query.limit(), DEFAULT_CONTACTS_PAGE);
        assert!(query.among().is_empty());
        let narrowed = ContactQuery::new(ContactQueryParts {
            among: &[9, 2, 5],
            ..valid()
        })
        .unwrap();
        assert_eq!(narrowed.among(), [2, 5, 9]);
        let cases = [
            (
                "person_id",
                ContactQueryParts {
                    person_id: 0,
                    ..valid()
                },
            ),
            (
                "start",
                ContactQueryParts {
                    start: None,
                    ..valid()
                },
            ),
            (
                "end",
                ContactQueryParts {
                    end: Some(start),
                    ..valid()
                },
            ),
            (
                "end",
                ContactQueryParts {
                    end: Some(start + TimeDelta::days(32)),
                    ..valid()
                },
            ),
            (
                "distance",
                ContactQueryParts {
                    distance_meters: Some(51.0),
                    ..valid()
                },
            ),
            (
                "distance",
                ContactQueryParts {
                    distance_meters: Some(f64::NAN),
                    ..valid()
                },
            ),
            (
                "window",
                ContactQueryParts {
                    window: Some(TimeDelta::hours(2)),
                    ..valid()
                },
            ),
            (
                "limit",
                ContactQueryParts {
                    limit: Some(0),
                    ..valid()
                },
            ),
            (
                "cursor",
                ContactQueryParts {
                    cursor: Some("x"),
                    ..valid()
                },
            ),
            (
                "among",
                ContactQueryParts {
                    among: &[3, 0],
                    ..valid()
                },
            ),
            (
                "among",
                ContactQueryParts {
                    among: &[3, 3],
                    ..valid()
                },
            ),
            (
                "among",
                ContactQueryParts {
                    among: &[1],
                    ..valid()
                },
            ),
            (
                "among",
                ContactQueryParts {
                    among: &[7; MAX_CONTACTS_AMONG + 1],
                    ..valid()
                },
            ),
        ];
        for (field, parts) in cases {
            assert_eq!(ContactQuery::new(parts).unwrap_err().field, field);
        }
    }

    /// Contacts the slow way: every close pair on its own, grouped into
    /// meetings by its own interval, with the geodesic distance.
    fn pairwise(
        own: &[Sighting],
        others: &[Sighting],
        meters: f64,
        window: TimeDelta,
    ) -> Vec<Contact> {
        let mut pairs: Vec<(&Sighting, &Sighting, f64)> = Vec::new();
        for other in others {
            for mine in own {
                let distance = geodesic_distance(mine.position, other.position);
                if (mine.time - other.time).abs() <= window && distance <= meters {
                    pairs.push((mine, other, distance));
                }
            }
        }
        let span = |mine: &Sighting, other: &Sighting| {
            (mine.time.min(other.time), mine.time.max(other.time))
        };
        pairs.sort_by_key(|&(mine, other, _)| (other.person_id, span(mine, other)));
        let mut contacts: Vec<Contact> = Vec::new();
        let mut places: Vec<Vec<Centroid>> = Vec::new();
        for (mine, other, distance) in pairs {
            let ((start, end), person_id) = (span(mine, other), other.person_id);
            if contacts
                .last()
                .is_none_or(|contact| contact.person_id != person_id)
            {
                contacts.push(Contact {
                    person_id,
                    meetings: Vec::new(),
                });
                places.push(Vec::new());
            }
            let (contact, place) = (contacts.last_mut().unwrap(), places.last_mut().unwrap());
            match contact.meetings.last_mut() {
                Some(meeting) if start - meeting.end <= window => {
                    meeting.end = meeting.end.max(end);
                    meeting.closest_meters = meeting.closest_meters.min(distance);
                    meeting.encounters += 1;
                }
                _ => {
                    contact.meetings.push(Meeting {
                        start,
                        end,
                        place: mine.position,
                        closest_meters: distance,
                        encounters: 1,
                    });
                    place.push(Centroid::default());
                }
            }
            let meeting_place = place.last_mut().unwrap();
            meeting_place.add(mine.position);
            meeting_place.add(other.position);
        }
        for (contact, places) in contacts.iter_mut().zip(places) {
            for (meeting, place) in contact.meetings.iter_mut().zip(places) {
                meeting.place = place.position().unwrap();
            }
        }
        contacts.sort_by_cached_key(Contact::rank);
        contacts
    }

    proptest! {
        /// Summing each of another person's pings' pairs before grouping
        /// finds the meetings that grouping every pair on its own finds.
        #[test]
        fn encounters_meet_as_their_pairs_would(
            pings in proptest::collection::vec((1i64..5, 0i64..90, -15.0f64..15.0, -15.0f64..15.0), 1..80),
            meters in 0.5f64..=MAX_CONTACT_DISTANCE_METERS,
            window_minutes in 1i64..15,
        ) {
            let base = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
            let sightings: Vec<Sighting> = pings.iter().map(|&(person_id, second, north, east)| Sighting {
                person_id,
                position: Coordinates::new(BOOTH.0 + north / 111_000.0, BOOTH.1 + east / 88_000.0).unwrap(),
                time: base + TimeDelta::seconds(second * 20),
            }).collect();
            let (mut own, others): (Vec<Sighting>, Vec<Sighting>) =
                sightings.into_iter().partition(|s| s.person_id == 1);
            own.sort_by_key(|s| s.time);
            let window = TimeDelta::minutes(window_minutes);
            let found = group_contacts(EncounterFinder::new(own.clone(), meters, window).encounters_with(&others), window, TimeDelta::zero());
            let expected = pairwise(&own, &others, meters, window);
            prop_assert_eq!(found.len(), expected.len());
            for (found, expected) in found.iter().zip(&expected) {
                prop_assert_eq!(found.person_id, expected.person_id);
                prop_assert_eq!(found.meetings.len(), expected.meetings.len());
                for (found, expected) in found.meetings.iter().zip(&expected.meetings) {
                    prop_assert_eq!((found.start, found.end, found.encounters), (expected.start, expected.end, expected.encounters));
                    prop_assert!((found.closest_meters - expected.closest_meters).abs() < 1e-6);
                    prop_assert!(geodesic_distance(found.place, expected.place) < 1e-3);
                }
            }
        }

        /// Walking the pages with their cursors yields every contact exactly
        /// once, in ranking order.
        #[test]
        fn pages_cover_every_contact_once(
            durations in proptest::collection::vec((0i64..5, 0i64..5), 0..40),
            limit in 1u32..7,
        ) {
            let base = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
            let ranked: Vec<Contact> = {
                let mut all: Vec<Contact> = durations.iter().enumerate().map(|(i, &(length, offset))| Contact {
                    person_id: i as i64 + 1,
                    meetings: vec![Meeting {
                        start: base + TimeDelta::minutes(offset),
                        end: base + TimeDelta::minutes(offset + length),
                        place: Coordinates::new(0.0, 0.0).unwrap(),
                        closest_meters: 1.0,
                        encounters: 1,
                    }],
                }).collect();
                all.sort_by_cached_key(Contact::rank);
                all
            };
            let mut seen = Vec::new();
            let mut cursor: Option<ContactCursor> = None;
            loop {
                let (page, next) = page_of(ranked.clone(), cursor.as_ref(), limit);
                prop_assert!(page.len() <= limit as usize);
                seen.extend(page.iter().map(|c| c.person_id));
                match next {
                    Some(next) => cursor = Some(next.to_string().parse().unwrap()),
                    None => break,
                }
            }
            let expected: Vec<PersonId> = ranked.iter().map(|c| c.person_id).collect();
            prop_assert_eq!(seen, expected);
        }
    }
}
