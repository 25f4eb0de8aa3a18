//! The programme as iCalendar (RFC 5545) text, written by hand: the format
//! is a few line rules (CRLF, folding at 75 octets, escaped text), and the
//! events service must be fed exactly what a calendar tool would export.

use chrono::{DateTime, Utc};

use super::{
    programme::{Presentation, topic_name},
    venue::Area,
};

/// Longest line, in octets, before it is folded (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// A VCALENDAR called `name`, with one VEVENT per presentation (times in
/// UTC, `time_zone` as the calendar's display zone), stamped `stamp` so the
/// same programme always gives the same text.
pub fn calendar(
    name: &str,
    time_zone: &str,
    stamp: DateTime<Utc>,
    presentations: &[Presentation],
    areas: &[Area],
) -> String {
    let mut out = String::new();
    let mut line = |content: String| fold_into(&mut out, &content);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//UdaConnect//Event simulator//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line(format!("X-WR-CALNAME:{}", text(name)));
    line(format!("X-WR-TIMEZONE:{}", text(time_zone)));
    for presentation in presentations {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", text(&presentation.uid)));
        line(format!("DTSTAMP:{}", utc(stamp)));
        line(format!("DTSTART:{}", utc(presentation.start)));
        line(format!("DTEND:{}", utc(presentation.end)));
        line(format!("SUMMARY:{}", text(&presentation.title)));
        line(format!("LOCATION:{}", text(&areas[presentation.room].name)));
        line(format!(
            "DESCRIPTION:{}",
            text(&format!("Topic: {}", topic_name(presentation.topic)))
        ));
        for speaker in &presentation.speakers {
            line(format!(
                "ATTENDEE;CN={};ROLE=CHAIR:mailto:{}@example.org",
                parameter(speaker),
                slug(speaker)
            ));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

/// A UTC DATE-TIME value (`YYYYMMDDTHHMMSSZ`).
fn utc(time: DateTime<Utc>) -> String {
    time.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value with backslashes, semicolons, commas and newlines escaped
/// (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | ';' | ',' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' => escaped.push_str("\\n"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A parameter value, quoted when it holds a character that would end it
/// (RFC 5545 §3.2); a double quote cannot be written at all, so it is left
/// out.
fn parameter(value: &str) -> String {
    let value: String = value.chars().filter(|&c| c != '"').collect();
    if value.contains([',', ';', ':']) {
        format!("\"{value}\"")
    } else {
        value
    }
}

/// A speaker's mail name: "Chloé Dubois" becomes "chloe.dubois".
pub fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('.') {
            slug.push('.');
        }
    }
    slug.trim_end_matches('.').to_owned()
}

/// Appends `content` as one content line: folded into lines of at most 75
/// octets (continuations start with a space), never inside a UTF-8
/// character, each ended by CRLF.
fn fold_into(out: &mut String, content: &str) {
    let mut rest = content;
    let mut limit = MAX_LINE_OCTETS;
    loop {
        if rest.len() <= limit {
            out.push_str(rest);
            out.push_str("\r\n");
            return;
        }
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The leading space counts towards the next line's octets.
        limit = MAX_LINE_OCTETS - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            text(r"Logs, Metrics; and \ more"),
            r"Logs\, Metrics\; and \\ more"
        );
        assert_eq!(parameter("Doe, Jane"), "\"Doe, Jane\"");
        assert_eq!(parameter("Jane Doe"), "Jane Doe");
    }

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Chloé Dubois"), "chloe.dubois");
        assert_eq!(slug("Tomás Fernández"), "tomas.fernandez");
        assert_eq!(slug("Ravi  Iyer "), "ravi.iyer");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let content = format!("SUMMARY:{}", "é".repeat(100));
        fold_into(&mut out, &content);
        for line in out.split_terminator("\r\n") {
            assert!(line.len() <= MAX_LINE_OCTETS, "{} octets", line.len());
        }
        // Unfolding gives the content back.
        assert_eq!(out.replace("\r\n ", "").trim_end(), content);
    }
}
