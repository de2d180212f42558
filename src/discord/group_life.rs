//! A group's life after its creation: facilitators and maintainers, status updates, meetings,
//! retirement, its health, and (the `/wg` command) a WG's tracked items and maintenance flag.
//!
//! Each command carries out one governance command as its caller and answers privately; the
//! core decides who may. What everyone else sees (the status in the group's channel, channel
//! permissions, the archive) follows from the audit log (see `outbox/show.rs`).

use super::commands::{ephemeral, fresh};
use super::data::{Context, Error};
use super::markdown::{self, Markdown};
use super::template_message::mentions;
use super::{health, notices, output, views};
use crate::governance::{CloseReason, Command, GroupKind, ItemRef, MemberId};
use crate::store::{Executed, GroupId, StoreError};
use chrono::NaiveDate;
use serenity::all::{GuildId, RoleId, User};

/// Carries out `command` on group `id` as the caller.
async fn run(ctx: Context<'_>, id: i64, command: Command) -> Result<Executed, StoreError> {
    super::commands::act(ctx, id, &command).await
}

/// "WG #3 'Registry'", as every answer names the group, in Markdown: the name escaped.
fn named(done: &Executed) -> String {
    format!(
        "{} #{} '{}'",
        done.group.kind,
        done.id,
        markdown::escape(&done.group.name)
    )
}

/// Answers the caller privately with `text`, govbot's Markdown: whatever people typed in it is
/// escaped ([`named`], [`markdown::escape`]).
async fn say(ctx: Context<'_>, text: &str) -> Result<(), Error> {
    ephemeral(ctx, &notices::done(Markdown::trusted(text))?).await
}

async fn refuse(ctx: Context<'_>, message: &str, hint: Option<&str>) -> Result<(), Error> {
    ephemeral(ctx, &views::error(message, hint)?).await
}

// ---------------------------------------------------------------------------------------------
// Facilitators and maintainers

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
    #[description = "The group's id"] id: i64,
    #[description = "The new facilitator"] user: User,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let member = MemberId(user.id.get());
    let done = run(ctx, id, Command::AddFacilitator { member }).await?;
    ctx.data().remember(&user).await;
    let text = format!("<@{}> is now a facilitator of {}.", member.0, named(&done));
    say(ctx, &text).await
}

/// Remove a facilitator from a group; the last one stays (moderators, core and lead maintainers).
#[poise::command(slash_command, guild_only, rename = "remove")]
pub async fn facilitator_remove(
    ctx: Context<'_>,
    #[description = "The group's id"] id: i64,
    #[description = "The facilitator to remove"] user: User,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let member = MemberId(user.id.get());
    let done = run(ctx, id, Command::RemoveFacilitator { member }).await?;
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
    #[description = "The group's id"] id: i64,
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
    let answer = match run(ctx, id, command).await {
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
                tracing::error!("command /group maintainer add failed: {e:#}");
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
    #[description = "The group's id"] id: i64,
    #[description = "The maintainer to remove"] user: User,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let member = MemberId(user.id.get());
    let done = run(ctx, id, Command::RemoveMaintainer { member }).await?;
    let text = format!(
        "<@{}> is no longer a maintainer of {}.",
        member.0,
        named(&done)
    );
    say(ctx, &text).await
}

// ---------------------------------------------------------------------------------------------
// Status, retirement, meetings, health

/// Post a status update in your group's channel (its facilitators and maintainers).
#[poise::command(slash_command, guild_only)]
pub async fn status(
    ctx: Context<'_>,
    #[description = "The group's id"] id: i64,
    #[description = "What the group has done and what comes next"]
    #[max_length = 1000]
    text: String,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let done = run(ctx, id, Command::PostStatus { text }).await?;
    let place = match done.group.channel {
        Some(c) => format!("govbot posts it in <#{c}>"),
        None => "it is shown when the group has a channel".to_string(),
    };
    say(
        ctx,
        &format!("The status of {} is recorded; {place}.", named(&done)),
    )
    .await
}

/// Retire a group, with a reason (moderators, core and lead maintainers).
#[poise::command(slash_command, guild_only)]
pub async fn retire(
    ctx: Context<'_>,
    #[description = "The group's id"] id: i64,
    #[description = "Why; everyone affected is told"]
    #[max_length = 1000]
    reason: String,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let done = run(ctx, id, Command::Retire { reason }).await?;
    say(
        ctx,
        &format!(
            "{} is retired, with your reason. Its channel is archived (read-only, never deleted) \
             and the community is told.",
            named(&done)
        ),
    )
    .await
}

/// Parses a meeting's date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// Record a group's meeting (its facilitators and maintainers, moderators, core and lead maintainers).
#[poise::command(slash_command, guild_only)]
pub async fn meeting(
    ctx: Context<'_>,
    #[description = "The group's id"] id: i64,
    #[description = "The day it took place, YYYY-MM-DD (UTC)"]
    #[max_length = 10]
    date: String,
    #[description = "Who attended: mention them (@name @name)"]
    #[max_length = 1000]
    attendees: Option<String>,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let Some(day) = parse_date(&date) else {
        let message = format!("'{}' is not a date", date.trim());
        return refuse(
            ctx,
            &message,
            Some("Write it as YYYY-MM-DD, like 2026-11-09."),
        )
        .await;
    };
    let people = attendees.as_deref().map(mentions).unwrap_or_default();
    if people.is_empty() && attendees.as_deref().is_some_and(|a| !a.trim().is_empty()) {
        return refuse(
            ctx,
            "no attendees found in what you wrote",
            Some("Mention each attendee (type @ and pick them), or leave the option out."),
        )
        .await;
    }
    let at = day.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    let Some(at) = at else {
        return refuse(ctx, "that date cannot be recorded", None).await;
    };
    let count = people.len();
    let command = Command::RecordMeeting {
        at,
        attendees: people,
    };
    let done = run(ctx, id, command).await?;
    let with = match count {
        0 => String::new(),
        1 => " with 1 attendee".to_string(),
        n => format!(" with {n} attendees"),
    };
    say(
        ctx,
        &format!(
            "Recorded a meeting of {} on {}{with}.",
            named(&done),
            day.format("%Y-%m-%d")
        ),
    )
    .await
}

/// Show how a group is doing: an IG's weekly activity, a WG's items and deadline (only to you).
#[poise::command(slash_command, guild_only)]
pub async fn health(
    ctx: Context<'_>,
    #[description = "The group's id"] id: i64,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let data = ctx.data();
    let now = data.now();
    let g = data.store.group(GroupId(id)).await?;
    let (weeks, last) = if g.group.kind == GroupKind::Ig {
        let from = now - chrono::Duration::weeks(health::HEALTH_WEEKS - 1);
        (
            data.store.weekly_activity(g.id, from, now).await?,
            data.store.last_message_at(g.id).await?,
        )
    } else {
        (Vec::new(), None)
    };
    ephemeral(ctx, &health::health(&g, &weeks, last, now)?).await
}

// ---------------------------------------------------------------------------------------------
// /wg

/// Working Groups: tracked Issues, PRs and SEPs, and the maintenance flag.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("item", "maintenance"),
    subcommand_required
)]
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
            super::render::truncate(text.trim(), 100)
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
            super::render::truncate(text.trim(), 100)
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
    let done = run(ctx, id, command(r.clone())).await?;
    let item = markdown::escape(&r.to_string());
    say(ctx, &format!("{} {what} {item}.", named(&done))).await
}

/// Track Issues, PRs, Discussions or SEPs in a WG (facilitators, maintainers, moderators).
///
/// Every reference in the text is tracked, or none if govbot cannot follow one of them.
#[poise::command(slash_command, guild_only, rename = "add")]
pub async fn item_add(
    ctx: Context<'_>,
    #[description = "The WG's id"] id: i64,
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
        done = Some(run(ctx, id, Command::TrackItem { item: item.clone() }).await?);
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
    #[description = "The WG's id"] id: i64,
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
    #[description = "The WG's id"] id: i64,
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
    #[description = "The WG's id"] id: i64,
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
    #[description = "The WG's id"] id: i64,
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
    #[description = "The WG's id"] id: i64,
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
    #[description = "The WG's id"] id: i64,
    #[description = "on: it maintains a project; off: it does not"] state: Switch,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let on = matches!(state, Switch::On);
    let done = run(ctx, id, Command::SetMaintenance { on }).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_year_month_day() {
        assert_eq!(
            parse_date(" 2026-11-09 "),
            NaiveDate::from_ymd_opt(2026, 11, 9)
        );
        assert_eq!(parse_date("09/11/2026"), None);
        assert_eq!(parse_date("2026-02-30"), None);
    }
}
