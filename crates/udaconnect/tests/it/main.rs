//! Integration tests: the real services on port 0, over real sockets, against
//! fresh PostgreSQL/PostGIS databases. One binary, so it links once.

mod api_bad_input;
mod api_connections;
mod api_persons;
mod locations_grpc;
mod openapi;
mod support;
