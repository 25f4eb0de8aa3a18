use crate::FieldError;

/// Identifier of a person, assigned by the persons service.
pub type PersonId = i64;

/// Longest accepted name, in characters, after trimming.
pub const MAX_NAME_CHARS: usize = 200;

/// An attendee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Server-assigned id.
    pub id: PersonId,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Employer or affiliation.
    pub company_name: String,
    /// What the person shares.
    pub privacy: Privacy,
}

/// An attendee's choices about their data. Both start off: being shown to
/// other attendees is something an attendee agrees to, never something
/// they must find out how to stop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Privacy {
    /// Other attendees may see the person in their contacts, shared
    /// attendance and connections (and only while they are visible too).
    pub visible_to_others: bool,
    /// Pings for the person are refused, never stored.
    pub location_paused: bool,
}

impl Privacy {
    /// Whether `viewer` may see `seen` in what concerns them both: each
    /// must have chosen to be visible, so no one watches unseen.
    pub fn mutually_visible(viewer: Self, seen: Self) -> bool {
        viewer.visible_to_others && seen.visible_to_others
    }
}

/// A person about to be created, with every name already checked and trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPerson {
    first_name: String,
    last_name: String,
    company_name: String,
}

impl NewPerson {
    /// Validates and trims the three names; the error names the first bad field.
    pub fn parse(
        first_name: &str,
        last_name: &str,
        company_name: &str,
    ) -> Result<Self, FieldError> {
        Ok(Self {
            first_name: check_name("first_name", first_name)?,
            last_name: check_name("last_name", last_name)?,
            company_name: check_name("company_name", company_name)?,
        })
    }

    /// The trimmed given name.
    pub fn first_name(&self) -> &str {
        &self.first_name
    }

    /// The trimmed family name.
    pub fn last_name(&self) -> &str {
        &self.last_name
    }

    /// The trimmed company name.
    pub fn company_name(&self) -> &str {
        &self.company_name
    }
}

fn check_name(field: &str, value: &str) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new(
            field,
            format!("must be at most {MAX_NAME_CHARS} characters"),
        ));
    }
    // The whole value, not only what trimming keeps: a tab or a newline at
    // either end is as much a control character as one within.
    if value.chars().any(|c| c.is_control() || misleads(c)) {
        return Err(FieldError::new(
            field,
            "must not contain control characters, direction overrides or tags",
        ));
    }
    if trimmed
        .chars()
        .all(|c| c.is_whitespace() || is_format_character(c))
    {
        return Err(FieldError::new(field, "must contain a visible character"));
    }
    Ok(trimmed.to_owned())
}

/// Invisible characters that have no place in a name and can make it look
/// like another or reorder the text around it: bidirectional embeddings,
/// overrides and isolates (U+202E and kin), the byte-order mark,
/// interlinear annotations and tags. Joiners and direction marks stay
/// allowed, as some scripts need them within names.
fn misleads(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Unicode's format characters (general category Cf): invisible, so a name
/// of these alone shows nothing.
fn is_format_character(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Checks that an id (of a person or a location) is one the system could have
/// assigned: ids start at 1.
pub fn check_id(field: &str, id: i64) -> Result<i64, FieldError> {
    if id < 1 {
        return Err(FieldError::new(field, "must be a positive integer"));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed() {
        let person = NewPerson::parse("  Pam ", "Trexler", "Hampton").unwrap();
        assert_eq!(person.first_name(), "Pam");
    }

    #[test]
    fn invisible_and_direction_changing_characters_are_refused() {
        for name in [
            "\u{200B}\u{200B}",
            "\u{200D} \u{200C}",
            "Pam\u{202E}relxerT",
            "\u{FEFF}Pam",
            "Pam\u{2067}x",
        ] {
            assert_eq!(
                NewPerson::parse(name, "Trexler", "Hampton")
                    .unwrap_err()
                    .field,
                "first_name",
                "{name:?}"
            );
        }
        // Persian writes a zero-width non-joiner inside names.
        assert!(NewPerson::parse("Zoë", "Ørsted", "日本語 株式会社").is_ok());
        assert!(NewPerson::parse("\u{0645}\u{06CC}\u{200C}\u{0631}", "X", "Y").is_ok());
    }

    #[test]
    fn blank_and_oversized_names_name_their_field() {
        assert_eq!(
            NewPerson::parse("Pam", "  ", "X").unwrap_err().field,
            "last_name"
        );
        let long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(
            NewPerson::parse("Pam", "T", &long).unwrap_err().field,
            "company_name"
        );
        assert!(NewPerson::parse(&"é".repeat(MAX_NAME_CHARS), "T", "C").is_ok());
        assert_eq!(
            NewPerson::parse("a\u{7}", "T", "C").unwrap_err().field,
            "first_name"
        );
        // Trimming takes spaces, not the control characters around a name.
        assert_eq!(
            NewPerson::parse("Pam\n", "T", "C").unwrap_err().field,
            "first_name"
        );
        assert_eq!(
            NewPerson::parse("  Pam  ", "T", "C").unwrap().first_name(),
            "Pam"
        );
    }

    #[test]
    fn ids_start_at_one() {
        assert!(check_id("id", 1).is_ok());
        assert!(check_id("id", 0).is_err());
        assert!(check_id("id", -5).is_err());
    }
}
