//! What `/group health` and `/wg item list` show: an IG's channel and meetings week by week, a
//! WG's tracked items, its inactivity deadline and candidacy.

use super::render::{render, template, RenderError, Rendered};
use crate::governance::{
    ig_activity, wg_inactivity_deadline, Group, GroupKind, Timestamp, TrackedItem,
};
use crate::store::{StoredGroup, WeekActivity};
use serde::Serialize;

/// How many weeks `/group health` shows for an IG: this week and the seven before.
pub const HEALTH_WEEKS: i64 = 8;

#[derive(Serialize)]
struct Week {
    start: String,
    messages: i64,
    participants: i64,
    meetings: usize,
}

#[derive(Serialize)]
struct Item {
    item: String,
    state: String,
    last_activity: i64,
    /// Why govbot cannot read it, while it cannot.
    unreadable: Option<String>,
}

#[derive(Serialize)]
struct CandidacyView {
    since: i64,
    cause: String,
    retire_at: i64,
}

#[derive(Serialize)]
struct Health {
    items_only: bool,
    id: i64,
    kind: &'static str,
    name: String,
    state: &'static str,
    channel: Option<String>,
    weeks: Vec<Week>,
    meetings: usize,
    last_meeting: Option<i64>,
    last_activity: Option<i64>,
    quiet: bool,
    quiet_after: String,
    items: Vec<Item>,
    unreadable_items: usize,
    maintenance: bool,
    deadline: Option<i64>,
    inactivity: String,
    candidacy: Option<CandidacyView>,
}

fn items(g: &Group) -> Vec<Item> {
    g.items
        .iter()
        .map(|i: &TrackedItem| Item {
            item: i.item.to_string(),
            state: match (i.completed_at, i.close_reason) {
                (Some(_), Some(reason)) => reason.to_string(),
                (Some(_), None) => "completed".to_string(),
                (None, _) => "open".to_string(),
            },
            last_activity: i.last_activity.timestamp(),
            unreadable: i.unreadable.as_ref().map(|u| u.reason.clone()),
        })
        .collect()
}

fn view(stored: &StoredGroup, items_only: bool) -> Health {
    let g = &stored.group;
    Health {
        items_only,
        id: stored.id.0,
        kind: g.kind.code(),
        name: g.name.clone(),
        state: g.state.label(),
        channel: g.channel.map(|c| c.to_string()),
        weeks: Vec::new(),
        meetings: g.meetings.len(),
        last_meeting: g.meetings.iter().map(|m| m.at).max().map(|t| t.timestamp()),
        last_activity: None,
        quiet: false,
        quiet_after: g.policy.ig_quiet_after.in_words(),
        items: items(g),
        unreadable_items: g.items.iter().filter(|i| i.unreadable.is_some()).count(),
        maintenance: g.maintenance,
        deadline: wg_inactivity_deadline(g).map(|t| t.timestamp()),
        inactivity: g.policy.wg_inactivity.in_words(),
        candidacy: g.candidacy.as_ref().map(|c| CandidacyView {
            since: c.since.timestamp(),
            cause: c.cause.to_string(),
            retire_at: (c.since + g.policy.wg_retirement_grace.to_chrono()).timestamp(),
        }),
    }
}

/// A group's health as of `now`. For an IG, `weeks` are its channel's weeks, oldest first (see
/// [`crate::store::Store::weekly_activity`]) and `last_message` the last message govbot counted
/// there; both are ignored for a WG.
pub fn health(
    stored: &StoredGroup,
    weeks: &[WeekActivity],
    last_message: Option<Timestamp>,
    now: Timestamp,
) -> Result<Rendered, RenderError> {
    let g = &stored.group;
    let mut v = view(stored, false);
    if g.kind == GroupKind::Ig {
        v.weeks = weeks
            .iter()
            .map(|w| {
                let start = w
                    .week_start
                    .and_hms_opt(0, 0, 0)
                    .map(|d| d.and_utc())
                    .unwrap_or(now);
                let end = start + chrono::Duration::weeks(1);
                Week {
                    start: w.week_start.format("%Y-%m-%d").to_string(),
                    messages: w.messages,
                    participants: w.participants,
                    meetings: g
                        .meetings
                        .iter()
                        .filter(|m| m.at >= start && m.at < end)
                        .count(),
                }
            })
            .collect();
        let last_meeting = g.meetings.iter().map(|m| m.at).max();
        let conversation = g.last_conversation.max(last_message);
        let activity = ig_activity(g, conversation, last_meeting, now);
        v.last_activity = activity.last_activity.map(|t| t.timestamp());
        v.quiet = activity.quiet;
    }
    render(template!("group_health"), v)
}

/// A WG's tracked items with their state and last activity.
pub fn item_list(stored: &StoredGroup) -> Result<Rendered, RenderError> {
    render(template!("group_health"), view(stored, true))
}
