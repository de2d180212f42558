//! How a proposal is approved or a vote decided: by a moderator vote or by sponsorship, as the
//! policy frozen at proposal says. A vote's rule is frozen when it opens, and a ballot only
//! counts for the vote it was cast on, within its window, from its electorate.

use super::{Decided, Decision, MODERATORS};
use crate::governance::error::GovernanceError;
use crate::governance::event::{Event, EventKind};
use crate::governance::group::GroupState;
use crate::governance::ids::{MemberId, Timestamp};
use crate::governance::policy::Approval;
use crate::governance::roles::Role;
use crate::governance::vote::{Choice, VotePurpose, VoteRule};
use std::collections::BTreeSet;

pub(super) fn call_vote(d: &Decision, electorate: &BTreeSet<MemberId>) -> Decided {
    d.require(MODERATORS, "call a vote", "community moderators")?;
    d.in_states(&[GroupState::Proposed], "put to a vote")?;
    if d.g.policy.approval != Approval::ModeratorVote {
        return Err(GovernanceError::WrongApproval {
            approval: "sponsorship (use /govern sponsor)",
            attempted: "a moderator vote",
        });
    }
    Ok(vec![open_vote(d, VotePurpose::Creation, electorate, None)?])
}

/// Opens a vote under the rule configured now, overlaid on the group's frozen policy.
pub(super) fn open_vote(
    d: &Decision,
    purpose: VotePurpose,
    electorate: &BTreeSet<MemberId>,
    reason: Option<String>,
) -> Result<Event, GovernanceError> {
    if electorate.is_empty() {
        return Err(GovernanceError::EmptyElectorate);
    }
    let rule = VoteRule::from_policy(d.ctx.policy);
    let mut policy = d.g.policy.clone();
    rule.overlay(&mut policy);
    Ok(Event {
        at: d.ctx.now,
        actor: d.ctx.actor.clone(),
        reason,
        policy,
        kind: EventKind::VoteOpened {
            purpose,
            electorate: electorate.clone(),
            closes_at: d.ctx.now + rule.window.to_chrono(),
            rule,
        },
    })
}

/// A ballot (`None` withdraws one) from a button or reaction, which names its vote to the
/// millisecond, as its buttons and its message do: one left on an earlier vote never counts.
pub(super) fn ballot_on(d: &Decision, vote: Timestamp, choice: Option<Choice>) -> Decided {
    match d.g.running_vote() {
        Some(running) if running.opened_at.timestamp_millis() == vote.timestamp_millis() => {}
        _ => return Err(GovernanceError::VoteOver { opened_at: vote }),
    }
    ballot(d, choice)
}

pub(super) fn ballot(d: &Decision, choice: Option<Choice>) -> Decided {
    let vote =
        d.g.running_vote()
            .ok_or_else(|| d.not_allowed("voted on"))?;
    let voter = match d.ctx.actor.id() {
        Some(id) if vote.electorate.contains(&id) => id,
        _ => {
            return Err(GovernanceError::NotInElectorate {
                opened_at: vote.opened_at,
            })
        }
    };
    if !vote.is_open_at(d.ctx.now) {
        return Err(GovernanceError::VotingClosed {
            closes_at: vote.closes_at,
        });
    }
    if choice.is_none() && d.ballots.choice_of(vote, voter).is_none() {
        return Err(GovernanceError::NoBallot);
    }
    Ok(vec![d.event(EventKind::BallotCast { voter, choice }, None)])
}

/// Anyone may close a vote once its deadline has passed; the result is as of the deadline, so
/// a late close changes nothing.
pub(super) fn close_vote(d: &Decision) -> Decided {
    let vote =
        d.g.running_vote()
            .ok_or_else(|| d.not_allowed("closed as a vote"))?;
    if d.ctx.now < vote.closes_at {
        return Err(GovernanceError::VoteStillOpen {
            closes_at: vote.closes_at,
        });
    }
    let tally = d.ballots.tally(vote);
    let outcome = tally.outcome(vote.rule.threshold);
    Ok(vec![d.event(
        EventKind::VoteClosed {
            purpose: vote.purpose,
            tally,
            outcome,
            as_of: vote.closes_at,
        },
        None,
    )])
}

pub(super) fn remind_voters(d: &Decision) -> Decided {
    d.require_system("send a vote reminder")?;
    let vote =
        d.g.running_vote()
            .ok_or_else(|| d.not_allowed("reminded of a vote"))?;
    let before = vote.due_reminders(d.ctx.now);
    if before.is_empty() {
        return Err(GovernanceError::NotDue {
            what: "a vote reminder",
            due: vote
                .pending_reminders()
                .first()
                .map_or(vote.closes_at, |(_, at)| *at),
        });
    }
    Ok(vec![d.event(
        EventKind::VoteReminder {
            before,
            not_voted: d.ballots.tally(vote).not_voted,
        },
        None,
    )])
}

/// A sponsor counts under the highest role they hold; the proposal is approved by the sponsor
/// who completes either count the policy asks for.
pub(super) fn sponsor(d: &Decision) -> Decided {
    let g = d.g;
    let role = if d.ctx.actor.has(Role::LeadMaintainer) {
        Role::LeadMaintainer
    } else if d.ctx.actor.has(Role::CoreMaintainer) {
        Role::CoreMaintainer
    } else {
        return Err(GovernanceError::Forbidden {
            action: "sponsor a group",
            allowed: "core or lead maintainers",
        });
    };
    d.in_states(&[GroupState::Proposed], "sponsored")?;
    if g.policy.approval != Approval::Sponsorship {
        return Err(GovernanceError::WrongApproval {
            approval: "a moderator vote (a moderator calls it)",
            attempted: "sponsorship",
        });
    }
    let sponsor = d.ctx.actor.id().expect("a member holds the role");
    if g.sponsors.iter().any(|(s, _)| *s == sponsor) {
        return Err(GovernanceError::AlreadySponsored { sponsor });
    }
    let count = |r| g.sponsors.iter().filter(|(_, sr)| *sr == r).count() + usize::from(role == r);
    let need = g.policy.sponsorship;
    let approved = (need.lead_maintainers > 0
        && count(Role::LeadMaintainer) >= usize::from(need.lead_maintainers))
        || (need.core_maintainers > 0
            && count(Role::CoreMaintainer) >= usize::from(need.core_maintainers));
    let mut events = vec![d.event(EventKind::Sponsored { sponsor, role }, None)];
    if approved {
        events.push(d.event(EventKind::Approved, None));
    }
    Ok(events)
}
