//! Proposals end to end: the real bot (serenity + poise) against the sandbox on 127.0.0.1, with
//! a real SQLite file.

use crate::common::*;
use govbot::governance::{GroupKind, GroupState, MemberId};
use govbot::harness::WAIT;
use govbot::standard_world::StandardWorld as _;
use govbot::store::GroupId;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_message_becomes_a_proposal_with_a_card_and_an_announcement() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (msg, card) = env
        .post_template("alice", &wg_template("Registry", alice))
        .await;
    let card_text = text(&card);
    assert!(
        card_text.contains("WG proposal #1: Registry"),
        "{card_text}"
    );
    assert!(
        card_text.contains(&format!("**Facilitator:** <@{alice}>")),
        "{card_text}"
    );
    assert!(card_text.contains("SEP-1234"), "{card_text}");

    let announcement = env
        .h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| text(m).contains("New WG proposal #1: Registry"),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(
        custom_ids(&announcement),
        [ComponentId::CallVote(GroupId(1)).to_string()]
    );
    assert!(
        text(&announcement).contains(&format!("/{msg}")),
        "links the template message"
    );

    let store = env.h.store().await.unwrap();
    let g = store.group(GroupId(1)).await.unwrap().group;
    assert_eq!(
        (g.kind, g.state, g.proposer),
        (GroupKind::Wg, GroupState::Proposed, MemberId(alice))
    );
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_missing_field_is_named_in_the_reply() {
    let env = start().await;
    let alice = env.h.user("alice");
    let wg = wg_template("Registry", alice);
    let ig = ig_template("Security in MCP", alice);
    let cases = [
        (&wg, "Facilitator(s)", "Facilitator(s)"),
        (
            &wg,
            "Explanation of interest",
            "Explanation of interest/use cases",
        ),
        (
            &wg,
            "First Issue/PR/SEP",
            "First Issue/PR/SEP that the WG will work on",
        ),
        (&ig, "Facilitator(s)", "Facilitator(s)"),
        (
            &ig,
            "IGs with similar goals",
            "IGs with potentially similar goals/discussions",
        ),
        (
            &ig,
            "How this IG differs",
            "How this IG differentiates itself from the related IGs",
        ),
        (&ig, "First topic", "First topic to discuss within the IG"),
    ];
    for (template, line_start, label) in cases {
        let without: String = template
            .lines()
            .filter(|l| !l.contains(line_start))
            .collect::<Vec<_>>()
            .join("\n");
        assert_ne!(&without, template, "{line_start}");
        let (_, reply) = env.post_template("alice", &without).await;
        let t = text(&reply);
        assert!(
            t.contains(&format!("**{label}** is missing")),
            "{label}: {t}"
        );
    }
    let store = env.h.store().await.unwrap();
    assert!(store.list(&Default::default()).await.unwrap().is_empty());
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_that_fixes_the_template_turns_the_reply_into_the_card() {
    let env = start().await;
    let alice = env.h.user("alice");
    let full = wg_template("Inspector", alice);
    let broken: String = full
        .lines()
        .filter(|l| !l.contains("First Issue"))
        .collect::<Vec<_>>()
        .join("\n");
    let (msg, reply) = env.post_template("alice", &broken).await;
    assert!(text(&reply).contains("is missing"));
    env.h.sandbox.edit_message(env.creation(), msg, &full).await;
    let reply_id = id_of(&reply);
    let fixed = env
        .h
        .sandbox
        .wait_message(
            env.creation(),
            |m| id_of(m) == reply_id && text(m).contains("WG proposal #1: Inspector"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(text(&fixed).contains("SEP-1234"));
    // An edit of the valid proposal amends it and updates the same card.
    env.h
        .sandbox
        .edit_message(
            env.creation(),
            msg,
            &full.replace("WG: Inspector", "WG: MCP Inspector"),
        )
        .await;
    env.h
        .sandbox
        .wait_message(
            env.creation(),
            |m| id_of(m) == reply_id && text(m).contains("#1: MCP Inspector"),
            WAIT,
        )
        .await
        .unwrap();
    let store = env.h.store().await.unwrap();
    assert_eq!(
        store.group(GroupId(1)).await.unwrap().group.name,
        "MCP Inspector"
    );
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_template_leaves_the_proposal_standing_and_names_nobody() {
    let env = start().await;
    let alice = env.h.user("alice");
    let (msg, card) = env
        .post_template("alice", &wg_template("Registry", alice))
        .await;
    // A moderator (or AutoMod) may delete it: Discord's MESSAGE_DELETE does not say who did.
    env.h.sandbox.delete_message(env.creation(), msg).await;
    let card_id = id_of(&card);
    let updated = env
        .h
        .sandbox
        .wait_message(
            env.creation(),
            |m| id_of(m) == card_id && text(m).contains("template message was deleted"),
            WAIT,
        )
        .await
        .unwrap();
    assert!(
        text(&updated).contains("/group withdraw 1"),
        "the card says how to withdraw: {}",
        text(&updated)
    );
    assert!(
        !text(&updated).contains("Withdrawn by"),
        "{}",
        text(&updated)
    );
    let store = env.h.store().await.unwrap();
    assert_eq!(
        store.group(GroupId(1)).await.unwrap().group.state,
        GroupState::Proposed
    );
    let history = store.history(GroupId(1)).await.unwrap();
    let deleted = history
        .iter()
        .find(|e| e.event.kind.name() == "template_message_deleted")
        .expect("the deletion is in the history");
    assert_eq!(deleted.event.actor, govbot::governance::Actor::System);
    // The moderators' announcement still offers the vote.
    let announcement = env
        .h
        .sandbox
        .messages(env.moderators())
        .into_iter()
        .find(|m| text(m).contains("Registry"))
        .expect("the announcement");
    assert!(!custom_ids(&announcement).is_empty(), "{announcement:#}");
    // A redelivered deletion changes nothing more.
    env.h.sandbox.redeliver_last_dispatch().await;
    let history_again = store.history(GroupId(1)).await.unwrap();
    assert_eq!(history_again.len(), history.len());
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slash_command_opens_a_modal_whose_submission_proposes() {
    let env = start().await;
    let (_, kind, data) = env
        .group(
            "bob",
            "propose",
            json!([
                {"type": 4, "name": "kind", "value": 0},
                {"type": 3, "name": "name", "value": "Auth in MCP"}
            ]),
        )
        .await;
    assert_eq!(kind, 9, "a modal: {data}");
    let custom_id = data["custom_id"].as_str().unwrap().to_string();
    assert!(
        matches!(
            ComponentId::parse(&custom_id),
            Some(ComponentId::Propose { .. })
        ),
        "{custom_id}"
    );
    let inputs: Vec<String> = data["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row["components"][0]["custom_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(inputs, ["similar_groups", "differentiation", "first_topic"]);
    let labels: Vec<&str> = data["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["components"][0]["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "IGs with similar goals or discussions",
            "How this IG differs from those IGs",
            "First topic to discuss in the IG"
        ],
        "the form's own wording, not the template's cut"
    );
    assert_eq!(data["title"], "IG proposal: Auth in MCP");

    let bob = env.h.user("bob");
    let submit = env
        .h
        .sandbox
        .submit_modal(
            bob,
            env.creation(),
            &custom_id,
            &[
                ("similar_groups", "Security in MCP"),
                ("differentiation", "focuses on authorization flows"),
                ("first_topic", "OAuth for remote servers"),
            ],
        )
        .await;
    let first = env.h.sandbox.wait_response(&submit, WAIT).await.unwrap();
    assert_eq!(first.kind, 5, "deferred first: {}", first.data);
    let card = env.h.sandbox.wait_followup(&submit, 0, WAIT).await.unwrap();
    assert!(
        text(&card).contains("IG proposal #1: Auth in MCP"),
        "{card}"
    );
    let store = env.h.store().await.unwrap();
    let g = store.group(GroupId(1)).await.unwrap().group;
    assert_eq!(
        g.facilitators,
        [MemberId(bob)],
        "the proposer facilitates by default"
    );
    env.wait_text(env.moderators(), "New IG proposal #1: Auth in MCP")
        .await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_modal_with_a_missing_answer_is_refused_privately() {
    let env = start().await;
    let (_, _, data) = env
        .group(
            "bob",
            "propose",
            json!([
                {"type": 4, "name": "kind", "value": 1},
                {"type": 3, "name": "name", "value": "Tool Filtering"}
            ]),
        )
        .await;
    let custom_id = data["custom_id"].as_str().unwrap();
    let submit = env
        .h
        .sandbox
        .submit_modal(
            env.h.user("bob"),
            env.creation(),
            custom_id,
            &[
                ("use_cases", "too many tools"),
                ("first_item", "we will think of one"),
            ],
        )
        .await;
    let r = env.h.sandbox.wait_response(&submit, WAIT).await.unwrap();
    assert_eq!(r.kind, 4);
    assert!(is_ephemeral(&r.data), "{}", r.data);
    let t = r.data["content"].as_str().unwrap_or_default().to_string();
    assert!(t.contains("names no Issue, PR or SEP"), "{t}");
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_in_the_creation_channel_is_ignored() {
    let env = start().await;
    let chat = env
        .h
        .sandbox
        .post_message(
            env.creation(),
            env.h.user("carol"),
            "is anyone working on an auth IG?",
        )
        .await;
    // A later template's reply proves the bot is past the chat message.
    let (_, _) = env
        .post_template("alice", &wg_template("Registry", env.h.user("alice")))
        .await;
    let replies_to_chat = env
        .h
        .sandbox
        .messages(env.creation())
        .iter()
        .filter(|m| replied_to(m) == Some(chat))
        .count();
    assert_eq!(replies_to_chat, 0);
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_similar_name_is_flagged_on_the_card() {
    let env = start().await;
    let alice = env.h.user("alice");
    env.post_template("alice", &ig_template("Security in MCP", alice))
        .await;
    let (_, card) = env
        .post_template("bob", &ig_template("MCP Security", env.h.user("bob")))
        .await;
    let t = text(&card);
    assert!(t.contains("Similar names already exist"), "{t}");
    assert!(t.contains("IG #1 'Security in MCP'"), "{t}");
    // The exact same name is refused outright.
    let (_, refused) = env
        .post_template(
            "carol",
            &ig_template("security in mcp", env.h.user("carol")),
        )
        .await;
    assert!(
        text(&refused).contains("already exists (id 1, proposed)"),
        "{}",
        text(&refused)
    );
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_by_someone_else_is_refused_and_unknown_ids_are_explained() {
    let env = start().await;
    env.post_template("alice", &wg_template("Registry", env.h.user("alice")))
        .await;
    let (_, kind, data) = env
        .group(
            "bob",
            "withdraw",
            json!([{"type": 4, "name": "id", "value": 1}]),
        )
        .await;
    assert_eq!(kind, 5, "acknowledged first (deferred)");
    assert!(is_ephemeral(&data));
    assert!(text(&data).contains("only the proposer"), "{data}");

    let (_, _, data) = env
        .group(
            "bob",
            "info",
            json!([{"type": 4, "name": "id", "value": 99}]),
        )
        .await;
    assert!(is_ephemeral(&data));
    assert!(
        text(&data).contains("there is no group with id 99"),
        "{data}"
    );

    let (_, _, data) = env
        .group(
            "alice",
            "withdraw",
            json!([{"type": 4, "name": "id", "value": 1}]),
        )
        .await;
    assert!(text(&data).contains("is withdrawn"), "{data}");
    let (_, _, data) = env.group("bob", "list", json!([])).await;
    assert!(
        text(&data).contains("**#1** WG **Registry**: withdrawn"),
        "{data}"
    );
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_message_or_interaction_delivered_twice_is_handled_once() {
    let env = start().await;
    env.post_template("alice", &wg_template("Registry", env.h.user("alice")))
        .await;
    env.h.sandbox.redeliver_last_dispatch().await;
    let (i, _, _) = env
        .group(
            "bob",
            "info",
            json!([{"type": 4, "name": "id", "value": 1}]),
        )
        .await;
    env.h.sandbox.redeliver_last_dispatch().await;
    // A later command's answer shows both repeats were processed before it.
    env.group("bob", "list", json!([])).await;
    assert_eq!(
        env.h.sandbox.responses(&i).len(),
        2,
        "one answer to one interaction: the deferral, then the answer in it"
    );
    let cards = env
        .h
        .sandbox
        .messages(env.creation())
        .iter()
        .filter(|m| text(m).contains("WG proposal #1"))
        .count();
    assert_eq!(cards, 1);
    let store = env.h.store().await.unwrap();
    assert_eq!(store.list(&Default::default()).await.unwrap().len(), 1);
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_bot_still_has_its_proposals() {
    let mut env = start().await;
    let (msg, _) = env
        .post_template("alice", &wg_template("Registry", env.h.user("alice")))
        .await;
    env.h.restart_bot().await.unwrap();
    let (_, _, data) = env
        .group(
            "bob",
            "info",
            json!([{"type": 4, "name": "id", "value": 1}]),
        )
        .await;
    assert!(text(&data).contains("WG #1: Registry"), "{data}");
    // The message still maps to its proposal: its deletion now shows on the card.
    env.h.sandbox.delete_message(env.creation(), msg).await;
    env.wait_text(env.creation(), "template message was deleted")
        .await;
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_naming_a_missing_channel_or_role_stops_the_bot_with_what_to_fix() {
    use discord_standin::{Sandbox, SandboxOptions, World};
    use govbot::config::{Config, Token};
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(World::standard(), SandboxOptions::default())
        .await
        .unwrap();
    let toml = sandbox
        .world()
        .config_toml(&dir.path().join("govbot.db"), &sandbox.api_base());
    let moderators = sandbox
        .world()
        .channel_id("community-moderators")
        .to_string();
    let steering = sandbox.world().role_id("Steering Group").to_string();
    let broken = toml
        .replacen(&moderators, "123456789012345678", 1)
        .replacen(&steering, "223456789012345678", 1);
    assert_ne!(broken, toml);
    let config = Config::parse(&broken, std::path::Path::new("govbot.toml")).unwrap();
    let clock = std::sync::Arc::new(govbot::clock::SystemClock);
    let transport = govbot::discord::DiscordTransport::Configured;
    let err = match govbot::discord::start(config, Token::new("t".into()), clock, transport).await {
        Ok(_) => panic!("the bot started with a channel and a role the guild does not have"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        err.contains("channels.moderators = 123456789012345678: the guild has no such channel"),
        "{err}"
    );
    assert!(
        err.contains("roles.steering_group = 223456789012345678: the guild has no such role"),
        "{err}"
    );
    assert_eq!(
        sandbox.identify_count(),
        0,
        "it never connected to the gateway"
    );
    assert!(
        sandbox.registered_commands().is_empty(),
        "nothing was registered"
    );
}

/// Typing part of a name into a group id option offers that group, its number as the value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_id_option_suggests_groups_by_the_name_typed() {
    let env = start().await;
    let alice = env.h.user("alice");
    env.post_template("alice", &wg_template("Server Registry", alice))
        .await;
    env.post_template("alice", &ig_template("Security in MCP", alice))
        .await;
    let typing = |sub: &'static str, typed: &'static str| {
        let env = &env;
        async move {
            let i = env
                .h
                .sandbox
                .autocomplete(
                    alice,
                    env.creation(),
                    "group",
                    json!([{"type": 1, "name": sub, "options": [
                        {"type": 4, "name": "id", "value": typed, "focused": true}
                    ]}]),
                )
                .await
                .unwrap();
            let answer = env.h.sandbox.wait_response(&i, WAIT).await.unwrap();
            assert_eq!(answer.kind, 8, "{}", answer.data);
            answer.data["choices"].clone()
        }
    };
    assert_eq!(
        typing("info", "regis").await,
        json!([{"name": "WG #1 Server Registry (proposed)", "value": 1}])
    );
    assert_eq!(
        typing("history", "sec").await,
        json!([{"name": "IG #2 Security in MCP (proposed)", "value": 2}])
    );
    let both = typing("info", "").await;
    assert_eq!(both.as_array().map(Vec::len), Some(2), "{both}");
    assert_eq!(typing("info", "nothing like it").await, json!([]));

    // Every group id option of /group, /govern and /wg suggests groups.
    fn id_options(path: String, options: &serde_json::Value, found: &mut Vec<(String, bool)>) {
        for o in options.as_array().into_iter().flatten() {
            let here = format!("{path} {}", o["name"].as_str().unwrap_or_default());
            if o["name"] == "id" && o["type"] == 4 {
                found.push((here.clone(), o["autocomplete"] == true));
            }
            id_options(here, &o["options"], found);
        }
    }
    let mut found = Vec::new();
    for command in env.h.sandbox.registered_commands() {
        let name = command["name"].as_str().unwrap_or_default().to_string();
        id_options(format!("/{name}"), &command["options"], &mut found);
    }
    for family in ["/group", "/govern", "/wg"] {
        assert!(
            found.iter().any(|(path, _)| path.starts_with(family)),
            "{found:?}"
        );
    }
    let without: Vec<_> = found.iter().filter(|(_, auto)| !auto).collect();
    assert!(without.is_empty(), "no autocomplete: {without:?}");
    assert!(found.len() >= 20, "{found:?}");
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}
