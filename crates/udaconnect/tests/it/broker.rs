//! A real Kafka-protocol broker (tansu) per test, on its own port, from an
//! empty working directory, stopped when the test ends.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use uuid::Uuid;

/// Where the broker keeps its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Lost when the broker stops (fast; most tests).
    Memory,
    /// A SQLite file that survives a restart.
    Sqlite,
}

/// A running tansu broker.
pub struct Broker {
    port: u16,
    storage: Storage,
    dir: PathBuf,
    child: Option<Child>,
}

impl Broker {
    /// Starts a broker on a free port and waits until it accepts connections.
    pub async fn start(storage: Storage) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("udc-tansu-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut broker = Self {
            port,
            storage,
            dir,
            child: None,
        };
        broker.launch().await;
        broker
    }

    /// `host:port` to bootstrap from.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    async fn launch(&mut self) {
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let storage = match self.storage {
            Storage::Memory => "memory://tansu/".to_owned(),
            // An absolute path needs a third slash after the scheme's two.
            Storage::Sqlite => format!("sqlite:///{}/tansu.db", self.dir.display()),
        };
        let log = std::fs::File::create(self.dir.join("broker.log")).unwrap();
        let child = Command::new(std::env::var("TANSU_BIN").unwrap_or_else(|_| "tansu".into()))
            .args(["broker", "--listener-url", &url])
            .args(["--advertised-listener-url", &url])
            .args(["--storage-engine", &storage])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("tansu is installed (./scripts/test installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "tansu did not start listening");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Kills the broker abruptly.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the broker again on the same port with the same storage.
    pub async fn restart(&mut self) {
        self.stop();
        self.launch().await;
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
