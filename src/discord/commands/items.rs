//! The `/wg` command: a Working Group's tracked Issues, PRs, Discussions and SEPs, and its
//! maintenance flag, which together decide whether the WG is active (spec: retirement).

use super::preamble::{act, ephemeral, fresh, named, refuse, say};
use crate::discord::data::{Context, Error};
use crate::discord::markdown;
use crate::discord::messages::health;
use crate::governance::{CloseReason, Command, GroupKind, ItemRef};
use crate::store::GroupId;

/// Working Groups: tracked Issues, PRs and SEPs, and the maintenance flag.
#[poise::command(slash_command, guild_only, subcommands("item"), subcommand_required)]
pub async fn wg(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

/// A WG's tracked Issues, PRs, Discussions, SEPs and manual items.
#[poise::command(
    slash_command,
    guild_only,
    subcommands(
        "item_add",
        "item_done",
        "item_reopen",
        "item_touch",
        "item_drop",
        "item_list"
    ),
    subcommand_required
)]
pub async fn item(_: Context<'_>) -> Result<(), Error> {
    Ok(())
}

const REFERENCE_HINT: &str = "Give its URL (like https://github.com/org/repo/issues/12), SEP-n \
     (like SEP-1686), or `manual: <link>` for something govbot cannot read.";

/// Every reference in `text` for `/wg item add`, or a refusal naming each one govbot cannot
/// follow: nothing is tracked unless all of them can be.
async fn new_references(ctx: Context<'_>, text: &str) -> Result<Option<Vec<ItemRef>>, Error> {
    let found = ItemRef::all_in(text);
    if found.is_empty() {
        let message = format!(
            "'{}' is not an Issue, PR, Discussion or SEP reference",
            crate::discord::messages::render::truncate(text.trim(), 100)
        );
        refuse(ctx, &message, Some(REFERENCE_HINT)).await?;
        return Ok(None);
    }
    let refused: Vec<String> = found
        .iter()
        .filter_map(|r| r.as_ref().err().map(ToString::to_string))
        .collect();
    if !refused.is_empty() {
        refuse(ctx, &refused.join("\n"), None).await?;
        return Ok(None);
    }
    Ok(Some(found.into_iter().flatten().collect()))
}

/// The tracked item `text` names: as govbot stores it, or exactly as it was once stored (an old
/// reference govbot cannot follow must still be droppable).
async fn tracked_reference(ctx: Context<'_>, text: &str) -> Result<Option<ItemRef>, Error> {
    let found = match ItemRef::all_in(text).as_slice() {
        [Ok(r)] => Some(r.clone()),
        _ => ItemRef::find_in(text),
    };
    if found.is_none() {
        let message = format!(
            "'{}' is not an Issue, PR, Discussion or SEP reference",
            crate::discord::messages::render::truncate(text.trim(), 100)
        );
        refuse(
            ctx,
            &message,
            Some("`/wg item list` shows what the WG tracks."),
        )
        .await?;
    }
    Ok(found)
}

async fn item_change(
    ctx: Context<'_>,
    id: i64,
    text: &str,
    command: impl Fn(ItemRef) -> Command,
    what: &str,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let Some(r) = tracked_reference(ctx, text).await? else {
        return Ok(());
    };
    let done = act(ctx, id, &command(r.clone())).await?;
    let item = markdown::escape(&r.to_string());
    say(ctx, &format!("{} {what} {item}.", named(&done))).await
}

/// Track Issues, PRs, Discussions or SEPs in a WG (facilitators, maintainers, moderators).
///
/// Every reference in the text is tracked, or none if govbot cannot follow one of them.
#[poise::command(slash_command, guild_only, rename = "add")]
pub async fn item_add(
    ctx: Context<'_>,
    #[description = "The WG's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "URLs or SEP-n; or manual: <link> for something govbot cannot read"]
    #[max_length = 512]
    reference: String,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let Some(items) = new_references(ctx, &reference).await? else {
        return Ok(());
    };
    let mut done = None;
    for item in &items {
        done = Some(act(ctx, id, &Command::TrackItem { item: item.clone() }).await?);
    }
    let Some(done) = done else { return Ok(()) };
    let names: Vec<String> = items
        .iter()
        .map(|i| markdown::escape(&i.to_string()))
        .collect();
    let mut text = format!("{} now tracks {}.", named(&done), names.join(", "));
    if items.iter().any(ItemRef::is_manual) {
        text.push_str(
            " govbot cannot read a manual item: record its activity with `/wg item touch`.",
        );
    }
    say(ctx, &text).await
}

/// Mark a tracked item completed (the WG's facilitators and maintainers, moderators, maintainers).
#[poise::command(slash_command, guild_only, rename = "done")]
pub async fn item_done(
    ctx: Context<'_>,
    #[description = "The WG's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "A URL or SEP-n it tracks"]
    #[max_length = 512]
    reference: String,
) -> Result<(), Error> {
    item_change(
        ctx,
        id,
        &reference,
        |item| Command::CompleteItem {
            item,
            reason: CloseReason::ByHand,
        },
        "completed",
    )
    .await
}

/// Reopen a completed item (the WG's facilitators and maintainers, moderators, maintainers).
#[poise::command(slash_command, guild_only, rename = "reopen")]
pub async fn item_reopen(
    ctx: Context<'_>,
    #[description = "The WG's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "A URL or SEP-n it tracks"]
    #[max_length = 512]
    reference: String,
) -> Result<(), Error> {
    item_change(
        ctx,
        id,
        &reference,
        |item| Command::ReopenItem { item },
        "reopened",
    )
    .await
}

/// Record activity on a tracked item now: for manual items, which govbot cannot read.
#[poise::command(slash_command, guild_only, rename = "touch")]
pub async fn item_touch(
    ctx: Context<'_>,
    #[description = "The WG's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "The item, as /wg item list shows it"]
    #[max_length = 512]
    reference: String,
) -> Result<(), Error> {
    let now = ctx.data().now();
    item_change(
        ctx,
        id,
        &reference,
        move |item| Command::RecordItemActivity { item, seen_at: now },
        "recorded activity now on",
    )
    .await
}

/// Stop tracking an item, e.g. one govbot cannot read (facilitators, maintainers, moderators).
#[poise::command(slash_command, guild_only, rename = "drop")]
pub async fn item_drop(
    ctx: Context<'_>,
    #[description = "The WG's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "The item, as /wg item list shows it"]
    #[max_length = 512]
    reference: String,
) -> Result<(), Error> {
    item_change(
        ctx,
        id,
        &reference,
        |item| Command::DropItem { item },
        "no longer tracks",
    )
    .await
}

/// List a WG's tracked items with their state and last activity (only to you).
#[poise::command(slash_command, guild_only, rename = "list")]
pub async fn item_list(
    ctx: Context<'_>,
    #[description = "The WG's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let g = ctx.data().store.group(GroupId(id)).await?;
    if g.group.kind != GroupKind::Wg {
        let message = format!(
            "IG '{}' has no tracked items; those belong to WGs",
            g.group.name
        );
        return refuse(
            ctx,
            &message,
            Some("`/group health` shows an IG's activity."),
        )
        .await;
    }
    ephemeral(ctx, &health::item_list(&g)?).await
}

#[derive(Debug, Clone, Copy, poise::ChoiceParameter)]
pub enum Switch {
    #[name = "on"]
    On,
    #[name = "off"]
    Off,
}

/// Mark a WG as maintaining a project, exempt from inactivity retirement (moderators, maintainers).
#[poise::command(slash_command, guild_only)]
pub async fn maintenance(
    ctx: Context<'_>,
    #[description = "The WG's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "on: it maintains a project; off: it does not"] state: Switch,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let on = matches!(state, Switch::On);
    let done = act(ctx, id, &Command::SetMaintenance { on }).await?;
    let text = if on {
        format!(
            "{} is marked as maintaining a project: it is exempt from retirement for inactivity.",
            named(&done)
        )
    } else {
        format!(
            "{} no longer maintains a project: the inactivity rule applies again.",
            named(&done)
        )
    };
    say(ctx, &text).await
}
