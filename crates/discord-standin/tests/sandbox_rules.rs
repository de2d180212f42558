//! The sandbox refuses what Discord refuses, with Discord's status and JSON code: permissions
//! (403, 50001 Missing Access for a channel the bot cannot see, 50013 Missing Permissions for the
//! rest), the overwrite rule, the role hierarchy, what people cannot do where they cannot see, and
//! the limits on what a message, a component and a form may hold (400, 50035 Invalid Form Body,
//! with the field's path). Each rule has a test that shows the refusal and one that shows the
//! allowed case passing, so each can fail.
//!
//! The tests talk to the sandbox's REST API directly, as the bot would, with no bot connected
//! (dispatches are recorded as undelivered, which is where the interaction tests read them).

mod common;

use common::api::*;
use common::world::names::*;
use common::world::StandardWorld as _;
use common::world::BOT_PERMISSIONS;
use discord_standin::permissions::{application_flags, bits};
use discord_standin::{CommandPermissionSpec, OverwriteKind, OverwriteSpec, World};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// The permission model as served

#[tokio::test]
async fn the_application_serves_its_privileged_intent_flags() {
    let api = Api::standard().await;
    let app = api.get("/oauth2/applications/@me").await;
    let flags = app.ok()["flags"].as_u64().unwrap();
    assert_eq!(
        flags,
        application_flags::GATEWAY_GUILD_MEMBERS_LIMITED
            | application_flags::GATEWAY_MESSAGE_CONTENT_LIMITED
    );
}

#[tokio::test]
async fn interactions_carry_the_members_and_the_bots_permissions_in_the_channel() {
    let api = Api::standard().await;
    api.register_ping().await;
    let alice = api.ping("alice", CREATION).await.unwrap();
    let payload = api.interaction_payload(&alice);
    let perms = |v: &Value| v.as_str().unwrap().parse::<u64>().unwrap();
    assert_eq!(
        perms(&payload["member"]["permissions"]),
        bits::EVERYONE_DEFAULT
    );
    let invite = BOT_PERMISSIONS;
    assert_eq!(
        perms(&payload["app_permissions"]),
        invite | bits::EVERYONE_DEFAULT
    );
    // The owner has every permission; in the private channel, the moderator role's overwrite
    // shows.
    let owner = api.ping("mod-ana", MODERATORS).await.unwrap();
    let payload = api.interaction_payload(&owner);
    assert_eq!(perms(&payload["member"]["permissions"]), bits::ALL);
    let ben = api.ping("mod-ben", MODERATORS).await.unwrap();
    let payload = api.interaction_payload(&ben);
    assert!(perms(&payload["member"]["permissions"]) & bits::VIEW_CHANNEL != 0);
}

#[tokio::test]
async fn the_bot_denied_a_channel_sees_it_in_app_permissions() {
    let api = Api::start(bot_denied(CREATION, bits::VIEW_CHANNEL)).await;
    api.register_ping().await;
    let i = api.ping("alice", CREATION).await.unwrap();
    assert_eq!(api.interaction_payload(&i)["app_permissions"], "0");
}

/// The sandbox's permission model and serenity's (the one the bot uses) are written
/// independently; on every member in every channel and category of several guilds they agree on
/// what matters in a text channel: whether the member sees it, and if so every text permission.
#[tokio::test]
async fn the_sandbox_and_serenity_compute_the_same_permissions() {
    use serenity::all as sy;
    let mut above = World::standard();
    above.move_role_above(FACILITATOR, BOT_ROLE);
    above.role_mut(FACILITATOR).permissions = bits::MANAGE_MESSAGES | bits::KICK_MEMBERS;
    let denied = bot_denied(CREATION, bits::SEND_MESSAGES | bits::ADD_REACTIONS);
    let mut tangled = World::standard();
    let (moderator, steering) = (tangled.role_id(MODERATOR), tangled.role_id(STEERING_GROUP));
    let lee = tangled.user_id("lead-lee");
    let announcements = &mut tangled.channel_mut(ANNOUNCEMENTS).overwrites;
    let overwrite = |id, kind, allow, deny| OverwriteSpec {
        id,
        kind,
        allow,
        deny,
    };
    announcements.push(overwrite(
        moderator,
        OverwriteKind::Role,
        0,
        bits::SEND_MESSAGES,
    ));
    announcements.push(overwrite(
        steering,
        OverwriteKind::Role,
        bits::SEND_MESSAGES,
        bits::EMBED_LINKS,
    ));
    announcements.push(overwrite(
        lee,
        OverwriteKind::Member,
        bits::MANAGE_ROLES,
        bits::ADD_REACTIONS,
    ));
    let mut admin = World::standard();
    admin.role_mut(CORE_MAINTAINER).permissions = bits::ADMINISTRATOR;
    // What a text channel is about (serenity drops voice bits there and keeps guild-only ones
    // without VIEW_CHANNEL; the documentation's model does neither, and neither matters here).
    let text = bits::VIEW_CHANNEL
        | bits::SEND_MESSAGES
        | bits::SEND_TTS_MESSAGES
        | bits::EMBED_LINKS
        | bits::ATTACH_FILES
        | bits::READ_MESSAGE_HISTORY
        | bits::MENTION_EVERYONE
        | bits::ADD_REACTIONS
        | bits::MANAGE_MESSAGES
        | bits::MANAGE_CHANNELS
        | bits::MANAGE_ROLES
        | bits::USE_APPLICATION_COMMANDS
        | bits::MANAGE_THREADS
        | bits::CREATE_PUBLIC_THREADS
        | bits::CREATE_PRIVATE_THREADS
        | bits::SEND_MESSAGES_IN_THREADS;
    for world in [World::standard(), above, denied, tangled, admin] {
        let api = Api::start(world).await;
        let http = sy::HttpBuilder::new(api.sandbox.token())
            .proxy(api.sandbox.api_base())
            .ratelimiter_disabled(true)
            .build();
        let guild_id = sy::GuildId::new(api.guild());
        let guild = http.get_guild(guild_id).await.unwrap();
        let channels = guild_id.channels(&http).await.unwrap();
        let members = guild_id.members(&http, Some(1000), None).await.unwrap();
        for member in &members {
            for channel in channels.values() {
                // serenity 0.12.5's `user_permissions_in` leaves the documented implicit rules
                // out (topics/permissions.mdx, "Implicit Permissions"): apply them to its answer.
                let raw = guild.user_permissions_in(channel, member).bits();
                let kind = if channel.kind == sy::ChannelType::Category {
                    4
                } else {
                    0
                };
                let theirs = discord_standin::permissions::implicit(raw, kind);
                let ours = api
                    .sandbox
                    .permissions_in(member.user.id.get(), channel.id.get())
                    .unwrap();
                let sees = |p: u64| p & bits::VIEW_CHANNEL != 0;
                let who = format!("{} in #{}", member.user.name, channel.name);
                assert_eq!(sees(ours), sees(theirs), "VIEW_CHANNEL for {who}");
                if sees(ours) {
                    assert_eq!(
                        ours & text,
                        theirs & text,
                        "{who}: ours {ours:b}, serenity's {theirs:b}"
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages

#[tokio::test]
async fn sending_where_the_bot_cannot_see_is_missing_access() {
    let api = Api::start(bot_denied(CREATION, bits::VIEW_CHANNEL)).await;
    api.send(CREATION, json!({"content": "hi"}))
        .await
        .refused(403, 50001);
}

#[tokio::test]
async fn sending_where_the_bot_sees_and_may_send_is_allowed() {
    let api = Api::standard().await;
    api.send(CREATION, json!({"content": "hi"})).await.ok();
    api.send(MODERATORS, json!({"content": "hi"})).await.ok();
}

#[tokio::test]
async fn sending_without_send_messages_is_missing_permissions() {
    let api = Api::start(bot_denied(CREATION, bits::SEND_MESSAGES)).await;
    api.send(CREATION, json!({"content": "hi"}))
        .await
        .refused(403, 50013);
}

#[tokio::test]
async fn a_reply_without_read_message_history_is_refused() {
    let api = Api::start(bot_denied(CREATION, bits::READ_MESSAGE_HISTORY)).await;
    let m = api.person_posts("alice", CREATION).await;
    let reply = json!({"content": "hi", "message_reference": {"message_id": m.to_string()}});
    api.send(CREATION, reply).await.refused(403, 50013);
}

#[tokio::test]
async fn a_reply_with_read_message_history_is_allowed() {
    let api = Api::standard().await;
    let m = api.person_posts("alice", CREATION).await;
    let reply = json!({"content": "hi", "message_reference": {"message_id": m.to_string()}});
    let sent = api.send(CREATION, reply).await;
    assert_eq!(sent.ok()["type"], 19);
}

#[tokio::test]
async fn tts_without_send_tts_messages_is_refused() {
    let api = Api::start(bot_denied(CREATION, bits::SEND_TTS_MESSAGES)).await;
    api.send(CREATION, json!({"content": "hi", "tts": true}))
        .await
        .refused(403, 50013);
    api.send(CREATION, json!({"content": "hi"})).await.ok();
}

#[tokio::test]
async fn embeds_without_embed_links_are_dropped_and_an_embed_only_message_is_refused() {
    let api = Api::start(bot_denied(CREATION, bits::EMBED_LINKS)).await;
    api.send(CREATION, json!({"embeds": [embed("the card")]}))
        .await
        .refused(403, 50013);
    let sent = api
        .send(
            CREATION,
            json!({"content": "hi", "embeds": [embed("the card")]}),
        )
        .await;
    assert_eq!(sent.ok()["embeds"], json!([]));
}

#[tokio::test]
async fn embeds_with_embed_links_are_kept() {
    let api = Api::standard().await;
    let sent = api
        .send(CREATION, json!({"embeds": [embed("the card")]}))
        .await;
    assert_eq!(sent.ok()["embeds"][0]["description"], "the card");
}

#[tokio::test]
async fn listing_messages_where_the_bot_cannot_see_is_missing_access() {
    let api = Api::start(bot_denied(CREATION, bits::VIEW_CHANNEL)).await;
    let c = api.channel(CREATION);
    api.get(&format!("/channels/{c}/messages"))
        .await
        .refused(403, 50001);
}

#[tokio::test]
async fn listing_messages_without_read_message_history_returns_none() {
    let api = Api::start(bot_denied(CREATION, bits::READ_MESSAGE_HISTORY)).await;
    api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    let listed = api.get(&format!("/channels/{c}/messages")).await;
    assert_eq!(listed.ok(), &json!([]));
}

#[tokio::test]
async fn listing_messages_with_read_message_history_returns_them() {
    let api = Api::standard().await;
    api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    let listed = api.get(&format!("/channels/{c}/messages")).await;
    assert_eq!(listed.ok().as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn getting_a_message_without_read_message_history_is_refused() {
    let api = Api::start(bot_denied(CREATION, bits::READ_MESSAGE_HISTORY)).await;
    let m = api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    api.get(&format!("/channels/{c}/messages/{m}"))
        .await
        .refused(403, 50013);
}

#[tokio::test]
async fn getting_a_message_with_read_message_history_is_allowed() {
    let api = Api::standard().await;
    let m = api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    api.get(&format!("/channels/{c}/messages/{m}")).await.ok();
}

#[tokio::test]
async fn editing_its_own_message_needs_no_permission_beyond_seeing() {
    let api = Api::start(World::standard_without(bits::MANAGE_MESSAGES)).await;
    let sent = api.send(CREATION, json!({"content": "hi"})).await;
    let m = sent.ok()["id"].as_str().unwrap().to_owned();
    let c = api.channel(CREATION);
    api.patch(
        &format!("/channels/{c}/messages/{m}"),
        json!({"content": "edited"}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn editing_its_own_message_where_it_cannot_see_is_missing_access() {
    let api = Api::standard().await;
    let sent = api.send(CREATION, json!({"content": "hi"})).await;
    let m = sent.ok()["id"].as_str().unwrap().to_owned();
    let c = api.channel(CREATION);
    // The bot hides the channel from itself, then edits.
    let bot = api.world().bot_user_id;
    api.put(
        &format!("/channels/{c}/permissions/{bot}"),
        Some(member_overwrite(bot, 0, bits::VIEW_CHANNEL)),
    )
    .await
    .ok();
    api.patch(
        &format!("/channels/{c}/messages/{m}"),
        json!({"content": "edited"}),
    )
    .await
    .refused(403, 50001);
}

#[tokio::test]
async fn another_users_message_flags_need_manage_messages() {
    let api = Api::start(World::standard_without(bits::MANAGE_MESSAGES)).await;
    let m = api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    let path = format!("/channels/{c}/messages/{m}");
    api.patch(&path, json!({"flags": 4}))
        .await
        .refused(403, 50013);
    // Content of another's message is never the bot's to edit.
    api.patch(&path, json!({"content": "x"}))
        .await
        .refused(403, 50005);
}

#[tokio::test]
async fn another_users_message_flags_with_manage_messages_are_allowed() {
    let api = Api::standard().await;
    let m = api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    api.patch(&format!("/channels/{c}/messages/{m}"), json!({"flags": 4}))
        .await
        .ok();
}

#[tokio::test]
async fn deleting_another_users_message_without_manage_messages_is_refused() {
    let api = Api::start(World::standard_without(bits::MANAGE_MESSAGES)).await;
    let m = api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    api.delete(&format!("/channels/{c}/messages/{m}"))
        .await
        .refused(403, 50013);
}

#[tokio::test]
async fn deleting_its_own_message_or_with_manage_messages_is_allowed() {
    let api = Api::start(World::standard_without(bits::MANAGE_MESSAGES)).await;
    let sent = api.send(CREATION, json!({"content": "hi"})).await;
    let own = sent.ok()["id"].as_str().unwrap().to_owned();
    let c = api.channel(CREATION);
    api.delete(&format!("/channels/{c}/messages/{own}"))
        .await
        .ok();
    let api = Api::standard().await;
    let m = api.person_posts("alice", CREATION).await;
    api.delete(&format!("/channels/{c}/messages/{m}"))
        .await
        .ok();
}

// ---------------------------------------------------------------------------------------------
// Reactions

#[tokio::test]
async fn a_new_reaction_without_add_reactions_is_refused() {
    let api = Api::start(bot_denied(MODERATORS, bits::ADD_REACTIONS)).await;
    let m = api.person_posts("mod-ben", MODERATORS).await;
    let c = api.channel(MODERATORS);
    api.put(
        &format!("/channels/{c}/messages/{m}/reactions/{THUMBS}/@me"),
        None,
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn joining_an_existing_reaction_needs_no_add_reactions() {
    let api = Api::start(bot_denied(MODERATORS, bits::ADD_REACTIONS)).await;
    let m = api.person_posts("mod-ben", MODERATORS).await;
    let c = api.channel(MODERATORS);
    api.sandbox
        .try_add_reaction(api.user("mod-ben"), c, m, "👍")
        .await
        .unwrap();
    api.put(
        &format!("/channels/{c}/messages/{m}/reactions/{THUMBS}/@me"),
        None,
    )
    .await
    .ok();
}

#[tokio::test]
async fn reacting_without_read_message_history_is_refused() {
    let api = Api::start(bot_denied(MODERATORS, bits::READ_MESSAGE_HISTORY)).await;
    let m = api.person_posts("mod-ben", MODERATORS).await;
    let c = api.channel(MODERATORS);
    api.put(
        &format!("/channels/{c}/messages/{m}/reactions/{THUMBS}/@me"),
        None,
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn reacting_where_it_may_is_allowed() {
    let api = Api::standard().await;
    let m = api.person_posts("mod-ben", MODERATORS).await;
    let c = api.channel(MODERATORS);
    api.put(
        &format!("/channels/{c}/messages/{m}/reactions/{THUMBS}/@me"),
        None,
    )
    .await
    .ok();
    // Its own reaction it may always take back.
    api.delete(&format!(
        "/channels/{c}/messages/{m}/reactions/{THUMBS}/@me"
    ))
    .await
    .ok();
}

#[tokio::test]
async fn removing_another_users_reaction_without_manage_messages_is_refused() {
    let api = Api::start(World::standard_without(bits::MANAGE_MESSAGES)).await;
    let m = api.person_posts("mod-ben", MODERATORS).await;
    let (c, ben) = (api.channel(MODERATORS), api.user("mod-ben"));
    api.sandbox.try_add_reaction(ben, c, m, "👍").await.unwrap();
    api.delete(&format!(
        "/channels/{c}/messages/{m}/reactions/{THUMBS}/{ben}"
    ))
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn removing_another_users_reaction_with_manage_messages_is_allowed() {
    let api = Api::standard().await;
    let m = api.person_posts("mod-ben", MODERATORS).await;
    let (c, ben) = (api.channel(MODERATORS), api.user("mod-ben"));
    api.sandbox.try_add_reaction(ben, c, m, "👍").await.unwrap();
    api.delete(&format!(
        "/channels/{c}/messages/{m}/reactions/{THUMBS}/{ben}"
    ))
    .await
    .ok();
    assert!(api.sandbox.reactions(c, m).is_empty());
}

#[tokio::test]
async fn listing_reactions_where_the_bot_cannot_see_is_missing_access() {
    let api = Api::start(bot_denied(CREATION, bits::VIEW_CHANNEL)).await;
    let m = api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    api.get(&format!("/channels/{c}/messages/{m}/reactions/{THUMBS}"))
        .await
        .refused(403, 50001);
}

#[tokio::test]
async fn listing_reactions_where_the_bot_sees_is_allowed() {
    let api = Api::standard().await;
    let m = api.person_posts("alice", CREATION).await;
    let c = api.channel(CREATION);
    api.get(&format!("/channels/{c}/messages/{m}/reactions/{THUMBS}"))
        .await
        .ok();
}

// ---------------------------------------------------------------------------------------------
// Channels

fn new_channel(parent: Option<u64>, overwrites: Option<Vec<Value>>) -> Value {
    let mut body = json!({"name": "wg-registry", "type": 0});
    if let Some(parent) = parent {
        body["parent_id"] = json!(parent.to_string());
    }
    if let Some(overwrites) = overwrites {
        body["permission_overwrites"] = json!(overwrites);
    }
    body
}

#[tokio::test]
async fn creating_a_channel_without_manage_channels_is_refused() {
    let api = Api::start(World::standard_without(bits::MANAGE_CHANNELS)).await;
    api.post(
        &format!("/guilds/{}/channels", api.guild()),
        new_channel(None, None),
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn creating_a_channel_in_a_category_that_denies_manage_channels_is_refused() {
    let api = Api::start(bot_denied(WG_CATEGORY, bits::MANAGE_CHANNELS)).await;
    let (guild, wg) = (api.guild(), api.channel(WG_CATEGORY));
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(Some(wg), None),
    )
    .await
    .refused(403, 50013);
    // Outside that category it still may.
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(None, None),
    )
    .await
    .ok();
}

#[tokio::test]
async fn creating_a_channel_with_manage_channels_is_allowed() {
    let api = Api::standard().await;
    let (guild, wg) = (api.guild(), api.channel(WG_CATEGORY));
    let created = api
        .post(
            &format!("/guilds/{guild}/channels"),
            new_channel(Some(wg), None),
        )
        .await;
    assert_eq!(created.status, 201, "{created:?}");
}

#[tokio::test]
async fn an_overwrite_with_a_bit_the_bot_does_not_hold_is_refused() {
    // The bug this rule exists for: facilitators given MANAGE_THREADS, which the bot lacks.
    let api = Api::standard().await;
    let (guild, wg, alice) = (api.guild(), api.channel(WG_CATEGORY), api.user("alice"));
    let allows = bits::VIEW_CHANNEL | bits::SEND_MESSAGES | bits::MANAGE_THREADS;
    let overwrites = vec![member_overwrite(alice, allows, 0)];
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(Some(wg), Some(overwrites)),
    )
    .await
    .refused(403, 50013);
    // Denying a bit it lacks is refused the same way.
    let overwrites = vec![role_overwrite(guild, 0, bits::MANAGE_THREADS)];
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(Some(wg), Some(overwrites)),
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn overwrite_bits_are_checked_against_the_parent_category() {
    let api = Api::start(bot_denied(IG_CATEGORY, bits::ADD_REACTIONS)).await;
    let (guild, ig) = (api.guild(), api.channel(IG_CATEGORY));
    let deny_reactions = || Some(vec![role_overwrite(guild, 0, bits::ADD_REACTIONS)]);
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(Some(ig), deny_reactions()),
    )
    .await
    .refused(403, 50013);
    // In the guild, outside the category, the bot holds ADD_REACTIONS.
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(None, deny_reactions()),
    )
    .await
    .ok();
}

#[tokio::test]
async fn moving_a_channel_with_overwrites_checks_them_against_the_new_category() {
    let api = Api::start(bot_denied(ARCHIVE_CATEGORY, bits::SEND_MESSAGES_IN_THREADS)).await;
    let guild = api.guild();
    let created = api
        .post(
            &format!("/guilds/{guild}/channels"),
            new_channel(Some(api.channel(WG_CATEGORY)), None),
        )
        .await;
    let channel = created.ok()["id"].as_str().unwrap().to_owned();
    let body = |parent: u64| {
        json!({
            "parent_id": parent.to_string(),
            "permission_overwrites": [role_overwrite(guild, 0, bits::SEND_MESSAGES_IN_THREADS)],
        })
    };
    api.patch(
        &format!("/channels/{channel}"),
        body(api.channel(ARCHIVE_CATEGORY)),
    )
    .await
    .refused(403, 50013);
    api.patch(
        &format!("/channels/{channel}"),
        body(api.channel(IG_CATEGORY)),
    )
    .await
    .ok();
}

#[tokio::test]
async fn manage_roles_in_an_overwrite_needs_an_administrator() {
    let api = Api::standard().await;
    let (guild, alice) = (api.guild(), api.user("alice"));
    let overwrites = Some(vec![member_overwrite(alice, bits::MANAGE_ROLES, 0)]);
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(None, overwrites),
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn manage_roles_in_an_overwrite_is_allowed_to_an_administrator() {
    let mut world = World::standard();
    world.bot_role_mut().permissions |= bits::ADMINISTRATOR;
    let api = Api::start(world).await;
    let (guild, alice) = (api.guild(), api.user("alice"));
    let allows = bits::MANAGE_ROLES | bits::MANAGE_THREADS;
    let overwrites = Some(vec![member_overwrite(alice, allows, 0)]);
    api.post(
        &format!("/guilds/{guild}/channels"),
        new_channel(None, overwrites),
    )
    .await
    .ok();
}

#[tokio::test]
async fn a_manage_roles_overwrite_for_the_bot_lifts_the_overwrite_rule() {
    let bot_may_manage = |w: &World| w.bot_user_id;
    let world = with_overwrite(
        CREATION,
        bot_may_manage,
        OverwriteKind::Member,
        bits::MANAGE_ROLES,
        0,
    );
    let api = Api::start(world).await;
    let (c, alice) = (api.channel(CREATION), api.user("alice"));
    let allows = bits::MANAGE_THREADS | bits::MANAGE_ROLES;
    api.put(
        &format!("/channels/{c}/permissions/{alice}"),
        Some(member_overwrite(alice, allows, 0)),
    )
    .await
    .ok();
    // Without that overwrite, the same is refused.
    let api = Api::standard().await;
    api.put(
        &format!("/channels/{c}/permissions/{alice}"),
        Some(member_overwrite(alice, bits::MANAGE_THREADS, 0)),
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn a_channel_created_in_a_category_without_overwrites_is_synced_with_it() {
    let deny_everyone = |w: &World| w.guild_id;
    let world = with_overwrite(
        IG_CATEGORY,
        deny_everyone,
        OverwriteKind::Role,
        0,
        bits::ADD_REACTIONS,
    );
    let api = Api::start(world).await;
    let (guild, ig, alice) = (api.guild(), api.channel(IG_CATEGORY), api.user("alice"));
    let synced = api
        .post(
            &format!("/guilds/{guild}/channels"),
            new_channel(Some(ig), None),
        )
        .await;
    let overwrites = &synced.ok()["permission_overwrites"];
    assert_eq!(overwrites.as_array().unwrap().len(), 1, "{overwrites}");
    assert_eq!(overwrites[0]["id"], guild.to_string());
    assert_eq!(overwrites[0]["deny"], bits::ADD_REACTIONS.to_string());
    // With overwrites of its own, it gets exactly those.
    let own = Some(vec![member_overwrite(alice, bits::VIEW_CHANNEL, 0)]);
    let created = api
        .post(
            &format!("/guilds/{guild}/channels"),
            new_channel(Some(ig), own),
        )
        .await;
    let overwrites = &created.ok()["permission_overwrites"];
    assert_eq!(overwrites.as_array().unwrap().len(), 1, "{overwrites}");
    assert_eq!(overwrites[0]["id"], alice.to_string());
}

#[tokio::test]
async fn getting_a_channel_the_bot_cannot_see_is_missing_access() {
    let api = Api::start(bot_denied(ANNOUNCEMENTS, bits::VIEW_CHANNEL)).await;
    let c = api.channel(ANNOUNCEMENTS);
    api.get(&format!("/channels/{c}")).await.refused(403, 50001);
    let moderators = api.channel(MODERATORS);
    api.get(&format!("/channels/{moderators}")).await.ok();
}

#[tokio::test]
async fn modifying_a_channel_without_manage_channels_there_is_refused() {
    let api = Api::start(bot_denied(ANNOUNCEMENTS, bits::MANAGE_CHANNELS)).await;
    let c = api.channel(ANNOUNCEMENTS);
    api.patch(&format!("/channels/{c}"), json!({"name": "news"}))
        .await
        .refused(403, 50013);
}

#[tokio::test]
async fn modifying_a_channel_the_bot_cannot_see_is_missing_access() {
    let api = Api::start(bot_denied(ANNOUNCEMENTS, bits::VIEW_CHANNEL)).await;
    let c = api.channel(ANNOUNCEMENTS);
    api.patch(&format!("/channels/{c}"), json!({"name": "news"}))
        .await
        .refused(403, 50001);
}

#[tokio::test]
async fn modifying_a_channel_with_manage_channels_is_allowed() {
    let api = Api::standard().await;
    let c = api.channel(ANNOUNCEMENTS);
    let edited = api
        .patch(&format!("/channels/{c}"), json!({"name": "news"}))
        .await;
    assert_eq!(edited.ok()["name"], "news");
}

#[tokio::test]
async fn modifying_overwrites_without_manage_roles_is_refused() {
    let api = Api::start(bot_denied(ANNOUNCEMENTS, bits::MANAGE_ROLES)).await;
    let (c, guild) = (api.channel(ANNOUNCEMENTS), api.guild());
    let body = json!({"permission_overwrites": [role_overwrite(guild, 0, bits::SEND_MESSAGES)]});
    api.patch(&format!("/channels/{c}"), body)
        .await
        .refused(403, 50013);
    // Renaming needs no MANAGE_ROLES.
    api.patch(&format!("/channels/{c}"), json!({"name": "news"}))
        .await
        .ok();
}

#[tokio::test]
async fn moving_a_channel_into_a_category_denying_manage_channels_is_missing_access() {
    let api = Api::start(bot_denied(ARCHIVE_CATEGORY, bits::MANAGE_CHANNELS)).await;
    let c = api.channel(ANNOUNCEMENTS);
    let archive = api.channel(ARCHIVE_CATEGORY);
    api.patch(
        &format!("/channels/{c}"),
        json!({"parent_id": archive.to_string()}),
    )
    .await
    .refused(403, 50001);
    let ig = api.channel(IG_CATEGORY);
    api.patch(
        &format!("/channels/{c}"),
        json!({"parent_id": ig.to_string()}),
    )
    .await
    .ok();
}

#[tokio::test]
async fn editing_or_deleting_an_overwrite_without_manage_roles_in_the_channel_is_refused() {
    let api = Api::start(bot_denied(ANNOUNCEMENTS, bits::MANAGE_ROLES)).await;
    let (c, alice) = (api.channel(ANNOUNCEMENTS), api.user("alice"));
    let path = format!("/channels/{c}/permissions/{alice}");
    api.put(&path, Some(member_overwrite(alice, bits::VIEW_CHANNEL, 0)))
        .await
        .refused(403, 50013);
    api.delete(&path).await.refused(403, 50013);
}

#[tokio::test]
async fn editing_and_deleting_an_overwrite_with_manage_roles_is_allowed() {
    let api = Api::standard().await;
    let (c, alice) = (api.channel(ANNOUNCEMENTS), api.user("alice"));
    let path = format!("/channels/{c}/permissions/{alice}");
    api.put(&path, Some(member_overwrite(alice, bits::VIEW_CHANNEL, 0)))
        .await
        .ok();
    api.delete(&path).await.ok();
}

#[tokio::test]
async fn an_overwrite_for_a_role_above_the_bot_is_allowed_as_the_docs_set_no_hierarchy_rule() {
    // topics/permissions.mdx, "Permission Hierarchy", limits granting roles, editing roles and
    // acting on members; it says nothing of channel overwrites for a higher role.
    let mut world = World::standard();
    world.move_role_above(FACILITATOR, BOT_ROLE);
    let api = Api::start(world).await;
    let (c, facilitator) = (api.channel(ANNOUNCEMENTS), api.role(FACILITATOR));
    api.put(
        &format!("/channels/{c}/permissions/{facilitator}"),
        Some(role_overwrite(facilitator, bits::SEND_MESSAGES, 0)),
    )
    .await
    .ok();
}

// ---------------------------------------------------------------------------------------------
// Roles and members

#[tokio::test]
async fn giving_a_role_without_manage_roles_is_refused() {
    let api = Api::start(World::standard_without(bits::MANAGE_ROLES)).await;
    let (guild, alice, role) = (api.guild(), api.user("alice"), api.role(FACILITATOR));
    api.put(
        &format!("/guilds/{guild}/members/{alice}/roles/{role}"),
        None,
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn a_role_at_or_above_the_bots_highest_cannot_be_given_or_taken() {
    let mut world = World::standard();
    world.move_role_above(FACILITATOR, BOT_ROLE);
    let api = Api::start(world).await;
    let (guild, alice, role) = (api.guild(), api.user("alice"), api.role(FACILITATOR));
    let path = format!("/guilds/{guild}/members/{alice}/roles/{role}");
    api.put(&path, None).await.refused(403, 50013);
    api.delete(&path).await.refused(403, 50013);
}

#[tokio::test]
async fn a_role_below_the_bots_highest_is_given_and_taken() {
    let api = Api::standard().await;
    let (guild, alice, role) = (api.guild(), api.user("alice"), api.role(FACILITATOR));
    let path = format!("/guilds/{guild}/members/{alice}/roles/{role}");
    api.put(&path, None).await.ok();
    assert!(api.sandbox.member_roles(alice).contains(&role));
    api.delete(&path).await.ok();
    assert!(!api.sandbox.member_roles(alice).contains(&role));
}

#[tokio::test]
async fn a_managed_role_cannot_be_given_even_by_an_administrator() {
    let mut world = World::standard();
    world.bot_role_mut().permissions |= bits::ADMINISTRATOR;
    // Another integration's role, below the bot's.
    let integration = world.role_mut(STEERING_GROUP);
    integration.managed = true;
    let api = Api::start(world).await;
    let (guild, alice, role) = (api.guild(), api.user("alice"), api.role(STEERING_GROUP));
    api.put(
        &format!("/guilds/{guild}/members/{alice}/roles/{role}"),
        None,
    )
    .await
    .refused(403, 50013);
}

#[tokio::test]
async fn listing_members_without_the_members_intent_is_missing_access() {
    let mut world = World::standard();
    world.application_flags = application_flags::GATEWAY_MESSAGE_CONTENT_LIMITED;
    let api = Api::start(world).await;
    let guild = api.guild();
    api.get(&format!("/guilds/{guild}/members?limit=10"))
        .await
        .refused(403, 50001);
    // One member by id needs no intent.
    let alice = api.user("alice");
    api.get(&format!("/guilds/{guild}/members/{alice}"))
        .await
        .ok();
}

#[tokio::test]
async fn listing_members_with_the_members_intent_is_allowed() {
    let api = Api::standard().await;
    let guild = api.guild();
    let listed = api.get(&format!("/guilds/{guild}/members?limit=100")).await;
    assert_eq!(
        listed.ok().as_array().unwrap().len(),
        api.world().members.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Interactions need no permission

#[tokio::test]
async fn answering_an_interaction_needs_no_permission_in_the_channel() {
    let api = Api::start(bot_denied(
        CREATION,
        bits::VIEW_CHANNEL | bits::SEND_MESSAGES,
    ))
    .await;
    api.register_ping().await;
    let i = api.ping("alice", CREATION).await.unwrap();
    let answer = json!({"type": 4, "data": {"content": "pong", "embeds": [embed("card")]}});
    api.callback(&i, answer).await.ok();
    let app = api.world().application_id;
    api.post(
        &format!("/webhooks/{app}/{}", i.token),
        json!({"content": "more"}),
    )
    .await
    .ok();
    api.patch(
        &format!("/webhooks/{app}/{}/messages/@original", i.token),
        json!({"content": "edited"}),
    )
    .await
    .ok();
}

// ---------------------------------------------------------------------------------------------
// People cannot act where they cannot see

#[tokio::test]
async fn people_cannot_post_or_react_where_they_cannot_see() {
    let api = Api::standard().await;
    let (c, alice) = (api.channel(MODERATORS), api.user("alice"));
    let posted = api.sandbox.try_post_message(c, alice, "hi").await;
    let refusal = posted.unwrap_err().to_string();
    assert!(refusal.contains("VIEW_CHANNEL"), "{refusal}");
    let m = api.person_posts("mod-ben", MODERATORS).await;
    let reacted = api.sandbox.try_add_reaction(alice, c, m, "👍").await;
    assert!(reacted.unwrap_err().to_string().contains("VIEW_CHANNEL"));
}

#[tokio::test]
async fn people_who_see_a_channel_post_and_react_there() {
    let api = Api::standard().await;
    let c = api.channel(MODERATORS);
    let m = api.person_posts("mod-ben", MODERATORS).await;
    api.sandbox
        .try_add_reaction(api.user("core-kim"), c, m, "👍")
        .await
        .unwrap();
}

#[tokio::test]
async fn people_cannot_run_commands_or_click_where_they_cannot_see() {
    let api = Api::standard().await;
    api.register_ping().await;
    let refused = api.ping("alice", MODERATORS).await.unwrap_err().to_string();
    assert!(refused.contains("VIEW_CHANNEL"), "{refused}");
    let button = json!({"content": "vote", "components": [{"type": 1, "components": [
        {"type": 2, "style": 1, "label": "Approve", "custom_id": "approve"}]}]});
    let sent = api.send(MODERATORS, button).await;
    let m: u64 = sent.ok()["id"].as_str().unwrap().parse().unwrap();
    let c = api.channel(MODERATORS);
    let clicked = api
        .sandbox
        .try_click_button(api.user("alice"), c, m, "approve")
        .await;
    assert!(clicked.unwrap_err().to_string().contains("VIEW_CHANNEL"));
    // Those who see it may.
    api.ping("mod-ben", MODERATORS).await.unwrap();
    api.sandbox
        .try_click_button(api.user("mod-ben"), c, m, "approve")
        .await
        .unwrap();
}

#[tokio::test]
async fn people_cannot_submit_a_form_in_a_channel_they_no_longer_see() {
    let api = Api::standard().await;
    api.register_ping().await;
    let form = json!({"type": 9, "data": {"custom_id": "why", "title": "Why?", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "reason", "style": 1, "label": "Reason"}]}]}});
    let (c, alice, bob) = (api.channel(CREATION), api.user("alice"), api.user("bob"));
    let i = api.ping("alice", CREATION).await.unwrap();
    api.callback(&i, form.clone()).await.ok();
    let j = api.ping("bob", CREATION).await.unwrap();
    api.callback(&j, form).await.ok();
    // The bot hides the channel from alice before she submits.
    api.put(
        &format!("/channels/{c}/permissions/{alice}"),
        Some(member_overwrite(alice, 0, bits::VIEW_CHANNEL)),
    )
    .await
    .ok();
    let fields = [("reason", "because")];
    let refused = api.sandbox.try_submit_modal(alice, c, "why", &fields).await;
    assert!(refused.unwrap_err().to_string().contains("VIEW_CHANNEL"));
    api.sandbox
        .try_submit_modal(bob, c, "why", &fields)
        .await
        .unwrap();
}

#[tokio::test]
async fn people_need_send_messages_to_post() {
    let everyone = |w: &World| w.guild_id;
    let world = with_overwrite(
        ANNOUNCEMENTS,
        everyone,
        OverwriteKind::Role,
        0,
        bits::SEND_MESSAGES,
    );
    let api = Api::start(world).await;
    let c = api.channel(ANNOUNCEMENTS);
    let refused = api
        .sandbox
        .try_post_message(c, api.user("alice"), "hi")
        .await;
    assert!(refused.unwrap_err().to_string().contains("SEND_MESSAGES"));
    // The owner has every permission.
    api.sandbox
        .try_post_message(c, api.user("mod-ana"), "hi")
        .await
        .unwrap();
}

#[tokio::test]
async fn people_need_add_reactions_only_for_a_new_reaction() {
    let everyone = |w: &World| w.guild_id;
    let world = with_overwrite(
        CREATION,
        everyone,
        OverwriteKind::Role,
        0,
        bits::ADD_REACTIONS,
    );
    let api = Api::start(world).await;
    let (c, alice) = (api.channel(CREATION), api.user("alice"));
    let m = api.person_posts("bob", CREATION).await;
    let refused = api.sandbox.try_add_reaction(alice, c, m, "👍").await;
    assert!(refused.unwrap_err().to_string().contains("ADD_REACTIONS"));
    api.sandbox
        .try_add_reaction(api.user("mod-ana"), c, m, "👍")
        .await
        .unwrap();
    api.sandbox
        .try_add_reaction(alice, c, m, "👍")
        .await
        .unwrap();
}

#[tokio::test]
async fn people_need_use_application_commands_to_run_a_command() {
    let mut world = World::standard();
    world.everyone_permissions &= !bits::USE_APPLICATION_COMMANDS;
    let api = Api::start(world).await;
    api.register_ping().await;
    let refused = api.ping("alice", CREATION).await.unwrap_err().to_string();
    assert!(refused.contains("USE_APPLICATION_COMMANDS"), "{refused}");
    api.ping("mod-ana", CREATION).await.unwrap();
}

#[tokio::test]
async fn people_run_commands_with_the_default_permissions() {
    let api = Api::standard().await;
    api.register_ping().await;
    api.ping("alice", CREATION).await.unwrap();
}

/// Registers `/ping` with `default_member_permissions` set to `permissions`.
async fn register_ping_needing(api: &Api, permissions: &str) {
    let (app, guild) = (api.world().application_id, api.guild());
    let ping = json!([{"name": "ping", "description": "Answers pong", "type": 1,
                       "default_member_permissions": permissions}]);
    api.put(
        &format!("/applications/{app}/guilds/{guild}/commands"),
        Some(ping),
    )
    .await
    .ok();
}

/// `command_permissions` for /ping: `allow` for each (id, kind).
fn ping_permissions(world: &mut World, who: &[(u64, OverwriteKind, bool)]) {
    world.command_permissions = who
        .iter()
        .map(|&(id, kind, allow)| CommandPermissionSpec {
            command: "ping".into(),
            id,
            kind,
            allow,
        })
        .collect();
}

#[tokio::test]
async fn a_command_needs_its_default_member_permissions() {
    let mut world = World::standard();
    world.role_mut(MODERATOR).permissions |= bits::MANAGE_MESSAGES;
    let api = Api::start(world).await;
    register_ping_needing(&api, &bits::MANAGE_MESSAGES.to_string()).await;
    let refused = api.ping("alice", CREATION).await.unwrap_err().to_string();
    assert!(refused.contains("cannot use /ping"), "{refused}");
    assert!(refused.contains("MANAGE_MESSAGES"), "{refused}");
    api.ping("mod-ana", CREATION).await.unwrap();
}

#[tokio::test]
async fn zero_default_member_permissions_leaves_a_command_to_administrators() {
    let mut world = World::standard();
    world.role_mut(MODERATOR).permissions |= bits::ADMINISTRATOR;
    let api = Api::start(world).await;
    register_ping_needing(&api, "0").await;
    let refused = api
        .ping("core-kim", CREATION)
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("an administrator"), "{refused}");
    api.ping("mod-ana", CREATION).await.unwrap();
}

#[tokio::test]
async fn admins_command_permissions_come_before_the_defaults() {
    let mut world = World::standard();
    let (core, lead, everyone) = (
        world.role_id(CORE_MAINTAINER),
        world.role_id(LEAD_MAINTAINER),
        world.guild_id,
    );
    let bob = world.user_id("bob");
    let lee = world.user_id("lead-lee");
    ping_permissions(
        &mut world,
        &[
            // A role allowed, and one denied: lead-lee is also on the steering group.
            (core, OverwriteKind::Role, true),
            (lead, OverwriteKind::Role, false),
            // A member's own permission beats their roles'.
            (lee, OverwriteKind::Member, true),
            // @everyone denied, bob allowed by name.
            (everyone, OverwriteKind::Role, false),
            (bob, OverwriteKind::Member, true),
        ],
    );
    let api = Api::start(world).await;
    // No default requirement: only the overwrites decide.
    api.register_ping().await;
    api.ping("core-kim", CREATION).await.unwrap();
    api.ping("lead-lee", CREATION).await.unwrap();
    api.ping("bob", CREATION).await.unwrap();
    let refused = api.ping("alice", CREATION).await.unwrap_err().to_string();
    assert!(refused.contains("cannot use /ping"), "{refused}");
}

#[test]
fn a_role_that_allows_wins_over_one_that_denies() {
    let mut world = World::standard();
    let (core, lead) = (
        world.role_id(CORE_MAINTAINER),
        world.role_id(LEAD_MAINTAINER),
    );
    ping_permissions(
        &mut world,
        &[
            (core, OverwriteKind::Role, false),
            (lead, OverwriteKind::Role, true),
        ],
    );
    let member = world.user_id("core-kim");
    let may = |roles: &[u64]| {
        discord_standin::permissions::may_use_command(&world, member, roles, 0, "ping", Some(0))
    };
    assert!(may(&[core, lead]));
    assert!(!may(&[core]));
    assert!(
        !may(&[]),
        "no overwrite applies: \"0\" leaves it to administrators"
    );
}

// ---------------------------------------------------------------------------------------------
// Limits (400, 50035 Invalid Form Body, at the field's path)

/// Sends `bad` (refused with `code` at `path`) then `good` (accepted) to #wg-ig-group-creation.
async fn message_limit(bad: Value, path: &str, code: &str, good: Value) {
    let api = Api::standard().await;
    api.send(CREATION, bad).await.invalid_at(path, code);
    api.send(CREATION, good).await.ok();
}

fn long(n: usize) -> String {
    "x".repeat(n)
}

fn embed_with(key: &str, value: Value) -> Value {
    let mut e = json!({"title": "Card"});
    e[key] = value;
    json!({"embeds": [e]})
}

#[tokio::test]
async fn message_content_is_at_most_2000_characters() {
    message_limit(
        json!({"content": long(2001)}),
        "content",
        "BASE_TYPE_MAX_LENGTH",
        json!({"content": long(2000)}),
    )
    .await;
}

#[tokio::test]
async fn embed_title_is_at_most_256_characters() {
    message_limit(
        embed_with("title", json!(long(257))),
        "embeds.0.title",
        "BASE_TYPE_MAX_LENGTH",
        embed_with("title", json!(long(256))),
    )
    .await;
}

#[tokio::test]
async fn embed_description_is_at_most_4096_characters() {
    message_limit(
        embed_with("description", json!(long(4097))),
        "embeds.0.description",
        "BASE_TYPE_MAX_LENGTH",
        embed_with("description", json!(long(4096))),
    )
    .await;
}

#[tokio::test]
async fn an_embed_has_at_most_25_fields() {
    let fields = |n: usize| json!(vec![json!({"name": "n", "value": "v"}); n]);
    message_limit(
        embed_with("fields", fields(26)),
        "embeds.0.fields",
        "BASE_TYPE_MAX_LENGTH",
        embed_with("fields", fields(25)),
    )
    .await;
}

#[tokio::test]
async fn an_embed_field_name_is_at_most_256_characters() {
    let field = |n: usize| json!([{"name": long(n), "value": "v"}]);
    message_limit(
        embed_with("fields", field(257)),
        "embeds.0.fields.0.name",
        "BASE_TYPE_MAX_LENGTH",
        embed_with("fields", field(256)),
    )
    .await;
}

#[tokio::test]
async fn an_embed_field_value_is_at_most_1024_characters() {
    let field = |n: usize| json!([{"name": "n", "value": long(n)}]);
    message_limit(
        embed_with("fields", field(1025)),
        "embeds.0.fields.0.value",
        "BASE_TYPE_MAX_LENGTH",
        embed_with("fields", field(1024)),
    )
    .await;
}

#[tokio::test]
async fn an_embed_footer_is_at_most_2048_characters() {
    message_limit(
        embed_with("footer", json!({"text": long(2049)})),
        "embeds.0.footer.text",
        "BASE_TYPE_MAX_LENGTH",
        embed_with("footer", json!({"text": long(2048)})),
    )
    .await;
}

#[tokio::test]
async fn an_embed_author_name_is_at_most_256_characters() {
    message_limit(
        embed_with("author", json!({"name": long(257)})),
        "embeds.0.author.name",
        "BASE_TYPE_MAX_LENGTH",
        embed_with("author", json!({"name": long(256)})),
    )
    .await;
}

#[tokio::test]
async fn a_message_has_at_most_10_embeds() {
    let embeds = |n: usize| json!({"embeds": vec![embed("e"); n]});
    message_limit(embeds(11), "embeds", "BASE_TYPE_MAX_LENGTH", embeds(10)).await;
}

#[tokio::test]
async fn a_messages_embeds_hold_at_most_6000_characters_together() {
    // Each within its own limits; together over (the total is not in Discord's description).
    let two =
        |each: usize| json!({"embeds": [{"description": long(each)}, {"description": long(each)}]});
    message_limit(two(3001), "embeds", "MAX_EMBED_SIZE_EXCEEDED", two(3000)).await;
}

#[tokio::test]
async fn the_6000_characters_count_titles_fields_footers_and_authors_trimmed() {
    let api = Api::standard().await;
    let e = |padding: &str| {
        json!({
            "title": long(256),
            "description": long(4000),
            "fields": [{"name": long(200), "value": long(1000)}],
            "footer": {"text": format!("{padding}{}", long(300))},
            "author": {"name": long(244)},
        })
    };
    // 256 + 4000 + 200 + 1000 + 300 + 244 = 6000, with whitespace around the footer.
    api.send(CREATION, json!({"embeds": [e("   ")]})).await.ok();
    let mut over = e("");
    over["author"]["name"] = json!(long(245));
    api.send(CREATION, json!({"embeds": [over]}))
        .await
        .invalid_at("embeds", "MAX_EMBED_SIZE_EXCEEDED");
}

fn button(label: &str, custom_id: &str) -> Value {
    json!({"type": 2, "style": 1, "label": label, "custom_id": custom_id})
}

fn rows(rows: usize, buttons: usize) -> Value {
    let row = |r: usize| {
        let buttons: Vec<Value> = (0..buttons)
            .map(|b| button("Go", &format!("b{r}-{b}")))
            .collect();
        json!({"type": 1, "components": buttons})
    };
    json!({"content": "pick", "components": (0..rows).map(row).collect::<Vec<_>>()})
}

#[tokio::test]
async fn a_message_has_at_most_5_action_rows() {
    message_limit(rows(6, 1), "components", "BASE_TYPE_MAX_LENGTH", rows(5, 1)).await;
}

#[tokio::test]
async fn an_action_row_has_at_most_5_buttons() {
    message_limit(
        rows(1, 6),
        "components.0.components",
        "BASE_TYPE_MAX_LENGTH",
        rows(1, 5),
    )
    .await;
}

#[tokio::test]
async fn a_button_label_is_at_most_80_characters() {
    let with = |label: &str| json!({"content": "x", "components": [{"type": 1, "components": [button(label, "go")]}]});
    message_limit(
        with(&long(81)),
        "components.0.components.0.label",
        "BASE_TYPE_MAX_LENGTH",
        with(&long(80)),
    )
    .await;
}

#[tokio::test]
async fn a_custom_id_is_at_most_100_characters() {
    let with = |id: &str| json!({"content": "x", "components": [{"type": 1, "components": [button("Go", id)]}]});
    message_limit(
        with(&long(101)),
        "components.0.components.0.custom_id",
        "BASE_TYPE_MAX_LENGTH",
        with(&long(100)),
    )
    .await;
}

/// A modal callback with one text input; `title`, `label`, `placeholder`, `value` as given.
fn modal(title: &str, label: &str, placeholder: &str, value: &str) -> Value {
    json!({"type": 9, "data": {"custom_id": "why", "title": title, "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "reason", "style": 2,
            "label": label, "placeholder": placeholder, "value": value, "required": false}]}]}})
}

/// Opens `bad` (refused at `path`) then `good` (accepted) in answer to a command.
async fn modal_limit(bad: Value, path: &str, good: Value) {
    let api = Api::standard().await;
    api.register_ping().await;
    let i = api.ping("alice", CREATION).await.unwrap();
    api.callback(&i, bad)
        .await
        .invalid_at(path, "BASE_TYPE_MAX_LENGTH");
    api.callback(&i, good).await.ok();
}

#[tokio::test]
async fn a_modal_title_is_at_most_45_characters() {
    modal_limit(
        modal(&long(46), "Reason", "", ""),
        "data.title",
        modal(&long(45), "Reason", "", ""),
    )
    .await;
}

#[tokio::test]
async fn a_text_input_label_is_at_most_45_characters() {
    modal_limit(
        modal("Why?", &long(46), "", ""),
        "data.components.0.components.0.label",
        modal("Why?", &long(45), "", ""),
    )
    .await;
}

#[tokio::test]
async fn a_text_input_placeholder_is_at_most_100_characters() {
    modal_limit(
        modal("Why?", "Reason", &long(101), ""),
        "data.components.0.components.0.placeholder",
        modal("Why?", "Reason", &long(100), ""),
    )
    .await;
}

#[tokio::test]
async fn a_text_input_value_is_at_most_4000_characters() {
    modal_limit(
        modal("Why?", "Reason", "", &long(4001)),
        "data.components.0.components.0.value",
        modal("Why?", "Reason", "", &long(4000)),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Autocomplete (interaction type 4, callback type 8)

/// Registers `/find id:integer` with autocomplete, and `alice` types "reg" into it.
async fn typing_into_find(api: &Api) -> discord_standin::Interaction {
    let (app, guild) = (api.world().application_id, api.guild());
    let find = json!([{"name": "find", "description": "Finds a group", "type": 1, "options": [
        {"type": 4, "name": "id", "description": "The group", "required": true, "autocomplete": true}
    ]}]);
    api.put(
        &format!("/applications/{app}/guilds/{guild}/commands"),
        Some(find),
    )
    .await
    .ok();
    api.sandbox
        .autocomplete(
            api.user("alice"),
            api.channel(CREATION),
            "find",
            json!([{"type": 4, "name": "id", "value": "reg", "focused": true}]),
        )
        .await
        .unwrap()
}

fn choices(choices: Vec<Value>) -> Value {
    json!({"type": 8, "data": {"choices": choices}})
}

#[tokio::test]
async fn an_autocomplete_interaction_carries_type_4_and_the_focused_text() {
    let api = Api::standard().await;
    let i = typing_into_find(&api).await;
    let payload = api.interaction_payload(&i);
    assert_eq!(payload["type"], 4);
    assert_eq!(payload["data"]["options"][0]["focused"], true);
    assert_eq!(payload["data"]["options"][0]["value"], "reg");
    // Only its result answers it.
    api.callback(&i, json!({"type": 4, "data": {"content": "hi"}}))
        .await
        .invalid_at("type", "INTERACTION_RESPONSE_TYPE_INVALID");
    api.callback(
        &i,
        choices(vec![json!({"name": "WG #3 Registry", "value": 3})]),
    )
    .await
    .ok();
}

#[tokio::test]
async fn an_option_without_autocomplete_cannot_be_typed_into() {
    let api = Api::standard().await;
    let (app, guild) = (api.world().application_id, api.guild());
    let plain = json!([{"name": "find", "description": "Finds", "type": 1, "options": [
        {"type": 4, "name": "id", "description": "The group", "required": true}
    ]}]);
    api.put(
        &format!("/applications/{app}/guilds/{guild}/commands"),
        Some(plain),
    )
    .await
    .ok();
    let typed = api
        .sandbox
        .autocomplete(
            api.user("alice"),
            api.channel(CREATION),
            "find",
            json!([{"type": 4, "name": "id", "value": "reg", "focused": true}]),
        )
        .await;
    assert!(typed.is_err());
}

#[tokio::test]
async fn autocomplete_offers_at_most_25_choices() {
    let api = Api::standard().await;
    let i = typing_into_find(&api).await;
    let many = |n: i64| {
        (1..=n)
            .map(|v| json!({"name": format!("#{v}"), "value": v}))
            .collect()
    };
    api.callback(&i, choices(many(26)))
        .await
        .invalid_at("data.choices", "BASE_TYPE_MAX_LENGTH");
    api.callback(&i, choices(many(25))).await.ok();
}

#[tokio::test]
async fn an_autocomplete_choice_name_is_1_to_100_characters() {
    let api = Api::standard().await;
    let i = typing_into_find(&api).await;
    api.callback(&i, choices(vec![json!({"name": long(101), "value": 1})]))
        .await
        .invalid_at("data.choices.0.name", "BASE_TYPE_MAX_LENGTH");
    api.callback(&i, choices(vec![json!({"name": "", "value": 1})]))
        .await
        .invalid_at("data.choices.0.name", "BASE_TYPE_MIN_LENGTH");
    api.callback(&i, choices(vec![json!({"name": long(100), "value": 1})]))
        .await
        .ok();
}

#[tokio::test]
async fn an_autocomplete_choice_value_has_the_options_type() {
    let api = Api::standard().await;
    let i = typing_into_find(&api).await;
    api.callback(&i, choices(vec![json!({"name": "WG #3", "value": "3"})]))
        .await
        .invalid_at(
            "data.choices.0.value",
            "APPLICATION_COMMAND_OPTION_CHOICE_VALUE_INVALID",
        );
    api.callback(&i, choices(vec![json!({"name": "WG #3", "value": 3})]))
        .await
        .ok();
}
