//! Every Discord object and gateway frame the sandbox sends, built in one place.
//!
//! Shapes follow Discord's API v10 documentation and its OpenAPI description, not what serenity
//! happens to tolerate: serenity fills in many missing fields with defaults, but it drops a
//! dispatch silently (as `Event::Unknown`) when a field it requires is absent, which would make a
//! test hang instead of fail. Keeping all builders here lets the fidelity test deserialise exactly
//! what the sandbox sends with serenity's own types, and check REST answers against the
//! documented response schemas.
//!
//! Conventions, as on Discord: snowflakes and permission bitfields are strings, timestamps are
//! ISO 8601 with microseconds and `+00:00`, nullable fields are present as `null`.

use super::permissions::{self as perms, bits};
use super::world::{ChannelKind, OverwriteSpec, World};
use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde_json::{json, Map, Value};

/// Discord's epoch for snowflakes (2015-01-01T00:00:00Z), in milliseconds since the Unix epoch.
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

pub mod intents {
    //! Gateway intents that decide which dispatches the bot receives.
    pub const GUILDS: u64 = 1 << 0;
    pub const GUILD_MEMBERS: u64 = 1 << 1;
    pub const GUILD_PRESENCES: u64 = 1 << 8;
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    pub const GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
}

/// Size limit Discord reports for attachments in interactions (10 MiB, a guild without boosts).
const ATTACHMENT_SIZE_LIMIT: u64 = 10 * 1024 * 1024;

pub fn snowflake(id: u64) -> Value {
    Value::String(id.to_string())
}

/// The time a snowflake was made, which Discord (and serenity's `created_at`) derive from it.
pub fn snowflake_time(id: u64) -> DateTime<Utc> {
    let ms = (id >> 22) + DISCORD_EPOCH_MS;
    Utc.timestamp_millis_opt(ms as i64)
        .single()
        .unwrap_or_default()
}

/// Discord's timestamp format: `2024-05-01T12:00:00.000000+00:00`.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// When every member of the sandbox guild joined it (fixed, so payloads are reproducible).
pub fn joined_at() -> String {
    timestamp(Utc.with_ymd_and_hms(2024, 1, 15, 12, 0, 0).unwrap())
}

// ---------------------------------------------------------------------------------------------
// Users, members, roles

/// A user object. Unknown ids (not in the world) get a placeholder name, as deleted users do.
pub fn user(world: &World, user_id: u64) -> Value {
    let bot = user_id == world.bot_user_id;
    let username = world
        .member(user_id)
        .map_or_else(|| "Deleted User".to_owned(), |m| m.username.clone());
    json!({
        "id": snowflake(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": if bot { Value::Null } else { Value::String(username.clone()) },
        "avatar": null,
        "bot": bot,
        "system": false,
        "public_flags": 0,
        "flags": 0,
        "banner": null,
        "accent_color": null,
        "avatar_decoration_data": null,
        "collectibles": null,
        "primary_guild": null,
    })
}

/// The bot's own user as `GET /users/@me` and READY give it (with the private fields).
pub fn current_user(world: &World) -> Value {
    let mut user = user(world, world.bot_user_id);
    let map = user.as_object_mut().expect("a user is an object");
    map.insert("mfa_enabled".into(), json!(false));
    map.insert("locale".into(), json!("en-US"));
    map.insert("verified".into(), json!(true));
    map.insert("email".into(), Value::Null);
    map.insert("premium_type".into(), json!(0));
    user
}

/// A guild member with its user, as in GUILD_CREATE and `GET /guilds/{id}/members`.
pub fn member(world: &World, user_id: u64, roles: &[u64]) -> Value {
    let mut member = partial_member(roles);
    member["user"] = user(world, user_id);
    member
}

/// A member without its user, as in MESSAGE_CREATE's `member` (the user is the author).
pub fn partial_member(roles: &[u64]) -> Value {
    json!({
        "roles": roles.iter().map(|r| snowflake(*r)).collect::<Vec<_>>(),
        "nick": null,
        "avatar": null,
        "banner": null,
        "joined_at": joined_at(),
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "pending": false,
        "flags": 0,
        "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
        "avatar_decoration_data": null,
        "collectibles": null,
    })
}

/// A member with the `permissions` field interactions carry: "total permissions of the member
/// in the channel, including overwrites" (`resources/guild.mdx`, "Guild Member Object").
pub fn interaction_member(world: &World, user_id: u64, roles: &[u64], permissions: u64) -> Value {
    let mut member = member(world, user_id, roles);
    member["permissions"] = json!(permissions.to_string());
    member
}

/// Every role, `@everyone` first, with the newer `colors` object serenity 0.12.5 requires.
pub fn roles(world: &World) -> Vec<Value> {
    let everyone = role(world, world.guild_id, "@everyone", 0);
    let others = world
        .roles
        .iter()
        .enumerate()
        .map(|(i, r)| role(world, r.id, &r.name, world.roles.len() - i));
    std::iter::once(everyone).chain(others).collect()
}

fn role(world: &World, id: u64, name: &str, position: usize) -> Value {
    let managed = world.role(id).is_some_and(|r| r.managed);
    let mut role = json!({
        "id": snowflake(id),
        "name": name,
        "description": null,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null},
        "hoist": false,
        "icon": null,
        "unicode_emoji": null,
        "position": position,
        "permissions": perms::role_permissions(world, id).to_string(),
        "managed": managed,
        "mentionable": false,
        "flags": 0,
    });
    if managed && world.bot_roles().contains(&id) {
        role["tags"] = json!({"bot_id": snowflake(world.bot_user_id)});
    }
    role
}

// ---------------------------------------------------------------------------------------------
// Channels

/// A guild channel object. Text channels carry the text-only fields; categories do not.
pub fn channel(
    world: &World,
    id: u64,
    name: &str,
    kind: u8,
    parent_id: Option<u64>,
    position: usize,
) -> Value {
    let mut channel = json!({
        "id": snowflake(id),
        "type": kind,
        "guild_id": snowflake(world.guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": parent_id.map(snowflake),
        "nsfw": false,
        "flags": 0,
    });
    if kind != ChannelKind::Category.discord_type() {
        let map = channel.as_object_mut().expect("a channel is an object");
        map.insert("topic".into(), Value::Null);
        map.insert("last_message_id".into(), Value::Null);
        map.insert("last_pin_timestamp".into(), Value::Null);
        map.insert("rate_limit_per_user".into(), json!(0));
    }
    channel
}

/// The world's channels as the guild starts with them.
pub fn initial_channels(world: &World) -> Vec<Value> {
    world
        .channels
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut channel = channel(world, c.id, &c.name, c.kind.discord_type(), c.parent_id, i);
            channel["permission_overwrites"] = c
                .overwrites
                .iter()
                .map(|o| overwrite(o.id, o.kind.discord_type(), o.allow, o.deny))
                .collect();
            channel
        })
        .collect()
}

/// A permission overwrite in Discord's answer shape (`type` 0 role, 1 member).
pub fn overwrite(id: u64, kind: u8, allow: u64, deny: u64) -> Value {
    json!({
        "id": snowflake(id),
        "type": kind,
        "allow": allow.to_string(),
        "deny": deny.to_string(),
    })
}

/// The overwrites of a channel object (`permission_overwrites`), as the permission model reads
/// them; malformed entries are skipped.
pub fn overwrites_of(channel: &Value) -> Vec<OverwriteSpec> {
    use super::world::OverwriteKind;
    channel["permission_overwrites"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|o| {
            Some(OverwriteSpec {
                id: id_of(o)?,
                kind: if o["type"] == 1 {
                    OverwriteKind::Member
                } else {
                    OverwriteKind::Role
                },
                allow: body_id(&o["allow"]).unwrap_or(0),
                deny: body_id(&o["deny"]).unwrap_or(0),
            })
        })
        .collect()
}

/// The partial channel interactions carry.
fn interaction_channel(channel: &Value, permissions: u64) -> Value {
    let mut partial = Map::new();
    for key in [
        "id",
        "type",
        "guild_id",
        "name",
        "parent_id",
        "position",
        "nsfw",
        "flags",
        "topic",
        "last_message_id",
        "rate_limit_per_user",
        "permission_overwrites",
    ] {
        if let Some(v) = channel.get(key) {
            partial.insert(key.into(), v.clone());
        }
    }
    partial.insert("permissions".into(), json!(permissions.to_string()));
    Value::Object(partial)
}

// ---------------------------------------------------------------------------------------------
// Guild

/// The guild's own fields, as `GET /guilds/{id}` answers (with `with_counts` counts).
pub fn guild(world: &World) -> Value {
    let mut guild = json!({
        "id": snowflake(world.guild_id),
        "name": world.guild_name,
        "icon": null,
        "icon_hash": null,
        "description": null,
        "home_header": null,
        "splash": null,
        "discovery_splash": null,
        "features": [],
        "banner": null,
        "owner_id": snowflake(world.owner_id()),
        "application_id": null,
        "region": "deprecated",
        "afk_channel_id": null,
        "afk_timeout": 300,
        "system_channel_id": null,
        "system_channel_flags": 0,
        "widget_enabled": false,
        "widget_channel_id": null,
        "verification_level": 1,
    });
    // Two literals: one would exceed `json!`'s macro recursion limit.
    let more = json!({
        "roles": roles(world),
        "default_message_notifications": 1,
        "mfa_level": 0,
        "explicit_content_filter": 2,
        "max_presences": null,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": null,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "rules_channel_id": null,
        "safety_alerts_channel_id": null,
        "public_updates_channel_id": null,
        "premium_progress_bar_enabled": false,
        "nsfw": false,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": null,
        "approximate_member_count": world.members.len(),
        "approximate_presence_count": 0,
    });
    let map = guild.as_object_mut().expect("a guild is an object");
    map.extend(more.as_object().expect("an object").clone());
    guild
}

/// GUILD_CREATE's payload: the guild plus the gateway-only fields. `members` holds only the bot
/// unless the bot asked for GUILD_PRESENCES, as Discord does; `threads` are the active threads.
pub fn guild_create(
    world: &World,
    channels: &[Value],
    threads: &[Value],
    members: Vec<Value>,
) -> Value {
    let mut guild = guild(world);
    let map = guild.as_object_mut().expect("a guild is an object");
    map.remove("approximate_member_count");
    map.remove("approximate_presence_count");
    map.insert("joined_at".into(), json!(joined_at()));
    map.insert("large".into(), json!(false));
    map.insert("unavailable".into(), json!(false));
    map.insert("member_count".into(), json!(world.members.len()));
    map.insert("voice_states".into(), json!([]));
    map.insert("members".into(), Value::Array(members));
    map.insert("channels".into(), Value::Array(channels.to_vec()));
    map.insert("threads".into(), Value::Array(threads.to_vec()));
    map.insert("presences".into(), json!([]));
    map.insert("stage_instances".into(), json!([]));
    map.insert("guild_scheduled_events".into(), json!([]));
    map.insert("soundboard_sounds".into(), json!([]));
    guild
}

// ---------------------------------------------------------------------------------------------
// Application and gateway bootstrap

/// `GET /oauth2/applications/@me`.
pub fn application(world: &World) -> Value {
    json!({
        "id": snowflake(world.application_id),
        // The application is named after its bot user, as a bot's usually is.
        "name": world.member(world.bot_user_id).map_or("bot", |m| m.username.as_str()),
        "icon": null,
        "description": "An application served by the Discord stand-in",
        "type": null,
        "bot": user(world, world.bot_user_id),
        "bot_public": false,
        "bot_require_code_grant": false,
        "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
        "flags": world.application_flags,
        "flags_new": world.application_flags.to_string(),
        "redirect_uris": [],
        "interactions_endpoint_url": null,
        "role_connections_verification_url": null,
        "owner": user(world, world.owner_id()),
        "team": null,
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "eligible_oauth2_scopes": [],
        "integration_types_config": {"0": {}},
        "rpc_origins": [],
        "tags": [],
    })
}

pub fn gateway(ws_url: &str) -> Value {
    json!({ "url": ws_url })
}

pub fn gateway_bot(ws_url: &str) -> Value {
    json!({
        "url": ws_url,
        "shards": 1,
        "session_start_limit": {
            "total": 1000,
            "remaining": 999,
            "reset_after": 86_400_000,
            "max_concurrency": 1,
        },
    })
}

/// READY. `shard` echoes what IDENTIFY asked for.
pub fn ready(world: &World, session_id: &str, ws_url: &str, shard: &Value) -> Value {
    json!({
        "v": 10,
        "user": current_user(world),
        "private_channels": [],
        "guilds": [{"id": snowflake(world.guild_id), "unavailable": true}],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": ws_url,
        "shard": shard,
        "application": {"id": snowflake(world.application_id), "flags": world.application_flags},
        "presences": [],
        "relationships": [],
        "geo_ordered_rtc_regions": [],
        "guild_join_requests": [],
        "user_settings": {},
        "_trace": ["[\"discord-standin\",{\"micros\":0}]"],
    })
}

/// A gateway frame: `op` with `d`, and for dispatches (`op` 0) the name and sequence.
pub fn frame(op: u8, d: Value, dispatch: Option<(&str, u64)>) -> Value {
    match dispatch {
        Some((t, s)) => json!({"op": op, "d": d, "s": s, "t": t}),
        None => json!({"op": op, "d": d, "s": null, "t": null}),
    }
}

pub fn hello(heartbeat_interval_ms: u64) -> Value {
    frame(
        10,
        json!({"heartbeat_interval": heartbeat_interval_ms, "_trace": ["[\"discord-standin\"]"]}),
        None,
    )
}

pub fn heartbeat_ack() -> Value {
    json!({"op": 11, "d": null, "s": null, "t": null})
}

pub fn reconnect() -> Value {
    json!({"op": 7, "d": null, "s": null, "t": null})
}

pub fn invalid_session(resumable: bool) -> Value {
    json!({"op": 9, "d": resumable, "s": null, "t": null})
}

pub fn resumed() -> Value {
    json!({"_trace": ["[\"discord-standin\"]"]})
}

// ---------------------------------------------------------------------------------------------
// Messages

/// What a new message consists of; [`message`] turns it into a Discord Message object.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: u64,
    pub channel_id: u64,
    pub author_id: u64,
    pub content: String,
    pub timestamp: DateTime<Utc>,
    /// Message type: 0 default, 19 reply, 20 chat input command (an interaction response).
    pub kind: u8,
    pub flags: u64,
    pub tts: bool,
    pub embeds: Vec<Value>,
    pub components: Vec<Value>,
    /// For a reply: the `message_reference` and the message it points at.
    pub reference: Option<(Value, Value)>,
    /// For messages sent through an interaction's webhook.
    pub webhook_id: Option<u64>,
    pub application_id: Option<u64>,
    pub interaction_metadata: Option<Value>,
    /// The deprecated `interaction` field, still sent for command responses.
    pub interaction: Option<Value>,
}

impl NewMessage {
    pub fn new(id: u64, channel_id: u64, author_id: u64, content: &str) -> NewMessage {
        NewMessage {
            id,
            channel_id,
            author_id,
            content: content.to_owned(),
            timestamp: snowflake_time(id),
            kind: 0,
            flags: 0,
            tts: false,
            embeds: Vec::new(),
            components: Vec::new(),
            reference: None,
            webhook_id: None,
            application_id: None,
            interaction_metadata: None,
            interaction: None,
        }
    }
}

/// A Message object as REST answers carry it (no `guild_id`/`member`: see [`gateway_message`]).
pub fn message(world: &World, m: &NewMessage) -> Value {
    let (mentions, mention_roles) = mentions(world, &m.content);
    let mention_everyone = (m.content.contains("@everyone") || m.content.contains("@here"))
        && perms::base(world, m.author_id, &author_roles(world, m.author_id))
            & bits::MENTION_EVERYONE
            != 0;
    let mut message = json!({
        "id": snowflake(m.id),
        "channel_id": snowflake(m.channel_id),
        "author": user(world, m.author_id),
        "content": m.content,
        "timestamp": timestamp(m.timestamp),
        "edited_timestamp": null,
        "tts": m.tts,
        "mention_everyone": mention_everyone,
        "mentions": mentions.iter().map(|u| user(world, *u)).collect::<Vec<_>>(),
        "mention_roles": mention_roles.iter().map(|r| snowflake(*r)).collect::<Vec<_>>(),
        "mention_channels": [],
        "attachments": [],
        "embeds": m.embeds.iter().map(embed).collect::<Vec<_>>(),
        "pinned": false,
        "type": m.kind,
        "flags": m.flags,
        "components": numbered_components(&m.components),
    });
    let map = message.as_object_mut().expect("a message is an object");
    if let Some((reference, referenced)) = &m.reference {
        map.insert("message_reference".into(), reference.clone());
        map.insert("referenced_message".into(), referenced.clone());
    }
    if let Some(id) = m.webhook_id {
        map.insert("webhook_id".into(), snowflake(id));
    }
    if let Some(id) = m.application_id {
        map.insert("application_id".into(), snowflake(id));
    }
    if let Some(meta) = &m.interaction_metadata {
        map.insert("interaction_metadata".into(), meta.clone());
    }
    if let Some(interaction) = &m.interaction {
        map.insert("interaction".into(), interaction.clone());
    }
    message
}

fn author_roles(world: &World, user_id: u64) -> Vec<u64> {
    world
        .member(user_id)
        .map(|m| m.roles.clone())
        .unwrap_or_default()
}

/// A message as MESSAGE_CREATE / MESSAGE_UPDATE carry it: with `guild_id`, the author's partial
/// `member` (not for webhook messages), and each mentioned user's partial `member`. `roles_of`
/// gives a member's current roles. (The gateway blanks the content for bots without the
/// MESSAGE_CONTENT intent.)
pub fn gateway_message(
    world: &World,
    message: &Value,
    roles_of: &dyn Fn(u64) -> Option<Vec<u64>>,
) -> Value {
    let mut message = message.clone();
    message["guild_id"] = snowflake(world.guild_id);
    if message.get("webhook_id").is_none() {
        if let Some(roles) = id_of(&message["author"]).and_then(roles_of) {
            message["member"] = partial_member(&roles);
        }
    }
    if let Some(mentions) = message["mentions"].as_array_mut() {
        for mention in mentions {
            if let Some(roles) = id_of(mention).and_then(roles_of) {
                mention["member"] = partial_member(&roles);
            }
        }
    }
    message
}

/// A snowflake written as a string or a number.
pub fn body_id(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// The id in an object's `id` field.
pub fn id_of(value: &Value) -> Option<u64> {
    body_id(&value["id"])
}

/// The users (`<@id>`, `<@!id>`) and roles (`<@&id>`) mentioned in `content` that exist in the
/// guild, each once, in order of first mention.
pub fn mentions(world: &World, content: &str) -> (Vec<u64>, Vec<u64>) {
    let mut users = Vec::new();
    let mut roles = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find('>') else { break };
        let inner = &rest[..end];
        let (is_role, digits) = match inner.strip_prefix('&') {
            Some(d) => (true, d),
            None => (false, inner.strip_prefix('!').unwrap_or(inner)),
        };
        if let Ok(id) = digits.parse::<u64>() {
            if is_role && world.role(id).is_some() && !roles.contains(&id) {
                roles.push(id);
            } else if !is_role && world.member(id).is_some() && !users.contains(&id) {
                users.push(id);
            }
        }
        rest = &rest[end..];
    }
    (users, roles)
}

/// An embed as Discord stores it: `type: rich` added, colour normalised.
pub fn embed(embed: &Value) -> Value {
    let mut embed = embed.clone();
    if let Some(map) = embed.as_object_mut() {
        map.entry("type").or_insert_with(|| json!("rich"));
        if let Some(fields) = map.get_mut("fields").and_then(Value::as_array_mut) {
            for field in fields {
                if field.get("inline").is_none() {
                    field["inline"] = json!(false);
                }
            }
        }
    }
    embed
}

/// Components as Discord stores them: each without an `id` gets the next number, depth first
/// (Discord's auto-populated component ids).
pub fn numbered_components(components: &[Value]) -> Vec<Value> {
    fn number(component: &mut Value, next: &mut u64) {
        if let Some(map) = component.as_object_mut() {
            if map.get("id").is_none_or(Value::is_null) {
                map.insert("id".into(), json!(*next));
            }
            *next += 1;
            if let Some(children) = map.get_mut("components").and_then(Value::as_array_mut) {
                for child in children {
                    number(child, next);
                }
            }
        }
    }
    let mut next = 1;
    let mut components = components.to_vec();
    for component in &mut components {
        number(component, &mut next);
    }
    components
}

/// The `reactions` array of a message: `(emoji, users)` in order of first reaction.
pub fn reactions(world: &World, reactions: &[(String, Vec<u64>)]) -> Vec<Value> {
    reactions
        .iter()
        .filter(|(_, users)| !users.is_empty())
        .map(|(emoji, users)| {
            json!({
                "emoji": partial_emoji(emoji),
                "count": users.len(),
                "count_details": {"burst": 0, "normal": users.len()},
                "burst_colors": [],
                "me_burst": false,
                "burst_me": false,
                "me": users.contains(&world.bot_user_id),
                "burst_count": 0,
            })
        })
        .collect()
}

/// `{id, name}` for a unicode emoji (`👍`) or a custom one written `name:id`.
pub fn partial_emoji(emoji: &str) -> Value {
    match emoji.rsplit_once(':') {
        Some((name, id)) if id.parse::<u64>().is_ok() => {
            json!({"id": id, "name": name, "animated": false})
        }
        _ => json!({"id": null, "name": emoji}),
    }
}

pub fn message_delete(world: &World, channel_id: u64, message_id: u64) -> Value {
    json!({
        "id": snowflake(message_id),
        "channel_id": snowflake(channel_id),
        "guild_id": snowflake(world.guild_id),
    })
}

/// What a MESSAGE_REACTION_ADD or MESSAGE_REACTION_REMOVE is about.
pub struct ReactionEvent<'a> {
    pub add: bool,
    pub user_id: u64,
    pub user_roles: &'a [u64],
    pub channel_id: u64,
    pub message_id: u64,
    pub message_author_id: Option<u64>,
    pub emoji: &'a str,
}

/// MESSAGE_REACTION_ADD (with the reacting member) or MESSAGE_REACTION_REMOVE.
pub fn reaction(world: &World, r: &ReactionEvent<'_>) -> Value {
    let mut event = json!({
        "user_id": snowflake(r.user_id),
        "channel_id": snowflake(r.channel_id),
        "message_id": snowflake(r.message_id),
        "guild_id": snowflake(world.guild_id),
        "emoji": partial_emoji(r.emoji),
        "burst": false,
        "type": 0,
    });
    if r.add {
        event["member"] = member(world, r.user_id, r.user_roles);
        event["burst_colors"] = json!([]);
        if let Some(author) = r.message_author_id {
            event["message_author_id"] = snowflake(author);
        }
    }
    event
}

pub fn guild_member_update(world: &World, user_id: u64, roles: &[u64]) -> Value {
    let mut event = member(world, user_id, roles);
    event["guild_id"] = snowflake(world.guild_id);
    event
}

// ---------------------------------------------------------------------------------------------
// Interactions

/// What every interaction shares; `data` and the type-specific fields are added by the callers.
pub struct InteractionBase<'a> {
    pub id: u64,
    pub token: &'a str,
    pub user_id: u64,
    pub user_roles: &'a [u64],
    pub channel: &'a Value,
    /// The member's permissions in the channel, overwrites included.
    pub member_permissions: u64,
    /// The bot's permissions in the channel: "Bitwise set of permissions the app has in the
    /// source location of the interaction" (`interactions/receiving-and-responding.mdx`,
    /// "Interaction Object").
    pub app_permissions: u64,
}

fn interaction(world: &World, base: &InteractionBase<'_>, kind: u8, data: Value) -> Value {
    let permissions = base.member_permissions;
    json!({
        "id": snowflake(base.id),
        "application_id": snowflake(world.application_id),
        "type": kind,
        "data": data,
        "guild": {"id": snowflake(world.guild_id), "locale": "en-US", "features": []},
        "guild_id": snowflake(world.guild_id),
        "guild_locale": "en-US",
        "channel": interaction_channel(base.channel, permissions),
        "channel_id": base.channel["id"],
        "member": interaction_member(world, base.user_id, base.user_roles, permissions),
        "token": base.token,
        "version": 1,
        "app_permissions": base.app_permissions.to_string(),
        "locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": snowflake(world.guild_id)},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
    })
}

/// A slash command (type 2). `resolved` holds the users, members, roles and channels named by
/// the options, as Discord resolves them.
pub fn command_interaction(
    world: &World,
    base: &InteractionBase<'_>,
    command: &Value,
    options: &Value,
    resolved: Option<Value>,
) -> Value {
    let mut data = json!({
        "id": command["id"],
        "name": command["name"],
        "type": command.get("type").cloned().unwrap_or(json!(1)),
    });
    if options.as_array().is_some_and(|o| !o.is_empty()) {
        data["options"] = options.clone();
    }
    if let Some(resolved) = resolved {
        data["resolved"] = resolved;
    }
    if !command["guild_id"].is_null() {
        data["guild_id"] = command["guild_id"].clone();
    }
    interaction(world, base, 2, data)
}

/// A button press (type 3) on `message`.
pub fn component_interaction(
    world: &World,
    base: &InteractionBase<'_>,
    message: &Value,
    custom_id: &str,
    component_type: u8,
) -> Value {
    let mut event = interaction(
        world,
        base,
        3,
        json!({"custom_id": custom_id, "component_type": component_type}),
    );
    event["message"] = message.clone();
    event
}

/// A modal submission (type 5): `rows` are the modal's action rows with the values filled in.
/// `message` is the message whose component opened the modal, if one did.
pub fn modal_interaction(
    world: &World,
    base: &InteractionBase<'_>,
    custom_id: &str,
    rows: Vec<Value>,
    message: Option<&Value>,
) -> Value {
    let mut event = interaction(
        world,
        base,
        5,
        json!({"custom_id": custom_id, "components": rows}),
    );
    if let Some(message) = message {
        event["message"] = message.clone();
    }
    event
}

/// `interaction_metadata` for messages sent in answer to an interaction.
pub fn interaction_metadata(
    world: &World,
    interaction_id: u64,
    kind: u8,
    user_id: u64,
    extra: Map<String, Value>,
) -> Value {
    let mut meta = json!({
        "id": snowflake(interaction_id),
        "type": kind,
        "user": user(world, user_id),
        "authorizing_integration_owners": {"0": snowflake(world.guild_id)},
    });
    meta.as_object_mut()
        .expect("metadata is an object")
        .extend(extra);
    meta
}

// ---------------------------------------------------------------------------------------------
// Errors

/// Discord's error body: `{"message": …, "code": …}`.
pub fn error(code: u32, message: &str) -> Value {
    json!({"message": message, "code": code})
}

/// 400 Invalid Form Body (50035) with `errors` nested by field path, each leaf holding
/// `_errors: [{code, message}]`, as Discord reports them.
pub fn invalid_form_body(problems: &[(String, String, String)]) -> Value {
    let mut errors = Map::new();
    for (path, code, message) in problems {
        let mut node = &mut errors;
        for key in path.split('/').filter(|k| !k.is_empty()) {
            node = node
                .entry(key.to_owned())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("error nodes are objects");
        }
        node.entry("_errors")
            .or_insert_with(|| json!([]))
            .as_array_mut()
            .expect("_errors is an array")
            .push(json!({"code": code, "message": message}));
    }
    json!({"message": "Invalid Form Body", "code": 50035, "errors": errors})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::StandardWorld as _;

    #[test]
    fn mentions_are_parsed_once_and_only_for_known_ids() {
        let world = World::standard();
        let alice = world.user_id("alice");
        let bob = world.user_id("bob");
        let moderator = world.role_id("Community Moderator");
        let content =
            format!("hi <@{alice}> and <@!{bob}>, <@{alice}> again, <@&{moderator}>, <@123> <@&9>");
        assert_eq!(
            mentions(&world, &content),
            (vec![alice, bob], vec![moderator])
        );
    }

    #[test]
    fn timestamps_use_discords_format() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
        assert_eq!(timestamp(t), "2024-05-01T12:00:00.000000+00:00");
    }

    #[test]
    fn custom_emoji_are_split_into_name_and_id() {
        assert_eq!(partial_emoji("👍"), json!({"id": null, "name": "👍"}));
        assert_eq!(partial_emoji("party:42")["id"], json!("42"));
        assert_eq!(partial_emoji("party:42")["name"], json!("party"));
    }

    #[test]
    fn form_errors_nest_by_path() {
        let body = invalid_form_body(&[(
            "/data/content".into(),
            "BASE_TYPE_MAX_LENGTH".into(),
            "too long".into(),
        )]);
        assert_eq!(
            body["errors"]["data"]["content"]["_errors"][0]["code"],
            "BASE_TYPE_MAX_LENGTH"
        );
    }
}
