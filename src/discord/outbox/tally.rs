//! The live tally on vote messages, coalesced: ballots only mark their vote message dirty, and a
//! dirty message is edited at most once per [`EDIT_INTERVAL`], however many ballots arrive. The
//! outbox calls [`Tallies::flush`] between events, not only when the log is drained, so during a
//! burst the tally still moves every interval.

use super::super::data::Data;
use super::super::votes::{ballot_buttons, vote_purpose};
use super::retry;
use crate::discord::messages::notices;
use crate::discord::messages::output;
use crate::governance::{EventKind, Vote, VotePurpose};
use crate::store::GroupId;
use anyhow::Result;
use serenity::all::{ChannelId, Http, MessageId};
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// The least time between two edits of the same vote message: Discord's own pace for editing
/// messages in one channel, 5 edits per 4 seconds (the `message_edit` bucket its
/// `X-RateLimit-*` headers announce; the stand-in enforces it, `discord-standin`'s `ratelimit`),
/// so a burst's tally moves as often as Discord lets it without a 429.
pub const EDIT_INTERVAL: Duration = Duration::from_millis(800);

/// Vote messages whose tally changed, and when each may be edited next.
#[derive(Default)]
pub struct Tallies {
    dirty: BTreeSet<GroupId>,
    /// When each message was last edited, or may next be tried after failures.
    not_before: HashMap<GroupId, Instant>,
    /// Consecutive failed edits per vote message, for the backoff.
    failures: HashMap<GroupId, u32>,
}

impl Tallies {
    pub fn mark(&mut self, id: GroupId) {
        self.dirty.insert(id);
    }

    pub fn mark_all(&mut self, ids: impl IntoIterator<Item = GroupId>) {
        self.dirty.extend(ids);
    }

    /// Whether some dirty message may be edited now.
    pub fn due(&self) -> bool {
        let now = Instant::now();
        self.dirty
            .iter()
            .any(|id| self.not_before.get(id).is_none_or(|t| *t <= now))
    }

    /// Edits every dirty vote message that may be edited now; returns how long until the next
    /// one may be, if any is waiting. A failed edit is retried with the outbox's backoff; a
    /// message someone deleted is left alone.
    pub async fn flush(&mut self, http: &Http, data: &Data) -> Option<Duration> {
        let now = Instant::now();
        for id in self.dirty.clone() {
            if self.not_before.get(&id).is_some_and(|t| *t > now) {
                continue;
            }
            self.dirty.remove(&id);
            self.not_before.insert(id, Instant::now() + EDIT_INTERVAL);
            match refresh_vote_message(http, data, id).await {
                Ok(shown) => {
                    self.failures.remove(&id);
                    // A ballot committed while the message was being shown is not on it: show
                    // the vote once more after the interval, so the last edit always follows the
                    // last ballot.
                    let now_at = data.store.group(id).await.map(|g| g.version);
                    if now_at.is_ok_and(|v| v != shown) {
                        self.dirty.insert(id);
                    }
                }
                Err(e) if retry::is_unknown_message(&e) => {
                    tracing::info!(group = %id, "the vote message was deleted; its tally is not shown");
                    self.failures.remove(&id);
                }
                Err(e) => {
                    let failures = self.failures.entry(id).or_default();
                    *failures += 1;
                    let wait = retry::backoff(*failures, id.0).max(EDIT_INTERVAL);
                    tracing::warn!(group = %id, "could not update the vote message, retrying in {wait:?}: {e:#}");
                    self.dirty.insert(id);
                    self.not_before.insert(id, Instant::now() + wait);
                }
            }
        }
        let now = Instant::now();
        self.not_before
            .retain(|id, t| *t > now || self.dirty.contains(id));
        self.dirty
            .iter()
            .map(|id| {
                self.not_before
                    .get(id)
                    .map_or(Duration::ZERO, |t| t.saturating_duration_since(now))
            })
            .min()
    }
}

/// Shows the group's vote as it stands: live tally, final result (buttons disabled), or ended
/// early. Returns the version of the group it showed.
pub async fn refresh_vote_message(http: &Http, data: &Data, id: GroupId) -> Result<i64> {
    let stored = data.store.group(id).await?;
    let (g, version) = (stored.group, stored.version);
    let Some(v) = g.vote.as_ref() else {
        return Ok(version);
    };
    let Some((channel, message)) = data.store.group_message(id, &vote_purpose(v)).await? else {
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
