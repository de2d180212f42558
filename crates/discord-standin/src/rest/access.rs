//! Discord's permission checks on the bot's requests: what it must hold where, answered with
//! Discord's 403s. The permissions themselves are computed by [`crate::permissions`].
//!
//! Two answers, as on Discord: a channel the bot cannot see (no VIEW_CHANNEL) is 403 code 50001
//! "Missing Access"; any other missing permission is 403 code 50013 "Missing Permissions".

use super::*;
use crate::permissions::{self, bits};
use crate::state::State;
use crate::world::{OverwriteKind, OverwriteSpec};

pub(super) fn missing_access() -> Reply {
    Reply::error(403, code::MISSING_ACCESS, "Missing Access")
}

pub(super) fn missing_permissions() -> Reply {
    Reply::error(403, code::MISSING_PERMISSIONS, "Missing Permissions")
}

/// The bot's permissions in channel (or category) `channel`, or Unknown Channel.
pub(super) fn bot_in(shared: &Shared, state: &State, channel: u64) -> Result<u64, Reply> {
    state
        .permissions_in(&shared.world, shared.world.bot_user_id, channel)
        .ok_or_else(unknown_channel)
}

/// The bot's guild-wide permissions.
pub(super) fn bot_base(shared: &Shared, state: &State) -> u64 {
    state
        .base_permissions(&shared.world, shared.world.bot_user_id)
        .unwrap_or(0)
}

/// `held` (the bot's permissions in a channel) must include VIEW_CHANNEL, else 50001, and
/// `needed`, else 50013.
pub(super) fn require(held: u64, needed: u64) -> Result<(), Reply> {
    // Discord: topics/permissions.mdx, "Implicit Permissions": without VIEW_CHANNEL nothing in
    // the channel is allowed; Discord answers "Missing Access" (50001) for a channel the bot
    // cannot see (topics/opcodes-and-status-codes.mdx, "JSON Error Codes").
    if held & bits::VIEW_CHANNEL == 0 {
        return Err(missing_access());
    }
    if held & needed != needed {
        return Err(missing_permissions());
    }
    Ok(())
}

/// [`require`] for the bot in `channel`.
pub(super) fn require_in(
    shared: &Shared,
    state: &State,
    channel: u64,
    needed: u64,
) -> Result<u64, Reply> {
    let held = bot_in(shared, state, channel)?;
    require(held, needed)?;
    Ok(held)
}

/// Guild-wide `needed` (e.g. MANAGE_ROLES to give a role), else 50013.
pub(super) fn require_in_guild(shared: &Shared, state: &State, needed: u64) -> Result<(), Reply> {
    if bot_base(shared, state) & needed != needed {
        return Err(missing_permissions());
    }
    Ok(())
}

/// Overwrites from a request body (already in Discord's answer shape) as the model reads them.
pub(super) fn specs(overwrites: &[Value]) -> Vec<OverwriteSpec> {
    payloads::overwrites_of(&json!({ "permission_overwrites": overwrites }))
}

/// The overwrite rule, for Create Guild Channel, Modify Channel and Edit Channel Permissions:
/// every bit an overwrite allows or denies must be one the bot holds where the channel lives
/// (`parent`, the category, when there is one; the guild otherwise), and MANAGE_ROLES may appear
/// in an overwrite only for an administrator; both unless the bot has an overwrite allowing it
/// MANAGE_ROLES in the `existing` channel.
///
/// Discord: resources/guild.mdx, "Create Guild Channel": "If setting permission overwrites,
/// only permissions your bot has in the guild can be allowed/denied. Setting MANAGE_ROLES
/// permission in channels is only possible for guild administrators." resources/channel.mdx,
/// "Modify Channel" and "Edit Channel Permissions": "Only permissions your bot has in the guild
/// or parent channel (if applicable) can be allowed/denied (unless your bot has a MANAGE_ROLES
/// overwrite in the channel)." change-log.mdx, "Change to Permission Checking when Creating
/// Channels" (2021-01-22): "Setting MANAGE_ROLES permission in channel overwrites is only
/// possible for guild administrators or users with MANAGE_ROLES as a permission overwrite in the
/// channel." The sandbox reads "in the guild or parent channel" as the parent category when the
/// channel has one (for a new channel too: it is created there), the guild otherwise.
///
/// Every overwrite sent is checked, also one the channel already had: the documentation does not
/// say Discord compares them with the current ones.
pub(super) fn check_overwrites(
    shared: &Shared,
    state: &State,
    parent: Option<u64>,
    existing: Option<u64>,
    overwrites: &[OverwriteSpec],
) -> Result<(), Reply> {
    let base = bot_base(shared, state);
    if base & bits::ADMINISTRATOR != 0 || overwrites.is_empty() {
        return Ok(());
    }
    if existing.is_some_and(|c| has_manage_roles_overwrite(shared, state, c)) {
        return Ok(());
    }
    let held = match parent {
        Some(category) => bot_in(shared, state, category)?,
        None => base,
    };
    for o in overwrites {
        let written = o.allow | o.deny;
        if written & bits::MANAGE_ROLES != 0 || written & !held != 0 {
            tracing::debug!(
                target = o.id,
                missing = ?permissions::names(written & (!held | bits::MANAGE_ROLES)),
                "the sandbox refuses an overwrite with bits the bot does not hold"
            );
            return Err(missing_permissions());
        }
    }
    Ok(())
}

/// Whether channel `channel` has an overwrite for the bot (its member, one of its roles, or
/// `@everyone`) that allows MANAGE_ROLES.
fn has_manage_roles_overwrite(shared: &Shared, state: &State, channel: u64) -> bool {
    let world = &shared.world;
    let bot = world.bot_user_id;
    let roles = state.roles_of(bot).unwrap_or_default();
    let Some(channel) = state.channel(channel) else {
        return false;
    };
    payloads::overwrites_of(channel).iter().any(|o| {
        let applies = match o.kind {
            OverwriteKind::Member => o.id == bot,
            OverwriteKind::Role => o.id == world.guild_id || roles.contains(&o.id),
        };
        applies && o.allow & bits::MANAGE_ROLES != 0
    })
}
