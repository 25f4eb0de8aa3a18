//! Attendance, computed from visits when asked, with the rules of the
//! moment: who attended which presentation, who visited which booth, and
//! what two attendees share.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use udaconnect_domain::{
    Area, AreaId, AttendanceRules, EventId, PersonId, Presentation, PresentationId,
};

use super::{EventStore, floor_plan::areas_by_id, programme::presentations_by_id};
use crate::StorageError;

/// Each person's time in the room of each presentation chosen by
/// `{chosen}` (a condition on `p`), during it: `presence(presentation_id,
/// person_id, present, arrived, left, needed)`. `$1` is the shortest
/// presence that makes a presentation attended, before halving.
const PRESENCE: &str = "presence AS (
    SELECT p.id AS presentation_id, v.person_id,
           sum(least(v.end_time, p.end_time) - greatest(v.start_time, p.start_time)) AS present,
           min(greatest(v.start_time, p.start_time)) AS arrived,
           max(least(v.end_time, p.end_time)) AS left_at,
           least($1::interval, (p.end_time - p.start_time) / 2) AS needed
    FROM presentation p
    JOIN visit v ON v.area_id = p.room_id
     AND tstzrange(v.start_time, v.end_time, '[]') && tstzrange(p.start_time, p.end_time, '()')
    WHERE {chosen}
    GROUP BY p.id, v.person_id, p.start_time, p.end_time)";

/// The presence CTE for the presentations chosen by `chosen`. The overlap
/// is written as ranges so that `visit_area_during` finds the visits.
fn presence(chosen: &str) -> String {
    PRESENCE.replace("{chosen}", chosen)
}

/// A presentation a person attended.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendedPresentation {
    /// Which.
    pub presentation: Presentation,
    /// Time in the room during it.
    pub present: TimeDelta,
    /// First ping in the room during it.
    pub arrived: DateTime<Utc>,
    /// Last ping in the room during it.
    pub left: DateTime<Utc>,
}

/// A booth a person visited.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitedBooth {
    /// Which.
    pub booth: Area,
    /// The counted visits' dwells, summed.
    pub dwell: TimeDelta,
    /// How many counted visits.
    pub visits: u32,
    /// Start of the first counted visit.
    pub first_arrived: DateTime<Utc>,
    /// End of the last counted visit.
    pub last_left: DateTime<Utc>,
}

/// What another attendee shares with a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedAttendance {
    /// The other attendee.
    pub person_id: PersonId,
    /// Presentations both attended, by start.
    pub presentation_ids: Vec<PresentationId>,
    /// Booths both visited, by name.
    pub booth_ids: Vec<AreaId>,
}

/// Which page of shared attendance to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedPageRequest {
    /// Entries per page.
    pub limit: u32,
    /// Entries of the ranking before the page.
    pub offset: u32,
}

/// One page of the attendees sharing something with a person.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedPage {
    /// Ranked (see [`EventStore::shared_attendance`]).
    pub others: Vec<SharedAttendance>,
    /// How many share something, over every page.
    pub total: u32,
    /// The presentations the page names, by id, so that a caller can show
    /// them without reading the whole programme.
    pub presentations: Vec<Presentation>,
    /// The booths the page names, by id.
    pub booths: Vec<Area>,
}

/// One attendee of a presentation.
#[derive(Debug, Clone, PartialEq)]
pub struct PresentationAttendee {
    /// Who.
    pub person_id: PersonId,
    /// Time in the room during it.
    pub present: TimeDelta,
    /// First ping in the room during it.
    pub arrived: DateTime<Utc>,
    /// Last ping in the room during it.
    pub left: DateTime<Utc>,
}

/// One visitor of an area.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaVisitor {
    /// Who.
    pub person_id: PersonId,
    /// Every visit's dwell, summed.
    pub dwell: TimeDelta,
    /// How many visits.
    pub visits: u32,
    /// Start of the first visit.
    pub first_arrived: DateTime<Utc>,
    /// End of the last visit.
    pub last_left: DateTime<Utc>,
    /// Whether a visit was long enough to count (always, for rooms).
    pub counted: bool,
}

/// Visitors of a booth during one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoothHour {
    /// Which booth.
    pub booth_id: AreaId,
    /// Start of the hour (UTC).
    pub hour: DateTime<Utc>,
    /// Persons with a counted visit overlapping the hour.
    pub visitors: u32,
}

/// An organizer's view of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventStatistics {
    /// Attendees per presentation, every presentation by start.
    pub presentations: Vec<(PresentationId, u32)>,
    /// Booth traffic, by booth and hour.
    pub booth_traffic: Vec<BoothHour>,
}

/// Another attendee's stay that overlaps one of a person's presentations or
/// booths: (person, presentation, booth, the item's rank in the person's
/// list, µs in the room during the presentation, µs needed to attend it).
/// Booth stays are counted ones, with zero times.
type SharedStayRow = (i64, Option<i64>, Option<i64>, i64, i64, i64);

/// The presentations and booths one other attendee shares, each with its
/// rank in the person's list.
#[derive(Debug, Default)]
struct Sharer {
    presentations: Vec<(i64, PresentationId)>,
    booths: Vec<(i64, AreaId)>,
}

/// Sums the stays into attendance, ranks the sharers (3 points per
/// presentation both attended, 2 per booth both visited, most first; ties
/// go to more presentations, then to the lower person id, so pages never
/// overlap) and answers the page, its items in the person's order.
fn rank_sharers(rows: Vec<SharedStayRow>, page: SharedPageRequest) -> (Vec<SharedAttendance>, u32) {
    let mut presence: HashMap<(PersonId, PresentationId), (i64, i64, i64)> = HashMap::new();
    let mut sharers: HashMap<PersonId, Sharer> = HashMap::new();
    for (person_id, presentation, booth, rank, present, needed) in rows {
        if let Some(presentation_id) = presentation {
            presence
                .entry((person_id, presentation_id))
                .or_insert((0, needed, rank))
                .0 += present;
        } else if let Some(booth_id) = booth {
            sharers
                .entry(person_id)
                .or_default()
                .booths
                .push((rank, booth_id));
        }
    }
    for ((person_id, presentation_id), (present, needed, rank)) in presence {
        if present >= needed {
            sharers
                .entry(person_id)
                .or_default()
                .presentations
                .push((rank, presentation_id));
        }
    }
    let mut ranked: Vec<(PersonId, Sharer)> = sharers
        .into_iter()
        .map(|(person_id, mut sharer)| {
            sharer.presentations.sort_unstable();
            // Several counted visits to one booth share it once.
            sharer.booths.sort_unstable();
            sharer.booths.dedup();
            (person_id, sharer)
        })
        .collect();
    ranked.sort_unstable_by_key(|(person_id, sharer)| {
        let (presentations, booths) = (sharer.presentations.len(), sharer.booths.len());
        (
            std::cmp::Reverse(3 * presentations + 2 * booths),
            std::cmp::Reverse(presentations),
            *person_id,
        )
    });
    let total = count(ranked.len() as i64);
    let others = ranked
        .into_iter()
        .skip(page.offset as usize)
        .take(page.limit as usize)
        .map(|(person_id, sharer)| SharedAttendance {
            person_id,
            presentation_ids: sharer.presentations.into_iter().map(|(_, id)| id).collect(),
            booth_ids: sharer.booths.into_iter().map(|(_, id)| id).collect(),
        })
        .collect();
    (others, total)
}

/// (area, dwell µs, visits, first arrival, last departure) of a visited area.
type VisitedRow = (i64, i64, i64, DateTime<Utc>, DateTime<Utc>);

/// A [`VisitedRow`] and whether one visit counts.
type VisitorRow = (i64, i64, i64, DateTime<Utc>, DateTime<Utc>, bool);

fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// An interval read from PostgreSQL as microseconds.
fn micros(value: i64) -> TimeDelta {
    TimeDelta::microseconds(value)
}

impl EventStore {
    /// The presentations the person attended and the booths they visited.
    #[tracing::instrument(skip(self, rules))]
    pub async fn attendance(
        &self,
        person_id: PersonId,
        event_id: EventId,
        rules: &AttendanceRules,
    ) -> Result<(Vec<AttendedPresentation>, Vec<VisitedBooth>), StorageError> {
        let presentations = self.presentations(event_id).await?;
        let attended: Vec<(i64, i64, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(&format!(
            "WITH {}
             SELECT presentation_id, (extract(epoch FROM present) * 1e6)::bigint, arrived, left_at
             FROM presence WHERE present >= needed",
            presence("p.event_id = $2 AND v.person_id = $3")
        ))
        .bind(rules.presentation_min_presence)
        .bind(event_id)
        .bind(person_id)
        .fetch_all(&self.pool)
        .await?;
        let attended = presentations
            .into_iter()
            .filter_map(|presentation| {
                let (_, present, arrived, left) =
                    attended.iter().find(|(id, ..)| *id == presentation.id)?;
                Some(AttendedPresentation {
                    presentation,
                    present: micros(*present),
                    arrived: *arrived,
                    left: *left,
                })
            })
            .collect();

        let visited: Vec<VisitedRow> = sqlx::query_as(
            "SELECT v.area_id, (extract(epoch FROM sum(v.end_time - v.start_time)) * 1e6)::bigint,
                    count(*), min(v.start_time), max(v.end_time)
             FROM visit v JOIN area a ON a.id = v.area_id
             WHERE a.event_id = $1 AND a.kind = 'booth' AND v.person_id = $2
               AND v.end_time - v.start_time >= $3
             GROUP BY v.area_id ORDER BY min(v.start_time), v.area_id",
        )
        .bind(event_id)
        .bind(person_id)
        .bind(rules.booth_min_dwell)
        .fetch_all(&self.pool)
        .await?;
        let visited_ids: Vec<AreaId> = visited.iter().map(|(area_id, ..)| *area_id).collect();
        let areas = areas_by_id(&self.pool, &visited_ids).await?;
        let booths = visited
            .into_iter()
            .filter_map(|(area_id, dwell, visits, first_arrived, last_left)| {
                let booth = areas.iter().find(|area| area.id == area_id)?.clone();
                Some(VisitedBooth {
                    booth,
                    dwell: micros(dwell),
                    visits: count(visits),
                    first_arrived,
                    last_left,
                })
            })
            .collect();
        Ok((attended, booths))
    }

    /// One page of everyone who attended a presentation or visited a booth
    /// that the person also did, ranked (3 points a presentation, 2 a booth;
    /// ties: more presentations, then person id). PostgreSQL finds the
    /// stays that overlap the person's presentations and booths through
    /// `visit_area_during`; they are summed and ranked here, which costs a
    /// fraction of grouping and sorting thousands of sharers in SQL.
    #[tracing::instrument(skip(self, rules))]
    pub async fn shared_attendance(
        &self,
        person_id: PersonId,
        event_id: EventId,
        rules: &AttendanceRules,
        page: SharedPageRequest,
    ) -> Result<SharedPage, StorageError> {
        let rows: Vec<SharedStayRow> = sqlx::query_as(&format!(
            "WITH {mine},
             attended AS (
                 SELECT pr.presentation_id, pr.needed, p.room_id, p.start_time, p.end_time,
                        row_number() OVER (ORDER BY p.start_time, p.id) AS rank
                 FROM presence pr JOIN presentation p ON p.id = pr.presentation_id
                 WHERE pr.present >= pr.needed
             ),
             my_booths AS (
                 SELECT a.id AS area_id, row_number() OVER (ORDER BY a.name, a.id) AS rank
                 FROM area a
                 WHERE a.event_id = $2 AND a.kind = 'booth' AND a.id IN (
                     SELECT v.area_id FROM visit v
                     WHERE v.person_id = $3 AND v.end_time - v.start_time >= $4
                 )
             )
             SELECT v.person_id, a.presentation_id, NULL::bigint, a.rank,
                    (extract(epoch FROM least(v.end_time, a.end_time)
                                        - greatest(v.start_time, a.start_time)) * 1e6)::bigint,
                    (extract(epoch FROM a.needed) * 1e6)::bigint
             FROM attended a
             JOIN visit v ON v.area_id = a.room_id
              AND tstzrange(v.start_time, v.end_time, '[]') && tstzrange(a.start_time, a.end_time, '()')
             WHERE v.person_id <> $3
             UNION ALL
             SELECT v.person_id, NULL, m.area_id, m.rank, 0, 0
             FROM my_booths m JOIN visit v ON v.area_id = m.area_id
             WHERE v.person_id <> $3 AND v.end_time - v.start_time >= $4",
            mine = presence("p.event_id = $2 AND v.person_id = $3"),
        ))
        .bind(rules.presentation_min_presence)
        .bind(event_id)
        .bind(person_id)
        .bind(rules.booth_min_dwell)
        .fetch_all(&self.pool)
        .await?;
        let (others, total) = rank_sharers(rows, page);
        let named = |ids: fn(&SharedAttendance) -> &[i64]| {
            let mut named: Vec<i64> = others.iter().flat_map(ids).copied().collect();
            named.sort_unstable();
            named.dedup();
            named
        };
        let (presentation_ids, booth_ids) = (
            named(|other| &other.presentation_ids),
            named(|other| &other.booth_ids),
        );
        let (presentations, booths) = tokio::try_join!(
            presentations_by_id(&self.pool, &presentation_ids),
            areas_by_id(&self.pool, &booth_ids),
        )?;
        Ok(SharedPage {
            others,
            total,
            presentations,
            booths,
        })
    }

    /// Who attended the presentation, longest present first.
    #[tracing::instrument(skip(self, rules))]
    pub async fn presentation_attendees(
        &self,
        presentation_id: PresentationId,
        rules: &AttendanceRules,
    ) -> Result<Vec<PresentationAttendee>, StorageError> {
        let rows: Vec<(i64, i64, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(&format!(
            "WITH {}
             SELECT person_id, (extract(epoch FROM present) * 1e6)::bigint, arrived, left_at
             FROM presence WHERE present >= needed ORDER BY present DESC, person_id",
            presence("p.id = $2")
        ))
        .bind(rules.presentation_min_presence)
        .bind(presentation_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(person_id, present, arrived, left)| PresentationAttendee {
                person_id,
                present: micros(present),
                arrived,
                left,
            })
            .collect())
    }

    /// Everyone seen in the area, longest dwell first.
    #[tracing::instrument(skip(self, rules))]
    pub async fn area_visitors(
        &self,
        area: &Area,
        rules: &AttendanceRules,
    ) -> Result<Vec<AreaVisitor>, StorageError> {
        // Rooms count any stay; booths a long enough one.
        let min_dwell = match area.kind {
            udaconnect_domain::AreaKind::Booth => rules.booth_min_dwell,
            udaconnect_domain::AreaKind::Room => TimeDelta::zero(),
        };
        let rows: Vec<VisitorRow> = sqlx::query_as(
            "SELECT person_id, (extract(epoch FROM sum(end_time - start_time)) * 1e6)::bigint,
                    count(*), min(start_time), max(end_time),
                    bool_or(end_time - start_time >= $2)
             FROM visit WHERE area_id = $1
             GROUP BY person_id ORDER BY sum(end_time - start_time) DESC, person_id",
        )
        .bind(area.id)
        .bind(min_dwell)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(person_id, dwell, visits, first_arrived, last_left, counted)| AreaVisitor {
                    person_id,
                    dwell: micros(dwell),
                    visits: count(visits),
                    first_arrived,
                    last_left,
                    counted,
                },
            )
            .collect())
    }

    /// Attendees per presentation and booth traffic per hour.
    #[tracing::instrument(skip(self, rules))]
    pub async fn event_statistics(
        &self,
        event_id: EventId,
        rules: &AttendanceRules,
    ) -> Result<EventStatistics, StorageError> {
        let presentations: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "WITH {}
             SELECT p.id, count(pr.person_id) FILTER (WHERE pr.present >= pr.needed)
             FROM presentation p LEFT JOIN presence pr ON pr.presentation_id = p.id
             WHERE p.event_id = $2
             GROUP BY p.id, p.start_time ORDER BY p.start_time, p.id",
            presence("p.event_id = $2")
        ))
        .bind(rules.presentation_min_presence)
        .bind(event_id)
        .fetch_all(&self.pool)
        .await?;
        let traffic: Vec<(i64, DateTime<Utc>, i64)> = sqlx::query_as(
            "SELECT v.area_id, hour, count(DISTINCT v.person_id)
             FROM visit v JOIN area a ON a.id = v.area_id,
                  generate_series(date_trunc('hour', v.start_time, 'UTC'), v.end_time, interval '1 hour') AS hour
             WHERE a.event_id = $1 AND a.kind = 'booth' AND v.end_time - v.start_time >= $2
             GROUP BY v.area_id, hour ORDER BY v.area_id, hour",
        )
        .bind(event_id)
        .bind(rules.booth_min_dwell)
        .fetch_all(&self.pool)
        .await?;
        Ok(EventStatistics {
            presentations: presentations
                .into_iter()
                .map(|(id, attendees)| (id, count(attendees)))
                .collect(),
            booth_traffic: traffic
                .into_iter()
                .map(|(booth_id, hour, visitors)| BoothHour {
                    booth_id,
                    hour,
                    visitors: count(visitors),
                })
                .collect(),
        })
    }
}
