//! govbot's standard world in the Discord stand-in: the configuration it generates is one govbot
//! accepts, the bot's role carries exactly govbot's invite, the overwrites govbot writes are
//! allowed, and the stand-in's own test world (crates/discord-standin/tests/common/world.rs) is
//! this same world, so the stand-in's tests run in the guild govbot runs in.

#[path = "../../crates/discord-standin/tests/common/mod.rs"]
mod standin;

use discord_standin::payloads::id_of;
use discord_standin::permissions::bits;
use discord_standin::World;
use govbot::standard_world::names::*;
use govbot::standard_world::StandardWorld;
use serde_json::{json, Value};
use standin::api::*;

#[test]
fn the_stand_ins_test_world_is_govbots_standard_world() {
    let theirs = <World as standin::world::StandardWorld>::standard();
    assert_eq!(theirs, <World as StandardWorld>::standard());
    assert_eq!(
        standin::world::BOT_PERMISSIONS,
        govbot::discord::permissions::invite_permissions().bits()
    );
}

#[test]
fn the_worlds_configuration_is_one_govbot_accepts() {
    let world = World::standard();
    let dir = tempfile::tempdir().unwrap();
    let origin = dir.path().join("govbot.toml");
    let database = dir.path().join("state \"quoted\".db");
    let text = world.config_toml(&database, "http://127.0.0.1:4321");
    let config =
        govbot::config::Config::parse(&text, &origin).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(config.guild_id, world.guild_id);
    assert_eq!(
        config.channels.creation,
        world.channel_id("wg-ig-group-creation")
    );
    assert_eq!(
        config.channels.archive_category,
        world.channel_id("Archive")
    );
    assert_eq!(config.roles.moderator, world.role_id("Community Moderator"));
    assert_eq!(config.roles.facilitator, Some(world.role_id("Facilitator")));
    assert_eq!(config.database_path(), database);
    assert_eq!(config.api_base(), "http://127.0.0.1:4321");
    // Three moderators, and the lead maintainer also on the steering group.
    let moderators = world
        .members
        .iter()
        .filter(|m| m.roles.contains(&config.roles.moderator))
        .count();
    assert_eq!(moderators, 3);
    let lead = world.member(world.user_id("lead-lee")).unwrap();
    assert!(lead.roles.contains(&config.roles.steering_group));
}

#[tokio::test]
async fn roles_carry_their_permissions_and_the_bot_role_exactly_its_invite() {
    let api = Api::standard().await;
    let roles = api.get(&format!("/guilds/{}/roles", api.guild())).await;
    let roles = roles.ok().as_array().unwrap().clone();
    let permissions = |id: u64| {
        roles
            .iter()
            .find(|r| id_of(r) == Some(id))
            .map(|r| r["permissions"].as_str().unwrap().parse::<u64>().unwrap())
            .unwrap()
    };
    let invite = govbot::discord::permissions::invite_permissions().bits();
    assert_eq!(permissions(api.role(BOT_ROLE)), invite);
    assert_eq!(invite & bits::ADMINISTRATOR, 0);
    assert_eq!(permissions(api.guild()), bits::EVERYONE_DEFAULT);
    assert_eq!(permissions(api.role(MODERATOR)), 0);
    let bot_role = roles.iter().find(|r| id_of(r) == Some(api.role(BOT_ROLE)));
    assert_eq!(bot_role.unwrap()["managed"], true);
}

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
async fn the_overwrites_govbot_writes_are_allowed() {
    use govbot::discord::permissions::{ARCHIVED_BOT_ALLOWS, ARCHIVED_DENIES, FACILITATOR_ALLOWS};
    let api = Api::standard().await;
    let (guild, alice, bot) = (api.guild(), api.user("alice"), api.world().bot_user_id);
    let facilitator = vec![member_overwrite(alice, FACILITATOR_ALLOWS.bits(), 0)];
    let created = api
        .post(
            &format!("/guilds/{guild}/channels"),
            new_channel(Some(api.channel(WG_CATEGORY)), Some(facilitator)),
        )
        .await;
    let channel = created.ok()["id"].as_str().unwrap().to_owned();
    let archived = json!({
        "parent_id": api.channel(ARCHIVE_CATEGORY).to_string(),
        "permission_overwrites": [
            role_overwrite(guild, 0, ARCHIVED_DENIES.bits()),
            member_overwrite(bot, ARCHIVED_BOT_ALLOWS.bits(), 0),
        ],
    });
    api.patch(&format!("/channels/{channel}"), archived)
        .await
        .ok();
}
