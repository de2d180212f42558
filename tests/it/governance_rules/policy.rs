//! Policy is data, frozen into each decision: changing the configuration never rewrites what was decided.

use super::*;

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
