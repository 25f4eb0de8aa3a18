//! What every UdaConnect service runs on, so that each service crate holds
//! only its own behaviour: the [`Service`] contract (bind, report the bound
//! addresses, run until a shutdown token fires), gRPC servers with health,
//! reflection and metrics, the operational HTTP listener, shutdown on
//! signals, retry backoff, rate limits and the caller's address they count, housekeeping on a schedule, and the
//! settings several services share.

pub mod admin;
pub mod backoff;
pub mod client_address;
pub mod config;
pub mod erasures;
pub mod grpc;
pub mod periodic;
pub mod rate_limit;
mod service;
mod service_token;
pub mod shutdown;
pub mod topics;

pub use service::{BoundAddresses, Service, listen, write_addresses};
pub use service_token::{ServiceCredential, ServiceGate, ServiceTokenArgs};
