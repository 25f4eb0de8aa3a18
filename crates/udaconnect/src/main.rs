//! The `udaconnect` binary: one image, one subcommand per service.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    udaconnect::cli::run().await
}
