//! The scheduler: carries out what is due without anyone acting (a vote closes, voters are
//! reminded, a WG becomes a retirement candidate or is retired at the end of its grace period).
//!
//! Deadlines live in the database (`groups.next_due_at`, indexed), never only in memory: each pass
//! asks the store which groups are due and the core what is due for each ([`due_command`]), then
//! carries it out through the store like any other command, as govbot itself. After downtime the
//! first pass catches up at once, and the core computes each result as of its deadline. Between
//! passes the loop sleeps until the next due time, a change in the store, a jump of a manual clock,
//! or at most a minute.
//!
//! With `[audit] post_head_every`, the loop also records the audit log's head once per period,
//! after verifying the whole log; the outbox posts it in the moderators' channel (`crate::audit`).
//!
//! Conversation in an IG's channel is counted beside the audit log, not noted per message; before
//! reminding an IG that it is quiet, a pass first notes the conversation counted since, which
//! moves the reminder to a quiet period after the last message (see `discord/activity.rs`).

use crate::audit;
use crate::clock::{jumped, Clock};
use crate::governance::{
    due_command, Acting, Actor, Command, Group, HumanDuration, Policy, Timestamp,
};
use crate::store::{GroupId, Store, StoreError, Target};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How many due groups one query fetches; a pass continues until none is left.
const BATCH: u32 = 200;
/// The longest sleep between passes, whatever the next deadline.
const MAX_SLEEP: Duration = Duration::from_secs(60);
/// The pause after a pass in which nothing due could be carried out, so a persistent failure is
/// retried without spinning.
const RETRY_PAUSE: Duration = Duration::from_secs(5);

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    /// Commands carried out.
    pub done: usize,
    /// Due groups whose command failed (logged); they are retried on a later pass.
    pub failed: usize,
    /// Queries of the due index made.
    pub queries: usize,
}

/// Carries out everything due at `now`. `policy` is the configured policy, which only matters for
/// values not already frozen into the group.
pub async fn pass(store: &Store, now: Timestamp, policy: &Policy) -> Result<Pass, StoreError> {
    let mut result = Pass::default();
    let mut skip: Vec<GroupId> = Vec::new();
    loop {
        let due = store.due_groups(now, BATCH + skip.len() as u32).await?;
        result.queries += 1;
        let fresh: Vec<GroupId> = due.into_iter().filter(|id| !skip.contains(id)).collect();
        if fresh.is_empty() {
            return Ok(result);
        }
        for id in fresh {
            match run_due(store, id, now, policy).await {
                Ok(true) => result.done += 1,
                Ok(false) => skip.push(id),
                Err(e) => {
                    tracing::error!(group = %id, "a scheduled action failed: {e}");
                    result.failed += 1;
                    skip.push(id);
                }
            }
        }
    }
}

/// Carries out the one thing due for group `id`; `false` when nothing was actually due.
async fn run_due(
    store: &Store,
    id: GroupId,
    now: Timestamp,
    policy: &Policy,
) -> Result<bool, StoreError> {
    let stored = store.group(id).await?;
    let command = match due_command(&stored.group, now) {
        None => return Ok(false),
        Some(Command::RemindQuiet) => unnoted_conversation(store, id, &stored.group, now)
            .await?
            .map_or(Command::RemindQuiet, |at| Command::NoteConversation { at }),
        Some(command) => command,
    };
    let ctx = Acting::new(&Actor::System, now, policy);
    // Logged as a decision by the store, with govbot as its actor.
    store
        .execute(Target::Group(id), &command, &ctx, None)
        .await?;
    Ok(true)
}

/// The last message counted in the group's channel, if the core has not been told of it yet.
/// One dated after `now` (possible only if the clock went back) is left out: the core refuses
/// activity in the future.
async fn unnoted_conversation(
    store: &Store,
    id: GroupId,
    group: &Group,
    now: Timestamp,
) -> Result<Option<Timestamp>, StoreError> {
    let last = store.last_message_at(id).await?;
    Ok(last.filter(|at| Some(*at) > group.last_conversation && *at <= now))
}

/// Runs passes until `stop` turns true; with `audit_every`, also records the audit log's head
/// for the moderators once per period (the outbox posts it).
pub async fn run(
    store: Store,
    clock: Arc<dyn Clock>,
    policy: Policy,
    audit_every: Option<HumanDuration>,
    mut stop: watch::Receiver<bool>,
) {
    let mut changes = store.changes();
    let mut jumps = clock.jumps();
    while !*stop.borrow() {
        changes.borrow_and_update();
        let mut audit_wait = MAX_SLEEP;
        if let Some(every) = audit_every {
            let now = clock.now();
            if let Err(e) = audit::record_due_head(&store, now, every).await {
                tracing::error!("recording the audit log's head failed: {e:#}");
            }
            audit_wait = (audit::next_period(now, every) - now)
                .to_std()
                .unwrap_or(Duration::ZERO);
        }
        let pause = match pass(&store, clock.now(), &policy).await {
            Ok(p) if p.failed > 0 && p.done == 0 => RETRY_PAUSE,
            Ok(_) => match store.next_due_at().await {
                Ok(Some(t)) => (t - clock.now())
                    .to_std()
                    .unwrap_or(Duration::ZERO)
                    .min(MAX_SLEEP),
                Ok(None) => MAX_SLEEP,
                Err(e) => {
                    tracing::error!("the scheduler cannot read the next deadline: {e}");
                    RETRY_PAUSE
                }
            },
            Err(e) => {
                tracing::error!("a scheduler pass failed: {e}");
                RETRY_PAUSE
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause.min(audit_wait)) => {}
            _ = changes.changed() => {}
            _ = jumped(&mut jumps) => {}
            _ = stop.changed() => {}
        }
    }
}
