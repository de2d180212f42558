//! Moderator votes: calling one, ballots, closing, and the thresholds that decide them.

use super::*;

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
    assert!(sim.ballots().is_empty());
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
        .ballots()
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
