//! Every message template, rendered with fixed values: a change of wording is a visible diff in
//! `tests/snapshots/`.

use chrono::{Duration, TimeZone, Utc};
use govbot::discord::render::template_names;
use govbot::discord::views::{self, Overlap};
use govbot::governance::*;
use govbot::store::{GroupId, StoredGroup};

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn wg() -> Group {
    let template = TemplateDraft::new(GroupKind::Wg)
        .name("Registry")
        .facilitator(MemberId(1001))
        .facilitator(MemberId(1002))
        .maintainer(MemberId(2001))
        .field(
            Field::UseCases,
            "A public registry so clients can find MCP servers.\nIt started in the Hosting IG.",
        )
        .field(Field::FirstItem, "SEP-1234: server metadata")
        .validate()
        .unwrap();
    let alice = Actor::member(MemberId(1001), []);
    let events = decide(
        None,
        &Command::Propose { template },
        &Context::new(&alice, t0(), &Policy::default()),
    )
    .unwrap();
    replay(&events).unwrap()
}

fn overlap() -> Vec<Overlap> {
    let other = TemplateDraft::new(GroupKind::Wg)
        .name("Server Registry")
        .facilitator(MemberId(7))
        .field(Field::UseCases, "x")
        .field(Field::FirstItem, "SEP-1")
        .validate()
        .unwrap();
    let who = Actor::member(MemberId(7), []);
    let events = decide(
        None,
        &Command::Propose { template: other },
        &Context::new(&who, t0(), &Policy::default()),
    )
    .unwrap();
    vec![Overlap::of(&StoredGroup {
        id: GroupId(3),
        version: 1,
        group: replay(&events).unwrap(),
    })]
}

#[test]
fn proposal_card() {
    insta::assert_snapshot!(views::card(GroupId(12), &wg(), Vec::new(), false)
        .unwrap()
        .text());
}

#[test]
fn proposal_card_with_overlap_after_an_edit() {
    insta::assert_snapshot!(views::card(GroupId(12), &wg(), overlap(), true)
        .unwrap()
        .text());
}

#[test]
fn template_problems() {
    let errors = TemplateDraft::new(GroupKind::Ig)
        .name("S")
        .field(Field::FirstTopic, "prompt injection")
        .validate()
        .unwrap_err();
    insta::assert_snapshot!(views::template_problems(&errors, true).unwrap().text());
    let modal = views::template_problems(&errors, false).unwrap().text();
    assert!(modal.contains("Run `/group propose` again"), "{modal}");
    assert!(!modal.contains("Edit your message"), "{modal}");
}

#[test]
fn edit_problems() {
    insta::assert_snapshot!(
        views::edit_problems(GroupId(12), vec!["Name is missing".into()])
            .unwrap()
            .text()
    );
}

#[test]
fn edit_too_late() {
    let mut g = wg();
    g.state = GroupState::UnderVote;
    insta::assert_snapshot!(views::edit_too_late(GroupId(12), &g).unwrap().text());
}

#[test]
fn proposal_withdrawn_and_moderators_withdrawn() {
    let (card, moderators) = views::withdrawn(
        GroupId(12),
        &wg(),
        MemberId(1001),
        Some("the template message was deleted"),
    )
    .unwrap();
    insta::assert_snapshot!(format!("{}\n---\n{}", card.text(), moderators.text()));
}

#[test]
fn moderators_announcement() {
    let r = views::announcement(
        GroupId(12),
        &wg(),
        overlap(),
        Some("https://discord.com/channels/1/2/3".into()),
        "72h".into(),
    )
    .unwrap();
    insta::assert_snapshot!(r.text());
}

#[test]
fn group_info() {
    let mut g = wg();
    g.state = GroupState::Active;
    g.active_since = Some(t0() + Duration::hours(72));
    g.channel = Some(5555);
    let stored = StoredGroup {
        id: GroupId(12),
        version: 4,
        group: g,
    };
    insta::assert_snapshot!(views::info(&stored).unwrap().text());
}

#[test]
fn group_list() {
    let stored = StoredGroup {
        id: GroupId(12),
        version: 1,
        group: wg(),
    };
    let many: Vec<_> = (0..30).map(|_| stored.clone()).collect();
    insta::assert_snapshot!(views::list(&many[..2], Some("WGs".into())).unwrap().text());
    let long = views::list(&many, None).unwrap().text();
    assert!(long.contains("…and 5 more"), "{long}");
    assert_eq!(
        views::list(&[], None).unwrap().text(),
        "# Groups\nNo groups match."
    );
}

#[test]
fn errors_mention_members_instead_of_numbering_them() {
    let r = views::error(
        "only the proposer, member 42, can withdraw; a member 7x",
        None,
    )
    .unwrap();
    assert_eq!(
        r.text(),
        ":warning: only the proposer, <@42>, can withdraw; a <@7>x"
    );
}

#[test]
fn error() {
    insta::assert_snapshot!(
        views::error("there is no group with id 99", Some("Use /group list."))
            .unwrap()
            .text()
    );
}

#[test]
fn every_template_has_a_snapshot_test() {
    let covered = [
        "proposal_card",
        "template_problems",
        "edit_problems",
        "edit_too_late",
        "proposal_withdrawn",
        "moderators_announcement",
        "moderators_withdrawn",
        "group_info",
        "group_list",
        "error",
    ];
    let mut all: Vec<_> = template_names().collect();
    all.sort();
    let mut covered = covered.to_vec();
    covered.sort();
    assert_eq!(all, covered);
}
