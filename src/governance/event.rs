//! Events: every change to a group, with who made it, when, why, and the policy in force.
//!
//! Events are the audit log. They are only ever appended, and [`super::replay`] rebuilds a
//! group's state from them.

use super::ids::{MemberId, Timestamp};
use super::items::{CloseReason, ItemRef};
use super::policy::{HumanDuration, Policy};
use super::roles::{Actor, Role};
use super::template::Template;
use super::vote::{Choice, Outcome, Tally, VotePurpose, VoteRule};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub at: Timestamp,
    pub actor: Actor,
    pub reason: Option<String>,
    /// The rules that governed this decision: the proposal's frozen policy, with the running
    /// vote's frozen window and threshold.
    pub policy: Policy,
    pub kind: EventKind,
}

/// Why a group was retired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetirementCause {
    /// Moderators or core/lead maintainers decided it is no longer active or needed.
    Decision,
    /// A WG whose tracked items saw no activity for the inactivity period.
    Inactivity,
    /// A WG that completed every item it intended to pursue.
    AllItemsCompleted,
}

impl fmt::Display for RetirementCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RetirementCause::Decision => "by decision",
            RetirementCause::Inactivity => "no active Issue/PR/SEP for the inactivity period",
            RetirementCause::AllItemsCompleted => "all its Issues/PRs/SEPs are completed",
        })
    }
}

/// What a veto did: stopped a proposal, or reversed an active group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VetoOutcome {
    ProposalVetoed,
    GroupReversed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum EventKind {
    Proposed {
        template: Template,
        proposer: MemberId,
    },
    Withdrawn,
    /// The template message was deleted (by someone Discord does not name); the proposal stands.
    TemplateMessageDeleted,
    /// The proposer replaced the template before any vote.
    Amended {
        template: Template,
    },
    VoteOpened {
        purpose: VotePurpose,
        #[serde(deserialize_with = "super::vote::member_set")]
        electorate: BTreeSet<MemberId>,
        rule: VoteRule,
        closes_at: Timestamp,
    },
    /// A ballot; `choice: None` withdraws the voter's standing ballot.
    BallotCast {
        voter: MemberId,
        choice: Option<Choice>,
    },
    /// govbot reminded the electorate members who had not voted; `before` are the reminder
    /// offsets this covers (several when it catches up after downtime).
    VoteReminder {
        before: Vec<HumanDuration>,
        not_voted: Vec<MemberId>,
    },
    VoteClosed {
        purpose: VotePurpose,
        tally: Tally,
        outcome: Outcome,
        /// The deadline: the result is computed as of this instant, whenever it is processed.
        as_of: Timestamp,
    },
    Sponsored {
        sponsor: MemberId,
        role: Role,
    },
    /// Approved by sponsorship (a vote's approval is its `VoteClosed`).
    Approved,
    Vetoed {
        outcome: VetoOutcome,
    },
    VetoLifted,
    Retired {
        cause: RetirementCause,
    },
    RetirementCandidate {
        cause: RetirementCause,
    },
    /// A moderator kept a retirement candidate.
    Kept,
    ChannelLinked {
        channel: u64,
    },
    ItemTracked {
        item: ItemRef,
    },
    ItemCompleted {
        item: ItemRef,
        /// How it was completed; absent in events recorded before govbot kept it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<CloseReason>,
    },
    ItemReopened {
        item: ItemRef,
    },
    ItemActivity {
        item: ItemRef,
        seen_at: Timestamp,
    },
    /// govbot cannot read the item (why, written for moderators): until it can again, or a person
    /// drops it, the WG is not made an inactivity candidate.
    ItemUnreadable {
        item: ItemRef,
        reason: String,
    },
    ItemReadable {
        item: ItemRef,
    },
    /// GitHub says the item now lives elsewhere (a transferred issue, a renamed repository).
    ItemMoved {
        from: ItemRef,
        to: ItemRef,
    },
    ItemDropped {
        item: ItemRef,
    },
    MaintenanceSet {
        on: bool,
    },
    FacilitatorAdded {
        member: MemberId,
    },
    FacilitatorRemoved {
        member: MemberId,
    },
    MaintainerAdded {
        member: MemberId,
    },
    MaintainerRemoved {
        member: MemberId,
    },
    StatusPosted {
        text: String,
    },
    /// govbot reminded a WG's facilitators that `deadline`, the inactivity limit, is near.
    InactivityReminder {
        before: Vec<HumanDuration>,
        deadline: Timestamp,
    },
    /// Someone spoke in the group's channel (counts only; no content is kept).
    ConversationNoted {
        at: Timestamp,
    },
    MeetingRecorded {
        at: Timestamp,
        attendees: Vec<MemberId>,
    },
    /// govbot reminded a quiet IG's facilitators (and told moderators); never a retirement.
    QuietReminder {
        last_activity: Option<Timestamp>,
    },
    /// The operator dropped what Discord was to show for audit event `event` (it kept failing);
    /// the group itself is unchanged.
    EffectDropped {
        event: i64,
    },
}

impl EventKind {
    /// Whether [`Group::apply`](super::Group::apply) changes the group's state with it: every
    /// event but a ballot (it changes the vote's [`Ballots`](super::Ballots)) and a dropped effect
    /// (only Discord's side changed). A store need not write the state again after events that
    /// do not.
    pub fn changes_group(&self) -> bool {
        !matches!(
            self,
            EventKind::BallotCast { .. } | EventKind::EffectDropped { .. }
        )
    }

    /// A stable snake_case name, used as the audit log's `kind` column.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Proposed { .. } => "proposed",
            EventKind::Withdrawn => "withdrawn",
            EventKind::TemplateMessageDeleted => "template_message_deleted",
            EventKind::Amended { .. } => "amended",
            EventKind::VoteOpened { .. } => "vote_opened",
            EventKind::BallotCast { .. } => "ballot_cast",
            EventKind::VoteReminder { .. } => "vote_reminder",
            EventKind::VoteClosed { .. } => "vote_closed",
            EventKind::Sponsored { .. } => "sponsored",
            EventKind::Approved => "approved",
            EventKind::Vetoed { .. } => "vetoed",
            EventKind::VetoLifted => "veto_lifted",
            EventKind::Retired { .. } => "retired",
            EventKind::RetirementCandidate { .. } => "retirement_candidate",
            EventKind::Kept => "kept",
            EventKind::ChannelLinked { .. } => "channel_linked",
            EventKind::ItemTracked { .. } => "item_tracked",
            EventKind::ItemCompleted { .. } => "item_completed",
            EventKind::ItemReopened { .. } => "item_reopened",
            EventKind::ItemActivity { .. } => "item_activity",
            EventKind::ItemUnreadable { .. } => "item_unreadable",
            EventKind::ItemReadable { .. } => "item_readable",
            EventKind::ItemMoved { .. } => "item_moved",
            EventKind::ItemDropped { .. } => "item_dropped",
            EventKind::MaintenanceSet { .. } => "maintenance_set",
            EventKind::FacilitatorAdded { .. } => "facilitator_added",
            EventKind::FacilitatorRemoved { .. } => "facilitator_removed",
            EventKind::MaintainerAdded { .. } => "maintainer_added",
            EventKind::MaintainerRemoved { .. } => "maintainer_removed",
            EventKind::StatusPosted { .. } => "status_posted",
            EventKind::InactivityReminder { .. } => "inactivity_reminder",
            EventKind::ConversationNoted { .. } => "conversation_noted",
            EventKind::MeetingRecorded { .. } => "meeting_recorded",
            EventKind::QuietReminder { .. } => "quiet_reminder",
            EventKind::EffectDropped { .. } => "effect_dropped",
        }
    }
}

impl fmt::Display for EventKind {
    /// One line a person can read in a history.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventKind::Proposed { template, .. } => {
                write!(f, "proposed {} '{}'", template.kind(), template.name)
            }
            EventKind::Withdrawn => f.write_str("withdrew the proposal"),
            EventKind::TemplateMessageDeleted => f.write_str(
                "saw the template message deleted (Discord does not say by whom); the proposal stands",
            ),
            EventKind::Amended { template } => {
                write!(f, "amended the template; the name is '{}'", template.name)
            }
            EventKind::VoteOpened {
                purpose,
                electorate,
                closes_at,
                ..
            } => write!(
                f,
                "opened a {} vote among {}, closing {}",
                match purpose {
                    VotePurpose::Creation => "creation",
                    VotePurpose::Reversal => "reversal",
                },
                counted(electorate.len(), "moderator"),
                closes_at.format("%Y-%m-%d %H:%M:%S UTC")
            ),
            EventKind::BallotCast {
                choice: Some(c), ..
            } => write!(f, "voted {c}"),
            EventKind::BallotCast { choice: None, .. } => f.write_str("withdrew their ballot"),
            EventKind::VoteReminder { not_voted, .. } => write!(
                f,
                "reminded {} who had not voted",
                counted(not_voted.len(), "moderator")
            ),
            EventKind::VoteClosed { outcome, tally, .. } => write!(
                f,
                "closed the vote: {} ({tally})",
                match outcome {
                    Outcome::Approved => "approved",
                    Outcome::Rejected => "rejected",
                }
            ),
            EventKind::Sponsored { role, .. } => write!(f, "sponsored the group as {role}"),
            EventKind::Approved => f.write_str("approved by sponsorship"),
            EventKind::Vetoed {
                outcome: VetoOutcome::ProposalVetoed,
            } => f.write_str("vetoed the proposal"),
            EventKind::Vetoed {
                outcome: VetoOutcome::GroupReversed,
            } => f.write_str("vetoed the group: its creation is reversed"),
            EventKind::VetoLifted => f.write_str("lifted the veto"),
            EventKind::Retired { cause } => write!(f, "retired the group ({cause})"),
            EventKind::RetirementCandidate { cause } => {
                write!(f, "became a retirement candidate ({cause})")
            }
            EventKind::Kept => {
                f.write_str("kept the group; it is no longer a retirement candidate")
            }
            EventKind::ChannelLinked { channel } => write!(f, "linked channel {channel}"),
            EventKind::ItemTracked { item } => write!(f, "tracks {item}"),
            EventKind::ItemCompleted { item, reason: None } => write!(f, "completed {item}"),
            EventKind::ItemCompleted {
                item,
                reason: Some(reason),
            } => write!(f, "completed {item} ({reason})"),
            EventKind::ItemReopened { item } => write!(f, "reopened {item}"),
            EventKind::ItemActivity { item, seen_at } => write!(
                f,
                "activity on {item} at {}",
                seen_at.format("%Y-%m-%d %H:%M UTC")
            ),
            EventKind::ItemUnreadable { item, reason } => {
                write!(f, "cannot read {item}: {reason}")
            }
            EventKind::ItemReadable { item } => write!(f, "can read {item} again"),
            EventKind::ItemMoved { from, to } => write!(f, "follows {from} at its new place {to}"),
            EventKind::ItemDropped { item } => write!(f, "stopped tracking {item}"),
            EventKind::MaintenanceSet { on: true } => {
                f.write_str("marked the WG as maintaining a project")
            }
            EventKind::MaintenanceSet { on: false } => {
                f.write_str("unmarked the WG as maintaining a project")
            }
            EventKind::FacilitatorAdded { member } => write!(f, "added facilitator {member}"),
            EventKind::FacilitatorRemoved { member } => write!(f, "removed facilitator {member}"),
            EventKind::MaintainerAdded { member } => write!(f, "added maintainer {member}"),
            EventKind::MaintainerRemoved { member } => write!(f, "removed maintainer {member}"),
            EventKind::StatusPosted { text } => write!(f, "posted a status: {text}"),
            EventKind::InactivityReminder { deadline, .. } => write!(
                f,
                "reminded the facilitators that the WG becomes a retirement candidate on {}",
                deadline.format("%Y-%m-%d %H:%M UTC")
            ),
            EventKind::ConversationNoted { at } => {
                write!(
                    f,
                    "noted conversation in the channel on {}",
                    at.format("%Y-%m-%d")
                )
            }
            EventKind::MeetingRecorded { at, attendees } => write!(
                f,
                "recorded a meeting on {} with {}",
                at.format("%Y-%m-%d"),
                counted(attendees.len(), "attendee")
            ),
            EventKind::QuietReminder { .. } => {
                f.write_str("reminded the facilitators that the IG has been quiet")
            }
            EventKind::EffectDropped { event } => write!(
                f,
                "dropped what Discord was still to show for event {event}"
            ),
        }
    }
}

/// "1 moderator", "3 moderators": the histories people read say it in words, never "(s)".
fn counted(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}
