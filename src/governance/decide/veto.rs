//! The steering group's brakes: a core or lead maintainer may veto a proposal or reverse a
//! live group, only a lead maintainer may lift a veto, and moderators may put a live group's
//! creation back to a vote. Each needs a reason, because each overrides what others decided.

use super::approval::open_vote;
use super::{Decided, Decision, MODERATORS, VETOERS};
use crate::governance::event::{EventKind, VetoOutcome};
use crate::governance::group::GroupState::*;
use crate::governance::ids::MemberId;
use crate::governance::roles::Role;
use crate::governance::vote::VotePurpose;
use std::collections::BTreeSet;

/// Before approval a veto ends the proposal; after it, the veto reverses the group.
pub(super) fn veto(d: &Decision, reason: &str) -> Decided {
    d.require(VETOERS, "veto", "core or lead maintainers")?;
    let reason = d.reason(reason, "veto")?;
    let outcome = match d.g.state {
        Proposed | UnderVote => VetoOutcome::ProposalVetoed,
        Active | UnderReversalVote => VetoOutcome::GroupReversed,
        _ => return Err(d.not_allowed("vetoed")),
    };
    Ok(vec![d.event(EventKind::Vetoed { outcome }, Some(reason))])
}

pub(super) fn lift_veto(d: &Decision, reason: &str) -> Decided {
    d.require(&[Role::LeadMaintainer], "lift a veto", "lead maintainers")?;
    let reason = d.reason(reason, "lift a veto")?;
    if d.g.veto.is_none() || !matches!(d.g.state, Vetoed | Reversed) {
        return Err(d.not_allowed("released from a veto, as no veto stands"));
    }
    Ok(vec![d.event(EventKind::VetoLifted, Some(reason))])
}

pub(super) fn start_reversal(
    d: &Decision,
    reason: &str,
    electorate: &BTreeSet<MemberId>,
) -> Decided {
    d.require(MODERATORS, "start a reversal vote", "community moderators")?;
    let reason = d.reason(reason, "start a reversal vote")?;
    d.in_states(&[Active], "put to a reversal vote")?;
    Ok(vec![open_vote(
        d,
        VotePurpose::Reversal,
        electorate,
        Some(reason),
    )?])
}
