//! The `udaconnect` command line, kept in a library so that the integration
//! tests and the benchmarks start the stack exactly as the binary does.

pub mod cli;
pub mod migrate;
pub mod stack;
