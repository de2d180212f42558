//! Copies of the database: `govbot backup`, the copy written beside the database before a
//! migration, and the checks `govbot restore` makes before it puts a copy in place.
//!
//! A copy is made with SQLite's `VACUUM INTO`, which reads one consistent snapshot (a read
//! transaction) while the bot goes on writing, and writes a complete, compact database file with
//! no `-wal` beside it: the file alone is the backup. Every copy is then opened read-only and
//! checked (`PRAGMA integrity_check`) before anyone is told it exists.

use super::error::StoreError;
use super::Store;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions as _, Connection as _};
use std::path::{Path, PathBuf};

/// What a checked copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub path: PathBuf,
    pub bytes: u64,
    /// The newest migration applied in it (0 for a database never migrated).
    pub schema_version: i64,
    pub groups: i64,
    pub events: i64,
}

impl std::fmt::Display for Checked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} bytes, schema version {}, {} group{}, {} audit event{}; integrity check ok",
            self.path.display(),
            self.bytes,
            self.schema_version,
            self.groups,
            if self.groups == 1 { "" } else { "s" },
            self.events,
            if self.events == 1 { "" } else { "s" },
        )
    }
}

impl Store {
    /// Writes a consistent copy of the live database to `target` (which must not exist yet) and
    /// checks it.
    pub async fn backup_to(&self, target: &Path) -> Result<Checked, StoreError> {
        if target.exists() {
            return Err(StoreError::Backup(format!(
                "{} already exists; name a new file (a backup never overwrites one)",
                target.display()
            )));
        }
        let name = target.to_str().ok_or_else(|| {
            StoreError::Backup(format!("{} is not a UTF-8 path", target.display()))
        })?;
        sqlx::query("VACUUM INTO ?")
            .bind(name)
            .execute(&self.pool)
            .await?;
        check(target).await
    }

    /// The backup written beside the database before migrating it: `govbot.db` becomes
    /// `govbot.db.before-0008-20261130T120000Z.bak` (the first migration to apply, and when).
    pub(super) async fn backup_before_migration(
        &self,
        first_pending: i64,
    ) -> Result<Checked, StoreError> {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let file = self
            .path
            .file_name()
            .map_or_else(|| "govbot.db".into(), |n| n.to_string_lossy().into_owned());
        let mut target = self
            .path
            .with_file_name(format!("{file}.before-{first_pending:04}-{stamp}.bak"));
        // Two attempts within a second (a migration that failed, run again at once) keep both.
        let mut n = 1;
        while target.exists() {
            n += 1;
            target = self
                .path
                .with_file_name(format!("{file}.before-{first_pending:04}-{stamp}-{n}.bak"));
        }
        self.backup_to(&target).await
    }
}

/// Opens the database file at `path` read-only (nothing is written to it, not even a `-wal`) and
/// checks it: SQLite's integrity check must say "ok"; then reads what it holds.
pub async fn check(path: &Path) -> Result<Checked, StoreError> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| StoreError::Backup(format!("cannot read {}: {e}", path.display())))?
        .len();
    // Immutable: nothing is written beside the copy (no `-shm`, no `-wal`), and nothing else may
    // write it meanwhile (it is a copy nobody uses yet).
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true)
        .connect()
        .await
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let result = async {
        let verdict: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await?;
        if verdict != ["ok"] {
            return Err(StoreError::Backup(format!(
                "{} failed SQLite's integrity check: {}",
                path.display(),
                verdict.join("; ")
            )));
        }
        let table = |name: &'static str| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            )
            .bind(name)
        };
        let migrated = table("_sqlx_migrations").fetch_one(&mut conn).await? > 0;
        let schema_version = if migrated {
            sqlx::query_scalar(
                "SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1",
            )
            .fetch_one(&mut conn)
            .await?
        } else {
            0
        };
        let (groups, events) = if table("groups").fetch_one(&mut conn).await? > 0 {
            (
                sqlx::query_scalar("SELECT COUNT(*) FROM groups")
                    .fetch_one(&mut conn)
                    .await?,
                sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
                    .fetch_one(&mut conn)
                    .await?,
            )
        } else {
            (0, 0)
        };
        Ok(Checked {
            path: path.to_path_buf(),
            bytes,
            schema_version,
            groups,
            events,
        })
    }
    .await;
    let _ = conn.close().await;
    result
}

/// Copies the database at `database` (not necessarily migrated) to `target` and checks the copy.
pub async fn copy_database(database: &Path, target: &Path) -> Result<Checked, StoreError> {
    let store = Store::connect(database, false).await?;
    let result = store.backup_to(target).await;
    store.close().await;
    result
}

/// Puts the database file `copy` in place of `database`: written beside it under a temporary name,
/// synced, then renamed over it, with the old database's `-wal` and `-shm` removed first (they
/// belong to the database being replaced, and SQLite would apply that `-wal` to the copy).
pub fn put_in_place(copy: &Path, database: &Path) -> std::io::Result<()> {
    let mut partial = database.as_os_str().to_os_string();
    partial.push(".restoring");
    let partial = PathBuf::from(partial);
    std::fs::copy(copy, &partial)?;
    std::fs::File::open(&partial)?.sync_all()?;
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = database.as_os_str().to_os_string();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    std::fs::rename(&partial, database)?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename is durable once the directory is.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    Ok(())
}

/// The newest migration this build of govbot knows.
pub fn latest_schema_version() -> i64 {
    super::MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0)
}
