//! The setup check against the live server: does the bot have, in every place the configuration
//! names, what [`permissions`](super::permissions) says it needs; do the channels and roles
//! exist with the right type; is the bot's role above the facilitator role; are the privileged
//! intents enabled. Run at start-up and by `govbot check-config --online`.
//!
//! It reads the server over REST only (no gateway session), then judges what it read in
//! [`assess`], which is pure so each finding is tested without Discord. Effective permissions are
//! computed with serenity's implementation of Discord's algorithm (@everyone, roles, the
//! channel's overwrites for @everyone, roles and the member, administrator and owner), which the
//! sandbox re-implements independently from Discord's docs; the two check each other in the
//! tests.

use super::messages::output::brief;
use super::permissions::{self, Place, Severity};
use crate::config::Config;
use anyhow::{anyhow, Result};
use serenity::all::{
    ApplicationFlags, ChannelId, ChannelType, GuildChannel, GuildId, Http, Member, PartialGuild,
    Permissions, RoleId,
};
use std::collections::HashMap;
use std::fmt;

/// Everything the check reads from Discord.
pub struct ServerSnapshot {
    pub application_flags: ApplicationFlags,
    pub guild: PartialGuild,
    pub channels: HashMap<ChannelId, GuildChannel>,
    /// The bot's own member in the guild.
    pub bot: Member,
}

/// One problem found, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// Where: a configuration key, "the application" or "the server".
    pub place: String,
    pub problem: String,
    pub fix: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Breaks => "error",
            Severity::Degrades => "warning",
        };
        write!(
            f,
            "{label}: {}: {}\n  fix: {}",
            self.place, self.problem, self.fix
        )
    }
}

/// Whether any finding would break a flow.
pub fn breaks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Breaks)
}

/// Reads the server. Fails only when nothing can be judged: the guild or the bot's own member
/// cannot be read.
pub async fn read(http: &Http, config: &Config, bot_user: u64) -> Result<ServerSnapshot> {
    let app = http
        .get_current_application_info()
        .await
        .map_err(|e| anyhow!("cannot read the bot's application ({})", brief(&e)))?;
    let guild_id = GuildId::new(config.guild_id);
    let guild = http.get_guild(guild_id).await.map_err(|e| {
        anyhow!(
            "cannot read guild {} ({}): check guild_id, and that the bot was invited to that server",
            config.guild_id,
            brief(&e)
        )
    })?;
    let channels = guild_id.channels(http).await.map_err(|e| {
        anyhow!(
            "cannot read the channels of guild {} ({})",
            config.guild_id,
            brief(&e)
        )
    })?;
    let bot = guild_id.member(http, bot_user).await.map_err(|e| {
        anyhow!(
            "cannot read the bot's own member in the guild ({})",
            brief(&e)
        )
    })?;
    Ok(ServerSnapshot {
        application_flags: app.flags.unwrap_or_else(ApplicationFlags::empty),
        guild,
        channels,
        bot,
    })
}

/// Reads and judges the server.
pub async fn run(http: &Http, config: &Config, bot_user: u64) -> Result<Vec<Finding>> {
    Ok(assess(&read(http, config, bot_user).await?, config))
}

/// Judges the server: every problem at once, most serious first.
pub fn assess(server: &ServerSnapshot, config: &Config) -> Vec<Finding> {
    let mut findings = intents(server.application_flags);
    let (places, mut missing) = places(server, config);
    findings.append(&mut missing);
    findings.extend(roles(server, config));
    for (place, channel) in &places {
        findings.extend(permissions_in(server, *place, channel.as_ref()));
    }
    findings.extend(privacy(server, config));
    findings.sort_by_key(|f| f.severity);
    findings
}

fn intents(flags: ApplicationFlags) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (name, full, limited, why) in [
        (
            "Message Content Intent",
            ApplicationFlags::GATEWAY_MESSAGE_CONTENT,
            ApplicationFlags::GATEWAY_MESSAGE_CONTENT_LIMITED,
            "govbot reads the templates posted in the creation channel",
        ),
        (
            "Server Members Intent",
            ApplicationFlags::GATEWAY_GUILD_MEMBERS,
            ApplicationFlags::GATEWAY_GUILD_MEMBERS_LIMITED,
            "a vote's electorate is read from the member list",
        ),
    ] {
        if !flags.intersects(full | limited) {
            findings.push(Finding {
                severity: Severity::Breaks,
                place: "the application".to_owned(),
                problem: format!(
                    "the privileged {name} is not enabled ({why}); Discord closes the gateway \
                     session of a bot that asks for it without it"
                ),
                fix: format!(
                    "enable {name} on the Bot page of the application in the developer portal"
                ),
            });
        }
    }
    findings
}

/// The configured places found in the guild (the guild itself as `None`), and the problems
/// with those that are missing or of the wrong type.
fn places(
    server: &ServerSnapshot,
    config: &Config,
) -> (Vec<(Place, Option<GuildChannel>)>, Vec<Finding>) {
    let mut found = vec![(Place::Guild, None)];
    let mut findings = Vec::new();
    for place in Place::ALL {
        let Some(key) = place.key() else { continue };
        let id = channel_id(config, place);
        let fix = "copy the id again (Developer Mode, then right-click the channel > Copy ID)";
        match server.channels.get(&ChannelId::new(id)) {
            None => findings.push(Finding {
                severity: Severity::Breaks,
                place: format!("{key} = {id}"),
                problem: "the guild has no such channel, or the bot cannot see it".to_owned(),
                fix: format!("{fix}; for a private channel, let the bot's role view it"),
            }),
            Some(c) if place.is_category() && c.kind != ChannelType::Category => {
                findings.push(Finding {
                    severity: Severity::Breaks,
                    place: format!("{key} = {id}"),
                    problem: format!("'{}' is not a category", c.name),
                    fix: format!("name a category here; {fix}"),
                });
            }
            Some(c) if !place.is_category() && c.kind != ChannelType::Text => {
                findings.push(Finding {
                    severity: Severity::Breaks,
                    place: format!("{key} = {id}"),
                    problem: format!("'{}' is not a text channel", c.name),
                    fix: format!("name a text channel here; {fix}"),
                });
            }
            Some(c) => found.push((place, Some(c.clone()))),
        }
    }
    (found, findings)
}

fn channel_id(config: &Config, place: Place) -> u64 {
    let c = &config.channels;
    match place {
        Place::Guild => config.guild_id,
        Place::Creation => c.creation,
        Place::Moderators => c.moderators,
        Place::Announcements => c.announcements,
        Place::IgCategory => c.ig_category,
        Place::WgCategory => c.wg_category,
        Place::ArchiveCategory => c.archive_category,
    }
}

fn roles(server: &ServerSnapshot, config: &Config) -> Vec<Finding> {
    let r = &config.roles;
    let mut findings = Vec::new();
    for (key, id) in [
        ("roles.moderator", Some(r.moderator)),
        ("roles.core_maintainer", Some(r.core_maintainer)),
        ("roles.lead_maintainer", Some(r.lead_maintainer)),
        ("roles.steering_group", Some(r.steering_group)),
        ("roles.facilitator", r.facilitator),
    ] {
        let Some(id) = id else { continue };
        if !server.guild.roles.contains_key(&RoleId::new(id)) {
            findings.push(Finding {
                severity: Severity::Breaks,
                place: format!("{key} = {id}"),
                problem: "the guild has no such role".to_owned(),
                fix: "copy the id again (Server Settings > Roles, right-click the role > Copy ID)"
                    .to_owned(),
            });
        }
    }
    let Some(facilitator) = r
        .facilitator
        .and_then(|id| server.guild.roles.get(&RoleId::new(id)))
    else {
        return findings;
    };
    // serenity orders roles as Discord does: by position, then the older (lower id) first.
    let top = server
        .bot
        .roles
        .iter()
        .filter_map(|id| server.guild.roles.get(id))
        .max();
    let above = top.is_some_and(|top| top > facilitator);
    let owner = server.guild.owner_id == server.bot.user.id;
    if !above && !owner {
        findings.push(Finding {
            severity: Severity::Degrades,
            place: format!("roles.facilitator = {}", facilitator.id),
            problem: format!(
                "the role '{}' is not below the bot's highest role{}: Discord lets a bot give and \
                 take only roles below its own, so facilitators would not get it",
                facilitator.name,
                top.map(|t| format!(" ('{}')", t.name)).unwrap_or_default()
            ),
            fix: "in Server Settings > Roles, drag the bot's role above the facilitator role"
                .to_owned(),
        });
    }
    if facilitator.managed {
        findings.push(Finding {
            severity: Severity::Degrades,
            place: format!("roles.facilitator = {}", facilitator.id),
            problem: format!(
                "'{}' is managed by an integration and cannot be given to anyone",
                facilitator.name
            ),
            fix: "create an ordinary role for facilitators and name it here".to_owned(),
        });
    }
    findings
}

/// The bot's effective permissions in `channel` (the guild's when `None`).
fn bot_permissions(server: &ServerSnapshot, channel: Option<&GuildChannel>) -> Permissions {
    match channel {
        Some(c) => server.guild.user_permissions_in(c, &server.bot),
        None => server.guild.member_permissions(&server.bot),
    }
}

fn permissions_in(
    server: &ServerSnapshot,
    place: Place,
    channel: Option<&GuildChannel>,
) -> Vec<Finding> {
    let held = bot_permissions(server, channel);
    let in_guild = bot_permissions(server, None);
    let mut missing: Vec<_> = permissions::needs_in(place)
        .filter(|n| !held.contains(n.permission))
        .collect();
    missing.sort_by_key(|n| n.severity);
    let mut findings = Vec::new();
    for severity in [Severity::Breaks, Severity::Degrades] {
        let these: Vec<_> = missing.iter().filter(|n| n.severity == severity).collect();
        if these.is_empty() {
            continue;
        }
        let lacking = these
            .iter()
            .fold(Permissions::empty(), |p, n| p | n.permission);
        let names = lacking.get_permission_names().join(", ");
        let whys = these
            .iter()
            .map(|n| {
                format!(
                    "{} to {}",
                    n.permission.get_permission_names().join(""),
                    n.why
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let (where_, fix) = match channel {
            None => (
                "the server".to_owned(),
                format!("give the bot's role {names} in Server Settings > Roles"),
            ),
            Some(c) => {
                let denied_here = in_guild.contains(lacking);
                let kind = if place.is_category() {
                    "category"
                } else {
                    "channel"
                };
                (
                    format!(
                        "{} = {} ('{}')",
                        place.key().unwrap_or_default(),
                        c.id,
                        c.name
                    ),
                    if denied_here {
                        format!(
                            "an overwrite of the {kind} '{}' takes {names} away from the bot: \
                             edit the {kind} > Permissions and allow them for the bot's role",
                            c.name
                        )
                    } else {
                        format!(
                            "give the bot's role {names} (Server Settings > Roles), or allow \
                             them for the bot's role on the {kind} '{}' (Edit > Permissions)",
                            c.name
                        )
                    },
                )
            }
        };
        findings.push(Finding {
            severity,
            place: where_,
            problem: format!("the bot lacks {names} (needed: {whys})"),
            fix,
        });
    }
    findings
}

/// The moderators' channel must be private to the moderators: votes there show who voted what.
fn privacy(server: &ServerSnapshot, config: &Config) -> Vec<Finding> {
    let Some(channel) = server
        .channels
        .get(&ChannelId::new(config.channels.moderators))
    else {
        return Vec::new();
    };
    let everyone = server
        .guild
        .roles
        .get(&RoleId::new(config.guild_id))
        .map_or(Permissions::empty(), |r| r.permissions);
    let everyone_denied = channel.permission_overwrites.iter().any(|o| {
        o.kind == serenity::all::PermissionOverwriteType::Role(RoleId::new(config.guild_id))
            && o.deny.contains(Permissions::VIEW_CHANNEL)
    });
    if everyone.contains(Permissions::VIEW_CHANNEL) && !everyone_denied {
        return vec![Finding {
            severity: Severity::Degrades,
            place: format!("channels.moderators = {} ('{}')", channel.id, channel.name),
            problem: "everyone in the server can read it, and votes there show who voted what"
                .to_owned(),
            fix: "edit the channel > Permissions: deny View Channel to @everyone and allow it to \
                  the moderator, core and lead maintainer roles and the bot's role"
                .to_owned(),
        }];
    }
    Vec::new()
}
