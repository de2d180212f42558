//! The rules: which command each actor may give in each state, and the events it produces.
//!
//! [`decide`] is the one door in: it names, per command, the domain module that holds its rule,
//! so the layout of this directory is the shape of the spec. What every rule shares (who acts,
//! in which state, with what reason, and how an event is stamped) lives here, once.

mod approval;
mod items;
mod proposal;
mod retirement;
mod stewardship;
mod veto;

use super::error::GovernanceError;
use super::event::{Event, EventKind};
use super::group::{Group, GroupState};
use super::ids::Timestamp;
use super::policy::Policy;
use super::roles::{Actor, Role};
use super::template::GroupKind;
use super::vote::Ballots;
use super::Command;

/// Longest reason or status accepted, so every one fits in a Discord message with room to spare.
pub const MAX_REASON_CHARS: usize = 1000;

/// Who is acting, when, and the policy configured now (frozen into whatever opens now).
/// (Not `Context`: that name belongs to serenity and poise in every adapter that builds one.)
#[derive(Debug, Clone, Copy)]
pub struct Acting<'a> {
    pub actor: &'a Actor,
    pub now: Timestamp,
    pub policy: &'a Policy,
}

impl<'a> Acting<'a> {
    pub fn new(actor: &'a Actor, now: Timestamp, policy: &'a Policy) -> Self {
        Acting { actor, now, policy }
    }
}

const MODERATORS: &[Role] = &[Role::Moderator];
const VETOERS: &[Role] = &[Role::CoreMaintainer, Role::LeadMaintainer];
const DECIDERS: &[Role] = &[Role::Moderator, Role::CoreMaintainer, Role::LeadMaintainer];

/// What a rule answers: the events to record, or why the command is refused.
type Decided = Result<Vec<Event>, GovernanceError>;

/// Decides what `command` does to `group` (`None` before a proposal exists). `ballots` are the
/// running vote's ballots, or at least those the command reads ([`Command::ballots_read`]);
/// [`Ballots::NONE`] for a command that reads none.
pub fn decide(
    group: Option<&Group>,
    ballots: &Ballots,
    command: &Command,
    ctx: &Acting,
) -> Decided {
    let g = match (group, command) {
        (None, Command::Propose { template }) => return proposal::propose(template, ctx),
        (Some(_), Command::Propose { .. }) => return Err(GovernanceError::AlreadyProposed),
        (None, _) => {
            return Err(GovernanceError::Forbidden {
                action: "act on a group that was never proposed",
                allowed: "nobody",
            })
        }
        (Some(g), _) => g,
    };
    let d = &Decision { g, ballots, ctx };
    match command {
        Command::Propose { .. } => Err(GovernanceError::AlreadyProposed),
        Command::Withdraw => proposal::withdraw(d),
        Command::Amend { template } => proposal::amend(d, template),
        Command::NoteTemplateDeleted => proposal::note_template_deleted(d),
        Command::CallVote { electorate } => approval::call_vote(d, electorate),
        Command::Cast { choice } => approval::ballot(d, Some(*choice)),
        Command::WithdrawBallot => approval::ballot(d, None),
        Command::BallotOn { vote, choice } => approval::ballot_on(d, *vote, *choice),
        Command::CloseVote => approval::close_vote(d),
        Command::RemindVoters => approval::remind_voters(d),
        Command::Sponsor => approval::sponsor(d),
        Command::Veto { reason } => veto::veto(d, reason),
        Command::LiftVeto { reason } => veto::lift_veto(d, reason),
        Command::StartReversal { reason, electorate } => {
            veto::start_reversal(d, reason, electorate)
        }
        Command::Retire { reason } => retirement::retire(d, reason),
        Command::FlagRetirementCandidate => retirement::flag_candidate(d),
        Command::RetireCandidate => retirement::retire_candidate(d),
        Command::Keep { reason } => retirement::keep(d, reason),
        Command::RemindInactivity => retirement::remind_inactivity(d),
        Command::RemindQuiet => retirement::remind_quiet(d),
        Command::NoteConversation { at } => retirement::note_conversation(d, *at),
        Command::RecordMeeting { at, attendees } => retirement::record_meeting(d, *at, attendees),
        Command::AddFacilitator { member } => stewardship::add_facilitator(d, *member),
        Command::RemoveFacilitator { member } => stewardship::remove_facilitator(d, *member),
        Command::AddMaintainer {
            member,
            in_steering_group,
        } => stewardship::add_maintainer(d, *member, *in_steering_group),
        Command::RemoveMaintainer { member } => stewardship::remove_maintainer(d, *member),
        Command::PostStatus { text } => stewardship::post_status(d, text),
        Command::SetMaintenance { on } => stewardship::set_maintenance(d, *on),
        Command::LinkChannel { channel } => stewardship::link_channel(d, *channel),
        Command::DropEffect { event, reason } => stewardship::drop_effect(d, *event, reason),
        Command::TrackItem { item } => items::track(d, item),
        Command::CompleteItem { item, reason } => items::complete(d, item, *reason),
        Command::ReopenItem { item } => items::reopen(d, item),
        Command::RecordItemActivity { item, seen_at } => items::activity(d, item, *seen_at),
        Command::MarkItemUnreadable { item, reason } => items::unreadable(d, item, reason),
        Command::MarkItemReadable { item } => items::readable(d, item),
        Command::MoveItem { from, to } => items::move_item(d, from, to),
        Command::DropItem { item } => items::drop_item(d, item),
    }
}

/// A command about an existing group: the group as it stands and who is acting on it.
struct Decision<'a> {
    g: &'a Group,
    /// The running vote's ballots the command reads.
    ballots: &'a Ballots,
    ctx: &'a Acting<'a>,
}

impl Decision<'_> {
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

    /// Whether the actor is one of the group's own facilitators or maintainers.
    fn by_group(&self) -> bool {
        self.ctx
            .actor
            .id()
            .is_some_and(|id| self.g.is_facilitator_or_maintainer(id))
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
