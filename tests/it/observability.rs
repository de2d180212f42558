//! The observability endpoint scraped in the sandbox: `/healthz`, `/readyz` (ready once connected,
//! 503 with the reason when the outbox is stuck, ready again when it drains) and `/metrics` in
//! Prometheus' text format with the figures an operator watches.

use crate::common::*;
use govbot::config::{Config, Observability};
use govbot::harness::WAIT;
use serde_json::{json, Value};
use std::path::Path;

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Polls `/readyz` until `wanted(status, body)`, at most [`WAIT`].
async fn readyz_until(base: &str, wanted: impl Fn(u16, &Value) -> bool) -> (u16, Value) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, body) = get(&format!("{base}/readyz")).await;
        let body: Value = serde_json::from_str(&body).unwrap();
        if wanted(status, &body) {
            return (status, body);
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "/readyz stayed {status} {body:#}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The value of the sample `series` (name and labels, exactly as rendered) in a scrape.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_are_served_and_tell_a_stuck_outbox() {
    let mut env = start().await;
    env.h.stop_bot().await.unwrap();
    env.h.config.observability = Some(Observability {
        listen: "127.0.0.1:0".parse().unwrap(),
    });
    env.h.start_bot().await.unwrap();
    let addr = env.h.observability_addr().expect("the endpoint is served");
    assert!(addr.ip().is_loopback());
    let base = format!("http://{addr}");

    assert_eq!(get(&format!("{base}/healthz")).await, (200, "ok\n".into()));
    let (_, ready) = readyz_until(&base, |s, _| s == 200).await;
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["checks"]["database"]["ok"], true);
    assert!(ready["checks"]["gateway"]["detail"]
        .as_str()
        .unwrap()
        .starts_with("connected"));

    // Some governance: a WG proposed, voted on by three moderators, activated by the clock.
    let alice = env.h.user("alice");
    let (id, channel) = active_group(&env, &wg_template("Registry", alice)).await;
    let (status, scrape) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    println!("--- /metrics after a group was activated ---\n{scrape}");
    for (series, at_least) in [
        (
            "govbot_decisions_total{kind=\"propose\",outcome=\"recorded\"}",
            1.0,
        ),
        (
            "govbot_decisions_total{kind=\"call_vote\",outcome=\"recorded\"}",
            1.0,
        ),
        (
            "govbot_decisions_total{kind=\"close_vote\",outcome=\"recorded\"}",
            1.0,
        ),
        ("govbot_ballots_total{choice=\"yes\"}", 3.0),
        ("govbot_audit_events_total{kind=\"vote_closed\"}", 1.0),
        (
            "govbot_discord_commands_total{command=\"govern call-vote\"}",
            1.0,
        ),
        ("govbot_discord_rest_responses_total{class=\"2xx\"}", 10.0),
        ("govbot_gateway_sessions_total", 1.0),
        ("govbot_gateway_connected", 1.0),
        ("govbot_groups{kind=\"WG\",state=\"active\"}", 1.0),
    ] {
        let v = sample(&scrape, series).unwrap_or_else(|| panic!("{series} in\n{scrape}"));
        assert!(
            v >= at_least,
            "{series} = {v}, expected at least {at_least}"
        );
    }
    for series in [
        "govbot_effects{state=\"pending\"}",
        "govbot_effects{state=\"retrying\"}",
        "govbot_effects{state=\"failed\"}",
        "govbot_effects_oldest_age_seconds",
        "govbot_scheduler_lag_seconds",
        "govbot_open_votes",
    ] {
        assert_eq!(sample(&scrape, series), Some(0.0), "{series} in\n{scrape}");
    }
    assert!(scrape.contains("# TYPE govbot_decisions_total counter"));
    assert!(scrape.contains("govbot_build_info{version=\""));

    // Discord refuses every post in the group's channel: the retirement's effects wait and are
    // retried; a quarter of an hour later the outbox is stuck and /readyz says so.
    let prefix = format!("/channels/{channel}");
    let outage = env.h.sandbox.fail_requests(
        move |r| r.method != "GET" && r.path.starts_with(&prefix),
        503,
        0,
        "upstream connect error",
    );
    let (i, _, _) = env
        .group(
            "mod-ana",
            "retire",
            json!([
                {"type": 4, "name": "id", "value": id.0},
                {"type": 3, "name": "reason", "value": "its work moved upstream"},
            ]),
        )
        .await;
    let (_, said) = answer(&env, &i).await;
    assert!(!refused(&said), "{said}");
    eventually("a retry", || (outage.hits() >= 2).then_some(())).await;
    let (_, waiting) = readyz_until(&base, |s, b| {
        s == 200 && b["checks"]["outbox"]["detail"] != "nothing waits"
    })
    .await;
    assert_eq!(
        waiting["ready"], true,
        "a short wait is no problem: {waiting:#}"
    );
    env.h.clock.advance(chrono::Duration::minutes(16));
    let (status, stuck) = readyz_until(&base, |s, _| s == 503).await;
    println!("--- /readyz with the outbox stuck ({status}) ---\n{stuck:#}");
    assert_eq!(stuck["ready"], false);
    let reason = stuck["reason"].as_str().unwrap();
    assert!(reason.starts_with("outbox: stuck"), "{reason}");
    assert!(reason.contains("upstream connect error"), "{reason}");
    let (_, scrape) = get(&format!("{base}/metrics")).await;
    assert!(sample(&scrape, "govbot_effects{state=\"retrying\"}").unwrap() >= 1.0);
    assert!(sample(&scrape, "govbot_effects_oldest_age_seconds").unwrap() >= 960.0);
    assert!(
        sample(
            &scrape,
            "govbot_discord_rest_responses_total{class=\"5xx\"}"
        )
        .unwrap()
            >= 2.0
    );

    // The outage ends: the effects are shown and the bot is ready again.
    drop(outage);
    let (_, ready) = readyz_until(&base, |s, _| s == 200).await;
    println!("--- /readyz once it drained ---\n{ready:#}");
    assert_eq!(ready["checks"]["outbox"]["detail"], "nothing waits");
    env.h.shutdown().await.unwrap();
}

#[test]
fn the_endpoint_listens_on_loopback_unless_told_otherwise() {
    let base = crate::common::example::example_with_real_ids();
    let parse = |extra: &str| Config::parse(&format!("{base}\n{extra}"), Path::new("govbot.toml"));
    let off = parse("").unwrap();
    assert_eq!(off.observability, None, "off by default");
    let on = parse("[observability]\nlisten = \"127.0.0.1:9464\"").unwrap();
    assert_eq!(
        on.observability.unwrap().listen,
        "127.0.0.1:9464".parse().unwrap()
    );
    let err = parse("[observability]\nlisten = \"0.0.0.0:9464\"")
        .unwrap_err()
        .to_string();
    assert!(err.contains("observability.listen"), "{err}");
    assert!(err.contains("not a loopback address"), "{err}");
    let allowed =
        parse("[observability]\nlisten = \"0.0.0.0:9464\"\nallow_non_loopback = true").unwrap();
    assert!(allowed.observability.is_some());
    let json = parse("[logging]\nformat = \"json\"").unwrap();
    assert_eq!(json.logging.format, govbot::logging::LogFormat::Json);
    assert!(parse("[logging]\nformat = \"xml\"").is_err());
}
