//! A WG's tracked GitHub items, whose activity is what keeps the WG alive: each item is tracked
//! once, its activity only moves forward, and the facts only GitHub knows (unreadable, moved)
//! come from govbot's sync alone, so nobody can paper over an item govbot cannot see.

use super::{Decided, Decision, DECIDERS};
use crate::governance::error::GovernanceError;
use crate::governance::event::EventKind;
use crate::governance::group::GroupState;
use crate::governance::ids::Timestamp;
use crate::governance::items::{CloseReason, ItemRef, TrackedItem};
use crate::governance::roles::Actor;

/// Only an item govbot can follow (an issue or PR it can name) is tracked.
pub(super) fn track(d: &Decision, item: &ItemRef) -> Decided {
    item_change(d)?;
    let item = &item
        .followable()
        .map_err(|e| GovernanceError::Unfollowable {
            problem: e.to_string(),
        })?;
    if find_item(d, item).is_some() {
        return Err(GovernanceError::DuplicateItem {
            item: item.to_string(),
        });
    }
    Ok(vec![d.event(
        EventKind::ItemTracked { item: item.clone() },
        None,
    )])
}

pub(super) fn complete(d: &Decision, item: &ItemRef, reason: CloseReason) -> Decided {
    item_change(d)?;
    if known_item(d, item)?.completed_at.is_some() {
        return Err(already(item, "completed"));
    }
    Ok(vec![d.event(
        EventKind::ItemCompleted {
            item: item.clone(),
            reason: Some(reason),
        },
        None,
    )])
}

pub(super) fn reopen(d: &Decision, item: &ItemRef) -> Decided {
    item_change(d)?;
    if known_item(d, item)?.completed_at.is_none() {
        return Err(already(item, "open"));
    }
    Ok(vec![d.event(
        EventKind::ItemReopened { item: item.clone() },
        None,
    )])
}

pub(super) fn activity(d: &Decision, item: &ItemRef, seen_at: Timestamp) -> Decided {
    item_change(d)?;
    let tracked = known_item(d, item)?;
    if seen_at > d.ctx.now {
        return Err(GovernanceError::ActivityInFuture { seen_at });
    }
    if seen_at <= tracked.last_activity {
        return Err(GovernanceError::NoNewActivity {
            item: item.to_string(),
            last: tracked.last_activity,
        });
    }
    Ok(vec![d.event(
        EventKind::ItemActivity {
            item: item.clone(),
            seen_at,
        },
        None,
    )])
}

/// While any item is unreadable the WG's inactivity clock stops: "I could not see it" is not
/// "nothing happened".
pub(super) fn unreadable(d: &Decision, item: &ItemRef, reason: &str) -> Decided {
    d.require_system("mark an item unreadable")?;
    item_change(d)?;
    if known_item(d, item)?.unreadable.is_some() {
        return Err(already(item, "marked unreadable"));
    }
    Ok(vec![d.event(
        EventKind::ItemUnreadable {
            item: item.clone(),
            reason: d.reason(reason, "mark an item unreadable")?,
        },
        None,
    )])
}

pub(super) fn readable(d: &Decision, item: &ItemRef) -> Decided {
    d.require_system("mark an item readable")?;
    item_change(d)?;
    if known_item(d, item)?.unreadable.is_none() {
        return Err(already(item, "readable"));
    }
    Ok(vec![d.event(
        EventKind::ItemReadable { item: item.clone() },
        None,
    )])
}

pub(super) fn move_item(d: &Decision, from: &ItemRef, to: &ItemRef) -> Decided {
    d.require_system("follow a moved item")?;
    item_change(d)?;
    known_item(d, from)?;
    if find_item(d, to).is_some() {
        return Err(GovernanceError::DuplicateItem {
            item: to.to_string(),
        });
    }
    Ok(vec![d.event(
        EventKind::ItemMoved {
            from: from.clone(),
            to: to.clone(),
        },
        None,
    )])
}

/// What a person decides for an item govbot cannot read.
pub(super) fn drop_item(d: &Decision, item: &ItemRef) -> Decided {
    item_change(d)?;
    known_item(d, item)?;
    Ok(vec![d.event(
        EventKind::ItemDropped { item: item.clone() },
        None,
    )])
}

fn item_change(d: &Decision) -> Result<(), GovernanceError> {
    let allowed = d.ctx.actor == &Actor::System || d.ctx.actor.has_any(DECIDERS) || d.by_group();
    if !allowed {
        return Err(GovernanceError::Forbidden {
            action: "change a WG's tracked items",
            allowed: "the WG's facilitators and maintainers, community moderators, core or lead maintainers",
        });
    }
    d.wg_only()?;
    d.in_states(
        &[GroupState::Active, GroupState::UnderReversalVote],
        "given tracked items",
    )
}

fn already(item: &ItemRef, state: &'static str) -> GovernanceError {
    GovernanceError::ItemAlready {
        item: item.to_string(),
        state,
    }
}

fn find_item<'a>(d: &'a Decision, item: &ItemRef) -> Option<&'a TrackedItem> {
    d.g.items.iter().find(|i| &i.item == item)
}

fn known_item<'a>(d: &'a Decision, item: &ItemRef) -> Result<&'a TrackedItem, GovernanceError> {
    find_item(d, item).ok_or_else(|| GovernanceError::UnknownItem {
        item: item.to_string(),
    })
}
