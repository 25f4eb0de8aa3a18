/// Why a storage operation failed. Callers decide whether to retry; the
/// message is for logs, never for clients.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database could not be reached or did not answer in time.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// The database answered with an error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// Applying the schema failed.
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored row violates an invariant the schema cannot express.
    #[error("corrupt row in {table} ({row}): {reason}")]
    CorruptRow {
        /// The table holding the row.
        table: &'static str,
        /// Which row, e.g. `id 42`.
        row: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A streamed read's reader took nothing for this long, so the read
    /// was stopped to give its connection back.
    #[error("the reader took nothing for {stall_limit:?}; the read was stopped")]
    ReaderStalled {
        /// How long the read waited.
        stall_limit: std::time::Duration,
    },
}

impl StorageError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(error),
            other => Self::Database(other),
        }
    }
}
