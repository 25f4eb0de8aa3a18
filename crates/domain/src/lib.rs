//! The vocabulary of UdaConnect: persons, location pings and the queries over
//! them, events with their floor plans, programmes and visits; each type is
//! valid by construction so that storage and transport layers never see a
//! value the product does not allow.

mod connection;
mod contact;
mod event;
mod field_error;
pub mod geodesy;
mod location;
mod person;
mod retention;
mod visit;

pub use connection::{
    Connection, ConnectionQuery, DEFAULT_CONNECTION_DISTANCE_METERS,
    MAX_CONNECTION_DISTANCE_METERS, parse_date,
};
pub use contact::{
    Contact, ContactCursor, ContactQuery, ContactQueryParts, DEFAULT_CONTACT_DISTANCE_METERS,
    DEFAULT_CONTACT_WINDOW, DEFAULT_CONTACTS_PAGE, Encounter, EncounterFinder,
    MAX_CONTACT_DISTANCE_METERS, MAX_CONTACT_MIN_DURATION, MAX_CONTACT_SPAN, MAX_CONTACT_WINDOW,
    MAX_CONTACTS_PAGE, Meeting, Sighting, group_contacts, page_of,
};
pub use event::{
    Area, AreaId, AreaKind, Event, EventId, MAX_EVENT_LENGTH, MAX_OUTLINE_POSITIONS,
    MAX_TITLE_CHARS, NewArea, NewEvent, NewPresentation, Outline, Position, Presentation,
    PresentationId, ProgrammeTime, ScheduledPresentation, check_title,
};
pub use field_error::FieldError;
pub use location::{
    Coordinates, Location, LocationId, NewLocation, check_observation_time, parse_datetime,
    parse_event_id,
};
pub use person::{MAX_NAME_CHARS, NewPerson, Person, PersonId, Privacy, check_id};
pub use retention::Retention;
pub use visit::{AttendanceRules, VISIT_GAP_RANGE, Visit, VisitGap, merge_visits};
