//! A group's life after creation, end to end: facilitators and maintainers, status, meetings,
//! retirement, health, a WG's items and maintenance flag, activity counted in a group's channel,
//! and the directory (`/group list`, the export). The real bot in the sandbox, a real SQLite
//! file, time moved by the injected clock.

use crate::common::*;
use govbot::clock::Clock;
use govbot::export::Directory;
use govbot::governance::{EventKind, GroupState, HumanDuration, ItemRef, MemberId};
use govbot::harness::WAIT;
use govbot::standard_world::StandardWorld as _;
use govbot::store::GroupId;
use serde_json::{json, Value};

/// Runs `/command ...options` as `user` and returns (private, text) of the answer.
async fn run(env: &Env, user: &str, command: &str, options: Value) -> (bool, String) {
    let i = env
        .h
        .sandbox
        .slash_command(env.h.user(user), env.creation(), command, options)
        .await;
    answer(env, &i).await
}

/// A subcommand with its options.
fn sub(name: &str, options: Vec<Value>) -> Value {
    json!([{"type": 1, "name": name, "options": options}])
}

/// A subcommand in a subcommand group (`/govern facilitator add`, `/wg item add`).
fn grouped(group: &str, name: &str, options: Vec<Value>) -> Value {
    json!([{"type": 2, "name": group, "options": [{"type": 1, "name": name, "options": options}]}])
}

fn id_opt(id: GroupId) -> Value {
    json!({"type": 4, "name": "id", "value": id.0})
}

fn user_opt(env: &Env, name: &str) -> Value {
    json!({"type": 6, "name": "user", "value": env.h.user(name).to_string()})
}

fn str_opt(name: &str, value: &str) -> Value {
    json!({"type": 3, "name": name, "value": value})
}

fn reference(value: &str) -> Value {
    str_opt("reference", value)
}

/// `/govern maintenance` `state`: choices are sent by index (0 on, 1 off).
fn switch(on: bool) -> Value {
    json!({"type": 4, "name": "state", "value": if on { 0 } else { 1 }})
}

fn today(env: &Env) -> String {
    env.h.clock.now().format("%Y-%m-%d").to_string()
}

async fn group_of(env: &Env, id: GroupId) -> govbot::governance::Group {
    env.h.store().await.unwrap().group(id).await.unwrap().group
}

fn member(env: &Env, name: &str) -> MemberId {
    MemberId(env.h.user(name))
}

const USERS: [&str; 6] = [
    "alice",
    "dave",
    "mod-ana",
    "core-kim",
    "lead-lee",
    "steer-sam",
];
const DECIDERS: &[&str] = &["mod-ana", "core-kim", "lead-lee"];
const GROUP_OR_DECIDERS: &[&str] = &["alice", "mod-ana", "core-kim", "lead-lee"];
const DECIDERS_NAMED: &str = "community moderators, core or lead maintainers";
const GROUP_NAMED: &str = "facilitators and maintainers";

/// Notes in `report` when `user`'s attempt at `command` was not what `allowed` says, or was
/// refused without naming who may (`names`).
fn judge(
    report: &mut Vec<String>,
    command: &str,
    user: &str,
    allowed: &[&str],
    names: &str,
    (private, said): (bool, String),
) {
    let ok = !refused(&said);
    let want = allowed.contains(&user);
    if !private {
        report.push(format!("{command} by {user} was answered publicly: {said}"));
    }
    if ok != want || (!ok && !said.contains(names)) {
        report.push(format!(
            "{command} by {user}: allowed={ok}, expected {want}: {said}"
        ));
    }
}

/// Every new command against every role: allowed, or refused privately with a message naming
/// who may. Commands that succeed change a WG in ways that do not alter the next attempt (a
/// different item or facilitator each time, a maintainer restored after each removal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_group_life_command_against_every_role() {
    // Anyone may send /govern here, so govbot's own role checks are what refuses.
    let env = start_with(everyone_may_govern()).await;
    let alice = env.h.user("alice");
    let (w, _) = active_group(&env, &wg_template("Matrix", alice)).await;
    let mut report = Vec::new();
    let r = &mut report;

    for user in USERS {
        let said = run(&env, user, "group", sub("health", vec![id_opt(w)])).await;
        judge(r, "/group health", user, &USERS, "", said);
        let said = run(&env, user, "wg", grouped("item", "list", vec![id_opt(w)])).await;
        judge(r, "/wg item list", user, &USERS, "", said);
        let options = vec![id_opt(w), str_opt("text", "drafted the SEP")];
        let said = run(&env, user, "group", sub("status", options)).await;
        judge(r, "/group status", user, &["alice"], GROUP_NAMED, said);
        let options = vec![id_opt(w), str_opt("date", &today(&env))];
        let said = run(&env, user, "group", sub("meeting", options)).await;
        judge(
            r,
            "/group meeting",
            user,
            GROUP_OR_DECIDERS,
            GROUP_NAMED,
            said,
        );
    }

    // Items: each person acts on an item of their own.
    for (n, _) in USERS.iter().enumerate() {
        for (sep, done) in [(200 + n, false), (300 + n, true)] {
            let add = vec![id_opt(w), reference(&format!("SEP-{sep}"))];
            let (_, said) = run(&env, "mod-ana", "wg", grouped("item", "add", add)).await;
            assert!(!refused(&said), "{said}");
            if done {
                let done = vec![id_opt(w), reference(&format!("SEP-{sep}"))];
                let (_, said) = run(&env, "mod-ana", "wg", grouped("item", "done", done)).await;
                assert!(!refused(&said), "{said}");
            }
        }
    }
    for (n, user) in USERS.iter().enumerate() {
        for (sub_name, sep) in [("add", 100 + n), ("done", 200 + n), ("reopen", 300 + n)] {
            let options = vec![id_opt(w), reference(&format!("SEP-{sep}"))];
            let said = run(&env, user, "wg", grouped("item", sub_name, options)).await;
            let command = format!("/wg item {sub_name}");
            judge(r, &command, user, GROUP_OR_DECIDERS, GROUP_NAMED, said);
        }
        let said = run(
            &env,
            user,
            "govern",
            sub("maintenance", vec![id_opt(w), switch(true)]),
        )
        .await;
        judge(
            r,
            "/govern maintenance",
            user,
            DECIDERS,
            DECIDERS_NAMED,
            said,
        );
    }

    // Facilitators: each allowed person adds someone else, then removes them.
    let targets = ["bob", "carol", "mod-ben", "mod-cy", "bob", "bob"];
    for (user, target) in USERS.iter().zip(targets) {
        let options = vec![id_opt(w), user_opt(&env, target)];
        let said = run(&env, user, "govern", grouped("facilitator", "add", options)).await;
        judge(
            r,
            "/govern facilitator add",
            user,
            DECIDERS,
            DECIDERS_NAMED,
            said,
        );
    }
    let targets = ["mod-ben", "mod-ben", "mod-ben", "mod-cy", "bob", "bob"];
    for (user, target) in USERS.iter().zip(targets) {
        let options = vec![id_opt(w), user_opt(&env, target)];
        let said = run(
            &env,
            user,
            "govern",
            grouped("facilitator", "remove", options),
        )
        .await;
        judge(
            r,
            "/govern facilitator remove",
            user,
            DECIDERS,
            DECIDERS_NAMED,
            said,
        );
    }
    assert_eq!(
        group_of(&env, w).await.facilitators,
        [member(&env, "alice")]
    );

    // Maintainers: steer-sam, added and removed again after each allowed attempt.
    let sam = member(&env, "steer-sam");
    let maintainer = |name: &str| {
        let options = vec![id_opt(w), user_opt(&env, "steer-sam")];
        grouped("maintainer", name, options)
    };
    for user in USERS {
        let said = run(&env, user, "govern", maintainer("add")).await;
        judge(
            r,
            "/govern maintainer add",
            user,
            DECIDERS,
            DECIDERS_NAMED,
            said,
        );
        if group_of(&env, w).await.maintainers.contains(&sam) {
            let (_, said) = run(&env, "mod-ana", "govern", maintainer("remove")).await;
            assert!(!refused(&said), "{said}");
        }
    }
    for user in USERS {
        let (_, said) = run(&env, "mod-ana", "govern", maintainer("add")).await;
        assert!(!refused(&said), "{said}");
        let said = run(&env, user, "govern", maintainer("remove")).await;
        judge(
            r,
            "/govern maintainer remove",
            user,
            DECIDERS,
            DECIDERS_NAMED,
            said,
        );
        if group_of(&env, w).await.maintainers.contains(&sam) {
            let (_, said) = run(&env, "mod-ana", "govern", maintainer("remove")).await;
            assert!(!refused(&said), "{said}");
        }
    }

    // Retirement: those refused try on the matrix WG; each allowed person retires a WG.
    let (w2, _) = active_group(&env, &wg_template("Matrix Two", alice)).await;
    let (w3, _) = active_group(&env, &wg_template("Matrix Three", alice)).await;
    let retire_in = [w, w, w2, w3, w, w];
    let retire_order = [0, 1, 5, 2, 3, 4];
    for n in retire_order {
        let (user, id) = (USERS[n], retire_in[n]);
        let options = vec![id_opt(id), str_opt("reason", "its work moved elsewhere")];
        let said = run(&env, user, "govern", sub("retire", options)).await;
        judge(r, "/govern retire", user, DECIDERS, DECIDERS_NAMED, said);
    }
    for id in [w, w2, w3] {
        assert_eq!(group_of(&env, id).await.state, GroupState::Retired);
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facilitators_maintainers_status_and_retirement_follow_the_rules() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (w, channel) = active_group(&env, &wg_template("Registry", alice)).await;

    // The last facilitator stays.
    let options = vec![id_opt(w), user_opt(&env, "alice")];
    let (private, said) = run(
        &env,
        "mod-ana",
        "govern",
        grouped("facilitator", "remove", options),
    )
    .await;
    assert!(private && refused(&said), "{said}");
    assert!(said.contains("only facilitator"), "{said}");

    // A second facilitator; then the first can go.
    let options = vec![id_opt(w), user_opt(&env, "bob")];
    let (private, said) = run(
        &env,
        "core-kim",
        "govern",
        grouped("facilitator", "add", options),
    )
    .await;
    assert!(private && !refused(&said), "{said}");
    assert!(
        said.contains(&format!("<@{}>", env.h.user("bob"))),
        "{said}"
    );
    let options = vec![id_opt(w), user_opt(&env, "bob")];
    let (_, said) = run(
        &env,
        "core-kim",
        "govern",
        grouped("facilitator", "add", options),
    )
    .await;
    assert!(
        refused(&said) && said.contains("already a facilitator"),
        "{said}"
    );
    let options = vec![id_opt(w), user_opt(&env, "alice")];
    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        grouped("facilitator", "remove", options),
    )
    .await;
    assert!(!refused(&said), "{said}");
    assert_eq!(group_of(&env, w).await.facilitators, [member(&env, "bob")]);

    // Maintainers come from the steering group.
    let options = vec![id_opt(w), user_opt(&env, "dave")];
    let (private, said) = run(
        &env,
        "lead-lee",
        "govern",
        grouped("maintainer", "add", options),
    )
    .await;
    assert!(private && refused(&said), "{said}");
    assert!(said.contains("steering group"), "{said}");
    let options = vec![id_opt(w), user_opt(&env, "steer-sam")];
    let (_, said) = run(
        &env,
        "lead-lee",
        "govern",
        grouped("maintainer", "add", options),
    )
    .await;
    assert!(!refused(&said), "{said}");
    assert_eq!(
        group_of(&env, w).await.maintainers,
        [member(&env, "steer-sam")]
    );

    // A maintainer posts the status; the answer is private and points at the channel.
    let options = vec![id_opt(w), str_opt("text", "SEP-1234 is in review")];
    let (private, said) = run(&env, "steer-sam", "group", sub("status", options)).await;
    assert!(private && !refused(&said), "{said}");
    assert!(said.contains(&format!("<#{channel}>")), "{said}");
    let g = group_of(&env, w).await;
    assert_eq!(
        g.last_status.map(|(_, t)| t).as_deref(),
        Some("SEP-1234 is in review")
    );
    let options = vec![id_opt(w), str_opt("text", "   ")];
    let (_, said) = run(&env, "steer-sam", "group", sub("status", options)).await;
    assert!(refused(&said) && said.contains("empty"), "{said}");

    let options = vec![id_opt(w), user_opt(&env, "steer-sam")];
    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        grouped("maintainer", "remove", options),
    )
    .await;
    assert!(!refused(&said), "{said}");
    assert!(group_of(&env, w).await.maintainers.is_empty());

    // Retirement needs a reason, then the group is retired.
    let options = vec![id_opt(w), str_opt("reason", "  ")];
    let (_, said) = run(&env, "mod-ana", "govern", sub("retire", options)).await;
    assert!(refused(&said) && said.contains("reason"), "{said}");
    let options = vec![id_opt(w), str_opt("reason", "merged into the Hosting WG")];
    let (private, said) = run(&env, "mod-ana", "govern", sub("retire", options)).await;
    assert!(private && !refused(&said), "{said}");
    assert!(said.contains("retired"), "{said}");
    assert_eq!(group_of(&env, w).await.state, GroupState::Retired);
    let options = vec![id_opt(w), user_opt(&env, "carol")];
    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        grouped("facilitator", "add", options),
    )
    .await;
    assert!(refused(&said) && said.contains("retired"), "{said}");

    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        sub("retire", vec![id_opt(GroupId(99)), str_opt("reason", "x")]),
    )
    .await;
    assert!(
        refused(&said) && said.contains("no group with id 99"),
        "{said}"
    );
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wg_tracks_items_and_can_be_marked_as_maintaining_a_project() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (w, _) = active_group(&env, &wg_template("Registry", alice)).await;
    let item = |sub_name: &str, r: &str| grouped("item", sub_name, vec![id_opt(w), reference(r)]);

    let (private, said) = run(&env, "alice", "wg", item("add", "we should write a SEP")).await;
    assert!(private && refused(&said), "{said}");
    assert!(
        said.contains("not an Issue, PR, Discussion or SEP reference") && said.contains("SEP-1686"),
        "the refusal says what is expected: {said}"
    );
    let url = "https://github.com/modelcontextprotocol/registry/issues/12";
    let (_, said) = run(&env, "alice", "wg", item("add", &format!("see <{url}>"))).await;
    assert!(!refused(&said) && said.contains(url), "{said}");
    let (_, said) = run(&env, "alice", "wg", item("add", "sep-77")).await;
    assert!(!refused(&said) && said.contains("SEP-77"), "{said}");
    let (_, said) = run(&env, "alice", "wg", item("add", "SEP-77")).await;
    assert!(refused(&said) && said.contains("already tracked"), "{said}");
    let (_, said) = run(&env, "alice", "wg", item("done", "SEP-99")).await;
    assert!(refused(&said) && said.contains("not tracked"), "{said}");

    env.h.clock.advance(chrono::Duration::seconds(HOUR));
    let (_, said) = run(&env, "alice", "wg", item("done", "SEP-1234")).await;
    assert!(
        !refused(&said) && said.contains("completed SEP-1234"),
        "{said}"
    );
    let (_, said) = run(&env, "alice", "wg", item("done", "SEP-1234")).await;
    assert!(
        refused(&said) && said.contains("already completed"),
        "{said}"
    );
    let (_, said) = run(&env, "alice", "wg", item("done", "SEP-77")).await;
    assert!(!refused(&said), "{said}");
    let (_, said) = run(&env, "alice", "wg", item("reopen", "SEP-77")).await;
    assert!(
        !refused(&said) && said.contains("reopened SEP-77"),
        "{said}"
    );

    let g = group_of(&env, w).await;
    let state = |r: ItemRef| {
        g.items
            .iter()
            .find(|i| i.item == r)
            .map(|i| i.completed_at.is_some())
    };
    assert_eq!(state(ItemRef::Sep(1234)), Some(true));
    assert_eq!(state(ItemRef::Sep(77)), Some(false));
    assert_eq!(state(ItemRef::Url(url.into())), Some(false));

    let (private, list) = run(&env, "dave", "wg", grouped("item", "list", vec![id_opt(w)])).await;
    assert!(private, "{list}");
    assert!(list.contains("Items of WG"), "{list}");
    assert!(list.contains("SEP-1234: marked done by a person"), "{list}");
    assert!(list.contains("SEP-77: open"), "{list}");
    assert!(list.contains(&format!("{url}: open")), "{list}");

    let (_, health) = run(&env, "dave", "group", sub("health", vec![id_opt(w)])).await;
    assert!(health.contains("Health of WG"), "{health}");
    assert!(health.contains("Inactivity deadline:"), "{health}");
    assert!(health.contains("Retirement candidate:** no"), "{health}");

    // What govbot cannot read is refused, unless tracked by hand; a person records its activity.
    let doc = "https://docs.google.com/document/d/1x";
    let (_, said) = run(&env, "alice", "wg", item("add", doc)).await;
    assert!(
        refused(&said) && said.contains("not on github.com") && said.contains("manual:"),
        "{said}"
    );
    let manual = format!("manual: {doc}");
    let (_, said) = run(&env, "alice", "wg", item("add", &manual)).await;
    assert!(!refused(&said) && said.contains("/wg item touch"), "{said}");
    env.h.clock.advance(chrono::Duration::seconds(HOUR));
    let (_, said) = run(&env, "alice", "wg", item("touch", &manual)).await;
    assert!(
        !refused(&said) && said.contains("recorded activity now on"),
        "{said}"
    );
    let g = group_of(&env, w).await;
    let touched = g.items.iter().find(|i| i.item.is_manual()).unwrap();
    assert_eq!(touched.last_activity, env.h.clock.now());
    let (_, said) = run(&env, "alice", "wg", item("drop", &manual)).await;
    assert!(
        !refused(&said) && said.contains("no longer tracks"),
        "{said}"
    );
    let (_, said) = run(&env, "dave", "wg", item("drop", "SEP-77")).await;
    assert!(refused(&said), "an outsider cannot drop items: {said}");

    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        sub("maintenance", vec![id_opt(w), switch(true)]),
    )
    .await;
    assert!(
        !refused(&said) && said.contains("maintaining a project"),
        "{said}"
    );
    assert!(group_of(&env, w).await.maintenance);
    let (_, health) = run(&env, "dave", "group", sub("health", vec![id_opt(w)])).await;
    assert!(health.contains("maintains a project"), "{health}");
    assert!(!health.contains("Inactivity deadline"), "{health}");
    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        sub("maintenance", vec![id_opt(w), switch(false)]),
    )
    .await;
    assert!(!refused(&said), "{said}");
    assert!(!group_of(&env, w).await.maintenance);

    // An IG has no items.
    let (ig, _) = active_group(&env, &ig_template("Security", alice)).await;
    let (_, said) = run(
        &env,
        "dave",
        "wg",
        grouped("item", "list", vec![id_opt(ig)]),
    )
    .await;
    assert!(refused(&said) && said.contains("belong to WGs"), "{said}");
    let add = grouped("item", "add", vec![id_opt(ig), reference("SEP-5")]);
    let (_, said) = run(&env, "alice", "wg", add).await;
    assert!(refused(&said) && said.contains("belong to WGs"), "{said}");
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_are_recorded_by_date_with_their_attendees() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (ig, _) = active_group(&env, &ig_template("Security", alice)).await;
    let day = today(&env);
    let attendees = format!(
        "<@{}> and <@!{}>, <@{}>",
        env.h.user("alice"),
        env.h.user("bob"),
        env.h.user("alice")
    );
    let options = vec![
        id_opt(ig),
        str_opt("date", &day),
        str_opt("attendees", &attendees),
    ];
    let (private, said) = run(&env, "alice", "group", sub("meeting", options)).await;
    assert!(private && !refused(&said), "{said}");
    assert!(
        said.contains(&day) && said.contains("2 attendees"),
        "{said}"
    );
    let g = group_of(&env, ig).await;
    let m = &g.meetings[0];
    assert_eq!(
        m.at.format("%Y-%m-%d %H:%M").to_string(),
        format!("{day} 00:00")
    );
    assert_eq!(m.attendees.len(), 2);

    let tomorrow = (env.h.clock.now() + chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let options = vec![id_opt(ig), str_opt("date", &tomorrow)];
    let (_, said) = run(&env, "alice", "group", sub("meeting", options)).await;
    assert!(refused(&said) && said.contains("in the future"), "{said}");
    let options = vec![id_opt(ig), str_opt("date", "last tuesday")];
    let (_, said) = run(&env, "alice", "group", sub("meeting", options)).await;
    assert!(refused(&said) && said.contains("YYYY-MM-DD"), "{said}");
    let options = vec![
        id_opt(ig),
        str_opt("date", &day),
        str_opt("attendees", "bob and carol"),
    ];
    let (_, said) = run(&env, "alice", "group", sub("meeting", options)).await;
    assert!(
        refused(&said) && said.contains("Mention each attendee"),
        "{said}"
    );
    assert_eq!(group_of(&env, ig).await.meetings.len(), 1);
    env.h.shutdown().await.unwrap();
}

/// Messages in an IG's channel over two weeks: counted per week with distinct participants
/// (once per message, a redelivery changes nothing), each moving the last activity without a row
/// in the audit log, and shown by `/group health`, `/group list` and the export.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_activity_is_counted_per_week_and_shown_in_health_list_and_export() {
    let env = start().await;
    let alice = env.h.user("alice");
    let bob = env.h.user("bob");
    let (ig, channel) = active_group(&env, &ig_template("Security", alice)).await;
    let store = env.h.store().await.unwrap();
    let noted = || {
        let history = block_on(store.history(ig)).ok().unwrap_or_default();
        history
            .iter()
            .filter(|e| e.event.kind.name() == "conversation_noted")
            .count()
    };
    let counted = |want: i64| {
        let store = store.clone();
        let now = env.h.clock.now();
        move || {
            let weeks =
                block_on(store.weekly_activity(ig, now - chrono::Duration::weeks(4), now)).ok()?;
            let total: i64 = weeks.iter().map(|w| w.messages).sum();
            (total == want).then_some(weeks)
        }
    };

    // Week 1 (the week of 2026-11-02): alice twice, bob once; the last one delivered twice.
    env.h.sandbox.post_message(channel, alice, "hello").await;
    env.h.sandbox.post_message(channel, alice, "agenda?").await;
    env.h
        .sandbox
        .post_message(channel, bob, "threat models first")
        .await;
    env.h.sandbox.redeliver_last_dispatch().await;
    // Elsewhere: not counted.
    env.h
        .sandbox
        .post_message(env.creation(), bob, "unrelated")
        .await;
    eventually("3 messages counted", counted(3)).await;
    // The last activity is the last message, dated by the bot's clock when it came.
    assert_eq!(
        store.last_message_at(ig).await.unwrap(),
        Some(env.h.clock.now())
    );

    // Week 2: both again, and a meeting.
    env.h.clock.advance(chrono::Duration::days(7));
    env.h
        .sandbox
        .post_message(channel, bob, "notes are up")
        .await;
    env.h.sandbox.post_message(channel, alice, "thanks").await;
    let weeks = eventually("5 messages counted", counted(5)).await;
    let last_message = env.h.clock.now();
    let day = today(&env);
    let options = vec![id_opt(ig), str_opt("date", &day)];
    let (_, said) = run(&env, "alice", "group", sub("meeting", options)).await;
    assert!(!refused(&said), "{said}");
    let (messages, people): (Vec<i64>, Vec<i64>) = weeks
        .iter()
        .filter(|w| w.messages > 0)
        .map(|w| (w.messages, w.participants))
        .unzip();
    assert_eq!(messages, [3, 2]);
    assert_eq!(people, [2, 2]);

    // The audit log did not grow with the chat: the conversation is noted only when a quiet
    // reminder would otherwise be due (see a_talking_ig_is_not_reminded_however_short_its_quiet_period).
    assert_eq!(noted(), 0, "no audit row per message");
    assert_eq!(store.last_message_at(ig).await.unwrap(), Some(last_message));

    let (private, health) = run(&env, "dave", "group", sub("health", vec![id_opt(ig)])).await;
    assert!(private, "{health}");
    assert!(health.contains("Health of IG"), "{health}");
    assert!(
        health.contains("`2026-11-02` 3 messages from 2 participants"),
        "{health}"
    );
    assert!(
        health.contains("`2026-11-09` 2 messages from 2 participants, 1 meeting"),
        "{health}"
    );
    assert!(health.contains("`2026-10-26` 0 messages"), "{health}");
    assert!(health.contains("Meetings recorded:** 1"), "{health}");
    // The last activity is the last message (the meeting is dated at the start of its day).
    let last = last_message.timestamp();
    assert!(
        health.contains(&format!("**Last activity:** <t:{last}:D>")),
        "{health}"
    );

    let (_, list) = run(&env, "dave", "group", sub("list", vec![])).await;
    assert!(list.contains("IG **Security**: active"), "{list}");
    assert!(list.contains(&format!("facilitators <@{alice}>")), "{list}");
    assert!(
        list.contains("5 messages from 2 people in the last 4 weeks; last meeting <t:"),
        "{list}"
    );

    // A WG beside it, with a second facilitator, for the directory.
    let (w, _) = active_group(&env, &wg_template("Registry", alice)).await;
    let options = vec![id_opt(w), user_opt(&env, "bob")];
    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        grouped("facilitator", "add", options),
    )
    .await;
    assert!(!refused(&said), "{said}");
    let (_, list) = run(&env, "dave", "group", sub("list", vec![])).await;
    assert!(
        list.contains(&format!("facilitators <@{alice}>, <@{bob}>")),
        "{list}"
    );
    assert!(
        list.contains("1 tracked item (1 open, 0 completed); last item activity <t:"),
        "{list}"
    );

    let now = env.h.clock.now();
    let dir = Directory::load(&store, Some(env.h.config.guild_id), now)
        .await
        .unwrap();
    let md = dir.to_markdown();
    assert!(
        md.contains("| Security | active | alice | — | [Discord](https://discord.com/channels/"),
        "{md}"
    );
    // The IG's weeks (2026-11-02 and 11-09) are within the last 4 weeks as of now (11-15).
    assert!(
        md.contains(&format!(
            "| 5 messages from 2 people in the last 4 weeks; last meeting {day} |"
        )),
        "{md}"
    );
    assert!(md.contains("| Registry | active | alice, bob |"), "{md}");
    assert!(
        md.contains("| 1 tracked item (1 open, 0 completed); last item activity "),
        "{md}"
    );
    let json: Value = serde_json::from_str(&dir.to_json()).unwrap();
    let security = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "Security")
        .unwrap()
        .clone();
    assert_eq!(security["state"], "active");
    assert_eq!(security["activity"]["messages_last_4_weeks"], 5);
    assert_eq!(security["activity"]["participants_last_4_weeks"], 2);
    assert_eq!(security["facilitators"][0]["id"], alice.to_string());
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// govbot down across both reminder points: at start-up one reminder covers them, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_across_reminder_points_sends_one_catch_up_reminder() {
    let mut env = start().await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    env.h.stop_bot().await.unwrap();
    env.h.clock.advance(chrono::Duration::days(29));
    env.h.start_bot().await.unwrap();
    let sandbox = env.h.sandbox.clone();
    let reminders = move || {
        sandbox
            .messages(channel)
            .into_iter()
            .filter(|m| text(m).contains("becomes a retirement candidate <t:"))
            .count()
    };
    eventually("the catch-up reminder", || (reminders() == 1).then_some(())).await;
    env.h.restart_bot().await.unwrap();
    let history = env.h.store().await.unwrap().history(id).await.unwrap();
    let sent: Vec<_> = history
        .iter()
        .filter(|e| e.event.kind.name() == "inactivity_reminder")
        .collect();
    assert_eq!(sent.len(), 1, "one reminder event for both points");
    // The day after, the month is up: a candidate, and still only the one reminder.
    env.h.clock.advance(chrono::Duration::days(1));
    env.h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| custom_ids(m).contains(&ComponentId::Keep(id).to_string()),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(reminders(), 1);
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wg_whose_items_are_all_completed_becomes_a_candidate_at_once() {
    let env = start().await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    let (_, said) = run(
        &env,
        "alice",
        "wg",
        grouped("item", "done", vec![id_opt(id), reference("SEP-1234")]),
    )
    .await;
    assert!(!refused(&said), "{said}");
    let candidacy = env
        .h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| custom_ids(m).contains(&ComponentId::Retire(id).to_string()),
            WAIT,
        )
        .await
        .unwrap();
    assert!(
        text(&candidacy).contains("is closed; check that this means done")
            && text(&candidacy).contains("SEP-1234: marked done by a person"),
        "the candidacy says how each item closed: {}",
        text(&candidacy)
    );
    env.wait_text(channel, "retirement candidate").await;
    // New work clears the candidacy and closes the buttons.
    let (_, said) = run(
        &env,
        "alice",
        "wg",
        grouped("item", "add", vec![id_opt(id), reference("SEP-2000")]),
    )
    .await;
    assert!(!refused(&said), "{said}");
    assert!(group_of(&env, id).await.candidacy.is_none());
    eventually("the candidacy buttons to be disabled", || {
        env.h.sandbox.message(id_of(&candidacy)).filter(|m| {
            m["components"][0]["components"]
                .as_array()
                .is_some_and(|b| b.iter().all(|c| c["disabled"] == true))
        })
    })
    .await;
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_ig_is_reminded_and_moderators_told_but_it_is_never_retired() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (id, channel) = active_group(&env, &ig_template("Security", alice)).await;
    env.h.clock.advance(chrono::Duration::days(30));
    let reminder = env
        .h
        .sandbox
        .wait_message(
            channel,
            |m| text(m).contains("neither conversation here"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(text(&reminder).contains(&format!("<@{alice}>")));
    env.h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| text(m).contains("IG 'Security'") && text(m).contains("stays a decision"),
            WAIT,
        )
        .await
        .unwrap();
    // A meeting counts as activity: the next reminder is a quiet period after it.
    let (_, said) = run(
        &env,
        "alice",
        "group",
        sub("meeting", vec![id_opt(id), str_opt("date", &today(&env))]),
    )
    .await;
    assert!(!refused(&said), "{said}");
    env.h.clock.advance(chrono::Duration::days(400));
    eventually("the later reminders", || {
        let n = env
            .h
            .sandbox
            .messages(channel)
            .iter()
            .filter(|m| text(m).contains("neither conversation here"))
            .count();
        (n >= 2).then_some(())
    })
    .await;
    assert_eq!(group_of(&env, id).await.state, GroupState::Active);
    env.h.shutdown().await.unwrap();
}

/// With a quiet period of two hours, an IG whose members keep talking (in its channel and in a
/// thread under it) is never reminded, though no day goes by; once they stop, the reminder comes a
/// quiet period after the very last message. Its history gains a few notes, not one per message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_talking_ig_is_not_reminded_however_short_its_quiet_period() {
    let mut env = start().await;
    env.h.stop_bot().await.unwrap();
    env.h.config.policy.ig_quiet_after = HumanDuration::hours(2);
    env.h.start_bot().await.unwrap();
    let alice = env.h.user("alice");
    let bob = env.h.user("bob");
    let (ig, channel) = active_group(&env, &ig_template("Security", alice)).await;
    let thread = env
        .h
        .sandbox
        .start_thread(channel, bob, "threat models")
        .await;
    let store = env.h.store().await.unwrap();
    let events = |kind: &str| {
        block_on(store.history(ig))
            .unwrap()
            .into_iter()
            .filter(|e| e.event.kind.name() == kind)
            .map(|e| e.event.kind)
            .collect::<Vec<_>>()
    };

    // Eight hours of conversation, a message every quarter of an hour, every other one in the
    // thread: 32 messages, four quiet periods.
    let mut messages = 0;
    for quarter in 1..=32 {
        env.h.clock.advance(chrono::Duration::minutes(15));
        let (place, who) = if quarter % 2 == 0 {
            (thread, bob)
        } else {
            (channel, alice)
        };
        env.h
            .sandbox
            .post_message(place, who, &format!("point {quarter}"))
            .await;
        messages += 1;
        let now = env.h.clock.now();
        eventually("the message to be counted", || {
            (block_on(store.last_message_at(ig)).ok()?? == now).then_some(())
        })
        .await;
    }
    let last_message = env.h.clock.now();

    // Then silence: one reminder, a quiet period after the last message.
    env.h.clock.advance(chrono::Duration::hours(3));
    let reminded = eventually("the reminder after the last message", || {
        let reminders = events("quiet_reminder");
        (!reminders.is_empty()).then_some(reminders)
    })
    .await;
    assert_eq!(
        reminded,
        [EventKind::QuietReminder {
            last_activity: Some(last_message)
        }],
        "reminded once, after the conversation stopped"
    );
    env.wait_text(channel, "neither conversation here").await;
    assert_eq!(
        group_of(&env, ig).await.last_conversation,
        Some(last_message)
    );
    // Any two notes are more than a quiet period apart: at most two per period of talk.
    let notes = events("conversation_noted").len();
    assert!(
        (1..=8).contains(&notes),
        "{notes} notes for {messages} messages over four quiet periods"
    );
    env.h.shutdown().await.unwrap();
}

/// A message in a thread under a group's channel counts for the group, whether the bot learnt of
/// the thread from THREAD_CREATE or, after a restart, from GUILD_CREATE's active threads; a thread
/// under another channel counts for no group.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_in_a_thread_of_a_groups_channel_counts_for_the_group() {
    let mut env = start().await;
    let alice = env.h.user("alice");
    let bob = env.h.user("bob");
    let (ig, channel) = active_group(&env, &ig_template("Security", alice)).await;
    let store = env.h.store().await.unwrap();
    let clock = env.h.clock.clone();
    let week = |want: i64| {
        let store = store.clone();
        let now = clock.now();
        move || {
            let weeks = block_on(store.weekly_activity(ig, now, now)).ok()?;
            (weeks[0].messages == want).then(|| weeks[0].clone())
        }
    };

    let thread = env.h.sandbox.start_thread(channel, alice, "agenda").await;
    env.h
        .sandbox
        .post_message(thread, bob, "threat models first")
        .await;
    let counted = eventually("the thread's message to count", week(1)).await;
    assert_eq!(counted.participants, 1);
    assert_eq!(
        store.last_message_at(ig).await.unwrap(),
        Some(env.h.clock.now())
    );

    let announcements = env.h.channel("announcements");
    let elsewhere = env
        .h
        .sandbox
        .start_thread(announcements, bob, "launch")
        .await;
    env.h
        .sandbox
        .post_message(elsewhere, bob, "not a group's")
        .await;

    // A new session: the bot knows the thread from GUILD_CREATE, without asking for it.
    env.h.restart_bot().await.unwrap();
    env.h.sandbox.post_message(thread, alice, "agreed").await;
    let counted = eventually("the message after the restart to count", week(2)).await;
    assert_eq!(counted.participants, 2);
    let all = store.activity_since(env.h.clock.now()).await.unwrap();
    assert_eq!(all.keys().copied().collect::<Vec<_>>(), [ig]);
    let fetched: Vec<_> = env
        .h
        .sandbox
        .rest_log()
        .into_iter()
        .filter(|c| c.method == "GET" && c.path == format!("/channels/{thread}"))
        .collect();
    assert!(fetched.is_empty(), "{fetched:?}");
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_access_follows_facilitator_changes() {
    let env = start().await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    let has_overwrite = |user: u64| {
        env.h.sandbox.channels().into_iter().any(|c| {
            c["id"] == json!(channel.to_string())
                && c["permission_overwrites"]
                    .as_array()
                    .is_some_and(|o| o.iter().any(|o| o["id"] == json!(user.to_string())))
        })
    };
    let bob = env.h.user("bob");
    assert!(!has_overwrite(bob));
    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        grouped(
            "facilitator",
            "add",
            vec![id_opt(id), user_opt(&env, "bob")],
        ),
    )
    .await;
    assert!(!refused(&said), "{said}");
    eventually("bob's access", || has_overwrite(bob).then_some(())).await;
    let role = env.h.sandbox.world().role_id("Facilitator");
    eventually("bob's facilitator role", || {
        env.h
            .sandbox
            .member_roles(bob)
            .contains(&role)
            .then_some(())
    })
    .await;
    let (_, said) = run(
        &env,
        "mod-ana",
        "govern",
        grouped(
            "facilitator",
            "remove",
            vec![id_opt(id), user_opt(&env, "bob")],
        ),
    )
    .await;
    assert!(!refused(&said), "{said}");
    eventually("bob's access to go", || (!has_overwrite(bob)).then_some(())).await;
    eventually("bob's facilitator role to go", || {
        (!env.h.sandbox.member_roles(bob).contains(&role)).then_some(())
    })
    .await;
    let alice = env.h.user("alice");
    assert!(
        env.h.sandbox.member_roles(alice).contains(&role),
        "the remaining facilitator keeps the role"
    );
    // A facilitator's status is posted in the group's channel.
    let (_, said) = run(
        &env,
        "alice",
        "group",
        sub(
            "status",
            vec![id_opt(id), str_opt("text", "Draft SEP out for review")],
        ),
    )
    .await;
    assert!(!refused(&said), "{said}");
    env.wait_text(channel, "Draft SEP out for review").await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

/// The Retire button asks for the reason in a form; a member cannot use it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retire_button_retires_a_candidate_with_the_reason_given() {
    // Everyone who sees the private moderators' channel in the standard guild may retire a
    // group; here the steering group sees it too, so a member who may not can press the button.
    let mut world = discord_standin::World::standard();
    let steering = world.role_id("Steering Group");
    world
        .channel_mut("community-moderators")
        .overwrites
        .push(discord_standin::OverwriteSpec {
            id: steering,
            kind: discord_standin::OverwriteKind::Role,
            allow: discord_standin::permissions::bits::VIEW_CHANNEL,
            deny: 0,
        });
    let env = start_with(world).await;
    let (id, channel) = active_group(&env, &wg_template("Registry", env.h.user("alice"))).await;
    run(
        &env,
        "alice",
        "wg",
        grouped("item", "done", vec![id_opt(id), reference("SEP-1234")]),
    )
    .await;
    let retire = ComponentId::Retire(id).to_string();
    let candidacy = env
        .h
        .sandbox
        .wait_message(env.moderators(), |m| custom_ids(m).contains(&retire), WAIT)
        .await
        .unwrap();
    let (private, said) = click(&env, "steer-sam", &candidacy, &retire).await;
    assert!(private && refused(&said), "{said}");
    let i = env
        .h
        .sandbox
        .click_button(
            env.h.user("core-kim"),
            env.moderators(),
            id_of(&candidacy),
            &retire,
        )
        .await;
    let form = env.h.sandbox.wait_response(&i, WAIT).await.unwrap();
    assert_eq!(form.kind, 9, "a form for the reason: {}", form.data);
    let submit = env
        .h
        .sandbox
        .submit_modal(
            env.h.user("core-kim"),
            env.moderators(),
            &ComponentId::RetireReason(id).to_string(),
            &[("reason", "SEP-1234 is merged; nothing left to do")],
        )
        .await;
    let (_, said) = answer(&env, &submit).await;
    assert!(!refused(&said), "{said}");
    assert_eq!(group_of(&env, id).await.state, GroupState::Retired);
    env.wait_text(channel, "nothing left to do").await;
    let history = env.h.store().await.unwrap().history(id).await.unwrap();
    let retired = history.last().unwrap();
    assert_eq!(retired.event.kind.name(), "retired");
    assert_eq!(
        retired.event.reason.as_deref(),
        Some("SEP-1234 is merged; nothing left to do")
    );
    env.h.shutdown().await.unwrap();
}
