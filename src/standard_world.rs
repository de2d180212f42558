//! The guild govbot is built for, as the Discord stand-in ([`discord_standin`]) serves it: its
//! channels, categories and roles under the names of `config.example.toml`, a few people, and the
//! bot's role carrying exactly what govbot's invite asks for. govbot's, not the stand-in's: the
//! stand-in serves any [`World`]; this is the one the harness, `govbot sandbox`, the tests and the
//! benchmarks start it with.
//!
//! [`StandardWorld`] adds the functions to [`World`] (`World::standard()` with the trait in
//! scope), so code written when they were the stand-in's own reads the same.

use discord_standin::permissions::{application_flags as flags, bits};
use discord_standin::world::fixed_id;
use discord_standin::{
    ChannelKind, ChannelSpec, CommandPermissionSpec, MemberSpec, OverwriteKind, OverwriteSpec,
    RoleSpec, World,
};
use std::path::Path;

/// The names [`StandardWorld::standard`] uses, for tests that prefer constants to strings.
pub mod names {
    pub const CREATION: &str = "wg-ig-group-creation";
    pub const MODERATORS: &str = "community-moderators";
    pub const ANNOUNCEMENTS: &str = "announcements";
    pub const IG_CATEGORY: &str = "Interest Groups";
    pub const WG_CATEGORY: &str = "Working Groups";
    pub const ARCHIVE_CATEGORY: &str = "Archive";
    pub const MODERATOR: &str = "Community Moderator";
    pub const CORE_MAINTAINER: &str = "Core Maintainer";
    pub const LEAD_MAINTAINER: &str = "Lead Maintainer";
    pub const STEERING_GROUP: &str = "Steering Group";
    pub const FACILITATOR: &str = "Facilitator";
    /// The bot's own managed role.
    pub const BOT_ROLE: &str = "govbot";
    pub const BOT: &str = "govbot";
}

/// govbot's standard world and its configuration, as functions of the stand-in's [`World`].
pub trait StandardWorld {
    /// The guild govbot is built for: the three governance channels, the three categories, the
    /// governance roles, three moderators (`mod-ana`, `mod-ben`, `mod-cy`), a core maintainer
    /// (`core-kim`), a lead maintainer who also sits on the steering group (`lead-lee`), a
    /// steering group member (`steer-sam`), four ordinary members (`alice`, `bob`, `carol`,
    /// `dave`) and the bot (`govbot`). `mod-ana` owns the guild and the application.
    ///
    /// Permissions are those of a real server set up as docs/operating.md says: `@everyone` has a new
    /// server's defaults ([`EVERYONE_DEFAULT`](discord_standin::permissions::bits::EVERYONE_DEFAULT)), the
    /// bot's managed role carries exactly what its invite asks for
    /// ([`invite_permissions`](crate::discord::permissions::invite_permissions), no
    /// ADMINISTRATOR) and sits above every other role, the other roles carry nothing of their
    /// own, and `#community-moderators` is private: hidden from `@everyone`, shown to the
    /// moderator, core maintainer and lead maintainer roles and to the bot's role. The
    /// application has the two privileged intents a small bot turns on in the developer portal
    /// (server members and message content, the `_LIMITED` flags of a bot in fewer than 100
    /// servers).
    fn standard() -> World;

    /// The standard world where the bot's role lacks `permissions` (e.g. MANAGE_CHANNELS).
    fn standard_without(permissions: u64) -> World;

    /// A govbot configuration (see `config.example.toml`) for this world: its guild, the
    /// standard channel and role names, `database_path`, and `api_base` as the Discord API.
    ///
    /// Panics if the world lacks one of the standard channels or roles.
    fn config_toml(&self, database_path: &Path, api_base: &str) -> String;
}

impl StandardWorld for World {
    fn standard() -> World {
        use names::*;
        let id = fixed_id;
        let text = |n, name: &str| ChannelSpec {
            id: id(n),
            name: name.to_owned(),
            kind: ChannelKind::Text,
            parent_id: None,
            overwrites: Vec::new(),
        };
        let category = |n, name: &str| ChannelSpec {
            kind: ChannelKind::Category,
            ..text(n, name)
        };
        let role = |n, name: &str| RoleSpec {
            id: id(n),
            name: name.to_owned(),
            permissions: 0,
            managed: false,
        };
        let (moderator, core, lead, steering, bot_role) =
            (id(201), id(202), id(203), id(204), id(206));
        let member = |n, username: &str, roles: &[u64]| MemberSpec {
            user_id: id(n),
            username: username.to_owned(),
            roles: roles.to_vec(),
        };
        let guild_id = id(1);
        let view = |role: u64, allow: bool| OverwriteSpec {
            id: role,
            kind: OverwriteKind::Role,
            allow: if allow { bits::VIEW_CHANNEL } else { 0 },
            deny: if allow { 0 } else { bits::VIEW_CHANNEL },
        };
        let moderators = ChannelSpec {
            overwrites: vec![
                view(guild_id, false),
                view(moderator, true),
                view(core, true),
                view(lead, true),
                view(bot_role, true),
            ],
            ..text(102, MODERATORS)
        };
        World {
            guild_id,
            guild_name: "MCP Community".to_owned(),
            application_id: id(901),
            bot_user_id: id(300),
            channels: vec![
                text(101, CREATION),
                moderators,
                text(103, ANNOUNCEMENTS),
                category(111, IG_CATEGORY),
                category(112, WG_CATEGORY),
                category(113, ARCHIVE_CATEGORY),
            ],
            // The bot's role first: positions follow this order, and Discord lets a bot manage
            // only roles below its own highest one.
            roles: vec![
                RoleSpec {
                    permissions: crate::discord::permissions::invite_permissions().bits(),
                    managed: true,
                    ..role(206, BOT_ROLE)
                },
                role(201, MODERATOR),
                role(202, CORE_MAINTAINER),
                role(203, LEAD_MAINTAINER),
                role(204, STEERING_GROUP),
                role(205, FACILITATOR),
            ],
            everyone_permissions: bits::EVERYONE_DEFAULT,
            application_flags: flags::GATEWAY_GUILD_MEMBERS_LIMITED
                | flags::GATEWAY_MESSAGE_CONTENT_LIMITED,
            members: vec![
                member(300, BOT, &[bot_role]),
                member(301, "mod-ana", &[moderator]),
                member(302, "mod-ben", &[moderator]),
                member(303, "mod-cy", &[moderator]),
                member(311, "core-kim", &[core]),
                member(312, "lead-lee", &[lead, steering]),
                member(313, "steer-sam", &[steering]),
                member(321, "alice", &[]),
                member(322, "bob", &[]),
                member(323, "carol", &[]),
                member(324, "dave", &[]),
            ],
            // What docs/operating.md asks the server's admins to set in Integrations: those who
            // decide on groups may use /govern.
            command_permissions: [moderator, core, lead]
                .into_iter()
                .map(|role| CommandPermissionSpec {
                    command: "govern".to_owned(),
                    id: role,
                    kind: OverwriteKind::Role,
                    allow: true,
                })
                .collect(),
        }
    }

    fn standard_without(permissions: u64) -> World {
        let mut world = World::standard();
        world.bot_role_mut().permissions &= !permissions;
        world
    }

    fn config_toml(&self, database_path: &Path, api_base: &str) -> String {
        use names::*;
        let string = |s: &str| toml::Value::String(s.to_owned()).to_string();
        let database = string(&database_path.to_string_lossy());
        format!(
            "# Generated by the govbot sandbox for its guild {guild_name:?}.\n\
             guild_id = {guild}\n\
             \n\
             [channels]\n\
             creation = {creation}\n\
             moderators = {moderators}\n\
             announcements = {announcements}\n\
             ig_category = {ig}\n\
             wg_category = {wg}\n\
             archive_category = {archive}\n\
             \n\
             [roles]\n\
             moderator = {moderator}\n\
             core_maintainer = {core}\n\
             lead_maintainer = {lead}\n\
             steering_group = {steering}\n\
             facilitator = {facilitator}\n\
             \n\
             [database]\n\
             path = {database}\n\
             \n\
             [discord]\n\
             api_base = {api_base}\n",
            guild_name = self.guild_name,
            guild = self.guild_id,
            creation = self.channel_id(CREATION),
            moderators = self.channel_id(MODERATORS),
            announcements = self.channel_id(ANNOUNCEMENTS),
            ig = self.channel_id(IG_CATEGORY),
            wg = self.channel_id(WG_CATEGORY),
            archive = self.channel_id(ARCHIVE_CATEGORY),
            moderator = self.role_id(MODERATOR),
            core = self.role_id(CORE_MAINTAINER),
            lead = self.role_id(LEAD_MAINTAINER),
            steering = self.role_id(STEERING_GROUP),
            facilitator = self.role_id(FACILITATOR),
            api_base = string(api_base),
        )
    }
}
