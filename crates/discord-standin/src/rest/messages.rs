//! Message routes: the bot's messages, edits, deletions and reactions, and the helpers that
//! store a message and announce it over the gateway (shared with the interaction routes).

use super::access::{require, require_in};
use super::*;
use crate::permissions::bits;

pub(super) fn list_messages(shared: &Shared, channel: &str, query: &str) -> Handled {
    let channel = id("channel_id", channel)?;
    let state = shared.state();
    state.channel(channel).ok_or_else(unknown_channel)?;
    // Discord: resources/message.mdx, "Get Channel Messages": "this endpoint requires the
    // current user to have the VIEW_CHANNEL permission [...] If the current user is missing the
    // READ_MESSAGE_HISTORY permission in the channel, then no messages will be returned."
    let held = require_in(shared, &state, channel, 0)?;
    if held & bits::READ_MESSAGE_HISTORY == 0 {
        return Ok(Reply::ok(json!([])));
    }
    let limit = query_u64(query, "limit").unwrap_or(50).clamp(1, 100) as usize;
    let live: Vec<&StoredMessage> = state
        .messages
        .iter()
        .filter(|m| m.channel_id == channel && !m.deleted && !m.ephemeral)
        .collect();
    let mut selected: Vec<&StoredMessage> = if let Some(before) = query_u64(query, "before") {
        live.into_iter()
            .filter(|m| m.id < before)
            .rev()
            .take(limit)
            .collect()
    } else if let Some(after) = query_u64(query, "after") {
        let mut after: Vec<_> = live
            .into_iter()
            .filter(|m| m.id > after)
            .take(limit)
            .collect();
        after.reverse();
        after
    } else if let Some(around) = query_u64(query, "around") {
        let half = limit / 2;
        let older: Vec<_> = live
            .iter()
            .filter(|m| m.id < around)
            .rev()
            .take(half)
            .collect();
        let newer: Vec<_> = live
            .iter()
            .filter(|m| m.id >= around)
            .take(limit - older.len())
            .collect();
        newer.into_iter().rev().chain(older).copied().collect()
    } else {
        live.into_iter().rev().take(limit).collect()
    };
    // Newest first, as Discord lists them.
    selected.sort_by_key(|m| std::cmp::Reverse(m.id));
    let world = &shared.world;
    Ok(Reply::ok(Value::Array(
        selected.into_iter().map(|m| m.render(world)).collect(),
    )))
}

pub(super) fn get_message(shared: &Shared, channel: &str, message: &str) -> Handled {
    let channel = id("channel_id", channel)?;
    let message = id("message_id", message)?;
    let state = shared.state();
    state.channel(channel).ok_or_else(unknown_channel)?;
    // Discord: resources/message.mdx, "Get Channel Message": "requires the current user to
    // have the VIEW_CHANNEL and READ_MESSAGE_HISTORY permissions".
    require_in(shared, &state, channel, bits::READ_MESSAGE_HISTORY)?;
    state
        .message(channel, message)
        .filter(|m| !m.ephemeral)
        .map(|m| Reply::ok(m.render(&shared.world)))
        .ok_or_else(unknown_message)
}

/// The checks Discord applies to a message body that Discord's OpenAPI description does not
/// express (the description, checked first, already holds each embed field, the number of
/// embeds, button labels, custom ids and buttons per row to their limits): content within the
/// limit, the embeds' total size, the number of action rows, and, when creating, something to
/// show. `at` is where the message sits in the request (`/data` in an interaction callback), for
/// the error paths.
pub(super) fn check_message_body(body: &Value, creating: bool, at: &str) -> Result<(), Reply> {
    let content = body["content"].as_str().unwrap_or_default();
    // Discord: resources/message.mdx, "Create Message", JSON Params: content "up to 2000
    // characters" (the description allows 4000).
    if content.chars().count() > MAX_CONTENT_CHARS {
        return Err(Reply::field(
            &format!("{at}/content"),
            "BASE_TYPE_MAX_LENGTH",
            &format!("Must be {MAX_CONTENT_CHARS} or fewer in length."),
        ));
    }
    // Discord: resources/message.mdx, "Embed Limits": "the combined sum of characters in all
    // title, description, field.name, field.value, footer.text, and author.name fields across all
    // embeds attached to a message must not exceed 6000 characters" ("Leading and trailing
    // whitespace characters are not included"). Discord's answer: errors.embeds._errors
    // [{code: MAX_EMBED_SIZE_EXCEEDED, message: "Embed size exceeds maximum size of 6000"}].
    if let Some(embeds) = body["embeds"].as_array() {
        let total: usize = embeds.iter().map(embed_size).sum();
        if total > MAX_EMBEDS_TOTAL_CHARS {
            return Err(Reply::field(
                &format!("{at}/embeds"),
                "MAX_EMBED_SIZE_EXCEEDED",
                &format!("Embed size exceeds maximum size of {MAX_EMBEDS_TOTAL_CHARS}"),
            ));
        }
    }
    // Discord: components/reference.mdx, "Legacy Message Component Behavior": "Legacy messages
    // allow up to 5 action rows as top-level components" (the description allows 40, the limit
    // of messages with the IS_COMPONENTS_V2 flag).
    let v2 = body["flags"].as_u64().unwrap_or(0) & IS_COMPONENTS_V2 != 0;
    if let Some(components) = body["components"].as_array() {
        if !v2 && components.len() > MAX_ACTION_ROWS {
            return Err(Reply::field(
                &format!("{at}/components"),
                "BASE_TYPE_MAX_LENGTH",
                &format!("Must be {MAX_ACTION_ROWS} or fewer in length."),
            ));
        }
    }
    let non_empty = |key: &str| body[key].as_array().is_some_and(|a| !a.is_empty());
    if creating
        && content.is_empty()
        && !["embeds", "components", "sticker_ids", "attachments"]
            .iter()
            .any(|k| non_empty(k))
        && body["poll"].is_null()
    {
        return Err(Reply::error(
            400,
            code::EMPTY_MESSAGE,
            "Cannot send an empty message",
        ));
    }
    Ok(())
}

/// The characters of an embed that count toward the 6,000 of a message, trimmed as Discord
/// trims them.
fn embed_size(embed: &Value) -> usize {
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.trim().chars().count());
    let fields: usize = embed["fields"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|f| chars(&f["name"]) + chars(&f["value"]))
        .sum();
    chars(&embed["title"])
        + chars(&embed["description"])
        + chars(&embed["footer"]["text"])
        + chars(&embed["author"]["name"])
        + fields
}

/// The body of a message the bot sends or edits in a channel where it holds `held`, with its
/// embeds dropped when that lacks EMBED_LINKS.
///
/// Discord: resources/message.mdx, "Create Message" does not list EMBED_LINKS among the
/// Limitations, and topics/permissions.mdx says of EMBED_LINKS only "Links sent by users with
/// this permission will be auto-embedded"; what Discord does is told by its issue tracker
/// (discord/discord-api-docs#2601, #5648, #1657): a bot without EMBED_LINKS has its embeds
/// ignored, and a new message that is nothing but embeds is refused with 403 Missing
/// Permissions. (Interaction responses and follow-ups are not subject to it.)
pub(super) fn without_embeds_unless_allowed(
    body: &Value,
    held: u64,
    creating: bool,
) -> Result<Value, Reply> {
    let has_embeds = body["embeds"].as_array().is_some_and(|e| !e.is_empty());
    if held & bits::EMBED_LINKS != 0 || !has_embeds {
        return Ok(body.clone());
    }
    let mut body = body.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("embeds");
    }
    let non_empty = |key: &str| body[key].as_array().is_some_and(|a| !a.is_empty());
    let has_content = body["content"].as_str().is_some_and(|c| !c.is_empty());
    let something_else = has_content
        || ["components", "sticker_ids", "attachments"]
            .iter()
            .any(|k| non_empty(k))
        || !body["poll"].is_null();
    if creating && !something_else {
        return Err(super::access::missing_permissions());
    }
    Ok(body)
}

/// A new message's parts from a request body (content, embeds, components, tts, flags).
pub(super) fn message_parts(message: &mut NewMessage, body: &Value, allowed_flags: u64) {
    message.content = body["content"].as_str().unwrap_or_default().to_owned();
    message.embeds = array(&body["embeds"]);
    message.components = array(&body["components"]);
    message.tts = body["tts"].as_bool().unwrap_or(false);
    message.flags = body["flags"].as_u64().unwrap_or(0) & allowed_flags;
}

pub(super) fn array(value: &Value) -> Vec<Value> {
    value
        .as_array()
        .map(|a| a.iter().map(commands::without_nulls).collect())
        .unwrap_or_default()
}

/// Applies an edit body to a stored message: the fields present change, mentions follow the new
/// content.
pub(super) fn apply_edit(world: &World, message: &mut Value, body: &Value, edited: bool) {
    if let Some(content) = body.get("content") {
        let content = content.as_str().unwrap_or_default();
        message["content"] = json!(content);
        let (users, roles) = payloads::mentions(world, content);
        message["mentions"] =
            Value::Array(users.iter().map(|u| payloads::user(world, *u)).collect());
        message["mention_roles"] = Value::Array(roles.iter().map(|r| snowflake(*r)).collect());
    }
    if let Some(embeds) = body.get("embeds") {
        message["embeds"] = Value::Array(array(embeds).iter().map(payloads::embed).collect());
    }
    if let Some(components) = body.get("components") {
        message["components"] = Value::Array(payloads::numbered_components(&array(components)));
    }
    if let Some(flags) = body["flags"].as_u64() {
        let kept = message["flags"].as_u64().unwrap_or(0) & !SUPPRESS_EMBEDS;
        message["flags"] = json!(kept | (flags & SUPPRESS_EMBEDS));
    }
    if edited {
        message["edited_timestamp"] = json!(payloads::timestamp(chrono::Utc::now()));
    }
}

/// Stores a new message; returns it rendered and, unless ephemeral, dispatches MESSAGE_CREATE.
pub(super) async fn store_and_announce(
    shared: &Shared,
    message: NewMessage,
    ephemeral: bool,
) -> Value {
    let world = &shared.world;
    let (rendered, event) = {
        let mut state = shared.state();
        let value = payloads::message(world, &message);
        if !ephemeral {
            if let Some(channel) = state.channel_mut(message.channel_id) {
                channel["last_message_id"] = snowflake(message.id);
            }
        }
        let event =
            (!ephemeral).then(|| payloads::gateway_message(world, &value, &|u| state.roles_of(u)));
        state.messages.push(StoredMessage {
            id: message.id,
            channel_id: message.channel_id,
            author_id: message.author_id,
            value: value.clone(),
            reactions: Vec::new(),
            deleted: false,
            ephemeral,
        });
        (value, event)
    };
    if let Some(event) = event {
        dispatch(shared, "MESSAGE_CREATE", event, false).await;
    }
    rendered
}

/// Applies `body` to the stored message `id`; dispatches MESSAGE_UPDATE unless ephemeral.
pub(super) async fn update_and_announce(
    shared: &Shared,
    id: u64,
    body: &Value,
    edited: bool,
    finish_loading: bool,
) -> Option<Value> {
    let world = &shared.world;
    let (rendered, event) = {
        let mut state = shared.state();
        let stored = state.message_by_id_mut(id)?;
        apply_edit(world, &mut stored.value, body, edited);
        if finish_loading {
            let flags = stored.value["flags"].as_u64().unwrap_or(0) & !LOADING;
            stored.value["flags"] = json!(flags);
        }
        let rendered = stored.render(world);
        let ephemeral = stored.ephemeral;
        let event = (!ephemeral)
            .then(|| payloads::gateway_message(world, &rendered, &|u| state.roles_of(u)));
        (rendered, event)
    };
    if let Some(event) = event {
        dispatch(shared, "MESSAGE_UPDATE", event, false).await;
    }
    Some(rendered)
}

/// How long Discord remembers a message's nonce for `enforce_nonce` ("the past few minutes").
const NONCE_WINDOW: chrono::Duration = chrono::Duration::minutes(5);

/// The bot's earlier message with this body's nonce, when the body enforces it: Discord returns
/// that message instead of creating another.
fn same_nonce<'a>(
    messages: &'a [StoredMessage],
    world: &World,
    body: &Value,
) -> Option<&'a StoredMessage> {
    let nonce = body.get("nonce").filter(|n| !n.is_null())?;
    if body["enforce_nonce"] != true {
        return None;
    }
    let since = chrono::Utc::now() - NONCE_WINDOW;
    messages.iter().rev().find(|m| {
        m.author_id == world.bot_user_id
            && m.value.get("nonce") == Some(nonce)
            && payloads::snowflake_time(m.id) >= since
    })
}

pub(super) async fn create_message(shared: &Shared, channel: &str, body: &Value) -> Handled {
    let world = &shared.world;
    let channel = id("channel_id", channel)?;
    check_message_body(body, true, "")?;
    let message = {
        let mut state = shared.state();
        let kind = state.channel(channel).ok_or_else(unknown_channel)?["type"].as_u64();
        if kind != Some(0) {
            return Err(Reply::error(
                400,
                code::NON_TEXT_CHANNEL,
                "Cannot send messages in a non-text channel",
            ));
        }
        if let Some(earlier) = same_nonce(&state.messages, world, body) {
            return Ok(Reply::ok(earlier.render(world)));
        }
        // Discord: resources/message.mdx, "Create Message", Limitations: "the current user
        // must have the SEND_MESSAGES permission"; "When sending a message with tts [...] the
        // SEND_TTS_MESSAGES permission"; "When creating a message as a reply to another
        // message, the current user must have the READ_MESSAGE_HISTORY permission".
        let mut needed = bits::SEND_MESSAGES;
        if body["tts"] == true {
            needed |= bits::SEND_TTS_MESSAGES;
        }
        let reference = &body["message_reference"];
        if !reference.is_null() {
            needed |= bits::READ_MESSAGE_HISTORY;
        }
        let held = require_in(shared, &state, channel, needed)?;
        let body = &without_embeds_unless_allowed(body, held, true)?;
        let mut message = NewMessage::new(state.next_id(), channel, world.bot_user_id, "");
        message_parts(&mut message, body, SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS);
        if !reference.is_null() {
            let target_channel = body_id(&reference["channel_id"]).unwrap_or(channel);
            let target = body_id(&reference["message_id"])
                .and_then(|m| state.message(target_channel, m))
                .filter(|m| !m.ephemeral);
            match target {
                Some(target) => {
                    message.kind = 19;
                    message.reference = Some((
                        json!({
                            "type": 0,
                            "message_id": snowflake(target.id),
                            "channel_id": snowflake(target.channel_id),
                            "guild_id": snowflake(world.guild_id),
                        }),
                        target.render(world),
                    ));
                }
                None if reference["fail_if_not_exists"] == false => {}
                None => {
                    return Err(Reply::field(
                        "/message_reference",
                        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                        "Unknown message",
                    ))
                }
            }
        }
        message
    };
    let id = message.id;
    let mut created = store_and_announce(shared, message, false).await;
    if let Some(nonce) = body.get("nonce").filter(|n| !n.is_null()) {
        created["nonce"] = nonce.clone();
        if let Some(stored) = shared.state().message_by_id_mut(id) {
            stored.value["nonce"] = nonce.clone();
        }
    }
    Ok(Reply::ok(created))
}

pub(super) async fn edit_message(
    shared: &Shared,
    channel: &str,
    message: &str,
    body: &Value,
) -> Handled {
    let channel = id("channel_id", channel)?;
    let message = id("message_id", message)?;
    check_message_body(body, false, "")?;
    let body = {
        let state = shared.state();
        state.channel(channel).ok_or_else(unknown_channel)?;
        let held = require_in(shared, &state, channel, 0)?;
        let stored = state
            .message(channel, message)
            .filter(|m| !m.ephemeral)
            .ok_or_else(unknown_message)?;
        let changes_content = ["content", "embeds", "components", "attachments"]
            .iter()
            .any(|k| body.get(*k).is_some());
        let own = stored.author_id == shared.world.bot_user_id;
        if !own && changes_content {
            return Err(Reply::error(
                403,
                code::CANNOT_EDIT_OTHERS,
                "Cannot edit a message authored by another user",
            ));
        }
        if !own {
            // Discord: resources/message.mdx, "Edit Message": "Other users can only edit flags
            // and only if they have the MANAGE_MESSAGES permission in the corresponding
            // channel."
            require(held, bits::MANAGE_MESSAGES)?;
        }
        without_embeds_unless_allowed(body, held, false)?
    };
    let body = &body;
    let updated = update_and_announce(shared, message, body, true, false)
        .await
        .ok_or_else(unknown_message)?;
    Ok(Reply::ok(updated))
}

pub(super) async fn delete_message(shared: &Shared, channel: &str, message: &str) -> Handled {
    let channel = id("channel_id", channel)?;
    let message = id("message_id", message)?;
    {
        let mut state = shared.state();
        state.channel(channel).ok_or_else(unknown_channel)?;
        let held = require_in(shared, &state, channel, 0)?;
        let bot = shared.world.bot_user_id;
        let stored = state
            .message_mut(channel, message)
            .filter(|m| !m.ephemeral)
            .ok_or_else(unknown_message)?;
        if stored.author_id != bot {
            // Discord: resources/message.mdx, "Delete Message": "trying to delete a message
            // that was not sent by the current user, this endpoint requires the
            // MANAGE_MESSAGES permission".
            require(held, bits::MANAGE_MESSAGES)?;
        }
        stored.deleted = true;
    }
    let event = payloads::message_delete(&shared.world, channel, message);
    dispatch(shared, "MESSAGE_DELETE", event, false).await;
    Ok(Reply::no_content())
}

pub(super) async fn reaction(
    shared: &Shared,
    add: bool,
    channel: &str,
    message: &str,
    emoji: &str,
    user: &str,
) -> Handled {
    let world = &shared.world;
    let channel = id("channel_id", channel)?;
    let message = id("message_id", message)?;
    let user = if user == "@me" {
        world.bot_user_id
    } else {
        id("user_id", user)?
    };
    if emoji.is_empty() || emoji.contains(':') {
        // The sandbox guild has no custom emoji.
        return Err(Reply::error(400, code::UNKNOWN_EMOJI, "Unknown Emoji"));
    }
    let event = {
        let mut state = shared.state();
        state.channel(channel).ok_or_else(unknown_channel)?;
        let held = require_in(shared, &state, channel, 0)?;
        let roles = state.roles_of(user).unwrap_or_default();
        let stored = state
            .message_mut(channel, message)
            .filter(|m| !m.ephemeral)
            .ok_or_else(unknown_message)?;
        if add {
            // Discord: resources/message.mdx, "Create Reaction": "requires the
            // READ_MESSAGE_HISTORY permission [...] Additionally, if nobody else has reacted to
            // the message using this emoji, this endpoint requires the ADD_REACTIONS
            // permission".
            let existing = stored
                .reactions
                .iter()
                .any(|(e, users)| e == emoji && !users.is_empty());
            let needed =
                bits::READ_MESSAGE_HISTORY | if existing { 0 } else { bits::ADD_REACTIONS };
            require(held, needed)?;
        } else if user != world.bot_user_id {
            // Discord: resources/message.mdx, "Delete User Reaction": "Deletes another user's
            // reaction. This endpoint requires the MANAGE_MESSAGES permission".
            require(held, bits::MANAGE_MESSAGES)?;
        }
        let author = stored.author_id;
        let changed = toggle_reaction(&mut stored.reactions, emoji, user, add);
        changed.then(|| {
            payloads::reaction(
                world,
                &payloads::ReactionEvent {
                    add,
                    user_id: user,
                    user_roles: &roles,
                    channel_id: channel,
                    message_id: message,
                    message_author_id: Some(author),
                    emoji,
                },
            )
        })
    };
    if let Some(event) = event {
        let name = if add {
            "MESSAGE_REACTION_ADD"
        } else {
            "MESSAGE_REACTION_REMOVE"
        };
        dispatch(shared, name, event, false).await;
    }
    Ok(Reply::no_content())
}

/// Adds or removes `user`'s `emoji` reaction; whether anything changed.
pub(crate) fn toggle_reaction(
    reactions: &mut Vec<(String, Vec<u64>)>,
    emoji: &str,
    user: u64,
    add: bool,
) -> bool {
    let position = reactions.iter().position(|(e, _)| e == emoji);
    match (add, position) {
        (true, Some(i)) => {
            let users = &mut reactions[i].1;
            if users.contains(&user) {
                return false;
            }
            users.push(user);
            true
        }
        (true, None) => {
            reactions.push((emoji.to_owned(), vec![user]));
            true
        }
        (false, Some(i)) => {
            let users = &mut reactions[i].1;
            let before = users.len();
            users.retain(|u| *u != user);
            let changed = users.len() != before;
            if users.is_empty() {
                reactions.remove(i);
            }
            changed
        }
        (false, None) => false,
    }
}

pub(super) fn reaction_users(
    shared: &Shared,
    channel: &str,
    message: &str,
    emoji: &str,
    query: &str,
) -> Handled {
    let channel = id("channel_id", channel)?;
    let message = id("message_id", message)?;
    let limit = query_u64(query, "limit").unwrap_or(25).clamp(1, 100) as usize;
    let after = query_u64(query, "after").unwrap_or(0);
    let state = shared.state();
    state.channel(channel).ok_or_else(unknown_channel)?;
    // Discord: resources/message.mdx, "Get Reactions" names no permission; the channel must be
    // one the bot can see (topics/permissions.mdx, "Implicit Permissions").
    require_in(shared, &state, channel, 0)?;
    let stored = state
        .message(channel, message)
        .filter(|m| !m.ephemeral)
        .ok_or_else(unknown_message)?;
    let mut users: Vec<u64> = stored
        .reactions
        .iter()
        .find(|(e, _)| e == emoji)
        .map(|(_, users)| users.clone())
        .unwrap_or_default();
    users.sort_unstable();
    let users = users
        .into_iter()
        .filter(|u| *u > after)
        .take(limit)
        .map(|u| payloads::user(&shared.world, u))
        .collect();
    Ok(Reply::ok(Value::Array(users)))
}
