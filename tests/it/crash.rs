//! The real `govbot` binary killed with SIGKILL in the middle of a burst of ballots, then started
//! again on the same database: every confirmed ballot is counted, none twice.

use crate::common;

use crate::common::bot_process::{BotProcess, Signal};
use crate::common::{id_of, text, wg_template};
use discord_standin::{Sandbox, SandboxOptions, World};
use govbot::harness::WAIT;
use govbot::standard_world::StandardWorld as _;
use govbot::store::{GroupId, Store};
use serde_json::json;
use std::collections::BTreeMap;

const BURST: usize = 90;
/// The ballot after which the bot is killed, while the rest of the burst is still arriving.
const KILL_AFTER: usize = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_burst_loses_no_acknowledged_ballot_and_counts_none_twice() {
    let sandbox = Sandbox::start(World::standard(), SandboxOptions::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("govbot.db");
    let world = sandbox.world().clone();
    let creation = world.channel_id("wg-ig-group-creation");
    let moderators = world.channel_id("community-moderators");
    let mut bot = BotProcess::spawn(&sandbox, &db).await;

    // A proposal and its vote, through the bot.
    let alice = world.user_id("alice");
    let posted = sandbox
        .post_message(creation, alice, &wg_template("Registry", alice))
        .await;
    sandbox
        .wait_message(creation, |m| common::replied_to(m) == Some(posted), WAIT)
        .await
        .unwrap();
    let id = GroupId(1);
    let call = sandbox
        .slash_command(
            world.user_id("mod-ana"),
            moderators,
            "govern",
            json!([{"type": 1, "name": "call-vote", "options": [{"type": 4, "name": "id", "value": 1}]}]),
        )
        .await;
    sandbox.wait_response(&call, WAIT).await.unwrap();
    let vote = sandbox
        .wait_message(moderators, |m| common::has_ballot_buttons(m, id), WAIT)
        .await
        .unwrap();
    let button = |c: &str| common::ballot(&vote, c);

    // The burst: ballots from the three moderators, changing their minds, several in flight.
    let voters = ["mod-ana", "mod-ben", "mod-cy"].map(|u| world.user_id(u));
    let choices = ["yes", "no", "abstain"];
    let mut sent = Vec::new();
    let mut killed = false;
    for n in 0..BURST {
        let i = sandbox
            .click_button(
                voters[n % 3],
                moderators,
                id_of(&vote),
                &button(choices[(n / 3) % 3]),
            )
            .await;
        sent.push(i);
        if n == KILL_AFTER {
            bot.signal(Signal::SIGKILL);
            killed = true;
        }
        if !killed {
            // Keep a few in flight without waiting for each to be confirmed.
            if n >= 4 {
                let _ = sandbox.wait_answer(&sent[n - 4], WAIT).await;
            }
        }
    }
    let status = bot.wait_exit(WAIT).await;
    assert!(!status.success(), "SIGKILL ends the process: {status:?}");
    // A click is answered once its ballot is committed (in one call, or a deferral and then its
    // edit when the database is slow): a confirmed ballot must survive the kill.
    let confirmed = |i: &discord_standin::Interaction| {
        let responses = sandbox.responses(i);
        match responses.first().and_then(|r| r["type"].as_u64()) {
            Some(5) => responses.len() > 1,
            Some(_) => true,
            None => false,
        }
    };
    let acknowledged: Vec<u64> = sent.iter().filter(|i| confirmed(i)).map(|i| i.id).collect();
    assert!(
        acknowledged.len() > 4 && acknowledged.len() < BURST,
        "the kill fell inside the burst: {} of {BURST} confirmed",
        acknowledged.len()
    );

    // Started again on the same database, it still takes ballots.
    let mut bot = BotProcess::spawn(&sandbox, &db).await;
    let after = sandbox
        .click_button(voters[0], moderators, id_of(&vote), &button("yes"))
        .await;
    let answered = sandbox.wait_answer(&after, WAIT).await.unwrap();
    assert!(text(&answered).contains("**approve**"), "{answered:?}");
    bot.signal(Signal::SIGTERM);
    assert!(bot.wait_exit(WAIT).await.success(), "{}", bot.output());

    let store = Store::open_existing(&db).await.unwrap();
    let history = store.history(id).await.unwrap();
    let mut ballots_by_trigger: BTreeMap<String, usize> = BTreeMap::new();
    for e in history
        .iter()
        .filter(|e| e.event.kind.name() == "ballot_cast")
    {
        let key = e
            .trigger
            .clone()
            .expect("every ballot records its interaction");
        *ballots_by_trigger.entry(key).or_default() += 1;
    }
    for (key, n) in &ballots_by_trigger {
        assert_eq!(*n, 1, "{key} counted {n} times");
    }
    for i in acknowledged.iter().chain([&after.id]) {
        assert!(
            ballots_by_trigger.contains_key(&format!("interaction:{i}")),
            "confirmed interaction {i} has no ballot"
        );
    }
    let g = store.group(id).await.unwrap().group;
    let ballots = store
        .ballots(id, g.vote.as_ref().unwrap())
        .await
        .unwrap()
        .len();
    assert_eq!(
        ballots,
        ballots_by_trigger.len(),
        "the state agrees with the log"
    );
    let replayed = store.replay(id).await.unwrap();
    assert_eq!(replayed.group, g);
    assert_eq!(
        replayed,
        store.record(id).await.unwrap(),
        "the ballots agree with the log"
    );
    println!(
        "{} ballots sent, {} confirmed before the kill, {} recorded",
        BURST,
        acknowledged.len(),
        ballots
    );
}
