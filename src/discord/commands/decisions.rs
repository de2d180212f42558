//! The `/group` commands that decide a proposal's or a group's fate: calling a vote, vetoes,
//! reversal, sponsorship, and the audit trail. Each answers its caller privately; what everyone
//! else is shown follows from the audit log (see `outbox/show.rs`).

use super::preamble::{fresh, member_roles};
use crate::discord::data::{Context, Error};
use crate::discord::markdown::{self, Markdown};
use crate::discord::messages::{notices, output};
use crate::discord::votes;
use crate::governance::{Command, EventKind};
use crate::store::GroupId;

/// Open the moderators' 72-hour vote on a proposal (community moderators).
#[poise::command(slash_command, guild_only, rename = "call-vote")]
pub async fn call_vote(
    ctx: Context<'_>,
    #[description = "The proposal's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
) -> Result<(), Error> {
    open_vote(ctx, id, None).await
}

/// Open a moderator vote on reversing an active group's creation (community moderators).
#[poise::command(slash_command, guild_only)]
pub async fn reverse(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "Why the group should be dissolved"] reason: String,
) -> Result<(), Error> {
    open_vote(ctx, id, Some(reason)).await
}

async fn open_vote(ctx: Context<'_>, id: i64, reason: Option<String>) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let data = ctx.data();
    let actor = data.actor(ctx.author().id.get(), &member_roles(&ctx));
    let answer = votes::call(
        ctx.http(),
        data,
        &actor,
        GroupId(id),
        reason.as_deref(),
        None,
    )
    .await?;
    ctx.send(output::poise_reply(&answer)).await?;
    Ok(())
}

/// Veto a proposal, or reverse an active group's creation (core and lead maintainers).
#[poise::command(slash_command, guild_only)]
pub async fn veto(
    ctx: Context<'_>,
    #[description = "The proposal's or group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "Why; everyone affected is told"] reason: String,
) -> Result<(), Error> {
    decide(ctx, id, Command::Veto { reason }).await
}

/// Lift a veto (lead maintainers).
#[poise::command(slash_command, guild_only, rename = "lift-veto")]
pub async fn lift_veto(
    ctx: Context<'_>,
    #[description = "The proposal's or group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "Why; everyone affected is told"] reason: String,
) -> Result<(), Error> {
    decide(ctx, id, Command::LiftVeto { reason }).await
}

/// Sponsor a proposal, where approval is by sponsorship (core and lead maintainers).
#[poise::command(slash_command, guild_only)]
pub async fn sponsor(
    ctx: Context<'_>,
    #[description = "The proposal's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
) -> Result<(), Error> {
    decide(ctx, id, Command::Sponsor).await
}

/// Carries out `command` as the caller and confirms privately what happened.
async fn decide(ctx: Context<'_>, id: i64, command: Command) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let done = super::preamble::act(ctx, id, &command).await?;
    let what = done
        .events
        .iter()
        .map(|e| markdown::escape(&e.kind.to_string()))
        .collect::<Vec<_>>()
        .join("; ");
    let told = match done.events.last().map(|e| &e.kind) {
        Some(EventKind::Sponsored { .. }) => "Moderators are told.",
        _ => "Moderators and the proposer are told, with your reason.",
    };
    let text = Markdown::trusted(format!(
        "Done: {} #{id} '{}': {what}. It is now {}. {told}",
        done.group.kind,
        markdown::escape(&done.group.name),
        done.group.state.label()
    ));
    super::preamble::ephemeral(ctx, &notices::done(text)?).await
}

/// Show a group's audit trail: who did what, when and why.
#[poise::command(slash_command, guild_only)]
pub async fn history(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "Which page: 1 (the default) is the newest, 2 the one before, and so on"]
    #[min = 1]
    page: Option<u32>,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let store = &ctx.data().store;
    let g = store.group(GroupId(id)).await?;
    let events = store.history(GroupId(id)).await?;
    let page = page.unwrap_or(1) as usize;
    // Who voted what only to those the vote's ballot visibility shows it to.
    let viewer = ctx.data().actor(ctx.author().id.get(), &member_roles(&ctx));
    let r = notices::history(g.id, &g.group, &events, &viewer, page)?;
    super::preamble::ephemeral(ctx, &r).await
}
