//! Retirement by decision, and the WG retirement candidacy (inactivity, all items completed, the grace period).

use super::*;

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
