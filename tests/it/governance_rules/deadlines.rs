//! Vote reminders, and what the scheduler asks the core (`due_command`, `next_deadline`).

use super::*;

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
        "reminded 3 moderators who had not voted"
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
        "reminded 2 moderators who had not voted"
    );
    assert_eq!(sim.tally(), tally_before, "a reminder changes no ballot");
    assert_eq!(sim.ballots().len(), 3);

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
