//! What the scheduler and the outbox read: groups with something due, and the audit log in order.
//!
//! Due groups come from the `groups_by_due` index on `next_due_at`, which every decision keeps
//! current, so finding the due votes among many groups is an index range, not a scan.

use super::error::StoreError;
use super::groups::GroupId;
use super::{from_millis, millis, Store};
use crate::governance::{Event, GroupState, Timestamp};
use sqlx::Row;

/// One row of the audit log, with its position in the whole log.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub id: i64,
    pub group_id: GroupId,
    pub seq: i64,
    pub event: Event,
}

impl Store {
    /// Groups with something due at or before `now`, the most overdue first.
    pub async fn due_groups(&self, now: Timestamp, limit: u32) -> Result<Vec<GroupId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM groups WHERE next_due_at IS NOT NULL AND next_due_at <= ?
             ORDER BY next_due_at LIMIT ?",
        )
        .bind(millis(now))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(GroupId).collect())
    }

    /// The earliest instant at which anything is due, for the scheduler's sleep.
    pub async fn next_due_at(&self) -> Result<Option<Timestamp>, StoreError> {
        let ms: Option<i64> = sqlx::query_scalar(
            "SELECT next_due_at FROM groups WHERE next_due_at IS NOT NULL
             ORDER BY next_due_at LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        ms.map(from_millis).transpose()
    }

    /// Events after position `after` in the whole audit log, oldest first.
    pub async fn events_after(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<LoggedEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, group_id, seq, event_json FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LoggedEvent {
                    id: r.get("id"),
                    group_id: GroupId(r.get("group_id")),
                    seq: r.get("seq"),
                    event: serde_json::from_str(r.get("event_json"))?,
                })
            })
            .collect()
    }

    /// The last event `consumer` has handled.
    pub async fn outbox_cursor(&self, consumer: &str) -> Result<i64, StoreError> {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT last_event FROM outbox_cursor WHERE consumer = ?")
                .bind(consumer)
                .fetch_optional(&self.pool)
                .await?;
        Ok(at.unwrap_or(0))
    }

    /// Moves `consumer`'s cursor to `event` (never back), durably: a crash after it does not
    /// repeat what was shown.
    pub async fn set_outbox_cursor(&self, consumer: &str, event: i64) -> Result<(), StoreError> {
        set_cursor(&self.pool, consumer, event).await
    }

    /// Moves `consumer`'s cursor to `event` (never back) without waiting for the disk: for events
    /// whose effects are idempotent (ballots only mark a tally to refresh), where losing the move
    /// in a crash repeats them harmlessly. It becomes durable with the next governance commit.
    pub async fn set_outbox_cursor_relaxed(
        &self,
        consumer: &str,
        event: i64,
    ) -> Result<(), StoreError> {
        let (_turn, relaxed) = self.relaxed_write().await;
        set_cursor(relaxed, consumer, event).await
    }

    /// Open votes whose message shows an older version of the group than the current one (or a
    /// version not known): the messages to refresh after a restart.
    pub async fn stale_vote_messages(&self) -> Result<Vec<GroupId>, StoreError> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT g.id FROM groups g
             JOIN votes v ON v.group_id = g.id
                 AND v.id = (SELECT MAX(w.id) FROM votes w WHERE w.group_id = g.id)
             JOIN group_messages m ON m.group_id = g.id
                 AND m.purpose = 'vote:' || CAST(v.opened_at AS TEXT)
             WHERE g.state IN (?, ?) AND (m.shown_version IS NULL OR m.shown_version <> g.version)
             ORDER BY g.id",
        )
        .bind(GroupState::VOTING[0].code())
        .bind(GroupState::VOTING[1].code())
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(GroupId).collect())
    }

    /// Remembers that the message `group` posted for `purpose` shows the group at `version`.
    /// Not durable on its own: losing it costs one more edit after a crash.
    pub async fn set_shown_version(
        &self,
        group: GroupId,
        purpose: &str,
        version: i64,
    ) -> Result<(), StoreError> {
        let (_turn, relaxed) = self.relaxed_write().await;
        sqlx::query(
            "UPDATE group_messages SET shown_version = ? WHERE group_id = ? AND purpose = ?",
        )
        .bind(version)
        .bind(group.0)
        .bind(purpose)
        .execute(relaxed)
        .await?;
        Ok(())
    }
}

async fn set_cursor(pool: &sqlx::SqlitePool, consumer: &str, event: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox_cursor (consumer, last_event) VALUES (?1, ?2)
         ON CONFLICT (consumer) DO UPDATE SET last_event = excluded.last_event
         WHERE excluded.last_event > outbox_cursor.last_event",
    )
    .bind(consumer)
    .bind(event)
    .execute(pool)
    .await?;
    Ok(())
}
