//! Errors a person can cause, each with a message that tells them what happened and what to do.

use super::ids::{MemberId, Timestamp};
use super::template::{GroupKind, TemplateErrors};
use thiserror::Error;

fn when(t: &Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GovernanceError {
    #[error("{kind} '{name}' is {state}; it cannot be {action}")]
    NotAllowedInState {
        kind: GroupKind,
        name: String,
        state: String,
        action: &'static str,
    },
    #[error("only {allowed} can {action}")]
    Forbidden {
        action: &'static str,
        allowed: &'static str,
    },
    #[error(
        "this proposal is for a {kind}; to propose another kind of group, post a new template"
    )]
    KindChanged { kind: GroupKind },
    #[error("only the proposer, {proposer}, can withdraw or change this proposal")]
    NotProposer { proposer: MemberId },
    #[error("you are not in this vote's electorate (the community moderators when it opened on {}), so your ballot was not counted", when(.opened_at))]
    NotInElectorate { opened_at: Timestamp },
    #[error("voting closed at {}; your ballot was not counted", when(.closes_at))]
    VotingClosed { closes_at: Timestamp },
    #[error("this vote (opened {}) is closed; your ballot was not counted in it or in any other vote", when(.opened_at))]
    VoteOver { opened_at: Timestamp },
    #[error("the vote is open until {}; it closes then, not earlier", when(.closes_at))]
    VoteStillOpen { closes_at: Timestamp },
    #[error("you have no ballot in this vote to withdraw")]
    NoBallot,
    #[error("nobody holds the community moderator role, so there is nobody to vote; assign the role first")]
    EmptyElectorate,
    #[error("a reason is required to {action}; say why in a sentence")]
    ReasonRequired { action: &'static str },
    #[error("the {what} is {chars} characters long; keep it to {max} or fewer")]
    TooLong {
        what: &'static str,
        chars: usize,
        max: usize,
    },
    #[error("this proposal is approved by {approval}, not by {attempted}")]
    WrongApproval {
        approval: &'static str,
        attempted: &'static str,
    },
    #[error("{sponsor} already sponsors this proposal")]
    AlreadySponsored { sponsor: MemberId },
    #[error("IG '{name}' has no tracked items or maintenance flag; those belong to WGs")]
    NotAWorkingGroup { name: String },
    #[error("{what} is not due until {}", when(.due))]
    NotDue { what: &'static str, due: Timestamp },
    #[error("{kind} '{name}' is not a retirement candidate; nothing to {action}")]
    NotACandidate {
        kind: GroupKind,
        name: String,
        action: &'static str,
    },
    #[error("{item} is not tracked by this WG; add it first")]
    UnknownItem { item: String },
    #[error("{problem}")]
    Unfollowable { problem: String },
    #[error("{item} is already tracked by this WG")]
    DuplicateItem { item: String },
    #[error("{item} is already {state}")]
    ItemAlready { item: String, state: &'static str },
    #[error("no activity on {item} newer than {} was reported; nothing changes", when(.last))]
    NoNewActivity { item: String, last: Timestamp },
    #[error("WG '{name}' maintains a project, so it is exempt from automatic retirement")]
    MaintenanceExempt { name: String },
    #[error("the activity time {} is in the future", when(.seen_at))]
    ActivityInFuture { seen_at: Timestamp },
    #[error("{member} is the group's only facilitator; add another facilitator first")]
    LastFacilitator { member: MemberId },
    #[error("{member} is already a {role} of this group")]
    AlreadyListed {
        member: MemberId,
        role: &'static str,
    },
    #[error("{member} is not a {role} of this group")]
    NotListed {
        member: MemberId,
        role: &'static str,
    },
    #[error("{member} does not hold the steering group role; a maintainer must be a steering group member")]
    NotInSteeringGroup { member: MemberId },
    #[error("the status update is empty; write what the group has done")]
    EmptyStatus,
    #[error("a group can only be proposed once")]
    AlreadyProposed,
    #[error("{0}")]
    Template(#[from] TemplateErrors),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReplayError {
    #[error("a group's history is empty")]
    Empty,
    #[error("a group's history must start with its proposal")]
    NotAProposal,
}
