//! The live tally on vote messages, a task of its own beside the outbox. It edits every open
//! vote's message that shows an older version of its group than the stored one
//! ([`Store::stale_vote_messages`](crate::store::Store::stale_vote_messages), one indexed query),
//! whenever a decision is committed and the channel's edit pace ([`crate::discord::pace`]) gives
//! it a slot: however many ballots arrive, a message is edited at most once a slot, and it
//! always shows the ballots committed before its edit was rendered. Ballots need no handling in
//! the outbox, and an effect the outbox waits on (a post held back by Discord's bucket in
//! another channel) never freezes the tally. A restart edits only the messages that are behind.
//!
//! The outbox edits vote messages too (the close, a cancellation): both go through
//! [`refresh_vote_message`], which holds the group's turn and shows the group as stored at that
//! moment, so the last edit always shows the latest state.

use super::super::data::Data;
use super::super::votes::{ballot_buttons, vote_purpose};
use super::retry;
use crate::discord::messages::notices;
use crate::discord::messages::output;
use crate::governance::{EventKind, Vote, VotePurpose};
use crate::store::GroupId;
use anyhow::Result;
use serenity::all::{ChannelId, Http, MessageId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// The longest the task waits without a change before looking again (a decision recorded by
/// another process, `govbot` on the command line, wakes no one here).
const POLL: Duration = Duration::from_secs(5);
/// The least time between two looks for stale vote messages. A look reads every open vote, so
/// it is not made once per commit: during a burst of hundreds of ballots a second it is made at
/// most four times a second, whatever the number of open votes.
const LOOK_EVERY: Duration = Duration::from_millis(250);

/// Keeps the vote messages' tallies current until `stop` turns true.
pub async fn run(http: Arc<Http>, data: Data, mut stop: watch::Receiver<bool>) {
    let mut changes = data.store.changes();
    // Consecutive failed edits per vote message and when to try again.
    let mut failing: HashMap<GroupId, (u32, Instant)> = HashMap::new();
    // Vote messages someone deleted: left alone while their vote runs.
    let mut gone: HashSet<GroupId> = HashSet::new();
    let channel = data.config.channels.moderators;
    let mut looked: Option<Instant> = None;
    while !*stop.borrow() {
        let look_at = looked.map_or_else(Instant::now, |t| t + LOOK_EVERY);
        tokio::select! {
            _ = tokio::time::sleep_until(data.paces.edits.next_free(channel).max(look_at)) => {}
            _ = stop.changed() => break,
        }
        changes.borrow_and_update();
        looked = Some(Instant::now());
        let stale = match data.store.stale_vote_messages().await {
            Ok(stale) => stale,
            Err(e) => {
                tracing::error!("cannot list the vote messages to refresh: {e:#}");
                Vec::new()
            }
        };
        gone.retain(|id| stale.contains(id));
        failing.retain(|id, _| stale.contains(id));
        let now = Instant::now();
        for id in stale {
            if gone.contains(&id) || failing.get(&id).is_some_and(|(_, at)| *at > now) {
                continue;
            }
            match refresh_vote_message(&http, &data, id).await {
                Ok(_) => {
                    failing.remove(&id);
                }
                Err(e) if retry::is_unknown_message(&e) => {
                    tracing::info!(group = %id, "the vote message was deleted; its tally is not shown");
                    gone.insert(id);
                }
                Err(e) => {
                    let attempts = failing.get(&id).map_or(0, |(n, _)| *n) + 1;
                    let wait = retry::backoff(attempts, id.0);
                    tracing::warn!(group = %id, "could not update the vote message, retrying in {wait:?}: {e:#}");
                    failing.insert(id, (attempts, Instant::now() + wait));
                }
            }
        }
        let retry_at = failing.values().map(|(_, at)| *at).min();
        let wait = retry_at.map_or(POLL, |at| {
            at.saturating_duration_since(Instant::now()).min(POLL)
        });
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = changes.changed() => {}
            _ = stop.changed() => {}
        }
    }
}

/// Shows the group's vote as it stands: live tally, final result (buttons disabled), or ended
/// early. Returns the version of the group it showed.
pub async fn refresh_vote_message(http: &Http, data: &Data, id: GroupId) -> Result<i64> {
    let _turn = data.paces.vote_message(id).await;
    let stored = data.store.group(id).await?;
    let Some(purpose) = stored.group.vote.as_ref().map(vote_purpose) else {
        return Ok(stored.version);
    };
    let Some((channel, message)) = data.store.group_message(id, &purpose).await? else {
        return Ok(stored.version);
    };
    // The channel's edit slot first, the tally after: an edit that waited for Discord's bucket
    // shows the ballots cast meanwhile.
    data.paces.edits.turn(channel).await;
    let stored = data.store.group(id).await?;
    let (g, version) = (stored.group, stored.version);
    let Some(v) = g.vote.as_ref().filter(|v| vote_purpose(v) == purpose) else {
        return Ok(version);
    };
    let reason = if v.purpose == VotePurpose::Reversal {
        opening_reason(data, id, v).await?
    } else {
        None
    };
    let ballots = data.store.ballots(id, v).await?;
    let r = notices::vote_message(id, &g, v, &ballots, reason, &data.config.vote_reactions)?;
    tracing::debug!(group = %id, tally = %ballots.tally(v), "refreshing the vote message");
    ChannelId::new(channel)
        .edit_message(
            http,
            MessageId::new(message),
            output::edit(&r).components(ballot_buttons(id, v, v.is_open_at(data.now()))),
        )
        .await?;
    // Remembered so a restart does not edit a message that is up to date.
    if let Err(e) = data
        .store
        .set_shown_version(id, &vote_purpose(v), version)
        .await
    {
        tracing::warn!(group = %id, "could not note the version the vote message shows: {e}");
    }
    Ok(version)
}

/// The reason a reversal vote was opened with, from the history.
pub async fn opening_reason(data: &Data, id: GroupId, v: &Vote) -> Result<Option<String>> {
    Ok(data
        .store
        .history(id)
        .await?
        .into_iter()
        .rev()
        .find(|e| matches!(e.event.kind, EventKind::VoteOpened { .. }) && e.event.at == v.opened_at)
        .and_then(|e| e.event.reason))
}
