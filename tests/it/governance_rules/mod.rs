//! One test per rule of `spec/groups-governance.md` and of DESIGN.md section 2 ("Semantics"),
//! named after the rule it proves. Time is fixed (`t0`) and advanced explicitly; the real clock is
//! never read.

use crate::common::t0;
use chrono::Duration;
use govbot::governance::*;
use std::collections::BTreeSet;

// ---------------------------------------------------------------------------------------------
// People and time
// ---------------------------------------------------------------------------------------------

/// Proposer and sole facilitator of the groups proposed here.
const ALICE: MemberId = MemberId(1);
/// A member with no role.
const BOB: MemberId = MemberId(2);
/// The community moderators when votes open here.
const MOD1: MemberId = MemberId(11);
const MOD2: MemberId = MemberId(12);
const MOD3: MemberId = MemberId(13);
/// A moderator appointed after a vote opened.
const LATE_MOD: MemberId = MemberId(19);
const CORE: MemberId = MemberId(21);
const CORE2: MemberId = MemberId(22);
const LEAD: MemberId = MemberId(31);
const STEER: MemberId = MemberId(41);

fn when(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn member(id: MemberId) -> Actor {
    Actor::member(id, [])
}
fn moderator(id: MemberId) -> Actor {
    Actor::member(id, [Role::Moderator])
}
fn core(id: MemberId) -> Actor {
    Actor::member(id, [Role::CoreMaintainer])
}
fn lead(id: MemberId) -> Actor {
    Actor::member(id, [Role::LeadMaintainer])
}
fn system() -> Actor {
    Actor::System
}

fn electorate() -> BTreeSet<MemberId> {
    [MOD1, MOD2, MOD3].into()
}

fn reason(s: &str) -> String {
    s.to_string()
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

const WG_FIRST_ITEM: ItemRef = ItemRef::Sep(1234);

fn wg_draft() -> TemplateDraft {
    TemplateDraft::new(GroupKind::Wg)
        .name("Registry")
        .facilitator(ALICE)
        .field(Field::UseCases, "A public registry of MCP servers")
        .field(Field::FirstItem, "SEP-1234: Registry API")
}

fn ig_draft() -> TemplateDraft {
    TemplateDraft::new(GroupKind::Ig)
        .name("Security in MCP")
        .facilitator(ALICE)
        .field(Field::SimilarGroups, "Auth in MCP")
        .field(
            Field::Differentiation,
            "Threat models and hardening, not login flows",
        )
        .field(Field::FirstTopic, "Prompt injection through tool output")
}

fn problems_of(draft: &TemplateDraft) -> Vec<(Field, String)> {
    match draft.validate() {
        Ok(t) => panic!("expected the draft to be refused, got {t:?}"),
        Err(e) => e
            .problems
            .iter()
            .map(|p| (p.field, p.problem.clone()))
            .collect(),
    }
}

fn refusal_text(draft: &TemplateDraft) -> String {
    draft
        .validate()
        .expect_err("draft should be refused")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// A group under test: every command goes through `decide_and_apply`; a refusal must change
// nothing, and the recorded events must always replay to the live state.
// ---------------------------------------------------------------------------------------------

struct Sim {
    policy: Policy,
    now: Timestamp,
    group: Group,
    /// The vote's ballots, kept beside the group (as the store keeps them).
    ballots: Ballots,
    events: Vec<Event>,
}

impl Sim {
    fn propose_with(template: Template, policy: Policy) -> Sim {
        let now = t0();
        let events = decide(
            None,
            &Ballots::NONE,
            &Command::Propose { template },
            &Acting::new(&member(ALICE), now, &policy),
        )
        .expect("any member can propose");
        let group = replay(&events).unwrap();
        Sim {
            policy,
            now,
            group,
            ballots: Ballots::default(),
            events,
        }
    }

    fn wg() -> Sim {
        Self::propose_with(wg_draft().validate().unwrap(), Policy::default())
    }

    fn ig() -> Sim {
        Self::propose_with(ig_draft().validate().unwrap(), Policy::default())
    }

    fn at(&mut self, t: Timestamp) -> &mut Self {
        assert!(t >= self.now, "time never goes back in these tests");
        self.now = t;
        self
    }

    fn after(&mut self, d: Duration) -> &mut Self {
        self.now += d;
        self
    }

    fn try_with(
        &mut self,
        actor: &Actor,
        cmd: &Command,
        policy: &Policy,
    ) -> Result<Vec<Event>, GovernanceError> {
        let before = (self.group.clone(), self.ballots.clone());
        let result = self.group.decide_and_apply(
            &mut self.ballots,
            cmd,
            &Acting::new(actor, self.now, policy),
        );
        match &result {
            Ok(events) => self.events.extend(events.iter().cloned()),
            Err(_) => assert_eq!(
                (&self.group, &self.ballots),
                (&before.0, &before.1),
                "a refused command changed the group"
            ),
        }
        assert_eq!(replay(&self.events).unwrap(), self.group);
        assert_eq!(Ballots::replay(&self.events), self.ballots);
        result
    }

    fn attempt(&mut self, actor: &Actor, cmd: Command) -> Result<Vec<Event>, GovernanceError> {
        let policy = self.policy.clone();
        self.try_with(actor, &cmd, &policy)
    }

    #[track_caller]
    fn ok(&mut self, actor: &Actor, cmd: Command) -> Vec<Event> {
        match self.attempt(actor, cmd.clone()) {
            Ok(events) => events,
            Err(e) => panic!("{cmd:?} by {actor} was refused: {e}"),
        }
    }

    #[track_caller]
    fn err(&mut self, actor: &Actor, cmd: Command) -> GovernanceError {
        match self.attempt(actor, cmd.clone()) {
            Ok(events) => panic!("{cmd:?} by {actor} should be refused, got {events:?}"),
            Err(e) => e,
        }
    }

    /// MOD1 opens the creation vote among MOD1..MOD3; returns its deadline.
    fn call_vote(&mut self) -> Timestamp {
        self.ok(
            &moderator(MOD1),
            Command::CallVote {
                electorate: electorate(),
            },
        );
        self.vote().closes_at
    }

    fn cast(&mut self, voter: MemberId, choice: Choice) {
        self.ok(&moderator(voter), Command::Cast { choice });
    }

    fn close(&mut self) -> Vec<Event> {
        self.ok(&system(), Command::CloseVote)
    }

    fn close_at_deadline(&mut self) -> Vec<Event> {
        let deadline = self.vote().closes_at;
        self.at(deadline);
        self.close()
    }

    /// Calls the vote now, all three moderators vote yes, and it closes at its deadline.
    /// Returns the activation time (the deadline).
    fn activate(&mut self) -> Timestamp {
        let deadline = self.call_vote();
        for m in [MOD1, MOD2, MOD3] {
            self.cast(m, Choice::Yes);
        }
        self.close_at_deadline();
        assert_eq!(self.group.state, GroupState::Active);
        deadline
    }

    fn vote(&self) -> &Vote {
        self.group.vote.as_ref().expect("a vote exists")
    }

    /// The vote's ballots, every one in the order cast.
    fn ballots(&self) -> &Ballots {
        &self.ballots
    }

    fn tally(&self) -> Tally {
        self.ballots.tally(self.vote())
    }
}

fn only_event(events: &[Event]) -> &EventKind {
    assert_eq!(events.len(), 1, "{events:?}");
    &events[0].kind
}

fn start_reversal(sim: &mut Sim) -> Timestamp {
    sim.ok(
        &moderator(MOD2),
        Command::StartReversal {
            reason: reason("New information surfaced"),
            electorate: electorate(),
        },
    );
    sim.vote().closes_at
}

mod deadlines;
mod names;
mod policy;
mod proposals;
mod retirement;
mod reversal;
mod sponsorship;
mod stewardship;
mod templates;
mod vetoes;
mod votes;
