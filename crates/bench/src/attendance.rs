//! Booths and presentations: the attendance targets of the events issue.
//!
//! * `attendance-mapping`: the attendance consumer's mapping stage alone
//!   (floor index and merge), in pings per second on one core;
//! * `attendance-consumer`: the attendance consumer end to end, Kafka in,
//!   visits through the events service out;
//! * `attendance-rebuild`: rebuilding an event's visits from the stored pings;
//! * `attendance-shared`: `GET /api/persons/{id}/shared` on a large event.
//!
//! All four share the synthetic venue of [`venue`]: booths of 3 × 3 m on a
//! grid with 2 m aisles, and rooms beside them, with attendees walking
//! between them.

pub mod consumer;
pub mod mapping;
pub mod rebuild;
pub mod shared;
pub mod venue;
