//! Activity in groups' channels: each message someone posts in a live group's channel, or in a
//! thread or forum post under it, is counted per week (messages and distinct people, never the
//! content).
//!
//! How the conversation keeps an IG from being reminded that it is quiet, without one audit row
//! per message:
//! - Every counted message moves the IG's last activity: the count lives beside the audit log
//!   (`channel_activity`, see `store/activity.rs`), and its `last_message_at` is the time of the
//!   latest message, whatever the day.
//! - The core decides quietness from the group's state (`last_conversation`, built from
//!   `ConversationNoted` events, and the meetings): the scheduler wakes the IG once
//!   `ig_quiet_after` has passed since the last activity in that state. Before it reminds the IG,
//!   the scheduler tells the core about the messages counted since, as one
//!   `Command::NoteConversation` dated by the latest of them (see `scheduler.rs`); the deadline
//!   then moves to a quiet period after that message and no reminder goes out. Only an IG that
//!   said nothing since is reminded.
//!
//! So the reminder comes exactly a quiet period after the last message, however short
//! `ig_quiet_after` is (noting only the first message of each UTC day, as govbot once did, let an
//! IG with a quiet period under a day be reminded mid-conversation). The audit log gains at most
//! two rows per quiet period however much an IG talks: a note is only written when the scheduler
//! wakes, a quiet period after the previous note, and a note records a message newer than every
//! message the previous wake saw, so any two consecutive notes are more than a quiet period
//! apart. Nothing lives only in memory: after a restart the count is in the database and the next
//! pass reads it. Noting every so often from here instead would bound the rows too, but would
//! leave the core's view up to that interval behind the conversation, at the moment a reminder is
//! decided.

use super::data::Data;
use crate::governance::{GroupState, MemberId};
use crate::store::{GroupId, StoreError};
use serenity::all::{ChannelId, Context, GuildId, Message, MessageType};

/// Counts `msg` if a person posted it in a live group's channel or in a thread under it. Never
/// fails: problems are logged, and the message is simply not counted.
pub async fn on_message(ctx: &Context, data: &Data, msg: &Message) {
    let Some(guild) = msg.guild_id else {
        return;
    };
    if msg.author.bot || !matches!(msg.kind, MessageType::Regular | MessageType::InlineReply) {
        return;
    }
    if let Err(e) = count(ctx, data, guild, msg).await {
        tracing::error!(
            channel = msg.channel_id.get(),
            message = msg.id.get(),
            "counting a message in a group's channel failed: {e:#}"
        );
    }
}

async fn count(
    ctx: &Context,
    data: &Data,
    guild: GuildId,
    msg: &Message,
) -> Result<(), StoreError> {
    let Some((group, state)) = group_of(ctx, data, guild, msg.channel_id).await? else {
        return Ok(());
    };
    if !state.is_live_group() {
        return Ok(());
    }
    // Redeliveries come within minutes of real time, so their window is measured on the wall
    // clock; the count itself is dated by the governance clock.
    let received = chrono::Utc::now();
    let author = MemberId(msg.author.id.get());
    let counted = data
        .store
        .record_message(group, msg.id.get(), author, data.now(), received)
        .await?;
    tracing::debug!(
        group = group.0,
        message = msg.id.get(),
        counted,
        "message in a group's channel"
    );
    Ok(())
}

/// The group whose channel is `channel` or, for a thread, the thread's parent.
async fn group_of(
    ctx: &Context,
    data: &Data,
    guild: GuildId,
    channel: ChannelId,
) -> Result<Option<(GroupId, GroupState)>, StoreError> {
    if let Some(found) = data.store.group_by_channel(channel.get()).await? {
        return Ok(Some(found));
    }
    match data.threads.parent_of(ctx, guild, channel).await {
        Some(parent) => data.store.group_by_channel(parent.get()).await,
        None => Ok(None),
    }
}
