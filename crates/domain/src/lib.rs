//! The vocabulary of UdaConnect: persons, location pings and the queries over
//! them, each type valid by construction so that storage and transport layers
//! never see a value the product does not allow.

mod connection;
mod contact;
mod field_error;
pub mod geodesy;
mod location;
mod person;

pub use connection::{
    Connection, ConnectionQuery, DEFAULT_CONNECTION_DISTANCE_METERS,
    MAX_CONNECTION_DISTANCE_METERS, parse_date,
};
pub use contact::{
    Contact, ContactCursor, ContactQuery, ContactQueryParts, DEFAULT_CONTACT_DISTANCE_METERS,
    DEFAULT_CONTACT_WINDOW, DEFAULT_CONTACTS_PAGE, Encounter, MAX_CONTACT_DISTANCE_METERS,
    MAX_CONTACT_MIN_DURATION, MAX_CONTACT_SPAN, MAX_CONTACT_WINDOW, MAX_CONTACTS_PAGE, Meeting,
    Sighting, find_encounters, group_contacts, page_of,
};
pub use field_error::FieldError;
pub use location::{
    Coordinates, Location, LocationId, NewLocation, check_observation_time, parse_datetime,
    parse_event_id,
};
pub use person::{MAX_NAME_CHARS, NewPerson, Person, PersonId, check_id};
