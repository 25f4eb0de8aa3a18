//! One measurement's processes: a fresh Kafka broker (tansu) and every
//! service as its own release process, as Kubernetes runs them. Services
//! bind port 0 and report their real addresses through `--addresses-file`,
//! which is how later services learn their peers' URLs; only the broker,
//! an external program, needs a port chosen for it.

use std::{
    collections::BTreeMap,
    fs::File,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::Context;
use tokio::process::{Child, Command};

/// Where tansu keeps its records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BrokerStorage {
    /// In memory: the fastest, gone when the broker stops.
    Memory,
    /// An SQLite file in the broker's working directory.
    Sqlite,
}

/// What every stack of a run is made of.
pub struct StackConfig {
    /// The `udaconnect` binary (every service).
    pub udaconnect: PathBuf,
    /// The tansu binary.
    pub tansu: PathBuf,
    /// Where the broker keeps its records.
    pub broker_storage: BrokerStorage,
    /// Location-consumer processes, sharing one consumer group.
    pub consumers: u32,
    /// Settings every service gets (databases, topics, log level).
    pub env: Vec<(String, String)>,
    /// Where logs, address files and the broker's working directory go.
    pub work: PathBuf,
}

/// A service's name, the `udaconnect` subcommand that runs it, the
/// environment variables of its listeners, and the listener whose
/// `/readyz` says it is ready.
struct ServiceSpec {
    name: String,
    subcommand: &'static str,
    listen: &'static [&'static str],
    ready: &'static str,
}

/// Location consumers are named this and their number (`consumer1`…).
const CONSUMER: &str = "consumer";
/// Fetch-only readers are named this and their number (`fetcher1`…).
const FETCHER: &str = "fetcher";
/// Bind-anywhere for every listener: the service picks its own port.
const ANY_PORT: &str = "127.0.0.1:0";
/// How long a service may take to report its addresses and be ready.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a starting service is looked at.
const READY_POLL: Duration = Duration::from_millis(10);
/// How long the broker may take to accept connections.
const BROKER_TIMEOUT: Duration = Duration::from_secs(10);
/// Broker starts tried, each on another port, before giving up.
const BROKER_ATTEMPTS: u32 = 3;
/// How long a process may take to exit after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// A child process of the benchmark. It runs in a process group of its own,
/// so a Ctrl-C at the terminal reaches only the benchmark, which stops the
/// services before the broker (their last offsets reach it); if the
/// benchmark itself dies unwinding, dropping the child kills it.
pub struct Process {
    /// `broker`, `persons`, …, `consumer1`…: how the figures name it.
    pub name: String,
    /// Where /proc describes it.
    pub pid: u32,
    child: Child,
    log: PathBuf,
}

impl Process {
    fn spawn(name: &str, command: &mut Command, log: &Path) -> anyhow::Result<Self> {
        let output = File::options().create(true).append(true).open(log)?;
        let child = command
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {name} ({:?})", command.as_std()))?;
        let pid = child.id().context("a child that just started has a pid")?;
        Ok(Self {
            name: name.to_owned(),
            pid,
            child,
            log: log.to_owned(),
        })
    }

    /// Sends `signal` (`STOP`, `CONT`, `TERM`) through the `kill` command,
    /// the one way to signal a process without unsafe code.
    fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let status = std::process::Command::new("kill")
            .args(["-s", signal, &self.pid.to_string()])
            .stderr(Stdio::null())
            .status()
            .context("cannot run kill")?;
        anyhow::ensure!(status.success(), "cannot send SIG{signal} to {}", self.name);
        Ok(())
    }

    /// Whether the process has exited (and so is reaped: no more signals).
    fn exited(&mut self) -> anyhow::Result<bool> {
        Ok(self.child.try_wait()?.is_some())
    }

    /// Resumes the process if it was paused, asks it to stop and waits for
    /// it, killing it if it does not stop in time.
    pub async fn stop(mut self) {
        // A child found exited is reaped, and its pid may be another's now.
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = self.signal("CONT");
        let _ = self.signal("TERM");
        if tokio::time::timeout(STOP_TIMEOUT, self.child.wait())
            .await
            .is_err()
        {
            eprintln!(
                "==> {} did not stop within {STOP_TIMEOUT:?} of SIGTERM; killing it",
                self.name
            );
            let _ = self.child.kill().await;
        }
    }

    /// Prints the process's log, for an error about it to be read with.
    fn show_log(&self) {
        eprintln!("==> {}'s log ({}):", self.name, self.log.display());
        match std::fs::read(&self.log) {
            Ok(log) => eprint!("{}", String::from_utf8_lossy(&log)),
            Err(error) => eprintln!("(cannot read {}: {error})", self.log.display()),
        }
    }
}

/// A running broker and services; [`Stack::stop`] stops them.
pub struct Stack {
    broker: Process,
    services: Vec<Process>,
    /// Every service's bound addresses, by listener name.
    addresses: BTreeMap<String, SocketAddr>,
    /// How long each service took from its start to being ready.
    pub started_in: BTreeMap<String, Duration>,
}

impl Stack {
    /// Starts a fresh broker, then each service once its peers are ready,
    /// and `fetchers` consumers that fetch every ping and store none.
    pub async fn start(config: &StackConfig, fetchers: u32) -> anyhow::Result<Self> {
        let (broker, bootstrap) =
            start_broker(&config.tansu, config.broker_storage, &config.work).await?;
        let mut stack = Self {
            broker,
            services: Vec::new(),
            addresses: BTreeMap::new(),
            started_in: BTreeMap::new(),
        };
        if let Err(error) = stack.start_services(config, &bootstrap, fetchers).await {
            stack.stop().await;
            return Err(error);
        }
        Ok(stack)
    }

    async fn start_services(
        &mut self,
        config: &StackConfig,
        bootstrap: &str,
        fetchers: u32,
    ) -> anyhow::Result<()> {
        let mut services = vec![
            ServiceSpec {
                name: "persons".into(),
                subcommand: "persons",
                listen: &["PERSONS_LISTEN", "PERSONS_ADMIN_LISTEN"],
                ready: "persons-admin",
            },
            ServiceSpec {
                name: "locations".into(),
                subcommand: "locations",
                listen: &["LOCATIONS_LISTEN", "LOCATIONS_ADMIN_LISTEN"],
                ready: "locations-admin",
            },
            ServiceSpec {
                name: "events".into(),
                subcommand: "events",
                listen: &["EVENTS_LISTEN", "EVENTS_ADMIN_LISTEN"],
                ready: "events-admin",
            },
            ServiceSpec {
                name: "ingest".into(),
                subcommand: "ingest",
                listen: &["INGEST_LISTEN", "INGEST_ADMIN_LISTEN"],
                ready: "ingest-admin",
            },
            ServiceSpec {
                name: "api".into(),
                subcommand: "api",
                listen: &["API_LISTEN"],
                ready: "api",
            },
        ];
        services.extend((1..=config.consumers).map(|n| ServiceSpec {
            name: format!("{CONSUMER}{n}"),
            subcommand: "location-consumer",
            listen: &["CONSUMER_ADMIN_LISTEN"],
            ready: "location-consumer-admin",
        }));
        // Attendance consumers, in a group of their own, with no event's
        // floor plan to map the pings to: they fetch and decode every ping,
        // as the location consumers do, and write nothing.
        services.extend((1..=fetchers).map(|n| ServiceSpec {
            name: format!("{FETCHER}{n}"),
            subcommand: "attendance-consumer",
            listen: &["ATTENDANCE_ADMIN_LISTEN"],
            ready: "attendance-consumer-admin",
        }));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()?;
        let mut env = config.env.clone();
        env.push(("KAFKA_BOOTSTRAP_SERVERS".into(), bootstrap.into()));
        for spec in services {
            let addresses = self.start_service(config, &spec, &env, &client).await?;
            // Services started later reach this one through its real address.
            for (listener, variable) in [
                ("persons", "PERSONS_URL"),
                ("locations", "LOCATIONS_URL"),
                ("events", "EVENTS_URL"),
            ] {
                if let Some(address) = addresses.get(listener) {
                    env.push((variable.into(), format!("http://{address}")));
                }
            }
            self.addresses.extend(addresses);
        }
        Ok(())
    }

    /// Starts one service and waits until it reports its addresses and its
    /// `/readyz` answers 200; returns the addresses.
    async fn start_service(
        &mut self,
        config: &StackConfig,
        spec: &ServiceSpec,
        env: &[(String, String)],
        client: &reqwest::Client,
    ) -> anyhow::Result<BTreeMap<String, SocketAddr>> {
        let addresses_file = config.work.join(format!("{}.addresses.json", spec.name));
        // The file of the previous stack's service would name dead ports.
        missing_is_removed(std::fs::remove_file(&addresses_file), &addresses_file)?;
        let mut command = Command::new(&config.udaconnect);
        command
            .arg("--addresses-file")
            .arg(&addresses_file)
            .arg(spec.subcommand)
            .envs(env.iter().map(|(name, value)| (name, value)))
            .envs(spec.listen.iter().map(|name| (name, ANY_PORT)));
        let began = Instant::now();
        let log = config.work.join(format!("{}.log", spec.name));
        self.services
            .push(Process::spawn(&spec.name, &mut command, &log)?);
        let process = self.services.last_mut().expect("just pushed");
        let mut addresses = None;
        loop {
            if addresses.is_none() {
                addresses = read_addresses(&addresses_file)?;
            }
            if let Some(addresses) = &addresses {
                let ready = addresses.get(spec.ready).with_context(|| {
                    format!("{} did not report a {} address", spec.name, spec.ready)
                })?;
                let answer = client.get(format!("http://{ready}/readyz")).send().await;
                if answer.is_ok_and(|answer| answer.status() == reqwest::StatusCode::OK) {
                    break;
                }
            }
            if process.exited()? {
                process.show_log();
                anyhow::bail!("{} stopped during startup (log above)", spec.name);
            }
            if began.elapsed() > READY_TIMEOUT {
                process.show_log();
                anyhow::bail!(
                    "{} was not ready within {READY_TIMEOUT:?} (log above)",
                    spec.name
                );
            }
            tokio::time::sleep(READY_POLL).await;
        }
        self.started_in.insert(spec.name.clone(), began.elapsed());
        Ok(addresses.expect("ready once its addresses are known"))
    }

    /// The URL of the service listening as `listener` (`persons`, `api`…).
    pub fn url(&self, listener: &str) -> anyhow::Result<String> {
        let address = self
            .addresses
            .get(listener)
            .with_context(|| format!("no service reported a {listener} address"))?;
        Ok(format!("http://{address}"))
    }

    /// The broker and every service.
    pub fn processes(&self) -> impl Iterator<Item = &Process> {
        self.services.iter().chain([&self.broker])
    }

    /// Pauses every location consumer (SIGSTOP) until the stack stops, so
    /// that Kafka holds the pings and nothing is stored meanwhile.
    pub fn pause_consumers(&self) -> anyhow::Result<()> {
        self.services
            .iter()
            .filter(|process| process.name.starts_with(CONSUMER))
            .try_for_each(|consumer| consumer.signal("STOP"))
    }

    /// Stops the services together (paused ones are resumed first), then
    /// the broker, once the consumers have committed their offsets to it.
    pub async fn stop(self) {
        futures::future::join_all(self.services.into_iter().map(Process::stop)).await;
        self.broker.stop().await;
    }
}

/// A service's addresses file, once it has written it (atomically, so a
/// file that exists is whole).
fn read_addresses(path: &Path) -> anyhow::Result<Option<BTreeMap<String, SocketAddr>>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(serde_json::from_str(&text).with_context(|| {
            format!("{} is not a JSON object of addresses", path.display())
        })?)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Starts tansu on a free port from an empty working directory (it reads a
/// `.env` from there), as scripts/common.sh's `start_broker` does, and
/// waits until it accepts connections; returns it and its bootstrap
/// address. The port is found by binding port 0 and letting it go, so
/// another program may take it meanwhile: then another port is tried.
pub async fn start_broker(
    tansu: &Path,
    broker_storage: BrokerStorage,
    work: &Path,
) -> anyhow::Result<(Process, String)> {
    let directory = work.join("broker");
    let mut attempt = 1;
    loop {
        // Each broker starts from an empty directory (and an empty SQLite file).
        missing_is_removed(std::fs::remove_dir_all(&directory), &directory)?;
        std::fs::create_dir(&directory)?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let address = format!("127.0.0.1:{port}");
        let url = format!("tcp://{address}");
        let storage = match broker_storage {
            BrokerStorage::Memory => "memory://tansu/".to_owned(),
            BrokerStorage::Sqlite => format!("sqlite:///{}/tansu.db", directory.display()),
        };
        eprintln!(
            "==> starting the Kafka broker on {address} ({storage}; log: {}/broker.log)",
            directory.display()
        );
        let mut command = Command::new(tansu);
        command
            .current_dir(&directory)
            .args(["broker", "--listener-url", &url])
            .args(["--advertised-listener-url", &url])
            .args(["--storage-engine", &storage]);
        let mut broker = Process::spawn("broker", &mut command, &directory.join("broker.log"))?;
        let began = Instant::now();
        while began.elapsed() < BROKER_TIMEOUT && !broker.exited()? {
            if tokio::net::TcpStream::connect(&address).await.is_ok() {
                return Ok((broker, address));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if attempt == BROKER_ATTEMPTS {
            broker.show_log();
            broker.stop().await;
            anyhow::bail!(
                "the Kafka broker did not start ({BROKER_ATTEMPTS} attempts, each on another port; the last one's log is above)"
            );
        }
        broker.stop().await;
        eprintln!("==> the Kafka broker did not start on {address}; trying another port");
        attempt += 1;
    }
}

/// The outcome of removing `path`, where nothing to remove is success.
fn missing_is_removed(removal: std::io::Result<()>, path: &Path) -> anyhow::Result<()> {
    match removal {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}
