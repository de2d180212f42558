//! Discord's REST rate limits in the stand-in, driven with plain HTTP requests (no limiter in the
//! way): a spent bucket answers 429 with Discord's headers and body and recovers after its reset,
//! buckets are counted per top-level resource, the global 50 requests per second per bot, the
//! interaction endpoints' exemption from it, injected server errors; and (ignored: a known
//! serenity limitation) serenity's limiter after a global 429. govbot's tests/ratelimits.rs runs
//! the real bot against the same limits.
//!
//! Rate-limit time is wall-clock; every wait here is bounded and at most a scaled window (a few
//! hundred milliseconds to a second).

mod common;

use common::world::StandardWorld as _;
use discord_standin::{Outcome, RateLimitOptions, RouteMatch, Sandbox, SandboxOptions, World};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use std::time::Duration;

/// A sandbox whose windows are Discord's times `scale`.
async fn sandbox(scale: f64) -> Sandbox {
    let options = SandboxOptions {
        rate_limits: RateLimitOptions::scaled(scale),
        ..SandboxOptions::default()
    };
    Sandbox::start(World::standard(), options).await.unwrap()
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn number(&self, name: &str) -> f64 {
        self.header(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no numeric {name} header in {:?}", self.headers))
    }
}

/// One request to the sandbox's REST API as the bot (`token` without `Bot `).
async fn call(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> Answer {
    let url = format!("{}/api/v10{path}", sandbox.api_base());
    let mut request = client
        .request(method.parse().unwrap(), url)
        .header("authorization", format!("Bot {token}"));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

fn post_message<'a>(
    client: &'a reqwest::Client,
    sandbox: &'a Sandbox,
    channel: u64,
) -> impl std::future::Future<Output = Answer> + 'a {
    let token = sandbox.token().to_owned();
    async move {
        call(
            client,
            sandbox,
            &token,
            "POST",
            &format!("/channels/{channel}/messages"),
            Some(json!({"content": "hello"})),
        )
        .await
    }
}

/// `X-RateLimit-Scope` etc. are only on 429s; these are on every answer from a bucketed route.
const BUCKET_HEADERS: [&str; 5] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-reset-after",
    "x-ratelimit-bucket",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_bucket_answers_429_with_discords_headers_and_body_then_recovers() {
    // Creating messages: 5 per 4 s per channel at Discord's scale; here 5 per second.
    let sandbox = sandbox(0.25).await;
    let client = reqwest::Client::new();
    let creation = sandbox.world().channel_id("wg-ig-group-creation");
    let announcements = sandbox.world().channel_id("announcements");

    // Until the bucket is spent (bounded: a slow machine may see a window reset on the way).
    let mut answers = Vec::new();
    while answers.len() < 30 {
        let a = post_message(&client, &sandbox, creation).await;
        let limited = a.status == 429;
        answers.push(a);
        if limited {
            break;
        }
    }
    let limited = answers.pop().unwrap();
    assert_eq!(limited.status, 429, "the bucket never ran out");
    // The five admitted just before it, with their remaining counts going down to 0.
    assert!(answers.len() >= 5);
    let window = &answers[answers.len() - 5..];
    for (a, left) in window.iter().zip([4, 3, 2, 1, 0]) {
        assert_eq!(a.status, 200, "{:?}", a.body);
        for h in BUCKET_HEADERS {
            assert!(a.header(h).is_some(), "{h} missing");
        }
        assert_eq!(a.header("x-ratelimit-limit"), Some("5"));
        assert_eq!(a.number("x-ratelimit-remaining"), f64::from(left));
        let reset_after = a.number("x-ratelimit-reset-after");
        assert!(reset_after > 0.0 && reset_after <= 1.0, "{reset_after}");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        let reset = a.number("x-ratelimit-reset");
        assert!(
            (reset - (now + reset_after)).abs() < 1.0,
            "X-RateLimit-Reset is epoch seconds: {reset}"
        );
        assert!(a.header("x-ratelimit-scope").is_none(), "scope is for 429s");
    }
    let bucket = window[0].header("x-ratelimit-bucket").unwrap().to_owned();

    // The 429: Retry-After, the scope, the bucket's headers, Discord's body.
    assert_eq!(limited.header("x-ratelimit-scope"), Some("user"));
    assert_eq!(limited.header("x-ratelimit-bucket"), Some(bucket.as_str()));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(limited.header("x-ratelimit-global").is_none());
    assert_eq!(limited.body["message"], "You are being rate limited.");
    assert_eq!(limited.body["global"], false);
    let retry_after = limited.body["retry_after"].as_f64().unwrap();
    assert!(retry_after > 0.0 && retry_after <= 1.0, "{retry_after}");
    assert!(limited.number("retry-after") >= retry_after);

    // Another channel is another bucket: same bucket id, its own count.
    let other = post_message(&client, &sandbox, announcements).await;
    assert_eq!(other.status, 200);
    assert_eq!(other.header("x-ratelimit-bucket"), Some(bucket.as_str()));
    assert_eq!(other.header("x-ratelimit-remaining"), Some("4"));

    // After retry_after the bucket is full again, and nobody came back early.
    tokio::time::sleep(Duration::from_secs_f64(retry_after)).await;
    let again = post_message(&client, &sandbox, creation).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.header("x-ratelimit-remaining"), Some("4"));
    assert_eq!(sandbox.rate_limit_violations(), Vec::new());

    // A request inside the announced window is recorded as early (and refused again).
    for _ in 0..60 {
        let a = post_message(&client, &sandbox, creation).await;
        if !sandbox.rate_limit_violations().is_empty() {
            assert_eq!(a.status, 429);
            break;
        }
    }
    let violations = sandbox.rate_limit_violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0].route, "POST /channels/{channel_id}/messages");
    assert_eq!(violations[0].major, format!("channel_id={creation}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_global_limit_is_50_requests_per_second_per_bot() {
    let sandbox = sandbox(1.0).await;
    let client = reqwest::Client::new();
    let token = sandbox.token().to_owned();
    // GET /users/@me has no bucket of its own: only the global limit applies.
    let mut limited = None;
    for _ in 0..10 {
        let mut burst = tokio::task::JoinSet::new();
        for _ in 0..30 {
            let (client, sandbox, token) = (client.clone(), sandbox.clone(), token.clone());
            burst.spawn(
                async move { call(&client, &sandbox, &token, "GET", "/users/@me", None).await },
            );
        }
        let answers = burst.join_all().await;
        for a in &answers {
            assert!(a.header("x-ratelimit-bucket").is_none());
        }
        if let Some(a) = answers.into_iter().find(|a| a.status == 429) {
            limited = Some(a);
            break;
        }
    }
    let limited = limited.expect("50 requests per second were never exceeded");
    assert_eq!(limited.header("x-ratelimit-global"), Some("true"));
    assert_eq!(limited.header("x-ratelimit-scope"), Some("global"));
    assert_eq!(limited.body["global"], true);
    assert_eq!(limited.body["message"], "You are being rate limited.");
    let retry_after = limited.body["retry_after"].as_f64().unwrap();
    assert!(retry_after > 0.0 && retry_after <= 1.0, "{retry_after}");
    // Retry-After in whole seconds, rounded up, as in Discord's examples.
    assert_eq!(limited.header("retry-after"), Some("1"));

    // The first window opened with the first request: if the 429 came within it, exactly 50
    // were admitted before it (a machine too slow to send 60 requests in a second only shows
    // that at least 50 were).
    let log = sandbox.rate_limit_log();
    let first_429 = log
        .iter()
        .position(|e| matches!(e.outcome, Outcome::Limited { global: true, .. }))
        .unwrap();
    let admitted = log[..first_429]
        .iter()
        .filter(|e| e.outcome == Outcome::Admitted)
        .count();
    if log[first_429].at - log[0].at < Duration::from_secs(1) {
        assert_eq!(admitted, 50, "admitted in the second before the 429");
    } else {
        assert!(admitted >= 50, "{admitted}");
    }

    // Another bot's token has its own allowance.
    let other = call(&client, &sandbox, "another.bot", "GET", "/users/@me", None).await;
    assert_eq!(other.status, 200);

    // After retry_after, the bot is served again.
    tokio::time::sleep(Duration::from_secs_f64(retry_after)).await;
    let again = call(&client, &sandbox, &token, "GET", "/users/@me", None).await;
    assert_eq!(again.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interaction_callbacks_and_follow_ups_are_exempt_from_the_global_limit() {
    let sandbox = sandbox(1.0).await;
    let client = reqwest::Client::new();
    let token = sandbox.token().to_owned();
    let world = sandbox.world().clone();
    let app = world.application_id;
    let creation = world.channel_id("wg-ig-group-creation");
    let registered = call(
        &client,
        &sandbox,
        &token,
        "PUT",
        &format!("/applications/{app}/guilds/{}/commands", world.guild_id),
        Some(json!([{"name": "ping", "description": "Answers pong", "type": 1}])),
    )
    .await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    let interaction = sandbox
        .slash_command(world.user_id("alice"), creation, "ping", json!([]))
        .await;

    // The global limit closes for 5 seconds (injected, so the window cannot pass under a slow
    // machine); a request bound by it is refused.
    sandbox.inject_global_rate_limit(Duration::from_secs(5));
    let refused = call(&client, &sandbox, &token, "GET", "/users/@me", None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("x-ratelimit-global"), Some("true"));

    // The interaction endpoints go through.
    let callback = call(
        &client,
        &sandbox,
        &token,
        "POST",
        &format!(
            "/interactions/{}/{}/callback",
            interaction.id, interaction.token
        ),
        Some(json!({"type": 5})),
    )
    .await;
    assert_eq!(callback.status, 204, "{:?}", callback.body);
    let follow_up = call(
        &client,
        &sandbox,
        &token,
        "POST",
        &format!("/webhooks/{app}/{}", interaction.token),
        Some(json!({"content": "pong"})),
    )
    .await;
    assert_eq!(follow_up.status, 200, "{:?}", follow_up.body);
    // Follow-ups have a bucket of their own (per webhook id and token).
    assert_eq!(follow_up.header("x-ratelimit-limit"), Some("5"));

    // Anything else inside the window is refused again and recorded as early.
    let early = call(&client, &sandbox, &token, "GET", "/users/@me", None).await;
    assert_eq!(early.status, 429);
    let violations = sandbox.rate_limit_violations();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0].route, "GET /users/@me");
    assert!(violations[0].early.unwrap() > Duration::from_secs(3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_server_error_lasts_as_long_as_asked_and_touches_no_bucket() {
    let sandbox = sandbox(1.0).await;
    let client = reqwest::Client::new();
    let creation = sandbox.world().channel_id("wg-ig-group-creation");
    let route = RouteMatch::route("POST", &format!("/channels/{creation}/messages"));
    sandbox.inject_server_error(route, 503, Duration::from_millis(300));
    let failed = post_message(&client, &sandbox, creation).await;
    assert_eq!(failed.status, 503);
    assert_eq!(failed.body["message"], "503: Service Unavailable");
    assert!(failed.header("x-ratelimit-limit").is_none());
    // Other routes are untouched.
    let token = sandbox.token().to_owned();
    assert_eq!(
        call(&client, &sandbox, &token, "GET", "/users/@me", None)
            .await
            .status,
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ok = post_message(&client, &sandbox, creation).await;
    assert_eq!(ok.status, 200);
    // The failed request never reached the bucket: this is its first.
    assert_eq!(ok.header("x-ratelimit-remaining"), Some("4"));
}

/// Known gap, kept as a failing test that does not run by default (`cargo test --test ratelimits
/// -- --ignored`): serenity 0.12.5's limiter holds only the request that got a global 429.
/// `Ratelimiter::perform` takes its global lock and drops it at once (`drop(self.global.lock()
/// .await)`) before sleeping `retry_after` in that request's task alone, so a request to another
/// route sent meanwhile reaches Discord inside the global window. Per-route 429s are honoured
/// (the bucket's own lock and `reset`); the global limit is not. govbot stays far below 50
/// requests per second (interaction answers do not count), so this is not expected in practice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "serenity's limiter does not hold other routes after a global 429"]
async fn after_a_global_429_no_route_is_called_before_retry_after() {
    use serenity::all as sy;
    let sandbox = sandbox(0.05).await;
    let client = sandbox.https_client().unwrap();
    let http = std::sync::Arc::new(sy::HttpBuilder::new(sandbox.token()).client(client).build());
    let creation = sy::ChannelId::new(sandbox.world().channel_id("wg-ig-group-creation"));
    let announcements = sy::ChannelId::new(sandbox.world().channel_id("announcements"));
    sandbox.inject_global_rate_limit(Duration::from_millis(500));
    let first = {
        let http = http.clone();
        tokio::spawn(async move { creation.say(&http, "first").await.map(|_| ()) })
    };
    // Well after the first request got its global 429, well before retry_after has passed.
    tokio::time::sleep(Duration::from_millis(100)).await;
    announcements.say(&http, "second").await.unwrap();
    first.await.unwrap().unwrap();
    assert_eq!(sandbox.rate_limit_violations(), Vec::new());
}
