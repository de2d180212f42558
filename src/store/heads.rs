//! The audit log's heads as posted in #community-moderators once per period, and the starts that
//! accepted a broken log (`migrations/0008_audit_chain.sql`).
//!
//! A head is recorded first (by the scheduler, when a period starts) and shown after (by the
//! outbox), like everything govbot shows: a crash between the two posts the recorded head, never a
//! second one, and the message's nonce keeps a repeated post from appearing twice.

use super::error::StoreError;
use super::verify::Verification;
use super::{from_millis, millis, Store};
use crate::governance::Timestamp;
use sqlx::Row;

/// A recorded head not shown yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingHead {
    /// The period's start (governance milliseconds): what the head is for, and its key.
    pub period_start: i64,
    pub recorded_at: Timestamp,
    pub events: i64,
    pub head: String,
    /// What verification found wrong when it was recorded.
    pub problem: Option<String>,
    pub attempts: u32,
}

/// One start of `govbot run --accept-broken-audit` on a log that did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    /// Wall-clock milliseconds.
    pub accepted_at: i64,
    pub events: i64,
    pub head: String,
    pub problem: String,
}

impl Store {
    /// The start of the last period whose head was recorded.
    pub async fn last_audit_head_period(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MAX(period_start) FROM audit_heads")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Records the head `v` found as the one to post for the period starting at `period_start`,
    /// unless that period already has one; says whether it recorded it.
    pub async fn record_audit_head(
        &self,
        period_start: i64,
        now: Timestamp,
        v: &Verification,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO audit_heads (period_start, recorded_at, events, head, problem)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (period_start) DO NOTHING",
        )
        .bind(period_start)
        .bind(millis(now))
        .bind(v.head.events)
        .bind(&v.head.hash)
        .bind(v.problem.as_ref().map(ToString::to_string))
        .execute(&self.pool)
        .await?;
        let recorded = done.rows_affected() == 1;
        if recorded {
            self.changed.send_modify(|n| *n += 1);
        }
        Ok(recorded)
    }

    /// Recorded heads not shown yet whose next attempt is due at wall-clock `now_ms`, oldest
    /// first.
    pub async fn audit_heads_due(&self, now_ms: i64) -> Result<Vec<PendingHead>, StoreError> {
        let rows = sqlx::query(
            "SELECT period_start, recorded_at, events, head, problem, attempts FROM audit_heads
             WHERE message_id IS NULL AND next_at <= ? ORDER BY period_start",
        )
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PendingHead {
                    period_start: r.get("period_start"),
                    recorded_at: from_millis(r.get("recorded_at"))?,
                    events: r.get("events"),
                    head: r.get("head"),
                    problem: r.get("problem"),
                    attempts: r.get("attempts"),
                })
            })
            .collect()
    }

    /// The wall-clock instant of the next attempt at a head not shown yet.
    pub async fn audit_heads_next_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT MIN(next_at) FROM audit_heads WHERE message_id IS NULL")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn audit_head_posted(
        &self,
        period_start: i64,
        channel: u64,
        message: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE audit_heads SET channel_id = ?, message_id = ?, last_error = NULL
             WHERE period_start = ?",
        )
        .bind(channel as i64)
        .bind(message as i64)
        .bind(period_start)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn audit_head_failed(
        &self,
        period_start: i64,
        attempts: u32,
        next_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE audit_heads SET attempts = ?, next_at = ?, last_error = ? WHERE period_start = ?",
        )
        .bind(attempts)
        .bind(next_at)
        .bind(error)
        .bind(period_start)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The message that showed the head of the period starting at `period_start`, once shown.
    pub async fn audit_head_message(&self, period_start: i64) -> Result<Option<u64>, StoreError> {
        let id: Option<Option<i64>> =
            sqlx::query_scalar("SELECT message_id FROM audit_heads WHERE period_start = ?")
                .bind(period_start)
                .fetch_optional(&self.pool)
                .await?;
        Ok(id.flatten().map(|m| m as u64))
    }

    /// Records that govbot was started on the log `v` describes although it did not verify.
    pub async fn record_audit_acceptance(
        &self,
        now_ms: i64,
        v: &Verification,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_acceptances (accepted_at, events, head, problem) VALUES (?, ?, ?, ?)",
        )
        .bind(now_ms)
        .bind(v.head.events)
        .bind(&v.head.hash)
        .bind(v.problem.as_ref().map_or_else(String::new, ToString::to_string))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every start that accepted a broken log, oldest first.
    pub async fn audit_acceptances(&self) -> Result<Vec<Acceptance>, StoreError> {
        let rows = sqlx::query(
            "SELECT accepted_at, events, head, problem FROM audit_acceptances ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Acceptance {
                accepted_at: r.get("accepted_at"),
                events: r.get("events"),
                head: r.get("head"),
                problem: r.get("problem"),
            })
            .collect())
    }
}
