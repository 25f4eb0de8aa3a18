//! `udaconnect all`: the whole local stack in one process, each service on
//! its own port exactly as it runs alone, talking to the others over gRPC
//! and through Kafka.

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::{
    api,
    cli::{AllArgs, MigrateTarget},
    config::local_url,
    ingest, location_consumer, locations, persons, web,
};

/// Migrates both databases and creates the topics, then runs every service
/// until `shutdown` or until one of them fails (which stops the others).
pub async fn run(args: AllArgs, shutdown: CancellationToken) -> anyhow::Result<()> {
    crate::cli::migrate(
        MigrateTarget::All,
        &args.persons_database,
        &args.locations_database,
    )
    .await?;
    crate::topics::ensure(&args.kafka.settings(), &args.kafka.topics(), &shutdown).await?;

    let persons_url = local_url(args.persons.listen);
    let locations_url = local_url(args.locations.listen);
    let mut services = JoinSet::new();
    {
        let (server, database, token) = (
            args.persons.clone(),
            args.persons_database.clone(),
            shutdown.clone(),
        );
        services.spawn(async move { persons::start(&server, &database, token).await });
    }
    {
        let (server, database, token) = (
            args.locations.clone(),
            args.locations_database.clone(),
            shutdown.clone(),
        );
        let persons_url = persons_url.clone();
        services
            .spawn(async move { locations::start(&server, &database, &persons_url, token).await });
    }
    {
        let (server, kafka, token) = (args.api.clone(), args.kafka.clone(), shutdown.clone());
        let (persons_url, locations_url) = (persons_url.clone(), locations_url.clone());
        services.spawn(async move {
            api::start(&server, &kafka, &persons_url, &locations_url, token).await
        });
    }
    {
        let (server, kafka, token) = (args.ingest.clone(), args.kafka.clone(), shutdown.clone());
        services.spawn(async move { ingest::start(&server, &kafka, &persons_url, token).await });
    }
    {
        let (consumer, kafka, token) =
            (args.consumer.clone(), args.kafka.clone(), shutdown.clone());
        services.spawn(async move {
            location_consumer::start(&consumer, &kafka, &locations_url, token).await
        });
    }

    // The page is optional here: without a build of it the rest still runs.
    match web::check_assets(&args.web.assets_dir) {
        Ok(()) => {
            let (server, token) = (args.web.clone(), shutdown.clone());
            services.spawn(async move { web::start(&server, token).await });
        }
        Err(error) => tracing::warn!(%error, "the web page is not served"),
    }

    let mut outcome = Ok(());
    while let Some(finished) = services.join_next().await {
        let result = finished
            .map_err(anyhow::Error::from)
            .and_then(|result| result);
        if let Err(error) = result {
            tracing::error!(%error, "a service failed; stopping the stack");
            shutdown.cancel();
            if outcome.is_ok() {
                outcome = Err(error);
            }
        }
    }
    outcome
}
