//! Catching up after events may have been missed. Discord replays what a session missed only
//! when it is resumed; a session that is lost and identified anew (close code 4009, an invalid
//! session, a restart) starts from now, so reactions added and templates posted in the gap would
//! never be seen. On every READY (start-up included: nothing is read before the gateway is up)
//! govbot compares the open votes' reactions with what it recorded, and after every READY but
//! the first it reads the creation channel from the newest message it saw. A RESUMED session
//! needs neither.
//!
//! The open votes cost at most one call each, whatever their number: their messages are read in
//! pages of a hundred from their channel (a page starts at the oldest message not read yet, so
//! chat in between is skipped and every page reads at least one vote), and a message's reaction
//! counts decide whether its reaction users are read at all ([`votes::reconcile_reactions`]).
//! One vote's failure is logged and the others go on.

use super::data::Data;
use super::{proposals, votes};
use crate::governance::{GroupState, Vote};
use crate::store::GroupId;
use anyhow::Result;
use serenity::all::{ChannelId, GetMessages, Http, Message, MessageId};
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

/// The most messages read in one call (Discord's page size).
const PAGE: u8 = 100;

/// A READY: the open votes are reconciled; after the first, the creation channel is read too.
pub async fn on_ready(http: &Http, data: &Data) {
    let first = data.sessions.fetch_add(1, Ordering::SeqCst) == 0;
    if !first {
        tracing::info!("a new gateway session: catching up on what the gap may have lost");
    }
    let done = open_votes(http, data).await;
    match &done {
        Ok(r) if r.failed > 0 => tracing::warn!("{r}"),
        Ok(r) => tracing::info!("{r}"),
        Err(e) => tracing::error!("reconciling vote reactions failed: {e:#}"),
    }
    data.reconciled.send_modify(|passes| *passes += 1);
    if !first {
        if let Err(e) = creation_channel(http, data).await {
            tracing::error!("reading the creation channel after a new session failed: {e:#}");
        }
    }
}

/// What one reconciliation of the open votes did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reconciled {
    /// Open votes with a message.
    pub votes: usize,
    /// Calls that read vote messages (pages and single messages).
    pub reads: usize,
    /// Reactions added or removed unseen, now handled.
    pub handled: usize,
    /// Votes that could not be reconciled (their message is gone, or an error).
    pub failed: usize,
}

impl std::fmt::Display for Reconciled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "open votes reconciled: {} votes, {} messages read in {} calls, {} reactions handled, \
             {} not reconciled",
            self.votes,
            self.votes - self.failed,
            self.reads,
            self.handled,
            self.failed
        )
    }
}

/// One open vote to reconcile.
struct OpenVote {
    id: GroupId,
    vote: Vote,
}

/// Reconciles every open vote's reactions (see the module's documentation).
pub async fn open_votes(http: &Http, data: &Data) -> Result<Reconciled> {
    let mut by_channel: BTreeMap<u64, BTreeMap<u64, OpenVote>> = BTreeMap::new();
    let mut done = Reconciled::default();
    for g in data.store.list_in(None, &GroupState::VOTING).await? {
        let Some(vote) = g.group.running_vote().cloned() else {
            continue;
        };
        let purpose = votes::vote_purpose(&vote);
        if let Some((channel, message)) = data.store.group_message(g.id, &purpose).await? {
            done.votes += 1;
            by_channel
                .entry(channel)
                .or_default()
                .insert(message, OpenVote { id: g.id, vote });
        }
    }
    for (channel, mut pending) in by_channel {
        while let Some(&first) = pending.keys().next() {
            let page = ChannelId::new(channel)
                .messages(
                    http,
                    GetMessages::new()
                        .after(MessageId::new(first.saturating_sub(1).max(1)))
                        .limit(PAGE),
                )
                .await;
            done.reads += 1;
            let page = match page {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(channel, "cannot read the vote messages' channel: {e}");
                    one_by_one(http, data, channel, &mut pending, &mut done).await;
                    break;
                }
            };
            // Every message of the range the page covers is in it: a vote message in that range
            // that is not was deleted.
            let covered = match page.iter().map(|m| m.id.get()).max() {
                Some(last) if page.len() == usize::from(PAGE) => last,
                _ => u64::MAX,
            };
            for m in &page {
                if let Some(v) = pending.remove(&m.id.get()) {
                    check(http, data, &v, m, &mut done).await;
                }
            }
            let gone: Vec<u64> = pending.range(..=covered).map(|(m, _)| *m).collect();
            for message in gone {
                if let Some(v) = pending.remove(&message) {
                    tracing::info!(group = %v.id, message, "the vote message is gone; nothing to reconcile");
                    done.failed += 1;
                }
            }
        }
    }
    Ok(done)
}

/// The channel's listing failed: each remaining vote's message is read on its own.
async fn one_by_one(
    http: &Http,
    data: &Data,
    channel: u64,
    pending: &mut BTreeMap<u64, OpenVote>,
    done: &mut Reconciled,
) {
    for (message, v) in std::mem::take(pending) {
        done.reads += 1;
        match http
            .get_message(ChannelId::new(channel), MessageId::new(message))
            .await
        {
            Ok(m) => check(http, data, &v, &m, done).await,
            Err(e) => {
                tracing::warn!(group = %v.id, message, "cannot read the vote message: {e}");
                done.failed += 1;
            }
        }
    }
}

async fn check(http: &Http, data: &Data, v: &OpenVote, m: &Message, done: &mut Reconciled) {
    match votes::reconcile_reactions(http, data, v.id, &v.vote, m).await {
        Ok(n) => done.handled += n,
        Err(e) => {
            tracing::warn!(group = %v.id, "reconciling the vote's reactions failed: {e:#}");
            done.failed += 1;
        }
    }
}

/// Remembers the newest message seen in the creation channel.
pub fn seen(data: &Data, channel: u64, message: u64) {
    if channel == data.config.channels.creation {
        data.creation_seen.fetch_max(message, Ordering::SeqCst);
    }
}

/// Handles the creation channel's messages posted after the newest one seen, as if they had
/// just arrived (a template already handled is recognised and not proposed twice).
async fn creation_channel(http: &Http, data: &Data) -> Result<usize> {
    let mut after = data.creation_seen.load(Ordering::SeqCst);
    if after == 0 {
        match data.store.latest_template_message().await? {
            Some(m) => after = m,
            // Nothing was ever proposed: there is no point to resume from.
            None => return Ok(0),
        }
    }
    let channel = ChannelId::new(data.config.channels.creation);
    let mut handled = 0;
    loop {
        let mut page = channel
            .messages(
                http,
                GetMessages::new().after(MessageId::new(after)).limit(PAGE),
            )
            .await?;
        // Oldest first, as they were posted.
        page.sort_by_key(|m| m.id);
        let full = page.len() == usize::from(PAGE);
        for m in &page {
            after = after.max(m.id.get());
            let _one_at_a_time = data.templates.lock().await;
            proposals::on_message(http, data, m).await?;
            handled += 1;
        }
        seen(data, channel.get(), after);
        if !full {
            return Ok(handled);
        }
    }
}
