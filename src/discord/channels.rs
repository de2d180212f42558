//! A group's channel: created under its kind's category when the group is approved, with its
//! facilitators given access and the facilitator role; moved to the archive category and made
//! read-only when the group is dissolved or retired (never deleted); restored when a veto on an
//! active group is lifted.

use super::data::Data;
use super::messages::{notices, output};
use super::permissions;
use crate::governance::{Acting, Actor, Command, Event, GroupKind, GroupState, MemberId};
use crate::store::{GroupId, StoreError, Target};
use anyhow::Result;
use serenity::all::{
    ChannelId, ChannelType, CreateChannel, EditChannel, GuildId, Http, PermissionOverwrite,
    PermissionOverwriteType, Permissions, RoleId, UserId,
};

/// `wg-registry` for WG 'Registry': Discord's channel names are lower case without spaces.
pub fn channel_name(kind: GroupKind, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_matches('-');
    let prefix = kind.code().to_lowercase();
    let full = if slug.is_empty() {
        prefix
    } else {
        format!("{prefix}-{slug}")
    };
    full.chars().take(100).collect()
}

/// The marker in a group channel's topic that finds it again if govbot stopped between creating
/// the channel and recording it.
fn topic_marker(id: GroupId) -> String {
    format!("[govbot group #{id}]")
}

fn category(data: &Data, kind: GroupKind) -> ChannelId {
    ChannelId::new(match kind {
        GroupKind::Ig => data.config.channels.ig_category,
        GroupKind::Wg => data.config.channels.wg_category,
    })
}

fn facilitator_overwrites(people: &[MemberId]) -> Vec<PermissionOverwrite> {
    people
        .iter()
        .map(|m| PermissionOverwrite {
            allow: permissions::FACILITATOR_ALLOWS,
            deny: Permissions::empty(),
            kind: PermissionOverwriteType::Member(UserId::new(m.0)),
        })
        .collect()
}

/// Creates (or finds) the channel of an approved group, links it to the group, gives its
/// facilitators access and their role, then opens and announces it, each step once.
pub async fn open_group(http: &Http, data: &Data, id: GroupId) -> Result<()> {
    let stored = data.store.group(id).await?;
    let g = stored.group;
    if !matches!(g.state, GroupState::Active | GroupState::UnderReversalVote) {
        return Ok(());
    }
    let guild = GuildId::new(data.config.guild_id);
    let channel = match g.channel {
        Some(c) => c,
        None => {
            let marker = topic_marker(id);
            let existing = guild
                .channels(http)
                .await?
                .into_values()
                .find(|c| c.topic.as_deref().is_some_and(|t| t.contains(&marker)));
            let channel = match existing {
                Some(c) => c.id,
                None => {
                    let (purpose, _) = notices::purpose_and_opener(&g);
                    let summary = purpose
                        .map(|a| super::messages::render::truncate(&a.text, 700))
                        .unwrap_or_default();
                    let topic = format!("{} '{}': {summary} {marker}", g.kind.code(), g.name);
                    guild
                        .create_channel(
                            http,
                            CreateChannel::new(channel_name(g.kind, &g.name))
                                .kind(ChannelType::Text)
                                .category(category(data, g.kind))
                                .topic(topic)
                                .permissions(facilitator_overwrites(&g.facilitators)),
                        )
                        .await?
                        .id
                }
            };
            let gov = Acting::new(&Actor::System, data.now(), data.policy());
            let command = Command::LinkChannel {
                channel: channel.get(),
            };
            match data
                .store
                .execute(Target::Group(id), &command, &gov, None)
                .await
            {
                Ok(_) => {}
                // Dissolved meanwhile: its own event archives the channel.
                Err(StoreError::Governance(e)) => {
                    tracing::info!(group = %id, "the new channel was not linked: {e}");
                }
                Err(e) => return Err(e.into()),
            }
            channel.get()
        }
    };
    grant_facilitators(http, data, channel, &g.facilitators).await?;
    let g = data.store.group(id).await?.group;
    let opening = notices::group_opening(id, &g)?;
    once(http, data, id, "opening", channel, &opening, &[]).await?;
    let announced = notices::group_announced(&g, channel)?;
    once(
        http,
        data,
        id,
        "announced",
        data.config.channels.announcements,
        &announced,
        &[],
    )
    .await?;
    Ok(())
}

pub async fn grant_facilitators(
    http: &Http,
    data: &Data,
    channel: u64,
    people: &[MemberId],
) -> Result<()> {
    let guild = GuildId::new(data.config.guild_id);
    for o in facilitator_overwrites(people) {
        ChannelId::new(channel).create_permission(http, o).await?;
    }
    if let Some(role) = data.config.roles.facilitator {
        for m in people {
            let given = guild
                .member(http, UserId::new(m.0))
                .await?
                .add_role(http, RoleId::new(role))
                .await;
            // The role only adds a colour and a mention; the channel, its opening and the
            // announcement must not wait on it. `govbot check-config --online` names the fix.
            if let Err(e) = given {
                tracing::warn!(
                    member = m.0,
                    role,
                    "the facilitator role could not be given ({}); the bot's role must be above it \
                     and hold Manage Roles",
                    output::brief(&e)
                );
            }
        }
    }
    Ok(())
}

/// A facilitator removed: their channel access goes, and the facilitator role unless they
/// facilitate another live group.
pub async fn revoke_facilitator(
    http: &Http,
    data: &Data,
    id: GroupId,
    channel: u64,
    member: MemberId,
) -> Result<()> {
    ChannelId::new(channel)
        .delete_permission(http, PermissionOverwriteType::Member(UserId::new(member.0)))
        .await?;
    release_facilitator_role(http, data, id, &[member]).await
}

/// Archives a dissolved or retired group's channel: a notice in it, then moved to the archive
/// category, read-only for everyone; facilitators who lead no other live group lose the role;
/// the end is announced. `how` is "was dissolved" or "was retired".
pub async fn archive(
    http: &Http,
    data: &Data,
    id: GroupId,
    event_id: i64,
    event: &Event,
    how: &str,
) -> Result<()> {
    let g = data.store.group(id).await?.group;
    let notice = notices::group_archived(id, &g, how, event)?;
    if let Some(channel) = g.channel {
        once(
            http,
            data,
            id,
            &format!("archived:{event_id}"),
            channel,
            &notice,
            &[],
        )
        .await?;
        let everyone = RoleId::new(data.config.guild_id);
        let mut overwrites = vec![PermissionOverwrite {
            allow: Permissions::empty(),
            deny: permissions::ARCHIVED_DENIES,
            kind: PermissionOverwriteType::Role(everyone),
        }];
        overwrites.push(PermissionOverwrite {
            allow: permissions::ARCHIVED_BOT_ALLOWS,
            deny: Permissions::empty(),
            kind: PermissionOverwriteType::Member(UserId::new(data.bot_user)),
        });
        ChannelId::new(channel)
            .edit(
                http,
                EditChannel::new()
                    .category(Some(ChannelId::new(data.config.channels.archive_category)))
                    .permissions(overwrites),
            )
            .await?;
        release_facilitator_role(http, data, id, &g.facilitators).await?;
    }
    once(
        http,
        data,
        id,
        &format!("archived-announced:{event_id}"),
        data.config.channels.announcements,
        &notice,
        &[],
    )
    .await
}

async fn release_facilitator_role(
    http: &Http,
    data: &Data,
    id: GroupId,
    people: &[MemberId],
) -> Result<()> {
    let Some(role) = data.config.roles.facilitator else {
        return Ok(());
    };
    let live = data
        .store
        .list_in(None, &GroupState::LIVE)
        .await?
        .into_iter()
        .filter(|g| g.id != id)
        .flat_map(|g| g.group.facilitators)
        .collect::<Vec<_>>();
    let guild = GuildId::new(data.config.guild_id);
    for m in people.iter().filter(|m| !live.contains(m)) {
        let taken = guild
            .member(http, UserId::new(m.0))
            .await?
            .remove_role(http, RoleId::new(role))
            .await;
        if let Err(e) = taken {
            tracing::warn!(
                member = m.0,
                role,
                "the facilitator role could not be taken back ({}); the bot's role must be above \
                 it and hold Manage Roles",
                output::brief(&e)
            );
        }
    }
    Ok(())
}

/// A lifted veto made the group active again: its channel goes back under its category, open to
/// members as before, with its facilitators' access.
pub async fn restore(http: &Http, data: &Data, id: GroupId) -> Result<()> {
    let g = data.store.group(id).await?.group;
    let Some(channel) = g.channel.filter(|_| g.state == GroupState::Active) else {
        return Ok(());
    };
    ChannelId::new(channel)
        .edit(
            http,
            EditChannel::new()
                .category(Some(category(data, g.kind)))
                .permissions(facilitator_overwrites(&g.facilitators)),
        )
        .await?;
    grant_facilitators(http, data, channel, &g.facilitators).await
}

/// Posts `r` in `channel` unless the message for `purpose` was already posted for this group;
/// `ping` lists the members the message may notify.
pub async fn once(
    http: &Http,
    data: &Data,
    id: GroupId,
    purpose: &str,
    channel: u64,
    r: &super::messages::render::Rendered,
    ping: &[MemberId],
) -> Result<()> {
    if data.store.group_message(id, purpose).await?.is_some() {
        return Ok(());
    }
    let message = output::exactly_once(output::create_pinging(r, ping), &format!("{id}/{purpose}"));
    let msg = ChannelId::new(channel).send_message(http, message).await?;
    data.store
        .set_group_message(id, purpose, channel, msg.id.get())
        .await?;
    Ok(())
}
