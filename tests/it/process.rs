//! The `govbot run` binary as a service manager runs it: a child process connected to the sandbox,
//! stopped with SIGTERM or SIGINT. It must stop cleanly (exit code 0, gateway connection closed),
//! never print its token, and refuse with a non-zero exit a configuration the guild does not match.

use crate::common::bot_process::{BotProcess, Signal};
use crate::common::{is_ephemeral, text};
use discord_standin::{Sandbox, SandboxOptions, World};
use govbot::harness::WAIT;
use govbot::standard_world::StandardWorld as _;
use serde_json::json;
use std::path::{Path, PathBuf};

async fn sandbox_with(options: SandboxOptions) -> Sandbox {
    Sandbox::start(World::standard(), options).await.unwrap()
}

/// Waits until the bot registered `/ping`, runs it as alice and checks the private answer.
async fn assert_answers_ping(sandbox: &Sandbox, bot: &BotProcess) {
    if let Err(e) = sandbox.wait_command("ping", WAIT).await {
        panic!("{e:#}\n{}", bot.output());
    }
    assert!(
        sandbox
            .registered_commands()
            .iter()
            .any(|c| c["name"] == "group"),
        "/group is registered too: {:#?}",
        sandbox.registered_commands()
    );
    let world = sandbox.world();
    let interaction = sandbox
        .slash_command(
            world.user_id("alice"),
            world.channel_id("wg-ig-group-creation"),
            "ping",
            json!([]),
        )
        .await;
    let response = match sandbox.wait_response(&interaction, WAIT).await {
        Ok(r) => r,
        Err(e) => panic!("{e:#}\n{}", bot.output()),
    };
    assert_eq!(response.kind, 4, "a message reply: {:?}", response.data);
    assert!(
        is_ephemeral(&response.data),
        "only alice sees it: {}",
        response.data
    );
    assert!(
        text(&response.data).contains("govbot is answering"),
        "{}",
        response.data
    );
}

/// Runs the bot, checks it answers, sends `signal` and checks it stops cleanly.
async fn stops_cleanly_on(signal: Signal) {
    let sandbox = sandbox_with(SandboxOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut bot = BotProcess::spawn(&sandbox, &dir.path().join("govbot.db")).await;
    assert_answers_ping(&sandbox, &bot).await;
    assert!(
        sandbox.gateway_stats().connected,
        "connected before the signal"
    );

    bot.wait_handler(signal).await;
    bot.signal(signal);
    let status = bot.wait_exit(WAIT).await;
    assert_eq!(
        status.code(),
        Some(0),
        "govbot exits with code 0 on {signal} ({status})\n{}",
        bot.output()
    );
    let stderr = bot.stderr();
    assert!(
        stderr.contains("shutting down"),
        "govbot logs that it is shutting down\n{}",
        bot.output()
    );
    assert!(
        !stderr.contains("ERROR") && !stderr.contains("error:"),
        "no error while stopping\n{}",
        bot.output()
    );
    if let Err(e) = sandbox.wait_gateway(|g| !g.connected, WAIT).await {
        panic!(
            "the sandbox still sees the bot connected: {e:#}\n{}",
            bot.output()
        );
    }
    assert_eq!(
        sandbox.identify_count(),
        1,
        "one session, no reconnection\n{}",
        bot.output()
    );
}

#[tokio::test]
async fn sigterm_stops_the_bot_cleanly() {
    stops_cleanly_on(Signal::SIGTERM).await;
}

#[tokio::test]
async fn sigint_stops_the_bot_cleanly() {
    stops_cleanly_on(Signal::SIGINT).await;
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files.push(entry.path());
            }
        }
    }
    files
}

#[tokio::test]
async fn the_token_is_never_printed() {
    // A token of our own, which the sandbox insists on: the bot can only have connected with it.
    let token = format!(
        "MTIz.process-test-secret-{}.{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let sandbox = sandbox_with(SandboxOptions {
        token: Some(token.clone()),
        ..SandboxOptions::default()
    })
    .await;
    assert_eq!(sandbox.token(), token);
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("govbot.db");
    let mut bot = BotProcess::spawn(&sandbox, &database).await;
    assert_answers_ping(&sandbox, &bot).await;
    bot.wait_handler(Signal::SIGTERM).await;
    bot.signal(Signal::SIGTERM);
    let status = bot.wait_exit(WAIT).await;
    assert!(status.success(), "{status}\n{}", bot.output());

    let (stdout, stderr) = (bot.stdout(), bot.stderr());
    assert!(
        stderr.contains("commands registered"),
        "the logs were captured\n{}",
        bot.output()
    );
    assert!(!stdout.contains(&token), "token on stdout:\n{stdout}");
    assert!(!stderr.contains(&token), "token on stderr:\n{stderr}");

    let mut files = files_under(dir.path());
    files.extend(files_under(bot.dir()));
    assert!(
        files.contains(&database) && files.iter().any(|f| f == bot.config_path()),
        "the database and the configuration are among the files checked: {files:?}"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token is in {}",
            file.display()
        );
    }
}

#[tokio::test]
async fn a_config_naming_a_missing_channel_exits_non_zero() {
    let sandbox = sandbox_with(SandboxOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let toml = BotProcess::config_toml(&sandbox, &dir.path().join("govbot.db"));
    let creation = sandbox.world().channel_id("wg-ig-group-creation");
    let broken = toml.replacen(
        &format!("\ncreation = {creation}\n"),
        "\ncreation = 123456789012345678\n",
        1,
    );
    assert_ne!(
        broken, toml,
        "the generated configuration sets channels.creation"
    );

    let mut bot = BotProcess::launch(&sandbox, &broken);
    let status = bot.wait_exit(WAIT).await;
    assert!(
        !status.success(),
        "govbot ran with a channel the guild does not have ({status})\n{}",
        bot.output()
    );
    assert_eq!(status.code(), Some(1), "{status}\n{}", bot.output());
    assert!(
        bot.stderr()
            .contains("channels.creation = 123456789012345678: the guild has no such channel"),
        "{}",
        bot.output()
    );
    assert_eq!(
        sandbox.identify_count(),
        0,
        "it never identified on the gateway"
    );
    assert!(
        sandbox.registered_commands().is_empty(),
        "it registered nothing: {:#?}",
        sandbox.registered_commands()
    );
}
