//! Integration tests: the real services on port 0, over real sockets, against
//! fresh PostgreSQL/PostGIS databases and a real Kafka-protocol broker (tansu).
//! One binary, so it links once.

mod api_bad_input;
mod api_connections;
mod api_persons;
mod attendance;
mod authorization;
mod broker;
mod contacts;
mod erasure;
mod external_issuer;
mod grpc_docs;
mod identity;
mod ingest_pipeline;
mod locations_grpc;
mod openapi;
mod packs;
mod privacy;
mod retention;
mod simulate;
mod stack;
mod support;
mod traces;
mod web;
