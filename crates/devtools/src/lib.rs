//! Tools around the services rather than services: `simulate` plays a
//! conference through the ingest service (load and ground truth), the
//! `conference` model it plays and the `event` model (floor plan,
//! programme, attendance) it plays with `--event`, `call` sends any gRPC
//! method a JSON request, and `seed` loads the proof of concept's starter
//! data.

pub mod call;
pub mod conference;
pub mod event;
pub mod seed;
pub mod simulate;
