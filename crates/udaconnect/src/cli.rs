//! The `udaconnect` command line: one subcommand per service, plus the
//! operational tasks (migrate, seed, openapi, call). Every flag can also be set by
//! the environment variable shown in `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use udaconnect_storage::{LocationStore, PersonStore};

use crate::{
    api, call,
    config::{
        ApiServerArgs, CommonArgs, ConsumerArgs, IngestServerArgs, KafkaArgs,
        LocationsDatabaseArgs, LocationsPeerArgs, LocationsServerArgs, PersonsDatabaseArgs,
        PersonsPeerArgs, PersonsServerArgs, WebServerArgs,
    },
    ingest, location_consumer, locations, persons, seed, shutdown, simulate, stack, topics, web,
};

#[derive(Debug, Parser)]
#[command(
    name = "udaconnect",
    version,
    about = "UdaConnect: whom attendees met, where and when."
)]
struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the persons service (gRPC; owns attendee records).
    Persons {
        #[command(flatten)]
        server: PersonsServerArgs,
        #[command(flatten)]
        database: PersonsDatabaseArgs,
    },
    /// Run the locations service (gRPC; owns location pings and spatial queries).
    Locations {
        #[command(flatten)]
        server: LocationsServerArgs,
        #[command(flatten)]
        database: LocationsDatabaseArgs,
        #[command(flatten)]
        persons: PersonsPeerArgs,
    },
    /// Run the public REST API (calls persons and locations over gRPC;
    /// publishes new pings to Kafka).
    Api {
        #[command(flatten)]
        server: ApiServerArgs,
        #[command(flatten)]
        persons: PersonsPeerArgs,
        #[command(flatten)]
        locations: LocationsPeerArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
    },
    /// Run the ingest service (gRPC for phones; publishes pings to Kafka).
    Ingest {
        #[command(flatten)]
        server: IngestServerArgs,
        #[command(flatten)]
        persons: PersonsPeerArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
    },
    /// Run the location consumer (Kafka → locations service, in batches).
    LocationConsumer {
        #[command(flatten)]
        consumer: ConsumerArgs,
        #[command(flatten)]
        locations: LocationsPeerArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
    },
    /// Serve the web page (the built `web/` app) and its run-time configuration.
    Web {
        #[command(flatten)]
        server: WebServerArgs,
    },
    /// Create the Kafka topics if they are missing, and exit.
    Topics {
        #[command(flatten)]
        kafka: KafkaArgs,
    },
    /// Play a conference: attendees wander between booths and talks and
    /// their phones stream pings through the ingest service.
    Simulate(simulate::SimulateArgs),
    /// Run every service of the local stack in one process (migrates first).
    All(Box<AllArgs>),
    /// Apply database migrations and exit.
    Migrate {
        /// Which service's database to migrate.
        #[arg(value_enum, default_value = "all")]
        target: MigrateTarget,
        #[command(flatten)]
        persons: PersonsDatabaseArgs,
        #[command(flatten)]
        locations: LocationsDatabaseArgs,
    },
    /// Load the starter data set (idempotent) and exit.
    Seed {
        /// Folder holding persons.csv and locations.csv.
        #[arg(long, env = "SEED_DATA_DIR", default_value_os_t = seed::default_data_dir())]
        data_dir: PathBuf,
        #[command(flatten)]
        persons: PersonsDatabaseArgs,
        #[command(flatten)]
        locations: LocationsDatabaseArgs,
    },
    /// Print the REST API's OpenAPI document (YAML) and exit.
    Openapi,
    /// Call a method of a running service with a JSON request and print the
    /// JSON response; without a method, list every service and method.
    Call(call::CallArgs),
}

/// Settings of `udaconnect all`: every server, both databases and Kafka. Services
/// reach each other on 127.0.0.1 at the ports they listen on.
#[derive(Debug, Clone, Args)]
pub struct AllArgs {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub persons: PersonsServerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub locations: LocationsServerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub api: ApiServerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub ingest: IngestServerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub consumer: ConsumerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub web: WebServerArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub kafka: KafkaArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub persons_database: PersonsDatabaseArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub locations_database: LocationsDatabaseArgs,
}

/// Whose schema `udaconnect migrate` brings up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrateTarget {
    /// Only the persons database.
    Persons,
    /// Only the locations database.
    Locations,
    /// Both.
    All,
}

/// Parses the command line and runs the chosen command to completion.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    udaconnect_telemetry::init_logging(cli.common.log_format);
    match cli.command {
        Command::Persons { server, database } => {
            persons::start(&server, &database, shutdown::on_signal()).await
        }
        Command::Locations {
            server,
            database,
            persons,
        } => {
            locations::start(
                &server,
                &database,
                &persons.persons_url,
                shutdown::on_signal(),
            )
            .await
        }
        Command::Api {
            server,
            persons,
            locations,
            kafka,
        } => {
            api::start(
                &server,
                &kafka,
                &persons.persons_url,
                &locations.locations_url,
                shutdown::on_signal(),
            )
            .await
        }
        Command::Ingest {
            server,
            persons,
            kafka,
        } => ingest::start(&server, &kafka, &persons.persons_url, shutdown::on_signal()).await,
        Command::LocationConsumer {
            consumer,
            locations,
            kafka,
        } => {
            location_consumer::start(
                &consumer,
                &kafka,
                &locations.locations_url,
                shutdown::on_signal(),
            )
            .await
        }
        Command::Web { server } => web::start(&server, shutdown::on_signal()).await,
        Command::Topics { kafka } => {
            topics::ensure(&kafka.settings(), &kafka.topics(), &shutdown::on_signal()).await
        }
        Command::Simulate(args) => simulate::run(args, shutdown::on_signal()).await,
        Command::All(args) => stack::run(*args, shutdown::on_signal()).await,
        Command::Migrate {
            target,
            persons,
            locations,
        } => migrate(target, &persons, &locations).await,
        Command::Seed {
            data_dir,
            persons,
            locations,
        } => {
            let data = seed::read(&data_dir)?;
            let (persons_store, locations_store) = stores(&persons, &locations)?;
            let (new_persons, new_locations) =
                seed::load(&data, &persons_store, &locations_store).await?;
            tracing::info!(new_persons, new_locations, "seed data loaded");
            Ok(())
        }
        Command::Openapi => {
            print!("{}", api::openapi_yaml());
            Ok(())
        }
        Command::Call(args) => call::run(args).await,
    }
}

fn stores(
    persons: &PersonsDatabaseArgs,
    locations: &LocationsDatabaseArgs,
) -> anyhow::Result<(PersonStore, LocationStore)> {
    Ok((
        PersonStore::new(udaconnect_storage::connect_lazy(
            &persons.persons_database_url,
            2,
        )?),
        LocationStore::new(udaconnect_storage::connect_lazy(
            &locations.locations_database_url,
            2,
        )?),
    ))
}

/// Applies the migrations of `target`'s databases.
pub async fn migrate(
    target: MigrateTarget,
    persons: &PersonsDatabaseArgs,
    locations: &LocationsDatabaseArgs,
) -> anyhow::Result<()> {
    let (persons_store, locations_store) = stores(persons, locations)?;
    if matches!(target, MigrateTarget::Persons | MigrateTarget::All) {
        persons_store.migrate().await?;
        tracing::info!("persons database migrated");
    }
    if matches!(target, MigrateTarget::Locations | MigrateTarget::All) {
        locations_store.migrate().await?;
        tracing::info!("locations database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        // Catches clashing argument ids between flattened groups, which
        // would otherwise only fail when `all` is run.
        Cli::command().debug_assert();
        for command in [
            "all",
            "persons",
            "locations",
            "api",
            "ingest",
            "location-consumer",
            "simulate",
            "web",
        ] {
            assert!(
                Cli::try_parse_from(["udaconnect", command]).is_ok(),
                "udaconnect {command} parses with its defaults"
            );
        }
    }

    /// Every environment variable an argument of `command` or of its
    /// subcommands reads.
    fn environment_variables(command: &clap::Command, found: &mut Vec<String>) {
        for argument in command.get_arguments() {
            if let Some(name) = argument.get_env() {
                found.push(name.to_string_lossy().into_owned());
            }
        }
        for subcommand in command.get_subcommands() {
            environment_variables(subcommand, found);
        }
    }

    #[test]
    fn the_readme_documents_every_environment_variable() {
        let readme = include_str!("../../../README.md");
        let configuration = &readme[readme
            .find("## Configuration")
            .expect("the README has a configuration reference")..];
        let mut names = Vec::new();
        environment_variables(&Cli::command(), &mut names);
        assert!(names.len() > 20, "the variables are found: {names:?}");
        let missing: Vec<_> = names
            .iter()
            .filter(|name| !configuration.contains(&format!("`{name}`")))
            .collect();
        assert!(
            missing.is_empty(),
            "README's configuration reference lacks {missing:?}"
        );
    }
}
