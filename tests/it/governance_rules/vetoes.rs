//! Vetoes by core and lead maintainers, and lifting them.

use super::*;

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
    assert!(sim.ballots().is_empty());
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
