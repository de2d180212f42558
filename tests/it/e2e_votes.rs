//! Votes end to end: the real bot in the sandbox, a real SQLite file, time moved by the injected
//! clock.

use crate::common::*;
use govbot::clock::Clock;
use govbot::governance::{BallotVisibility, Choice, GroupState};
use govbot::harness::WAIT;
use govbot::store::GroupId;
use serde_json::{json, Value};

/// A WG proposal by alice, and its announcement in the moderators' channel.
async fn propose(env: &Env, name: &str) -> (GroupId, Value) {
    propose_template(env, &wg_template(name, env.h.user("alice"))).await
}

/// The vote message of group `id` once it satisfies `pred`.
async fn vote_message(env: &Env, id: GroupId, pred: impl Fn(&str) -> bool) -> Value {
    env.h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| has_ballot_buttons(m, id) && pred(&text(m)),
            WAIT,
        )
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{e}\nmoderators' channel: {:#?}",
                env.h
                    .sandbox
                    .messages(env.moderators())
                    .iter()
                    .map(text)
                    .collect::<Vec<_>>()
            )
        })
}

async fn call_vote(env: &Env, by: &str, id: GroupId) -> (bool, String) {
    let (i, _, _) = env
        .group(
            by,
            "call-vote",
            json!([{"type": 4, "name": "id", "value": id.0}]),
        )
        .await;
    answer(env, &i).await
}

fn disabled_buttons(m: &Value) -> usize {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["disabled"] == true)
        .count()
}

#[tokio::test]
async fn a_called_vote_collects_ballots_and_an_approval_opens_the_group_channel() {
    let env = start().await;
    let (id, announcement) = propose(&env, "Registry").await;

    let (private, said) = click(
        &env,
        "mod-ana",
        &announcement,
        &ComponentId::CallVote(id).to_string(),
    )
    .await;
    assert!(private, "the caller's confirmation is private");
    assert!(said.contains("among 3 moderators"), "{said}");

    let vote = vote_message(&env, id, |t| t.contains("0 approve")).await;
    let t = text(&vote);
    assert!(t.contains("<t:"), "the close is a Discord timestamp: {t}");
    assert!(t.contains("3 moderators"), "{t}");
    let bot = env.h.sandbox.world().bot_user_id;
    let reactions = eventually("the bot's three reactions", || {
        let r = env.h.sandbox.reactions(env.moderators(), id_of(&vote));
        (r.len() == 3 && r.iter().all(|(_, users)| users == &vec![bot])).then_some(r)
    })
    .await;
    let emojis: Vec<&str> = reactions.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(emojis, ["✅", "❌", "➖"]);

    // A button ballot, a reaction ballot, and an outsider refused both ways.
    let (private, said) = click(&env, "mod-ana", &vote, &ballot(&vote, "yes")).await;
    assert!(private);
    assert!(said.contains("**approve**"), "{said}");
    env.h
        .sandbox
        .add_reaction(env.h.user("mod-ben"), env.moderators(), id_of(&vote), "✅")
        .await;
    let vote = vote_message(&env, id, |t| t.contains("2 approve")).await;
    assert!(text(&vote).contains(&format!("<@{}> ✅", env.h.user("mod-ben"))));

    // The outsider is a core maintainer: the moderators' channel is private, and of those
    // outside the electorate only the maintainers can see it.
    let outsider = env.h.user("core-kim");
    env.h
        .sandbox
        .add_reaction(outsider, env.moderators(), id_of(&vote), "✅")
        .await;
    eventually("the outsider's reaction to be removed", || {
        let r = env.h.sandbox.reactions(env.moderators(), id_of(&vote));
        let on = r.iter().any(|(_, users)| users.contains(&outsider));
        (!on).then_some(())
    })
    .await;
    let (private, said) = click(&env, "core-kim", &vote, &ballot(&vote, "yes")).await;
    assert!(private);
    assert!(said.contains("not in this vote's electorate"), "{said}");

    // The window passes: the scheduler closes the vote from the database.
    env.h.clock.advance(chrono::Duration::seconds(72 * HOUR));
    let closed = vote_message(&env, id, |t| t.contains("Result:** approved")).await;
    assert_eq!(
        disabled_buttons(&closed),
        3,
        "buttons are disabled after the close"
    );
    env.h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| text(m).contains("Vote closed") && text(m).contains("approved"),
            WAIT,
        )
        .await
        .unwrap();
    env.h
        .sandbox
        .wait_message(
            env.creation(),
            |m| replied_to(m).is_some() && text(m).contains("Vote closed"),
            WAIT,
        )
        .await
        .unwrap();

    let channel = eventually("the group's channel", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["name"] == "wg-registry")
    })
    .await;
    let category = env.h.channel("Working Groups");
    assert_eq!(channel["parent_id"], json!(category.to_string()));
    let channel_id: u64 = channel["id"].as_str().unwrap().parse().unwrap();
    let overwrites = channel["permission_overwrites"].as_array().unwrap();
    let alice = env.h.user("alice");
    assert!(
        overwrites
            .iter()
            .any(|o| o["id"] == json!(alice.to_string()) && o["type"] == json!(1)),
        "the facilitator has access: {overwrites:?}"
    );
    env.wait_text(channel_id, "SEP-1234").await;
    env.h
        .sandbox
        .wait_message(
            env.h.channel("announcements"),
            |m| text(m).contains(&format!("<#{channel_id}>")),
            WAIT,
        )
        .await
        .unwrap();

    let store = env.h.store().await.unwrap();
    let g = store.group(id).await.unwrap().group;
    assert_eq!(g.state, GroupState::Active);
    assert_eq!(g.channel, Some(channel_id));
    let standing = store.standing(id, g.vote.as_ref().unwrap()).await.unwrap();
    assert_eq!(standing.len(), 2);
    assert!(standing.values().all(|c| *c == Choice::Yes));
    // Those who acted by button are known by name in histories and exports.
    let names = store.member_names().await.unwrap();
    let ana = govbot::governance::MemberId(env.h.user("mod-ana"));
    assert!(
        names.get(&ana).is_some_and(|n| n.contains("mod-ana")),
        "{names:?}"
    );
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

async fn slash(
    env: &Env,
    by: &str,
    sub: &str,
    id: GroupId,
    reason: Option<&str>,
) -> (bool, String) {
    let mut options = vec![json!({"type": 4, "name": "id", "value": id.0})];
    if let Some(r) = reason {
        options.push(json!({"type": 3, "name": "reason", "value": r}));
    }
    let (i, _, _) = env.group(by, sub, Value::Array(options)).await;
    answer(env, &i).await
}

async fn state_of(env: &Env, id: GroupId) -> GroupState {
    env.h
        .store()
        .await
        .unwrap()
        .group(id)
        .await
        .unwrap()
        .group
        .state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_veto_under_vote_ends_the_vote_and_everyone_is_told_with_the_reason() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    click(&env, "mod-ben", &vote, &ballot(&vote, "yes")).await;

    let (_, said) = slash(&env, "mod-ana", "veto", id, Some("overlaps")).await;
    assert!(refused(&said), "moderators cannot veto: {said}");
    let (private, said) = slash(
        &env,
        "core-kim",
        "veto",
        id,
        Some("duplicates the Registry IG"),
    )
    .await;
    assert!(private && !refused(&said), "{said}");
    assert_eq!(state_of(&env, id).await, GroupState::Vetoed);

    let ended = vote_message(&env, id, |t| t.contains("Ended early")).await;
    assert!(text(&ended).contains("duplicates the Registry IG"));
    assert_eq!(disabled_buttons(&ended), 3);
    env.h
        .sandbox
        .wait_message(
            env.creation(),
            |m| {
                replied_to(m).is_some()
                    && text(m).contains("vetoed")
                    && text(m).contains("duplicates the Registry IG")
            },
            WAIT,
        )
        .await
        .unwrap();
    // A ballot after the veto is refused; the closed vote's time passing changes nothing.
    let i = env
        .h
        .sandbox
        .try_click_button(
            env.h.user("mod-cy"),
            env.moderators(),
            id_of(&ended),
            &ballot(&ended, "yes"),
        )
        .await;
    assert!(i.is_err(), "the buttons are disabled");
    env.h.clock.advance(chrono::Duration::seconds(80 * HOUR));

    let (_, said) = slash(&env, "core-kim", "lift-veto", id, Some("resolved")).await;
    assert!(refused(&said), "only lead maintainers lift a veto: {said}");
    let (_, said) = slash(
        &env,
        "lead-lee",
        "lift-veto",
        id,
        Some("the overlap is resolved"),
    )
    .await;
    assert!(!refused(&said), "{said}");
    assert_eq!(state_of(&env, id).await, GroupState::Proposed);
    env.wait_text(env.moderators(), "veto lifted").await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_veto_on_an_active_group_archives_its_channel_and_lifting_it_restores_it() {
    let env = start().await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    let (_, said) = slash(
        &env,
        "lead-lee",
        "veto",
        id,
        Some("abandoned by its sponsors"),
    )
    .await;
    assert!(!refused(&said), "{said}");
    let archive = env.h.channel("Archive").to_string();
    let moved = eventually("the channel to move to the archive", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["id"] == json!(channel.to_string()) && c["parent_id"] == json!(archive))
    })
    .await;
    let everyone = env.h.config.guild_id.to_string();
    let denies = moved["permission_overwrites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == json!(everyone))
        .map(|o| o["deny"].as_str().unwrap().parse::<u64>().unwrap())
        .expect("an overwrite for @everyone");
    assert!(
        denies & 0x800 != 0,
        "SEND_MESSAGES is denied in the archive"
    );
    env.wait_text(channel, "abandoned by its sponsors").await;
    assert!(
        env.h
            .sandbox
            .channels()
            .iter()
            .any(|c| c["id"] == json!(channel.to_string())),
        "the channel is never deleted"
    );

    slash(&env, "lead-lee", "lift-veto", id, Some("sponsors returned")).await;
    let category = env.h.channel("Working Groups").to_string();
    eventually("the channel to return to its category", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["id"] == json!(channel.to_string()) && c["parent_id"] == json!(category))
    })
    .await;
    assert_eq!(state_of(&env, id).await, GroupState::Active);
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reversal_vote_dissolves_the_group_and_history_shows_every_step() {
    // Anyone may send /govern here, so govbot's own role checks are what refuses.
    let env = start_with(everyone_may_govern()).await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    let (_, said) = slash(&env, "alice", "reverse", id, Some("no longer needed")).await;
    assert!(refused(&said), "{said}");
    let (_, said) = slash(&env, "mod-ben", "reverse", id, Some("no longer needed")).await;
    assert!(!refused(&said), "{said}");
    assert_eq!(state_of(&env, id).await, GroupState::UnderReversalVote);
    let vote = vote_message(&env, id, |t| {
        t.contains("Reversal vote") && t.contains("no longer needed")
    })
    .await;
    for m in ["mod-ana", "mod-ben"] {
        click(&env, m, &vote, &ballot(&vote, "yes")).await;
    }
    env.h.clock.advance(chrono::Duration::seconds(72 * HOUR));
    let archive = env.h.channel("Archive").to_string();
    eventually("the dissolved group's channel to be archived", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["id"] == json!(channel.to_string()) && c["parent_id"] == json!(archive))
    })
    .await;
    assert_eq!(state_of(&env, id).await, GroupState::Reversed);

    // alice, a member, sees each vote's ballots counted; who voted what is the moderators'.
    let (private, said) = slash(&env, "alice", "history", id, None).await;
    assert!(private);
    let order = [
        "proposed",
        "opened a creation vote",
        "3 ballots were cast",
        "closed the vote: approved",
        "linked the channel <#",
        "opened a reversal vote",
        "2 ballots were cast",
        "closed the vote: approved",
    ];
    let mut at = 0;
    for step in order {
        let found = said[at..]
            .find(step)
            .unwrap_or_else(|| panic!("{step:?} missing after {at} in:\n{said}"));
        at += found + step.len();
    }
    assert!(
        said.contains("no longer needed"),
        "the reason is in the history: {said}"
    );
    assert!(said.contains(&format!("<#{channel}>")), "{said}");
    assert!(
        said.contains(":f> <@"),
        "times are Discord timestamps: {said}"
    );
    let (_, said) = slash(&env, "mod-cy", "history", id, None).await;
    assert!(
        said.contains(&format!("<@{}> voted yes", env.h.user("mod-ben"))),
        "{said}"
    );
    env.h.shutdown().await.unwrap();
}

/// Every id a ballot of `voters` could be shown by, as a mention.
fn mentions_of(env: &Env, voters: &[&str]) -> Vec<String> {
    voters
        .iter()
        .map(|v| format!("<@{}>", env.h.user(v)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sees_the_tally_and_a_moderator_who_voted_what() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    click(&env, "mod-ben", &vote, &ballot(&vote, "yes")).await;
    click(&env, "mod-cy", &vote, &ballot(&vote, "no")).await;
    vote_message(&env, id, |t| {
        t.contains("1 approve") && t.contains("1 reject")
    })
    .await;

    // The vote message, in the private moderators' channel, shows each ballot.
    let t = text(&vote_message(&env, id, |t| t.contains("1 reject")).await);
    for m in mentions_of(&env, &["mod-ben", "mod-cy"]) {
        assert!(t.contains(&m), "{t}");
    }

    // A member (bob: no role) and a steering group member who is no maintainer see counts only.
    for who in ["bob", "steer-sam"] {
        let (private, history) = slash(&env, who, "history", id, None).await;
        assert!(private);
        let (_, info) = slash(&env, who, "info", id, None).await;
        for said in [&history, &info] {
            for m in mentions_of(&env, &["mod-ben", "mod-cy"]) {
                assert!(!said.contains(&m), "{who} sees a voter {m}: {said}");
            }
            assert!(
                !said.contains("voted yes") && !said.contains("voted no"),
                "{said}"
            );
        }
        assert!(history.contains("2 ballots were cast"), "{history}");
        assert!(
            info.contains("1 yes, 1 no, 0 abstain, 1 of 3 not voted"),
            "{info}"
        );
        assert!(!info.contains("Ballots"), "{info}");
    }

    // Moderators, core and lead maintainers see who voted what.
    for who in ["mod-ana", "core-kim", "lead-lee"] {
        let (_, history) = slash(&env, who, "history", id, None).await;
        assert!(
            history.contains(&format!("<@{}> voted yes", env.h.user("mod-ben"))),
            "{who}: {history}"
        );
        assert!(
            history.contains(&format!("<@{}> voted no", env.h.user("mod-cy"))),
            "{who}: {history}"
        );
        let (_, info) = slash(&env, who, "info", id, None).await;
        let [ben, cy] = [env.h.user("mod-ben"), env.h.user("mod-cy")];
        assert!(
            info.contains(&format!("**Ballots:** <@{ben}> approve, <@{cy}> reject"))
                || info.contains(&format!("**Ballots:** <@{cy}> reject, <@{ben}> approve")),
            "{who}: {info}"
        );
    }
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_public_ballots_everyone_sees_who_voted_what_in_votes_opened_since() {
    let mut env = start().await;
    let (before, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", before).await;
    let vote = vote_message(&env, before, |_| true).await;
    click(&env, "mod-ben", &vote, &ballot(&vote, "yes")).await;

    // The operator makes ballots public: votes already open keep theirs private.
    env.h.config.policy.ballot_visibility = BallotVisibility::Public;
    env.h.restart_bot().await.unwrap();
    let (after, _) = propose(&env, "Inspector").await;
    call_vote(&env, "mod-ana", after).await;
    let vote = vote_message(&env, after, |_| true).await;
    click(&env, "mod-ben", &vote, &ballot(&vote, "no")).await;
    vote_message(&env, after, |t| t.contains("1 reject")).await;

    let ben = env.h.user("mod-ben");
    let (_, history) = slash(&env, "bob", "history", after, None).await;
    assert!(history.contains(&format!("<@{ben}> voted no")), "{history}");
    let (_, info) = slash(&env, "bob", "info", after, None).await;
    assert!(
        info.contains(&format!("**Ballots:** <@{ben}> reject")),
        "{info}"
    );

    let (_, history) = slash(&env, "bob", "history", before, None).await;
    assert!(!history.contains(&format!("<@{ben}>")), "{history}");
    assert!(history.contains("1 ballot was cast"), "{history}");
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_pings_only_those_who_have_not_voted_once() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    click(&env, "mod-ana", &vote, &ballot(&vote, "no")).await;
    env.h.clock.advance(chrono::Duration::seconds(48 * HOUR));
    let reminder = env
        .h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| text(m).contains("Not voted yet"),
            WAIT,
        )
        .await
        .unwrap();
    let t = text(&reminder);
    assert!(t.contains(&format!("<@{}>", env.h.user("mod-ben"))), "{t}");
    assert!(t.contains(&format!("<@{}>", env.h.user("mod-cy"))), "{t}");
    assert!(!t.contains(&format!("<@{}>", env.h.user("mod-ana"))), "{t}");
    let pinged: Vec<String> = reminder["mentions"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|u| u["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(pinged.is_empty() || pinged.len() == 2, "{pinged:?}");

    // A restart and more time before the close send nothing twice.
    let mut env = env;
    env.h.restart_bot().await.unwrap();
    env.h.clock.advance(chrono::Duration::seconds(HOUR));
    click(&env, "mod-ben", &vote, &ballot(&vote, "yes")).await;
    vote_message(&env, id, |t| t.contains("1 approve")).await;
    let reminders = env
        .h
        .sandbox
        .messages(env.moderators())
        .iter()
        .filter(|m| text(m).contains("Not voted yet"))
        .count();
    assert_eq!(reminders, 1);
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vote_whose_deadline_passed_while_the_bot_was_down_closes_at_start_as_of_the_deadline() {
    let mut env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    for m in ["mod-ana", "mod-ben"] {
        click(&env, m, &vote, &ballot(&vote, "yes")).await;
    }
    env.h.stop_bot().await.unwrap();
    env.h.clock.advance(chrono::Duration::seconds(100 * HOUR));
    env.h.start_bot().await.unwrap();
    vote_message(&env, id, |t| t.contains("Result:** approved")).await;
    let store = env.h.store().await.unwrap();
    let g = store.group(id).await.unwrap().group;
    let v = g.vote.as_ref().unwrap();
    assert_eq!(
        g.active_since,
        Some(v.closes_at),
        "the result is as of the deadline"
    );
    let history = store.history(id).await.unwrap();
    let closed = history
        .iter()
        .find(|e| e.event.kind.name() == "vote_closed")
        .unwrap();
    assert_eq!(
        closed.event.at,
        env.h.clock.now(),
        "closed when the bot came back"
    );
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_added_or_removed_while_the_bot_was_down_are_reconciled_at_start() {
    let mut env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    let m = id_of(&vote);
    env.h
        .sandbox
        .add_reaction(env.h.user("mod-ana"), env.moderators(), m, "✅")
        .await;
    vote_message(&env, id, |t| t.contains("1 approve")).await;

    env.h.stop_bot().await.unwrap();
    env.h
        .sandbox
        .remove_reaction(env.h.user("mod-ana"), env.moderators(), m, "✅")
        .await;
    env.h
        .sandbox
        .add_reaction(env.h.user("mod-ben"), env.moderators(), m, "❌")
        .await;
    // An outsider who can see the private channel: a core maintainer. (On ➖: the start-up
    // compares each emoji's count before reading its users, and a removal and an addition on the
    // same emoji would cancel out; see `votes::reconcile_reactions`.)
    let outsider = env.h.user("core-kim");
    env.h
        .sandbox
        .add_reaction(outsider, env.moderators(), m, "➖")
        .await;
    let before = env.h.sandbox.rest_log().len();
    env.h.start_bot().await.unwrap();

    vote_message(&env, id, |t| {
        t.contains("0 approve") && t.contains("1 reject")
    })
    .await;
    eventually("the outsider's reaction to be removed", || {
        let r = env.h.sandbox.reactions(env.moderators(), m);
        (!r.iter().any(|(_, u)| u.contains(&outsider))).then_some(())
    })
    .await;
    let store = env.h.store().await.unwrap();
    let g = store.group(id).await.unwrap().group;
    let standing = store.standing(id, g.vote.as_ref().unwrap()).await.unwrap();
    assert_eq!(standing.len(), 1);
    assert_eq!(
        standing.get(&govbot::governance::MemberId(env.h.user("mod-ben"))),
        Some(&Choice::No)
    );
    // One read of the vote message's channel, then the users of the three emoji whose counts
    // changed; the ✅ and ❌ are govbot's to keep in line, so nothing else is read.
    let reads: Vec<_> = env.h.sandbox.rest_log()[before..]
        .iter()
        .filter(|c| {
            c.method == "GET"
                && c.path
                    .starts_with(&format!("/channels/{}/messages", env.moderators()))
        })
        .map(|c| c.path.clone())
        .collect();
    assert_eq!(reads.len(), 4, "{reads:#?}");
    assert_eq!(reads[0], format!("/channels/{}/messages", env.moderators()));
    env.h.shutdown().await.unwrap();
}

/// A clean restart with votes open reads nothing before the gateway is up, then reads the vote
/// messages in one call per page (their reaction counts match what was recorded, so no reaction
/// users) and edits none of them: each remembers the version of its group it shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clean_restart_with_open_votes_costs_one_call_and_edits_nothing() {
    let mut env = start().await;
    let mut ids = Vec::new();
    for name in ["Registry", "Tool Filtering", "Server Identity"] {
        let (id, _) = propose(&env, name).await;
        call_vote(&env, "mod-ana", id).await;
        let vote = vote_message(&env, id, |_| true).await;
        env.h
            .sandbox
            .add_reaction(env.h.user("mod-ben"), env.moderators(), id_of(&vote), "✅")
            .await;
        vote_message(&env, id, |t| t.contains("1 approve")).await;
        ids.push(id);
    }
    let store = env.h.store().await.unwrap();
    let waited = std::time::Instant::now();
    while !store.stale_vote_messages().await.unwrap().is_empty() {
        assert!(waited.elapsed() < WAIT, "the vote messages never caught up");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    env.h.stop_bot().await.unwrap();
    let identified = env.h.sandbox.identify_count();
    let from = env.h.sandbox.rest_log().len();
    env.h.start_bot().await.unwrap();
    env.h.caught_up().await.unwrap();
    // The outbox's start-up pass runs at once; give it the time a few edits would take.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let calls = env.h.sandbox.rest_log()[from..].to_vec();
    let channel = format!("/channels/{}/messages", env.moderators());
    let before: Vec<_> = calls
        .iter()
        .filter(|c| c.identified <= identified)
        .map(|c| format!("{} {}", c.method, c.path))
        .collect();
    assert!(
        !before.iter().any(|c| c.contains(&channel)),
        "vote messages read before the gateway connected: {before:#?}"
    );
    let after: Vec<_> = calls
        .iter()
        .filter(|c| c.identified > identified && c.path.starts_with(&channel))
        .map(|c| format!("{} {}", c.method, c.path))
        .collect();
    assert_eq!(
        after,
        [format!("GET {channel}")],
        "one page holds the three vote messages"
    );
    assert!(
        !calls.iter().any(|c| c.method == "PATCH"),
        "a clean restart edited: {:#?}",
        calls
            .iter()
            .filter(|c| c.method == "PATCH")
            .map(|c| &c.path)
            .collect::<Vec<_>>()
    );
    env.h.shutdown().await.unwrap();
}

/// Reconciling the open votes after a restart: one vote that cannot be read (its message deleted)
/// and one whose reactions cannot be (Discord failing on them) do not keep the others from being
/// caught up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_vote_that_cannot_be_reconciled_does_not_stop_the_others() {
    let mut env = start().await;
    let mut messages = Vec::new();
    let mut ids = Vec::new();
    for name in ["Registry", "Tool Filtering", "Server Identity"] {
        let (id, _) = propose(&env, name).await;
        call_vote(&env, "mod-ana", id).await;
        messages.push(id_of(&vote_message(&env, id, |_| true).await));
        ids.push(id);
    }
    env.h.stop_bot().await.unwrap();
    let ben = env.h.user("mod-ben");
    for m in &messages {
        env.h
            .sandbox
            .add_reaction(ben, env.moderators(), *m, "✅")
            .await;
    }
    env.h
        .sandbox
        .delete_message(env.moderators(), messages[0])
        .await;
    env.h.sandbox.inject_server_error(
        discord_standin::RouteMatch::route(
            "GET",
            &format!("/channels/*/messages/{}/**", messages[1]),
        ),
        500,
        std::time::Duration::from_secs(60),
    );
    env.h.start_bot().await.unwrap();
    env.h.caught_up().await.unwrap();
    vote_message(&env, ids[2], |t| t.contains("1 approve")).await;
    let store = env.h.store().await.unwrap();
    for (id, counted) in [(ids[0], 0), (ids[1], 0), (ids[2], 1)] {
        let vote = store.group(id).await.unwrap().group.vote.unwrap();
        assert_eq!(
            store.counts(id, &vote).await.unwrap().yes,
            counted,
            "group {id}"
        );
    }
    env.h.sandbox.clear_faults();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_dispatches_count_once_and_simultaneous_ballots_all_count() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;

    // The same reaction event delivered twice, then the same button interaction twice.
    env.h
        .sandbox
        .add_reaction(env.h.user("mod-ana"), env.moderators(), id_of(&vote), "✅")
        .await;
    env.h.sandbox.redeliver_last_dispatch().await;
    let i = env
        .h
        .sandbox
        .click_button(
            env.h.user("mod-ben"),
            env.moderators(),
            id_of(&vote),
            &ballot(&vote, "no"),
        )
        .await;
    env.h.sandbox.wait_answer(&i, WAIT).await.unwrap();
    env.h.sandbox.redeliver_last_dispatch().await;
    vote_message(&env, id, |t| {
        t.contains("1 approve") && t.contains("1 reject")
    })
    .await;
    // The repeat is answered by nobody and recorded nowhere.
    let store = env.h.store().await.unwrap();
    let ballots = || async {
        let vote = store.group(id).await.unwrap().group.vote.unwrap();
        store.ballots(id, &vote).await.unwrap().len()
    };
    assert_eq!(ballots().await, 2);
    // Answered once, in one call: the confirmation.
    assert_eq!(env.h.sandbox.responses(&i).len(), 1);

    // The whole electorate at the same instant, on a second vote (a duplicate reaction event
    // replayed late on the first vote, after its removal, would be indistinguishable from a new
    // reaction: Discord replays in order, and this keeps the two checks apart).
    let (second, _) = propose(&env, "Tool Filtering").await;
    call_vote(&env, "mod-ana", second).await;
    let vote = vote_message(&env, second, |_| true).await;
    let clicks = ["mod-ana", "mod-ben", "mod-cy"].map(|m| {
        let sandbox = env.h.sandbox.clone();
        let user = env.h.user(m);
        let channel = env.moderators();
        let message = id_of(&vote);
        let custom = ballot(&vote, "abstain");
        tokio::spawn(async move { sandbox.click_button(user, channel, message, &custom).await })
    });
    for c in clicks {
        let i = c.await.unwrap();
        env.h.sandbox.wait_answer(&i, WAIT).await.unwrap();
    }
    let g = store.group(second).await.unwrap().group;
    let vote = g.vote.unwrap();
    assert_eq!(store.ballots(second, &vote).await.unwrap().len(), 3);
    vote_message(&env, second, |t| t.contains("3 abstain")).await;
    env.h.shutdown().await.unwrap();
}

/// Every vote and veto command against every role: allowed, or refused with a message that says
/// who may do it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_against_every_role() {
    // Anyone may send /govern here, so govbot's own role checks are what refuses.
    let env = start_with(everyone_may_govern()).await;
    let users = [
        "alice",
        "dave",
        "mod-ana",
        "core-kim",
        "lead-lee",
        "steer-sam",
    ];
    // (command, state needed, who may, what a refusal names)
    let matrix: [(&str, &str, &[&str], &str); 7] = [
        ("call-vote", "proposed", &["mod-ana"], "moderators"),
        (
            "veto",
            "proposed",
            &["core-kim", "lead-lee"],
            "core or lead maintainers",
        ),
        ("lift-veto", "vetoed", &["lead-lee"], "lead maintainers"),
        ("reverse", "active", &["mod-ana"], "moderators"),
        ("sponsor", "proposed", &[], "sponsor"),
        ("history", "proposed", &users, ""),
        ("withdraw", "proposed", &["alice"], "proposer"),
    ];
    let mut n = 0;
    let mut report = Vec::new();
    for (command, state, allowed, names) in matrix {
        for user in users {
            n += 1;
            let name = format!("Matrix {n}");
            let id = match state {
                "active" => {
                    active_group(&env, &wg_template(&name, env.h.user("alice")))
                        .await
                        .0
                }
                _ => propose(&env, &name).await.0,
            };
            if state == "vetoed" {
                let (_, said) = slash(&env, "core-kim", "veto", id, Some("setting up")).await;
                assert!(!refused(&said), "{said}");
            }
            let reason = matches!(command, "veto" | "lift-veto" | "reverse").then_some("because");
            let (private, said) = slash(&env, user, command, id, reason).await;
            assert!(private, "/{command} by {user} answers privately");
            let ok = !refused(&said);
            let want = allowed.contains(&user);
            if ok != want || (!ok && !said.contains(names)) {
                report.push(format!(
                    "/group {command} by {user}: allowed={ok}, expected {want}: {said}"
                ));
            }
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_sponsorship_two_core_maintainers_or_one_lead_approve_without_a_vote() {
    let mut env = start().await;
    let (voted, _) = propose(&env, "Registry").await;
    env.h.stop_bot().await.unwrap();
    env.h.config.policy.approval = govbot::governance::Approval::Sponsorship;
    env.h.start_bot().await.unwrap();

    // A proposal made under the vote policy keeps it: sponsorship is refused there.
    let (_, said) = slash(&env, "core-kim", "sponsor", voted, None).await;
    assert!(refused(&said) && said.contains("moderator vote"), "{said}");

    let (id, _) = propose(&env, "Tool Filtering").await;
    let (_, said) = call_vote(&env, "mod-ana", id).await;
    assert!(refused(&said) && said.contains("sponsor"), "{said}");
    let (_, said) = slash(&env, "mod-ana", "sponsor", id, None).await;
    assert!(refused(&said), "{said}");
    let (_, said) = slash(&env, "core-kim", "sponsor", id, None).await;
    assert!(!refused(&said), "{said}");
    env.wait_text(env.moderators(), "Sponsors so far: 1 core")
        .await;
    assert_eq!(state_of(&env, id).await, GroupState::Proposed);
    let (_, said) = slash(&env, "lead-lee", "sponsor", id, None).await;
    assert!(!refused(&said), "{said}");
    assert_eq!(state_of(&env, id).await, GroupState::Active);
    eventually("the sponsored group's channel", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["name"] == "wg-tool-filtering")
    })
    .await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// A WG that goes quiet: reminders before the inactivity limit, candidacy with Retire and Keep,
/// kept with a reason, quiet again, then retired by govbot at the end of the grace period.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_wg_is_reminded_becomes_a_candidate_is_kept_then_retired() {
    let env = start().await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    let alice = env.h.user("alice");
    let day = |n: i64| chrono::Duration::days(n);

    env.h.clock.advance(day(23));
    let reminder = env
        .h
        .sandbox
        .wait_message(
            channel,
            |m| text(m).contains("retirement candidate <t:"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(text(&reminder).contains(&format!("<@{alice}>")));
    env.h.clock.advance(day(5));
    eventually("the 2-day reminder", || {
        let n = env
            .h
            .sandbox
            .messages(channel)
            .iter()
            .filter(|m| text(m).contains("retirement candidate <t:"))
            .count();
        (n == 2).then_some(())
    })
    .await;

    env.h.clock.advance(day(2));
    let candidacy = env
        .h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| custom_ids(m).contains(&ComponentId::Keep(id).to_string()),
            WAIT,
        )
        .await
        .unwrap();
    assert!(text(&candidacy).contains("retirement candidate"));
    // Not a moderator, but one who sees the private moderators' channel.
    let (private, said) = click(
        &env,
        "core-kim",
        &candidacy,
        &ComponentId::Keep(id).to_string(),
    )
    .await;
    assert!(private && refused(&said), "{said}");
    let i = env
        .h
        .sandbox
        .click_button(
            env.h.user("mod-ana"),
            env.moderators(),
            id_of(&candidacy),
            &ComponentId::Keep(id).to_string(),
        )
        .await;
    let form = env.h.sandbox.wait_response(&i, WAIT).await.unwrap();
    assert_eq!(
        form.kind, 9,
        "Keep asks for the reason in a form: {}",
        form.data
    );
    let submit = env
        .h
        .sandbox
        .submit_modal(
            env.h.user("mod-ana"),
            env.moderators(),
            &ComponentId::KeepReason(id).to_string(),
            &[("reason", "the spec work resumes after the holidays")],
        )
        .await;
    let (_, said) = answer(&env, &submit).await;
    assert!(!refused(&said), "{said}");
    env.wait_text(channel, "the spec work resumes").await;
    eventually("the candidacy buttons to be disabled", || {
        env.h
            .sandbox
            .message(id_of(&candidacy))
            .filter(|m| disabled_buttons(m) == 2)
    })
    .await;
    assert_eq!(state_of(&env, id).await, GroupState::Active);

    // Quiet for another month: a candidate again, and retired after the 7-day grace period.
    env.h.clock.advance(day(30));
    env.h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| {
                custom_ids(m).contains(&ComponentId::Keep(id).to_string())
                    && id_of(m) != id_of(&candidacy)
            },
            WAIT,
        )
        .await
        .unwrap();
    env.h.clock.advance(day(7));
    let archive = env.h.channel("Archive").to_string();
    eventually("the retired WG's channel in the archive", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["id"] == json!(channel.to_string()) && c["parent_id"] == json!(archive))
    })
    .await;
    assert_eq!(state_of(&env, id).await, GroupState::Retired);
    env.wait_text(env.h.channel("announcements"), "was retired")
        .await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// Someone deletes the vote message: the close still posts the result and opens the channel.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_vote_message_does_not_stop_the_result_or_the_channel() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    for m in ["mod-ana", "mod-ben"] {
        click(&env, m, &vote, &ballot(&vote, "yes")).await;
    }
    env.h
        .sandbox
        .delete_message(env.moderators(), id_of(&vote))
        .await;
    env.h.clock.advance(chrono::Duration::seconds(72 * HOUR));
    env.wait_text(env.moderators(), "Vote closed: WG #1 Registry approved")
        .await;
    eventually("the group's channel", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["name"] == "wg-registry")
    })
    .await;
    let failures = env.h.store().await.unwrap().outbox_pending().await.unwrap();
    assert!(failures.is_empty(), "nothing waits: {failures:?}");
    env.h.shutdown().await.unwrap();
}

/// An approval whose channel could not be created (its effect given up) gets the channel when
/// govbot starts again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_active_group_without_a_channel_gets_one_at_start_up() {
    let mut env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    for m in ["mod-ana", "mod-ben"] {
        click(&env, m, &vote, &ballot(&vote, "yes")).await;
    }
    env.h.stop_bot().await.unwrap();
    // The close happens while the bot is down, and its effects are skipped as if dropped.
    let store = env.h.store().await.unwrap();
    env.h.clock.advance(chrono::Duration::seconds(72 * HOUR));
    let policy = env.h.config.policy.clone();
    let done = govbot::scheduler::pass(&store, env.h.clock.now(), &policy)
        .await
        .unwrap();
    assert_eq!(done.done, 1);
    let all = store.events_after(0, 10_000).await.unwrap();
    store
        .set_outbox_cursor("discord", all.last().unwrap().id)
        .await
        .unwrap();
    assert_eq!(state_of(&env, id).await, GroupState::Active);
    assert!(store.group(id).await.unwrap().group.channel.is_none());

    env.h.start_bot().await.unwrap();
    eventually("the group's channel", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["name"] == "wg-registry")
    })
    .await;
    eventually("the channel to be linked", || {
        block_on(store.group(id)).ok().and_then(|g| g.group.channel)
    })
    .await;
    env.h.shutdown().await.unwrap();
}

/// A creation vote's message whose close edit keeps failing still shows enabled buttons; once a
/// reversal vote runs, a click on that old Approve is refused privately ("this vote is closed")
/// and counts in neither vote (it used to be recorded as Yes in the reversal vote).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_votes_button_never_votes_in_a_later_vote() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let creation = vote_message(&env, id, |_| true).await;
    let creation_path = format!(
        "/channels/{}/messages/{}",
        env.moderators(),
        id_of(&creation)
    );
    // Every edit of the creation vote's message fails from now on: its buttons stay enabled.
    let _stuck = env.h.sandbox.fail_requests(
        move |r| r.method == "PATCH" && r.path == creation_path,
        500,
        0,
        "500: Internal Server Error",
    );
    for m in ["mod-ana", "mod-ben"] {
        click(&env, m, &creation, &ballot(&creation, "yes")).await;
    }
    env.h.clock.advance(chrono::Duration::seconds(72 * HOUR));
    eventually("the group to be approved", || {
        let store = block_on(env.h.store()).ok()?;
        (block_on(store.group(id)).ok()?.group.state == GroupState::Active).then_some(())
    })
    .await;
    let (_, said) = slash(&env, "mod-ben", "reverse", id, Some("new information")).await;
    assert!(!refused(&said), "{said}");

    let (private, said) = click(&env, "mod-ana", &creation, &ballot(&creation, "yes")).await;
    assert!(private);
    assert!(
        said.contains("this vote") && said.contains("is closed"),
        "{said}"
    );
    let store = env.h.store().await.unwrap();
    let reversal = store.group(id).await.unwrap().group.vote.unwrap();
    assert_eq!(reversal.purpose, govbot::governance::VotePurpose::Reversal);
    let ballots = store.ballots(id, &reversal).await.unwrap();
    assert!(
        ballots.is_empty(),
        "the old button voted in the reversal: {ballots:?}"
    );
    env.h.shutdown().await.unwrap();
}

/// Another writer holds SQLite's write lock for longer than Discord's 3 seconds: the click is
/// acknowledged at once (deferred, before any database write), then confirmed once the ballot is
/// recorded. It used to be written first and answered late, so the voter saw "interaction
/// failed" for a ballot that was in fact counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_during_a_database_stall_is_acknowledged_at_once_and_confirmed_after() {
    let (env, id, i, mut other) = ballot_while_the_database_is_held().await;
    // The stall itself: the lock is held past the interaction's deadline, then released.
    tokio::time::sleep(std::time::Duration::from_secs(4)).await;
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let confirmed = env.h.sandbox.wait_followup(&i, 0, WAIT).await.unwrap();
    assert!(text(&confirmed).contains("**approve**"), "{confirmed:?}");
    let store = env.h.store().await.unwrap();
    let vote = store.group(id).await.unwrap().group.vote.unwrap();
    assert_eq!(store.ballots(id, &vote).await.unwrap().len(), 1);
    env.h.shutdown().await.unwrap();
}

/// A session lost and identified anew (close 4009) starts from now on Discord: nothing missed in
/// the gap is replayed. After the new READY, govbot reads the open votes' reactions and the
/// creation channel again, so a ballot by reaction and a template posted in the gap both count.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_a_lost_session_missed_is_caught_up_after_the_new_one() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    let sandbox = &env.h.sandbox;
    let before = sandbox.identify_count();
    sandbox.hold_sessions(true);
    assert!(sandbox.disconnect(4009), "a bot was connected");
    sandbox.wait_gateway(|g| !g.connected, WAIT).await.unwrap();

    // The gap: a moderator votes by reaction and a member posts a template; neither is delivered.
    let ben = env.h.user("mod-ben");
    sandbox
        .add_reaction(ben, env.moderators(), id_of(&vote), "✅")
        .await;
    let alice = env.h.user("alice");
    let posted = sandbox
        .post_message(env.creation(), alice, &wg_template("Inspector", alice))
        .await;
    let lost = sandbox.undelivered();
    assert!(
        lost.iter().any(|u| u.event == "MESSAGE_REACTION_ADD")
            && lost.iter().any(|u| u.event == "MESSAGE_CREATE"),
        "both happened while no session was up: {lost:?}"
    );

    sandbox.hold_sessions(false);
    sandbox
        .wait_gateway(|g| g.identifies > before && g.connected, WAIT)
        .await
        .unwrap();
    assert_eq!(
        sandbox.gateway_stats().resumes,
        0,
        "a new session, not a resumed one"
    );
    vote_message(&env, id, |t| t.contains("1 approve")).await;
    sandbox
        .wait_message(env.creation(), |m| replied_to(m) == Some(posted), WAIT)
        .await
        .unwrap();
    let store = env.h.store().await.unwrap();
    assert_eq!(store.list(&Default::default()).await.unwrap().len(), 2);
    env.h.shutdown().await.unwrap();
}

/// A stall longer than SQLite's busy timeout (10 s): the ballot is acknowledged at once, then
/// answered "not recorded, try again", and is truly not recorded (its transaction rolled back).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_that_outlasts_the_busy_timeout_is_not_recorded_and_says_so() {
    let (env, id, i, mut other) = ballot_while_the_database_is_held().await;
    // Held past the store's busy timeout: the ballot's transaction gives up.
    let said = env
        .h
        .sandbox
        .wait_followup(&i, 0, std::time::Duration::from_secs(20))
        .await
        .unwrap();
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    assert!(
        text(&said).contains("not recorded") && text(&said).contains("try again"),
        "{said:?}"
    );
    let store = env.h.store().await.unwrap();
    let vote = store.group(id).await.unwrap().group.vote.unwrap();
    assert!(store.ballots(id, &vote).await.unwrap().is_empty());
    env.h.shutdown().await.unwrap();
}

/// A vote on a proposal, another connection holding SQLite's write lock (`BEGIN IMMEDIATE`),
/// then mod-ben's Approve click, checked to be acknowledged (deferred) within Discord's 3
/// seconds, which the sandbox enforces. Returns the connection still holding the lock.
async fn ballot_while_the_database_is_held() -> (
    Env,
    GroupId,
    discord_standin::Interaction,
    sqlx::SqliteConnection,
) {
    use sqlx::ConnectOptions as _;
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    let mut other = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(env.h.database())
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();
    let i = env
        .h
        .sandbox
        .click_button(
            env.h.user("mod-ben"),
            env.moderators(),
            id_of(&vote),
            &ballot(&vote, "yes"),
        )
        .await;
    // The sandbox refuses a first answer later than Discord's 3 seconds.
    let first = env
        .h
        .sandbox
        .wait_response(&i, std::time::Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(first.kind, 5, "deferred first: {:?}", first.data);
    (env, id, i, other)
}

/// Discord shows `/govern` only to those the admins let use it (the standard world lets the
/// moderators, core and lead maintainers): a member's client cannot even send it, while
/// `/group` stays everyone's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_those_who_decide_can_send_govern() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    let hidden = env
        .h
        .sandbox
        .try_slash_command(
            env.h.user("alice"),
            env.creation(),
            "govern",
            serde_json::json!([{"type": 1, "name": "veto", "options": [
                {"type": 4, "name": "id", "value": id.0},
                {"type": 3, "name": "reason", "value": "mine"}
            ]}]),
        )
        .await
        .expect_err("a member without Manage Messages or an Integrations permission sent /govern");
    assert!(
        hidden.to_string().contains("cannot use /govern"),
        "{hidden:#}"
    );
    let registered = env.h.sandbox.registered_commands();
    let govern = registered.iter().find(|c| c["name"] == "govern").unwrap();
    assert_eq!(govern["default_member_permissions"], "8192", "{govern}");
    let group = registered.iter().find(|c| c["name"] == "group").unwrap();
    assert!(group["default_member_permissions"].is_null(), "{group}");
    let (_, said) = slash(&env, "core-kim", "veto", id, Some("overlaps")).await;
    assert!(!refused(&said), "{said}");
    assert_eq!(state_of(&env, id).await, GroupState::Vetoed);
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// `/group history` pages a long history, newest first, and says how to reach the older page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_history_is_read_page_by_page_on_discord() {
    let env = start().await;
    let (id, _) = propose(&env, "Registry").await;
    call_vote(&env, "mod-ana", id).await;
    let vote = vote_message(&env, id, |_| true).await;
    // Each changed ballot is a line of the history: 2 + 30 lines, two pages.
    for n in 0..30 {
        let choice = if n % 2 == 0 { "yes" } else { "no" };
        click(&env, "mod-ben", &vote, &ballot(&vote, choice)).await;
    }
    let history = |page: Option<i64>| {
        let mut options = vec![json!({"type": 4, "name": "id", "value": id.0})];
        if let Some(p) = page {
            options.push(json!({"type": 4, "name": "page", "value": p}));
        }
        let env = &env;
        async move {
            let (i, _, _) = env.group("mod-cy", "history", Value::Array(options)).await;
            answer(env, &i).await.1
        }
    };
    let newest = history(None).await;
    assert!(
        newest.contains(&format!(
            "Page 1 of 2, newest first; older events: `/group history id:{} page:2`",
            id.0
        )),
        "{newest}"
    );
    assert!(!newest.contains("proposed WG"), "{newest}");
    let older = history(Some(2)).await;
    assert!(older.contains("Page 2 of 2"), "{older}");
    assert!(older.contains("proposed WG"), "{older}");
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}
