//! One bot per database: a running bot holds an exclusive OS file lock on `<database>.lock`
//! (`govbot.db.lock` beside `govbot.db`) for as long as it runs.
//!
//! Two bots on one database would both answer every command and both carry out every deadline;
//! SQLite keeps each transaction whole but not the bots from doing everything twice on Discord. The
//! lock is `flock(2)` on a file of its own (SQLite's own locks on the database file are `fcntl`
//! locks, which it takes and drops all the time): the kernel releases it when the process ends,
//! however it ends, so a crash or a SIGKILL never leaves a stale lock behind, and a lock file left
//! on disk means nothing by itself. The file holds the pid of the holder, for the message a second
//! bot prints. `govbot restore` takes the same lock, so it cannot replace a database under a bot.

use anyhow::{anyhow, Context as _, Result};
use std::fs::{File, OpenOptions};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};

/// The lock, held until dropped.
#[derive(Debug)]
pub struct InstanceLock {
    // Never read: holding the open file is holding the lock.
    _file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// The lock file of the database at `database`.
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database
            .file_name()
            .map_or_else(|| "govbot.db".into(), std::ffi::OsStr::to_os_string);
        name.push(".lock");
        database.with_file_name(name)
    }

    /// Takes the lock of the database at `database` for `what` ("govbot run", "govbot restore"),
    /// or fails at once, without waiting, when another process holds it.
    pub fn acquire(database: &Path, what: &str) -> Result<InstanceLock> {
        let path = Self::path_for(database);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    "another govbot".to_owned()
                } else {
                    format!("another govbot ({holder})")
                };
                return Err(anyhow!(
                    "{who} holds the database {} (its lock {} is taken); one bot per database: \
                     stop the other instance first (`systemctl stop govbot`, or find it with \
                     `fuser {}`)",
                    database.display(),
                    path.display(),
                    path.display()
                ));
            }
            Err(fs4::TryLockError::Error(e)) => {
                return Err(anyhow!("cannot lock {}: {e}", path.display()));
            }
        }
        // Ours now: say who holds it, for the next one to read.
        let note = format!("pid {}, {what}\n", std::process::id());
        let written = file
            .set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(note.as_bytes()));
        if let Err(e) = written {
            tracing::warn!("cannot write the holder into {}: {e}", path.display());
        }
        Ok(InstanceLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::InstanceLock;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("govbot.db");
        let first = InstanceLock::acquire(&db, "govbot run").unwrap();
        assert_eq!(first.path(), dir.path().join("govbot.db.lock"));
        let err = InstanceLock::acquire(&db, "govbot run")
            .unwrap_err()
            .to_string();
        assert!(err.contains("another govbot (pid "), "{err}");
        assert!(err.contains("holds the database"), "{err}");
        drop(first);
        InstanceLock::acquire(&db, "govbot restore").unwrap();
    }
}
