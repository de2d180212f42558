//! Guild routes: application commands, members and their roles, channels and permission
//! overwrites.

use super::access::{self, require, require_in, require_in_guild};
use super::*;
use crate::permissions::{self, application_flags as flags, bits};

pub(super) fn commands(
    shared: &Shared,
    method: &str,
    app: &str,
    guild: Option<&&str>,
    body: &Value,
) -> Handled {
    application_id(shared, app)?;
    let guild = guild.map(|g| guild_id(shared, g)).transpose()?;
    let mut state = shared.state();
    if method == "GET" {
        let list = match guild {
            Some(_) => &state.guild_commands,
            None => &state.global_commands,
        };
        return Ok(Reply::ok(Value::Array(list.clone())));
    }
    let Some(requested) = body.as_array() else {
        return Err(Reply::field("", "BASE_TYPE_ARRAY", "Must be an array."));
    };
    let problems = commands::validate_registration(requested);
    if !problems.is_empty() {
        return Err(Reply::form(&problems));
    }
    let existing = match guild {
        Some(_) => state.guild_commands.clone(),
        None => state.global_commands.clone(),
    };
    let registered: Vec<Value> = requested
        .iter()
        .map(|request| {
            let kind = request["type"].as_u64().unwrap_or(1);
            let id = existing
                .iter()
                .find(|c| c["name"] == request["name"] && c["type"].as_u64() == Some(kind))
                .and_then(payloads::id_of)
                .unwrap_or_else(|| state.next_id());
            let version = state.next_id();
            commands::echo(&shared.world, request, id, version, guild)
        })
        .collect();
    match guild {
        Some(_) => state.guild_commands = registered.clone(),
        None => state.global_commands = registered.clone(),
    }
    Ok(Reply::ok(Value::Array(registered)))
}

// ---------------------------------------------------------------------------------------------
// Members and roles

pub(super) fn list_members(shared: &Shared, guild: &str, query: &str) -> Handled {
    guild_id(shared, guild)?;
    // Discord: resources/guild.mdx, "List Guild Members": "This endpoint requires the
    // GUILD_MEMBERS Privileged Intent"; without it turned on for the application, Discord
    // answers 403 Missing Access (50001).
    let members_intent = flags::GATEWAY_GUILD_MEMBERS | flags::GATEWAY_GUILD_MEMBERS_LIMITED;
    if shared.world.application_flags & members_intent == 0 {
        return Err(access::missing_access());
    }
    let limit = query_u64(query, "limit").unwrap_or(1).clamp(1, 1000) as usize;
    let after = query_u64(query, "after").unwrap_or(0);
    let state = shared.state();
    let members = state
        .member_roles
        .range(after + 1..)
        .take(limit)
        .map(|(user, roles)| payloads::member(&shared.world, *user, roles))
        .collect();
    Ok(Reply::ok(Value::Array(members)))
}

pub(super) fn get_member(shared: &Shared, guild: &str, user: &str) -> Handled {
    guild_id(shared, guild)?;
    let user = id("user_id", user)?;
    let roles = shared
        .state()
        .roles_of(user)
        .ok_or_else(|| Reply::error(404, code::UNKNOWN_MEMBER, "Unknown Member"))?;
    Ok(Reply::ok(payloads::member(&shared.world, user, &roles)))
}

pub(super) async fn member_role(
    shared: &Shared,
    add: bool,
    guild: &str,
    user: &str,
    role: &str,
) -> Handled {
    let world = &shared.world;
    guild_id(shared, guild)?;
    let user = id("user_id", user)?;
    let role = id("role_id", role)?;
    if role == world.guild_id || world.role(role).is_none() {
        return Err(Reply::error(404, code::UNKNOWN_ROLE, "Unknown Role"));
    }
    {
        let state = shared.state();
        // Discord: resources/guild.mdx, "Add Guild Member Role" and "Remove Guild Member Role":
        // "Requires the MANAGE_ROLES permission".
        require_in_guild(shared, &state, bits::MANAGE_ROLES)?;
    }
    // Discord: topics/permissions.mdx, "Permission Hierarchy": "A bot can grant roles to other
    // users that are of a lower position than its own highest role." The hierarchy binds even
    // administrators.
    let bot_top = permissions::highest_role_position(world, world.bot_roles());
    let target = permissions::role_position(world, role).unwrap_or(usize::MAX);
    // Discord: topics/permissions.mdx, "Role Object": `managed`, "whether this role is managed
    // by an integration": such a role (a bot's own) is given and taken by Discord alone; the
    // documentation says no more, and bots that try meet 403 Missing Permissions (e.g.
    // Kivou-2000607/yata-bot#44, "Integrations roles raise perm errors").
    let managed = world.role(role).is_some_and(|r| r.managed);
    if target >= bot_top || managed {
        return Err(access::missing_permissions());
    }
    let update = {
        let mut state = shared.state();
        let roles = state
            .member_roles
            .get_mut(&user)
            .ok_or_else(|| Reply::error(404, code::UNKNOWN_MEMBER, "Unknown Member"))?;
        let had = roles.contains(&role);
        if add && !had {
            roles.push(role);
        } else if !add && had {
            roles.retain(|r| *r != role);
        }
        (add != had).then(|| payloads::guild_member_update(world, user, roles))
    };
    if let Some(update) = update {
        dispatch(shared, "GUILD_MEMBER_UPDATE", update, false).await;
    }
    Ok(Reply::no_content())
}

// ---------------------------------------------------------------------------------------------
// Channels

pub(super) fn get_channel(shared: &Shared, channel: &str) -> Handled {
    let channel = id("channel_id", channel)?;
    let state = shared.state();
    // Discord: topics/permissions.mdx, "Implicit Permissions": a channel the bot cannot view
    // is one it has no access to (50001).
    require_in(shared, &state, channel, 0)?;
    state
        .channel(channel)
        .cloned()
        .map(Reply::ok)
        .ok_or_else(unknown_channel)
}

/// Discord's normalisation of text channel names: lowercase, whitespace runs to one `-`.
pub(super) fn text_channel_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
        .to_lowercase()
}

pub(super) async fn create_channel(shared: &Shared, guild: &str, body: &Value) -> Handled {
    let world = &shared.world;
    guild_id(shared, guild)?;
    let kind = body["type"].as_u64().unwrap_or(0) as u8;
    let name = body["name"].as_str().unwrap_or_default();
    let name = if kind == 0 {
        text_channel_name(name)
    } else {
        name.to_owned()
    };
    let channel = {
        let mut state = shared.state();
        let parent = parent(&state.channels, &body["parent_id"])?;
        let requested = &body["permission_overwrites"];
        let overwrites = overwrites(requested)?;
        // Discord: resources/guild.mdx, "Create Guild Channel": "Requires the MANAGE_CHANNELS
        // permission"; in the category the channel is created in, when there is one.
        match parent {
            Some(category) => {
                require_in(shared, &state, category, bits::MANAGE_CHANNELS)?;
            }
            None => require_in_guild(shared, &state, bits::MANAGE_CHANNELS)?,
        }
        access::check_overwrites(shared, &state, parent, None, &access::specs(&overwrites))?;
        // Discord: topics/permissions.mdx, "Permission Syncing": a channel with the same
        // overwrites as its category is synced with it; one created in a category without
        // overwrites of its own starts synced, with the category's.
        let overwrites = match parent.and_then(|p| state.channel(p)) {
            Some(category) if requested.is_null() => category["permission_overwrites"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            _ => overwrites,
        };
        let id = state.next_id();
        let position = body["position"]
            .as_u64()
            .map_or(state.channels.len(), |p| p as usize);
        let mut channel = payloads::channel(world, id, &name, kind, parent, position);
        channel["permission_overwrites"] = Value::Array(overwrites);
        for key in ["topic", "nsfw", "rate_limit_per_user"] {
            if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
                channel[key] = v.clone();
            }
        }
        state.channels.push(channel.clone());
        channel
    };
    dispatch(shared, "CHANNEL_CREATE", channel.clone(), false).await;
    Ok(Reply::created(channel))
}

/// A `parent_id` from a body: absent or null is none; otherwise it must be a category.
pub(super) fn parent(channels: &[Value], value: &Value) -> Result<Option<u64>, Reply> {
    if value.is_null() {
        return Ok(None);
    }
    let invalid = || {
        Reply::field(
            "/parent_id",
            "CHANNEL_PARENT_INVALID",
            "Category does not exist or is not a category.",
        )
    };
    let id = body_id(value).ok_or_else(invalid)?;
    channels
        .iter()
        .find(|c| payloads::id_of(c) == Some(id) && c["type"] == 4)
        .map(|_| Some(id))
        .ok_or_else(invalid)
}

/// Permission overwrites from a body, in Discord's answer shape.
pub(super) fn overwrites(value: &Value) -> Result<Vec<Value>, Reply> {
    let Some(items) = value.as_array() else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let target = body_id(&o["id"]).ok_or_else(|| {
                Reply::field(
                    &format!("/permission_overwrites/{i}/id"),
                    "NUMBER_TYPE_COERCE",
                    "Value is not snowflake.",
                )
            })?;
            Ok(overwrite_from(target, o))
        })
        .collect()
}

pub(super) fn overwrite_from(target: u64, body: &Value) -> Value {
    let kind = match &body["type"] {
        Value::String(s) if s == "member" || s == "1" => 1,
        Value::Number(n) if n.as_u64() == Some(1) => 1,
        _ => 0,
    };
    let bits = |v: &Value| body_id(v).unwrap_or(0);
    payloads::overwrite(target, kind, bits(&body["allow"]), bits(&body["deny"]))
}

pub(super) async fn edit_channel(shared: &Shared, channel: &str, body: &Value) -> Handled {
    let channel = id("channel_id", channel)?;
    let updated = {
        let mut state = shared.state();
        let new_parent = match body.get("parent_id") {
            Some(v) => Some(parent(&state.channels, v)?),
            None => None,
        };
        let parent_overwrites = new_parent
            .flatten()
            .and_then(|p| state.channel(p).map(|c| c["permission_overwrites"].clone()));
        let new_overwrites = match body.get("permission_overwrites") {
            Some(v) if !v.is_null() => Some(overwrites(v)?),
            _ => None,
        };
        let current_parent = state
            .channel(channel)
            .ok_or_else(unknown_channel)?
            .get("parent_id")
            .and_then(body_id);
        // Discord: resources/channel.mdx, "Modify Channel": "Requires the MANAGE_CHANNELS
        // permission"; checked in the channel, where an overwrite can grant or deny it.
        let held = require_in(shared, &state, channel, bits::MANAGE_CHANNELS)?;
        if let Some(destination) = new_parent.filter(|p| *p != current_parent) {
            // Discord: resources/guild.mdx, "Modify Guild Channel Positions": "An entry that
            // changes parent_id requires the MANAGE_CHANNELS permission on that channel and on
            // the destination (the new parent category, or the guild when moving the channel
            // out of a category) [...] Otherwise the request fails with a 403 response and
            // error code 50001 (Missing Access)." Moving with Modify Channel is held to the same.
            let at_destination = match destination {
                Some(category) => access::bot_in(shared, &state, category)?,
                None => access::bot_base(shared, &state),
            };
            let needed = bits::MANAGE_CHANNELS | bits::VIEW_CHANNEL;
            if at_destination & needed != needed {
                return Err(access::missing_access());
            }
        }
        if new_overwrites.is_some() || body["lock_permissions"] == true {
            // Discord: resources/channel.mdx, "Modify Channel": "If modifying permission
            // overwrites, the MANAGE_ROLES permission is required"; resources/guild.mdx,
            // "Modify Guild Channel Positions": "Setting lock_permissions additionally requires
            // MANAGE_ROLES".
            require(held, bits::MANAGE_ROLES)?;
        }
        if let Some(overwrites) = &new_overwrites {
            let parent = new_parent.unwrap_or(current_parent);
            let specs = access::specs(overwrites);
            access::check_overwrites(shared, &state, parent, Some(channel), &specs)?;
        }
        let current = state.channel_mut(channel).ok_or_else(unknown_channel)?;
        if let Some(name) = body["name"].as_str() {
            current["name"] = json!(if current["type"] == 0 {
                text_channel_name(name)
            } else {
                name.to_owned()
            });
        }
        if let Some(parent) = new_parent {
            current["parent_id"] = parent.map_or(Value::Null, snowflake);
        }
        if let Some(overwrites) = new_overwrites {
            current["permission_overwrites"] = Value::Array(overwrites);
        } else if body["lock_permissions"] == true {
            if let Some(overwrites) = parent_overwrites {
                current["permission_overwrites"] = overwrites;
            }
        }
        for key in ["topic", "position", "nsfw", "rate_limit_per_user"] {
            if let Some(v) = body.get(key) {
                current[key] = v.clone();
            }
        }
        current.clone()
    };
    dispatch(shared, "CHANNEL_UPDATE", updated.clone(), false).await;
    Ok(Reply::ok(updated))
}

pub(super) async fn permission(
    shared: &Shared,
    put: bool,
    channel: &str,
    target: &str,
    body: &Value,
) -> Handled {
    let channel = id("channel_id", channel)?;
    let target = id("overwrite_id", target)?;
    let updated = {
        let mut state = shared.state();
        // Discord: resources/channel.mdx, "Edit Channel Permissions" and "Delete Channel
        // Permission": "Requires the MANAGE_ROLES permission" (in the channel: "Manage
        // Permissions", topics/permissions.mdx).
        require_in(shared, &state, channel, bits::MANAGE_ROLES)?;
        if put {
            let parent = state
                .channel(channel)
                .and_then(|c| c.get("parent_id"))
                .and_then(body_id);
            let written = [overwrite_from(target, body)];
            let specs = access::specs(&written);
            access::check_overwrites(shared, &state, parent, Some(channel), &specs)?;
        }
        let current = state.channel_mut(channel).ok_or_else(unknown_channel)?;
        let list = current["permission_overwrites"]
            .as_array_mut()
            .expect("channels always carry permission_overwrites");
        list.retain(|o| payloads::id_of(o) != Some(target));
        if put {
            list.push(overwrite_from(target, body));
        }
        current.clone()
    };
    dispatch(shared, "CHANNEL_UPDATE", updated, false).await;
    Ok(Reply::no_content())
}
