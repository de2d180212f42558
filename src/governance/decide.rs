//! The rules: which command each actor may give in each state, and the events it produces.

use super::error::GovernanceError;
use super::event::{Event, EventKind, RetirementCause, VetoOutcome};
use super::group::{Group, GroupState};
use super::ids::{MemberId, Timestamp};
use super::items::ItemRef;
use super::policy::{Approval, Policy};
use super::retirement::{
    ig_last_activity, inactivity_reminders_due, next_inactivity_reminder, quiet_reminder_due_at,
    retirement_due, wg_inactivity_deadline,
};
use super::roles::{Actor, Role};
use super::template::GroupKind;
use super::vote::{Choice, VotePurpose, VoteRule};
use super::Command;
use std::collections::BTreeSet;

/// Longest reason or status accepted, so every one fits in a Discord message with room to spare.
pub const MAX_REASON_CHARS: usize = 1000;

/// Who is acting, when, and the policy configured now (frozen into whatever opens now).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub actor: &'a Actor,
    pub now: Timestamp,
    pub policy: &'a Policy,
}

impl<'a> Context<'a> {
    pub fn new(actor: &'a Actor, now: Timestamp, policy: &'a Policy) -> Self {
        Context { actor, now, policy }
    }
}

const MODERATORS: &[Role] = &[Role::Moderator];
const VETOERS: &[Role] = &[Role::CoreMaintainer, Role::LeadMaintainer];
const DECIDERS: &[Role] = &[Role::Moderator, Role::CoreMaintainer, Role::LeadMaintainer];

/// Decides what `command` does to `group` (`None` before a proposal exists).
pub fn decide(
    group: Option<&Group>,
    command: &Command,
    ctx: &Context,
) -> Result<Vec<Event>, GovernanceError> {
    match (group, command) {
        (None, Command::Propose { template }) => {
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
        (Some(_), Command::Propose { .. }) => Err(GovernanceError::AlreadyProposed),
        (None, _) => Err(GovernanceError::Forbidden {
            action: "act on a group that was never proposed",
            allowed: "nobody",
        }),
        (Some(g), command) => Decision { g, ctx }.decide(command),
    }
}

struct Decision<'a> {
    g: &'a Group,
    ctx: &'a Context<'a>,
}

impl Decision<'_> {
    fn decide(&self, command: &Command) -> Result<Vec<Event>, GovernanceError> {
        use GroupState::*;
        let g = self.g;
        match command {
            Command::Propose { .. } => Err(GovernanceError::AlreadyProposed),
            Command::Withdraw => {
                self.in_states(&[Proposed], "withdrawn")?;
                if self.ctx.actor.id() != Some(g.proposer) {
                    return Err(GovernanceError::NotProposer {
                        proposer: g.proposer,
                    });
                }
                Ok(vec![self.event(EventKind::Withdrawn, None)])
            }
            Command::Amend { template } => {
                self.in_states(&[Proposed], "amended")?;
                if self.ctx.actor.id() != Some(g.proposer) {
                    return Err(GovernanceError::NotProposer {
                        proposer: g.proposer,
                    });
                }
                if template.kind() != g.kind {
                    return Err(GovernanceError::KindChanged { kind: g.kind });
                }
                Ok(vec![self.event(
                    EventKind::Amended {
                        template: template.clone(),
                    },
                    None,
                )])
            }
            Command::CallVote { electorate } => {
                self.require(MODERATORS, "call a vote", "community moderators")?;
                self.in_states(&[Proposed], "put to a vote")?;
                if g.policy.approval != Approval::ModeratorVote {
                    return Err(GovernanceError::WrongApproval {
                        approval: "sponsorship (use /group sponsor)",
                        attempted: "a moderator vote",
                    });
                }
                Ok(vec![self.open_vote(
                    VotePurpose::Creation,
                    electorate,
                    None,
                )?])
            }
            Command::Cast { choice } => self.ballot(Some(*choice)),
            Command::WithdrawBallot => self.ballot(None),
            Command::BallotOn { vote, choice } => {
                // Named to the millisecond, as its buttons and its message are.
                match g.running_vote() {
                    Some(running)
                        if running.opened_at.timestamp_millis() == vote.timestamp_millis() => {}
                    _ => return Err(GovernanceError::VoteOver { opened_at: *vote }),
                }
                self.ballot(*choice)
            }
            Command::CloseVote => self.close_vote(),
            Command::RemindInactivity => {
                self.require_system("send an inactivity reminder")?;
                let (deadline, before) = inactivity_reminders_due(g, self.ctx.now);
                match deadline {
                    Some(deadline) if !before.is_empty() => {
                        Ok(vec![self.event(
                            EventKind::InactivityReminder { before, deadline },
                            None,
                        )])
                    }
                    _ => Err(GovernanceError::NotDue {
                        what: "an inactivity reminder",
                        due: next_inactivity_reminder(g).unwrap_or(self.ctx.now),
                    }),
                }
            }
            Command::NoteConversation { at } => {
                self.require_system("note conversation in a group's channel")?;
                self.in_states(&[Active, UnderReversalVote], "given conversation")?;
                if *at > self.ctx.now {
                    return Err(GovernanceError::ActivityInFuture { seen_at: *at });
                }
                if g.last_conversation.is_some_and(|last| *at <= last) {
                    return Err(GovernanceError::NoNewActivity {
                        item: "the channel".to_string(),
                        last: g.last_conversation.unwrap_or(*at),
                    });
                }
                Ok(vec![
                    self.event(EventKind::ConversationNoted { at: *at }, None)
                ])
            }
            Command::RecordMeeting { at, attendees } => {
                let by_group = self
                    .ctx
                    .actor
                    .id()
                    .is_some_and(|id| g.is_facilitator_or_maintainer(id));
                if !by_group && !self.ctx.actor.has_any(DECIDERS) {
                    return Err(GovernanceError::Forbidden {
                        action: "record a group's meeting",
                        allowed: "the group's facilitators and maintainers, community moderators, core or lead maintainers",
                    });
                }
                self.in_states(&[Active, UnderReversalVote], "given a meeting")?;
                if *at > self.ctx.now {
                    return Err(GovernanceError::ActivityInFuture { seen_at: *at });
                }
                let mut people = attendees.clone();
                people.sort();
                people.dedup();
                Ok(vec![self.event(
                    EventKind::MeetingRecorded {
                        at: *at,
                        attendees: people,
                    },
                    None,
                )])
            }
            Command::RemindQuiet => {
                self.require_system("send a quiet-group reminder")?;
                match quiet_reminder_due_at(g) {
                    Some(due) if due <= self.ctx.now => Ok(vec![self.event(
                        EventKind::QuietReminder {
                            last_activity: ig_last_activity(g),
                        },
                        None,
                    )]),
                    due => Err(GovernanceError::NotDue {
                        what: "a quiet-group reminder",
                        due: due.unwrap_or(self.ctx.now),
                    }),
                }
            }
            Command::RemindVoters => self.remind_voters(),
            Command::Sponsor => self.sponsor(),
            Command::Veto { reason } => {
                self.require(VETOERS, "veto", "core or lead maintainers")?;
                let reason = self.reason(reason, "veto")?;
                let outcome = match g.state {
                    Proposed | UnderVote => VetoOutcome::ProposalVetoed,
                    Active | UnderReversalVote => VetoOutcome::GroupReversed,
                    _ => return Err(self.not_allowed("vetoed")),
                };
                Ok(vec![self.event(EventKind::Vetoed { outcome }, Some(reason))])
            }
            Command::LiftVeto { reason } => {
                self.require(&[Role::LeadMaintainer], "lift a veto", "lead maintainers")?;
                let reason = self.reason(reason, "lift a veto")?;
                if g.veto.is_none() || !matches!(g.state, Vetoed | Reversed) {
                    return Err(self.not_allowed("released from a veto, as no veto stands"));
                }
                Ok(vec![self.event(EventKind::VetoLifted, Some(reason))])
            }
            Command::StartReversal { reason, electorate } => {
                self.require(MODERATORS, "start a reversal vote", "community moderators")?;
                let reason = self.reason(reason, "start a reversal vote")?;
                self.in_states(&[Active], "put to a reversal vote")?;
                Ok(vec![self.open_vote(
                    VotePurpose::Reversal,
                    electorate,
                    Some(reason),
                )?])
            }
            Command::Retire { reason } => {
                self.require(
                    DECIDERS,
                    "retire a group",
                    "community moderators, core or lead maintainers",
                )?;
                let reason = self.reason(reason, "retire a group")?;
                self.in_states(&[Active, UnderReversalVote], "retired")?;
                Ok(vec![self.event(
                    EventKind::Retired {
                        cause: RetirementCause::Decision,
                    },
                    Some(reason),
                )])
            }
            Command::FlagRetirementCandidate => {
                self.require_system("flag a retirement candidate")?;
                self.wg_only()?;
                self.in_states(&[Active], "flagged for retirement")?;
                if g.maintenance {
                    return Err(GovernanceError::MaintenanceExempt {
                        name: g.name.clone(),
                    });
                }
                if g.candidacy.is_some() {
                    return Err(
                        self.not_allowed("flagged again: it is already a retirement candidate")
                    );
                }
                match retirement_due(g, self.ctx.now) {
                    Some(cause) => Ok(vec![
                        self.event(EventKind::RetirementCandidate { cause }, None)
                    ]),
                    None => Err(GovernanceError::NotDue {
                        what: "retirement candidacy",
                        due: wg_inactivity_deadline(g).unwrap_or(self.ctx.now),
                    }),
                }
            }
            Command::RetireCandidate => {
                self.require_system("retire a candidate at the end of its grace period")?;
                self.in_states(&[Active], "retired")?;
                let candidacy =
                    g.candidacy
                        .as_ref()
                        .ok_or_else(|| GovernanceError::NotACandidate {
                            kind: g.kind,
                            name: g.name.clone(),
                            action: "retire",
                        })?;
                let due = candidacy.since + g.policy.wg_retirement_grace.to_chrono();
                if self.ctx.now < due {
                    return Err(GovernanceError::NotDue {
                        what: "retirement at the end of the grace period",
                        due,
                    });
                }
                Ok(vec![self.event(
                    EventKind::Retired {
                        cause: candidacy.cause,
                    },
                    None,
                )])
            }
            Command::Keep { reason } => {
                self.require(
                    MODERATORS,
                    "keep a retirement candidate",
                    "community moderators",
                )?;
                let reason = self.reason(reason, "keep a group")?;
                self.in_states(&[Active], "kept")?;
                if g.candidacy.is_none() {
                    return Err(GovernanceError::NotACandidate {
                        kind: g.kind,
                        name: g.name.clone(),
                        action: "keep",
                    });
                }
                Ok(vec![self.event(EventKind::Kept, Some(reason))])
            }
            Command::NoteTemplateDeleted => {
                self.require_system("note a deleted template message")?;
                Ok(vec![self.event(EventKind::TemplateMessageDeleted, None)])
            }
            Command::DropEffect { event, reason } => {
                self.require_system("drop an effect on Discord")?;
                Ok(vec![self.event(
                    EventKind::EffectDropped { event: *event },
                    Some(reason.clone()),
                )])
            }
            Command::LinkChannel { channel } => {
                if self.ctx.actor != &Actor::System {
                    self.require(
                        MODERATORS,
                        "link a group's channel",
                        "govbot or community moderators",
                    )?;
                }
                self.in_states(&[Active, UnderReversalVote], "given a channel")?;
                Ok(vec![self.event(
                    EventKind::ChannelLinked { channel: *channel },
                    None,
                )])
            }
            Command::TrackItem { item } => {
                self.item_change()?;
                let item = &item
                    .followable()
                    .map_err(|e| GovernanceError::Unfollowable {
                        problem: e.to_string(),
                    })?;
                if self.find_item(item).is_some() {
                    return Err(GovernanceError::DuplicateItem {
                        item: item.to_string(),
                    });
                }
                Ok(vec![self.event(
                    EventKind::ItemTracked { item: item.clone() },
                    None,
                )])
            }
            Command::CompleteItem { item, reason } => {
                self.item_change()?;
                let tracked = self.known_item(item)?;
                if tracked.completed_at.is_some() {
                    return Err(GovernanceError::ItemAlready {
                        item: item.to_string(),
                        state: "completed",
                    });
                }
                Ok(vec![self.event(
                    EventKind::ItemCompleted {
                        item: item.clone(),
                        reason: Some(*reason),
                    },
                    None,
                )])
            }
            Command::ReopenItem { item } => {
                self.item_change()?;
                let tracked = self.known_item(item)?;
                if tracked.completed_at.is_none() {
                    return Err(GovernanceError::ItemAlready {
                        item: item.to_string(),
                        state: "open",
                    });
                }
                Ok(vec![self.event(
                    EventKind::ItemReopened { item: item.clone() },
                    None,
                )])
            }
            Command::RecordItemActivity { item, seen_at } => {
                self.item_change()?;
                let tracked = self.known_item(item)?;
                if *seen_at > self.ctx.now {
                    return Err(GovernanceError::ActivityInFuture { seen_at: *seen_at });
                }
                if *seen_at <= tracked.last_activity {
                    return Err(GovernanceError::NoNewActivity {
                        item: item.to_string(),
                        last: tracked.last_activity,
                    });
                }
                Ok(vec![self.event(
                    EventKind::ItemActivity {
                        item: item.clone(),
                        seen_at: *seen_at,
                    },
                    None,
                )])
            }
            Command::MarkItemUnreadable { item, reason } => {
                self.require_system("mark an item unreadable")?;
                self.item_change()?;
                if self.known_item(item)?.unreadable.is_some() {
                    return Err(GovernanceError::ItemAlready {
                        item: item.to_string(),
                        state: "marked unreadable",
                    });
                }
                Ok(vec![self.event(
                    EventKind::ItemUnreadable {
                        item: item.clone(),
                        reason: self.reason(reason, "mark an item unreadable")?,
                    },
                    None,
                )])
            }
            Command::MarkItemReadable { item } => {
                self.require_system("mark an item readable")?;
                self.item_change()?;
                if self.known_item(item)?.unreadable.is_none() {
                    return Err(GovernanceError::ItemAlready {
                        item: item.to_string(),
                        state: "readable",
                    });
                }
                Ok(vec![self.event(
                    EventKind::ItemReadable { item: item.clone() },
                    None,
                )])
            }
            Command::MoveItem { from, to } => {
                self.require_system("follow a moved item")?;
                self.item_change()?;
                self.known_item(from)?;
                if self.find_item(to).is_some() {
                    return Err(GovernanceError::DuplicateItem {
                        item: to.to_string(),
                    });
                }
                Ok(vec![self.event(
                    EventKind::ItemMoved {
                        from: from.clone(),
                        to: to.clone(),
                    },
                    None,
                )])
            }
            Command::DropItem { item } => {
                self.item_change()?;
                self.known_item(item)?;
                Ok(vec![self.event(
                    EventKind::ItemDropped { item: item.clone() },
                    None,
                )])
            }
            Command::SetMaintenance { on } => {
                self.require(
                    DECIDERS,
                    "mark a WG as maintaining a project",
                    "community moderators, core or lead maintainers",
                )?;
                self.wg_only()?;
                self.in_states(&[Active, UnderReversalVote], "changed")?;
                Ok(vec![self.event(EventKind::MaintenanceSet { on: *on }, None)])
            }
            Command::AddFacilitator { member } => {
                self.people_change()?;
                self.not_listed(*member)?;
                Ok(vec![self.event(
                    EventKind::FacilitatorAdded { member: *member },
                    None,
                )])
            }
            Command::RemoveFacilitator { member } => {
                self.people_change()?;
                if !g.facilitators.contains(member) {
                    return Err(GovernanceError::NotListed {
                        member: *member,
                        role: "facilitator",
                    });
                }
                if g.facilitators.len() == 1 {
                    return Err(GovernanceError::LastFacilitator { member: *member });
                }
                Ok(vec![self.event(
                    EventKind::FacilitatorRemoved { member: *member },
                    None,
                )])
            }
            Command::AddMaintainer {
                member,
                in_steering_group,
            } => {
                self.people_change()?;
                self.not_listed(*member)?;
                if !in_steering_group {
                    return Err(GovernanceError::NotInSteeringGroup { member: *member });
                }
                Ok(vec![self.event(
                    EventKind::MaintainerAdded { member: *member },
                    None,
                )])
            }
            Command::RemoveMaintainer { member } => {
                self.people_change()?;
                if !g.maintainers.contains(member) {
                    return Err(GovernanceError::NotListed {
                        member: *member,
                        role: "maintainer",
                    });
                }
                Ok(vec![self.event(
                    EventKind::MaintainerRemoved { member: *member },
                    None,
                )])
            }
            Command::PostStatus { text } => {
                if !self
                    .ctx
                    .actor
                    .id()
                    .is_some_and(|id| g.is_facilitator_or_maintainer(id))
                {
                    return Err(GovernanceError::Forbidden {
                        action: "post the group's status",
                        allowed: "the group's facilitators and maintainers",
                    });
                }
                self.in_states(&[Active, UnderReversalVote], "given a status update")?;
                let text = text.trim();
                if text.is_empty() {
                    return Err(GovernanceError::EmptyStatus);
                }
                check_length(text, "status update")?;
                Ok(vec![self.event(
                    EventKind::StatusPosted {
                        text: text.to_string(),
                    },
                    None,
                )])
            }
        }
    }

    fn event(&self, kind: EventKind, reason: Option<String>) -> Event {
        Event {
            at: self.ctx.now,
            actor: self.ctx.actor.clone(),
            reason,
            policy: self.g.policy_in_force(),
            kind,
        }
    }

    fn not_allowed(&self, action: &'static str) -> GovernanceError {
        GovernanceError::NotAllowedInState {
            kind: self.g.kind,
            name: self.g.name.clone(),
            state: self.g.state.label().to_string(),
            action,
        }
    }

    fn in_states(
        &self,
        states: &[GroupState],
        action: &'static str,
    ) -> Result<(), GovernanceError> {
        if states.contains(&self.g.state) {
            Ok(())
        } else {
            Err(self.not_allowed(action))
        }
    }

    fn require(
        &self,
        roles: &[Role],
        action: &'static str,
        allowed: &'static str,
    ) -> Result<(), GovernanceError> {
        if self.ctx.actor.has_any(roles) {
            Ok(())
        } else {
            Err(GovernanceError::Forbidden { action, allowed })
        }
    }

    fn require_system(&self, action: &'static str) -> Result<(), GovernanceError> {
        if self.ctx.actor == &Actor::System {
            Ok(())
        } else {
            Err(GovernanceError::Forbidden {
                action,
                allowed: "govbot's scheduler",
            })
        }
    }

    fn reason(&self, reason: &str, action: &'static str) -> Result<String, GovernanceError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(GovernanceError::ReasonRequired { action });
        }
        check_length(reason, "reason")?;
        Ok(reason.to_string())
    }

    fn wg_only(&self) -> Result<(), GovernanceError> {
        if self.g.kind == GroupKind::Wg {
            Ok(())
        } else {
            Err(GovernanceError::NotAWorkingGroup {
                name: self.g.name.clone(),
            })
        }
    }

    fn item_change(&self) -> Result<(), GovernanceError> {
        let allowed = self.ctx.actor == &Actor::System
            || self.ctx.actor.has_any(DECIDERS)
            || self
                .ctx
                .actor
                .id()
                .is_some_and(|id| self.g.is_facilitator_or_maintainer(id));
        if !allowed {
            return Err(GovernanceError::Forbidden {
                action: "change a WG's tracked items",
                allowed: "the WG's facilitators and maintainers, community moderators, core or lead maintainers",
            });
        }
        self.wg_only()?;
        self.in_states(
            &[GroupState::Active, GroupState::UnderReversalVote],
            "given tracked items",
        )
    }

    fn people_change(&self) -> Result<(), GovernanceError> {
        self.require(
            DECIDERS,
            "change a group's facilitators or maintainers",
            "community moderators, core or lead maintainers",
        )?;
        self.in_states(
            &[GroupState::Active, GroupState::UnderReversalVote],
            "changed",
        )
    }

    /// A person is a group's facilitator or its maintainer, never both, as in the template.
    fn not_listed(&self, member: MemberId) -> Result<(), GovernanceError> {
        let role = if self.g.facilitators.contains(&member) {
            "facilitator"
        } else if self.g.maintainers.contains(&member) {
            "maintainer"
        } else {
            return Ok(());
        };
        Err(GovernanceError::AlreadyListed { member, role })
    }

    fn find_item(&self, item: &ItemRef) -> Option<&super::items::TrackedItem> {
        self.g.items.iter().find(|i| &i.item == item)
    }

    fn known_item(&self, item: &ItemRef) -> Result<&super::items::TrackedItem, GovernanceError> {
        self.find_item(item)
            .ok_or_else(|| GovernanceError::UnknownItem {
                item: item.to_string(),
            })
    }

    fn open_vote(
        &self,
        purpose: VotePurpose,
        electorate: &BTreeSet<MemberId>,
        reason: Option<String>,
    ) -> Result<Event, GovernanceError> {
        if electorate.is_empty() {
            return Err(GovernanceError::EmptyElectorate);
        }
        let rule = VoteRule::from_policy(self.ctx.policy);
        let mut policy = self.g.policy.clone();
        rule.overlay(&mut policy);
        Ok(Event {
            at: self.ctx.now,
            actor: self.ctx.actor.clone(),
            reason,
            policy,
            kind: EventKind::VoteOpened {
                purpose,
                electorate: electorate.clone(),
                closes_at: self.ctx.now + rule.window.to_chrono(),
                rule,
            },
        })
    }

    fn ballot(&self, choice: Option<Choice>) -> Result<Vec<Event>, GovernanceError> {
        let vote = self
            .g
            .running_vote()
            .ok_or_else(|| self.not_allowed("voted on"))?;
        let voter = match self.ctx.actor.id() {
            Some(id) if vote.electorate.contains(&id) => id,
            _ => {
                return Err(GovernanceError::NotInElectorate {
                    opened_at: vote.opened_at,
                })
            }
        };
        if !vote.is_open_at(self.ctx.now) {
            return Err(GovernanceError::VotingClosed {
                closes_at: vote.closes_at,
            });
        }
        if choice.is_none() && !vote.standing().contains_key(&voter) {
            return Err(GovernanceError::NoBallot);
        }
        Ok(vec![
            self.event(EventKind::BallotCast { voter, choice }, None)
        ])
    }

    fn close_vote(&self) -> Result<Vec<Event>, GovernanceError> {
        let vote = self
            .g
            .running_vote()
            .ok_or_else(|| self.not_allowed("closed as a vote"))?;
        if self.ctx.now < vote.closes_at {
            return Err(GovernanceError::VoteStillOpen {
                closes_at: vote.closes_at,
            });
        }
        let tally = vote.tally();
        let outcome = tally.outcome(vote.rule.threshold);
        Ok(vec![self.event(
            EventKind::VoteClosed {
                purpose: vote.purpose,
                tally,
                outcome,
                as_of: vote.closes_at,
            },
            None,
        )])
    }

    fn remind_voters(&self) -> Result<Vec<Event>, GovernanceError> {
        self.require_system("send a vote reminder")?;
        let vote = self
            .g
            .running_vote()
            .ok_or_else(|| self.not_allowed("reminded of a vote"))?;
        let before = vote.due_reminders(self.ctx.now);
        if before.is_empty() {
            return Err(GovernanceError::NotDue {
                what: "a vote reminder",
                due: vote
                    .pending_reminders()
                    .first()
                    .map_or(vote.closes_at, |(_, at)| *at),
            });
        }
        Ok(vec![self.event(
            EventKind::VoteReminder {
                before,
                not_voted: vote.tally().not_voted,
            },
            None,
        )])
    }

    fn sponsor(&self) -> Result<Vec<Event>, GovernanceError> {
        let g = self.g;
        let role = if self.ctx.actor.has(Role::LeadMaintainer) {
            Role::LeadMaintainer
        } else if self.ctx.actor.has(Role::CoreMaintainer) {
            Role::CoreMaintainer
        } else {
            return Err(GovernanceError::Forbidden {
                action: "sponsor a group",
                allowed: "core or lead maintainers",
            });
        };
        self.in_states(&[GroupState::Proposed], "sponsored")?;
        if g.policy.approval != Approval::Sponsorship {
            return Err(GovernanceError::WrongApproval {
                approval: "a moderator vote (a moderator calls it)",
                attempted: "sponsorship",
            });
        }
        let sponsor = self.ctx.actor.id().expect("a member holds the role");
        if g.sponsors.iter().any(|(s, _)| *s == sponsor) {
            return Err(GovernanceError::AlreadySponsored { sponsor });
        }
        let count =
            |r| g.sponsors.iter().filter(|(_, sr)| *sr == r).count() + usize::from(role == r);
        let need = g.policy.sponsorship;
        let approved = (need.lead_maintainers > 0
            && count(Role::LeadMaintainer) >= usize::from(need.lead_maintainers))
            || (need.core_maintainers > 0
                && count(Role::CoreMaintainer) >= usize::from(need.core_maintainers));
        let mut events = vec![self.event(EventKind::Sponsored { sponsor, role }, None)];
        if approved {
            events.push(self.event(EventKind::Approved, None));
        }
        Ok(events)
    }
}

fn check_length(text: &str, what: &'static str) -> Result<(), GovernanceError> {
    let chars = text.chars().count();
    if chars > MAX_REASON_CHARS {
        return Err(GovernanceError::TooLong {
            what,
            chars,
            max: MAX_REASON_CHARS,
        });
    }
    Ok(())
}
