//! Proposals: who may propose, withdraw and amend, and what each records.

use super::*;

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
            &Ballots::NONE,
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
        &Ballots::NONE,
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
        &Ballots::NONE,
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
