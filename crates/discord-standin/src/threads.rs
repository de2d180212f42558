//! Threads in the sandbox guild: someone starts a public thread in a text channel, and people
//! post in it with [`Sandbox::post_message`].
//!
//! As on Discord (developers/topics/threads.mdx and the "Example Thread Channel" of
//! developers/resources/channel.mdx), a thread is a channel of its own: type 11 PUBLIC_THREAD,
//! `parent_id` the text channel it was started in, `owner_id` who started it, and
//! `thread_metadata`. The bot hears THREAD_CREATE (GUILDS intent), finds the active threads in
//! GUILD_CREATE's `threads` (never in its `channels`) when it connects, can read one with
//! `GET /channels/{id}`, and each message posted in it arrives as MESSAGE_CREATE with the thread's
//! id as `channel_id`: the parent appears nowhere in the message.
//!
//! Not played: the THREAD_CREATED system message (type 18) Discord posts in the parent channel,
//! archiving, private threads and thread members.

use super::payloads::{self, snowflake};
use super::{gateway, Sandbox};
use serde_json::{json, Value};

/// PUBLIC_THREAD, the type of a thread started in a text channel.
const PUBLIC_THREAD: u8 = 11;

/// How long the thread stays in the channel list without activity, in minutes: one day, what
/// Discord's clients pre-select.
const AUTO_ARCHIVE_MINUTES: u64 = 1440;

impl Sandbox {
    /// `owner_user_id` starts a public thread called `name` in the text channel `parent_id`
    /// (Discord's "Start Thread without Message" with `type` 11), and THREAD_CREATE is
    /// dispatched with `newly_created`. Returns the thread's id, to post in with
    /// [`Sandbox::post_message`]. Panics if `parent_id` is not a text channel or the owner is not
    /// a member.
    pub async fn start_thread(&self, parent_id: u64, owner_user_id: u64, name: &str) -> u64 {
        let world = &self.shared.world;
        let (id, event) = {
            let mut state = self.shared.state();
            let parent = state
                .channel(parent_id)
                .unwrap_or_else(|| panic!("start_thread: no channel {parent_id}"));
            assert!(
                parent["type"] == 0,
                "start_thread: channel {parent_id} is not a text channel"
            );
            assert!(
                world.member(owner_user_id).is_some(),
                "start_thread: user {owner_user_id} is not a member of the sandbox guild"
            );
            let id = state.next_id();
            let thread = thread(world.guild_id, id, parent_id, owner_user_id, name);
            state.threads.push(thread.clone());
            let mut event = thread;
            event["newly_created"] = json!(true);
            (id, event)
        };
        gateway::dispatch(&self.shared, "THREAD_CREATE", event, true).await;
        id
    }
}

/// A new, empty public thread, as Discord answers and dispatches it.
fn thread(guild_id: u64, id: u64, parent_id: u64, owner_id: u64, name: &str) -> Value {
    let created = payloads::timestamp(payloads::snowflake_time(id));
    json!({
        "id": snowflake(id),
        "type": PUBLIC_THREAD,
        "guild_id": snowflake(guild_id),
        "parent_id": snowflake(parent_id),
        "owner_id": snowflake(owner_id),
        "name": name,
        "last_message_id": null,
        "last_pin_timestamp": null,
        "rate_limit_per_user": 0,
        "flags": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "thread_metadata": {
            "archived": false,
            "auto_archive_duration": AUTO_ARCHIVE_MINUTES,
            "archive_timestamp": created,
            "locked": false,
            "create_timestamp": created,
        },
    })
}

/// Threads of every kind: 10 ANNOUNCEMENT_THREAD, 11 PUBLIC_THREAD, 12 PRIVATE_THREAD.
pub(super) fn is_thread(channel: &Value) -> bool {
    matches!(channel["type"].as_u64(), Some(10..=12))
}

/// A message posted in `channel`: a thread counts it in `message_count` and `total_message_sent`,
/// as Discord does (Discord also lowers `message_count` when a message is deleted; the sandbox
/// does not). Other channels keep no count.
pub(super) fn count_message(channel: &mut Value) {
    if !is_thread(channel) {
        return;
    }
    for key in ["message_count", "total_message_sent"] {
        let n = channel[key].as_u64().unwrap_or(0);
        channel[key] = json!(n + 1);
    }
}
