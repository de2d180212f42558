//! Store errors: the ones a person caused print their own message; database failures are for
//! the log, and [`StoreError::user_message`] hides them behind a generic answer.

use super::groups::GroupId;
use crate::governance::{GovernanceError, GroupKind};
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("there is no group with id {0}; `/group list` or `govbot groups list` shows the ids")]
    UnknownGroup(GroupId),
    #[error("this {0} was already processed; nothing was changed")]
    Duplicate(String),
    #[error("{kind} '{name}' already exists (id {existing}, {state}); choose another name or join that group")]
    DuplicateName {
        kind: GroupKind,
        name: String,
        existing: GroupId,
        state: String,
    },
    #[error(transparent)]
    Governance(#[from] GovernanceError),
    #[error("no database at {0}; run `govbot migrate` to create it, or pass the right path")]
    Missing(PathBuf),
    #[error("the database at {0} needs migrating; run `govbot migrate` first")]
    NotMigrated(PathBuf),
    #[error("cannot open the database at {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error(
        "govbot's database was busy for too long, so this was not recorded; nothing was \
         changed. Please try again in a moment."
    )]
    Busy,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is unreadable: {0}")]
    Corrupt(String),
    #[error("backup: {0}")]
    Backup(String),
}

impl StoreError {
    /// Whether the message is meant for the person who acted (their input, not our failure).
    pub fn is_user_facing(&self) -> bool {
        matches!(
            self,
            StoreError::UnknownGroup(_)
                | StoreError::Duplicate(_)
                | StoreError::DuplicateName { .. }
                | StoreError::Governance(_)
                | StoreError::Busy
        )
    }

    /// What to tell a person: the error itself when they caused it, a generic apology otherwise.
    pub fn user_message(&self) -> String {
        if self.is_user_facing() {
            self.to_string()
        } else {
            "govbot could not record this because of an internal error; nothing was changed. \
             Please try again, and tell a moderator if it keeps happening."
                .to_string()
        }
    }
}

impl From<sqlx::Error> for StoreError {
    /// SQLite's BUSY (5, and its extended codes such as 517) and LOCKED (6): another writer held
    /// the database past the busy timeout, and the transaction was rolled back.
    fn from(e: sqlx::Error) -> Self {
        let busy = e
            .as_database_error()
            .and_then(|d| d.code())
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6));
        if busy {
            StoreError::Busy
        } else {
            StoreError::Database(e)
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
