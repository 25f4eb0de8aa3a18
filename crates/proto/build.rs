//! Compiles the protos in `/proto` with a vendored `protoc`, so building needs
//! no system protobuf compiler.

use std::{env, path::PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let protos = [
        proto_root.join("udaconnect/v1/persons.proto"),
        proto_root.join("udaconnect/v1/locations.proto"),
        proto_root.join("udaconnect/v1/records.proto"),
        proto_root.join("udaconnect/v1/ingest.proto"),
        proto_root.join("udaconnect/v1/events.proto"),
    ];
    // The protos live outside this crate, where Cargo does not look for changes.
    for proto in &protos {
        println!("cargo:rerun-if-changed={}", proto.display());
    }
    let well_known = protoc_bin_vendored::include_path()?;
    let descriptor = PathBuf::from(env::var("OUT_DIR")?).join("udaconnect_descriptor.bin");

    let mut config = prost_build::Config::new();
    config.protoc_executable(protoc_bin_vendored::protoc_bin_path()?);

    tonic_prost_build::configure()
        .file_descriptor_set_path(descriptor)
        .compile_with_config(config, &protos, &[proto_root, well_known])?;
    Ok(())
}
