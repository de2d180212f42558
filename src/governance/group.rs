//! A group's current state, and how each event changes it.

use super::decide::{decide, Acting};
use super::error::{GovernanceError, ReplayError};
use super::event::{Event, EventKind, RetirementCause, VetoOutcome};
use super::ids::{MemberId, Timestamp};
use super::items::{ItemRef, TrackedItem, Unreadable};
use super::policy::{HumanDuration, Policy};
use super::roles::Role;
use super::template::{Details, GroupKind, Template};
use super::vote::{Ballots, Outcome, Vote, VotePurpose};
use super::Command;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupState {
    /// Submitted, under a moderator's review (or collecting sponsors).
    Proposed,
    UnderVote,
    Active,
    /// Active while moderators vote on reversing its creation.
    UnderReversalVote,
    Rejected,
    /// Stopped by a veto before approval; a lead maintainer can lift it.
    Vetoed,
    Withdrawn,
    /// Its creation was reversed, by a vote or a veto.
    Reversed,
    Retired,
}

impl GroupState {
    pub const ALL: [GroupState; 9] = [
        GroupState::Proposed,
        GroupState::UnderVote,
        GroupState::Active,
        GroupState::UnderReversalVote,
        GroupState::Rejected,
        GroupState::Vetoed,
        GroupState::Withdrawn,
        GroupState::Reversed,
        GroupState::Retired,
    ];

    pub fn label(self) -> &'static str {
        match self {
            GroupState::Proposed => "proposed",
            GroupState::UnderVote => "under vote",
            GroupState::Active => "active",
            GroupState::UnderReversalVote => "under reversal vote",
            GroupState::Rejected => "rejected",
            GroupState::Vetoed => "vetoed",
            GroupState::Withdrawn => "withdrawn",
            GroupState::Reversed => "reversed",
            GroupState::Retired => "retired",
        }
    }

    /// The name used in the database and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            GroupState::Proposed => "proposed",
            GroupState::UnderVote => "under_vote",
            GroupState::Active => "active",
            GroupState::UnderReversalVote => "under_reversal_vote",
            GroupState::Rejected => "rejected",
            GroupState::Vetoed => "vetoed",
            GroupState::Withdrawn => "withdrawn",
            GroupState::Reversed => "reversed",
            GroupState::Retired => "retired",
        }
    }

    /// Groups that exist and work: active, even while a reversal is being voted on.
    pub const LIVE: [GroupState; 2] = [GroupState::Active, GroupState::UnderReversalVote];
    /// States in which a vote is running.
    pub const VOTING: [GroupState; 2] = [GroupState::UnderVote, GroupState::UnderReversalVote];

    pub fn is_live_group(self) -> bool {
        Self::LIVE.contains(&self)
    }
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl std::str::FromStr for GroupState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        GroupState::ALL
            .into_iter()
            .find(|st| st.code() == wanted)
            .ok_or_else(|| {
                let names: Vec<_> = GroupState::ALL.iter().map(|s| s.code()).collect();
                format!("unknown state {s:?}; use one of {}", names.join(", "))
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VetoRecord {
    pub by: MemberId,
    pub at: Timestamp,
    pub reason: String,
    pub outcome: VetoOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidacy {
    pub since: Timestamp,
    pub cause: RetirementCause,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub kind: GroupKind,
    pub name: String,
    pub template: Template,
    pub proposer: MemberId,
    pub proposed_at: Timestamp,
    /// The policy frozen when the group was proposed.
    pub policy: Policy,
    pub state: GroupState,
    pub facilitators: Vec<MemberId>,
    pub maintainers: Vec<MemberId>,
    /// The running or most recent vote.
    pub vote: Option<Vote>,
    pub sponsors: Vec<(MemberId, Role)>,
    pub veto: Option<VetoRecord>,
    pub active_since: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub channel: Option<u64>,
    pub items: Vec<TrackedItem>,
    pub maintenance: bool,
    pub candidacy: Option<Candidacy>,
    pub kept_at: Option<Timestamp>,
    pub last_status: Option<(Timestamp, String)>,
    /// The inactivity deadline the WG's facilitators were last reminded of, and the offsets
    /// sent for it; activity moves the deadline, and the reminders start again.
    #[serde(default)]
    pub inactivity_reminded: Option<(Timestamp, Vec<HumanDuration>)>,
    /// The last day someone spoke in the group's channel (govbot notes it at most daily).
    #[serde(default)]
    pub last_conversation: Option<Timestamp>,
    #[serde(default)]
    pub meetings: Vec<Meeting>,
    /// When the facilitators of a quiet IG were last reminded.
    #[serde(default)]
    pub quiet_reminded_at: Option<Timestamp>,
}

/// A meeting of the group, as recorded by someone who ran or attended it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub at: Timestamp,
    pub attendees: Vec<MemberId>,
}

impl Group {
    /// The rules governing the next decision: the frozen proposal policy, with the running vote's
    /// own frozen window and threshold.
    pub fn policy_in_force(&self) -> Policy {
        let mut p = self.policy.clone();
        if let Some(v) = self.running_vote() {
            v.rule.overlay(&mut p);
        }
        p
    }

    pub fn running_vote(&self) -> Option<&Vote> {
        match self.state {
            GroupState::UnderVote | GroupState::UnderReversalVote => self.vote.as_ref(),
            _ => None,
        }
    }

    pub fn is_facilitator_or_maintainer(&self, who: MemberId) -> bool {
        self.facilitators.contains(&who) || self.maintainers.contains(&who)
    }

    /// Decides `command` against the group and its running vote's `ballots` (the whole record),
    /// and applies the resulting events to both; returns the events.
    pub fn decide_and_apply(
        &mut self,
        ballots: &mut Ballots,
        command: &Command,
        ctx: &Acting,
    ) -> Result<Vec<Event>, GovernanceError> {
        let events = decide(Some(self), ballots, command, ctx)?;
        for e in &events {
            self.apply(e);
            ballots.apply(e);
        }
        Ok(events)
    }

    /// A new group from its proposal event; `None` for any other event.
    pub fn from_proposal(event: &Event) -> Option<Group> {
        let EventKind::Proposed { template, proposer } = &event.kind else {
            return None;
        };
        Some(Group {
            kind: template.kind(),
            name: template.name.clone(),
            template: template.clone(),
            proposer: *proposer,
            proposed_at: event.at,
            policy: event.policy.clone(),
            state: GroupState::Proposed,
            facilitators: template.facilitators.clone(),
            maintainers: template.maintainers.clone(),
            vote: None,
            sponsors: Vec::new(),
            veto: None,
            active_since: None,
            ended_at: None,
            channel: None,
            items: Vec::new(),
            maintenance: false,
            candidacy: None,
            kept_at: None,
            last_status: None,
            inactivity_reminded: None,
            last_conversation: None,
            meetings: Vec::new(),
            quiet_reminded_at: None,
        })
    }

    /// Applies one event. Events come from [`decide`], which has checked them; applying never fails.
    pub fn apply(&mut self, event: &Event) {
        let at = event.at;
        match &event.kind {
            EventKind::Proposed { .. } => {}
            EventKind::Withdrawn => self.end(GroupState::Withdrawn, at),
            EventKind::TemplateMessageDeleted => {}
            EventKind::Amended { template } => {
                self.name = template.name.clone();
                self.facilitators = template.facilitators.clone();
                self.maintainers = template.maintainers.clone();
                self.template = template.clone();
            }
            EventKind::VoteOpened {
                purpose,
                electorate,
                rule,
                closes_at,
            } => {
                self.vote = Some(Vote {
                    purpose: *purpose,
                    opened_at: at,
                    closes_at: *closes_at,
                    electorate: electorate.clone(),
                    rule: rule.clone(),
                    result: None,
                    cancelled_at: None,
                    reminded: Vec::new(),
                });
                self.state = match purpose {
                    VotePurpose::Creation => GroupState::UnderVote,
                    VotePurpose::Reversal => GroupState::UnderReversalVote,
                };
            }
            // A ballot changes the vote's ballots ([`Ballots::apply`]), not the group.
            EventKind::BallotCast { .. } => {}
            EventKind::VoteReminder { before, .. } => {
                if let Some(v) = self.vote.as_mut() {
                    v.reminded.extend(before.iter().copied());
                }
            }
            EventKind::VoteClosed {
                purpose,
                tally,
                outcome,
                as_of,
            } => {
                if let Some(v) = self.vote.as_mut() {
                    v.result = Some(super::vote::VoteResult {
                        tally: tally.clone(),
                        outcome: *outcome,
                    });
                }
                match (purpose, outcome) {
                    (VotePurpose::Creation, Outcome::Approved) => self.activate(*as_of),
                    (VotePurpose::Creation, Outcome::Rejected) => {
                        self.end(GroupState::Rejected, *as_of);
                    }
                    (VotePurpose::Reversal, Outcome::Approved) => {
                        self.end(GroupState::Reversed, *as_of);
                    }
                    (VotePurpose::Reversal, Outcome::Rejected) => self.state = GroupState::Active,
                }
            }
            EventKind::Sponsored { sponsor, role } => self.sponsors.push((*sponsor, *role)),
            EventKind::Approved => self.activate(at),
            EventKind::Vetoed { outcome } => {
                self.cancel_running_vote(at);
                self.veto = Some(VetoRecord {
                    by: event.actor.id().unwrap_or(MemberId(0)),
                    at,
                    reason: event.reason.clone().unwrap_or_default(),
                    outcome: *outcome,
                });
                match outcome {
                    VetoOutcome::ProposalVetoed => self.state = GroupState::Vetoed,
                    VetoOutcome::GroupReversed => self.end(GroupState::Reversed, at),
                }
            }
            EventKind::VetoLifted => {
                let outcome = self.veto.take().map(|v| v.outcome);
                self.ended_at = None;
                self.state = match outcome {
                    Some(VetoOutcome::GroupReversed) => GroupState::Active,
                    _ => GroupState::Proposed,
                };
            }
            EventKind::Retired { .. } => {
                self.cancel_running_vote(at);
                self.candidacy = None;
                self.end(GroupState::Retired, at);
            }
            EventKind::RetirementCandidate { cause } => {
                self.candidacy = Some(Candidacy {
                    since: at,
                    cause: *cause,
                });
            }
            EventKind::Kept => {
                self.candidacy = None;
                self.kept_at = Some(at);
            }
            EventKind::ChannelLinked { channel } => self.channel = Some(*channel),
            EventKind::ItemTracked { item } => {
                self.items.push(TrackedItem::new(item.clone(), at));
                self.candidacy = None;
            }
            EventKind::ItemCompleted { item, reason } => {
                if let Some(i) = self.item_mut(item) {
                    i.completed_at = Some(at);
                    i.close_reason = *reason;
                    i.last_activity = i.last_activity.max(at);
                }
            }
            EventKind::ItemReopened { item } => {
                if let Some(i) = self.item_mut(item) {
                    i.completed_at = None;
                    i.close_reason = None;
                    i.last_activity = i.last_activity.max(at);
                }
                self.candidacy = None;
            }
            EventKind::ItemActivity { item, seen_at } => {
                if let Some(i) = self.item_mut(item) {
                    if *seen_at > i.last_activity {
                        i.last_activity = *seen_at;
                        self.candidacy = None;
                    }
                }
            }
            EventKind::ItemUnreadable { item, reason } => {
                if let Some(i) = self.item_mut(item) {
                    i.unreadable = Some(Unreadable {
                        since: at,
                        reason: reason.clone(),
                    });
                }
            }
            EventKind::ItemReadable { item } => {
                if let Some(i) = self.item_mut(item) {
                    i.unreadable = None;
                }
            }
            EventKind::ItemMoved { from, to } => {
                if let Some(i) = self.item_mut(from) {
                    i.item = to.clone();
                    i.unreadable = None;
                }
            }
            EventKind::ItemDropped { item } => self.items.retain(|i| &i.item != item),
            EventKind::MaintenanceSet { on } => {
                self.maintenance = *on;
                if *on {
                    self.candidacy = None;
                }
            }
            EventKind::FacilitatorAdded { member } => self.facilitators.push(*member),
            EventKind::FacilitatorRemoved { member } => self.facilitators.retain(|m| m != member),
            EventKind::MaintainerAdded { member } => self.maintainers.push(*member),
            EventKind::MaintainerRemoved { member } => self.maintainers.retain(|m| m != member),
            EventKind::StatusPosted { text } => self.last_status = Some((at, text.clone())),
            EventKind::InactivityReminder { before, deadline } => {
                match self.inactivity_reminded.as_mut() {
                    Some((d, sent)) if d == deadline => sent.extend(before.iter().copied()),
                    _ => self.inactivity_reminded = Some((*deadline, before.clone())),
                }
            }
            EventKind::ConversationNoted { at: seen } => {
                self.last_conversation = self.last_conversation.max(Some(*seen));
            }
            EventKind::MeetingRecorded {
                at: when,
                attendees,
            } => self.meetings.push(Meeting {
                at: *when,
                attendees: attendees.clone(),
            }),
            EventKind::QuietReminder { .. } => self.quiet_reminded_at = Some(at),
            // Only Discord's side changed: an effect is no longer retried.
            EventKind::EffectDropped { .. } => {}
        }
    }

    fn activate(&mut self, at: Timestamp) {
        self.state = GroupState::Active;
        self.active_since = Some(at);
        if let Details::Wg {
            first_item,
            more_items,
            ..
        } = &self.template.details
        {
            for item in std::iter::once(first_item).chain(more_items) {
                if !self.items.iter().any(|i| &i.item == item) {
                    self.items.push(TrackedItem::new(item.clone(), at));
                }
            }
        }
    }

    fn item_mut(&mut self, item: &ItemRef) -> Option<&mut TrackedItem> {
        self.items.iter_mut().find(|i| &i.item == item)
    }

    fn cancel_running_vote(&mut self, at: Timestamp) {
        if matches!(
            self.state,
            GroupState::UnderVote | GroupState::UnderReversalVote
        ) {
            if let Some(v) = self.vote.as_mut() {
                v.cancelled_at = Some(at);
            }
        }
    }

    fn end(&mut self, state: GroupState, at: Timestamp) {
        self.state = state;
        self.ended_at = Some(at);
    }
}

/// Rebuilds a group from its whole history.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Group, ReplayError> {
    let mut events = events.into_iter();
    let first = events.next().ok_or(ReplayError::Empty)?;
    let mut group = Group::from_proposal(first).ok_or(ReplayError::NotAProposal)?;
    for e in events {
        group.apply(e);
    }
    Ok(group)
}
