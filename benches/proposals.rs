//! Proposals through the sandbox, in two parts:
//!
//! - **interactions**: latency from the dispatch being sent to the bot's callback arriving, and
//!   throughput, beside `/ping` (a command that does nothing) measured in the same run, so the
//!   ratio is govbot's own cost.
//! - **scale** (issue 13): a proposal by template message and by the form in a database of 0,
//!   10,000 and 100,000 groups (proposed, with names drawn from a vocabulary, so similar names
//!   are looked up for real; each proposal shares two words with an existing group). Each size
//!   is filled by one process and served by another, so the bot's process holds nothing of the
//!   filling: its resident memory is shown before the bot starts, once it is up (after its
//!   start-up verification of the whole log) and at its peak during the proposals (VmHWM, reset
//!   once the bot is up). Goal: within 2x of the empty database's time, and the memory flat.
//!
//! Run: `cargo bench --bench proposals -- [interactions] [scale] [N]` (N interactions, default
//! 300; both parts by default).

use anyhow::{ensure, Context as _, Result};
use govbot::governance::{
    decide, replay, Acting, Actor, Ballots, Command, Field, GroupKind, MemberId, Policy,
    TemplateDraft,
};
use govbot::harness::{Harness, WAIT};
use govbot::store::{append_history, GroupId, Store};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::{insert, ms, peak_rss_kib, rss_kib, Row};

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--fill-child") {
        let groups: usize = args.get(i + 1).context("--fill-child G DB")?.parse()?;
        let db = args.get(i + 2).context("--fill-child G DB")?;
        return fill_child(groups, Path::new(db)).await;
    }
    if let Some(i) = args.iter().position(|a| a == "--scale-child") {
        let groups: usize = args.get(i + 1).context("--scale-child G DB")?.parse()?;
        let db = args.get(i + 2).context("--scale-child G DB")?;
        return scale_child(groups, Path::new(db)).await;
    }
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(300);
    let wants = |p: &str| {
        !args.iter().any(|a| a == "interactions" || a == "scale") || args.iter().any(|a| a == p)
    };
    if wants("interactions") {
        interactions(n).await?;
    }
    if wants("scale") {
        scale()?;
    }
    Ok(())
}

async fn interactions(n: usize) -> anyhow::Result<()> {
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

// ---------------------------------------------------------------------------------------------
// Scale

/// The database sizes of the scale curve.
const SCALE: [usize; 3] = [0, 10_000, 100_000];
/// Proposals of each kind measured at each size.
const PROPOSALS: usize = 20;
/// Rows per multi-row INSERT when filling the database; all in one transaction.
const CHUNK: usize = 500;

const SYLLABLES: [&str; 24] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "zo", "bra", "cle", "dri", "fo", "gu", "ha",
    "ji", "ky", "lu", "mo", "nu", "pe", "qui", "ro", "su",
];
/// Words of three syllables: 13,824 of them.
const WORDS: usize = 24 * 24 * 24;

fn word(n: usize) -> String {
    let n = n % WORDS;
    [n % 24, (n / 24) % 24, n / 576]
        .map(|i| SYLLABLES[i])
        .concat()
}

/// The three words of existing group `i`'s name.
fn words_of(i: usize) -> [usize; 3] {
    [
        i.wrapping_mul(7_919) % WORDS,
        (i.wrapping_mul(104_729) + 13) % WORDS,
        (i.wrapping_mul(1_299_709) + 7) % WORDS,
    ]
}

fn group_name(i: usize) -> String {
    words_of(i).map(word).join(" ")
}

/// The `k`th proposal measured: two words of an existing group's name (when there is one) and a
/// third no group has, so its name is new but resembles that group's.
fn proposal_name(k: usize, groups: usize, form: bool) -> String {
    let i = if groups == 0 {
        k + 1_000_000
    } else {
        (k * 7_717 + usize::from(form) * 3_331) % groups
    };
    let [a, b, _] = words_of(i);
    format!(
        "{} {} {}",
        word(a),
        word(b),
        if form { "Forum" } else { "Registry" }
    )
}

fn wg(name: &str) -> Result<govbot::governance::Template> {
    TemplateDraft::new(GroupKind::Wg)
        .name(name)
        .facilitator(MemberId(1))
        .field(Field::UseCases, "clients need to find servers")
        .field(Field::FirstItem, "SEP-1234")
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// `groups` proposed WGs, each proposed through the core under its own name, its history
/// chained into the audit log and its row bulk-inserted as the store writes them (names indexed):
/// the bot verifies the log before it serves.
async fn fill(store: &Store, groups: usize) -> Result<()> {
    if groups == 0 {
        return Ok(());
    }
    let policy = Policy::default();
    let at = chrono::DateTime::from_timestamp(1_790_000_000, 0).context("a time")?;
    let proposer = Actor::member(MemberId(1), []);
    let mut tx = store.pool().begin().await?;
    let mut rows = Vec::with_capacity(CHUNK);
    let mut histories = Vec::with_capacity(CHUNK);
    for i in 0..groups {
        let events = decide(
            None,
            &Ballots::NONE,
            &Command::Propose {
                template: wg(&group_name(i))?,
            },
            &Acting::new(&proposer, at, &policy),
        )?;
        rows.push(Row {
            id: i as i64 + 1,
            group: replay(&events)?,
            version: 1,
            updated_at: at,
        });
        histories.push(events);
        if rows.len() == CHUNK || i + 1 == groups {
            insert(&mut tx, &rows).await?;
            for (row, events) in rows.iter().zip(&histories) {
                append_history(&mut tx, GroupId(row.id), 0, events).await?;
            }
            rows.clear();
            histories.clear();
        }
    }
    tx.commit().await?;
    // Shown already, as by the bot that made them: the outbox starts after them.
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log")
        .fetch_one(store.pool())
        .await?;
    store
        .set_outbox_cursor(govbot::discord::outbox::CONSUMER, last)
        .await?;
    Ok(())
}

fn p50(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn template_text(name: &str, facilitator: u64) -> String {
    format!(
        "WG: {name}\n\
         - **Facilitator(s):** <@{facilitator}>\n\
         - **Maintainer(s) (optional):** none\n\
         - **Explanation of interest/use cases:** clients need to find servers\n\
         - **First Issue/PR/SEP:** SEP-1234"
    )
}

fn text(m: &Value) -> String {
    let mut out = m["content"].as_str().unwrap_or_default().to_string();
    for e in m["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            out.push('\n');
            out.push_str(e[key].as_str().unwrap_or_default());
        }
    }
    out
}

/// Fills the database `db` with `groups` groups, in a process of its own so that the memory of
/// filling is not counted as the bot's.
async fn fill_child(groups: usize, db: &Path) -> Result<()> {
    let started = Instant::now();
    let store = Store::open(db).await?;
    fill(&store, groups).await?;
    store.close().await;
    println!("FILLED {:.2}", started.elapsed().as_secs_f64());
    Ok(())
}

/// One size, in this process: start the bot on the filled database `db`, reset the peak memory,
/// then time the proposals. Its resident memory is measured before the bot starts, once it is
/// up (after its start-up verification of the whole log), and at its peak during the proposals.
async fn scale_child(groups: usize, db: &Path) -> Result<()> {
    support::log_warnings();
    let before = rss_kib().unwrap_or(0);
    let h = Harness::start(db).await?;
    let sb = &h.sandbox;
    sb.wait_command("group", WAIT).await?;
    // The peak so far is the filling's and the start-up's (whose verification of the whole log
    // `cargo bench --bench audit_verify` measures); from here on it is the proposals'.
    let ready = rss_kib().unwrap_or(0);
    std::fs::write("/proc/self/clear_refs", "5").context("resetting the peak RSS")?;
    let creation = h.channel("wg-ig-group-creation");
    let (alice, bob) = (h.user("alice"), h.user("bob"));

    let mut template = Vec::new();
    for k in 0..PROPOSALS {
        let name = proposal_name(k, groups, false);
        let t = Instant::now();
        let posted = sb
            .post_message(creation, alice, &template_text(&name, alice))
            .await;
        sb.wait_message(
            creation,
            |m| {
                m["message_reference"]["message_id"].as_str() == Some(&posted.to_string())
                    && text(m).contains(&name)
            },
            WAIT,
        )
        .await?;
        template.push(t.elapsed());
    }
    let (mut ack, mut card) = (Vec::new(), Vec::new());
    for k in 0..PROPOSALS {
        let name = proposal_name(k, groups, true);
        let i = sb
            .slash_command(
                bob,
                creation,
                "group",
                json!([{"type": 1, "name": "propose", "options": [
                    {"type": 4, "name": "kind", "value": 1},
                    {"type": 3, "name": "name", "value": name}
                ]}]),
            )
            .await;
        let modal = sb.wait_response(&i, WAIT).await?;
        let custom_id = modal.data["custom_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let t = Instant::now();
        let s = sb
            .submit_modal(
                bob,
                creation,
                &custom_id,
                &[("use_cases", "benchmarking"), ("first_item", "SEP-1")],
            )
            .await;
        let r = sb.wait_response(&s, WAIT).await?;
        ensure!(
            r.kind == 5,
            "the form was not deferred first: type {}",
            r.kind
        );
        ack.push(t.elapsed());
        sb.wait_followup(&s, 0, WAIT).await?;
        card.push(t.elapsed());
    }
    let rss = peak_rss_kib().unwrap_or(0);
    let store = h.store().await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM groups")
        .fetch_one(store.pool())
        .await?;
    let similar = store
        .similar_names(&proposal_name(0, groups, false))
        .await?
        .len();
    store.close().await;
    h.shutdown().await?;
    ensure!(
        total as usize == groups + 2 * PROPOSALS,
        "{total} groups, expected {}",
        groups + 2 * PROPOSALS
    );
    println!(
        "RESULT {groups} {:.3} {:.3} {:.3} {rss} {similar} {before} {ready}",
        ms(p50(template)),
        ms(p50(ack)),
        ms(p50(card)),
    );
    Ok(())
}

fn scale() -> Result<()> {
    println!(
        "\nProposals in a database of G groups ({PROPOSALS} by template message, {PROPOSALS} by \
         the form; p50; each size in its own process)"
    );
    println!(
        "  {:>7} | {:>16} | {:>16} {:>16} | {:>14} | {:>9} | {:>7}",
        "G", "template -> card", "form -> ack", "form -> card", "peak RSS MiB", "fill s", "similar"
    );
    let exe = std::env::current_exe()?;
    let mut base: Option<(f64, f64, f64, f64)> = None;
    let mut memory = Vec::new();
    for g in SCALE {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("govbot.db");
        let db_arg = db.to_str().context("a UTF-8 temporary path")?;
        let fill = child(&exe, &["--fill-child", &g.to_string(), db_arg], "FILLED ")?;
        let f = child(&exe, &["--scale-child", &g.to_string(), db_arg], "RESULT ")?;
        let (tpl, ack, card, rss) = (f[1], f[2], f[3], f[4] / 1024.0);
        let b = *base.get_or_insert((tpl, ack, card, rss));
        println!(
            "  {g:>7} | {tpl:>9.1} ms {:>4.2}x | {ack:>9.1} ms {:>4.2}x {card:>9.1} ms {:>4.2}x | {rss:>8.1} {:>4.2}x | {:>9.1} | {:>7}",
            tpl / b.0,
            ack / b.1,
            card / b.2,
            rss / b.3,
            fill[0],
            f[5]
        );
        memory.push((g, f[6] / 1024.0, f[7] / 1024.0, rss));
    }
    println!("  (ratios against G=0; goal: time within 2x, memory flat)");
    println!("\n  Resident memory of the bot's process (MiB): before the bot starts / once it is up / peak during the proposals");
    for (g, before, ready, peak) in memory {
        println!("  {g:>7} | {before:>8.1} / {ready:>8.1} / {peak:>8.1}");
    }
    Ok(())
}

/// Runs this bench as a child with `args` and returns the numbers on its line starting `tag`.
fn child(exe: &Path, args: &[&str], tag: &str) -> Result<Vec<f64>> {
    let out = std::process::Command::new(exe).args(args).output()?;
    ensure!(
        out.status.success(),
        "{args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(tag))
        .with_context(|| format!("no {tag}line from {args:?}"))?;
    Ok(line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?)
}
