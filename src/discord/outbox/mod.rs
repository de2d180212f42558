//! The outbox: everything Discord is shown follows from the audit log, read in order after a
//! stored cursor ([`show`] says what each event shows).
//!
//! It never gives up. An event whose effects fail is set aside in `outbox_pending` with its retry
//! state ([`retry`]: capped exponential backoff with jitter, persisted, so hours of outage and
//! restarts lose nothing) and the cursor moves on: other groups' effects flow while it waits. A
//! group's later events wait behind its earlier one, so they never overtake it (an archive never
//! comes before the channel's creation). Errors a person must fix are told to the moderators once.
//! The audit log's head, recorded by the scheduler once per period, is posted here too
//! (`audit_head`).
//!
//! The cursor moves after an event's effects are done or set aside, so a crash repeats an effect
//! rather than losing it; posts are remembered per event and purpose and carry a nonce Discord
//! enforces, so a repeat posts nothing twice. Ballots have no effect here: the live tally is
//! the [`tally`] task's, which follows the stored state, not the events, so a slow effect here
//! never freezes it. A move of the cursor past ballots only is not written durably on its own (a
//! replay of ballots does nothing), so a ballot costs one fsync end to end: its own commit.

mod audit_head;
mod proposal;
pub mod retry;
mod show;
pub mod tally;

use super::channels;
use super::data::Data;
use crate::discord::messages::notices;
use crate::governance::{EventKind, GroupState};
use crate::store::{LoggedEvent, Pending};
use anyhow::Result;
use serenity::all::Http;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// The cursor's name in `outbox_cursor`.
pub const CONSUMER: &str = "discord";
/// The longest the outbox waits without a change before looking again (an operator's
/// `govbot outbox retry` from another process is seen within it).
const POLL: Duration = Duration::from_secs(5);
/// Events read from the log at a time.
const BATCH: u32 = 200;
/// Waiting events retried per round, before new events are read again.
const RETRIES: u32 = 20;

/// Wall-clock milliseconds, for retry instants (how long Discord has been failing is real time,
/// unlike governance time).
pub(crate) fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Where the outbox is in the log: read from the database once, then kept here. It is written
/// durably after each event with an effect. Past ballots only (which have no effect here) it is
/// written at most once per [`CURSOR_EVERY`] and without waiting for the disk: in a crash, or
/// if the write fails, the ballots since are only read again and skipped. Written after every
/// round, it took the store's write turn once per wake-up and held the next ballot behind it.
#[derive(Default)]
struct Cursor {
    /// The last event handled, once read.
    at: Option<i64>,
    /// The last position written, and when.
    stored: i64,
    stored_when: Option<std::time::Instant>,
}

/// How often the cursor is written past ballots only.
const CURSOR_EVERY: Duration = Duration::from_secs(1);

impl Cursor {
    async fn read(&mut self, data: &Data) -> Result<i64> {
        if let Some(at) = self.at {
            return Ok(at);
        }
        let at = data.store.outbox_cursor(CONSUMER).await?;
        (self.at, self.stored) = (Some(at), at);
        Ok(at)
    }

    /// Writes the position past ballots, if it moved and `CURSOR_EVERY` has passed (or `now`).
    async fn store_past_ballots(&mut self, data: &Data, now: bool) {
        let Some(at) = self.at.filter(|at| *at > self.stored) else {
            return;
        };
        if !now && self.stored_when.is_some_and(|t| t.elapsed() < CURSOR_EVERY) {
            return;
        }
        match data.store.set_outbox_cursor_relaxed(CONSUMER, at).await {
            Ok(()) => (self.stored, self.stored_when) = (at, Some(std::time::Instant::now())),
            Err(e) => tracing::debug!("the outbox's cursor was not moved past ballots: {e}"),
        }
    }
}

/// Runs the outbox until `stop` turns true.
pub async fn run(http: Arc<Http>, data: Data, mut stop: watch::Receiver<bool>) {
    let mut changes = data.store.changes();
    let mut cursor = Cursor::default();
    open_missing_channels(&http, &data).await;
    while !*stop.borrow() {
        changes.borrow_and_update();
        let busy = match round(&http, &data, &mut cursor, &stop).await {
            Ok(busy) => busy,
            Err(e) => {
                tracing::error!("the outbox cannot read its state: {e:#}");
                false
            }
        };
        if busy {
            continue;
        }
        let retry_wait = match data.store.outbox_next_at().await {
            Ok(Some(at)) => Some(Duration::from_millis((at - wall_ms()).max(0) as u64)),
            Ok(None) => None,
            Err(e) => {
                tracing::error!("cannot read the outbox's retries: {e:#}");
                None
            }
        };
        let head_wait = match data.store.audit_heads_next_at().await {
            Ok(at) => at.map(|at| Duration::from_millis((at - wall_ms()).max(0) as u64)),
            Err(e) => {
                tracing::error!("cannot read the audit heads to post: {e:#}");
                None
            }
        };
        let wait = [Some(POLL), retry_wait, head_wait]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(POLL);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = changes.changed() => {}
            _ = stop.changed() => {}
        }
    }
    cursor.store_past_ballots(&data, true).await;
}

/// At start-up, an active group without a channel (its creation was dropped by an operator, or
/// predates the outbox's retries) gets one now.
async fn open_missing_channels(http: &Http, data: &Data) {
    let groups = match data.store.list_in(None, &[GroupState::Active]).await {
        Ok(g) => g,
        Err(e) => return tracing::error!("cannot list the active groups: {e:#}"),
    };
    for g in groups.into_iter().filter(|g| g.group.channel.is_none()) {
        if let Err(e) = channels::open_group(http, data, g.id).await {
            tracing::error!(group = %g.id, "still cannot open the group's channel: {e:#}");
        }
    }
}

/// One round: the waiting events now due, then one batch of new events. Returns whether more
/// work is ready at once.
async fn round(
    http: &Http,
    data: &Data,
    position: &mut Cursor,
    stop: &watch::Receiver<bool>,
) -> Result<bool> {
    if let Err(e) = audit_head::post_due(http, data).await {
        tracing::error!("the outbox cannot read the audit heads to post: {e:#}");
    }
    let due = data.store.outbox_due(wall_ms(), RETRIES).await?;
    let mut busy = due.len() as u32 == RETRIES;
    for p in due {
        if *stop.borrow() {
            return Ok(false);
        }
        retry_waiting(http, data, &p).await?;
        // Its success may have made the group's next event due.
        busy = true;
    }
    let cursor = position.read(data).await?;
    let batch = data.store.events_after(cursor, BATCH).await?;
    busy |= batch.len() as u32 == BATCH;
    for e in &batch {
        if *stop.borrow() {
            break;
        }
        // A ballot changes only the tally, which the tally task shows; the cursor is written
        // once for a run of ballots.
        if !matches!(e.event.kind, EventKind::BallotCast { .. }) {
            first_try(http, data, e).await?;
            // Durably: a crash after this effect must not show it again.
            data.store.set_outbox_cursor(CONSUMER, e.id).await?;
            position.stored = e.id;
        }
        position.at = Some(e.id);
    }
    position.store_past_ballots(data, false).await;
    Ok(busy)
}

/// A new event: shown at once, unless its group has an earlier event waiting (then it waits
/// behind it); set aside if showing it fails.
async fn first_try(http: &Http, data: &Data, e: &LoggedEvent) -> Result<()> {
    if data.store.outbox_waiting(e.group_id).await? {
        tracing::info!(event = e.id, group = %e.group_id, "waiting behind the group's earlier effects");
        return Ok(data.store.outbox_wait_behind(e.id, e.group_id).await?);
    }
    if let Err(err) = show::apply(http, data, e).await {
        failed(http, data, e, 1, None, &err).await?;
    }
    Ok(())
}

/// A waiting event whose time has come: tried again; done, or set aside once more.
async fn retry_waiting(http: &Http, data: &Data, p: &Pending) -> Result<()> {
    let Some(e) = data
        .store
        .events_after(p.event_id - 1, 1)
        .await?
        .into_iter()
        .find(|e| e.id == p.event_id)
    else {
        return Ok(data.store.outbox_done(p.event_id).await?);
    };
    match show::apply(http, data, &e).await {
        Ok(()) => {
            if p.attempts > 0 {
                tracing::info!(event = e.id, group = %e.group_id, attempts = p.attempts, "shown after retrying");
            }
            Ok(data.store.outbox_done(p.event_id).await?)
        }
        Err(err) => failed(http, data, &e, p.attempts + 1, Some(p), &err).await,
    }
}

/// Records a failed attempt and when to try again; tells the moderators what to fix when a
/// person must act and they were not told yet.
async fn failed(
    http: &Http,
    data: &Data,
    e: &LoggedEvent,
    attempts: u32,
    before: Option<&Pending>,
    err: &anyhow::Error,
) -> Result<()> {
    let wait = retry::backoff(attempts, e.id);
    let needs_person = retry::needs_person(err);
    let error = format!("{err:#}");
    tracing::warn!(
        event = e.id,
        group = %e.group_id,
        attempts,
        "showing {} failed, retrying in {wait:?}: {error}",
        e.event.kind.name()
    );
    let failure = crate::store::FailedAttempt {
        attempts,
        next_at: wall_ms() + wait.as_millis() as i64,
        error: &error,
        needs_person: needs_person.as_deref(),
    };
    data.store
        .outbox_failed(e.id, e.group_id, &failure, before.is_none())
        .await?;
    let told = before.is_some_and(|p| p.reported && p.needs_person == needs_person);
    if let (Some(fix), false) = (needs_person, told) {
        match report(http, data, e, &fix).await {
            Ok(()) => data.store.outbox_reported(e.id).await?,
            Err(r) => tracing::warn!(event = e.id, "could not tell the moderators: {r:#}"),
        }
    }
    Ok(())
}

/// Tells the moderators, once per event, what keeps an effect from being shown and how to fix it.
async fn report(http: &Http, data: &Data, e: &LoggedEvent, fix: &str) -> Result<()> {
    let g = data.store.group(e.group_id).await?.group;
    let r = notices::outbox_stuck(e.group_id, &g, e.id, e.event.kind.name(), fix)?;
    let purpose = format!("stuck:{}", e.id);
    let channel = data.config.channels.moderators;
    channels::once(http, data, e.group_id, &purpose, channel, &r, &[]).await
}
