//! Facilitators, maintainers and status posts.

use super::*;

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
