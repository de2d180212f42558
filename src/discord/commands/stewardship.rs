//! Who steers a group: its facilitators and maintainers (the `/govern facilitator` and
//! `/govern maintainer` commands). The core decides who may; the outbox grants and removes the
//! roles and channel permissions that follow.

use super::preamble::{act, fresh, named, say};
use crate::discord::data::{Context, Error};
use crate::discord::markdown::Markdown;
use crate::discord::messages::{notices, output, views};
use crate::governance::{Command, MemberId};
use serenity::all::{GuildId, RoleId, User};

/// Add or remove a group's facilitators (moderators, core and lead maintainers).
#[poise::command(
    slash_command,
    guild_only,
    subcommands("facilitator_add", "facilitator_remove"),
    subcommand_required
)]
pub async fn facilitator(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Make someone a facilitator of a group (moderators, core and lead maintainers).
#[poise::command(slash_command, guild_only, rename = "add")]
pub async fn facilitator_add(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "The new facilitator"] user: User,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let member = MemberId(user.id.get());
    let done = act(ctx, id, &Command::AddFacilitator { member }).await?;
    ctx.data().remember(&user).await;
    let text = format!("<@{}> is now a facilitator of {}.", member.0, named(&done));
    say(ctx, &text).await
}

/// Remove a facilitator from a group; the last one stays (moderators, core and lead maintainers).
#[poise::command(slash_command, guild_only, rename = "remove")]
pub async fn facilitator_remove(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "The facilitator to remove"] user: User,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let member = MemberId(user.id.get());
    let done = act(ctx, id, &Command::RemoveFacilitator { member }).await?;
    let text = format!(
        "<@{}> is no longer a facilitator of {}.",
        member.0,
        named(&done)
    );
    say(ctx, &text).await
}

/// Add or remove a group's maintainers (moderators, core and lead maintainers).
#[poise::command(
    slash_command,
    guild_only,
    subcommands("maintainer_add", "maintainer_remove"),
    subcommand_required
)]
pub async fn maintainer(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Make a steering group member a maintainer of a group (moderators, core and lead maintainers).
#[poise::command(slash_command, guild_only, rename = "add")]
pub async fn maintainer_add(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "The new maintainer (a steering group member)"] user: User,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let data = ctx.data();
    let guild = GuildId::new(data.config.guild_id);
    let steering = RoleId::new(data.config.roles.steering_group);
    let in_steering_group = match guild.member(ctx.http(), user.id).await {
        Ok(m) => m.roles.contains(&steering),
        Err(e) => {
            tracing::info!("member {} not found in the guild: {e}", user.id);
            false
        }
    };
    let member = MemberId(user.id.get());
    let command = Command::AddMaintainer {
        member,
        in_steering_group,
    };
    let answer = match act(ctx, id, &command).await {
        Ok(done) => {
            ctx.data().remember(&user).await;
            notices::done(Markdown::trusted(format!(
                "<@{}> is now a maintainer of {}.",
                member.0,
                named(&done)
            )))?
        }
        Err(e) => {
            if !e.is_user_facing() {
                tracing::error!("command /govern maintainer add failed: {e:#}");
            }
            views::error(&e.user_message(), None)?
        }
    };
    ctx.send(output::poise_reply(&answer)).await?;
    Ok(())
}

/// Remove a maintainer from a group (moderators, core and lead maintainers).
#[poise::command(slash_command, guild_only, rename = "remove")]
pub async fn maintainer_remove(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "The maintainer to remove"] user: User,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let member = MemberId(user.id.get());
    let done = act(ctx, id, &Command::RemoveMaintainer { member }).await?;
    let text = format!(
        "<@{}> is no longer a maintainer of {}.",
        member.0,
        named(&done)
    );
    say(ctx, &text).await
}
