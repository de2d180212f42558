//! The `/group` slash commands. Each one's `///` comment is its description in Discord.

use super::decisions::history;
use super::group_life::{health, meeting, status};
use super::preamble::{act, ephemeral, fresh, member_roles};
use crate::discord::data::{Context, Error};
use crate::discord::markdown::{self, Markdown};
use crate::discord::messages::views;
use crate::governance::{Command, GroupKind, GroupState, MemberId};
use crate::store::{Draft, GroupFilter, GroupId};
use serenity::all::{
    CreateActionRow, CreateInputText, CreateInteractionResponse, CreateModal, InputTextStyle, User,
};

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum KindChoice {
    #[name = "IG"]
    Ig,
    #[name = "WG"]
    Wg,
}

impl From<KindChoice> for GroupKind {
    fn from(k: KindChoice) -> Self {
        match k {
            KindChoice::Ig => GroupKind::Ig,
            KindChoice::Wg => GroupKind::Wg,
        }
    }
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum StateChoice {
    #[name = "proposed"]
    Proposed,
    #[name = "under vote"]
    UnderVote,
    #[name = "active"]
    Active,
    #[name = "under reversal vote"]
    UnderReversalVote,
    #[name = "rejected"]
    Rejected,
    #[name = "vetoed"]
    Vetoed,
    #[name = "withdrawn"]
    Withdrawn,
    #[name = "reversed"]
    Reversed,
    #[name = "retired"]
    Retired,
}

impl From<StateChoice> for GroupState {
    fn from(s: StateChoice) -> Self {
        match s {
            StateChoice::Proposed => GroupState::Proposed,
            StateChoice::UnderVote => GroupState::UnderVote,
            StateChoice::Active => GroupState::Active,
            StateChoice::UnderReversalVote => GroupState::UnderReversalVote,
            StateChoice::Rejected => GroupState::Rejected,
            StateChoice::Vetoed => GroupState::Vetoed,
            StateChoice::Withdrawn => GroupState::Withdrawn,
            StateChoice::Reversed => GroupState::Reversed,
            StateChoice::Retired => GroupState::Retired,
        }
    }
}

/// Interest Groups and Working Groups: propose, decide, run and inspect them.
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "propose", "withdraw", "info", "list", "history", "status", "meeting", "health"
    ),
    subcommand_required
)]
pub async fn group(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// Check that govbot is answering (it replies only to you).
#[poise::command(slash_command, guild_only)]
pub async fn ping(ctx: Context<'_>) -> Result<(), Error> {
    ephemeral(
        ctx,
        &crate::discord::messages::notices::done(Markdown::trusted("govbot is answering."))?,
    )
    .await
}

/// Propose a new IG or WG: opens its creation template.
#[poise::command(slash_command, guild_only)]
pub async fn propose(
    ctx: Context<'_>,
    #[description = "IG (Interest Group) or WG (Working Group)"] kind: KindChoice,
    #[description = "The group's name"]
    #[max_length = 80]
    name: String,
    #[description = "Facilitator (you, if left out)"] facilitator: Option<User>,
    #[description = "A second facilitator"] co_facilitator: Option<User>,
    #[description = "Maintainer (optional; a steering group member)"] maintainer: Option<User>,
) -> Result<(), Error> {
    let poise::Context::Application(app) = ctx else {
        return Ok(());
    };
    // The form must be the first answer, so this command cannot defer; its one write (the draft)
    // is small. A replayed delivery's form is refused by Discord (one first answer).
    let data = ctx.data();
    let kind = GroupKind::from(kind);
    let named_people: Vec<User> = [&facilitator, &co_facilitator, &maintainer]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let mut facilitators: Vec<MemberId> = [facilitator, co_facilitator]
        .into_iter()
        .flatten()
        .map(|u| MemberId(u.id.get()))
        .collect();
    if facilitators.is_empty() {
        facilitators.push(MemberId(ctx.author().id.get()));
    }
    let draft = Draft {
        proposer: MemberId(ctx.author().id.get()),
        kind,
        name: name.clone(),
        facilitators,
        maintainers: maintainer
            .map(|u| MemberId(u.id.get()))
            .into_iter()
            .collect(),
    };
    let id = data.store.save_draft(&draft, data.now()).await?;
    let inputs = kind
        .fields()
        .iter()
        .filter(|f| f.is_text())
        .map(|f| {
            CreateActionRow::InputText(
                CreateInputText::new(InputTextStyle::Paragraph, f.form_label(), f.key())
                    .required(true)
                    .max_length(crate::governance::MAX_TEXT_CHARS as u16),
            )
        })
        .collect();
    let title = crate::discord::messages::views::form_title(kind, &name);
    let shown = app
        .interaction
        .create_response(
            ctx.serenity_context(),
            CreateInteractionResponse::Modal(
                CreateModal::new(
                    crate::discord::component_id::ComponentId::Propose { draft: id }.to_string(),
                    title,
                )
                .components(inputs),
            ),
        )
        .await;
    if let Err(e) = shown {
        tracing::info!("not showing the proposal form twice: {e}");
        return Ok(());
    }
    // After the form is shown (nothing may wait on the database before it): the people named,
    // so the directory and histories show them by name.
    for user in named_people.iter().filter(|u| !u.bot) {
        data.remember(user).await;
    }
    Ok(())
}

/// Withdraw your own proposal (only before a vote is called).
#[poise::command(slash_command, guild_only)]
pub async fn withdraw(
    ctx: Context<'_>,
    #[description = "The proposal's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let done = act(ctx, id, &Command::Withdraw).await?;
    let r = crate::discord::messages::notices::done(Markdown::trusted(format!(
        "Proposal #{id} ({} '{}') is withdrawn.",
        done.group.kind,
        markdown::escape(&done.group.name)
    )))?;
    ephemeral(ctx, &r).await
}

/// Show one group or proposal.
#[poise::command(slash_command, guild_only)]
pub async fn info(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let store = &ctx.data().store;
    let g = store.group(GroupId(id)).await?;
    let ballots = match g.group.vote.as_ref() {
        Some(v) => store.ballots(g.id, v).await?,
        None => Default::default(),
    };
    let viewer = ctx.data().actor(ctx.author().id.get(), &member_roles(&ctx));
    ephemeral(ctx, &views::info(&g, &ballots, &viewer)?).await
}

/// List groups and proposals, optionally of one kind or state.
#[poise::command(slash_command, guild_only)]
pub async fn list(
    ctx: Context<'_>,
    #[description = "IG or WG"] kind: Option<KindChoice>,
    #[description = "Only groups in this state"] state: Option<StateChoice>,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let filter = GroupFilter {
        kind: kind.map(GroupKind::from),
        state: state.map(GroupState::from),
    };
    let store = &ctx.data().store;
    let groups = store.list(&filter).await?;
    let recent = store
        .activity_since(crate::export::recent_since(ctx.data().now()))
        .await?;
    let described = [
        filter.kind.map(|k| format!("{k}s")),
        filter.state.map(|s| s.label().to_string()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>();
    let label = (!described.is_empty()).then(|| described.join(", "));
    ephemeral(ctx, &views::list_with_activity(&groups, label, &recent)?).await
}
