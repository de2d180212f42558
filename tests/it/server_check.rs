//! The setup check against a live server: `govbot check-config --online` (the binary, as an
//! operator runs it) and `govbot run`'s start-up, against sandbox guilds set up wrong in one way
//! each. The sandbox applies Discord's permission rules, so a problem the check misses shows up
//! here as a refusal the bot would meet.

use crate::common;

use crate::common::bot_process::BotProcess;
use discord_standin::permissions::{application_flags, bits};
use discord_standin::{Sandbox, World};
use govbot::harness::Harness;
use govbot::standard_world::names;
use govbot::standard_world::StandardWorld as _;
use std::process::Output;

async fn sandbox(world: World) -> Sandbox {
    Sandbox::start(world, Harness::options()).await.unwrap()
}

/// Runs `govbot check-config --online` against `sandbox` with its token in DISCORD_TOKEN.
async fn check_online(sandbox: &Sandbox) -> (Output, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("govbot.toml");
    std::fs::write(
        &config,
        BotProcess::config_toml(sandbox, &dir.path().join("govbot.db")),
    )
    .unwrap();
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_govbot"))
        .arg("--config")
        .arg(&config)
        .args(["check-config", "--online"])
        .current_dir(dir.path())
        .env_remove("GOVBOT_CONFIG")
        .env_remove("GOVBOT_DATABASE")
        .env("DISCORD_TOKEN", sandbox.token())
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_server_passes_with_exactly_the_invite_permissions() {
    let sb = sandbox(World::standard()).await;
    let (out, stdout, stderr) = check_online(&sb).await;
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("the bot has everything it needs"),
        "{stdout}"
    );
    // The check only reads (REST, no gateway session) and was never refused.
    assert_eq!(sb.identify_count(), 0);
    assert!(sb.rest_log().iter().all(|c| c.method == "GET"));
    assert!(sb.refusals().is_empty(), "{:#?}", sb.refusals());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_without_manage_channels_is_told_which_places_break_and_how_to_fix_them() {
    let sb = sandbox(World::standard_without(bits::MANAGE_CHANNELS)).await;
    let (out, stdout, stderr) = check_online(&sb).await;
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    for key in [
        "channels.ig_category",
        "channels.wg_category",
        "channels.archive_category",
    ] {
        let line = stdout
            .lines()
            .find(|l| l.starts_with("error: ") && l.contains(key))
            .unwrap_or_else(|| panic!("no error for {key}:\n{stdout}"));
        assert!(line.contains("Manage Channels"), "{line}");
    }
    assert!(
        stdout.contains("give the bot's role Manage Channels"),
        "{stdout}"
    );
    // Nothing else is reported: the other places have what they need.
    assert!(!stdout.contains("channels.creation"), "{stdout}");
    assert!(stderr.contains("would break a flow"), "{stderr}");
    println!("check-config --online, bot without Manage Channels:\n{stdout}{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_facilitator_role_above_the_bots_is_a_warning_naming_the_fix() {
    let mut world = World::standard();
    world.move_role_above(names::FACILITATOR, names::BOT_ROLE);
    let sb = sandbox(world).await;
    let (out, stdout, stderr) = check_online(&sb).await;
    assert!(out.status.success(), "a warning only: {stdout}\n{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("warning: roles.facilitator"))
        .unwrap_or_else(|| panic!("no facilitator warning:\n{stdout}"));
    assert!(line.contains("not below the bot's highest role"), "{line}");
    assert!(
        stdout.contains("drag the bot's role above the facilitator role"),
        "{stdout}"
    );
    println!("check-config --online, facilitator role above the bot's:\n{stdout}{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_problem_is_reported_at_once() {
    let mut world = World::standard();
    // Intents off, the moderators' channel hidden from the bot by an overwrite, reactions
    // denied in it, and a category that is a text channel.
    world.application_flags = 0;
    world.deny_bot_in(names::MODERATORS, bits::VIEW_CHANNEL);
    world.channel_mut(names::ARCHIVE_CATEGORY).kind = discord_standin::ChannelKind::Text;
    let sb = sandbox(world).await;
    let (out, stdout, _) = check_online(&sb).await;
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for expected in [
        "Message Content Intent",
        "Server Members Intent",
        "channels.moderators",
        "channels.archive_category",
    ] {
        assert!(stdout.contains(expected), "{expected} missing:\n{stdout}");
    }
    assert!(
        stdout.contains("takes View Channel") || stdout.contains("lacks View Channel"),
        "{stdout}"
    );
    assert!(stdout.contains("is not a category"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_moderators_channel_is_a_warning() {
    let mut world = World::standard();
    world.channel_mut(names::MODERATORS).overwrites.clear();
    let sb = sandbox(world).await;
    let (out, stdout, _) = check_online(&sb).await;
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("warning: channels.moderators") && stdout.contains("everyone"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_refuses_to_start_on_a_server_that_would_break_a_flow() {
    let mut world = World::standard();
    world.application_flags = application_flags::GATEWAY_GUILD_MEMBERS_LIMITED;
    let sb = sandbox(world).await;
    let dir = tempfile::tempdir().unwrap();
    let toml = BotProcess::config_toml(&sb, &dir.path().join("govbot.db"));
    let mut bot = BotProcess::launch(&sb, &toml);
    let status = bot.wait_exit(govbot::harness::WAIT).await;
    assert_eq!(status.code(), Some(1), "{}", bot.stderr());
    assert!(
        bot.stderr().contains("Message Content Intent"),
        "{}",
        bot.stderr()
    );
    assert_eq!(sb.identify_count(), 0, "it never connected");
}

/// The whole approval on a server that gives the bot exactly what docs/operating.md lists: the vote,
/// the close, then the group's channel created under its category with the facilitator's
/// overwrite, its opening message and its announcement, and not one request refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_with_exactly_the_readmes_permissions_opens_the_channel() {
    let env = common::start().await;
    let world = env.h.sandbox.world();
    let invite = govbot::discord::permissions::invite_permissions().bits();
    let bot_role = world.role_id(names::BOT_ROLE);
    assert_eq!(world.role(bot_role).unwrap().permissions, invite);
    assert!(include_str!("../../docs/operating.md")
        .contains(&format!("Permissions integer `{invite}`")));

    let alice = env.h.user("alice");
    let (_, channel) = common::active_group(&env, &common::wg_template("Registry", alice)).await;
    let created = common::eventually("the channel in the sandbox", || {
        env.h
            .sandbox
            .channels()
            .into_iter()
            .find(|c| common::id_of(c) == channel)
    })
    .await;
    assert_eq!(created["name"], "wg-registry");
    assert_eq!(
        created["parent_id"],
        world.channel_id(names::WG_CATEGORY).to_string()
    );
    let facilitator = created["permission_overwrites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"].as_str() == Some(alice.to_string().as_str()))
        .expect("the facilitator's overwrite");
    assert_eq!(
        facilitator["allow"],
        govbot::discord::permissions::FACILITATOR_ALLOWS
            .bits()
            .to_string()
    );
    env.h
        .sandbox
        .wait_message(
            channel,
            |m| common::text(m).contains("Registry"),
            govbot::harness::WAIT,
        )
        .await
        .unwrap();
    env.h
        .sandbox
        .wait_message(
            env.h.channel(names::ANNOUNCEMENTS),
            |m| common::text(m).contains("Registry"),
            govbot::harness::WAIT,
        )
        .await
        .unwrap();
    env.assert_openapi_clean();
    env.h.shutdown().await.unwrap();
}
