//! Discord's permission model, written from its documentation (`topics/permissions.mdx`) and
//! independently of serenity's implementation: the bot computes its permissions with serenity's
//! code, the sandbox with this one, so a mistake in either shows up as a disagreement.
//!
//! - [`base`]: `compute_base_permissions` of "Permission Overwrites": the guild owner has every
//!   permission; otherwise `@everyone`'s permissions OR those of each of the member's roles, and
//!   every permission if that includes ADMINISTRATOR.
//! - [`in_channel`]: `compute_overwrites`: the channel's `@everyone` overwrite (deny, then
//!   allow), the member's roles' overwrites (all denies, then all allows), then the member's own
//!   overwrite; then the "Implicit Permissions" ([`implicit`]).
//! - [`highest_role_position`]: "Permission Hierarchy": a member's highest role is the one with
//!   the greatest position, `@everyone` being 0.

use super::world::{CommandPermissionSpec, OverwriteKind, OverwriteSpec, World};

/// Discord's permission bits (`topics/permissions.mdx`, "Bitwise Permission Flags").
pub mod bits {
    pub const CREATE_INSTANT_INVITE: u64 = 1 << 0;
    pub const KICK_MEMBERS: u64 = 1 << 1;
    pub const BAN_MEMBERS: u64 = 1 << 2;
    pub const ADMINISTRATOR: u64 = 1 << 3;
    pub const MANAGE_CHANNELS: u64 = 1 << 4;
    pub const MANAGE_GUILD: u64 = 1 << 5;
    pub const ADD_REACTIONS: u64 = 1 << 6;
    pub const VIEW_AUDIT_LOG: u64 = 1 << 7;
    pub const PRIORITY_SPEAKER: u64 = 1 << 8;
    pub const STREAM: u64 = 1 << 9;
    pub const VIEW_CHANNEL: u64 = 1 << 10;
    pub const SEND_MESSAGES: u64 = 1 << 11;
    pub const SEND_TTS_MESSAGES: u64 = 1 << 12;
    pub const MANAGE_MESSAGES: u64 = 1 << 13;
    pub const EMBED_LINKS: u64 = 1 << 14;
    pub const ATTACH_FILES: u64 = 1 << 15;
    pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
    pub const MENTION_EVERYONE: u64 = 1 << 17;
    pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
    pub const VIEW_GUILD_INSIGHTS: u64 = 1 << 19;
    pub const CONNECT: u64 = 1 << 20;
    pub const SPEAK: u64 = 1 << 21;
    pub const MUTE_MEMBERS: u64 = 1 << 22;
    pub const DEAFEN_MEMBERS: u64 = 1 << 23;
    pub const MOVE_MEMBERS: u64 = 1 << 24;
    pub const USE_VAD: u64 = 1 << 25;
    pub const CHANGE_NICKNAME: u64 = 1 << 26;
    pub const MANAGE_NICKNAMES: u64 = 1 << 27;
    /// "Manage Permissions" when it is about a channel.
    pub const MANAGE_ROLES: u64 = 1 << 28;
    pub const MANAGE_WEBHOOKS: u64 = 1 << 29;
    pub const MANAGE_GUILD_EXPRESSIONS: u64 = 1 << 30;
    pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
    pub const REQUEST_TO_SPEAK: u64 = 1 << 32;
    pub const MANAGE_EVENTS: u64 = 1 << 33;
    pub const MANAGE_THREADS: u64 = 1 << 34;
    pub const CREATE_PUBLIC_THREADS: u64 = 1 << 35;
    pub const CREATE_PRIVATE_THREADS: u64 = 1 << 36;
    pub const USE_EXTERNAL_STICKERS: u64 = 1 << 37;
    pub const SEND_MESSAGES_IN_THREADS: u64 = 1 << 38;
    pub const USE_EMBEDDED_ACTIVITIES: u64 = 1 << 39;
    pub const MODERATE_MEMBERS: u64 = 1 << 40;
    pub const VIEW_CREATOR_MONETIZATION_ANALYTICS: u64 = 1 << 41;
    pub const USE_SOUNDBOARD: u64 = 1 << 42;
    pub const CREATE_GUILD_EXPRESSIONS: u64 = 1 << 43;
    pub const CREATE_EVENTS: u64 = 1 << 44;
    pub const USE_EXTERNAL_SOUNDS: u64 = 1 << 45;
    pub const SEND_VOICE_MESSAGES: u64 = 1 << 46;
    pub const SET_VOICE_CHANNEL_STATUS: u64 = 1 << 48;
    pub const SEND_POLLS: u64 = 1 << 49;
    pub const USE_EXTERNAL_APPS: u64 = 1 << 50;
    pub const PIN_MESSAGES: u64 = 1 << 51;
    pub const BYPASS_SLOWMODE: u64 = 1 << 52;

    /// Every permission the documentation lists (bits 0 to 52; 47 is unassigned): what the
    /// owner and administrators have.
    pub const ALL: u64 = ((1 << 53) - 1) & !(1 << 47);

    /// discord.js's `PermissionsBitField.Default` (packages/discord.js/src/util/
    /// PermissionsBitField.js, `static Default = BigInt(104_324_673)`): what a new server's
    /// `@everyone` may do: create invites, add reactions, stream, view channels, send messages
    /// (also TTS), embed links, attach files, read history, mention everyone, use external emoji,
    /// connect, speak, use voice activity, change their nickname.
    pub const DISCORD_JS_DEFAULT: u64 = 104_324_673;

    /// `@everyone`'s permissions in a new server: [`DISCORD_JS_DEFAULT`] plus
    /// USE_APPLICATION_COMMANDS. discord.js's value predates that bit (added in December 2020 as
    /// USE_SLASH_COMMANDS) and was never updated, but Discord turns it on for `@everyone` in new
    /// servers: members use slash commands without any role (the interaction examples of Discord's
    /// own documentation, e.g. `components/reference.mdx`'s resolved member with permissions
    /// `2248473465835073`, carry bit 31 too).
    pub const EVERYONE_DEFAULT: u64 = DISCORD_JS_DEFAULT | USE_APPLICATION_COMMANDS;

    /// What SEND_MESSAGES implicitly takes away when it is missing (`topics/permissions.mdx`,
    /// "Implicit Permissions": "Denying SEND_MESSAGES implicitly denies MENTION_EVERYONE,
    /// SEND_TTS_MESSAGES, ATTACH_FILES, and EMBED_LINKS").
    pub const SEND_DEPENDENT: u64 =
        MENTION_EVERYONE | SEND_TTS_MESSAGES | ATTACH_FILES | EMBED_LINKS;
}

use bits::*;

/// Application flags (`resources/application.mdx`, "Application Flags") the sandbox reads.
pub mod application_flags {
    pub const GATEWAY_PRESENCE: u64 = 1 << 12;
    pub const GATEWAY_PRESENCE_LIMITED: u64 = 1 << 13;
    pub const GATEWAY_GUILD_MEMBERS: u64 = 1 << 14;
    /// "Intent required for bots in under 100 servers to receive member-related events".
    pub const GATEWAY_GUILD_MEMBERS_LIMITED: u64 = 1 << 15;
    pub const GATEWAY_MESSAGE_CONTENT: u64 = 1 << 18;
    /// "Intent required for bots in under 100 servers to receive message content".
    pub const GATEWAY_MESSAGE_CONTENT_LIMITED: u64 = 1 << 19;
}

/// The permissions of role `role_id`: `@everyone`'s for the guild's id, 0 for an unknown role.
pub fn role_permissions(world: &World, role_id: u64) -> u64 {
    if role_id == world.guild_id {
        world.everyone_permissions
    } else {
        world.role(role_id).map_or(0, |r| r.permissions)
    }
}

/// `compute_base_permissions` (`topics/permissions.mdx`, "Permission Overwrites"): the member's
/// guild-wide permissions.
pub fn base(world: &World, user_id: u64, roles: &[u64]) -> u64 {
    // Discord: "if guild.is_owner(member): return ALL".
    if user_id == world.owner_id() {
        return ALL;
    }
    // Discord: "permissions = role_everyone.permissions; for role in member.roles:
    // permissions |= role.permissions".
    let permissions = roles.iter().fold(world.everyone_permissions, |p, r| {
        p | role_permissions(world, *r)
    });
    // Discord: "if permissions & ADMINISTRATOR == ADMINISTRATOR: return ALL".
    if permissions & ADMINISTRATOR != 0 {
        ALL
    } else {
        permissions
    }
}

/// `compute_overwrites` (`topics/permissions.mdx`, "Permission Overwrites") followed by the
/// implicit rules: the member's permissions in a channel of `kind` (Discord's channel type)
/// with `overwrites`, from their `base` permissions.
pub fn in_channel(
    world: &World,
    base: u64,
    user_id: u64,
    roles: &[u64],
    kind: u8,
    overwrites: &[OverwriteSpec],
) -> u64 {
    // Discord: "ADMINISTRATOR overrides any potential permission overwrites".
    if base & ADMINISTRATOR != 0 {
        return ALL;
    }
    let mut permissions = base;
    let find =
        |id: u64, kind: OverwriteKind| overwrites.iter().find(|o| o.id == id && o.kind == kind);
    // 3 and 4: the @everyone overwrite (whose id is the guild's).
    if let Some(everyone) = find(world.guild_id, OverwriteKind::Role) {
        permissions &= !everyone.deny;
        permissions |= everyone.allow;
    }
    // 5 and 6: every role's denies, then every role's allows, whatever the roles' positions.
    let (mut allow, mut deny) = (0, 0);
    for role in roles.iter().filter(|r| **r != world.guild_id) {
        if let Some(o) = find(*role, OverwriteKind::Role) {
            allow |= o.allow;
            deny |= o.deny;
        }
    }
    permissions &= !deny;
    permissions |= allow;
    // 7 and 8: the member's own overwrite.
    if let Some(member) = find(user_id, OverwriteKind::Member) {
        permissions &= !member.deny;
        permissions |= member.allow;
    }
    implicit(permissions, kind)
}

/// "Implicit Permissions" (`topics/permissions.mdx`): without VIEW_CHANNEL nothing else in the
/// channel counts ("Denying a user or a role VIEW_CHANNEL on a channel implicitly denies other
/// permissions on the channel"); in a text channel, without SEND_MESSAGES the permissions that
/// only make sense when sending ([`bits::SEND_DEPENDENT`]) do not count either.
pub fn implicit(permissions: u64, kind: u8) -> u64 {
    if permissions & VIEW_CHANNEL == 0 {
        return 0;
    }
    if kind == 0 && permissions & SEND_MESSAGES == 0 {
        return permissions & !SEND_DEPENDENT;
    }
    permissions
}

/// The position of a role as the sandbox serves it: `@everyone` 0, then the world's roles
/// from the bottom of [`World::roles`] (its last role is 1) to the top.
pub fn role_position(world: &World, role_id: u64) -> Option<usize> {
    if role_id == world.guild_id {
        return Some(0);
    }
    let index = world.roles.iter().position(|r| r.id == role_id)?;
    Some(world.roles.len() - index)
}

/// "Permission Hierarchy" (`topics/permissions.mdx`): "A bot's or user's highest role is its
/// role that has the greatest position value in the guild, with the default @everyone role
/// starting at 0."
pub fn highest_role_position(world: &World, roles: &[u64]) -> usize {
    roles
        .iter()
        .filter_map(|r| role_position(world, *r))
        .max()
        .unwrap_or(0)
}

/// Names of the permission bits in `bits`, for error messages people read.
pub fn names(bits: u64) -> Vec<&'static str> {
    const NAMES: [(u64, &str); 15] = [
        (ADMINISTRATOR, "ADMINISTRATOR"),
        (MANAGE_CHANNELS, "MANAGE_CHANNELS"),
        (ADD_REACTIONS, "ADD_REACTIONS"),
        (VIEW_CHANNEL, "VIEW_CHANNEL"),
        (SEND_MESSAGES, "SEND_MESSAGES"),
        (SEND_TTS_MESSAGES, "SEND_TTS_MESSAGES"),
        (MANAGE_MESSAGES, "MANAGE_MESSAGES"),
        (EMBED_LINKS, "EMBED_LINKS"),
        (READ_MESSAGE_HISTORY, "READ_MESSAGE_HISTORY"),
        (MANAGE_ROLES, "MANAGE_ROLES"),
        (USE_APPLICATION_COMMANDS, "USE_APPLICATION_COMMANDS"),
        (MANAGE_THREADS, "MANAGE_THREADS"),
        (CREATE_PUBLIC_THREADS, "CREATE_PUBLIC_THREADS"),
        (CREATE_PRIVATE_THREADS, "CREATE_PRIVATE_THREADS"),
        (SEND_MESSAGES_IN_THREADS, "SEND_MESSAGES_IN_THREADS"),
    ];
    let mut out: Vec<&str> = NAMES
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| *name)
        .collect();
    if bits & !NAMES.iter().fold(0, |all, (b, _)| all | b) != 0 {
        out.push("others");
    }
    out
}

/// Whether a member may use the application command `command` (Discord:
/// interactions/application-commands.mdx, "Permissions": "If you don't have permission to use a
/// command, it will not show up in the command picker. Members with the Administrator permission
/// can use all commands"; "Using Default Permissions": `default_member_permissions` is "the
/// permissions a user must have to use it ... Setting it to "0" will prohibit anyone in a guild
/// from using the command unless a specific overwrite is configured or the user has admin
/// permissions").
///
/// The admins' overwrites for the command come first, most specific first: the member's own,
/// then their roles' (one allowing role is enough), then `@everyone`'s. With none that applies,
/// the member needs every permission of `default_member_permissions` (`None`: no requirement).
/// `base` is the member's guild-wide permissions ([`base`]).
pub fn may_use_command(
    world: &World,
    user_id: u64,
    roles: &[u64],
    base: u64,
    command: &str,
    default_member_permissions: Option<u64>,
) -> bool {
    if base & ADMINISTRATOR != 0 {
        return true;
    }
    let for_command: Vec<&CommandPermissionSpec> = world
        .command_permissions
        .iter()
        .filter(|p| p.command == command)
        .collect();
    let own = for_command
        .iter()
        .find(|p| p.kind == OverwriteKind::Member && p.id == user_id);
    if let Some(p) = own {
        return p.allow;
    }
    let of_roles: Vec<bool> = for_command
        .iter()
        .filter(|p| p.kind == OverwriteKind::Role && roles.contains(&p.id))
        .map(|p| p.allow)
        .collect();
    if !of_roles.is_empty() {
        return of_roles.contains(&true);
    }
    let everyone = for_command
        .iter()
        .find(|p| p.kind == OverwriteKind::Role && p.id == world.guild_id);
    if let Some(p) = everyone {
        return p.allow;
    }
    match default_member_permissions {
        None => true,
        Some(0) => false,
        Some(needed) => base & needed == needed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::names as n;
    use crate::fixture::StandardWorld as _;

    fn overwrite(id: u64, kind: OverwriteKind, allow: u64, deny: u64) -> OverwriteSpec {
        OverwriteSpec {
            id,
            kind,
            allow,
            deny,
        }
    }

    #[test]
    fn the_documented_default_bits_decode_as_discord_js_names_them() {
        let expected = CREATE_INSTANT_INVITE
            | ADD_REACTIONS
            | STREAM
            | VIEW_CHANNEL
            | SEND_MESSAGES
            | SEND_TTS_MESSAGES
            | EMBED_LINKS
            | ATTACH_FILES
            | READ_MESSAGE_HISTORY
            | MENTION_EVERYONE
            | USE_EXTERNAL_EMOJIS
            | CONNECT
            | SPEAK
            | USE_VAD
            | CHANGE_NICKNAME;
        assert_eq!(DISCORD_JS_DEFAULT, expected);
        assert_eq!(ALL.count_ones(), 52);
    }

    #[test]
    fn owner_and_administrators_have_everything_even_against_overwrites() {
        let mut world = World::standard();
        let owner = world.owner_id();
        assert_eq!(base(&world, owner, &[]), ALL);
        let alice = world.user_id("alice");
        let moderator = world.role_id(n::MODERATOR);
        world.role_mut(n::MODERATOR).permissions = ADMINISTRATOR;
        let admin = base(&world, alice, &[moderator]);
        assert_eq!(admin, ALL);
        let deny_all = [overwrite(world.guild_id, OverwriteKind::Role, 0, ALL)];
        assert_eq!(
            in_channel(&world, admin, alice, &[moderator], 0, &deny_all),
            ALL
        );
    }

    #[test]
    fn overwrites_apply_everyone_then_roles_then_the_member() {
        let world = World::standard();
        let alice = world.user_id("alice");
        let (a, b) = (
            world.role_id(n::MODERATOR),
            world.role_id(n::STEERING_GROUP),
        );
        let base = base(&world, alice, &[a, b]);
        // A role's allow wins over another role's deny, whatever their positions.
        let overwrites = [
            overwrite(world.guild_id, OverwriteKind::Role, 0, VIEW_CHANNEL),
            overwrite(a, OverwriteKind::Role, 0, VIEW_CHANNEL),
            overwrite(b, OverwriteKind::Role, VIEW_CHANNEL, 0),
        ];
        let p = in_channel(&world, base, alice, &[a, b], 0, &overwrites);
        assert!(p & VIEW_CHANNEL != 0);
        // The member's own deny comes last.
        let mut with_member = overwrites.to_vec();
        with_member.push(overwrite(alice, OverwriteKind::Member, 0, VIEW_CHANNEL));
        assert_eq!(in_channel(&world, base, alice, &[a, b], 0, &with_member), 0);
    }

    #[test]
    fn implicit_rules_follow_view_and_send() {
        assert_eq!(implicit(SEND_MESSAGES | EMBED_LINKS, 0), 0);
        assert_eq!(
            implicit(VIEW_CHANNEL | EMBED_LINKS | ATTACH_FILES | ADD_REACTIONS, 0),
            VIEW_CHANNEL | ADD_REACTIONS
        );
        // Categories keep their bits without SEND_MESSAGES.
        assert_eq!(
            implicit(VIEW_CHANNEL | EMBED_LINKS, 4),
            VIEW_CHANNEL | EMBED_LINKS
        );
    }

    #[test]
    fn the_bots_role_is_the_highest_in_the_standard_world() {
        let world = World::standard();
        let bot_top = highest_role_position(&world, world.bot_roles());
        assert_eq!(bot_top, world.roles.len());
        let facilitator = role_position(&world, world.role_id(n::FACILITATOR)).unwrap();
        assert!(facilitator < bot_top);
        assert_eq!(highest_role_position(&world, &[]), 0);
    }
}
