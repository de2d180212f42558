//! When a WG becomes a retirement candidate, and how active an IG is (information only).
//!
//! The spec retires a WG that "no longer has an active Issue/PR for a month or more, or has
//! completed all Issues/PRs it intended to pursue". A WG maintaining a project is exempt from
//! that rule; an IG is only ever retired by a human decision.

use super::event::RetirementCause;
use super::group::{Group, GroupState};
use super::ids::Timestamp;
use super::policy::HumanDuration;
use super::template::GroupKind;

/// When the WG reaches the inactivity limit if nothing happens: the inactivity period after the
/// latest of its activation, its items' last activity, and the last time a moderator kept it.
/// `None` for IGs, maintenance WGs and groups that are not active, and while any item cannot be
/// read: govbot does not take "I could not see it" for "nothing happened".
pub fn wg_inactivity_deadline(g: &Group) -> Option<Timestamp> {
    if g.kind != GroupKind::Wg || g.state != GroupState::Active || g.maintenance {
        return None;
    }
    if g.items.iter().any(|i| i.unreadable.is_some()) {
        return None;
    }
    let base = g
        .items
        .iter()
        .map(|i| i.last_activity)
        .chain(g.active_since)
        .chain(g.kept_at)
        .max()?;
    Some(base + g.policy.wg_inactivity.to_chrono())
}

/// Which retirement rule, if any, the WG meets at `now` and is not yet flagged for.
pub fn retirement_due(g: &Group, now: Timestamp) -> Option<RetirementCause> {
    let deadline = wg_inactivity_deadline(g)?;
    if g.candidacy.is_some() {
        return None;
    }
    let last_completion = g.items.iter().filter_map(|i| i.completed_at).max();
    let all_completed = !g.items.is_empty() && g.items.iter().all(|i| i.completed_at.is_some());
    // Once kept, completing the same items again is not news: only a completion after the keep counts.
    if all_completed && last_completion > g.kept_at {
        return Some(RetirementCause::AllItemsCompleted);
    }
    (now >= deadline).then_some(RetirementCause::Inactivity)
}

/// The WG's inactivity deadline and the reminder offsets due for it at `now` and not yet sent.
/// None once the WG is a candidate (the candidacy itself is the news).
pub fn inactivity_reminders_due(
    g: &Group,
    now: Timestamp,
) -> (Option<Timestamp>, Vec<HumanDuration>) {
    let Some(deadline) = wg_inactivity_deadline(g).filter(|_| g.candidacy.is_none()) else {
        return (None, Vec::new());
    };
    if now >= deadline {
        return (Some(deadline), Vec::new());
    }
    let due = pending_inactivity_reminders(g, deadline)
        .into_iter()
        .filter(|(_, at)| *at <= now)
        .map(|(r, _)| r)
        .collect();
    (Some(deadline), due)
}

fn pending_inactivity_reminders(g: &Group, deadline: Timestamp) -> Vec<(HumanDuration, Timestamp)> {
    let sent: &[HumanDuration] = match &g.inactivity_reminded {
        Some((d, sent)) if *d == deadline => sent,
        _ => &[],
    };
    let mut points: Vec<_> = g
        .policy
        .wg_inactivity_reminders
        .iter()
        .filter(|r| !sent.contains(r))
        .map(|r| (*r, deadline - r.to_chrono()))
        .collect();
    points.sort_by_key(|(_, at)| *at);
    points
}

/// When the next inactivity reminder is due, if one is pending.
pub fn next_inactivity_reminder(g: &Group) -> Option<Timestamp> {
    let deadline = wg_inactivity_deadline(g).filter(|_| g.candidacy.is_none())?;
    pending_inactivity_reminders(g, deadline)
        .first()
        .map(|(_, at)| *at)
        .filter(|at| *at < deadline)
}

/// The latest of an IG's conversation and meetings.
pub fn ig_last_activity(g: &Group) -> Option<Timestamp> {
    let last_meeting = g.meetings.iter().map(|m| m.at).max();
    g.last_conversation.max(last_meeting)
}

/// When an active IG with neither conversation nor meeting is next due a reminder: a quiet
/// period after its last activity (or activation), and again each period it stays quiet.
pub fn quiet_reminder_due_at(g: &Group) -> Option<Timestamp> {
    if g.kind != GroupKind::Ig || g.state != GroupState::Active {
        return None;
    }
    let since = ig_last_activity(g)
        .max(g.active_since)
        .max(g.quiet_reminded_at)?;
    Some(since + g.policy.ig_quiet_after.to_chrono())
}

/// An IG's activity as the bot reports it to its facilitators and moderators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgActivity {
    /// The later of the last conversation and the last meeting.
    pub last_activity: Option<Timestamp>,
    /// Neither conversation nor meeting within the policy's `ig_quiet_after`.
    pub quiet: bool,
}

pub fn ig_activity(
    g: &Group,
    last_conversation: Option<Timestamp>,
    last_meeting: Option<Timestamp>,
    now: Timestamp,
) -> IgActivity {
    let last_activity = last_conversation.max(last_meeting);
    let since = last_activity.or(g.active_since).unwrap_or(g.proposed_at);
    IgActivity {
        last_activity,
        quiet: g.state.is_live_group() && now - since >= g.policy.ig_quiet_after.to_chrono(),
    }
}
