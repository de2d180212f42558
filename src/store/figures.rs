//! What the observability endpoint reads from the database at each scrape: gauges that must be
//! true of the database rather than of one process's memory (a restart must not reset them).

use super::error::StoreError;
use super::Store;
use sqlx::Row;

/// The database's figures at one instant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Effects waiting behind an earlier event of their group, not tried yet.
    pub effects_pending: i64,
    /// Effects that failed and are retried by themselves (a 5xx, a 429, a network error).
    pub effects_retrying: i64,
    /// Effects that failed in a way a person must fix (a permission, a deleted channel).
    pub effects_failed: i64,
    /// The oldest waiting effect: its event id, kind, when its event was recorded (governance
    /// milliseconds), attempts and last error.
    pub oldest_effect: Option<OldestEffect>,
    /// The earliest deadline of any group (governance milliseconds).
    pub earliest_due_ms: Option<i64>,
    /// Groups by (kind, state).
    pub groups: Vec<(String, String, i64)>,
    pub audit_events: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldestEffect {
    pub event_id: i64,
    pub kind: String,
    pub recorded_ms: i64,
    pub attempts: i64,
    pub problem: Option<String>,
}

impl Store {
    /// Reads [`Figures`] in one read transaction, so they agree with each other.
    pub async fn figures(&self) -> Result<Figures, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT
                 COALESCE(SUM(attempts = 0), 0),
                 COALESCE(SUM(attempts > 0 AND needs_person IS NULL), 0),
                 COALESCE(SUM(attempts > 0 AND needs_person IS NOT NULL), 0)
             FROM outbox_pending",
        )
        .fetch_one(&mut *tx)
        .await?;
        let oldest = sqlx::query(
            "SELECT p.event_id, a.kind, a.at, p.attempts, COALESCE(p.needs_person, p.last_error)
             FROM outbox_pending p JOIN audit_log a ON a.id = p.event_id
             ORDER BY p.event_id LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| OldestEffect {
            event_id: r.get(0),
            kind: r.get(1),
            recorded_ms: r.get(2),
            attempts: r.get(3),
            problem: r.get(4),
        });
        let earliest_due_ms: Option<i64> =
            sqlx::query_scalar("SELECT MIN(next_due_at) FROM groups")
                .fetch_one(&mut *tx)
                .await?;
        let groups = sqlx::query(
            "SELECT kind, state, COUNT(*) FROM groups GROUP BY kind, state ORDER BY kind, state",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        let audit_events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Figures {
            effects_pending: row.get(0),
            effects_retrying: row.get(1),
            effects_failed: row.get(2),
            oldest_effect: oldest,
            earliest_due_ms,
            groups,
            audit_events,
        })
    }

    /// Whether a write transaction can be begun now (the database is not read-only and no other
    /// writer holds it past `timeout`); nothing is written.
    pub async fn writable(&self, timeout: std::time::Duration) -> Result<(), String> {
        let attempt = async {
            let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
            tx.rollback().await
        };
        match tokio::time::timeout(timeout, attempt).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("cannot begin a write: {e}")),
            Err(_) => Err(format!("no write could begin within {timeout:?}")),
        }
    }
}
