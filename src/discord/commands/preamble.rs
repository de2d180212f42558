//! What every slash command shares before and after its own work: acknowledge first, act as the
//! member who asked, answer privately.

use crate::discord::data::{Context, Error};
use crate::discord::markdown::{self, Markdown};
use crate::discord::messages::{notices, output, render::Rendered, views};
use crate::governance::{Acting, Command};
use crate::store::{Executed, GroupId, StoreError, Target};

/// Acknowledges the command (a private "thinking" answer) before it reads or writes anything,
/// so a database stall never fails the interaction; its answer then replaces that one. Discord
/// takes one first answer per interaction, so a replayed INTERACTION_CREATE stops here.
pub async fn fresh(ctx: Context<'_>) -> Result<bool, Error> {
    match ctx.defer_ephemeral().await {
        Ok(()) => Ok(true),
        Err(e) => {
            tracing::info!("not answering a command twice: {e}");
            Ok(false)
        }
    }
}

/// Carries out `command` on group `id` as the member who gave the slash command: their roles as
/// Discord sends them, now on the governance clock, the configured policy. What every command
/// that changes a group shares after [`fresh`].
pub async fn act(ctx: Context<'_>, id: i64, command: &Command) -> Result<Executed, StoreError> {
    let data = ctx.data();
    let actor = data.actor(ctx.author().id.get(), &member_roles(&ctx));
    let acting = Acting::new(&actor, data.now(), data.policy());
    data.store
        .execute(Target::Group(GroupId(id)), command, &acting, None)
        .await
}

pub fn member_roles(ctx: &Context<'_>) -> Vec<serenity::all::RoleId> {
    match ctx {
        poise::Context::Application(app) => app
            .interaction
            .member
            .as_ref()
            .map(|m| m.roles.clone())
            .unwrap_or_default(),
        poise::Context::Prefix(p) => p
            .msg
            .member
            .as_ref()
            .map(|m| m.roles.clone())
            .unwrap_or_default(),
    }
}

pub async fn ephemeral(ctx: Context<'_>, r: &Rendered) -> Result<(), Error> {
    ctx.send(output::poise_reply(r)).await?;
    Ok(())
}

/// "WG #3 'Registry'", as every answer names the group, in Markdown: the name escaped.
pub fn named(done: &Executed) -> String {
    format!(
        "{} #{} '{}'",
        done.group.kind,
        done.id,
        markdown::escape(&done.group.name)
    )
}

/// Answers the caller privately with `text`, govbot's Markdown: whatever people typed in it is
/// escaped ([`named`], [`markdown::escape`]).
pub async fn say(ctx: Context<'_>, text: &str) -> Result<(), Error> {
    ephemeral(ctx, &notices::done(Markdown::trusted(text))?).await
}

/// A private refusal, with what to do instead when there is something.
pub async fn refuse(ctx: Context<'_>, message: &str, hint: Option<&str>) -> Result<(), Error> {
    ephemeral(ctx, &views::error(message, hint)?).await
}

/// Discord shows at most 25 suggestions.
const MAX_CHOICES: u32 = 25;

/// Suggestions for a group id option while the member types part of a name or a number: "WG #3
/// Registry" for 3, live groups first, a group that is not active with its state. A store error
/// offers nothing (the member can still type the number) and is logged.
pub async fn group_ids(
    ctx: Context<'_>,
    typed: &str,
) -> poise::serenity_prelude::CreateAutocompleteResponse {
    let found = match ctx.data().store.groups_named_like(typed, MAX_CHOICES).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!("cannot suggest groups for {typed:?}: {e}");
            Vec::new()
        }
    };
    found.into_iter().fold(
        poise::serenity_prelude::CreateAutocompleteResponse::new(),
        |response, g| response.add_int_choice(views::group_choice(&g), g.id.0),
    )
}
