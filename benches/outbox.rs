//! The outbox against a failing Discord (faults injected in the sandbox), each scenario beside a
//! baseline measured in the same run without the fault:
//!
//! - **Outage**: proposals made while every message post fails with 503 for a few seconds; how
//!   long after the outage ends each announcement appears, against the backoff step in force at
//!   the end (the promise: within one step) and against the same proposals' latency without an
//!   outage.
//! - **A stuck group**: one group's channel creation keeps failing (403) while another group's
//!   vote closes; how long after its deadline the other group's result appears (the promise:
//!   within 1 s), against the same close with nothing failing.
//!
//! Run: `cargo bench --bench outbox -- [K] [OUTAGE_SECS]` (K proposals, default 10; outage 6 s).

use anyhow::{ensure, Context as _, Result};
use discord_standin::Sandbox;
use govbot::discord::component_id::ComponentId;
use govbot::discord::outbox::retry;
use govbot::governance::Choice;
use govbot::harness::{Harness, WAIT};
use govbot::store::GroupId;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::ms;

fn text(m: &Value) -> String {
    let mut out = m["content"].as_str().unwrap_or_default().to_string();
    for e in m["embeds"].as_array().into_iter().flatten() {
        out.push_str(e["description"].as_str().unwrap_or_default());
        out.push_str(e["title"].as_str().unwrap_or_default());
    }
    out
}

fn has_button(m: &Value, id: &str) -> bool {
    button_ids(m).iter().any(|c| c == id)
}

fn button_ids(m: &Value) -> Vec<String> {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_owned))
        .collect()
}

fn template(kind: &str, name: &str, facilitator: u64) -> String {
    match kind {
        "WG" => format!(
            "WG: {name}\nFacilitator(s): <@{facilitator}>\nMaintainer(s): none\n\
             Explanation of interest/use cases: clients need to find servers\n\
             First Issue/PR/SEP: SEP-1234"
        ),
        _ => format!(
            "IG: {name}\nFacilitator(s): <@{facilitator}>\nIGs with similar goals: none yet\n\
             How this IG differs from them: it is the first\nFirst topic: threat models"
        ),
    }
}

async fn harness(dir: &std::path::Path) -> Result<Harness> {
    Harness::start(&dir.join("govbot.db")).await
}

/// Waits until `check` holds, for at most [`WAIT`].
async fn until(what: &str, mut check: impl FnMut() -> bool) -> Result<()> {
    let start = Instant::now();
    while !check() {
        ensure!(start.elapsed() < WAIT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

fn announced(sandbox: &Sandbox, moderators: u64, id: usize) -> bool {
    let button = ComponentId::CallVote(GroupId(id as i64)).to_string();
    sandbox
        .messages(moderators)
        .iter()
        .any(|m| has_button(m, &button))
}

/// Proposes `k` WGs; with `outage`, every message post fails with 503 from before the first
/// proposal until `outage` has passed. Returns, per proposal, how long after the outage's end (or
/// after its post, without one) its announcement appeared, and the largest backoff step in force
/// when the outage ended.
async fn proposals(k: usize, outage: Option<Duration>) -> Result<(Vec<Duration>, Duration)> {
    let dir = tempfile::tempdir()?;
    let h = harness(dir.path()).await?;
    let (creation, moderators) = (
        h.channel("wg-ig-group-creation"),
        h.channel("community-moderators"),
    );
    let alice = h.user("alice");
    let fault = outage.map(|_| {
        h.sandbox.fail_requests(
            |r| r.method == "POST" && r.path.ends_with("/messages"),
            503,
            0,
            "upstream connect error",
        )
    });
    let started = Instant::now();
    let mut posted = Vec::new();
    for n in 1..=k {
        h.sandbox
            .post_message(
                creation,
                alice,
                &template("WG", &format!("Registry {n}"), alice),
            )
            .await;
        posted.push(Instant::now());
    }
    let mut step = Duration::ZERO;
    let end = match (outage, fault) {
        (Some(d), Some(fault)) => {
            let left = d.saturating_sub(started.elapsed());
            tokio::time::sleep(left).await;
            let store = h.store().await?;
            for p in store.outbox_pending().await? {
                step = step.max(retry::step(p.attempts.max(1)));
            }
            drop(fault);
            Some(Instant::now())
        }
        _ => None,
    };
    let mut delays = vec![None; k];
    let start = Instant::now();
    while delays.iter().any(Option::is_none) {
        ensure!(start.elapsed() < WAIT * 20, "announcements missing");
        for (i, d) in delays.iter_mut().enumerate() {
            if d.is_none() && announced(&h.sandbox, moderators, i + 1) {
                *d = Some(end.unwrap_or(posted[i]).elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    h.shutdown().await?;
    Ok((delays.into_iter().flatten().collect(), step))
}

/// Two approved votes closing together; with `stuck`, the first group's channel creation keeps
/// failing (403). Returns how long after the deadline the second group's result appeared.
async fn close_beside(stuck: bool) -> Result<Duration> {
    let dir = tempfile::tempdir()?;
    let h = harness(dir.path()).await?;
    let (creation, moderators) = (
        h.channel("wg-ig-group-creation"),
        h.channel("community-moderators"),
    );
    let alice = h.user("alice");
    for (n, (kind, name)) in [("WG", "Registry"), ("IG", "Security")].iter().enumerate() {
        let id = n + 1;
        h.sandbox
            .post_message(creation, alice, &template(kind, name, alice))
            .await;
        until("the announcement", || announced(&h.sandbox, moderators, id)).await?;
        let options = json!([{"type": 1, "name": "call-vote", "options": [
            {"type": 4, "name": "id", "value": id}]}]);
        let i = h
            .sandbox
            .slash_command(h.user("mod-ana"), creation, "govern", options)
            .await;
        h.sandbox.wait_response(&i, WAIT).await?;
        let is_yes = |c: &str| {
            matches!(
                ComponentId::parse(c),
                Some(ComponentId::Ballot { group, choice: Choice::Yes, .. }) if group == GroupId(id as i64)
            )
        };
        let vote = h
            .sandbox
            .wait_message(
                moderators,
                |m| button_ids(m).iter().any(|c| is_yes(c)),
                WAIT,
            )
            .await?;
        let button = button_ids(&vote)
            .into_iter()
            .find(|c| is_yes(c))
            .context("the vote message has no Approve button")?;
        let vote_id: u64 = vote["id"].as_str().unwrap_or_default().parse()?;
        for m in ["mod-ana", "mod-ben", "mod-cy"] {
            let i = h
                .sandbox
                .click_button(h.user(m), moderators, vote_id, &button)
                .await;
            h.sandbox.wait_answer(&i, WAIT).await?;
        }
        // The second vote closes a minute after the first, so the stuck group's effects come
        // first in the log.
        h.clock.advance(chrono::Duration::minutes(1));
    }
    let _fault = stuck.then(|| {
        h.sandbox.fail_requests(
            |r| r.method == "POST" && r.body["name"] == "wg-registry",
            403,
            50013,
            "Missing Permissions",
        )
    });
    let deadline = Instant::now();
    h.clock.advance(chrono::Duration::hours(72));
    h.sandbox
        .wait_message(moderators, |m| text(m).contains("Vote closed: IG #2"), WAIT)
        .await?;
    let shown = deadline.elapsed();
    h.shutdown().await?;
    Ok(shown)
}

fn max(d: &[Duration]) -> Duration {
    d.iter().copied().max().unwrap_or_default()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let k: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10);
    let outage_secs: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(6);
    let outage = Duration::from_secs(outage_secs);

    println!("Outage: {k} proposals while every message post fails with 503 for {outage:?}");
    let (baseline, _) = proposals(k, None).await?;
    let (after, step) = proposals(k, Some(outage)).await?;
    println!(
        "  baseline (no outage), post -> announcement: max {:.1} ms",
        ms(max(&baseline))
    );
    println!(
        "  after the outage's end -> announcement: max {:.1} ms; backoff step in force at the end \
         {:.0} ms; ratio to the step {:.2} (<= 1 promised); to the baseline {:.1}x",
        ms(max(&after)),
        ms(step),
        max(&after).as_secs_f64() / step.as_secs_f64().max(1e-9),
        max(&after).as_secs_f64() / max(&baseline).as_secs_f64().max(1e-9)
    );

    println!("A stuck group: another group's result after its deadline (3 runs each)");
    let mut base = Vec::new();
    let mut stuck = Vec::new();
    for _ in 0..3 {
        base.push(close_beside(false).await?);
        stuck.push(close_beside(true).await?);
    }
    println!(
        "  baseline (nothing failing): max {:.1} ms; beside a group whose channel creation keeps \
         failing: max {:.1} ms ({:.2}x; under 1 s promised)",
        ms(max(&base)),
        ms(max(&stuck)),
        max(&stuck).as_secs_f64() / max(&base).as_secs_f64().max(1e-9)
    );
    Ok(())
}
