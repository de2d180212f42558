//! Reversing a creation by a vote.

use super::*;

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
