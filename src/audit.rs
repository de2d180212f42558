//! The audit log's integrity, as the running bot keeps it: verified before `govbot run` serves
//! anyone, and its head recorded once per period for the moderators' channel (`[audit]
//! post_head_every`). The chain itself is `store::chain`, its verification `Store::verify`, and
//! `docs/audit.md` says what all of it proves.

use crate::governance::{HumanDuration, Timestamp};
use crate::store::{Store, Verification};
use anyhow::{bail, Result};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What `govbot run` does when the log does not verify.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnBroken {
    /// Refuse to start (the default).
    #[default]
    Refuse,
    /// Start anyway (`--accept-broken-audit`): logged as a warning and recorded in the database.
    Accept,
}

/// Verifies the whole log before the bot serves anyone. A broken log stops the start unless
/// `on_broken` accepts it, which is logged and recorded (`audit_acceptances`).
pub async fn check_at_startup(store: &Store, on_broken: OnBroken) -> Result<Verification> {
    let started = Instant::now();
    let v = store.verify(&[]).await?;
    let took = started.elapsed();
    match (&v.problem, on_broken) {
        (None, _) => tracing::info!(
            events = v.head.events,
            groups = v.groups,
            head = %v.head.hash,
            "audit log verified in {:.1} ms",
            took.as_secs_f64() * 1000.0
        ),
        (Some(problem), OnBroken::Accept) => {
            tracing::warn!(
                events = v.head.events,
                head = %v.head.hash,
                "starting on an audit log that does not verify, because --accept-broken-audit was \
                 given (recorded in the database): {problem}"
            );
            store.record_audit_acceptance(wall_ms(), &v).await?;
        }
        (Some(_), OnBroken::Refuse) => bail!(
            "{v}\ngovbot does not run on an audit log that does not verify: its record could have \
             been rewritten. `govbot audit verify` shows the same; docs/audit.md says what each \
             finding means. To run anyway, start with `govbot run --accept-broken-audit` (logged, \
             and recorded in the database)."
        ),
    }
    Ok(v)
}

/// The start of the period of length `every` that contains `now` (periods start at the Unix
/// epoch, so daily ones start at midnight UTC).
pub fn period_start(now: Timestamp, every: HumanDuration) -> i64 {
    let len = (every.secs.max(1) as i64) * 1000;
    now.timestamp_millis().div_euclid(len) * len
}

/// When the period after the one containing `now` starts.
pub fn next_period(now: Timestamp, every: HumanDuration) -> Timestamp {
    let next = period_start(now, every) + (every.secs.max(1) as i64) * 1000;
    chrono::DateTime::from_timestamp_millis(next).unwrap_or(now)
}

/// Records the head to post for the period containing `now` if that period has none yet: the
/// whole log is verified first, so the post also says whether it still verifies. Returns whether
/// a head was recorded.
pub async fn record_due_head(store: &Store, now: Timestamp, every: HumanDuration) -> Result<bool> {
    let start = period_start(now, every);
    if store
        .last_audit_head_period()
        .await?
        .is_some_and(|p| p >= start)
    {
        return Ok(false);
    }
    let v = store.verify(&[]).await?;
    if let Some(problem) = &v.problem {
        tracing::error!("the audit log no longer verifies: {problem}");
    }
    Ok(store.record_audit_head(start, now, &v).await?)
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
