//! What the public record may show: every decision about a group's visibility is here, so one
//! file answers "could this page leak it?".
//!
//! - **Proposals are not public until approved.** The announcements channel says nothing about a
//!   proposal until its group is created, so the site shows a proposal under review (and one that
//!   ended without being approved: rejected, vetoed, withdrawn) only as its number, its kind, its
//!   state and its dates ([`Disclosure::Proposal`]): never its name, template, people, votes,
//!   reasons or history. Once a group has been approved it is public for good, with its whole
//!   history, including how it got there ([`Disclosure::Public`]).
//! - **Ballots are secret unless the policy says otherwise** ([`ballot_visibility`]): a vote shows
//!   its rule, electorate size, deadline, tally and result, never who voted what, and a
//!   sponsorship shows the sponsor's role, not their name.
//! - **No private ids.** No message ids (the moderators' channel's announcements and vote
//!   messages, template messages), no interaction tokens, no member ids: members appear by their
//!   display name only (ids are used to look names up and never leave the server). The only
//!   Discord ids on the site are a public group's channel and the guild, in the channel's link.
//! - Reasons written for moderators alone (why an item cannot be read) are left out; what an
//!   event did is said without them.

use crate::governance::{self, GroupState};
use serde::Serialize;

/// Who may see who voted what in a group's votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BallotVisibility {
    /// The tally and the result only; sponsors by role only.
    TallyOnly,
    /// Every standing ballot with its voter's name; sponsors by name.
    Public,
}

/// How ballots governed by `policy.ballot_visibility` are shown on the public site: `"public"`
/// names the voters, `"moderators"` shows the tally and the result only (the site has no
/// moderators' view). Callers pass the policy frozen with what they show (a vote's rule, an
/// event's policy, the group's for its sponsors), so changing the configuration never publishes
/// ballots cast under a promise of secrecy.
pub fn ballot_visibility(visibility: governance::BallotVisibility) -> BallotVisibility {
    match visibility {
        governance::BallotVisibility::Public => BallotVisibility::Public,
        governance::BallotVisibility::Moderators => BallotVisibility::TallyOnly,
    }
}

/// How much of a group the site shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disclosure {
    /// Approved at some point: everything except secret ballots and private ids.
    Public,
    /// Never approved: number, kind, state and dates only.
    Proposal,
}

/// States of groups that were approved at some point (every path to them goes through `Active`).
pub const PUBLIC_STATES: [GroupState; 4] = [
    GroupState::Active,
    GroupState::UnderReversalVote,
    GroupState::Reversed,
    GroupState::Retired,
];

/// States of proposals that were never approved.
pub const PROPOSAL_STATES: [GroupState; 5] = [
    GroupState::Proposed,
    GroupState::UnderVote,
    GroupState::Rejected,
    GroupState::Vetoed,
    GroupState::Withdrawn,
];

/// Proposals still waiting for a decision.
pub const OPEN_PROPOSAL_STATES: [GroupState; 2] = [GroupState::Proposed, GroupState::UnderVote];

/// Public groups that ended: their page stays, under "Past groups".
pub const PAST_STATES: [GroupState; 2] = [GroupState::Reversed, GroupState::Retired];

impl Disclosure {
    pub fn of(state: GroupState) -> Disclosure {
        if PUBLIC_STATES.contains(&state) {
            Disclosure::Public
        } else {
            Disclosure::Proposal
        }
    }
}

/// The audit log's head as the site shows it, so readers can compare what they see with a copy
/// or with a head posted in the moderators' channel (`govbot audit verify --head HASH`,
/// docs/audit.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// Events in the audit log, every group's.
    pub events: i64,
    /// The hash of the last event, which commits to every event before it; `None` while the
    /// last event is one written before the chain existed and not yet sealed.
    pub head_hash: Option<String>,
}

impl AuditHead {
    /// The head as stored (what `govbot audit head` prints), read anew for each page.
    pub async fn read(store: &crate::store::Store) -> Result<AuditHead, crate::store::StoreError> {
        let head = store.audit_head().await?;
        let sealed = head.hash.len() == 64 && head.hash.bytes().all(|b| b.is_ascii_hexdigit());
        Ok(AuditHead {
            events: head.events,
            head_hash: sealed.then_some(head.hash),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_is_public_or_a_proposal_and_never_both() {
        for s in GroupState::ALL {
            assert_ne!(
                PUBLIC_STATES.contains(&s),
                PROPOSAL_STATES.contains(&s),
                "{s:?}"
            );
        }
        for s in OPEN_PROPOSAL_STATES {
            assert!(PROPOSAL_STATES.contains(&s));
        }
        for s in PAST_STATES.into_iter().chain(GroupState::LIVE) {
            assert!(PUBLIC_STATES.contains(&s));
        }
    }
}
