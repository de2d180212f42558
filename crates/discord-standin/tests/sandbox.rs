//! The Discord stand-in against serenity itself: every frame it sends deserialises with serenity's
//! own types, its REST answers decode in serenity's HTTP client and match Discord's documented
//! response schemas, a real serenity client runs against it end to end, its OpenAPI checker
//! catches bad requests, and the gateway survives heartbeats and reconnects.
//!
//! Everything listens on 127.0.0.1; every wait is bounded and event-driven (no sleeps).

mod common;

use common::world::StandardWorld as _;
use discord_standin::{Sandbox, SandboxOptions, World};
use serde_json::{json, Value};
use serenity::all as sy;
use serenity::async_trait;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(10);

fn options() -> SandboxOptions {
    let options = SandboxOptions::default();
    assert!(
        options.openapi.is_some(),
        "the sandbox checks requests against Discord's OpenAPI description by default"
    );
    options
}

/// A serenity client running against the sandbox.
struct Bot {
    http: Arc<sy::Http>,
    shards: Arc<sy::ShardManager>,
}

impl Bot {
    async fn start(
        sandbox: &Sandbox,
        intents: sy::GatewayIntents,
        handler: impl sy::EventHandler + 'static,
        raw: Option<Recorder>,
    ) -> Bot {
        // Serenity's production path: https://discord.com (resolved to the sandbox) with its rate
        // limiter on, which the sandbox's rate limits require of a client that bursts.
        let client = sandbox.https_client().expect("a client for the sandbox");
        let http = sy::HttpBuilder::new(sandbox.token()).client(client).build();
        let mut builder = sy::ClientBuilder::new_with_http(http, intents).event_handler(handler);
        if let Some(raw) = raw {
            builder = builder.raw_event_handler(raw);
        }
        let mut client = builder.await.expect("building the serenity client");
        let bot = Bot {
            http: client.http.clone(),
            shards: client.shard_manager.clone(),
        };
        tokio::spawn(async move { client.start().await });
        bot
    }

    async fn stop(self) {
        self.shards.shutdown_all().await;
    }
}

/// Replies to people's messages with `echo: <content>` and answers `/ping` with `pong`;
/// registers `/ping` in the guild when ready.
struct Echo {
    guild_id: u64,
}

#[async_trait]
impl sy::EventHandler for Echo {
    async fn ready(&self, ctx: sy::Context, _: sy::Ready) {
        let ping = sy::CreateCommand::new("ping").description("Answers pong");
        if let Err(e) = sy::GuildId::new(self.guild_id)
            .set_commands(&ctx.http, vec![ping])
            .await
        {
            panic!("registering /ping failed: {e}");
        }
    }

    async fn message(&self, ctx: sy::Context, msg: sy::Message) {
        if !msg.author.bot {
            let reply = format!("echo: {}", msg.content);
            msg.channel_id
                .say(&ctx.http, reply)
                .await
                .expect("replying");
        }
    }

    async fn interaction_create(&self, ctx: sy::Context, interaction: sy::Interaction) {
        if let sy::Interaction::Command(command) = interaction {
            if command.data.name == "ping" {
                let pong = sy::CreateInteractionResponseMessage::new().content("pong");
                // A redelivered interaction is refused by Discord (40060): that is expected.
                let _ = command
                    .create_response(&ctx.http, sy::CreateInteractionResponse::Message(pong))
                    .await;
            }
        }
    }
}

/// Does nothing with events (the fidelity test answers interactions itself).
struct Quiet;

#[async_trait]
impl sy::EventHandler for Quiet {}

/// Records every event the real client deserialised, by name (`Unknown` for dropped ones).
#[derive(Clone)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
    changed: watch::Sender<usize>,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            seen: Arc::default(),
            changed: watch::channel(0).0,
        }
    }

    fn names(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits until the client received `name`; fails at once if serenity dropped it as unknown.
    async fn wait_for(&self, name: &str) {
        let dropped = format!("Unknown({name})");
        let mut rx = self.changed.subscribe();
        let arrived = |_: &usize| self.names().iter().any(|n| *n == name || *n == dropped);
        tokio::time::timeout(WAIT, rx.wait_for(arrived))
            .await
            .unwrap_or_else(|_| panic!("the client never received {name}; saw {:?}", self.names()))
            .expect("recorder alive");
        assert!(
            !self.names().contains(&dropped),
            "serenity dropped {name} as Event::Unknown: a field it requires is missing"
        );
    }
}

#[async_trait]
impl sy::RawEventHandler for Recorder {
    async fn raw_event(&self, _: sy::Context, event: sy::Event) {
        let name = match &event {
            sy::Event::Unknown(u) => format!("Unknown({})", u.kind),
            other => other.name().unwrap_or_else(|| "?".to_owned()),
        };
        self.seen.lock().unwrap().push(name);
        self.changed.send_modify(|n| *n += 1);
    }
}

fn all_intents() -> sy::GatewayIntents {
    sy::GatewayIntents::GUILDS
        | sy::GatewayIntents::GUILD_MEMBERS
        | sy::GatewayIntents::GUILD_PRESENCES
        | sy::GatewayIntents::GUILD_MESSAGES
        | sy::GatewayIntents::GUILD_MESSAGE_REACTIONS
        | sy::GatewayIntents::MESSAGE_CONTENT
}

/// Deserialises one dispatch frame with serenity's own types: first the payload into the
/// specific model type (for a readable error), then the whole frame as a `GatewayEvent`, which
/// must not be `Event::Unknown` (what serenity silently drops).
fn check_frame(frame: &Value) -> Result<String, String> {
    fn typed<T: serde::de::DeserializeOwned>(d: &Value) -> Result<(), String> {
        serde_json::from_value::<T>(d.clone())
            .map(drop)
            .map_err(|e| format!("{e} in {d}"))
    }
    let name = frame["t"]
        .as_str()
        .ok_or("a dispatch without t")?
        .to_owned();
    let d = &frame["d"];
    match name.as_str() {
        "READY" => typed::<sy::Ready>(d),
        "GUILD_CREATE" => typed::<sy::GuildCreateEvent>(d),
        "MESSAGE_CREATE" => typed::<sy::Message>(d),
        "MESSAGE_UPDATE" => typed::<sy::MessageUpdateEvent>(d),
        "MESSAGE_DELETE" => typed::<sy::MessageDeleteEvent>(d),
        "MESSAGE_REACTION_ADD" | "MESSAGE_REACTION_REMOVE" => typed::<sy::Reaction>(d),
        "INTERACTION_CREATE" => typed::<sy::Interaction>(d),
        "CHANNEL_CREATE" | "CHANNEL_UPDATE" => typed::<sy::Channel>(d),
        "THREAD_CREATE" => typed::<sy::ThreadCreateEvent>(d),
        "GUILD_MEMBER_UPDATE" => typed::<sy::GuildMemberUpdateEvent>(d),
        "RESUMED" => typed::<sy::ResumedEvent>(d),
        "GUILD_MEMBERS_CHUNK" => typed::<sy::GuildMembersChunkEvent>(d),
        other => Err(format!(
            "the sandbox sent {other}, which this test does not know"
        )),
    }
    .map_err(|e| format!("{name}: {e}"))?;
    match serde_json::from_value::<sy::GatewayEvent>(frame.clone()) {
        Ok(sy::GatewayEvent::Dispatch(_, sy::Event::Unknown(_))) => {
            Err(format!("{name} became Event::Unknown: {frame}"))
        }
        Ok(sy::GatewayEvent::Dispatch(..)) => Ok(name),
        Ok(other) => Err(format!("{name} is not a dispatch: {other:?}")),
        Err(e) => Err(format!("{name}: {e}")),
    }
}

/// The REST schema Discord documents for a dispatch's payload, where there is one.
fn schema_of(event: &str) -> Option<&'static str> {
    match event {
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" => Some("MessageResponse"),
        "CHANNEL_CREATE" | "CHANNEL_UPDATE" => Some("GuildChannelResponse"),
        "GUILD_MEMBER_UPDATE" => Some("GuildMemberResponse"),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_frame_and_answer_the_sandbox_sends_is_what_serenity_and_the_spec_expect() {
    let mut options = options();
    options.check_responses = true;
    // The client asks for presences too (GUILD_CREATE then lists every member): the
    // application has that privileged intent turned on, or Discord closes the gateway (4014).
    let mut world = World::standard();
    world.application_flags |=
        discord_standin::permissions::application_flags::GATEWAY_PRESENCE_LIMITED;
    let sandbox = Sandbox::start(world, options).await.unwrap();
    let world = sandbox.world().clone();
    let recorder = Recorder::new();
    let bot = Bot::start(&sandbox, all_intents(), Quiet, Some(recorder.clone())).await;
    sandbox.wait_identified(WAIT).await.unwrap();
    recorder.wait_for("GUILD_CREATE").await;
    let http = bot.http.clone();
    let guild = sy::GuildId::new(world.guild_id);
    let creation = sy::ChannelId::new(world.channel_id("wg-ig-group-creation"));
    let alice = world.user_id("alice");
    let bob = world.user_id("bob");

    // Bootstrap routes and command registration.
    http.get_gateway().await.unwrap();
    http.get_bot_gateway().await.unwrap();
    http.get_current_application_info().await.unwrap();
    http.get_current_user().await.unwrap();
    let propose = sy::CreateCommandOption::new(
        sy::CommandOptionType::SubCommand,
        "propose",
        "Propose a group",
    )
    .add_sub_option(
        sy::CreateCommandOption::new(sy::CommandOptionType::String, "kind", "IG or WG")
            .required(true)
            .add_string_choice("IG", "IG")
            .add_string_choice("WG", "WG"),
    )
    .add_sub_option(sy::CreateCommandOption::new(
        sy::CommandOptionType::User,
        "facilitator",
        "Who facilitates",
    ));
    let registered = guild
        .set_commands(
            &http,
            vec![
                sy::CreateCommand::new("ping").description("Answers pong"),
                sy::CreateCommand::new("group")
                    .description("Groups")
                    .add_option(propose),
            ],
        )
        .await
        .unwrap();
    assert_eq!(registered.len(), 2);
    sy::Command::set_global_commands(
        &http,
        vec![sy::CreateCommand::new("about").description("About")],
    )
    .await
    .unwrap();
    assert_eq!(guild.get_commands(&http).await.unwrap().len(), 2);

    // Guild, channels, roles, members.
    let partial = http.get_guild(guild).await.unwrap();
    assert_eq!(partial.name, world.guild_name);
    assert_eq!(
        guild.channels(&http).await.unwrap().len(),
        world.channels.len()
    );
    assert_eq!(
        guild.roles(&http).await.unwrap().len(),
        world.roles.len() + 1
    );
    let first = guild.members(&http, Some(3), None).await.unwrap();
    let next = guild
        .members(&http, Some(100), Some(first[2].user.id))
        .await
        .unwrap();
    assert_eq!(first.len() + next.len(), world.members.len());
    guild.member(&http, alice).await.unwrap();
    let category = guild
        .create_channel(
            &http,
            sy::CreateChannel::new("Incubator").kind(sy::ChannelType::Category),
        )
        .await
        .unwrap();
    let everyone = sy::PermissionOverwrite {
        allow: sy::Permissions::empty(),
        deny: sy::Permissions::VIEW_CHANNEL,
        kind: sy::PermissionOverwriteType::Role(sy::RoleId::new(world.guild_id)),
    };
    // Hidden from everyone but the bot itself: without ADMINISTRATOR, a bot that denies
    // @everyone VIEW_CHANNEL and forgets itself can no longer touch the channel.
    let bot_sees = sy::PermissionOverwrite {
        allow: sy::Permissions::VIEW_CHANNEL,
        deny: sy::Permissions::empty(),
        kind: sy::PermissionOverwriteType::Member(sy::UserId::new(world.bot_user_id)),
    };
    let mut channel = guild
        .create_channel(
            &http,
            sy::CreateChannel::new("IG Security")
                .kind(sy::ChannelType::Text)
                .category(category.id)
                .permissions(vec![everyone, bot_sees]),
        )
        .await
        .unwrap();
    assert_eq!(channel.name, "ig-security");
    let archive = sy::ChannelId::new(world.channel_id("Archive"));
    channel
        .edit(&http, sy::EditChannel::new().category(Some(archive)))
        .await
        .unwrap();
    let facilitator = sy::PermissionOverwrite {
        allow: sy::Permissions::MANAGE_MESSAGES,
        deny: sy::Permissions::empty(),
        kind: sy::PermissionOverwriteType::Member(sy::UserId::new(alice)),
    };
    channel.create_permission(&http, facilitator).await.unwrap();
    channel
        .delete_permission(
            &http,
            sy::PermissionOverwriteType::Member(sy::UserId::new(alice)),
        )
        .await
        .unwrap();
    http.get_channel(channel.id).await.unwrap();
    let role = sy::RoleId::new(world.role_id("Facilitator"));
    http.add_member_role(guild, sy::UserId::new(alice), role, None)
        .await
        .unwrap();
    assert!(sandbox.member_roles(alice).contains(&role.get()));
    http.remove_member_role(guild, sy::UserId::new(alice), role, None)
        .await
        .unwrap();

    // The bot's messages, reactions and edits.
    let card = creation
        .send_message(
            &http,
            sy::CreateMessage::new()
                .content(format!("Proposal by <@{alice}>"))
                .embed(sy::CreateEmbed::new().title("IG: Security").field(
                    "Facilitators",
                    "alice",
                    true,
                ))
                .components(vec![sy::CreateActionRow::Buttons(vec![
                    sy::CreateButton::new("call-vote")
                        .label("Call vote")
                        .style(sy::ButtonStyle::Primary),
                ])]),
        )
        .await
        .unwrap();
    assert_eq!(card.mentions.len(), 1);
    let reply = creation
        .send_message(
            &http,
            sy::CreateMessage::new()
                .content("noted")
                .reference_message(&card),
        )
        .await
        .unwrap();
    assert!(reply.referenced_message.is_some());
    assert_eq!(
        creation
            .messages(&http, sy::GetMessages::new().limit(10))
            .await
            .unwrap()
            .len(),
        2
    );
    creation.message(&http, card.id).await.unwrap();
    creation
        .edit_message(
            &http,
            reply.id,
            sy::EditMessage::new().content("noted, thanks"),
        )
        .await
        .unwrap();
    card.react(&http, '👍').await.unwrap();
    assert_eq!(
        card.reaction_users(&http, '👍', None, None)
            .await
            .unwrap()
            .len(),
        1
    );
    card.delete_reaction(&http, None, '👍').await.unwrap();
    creation.delete_message(&http, reply.id).await.unwrap();

    // People's messages and reactions, injected.
    let posted = sandbox
        .post_message(
            creation.get(),
            alice,
            &format!("hello <@{bob}> and <@{}>", world.bot_user_id),
        )
        .await;
    sandbox
        .edit_message(creation.get(), posted, "hello again")
        .await;
    sandbox
        .add_reaction(bob, creation.get(), card.id.get(), "👍")
        .await;
    sandbox
        .remove_reaction(bob, creation.get(), card.id.get(), "👍")
        .await;
    sandbox.delete_message(creation.get(), posted).await;

    // Interactions: a reply with follow-ups and edits, a deferral, a modal, components.
    let ping = sandbox
        .slash_command(alice, creation.get(), "ping", json!([]))
        .await;
    let id = sy::InteractionId::new(ping.id);
    http.create_interaction_response(
        id,
        &ping.token,
        &sy::CreateInteractionResponse::Message(
            sy::CreateInteractionResponseMessage::new().content("pong"),
        ),
        vec![],
    )
    .await
    .unwrap();
    let more = http
        .create_followup_message(
            &ping.token,
            &sy::CreateInteractionResponseFollowup::new().content("more"),
            vec![],
        )
        .await
        .unwrap();
    http.edit_followup_message(
        &ping.token,
        more.id,
        &sy::CreateInteractionResponseFollowup::new().content("less"),
        vec![],
    )
    .await
    .unwrap();
    http.delete_followup_message(&ping.token, more.id)
        .await
        .unwrap();
    http.get_original_interaction_response(&ping.token)
        .await
        .unwrap();
    http.edit_original_interaction_response(
        &ping.token,
        &sy::EditInteractionResponse::new().content("pong!"),
        vec![],
    )
    .await
    .unwrap();
    http.delete_original_interaction_response(&ping.token)
        .await
        .unwrap();

    let options = json!([{"type": 1, "name": "propose", "options": [
        {"type": 3, "name": "kind", "value": "IG"},
        {"type": 6, "name": "facilitator", "value": alice.to_string()},
    ]}]);
    let propose = sandbox
        .slash_command(bob, creation.get(), "group", options)
        .await;
    let defer = sy::CreateInteractionResponse::Defer(
        sy::CreateInteractionResponseMessage::new().ephemeral(true),
    );
    http.create_interaction_response(
        sy::InteractionId::new(propose.id),
        &propose.token,
        &defer,
        vec![],
    )
    .await
    .unwrap();
    http.create_followup_message(
        &propose.token,
        &sy::CreateInteractionResponseFollowup::new().content("done"),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(
        sandbox.wait_followup(&propose, 0, WAIT).await.unwrap()["content"],
        "done"
    );

    let modal = sandbox
        .slash_command(bob, creation.get(), "ping", json!([]))
        .await;
    let form = sy::CreateModal::new("propose-form", "Propose").components(vec![
        sy::CreateActionRow::InputText(sy::CreateInputText::new(
            sy::InputTextStyle::Paragraph,
            "Scope",
            "scope",
        )),
    ]);
    http.create_interaction_response(
        sy::InteractionId::new(modal.id),
        &modal.token,
        &sy::CreateInteractionResponse::Modal(form),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(sandbox.wait_response(&modal, WAIT).await.unwrap().kind, 9);
    let submit = sandbox
        .submit_modal(
            bob,
            creation.get(),
            "propose-form",
            &[("scope", "Threat models")],
        )
        .await;
    http.create_interaction_response(
        sy::InteractionId::new(submit.id),
        &submit.token,
        &sy::CreateInteractionResponse::Acknowledge,
        vec![],
    )
    .await
    .unwrap();

    let click = sandbox
        .click_button(
            world.user_id("mod-ana"),
            creation.get(),
            card.id.get(),
            "call-vote",
        )
        .await;
    let update = sy::CreateInteractionResponseMessage::new()
        .content("Vote called")
        .components(vec![]);
    http.create_interaction_response(
        sy::InteractionId::new(click.id),
        &click.token,
        &sy::CreateInteractionResponse::UpdateMessage(update),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(
        sandbox.message(card.id.get()).unwrap()["content"],
        "Vote called"
    );

    // A member request over the gateway (op 8).
    {
        let runners = bot.shards.runners.lock().await;
        let runner = &runners[&sy::ShardId(0)].runner_tx;
        runner.chunk_guild(
            guild,
            None,
            false,
            sy::ChunkGuildFilter::None,
            Some("n1".to_owned()),
        );
    }
    recorder.wait_for("GUILD_MEMBERS_CHUNK").await;

    // A reconnect, so RESUMED is covered too.
    assert!(sandbox.request_reconnect().await);
    sandbox
        .wait_gateway(|g| g.resumes == 1 && g.connected, WAIT)
        .await
        .unwrap();
    recorder.wait_for("RESUMED").await;

    // Every frame deserialises with serenity's types into the event it names.
    let mut names = BTreeSet::new();
    let mut interaction_types = BTreeSet::new();
    for frame in sandbox.dispatch_log() {
        let name = check_frame(&frame).unwrap_or_else(|e| panic!("{e}"));
        if name == "INTERACTION_CREATE" {
            interaction_types.insert(frame["d"]["type"].as_u64().unwrap());
        }
        if let Some(schema) = schema_of(&name) {
            let problems = sandbox.check_schema(schema, &frame["d"]).unwrap();
            assert!(problems.is_empty(), "{name} against {schema}: {problems:?}");
        }
        names.insert(name);
    }
    let expected = [
        "READY",
        "GUILD_CREATE",
        "MESSAGE_CREATE",
        "MESSAGE_UPDATE",
        "MESSAGE_DELETE",
        "INTERACTION_CREATE",
        "MESSAGE_REACTION_ADD",
        "MESSAGE_REACTION_REMOVE",
        "CHANNEL_CREATE",
        "CHANNEL_UPDATE",
        "GUILD_MEMBER_UPDATE",
        "GUILD_MEMBERS_CHUNK",
        "RESUMED",
    ];
    let missing: Vec<_> = expected.iter().filter(|n| !names.contains(**n)).collect();
    assert!(missing.is_empty(), "no frame of {missing:?} was sent");
    assert_eq!(interaction_types, BTreeSet::from([2, 3, 5]));
    let chunk = sandbox
        .dispatch_log()
        .into_iter()
        .find(|f| f["t"] == "GUILD_MEMBERS_CHUNK")
        .unwrap();
    assert_eq!(
        chunk["d"]["members"].as_array().unwrap().len(),
        world.members.len()
    );
    assert_eq!(chunk["d"]["nonce"], "n1");
    let guild_create = sandbox
        .dispatch_log()
        .into_iter()
        .find(|f| f["t"] == "GUILD_CREATE")
        .unwrap();
    for (key, schema) in [
        ("roles", "GuildRoleResponse"),
        ("channels", "GuildChannelResponse"),
        ("members", "GuildMemberResponse"),
    ] {
        for item in guild_create["d"][key].as_array().unwrap() {
            let problems = sandbox.check_schema(schema, item).unwrap();
            assert!(
                problems.is_empty(),
                "GUILD_CREATE {key} against {schema}: {problems:?}"
            );
        }
    }

    // The real client received them all as known events, in the order sent.
    let received = recorder.names();
    assert!(
        !received.iter().any(|n| n.starts_with("Unknown")),
        "serenity dropped: {received:?}"
    );
    for name in expected {
        assert!(
            received.iter().any(|n| n == name),
            "the client never received {name}: {received:?}"
        );
    }

    // Every request was as Discord documents it, and so was every answer.
    assert_eq!(sandbox.openapi_problems(), Vec::<String>::new());
    assert_eq!(sandbox.response_problems(), Vec::<String>::new());
    // Serenity's limiter read the sandbox's rate-limit headers and never came back early.
    assert_eq!(sandbox.rate_limit_violations(), Vec::new());
    // ...and the schema check does bite.
    assert!(!sandbox
        .check_schema("MessageResponse", &json!({"id": "1"}))
        .unwrap()
        .is_empty());
    let failed: Vec<_> = sandbox
        .rest_log()
        .into_iter()
        .filter(|c| c.status >= 400)
        .collect();
    assert!(failed.is_empty(), "failed calls: {failed:#?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_serenity_client_replies_to_messages_and_slash_commands() {
    let sandbox = Sandbox::start(World::standard(), options()).await.unwrap();
    let world = sandbox.world().clone();
    let intents = sy::GatewayIntents::GUILDS
        | sy::GatewayIntents::GUILD_MESSAGES
        | sy::GatewayIntents::MESSAGE_CONTENT;
    let bot = Bot::start(
        &sandbox,
        intents,
        Echo {
            guild_id: world.guild_id,
        },
        None,
    )
    .await;
    sandbox.wait_identified(WAIT).await.unwrap();
    sandbox.wait_command("ping", WAIT).await.unwrap();
    let creation = world.channel_id("wg-ig-group-creation");
    let alice = world.user_id("alice");

    sandbox.post_message(creation, alice, "hi there").await;
    let reply = sandbox
        .wait_message(creation, |m| m["content"] == "echo: hi there", WAIT)
        .await
        .unwrap();
    assert_eq!(reply["author"]["id"], world.bot_user_id.to_string());
    assert_eq!(reply["author"]["bot"], true);

    let ping = sandbox
        .slash_command(alice, creation, "ping", json!([]))
        .await;
    let response = sandbox.wait_response(&ping, WAIT).await.unwrap();
    assert_eq!(response.kind, 4);
    assert_eq!(response.data["content"], "pong");
    let original = sandbox.original_message(&ping).unwrap();
    assert_eq!(original["interaction_metadata"]["id"], ping.id.to_string());

    // The same INTERACTION_CREATE delivered twice: Discord refuses the second answer.
    sandbox.redeliver_last_dispatch().await;
    let refused = sandbox
        .wait_rest_call(|c| c.path.ends_with("/callback") && c.status == 400, WAIT)
        .await
        .unwrap();
    assert_eq!(refused.response.unwrap()["code"], 40060);
    assert_eq!(sandbox.responses(&ping).len(), 1);

    let unregistered = sandbox
        .try_slash_command(alice, creation, "pong", json!([]))
        .await;
    assert!(unregistered
        .unwrap_err()
        .to_string()
        .contains("not registered"));
    assert_eq!(sandbox.openapi_problems(), Vec::<String>::new());
    bot.stop().await;
}

/// The Discord error code of a refused request.
fn refusal_code<T: std::fmt::Debug>(result: Result<T, sy::Error>) -> isize {
    match result {
        Err(sy::Error::Http(sy::HttpError::UnsuccessfulRequest(e))) => e.error.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A raw HTTP/1.1 request, for what serenity's client cannot send: `auth` is the whole
/// `authorization` header value, if any.
async fn raw_http(
    sandbox: &Sandbox,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: &str,
) -> (u16, Value) {
    let address = sandbox.api_base().trim_start_matches("http://").to_owned();
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: sandbox\r\nconnection: close\r\n");
    if let Some(auth) = auth {
        request.push_str(&format!("authorization: {auth}\r\n"));
    }
    if !body.is_empty() {
        request.push_str("content-type: application/json\r\n");
        request.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(WAIT, stream.read_to_string(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_openapi_check_catches_wrong_bodies_and_unknown_routes() {
    let sandbox = Sandbox::start(World::standard(), options()).await.unwrap();
    let http = sy::HttpBuilder::new(sandbox.token())
        .proxy(sandbox.api_base())
        .ratelimiter_disabled(true)
        .build();
    let channel = sandbox.world().channel_id("announcements");
    let send = |route, body: Value| {
        let request = sy::Request::new(route, sy::LightMethod::Post)
            .body(Some(body.to_string().into_bytes()));
        let http = &http;
        async move {
            match http.request(request).await {
                Err(sy::Error::Http(sy::HttpError::UnsuccessfulRequest(e))) => e,
                other => panic!("expected a refusal, got {other:?}"),
            }
        }
    };
    let callback = || sy::Route::InteractionResponse {
        interaction_id: sy::InteractionId::new(1),
        token: "t",
    };

    // A correct request raises nothing.
    http.get_guild_roles(sy::GuildId::new(sandbox.world().guild_id))
        .await
        .unwrap();
    assert!(sandbox.openapi_problems().is_empty());

    // An unknown interaction callback type.
    let refused = send(callback(), json!({"type": 42})).await;
    assert_eq!(
        (refused.status_code.as_u16(), refused.error.code),
        (400, 50035)
    );
    assert_eq!(refused.error.errors[0].path, "type");

    // Content over Discord's 2,000 characters in an interaction reply.
    let long = "x".repeat(2001);
    let refused = send(callback(), json!({"type": 4, "data": {"content": long}})).await;
    assert_eq!(refused.error.errors[0].path, "data.content");

    // A field of the wrong type in a message.
    let refused = send(
        sy::Route::ChannelMessages {
            channel_id: sy::ChannelId::new(channel),
        },
        json!({"content": 5}),
    )
    .await;
    assert_eq!(refused.error.code, 50035);

    let problems = sandbox.openapi_problems();
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(
        problems[0].contains("/type") && problems[0].contains("42"),
        "{problems:#?}"
    );
    assert!(
        problems[1].contains("/data/content") && problems[1].contains("2000"),
        "{problems:#?}"
    );
    assert!(problems[2].contains("/content"), "{problems:#?}");

    // An unknown route and an undeclared query parameter.
    let auth = format!("Bot {}", sandbox.token());
    let auth = Some(auth.as_str());
    let nonsense = format!("/api/v10/channels/{channel}/nonsense");
    let (status, body) = raw_http(&sandbox, "GET", &nonsense, auth, "").await;
    assert_eq!(
        (status, body),
        (404, json!({"message": "404: Not Found", "code": 0}))
    );
    let guild = sandbox.world().guild_id;
    let members = format!("/api/v10/guilds/{guild}/members?limit=5&sort=name");
    let (status, _) = raw_http(&sandbox, "GET", &members, auth, "").await;
    assert_eq!(status, 200);
    let problems = sandbox.openapi_problems();
    assert!(problems[3].contains("no such route"), "{problems:#?}");
    assert!(problems[4].contains("\"sort\""), "{problems:#?}");

    // A wrong token (when one is configured), no token, and a body that is not JSON.
    let mut strict = options();
    strict.token = Some("the.right.token".to_owned());
    let strict = Sandbox::start(World::standard(), strict).await.unwrap();
    let wrong = Some("Bot the.wrong.token");
    let (status, _) = raw_http(&strict, "GET", "/api/v10/users/@me", wrong, "").await;
    assert_eq!(status, 401);
    let (status, body) = raw_http(&sandbox, "GET", "/api/v10/users/@me", None, "").await;
    assert_eq!((status, body["code"].clone()), (401, json!(0)));
    let messages = format!("/api/v10/channels/{channel}/messages");
    let (status, body) = raw_http(&sandbox, "POST", &messages, auth, "{oops").await;
    assert_eq!((status, body["code"].clone()), (400, json!(50109)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_are_acked_and_a_reconnect_resumes_the_session() {
    let mut options = options();
    options.heartbeat_interval_ms = 100;
    let sandbox = Sandbox::start(World::standard(), options).await.unwrap();
    let world = sandbox.world().clone();
    let intents = sy::GatewayIntents::GUILDS
        | sy::GatewayIntents::GUILD_MESSAGES
        | sy::GatewayIntents::MESSAGE_CONTENT;
    let bot = Bot::start(
        &sandbox,
        intents,
        Echo {
            guild_id: world.guild_id,
        },
        None,
    )
    .await;
    sandbox.wait_identified(WAIT).await.unwrap();
    sandbox
        .wait_gateway(|g| g.heartbeats >= 2, WAIT)
        .await
        .unwrap();
    // An unacknowledged heartbeat would have made serenity re-identify.
    assert_eq!(sandbox.identify_count(), 1);

    assert!(sandbox.request_reconnect().await);
    let stats = sandbox
        .wait_gateway(|g| g.resumes == 1 && g.connected, WAIT)
        .await
        .unwrap();
    assert_eq!(
        stats.identifies, 1,
        "the bot re-identified instead of resuming"
    );
    let creation = world.channel_id("wg-ig-group-creation");
    sandbox
        .post_message(creation, world.user_id("carol"), "still there?")
        .await;
    sandbox
        .wait_message(creation, |m| m["content"] == "echo: still there?", WAIT)
        .await
        .unwrap();
    // Sequence numbers continue across the resume.
    let seqs: Vec<u64> = sandbox
        .dispatch_log()
        .iter()
        .map(|f| f["s"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intents_decide_what_the_bot_receives_and_nothing_is_queued_for_an_absent_bot() {
    let sandbox = Sandbox::start(World::standard(), options()).await.unwrap();
    let world = sandbox.world().clone();
    let creation = world.channel_id("wg-ig-group-creation");
    let dave = world.user_id("dave");

    // Before the bot connects: dropped, not queued.
    let early = sandbox.post_message(creation, dave, "anyone?").await;
    assert_eq!(sandbox.undelivered()[0].reason, "no bot connected");

    // Without MESSAGE_CONTENT the bot sees empty content; without reactions, no reaction events.
    let intents = sy::GatewayIntents::GUILDS | sy::GatewayIntents::GUILD_MESSAGES;
    let bot = Bot::start(
        &sandbox,
        intents,
        Echo {
            guild_id: world.guild_id,
        },
        None,
    )
    .await;
    sandbox.wait_identified(WAIT).await.unwrap();
    sandbox.post_message(creation, dave, "secret").await;
    sandbox
        .wait_message(creation, |m| m["content"] == "echo: ", WAIT)
        .await
        .unwrap();
    sandbox.add_reaction(dave, creation, early, "👍").await;
    let lost = sandbox.undelivered();
    assert_eq!(lost.last().unwrap().event, "MESSAGE_REACTION_ADD");
    assert!(lost
        .last()
        .unwrap()
        .reason
        .contains("GUILD_MESSAGE_REACTIONS"));
    assert_eq!(
        sandbox.reactions(creation, early),
        vec![("👍".to_owned(), vec![dave])]
    );
    bot.stop().await;
}

/// A thread as Discord shows it: a channel of its own (type 11) under its text channel.
/// THREAD_CREATE and GUILD_CREATE's `threads` deserialise in serenity and match Discord's
/// ThreadResponse; a message in the thread names the thread as its channel; `GET /channels/{id}`
/// answers the thread with its parent and message count; and it is not one of the guild's
/// channels.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_is_a_channel_of_its_own_under_its_text_channel() {
    let mut options = options();
    options.check_responses = true;
    // The client asks for every intent, presences included, which the application must allow.
    let mut world = World::standard();
    world.application_flags |=
        discord_standin::permissions::application_flags::GATEWAY_PRESENCE_LIMITED;
    let sandbox = Sandbox::start(world, options).await.unwrap();
    let world = sandbox.world().clone();
    let recorder = Recorder::new();
    let bot = Bot::start(&sandbox, all_intents(), Quiet, Some(recorder.clone())).await;
    sandbox.wait_identified(WAIT).await.unwrap();
    recorder.wait_for("GUILD_CREATE").await;
    let parent = world.channel_id("announcements");
    let alice = world.user_id("alice");

    let thread = sandbox
        .start_thread(parent, alice, "Launch questions")
        .await;
    recorder.wait_for("THREAD_CREATE").await;
    let message = sandbox.post_message(thread, alice, "when?").await;
    recorder.wait_for("MESSAGE_CREATE").await;
    let log = sandbox.dispatch_log();
    for frame in &log {
        check_frame(frame).unwrap_or_else(|e| panic!("{e}"));
    }
    let created = &log.iter().find(|f| f["t"] == "THREAD_CREATE").unwrap()["d"];
    assert_eq!(created["id"], json!(thread.to_string()));
    assert_eq!(created["type"], 11);
    assert_eq!(created["parent_id"], json!(parent.to_string()));
    assert_eq!(created["owner_id"], json!(alice.to_string()));
    assert_eq!(created["newly_created"], true);
    let problems = sandbox.check_schema("ThreadResponse", created).unwrap();
    assert!(problems.is_empty(), "THREAD_CREATE: {problems:?}");
    let posted = log
        .iter()
        .find(|f| f["t"] == "MESSAGE_CREATE" && f["d"]["id"] == json!(message.to_string()))
        .unwrap();
    assert_eq!(posted["d"]["channel_id"], json!(thread.to_string()));

    let sy::Channel::Guild(read) = bot
        .http
        .get_channel(sy::ChannelId::new(thread))
        .await
        .unwrap()
    else {
        panic!("a thread is a guild channel");
    };
    assert_eq!(read.kind, sy::ChannelType::PublicThread);
    assert_eq!(read.parent_id, Some(sy::ChannelId::new(parent)));
    assert_eq!(read.message_count, Some(1));
    assert_eq!(read.last_message_id, Some(sy::MessageId::new(message)));
    let channels = bot
        .http
        .get_channels(sy::GuildId::new(world.guild_id))
        .await
        .unwrap();
    assert!(!channels.iter().any(|c| c.id.get() == thread));
    bot.stop().await;

    // A new session finds the active thread in GUILD_CREATE's threads, not in its channels.
    let recorder = Recorder::new();
    let bot = Bot::start(&sandbox, all_intents(), Quiet, Some(recorder.clone())).await;
    recorder.wait_for("GUILD_CREATE").await;
    let guild_create = sandbox
        .dispatch_log()
        .into_iter()
        .rev()
        .find(|f| f["t"] == "GUILD_CREATE")
        .unwrap();
    check_frame(&guild_create).unwrap_or_else(|e| panic!("{e}"));
    let threads = guild_create["d"]["threads"].as_array().unwrap();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["id"], json!(thread.to_string()));
    let problems = sandbox.check_schema("ThreadResponse", &threads[0]).unwrap();
    assert!(problems.is_empty(), "GUILD_CREATE threads: {problems:?}");
    assert!(!guild_create["d"]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == json!(thread.to_string())));
    assert_eq!(sandbox.openapi_problems(), Vec::<String>::new());
    assert_eq!(sandbox.response_problems(), Vec::<String>::new());
    bot.stop().await;
}

#[tokio::test]
async fn interactions_follow_discords_rules_for_answers() {
    let patient = SandboxOptions {
        interaction_deadline: None,
        ..options()
    };
    let sandbox = Sandbox::start(World::standard(), patient).await.unwrap();
    let world = sandbox.world().clone();
    let http = sy::HttpBuilder::new(sandbox.token())
        .proxy(sandbox.api_base())
        .ratelimiter_disabled(true)
        .application_id(sy::ApplicationId::new(world.application_id))
        .build();
    let guild = sy::GuildId::new(world.guild_id);
    let ping = sy::CreateCommand::new("ping").description("Answers pong");
    guild.set_commands(&http, vec![ping]).await.unwrap();
    // Registration follows Discord's naming rules.
    let shouting = sy::CreateCommand::new("Ping").description("Answers pong");
    assert!(guild.set_commands(&http, vec![shouting]).await.is_err());
    let channel = world.channel_id("announcements");
    let carol = world.user_id("carol");
    let reply = |text: &str| {
        sy::CreateInteractionResponse::Message(
            sy::CreateInteractionResponseMessage::new().content(text),
        )
    };

    // No bot is connected: the interaction is recorded as undelivered, but can be answered.
    let i = sandbox
        .slash_command(carol, channel, "ping", json!([]))
        .await;
    assert_eq!(sandbox.undelivered()[0].event, "INTERACTION_CREATE");
    let id = sy::InteractionId::new(i.id);
    let followup = sy::CreateInteractionResponseFollowup::new().content("early");
    assert_eq!(
        refusal_code(
            http.create_followup_message(&i.token, &followup, vec![])
                .await
        ),
        10015
    );
    let update =
        sy::CreateInteractionResponse::UpdateMessage(sy::CreateInteractionResponseMessage::new());
    assert_eq!(
        refusal_code(
            http.create_interaction_response(id, &i.token, &update, vec![])
                .await
        ),
        50035
    );
    http.create_interaction_response(id, &i.token, &reply("pong"), vec![])
        .await
        .unwrap();
    assert_eq!(
        refusal_code(
            http.create_interaction_response(id, &i.token, &reply("again"), vec![])
                .await
        ),
        40060
    );
    assert_eq!(sandbox.messages(channel).len(), 1);

    // An ephemeral answer is seen only by its user: not in the channel.
    let j = sandbox
        .slash_command(carol, channel, "ping", json!([]))
        .await;
    let secret = sy::CreateInteractionResponseMessage::new()
        .content("psst")
        .ephemeral(true);
    http.create_interaction_response(
        sy::InteractionId::new(j.id),
        &j.token,
        &sy::CreateInteractionResponse::Message(secret),
        vec![],
    )
    .await
    .unwrap();
    assert_eq!(sandbox.messages(channel).len(), 1);
    assert_eq!(sandbox.original_message(&j).unwrap()["flags"], 64);

    // After a modal there is no @original to edit.
    let k = sandbox
        .slash_command(carol, channel, "ping", json!([]))
        .await;
    let form = sy::CreateModal::new("f", "Form").components(vec![sy::CreateActionRow::InputText(
        sy::CreateInputText::new(sy::InputTextStyle::Short, "Name", "name"),
    )]);
    http.create_interaction_response(
        sy::InteractionId::new(k.id),
        &k.token,
        &sy::CreateInteractionResponse::Modal(form),
        vec![],
    )
    .await
    .unwrap();
    let edit = sy::EditInteractionResponse::new().content("x");
    assert_eq!(
        refusal_code(
            http.edit_original_interaction_response(&k.token, &edit, vec![])
                .await
        ),
        10008
    );
    // A client cannot submit a field the modal does not have, nor leave a required one empty.
    assert!(sandbox
        .try_submit_modal(carol, channel, "f", &[("nickname", "c")])
        .await
        .is_err());
    assert!(sandbox
        .try_submit_modal(carol, channel, "f", &[])
        .await
        .is_err());
    assert!(sandbox
        .try_submit_modal(carol, channel, "f", &[("name", "Carol")])
        .await
        .is_ok());

    // Answers after the deadline are refused as Discord refuses them.
    let late = SandboxOptions {
        interaction_deadline: Some(Duration::ZERO),
        ..options()
    };
    let late = Sandbox::start(World::standard(), late).await.unwrap();
    let http = sy::HttpBuilder::new(late.token())
        .proxy(late.api_base())
        .ratelimiter_disabled(true)
        .application_id(sy::ApplicationId::new(world.application_id))
        .build();
    guild
        .set_commands(
            &http,
            vec![sy::CreateCommand::new("ping").description("Answers pong")],
        )
        .await
        .unwrap();
    let i = late.slash_command(carol, channel, "ping", json!([])).await;
    let result = http
        .create_interaction_response(
            sy::InteractionId::new(i.id),
            &i.token,
            &reply("pong"),
            vec![],
        )
        .await;
    assert_eq!(refusal_code(result), 10062);
}

/// Discord's "Create Message": with `enforce_nonce`, a second create with the same nonce by the
/// same author returns the first message instead of posting another.
#[tokio::test]
async fn a_create_with_an_enforced_nonce_returns_the_first_message() {
    let sandbox = Sandbox::start(World::standard(), options()).await.unwrap();
    let http = sy::HttpBuilder::new(sandbox.token())
        .proxy(sandbox.api_base())
        .ratelimiter_disabled(true)
        .build();
    let channel = sy::ChannelId::new(sandbox.world().channel_id("announcements"));
    let send = |nonce: &str, enforce: bool| {
        let m = sy::CreateMessage::new()
            .content("the result")
            .nonce(sy::Nonce::String(nonce.to_owned()))
            .enforce_nonce(enforce);
        channel.send_message(&http, m)
    };
    let first = send("gb1", true).await.unwrap();
    let again = send("gb1", true).await.unwrap();
    assert_eq!(first.id, again.id, "the same message comes back");
    let other = send("gb2", true).await.unwrap();
    assert_ne!(first.id, other.id);
    let unenforced = send("gb1", false).await.unwrap();
    assert_ne!(
        first.id, unenforced.id,
        "without enforce_nonce a nonce only tags"
    );
    assert_eq!(sandbox.messages(channel.get()).len(), 3);
    assert!(sandbox.openapi_problems().is_empty());
}

/// An injected fault answers with Discord's error shape until its guard is dropped, and counts
/// what it refused.
#[tokio::test]
async fn an_injected_fault_refuses_matching_requests_until_cleared() {
    let sandbox = Sandbox::start(World::standard(), options()).await.unwrap();
    let http = sy::HttpBuilder::new(sandbox.token())
        .proxy(sandbox.api_base())
        .ratelimiter_disabled(true)
        .build();
    let channel = sy::ChannelId::new(sandbox.world().channel_id("announcements"));
    let fault = sandbox.fail_requests(|r| r.method == "POST", 403, 50013, "Missing Permissions");
    match channel.say(&http, "hello").await {
        Err(sy::Error::Http(sy::HttpError::UnsuccessfulRequest(e))) => {
            assert_eq!(e.status_code.as_u16(), 403);
            assert_eq!(e.error.code, 50013);
            assert_eq!(e.error.message, "Missing Permissions");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    http.get_guild_roles(sy::GuildId::new(sandbox.world().guild_id))
        .await
        .expect("what the fault does not match passes");
    assert_eq!(fault.hits(), 1);
    drop(fault);
    channel.say(&http, "hello").await.unwrap();
    assert_eq!(sandbox.messages(channel.get()).len(), 1);
}
