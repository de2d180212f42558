//! The governance core: the rules of `spec/groups-governance.md` and nothing else.
//!
//! Pure: no I/O, no Discord types, and the current time always comes in as an argument. Every
//! change is decided as events by [`decide`] and applied by [`Group::apply`], so the events are
//! the audit log and replaying them ([`replay`]) rebuilds a group's state exactly.
//!
//! A worked example: a member proposes a WG, a moderator calls the vote, the whole electorate
//! votes yes and the vote closes at its deadline.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use govbot::governance::*;
//!
//! let policy = Policy::default();
//! let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
//! let alice = Actor::member(MemberId(1), []);
//! let moderator = Actor::member(MemberId(2), [Role::Moderator]);
//!
//! let template = TemplateDraft::new(GroupKind::Wg)
//!     .name("Registry")
//!     .facilitator(MemberId(1))
//!     .field(Field::UseCases, "A public registry of MCP servers")
//!     .field(Field::FirstItem, "SEP-1234")
//!     .validate()
//!     .unwrap();
//! let propose = Command::Propose { template };
//! let mut events = decide(None, &Ballots::NONE, &propose, &Acting::new(&alice, t0, &policy)).unwrap();
//! let mut group = replay(&events).unwrap();
//! // The vote's ballots are kept beside the group, not in it.
//! let mut ballots = Ballots::default();
//!
//! let call = Command::CallVote { electorate: [MemberId(2)].into() };
//! events.extend(group.decide_and_apply(&mut ballots, &call, &Acting::new(&moderator, t0, &policy)).unwrap());
//! let yes = Command::Cast { choice: Choice::Yes };
//! events.extend(group.decide_and_apply(&mut ballots, &yes, &Acting::new(&moderator, t0, &policy)).unwrap());
//!
//! let deadline = t0 + policy.vote_window.to_chrono();
//! let close = Command::CloseVote;
//! events.extend(group.decide_and_apply(&mut ballots, &close, &Acting::new(&Actor::System, deadline, &policy)).unwrap());
//! assert_eq!(group.state, GroupState::Active);
//! assert_eq!(replay(&events).unwrap(), group);
//! assert_eq!(Ballots::replay(&events), ballots);
//! ```

mod command;
mod deadlines;
mod decide;
mod error;
mod event;
mod group;
mod ids;
mod items;
mod names;
mod policy;
mod retirement;
mod roles;
mod template;
mod vote;

pub use command::{BallotsRead, Command};
pub use deadlines::{due_command, next_deadline};
pub use decide::{decide, Acting};
pub use error::{GovernanceError, ReplayError};
pub use event::{Event, EventKind, RetirementCause, VetoOutcome};
pub use group::{replay, Group, GroupState, Meeting};
pub use ids::{MemberId, Timestamp};
pub use items::{
    CloseReason, GitHubKind, GitHubRef, ItemRef, TrackedItem, Unfollowable, Unreadable,
};
pub use names::{
    name_problem, name_skeleton, names_similar, normalize_name, MAX_NAME_CHARS, MIN_NAME_CHARS,
};
pub use policy::{Approval, BallotVisibility, HumanDuration, Policy, Sponsorship, Threshold};
pub use retirement::{
    ig_activity, ig_last_activity, inactivity_reminders_due, next_inactivity_reminder,
    quiet_reminder_due_at, retirement_due, wg_inactivity_deadline, IgActivity,
};
pub use roles::{Actor, Role};
pub use template::{
    Details, Field, FieldProblem, GroupKind, Template, TemplateDraft, TemplateErrors,
    MAX_FORM_LABEL, MAX_TEXT_CHARS,
};
pub use vote::{
    Ballot, Ballots, Choice, Counts, Outcome, Tally, Vote, VotePurpose, VoteResult, VoteRule,
};
