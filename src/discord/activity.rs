//! Activity in groups' channels: each message someone posts in a group's channel is counted
//! (per week: messages and distinct people, never the content), and once a UTC day govbot tells
//! the governance core the group spoke, so the scheduler knows an IG is not quiet.

use super::data::Data;
use crate::governance::{Actor, Command, Context as Gov, GovernanceError, MemberId};
use crate::store::{StoreError, Target};
use serenity::all::{Message, MessageType};

/// Counts `msg` if it was posted by a person in a live group's channel. Never fails: problems
/// are logged, and the message is simply not counted.
pub async fn on_message(data: &Data, msg: &Message) {
    if msg.author.bot
        || msg.guild_id.is_none()
        || !matches!(msg.kind, MessageType::Regular | MessageType::InlineReply)
    {
        return;
    }
    if let Err(e) = count(data, msg).await {
        tracing::error!(
            channel = msg.channel_id.get(),
            message = msg.id.get(),
            "counting a message in a group's channel failed: {e:#}"
        );
    }
}

async fn count(data: &Data, msg: &Message) -> Result<(), StoreError> {
    let Some((group, state)) = data.store.group_by_channel(msg.channel_id.get()).await? else {
        return Ok(());
    };
    if !state.is_live_group() {
        return Ok(());
    }
    let now = data.now();
    // Redeliveries come within minutes of real time, so their window is measured on the wall
    // clock; the count itself is dated by the governance clock.
    let received = chrono::Utc::now();
    let author = MemberId(msg.author.id.get());
    let counted = data
        .store
        .record_message(group, msg.id.get(), author, now, received)
        .await?;
    tracing::debug!(
        group = group.0,
        message = msg.id.get(),
        counted = counted.counted,
        first_today = counted.first_today,
        "message in a group's channel"
    );
    if !counted.first_today {
        return Ok(());
    }
    let gov = Gov::new(&Actor::System, now, data.policy());
    let note = Command::NoteConversation { at: now };
    match data
        .store
        .execute(Target::Group(group), &note, &gov, None)
        .await
    {
        Ok(_) => {
            tracing::debug!(group = group.0, "conversation noted");
            Ok(())
        }
        Err(StoreError::Governance(GovernanceError::NoNewActivity { .. })) => Ok(()),
        Err(StoreError::Governance(e)) => {
            tracing::debug!(group = group.0, "conversation not noted: {e}");
            Ok(())
        }
        Err(e) => {
            // Let the next message of the day try again.
            data.store.release_conversation_day(group, now).await?;
            Err(e)
        }
    }
}
