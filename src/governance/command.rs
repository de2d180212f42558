//! Commands: what someone (or govbot's scheduler) asks the governance core to do.

use super::ids::{MemberId, Timestamp};
use super::items::{CloseReason, ItemRef};
use super::template::Template;
use super::vote::Choice;
use std::collections::BTreeSet;

/// Which of the running vote's ballots a command's rule reads. The ballots live apart from the
/// group (see [`Ballots`](super::Ballots)), so a caller that keeps them elsewhere reads only these
/// and hands them to [`decide`](super::decide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotsRead {
    /// None.
    Nothing,
    /// The acting member's last ballot: a ballot, or its withdrawal.
    Actor,
    /// Every voter's last ballot: closing the vote, reminding those who have not voted.
    Every,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Any member proposes a group from a valid template.
    Propose {
        template: Template,
    },
    /// The proposer withdraws before a vote.
    Withdraw,
    /// The proposer replaces the template (an edited template message) before a vote.
    Amend {
        template: Template,
    },
    /// A moderator opens the creation vote; `electorate` is who holds the moderator role now.
    CallVote {
        electorate: BTreeSet<MemberId>,
    },
    Cast {
        choice: Choice,
    },
    WithdrawBallot,
    /// govbot saw the proposal's template message deleted. Discord does not say who deleted it
    /// (its author, a moderator, AutoMod), so nobody is named and the proposal stands.
    NoteTemplateDeleted,
    /// A ballot (`None` withdraws one) from a button or a reaction, which belong to one vote's
    /// message: `vote` is that vote's opening time. Refused unless that vote is the one running,
    /// so a button or reaction left on an earlier vote never counts in a later one.
    BallotOn {
        vote: Timestamp,
        choice: Option<Choice>,
    },
    /// Closes a vote at or after its deadline, with the result as of the deadline.
    CloseVote,
    /// govbot reminds the electorate members who have not voted, when a reminder point is due.
    RemindVoters,
    /// A core or lead maintainer sponsors a proposal (sponsorship approval).
    Sponsor,
    Veto {
        reason: String,
    },
    LiftVeto {
        reason: String,
    },
    /// A moderator opens a vote on reversing an active group's creation.
    StartReversal {
        reason: String,
        electorate: BTreeSet<MemberId>,
    },
    Retire {
        reason: String,
    },
    /// govbot flags a WG that meets a retirement rule.
    FlagRetirementCandidate,
    /// govbot retires a candidate whose grace period has passed.
    RetireCandidate,
    /// govbot reminds a WG's facilitators before the inactivity limit.
    RemindInactivity,
    /// govbot notes that someone spoke in the group's channel at `at`.
    NoteConversation {
        at: Timestamp,
    },
    /// A facilitator, maintainer, moderator, core or lead maintainer records a meeting.
    RecordMeeting {
        at: Timestamp,
        attendees: Vec<MemberId>,
    },
    /// govbot reminds a quiet IG's facilitators.
    RemindQuiet,
    /// A moderator keeps a retirement candidate.
    Keep {
        reason: String,
    },
    LinkChannel {
        channel: u64,
    },
    /// The operator gives up what Discord was to show for audit event `event` of this group
    /// (`govbot outbox drop`), with a reason: recorded, changing nothing else.
    DropEffect {
        event: i64,
        reason: String,
    },
    TrackItem {
        item: ItemRef,
    },
    /// `reason`: how GitHub says it closed, or [`CloseReason::ByHand`] for a person's `/wg item done`.
    CompleteItem {
        item: ItemRef,
        reason: CloseReason,
    },
    ReopenItem {
        item: ItemRef,
    },
    RecordItemActivity {
        item: ItemRef,
        seen_at: Timestamp,
    },
    /// The GitHub sync could not read the item (govbot only); the moderators are told once.
    MarkItemUnreadable {
        item: ItemRef,
        reason: String,
    },
    /// The GitHub sync read the item again (govbot only).
    MarkItemReadable {
        item: ItemRef,
    },
    /// GitHub moved the item (govbot only): it is tracked at its new place from now on.
    MoveItem {
        from: ItemRef,
        to: ItemRef,
    },
    /// Stop tracking an item (`/wg item drop`): what a person decides for an item govbot cannot read.
    DropItem {
        item: ItemRef,
    },
    SetMaintenance {
        on: bool,
    },
    AddFacilitator {
        member: MemberId,
    },
    RemoveFacilitator {
        member: MemberId,
    },
    /// `in_steering_group`: whether the member holds the steering-group role, as the adapter sees it.
    AddMaintainer {
        member: MemberId,
        in_steering_group: bool,
    },
    RemoveMaintainer {
        member: MemberId,
    },
    PostStatus {
        text: String,
    },
}

impl Command {
    /// Which ballots of the running vote this command's rule reads.
    pub fn ballots_read(&self) -> BallotsRead {
        match self {
            Command::Cast { .. } | Command::WithdrawBallot | Command::BallotOn { .. } => {
                BallotsRead::Actor
            }
            Command::CloseVote | Command::RemindVoters => BallotsRead::Every,
            _ => BallotsRead::Nothing,
        }
    }
}
