//! Helpers shared by the end-to-end tests: the harness, and reading Discord messages as text.

#![allow(dead_code)]

pub mod bot_process;
pub mod core;
pub mod example;

pub use govbot::discord::component_id::ComponentId;
use govbot::harness::{Harness, WAIT};
use govbot::standard_world::StandardWorld as _;
use serde_json::Value;
use tempfile::TempDir;

/// The instant every test's governance clock starts at, unless a test says otherwise.
/// The subcommands of `/govern`, govbot's command for deciding on groups.
pub const GOVERN: &[&str] = &[
    "call-vote",
    "veto",
    "lift-veto",
    "reverse",
    "sponsor",
    "retire",
    "facilitator",
    "maintainer",
    "maintenance",
];

/// The standard world where the admins opened `/govern` to everyone (Integrations: `@everyone`
/// allowed), so that anyone can send its commands and govbot's own role checks are the only
/// gate: what tests of who may do what need.
pub fn everyone_may_govern() -> discord_standin::World {
    let mut world = discord_standin::World::standard();
    world
        .command_permissions
        .push(discord_standin::CommandPermissionSpec {
            command: "govern".to_owned(),
            id: world.guild_id,
            kind: discord_standin::OverwriteKind::Role,
            allow: true,
        });
    world
}

pub fn t0() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone as _;
    chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

pub struct Env {
    pub h: Harness,
    pub dir: TempDir,
}

pub async fn start() -> Env {
    start_with(discord_standin::World::standard()).await
}

/// [`start`] in another guild (e.g. the standard one with a permission changed).
pub async fn start_with(world: discord_standin::World) -> Env {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::start_with(&dir.path().join("govbot.db"), world, Harness::options())
        .await
        .unwrap();
    Env { h, dir }
}

/// Everything a person reads in a message: content, embed titles and descriptions.
pub fn text(m: &Value) -> String {
    let mut out = m["content"].as_str().unwrap_or_default().to_string();
    for e in m["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            if let Some(s) = e[key].as_str() {
                out.push('\n');
                out.push_str(s);
            }
        }
    }
    out
}

/// The message this one replies to, if any.
pub fn replied_to(m: &Value) -> Option<u64> {
    m["message_reference"]["message_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
}

pub fn id_of(m: &Value) -> u64 {
    m["id"].as_str().unwrap().parse().unwrap()
}

/// The custom id of the ballot button for `choice` ("yes", "no" or "abstain") on a vote message
/// message (it also names the vote).
pub fn ballot(message: &Value, choice: &str) -> String {
    custom_ids(message)
        .into_iter()
        .find(|c| {
            matches!(ComponentId::parse(c), Some(ComponentId::Ballot { choice: ch, .. }) if ch.to_string() == choice)
        })
        .unwrap_or_else(|| panic!("no {choice} ballot button on {message:#}"))
}

/// Whether `m` carries group `id`'s ballot buttons.
pub fn has_ballot_buttons(m: &Value, id: impl std::fmt::Display) -> bool {
    let id = id.to_string();
    custom_ids(m).iter().any(|c| {
        matches!(ComponentId::parse(c), Some(ComponentId::Ballot { group, .. }) if group.to_string() == id)
    })
}

pub fn custom_ids(m: &Value) -> Vec<String> {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

pub fn is_ephemeral(data: &Value) -> bool {
    data["flags"].as_u64().unwrap_or(0) & 64 != 0
}

impl Env {
    pub fn creation(&self) -> u64 {
        self.h.channel("wg-ig-group-creation")
    }
    pub fn moderators(&self) -> u64 {
        self.h.channel("community-moderators")
    }

    /// Waits for a message in `channel` whose text contains `wanted`, and returns it; on a
    /// timeout the panic lists what the channel holds.
    pub async fn wait_text(&self, channel: u64, wanted: &str) -> Value {
        self.h
            .sandbox
            .wait_message(channel, |m| text(m).contains(wanted), WAIT)
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no message containing {wanted:?}: {e}\nmessages: {:#?}",
                    self.h
                        .sandbox
                        .messages(channel)
                        .iter()
                        .map(text)
                        .collect::<Vec<_>>()
                )
            })
    }

    /// Waits for govbot's reply to message `to` in `channel` whose text satisfies `pred`.
    pub async fn reply_to(&self, channel: u64, to: u64, pred: impl Fn(&str) -> bool) -> Value {
        self.h
            .sandbox
            .wait_message(
                channel,
                |m| replied_to(m) == Some(to) && pred(&text(m)),
                WAIT,
            )
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "no matching reply to {to}: {e}\nmessages: {:#?}",
                    self.h
                        .sandbox
                        .messages(channel)
                        .iter()
                        .map(text)
                        .collect::<Vec<_>>()
                )
            })
    }

    /// Posts `content` as `user` in the creation channel and waits for govbot's reply.
    pub async fn post_template(&self, user: &str, content: &str) -> (u64, Value) {
        let id = self
            .h
            .sandbox
            .post_message(self.creation(), self.h.user(user), content)
            .await;
        let reply = self.reply_to(self.creation(), id, |_| true).await;
        (id, reply)
    }

    /// Runs a slash command `/group <sub> ...` as `user`, or `/govern <sub> ...` for the
    /// subcommands only those who decide on groups may use ([`GOVERN`]), and returns the
    /// interaction and the first callback's data.
    pub async fn group(
        &self,
        user: &str,
        sub: &str,
        options: Value,
    ) -> (discord_standin::Interaction, u8, Value) {
        let i = self
            .h
            .sandbox
            .slash_command(
                self.h.user(user),
                self.creation(),
                if GOVERN.contains(&sub) {
                    "govern"
                } else {
                    "group"
                },
                serde_json::json!([{"type": 1, "name": sub, "options": options}]),
            )
            .await;
        let r = self.h.sandbox.wait_response(&i, WAIT).await.unwrap();
        if r.kind != 5 {
            return (i, r.kind, r.data);
        }
        // Commands acknowledge first (deferred), then their answer replaces that.
        let answer = self.h.sandbox.wait_followup(&i, 0, WAIT).await.unwrap();
        (i, r.kind, answer)
    }

    /// Every request the bot sent so far is one Discord's API description accepts, and one
    /// Discord's permission rules allow (no 403 from the sandbox).
    pub fn assert_openapi_clean(&self) {
        let problems = self.h.sandbox.openapi_problems();
        assert!(
            problems.is_empty(),
            "requests outside Discord's API description: {problems:#?}"
        );
        let refused = self.h.sandbox.refusals();
        assert!(
            refused.is_empty(),
            "requests Discord would refuse (permissions): {refused:#?}"
        );
    }
}

pub fn wg_template(name: &str, facilitator: u64) -> String {
    format!(
        "WG: {name}\n\
         - **Facilitator(s):** <@{facilitator}>\n\
         - **Maintainer(s) (optional):** none\n\
         - **Explanation of interest/use cases:** clients need to find servers\n\
         - **First Issue/PR/SEP:** SEP-1234"
    )
}

pub fn ig_template(name: &str, facilitator: u64) -> String {
    format!(
        "IG: {name}\n\
         Facilitator(s): <@{facilitator}>\n\
         IGs with similar goals: none yet\n\
         How this IG differs from them: it is the first\n\
         First topic: threat models"
    )
}

/// Polls `check` until it gives a value, for at most [`WAIT`]: a bounded wait for the bot to act,
/// never a sleep for governance time to pass (the clock only moves when a test moves it).
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Whether the bot's answer and the text of it: a deferral is followed to the edited original
/// response.
pub async fn answer(env: &Env, i: &discord_standin::Interaction) -> (bool, String) {
    let r = env.h.sandbox.wait_response(i, WAIT).await.unwrap();
    let ephemeral = is_ephemeral(&r.data);
    if r.kind != 5 {
        return (ephemeral, text(&r.data));
    }
    let body = eventually("the deferred answer", || {
        env.h
            .sandbox
            .original_message(i)
            .filter(|m| !text(m).trim().is_empty())
    })
    .await;
    (ephemeral, text(&body))
}

/// Whether an answer is a refusal (every error a person causes starts with the warning sign).
pub fn refused(said: &str) -> bool {
    said.starts_with(":warning:")
}

/// Runs a store read to completion from a synchronous poll (needs the multi-thread runtime).
pub fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(f))
}

/// Seconds in an hour, for moving the governance clock.
pub const HOUR: i64 = 3600;

/// A proposal by alice from `template`, and its announcement in the moderators' channel.
pub async fn propose_template(env: &Env, template: &str) -> (govbot::store::GroupId, Value) {
    let (_, card) = env.post_template("alice", template).await;
    let id = text(&card)
        .split('#')
        .nth(1)
        .and_then(|s| {
            s.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
        .map(govbot::store::GroupId)
        .unwrap_or_else(|| panic!("no id in the card: {}", text(&card)));
    let announcement = env
        .h
        .sandbox
        .wait_message(
            env.moderators(),
            |m| custom_ids(m).contains(&ComponentId::CallVote(id).to_string()),
            WAIT,
        )
        .await
        .unwrap();
    (id, announcement)
}

/// `user` clicks `custom_id` on a message in the moderators' channel; the answer they see.
pub async fn click(env: &Env, user: &str, message: &Value, custom_id: &str) -> (bool, String) {
    let i = env
        .h
        .sandbox
        .click_button(
            env.h.user(user),
            env.moderators(),
            id_of(message),
            custom_id,
        )
        .await;
    answer(env, &i).await
}

/// An approved group from `template`: proposed by alice (its facilitator), voted yes by all
/// three moderators, closed by the clock. Returns its id and channel.
pub async fn active_group(env: &Env, template: &str) -> (govbot::store::GroupId, u64) {
    let (id, _) = propose_template(env, template).await;
    let (i, _, _) = env
        .group(
            "mod-ana",
            "call-vote",
            serde_json::json!([{"type": 4, "name": "id", "value": id.0}]),
        )
        .await;
    let (_, said) = answer(env, &i).await;
    assert!(!refused(&said), "{said}");
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
    env.h.clock.advance(chrono::Duration::seconds(72 * HOUR));
    let store = env.h.store().await.unwrap();
    let channel = eventually("the group's channel to be linked", || {
        block_on(store.group(id)).ok().and_then(|g| g.group.channel)
    })
    .await;
    (id, channel)
}
