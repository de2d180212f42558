//! Proposal interactions through the sandbox: latency from the dispatch being sent to the bot's
//! callback arriving, and throughput, beside `/ping` (a command that does nothing) measured in the
//! same run, so the ratio is govbot's own cost. Run: `cargo bench --bench proposals -- [N]`.

use govbot::harness::{Harness, WAIT};
use serde_json::json;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::peak_rss_kib;

fn summary(name: &str, mut samples: Vec<Duration>, total: Duration) -> Duration {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<34} n={:<5} p50={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms  throughput={:>7.1}/s",
        samples.len(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*samples.last().unwrap()),
        samples.len() as f64 / total.as_secs_f64()
    );
    pct(0.5)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let dir = tempfile::tempdir()?;
    let h = Harness::start(&dir.path().join("govbot.db")).await?;
    let sb = &h.sandbox;
    let channel = h.channel("wg-ig-group-creation");
    let bob = h.user("bob");

    let mut ping = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let i = sb.slash_command(bob, channel, "ping", json!([])).await;
        sb.wait_response(&i, WAIT).await?;
        ping.push(t.elapsed());
    }
    let ping_total = start.elapsed();

    let (mut open, mut submit, mut card) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    for k in 0..n {
        let t = Instant::now();
        let i = sb
            .slash_command(
                bob,
                channel,
                "group",
                json!([{"type": 1, "name": "propose", "options": [
                    {"type": 4, "name": "kind", "value": 1},
                    {"type": 3, "name": "name", "value": format!("Bench group {k}")}
                ]}]),
            )
            .await;
        let modal = sb.wait_response(&i, WAIT).await?;
        open.push(t.elapsed());
        let custom_id = modal.data["custom_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let t = Instant::now();
        let s = sb
            .submit_modal(
                bob,
                channel,
                &custom_id,
                &[("use_cases", "benchmarking"), ("first_item", "SEP-1")],
            )
            .await;
        sb.wait_response(&s, WAIT).await?;
        submit.push(t.elapsed());
        sb.wait_followup(&s, 0, WAIT).await?;
        card.push(t.elapsed());
    }
    let propose_total = start.elapsed();

    println!("{n} interactions each, debug={}", cfg!(debug_assertions));
    let base = summary("/ping (does nothing; baseline)", ping, ping_total);
    let a = summary("/group propose -> form", open, propose_total);
    let b = summary("form submitted -> acknowledged", submit, propose_total);
    let c = summary("form submitted -> card (durable)", card, propose_total);
    for (name, p50) in [("form", a), ("acknowledgement", b), ("card", c)] {
        println!(
            "p50 ratio {name} / ping: {:.2}",
            p50.as_secs_f64() / base.as_secs_f64()
        );
    }
    if let Some(kib) = peak_rss_kib() {
        println!(
            "peak memory (bot + sandbox, one process): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    h.shutdown().await
}
