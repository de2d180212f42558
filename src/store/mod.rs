//! The store: groups' current state and their append-only audit log in SQLite.
//!
//! Each governance decision is one `BEGIN IMMEDIATE` transaction that checks the trigger was not
//! already processed, reads the group, asks the core to decide, appends the events and writes the
//! new state, then commits: a crash leaves either all of it or none of it. The audit log refuses
//! UPDATE and DELETE in the database itself (see `migrations/0001_init.sql`), accepts only
//! appends in order, and is a hash chain that [`Store::verify`] checks against every group's
//! stored state (`migrations/0008_audit_chain.sql`, `docs/audit.md`).

mod activity;
mod adapter;
mod audit;
pub mod chain;
mod error;
mod github;
mod groups;
mod heads;
mod members;
mod outbox;
mod schedule;
mod triggers;
mod verify;

pub use activity::{week_start, ActivitySummary, WeekActivity};
pub use adapter::{Draft, ProposalSource, TemplateMessage};
pub use audit::{append_history, StoredEvent};
pub use error::StoreError;
pub use github::{SyncOutcome, SyncRow};
pub use groups::{name_key, Executed, GroupFilter, GroupId, StoredGroup, Target};
pub use heads::{Acceptance, PendingHead};
pub use outbox::{FailedAttempt, Pending};
pub use schedule::LoggedEvent;
pub use triggers::Trigger;
pub use verify::{AuditHead, Divergence, Verification};

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

    async fn connect(path: &Path, create: bool) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
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

    /// Applies pending migrations, then seals into the audit log's hash chain any event written
    /// before it existed (`migrations/0008_audit_chain.sql`); returns how many migrations were
    /// applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let pending = self.pending_migrations().await?;
        MIGRATOR.run(&self.pool).await?;
        // Only a database with events not sealed yet takes the write lock for sealing.
        let unsealed: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM audit_log WHERE hash IS NULL)")
                .fetch_one(&self.pool)
                .await?;
        if unsealed {
            let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            let sealed = chain::seal(&mut tx).await?;
            tx.commit().await?;
            tracing::info!(
                sealed,
                "audit events written before the hash chain were sealed into it"
            );
        }
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
