//! A proposal before any decision: only its proposer may shape or withdraw it, and only while
//! nobody has started deciding on it, so voters and sponsors always judge the text they saw.

use super::{Acting, Decided, Decision};
use crate::governance::error::GovernanceError;
use crate::governance::event::{Event, EventKind};
use crate::governance::group::GroupState::Proposed;
use crate::governance::template::Template;

/// Any member may propose; govbot itself and unidentified actors may not.
pub(super) fn propose(template: &Template, ctx: &Acting) -> Decided {
    let Some(proposer) = ctx.actor.id() else {
        return Err(GovernanceError::Forbidden {
            action: "propose a group",
            allowed: "members",
        });
    };
    Ok(vec![Event {
        at: ctx.now,
        actor: ctx.actor.clone(),
        reason: None,
        policy: ctx.policy.clone(),
        kind: EventKind::Proposed {
            template: template.clone(),
            proposer,
        },
    }])
}

pub(super) fn withdraw(d: &Decision) -> Decided {
    d.in_states(&[Proposed], "withdrawn")?;
    proposer_only(d)?;
    Ok(vec![d.event(EventKind::Withdrawn, None)])
}

/// The kind is fixed at proposal: a WG and an IG are approved under different rules.
pub(super) fn amend(d: &Decision, template: &Template) -> Decided {
    d.in_states(&[Proposed], "amended")?;
    proposer_only(d)?;
    if template.kind() != d.g.kind {
        return Err(GovernanceError::KindChanged { kind: d.g.kind });
    }
    Ok(vec![d.event(
        EventKind::Amended {
            template: template.clone(),
        },
        None,
    )])
}

/// Discord does not say who deleted the message, so the proposal stands and nobody is named.
pub(super) fn note_template_deleted(d: &Decision) -> Decided {
    d.require_system("note a deleted template message")?;
    Ok(vec![d.event(EventKind::TemplateMessageDeleted, None)])
}

fn proposer_only(d: &Decision) -> Result<(), GovernanceError> {
    if d.ctx.actor.id() != Some(d.g.proposer) {
        return Err(GovernanceError::NotProposer {
            proposer: d.g.proposer,
        });
    }
    Ok(())
}
