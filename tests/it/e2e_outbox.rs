//! The outbox against a failing Discord: faults injected in the sandbox between govbot and its
//! stand-in, the real bot, a real SQLite file. Each test waits on what Discord saw (requests
//! refused, messages posted), never on a timer.

use crate::common::*;
use govbot::clock::Clock;
use govbot::governance::{Acting, Actor, Choice, Command, MemberId, Role};
use govbot::harness::WAIT;
use govbot::store::{GroupId, Target};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn slash(env: &Env, by: &str, sub: &str, id: GroupId, reason: &str) -> String {
    let options = json!([
        {"type": 4, "name": "id", "value": id.0},
        {"type": 3, "name": "reason", "value": reason},
    ]);
    let (i, _, _) = env.group(by, sub, options).await;
    let (_, said) = answer(env, &i).await;
    assert!(!refused(&said), "{said}");
    said
}

/// Calls the vote on `id` and has all three moderators approve it.
async fn approve(env: &Env, id: GroupId) -> Value {
    let (i, _, _) = env
        .group(
            "mod-ana",
            "call-vote",
            json!([{"type": 4, "name": "id", "value": id.0}]),
        )
        .await;
    answer(env, &i).await;
    let vote = env
        .h
        .sandbox
        .wait_message(env.moderators(), |m| has_ballot_buttons(m, id), WAIT)
        .await
        .unwrap();
    let button = ballot(&vote, "yes");
    for m in ["mod-ana", "mod-ben", "mod-cy"] {
        click(env, m, &vote, &button).await;
    }
    vote
}

fn in_category(env: &Env, channel: u64, category: &str) -> bool {
    let parent = env.h.channel(category).to_string();
    env.h
        .sandbox
        .channels()
        .iter()
        .any(|c| c["id"] == json!(channel.to_string()) && c["parent_id"] == json!(parent))
}

/// Defect 1: the outbox tried 4 times (0.5/1/2 s) and gave up for good, so a retirement decided
/// during a longer outage was never shown, even after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retirement_during_a_long_outage_is_shown_when_it_ends_even_across_a_restart() {
    let mut env = start().await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    let prefix = format!("/channels/{channel}");
    let outage = env.h.sandbox.fail_requests(
        move |r| r.method != "GET" && r.path.starts_with(&prefix),
        503,
        0,
        "upstream connect error or disconnect/reset before headers",
    );
    slash(&env, "mod-ana", "retire", id, "its work moved upstream").await;
    eventually("a retry", || (outage.hits() >= 2).then_some(())).await;
    env.h.restart_bot().await.unwrap();
    // Past the 4 attempts after which the outbox used to give up.
    eventually("a fifth attempt", || (outage.hits() >= 5).then_some(())).await;
    drop(outage);
    eventually("the channel in the archive", || {
        in_category(&env, channel, "Archive").then_some(())
    })
    .await;
    env.wait_text(channel, "its work moved upstream").await;
    let store = env.h.store().await.unwrap();
    eventually("nothing left waiting", || {
        block_on(store.outbox_pending()).ok().filter(Vec::is_empty)
    })
    .await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// Defect 2: one failing effect held every later event behind its retries (two other votes'
/// results came 3.5 s late). Also: an error a person must fix is told to the moderators once,
/// and `govbot outbox retry` (here the store call it makes) retries at once after the fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_channel_creation_does_not_hold_back_another_groups_result() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (a, _) = propose_template(&env, &wg_template("Registry", alice)).await;
    let (b, _) = propose_template(&env, &ig_template("Security", alice)).await;
    approve(&env, a).await;
    // B's vote closes a minute after A's, so A's effects come first in the log.
    env.h.clock.advance(chrono::Duration::minutes(1));
    approve(&env, b).await;
    // The bot's role lost Manage Channels in the WG category: A's channel cannot be created.
    let refused = env.h.sandbox.fail_requests(
        |r| r.method == "POST" && r.path.ends_with("/channels") && r.body["name"] == "wg-registry",
        403,
        50013,
        "Missing Permissions",
    );
    env.h.clock.advance(chrono::Duration::seconds(72 * HOUR));
    env.h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| text(m).contains(&format!("Vote closed: IG #{b}")),
            WAIT,
        )
        .await
        .unwrap();
    assert!(
        refused.hits() < 3,
        "B's result waited behind {} attempts at A's channel",
        refused.hits()
    );
    eventually("B's channel", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["name"] == "ig-security")
    })
    .await;
    // The moderators are told what to fix, once however often it fails.
    eventually("three attempts", || (refused.hits() >= 3).then_some(())).await;
    let reports = || {
        env.h
            .sandbox
            .messages(env.moderators())
            .iter()
            .filter(|m| text(m).contains("Missing Permissions"))
            .count()
    };
    eventually("the report", || (reports() > 0).then_some(())).await;
    assert_eq!(reports(), 1);
    assert!(env
        .h
        .sandbox
        .messages(env.moderators())
        .iter()
        .any(|m| text(m).contains("govbot outbox retry")));

    let store = env.h.store().await.unwrap();
    let waiting = store.outbox_pending().await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].group_id, a);
    assert!(waiting[0].needs_person.is_some());
    // As after hours of failing: the next try is an hour away, but the operator's retry (what
    // `govbot outbox retry` does) makes it due at once.
    let hour_away = govbot::store::FailedAttempt {
        attempts: 20,
        next_at: chrono::Utc::now().timestamp_millis() + 3_600_000,
        error: "Missing Permissions",
        needs_person: waiting[0].needs_person.as_deref(),
    };
    store
        .outbox_failed(waiting[0].event_id, a, &hour_away, false)
        .await
        .unwrap();
    drop(refused);
    assert!(store.outbox_retry_now(waiting[0].event_id).await.unwrap());
    eventually("A's channel", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| c["name"] == "wg-registry")
    })
    .await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// Defect 3: the announcement and the card were posted directly by the message handler, so one
/// failed call left the proposal unannounced for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_made_while_discord_fails_is_announced_and_answered_once_it_recovers() {
    let env = start().await;
    let posts = [env.moderators(), env.creation()].map(|c| format!("/channels/{c}/messages"));
    let failing = env.h.sandbox.fail_requests(
        move |r| r.method == "POST" && posts.contains(&r.path.to_string()),
        500,
        0,
        "500: Internal Server Error",
    );
    let template = env
        .h
        .sandbox
        .post_message(
            env.creation(),
            env.h.user("alice"),
            &wg_template("Registry", env.h.user("alice")),
        )
        .await;
    eventually("a retry", || (failing.hits() >= 2).then_some(())).await;
    drop(failing);
    let card = env
        .reply_to(env.creation(), template, |t| t.contains("#1"))
        .await;
    let call = ComponentId::CallVote(GroupId(1)).to_string();
    env.h
        .sandbox
        .wait_message(env.moderators(), |m| custom_ids(m).contains(&call), WAIT)
        .await
        .unwrap();
    let announcements = env
        .h
        .sandbox
        .messages(env.moderators())
        .iter()
        .filter(|m| custom_ids(m).contains(&call))
        .count();
    assert_eq!(announcements, 1);
    let cards = env
        .h
        .sandbox
        .messages(env.creation())
        .iter()
        .filter(|m| replied_to(m) == Some(template))
        .count();
    assert_eq!(cards, 1, "one card: {}", text(&card));
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// A post whose answer was lost (Discord carried it out, govbot never learnt it) is repeated
/// with the same nonce, and Discord gives the first message back instead of posting another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_whose_answer_was_lost_is_not_posted_twice() {
    let env = start().await;
    let post = format!("/channels/{}/messages", env.moderators());
    let lost = env.h.sandbox.lose_answers(
        move |r| r.method == "POST" && r.path == post,
        504,
        0,
        "upstream request timeout",
    );
    env.h
        .sandbox
        .post_message(
            env.creation(),
            env.h.user("alice"),
            &wg_template("Registry", env.h.user("alice")),
        )
        .await;
    eventually("a repeat", || (lost.hits() >= 2).then_some(())).await;
    drop(lost);
    let store = env.h.store().await.unwrap();
    eventually("the announcement recorded", || {
        block_on(store.group_message(GroupId(1), "announcement"))
            .ok()
            .flatten()
    })
    .await;
    let call = ComponentId::CallVote(GroupId(1)).to_string();
    let announcements = env
        .h
        .sandbox
        .messages(env.moderators())
        .iter()
        .filter(|m| custom_ids(m).contains(&call))
        .count();
    assert_eq!(announcements, 1, "posted once however often it was sent");
    env.h.shutdown().await.unwrap();
}

/// Defect 8: during a burst the outbox drained the log before editing any tally, so the vote
/// message froze until the burst ended.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tally_keeps_moving_during_a_burst_of_ballots() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (busy, _) = active_group(&env, &ig_template("Security", alice)).await;
    let (id, _) = propose_template(&env, &wg_template("Registry", alice)).await;
    let (i, _, _) = env
        .group(
            "mod-ana",
            "call-vote",
            json!([{"type": 4, "name": "id", "value": id.0}]),
        )
        .await;
    answer(&env, &i).await;
    let vote = env
        .h
        .sandbox
        .wait_message(env.moderators(), |m| has_ballot_buttons(m, id), WAIT)
        .await
        .unwrap();
    let edit_path = format!("/channels/{}/messages/{}", env.moderators(), id_of(&vote));
    let edits = || {
        env.h
            .sandbox
            .rest_log()
            .iter()
            .filter(|c| c.method == "PATCH" && c.path == edit_path)
            .count()
    };
    // The burst, for a few seconds of load: two moderators change their ballot hundreds of times a
    // second, each on its own connection, while the third keeps clicking the buttons
    // (which is what wakes the bot's outbox), and another group's facilitator posts status
    // updates (each one a message the outbox posts), so the log is never empty.
    let burst = Duration::from_secs(4);
    const PACE: Duration = Duration::from_millis(2);
    let policy = env.h.config.policy.clone();
    let store = env.h.store().await.unwrap();
    let before = edits();
    let writers: Vec<_> = ["mod-ben", "mod-cy"]
        .into_iter()
        .map(|who| {
            let (store, policy, clock) = (store.clone(), policy.clone(), env.h.clock.clone());
            let actor = Actor::member(MemberId(env.h.user(who)), [Role::Moderator]);
            tokio::spawn(async move {
                let start = Instant::now();
                let mut n = 0u32;
                while start.elapsed() < burst {
                    let choice = [Choice::Yes, Choice::No, Choice::Abstain][n as usize % 3];
                    let gov = Acting::new(&actor, clock.now(), &policy);
                    store
                        .execute(Target::Group(id), &Command::Cast { choice }, &gov, None)
                        .await
                        .unwrap();
                    n += 1;
                    // Hundreds of ballots a second, as a crowd clicking would give, without
                    // holding SQLite's write lock back to back (which starves every other
                    // writer, the bot's own outbox included, whatever the outbox does).
                    tokio::time::sleep(PACE).await;
                }
                n
            })
        })
        .collect();
    let statuses = {
        let (store, policy, clock) = (store.clone(), policy.clone(), env.h.clock.clone());
        let actor = Actor::member(MemberId(alice), []);
        tokio::spawn(async move {
            let start = Instant::now();
            let mut n = 0u32;
            while start.elapsed() < burst {
                let gov = Acting::new(&actor, clock.now(), &policy);
                let text = format!("status {n}");
                store
                    .execute(
                        Target::Group(busy),
                        &Command::PostStatus { text },
                        &gov,
                        None,
                    )
                    .await
                    .unwrap();
                n += 1;
                tokio::time::sleep(PACE).await;
            }
        })
    };
    let start = Instant::now();
    let mut ballots = 0;
    while start.elapsed() < burst {
        let choice = ["yes", "no"][ballots as usize % 2];
        click(&env, "mod-ana", &vote, &ballot(&vote, choice)).await;
        ballots += 1;
    }
    for w in writers {
        ballots += w.await.unwrap();
    }
    statuses.await.unwrap();
    let during = edits() - before;
    assert!(
        during >= 2,
        "{during} edit(s) of the vote message during a {burst:?} burst of {ballots} ballots"
    );
    env.h.shutdown().await.unwrap();
}
