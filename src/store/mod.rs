//! The store: groups' current state and their append-only audit log in SQLite.
//!
//! Each governance decision is one `BEGIN IMMEDIATE` transaction that checks the trigger was not
//! already processed, reads the group, asks the core to decide, appends the events and writes the
//! new state, then commits: a crash leaves either all of it or none of it. The audit log refuses
//! UPDATE and DELETE in the database itself (see `migrations/0001_init.sql`).

mod activity;
mod adapter;
mod audit;
mod error;
mod github;
mod groups;
mod members;
mod outbox;
mod public;
mod schedule;
mod triggers;

pub use activity::{week_start, ActivitySummary, WeekActivity};
pub use adapter::{Draft, ProposalSource, TemplateMessage};
pub use audit::StoredEvent;
pub use error::StoreError;
pub use github::{SyncOutcome, SyncRow};
pub use groups::{name_key, Executed, GroupFilter, GroupId, StoredGroup, Target};
pub use outbox::{FailedAttempt, Pending};
pub use public::{page_query, ListOrder, PublishedEvent};
pub use schedule::LoggedEvent;
pub use triggers::Trigger;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another to finish before giving up; governance writes are short.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// Bumped after every committed decision, so the scheduler and the outbox wake at once
    /// instead of polling.
    changed: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
}

impl Store {
    /// Opens the database at `path`, creating it if needed, and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::open_migrated(path).await?.0)
    }

    /// Like [`Store::open`], also saying how many migrations were applied now.
    pub async fn open_migrated(path: &Path) -> Result<(Store, usize), StoreError> {
        let store = Store::connect(path, true).await?;
        let applied = store.migrate().await?;
        Ok((store, applied))
    }

    /// Opens an existing database without creating or migrating it, for read-only inspection:
    /// a mistyped path must be an error, not a new empty database.
    pub async fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let store = Store::connect(path, false).await?;
        if store.pending_migrations().await? > 0 {
            return Err(StoreError::NotMigrated(path.to_path_buf()));
        }
        Ok(store)
    }

    /// Opens an existing, migrated database through read-only connections: what the public site
    /// reads from, so that nothing it does can write, and its reads never hold a connection the
    /// bot's writes need (it has its own pool). WAL lets it read while the bot writes.
    pub async fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(BUSY_TIMEOUT);
        let store = Store::with_options(path, options).await?;
        if store.pending_migrations().await? > 0 {
            return Err(StoreError::NotMigrated(path.to_path_buf()));
        }
        Ok(store)
    }

    async fn connect(path: &Path, create: bool) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        Store::with_options(path, options).await
    }

    async fn with_options(path: &Path, options: SqliteConnectOptions) -> Result<Store, StoreError> {
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                source: e,
            })?;
        Ok(Store {
            pool,
            changed: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
        })
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let pending = self.pending_migrations().await?;
        MIGRATOR.run(&self.pool).await?;
        Ok(pending)
    }

    async fn pending_migrations(&self) -> Result<usize, StoreError> {
        let table: Option<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&self.pool)
        .await?;
        let applied: Vec<i64> = if table.is_some() {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
                .fetch_all(&self.pool)
                .await?
        } else {
            Vec::new()
        };
        Ok(MIGRATOR
            .iter()
            .filter(|m| !applied.contains(&m.version))
            .count())
    }

    /// The pool, for tests and tools that inspect the database directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A receiver woken after each decision this handle commits.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

pub(crate) fn millis(t: crate::governance::Timestamp) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Result<crate::governance::Timestamp, StoreError> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} is out of range")))
}
