//! Reading a programme from iCalendar (the format conferences publish) or
//! JSON.

use chrono::{DateTime, NaiveDateTime, Utc};
use icalendar::{Calendar, CalendarDateTime, Component, DatePerhapsTime, EventLike};
use serde::Deserialize;
use udaconnect_domain::{FieldError, NewPresentation, ProgrammeTime, check_title};

/// Most presentations one programme may have.
pub const MAX_PRESENTATIONS: usize = 5_000;
/// Most speakers one presentation may list.
const MAX_SPEAKERS: usize = 50;

/// The presentations of an iCalendar text: one VEVENT each, SUMMARY the
/// title, LOCATION the room's name, DTSTART and DTEND the times (UTC, with a
/// TZID, or floating: then in the event's zone), each ATTENDEE's CN a
/// speaker, UID kept. Errors name the entry (`presentations[2].room`).
pub fn parse_icalendar(document: &str, text: &str) -> Result<Vec<NewPresentation>, FieldError> {
    let calendar: Calendar = text.parse().map_err(|error: String| {
        FieldError::new(
            document,
            format!("must be an iCalendar (RFC 5545) text: {error}"),
        )
    })?;
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|component| component.as_event())
        .collect();
    check_count(events.len())?;
    events
        .into_iter()
        .enumerate()
        .map(|(index, event)| {
            let field = format!("presentations[{index}]");
            let speakers = event
                .multi_properties()
                .get("ATTENDEE")
                .into_iter()
                .flatten()
                .filter_map(|attendee| attendee.params().get("CN"))
                .map(|name| name.value().trim_matches('"').to_owned())
                .collect();
            presentation(
                &field,
                event.get_uid().map(str::to_owned),
                event.get_summary().unwrap_or_default(),
                speakers,
                event.get_location().unwrap_or_default(),
                ical_time(&format!("{field}.start"), event.get_start())?,
                ical_time(&format!("{field}.end"), event.get_end())?,
            )
        })
        .collect()
}

fn ical_time(field: &str, time: Option<DatePerhapsTime>) -> Result<ProgrammeTime, FieldError> {
    match time {
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Utc(time))) => {
            Ok(ProgrammeTime::Utc(time))
        }
        Some(DatePerhapsTime::DateTime(CalendarDateTime::Floating(time))) => {
            Ok(ProgrammeTime::Local { time, zone: None })
        }
        Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
            Ok(ProgrammeTime::Local {
                time: date_time,
                zone: Some(tzid),
            })
        }
        Some(DatePerhapsTime::Date(_)) => Err(FieldError::new(
            field,
            "must be a date with a time, not a whole day",
        )),
        None => Err(FieldError::new(
            field,
            "is required (DTSTART and DTEND, as date-times)",
        )),
    }
}

/// A programme as JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonProgramme {
    presentations: Vec<JsonPresentation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonPresentation {
    uid: Option<String>,
    title: String,
    #[serde(default)]
    speakers: Vec<String>,
    room: String,
    start: String,
    end: String,
}

/// The presentations of `{"presentations": [{"title", "speakers", "room",
/// "start", "end", "uid"?}]}`. Times are RFC 3339; without an offset they
/// are in the event's zone.
pub fn parse_json(document: &str, text: &str) -> Result<Vec<NewPresentation>, FieldError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let programme: JsonProgramme =
        serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            let field = if path == "." {
                document.to_owned()
            } else {
                path
            };
            FieldError::new(field, error.into_inner().to_string())
        })?;
    check_count(programme.presentations.len())?;
    programme
        .presentations
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let field = format!("presentations[{index}]");
            presentation(
                &field,
                entry.uid,
                &entry.title,
                entry.speakers,
                &entry.room,
                json_time(&format!("{field}.start"), &entry.start)?,
                json_time(&format!("{field}.end"), &entry.end)?,
            )
        })
        .collect()
}

fn json_time(field: &str, text: &str) -> Result<ProgrammeTime, FieldError> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(ProgrammeTime::Utc(time.with_timezone(&Utc)));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|time| ProgrammeTime::Local { time, zone: None })
        .map_err(|_| {
            FieldError::new(
                field,
                "must be an RFC 3339 date-time (2026-05-04T09:30:00+02:00, or without an offset in the event's time zone)",
            )
        })
}

fn check_count(count: usize) -> Result<(), FieldError> {
    if count > MAX_PRESENTATIONS {
        return Err(FieldError::new(
            "presentations",
            format!("a programme has at most {MAX_PRESENTATIONS} presentations"),
        ));
    }
    Ok(())
}

/// One entry, its texts checked.
fn presentation(
    field: &str,
    uid: Option<String>,
    title: &str,
    speakers: Vec<String>,
    room: &str,
    start: ProgrammeTime,
    end: ProgrammeTime,
) -> Result<NewPresentation, FieldError> {
    if speakers.len() > MAX_SPEAKERS {
        return Err(FieldError::new(
            format!("{field}.speakers"),
            format!("at most {MAX_SPEAKERS} speakers"),
        ));
    }
    let speakers = speakers
        .iter()
        .enumerate()
        .map(|(index, speaker)| check_title(&format!("{field}.speakers[{index}]"), speaker))
        .collect::<Result<_, _>>()?;
    let uid = uid
        .map(|uid| check_title(&format!("{field}.uid"), &uid))
        .transpose()?;
    Ok(NewPresentation {
        uid,
        title: check_title(&format!("{field}.title"), title)?,
        speakers,
        room: check_title(&format!("{field}.room"), room)?,
        start,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
        BEGIN:VEVENT\r\nUID:talk-1@example.org\r\nDTSTAMP:20260501T000000Z\r\n\
        DTSTART:20260504T090000Z\r\nDTEND:20260504T094500Z\r\n\
        SUMMARY:Rust\\, fast and safe\r\nLOCATION:Hall A\r\n\
        ATTENDEE;CN=Ada Lovelace;ROLE=CHAIR:mailto:ada@example.org\r\n\
        ATTENDEE;CN=\"Grace Hopper\";ROLE=CHAIR:mailto:grace@example.org\r\n\
        END:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:talk-2\r\nDTSTAMP:20260501T000000Z\r\n\
        DTSTART;TZID=Europe/Berlin:20260504T110000\r\nDTEND;TZID=Europe/Berlin:20260504T113000\r\n\
        SUMMARY:Kafka in a nutshell\r\nLOCATION:Room 2\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";

    #[test]
    fn an_icalendar_programme_is_read() {
        let presentations = parse_icalendar("icalendar", CALENDAR).unwrap();
        assert_eq!(presentations.len(), 2);
        let first = &presentations[0];
        assert_eq!(first.title, "Rust, fast and safe");
        assert_eq!(first.room, "Hall A");
        assert_eq!(first.uid.as_deref(), Some("talk-1@example.org"));
        assert_eq!(first.speakers, ["Ada Lovelace", "Grace Hopper"]);
        assert_eq!(
            first.start,
            ProgrammeTime::Utc("2026-05-04T09:00:00Z".parse().unwrap())
        );
        assert_eq!(
            presentations[1].start,
            ProgrammeTime::Local {
                time: "2026-05-04T11:00:00".parse().unwrap(),
                zone: Some("Europe/Berlin".to_owned())
            }
        );
    }

    #[test]
    fn icalendar_mistakes_name_the_entry() {
        let no_room = CALENDAR.replace("LOCATION:Hall A\r\n", "");
        assert_eq!(
            parse_icalendar("icalendar", &no_room).unwrap_err().field,
            "presentations[0].room"
        );
        let whole_day = CALENDAR.replace("DTEND:20260504T094500Z", "DTEND;VALUE=DATE:20260505");
        assert_eq!(
            parse_icalendar("icalendar", &whole_day).unwrap_err().field,
            "presentations[0].end"
        );
        assert_eq!(
            parse_icalendar("icalendar", "not a calendar")
                .unwrap_err()
                .field,
            "icalendar"
        );
    }

    #[test]
    fn a_json_programme_is_read_and_its_mistakes_named() {
        let presentations = parse_json(
            "json",
            r#"{"presentations": [{"title": "Keynote", "speakers": ["A"], "room": "Hall A",
                "start": "2026-05-04T09:00:00+02:00", "end": "2026-05-04T10:00:00"}]}"#,
        )
        .unwrap();
        assert_eq!(
            presentations[0].start,
            ProgrammeTime::Utc("2026-05-04T07:00:00Z".parse().unwrap())
        );
        assert!(matches!(
            presentations[0].end,
            ProgrammeTime::Local { zone: None, .. }
        ));
        let error = parse_json(
            "json",
            r#"{"presentations": [{"title": "K", "room": "R", "start": "9am", "end": "x"}]}"#,
        )
        .unwrap_err();
        assert_eq!(error.field, "presentations[0].start");
        let error = parse_json("json", r#"{"presentations": [{"room": "R"}]}"#).unwrap_err();
        assert!(error.field.starts_with("presentations[0]"), "{error}");
    }
}
