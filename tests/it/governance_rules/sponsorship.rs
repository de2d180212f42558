//! Sponsorship, the optional approval mechanism.

use super::*;

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
        "this proposal is approved by sponsorship (use /govern sponsor), not by a moderator vote"
    );
    assert_eq!(sim.group.state, GroupState::Proposed);
}
