//! The outbox's retry state: events whose effects on Discord have not been shown yet, kept aside
//! until they are (see `migrations/0006_outbox_retries.sql`).
//!
//! Only the oldest waiting event of a group (its head) is ever tried: a group's later events wait
//! behind it, so they never overtake it, while other groups' events flow past. Retry instants are
//! wall-clock milliseconds: they measure how long Discord has been failing, not governance time.

use super::error::StoreError;
use super::groups::GroupId;
use super::Store;
use sqlx::Row;

/// An event waiting for its effects to be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub event_id: i64,
    pub group_id: GroupId,
    /// Failed attempts so far; 0 while it waits behind an earlier event of its group.
    pub attempts: u32,
    /// Wall-clock milliseconds of the next attempt.
    pub next_at: i64,
    pub last_error: Option<String>,
    /// What a person must fix, when the last error said so.
    pub needs_person: Option<String>,
    /// Whether the moderators were told about `needs_person`.
    pub reported: bool,
    /// The event's kind, for operators.
    pub kind: String,
}

/// A failed attempt at an event's effects.
pub struct FailedAttempt<'a> {
    pub attempts: u32,
    pub next_at: i64,
    pub error: &'a str,
    pub needs_person: Option<&'a str>,
}

const COLUMNS: &str = "p.event_id, p.group_id, p.attempts, p.next_at, p.last_error,
    p.needs_person, p.reported, a.kind";

/// Heads only: no earlier event of the same group is waiting.
const HEAD: &str = "NOT EXISTS (SELECT 1 FROM outbox_pending q
    WHERE q.group_id = p.group_id AND q.event_id < p.event_id)";

fn pending(r: &sqlx::sqlite::SqliteRow) -> Pending {
    Pending {
        event_id: r.get(0),
        group_id: GroupId(r.get(1)),
        attempts: r.get::<i64, _>(2).try_into().unwrap_or(u32::MAX),
        next_at: r.get(3),
        last_error: r.get(4),
        needs_person: r.get(5),
        reported: r.get(6),
        kind: r.get(7),
    }
}

impl Store {
    /// Whether `group` has an event waiting, which its later events must wait behind.
    pub async fn outbox_waiting(&self, group: GroupId) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM outbox_pending WHERE group_id = ? LIMIT 1")
                .bind(group.0)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Puts `event` aside behind its group's earlier waiting events, untried. Doing it again
    /// (a repeat after a crash) changes nothing.
    pub async fn outbox_wait_behind(&self, event: i64, group: GroupId) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outbox_pending (event_id, group_id) VALUES (?, ?)
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(event)
        .bind(group.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed attempt at `event`'s effects and when to try again; `first` sets it
    /// aside, otherwise only an event still waiting is updated (one an operator dropped meanwhile
    /// stays dropped). A new problem for a person is reported again; the same one is not.
    pub async fn outbox_failed(
        &self,
        event: i64,
        group: GroupId,
        failure: &FailedAttempt<'_>,
        first: bool,
    ) -> Result<(), StoreError> {
        if !first {
            sqlx::query(
                "UPDATE outbox_pending SET attempts = ?2, next_at = ?3, last_error = ?4,
                     reported = reported AND needs_person IS ?5, needs_person = ?5
                 WHERE event_id = ?1",
            )
            .bind(event)
            .bind(failure.attempts)
            .bind(failure.next_at)
            .bind(failure.error)
            .bind(failure.needs_person)
            .execute(&self.pool)
            .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO outbox_pending
                 (event_id, group_id, attempts, next_at, last_error, needs_person)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (event_id) DO UPDATE SET attempts = excluded.attempts,
                 next_at = excluded.next_at, last_error = excluded.last_error,
                 reported = reported AND needs_person IS excluded.needs_person,
                 needs_person = excluded.needs_person",
        )
        .bind(event)
        .bind(group.0)
        .bind(failure.attempts)
        .bind(failure.next_at)
        .bind(failure.error)
        .bind(failure.needs_person)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The moderators were told what to fix for `event`.
    pub async fn outbox_reported(&self, event: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox_pending SET reported = 1 WHERE event_id = ?")
            .bind(event)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `event`'s effects are shown: the next event of its group becomes its head.
    pub async fn outbox_done(&self, event: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM outbox_pending WHERE event_id = ?")
            .bind(event)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Groups' head events due at `now_ms`, oldest first.
    pub async fn outbox_due(&self, now_ms: i64, limit: u32) -> Result<Vec<Pending>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox_pending p JOIN audit_log a ON a.id = p.event_id
             WHERE p.next_at <= ? AND {HEAD} ORDER BY p.event_id LIMIT ?"
        ))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(pending).collect())
    }

    /// When the next head event is due, if any waits.
    pub async fn outbox_next_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(&format!(
            "SELECT MIN(p.next_at) FROM outbox_pending p WHERE {HEAD}"
        ))
        .fetch_one(&self.pool)
        .await?)
    }

    /// Every waiting event, oldest first, for `govbot outbox list`.
    pub async fn outbox_pending(&self) -> Result<Vec<Pending>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox_pending p JOIN audit_log a ON a.id = p.event_id
             ORDER BY p.event_id"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(pending).collect())
    }

    /// One waiting event.
    pub async fn outbox_get(&self, event: i64) -> Result<Option<Pending>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox_pending p JOIN audit_log a ON a.id = p.event_id
             WHERE p.event_id = ?"
        ))
        .bind(event)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(pending))
    }

    /// Makes a waiting event due at once (`govbot outbox retry`); `false` if none waits.
    pub async fn outbox_retry_now(&self, event: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE outbox_pending SET next_at = 0 WHERE event_id = ?")
            .bind(event)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
