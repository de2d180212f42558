//! The guild the stand-in plays, plain data with public fields (build one by hand, or see govbot's
//! standard world): who is in it, which channels and roles it has, and what
//! each role and channel overwrite allows (see [`super::permissions`] for how they combine).
//!
//! Ids are fixed and readable (`…101` is the first channel, `…301` the first member) rather than
//! random, so a failing test's log names the same things on every run. They are 18-digit numbers
//! like real Discord snowflakes, so code that squeezes ids into anything smaller than a `u64` (or
//! into a float, as JSON numbers in some tools are) fails here as it would against Discord.
//! Objects the bot creates while running (messages, channels) get time-based snowflakes instead.

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
    /// Who the server's admins let use which of the bot's commands (Server Settings →
    /// Integrations), beyond each command's `default_member_permissions`.
    pub command_permissions: Vec<CommandPermissionSpec>,
}

/// An admin's choice for one application command: a role (`@everyone` is the guild's id) or a
/// member may, or may not, use it (Discord: interactions/application-commands.mdx, "Application
/// Command Permissions Object"). Keyed by the command's name, since its id exists only once the
/// bot registers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandPermissionSpec {
    pub command: String,
    pub id: u64,
    pub kind: OverwriteKind,
    pub allow: bool,
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

/// The fixed id `n` of a world: an 18-digit number ending in `n` (`fixed_id(101)` reads
/// `…0101`), for worlds built by hand whose ids should read the same on every run.
pub const fn fixed_id(n: u64) -> u64 {
    BASE + n
}

impl World {
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
