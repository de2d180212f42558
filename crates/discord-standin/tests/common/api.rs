//! A plain HTTP client speaking to the stand-in's REST API as the bot, and the answers it gets:
//! what tests/sandbox_rules.rs drives the rules with (govbot's tests include this file too).
#![allow(dead_code)]

use super::world::StandardWorld as _;
use discord_standin::payloads::id_of;
use discord_standin::{Interaction, OverwriteKind, OverwriteSpec, Sandbox, SandboxOptions, World};
use serde_json::{json, Value};

/// 👍, percent-encoded as a reaction route wants it.
pub const THUMBS: &str = "%F0%9F%91%8D";

/// The sandbox and a plain HTTP client speaking to it as the bot.
pub struct Api {
    pub sandbox: Sandbox,
    pub client: reqwest::Client,
}

/// An answer: status and JSON body (`null` for none).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// Asserts Discord's refusal: `status` with JSON `code`.
    #[track_caller]
    pub fn refused(&self, status: u16, code: u64) {
        assert_eq!(
            (self.status, self.body["code"].as_u64()),
            (status, Some(code)),
            "expected {status} with code {code}, got {self:?}"
        );
    }

    /// Asserts Discord's 400 Invalid Form Body with `code` at `path` (`embeds.0.title`).
    #[track_caller]
    pub fn invalid_at(&self, path: &str, code: &str) {
        self.refused(400, 50035);
        let mut node = &self.body["errors"];
        for key in path.split('.') {
            node = &node[key];
        }
        let codes: Vec<&str> = node["_errors"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e["code"].as_str())
            .collect();
        assert!(
            codes.contains(&code),
            "expected {code} at {path}, got {}",
            self.body
        );
    }

    /// Asserts a success (2xx).
    #[track_caller]
    pub fn ok(&self) -> &Value {
        assert!(
            (200..300).contains(&self.status),
            "expected success, got {self:?}"
        );
        &self.body
    }
}

impl Api {
    pub async fn start(world: World) -> Api {
        // These requests go back to back with no rate limiter (a reaction and its removal
        // within Discord's 250 ms): rate limits are tests/ratelimits.rs's subject, not these.
        let options = SandboxOptions {
            rate_limits: discord_standin::ratelimit::RateLimitOptions {
                enabled: false,
                scale: 1.0,
            },
            ..SandboxOptions::default()
        };
        let sandbox = Sandbox::start(world, options).await.unwrap();
        Api {
            sandbox,
            client: reqwest::Client::new(),
        }
    }

    pub async fn standard() -> Api {
        Api::start(World::standard()).await
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let url = format!("{}/api/v10{path}", self.sandbox.api_base());
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, url)
            .header("authorization", format!("Bot {}", self.sandbox.token()));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Answer { status, body }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Option<Value>) -> Answer {
        self.call("PUT", path, body).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call("PATCH", path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call("DELETE", path, None).await
    }

    pub fn world(&self) -> &World {
        self.sandbox.world()
    }

    pub fn channel(&self, name: &str) -> u64 {
        self.world().channel_id(name)
    }

    pub fn user(&self, name: &str) -> u64 {
        self.world().user_id(name)
    }

    pub fn role(&self, name: &str) -> u64 {
        self.world().role_id(name)
    }

    pub fn guild(&self) -> u64 {
        self.world().guild_id
    }

    /// The bot sends `body` to the channel called `channel`.
    pub async fn send(&self, channel: &str, body: Value) -> Answer {
        let c = self.channel(channel);
        self.post(&format!("/channels/{c}/messages"), body).await
    }

    /// `user` posts a message in `channel`; its id.
    pub async fn person_posts(&self, user: &str, channel: &str) -> u64 {
        self.sandbox
            .try_post_message(self.channel(channel), self.user(user), "hello")
            .await
            .unwrap()
    }

    /// Registers `/ping` in the guild, as the bot does at start-up.
    pub async fn register_ping(&self) {
        let (app, guild) = (self.world().application_id, self.guild());
        let ping = json!([{"name": "ping", "description": "Answers pong", "type": 1}]);
        self.put(
            &format!("/applications/{app}/guilds/{guild}/commands"),
            Some(ping),
        )
        .await
        .ok();
    }

    /// `user` runs `/ping` in `channel`.
    pub async fn ping(&self, user: &str, channel: &str) -> anyhow::Result<Interaction> {
        self.sandbox
            .try_slash_command(self.user(user), self.channel(channel), "ping", json!([]))
            .await
    }

    /// The INTERACTION_CREATE payload of `interaction` (no bot is connected: it is undelivered).
    pub fn interaction_payload(&self, interaction: &Interaction) -> Value {
        self.sandbox
            .undelivered()
            .into_iter()
            .rev()
            .find(|u| u.event == "INTERACTION_CREATE" && id_of(&u.data) == Some(interaction.id))
            .expect("the interaction was dispatched")
            .data
    }

    pub async fn callback(&self, interaction: &Interaction, body: Value) -> Answer {
        let path = format!(
            "/interactions/{}/{}/callback",
            interaction.id, interaction.token
        );
        self.post(&path, body).await
    }
}

/// The standard world with an overwrite added to the channel called `channel`.
pub fn with_overwrite(
    channel: &str,
    id: impl Fn(&World) -> u64,
    kind: OverwriteKind,
    allow: u64,
    deny: u64,
) -> World {
    let mut world = World::standard();
    let id = id(&world);
    world.channel_mut(channel).overwrites.push(OverwriteSpec {
        id,
        kind,
        allow,
        deny,
    });
    world
}

/// The standard world where the bot is denied `bits` in `channel` by an overwrite.
pub fn bot_denied(channel: &str, bits: u64) -> World {
    let mut world = World::standard();
    world.deny_bot_in(channel, bits);
    world
}

pub fn member_overwrite(user: u64, allow: u64, deny: u64) -> Value {
    json!({"id": user.to_string(), "type": 1, "allow": allow.to_string(), "deny": deny.to_string()})
}

pub fn role_overwrite(role: u64, allow: u64, deny: u64) -> Value {
    json!({"id": role.to_string(), "type": 0, "allow": allow.to_string(), "deny": deny.to_string()})
}

pub fn embed(description: &str) -> Value {
    json!({"title": "Card", "description": description})
}
