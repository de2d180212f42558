//! The store: groups' current state and their append-only audit log in SQLite.
//!
//! Each governance decision is one `BEGIN IMMEDIATE` transaction that checks the trigger was not
//! already processed, reads the group, asks the core to decide, appends the events and writes the
//! new state, then commits: a crash leaves either all of it or none of it. The audit log refuses
//! UPDATE and DELETE in the database itself (see `migrations/0001_init.sql`), accepts only
//! appends in order, and is a hash chain that [`Store::verify`] checks against every group's
//! stored state, its votes and its ballots (`migrations/0008_audit_chain.sql`, `docs/audit.md`).
//!
//! **What a decision costs.** A vote's ballots are rows beside the group (`ballots`, and a count
//! per vote in `votes`, see `ballots.rs`), not part of its state: a ballot appends
//! its event, its row and its count and moves the group's version, without rewriting the state,
//! so it costs the same whatever the size of the vote. The decision reads only the ballots its
//! command needs ([`crate::governance::Command::ballots_read`]). Similar names come from an index
//! of name words (`group_name_words`), a message finds its group by an indexed `channel_id`
//! column, and every list the workers read is an index range. One commit, one fsync (WAL with
//! `synchronous = FULL`); writes whose loss is only a harmless repeat go through
//! `Store::relaxed_write` and ride on the next commit's fsync.
//!
//! **Portability.** The SQL is kept portable where that costs nothing, so a PostgreSQL backend
//! can follow. What remains SQLite's own, as the map for that backend:
//! - `BEGIN IMMEDIATE` (the write lock taken up front; PostgreSQL: `BEGIN` with `SELECT ... FOR
//!   UPDATE` on the group, or `SERIALIZABLE`), and the new group id as `MAX(id) + 1` under that
//!   lock (a sequence).
//! - Connection settings: WAL, `synchronous` (`FULL` for decisions; `NORMAL` on the relaxed
//!   connection, which is `SET synchronous_commit = off` in PostgreSQL), `foreign_keys`,
//!   `busy_timeout`; and `Store::pending_migrations`'s look into `sqlite_master`.
//! - In the migrations: `INTEGER PRIMARY KEY` row ids and `AUTOINCREMENT` (identity columns),
//!   `WITHOUT ROWID` tables (plain tables), the audit log's triggers with `RAISE(ABORT, ...)`
//!   (trigger functions), and the one-off data moves of 0004 and 0009 with `json_extract` and
//!   `json_remove`.
//! - The two-argument scalar `MAX(a, b)` in `activity` (`GREATEST`); the null-safe `IS ?` in
//!   `outbox` (`IS NOT DISTINCT FROM`); `UPDATE OR IGNORE` in `github` (an `ON CONFLICT` or a
//!   check first); booleans kept as integers and combined with `AND` in `outbox` (`boolean`).
//! - The range `key >= 'reaction:M:' AND key < 'reaction:M;'` over `processed_triggers` in
//!   `triggers` relies on byte order (`COLLATE "C"` in PostgreSQL).
//! - Lists bound as one JSON array and read with `json_each` in `public` and in `groups`'
//!   `GROUPS_NAMED_LIKE` (an array parameter with `= ANY($1)`, or `jsonb_array_elements_text`).
//! - `sqlite_sequence` read by `verify` for the audit log's last id ever given (the identity
//!   sequence's last value); the audit chain's genesis made with `randomblob` and its checks with
//!   `GLOB` in `0008` (`gen_random_bytes`, a regular expression).
//! - `backup`'s `VACUUM INTO` and `PRAGMA integrity_check`, and `close`'s
//!   `PRAGMA wal_checkpoint` (`pg_dump` or a base backup; nothing to checkpoint).
//! - `?` and `?N` placeholders are sqlx's SQLite driver's (`$N` in PostgreSQL).

mod activity;
mod adapter;
mod audit;
pub mod backup;
mod ballots;
pub mod chain;
mod error;
mod figures;
mod github;
mod groups;
mod heads;
mod members;
mod outbox;
mod public;
mod schedule;
mod triggers;
mod verify;

pub use activity::{week_start, ActivitySummary, WeekActivity};
pub use adapter::{Draft, ProposalSource, TemplateMessage};
pub use audit::{append_history, GroupRecord, StoredEvent};
pub use backup::Checked;
pub use ballots::{BallotRecord, VoteRecord};
pub use error::StoreError;
pub use figures::{Figures, OldestEffect};
pub use github::{SyncOutcome, SyncRow};
pub use groups::{
    name_words, Executed, GroupChoice, GroupFilter, GroupId, NameMatch, StoredGroup, Target,
    GROUPS_NAMED_LIKE, NAME_KEY_VERSION, NAME_WORDS_VERSION,
};
pub use heads::{Acceptance, PendingHead};
pub use outbox::{FailedAttempt, Pending};
pub use public::{page_query, ListOrder, PublishedEvent};
pub use schedule::LoggedEvent;
pub use triggers::Trigger;
pub use verify::{AuditHead, Divergence, Verification};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a writer waits for another to finish before giving up; governance writes are short.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// The same for the relaxed connection's writes, which hold this process's write turn while they
/// wait: each can be dropped and done again later, so none keeps the decisions queued behind it
/// waiting long on another process's lock.
const RELAXED_BUSY_TIMEOUT: Duration = Duration::from_secs(1);

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// One connection with `synchronous = NORMAL`, for writes whose loss in a crash costs only a
    /// repeat that changes nothing (see `Store::relaxed_write`).
    relaxed: SqlitePool,
    /// The states parsed last, by group and version.
    states: std::sync::Arc<groups::StateCache>,
    /// Taken by each decision's write transaction before it asks SQLite for the write lock:
    /// decisions queue here in order, holding no connection, instead of polling SQLite's busy
    /// handler while holding one (see `Store::writing`).
    writes: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// The database file, for the backup written beside it before a migration.
    path: Arc<PathBuf>,
    /// Bumped after every committed decision, so the scheduler and the outbox wake at once
    /// instead of polling.
    changed: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
}

impl Store {
    /// Opens the database at `path`, creating it if needed, and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store::open_migrated(path).await?.0)
    }

    /// Like [`Store::open`], also saying how many migrations were applied now and where the
    /// database was copied before (see [`Store::migrate`]).
    pub async fn open_migrated(path: &Path) -> Result<(Store, Migrated), StoreError> {
        let store = Store::connect(path, true).await?;
        let migrated = store.migrate().await?;
        store.index_names_if_stale().await?;
        Ok((store, migrated))
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
            .connect_with(options.clone())
            .await
            .map_err(|e| StoreError::Open {
                path: path.to_path_buf(),
                source: e,
            })?;
        // Connected when first used, after the migrations.
        let relaxed = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(
                options
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(RELAXED_BUSY_TIMEOUT),
            );
        Ok(Store {
            pool,
            relaxed,
            states: Default::default(),
            writes: Default::default(),
            path: Arc::new(path.to_path_buf()),
            changed: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
        })
    }

    /// This process's turn to write. SQLite lets one writer in at a time and makes the others
    /// retry after growing sleeps, each holding a pooled connection meanwhile; under a burst of
    /// ballots that starves reads of connections and lets an unlucky writer wait for seconds.
    /// Taken before a write transaction begins, the turn is first come, first served, and a
    /// waiting writer holds nothing. (Another process writing still meets the busy timeout.)
    /// Decisions and the relaxed writes ([`Store::relaxed_write`]) take it. A relaxed write left
    /// to SQLite's busy handler instead loses to a burst of ballots again and again (the handler
    /// sleeps up to 100 ms between tries while the ballots hand the lock on), and the tally edit
    /// waiting for it fell seconds behind. The outbox's durable cursor move does not take it: one
    /// stalled on another process's lock for the whole busy timeout would make a ballot queued
    /// behind it wait a second busy timeout before its own "not recorded, try again".
    pub(crate) async fn writing(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.writes.lock().await
    }

    /// The connection for writes that need not be durable on their own, with this process's
    /// write turn: a commit in WAL mode with `synchronous = NORMAL` is appended to the log
    /// without an fsync, and becomes durable with the next fsync of the log (any governance
    /// decision's commit). Only for writes whose loss in a crash is a repeat that changes
    /// nothing: the outbox's cursor after ballots (replaying them only marks a tally to refresh),
    /// the version a vote message shows, a display name. Its busy timeout is short
    /// ([`RELAXED_BUSY_TIMEOUT`]), since it holds the turn while it waits.
    pub(crate) async fn relaxed_write(&self) -> (tokio::sync::MutexGuard<'_, ()>, &SqlitePool) {
        (self.writing().await, &self.relaxed)
    }

    /// Applies pending migrations. A database that already holds a schema is first copied beside
    /// itself (and the copy checked), so an upgrade that goes wrong can be undone with
    /// `govbot restore`; a new database, or one already up to date, is not copied. Then any
    /// event written before the audit log's hash chain existed is sealed into it
    /// (`migrations/0008_audit_chain.sql`).
    pub async fn migrate(&self) -> Result<Migrated, StoreError> {
        let applied = self.applied_versions().await?;
        let pending: Vec<i64> = MIGRATOR
            .iter()
            .map(|m| m.version)
            .filter(|v| !applied.contains(v))
            .collect();
        let mut backup = None;
        if let (Some(first), false) = (pending.iter().min(), applied.is_empty()) {
            let copy = self.backup_before_migration(*first).await?;
            tracing::info!(
                backup = %copy.path.display(),
                pending = pending.len(),
                "the database was copied before migrating it"
            );
            backup = Some(copy.path);
        }
        MIGRATOR.run(&self.pool).await?;
        self.rekey_names().await?;
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
        Ok(Migrated {
            applied: pending.len(),
            backup,
        })
    }

    async fn applied_versions(&self) -> Result<Vec<i64>, StoreError> {
        let table: Option<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
        )
        .fetch_optional(&self.pool)
        .await?;
        if table.is_none() {
            return Ok(Vec::new());
        }
        Ok(
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn pending_migrations(&self) -> Result<usize, StoreError> {
        let applied = self.applied_versions().await?;
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

    /// Closes every connection after folding the write-ahead log into the database file, so the
    /// file alone holds everything (a copy of `govbot.db` without its `-wal` is complete). Every
    /// command that opens the database calls this before it exits.
    pub async fn close(&self) {
        self.relaxed.close().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!("checkpointing the database before closing it failed: {e}");
        }
        self.pool.close().await;
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What [`Store::migrate`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migrated {
    /// Migrations applied now.
    pub applied: usize,
    /// The checked copy written beside the database before they were applied.
    pub backup: Option<PathBuf>,
}

pub(crate) fn millis(t: crate::governance::Timestamp) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> Result<crate::governance::Timestamp, StoreError> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} is out of range")))
}
