//! Which channel a thread belongs to. A message posted in a thread, or in a forum post (a thread
//! too), arrives with the thread's own id as its channel; only the thread's `parent_id` names the
//! channel it was started in. Activity counting uses it so that a group's threads count for the
//! group.
//!
//! Serenity's cache knows the guild's channels and every active thread the bot can see (from
//! GUILD_CREATE's `threads`, THREAD_CREATE and THREAD_UPDATE), so the answer usually costs no
//! request. A channel the cache does not know (say, a message arrived before GUILD_CREATE) is
//! fetched once with `GET /channels/{id}` and the answer remembered: a channel never becomes a
//! thread, and a thread never moves to another parent. A failed fetch is not remembered, so the
//! next message tries again.

use serenity::all::{Channel, ChannelId, ChannelType, Context, GuildChannel, GuildId};
use std::collections::HashMap;
use std::sync::Mutex;

/// The parents fetched over REST, by channel (`None`: not a thread).
#[derive(Default)]
pub struct ThreadParents {
    fetched: Mutex<HashMap<ChannelId, Option<ChannelId>>>,
}

impl ThreadParents {
    /// The channel `channel` was started in, if it is a thread of `guild`.
    pub async fn parent_of(
        &self,
        ctx: &Context,
        guild: GuildId,
        channel: ChannelId,
    ) -> Option<ChannelId> {
        if let Some(known) = from_cache(ctx, guild, channel) {
            return known;
        }
        if let Some(known) = self.remembered(channel) {
            return known;
        }
        let parent = match ctx.http.get_channel(channel).await {
            Ok(Channel::Guild(c)) => thread_parent(&c),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(channel = channel.get(), "cannot read a channel: {e}");
                return None;
            }
        };
        self.fetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel, parent);
        parent
    }

    fn remembered(&self, channel: ChannelId) -> Option<Option<ChannelId>> {
        self.fetched
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&channel)
            .copied()
    }
}

/// What the cache knows: `Some(parent)` for a thread it holds, `Some(None)` for one of the
/// guild's channels, `None` when it does not know the channel (or the guild).
fn from_cache(ctx: &Context, guild: GuildId, channel: ChannelId) -> Option<Option<ChannelId>> {
    let guild = ctx.cache.guild(guild)?;
    if let Some(thread) = guild.threads.iter().find(|t| t.id == channel) {
        return Some(thread_parent(thread));
    }
    guild.channels.contains_key(&channel).then_some(None)
}

/// The channel a thread was started in; `None` for a channel that is not a thread (whose
/// `parent_id` is only its category).
pub fn thread_parent(channel: &GuildChannel) -> Option<ChannelId> {
    let thread = matches!(
        channel.kind,
        ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread
    );
    channel.parent_id.filter(|_| thread)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn channel(kind: u8, parent: Option<&str>) -> GuildChannel {
        let mut c = json!({
            "id": "800000000000000900",
            "type": kind,
            "guild_id": "800000000000000001",
            "name": "a channel",
            "parent_id": parent,
        });
        if (10..=12).contains(&kind) {
            c["thread_metadata"] = json!({
                "archived": false,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2026-11-02T09:00:00+00:00",
                "locked": false,
            });
        }
        serde_json::from_value(c).unwrap()
    }

    #[test]
    fn a_thread_or_forum_post_belongs_to_its_parent_and_a_channel_to_none() {
        let parent = ChannelId::new(800_000_000_000_000_101);
        let parent_text = "800000000000000101";
        // A public thread (what a forum post is too), a private one, an announcement thread.
        for kind in [11, 12, 10] {
            assert_eq!(
                thread_parent(&channel(kind, Some(parent_text))),
                Some(parent)
            );
        }
        // A text channel's parent is its category: not a thread.
        assert_eq!(thread_parent(&channel(0, Some(parent_text))), None);
        assert_eq!(thread_parent(&channel(15, Some(parent_text))), None);
        assert_eq!(thread_parent(&channel(0, None)), None);
    }
}
