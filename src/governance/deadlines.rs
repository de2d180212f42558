//! Every deadline a group runs on, in one place: a vote's reminders and close, a retirement
//! candidate's grace period, a WG's inactivity limit and its reminders, a quiet IG's reminder.
//!
//! The scheduler asks only two questions, [`due_command`] (what is due now) and
//! [`next_deadline`] (when to wake next); answering both from one module keeps them agreeing,
//! so nothing falls due that the scheduler would sleep through.

use super::command::Command;
use super::event::RetirementCause;
use super::group::{Group, GroupState};
use super::ids::Timestamp;
use super::retirement::{
    inactivity_reminders_due, next_inactivity_reminder, quiet_reminder_due_at, retirement_due,
    wg_inactivity_deadline,
};

/// What govbot itself must do for the group at `now`, if anything: the scheduler's one question.
/// A vote past its deadline closes before anything else; a reminder is only sent while the vote
/// is still open.
pub fn due_command(g: &Group, now: Timestamp) -> Option<Command> {
    if let Some(v) = g.running_vote() {
        if now >= v.closes_at {
            return Some(Command::CloseVote);
        }
        if !v.due_reminders(now).is_empty() {
            return Some(Command::RemindVoters);
        }
    }
    if g.state == GroupState::Active {
        if let Some(c) = &g.candidacy {
            if now >= c.since + g.policy.wg_retirement_grace.to_chrono() {
                return Some(Command::RetireCandidate);
            }
        }
    }
    if retirement_due(g, now).is_some() {
        return Some(Command::FlagRetirementCandidate);
    }
    if !inactivity_reminders_due(g, now).1.is_empty() {
        return Some(Command::RemindInactivity);
    }
    quiet_reminder_due_at(g)
        .filter(|due| *due <= now)
        .map(|_| Command::RemindQuiet)
}

/// The earliest instant at which something is due for the group without anyone acting: a vote
/// reminder or its close, the end of a retirement grace period, or the inactivity limit.
pub fn next_deadline(g: &Group) -> Option<Timestamp> {
    let vote_close = g.running_vote().map(|v| {
        v.pending_reminders()
            .first()
            .map_or(v.closes_at, |(_, at)| (*at).min(v.closes_at))
    });
    let grace_end = g
        .candidacy
        .as_ref()
        .filter(|_| g.state == GroupState::Active)
        .map(|c| c.since + g.policy.wg_retirement_grace.to_chrono());
    let flag = if g.candidacy.is_none() {
        wg_inactivity_deadline(g).map(|d| match retirement_due(g, d) {
            Some(RetirementCause::AllItemsCompleted) => g
                .items
                .iter()
                .filter_map(|i| i.completed_at)
                .max()
                .unwrap_or(d),
            _ => d,
        })
    } else {
        None
    };
    [
        vote_close,
        grace_end,
        flag,
        next_inactivity_reminder(g),
        quiet_reminder_due_at(g),
    ]
    .into_iter()
    .flatten()
    .min()
}
