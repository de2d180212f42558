//! The GitHub sync's memory of each tracked item (see migration 0007): not governance, so it is
//! not in the audit log; losing it only costs GitHub requests.

use super::error::StoreError;
use super::{from_millis, millis, Store};
use crate::governance::{ItemRef, Timestamp};
use sqlx::Row;
use std::collections::HashMap;

/// What the sync remembers about one item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncRow {
    pub etag: Option<String>,
    pub last_attempt_at: Option<Timestamp>,
    pub last_read_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// How one attempt to read an item ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// Read; `etag` replaces the stored one when GitHub sent one.
    Read {
        etag: Option<String>,
    },
    Failed {
        error: String,
    },
}

fn key(item: &ItemRef) -> String {
    serde_json::to_string(item).expect("an item reference serialises")
}

impl Store {
    /// Every item's sync row, by item.
    pub async fn github_sync_rows(&self) -> Result<HashMap<ItemRef, SyncRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT item, etag, last_attempt_at, last_read_at, last_error FROM github_sync",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for r in rows {
            let Ok(item) = serde_json::from_str::<ItemRef>(r.get("item")) else {
                continue;
            };
            let time = |name: &str| -> Result<Option<Timestamp>, StoreError> {
                r.get::<Option<i64>, _>(name).map(from_millis).transpose()
            };
            out.insert(
                item,
                SyncRow {
                    etag: r.get("etag"),
                    last_attempt_at: time("last_attempt_at")?,
                    last_read_at: time("last_read_at")?,
                    last_error: r.get("last_error"),
                },
            );
        }
        Ok(out)
    }

    /// Records an attempt to read `item` at `now`.
    pub async fn github_sync_note(
        &self,
        item: &ItemRef,
        outcome: &SyncOutcome,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let at = millis(now);
        match outcome {
            SyncOutcome::Read { etag } => {
                sqlx::query(
                    "INSERT INTO github_sync (item, etag, last_attempt_at, last_read_at, last_error)
                     VALUES (?1, ?2, ?3, ?3, NULL)
                     ON CONFLICT (item) DO UPDATE SET
                        etag = COALESCE(excluded.etag, github_sync.etag),
                        last_attempt_at = excluded.last_attempt_at,
                        last_read_at = excluded.last_read_at,
                        last_error = NULL",
                )
                .bind(key(item))
                .bind(etag)
                .bind(at)
                .execute(&self.pool)
                .await?;
            }
            SyncOutcome::Failed { error } => {
                sqlx::query(
                    "INSERT INTO github_sync (item, last_attempt_at, last_error) VALUES (?1, ?2, ?3)
                     ON CONFLICT (item) DO UPDATE SET
                        last_attempt_at = excluded.last_attempt_at,
                        last_error = excluded.last_error",
                )
                .bind(key(item))
                .bind(at)
                .bind(error)
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }

    /// The item moved on GitHub: its row follows it (an existing row for `to` is kept).
    pub async fn github_sync_moved(&self, from: &ItemRef, to: &ItemRef) -> Result<(), StoreError> {
        sqlx::query("UPDATE OR IGNORE github_sync SET item = ? WHERE item = ?")
            .bind(key(to))
            .bind(key(from))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
