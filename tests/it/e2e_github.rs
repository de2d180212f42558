//! GitHub sync with the real bot: the Discord sandbox and the GitHub stand-in, both on 127.0.0.1,
//! a real SQLite file and the injected clock.

use crate::common::*;
use github_standin::{GitHubStandIn, StandInIssue};
use govbot::clock::Clock;
use govbot::config::GitHub;
use govbot::governance::{GroupState, ItemRef};
use govbot::harness::WAIT;
use govbot::store::GroupId;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_and_completion_on_github_keep_a_wg_alive_then_make_it_a_candidate() {
    let mut env = start().await;
    // An approved WG tracking SEP-1234, through the bot.
    let (_, card) = env
        .post_template("alice", &wg_template("Registry", env.h.user("alice")))
        .await;
    assert!(text(&card).contains("#1"), "{}", text(&card));
    let id = GroupId(1);
    let (i, _, _) = env
        .group(
            "mod-ana",
            "call-vote",
            json!([{"type": 4, "name": "id", "value": 1}]),
        )
        .await;
    env.h.sandbox.wait_response(&i, WAIT).await.unwrap();
    let vote = env
        .h
        .sandbox
        .wait_message(env.moderators(), |m| has_ballot_buttons(m, 1), WAIT)
        .await
        .unwrap();
    for m in ["mod-ana", "mod-ben"] {
        let i = env
            .h
            .sandbox
            .click_button(
                env.h.user(m),
                env.moderators(),
                id_of(&vote),
                &ballot(&vote, "yes"),
            )
            .await;
        // Answered once the ballot is committed.
        env.h.sandbox.wait_answer(&i, WAIT).await.unwrap();
    }
    env.h.clock.advance(chrono::Duration::hours(72));
    let store = env.h.store().await.unwrap();
    let state = || async { store.group(id).await.unwrap().group };
    let start_state = eventually("the WG to be active", || {
        let g = block_on(state());
        (g.state == GroupState::Active).then_some(g)
    })
    .await;
    let activated = start_state.active_since.unwrap();

    // GitHub says SEP-1234 moved 19 days after activation; the sync records it.
    let github = GitHubStandIn::start().await.unwrap();
    env.h.clock.advance(chrono::Duration::days(20));
    let moved = activated + chrono::Duration::days(19);
    github.set_issue(
        "modelcontextprotocol",
        "modelcontextprotocol",
        1234,
        StandInIssue::open("SEP-1234: Registry", moved),
    );
    env.h.stop_bot().await.unwrap();
    env.h.config.github = Some(GitHub {
        api_base: github.api_base(),
        ..GitHub::default()
    });
    env.h.start_bot().await.unwrap();
    eventually("the activity from GitHub", || {
        let g = block_on(state());
        (g.items[0].last_activity == moved).then_some(())
    })
    .await;
    assert!(github.request_count() >= 1);
    let g = state().await;
    assert_eq!(g.items[0].item, ItemRef::Sep(1234));
    assert_eq!(
        govbot::governance::wg_inactivity_deadline(&g),
        Some(moved + chrono::Duration::days(30)),
        "the inactivity limit moved with the activity"
    );

    // Closed on GitHub: at the next sync the item is completed, and a WG whose items are all
    // completed becomes a retirement candidate.
    github.set_issue(
        "modelcontextprotocol",
        "modelcontextprotocol",
        1234,
        StandInIssue::closed("SEP-1234: Registry", env.h.clock.now()),
    );
    env.h.clock.advance(chrono::Duration::hours(1));
    env.h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| text(m).contains("retirement candidate") && text(m).contains("completed"),
            WAIT,
        )
        .await
        .unwrap();
    let g = state().await;
    assert!(g.items[0].completed_at.is_some());
    assert!(g.candidacy.is_some());
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moderators_are_told_once_when_github_does_not_show_an_item_and_the_wg_is_not_retired() {
    let mut env = start().await;
    let template = wg_template("Registry", env.h.user("alice"))
        .replace("SEP-1234", "https://github.com/org/registry/issues/404");
    let (id, _) = active_group(&env, &template).await;
    let github = GitHubStandIn::start().await.unwrap();
    env.h.stop_bot().await.unwrap();
    env.h.config.github = Some(GitHub {
        api_base: github.api_base(),
        ..GitHub::default()
    });
    env.h.start_bot().await.unwrap();
    let told = |m: &serde_json::Value| text(m).contains("govbot cannot read");
    let notice = env
        .h
        .sandbox
        .wait_message(env.moderators(), told, WAIT)
        .await
        .unwrap();
    assert!(
        text(&notice).contains("GitHub has no org/registry#404")
            && text(&notice).contains("/wg item drop"),
        "{}",
        text(&notice)
    );
    // Two months of hourly passes later: still told once, and no candidacy.
    let store = env.h.store().await.unwrap();
    for _ in 0..60 {
        env.h.clock.advance(chrono::Duration::days(1));
    }
    let requests = github.request_count();
    eventually("more passes", || {
        (github.request_count() > requests).then_some(())
    })
    .await;
    let g = store.group(id).await.unwrap().group;
    assert!(g.items[0].unreadable.is_some());
    assert!(g.candidacy.is_none(), "{:?}", g.candidacy);
    assert_eq!(
        govbot::governance::due_command(&g, env.h.clock.now()),
        None,
        "nothing is due: the WG waits for a person"
    );
    assert_eq!(
        env.h
            .sandbox
            .messages(env.moderators())
            .iter()
            .filter(|m| told(m))
            .count(),
        1
    );
    env.h.shutdown().await.unwrap();
}
