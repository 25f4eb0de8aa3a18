//! The `udaconnect` command line: one subcommand per service, plus the
//! operational tasks (migrate, seed, openapi, call). Every flag can also be
//! set by the environment variable shown in `--help`. Each service command
//! only parses, builds the service and runs it.

use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use udaconnect_api::{ApiConfig, ApiServer};
use udaconnect_attendance::{
    AttendanceConsumer, AttendanceConsumerConfig, VisitGapArgs, rebuild_event,
};
use udaconnect_devtools::{call, seed, simulate};
use udaconnect_events::{EventsConfig, EventsDatabaseArgs, EventsServer};
use udaconnect_ingest::{IngestConfig, IngestServer};
use udaconnect_location_consumer::{LocationConsumer, LocationConsumerConfig};
use udaconnect_locations::{LocationsConfig, LocationsDatabaseArgs, LocationsServer};
use udaconnect_persons::{CredentialArgs, PersonsConfig, PersonsDatabaseArgs, PersonsServer};
use udaconnect_runtime::{
    Service, ServiceTokenArgs,
    config::{EventsPeerArgs, KafkaArgs, LocationsPeerArgs, PersonsPeerArgs, RetentionArgs},
    shutdown, topics, write_addresses,
};
use udaconnect_telemetry::{LogFormat, TraceExport};
use udaconnect_web::{WebConfig, WebServer};

use crate::{
    migrate::{MigrateTarget, migrate, stores},
    stack::{Stack, StackConfig},
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

/// Settings of every command.
#[derive(Debug, Clone, Args)]
struct CommonArgs {
    /// Log line format: `text` for a terminal, `json` for a collector.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", value_parser = parse_log_format, global = true)]
    log_format: LogFormat,
    /// Once a service's listeners are bound, write their addresses to this
    /// file as one JSON object (`{"persons": "127.0.0.1:50051", …}`), so that
    /// whoever started it with port 0 learns the real ports.
    #[arg(long, env = "ADDRESSES_FILE", global = true)]
    addresses_file: Option<PathBuf>,
    /// An OpenTelemetry collector's OTLP/gRPC address
    /// (`http://otel-collector:4317`) to send the spans to; unset, none are
    /// exported.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    otlp_endpoint: Option<String>,
    /// The `service.name` of the exported spans; unset, the command's name
    /// (`ingest`, `location-consumer`, …).
    #[arg(long, env = "OTEL_SERVICE_NAME", global = true)]
    otel_service_name: Option<String>,
}

impl CommonArgs {
    /// Where the spans of `command` go, if anywhere.
    fn trace_export(&self, command: &str) -> Option<TraceExport> {
        self.otlp_endpoint.as_ref().map(|endpoint| TraceExport {
            endpoint: endpoint.clone(),
            service_name: self
                .otel_service_name
                .clone()
                .unwrap_or_else(|| command.to_owned()),
        })
    }
}

fn parse_log_format(value: &str) -> Result<LogFormat, String> {
    match value {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => Err(format!("unknown log format {other:?}: use text or json")),
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the persons service (gRPC; owns attendee records and identity;
    /// follows the erasures on Kafka).
    Persons {
        #[command(flatten)]
        config: PersonsConfig,
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Run the locations service (gRPC; owns location pings and spatial
    /// queries; drops pings past retention; follows the erasures on Kafka).
    Locations {
        #[command(flatten)]
        config: LocationsConfig,
        #[command(flatten)]
        persons: PersonsPeerArgs,
        #[command(flatten)]
        events: EventsPeerArgs,
        #[command(flatten)]
        retention: RetentionArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Run the events service (gRPC; owns events, floor plans, programmes
    /// and visits, and answers who attended what; deletes visits past
    /// retention; follows the erasures on Kafka).
    Events {
        #[command(flatten)]
        config: EventsConfig,
        #[command(flatten)]
        retention: RetentionArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Run the public REST API (calls persons, locations and events over
    /// gRPC; publishes new pings to Kafka).
    Api {
        #[command(flatten)]
        config: ApiConfig,
        #[command(flatten)]
        persons: PersonsPeerArgs,
        #[command(flatten)]
        locations: LocationsPeerArgs,
        #[command(flatten)]
        events: EventsPeerArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        credentials: CredentialArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Run the ingest service (gRPC for phones; publishes pings to Kafka).
    Ingest {
        #[command(flatten)]
        config: IngestConfig,
        #[command(flatten)]
        persons: PersonsPeerArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        credentials: CredentialArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Run the location consumer (Kafka → locations service, in batches).
    LocationConsumer {
        #[command(flatten)]
        config: LocationConsumerConfig,
        #[command(flatten)]
        locations: LocationsPeerArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Run the attendance consumer (Kafka → visits of booths and rooms,
    /// recorded through the events service).
    AttendanceConsumer {
        #[command(flatten)]
        config: AttendanceConsumerConfig,
        #[command(flatten)]
        events: EventsPeerArgs,
        #[command(flatten)]
        kafka: KafkaArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Recompute every visit of an event from the stored pings (after its
    /// floor plan was corrected, or uploaded late), print what was done as
    /// JSON, and exit.
    RebuildAttendance {
        /// The event's id.
        #[arg(long)]
        event: i64,
        #[command(flatten)]
        gap: VisitGapArgs,
        #[command(flatten)]
        events: EventsPeerArgs,
        #[command(flatten)]
        locations: LocationsPeerArgs,
        #[command(flatten)]
        service: ServiceTokenArgs,
    },
    /// Serve the web page (the built `web/` app) and its run-time configuration.
    Web(WebConfig),
    /// Create the Kafka topics if they are missing, and exit.
    Topics {
        #[command(flatten)]
        kafka: KafkaArgs,
    },
    /// Play a conference: attendees wander between booths and talks and
    /// their phones stream pings through the ingest service.
    Simulate(simulate::SimulateArgs),
    /// Run every service of the local stack in one process (migrates first,
    /// and seeds with `--seed DIR`).
    All(Box<StackConfig>),
    /// Apply database migrations and exit.
    Migrate {
        /// Which service's database to migrate.
        #[arg(value_enum, default_value = "all")]
        target: MigrateTarget,
        #[command(flatten)]
        persons: PersonsDatabaseArgs,
        #[command(flatten)]
        locations: LocationsDatabaseArgs,
        #[command(flatten)]
        events: EventsDatabaseArgs,
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

/// Parses the command line and runs the chosen command to completion; the
/// spans it made are sent before it returns.
pub async fn run() -> anyhow::Result<()> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches)?;
    let traces = cli
        .common
        .trace_export(matches.subcommand_name().unwrap_or("udaconnect"));
    let exporter = udaconnect_telemetry::init_logging(cli.common.log_format, traces.as_ref())?;
    let outcome = run_command(cli).await;
    exporter.shutdown().await;
    outcome
}

/// Runs the parsed command to completion.
async fn run_command(cli: Cli) -> anyhow::Result<()> {
    let shutdown = shutdown::on_signal();
    let service: Box<dyn Service> = match cli.command {
        Command::Persons {
            config,
            kafka,
            service,
        } => Box::new(PersonsServer::build(&config, &kafka, &service.credential()?).await?),
        Command::Locations {
            config,
            persons,
            events,
            retention,
            kafka,
            service,
        } => Box::new(
            LocationsServer::build(
                &config,
                &persons.persons_url,
                &events.events_url,
                &retention,
                &kafka,
                &service.credential()?,
            )
            .await?,
        ),
        Command::Events {
            config,
            retention,
            kafka,
            service,
        } => Box::new(
            EventsServer::build(&config, &retention, &kafka, &service.credential()?).await?,
        ),
        Command::Api {
            config,
            persons,
            locations,
            events,
            kafka,
            credentials,
            service,
        } => Box::new(
            ApiServer::build(
                &config,
                &kafka,
                &persons.persons_url,
                &locations.locations_url,
                &events.events_url,
                &credentials,
                &service.credential()?,
            )
            .await?,
        ),
        Command::Ingest {
            config,
            persons,
            kafka,
            credentials,
            service,
        } => Box::new(
            IngestServer::build(
                &config,
                &kafka,
                &persons.persons_url,
                &credentials,
                &service.credential()?,
                &shutdown,
            )
            .await?,
        ),
        Command::LocationConsumer {
            config,
            locations,
            kafka,
            service,
        } => Box::new(
            LocationConsumer::build(
                &config,
                &kafka,
                &locations.locations_url,
                &service.credential()?,
                &shutdown,
            )
            .await?,
        ),
        Command::AttendanceConsumer {
            config,
            events,
            kafka,
            service,
        } => Box::new(
            AttendanceConsumer::build(
                &config,
                &kafka,
                &events.events_url,
                &service.credential()?,
                &shutdown,
            )
            .await?,
        ),
        Command::RebuildAttendance {
            event,
            gap,
            events,
            locations,
            service,
        } => {
            let report = rebuild_event(
                &events.events_url,
                &locations.locations_url,
                &service.credential()?,
                event,
                gap.gap()?,
            )
            .await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            return Ok(());
        }
        Command::Web(config) => Box::new(WebServer::build(&config).await?),
        Command::All(config) => Box::new(Stack::build(&config, &shutdown).await?),
        Command::Topics { kafka } => {
            return topics::ensure(&kafka.settings(), &kafka.topics(), &shutdown).await;
        }
        Command::Simulate(args) => return simulate::run(args, shutdown).await,
        Command::Migrate {
            target,
            persons,
            locations,
            events,
        } => {
            let (persons, locations) = stores(&persons, &locations)?;
            return migrate(target, &persons, &locations, &events.store(2)?).await;
        }
        Command::Seed {
            data_dir,
            persons,
            locations,
        } => {
            let data = seed::read(&data_dir)?;
            let (persons, locations) = stores(&persons, &locations)?;
            let (new_persons, new_locations) = seed::load(&data, &persons, &locations).await?;
            tracing::info!(new_persons, new_locations, "seed data loaded");
            return Ok(());
        }
        Command::Openapi => {
            print!("{}", udaconnect_api::openapi_yaml());
            return Ok(());
        }
        Command::Call(args) => return call::run(args).await,
    };
    let addresses = service.addresses();
    if let Some(path) = &cli.common.addresses_file {
        write_addresses(path, &addresses)?;
    }
    tracing::info!(?addresses, "listening");
    service.run_until_stopped(shutdown).await
}

#[cfg(test)]
mod tests {
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
            "events",
            "attendance-consumer",
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
