//! The fixed guild the sandbox plays: who is in it, which channels and roles it has, and what
//! each role and channel overwrite allows (see [`super::permissions`] for how they combine).
//!
//! Ids are fixed and readable (`…101` is the first channel, `…301` the first member) rather than
//! random, so a failing test's log names the same things on every run. They are 18-digit numbers
//! like real Discord snowflakes, so code that squeezes ids into anything smaller than a `u64` (or
//! into a float, as JSON numbers in some tools are) fails here as it would against Discord.
//! Objects the bot creates while running (messages, channels) get time-based snowflakes instead.

use std::path::Path;

/// Every fixed id is `BASE + n`, so they read as `…0001`, `…0101`, `…0301`.
const BASE: u64 = 800_000_000_000_000_000;

/// A Discord guild as the sandbox serves it at start-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct World {
    pub guild_id: u64,
    pub guild_name: String,
    /// The bot's application. Distinct from `bot_user_id` (older applications have distinct ids),
    /// so mixing the two up fails in the sandbox rather than passing by coincidence.
    pub application_id: u64,
    pub bot_user_id: u64,
    pub channels: Vec<ChannelSpec>,
    /// The guild's roles, highest first (positions follow this order), not counting
    /// `@everyone`, whose id is the guild's (as on Discord). The bot may add and remove only
    /// roles below its own highest one, as Discord's role hierarchy requires.
    pub roles: Vec<RoleSpec>,
    /// `@everyone`'s permissions: what every member may do before roles and overwrites.
    pub everyone_permissions: u64,
    /// The application's flags, served in `GET /oauth2/applications/@me` and READY: which
    /// privileged intents the bot's owner turned on (see
    /// [`application_flags`](super::permissions::application_flags)).
    pub application_flags: u64,
    /// Everyone in the guild, the bot included.
    pub members: Vec<MemberSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSpec {
    pub id: u64,
    pub name: String,
    pub kind: ChannelKind,
    /// The category the channel sits in.
    pub parent_id: Option<u64>,
    /// Its permission overwrites, in Discord's order of application whatever their order here.
    pub overwrites: Vec<OverwriteSpec>,
}

/// A channel permission overwrite: what it allows and denies a role (`@everyone` is the guild's
/// id) or a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverwriteSpec {
    pub id: u64,
    pub kind: OverwriteKind,
    pub allow: u64,
    pub deny: u64,
}

/// Whom an overwrite is for; Discord's overwrite `type` 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverwriteKind {
    Role,
    Member,
}

impl OverwriteKind {
    /// Discord's overwrite type number.
    pub fn discord_type(self) -> u8 {
        match self {
            OverwriteKind::Role => 0,
            OverwriteKind::Member => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// `GUILD_TEXT`, Discord channel type 0.
    Text,
    /// `GUILD_CATEGORY`, Discord channel type 4.
    Category,
}

impl ChannelKind {
    /// Discord's channel type number.
    pub fn discord_type(self) -> u8 {
        match self {
            ChannelKind::Text => 0,
            ChannelKind::Category => 4,
        }
    }
}

/// A role and the permissions it gives in the whole guild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSpec {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    /// Managed by an integration, like the role Discord creates for a bot when it is invited
    /// with permissions: nobody can give it or take it away.
    pub managed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberSpec {
    pub user_id: u64,
    pub username: String,
    pub roles: Vec<u64>,
}

/// The names [`World::standard`] uses, for tests that prefer constants to strings.
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

impl World {
    /// The guild govbot is built for: the three governance channels, the three categories, the
    /// governance roles, three moderators (`mod-ana`, `mod-ben`, `mod-cy`), a core maintainer
    /// (`core-kim`), a lead maintainer who also sits on the steering group (`lead-lee`), a
    /// steering group member (`steer-sam`), four ordinary members (`alice`, `bob`, `carol`,
    /// `dave`) and the bot (`govbot`). `mod-ana` owns the guild and the application.
    ///
    /// Permissions are those of a real server set up as the README says: `@everyone` has a new
    /// server's defaults ([`EVERYONE_DEFAULT`](super::permissions::bits::EVERYONE_DEFAULT)), the
    /// bot's managed role carries exactly what its invite asks for
    /// ([`invite_permissions`](crate::discord::permissions::invite_permissions), no
    /// ADMINISTRATOR) and sits above every other role, the other roles carry nothing of their
    /// own, and `#community-moderators` is private: hidden from `@everyone`, shown to the
    /// moderator, core maintainer and lead maintainer roles and to the bot's role. The
    /// application has the two privileged intents a small bot turns on in the developer portal
    /// (server members and message content, the `_LIMITED` flags of a bot in fewer than 100
    /// servers).
    pub fn standard() -> World {
        use super::permissions::{application_flags as flags, bits};
        use names::*;
        let id = |n: u64| BASE + n;
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
        }
    }

    /// The standard world where the bot's role lacks `permissions` (e.g. MANAGE_CHANNELS).
    pub fn standard_without(permissions: u64) -> World {
        let mut world = World::standard();
        world.bot_role_mut().permissions &= !permissions;
        world
    }

    /// The role called `name`, to change its permissions. Panics if there is none.
    pub fn role_mut(&mut self, name: &str) -> &mut RoleSpec {
        self.roles
            .iter_mut()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("the sandbox world has no role named {name:?}"))
    }

    /// The bot's managed role (its first role). Panics if the bot holds none.
    pub fn bot_role_mut(&mut self) -> &mut RoleSpec {
        let id = *self
            .bot_roles()
            .first()
            .expect("the bot's member holds a role");
        self.roles
            .iter_mut()
            .find(|r| r.id == id)
            .expect("the bot's role is one of the world's roles")
    }

    /// Moves the role called `name` just above the role called `above` (e.g. the facilitator
    /// role above the bot's own). Panics if either is missing.
    pub fn move_role_above(&mut self, name: &str, above: &str) {
        let from = self.roles.iter().position(|r| r.name == name);
        let role = self
            .roles
            .remove(from.unwrap_or_else(|| panic!("no role named {name:?}")));
        let to = self.roles.iter().position(|r| r.name == above);
        self.roles.insert(
            to.unwrap_or_else(|| panic!("no role named {above:?}")),
            role,
        );
    }

    /// The channel or category called `name`, to change its overwrites. Panics if there is none.
    pub fn channel_mut(&mut self, name: &str) -> &mut ChannelSpec {
        self.channels
            .iter_mut()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("the sandbox world has no channel named {name:?}"))
    }

    /// Adds to the channel called `name` an overwrite for the bot's member that denies it
    /// `permissions`.
    pub fn deny_bot_in(&mut self, name: &str, permissions: u64) {
        let bot = self.bot_user_id;
        self.channel_mut(name).overwrites.push(OverwriteSpec {
            id: bot,
            kind: OverwriteKind::Member,
            allow: 0,
            deny: permissions,
        });
    }

    /// A govbot configuration (see `config.example.toml`) for this world: its guild, the
    /// standard channel and role names, `database_path`, and `api_base` as the Discord API.
    ///
    /// Panics if the world lacks one of the standard channels or roles.
    pub fn config_toml(&self, database_path: &Path, api_base: &str) -> String {
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

    /// The id of the channel or category called `name`. Panics if there is none.
    pub fn channel_id(&self, name: &str) -> u64 {
        self.channels
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("the sandbox world has no channel named {name:?}"))
            .id
    }

    /// The id of the role called `name` (`@everyone` is the guild's id). Panics if there is none.
    pub fn role_id(&self, name: &str) -> u64 {
        if name == "@everyone" {
            return self.guild_id;
        }
        self.roles
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("the sandbox world has no role named {name:?}"))
            .id
    }

    /// The id of the member whose username is `username`. Panics if there is none.
    pub fn user_id(&self, username: &str) -> u64 {
        self.members
            .iter()
            .find(|m| m.username == username)
            .unwrap_or_else(|| panic!("the sandbox world has no member named {username:?}"))
            .user_id
    }

    /// The member with this user id, if any.
    pub fn member(&self, user_id: u64) -> Option<&MemberSpec> {
        self.members.iter().find(|m| m.user_id == user_id)
    }

    /// The role with this id, if any (not `@everyone`).
    pub fn role(&self, role_id: u64) -> Option<&RoleSpec> {
        self.roles.iter().find(|r| r.id == role_id)
    }

    /// The guild's owner: the first member who is not the bot.
    pub fn owner_id(&self) -> u64 {
        self.members
            .iter()
            .find(|m| m.user_id != self.bot_user_id)
            .map_or(self.bot_user_id, |m| m.user_id)
    }

    /// The roles the bot's member holds.
    pub fn bot_roles(&self) -> &[u64] {
        self.member(self.bot_user_id)
            .map(|m| m.roles.as_slice())
            .unwrap_or_default()
    }
}
