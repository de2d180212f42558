//! The real bot honouring Discord's REST rate limits in the stand-in. It runs through
//! `govbot::harness::Harness`, whose transport is the production one (https://discord.com resolved
//! to the stand-in, serenity's rate limiter on): an injected 429 on the moderators' channel delays
//! its posts but loses none, and it never sends a request before `retry_after` has passed. The
//! stand-in's own side of the limits (429s with Discord's headers and body, buckets, the global
//! limit, injected faults) is tested in crates/discord-standin/tests/ratelimits.rs.
//!
//! Rate-limit time is wall-clock; every wait here is bounded and at most a scaled window (a few
//! hundred milliseconds to a second). No test waits for governance time.

use crate::common::{id_of, start, text, wg_template, Env};
use discord_standin::{Outcome, RateLimitEvent, RouteMatch};
use govbot::harness::WAIT;
use std::time::{Duration, Instant};

/// The bot's POSTs to one channel, in order, from the rate limiter's log.
fn posts_to(log: &[RateLimitEvent], channel: u64) -> Vec<RateLimitEvent> {
    log.iter()
        .filter(|e| e.route == "POST /channels/{channel_id}/messages")
        .filter(|e| e.major == format!("channel_id={channel}"))
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bot_waits_out_an_injected_429_on_the_moderators_channel_and_posts_everything() {
    let env: Env = start().await;
    let sandbox = &env.h.sandbox;
    let moderators = env.moderators();
    let retry_after = Duration::from_millis(250);
    let windows = 4;
    sandbox.inject_rate_limit(
        RouteMatch::route("POST", &format!("/channels/{moderators}/messages")),
        retry_after,
        windows,
    );

    // Three proposals at once: three announcements for the moderators' channel.
    let names = ["Registry", "Inspector", "Transports"];
    let started = Instant::now();
    for (k, name) in names.iter().enumerate() {
        let facilitator = env.h.user(["alice", "bob", "carol"][k]);
        sandbox
            .post_message(env.creation(), facilitator, &wg_template(name, facilitator))
            .await;
    }
    for name in names {
        sandbox
            .wait_message(
                moderators,
                |m| text(m).contains(name) && text(m).contains("WG"),
                WAIT,
            )
            .await
            .unwrap_or_else(|e| panic!("the announcement of {name} never came: {e:#}"));
    }
    let took = started.elapsed();
    let announcements = sandbox.messages(moderators);
    assert_eq!(announcements.len(), 3, "each announced once");
    assert!(announcements.iter().all(|m| id_of(m) > 0));

    // Every injected window was announced, and in each the bot sent exactly the request that
    // was refused: it waited retry_after before trying again.
    let posts = posts_to(&sandbox.rate_limit_log(), moderators);
    let limited: Vec<&RateLimitEvent> = posts
        .iter()
        .filter(|e| matches!(e.outcome, Outcome::Limited { injected: true, .. }))
        .collect();
    assert_eq!(limited.len(), windows as usize, "{posts:#?}");
    let mut per_window = Vec::new();
    let mut gaps = Vec::new();
    for l in &limited {
        let inside = posts
            .iter()
            .filter(|e| e.at >= l.at && e.at < l.at + retry_after)
            .count();
        per_window.push(inside);
        if let Some(next) = posts.iter().find(|e| e.at > l.at) {
            gaps.push(next.at - l.at);
        }
    }
    let admitted = posts
        .iter()
        .filter(|e| e.outcome == Outcome::Admitted)
        .count();
    println!(
        "injected 429 x{windows} (retry_after {retry_after:?}) on POST /channels/{{moderators}}/messages: \
         {} requests to the route ({admitted} admitted, {} refused); requests per retry_after \
         window while refused: {per_window:?} (max {}); next request after each 429: {:?}; \
         3 announcements in {took:?}; requests before retry_after passed: {}",
        posts.len(),
        limited.len(),
        per_window.iter().max().unwrap(),
        gaps.iter().map(|g| format!("{}ms", g.as_millis())).collect::<Vec<_>>(),
        sandbox.rate_limit_violations().len(),
    );
    assert!(per_window.iter().all(|n| *n == 1), "{per_window:?}");
    assert!(gaps.iter().all(|g| *g >= retry_after), "{gaps:?}");
    assert_eq!(admitted, 3, "each announcement posted once");
    assert_eq!(sandbox.rate_limit_violations(), Vec::new());
    env.assert_openapi_clean();
    // Shutting down also fails on any request sent before retry_after had passed.
    env.h.shutdown().await.unwrap();
}
