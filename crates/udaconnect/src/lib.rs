//! UdaConnect's services and their startup, kept in a library so that tests
//! start exactly what the binary starts, on port 0 against a fresh database.

pub mod admin;
pub mod api;
pub mod backoff;
pub mod call;
pub mod cli;
pub mod conference;
pub mod config;
pub mod grpc;
pub mod ingest;
pub mod location_consumer;
pub mod locations;
pub mod person_directory;
pub mod persons;
pub mod publisher;
pub mod seed;
pub mod shutdown;
pub mod simulate;
pub mod stack;
pub mod topics;
pub mod web;
