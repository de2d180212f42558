//! One test per rule of `spec/groups-governance.md` and of DESIGN.md section 2 ("Semantics"),
//! named after the rule it proves. Time is fixed (`t0`) and advanced explicitly; the real clock is
//! never read.

use chrono::{Duration, TimeZone, Utc};
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

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

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
    events: Vec<Event>,
}

impl Sim {
    fn propose_with(template: Template, policy: Policy) -> Sim {
        let now = t0();
        let events = decide(
            None,
            &Command::Propose { template },
            &Acting::new(&member(ALICE), now, &policy),
        )
        .expect("any member can propose");
        let group = replay(&events).unwrap();
        Sim {
            policy,
            now,
            group,
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
        let before = self.group.clone();
        let result = self
            .group
            .decide_and_apply(cmd, &Acting::new(actor, self.now, policy));
        match &result {
            Ok(events) => self.events.extend(events.iter().cloned()),
            Err(_) => assert_eq!(self.group, before, "a refused command changed the group"),
        }
        assert_eq!(replay(&self.events).unwrap(), self.group);
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

    fn tally(&self) -> Tally {
        self.vote().tally()
    }
}

fn only_event(events: &[Event]) -> &EventKind {
    assert_eq!(events.len(), 1, "{events:?}");
    &events[0].kind
}

// ---------------------------------------------------------------------------------------------
// Proposals
// ---------------------------------------------------------------------------------------------

#[test]
fn any_member_can_propose() {
    for kind in [GroupKind::Ig, GroupKind::Wg] {
        let template = match kind {
            GroupKind::Ig => ig_draft(),
            GroupKind::Wg => wg_draft(),
        }
        .validate()
        .unwrap();
        let policy = Policy::default();
        let nobody_special = member(BOB);
        let events = decide(
            None,
            &Command::Propose {
                template: template.clone(),
            },
            &Acting::new(&nobody_special, t0(), &policy),
        )
        .unwrap();
        let group = replay(&events).unwrap();
        assert_eq!(group.state, GroupState::Proposed);
        assert_eq!(group.kind, kind);
        assert_eq!(group.proposer, BOB);
        assert_eq!(group.template, template);
        assert_eq!(group.proposed_at, t0());
    }
}

#[test]
fn govbot_itself_cannot_propose() {
    let policy = Policy::default();
    let err = decide(
        None,
        &Command::Propose {
            template: wg_draft().validate().unwrap(),
        },
        &Acting::new(&system(), t0(), &policy),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "only members can propose a group");
}

#[test]
fn a_group_is_proposed_only_once() {
    let mut sim = Sim::wg();
    let template = wg_draft().validate().unwrap();
    let err = sim.err(&member(BOB), Command::Propose { template });
    assert_eq!(err.to_string(), "a group can only be proposed once");
}

#[test]
fn nothing_can_be_done_to_a_group_never_proposed() {
    let policy = Policy::default();
    let err = decide(
        None,
        &Command::CallVote {
            electorate: electorate(),
        },
        &Acting::new(&moderator(MOD1), t0(), &policy),
    )
    .unwrap_err();
    assert!(matches!(err, GovernanceError::Forbidden { .. }), "{err}");
}

#[test]
fn proposer_can_withdraw_under_review() {
    let mut sim = Sim::wg();
    sim.after(Duration::hours(1));
    let events = sim.ok(&member(ALICE), Command::Withdraw);
    assert_eq!(only_event(&events), &EventKind::Withdrawn);
    assert_eq!(sim.group.state, GroupState::Withdrawn);
    assert_eq!(sim.group.ended_at, Some(t0() + Duration::hours(1)));
}

#[test]
fn only_the_proposer_can_withdraw() {
    let mut sim = Sim::wg();
    for actor in [member(BOB), moderator(MOD1), lead(LEAD), system()] {
        let err = sim.err(&actor, Command::Withdraw);
        assert_eq!(
            err.to_string(),
            "only the proposer, member 1, can withdraw or change this proposal"
        );
    }
    assert_eq!(sim.group.state, GroupState::Proposed);
}

#[test]
fn the_proposer_can_amend_the_template_before_a_vote() {
    let mut sim = Sim::wg();
    let amended = wg_draft().name("Server Registry").validate().unwrap();
    let err = sim.err(
        &member(BOB),
        Command::Amend {
            template: amended.clone(),
        },
    );
    assert_eq!(
        err.to_string(),
        "only the proposer, member 1, can withdraw or change this proposal"
    );
    let ig = ig_draft().validate().unwrap();
    let err = sim.err(&member(ALICE), Command::Amend { template: ig });
    assert!(
        err.to_string().contains("this proposal is for a WG"),
        "{err}"
    );
    sim.ok(
        &member(ALICE),
        Command::Amend {
            template: amended.clone(),
        },
    );
    assert_eq!(sim.group.name, "Server Registry");
    assert_eq!(sim.group.template, amended);
    sim.call_vote();
    let err = sim.err(&member(ALICE), Command::Amend { template: amended });
    assert_eq!(
        err.to_string(),
        "WG 'Server Registry' is under vote; it cannot be amended"
    );
}

#[test]
fn withdraw_is_refused_once_a_vote_is_called() {
    let mut sim = Sim::wg();
    sim.call_vote();
    let err = sim.err(&member(ALICE), Command::Withdraw);
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is under vote; it cannot be withdrawn"
    );
}

// ---------------------------------------------------------------------------------------------
// Calling a vote
// ---------------------------------------------------------------------------------------------

#[test]
fn only_moderators_can_call_a_vote() {
    let mut sim = Sim::wg();
    for actor in [member(ALICE), member(BOB), core(CORE), lead(LEAD), system()] {
        let err = sim.err(
            &actor,
            Command::CallVote {
                electorate: electorate(),
            },
        );
        assert_eq!(err.to_string(), "only community moderators can call a vote");
    }
    sim.call_vote();
    assert_eq!(sim.group.state, GroupState::UnderVote);
}

#[test]
fn empty_electorate_refused() {
    let mut sim = Sim::wg();
    let err = sim.err(
        &moderator(MOD1),
        Command::CallVote {
            electorate: BTreeSet::new(),
        },
    );
    assert_eq!(
        err.to_string(),
        "nobody holds the community moderator role, so there is nobody to vote; assign the role first"
    );
}

#[test]
fn a_running_vote_cannot_be_called_again() {
    let mut sim = Sim::wg();
    sim.call_vote();
    let err = sim.err(
        &moderator(MOD2),
        Command::CallVote {
            electorate: [MOD2].into(),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is under vote; it cannot be put to a vote"
    );
    assert_eq!(sim.vote().electorate, electorate());
}

#[test]
fn vote_window_is_72h_from_the_absolute_opening_time() {
    let mut sim = Sim::wg();
    let opened = t0() + Duration::minutes(17) + Duration::seconds(3);
    sim.at(opened);
    let closes_at = sim.call_vote();
    assert_eq!(sim.vote().opened_at, opened);
    assert_eq!(closes_at, opened + Duration::hours(72));
    assert_eq!(sim.vote().rule.window, HumanDuration::hours(72));
}

// ---------------------------------------------------------------------------------------------
// Ballots
// ---------------------------------------------------------------------------------------------

#[test]
fn a_ballot_at_71h59m59s_counts() {
    let mut sim = Sim::wg();
    sim.call_vote();
    sim.at(t0() + Duration::hours(72) - Duration::seconds(1));
    sim.cast(MOD1, Choice::Yes);
    sim.cast(MOD2, Choice::Yes);
    assert_eq!(sim.tally().yes, 2);
    sim.at(t0() + Duration::hours(72));
    sim.close();
    assert_eq!(sim.group.state, GroupState::Active);
}

#[test]
fn a_ballot_at_exactly_72h_is_refused() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.at(deadline);
    let err = sim.err(
        &moderator(MOD1),
        Command::Cast {
            choice: Choice::Yes,
        },
    );
    assert_eq!(
        err.to_string(),
        "voting closed at 2026-11-05 09:00:00 UTC; your ballot was not counted"
    );
    sim.after(Duration::days(2));
    let err = sim.err(
        &moderator(MOD1),
        Command::Cast {
            choice: Choice::Yes,
        },
    );
    assert!(matches!(err, GovernanceError::VotingClosed { .. }), "{err}");
    assert!(sim.vote().ballots.is_empty());
}

#[test]
fn electorate_is_frozen_when_the_vote_opens() {
    let mut sim = Sim::wg();
    sim.call_vote();
    sim.after(Duration::hours(1));
    // Appointed moderator after the vote opened: refused.
    let err = sim.err(
        &moderator(LATE_MOD),
        Command::Cast {
            choice: Choice::Yes,
        },
    );
    assert!(
        matches!(err, GovernanceError::NotInElectorate { opened_at } if opened_at == t0()),
        "{err}"
    );
    assert_eq!(sim.vote().electorate, electorate());
    assert_eq!(sim.tally().electorate, 3);
}

#[test]
fn electorate_member_who_lost_the_role_still_votes() {
    let mut sim = Sim::wg();
    sim.call_vote();
    // MOD3 no longer holds the moderator role, but was in the electorate when the vote opened.
    sim.ok(&member(MOD3), Command::Cast { choice: Choice::No });
    assert_eq!(sim.tally().no, 1);
}

#[test]
fn outsider_ballot_refused_with_clear_message() {
    let mut sim = Sim::wg();
    sim.call_vote();
    for outsider in [member(BOB), core(CORE), lead(LEAD), system()] {
        let err = sim.err(
            &outsider,
            Command::Cast {
                choice: Choice::Yes,
            },
        );
        assert_eq!(
            err.to_string(),
            "you are not in this vote's electorate (the community moderators when it opened on \
             2026-11-02 09:00:00 UTC), so your ballot was not counted"
        );
    }
}

#[test]
fn ballots_can_be_changed_and_the_last_counts() {
    let mut sim = Sim::wg();
    sim.call_vote();
    sim.cast(MOD1, Choice::No);
    sim.after(Duration::hours(5));
    sim.cast(MOD1, Choice::Abstain);
    sim.after(Duration::hours(5));
    sim.cast(MOD1, Choice::Yes);
    sim.cast(MOD2, Choice::Yes);
    let tally = sim.tally();
    assert_eq!((tally.yes, tally.no, tally.abstain), (2, 0, 0));
    assert_eq!(tally.not_voted, vec![MOD3]);
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Active);
}

#[test]
fn withdrawn_ballot_no_longer_counts() {
    let mut sim = Sim::wg();
    sim.call_vote();
    sim.cast(MOD1, Choice::Yes);
    sim.cast(MOD2, Choice::Yes);
    sim.after(Duration::hours(1));
    sim.ok(&moderator(MOD2), Command::WithdrawBallot);
    let tally = sim.tally();
    assert_eq!(tally.yes, 1);
    assert_eq!(tally.not_voted, vec![MOD2, MOD3]);
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Rejected);
}

#[test]
fn withdrawing_without_a_ballot_is_refused() {
    let mut sim = Sim::wg();
    sim.call_vote();
    let err = sim.err(&moderator(MOD1), Command::WithdrawBallot);
    assert_eq!(
        err.to_string(),
        "you have no ballot in this vote to withdraw"
    );
    sim.cast(MOD1, Choice::No);
    sim.ok(&moderator(MOD1), Command::WithdrawBallot);
    let err = sim.err(&moderator(MOD1), Command::WithdrawBallot);
    assert_eq!(err, GovernanceError::NoBallot);
}

#[test]
fn every_ballot_is_kept_in_history() {
    let mut sim = Sim::wg();
    sim.call_vote();
    let steps = [
        (MOD1, Some(Choice::No)),
        (MOD1, Some(Choice::Yes)),
        (MOD2, Some(Choice::Abstain)),
        (MOD2, None),
        (MOD1, Some(Choice::Abstain)),
    ];
    for (i, (voter, choice)) in steps.iter().enumerate() {
        sim.at(t0() + Duration::hours(i as i64));
        let cmd = match choice {
            Some(choice) => Command::Cast { choice: *choice },
            None => Command::WithdrawBallot,
        };
        sim.ok(&moderator(*voter), cmd);
    }
    let ballots: Vec<_> = sim
        .vote()
        .ballots
        .iter()
        .map(|b| (b.voter, b.choice, b.at))
        .collect();
    let want: Vec<_> = steps
        .iter()
        .enumerate()
        .map(|(i, (v, c))| (*v, *c, t0() + Duration::hours(i as i64)))
        .collect();
    assert_eq!(ballots, want);
    let ballot_events = sim
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::BallotCast { .. }))
        .count();
    assert_eq!(ballot_events, steps.len());
    let tally = sim.tally();
    assert_eq!((tally.yes, tally.no, tally.abstain), (0, 0, 1));
}

// ---------------------------------------------------------------------------------------------
// Closing a vote
// ---------------------------------------------------------------------------------------------

#[test]
fn a_vote_cannot_close_before_its_deadline() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    for m in [MOD1, MOD2, MOD3] {
        sim.cast(m, Choice::Yes);
    }
    // Unanimous, yet no early close by default.
    sim.at(deadline - Duration::seconds(1));
    let err = sim.err(&system(), Command::CloseVote);
    assert_eq!(
        err.to_string(),
        "the vote is open until 2026-11-05 09:00:00 UTC; it closes then, not earlier"
    );
    assert_eq!(sim.group.state, GroupState::UnderVote);
}

#[test]
fn a_vote_closes_at_its_deadline_without_any_ballot() {
    let mut sim = Sim::wg();
    sim.call_vote();
    let events = sim.close_at_deadline();
    let EventKind::VoteClosed { tally, outcome, .. } = only_event(&events) else {
        panic!("{events:?}");
    };
    assert_eq!(*outcome, Outcome::Rejected);
    assert_eq!(tally.not_voted, vec![MOD1, MOD2, MOD3]);
    assert_eq!(sim.group.state, GroupState::Rejected);
}

#[test]
fn result_is_computed_as_of_the_deadline_not_when_closed() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.cast(MOD1, Choice::Yes);
    sim.cast(MOD2, Choice::Yes);
    // The bot was down: the vote is processed five days late, and a late ballot was refused.
    sim.at(deadline + Duration::seconds(1));
    let err = sim.err(&moderator(MOD2), Command::Cast { choice: Choice::No });
    assert!(matches!(err, GovernanceError::VotingClosed { .. }), "{err}");
    let late = deadline + Duration::days(5);
    sim.at(late);
    let events = sim.close();
    let e = &events[0];
    assert_eq!(e.at, late, "the event records when it was processed");
    let EventKind::VoteClosed {
        as_of,
        tally,
        outcome,
        purpose,
    } = &e.kind
    else {
        panic!("{e:?}");
    };
    assert_eq!(*as_of, deadline);
    assert_eq!(*purpose, VotePurpose::Creation);
    assert_eq!((tally.yes, tally.no), (2, 0));
    assert_eq!(*outcome, Outcome::Approved);
    assert_eq!(sim.group.state, GroupState::Active);
    assert_eq!(sim.group.active_since, Some(deadline));
}

#[test]
fn rejected_creation_vote_ends_the_proposal_for_good() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.cast(MOD1, Choice::Yes);
    sim.cast(MOD2, Choice::No);
    sim.cast(MOD3, Choice::No);
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Rejected);
    assert_eq!(sim.group.ended_at, Some(deadline));
    sim.after(Duration::days(1));
    let err = sim.err(
        &moderator(MOD1),
        Command::CallVote {
            electorate: electorate(),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is rejected; it cannot be put to a vote"
    );
    let err = sim.err(
        &core(CORE),
        Command::Veto {
            reason: reason("x"),
        },
    );
    assert!(
        matches!(err, GovernanceError::NotAllowedInState { .. }),
        "{err}"
    );
}

#[test]
fn approved_wg_starts_tracking_its_first_item() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    assert_eq!(sim.group.items.len(), 1);
    assert_eq!(sim.group.items[0].item, WG_FIRST_ITEM);
    assert_eq!(sim.group.items[0].last_activity, activated);
}

// ---------------------------------------------------------------------------------------------
// Thresholds
// ---------------------------------------------------------------------------------------------

/// Runs a creation vote with `n` moderators under `threshold` with the given ballots.
fn vote_with(threshold: Threshold, n: u64, yes: u64, no: u64, abstain: u64) -> (Tally, Outcome) {
    assert!(yes + no + abstain <= n);
    let policy = Policy {
        threshold,
        ..Policy::default()
    };
    let mut sim = Sim::propose_with(wg_draft().validate().unwrap(), policy);
    let voters: Vec<MemberId> = (0..n).map(|i| MemberId(100 + i)).collect();
    sim.ok(
        &moderator(voters[0]),
        Command::CallVote {
            electorate: voters.iter().copied().collect(),
        },
    );
    let choices = std::iter::repeat_n(Choice::Yes, yes as usize)
        .chain(std::iter::repeat_n(Choice::No, no as usize))
        .chain(std::iter::repeat_n(Choice::Abstain, abstain as usize));
    for (voter, choice) in voters.iter().zip(choices) {
        sim.cast(*voter, choice);
    }
    let events = sim.close_at_deadline();
    let EventKind::VoteClosed { tally, outcome, .. } = only_event(&events).clone() else {
        panic!("{events:?}");
    };
    let want_state = match outcome {
        Outcome::Approved => GroupState::Active,
        Outcome::Rejected => GroupState::Rejected,
    };
    assert_eq!(sim.group.state, want_state);
    (tally, outcome)
}

#[test]
fn majority_of_electorate_default() {
    assert_eq!(Policy::default().threshold, Threshold::MajorityOfElectorate);
    let t = Threshold::MajorityOfElectorate;
    // (electorate, yes, no, abstain, outcome)
    let rows = [
        (5, 3, 0, 0, Outcome::Approved),
        (5, 3, 2, 0, Outcome::Approved),
        (5, 2, 0, 0, Outcome::Rejected), // more yes than no, but not half the electorate
        (4, 2, 0, 0, Outcome::Rejected), // exactly half is not more than half
        (4, 3, 1, 0, Outcome::Approved),
        (1, 1, 0, 0, Outcome::Approved),
        (1, 0, 0, 0, Outcome::Rejected),
    ];
    for (n, yes, no, abstain, want) in rows {
        let (tally, outcome) = vote_with(t, n, yes, no, abstain);
        assert_eq!(outcome, want, "{yes} yes, {no} no of {n}");
        assert_eq!(tally.electorate as u64, n);
    }
}

#[test]
fn ties_fail() {
    let (_, outcome) = vote_with(Threshold::MajorityOfElectorate, 4, 2, 2, 0);
    assert_eq!(outcome, Outcome::Rejected);
    let cast = Threshold::MajorityOfCast { quorum_percent: 50 };
    let (_, outcome) = vote_with(cast, 4, 2, 2, 0);
    assert_eq!(outcome, Outcome::Rejected);
    let (_, outcome) = vote_with(cast, 6, 2, 2, 2);
    assert_eq!(outcome, Outcome::Rejected);
}

#[test]
fn abstentions_are_recorded_but_do_not_approve() {
    let (tally, outcome) = vote_with(Threshold::MajorityOfElectorate, 3, 1, 0, 2);
    assert_eq!(tally.abstain, 2);
    assert_eq!(tally.cast(), 3);
    assert!(tally.not_voted.is_empty());
    assert_eq!(outcome, Outcome::Rejected);
    let (tally, outcome) = vote_with(Threshold::MajorityOfCast { quorum_percent: 50 }, 4, 0, 0, 4);
    assert_eq!(tally.abstain, 4);
    assert_eq!(outcome, Outcome::Rejected);
}

#[test]
fn majority_of_cast_with_quorum_option() {
    let cast = Threshold::MajorityOfCast { quorum_percent: 50 };
    // (electorate, yes, no, abstain, outcome)
    let rows = [
        (6, 2, 1, 0, Outcome::Approved), // 3 of 6 cast: quorum met, more yes than no
        (6, 2, 0, 0, Outcome::Rejected), // 2 of 6 cast: quorum not met
        (6, 1, 0, 2, Outcome::Approved), // abstentions count toward the quorum only
        (6, 1, 2, 0, Outcome::Rejected),
        (5, 2, 1, 0, Outcome::Approved), // 60% cast
    ];
    for (n, yes, no, abstain, want) in rows {
        let (_, outcome) = vote_with(cast, n, yes, no, abstain);
        assert_eq!(
            outcome, want,
            "{yes} yes, {no} no, {abstain} abstain of {n}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Policy is data, frozen per decision
// ---------------------------------------------------------------------------------------------

#[test]
fn policy_change_does_not_alter_running_vote() {
    let mut sim = Sim::wg(); // policy A: 72h, majority of the electorate
    let deadline = sim.call_vote();
    let b = Policy {
        vote_window: HumanDuration::hours(1),
        vote_reminders: vec![HumanDuration::seconds(1800)],
        threshold: Threshold::MajorityOfCast { quorum_percent: 50 },
        ..Policy::default()
    };
    assert!(b.problems().is_empty());

    // Two hours in: closed under B's 1h window, still open under A's.
    sim.at(t0() + Duration::hours(2));
    sim.try_with(
        &moderator(MOD1),
        &Command::Cast {
            choice: Choice::Yes,
        },
        &b,
    )
    .expect("the vote keeps A's 72h window");
    sim.try_with(
        &moderator(MOD2),
        &Command::Cast {
            choice: Choice::Abstain,
        },
        &b,
    )
    .unwrap();
    let err = sim
        .try_with(&system(), &Command::CloseVote, &b)
        .unwrap_err();
    assert_eq!(
        err,
        GovernanceError::VoteStillOpen {
            closes_at: deadline
        }
    );

    sim.at(deadline);
    let events = sim.try_with(&system(), &Command::CloseVote, &b).unwrap();
    let EventKind::VoteClosed { tally, outcome, .. } = only_event(&events) else {
        panic!("{events:?}");
    };
    // B's rule would approve 1 yes / 0 no with 2 of 3 cast; A's rule rejects 1 yes of 3.
    assert_eq!(tally.outcome(b.threshold), Outcome::Approved);
    assert_eq!(*outcome, Outcome::Rejected);
    assert_eq!(sim.group.state, GroupState::Rejected);
    for e in &sim.events {
        assert_eq!(e.policy.vote_window, HumanDuration::hours(72), "{e:?}");
        assert_eq!(e.policy.threshold, Threshold::MajorityOfElectorate, "{e:?}");
    }
}

#[test]
fn a_vote_takes_the_window_and_threshold_in_force_when_it_opens() {
    let mut sim = Sim::wg(); // proposed under the default policy
    let b = Policy {
        vote_window: HumanDuration::hours(48),
        threshold: Threshold::MajorityOfCast { quorum_percent: 50 },
        ..Policy::default()
    };
    sim.try_with(
        &moderator(MOD1),
        &Command::CallVote {
            electorate: electorate(),
        },
        &b,
    )
    .unwrap();
    assert_eq!(sim.vote().closes_at, t0() + Duration::hours(48));
    assert_eq!(sim.vote().rule.threshold, b.threshold);
}

#[test]
fn policy_is_frozen_into_proposal() {
    let sponsorship = Policy {
        approval: Approval::Sponsorship,
        ..Policy::default()
    };
    let moderator_vote = Policy::default();

    // Proposed under sponsorship; configuration later switches to moderator votes.
    let mut sim = Sim::propose_with(wg_draft().validate().unwrap(), sponsorship.clone());
    sim.policy = moderator_vote.clone();
    let err = sim.err(
        &moderator(MOD1),
        Command::CallVote {
            electorate: electorate(),
        },
    );
    assert!(
        matches!(err, GovernanceError::WrongApproval { .. }),
        "{err}"
    );
    sim.ok(&lead(LEAD), Command::Sponsor);
    assert_eq!(sim.group.state, GroupState::Active);
    assert_eq!(sim.group.policy, sponsorship);

    // Proposed under moderator votes; configuration later switches to sponsorship.
    let mut sim = Sim::propose_with(wg_draft().validate().unwrap(), moderator_vote);
    sim.policy = sponsorship;
    let err = sim.err(&lead(LEAD), Command::Sponsor);
    assert_eq!(
        err.to_string(),
        "this proposal is approved by a moderator vote (a moderator calls it), not by sponsorship"
    );
    sim.activate();
}

#[test]
fn sponsor_count_is_frozen_into_proposal() {
    let two_core = Policy {
        approval: Approval::Sponsorship,
        ..Policy::default()
    };
    let one_core = Policy {
        approval: Approval::Sponsorship,
        sponsorship: Sponsorship {
            core_maintainers: 1,
            lead_maintainers: 1,
        },
        ..Policy::default()
    };
    let mut sim = Sim::propose_with(wg_draft().validate().unwrap(), two_core);
    sim.policy = one_core;
    sim.ok(&core(CORE), Command::Sponsor);
    assert_eq!(sim.group.state, GroupState::Proposed);
}

#[test]
fn every_event_carries_actor_time_reason_and_policy() {
    let policy = Policy::default();
    let mut sim = Sim::wg();
    let proposal = &sim.events[0];
    assert_eq!(proposal.actor, member(ALICE));
    assert_eq!(proposal.at, t0());
    assert_eq!(proposal.policy, policy);
    assert_eq!(proposal.reason, None);

    // (offset in hours, actor, command, reason the event must carry)
    let steps: Vec<(i64, Actor, Command, Option<&str>)> = vec![
        (
            1,
            moderator(MOD1),
            Command::CallVote {
                electorate: electorate(),
            },
            None,
        ),
        (
            2,
            moderator(MOD1),
            Command::Cast {
                choice: Choice::Yes,
            },
            None,
        ),
        (
            3,
            moderator(MOD2),
            Command::Cast {
                choice: Choice::Yes,
            },
            None,
        ),
        (75, system(), Command::CloseVote, None),
        (76, system(), Command::LinkChannel { channel: 42 }, None),
        (
            77,
            member(ALICE),
            Command::PostStatus {
                text: "Drafted the API".into(),
            },
            None,
        ),
        (
            78,
            moderator(MOD2),
            Command::StartReversal {
                reason: "  It duplicates the Inspector WG  ".into(),
                electorate: electorate(),
            },
            Some("It duplicates the Inspector WG"),
        ),
        (
            79,
            core(CORE),
            Command::Veto {
                reason: "Out of scope".into(),
            },
            Some("Out of scope"),
        ),
        (
            80,
            lead(LEAD),
            Command::LiftVeto {
                reason: "Scope was clarified".into(),
            },
            Some("Scope was clarified"),
        ),
        (
            81,
            moderator(MOD3),
            Command::Retire {
                reason: "Merged into the Inspector WG".into(),
            },
            Some("Merged into the Inspector WG"),
        ),
    ];
    for (hours, actor, cmd, want_reason) in steps {
        let at = t0() + Duration::hours(hours);
        sim.at(at);
        let events = sim.ok(&actor, cmd.clone());
        assert!(!events.is_empty());
        for e in events {
            assert_eq!(e.at, at, "{cmd:?}");
            assert_eq!(e.actor, actor, "{cmd:?}");
            assert_eq!(e.reason.as_deref(), want_reason, "{cmd:?}");
            assert_eq!(e.policy, policy, "{cmd:?}: the policy in force is recorded");
        }
    }
    assert_eq!(sim.group.state, GroupState::Retired);
}

/// A vote opened under a new configuration records that configuration's window, threshold and
/// reminders together, never a mix the configuration check would refuse.
#[test]
fn a_vote_opened_under_a_new_config_records_a_valid_policy() {
    let mut sim = Sim::wg(); // proposed under the default: 72h window, a reminder 24h before
    let short = Policy {
        vote_window: HumanDuration::hours(1),
        vote_reminders: vec![HumanDuration::seconds(1800)],
        ..Policy::default()
    };
    assert!(short.problems().is_empty());
    let events = sim
        .try_with(
            &moderator(MOD1),
            &Command::CallVote {
                electorate: electorate(),
            },
            &short,
        )
        .unwrap();
    let recorded = &events[0].policy;
    assert_eq!(recorded.vote_window, HumanDuration::hours(1));
    assert!(
        recorded.problems().is_empty(),
        "the policy recorded with the vote is invalid: {:?} (reminders {:?} with a {} window)",
        recorded.problems(),
        recorded.vote_reminders,
        recorded.vote_window
    );
}

/// Once a veto stops a running vote and is lifted, later decisions record the proposal's policy,
/// not the abandoned vote's window and threshold.
#[test]
fn after_a_lifted_veto_events_record_the_proposal_policy() {
    let mut sim = Sim::wg();
    sim.activate();
    let reversal_config = Policy {
        vote_window: HumanDuration::hours(48),
        threshold: Threshold::MajorityOfCast { quorum_percent: 50 },
        ..Policy::default()
    };
    sim.after(Duration::days(1));
    sim.try_with(
        &moderator(MOD1),
        &Command::StartReversal {
            reason: reason("Duplicates another WG"),
            electorate: electorate(),
        },
        &reversal_config,
    )
    .unwrap();
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("Harmful"),
        },
    );
    sim.ok(
        &lead(LEAD),
        Command::LiftVeto {
            reason: reason("Not harmful"),
        },
    );
    assert_eq!(sim.group.state, GroupState::Active);
    assert!(sim.group.running_vote().is_none());
    let events = sim.ok(
        &member(ALICE),
        Command::PostStatus {
            text: "Still here".into(),
        },
    );
    assert_eq!(
        events[0].policy, sim.group.policy,
        "no vote runs, so the proposal's policy is in force"
    );
}

// ---------------------------------------------------------------------------------------------
// Sponsorship (the optional approval mechanism)
// ---------------------------------------------------------------------------------------------

fn sponsorship_sim() -> Sim {
    Sim::propose_with(
        wg_draft().validate().unwrap(),
        Policy {
            approval: Approval::Sponsorship,
            ..Policy::default()
        },
    )
}

#[test]
fn sponsorship_two_core_or_one_lead_approves() {
    // Two core maintainers.
    let mut sim = sponsorship_sim();
    let events = sim.ok(&core(CORE), Command::Sponsor);
    assert_eq!(
        only_event(&events),
        &EventKind::Sponsored {
            sponsor: CORE,
            role: Role::CoreMaintainer
        }
    );
    assert_eq!(sim.group.state, GroupState::Proposed);
    sim.after(Duration::hours(3));
    let events = sim.ok(&core(CORE2), Command::Sponsor);
    let kinds: Vec<_> = events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["sponsored", "approved"]);
    assert_eq!(sim.group.state, GroupState::Active);
    assert_eq!(sim.group.active_since, Some(t0() + Duration::hours(3)));

    // One lead maintainer.
    let mut sim = sponsorship_sim();
    let events = sim.ok(&lead(LEAD), Command::Sponsor);
    let kinds: Vec<_> = events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["sponsored", "approved"]);
    assert_eq!(sim.group.state, GroupState::Active);
}

#[test]
fn the_same_maintainer_cannot_sponsor_twice() {
    let mut sim = sponsorship_sim();
    sim.ok(&core(CORE), Command::Sponsor);
    let err = sim.err(&core(CORE), Command::Sponsor);
    assert_eq!(err.to_string(), "member 21 already sponsors this proposal");
    assert_eq!(sim.group.state, GroupState::Proposed);
}

#[test]
fn only_core_or_lead_maintainers_sponsor() {
    let mut sim = sponsorship_sim();
    for actor in [moderator(MOD1), member(ALICE), system()] {
        let err = sim.err(&actor, Command::Sponsor);
        assert_eq!(
            err.to_string(),
            "only core or lead maintainers can sponsor a group"
        );
    }
}

#[test]
fn call_vote_refused_under_sponsorship_policy() {
    let mut sim = sponsorship_sim();
    let err = sim.err(
        &moderator(MOD1),
        Command::CallVote {
            electorate: electorate(),
        },
    );
    assert_eq!(
        err.to_string(),
        "this proposal is approved by sponsorship (use /group sponsor), not by a moderator vote"
    );
    assert_eq!(sim.group.state, GroupState::Proposed);
}

// ---------------------------------------------------------------------------------------------
// Vetoes
// ---------------------------------------------------------------------------------------------

#[test]
fn core_maintainer_can_veto_under_vote() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.cast(MOD1, Choice::Yes);
    sim.after(Duration::hours(1));
    let events = sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("Duplicates the Inspector WG"),
        },
    );
    assert_eq!(
        only_event(&events),
        &EventKind::Vetoed {
            outcome: VetoOutcome::ProposalVetoed
        }
    );
    assert_eq!(sim.group.state, GroupState::Vetoed);
    let veto = sim.group.veto.as_ref().unwrap();
    assert_eq!(veto.by, CORE);
    assert_eq!(veto.reason, "Duplicates the Inspector WG");
    assert_eq!(veto.at, t0() + Duration::hours(1));

    // The vote it stopped takes no more ballots and never closes.
    let err = sim.err(
        &moderator(MOD2),
        Command::Cast {
            choice: Choice::Yes,
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is vetoed; it cannot be voted on"
    );
    sim.at(deadline);
    let err = sim.err(&system(), Command::CloseVote);
    assert!(
        matches!(err, GovernanceError::NotAllowedInState { .. }),
        "{err}"
    );
}

#[test]
fn core_maintainer_can_veto_under_review() {
    let mut sim = Sim::wg();
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("No"),
        },
    );
    assert_eq!(sim.group.state, GroupState::Vetoed);
}

#[test]
fn lead_maintainer_can_veto() {
    let mut sim = Sim::wg();
    sim.call_vote();
    sim.ok(
        &lead(LEAD),
        Command::Veto {
            reason: reason("No"),
        },
    );
    assert_eq!(sim.group.state, GroupState::Vetoed);
    assert_eq!(sim.group.veto.as_ref().unwrap().by, LEAD);
}

#[test]
fn moderator_cannot_veto() {
    let mut sim = Sim::wg();
    sim.call_vote();
    for actor in [moderator(MOD1), member(ALICE), member(BOB), system()] {
        let err = sim.err(
            &actor,
            Command::Veto {
                reason: reason("No"),
            },
        );
        assert_eq!(err.to_string(), "only core or lead maintainers can veto");
    }
    assert_eq!(sim.group.state, GroupState::UnderVote);
}

#[test]
fn veto_requires_a_reason() {
    let mut sim = Sim::wg();
    for empty in ["", "   ", "\n\t"] {
        let err = sim.err(
            &core(CORE),
            Command::Veto {
                reason: empty.into(),
            },
        );
        assert_eq!(
            err.to_string(),
            "a reason is required to veto; say why in a sentence"
        );
    }
    let err = sim.err(
        &core(CORE),
        Command::Veto {
            reason: "x".repeat(1001),
        },
    );
    assert_eq!(
        err.to_string(),
        "the reason is 1001 characters long; keep it to 1000 or fewer"
    );
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: "x".repeat(1000),
        },
    );
}

#[test]
fn veto_on_active_group_reverses_it() {
    let mut sim = Sim::wg();
    sim.activate();
    sim.ok(&system(), Command::LinkChannel { channel: 42 });
    sim.after(Duration::days(10));
    let vetoed_at = sim.now;
    let events = sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("Harmful"),
        },
    );
    assert_eq!(
        only_event(&events),
        &EventKind::Vetoed {
            outcome: VetoOutcome::GroupReversed
        }
    );
    assert_eq!(sim.group.state, GroupState::Reversed);
    assert_eq!(sim.group.ended_at, Some(vetoed_at));
    // Archived, never deleted: the channel and the history stay.
    assert_eq!(sim.group.channel, Some(42));
    assert!(sim
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::VoteClosed { .. })));
}

#[test]
fn veto_during_reversal_vote_reverses_the_group() {
    let mut sim = Sim::wg();
    sim.activate();
    sim.ok(
        &moderator(MOD1),
        Command::StartReversal {
            reason: reason("New information"),
            electorate: electorate(),
        },
    );
    sim.ok(
        &lead(LEAD),
        Command::Veto {
            reason: reason("Harmful"),
        },
    );
    assert_eq!(sim.group.state, GroupState::Reversed);
    assert_eq!(
        sim.group.veto.as_ref().unwrap().outcome,
        VetoOutcome::GroupReversed
    );
}

#[test]
fn only_lead_maintainer_lifts_veto() {
    let mut sim = Sim::wg();
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("No"),
        },
    );
    for actor in [
        core(CORE),
        core(CORE2),
        moderator(MOD1),
        member(ALICE),
        system(),
    ] {
        let err = sim.err(
            &actor,
            Command::LiftVeto {
                reason: reason("Yes"),
            },
        );
        assert_eq!(err.to_string(), "only lead maintainers can lift a veto");
    }
    assert_eq!(sim.group.state, GroupState::Vetoed);
}

#[test]
fn lifting_a_veto_requires_a_reason() {
    let mut sim = Sim::wg();
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("No"),
        },
    );
    let err = sim.err(&lead(LEAD), Command::LiftVeto { reason: " ".into() });
    assert_eq!(
        err.to_string(),
        "a reason is required to lift a veto; say why in a sentence"
    );
}

#[test]
fn lifting_veto_returns_proposal_to_review() {
    let mut sim = Sim::wg();
    sim.call_vote();
    sim.cast(MOD1, Choice::Yes);
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("No"),
        },
    );
    sim.after(Duration::days(5));
    let events = sim.ok(
        &lead(LEAD),
        Command::LiftVeto {
            reason: reason("Concern resolved"),
        },
    );
    assert_eq!(only_event(&events), &EventKind::VetoLifted);
    assert_eq!(events[0].reason.as_deref(), Some("Concern resolved"));
    assert_eq!(sim.group.state, GroupState::Proposed);
    assert_eq!(sim.group.veto, None);
    // Back under review: a moderator can call a fresh vote.
    let deadline = sim.call_vote();
    assert_eq!(deadline, sim.now + Duration::hours(72));
    assert!(sim.vote().ballots.is_empty());
}

#[test]
fn lifting_veto_on_reversed_group_restores_it() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    sim.ok(&system(), Command::LinkChannel { channel: 42 });
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("No"),
        },
    );
    sim.after(Duration::days(1));
    sim.ok(
        &lead(LEAD),
        Command::LiftVeto {
            reason: reason("Yes"),
        },
    );
    assert_eq!(sim.group.state, GroupState::Active);
    assert_eq!(sim.group.ended_at, None);
    assert_eq!(sim.group.veto, None);
    assert_eq!(sim.group.active_since, Some(activated));
    assert_eq!(sim.group.channel, Some(42));
    assert_eq!(sim.group.items.len(), 1);
}

#[test]
fn no_veto_to_lift_on_a_group_reversed_by_vote() {
    let mut sim = Sim::wg();
    sim.activate();
    sim.ok(
        &moderator(MOD1),
        Command::StartReversal {
            reason: reason("New information"),
            electorate: electorate(),
        },
    );
    for m in [MOD1, MOD2] {
        sim.cast(m, Choice::Yes);
    }
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Reversed);
    let err = sim.err(
        &lead(LEAD),
        Command::LiftVeto {
            reason: reason("Yes"),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is reversed; it cannot be released from a veto, as no veto stands"
    );
}

// ---------------------------------------------------------------------------------------------
// Reversal by vote
// ---------------------------------------------------------------------------------------------

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

#[test]
fn reversal_vote_approved_reverses_group() {
    let mut sim = Sim::wg();
    sim.activate();
    sim.ok(&system(), Command::LinkChannel { channel: 42 });
    sim.after(Duration::days(10));
    let opened = sim.now;
    let deadline = start_reversal(&mut sim);
    assert_eq!(sim.group.state, GroupState::UnderReversalVote);
    assert_eq!(sim.vote().purpose, VotePurpose::Reversal);
    assert_eq!(deadline, opened + Duration::hours(72));
    // The group keeps working while the reversal is voted on.
    sim.ok(
        &member(ALICE),
        Command::PostStatus {
            text: "Still shipping".into(),
        },
    );
    sim.cast(MOD1, Choice::Yes);
    sim.cast(MOD3, Choice::Yes);
    let events = sim.close_at_deadline();
    let EventKind::VoteClosed {
        purpose, outcome, ..
    } = only_event(&events)
    else {
        panic!("{events:?}");
    };
    assert_eq!(
        (*purpose, *outcome),
        (VotePurpose::Reversal, Outcome::Approved)
    );
    assert_eq!(sim.group.state, GroupState::Reversed);
    assert_eq!(sim.group.ended_at, Some(deadline));
    assert_eq!(sim.group.veto, None);
    assert_eq!(sim.group.channel, Some(42));
    // The creation decision stays in the history, followed by its reversal.
    let closes: Vec<_> = sim
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::VoteClosed { purpose, .. } => Some(*purpose),
            _ => None,
        })
        .collect();
    assert_eq!(closes, [VotePurpose::Creation, VotePurpose::Reversal]);
}

#[test]
fn reversal_vote_rejected_keeps_group_active() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    sim.after(Duration::days(10));
    start_reversal(&mut sim);
    sim.cast(MOD1, Choice::Yes);
    sim.cast(MOD2, Choice::No);
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Active);
    assert_eq!(sim.group.active_since, Some(activated));
    assert_eq!(sim.group.ended_at, None);
}

#[test]
fn only_moderators_start_a_reversal() {
    let mut sim = Sim::wg();
    sim.activate();
    for actor in [core(CORE), lead(LEAD), member(ALICE)] {
        let err = sim.err(
            &actor,
            Command::StartReversal {
                reason: reason("No"),
                electorate: electorate(),
            },
        );
        assert_eq!(
            err.to_string(),
            "only community moderators can start a reversal vote"
        );
    }
}

#[test]
fn reversal_requires_a_reason_and_an_active_group() {
    let mut sim = Sim::wg();
    let err = sim.err(
        &moderator(MOD1),
        Command::StartReversal {
            reason: reason("No"),
            electorate: electorate(),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is proposed; it cannot be put to a reversal vote"
    );
    sim.activate();
    let err = sim.err(
        &moderator(MOD1),
        Command::StartReversal {
            reason: "".into(),
            electorate: electorate(),
        },
    );
    assert_eq!(
        err.to_string(),
        "a reason is required to start a reversal vote; say why in a sentence"
    );
    let err = sim.err(
        &moderator(MOD1),
        Command::StartReversal {
            reason: reason("No"),
            electorate: BTreeSet::new(),
        },
    );
    assert_eq!(err, GovernanceError::EmptyElectorate);
}

// ---------------------------------------------------------------------------------------------
// Retirement by decision
// ---------------------------------------------------------------------------------------------

#[test]
fn moderators_core_and_lead_can_retire_ig_and_wg() {
    for make in [Sim::ig, Sim::wg] {
        for actor in [moderator(MOD1), core(CORE), lead(LEAD)] {
            let mut sim = make();
            sim.activate();
            sim.after(Duration::days(100));
            let events = sim.ok(
                &actor,
                Command::Retire {
                    reason: reason("No longer needed"),
                },
            );
            assert_eq!(
                only_event(&events),
                &EventKind::Retired {
                    cause: RetirementCause::Decision
                }
            );
            assert_eq!(events[0].reason.as_deref(), Some("No longer needed"));
            assert_eq!(sim.group.state, GroupState::Retired);
            assert_eq!(sim.group.ended_at, Some(sim.now));
        }
    }
}

#[test]
fn member_cannot_retire() {
    let mut sim = Sim::wg();
    sim.activate();
    // Not even the group's own facilitator, nor govbot outside the WG retirement rules.
    for actor in [member(BOB), member(ALICE), system()] {
        let err = sim.err(
            &actor,
            Command::Retire {
                reason: reason("Done"),
            },
        );
        assert_eq!(
            err.to_string(),
            "only community moderators, core or lead maintainers can retire a group"
        );
    }
    assert_eq!(sim.group.state, GroupState::Active);
}

#[test]
fn retiring_requires_a_reason_and_a_live_group() {
    let mut sim = Sim::wg();
    let err = sim.err(
        &moderator(MOD1),
        Command::Retire {
            reason: reason("x"),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is proposed; it cannot be retired"
    );
    sim.activate();
    let err = sim.err(&moderator(MOD1), Command::Retire { reason: "".into() });
    assert_eq!(
        err.to_string(),
        "a reason is required to retire a group; say why in a sentence"
    );
}

#[test]
fn retired_group_cannot_be_voted_on() {
    let mut sim = Sim::wg();
    sim.activate();
    sim.ok(
        &moderator(MOD1),
        Command::Retire {
            reason: reason("Done"),
        },
    );
    let err = sim.err(
        &moderator(MOD1),
        Command::Cast {
            choice: Choice::Yes,
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is retired; it cannot be voted on"
    );
    let err = sim.err(
        &moderator(MOD1),
        Command::CallVote {
            electorate: electorate(),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is retired; it cannot be put to a vote"
    );
    let err = sim.err(
        &moderator(MOD1),
        Command::StartReversal {
            reason: reason("x"),
            electorate: electorate(),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is retired; it cannot be put to a reversal vote"
    );
}

#[test]
fn a_group_under_reversal_vote_can_be_retired() {
    let mut sim = Sim::wg();
    sim.activate();
    start_reversal(&mut sim);
    sim.ok(
        &moderator(MOD1),
        Command::Retire {
            reason: reason("Done"),
        },
    );
    assert_eq!(sim.group.state, GroupState::Retired);
    sim.at(sim.vote().closes_at);
    let err = sim.err(&system(), Command::CloseVote);
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is retired; it cannot be closed as a vote"
    );
}

// ---------------------------------------------------------------------------------------------
// WG retirement candidacy
// ---------------------------------------------------------------------------------------------

fn flag(sim: &mut Sim) -> Result<Vec<Event>, GovernanceError> {
    sim.attempt(&system(), Command::FlagRetirementCandidate)
}

#[test]
fn wg_inactive_30_days_becomes_candidate() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    let due = activated + Duration::days(30);
    assert_eq!(wg_inactivity_deadline(&sim.group), Some(due));

    sim.at(due - Duration::seconds(1));
    assert_eq!(retirement_due(&sim.group, sim.now), None);
    let err = flag(&mut sim).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("retirement candidacy is not due until {}", when(due))
    );

    sim.at(due);
    let events = flag(&mut sim).unwrap();
    assert_eq!(
        only_event(&events),
        &EventKind::RetirementCandidate {
            cause: RetirementCause::Inactivity
        }
    );
    let candidacy = sim.group.candidacy.as_ref().unwrap();
    assert_eq!(candidacy.since, due);
    assert_eq!(
        sim.group.state,
        GroupState::Active,
        "a candidate is not retired yet"
    );
}

#[test]
fn item_activity_postpones_inactivity() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    sim.at(activated + Duration::days(20));
    let seen = activated + Duration::days(19);
    sim.ok(
        &system(),
        Command::RecordItemActivity {
            item: WG_FIRST_ITEM,
            seen_at: seen,
        },
    );
    sim.at(activated + Duration::days(30));
    assert!(flag(&mut sim).is_err());
    sim.at(seen + Duration::days(30));
    assert!(flag(&mut sim).is_ok());
}

#[test]
fn item_activity_in_the_future_is_refused() {
    let mut sim = Sim::wg();
    sim.activate();
    let future = sim.now + Duration::seconds(1);
    let err = sim.err(
        &system(),
        Command::RecordItemActivity {
            item: WG_FIRST_ITEM,
            seen_at: future,
        },
    );
    assert_eq!(
        err.to_string(),
        format!("the activity time {} is in the future", when(future))
    );
}

#[test]
fn only_govbot_flags_candidates() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    sim.at(activated + Duration::days(31));
    for actor in [moderator(MOD1), lead(LEAD)] {
        let err = sim.err(&actor, Command::FlagRetirementCandidate);
        assert_eq!(
            err.to_string(),
            "only govbot's scheduler can flag a retirement candidate"
        );
    }
}

#[test]
fn wg_with_all_items_completed_becomes_candidate() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    sim.at(activated + Duration::days(1));
    sim.ok(
        &member(ALICE),
        Command::TrackItem {
            item: ItemRef::Sep(99),
        },
    );
    sim.ok(
        &member(ALICE),
        Command::CompleteItem {
            item: WG_FIRST_ITEM,
            reason: CloseReason::ByHand,
        },
    );
    assert!(flag(&mut sim).is_err(), "one item is still open");
    sim.after(Duration::hours(1));
    sim.ok(
        &member(ALICE),
        Command::CompleteItem {
            item: ItemRef::Sep(99),
            reason: CloseReason::ByHand,
        },
    );
    let events = flag(&mut sim).unwrap();
    assert_eq!(
        only_event(&events),
        &EventKind::RetirementCandidate {
            cause: RetirementCause::AllItemsCompleted
        }
    );
    let err = sim.err(
        &member(ALICE),
        Command::CompleteItem {
            item: ItemRef::Sep(99),
            reason: CloseReason::ByHand,
        },
    );
    assert_eq!(err.to_string(), "SEP-99 is already completed");
    // Reopening an item means work resumed.
    sim.ok(
        &member(ALICE),
        Command::ReopenItem {
            item: ItemRef::Sep(99),
        },
    );
    assert_eq!(sim.group.candidacy, None);
}

#[test]
fn maintenance_wg_is_exempt_from_inactivity() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    sim.ok(&moderator(MOD1), Command::SetMaintenance { on: true });
    sim.at(activated + Duration::days(365));
    assert_eq!(wg_inactivity_deadline(&sim.group), None);
    assert_eq!(retirement_due(&sim.group, sim.now), None);
    assert!(flag(&mut sim).is_err());
    assert_eq!(sim.group.candidacy, None);
    // Once the project is no longer maintained, the inactivity rule applies again.
    sim.ok(&moderator(MOD1), Command::SetMaintenance { on: false });
    let events = flag(&mut sim).unwrap();
    assert_eq!(
        only_event(&events),
        &EventKind::RetirementCandidate {
            cause: RetirementCause::Inactivity
        }
    );
}

#[test]
fn only_moderators_core_and_lead_mark_maintenance() {
    let mut sim = Sim::wg();
    sim.activate();
    let err = sim.err(&member(ALICE), Command::SetMaintenance { on: true });
    assert_eq!(
        err.to_string(),
        "only community moderators, core or lead maintainers can mark a WG as maintaining a project"
    );
}

#[test]
fn ig_is_never_flagged_for_retirement() {
    let mut sim = Sim::ig();
    let activated = sim.activate();
    sim.at(activated + Duration::days(365));
    assert_eq!(wg_inactivity_deadline(&sim.group), None);
    assert_eq!(retirement_due(&sim.group, sim.now), None);
    let err = flag(&mut sim).unwrap_err();
    assert_eq!(
        err.to_string(),
        "IG 'Security in MCP' has no tracked items or maintenance flag; those belong to WGs"
    );
    assert_eq!(sim.group.state, GroupState::Active);
    assert_eq!(sim.group.candidacy, None);
    // Only a human decision retires it.
    sim.ok(
        &moderator(MOD1),
        Command::Retire {
            reason: reason("Quiet for a year"),
        },
    );
    assert_eq!(sim.group.state, GroupState::Retired);
}

#[test]
fn ig_activity_quiet_after_30_days_is_information_only() {
    let mut sim = Sim::ig();
    let activated = sim.activate();
    let before = sim.group.clone();

    // No activity at all: counted from activation.
    let report = ig_activity(
        &sim.group,
        None,
        None,
        activated + Duration::days(30) - Duration::seconds(1),
    );
    assert_eq!(
        report,
        IgActivity {
            last_activity: None,
            quiet: false
        }
    );
    let report = ig_activity(&sim.group, None, None, activated + Duration::days(30));
    assert!(report.quiet);

    // The later of the last conversation and the last meeting counts.
    let talk = activated + Duration::days(10);
    let meeting = activated + Duration::days(12);
    let report = ig_activity(
        &sim.group,
        Some(talk),
        Some(meeting),
        meeting + Duration::days(29),
    );
    assert_eq!(
        report,
        IgActivity {
            last_activity: Some(meeting),
            quiet: false
        }
    );
    let report = ig_activity(
        &sim.group,
        Some(talk),
        Some(meeting),
        meeting + Duration::days(30),
    );
    assert_eq!(
        report,
        IgActivity {
            last_activity: Some(meeting),
            quiet: true
        }
    );

    // Information only: the group is untouched, and a quiet IG is not a retirement candidate.
    assert_eq!(sim.group, before);
    sim.at(meeting + Duration::days(60));
    assert!(flag(&mut sim).is_err());
    assert_eq!(sim.group.state, GroupState::Active);
}

#[test]
fn activity_resumed_clears_candidacy() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    let flagged = activated + Duration::days(30);
    sim.at(flagged);
    flag(&mut sim).unwrap();
    sim.after(Duration::days(2));
    let seen = sim.now - Duration::hours(1);
    sim.ok(
        &system(),
        Command::RecordItemActivity {
            item: WG_FIRST_ITEM,
            seen_at: seen,
        },
    );
    assert_eq!(sim.group.candidacy, None);
    sim.at(flagged + Duration::days(7));
    let err = sim.err(&system(), Command::RetireCandidate);
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is not a retirement candidate; nothing to retire"
    );
    sim.at(seen + Duration::days(30) - Duration::seconds(1));
    assert!(flag(&mut sim).is_err());
    sim.at(seen + Duration::days(30));
    assert!(flag(&mut sim).is_ok());
}

/// An activity report that carries nothing new (the item's activity time is already known) does
/// not clear the candidacy, so a poller repeating an old timestamp cannot postpone retirement.
#[test]
fn stale_item_activity_does_not_clear_candidacy() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    let flagged = activated + Duration::days(30);
    sim.at(flagged);
    flag(&mut sim).unwrap();
    sim.after(Duration::days(1));
    // The same timestamp the WG already has for its item: no activity resumed.
    assert_eq!(sim.group.items[0].last_activity, activated);
    let _ = sim.attempt(
        &system(),
        Command::RecordItemActivity {
            item: WG_FIRST_ITEM,
            seen_at: activated,
        },
    );
    assert_eq!(sim.group.items[0].last_activity, activated);
    sim.at(flagged + Duration::days(7));
    let retired = sim.attempt(&system(), Command::RetireCandidate);
    assert!(
        retired.is_ok(),
        "a candidate with no new activity is retired at the end of its grace period, got {retired:?}"
    );
}

#[test]
fn moderator_keeps_candidate_with_reason() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    sim.at(activated + Duration::days(30));
    let err = sim.err(
        &moderator(MOD1),
        Command::Keep {
            reason: reason("Needed"),
        },
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is not a retirement candidate; nothing to keep"
    );
    flag(&mut sim).unwrap();
    sim.after(Duration::days(3));
    let err = sim.err(
        &core(CORE),
        Command::Keep {
            reason: reason("Needed"),
        },
    );
    assert_eq!(
        err.to_string(),
        "only community moderators can keep a retirement candidate"
    );
    let err = sim.err(&moderator(MOD1), Command::Keep { reason: "".into() });
    assert_eq!(
        err.to_string(),
        "a reason is required to keep a group; say why in a sentence"
    );
    let kept_at = sim.now;
    let events = sim.ok(
        &moderator(MOD1),
        Command::Keep {
            reason: reason("The spec release needs it"),
        },
    );
    assert_eq!(only_event(&events), &EventKind::Kept);
    assert_eq!(
        events[0].reason.as_deref(),
        Some("The spec release needs it")
    );
    assert_eq!(sim.group.candidacy, None);
    assert_eq!(sim.group.kept_at, Some(kept_at));

    // Kept: not retired at the end of the old grace period, and the inactivity clock restarts.
    sim.at(activated + Duration::days(37));
    assert!(sim.attempt(&system(), Command::RetireCandidate).is_err());
    assert_eq!(
        wg_inactivity_deadline(&sim.group),
        Some(kept_at + Duration::days(30))
    );
    sim.at(kept_at + Duration::days(30) - Duration::seconds(1));
    assert!(flag(&mut sim).is_err());
    sim.at(kept_at + Duration::days(30));
    assert!(flag(&mut sim).is_ok());
}

#[test]
fn candidate_retired_after_grace_period() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    let flagged = activated + Duration::days(30);
    sim.at(flagged);
    flag(&mut sim).unwrap();
    let due = flagged + Duration::days(7);

    sim.at(due - Duration::seconds(1));
    let err = sim.err(&system(), Command::RetireCandidate);
    assert_eq!(
        err.to_string(),
        format!(
            "retirement at the end of the grace period is not due until {}",
            when(due)
        )
    );
    let err = sim.err(&moderator(MOD1), Command::RetireCandidate);
    assert!(matches!(err, GovernanceError::Forbidden { .. }), "{err}");

    sim.at(due);
    let events = sim.ok(&system(), Command::RetireCandidate);
    assert_eq!(
        only_event(&events),
        &EventKind::Retired {
            cause: RetirementCause::Inactivity
        }
    );
    assert_eq!(sim.group.state, GroupState::Retired);
    assert_eq!(sim.group.candidacy, None);
    assert_eq!(sim.group.ended_at, Some(due));
}

// ---------------------------------------------------------------------------------------------
// Facilitators, maintainers, status
// ---------------------------------------------------------------------------------------------

#[test]
fn group_keeps_at_least_one_facilitator() {
    let mut sim = Sim::wg();
    sim.activate();
    let err = sim.err(
        &moderator(MOD1),
        Command::RemoveFacilitator { member: ALICE },
    );
    assert_eq!(
        err.to_string(),
        "member 1 is the group's only facilitator; add another facilitator first"
    );
    sim.ok(&moderator(MOD1), Command::AddFacilitator { member: BOB });
    let err = sim.err(&moderator(MOD1), Command::AddFacilitator { member: BOB });
    assert_eq!(
        err.to_string(),
        "member 2 is already a facilitator of this group"
    );
    sim.ok(&lead(LEAD), Command::RemoveFacilitator { member: ALICE });
    assert_eq!(sim.group.facilitators, vec![BOB]);
    let err = sim.err(&core(CORE), Command::RemoveFacilitator { member: BOB });
    assert!(
        matches!(err, GovernanceError::LastFacilitator { .. }),
        "{err}"
    );
}

#[test]
fn only_moderators_core_and_lead_change_facilitators_and_maintainers() {
    let mut sim = Sim::wg();
    sim.activate();
    for actor in [member(ALICE), member(BOB), system()] {
        let err = sim.err(&actor, Command::AddFacilitator { member: BOB });
        assert_eq!(
            err.to_string(),
            "only community moderators, core or lead maintainers can change a group's facilitators or maintainers"
        );
    }
}

#[test]
fn facilitators_change_only_on_a_live_group() {
    let mut sim = Sim::wg();
    let err = sim.err(&moderator(MOD1), Command::AddFacilitator { member: BOB });
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is proposed; it cannot be changed"
    );
}

#[test]
fn maintainer_must_be_in_steering_group() {
    let mut sim = Sim::wg();
    sim.activate();
    let err = sim.err(
        &moderator(MOD1),
        Command::AddMaintainer {
            member: BOB,
            in_steering_group: false,
        },
    );
    assert_eq!(
        err.to_string(),
        "member 2 does not hold the steering group role; a maintainer must be a steering group member"
    );
    sim.ok(
        &moderator(MOD1),
        Command::AddMaintainer {
            member: STEER,
            in_steering_group: true,
        },
    );
    assert_eq!(sim.group.maintainers, vec![STEER]);
    // Maintainers are optional: the last one can go.
    sim.ok(
        &moderator(MOD1),
        Command::RemoveMaintainer { member: STEER },
    );
    assert!(sim.group.maintainers.is_empty());
    let err = sim.err(
        &moderator(MOD1),
        Command::RemoveMaintainer { member: STEER },
    );
    assert_eq!(
        err.to_string(),
        "member 41 is not a maintainer of this group"
    );
}

#[test]
fn status_posted_only_by_facilitators_and_maintainers() {
    let mut sim = Sim::wg();
    sim.activate();
    sim.ok(
        &moderator(MOD1),
        Command::AddMaintainer {
            member: STEER,
            in_steering_group: true,
        },
    );
    sim.after(Duration::days(1));
    sim.ok(
        &member(ALICE),
        Command::PostStatus {
            text: "  SEP-1234 is in review  ".into(),
        },
    );
    assert_eq!(
        sim.group.last_status,
        Some((sim.now, "SEP-1234 is in review".to_string()))
    );
    sim.ok(
        &member(STEER),
        Command::PostStatus {
            text: "Reference server merged".into(),
        },
    );
    for actor in [moderator(MOD1), lead(LEAD), member(BOB), system()] {
        let err = sim.err(
            &actor,
            Command::PostStatus {
                text: "Hello".into(),
            },
        );
        assert_eq!(
            err.to_string(),
            "only the group's facilitators and maintainers can post the group's status"
        );
    }
    let err = sim.err(
        &member(ALICE),
        Command::PostStatus {
            text: " \n ".into(),
        },
    );
    assert_eq!(
        err.to_string(),
        "the status update is empty; write what the group has done"
    );
}

#[test]
fn too_long_status_message_names_the_status() {
    let mut sim = Sim::wg();
    sim.activate();
    let err = sim.err(
        &member(ALICE),
        Command::PostStatus {
            text: "x".repeat(1001),
        },
    );
    assert!(
        matches!(
            err,
            GovernanceError::TooLong {
                chars: 1001,
                max: 1000,
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.contains("status") && !text.contains("reason"),
        "a person posting a status reads: {text:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Creation templates
// ---------------------------------------------------------------------------------------------

#[test]
fn ig_template_happy_path() {
    let t = ig_draft().maintainer(STEER).validate().unwrap();
    assert_eq!(t.kind(), GroupKind::Ig);
    assert_eq!(t.name, "Security in MCP");
    assert_eq!(t.facilitators, vec![ALICE]);
    assert_eq!(t.maintainers, vec![STEER]);
    assert_eq!(
        t.details,
        Details::Ig {
            similar_groups: "Auth in MCP".into(),
            differentiation: "Threat models and hardening, not login flows".into(),
            first_topic: "Prompt injection through tool output".into(),
        }
    );
}

#[test]
fn wg_template_happy_path() {
    let t = wg_draft().validate().unwrap();
    assert_eq!(t.kind(), GroupKind::Wg);
    assert_eq!(t.name, "Registry");
    assert!(t.maintainers.is_empty(), "maintainers are optional");
    assert_eq!(
        t.details,
        Details::Wg {
            use_cases: "A public registry of MCP servers".into(),
            first_item: ItemRef::Sep(1234),
            more_items: Vec::new(),
            first_item_text: "SEP-1234: Registry API".into(),
        }
    );
}

/// Removes one field from a complete draft.
fn without(mut draft: TemplateDraft, field: Field) -> TemplateDraft {
    match field {
        Field::Name => draft.name = None,
        Field::Facilitators => draft.facilitators.clear(),
        Field::Maintainers => draft.maintainers.clear(),
        other => {
            draft.texts.remove(&other);
        }
    }
    draft
}

#[test]
fn each_missing_field_is_named() {
    for (draft, kind_name) in [
        (ig_draft(), "Interest Group"),
        (wg_draft(), "Working Group"),
    ] {
        for field in draft.kind.fields() {
            if *field == Field::Maintainers {
                assert!(without(draft.clone(), *field).validate().is_ok());
                continue;
            }
            let incomplete = without(draft.clone(), *field);
            let problems = problems_of(&incomplete);
            assert_eq!(problems.len(), 1, "{field:?}: {problems:?}");
            assert_eq!(problems[0].0, *field);
            assert!(problems[0].1.starts_with("is missing"), "{problems:?}");
            let text = refusal_text(&incomplete);
            assert!(
                text.starts_with(&format!("the {kind_name} template has 1 problem:")),
                "{text}"
            );
            assert!(
                text.contains(&format!("- {} is missing", field.label())),
                "{text}"
            );
        }
    }
}

#[test]
fn a_blank_field_counts_as_missing() {
    let draft = ig_draft().field(Field::FirstTopic, "  \n\t ").name("   ");
    let problems = problems_of(&draft);
    let fields: Vec<_> = problems.iter().map(|p| p.0).collect();
    assert_eq!(fields, [Field::Name, Field::FirstTopic], "{problems:?}");
    let text = refusal_text(&draft);
    assert!(
        text.contains("- First topic to discuss within the IG is missing"),
        "{text}"
    );
}

#[test]
fn all_problems_reported_at_once() {
    let text = refusal_text(&TemplateDraft::new(GroupKind::Ig));
    assert_eq!(
        text,
        "the Interest Group template has 5 problems:\n\
         - Name is missing\n\
         - Facilitator(s) is missing; mention at least one person, e.g. @alice\n\
         - IGs with potentially similar goals/discussions is missing\n\
         - How this IG differentiates itself from the related IGs is missing\n\
         - First topic to discuss within the IG is missing"
    );
    let text = refusal_text(&TemplateDraft::new(GroupKind::Wg));
    assert_eq!(
        text,
        "the Working Group template has 4 problems:\n\
         - Name is missing\n\
         - Facilitator(s) is missing; mention at least one person, e.g. @alice\n\
         - Explanation of interest/use cases is missing\n\
         - First Issue/PR/SEP that the WG will work on is missing"
    );
    // Problems of different kinds in one draft are reported together too.
    let draft = wg_draft()
        .name("x".repeat(81))
        .facilitator(ALICE)
        .field(Field::FirstItem, "soon")
        .field(Field::FirstTopic, "not a WG field");
    let fields: Vec<_> = problems_of(&draft).into_iter().map(|p| p.0).collect();
    assert_eq!(
        fields,
        [
            Field::Name,
            Field::Facilitators,
            Field::FirstTopic,
            Field::FirstItem
        ]
    );
}

#[test]
fn no_facilitator_refused() {
    let mut draft = wg_draft();
    draft.facilitators.clear();
    let draft = draft.maintainer(STEER);
    assert_eq!(
        problems_of(&draft),
        [(
            Field::Facilitators,
            "is missing; mention at least one person, e.g. @alice".to_string()
        )]
    );
}

#[test]
fn too_many_facilitators_refused() {
    let mut draft = wg_draft();
    draft.facilitators = (100..111).map(MemberId).collect();
    let text = refusal_text(&draft);
    assert!(
        text.contains("- Facilitator(s) lists 11 people; name at most 10"),
        "{text}"
    );
    draft.facilitators.pop();
    assert!(draft.validate().is_ok());
}

#[test]
fn too_long_name_refused() {
    let text = refusal_text(&wg_draft().name("n".repeat(81)));
    assert!(
        text.contains("- Name is 81 characters long; keep it to 80 or fewer"),
        "{text}"
    );
    assert!(wg_draft().name("n".repeat(80)).validate().is_ok());
    // Characters, not bytes: 80 accented letters are 160 bytes.
    assert!(wg_draft().name("é".repeat(80)).validate().is_ok());
}

#[test]
fn too_short_or_symbol_only_name_refused() {
    let text = refusal_text(&wg_draft().name("R"));
    assert!(
        text.contains("- Name is too short; use at least 2 characters"),
        "{text}"
    );
    let text = refusal_text(&wg_draft().name("!!!"));
    assert!(
        text.contains("- Name needs at least one letter or digit"),
        "{text}"
    );
}

#[test]
fn name_whitespace_is_normalized() {
    let t = wg_draft()
        .name("  Tool \n  Filtering  ")
        .validate()
        .unwrap();
    assert_eq!(t.name, "Tool Filtering");
}

#[test]
fn too_long_text_refused() {
    let text = refusal_text(&ig_draft().field(Field::Differentiation, "d".repeat(1025)));
    assert!(
        text.contains(
            "- How this IG differentiates itself from the related IGs is 1025 characters long; \
             keep it to 1024 or fewer (link to a document for more)"
        ),
        "{text}"
    );
    assert!(ig_draft()
        .field(Field::Differentiation, "d".repeat(1024))
        .validate()
        .is_ok());
}

/// 10 KB of deterministic garbage: every kind of character, control characters included.
fn garbage() -> String {
    let s: String = (0u32..20_000)
        .filter_map(|i| char::from_u32(i.wrapping_mul(2_654_435_761) % 0x11_0000))
        .take(10 * 1024)
        .collect();
    assert_eq!(s.chars().count(), 10 * 1024);
    s
}

#[test]
fn ten_kb_of_garbage_in_a_field_is_refused_briefly() {
    for field in [Field::FirstTopic, Field::SimilarGroups] {
        let draft = ig_draft().field(field, garbage());
        let problems = problems_of(&draft);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, field);
        let text = refusal_text(&draft);
        assert!(text.contains(field.label()), "{text}");
        assert!(text.contains("characters long"), "{text}");
        assert!(text.len() < 400, "the refusal must not echo the garbage");
    }
    let draft = ig_draft().name(garbage());
    let text = refusal_text(&draft);
    assert!(text.contains("- Name "), "{text}");
    assert!(text.len() < 400, "the refusal must not echo the garbage");
}

#[test]
fn control_characters_in_a_text_are_refused_but_newlines_are_fine() {
    let text = refusal_text(&ig_draft().field(Field::FirstTopic, "Topic\u{0007} bell"));
    assert!(
        text.contains(
            "- First topic to discuss within the IG contains invisible or control characters; type it as plain text"
        ),
        "{text}"
    );
    assert!(ig_draft()
        .field(Field::FirstTopic, "Line one\nLine two\twith a tab")
        .validate()
        .is_ok());
}

#[test]
fn zero_width_space_in_name_refused() {
    let text = refusal_text(&wg_draft().name("Reg\u{200B}istry"));
    assert!(
        text.contains("- Name contains invisible or control characters; type it as plain text"),
        "{text}"
    );
}

#[test]
fn rtl_override_in_name_refused() {
    for name in ["\u{202E}yrtsigeR", "Registry\u{2066}", "\u{FEFF}Registry"] {
        let problems = problems_of(&wg_draft().name(name));
        assert_eq!(problems.len(), 1, "{name:?}");
        assert_eq!(problems[0].0, Field::Name);
        assert!(problems[0].1.contains("invisible or control characters"));
    }
}

#[test]
fn ordinary_non_ascii_name_accepted() {
    let t = ig_draft().name("Sécurité 安全").validate().unwrap();
    assert_eq!(t.name, "Sécurité 安全");
    let t = ig_draft().name("MCP für Ärzte — Ω").validate().unwrap();
    assert_eq!(t.name, "MCP für Ärzte — Ω");
}

#[test]
fn duplicate_facilitator_refused() {
    let text = refusal_text(&wg_draft().facilitator(ALICE));
    assert_eq!(
        text,
        "the Working Group template has 1 problem:\n- Facilitator(s) lists member 1 twice"
    );
}

#[test]
fn duplicate_maintainer_refused() {
    let text = refusal_text(&wg_draft().maintainer(STEER).maintainer(STEER));
    assert!(
        text.contains("- Maintainer(s) (optional) lists member 41 twice"),
        "{text}"
    );
}

#[test]
fn person_both_facilitator_and_maintainer_refused() {
    let text = refusal_text(&wg_draft().maintainer(ALICE));
    assert_eq!(
        text,
        "the Working Group template has 1 problem:\n\
         - Maintainer(s) (optional) member 1 is listed as both facilitator and maintainer; keep one"
    );
}

#[test]
fn a_field_of_the_other_template_is_refused() {
    let text = refusal_text(&wg_draft().field(Field::FirstTopic, "Tasks"));
    assert!(
        text.contains(
            "- First topic to discuss within the IG is not part of the Working Group template"
        ),
        "{text}"
    );
    let text = refusal_text(&ig_draft().field(Field::FirstItem, "SEP-1"));
    assert!(
        text.contains("- First Issue/PR/SEP that the WG will work on is not part of the Interest Group template"),
        "{text}"
    );
}

#[test]
fn wg_first_item_must_name_a_url_or_sep() {
    let accepted = [
        ("SEP-1686: Tasks", ItemRef::Sep(1686)),
        ("sep-12", ItemRef::Sep(12)),
        (
            "https://github.com/modelcontextprotocol/registry/issues/12",
            ItemRef::Url("https://github.com/modelcontextprotocol/registry/issues/12".into()),
        ),
        (
            "Tracked in <https://github.com/org/repo/pull/3>.",
            ItemRef::Url("https://github.com/org/repo/pull/3".into()),
        ),
    ];
    for (text, want) in accepted {
        let t = wg_draft().field(Field::FirstItem, text).validate().unwrap();
        let Details::Wg {
            first_item,
            first_item_text,
            ..
        } = t.details
        else {
            panic!("a WG template");
        };
        assert_eq!(first_item, want, "{text}");
        assert_eq!(first_item_text, text.trim());
    }
    for text in [
        "we will write a SEP",
        "SEP-x",
        "ftp://example.com/spec",
        "https://",
    ] {
        let refusal = refusal_text(&wg_draft().field(Field::FirstItem, text));
        assert!(
            refusal.contains(
                "- First Issue/PR/SEP that the WG will work on names no Issue, PR or SEP; \
                 give its URL (https://github.com/…/issues/12), write SEP-123, or \
                 `manual: <link>` for something govbot cannot read"
            ),
            "{text}: {refusal}"
        );
    }
}

#[test]
fn template_errors_reach_people_through_the_governance_error() {
    let e = TemplateDraft::new(GroupKind::Wg).validate().unwrap_err();
    let wrapped = GovernanceError::from(e.clone());
    assert_eq!(wrapped.to_string(), e.to_string());
    assert!(wrapped.to_string().contains("Name is missing"));
}

// ---------------------------------------------------------------------------------------------
// Vote reminders, and what the scheduler asks the core (`due_command`, `next_deadline`)
// ---------------------------------------------------------------------------------------------

const H12: HumanDuration = HumanDuration::hours(12);
const H24: HumanDuration = HumanDuration::hours(24);
const H48: HumanDuration = HumanDuration::hours(48);

/// A WG proposed under the default policy (72h window) with these vote reminders.
fn sim_with_reminders(reminders: Vec<HumanDuration>) -> Sim {
    let policy = Policy {
        vote_reminders: reminders,
        ..Policy::default()
    };
    assert!(policy.problems().is_empty(), "{:?}", policy.problems());
    Sim::propose_with(wg_draft().validate().unwrap(), policy)
}

fn remind(sim: &mut Sim) -> Result<Vec<Event>, GovernanceError> {
    sim.attempt(&system(), Command::RemindVoters)
}

fn reminder(before: &[HumanDuration], not_voted: &[MemberId]) -> EventKind {
    EventKind::VoteReminder {
        before: before.to_vec(),
        not_voted: not_voted.to_vec(),
    }
}

fn reminder_events(sim: &Sim) -> Vec<&EventKind> {
    sim.events
        .iter()
        .map(|e| &e.kind)
        .filter(|k| matches!(k, EventKind::VoteReminder { .. }))
        .collect()
}

const NOTHING: [HumanDuration; 0] = [];

#[test]
fn vote_reminder_is_due_at_exactly_24h_before_the_close() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    let point = deadline - Duration::hours(24);
    assert_eq!(point, t0() + Duration::hours(48));
    assert_eq!(sim.vote().rule.reminders, [H24]);
    assert_eq!(sim.vote().pending_reminders(), [(H24, point)]);

    sim.at(point - Duration::seconds(1));
    assert_eq!(sim.vote().due_reminders(sim.now), NOTHING);
    assert_eq!(due_command(&sim.group, sim.now), None);
    let err = remind(&mut sim).unwrap_err();
    assert_eq!(
        err,
        GovernanceError::NotDue {
            what: "a vote reminder",
            due: point
        }
    );
    assert_eq!(
        err.to_string(),
        format!("a vote reminder is not due until {}", when(point))
    );

    sim.at(point);
    assert_eq!(sim.vote().due_reminders(sim.now), [H24]);
    assert_eq!(
        due_command(&sim.group, sim.now),
        Some(Command::RemindVoters)
    );
    let events = remind(&mut sim).unwrap();
    assert_eq!(only_event(&events), &reminder(&[H24], &[MOD1, MOD2, MOD3]));
    assert_eq!(events[0].at, point);
    assert_eq!(events[0].actor, Actor::System);
    assert_eq!(events[0].reason, None);
    assert_eq!(events[0].policy.vote_reminders, [H24]);
    assert_eq!(events[0].kind.name(), "vote_reminder");
    assert_eq!(
        events[0].kind.to_string(),
        "reminded 3 moderator(s) who had not voted"
    );
    assert_eq!(sim.vote().reminded, [H24]);
    assert_eq!(sim.vote().pending_reminders(), []);
    assert_eq!(
        sim.group.state,
        GroupState::UnderVote,
        "a reminder decides nothing"
    );
    assert_eq!(sim.vote().closes_at, deadline);
}

#[test]
fn vote_reminder_names_only_members_without_a_standing_ballot() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.cast(MOD1, Choice::Abstain);
    sim.cast(MOD2, Choice::No);
    sim.after(Duration::hours(1));
    sim.ok(&moderator(MOD2), Command::WithdrawBallot);
    // A moderator appointed after the vote opened is not in its electorate: never reminded.
    let err = sim.err(
        &moderator(LATE_MOD),
        Command::Cast {
            choice: Choice::Yes,
        },
    );
    assert!(
        matches!(err, GovernanceError::NotInElectorate { .. }),
        "{err}"
    );

    sim.at(deadline - Duration::hours(24));
    let tally_before = sim.tally();
    let events = remind(&mut sim).unwrap();
    assert_eq!(
        only_event(&events),
        &reminder(&[H24], &[MOD2, MOD3]),
        "MOD1 abstained (a standing ballot); MOD2 withdrew theirs; MOD3 never voted"
    );
    assert_eq!(
        events[0].kind.to_string(),
        "reminded 2 moderator(s) who had not voted"
    );
    assert_eq!(sim.tally(), tally_before, "a reminder changes no ballot");
    assert_eq!(sim.vote().ballots.len(), 3);

    // Everyone voted before the point: the reminder is still sent once, naming nobody.
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    for m in [MOD1, MOD2, MOD3] {
        sim.cast(m, Choice::Yes);
    }
    sim.at(deadline - Duration::hours(24));
    let events = remind(&mut sim).unwrap();
    assert_eq!(only_event(&events), &reminder(&[H24], &[]));
}

#[test]
fn a_vote_reminder_point_is_reminded_only_once() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    let point = deadline - Duration::hours(24);
    sim.at(point);
    remind(&mut sim).unwrap();

    let err = remind(&mut sim).unwrap_err();
    assert!(
        matches!(
            err,
            GovernanceError::NotDue {
                what: "a vote reminder",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(due_command(&sim.group, point), None);

    sim.at(deadline - Duration::seconds(1));
    assert_eq!(due_command(&sim.group, sim.now), None);
    let err = remind(&mut sim).unwrap_err();
    assert!(
        matches!(
            err,
            GovernanceError::NotDue {
                what: "a vote reminder",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(sim.vote().reminded, [H24]);
    assert_eq!(reminder_events(&sim).len(), 1);
}

#[test]
fn after_downtime_one_reminder_covers_every_missed_point() {
    let mut sim = sim_with_reminders(vec![H48, H24]);
    let deadline = sim.call_vote();
    let (first, second) = (
        deadline - Duration::hours(48),
        deadline - Duration::hours(24),
    );
    assert_eq!(
        sim.vote().pending_reminders(),
        [(H48, first), (H24, second)]
    );
    assert_eq!(next_deadline(&sim.group), Some(first));
    sim.cast(MOD3, Choice::No);

    // govbot was down from before the first point until two hours after the second.
    sim.at(second + Duration::hours(2));
    assert_eq!(sim.vote().due_reminders(sim.now), [H48, H24]);
    assert_eq!(
        due_command(&sim.group, sim.now),
        Some(Command::RemindVoters)
    );
    let events = remind(&mut sim).unwrap();
    assert_eq!(
        only_event(&events),
        &reminder(&[H48, H24], &[MOD1, MOD2]),
        "one reminder for both missed points, not one per point"
    );
    assert_eq!(sim.vote().reminded, [H48, H24]);
    assert_eq!(sim.vote().pending_reminders(), []);

    // Nothing more until the close.
    assert_eq!(next_deadline(&sim.group), Some(deadline));
    for t in [sim.now, deadline - Duration::seconds(1)] {
        assert_eq!(due_command(&sim.group, t), None, "at {t}");
    }
    let err = remind(&mut sim).unwrap_err();
    assert!(matches!(err, GovernanceError::NotDue { .. }), "{err}");
    sim.at(deadline - Duration::seconds(1));
    let err = remind(&mut sim).unwrap_err();
    assert!(matches!(err, GovernanceError::NotDue { .. }), "{err}");
    assert_eq!(due_command(&sim.group, deadline), Some(Command::CloseVote));
    assert_eq!(reminder_events(&sim).len(), 1);

    // Without downtime, each point is reminded on its own, with who has not voted by then.
    let mut sim = sim_with_reminders(vec![H48, H24]);
    let deadline = sim.call_vote();
    sim.at(deadline - Duration::hours(48));
    let events = remind(&mut sim).unwrap();
    assert_eq!(only_event(&events), &reminder(&[H48], &[MOD1, MOD2, MOD3]));
    assert_eq!(
        next_deadline(&sim.group),
        Some(deadline - Duration::hours(24))
    );
    sim.cast(MOD1, Choice::Yes);
    sim.at(deadline - Duration::hours(24) - Duration::seconds(1));
    let err = remind(&mut sim).unwrap_err();
    assert_eq!(
        err,
        GovernanceError::NotDue {
            what: "a vote reminder",
            due: deadline - Duration::hours(24)
        }
    );
    sim.after(Duration::seconds(1));
    let events = remind(&mut sim).unwrap();
    assert_eq!(only_event(&events), &reminder(&[H24], &[MOD2, MOD3]));
    assert_eq!(sim.vote().reminded, [H48, H24]);
    assert_eq!(next_deadline(&sim.group), Some(deadline));
}

#[test]
fn no_vote_reminder_at_or_after_the_deadline() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.cast(MOD1, Choice::Yes);
    // govbot was down over the reminder point and the deadline: the vote closes, nobody is
    // reminded of a vote they can no longer vote in.
    for t in [deadline, deadline + Duration::hours(1)] {
        assert_eq!(sim.vote().due_reminders(t), NOTHING, "at {t}");
        assert_eq!(
            due_command(&sim.group, t),
            Some(Command::CloseVote),
            "at {t}"
        );
    }
    sim.at(deadline);
    let err = remind(&mut sim).unwrap_err();
    assert!(
        matches!(
            err,
            GovernanceError::NotDue {
                what: "a vote reminder",
                ..
            }
        ),
        "{err}"
    );
    sim.at(deadline + Duration::hours(1));
    assert!(remind(&mut sim).is_err());

    let events = sim.close();
    assert!(matches!(
        only_event(&events),
        EventKind::VoteClosed {
            outcome: Outcome::Rejected,
            ..
        }
    ));
    let err = remind(&mut sim).unwrap_err();
    assert_eq!(
        err,
        GovernanceError::NotAllowedInState {
            kind: GroupKind::Wg,
            name: "Registry".into(),
            state: "rejected".into(),
            action: "reminded of a vote",
        }
    );
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is rejected; it cannot be reminded of a vote"
    );
    assert_eq!(due_command(&sim.group, sim.now), None);
    assert_eq!(reminder_events(&sim).len(), 0);
    assert_eq!(sim.vote().reminded, NOTHING);
}

#[test]
fn only_govbot_sends_vote_reminders() {
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.at(deadline - Duration::hours(24));
    for actor in [
        moderator(MOD1),
        member(ALICE),
        core(CORE),
        lead(LEAD),
        Actor::member(BOB, [Role::Moderator, Role::LeadMaintainer]),
    ] {
        let err = sim.err(&actor, Command::RemindVoters);
        assert_eq!(
            err,
            GovernanceError::Forbidden {
                action: "send a vote reminder",
                allowed: "govbot's scheduler",
            },
            "{actor}"
        );
        assert_eq!(
            err.to_string(),
            "only govbot's scheduler can send a vote reminder"
        );
    }
    assert_eq!(sim.vote().reminded, NOTHING);
    let events = sim.ok(&system(), Command::RemindVoters);
    assert_eq!(only_event(&events), &reminder(&[H24], &[MOD1, MOD2, MOD3]));
}

#[test]
fn vote_reminders_need_a_running_vote() {
    let mut sim = Sim::wg();
    let err = remind(&mut sim).unwrap_err();
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is proposed; it cannot be reminded of a vote"
    );
    let activated = sim.activate();
    sim.at(activated + Duration::days(1));
    let err = remind(&mut sim).unwrap_err();
    assert_eq!(
        err,
        GovernanceError::NotAllowedInState {
            kind: GroupKind::Wg,
            name: "Registry".into(),
            state: "active".into(),
            action: "reminded of a vote",
        }
    );

    // A vote stopped by a veto is never reminded.
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.after(Duration::hours(1));
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("Out of scope"),
        },
    );
    sim.at(deadline - Duration::hours(24));
    let err = remind(&mut sim).unwrap_err();
    assert_eq!(
        err.to_string(),
        "WG 'Registry' is vetoed; it cannot be reminded of a vote"
    );
    assert_eq!(sim.vote().due_reminders(sim.now), NOTHING);
}

#[test]
fn reversal_vote_voters_are_reminded_too() {
    let mut sim = Sim::ig();
    let activated = sim.activate();
    sim.at(activated + Duration::days(3));
    let deadline = start_reversal(&mut sim);
    sim.cast(MOD2, Choice::Yes);
    let point = deadline - Duration::hours(24);
    assert_eq!(next_deadline(&sim.group), Some(point));
    assert_eq!(due_command(&sim.group, point - Duration::seconds(1)), None);
    assert_eq!(due_command(&sim.group, point), Some(Command::RemindVoters));
    sim.at(point);
    let events = remind(&mut sim).unwrap();
    assert_eq!(only_event(&events), &reminder(&[H24], &[MOD1, MOD3]));
    assert_eq!(sim.group.state, GroupState::UnderReversalVote);
    assert_eq!(next_deadline(&sim.group), Some(deadline));
    assert_eq!(due_command(&sim.group, deadline), Some(Command::CloseVote));
}

#[test]
fn vote_reminders_are_frozen_when_the_vote_opens() {
    let twelve = Policy {
        vote_reminders: vec![H12],
        ..Policy::default()
    };
    assert!(twelve.problems().is_empty());

    // Opened under [24h]; the configuration then changes to [12h]: the vote keeps 24h.
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.policy = twelve.clone();
    assert_eq!(sim.vote().rule.reminders, [H24]);
    assert_eq!(
        next_deadline(&sim.group),
        Some(deadline - Duration::hours(24))
    );
    sim.at(deadline - Duration::hours(24));
    let events = remind(&mut sim).unwrap();
    assert_eq!(only_event(&events), &reminder(&[H24], &[MOD1, MOD2, MOD3]));
    assert_eq!(events[0].policy.vote_reminders, [H24]);
    sim.at(deadline - Duration::hours(12));
    assert_eq!(due_command(&sim.group, sim.now), None);
    let err = remind(&mut sim).unwrap_err();
    assert!(matches!(err, GovernanceError::NotDue { .. }), "{err}");
    assert_eq!(sim.vote().reminded, [H24]);

    // Proposed under [24h], but the vote opens after the change: it takes [12h].
    let mut sim = Sim::wg();
    sim.policy = twelve;
    let deadline = sim.call_vote();
    assert_eq!(sim.vote().rule.reminders, [H12]);
    assert_eq!(
        sim.group.policy.vote_reminders,
        [H24],
        "the proposal's policy"
    );
    let point = deadline - Duration::hours(12);
    assert_eq!(next_deadline(&sim.group), Some(point));
    sim.at(deadline - Duration::hours(24));
    assert_eq!(due_command(&sim.group, sim.now), None);
    let err = remind(&mut sim).unwrap_err();
    assert_eq!(
        err,
        GovernanceError::NotDue {
            what: "a vote reminder",
            due: point
        }
    );
    sim.at(point);
    let events = remind(&mut sim).unwrap();
    assert_eq!(only_event(&events), &reminder(&[H12], &[MOD1, MOD2, MOD3]));
    assert_eq!(events[0].policy.vote_reminders, [H12]);
}

#[test]
fn a_vote_without_reminders_is_only_closed() {
    let mut sim = sim_with_reminders(vec![]);
    let deadline = sim.call_vote();
    assert_eq!(sim.vote().rule.reminders, NOTHING);
    assert_eq!(next_deadline(&sim.group), Some(deadline));
    sim.at(deadline - Duration::seconds(1));
    assert_eq!(due_command(&sim.group, sim.now), None);
    let err = remind(&mut sim).unwrap_err();
    assert!(matches!(err, GovernanceError::NotDue { .. }), "{err}");
    assert_eq!(due_command(&sim.group, deadline), Some(Command::CloseVote));
}

#[test]
fn next_deadline_is_the_reminder_point_then_the_close() {
    let mut sim = Sim::wg();
    assert_eq!(
        next_deadline(&sim.group),
        None,
        "a proposal waits for people"
    );
    let deadline = sim.call_vote();
    let point = deadline - Duration::hours(24);
    assert_eq!(next_deadline(&sim.group), Some(point));

    // Unchanged by ballots or by time passing before the point.
    sim.after(Duration::hours(5));
    sim.cast(MOD1, Choice::Yes);
    assert_eq!(next_deadline(&sim.group), Some(point));

    sim.at(point);
    remind(&mut sim).unwrap();
    assert_eq!(next_deadline(&sim.group), Some(deadline));

    sim.cast(MOD2, Choice::Yes);
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Active);
    assert_eq!(
        next_deadline(&sim.group),
        Some(deadline + Duration::days(30) - Duration::days(7)),
        "then the first reminder before the WG's inactivity limit"
    );
}

#[test]
fn due_command_tells_the_scheduler_what_is_due() {
    // No vote: nothing is due, however long a proposal waits.
    let mut sim = Sim::wg();
    for t in [t0(), t0() + Duration::days(400)] {
        assert_eq!(due_command(&sim.group, t), None, "at {t}");
    }

    let deadline = sim.call_vote();
    let point = deadline - Duration::hours(24);
    let table = [
        (t0(), None),
        (t0() + Duration::hours(1), None),
        (point - Duration::seconds(1), None),
        (point, Some(Command::RemindVoters)),
        (deadline - Duration::seconds(1), Some(Command::RemindVoters)),
        (deadline, Some(Command::CloseVote)),
        (deadline + Duration::days(2), Some(Command::CloseVote)),
    ];
    for (t, want) in table {
        assert_eq!(due_command(&sim.group, t), want, "at {t}");
    }

    // Each answer is something govbot may do at that time.
    sim.at(point);
    let cmd = due_command(&sim.group, sim.now).unwrap();
    sim.ok(&system(), cmd);
    assert_eq!(due_command(&sim.group, sim.now), None);
    sim.at(deadline);
    let cmd = due_command(&sim.group, sim.now).unwrap();
    let events = sim.ok(&system(), cmd);
    assert!(matches!(
        only_event(&events),
        EventKind::VoteClosed {
            outcome: Outcome::Rejected,
            ..
        }
    ));
    assert_eq!(
        due_command(&sim.group, deadline + Duration::days(400)),
        None
    );
    assert_eq!(next_deadline(&sim.group), None);

    // After a veto, the stopped vote is neither reminded nor closed.
    let mut sim = Sim::wg();
    let deadline = sim.call_vote();
    sim.after(Duration::hours(1));
    sim.ok(
        &core(CORE),
        Command::Veto {
            reason: reason("Out of scope"),
        },
    );
    for t in [
        deadline - Duration::hours(24),
        deadline - Duration::seconds(1),
        deadline,
        deadline + Duration::days(2),
    ] {
        assert_eq!(due_command(&sim.group, t), None, "at {t}");
    }
    assert_eq!(next_deadline(&sim.group), None);
}

#[test]
fn due_command_flags_then_retires_an_inactive_wg() {
    let mut sim = Sim::wg();
    let activated = sim.activate();
    let limit = activated + Duration::days(30);
    // The facilitators are reminded 7 and 2 days before the limit, once each.
    for before in [7, 2] {
        let point = limit - Duration::days(before);
        assert_eq!(next_deadline(&sim.group), Some(point));
        assert_eq!(due_command(&sim.group, point - Duration::seconds(1)), None);
        assert_eq!(
            due_command(&sim.group, point),
            Some(Command::RemindInactivity)
        );
        sim.at(point);
        sim.ok(&system(), Command::RemindInactivity);
    }
    assert_eq!(next_deadline(&sim.group), Some(limit));
    assert_eq!(due_command(&sim.group, limit - Duration::seconds(1)), None);
    assert_eq!(
        due_command(&sim.group, limit),
        Some(Command::FlagRetirementCandidate)
    );

    sim.at(limit);
    let cmd = due_command(&sim.group, sim.now).unwrap();
    sim.ok(&system(), cmd);
    let grace_end = limit + Duration::days(7);
    assert_eq!(next_deadline(&sim.group), Some(grace_end));
    assert_eq!(
        due_command(&sim.group, grace_end - Duration::seconds(1)),
        None
    );
    assert_eq!(
        due_command(&sim.group, grace_end),
        Some(Command::RetireCandidate)
    );

    sim.at(grace_end);
    let cmd = due_command(&sim.group, sim.now).unwrap();
    sim.ok(&system(), cmd);
    assert_eq!(sim.group.state, GroupState::Retired);
    assert_eq!(
        due_command(&sim.group, grace_end + Duration::days(400)),
        None
    );
    assert_eq!(next_deadline(&sim.group), None);

    // An IG is never retired on a schedule: a quiet one only gets a reminder each quiet period.
    let mut sim = Sim::ig();
    let activated = sim.activate();
    assert_eq!(
        next_deadline(&sim.group),
        Some(activated + Duration::days(30))
    );
    assert_eq!(
        due_command(&sim.group, activated + Duration::days(400)),
        Some(Command::RemindQuiet)
    );
    let mut sim = Sim::wg();
    sim.activate();
    sim.ok(&moderator(MOD1), Command::SetMaintenance { on: true });
    assert_eq!(next_deadline(&sim.group), None);
    assert_eq!(due_command(&sim.group, sim.now + Duration::days(400)), None);
}

#[test]
fn replaying_reminders_rebuilds_the_live_state() {
    let mut sim = sim_with_reminders(vec![H48, H24]);
    let deadline = sim.call_vote();
    sim.cast(MOD1, Choice::Yes);
    sim.at(deadline - Duration::hours(48));
    let first = remind(&mut sim).unwrap();
    assert_eq!(only_event(&first), &reminder(&[H48], &[MOD2, MOD3]));
    let cut = sim.events.len();
    sim.cast(MOD2, Choice::Yes);
    sim.at(deadline - Duration::hours(24));
    let second = remind(&mut sim).unwrap();
    assert_eq!(only_event(&second), &reminder(&[H24], &[MOD3]));
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Active);

    let replayed = replay(&sim.events).unwrap();
    assert_eq!(replayed, sim.group);
    assert_eq!(replayed.vote.as_ref().unwrap().reminded, [H48, H24]);

    // A history cut after the first reminder remembers it, and only it.
    let partial = replay(&sim.events[..cut]).unwrap();
    assert_eq!(partial.vote.as_ref().unwrap().reminded, [H48]);
    assert_eq!(
        next_deadline(&partial),
        Some(deadline - Duration::hours(24))
    );
    assert_eq!(due_command(&partial, deadline - Duration::hours(48)), None);
    assert_eq!(
        due_command(&partial, deadline - Duration::hours(24)),
        Some(Command::RemindVoters)
    );

    // Through the JSON the audit log is stored as.
    let json = serde_json::to_string(&sim.events).unwrap();
    assert!(
        json.contains(r#""type":"vote_reminder","before":["48h"],"not_voted":[12,13]"#),
        "{json}"
    );
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, sim.events);
    assert_eq!(replay(&back).unwrap(), sim.group);
}

#[test]
fn a_ballot_naming_an_earlier_vote_counts_in_no_other_vote() {
    let mut sim = Sim::wg();
    sim.call_vote();
    let creation = sim.group.vote.as_ref().unwrap().opened_at;
    let on = |vote, choice| Command::BallotOn {
        vote,
        choice: Some(choice),
    };
    sim.ok(&moderator(MOD1), on(creation, Choice::Yes));
    sim.cast(MOD2, Choice::Yes);
    sim.close_at_deadline();
    assert_eq!(sim.group.state, GroupState::Active);

    // The creation vote is over: its button is refused, now and once a reversal vote runs.
    let err = sim.err(&moderator(MOD1), on(creation, Choice::Yes));
    assert_eq!(
        err,
        GovernanceError::VoteOver {
            opened_at: creation
        }
    );
    sim.after(Duration::hours(1));
    sim.ok(
        &moderator(MOD2),
        Command::StartReversal {
            reason: "It duplicates the Inspector WG".into(),
            electorate: electorate(),
        },
    );
    let reversal = sim.group.vote.as_ref().unwrap().opened_at;
    assert_ne!(reversal, creation);
    let err = sim.err(&moderator(MOD1), on(creation, Choice::Yes));
    assert!(
        err.to_string()
            .contains("is closed; your ballot was not counted"),
        "{err}"
    );
    assert_eq!(sim.tally().yes, 0);
    // The reversal vote's own buttons count in it.
    sim.ok(&moderator(MOD1), on(reversal, Choice::No));
    assert_eq!(sim.tally().no, 1);
}
