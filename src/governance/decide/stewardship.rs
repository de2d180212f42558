//! Who runs a live group and what it says about itself: facilitators and maintainers are
//! changed only by those who decide on groups, a maintainer must sit on the steering group, and
//! nobody is both; only the group's own people post its status. Also the few facts govbot
//! records about the group's place on Discord (its channel, an effect given up).

use super::{check_length, Decided, Decision, DECIDERS, MODERATORS};
use crate::governance::error::GovernanceError;
use crate::governance::event::EventKind;
use crate::governance::group::GroupState::{Active, UnderReversalVote};
use crate::governance::ids::MemberId;
use crate::governance::roles::Actor;

pub(super) fn add_facilitator(d: &Decision, member: MemberId) -> Decided {
    people_change(d)?;
    not_listed(d, member)?;
    Ok(vec![d.event(EventKind::FacilitatorAdded { member }, None)])
}

/// A group is never left without a facilitator.
pub(super) fn remove_facilitator(d: &Decision, member: MemberId) -> Decided {
    people_change(d)?;
    listed(&d.g.facilitators, member, "facilitator")?;
    if d.g.facilitators.len() == 1 {
        return Err(GovernanceError::LastFacilitator { member });
    }
    Ok(vec![d.event(EventKind::FacilitatorRemoved { member }, None)])
}

/// `in_steering_group` is the adapter's reading of Discord roles: the core cannot see them.
pub(super) fn add_maintainer(d: &Decision, member: MemberId, in_steering_group: bool) -> Decided {
    people_change(d)?;
    not_listed(d, member)?;
    if !in_steering_group {
        return Err(GovernanceError::NotInSteeringGroup { member });
    }
    Ok(vec![d.event(EventKind::MaintainerAdded { member }, None)])
}

pub(super) fn remove_maintainer(d: &Decision, member: MemberId) -> Decided {
    people_change(d)?;
    listed(&d.g.maintainers, member, "maintainer")?;
    Ok(vec![d.event(EventKind::MaintainerRemoved { member }, None)])
}

pub(super) fn post_status(d: &Decision, text: &str) -> Decided {
    if !d.by_group() {
        return Err(GovernanceError::Forbidden {
            action: "post the group's status",
            allowed: "the group's facilitators and maintainers",
        });
    }
    d.in_states(&[Active, UnderReversalVote], "given a status update")?;
    let text = text.trim();
    if text.is_empty() {
        return Err(GovernanceError::EmptyStatus);
    }
    check_length(text, "status update")?;
    Ok(vec![d.event(
        EventKind::StatusPosted {
            text: text.to_string(),
        },
        None,
    )])
}

/// Maintaining a project exempts a WG from the inactivity rule, so it is a decision, not a
/// self-declaration.
pub(super) fn set_maintenance(d: &Decision, on: bool) -> Decided {
    d.require(
        DECIDERS,
        "mark a WG as maintaining a project",
        "community moderators, core or lead maintainers",
    )?;
    d.wg_only()?;
    d.in_states(&[Active, UnderReversalVote], "changed")?;
    Ok(vec![d.event(EventKind::MaintenanceSet { on }, None)])
}

pub(super) fn link_channel(d: &Decision, channel: u64) -> Decided {
    if d.ctx.actor != &Actor::System {
        d.require(
            MODERATORS,
            "link a group's channel",
            "govbot or community moderators",
        )?;
    }
    d.in_states(&[Active, UnderReversalVote], "given a channel")?;
    Ok(vec![d.event(EventKind::ChannelLinked { channel }, None)])
}

/// Recorded so the audit log says what Discord never showed; it changes nothing else.
pub(super) fn drop_effect(d: &Decision, event: i64, reason: &str) -> Decided {
    d.require_system("drop an effect on Discord")?;
    Ok(vec![d.event(
        EventKind::EffectDropped { event },
        Some(reason.to_string()),
    )])
}

fn people_change(d: &Decision) -> Result<(), GovernanceError> {
    d.require(
        DECIDERS,
        "change a group's facilitators or maintainers",
        "community moderators, core or lead maintainers",
    )?;
    d.in_states(&[Active, UnderReversalVote], "changed")
}

/// Only someone who holds `role` in the group can be removed from it.
fn listed(
    holders: &[MemberId],
    member: MemberId,
    role: &'static str,
) -> Result<(), GovernanceError> {
    if holders.contains(&member) {
        Ok(())
    } else {
        Err(GovernanceError::NotListed { member, role })
    }
}

/// A person is a group's facilitator or its maintainer, never both, as in the template.
fn not_listed(d: &Decision, member: MemberId) -> Result<(), GovernanceError> {
    let role = if d.g.facilitators.contains(&member) {
        "facilitator"
    } else if d.g.maintainers.contains(&member) {
        "maintainer"
    } else {
        return Ok(());
    };
    Err(GovernanceError::AlreadyListed { member, role })
}
