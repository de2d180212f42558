//! A group's life after its creation: status updates, meetings, retirement and its health.
//!
//! Each command carries out one governance command as its caller and answers privately; the
//! core decides who may. What everyone else sees (the status in the group's channel, channel
//! permissions, the archive) follows from the audit log (see `outbox/show.rs`).

use super::preamble::{act, ephemeral, fresh, named, refuse, say};
use crate::discord::data::{Context, Error};
use crate::discord::messages::health;
use crate::discord::template_message::mentions;
use crate::governance::{Command, GroupKind};
use crate::store::GroupId;
use chrono::NaiveDate;

/// Post a status update in your group's channel (its facilitators and maintainers).
#[poise::command(slash_command, guild_only)]
pub async fn status(
    ctx: Context<'_>,
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "What the group has done and what comes next"]
    #[max_length = 1000]
    text: String,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let done = act(ctx, id, &Command::PostStatus { text }).await?;
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
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
    #[description = "Why; everyone affected is told"]
    #[max_length = 1000]
    reason: String,
) -> Result<(), Error> {
    if !fresh(ctx).await? {
        return Ok(());
    }
    let done = act(ctx, id, &Command::Retire { reason }).await?;
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
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
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
    let done = act(ctx, id, &command).await?;
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
    #[description = "The group's id"]
    #[autocomplete = "super::preamble::group_ids"]
    id: i64,
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
