//! How a live group leaves, or is kept: by a human decision with a reason, or, for a WG, by
//! govbot flagging it once a retirement rule is met and retiring it only after a grace period a
//! moderator can end by keeping it. The evidence of life (conversation, meetings) and the
//! reminders before a deadline are here too, because they are what those deadlines run on.

use super::{Decided, Decision, DECIDERS, MODERATORS};
use crate::governance::error::GovernanceError;
use crate::governance::event::{EventKind, RetirementCause};
use crate::governance::group::GroupState::*;
use crate::governance::ids::{MemberId, Timestamp};
use crate::governance::retirement::{
    ig_last_activity, inactivity_reminders_due, next_inactivity_reminder, quiet_reminder_due_at,
    retirement_due, wg_inactivity_deadline,
};

pub(super) fn retire(d: &Decision, reason: &str) -> Decided {
    d.require(
        DECIDERS,
        "retire a group",
        "community moderators, core or lead maintainers",
    )?;
    let reason = d.reason(reason, "retire a group")?;
    d.in_states(&[Active, UnderReversalVote], "retired")?;
    Ok(vec![d.event(
        EventKind::Retired {
            cause: RetirementCause::Decision,
        },
        Some(reason),
    )])
}

/// A WG maintaining a project is exempt; a candidate is flagged once, not at every tick.
pub(super) fn flag_candidate(d: &Decision) -> Decided {
    let g = d.g;
    d.require_system("flag a retirement candidate")?;
    d.wg_only()?;
    d.in_states(&[Active], "flagged for retirement")?;
    if g.maintenance {
        return Err(GovernanceError::MaintenanceExempt {
            name: g.name.clone(),
        });
    }
    if g.candidacy.is_some() {
        return Err(d.not_allowed("flagged again: it is already a retirement candidate"));
    }
    match retirement_due(g, d.ctx.now) {
        Some(cause) => Ok(vec![d.event(EventKind::RetirementCandidate { cause }, None)]),
        None => Err(GovernanceError::NotDue {
            what: "retirement candidacy",
            due: wg_inactivity_deadline(g).unwrap_or(d.ctx.now),
        }),
    }
}

/// The grace period is the group's own frozen policy, so a later policy change moves no
/// running deadline.
pub(super) fn retire_candidate(d: &Decision) -> Decided {
    let g = d.g;
    d.require_system("retire a candidate at the end of its grace period")?;
    d.in_states(&[Active], "retired")?;
    let candidacy = g
        .candidacy
        .as_ref()
        .ok_or_else(|| GovernanceError::NotACandidate {
            kind: g.kind,
            name: g.name.clone(),
            action: "retire",
        })?;
    let due = candidacy.since + g.policy.wg_retirement_grace.to_chrono();
    if d.ctx.now < due {
        return Err(GovernanceError::NotDue {
            what: "retirement at the end of the grace period",
            due,
        });
    }
    Ok(vec![d.event(
        EventKind::Retired {
            cause: candidacy.cause,
        },
        None,
    )])
}

pub(super) fn keep(d: &Decision, reason: &str) -> Decided {
    d.require(
        MODERATORS,
        "keep a retirement candidate",
        "community moderators",
    )?;
    let reason = d.reason(reason, "keep a group")?;
    d.in_states(&[Active], "kept")?;
    if d.g.candidacy.is_none() {
        return Err(GovernanceError::NotACandidate {
            kind: d.g.kind,
            name: d.g.name.clone(),
            action: "keep",
        });
    }
    Ok(vec![d.event(EventKind::Kept, Some(reason))])
}

pub(super) fn remind_inactivity(d: &Decision) -> Decided {
    d.require_system("send an inactivity reminder")?;
    let (deadline, before) = inactivity_reminders_due(d.g, d.ctx.now);
    match deadline {
        Some(deadline) if !before.is_empty() => {
            Ok(vec![d.event(
                EventKind::InactivityReminder { before, deadline },
                None,
            )])
        }
        _ => Err(GovernanceError::NotDue {
            what: "an inactivity reminder",
            due: next_inactivity_reminder(d.g).unwrap_or(d.ctx.now),
        }),
    }
}

pub(super) fn remind_quiet(d: &Decision) -> Decided {
    d.require_system("send a quiet-group reminder")?;
    match quiet_reminder_due_at(d.g) {
        Some(due) if due <= d.ctx.now => Ok(vec![d.event(
            EventKind::QuietReminder {
                last_activity: ig_last_activity(d.g),
            },
            None,
        )]),
        due => Err(GovernanceError::NotDue {
            what: "a quiet-group reminder",
            due: due.unwrap_or(d.ctx.now),
        }),
    }
}

/// Activity only moves forward and never from the future, so a replayed or clock-skewed note
/// cannot push a deadline.
pub(super) fn note_conversation(d: &Decision, at: Timestamp) -> Decided {
    d.require_system("note conversation in a group's channel")?;
    d.in_states(&[Active, UnderReversalVote], "given conversation")?;
    if at > d.ctx.now {
        return Err(GovernanceError::ActivityInFuture { seen_at: at });
    }
    if d.g.last_conversation.is_some_and(|last| at <= last) {
        return Err(GovernanceError::NoNewActivity {
            item: "the channel".to_string(),
            last: d.g.last_conversation.unwrap_or(at),
        });
    }
    Ok(vec![d.event(EventKind::ConversationNoted { at }, None)])
}

/// The group's own people may record their meetings, and so may those who decide on groups.
pub(super) fn record_meeting(d: &Decision, at: Timestamp, attendees: &[MemberId]) -> Decided {
    if !d.by_group() && !d.ctx.actor.has_any(DECIDERS) {
        return Err(GovernanceError::Forbidden {
            action: "record a group's meeting",
            allowed: "the group's facilitators and maintainers, community moderators, core or lead maintainers",
        });
    }
    d.in_states(&[Active, UnderReversalVote], "given a meeting")?;
    if at > d.ctx.now {
        return Err(GovernanceError::ActivityInFuture { seen_at: at });
    }
    let mut people = attendees.to_vec();
    people.sort();
    people.dedup();
    Ok(vec![d.event(
        EventKind::MeetingRecorded {
            at,
            attendees: people,
        },
        None,
    )])
}
