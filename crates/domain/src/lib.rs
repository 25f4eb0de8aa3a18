//! The vocabulary of UdaConnect: persons, location pings and the queries over
//! them, each type valid by construction so that storage and transport layers
//! never see a value the product does not allow.

mod connection;
mod field_error;
mod location;
mod person;

pub use connection::{
    Connection, ConnectionQuery, DEFAULT_CONNECTION_DISTANCE_METERS,
    MAX_CONNECTION_DISTANCE_METERS, parse_date,
};
pub use field_error::FieldError;
pub use location::{
    Coordinates, Location, LocationId, NewLocation, check_observation_time, parse_datetime,
    parse_event_id,
};
pub use person::{MAX_NAME_CHARS, NewPerson, Person, PersonId, check_id};
