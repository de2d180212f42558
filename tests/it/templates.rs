//! Every message template, rendered with fixed values: a change of wording is a visible diff in
//! `tests/it/snapshots/`.

use crate::common::t0;
use chrono::Duration;
use govbot::config::VoteReactions;
use govbot::discord::markdown::Markdown;
use govbot::discord::messages::notices::{self, VetoFacts};
use govbot::discord::messages::views::{self, CardSource, Overlap};
use govbot::governance::*;
use govbot::store::{GroupId, NameMatch, StoredEvent, StoredGroup};
use std::collections::BTreeSet;

fn wg() -> Group {
    replay(&wg_events()).unwrap()
}

fn wg_events() -> Vec<Event> {
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
    decide(
        None,
        &Ballots::NONE,
        &Command::Propose { template },
        &Acting::new(&alice, t0(), &Policy::default()),
    )
    .unwrap()
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
        &Ballots::NONE,
        &Command::Propose { template: other },
        &Acting::new(&who, t0(), &Policy::default()),
    )
    .unwrap();
    let g = replay(&events).unwrap();
    vec![Overlap::of(&NameMatch {
        id: GroupId(3),
        kind: g.kind,
        name: g.name,
        state: g.state,
    })]
}

#[test]
fn proposal_card() {
    insta::assert_snapshot!(views::card(
        GroupId(12),
        &wg(),
        Vec::new(),
        false,
        CardSource::Message
    )
    .unwrap()
    .text());
}

#[test]
fn proposal_card_from_the_form() {
    insta::assert_snapshot!(
        views::card(GroupId(12), &wg(), Vec::new(), false, CardSource::Form)
            .unwrap()
            .text()
    );
}

#[test]
fn proposal_card_with_overlap_after_an_edit() {
    insta::assert_snapshot!(
        views::card(GroupId(12), &wg(), overlap(), true, CardSource::Message)
            .unwrap()
            .text()
    );
}

#[test]
fn proposal_card_after_its_message_was_deleted() {
    insta::assert_snapshot!(views::card(
        GroupId(12),
        &wg(),
        Vec::new(),
        false,
        CardSource::Deleted
    )
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
    let (card, moderators) = views::withdrawn(GroupId(12), &wg(), MemberId(1001)).unwrap();
    insta::assert_snapshot!(format!("{}\n---\n{}", card.text(), moderators.text()));
}

#[test]
fn moderators_announcement() {
    let r = views::announcement(
        GroupId(12),
        &wg(),
        overlap(),
        Some("https://discord.com/channels/1/2/3".into()),
        "72 hours".into(),
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
    insta::assert_snapshot!(views::info(&stored, &Ballots::NONE, &member(1001))
        .unwrap()
        .text());
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

// The vote, veto and group-channel notices, from groups taken through the governance core.

/// `hours` after [`t0`], when the WG was proposed.
fn at(hours: i64) -> Timestamp {
    t0() + Duration::hours(hours)
}

fn moderator(id: u64) -> Actor {
    Actor::member(MemberId(id), [Role::Moderator])
}

fn member(id: u64) -> Actor {
    Actor::member(MemberId(id), [])
}

fn core_maintainer(id: u64) -> Actor {
    Actor::member(MemberId(id), [Role::CoreMaintainer])
}

fn lead_maintainer(id: u64) -> Actor {
    Actor::member(MemberId(id), [Role::LeadMaintainer])
}

fn electorate() -> BTreeSet<MemberId> {
    [3001, 3002, 3003].map(MemberId).into()
}

fn reactions() -> VoteReactions {
    VoteReactions::default()
}

/// A group and every event it has had, taken one command at a time.
struct Story {
    group: Group,
    ballots: Ballots,
    events: Vec<Event>,
    policy: Policy,
}

impl Story {
    fn of(events: Vec<Event>, policy: Policy) -> Self {
        Story {
            group: replay(&events).unwrap(),
            ballots: Ballots::replay(&events),
            events,
            policy,
        }
    }

    /// `who` gives `command` `hours` after t0; the core must allow it.
    fn then(self, who: &Actor, hours: i64, command: Command) -> Self {
        self.then_at(who, at(hours), command)
    }

    fn then_at(mut self, who: &Actor, when: Timestamp, command: Command) -> Self {
        let ctx = Acting::new(who, when, &self.policy);
        let events = self
            .group
            .decide_and_apply(&mut self.ballots, &command, &ctx)
            .unwrap();
        self.events.extend(events);
        self
    }

    fn cast(self, voter: u64, hours: i64, choice: Choice) -> Self {
        self.then(&moderator(voter), hours, Command::Cast { choice })
    }

    /// govbot closes the running vote at its deadline.
    fn close(self) -> Self {
        let deadline = self.vote().closes_at;
        self.then_at(&Actor::System, deadline, Command::CloseVote)
    }

    fn vote(&self) -> &Vote {
        self.group.vote.as_ref().unwrap()
    }

    fn last(&self) -> &Event {
        self.events.last().unwrap()
    }

    fn vote_cancelled_at(&self, at: Timestamp) -> bool {
        self.group
            .vote
            .as_ref()
            .is_some_and(|v| v.cancelled_at == Some(at))
    }

    /// The reason the last vote was opened with, as the bot finds it in the history.
    fn last_vote_reason(&self) -> Option<String> {
        self.events
            .iter()
            .rev()
            .find(|e| matches!(e.kind, EventKind::VoteOpened { .. }))
            .and_then(|e| e.reason.clone())
    }

    /// The history as the store gives it back.
    fn stored(&self) -> Vec<StoredEvent> {
        self.events
            .iter()
            .enumerate()
            .map(|(i, e)| StoredEvent {
                group_id: GroupId(12),
                seq: i as i64 + 1,
                trigger: None,
                event: e.clone(),
            })
            .collect()
    }
}

/// The WG, under a creation vote called an hour after the proposal (it closes at 73h).
fn wg_under_vote() -> Story {
    Story::of(wg_events(), Policy::default()).then(
        &moderator(3001),
        1,
        Command::CallVote {
            electorate: electorate(),
        },
    )
}

/// Approved by the vote of two of three moderators, and given its channel.
fn approved(proposed: Vec<Event>) -> Story {
    let s = Story::of(proposed, Policy::default())
        .then(
            &moderator(3001),
            1,
            Command::CallVote {
                electorate: electorate(),
            },
        )
        .cast(3001, 2, Choice::Yes)
        .cast(3002, 3, Choice::Yes)
        .close();
    assert_eq!(s.group.state, GroupState::Active);
    s.then(&Actor::System, 73, Command::LinkChannel { channel: 5555 })
}

/// The active WG, under a reversal vote opened at 200h (it closes at 272h).
fn wg_under_reversal() -> Story {
    approved(wg_events()).then(
        &moderator(3002),
        200,
        Command::StartReversal {
            reason: "The WG has not met since it was created.".into(),
            electorate: electorate(),
        },
    )
}

fn ig_events() -> Vec<Event> {
    let template = TemplateDraft::new(GroupKind::Ig)
        .name("Hosting")
        .facilitator(MemberId(1101))
        .field(Field::SimilarGroups, "WG Registry")
        .field(
            Field::Differentiation,
            "Where and how MCP servers run, not how clients find them.",
        )
        .field(Field::FirstTopic, "Running remote servers behind a gateway")
        .validate()
        .unwrap();
    let bob = Actor::member(MemberId(1101), []);
    decide(
        None,
        &Ballots::NONE,
        &Command::Propose { template },
        &Acting::new(&bob, t0(), &Policy::default()),
    )
    .unwrap()
}

/// What the veto notice is told about the story's last event, as the bot's effects tell it.
fn veto_facts(s: &Story) -> VetoFacts<'_> {
    let e = s.last();
    let lifted = matches!(e.kind, EventKind::VetoLifted);
    VetoFacts {
        actor: e.actor.id().unwrap(),
        reason: e.reason.as_deref().unwrap(),
        lifted,
        reversed: matches!(
            e.kind,
            EventKind::Vetoed {
                outcome: VetoOutcome::GroupReversed
            }
        ),
        restored: lifted && s.group.state == GroupState::Active,
        vote_cancelled: !lifted && s.vote_cancelled_at(e.at),
    }
}

const VETO_REASON: &str = "It duplicates the registry work of the Hosting IG.";

#[test]
fn vote_message_open_without_ballots() {
    let s = wg_under_vote();
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        None,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_message_open_with_ballots() {
    let s = wg_under_vote()
        .cast(3001, 2, Choice::Yes)
        .cast(3002, 3, Choice::No)
        .cast(3003, 4, Choice::Abstain);
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        None,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_message_closed_approved() {
    let s = approved(wg_events());
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        None,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_message_closed_rejected() {
    let s = wg_under_vote()
        .cast(3001, 2, Choice::Yes)
        .cast(3002, 3, Choice::No)
        .close();
    assert_eq!(s.group.state, GroupState::Rejected);
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        None,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_message_ended_by_veto() {
    let s = wg_under_vote().cast(3001, 2, Choice::Yes).then(
        &core_maintainer(4001),
        5,
        Command::Veto {
            reason: VETO_REASON.into(),
        },
    );
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        None,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_message_reversal_open() {
    let s = wg_under_reversal().cast(3002, 201, Choice::Yes);
    let reason = s.last_vote_reason();
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        reason,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_message_reversal_closed_approved() {
    let s = wg_under_reversal()
        .cast(3001, 201, Choice::Yes)
        .cast(3002, 202, Choice::Yes)
        .cast(3003, 203, Choice::No)
        .close();
    assert_eq!(s.group.state, GroupState::Reversed);
    let reason = s.last_vote_reason();
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        reason,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_message_reversal_ended_by_retirement() {
    let s = wg_under_reversal().cast(3001, 201, Choice::No).then(
        &moderator(3003),
        210,
        Command::Retire {
            reason: "The facilitators asked for it.".into(),
        },
    );
    let reason = s.last_vote_reason();
    insta::assert_snapshot!(notices::vote_message(
        GroupId(12),
        &s.group,
        s.vote(),
        &s.ballots,
        reason,
        &reactions()
    )
    .unwrap()
    .text());
}

#[test]
fn vote_called() {
    let s = wg_under_vote();
    insta::assert_snapshot!(notices::vote_called(GroupId(12), &s.group, s.vote(), 9000)
        .unwrap()
        .text());
}

#[test]
fn vote_called_for_a_reversal() {
    let s = wg_under_reversal();
    insta::assert_snapshot!(notices::vote_called(GroupId(12), &s.group, s.vote(), 9000)
        .unwrap()
        .text());
}

#[test]
fn ballot_recorded_choice() {
    let s = wg_under_vote().cast(3001, 2, Choice::Abstain);
    insta::assert_snapshot!(notices::ballot_recorded(
        GroupId(12),
        &s.group,
        s.vote(),
        Some(Choice::Abstain)
    )
    .unwrap()
    .text());
}

#[test]
fn ballot_recorded_withdrawn() {
    let s = wg_under_vote().cast(3001, 2, Choice::Yes).then(
        &moderator(3001),
        3,
        Command::WithdrawBallot,
    );
    insta::assert_snapshot!(
        notices::ballot_recorded(GroupId(12), &s.group, s.vote(), None)
            .unwrap()
            .text()
    );
}

#[test]
fn vote_reminder() {
    let s =
        wg_under_vote()
            .cast(3001, 2, Choice::Yes)
            .then(&Actor::System, 49, Command::RemindVoters);
    let EventKind::VoteReminder { not_voted, .. } = &s.last().kind else {
        panic!("no reminder: {:?}", s.last());
    };
    insta::assert_snapshot!(
        notices::vote_reminder(GroupId(12), &s.group, s.vote(), not_voted)
            .unwrap()
            .text()
    );
}

#[test]
fn outbox_stuck() {
    let s = approved(wg_events());
    insta::assert_snapshot!(notices::outbox_stuck(
        GroupId(12),
        &s.group,
        57,
        "retired",
        "HTTP 403 (Missing Permissions): the bot's role lacks a permission there"
    )
    .unwrap()
    .text());
}

#[test]
fn vote_result_creation_approved() {
    let s = approved(wg_events());
    insta::assert_snapshot!(
        notices::vote_result(GroupId(12), &s.group, s.vote(), &s.ballots)
            .unwrap()
            .text()
    );
}

#[test]
fn vote_result_creation_rejected() {
    let s = wg_under_vote()
        .cast(3001, 2, Choice::Yes)
        .cast(3002, 3, Choice::No)
        .cast(3003, 4, Choice::Abstain)
        .close();
    insta::assert_snapshot!(
        notices::vote_result(GroupId(12), &s.group, s.vote(), &s.ballots)
            .unwrap()
            .text()
    );
}

#[test]
fn vote_result_reversal_approved() {
    let s = wg_under_reversal()
        .cast(3001, 201, Choice::Yes)
        .cast(3002, 202, Choice::Yes)
        .close();
    insta::assert_snapshot!(
        notices::vote_result(GroupId(12), &s.group, s.vote(), &s.ballots)
            .unwrap()
            .text()
    );
}

#[test]
fn vote_result_reversal_rejected() {
    let s = wg_under_reversal().cast(3002, 202, Choice::Yes).close();
    assert_eq!(s.group.state, GroupState::Active);
    insta::assert_snapshot!(
        notices::vote_result(GroupId(12), &s.group, s.vote(), &s.ballots)
            .unwrap()
            .text()
    );
}

#[test]
fn veto_notice_proposal_vetoed() {
    let s = Story::of(wg_events(), Policy::default()).then(
        &core_maintainer(4001),
        1,
        Command::Veto {
            reason: VETO_REASON.into(),
        },
    );
    insta::assert_snapshot!(notices::veto_notice(GroupId(12), &s.group, veto_facts(&s))
        .unwrap()
        .text());
}

#[test]
fn veto_notice_proposal_vetoed_during_its_vote() {
    let s = wg_under_vote().cast(3001, 2, Choice::Yes).then(
        &core_maintainer(4001),
        5,
        Command::Veto {
            reason: VETO_REASON.into(),
        },
    );
    assert!(veto_facts(&s).vote_cancelled);
    insta::assert_snapshot!(notices::veto_notice(GroupId(12), &s.group, veto_facts(&s))
        .unwrap()
        .text());
}

#[test]
fn veto_notice_group_reversed() {
    let s = approved(wg_events()).then(
        &lead_maintainer(5001),
        100,
        Command::Veto {
            reason: VETO_REASON.into(),
        },
    );
    insta::assert_snapshot!(notices::veto_notice(GroupId(12), &s.group, veto_facts(&s))
        .unwrap()
        .text());
}

#[test]
fn veto_notice_lifted_back_to_review() {
    let s = Story::of(wg_events(), Policy::default())
        .then(
            &core_maintainer(4001),
            1,
            Command::Veto {
                reason: VETO_REASON.into(),
            },
        )
        .then(
            &lead_maintainer(5001),
            24,
            Command::LiftVeto {
                reason: "The Hosting IG agreed to hand the registry over.".into(),
            },
        );
    assert_eq!(s.group.state, GroupState::Proposed);
    insta::assert_snapshot!(notices::veto_notice(GroupId(12), &s.group, veto_facts(&s))
        .unwrap()
        .text());
}

#[test]
fn veto_notice_lifted_group_restored() {
    let s = approved(wg_events())
        .then(
            &core_maintainer(4001),
            100,
            Command::Veto {
                reason: VETO_REASON.into(),
            },
        )
        .then(
            &lead_maintainer(5001),
            120,
            Command::LiftVeto {
                reason: "The Hosting IG agreed to hand the registry over.".into(),
            },
        );
    assert_eq!(s.group.state, GroupState::Active);
    insta::assert_snapshot!(notices::veto_notice(GroupId(12), &s.group, veto_facts(&s))
        .unwrap()
        .text());
}

#[test]
fn group_opening_ig() {
    let s = approved(ig_events());
    insta::assert_snapshot!(notices::group_opening(GroupId(13), &s.group)
        .unwrap()
        .text());
}

#[test]
fn group_opening_wg() {
    let s = approved(wg_events());
    insta::assert_snapshot!(notices::group_opening(GroupId(12), &s.group)
        .unwrap()
        .text());
}

#[test]
fn group_announced() {
    let s = approved(wg_events());
    insta::assert_snapshot!(notices::group_announced(&s.group, 5555).unwrap().text());
}

#[test]
fn group_archived_retired() {
    let s = approved(wg_events()).then(
        &moderator(3001),
        2000,
        Command::Retire {
            reason: "SEP-1234 is done and the WG has nothing left to work on.".into(),
        },
    );
    insta::assert_snapshot!(notices::group_archived(
        GroupId(12),
        &s.group,
        "was retired",
        s.last()
    )
    .unwrap()
    .text());
}

#[test]
fn group_archived_dissolved_by_vote() {
    let s = wg_under_reversal()
        .cast(3001, 201, Choice::Yes)
        .cast(3002, 202, Choice::Yes)
        .close();
    assert_eq!(s.last().actor, Actor::System);
    insta::assert_snapshot!(notices::group_archived(
        GroupId(12),
        &s.group,
        "was dissolved by vote",
        s.last()
    )
    .unwrap()
    .text());
}

#[test]
fn history_short() {
    let s = approved(wg_events()).then(
        &moderator(3001),
        2000,
        Command::Retire {
            reason: "SEP-1234 is done and the WG has nothing left to work on.".into(),
        },
    );
    insta::assert_snapshot!(notices::history(
        GroupId(12),
        &s.group,
        &s.stored(),
        &moderator(3001),
        1
    )
    .unwrap()
    .text());
}

#[test]
fn history_in_pages_newest_first() {
    let mut s = wg_under_vote();
    let choices = [Choice::Yes, Choice::No, Choice::Abstain];
    for hour in 2..32 {
        s = s.cast(3001, hour, choices[hour as usize % 3]);
    }
    let s = s.then(
        &core_maintainer(4001),
        40,
        Command::Veto {
            reason: VETO_REASON.into(),
        },
    );
    assert_eq!(s.events.len(), 33);
    let page = |n| {
        notices::history(GroupId(12), &s.group, &s.stored(), &moderator(3001), n)
            .unwrap()
            .text()
    };
    let (newest, oldest) = (page(1), page(2));
    assert!(
        newest.contains("Page 1 of 2, newest first; older events: `/group history id:12 page:2`."),
        "{newest}"
    );
    assert!(newest.contains("vetoed"), "{newest}");
    assert!(oldest.contains("Page 2 of 2, newest first."), "{oldest}");
    assert!(oldest.contains("proposed WG"), "{oldest}");
    assert_eq!(page(3), oldest, "a page past the last shows the oldest");
    // Every event is on exactly one page, each shown as a Discord timestamp.
    let lines = |t: &str| t.lines().filter(|l| l.starts_with("<t:")).count();
    assert_eq!(lines(&newest) + lines(&oldest), 33);
    assert_eq!(lines(&newest), notices::HISTORY_LINES);
    insta::assert_snapshot!(newest);
}

#[test]
fn history_for_a_member_shows_the_tally_but_not_who_voted_what() {
    let s = approved(wg_events());
    let shown = |viewer: &Actor| {
        notices::history(GroupId(12), &s.group, &s.stored(), viewer, 1)
            .unwrap()
            .text()
    };
    let text = shown(&member(1001));
    assert!(!text.contains("voted yes"), "{text}");
    assert!(
        !text.contains("<@3002>"),
        "the second voter is not named: {text}"
    );
    assert!(
        text.contains("2 ballots were cast, changed or withdrawn (who voted what is shown to moderators, core and lead maintainers)"),
        "{text}"
    );
    assert!(text.contains("closed the vote: approved (2 yes"), "{text}");
    insta::assert_snapshot!(text);
    for viewer in [moderator(9), core_maintainer(9), lead_maintainer(9)] {
        let text = shown(&viewer);
        assert!(text.contains("<@3001> voted yes"), "{text}");
        assert!(text.contains("<@3002> voted yes"), "{text}");
    }
}

#[test]
fn history_of_a_vote_with_public_ballots_names_the_voters_to_everyone() {
    let public = Policy {
        ballot_visibility: BallotVisibility::Public,
        ..Policy::default()
    };
    // Proposed under the default, voted under "public": the vote's own setting counts.
    let s = Story::of(wg_events(), public)
        .then(
            &moderator(3001),
            1,
            Command::CallVote {
                electorate: electorate(),
            },
        )
        .cast(3002, 2, Choice::No);
    let text = notices::history(GroupId(12), &s.group, &s.stored(), &member(1001), 1)
        .unwrap()
        .text();
    assert!(text.contains("<@3002> voted no"), "{text}");
}

#[test]
fn group_info_under_vote_names_the_voters_only_to_those_who_may_see_them() {
    let s = wg_under_vote()
        .cast(3001, 2, Choice::Yes)
        .cast(3002, 3, Choice::No);
    let stored = StoredGroup {
        id: GroupId(12),
        version: 4,
        group: s.group.clone(),
    };
    let text = views::info(&stored, &s.ballots, &member(1001))
        .unwrap()
        .text();
    assert!(
        text.contains("**Vote:** 1 yes, 1 no, 0 abstain, 1 of 3 not voted"),
        "{text}"
    );
    assert!(!text.contains("Ballots"), "{text}");
    assert!(
        !text.contains("<@3001>") && !text.contains("<@3002>"),
        "{text}"
    );
    let text = views::info(&stored, &s.ballots, &moderator(3003))
        .unwrap()
        .text();
    assert!(
        text.contains("**Ballots:** <@3001> approve, <@3002> reject"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn action_done() {
    let s = Story::of(wg_events(), Policy::default());
    let before = s.events.len();
    let s = s.then(
        &core_maintainer(4001),
        1,
        Command::Veto {
            reason: VETO_REASON.into(),
        },
    );
    // Worded as `/govern veto` words its confirmation.
    let what = s.events[before..]
        .iter()
        .map(|e| e.kind.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let text = format!(
        "Done: {} #12 '{}': {what}. It is now {}. Moderators and the proposer are told, with your reason.",
        s.group.kind,
        s.group.name,
        s.group.state.label()
    );
    insta::assert_snapshot!(notices::done(Markdown::trusted(text)).unwrap().text());
}

fn sponsorship_wg() -> Story {
    let policy = Policy {
        approval: Approval::Sponsorship,
        ..Policy::default()
    };
    let template = TemplateDraft::new(GroupKind::Wg)
        .name("Registry")
        .facilitator(MemberId(1001))
        .field(Field::UseCases, "A public registry of MCP servers")
        .field(Field::FirstItem, "SEP-1234")
        .validate()
        .unwrap();
    let alice = Actor::member(MemberId(1001), []);
    let events = decide(
        None,
        &Ballots::NONE,
        &Command::Propose { template },
        &Acting::new(&alice, t0(), &policy),
    )
    .unwrap();
    Story::of(events, policy)
}

#[test]
fn sponsored_not_yet_enough() {
    let s = sponsorship_wg().then(&core_maintainer(4001), 1, Command::Sponsor);
    assert_eq!(s.group.state, GroupState::Proposed);
    insta::assert_snapshot!(notices::sponsored(
        GroupId(12),
        &s.group,
        MemberId(4001),
        Role::CoreMaintainer
    )
    .unwrap()
    .text());
}

#[test]
fn sponsored_approved() {
    let s = sponsorship_wg()
        .then(&core_maintainer(4001), 1, Command::Sponsor)
        .then(&core_maintainer(4002), 2, Command::Sponsor);
    assert_eq!(s.group.state, GroupState::Active);
    insta::assert_snapshot!(notices::sponsored(
        GroupId(12),
        &s.group,
        MemberId(4002),
        Role::CoreMaintainer
    )
    .unwrap()
    .text());
}

/// The name of every template file in `templates/` (`vote_result` for `vote_result.md.j2`).
fn template_names() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let file = e.unwrap().file_name().to_string_lossy().into_owned();
            file.strip_suffix(".md.j2").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Every template has a snapshot from a test in this file. A snapshot is named after its test:
/// `templates__<template>.snap`, `templates__<template>_<case>.snap`, or for a test showing
/// two templates together `templates__<a>_and_<b>.snap` (insta adds `-2`, `-3` to further
/// snapshots of one test). A snapshot whose test is gone counts for nothing.
#[test]
fn every_template_has_a_snapshot_test() {
    let names = template_names();
    assert!(names.len() > 20, "templates/ read as {names:?}");
    let source = include_str!("templates.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    let mut covered: BTreeSet<&str> = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(test) = file
            .strip_prefix("it__templates__")
            .and_then(|f| f.strip_suffix(".snap"))
        else {
            continue;
        };
        let test = match test.rsplit_once('-') {
            Some((t, n)) if n.chars().all(|c| c.is_ascii_digit()) => t,
            _ => test,
        };
        if !source.contains(&format!("fn {test}()")) {
            continue;
        }
        for part in test.split("_and_") {
            // The longest name that fits, so `group` would never cover `group_info`'s snapshot.
            let template = names
                .iter()
                .filter(|n| part == **n || part.starts_with(&format!("{n}_")))
                .max_by_key(|n| n.len());
            covered.extend(template.map(String::as_str));
        }
    }
    let missing: Vec<_> = names
        .iter()
        .filter(|n| !covered.contains(n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "templates with no snapshot under tests/it/snapshots/ (name the test after the template): {missing:?}"
    );
}

/// The approved WG, quiet until its inactivity limit (30 days after activation at 72h).
fn quiet_wg() -> Story {
    let s = approved(wg_events());
    let limit = govbot::governance::wg_inactivity_deadline(&s.group).unwrap();
    s.then_at(
        &Actor::System,
        limit - Duration::days(7),
        Command::RemindInactivity,
    )
}

#[test]
fn inactivity_reminder() {
    let s = quiet_wg();
    let deadline = govbot::governance::wg_inactivity_deadline(&s.group).unwrap();
    insta::assert_snapshot!(notices::inactivity_reminder(&s.group, deadline)
        .unwrap()
        .text());
}

#[test]
fn retirement_candidate() {
    let s = quiet_wg();
    let limit = govbot::governance::wg_inactivity_deadline(&s.group).unwrap();
    let s = s.then_at(&Actor::System, limit, Command::FlagRetirementCandidate);
    let EventKind::RetirementCandidate { cause } = s.last().kind else {
        panic!("not a candidacy: {:?}", s.last().kind)
    };
    insta::assert_snapshot!(notices::retirement_candidate(&s.group, s.last().at, cause)
        .unwrap()
        .text());
}

#[test]
fn candidacy_decided_kept() {
    let s = quiet_wg();
    let limit = govbot::governance::wg_inactivity_deadline(&s.group).unwrap();
    let s = s
        .then_at(&Actor::System, limit, Command::FlagRetirementCandidate)
        .then_at(
            &moderator(3001),
            limit + Duration::days(1),
            Command::Keep {
                reason: "The spec work resumes after the holidays.".into(),
            },
        );
    insta::assert_snapshot!(notices::candidacy_decided(&s.group, s.last(), "kept")
        .unwrap()
        .text());
}

fn quiet_ig() -> Story {
    let s = approved(ig_events());
    let due = govbot::governance::quiet_reminder_due_at(&s.group).unwrap();
    s.then_at(&Actor::System, due, Command::RemindQuiet)
}

#[test]
fn quiet_reminder_in_the_channel() {
    let s = quiet_ig();
    insta::assert_snapshot!(notices::quiet_reminder(GroupId(14), &s.group, false)
        .unwrap()
        .text());
}

#[test]
fn quiet_reminder_for_moderators() {
    let s = quiet_ig();
    insta::assert_snapshot!(notices::quiet_reminder(GroupId(14), &s.group, true)
        .unwrap()
        .text());
}

#[test]
fn status_posted() {
    let s = approved(wg_events()).then(
        &Actor::member(MemberId(1001), []),
        100,
        Command::PostStatus {
            text: "Draft SEP-1234 is out for review; next call on Thursday.".into(),
        },
    );
    let EventKind::StatusPosted { text } = &s.last().kind else {
        panic!("not a status")
    };
    insta::assert_snapshot!(notices::status_posted(&s.group, s.last(), text)
        .unwrap()
        .text());
}

// A group's life: `/group health`, `/wg item list`, and `/group list` with each group's activity.

fn stored(s: &Story, id: i64) -> StoredGroup {
    StoredGroup {
        id: GroupId(id),
        version: s.events.len() as i64,
        group: s.group.clone(),
    }
}

/// The IG, active since 73h, with a meeting on day 3 and conversation noted on day 4.
fn lively_ig() -> Story {
    let bob = Actor::member(MemberId(1101), []);
    approved(ig_events())
        .then(
            &bob,
            80,
            Command::RecordMeeting {
                at: at(78),
                attendees: vec![MemberId(1101), MemberId(1102)],
            },
        )
        .then(&Actor::System, 90, Command::NoteConversation { at: at(90) })
}

fn week(month: u32, day: u32, messages: i64, participants: i64) -> govbot::store::WeekActivity {
    let start = chrono::NaiveDate::from_ymd_opt(2026, month, day).unwrap();
    govbot::store::WeekActivity {
        week_start: start,
        messages,
        participants,
        last_message_at: (messages > 0).then(|| start.and_hms_opt(18, 0, 0).unwrap().and_utc()),
    }
}

#[test]
fn group_health_ig() {
    use govbot::discord::messages::health;
    let s = lively_ig();
    let weeks = [week(10, 26, 0, 0), week(11, 2, 12, 3), week(11, 9, 4, 2)];
    insta::assert_snapshot!(
        health::health(&stored(&s, 14), &weeks, Some(at(199)), at(200))
            .unwrap()
            .text()
    );
    // Quiet for longer than `ig_quiet_after`: said, and never a retirement.
    let later = at(90) + Duration::days(31);
    let quiet = health::health(&stored(&s, 14), &[], None, later)
        .unwrap()
        .text();
    assert!(quiet.contains(":zzz: Quiet"), "{quiet}");
}

/// The WG, active since 73h, tracking a second item from 100h; its first item completed at 110h.
fn working_wg() -> Story {
    let alice = Actor::member(MemberId(1001), []);
    approved(wg_events())
        .then(
            &alice,
            100,
            Command::TrackItem {
                item: ItemRef::Url("https://github.com/org/registry/issues/7".into()),
            },
        )
        .then(
            &alice,
            110,
            Command::CompleteItem {
                item: ItemRef::Sep(1234),
                reason: CloseReason::ByHand,
            },
        )
}

#[test]
fn group_health_wg() {
    let s = working_wg();
    insta::assert_snapshot!(govbot::discord::messages::health::health(
        &stored(&s, 12),
        &[],
        None,
        at(120)
    )
    .unwrap()
    .text());
}

#[test]
fn group_health_wg_retirement_candidate() {
    let s = approved(wg_events());
    let limit = at(73) + Duration::days(30);
    let s = s.then_at(&Actor::System, limit, Command::FlagRetirementCandidate);
    let text = govbot::discord::messages::health::health(&stored(&s, 12), &[], None, limit)
        .unwrap()
        .text();
    insta::assert_snapshot!(text);
}

/// The working WG whose tracked issue GitHub no longer shows (at 115h).
fn wg_with_unreadable_item() -> Story {
    working_wg().then(
        &Actor::System,
        115,
        Command::MarkItemUnreadable {
            item: ItemRef::Url("https://github.com/org/registry/issues/7".into()),
            reason: "GitHub has no org/registry#7: it does not exist, it was moved where the token cannot see it, or it is private and the token in GITHUB_TOKEN (if any) cannot see it".into(),
        },
    )
}

#[test]
fn item_unreadable() {
    let s = wg_with_unreadable_item();
    let EventKind::ItemUnreadable { item, reason } = &s.last().kind else {
        panic!("not an unreadable item: {:?}", s.last().kind)
    };
    insta::assert_snapshot!(
        notices::item_unreadable(GroupId(12), &s.group, item, reason)
            .unwrap()
            .text()
    );
}

#[test]
fn group_health_wg_with_an_unreadable_item() {
    let s = wg_with_unreadable_item();
    let text = govbot::discord::messages::health::health(&stored(&s, 12), &[], None, at(120))
        .unwrap()
        .text();
    assert!(
        text.contains("paused while govbot cannot read 1 of its items"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn retirement_candidate_all_items_completed() {
    let s = working_wg().then(
        &Actor::System,
        120,
        Command::CompleteItem {
            item: ItemRef::Url("https://github.com/org/registry/issues/7".into()),
            reason: CloseReason::NotPlanned,
        },
    );
    let s = s.then(&Actor::System, 121, Command::FlagRetirementCandidate);
    let EventKind::RetirementCandidate { cause } = s.last().kind else {
        panic!("not a candidacy: {:?}", s.last().kind)
    };
    let text = notices::retirement_candidate(&s.group, s.last().at, cause)
        .unwrap()
        .text();
    assert!(
        text.contains("closed as not planned (**not done**)"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn group_health_item_list() {
    let s = working_wg();
    insta::assert_snapshot!(
        govbot::discord::messages::health::item_list(&stored(&s, 12))
            .unwrap()
            .text()
    );
}

#[test]
fn group_list_with_activity() {
    let ig = stored(&lively_ig(), 14);
    let working = stored(&working_wg(), 12);
    let proposal = StoredGroup {
        id: GroupId(15),
        version: 1,
        group: wg(),
    };
    let recent = [(
        GroupId(14),
        govbot::store::ActivitySummary {
            messages: 16,
            participants: 4,
            last_message_at: Some(at(199)),
        },
    )]
    .into();
    insta::assert_snapshot!(
        views::list_with_activity(&[working, ig, proposal], None, &recent)
            .unwrap()
            .text()
    );
}

#[test]
fn audit_head() {
    let head = govbot::store::PendingHead {
        period_start: t0().timestamp_millis() - 9 * 3_600_000,
        recorded_at: t0(),
        events: 1234,
        head: "4ad402969ba048731370209233705c6c5ecc371fb89a7c0cf5ca5bb8a47380c3".to_string(),
        problem: None,
        attempts: 0,
    };
    insta::assert_snapshot!(notices::audit_head(&head).unwrap().text());
}

#[test]
fn audit_head_of_a_log_that_does_not_verify() {
    let head = govbot::store::PendingHead {
        period_start: t0().timestamp_millis() - 9 * 3_600_000,
        recorded_at: t0(),
        events: 1,
        head: "4ad402969ba048731370209233705c6c5ecc371fb89a7c0cf5ca5bb8a47380c3".to_string(),
        problem: Some(
            "event 5: hash mismatch: stored 1ef1, its content hashes to 9b9f (the event was \
             changed after it was written)"
                .to_string(),
        ),
        attempts: 0,
    };
    insta::assert_snapshot!(notices::audit_head(&head).unwrap().text());
}

/// Messages count in words ("1 moderator", "3 moderators"), never "moderator(s)".
#[test]
fn no_template_writes_a_plural_with_parentheses() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "j2") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(!text.contains("(s)"), "{} says \"(s)\"", path.display());
            read += 1;
        }
    }
    assert!(read > 20, "read only {read} templates");
}

/// Every question of the `/group propose` form fits Discord's 45 characters as written, not cut.
#[test]
fn form_labels_fit_discords_45_characters_without_a_cut() {
    let fields: BTreeSet<Field> = [GroupKind::Ig, GroupKind::Wg]
        .iter()
        .flat_map(|k| k.fields().iter().copied())
        .collect();
    assert!(fields.len() >= 7, "{fields:?}");
    for f in fields {
        let label = f.form_label();
        let n = label.chars().count();
        assert!(
            (1..=MAX_FORM_LABEL).contains(&n),
            "{label:?} has {n} characters"
        );
        assert!(!label.ends_with('…'), "{label:?} is cut");
        // A cut of the template's wording would be a prefix of it; a rephrasing is not.
        assert!(
            label == f.label() || !f.label().starts_with(label),
            "{label:?} is {:?} cut",
            f.label()
        );
    }
}

/// The form's title keeps a long name to whole words and marks what it left out.
#[test]
fn form_titles_shorten_a_long_name_at_a_word_boundary() {
    assert_eq!(
        views::form_title(GroupKind::Wg, "Registry"),
        "WG proposal: Registry"
    );
    let name = "Model Context Protocol Server Discovery and Registry Federation";
    let title = views::form_title(GroupKind::Ig, name);
    assert!(title.chars().count() <= MAX_FORM_LABEL, "{title}");
    let kept = title
        .strip_prefix("IG proposal: ")
        .and_then(|t| t.strip_suffix('…'))
        .unwrap_or_else(|| panic!("{title}"));
    assert!(name.starts_with(kept), "{title}");
    assert_eq!(
        name[kept.len()..].chars().next(),
        Some(' '),
        "{title} cuts a word"
    );
    assert_eq!(title, "IG proposal: Model Context Protocol Server…");
}
