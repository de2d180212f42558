//! What govbot needs from Discord, in one place: the permissions it must hold in each place the
//! configuration names, why, and what breaks without each.
//!
//! Everything else follows from this table: the invite URL's permissions integer
//! (`govbot invite-url`), the list in docs/operating.md (a test compares them), the start-up and
//! `check-config --online` checks, and every permission overwrite the bot writes. That last point
//! matters because Discord refuses an overwrite that allows or denies a bit the bot does not hold
//! itself (403, code 50013; "Change to Permission Checking when Creating Channels", Discord's
//! API change log, 2021-01-22, and the same rule for Modify Channel and Edit Channel
//! Permissions). So [`FACILITATOR_ALLOWS`] and [`ARCHIVED_DENIES`] are built only from bits
//! listed here for the categories, and a unit test keeps it so.

use serenity::all::Permissions;

/// A place in the guild that the configuration names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// The whole server: what the bot's role itself must carry.
    Guild,
    Creation,
    Moderators,
    Announcements,
    IgCategory,
    WgCategory,
    ArchiveCategory,
}

impl Place {
    /// Every place, in the order problems are reported.
    pub const ALL: [Place; 7] = [
        Place::Guild,
        Place::Creation,
        Place::Moderators,
        Place::Announcements,
        Place::IgCategory,
        Place::WgCategory,
        Place::ArchiveCategory,
    ];

    /// The configuration key that names the place (`None` for the guild itself).
    pub fn key(self) -> Option<&'static str> {
        match self {
            Place::Guild => None,
            Place::Creation => Some("channels.creation"),
            Place::Moderators => Some("channels.moderators"),
            Place::Announcements => Some("channels.announcements"),
            Place::IgCategory => Some("channels.ig_category"),
            Place::WgCategory => Some("channels.wg_category"),
            Place::ArchiveCategory => Some("channels.archive_category"),
        }
    }

    /// Whether the place is a category (the others are text channels or the guild).
    pub fn is_category(self) -> bool {
        matches!(
            self,
            Place::IgCategory | Place::WgCategory | Place::ArchiveCategory
        )
    }
}

/// What happens when a permission is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// A flow fails: a proposal is not answered, a vote not shown, a channel not created.
    Breaks,
    /// A flow still completes, with less: a reaction not removed, a role not given.
    Degrades,
}

/// One permission govbot needs in one place.
#[derive(Debug, Clone, Copy)]
pub struct Need {
    pub place: Place,
    pub permission: Permissions,
    pub severity: Severity,
    /// What govbot does with it there, for the person fixing the server.
    pub why: &'static str,
}

const fn need(
    place: Place,
    permission: Permissions,
    severity: Severity,
    why: &'static str,
) -> Need {
    Need {
        place,
        permission,
        severity,
        why,
    }
}

/// What facilitators may do in their group's channel beyond members: talk (also when the
/// channel's category is closed to others) and keep it tidy (delete and pin messages).
pub const FACILITATOR_ALLOWS: Permissions = Permissions::VIEW_CHANNEL
    .union(Permissions::SEND_MESSAGES)
    .union(Permissions::MANAGE_MESSAGES);

/// What an archived channel denies everyone: it stays readable with its history, and nobody
/// writes in it, in a thread of it, or reacts.
pub const ARCHIVED_DENIES: Permissions = Permissions::SEND_MESSAGES
    .union(Permissions::SEND_MESSAGES_IN_THREADS)
    .union(Permissions::CREATE_PUBLIC_THREADS)
    .union(Permissions::CREATE_PRIVATE_THREADS)
    .union(Permissions::ADD_REACTIONS);

/// What the bot allows itself in an archived channel, so it can still post there.
pub const ARCHIVED_BOT_ALLOWS: Permissions =
    Permissions::VIEW_CHANNEL.union(Permissions::SEND_MESSAGES);

/// The permissions a group channel's category must give the bot: it creates the channel there
/// (or moves it there) with overwrites made of [`FACILITATOR_ALLOWS`], [`ARCHIVED_DENIES`] and
/// [`ARCHIVED_BOT_ALLOWS`], and Discord checks each of those bits against the bot's own.
macro_rules! group_category_needs {
    ($place:expr) => {
        [
            need($place, Permissions::VIEW_CHANNEL, Severity::Breaks, "see the group channels it manages"),
            need($place, Permissions::MANAGE_CHANNELS, Severity::Breaks, "create, move and archive group channels"),
            need($place, Permissions::MANAGE_ROLES, Severity::Breaks, "set the channels' permission overwrites (Manage Permissions)"),
            need($place, Permissions::SEND_MESSAGES, Severity::Breaks, "post opening, status, reminder and archive notices"),
            need($place, Permissions::EMBED_LINKS, Severity::Breaks, "post its notices, which are embeds"),
            need($place, Permissions::READ_MESSAGE_HISTORY, Severity::Degrades, "read a group channel's messages when it reconciles"),
            need($place, Permissions::MANAGE_MESSAGES, Severity::Breaks, "give facilitators Manage Messages in their channel (an overwrite may only grant what the bot holds)"),
            need($place, Permissions::ADD_REACTIONS, Severity::Breaks, "deny reactions in archived channels (an overwrite may only deny what the bot holds)"),
            need($place, Permissions::SEND_MESSAGES_IN_THREADS, Severity::Breaks, "deny posting in threads of archived channels"),
            need($place, Permissions::CREATE_PUBLIC_THREADS, Severity::Breaks, "deny new public threads in archived channels"),
            need($place, Permissions::CREATE_PRIVATE_THREADS, Severity::Breaks, "deny new private threads in archived channels"),
        ]
    };
}

/// The whole table.
pub fn needs() -> Vec<Need> {
    use Place::*;
    use Severity::*;
    let mut all = vec![
        need(
            Guild,
            Permissions::MANAGE_ROLES,
            Degrades,
            "give and take the facilitator role (roles.facilitator)",
        ),
        need(
            Creation,
            Permissions::VIEW_CHANNEL,
            Breaks,
            "see the templates members post",
        ),
        need(
            Creation,
            Permissions::SEND_MESSAGES,
            Breaks,
            "answer a template with its card or its problems",
        ),
        need(
            Creation,
            Permissions::EMBED_LINKS,
            Breaks,
            "post proposal cards, which are embeds",
        ),
        need(
            Creation,
            Permissions::READ_MESSAGE_HISTORY,
            Breaks,
            "reply to a template message and read those posted while it was away",
        ),
        need(
            Moderators,
            Permissions::VIEW_CHANNEL,
            Breaks,
            "see the private moderators' channel",
        ),
        need(
            Moderators,
            Permissions::SEND_MESSAGES,
            Breaks,
            "post announcements, votes, results and reminders",
        ),
        need(
            Moderators,
            Permissions::EMBED_LINKS,
            Breaks,
            "post votes and announcements, which are embeds",
        ),
        need(
            Moderators,
            Permissions::READ_MESSAGE_HISTORY,
            Breaks,
            "read a vote's reactions after a restart or a lost session",
        ),
        need(
            Moderators,
            Permissions::ADD_REACTIONS,
            Degrades,
            "add the vote reactions moderators click",
        ),
        need(
            Moderators,
            Permissions::MANAGE_MESSAGES,
            Degrades,
            "remove reactions of members outside a vote's electorate",
        ),
        need(
            Announcements,
            Permissions::VIEW_CHANNEL,
            Breaks,
            "see the announcements channel",
        ),
        need(
            Announcements,
            Permissions::SEND_MESSAGES,
            Breaks,
            "announce new, retired and reversed groups",
        ),
        need(
            Announcements,
            Permissions::EMBED_LINKS,
            Breaks,
            "post announcements, which are embeds",
        ),
    ];
    all.extend(group_category_needs!(IgCategory));
    all.extend(group_category_needs!(WgCategory));
    all.extend(group_category_needs!(ArchiveCategory));
    all
}

/// What govbot needs in `place`, and how bad each missing one would be.
pub fn needs_in(place: Place) -> impl Iterator<Item = Need> {
    needs().into_iter().filter(move |n| n.place == place)
}

/// Every permission govbot needs anywhere: what its role should carry, and the invite URL's
/// `permissions` integer.
pub fn invite_permissions() -> Permissions {
    needs()
        .iter()
        .fold(Permissions::empty(), |all, n| all | n.permission)
}

/// The names of [`invite_permissions`] as Discord's client shows them, in bit order: the
/// documented list (docs/operating.md).
pub fn invite_permission_names() -> Vec<&'static str> {
    invite_permissions().get_permission_names()
}

/// The OAuth2 URL that adds the bot to a server with exactly what it needs. With `guild`, the
/// server is chosen in advance.
pub fn invite_url(application_id: u64, guild: Option<u64>) -> String {
    let mut url = format!(
        "https://discord.com/oauth2/authorize?client_id={application_id}\
         &scope=bot+applications.commands&permissions={}",
        invite_permissions().bits()
    );
    if let Some(guild) = guild {
        url.push_str(&format!("&guild_id={guild}&disable_guild_select=true"));
    }
    url
}

/// The documented list (docs/operating.md, "Set up Discord"): the invite line, then per place what
/// the bot needs and what breaks or degrades without it. A test keeps the document equal to this.
pub fn readme_list() -> String {
    let mut text = format!(
        "Permissions integer `{}`: {}.\n\n| place | the bot needs | without it |\n|---|---|---|\n",
        invite_permissions().bits(),
        invite_permission_names().join(", ")
    );
    for place in Place::ALL {
        for severity in [Severity::Breaks, Severity::Degrades] {
            let these: Vec<_> = needs_in(place).filter(|n| n.severity == severity).collect();
            if these.is_empty() {
                continue;
            }
            let names = these
                .iter()
                .fold(Permissions::empty(), |p, n| p | n.permission)
                .get_permission_names()
                .join(", ");
            let effect = match severity {
                Severity::Breaks => "a flow fails",
                Severity::Degrades => "works with less",
            };
            text.push_str(&format!(
                "| {} | {names} | {effect} |\n",
                place
                    .key()
                    .map_or("the server (its role)".to_owned(), |k| format!("`{k}`"))
            ));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_in(place: Place) -> Permissions {
        needs_in(place).fold(Permissions::empty(), |p, n| p | n.permission)
    }

    #[test]
    fn every_overwrite_bit_is_held_in_every_category_it_is_written_under() {
        let written = FACILITATOR_ALLOWS | ARCHIVED_DENIES | ARCHIVED_BOT_ALLOWS;
        for place in [Place::IgCategory, Place::WgCategory, Place::ArchiveCategory] {
            let missing = written - held_in(place);
            assert!(missing.is_empty(), "{place:?} lacks {missing:?}");
        }
    }

    #[test]
    fn no_overwrite_grants_manage_roles_which_needs_an_administrator() {
        let written = FACILITATOR_ALLOWS | ARCHIVED_DENIES | ARCHIVED_BOT_ALLOWS;
        assert!(!written.contains(Permissions::MANAGE_ROLES));
        assert!(!invite_permissions().contains(Permissions::ADMINISTRATOR));
    }

    #[test]
    fn the_invite_url_carries_the_scopes_and_the_exact_integer() {
        let url = invite_url(42, Some(7));
        assert!(url.contains("client_id=42"));
        assert!(url.contains("scope=bot+applications.commands"));
        assert!(url.contains(&format!("permissions={}", invite_permissions().bits())));
        assert!(url.ends_with("&guild_id=7&disable_guild_select=true"));
    }

    #[test]
    fn the_operating_guide_lists_exactly_these_permissions() {
        let guide = include_str!("../../docs/operating.md");
        let expected = readme_list();
        assert!(
            guide.contains(&expected),
            "docs/operating.md must contain the permission list generated from src/discord/permissions.rs:\n{expected}"
        );
    }

    #[test]
    fn places_that_are_categories_have_category_keys() {
        for place in Place::ALL {
            assert_eq!(
                place.is_category(),
                place.key().is_some_and(|k| k.ends_with("_category"))
            );
        }
    }
}
