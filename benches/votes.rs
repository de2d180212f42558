//! Votes at scale. Ballots clicked through the sandbox by a large electorate, latency from the
//! click's dispatch to the bot's callback and sustained throughput, beside the same durable SQLite
//! write made directly on the store in the same run (so the ratio is what the gateway, Discord's
//! REST round trip and the adapter add); then the scheduler finding and closing the due votes among
//! 100,000 groups through the `groups_by_due` index.
//! Run: `cargo bench --bench votes -- [N]` (N ballots, one per extra moderator; default 1000).

use anyhow::{ensure, Context as _, Result};
use chrono::{Duration as Span, TimeZone, Utc};
use discord_standin::{MemberSpec, Sandbox, SandboxOptions, World};
use govbot::discord::component_id::ComponentId;
use govbot::governance::{
    Acting, Actor, Choice, Command, Field, Group, GroupKind, GroupState, MemberId, Policy, Role,
    TemplateDraft, Timestamp,
};
use govbot::harness::{Harness, WAIT};
use govbot::scheduler;
use govbot::standard_world::names;
use govbot::standard_world::StandardWorld as _;
use govbot::store::{GroupFilter, GroupId, Store, Target, Trigger};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::{count, insert, mean, ms, peak_rss_kib, Row};

/// Ballots in flight at once, end to end and in the concurrent store baseline.
const CONCURRENCY: usize = 8;
/// The scheduler's database: this many groups, of which `OPEN_VOTES` are under vote and `DUE` of
/// those have reached their close.
const GROUPS: usize = 100_000;
const OPEN_VOTES: usize = 10_000;
const DUE: usize = 1_000;
/// Rows per multi-row INSERT when filling the scheduler's database (11 parameters each); all of
/// them go in one transaction.
const INSERT_CHUNK: usize = 500;

const CHOICES: [Choice; 3] = [Choice::Yes, Choice::No, Choice::Abstain];

// ---------------------------------------------------------------------------------------------
// Figures

struct Latency {
    n: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn latency(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    Latency {
        n: samples.len(),
        p50: pct(0.5),
        p99: pct(0.99),
        max: *samples.last().unwrap(),
    }
}

fn rate(n: usize, total: Duration) -> f64 {
    n as f64 / total.as_secs_f64()
}

fn line(name: &str, l: &Latency, total: Duration) {
    println!(
        "  {name:<38} n={:<5} p50={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms  {:>8.1} ballots/s",
        l.n,
        ms(l.p50),
        ms(l.p99),
        ms(l.max),
        rate(l.n, total)
    );
}

// ---------------------------------------------------------------------------------------------
// Discord messages as text (as the end-to-end tests read them)

fn text(m: &Value) -> String {
    let mut out = m["content"].as_str().unwrap_or_default().to_string();
    for e in m["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            if let Some(s) = e[key].as_str() {
                out.push('\n');
                out.push_str(s);
            }
        }
    }
    out
}

fn replied_to(m: &Value) -> Option<u64> {
    m["message_reference"]["message_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
}

fn id_of(m: &Value) -> Option<u64> {
    m["id"].as_str()?.parse().ok()
}

fn custom_ids(m: &Value) -> Vec<String> {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

fn wg_template(name: &str, facilitator: u64) -> String {
    format!(
        "WG: {name}\n\
         - **Facilitator(s):** <@{facilitator}>\n\
         - **Maintainer(s) (optional):** none\n\
         - **Explanation of interest/use cases:** clients need to find servers\n\
         - **First Issue/PR/SEP:** SEP-1234"
    )
}

// ---------------------------------------------------------------------------------------------
// 1. Ballots end to end

struct EndToEnd {
    electorate: usize,
    call_vote: Duration,
    ballots: Latency,
    wall: Duration,
    recorded: usize,
    tally: String,
}

async fn end_to_end(n: usize, dir: &Path) -> Result<EndToEnd> {
    let mut world = World::standard();
    let moderator = world.role_id(names::MODERATOR);
    // Fixed ids in the standard world's layout (the guild is …0001, its members …03xx), well
    // above all of its own.
    let first = world.guild_id - 1 + 100_000;
    let voters: Vec<u64> = (0..n as u64).map(|k| first + k).collect();
    world
        .members
        .extend(voters.iter().enumerate().map(|(k, id)| MemberSpec {
            user_id: *id,
            username: format!("voter-{k:05}"),
            roles: vec![moderator],
        }));
    let h = Harness::start_with(&dir.join("govbot.db"), world, SandboxOptions::default()).await?;
    let result = ballots_through_the_bot(&h, voters).await;
    h.shutdown().await?;
    result
}

async fn ballots_through_the_bot(h: &Harness, voters: Vec<u64>) -> Result<EndToEnd> {
    let n = voters.len();
    let sb = &h.sandbox;
    sb.wait_command("group", WAIT).await?;
    let creation = h.channel(names::CREATION);
    let moderators = h.channel(names::MODERATORS);
    let alice = h.user("alice");

    // The proposal: a WG template posted by a member, answered with a card.
    let name = "Ballot bench";
    let posted = sb
        .post_message(creation, alice, &wg_template(name, alice))
        .await;
    sb.wait_message(creation, |m| replied_to(m) == Some(posted), WAIT)
        .await
        .context("the proposal card")?;
    let store = h.store().await?;
    let id = store
        .list(&GroupFilter::default())
        .await?
        .into_iter()
        .find(|g| g.group.name == name)
        .map(|g| g.id)
        .context("the proposal is not in the store")?;

    // The vote: `/group call-vote` by a moderator; the bot reads the electorate from the guild's
    // member list (paged) and posts the vote message with its ballot buttons.
    let t = Instant::now();
    let i = sb
        .slash_command(
            h.user("mod-ana"),
            moderators,
            "govern",
            json!([{"type": 1, "name": "call-vote", "options": [
                {"type": 4, "name": "id", "value": id.0}
            ]}]),
        )
        .await;
    sb.wait_response(&i, WAIT).await?;
    let ours = |c: &str| matches!(ComponentId::parse(c), Some(ComponentId::Ballot { group, .. }) if group == id);
    let message = sb
        .wait_message(moderators, |m| custom_ids(m).iter().any(|c| ours(c)), WAIT)
        .await
        .context("the vote message")?;
    let call_vote = t.elapsed();
    let button_of = Arc::new(
        custom_ids(&message)
            .into_iter()
            .filter(|c| ours(c))
            .collect::<Vec<_>>(),
    );
    let message = id_of(&message).context("the vote message has no id")?;
    let electorate = store
        .group(id)
        .await?
        .group
        .vote
        .context("no vote after call-vote")?
        .electorate
        .len();
    ensure!(
        electorate == n + 3,
        "electorate {electorate}, expected {} (N voters + the 3 standard moderators)",
        n + 3
    );

    // The ballots: CONCURRENCY workers click as fast as the bot answers.
    let voters = Arc::new(voters);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (sb, voters, next) = (sb.clone(), voters.clone(), next.clone());
            let buttons = button_of.clone();
            tokio::spawn(click_ballots(
                sb, voters, next, moderators, message, buttons,
            ))
        })
        .collect();
    let mut samples = Vec::with_capacity(n);
    for w in workers {
        samples.extend(w.await??);
    }
    let wall = start.elapsed();

    let vote = store
        .group(id)
        .await?
        .group
        .vote
        .context("the vote is gone")?;
    let tally = vote.tally();
    let expected = |c: usize| (0..n).filter(|k| k % 3 == c).count() as u32;
    ensure!(
        (tally.yes, tally.no, tally.abstain) == (expected(0), expected(1), expected(2)),
        "the tally {tally} does not match the ballots clicked"
    );
    store.close().await;
    Ok(EndToEnd {
        electorate,
        call_vote,
        ballots: latency(samples),
        wall,
        recorded: vote.ballots.len(),
        tally: tally.to_string(),
    })
}

/// One worker: takes the next voter, clicks their ballot (yes, no, abstain in turn by voter) and
/// waits for the bot's callback, which it sends after the ballot's transaction committed.
async fn click_ballots(
    sb: Sandbox,
    voters: Arc<Vec<u64>>,
    next: Arc<AtomicUsize>,
    channel: u64,
    message: u64,
    buttons: Arc<Vec<String>>,
) -> Result<Vec<Duration>> {
    let mut samples = Vec::new();
    loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let Some(voter) = voters.get(k) else {
            return Ok(samples);
        };
        let choice = format!(":{}", CHOICES[k % 3]);
        let custom_id = buttons
            .iter()
            .find(|c| c.ends_with(&choice))
            .context("the vote message lacks a ballot button")?;
        let t = Instant::now();
        let i = sb
            .try_click_button(*voter, channel, message, custom_id)
            .await?;
        // Deferred at once (before the database write), then confirmed by editing that
        // answer once the ballot is committed: the sample is click -> confirmation.
        let r = sb.wait_response(&i, WAIT).await?;
        ensure!(
            r.kind == 5,
            "ballot {k} was not deferred first: type {}",
            r.kind
        );
        let confirmed = sb.wait_followup(&i, 0, WAIT).await?;
        samples.push(t.elapsed());
        let said = text(&confirmed);
        ensure!(
            said.contains("Your ballot on"),
            "ballot {k} was not confirmed as recorded: {said:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The same durable write, straight on the store

struct Raw {
    settings: String,
    sequential: Latency,
    sequential_wall: Duration,
    concurrent: Latency,
    concurrent_wall: Duration,
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

async fn propose(store: &Store, name: &str, at: Timestamp, policy: &Policy) -> Result<GroupId> {
    let alice = Actor::member(MemberId(1), []);
    let template = wg(name)?;
    Ok(store
        .execute(
            Target::New,
            &Command::Propose { template },
            &Acting::new(&alice, at, policy),
            None,
        )
        .await?
        .id)
}

async fn call_vote(
    store: &Store,
    id: GroupId,
    electorate: &[u64],
    at: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let moderator = Actor::member(MemberId(2), [Role::Moderator]);
    let electorate = electorate.iter().map(|m| MemberId(*m)).collect();
    store
        .execute(
            Target::Group(id),
            &Command::CallVote { electorate },
            &Acting::new(&moderator, at, policy),
            None,
        )
        .await?;
    Ok(())
}

async fn cast(
    store: &Store,
    id: GroupId,
    voter: u64,
    k: usize,
    trigger: u64,
    at: Timestamp,
    policy: &Policy,
) -> Result<()> {
    let actor = Actor::member(MemberId(voter), []);
    store
        .execute(
            Target::Group(id),
            &Command::Cast {
                choice: CHOICES[k % 3],
            },
            &Acting::new(&actor, at, policy),
            Some(&Trigger::Interaction(trigger)),
        )
        .await?;
    Ok(())
}

async fn raw_store(n: usize, dir: &Path) -> Result<Raw> {
    let store = Store::open(&dir.join("raw.db")).await?;
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await?;
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await?;
    ensure!(
        journal == "wal" && synchronous == 2,
        "the store runs journal_mode={journal} synchronous={synchronous}, not WAL + FULL"
    );
    let settings = format!("journal_mode={journal}, synchronous={synchronous} (FULL)");
    let policy = Arc::new(Policy::default());
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let voters: Arc<Vec<u64>> = Arc::new((0..n as u64).map(|k| 10_000 + k).collect());
    // As end to end: the electorate is the N voters plus three more who do not vote.
    let electorate: Vec<u64> = voters.iter().copied().chain([2, 3, 4]).collect();
    let at = t0 + Span::minutes(1);

    // One ballot after another.
    let seq = propose(&store, "Raw ballots", t0, &policy).await?;
    call_vote(&store, seq, &electorate, t0, &policy).await?;
    let mut samples = Vec::with_capacity(n);
    let start = Instant::now();
    for (k, voter) in voters.iter().enumerate() {
        let t = Instant::now();
        cast(&store, seq, *voter, k, 1_000_000 + k as u64, at, &policy).await?;
        samples.push(t.elapsed());
    }
    let sequential_wall = start.elapsed();
    let sequential = latency(samples);

    // CONCURRENCY at once, on a second group with the same electorate, as the bot sees them.
    let conc = propose(&store, "Raw ballots concurrent", t0, &policy).await?;
    call_vote(&store, conc, &electorate, t0, &policy).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let (store, voters, next, policy) =
                (store.clone(), voters.clone(), next.clone(), policy.clone());
            tokio::spawn(async move {
                let mut samples = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(voter) = voters.get(k) else {
                        return anyhow::Ok(samples);
                    };
                    let t = Instant::now();
                    cast(&store, conc, *voter, k, 2_000_000 + k as u64, at, &policy).await?;
                    samples.push(t.elapsed());
                }
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(n);
    for w in workers {
        samples.extend(w.await??);
    }
    let concurrent_wall = start.elapsed();
    let concurrent = latency(samples);

    for id in [seq, conc] {
        let recorded = store
            .group(id)
            .await?
            .group
            .vote
            .context("no vote")?
            .ballots
            .len();
        ensure!(
            recorded == n,
            "group {id}: {recorded} ballots recorded of {n}"
        );
    }
    store.close().await;
    Ok(Raw {
        settings,
        sequential,
        sequential_wall,
        concurrent,
        concurrent_wall,
    })
}

// ---------------------------------------------------------------------------------------------
// 3. The scheduler among many groups

/// A copy of `template` named for `id`, its vote (if any) moved by `shift`.
fn copy(template: &Group, id: i64, shift: Span) -> Group {
    let mut g = template.clone();
    g.name = format!("Scheduled WG {id}");
    g.template.name = g.name.clone();
    if let Some(v) = g.vote.as_mut() {
        v.opened_at += shift;
        v.closes_at += shift;
    }
    g
}

async fn scheduler_bench(dir: &Path) -> Result<()> {
    let store = Store::open(&dir.join("scheduler.db")).await?;
    let policy = Policy::default();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let window = policy.vote_window.to_chrono();
    let proposed_at = now - window - Span::days(7);

    // Three real groups, made through the core: a proposal; a vote that closes exactly at `now`;
    // a vote that closes two days after it (its 24-hour reminder point still ahead).
    let setup = Instant::now();
    let electorate = [2, 3, 4];
    let p = propose(&store, "Template proposal", proposed_at, &policy).await?;
    let d = propose(&store, "Template due vote", proposed_at, &policy).await?;
    call_vote(&store, d, &electorate, now - window, &policy).await?;
    let f = propose(&store, "Template future vote", proposed_at, &policy).await?;
    call_vote(
        &store,
        f,
        &electorate,
        now - window + Span::days(2),
        &policy,
    )
    .await?;
    let mut templates = Vec::new();
    for id in [p, d, f] {
        let s = store.group(id).await?;
        templates.push(s.group);
    }
    let json_bytes = serde_json::to_string(&templates[1])?.len();

    // The copies, ids after the three: DUE - 1 more due votes (closing up to DUE seconds before
    // `now`), OPEN_VOTES - DUE - 1 more future ones (spread over the next days), the rest proposals.
    let copies = GROUPS - 3;
    let mut rows = Vec::with_capacity(INSERT_CHUNK);
    let start = Instant::now();
    let mut tx = store.pool().begin().await?;
    for k in 0..copies {
        let (kind, shift) = if k < DUE - 1 {
            (1, -Span::seconds(k as i64 + 1))
        } else if k < OPEN_VOTES - 2 {
            (2, Span::seconds(30 * (k - DUE + 2) as i64))
        } else {
            (0, Span::zero())
        };
        let template = &templates[kind];
        let id = k as i64 + 4;
        let group = copy(template, id, shift);
        let updated_at = group
            .vote
            .as_ref()
            .map_or(group.proposed_at, |v| v.opened_at);
        rows.push(Row {
            id,
            group,
            // A copy has a state but no history in the log (the audit log takes each group's
            // events in order from seq 1), so its log starts with what the scheduler appends.
            version: 0,
            updated_at,
        });
        if rows.len() == INSERT_CHUNK || k + 1 == copies {
            insert(&mut tx, &rows).await?;
            rows.clear();
        }
    }
    tx.commit().await?;
    let filled = start.elapsed();
    let total = count(&store, "SELECT COUNT(*) FROM groups", now).await?;
    let scheduled = count(
        &store,
        "SELECT COUNT(*) FROM groups WHERE next_due_at IS NOT NULL",
        now,
    )
    .await?;
    let under_vote_sql = format!(
        "SELECT COUNT(*) FROM groups WHERE state = '{}'",
        GroupState::UnderVote.code()
    );
    let under_vote = count(&store, &under_vote_sql, now).await?;
    let due_now = store.due_groups(now, u32::MAX).await?.len();
    println!(
        "  database: {total} groups ({} inserted in {:.2} s, one transaction, INSERTs of {INSERT_CHUNK} rows, \
         state_json ~{json_bytes} B), {scheduled} with a deadline, {due_now} due at now; \
         setup {:.2} s",
        copies,
        filled.as_secs_f64(),
        setup.elapsed().as_secs_f64()
    );
    ensure!(
        total == GROUPS as i64 && scheduled == OPEN_VOTES as i64 && due_now == DUE,
        "expected {GROUPS} groups, {OPEN_VOTES} with a deadline, {DUE} due; \
         got {total}, {scheduled}, {due_now} (under vote: {under_vote})"
    );

    support::check_due_query(&store, now).await?;
    let next_due = mean(1000, || async { Ok(store.next_due_at().await?) }).await?;
    println!(
        "  next_due_at(): {:.1} us mean of 1000 (earliest: {:?})",
        next_due.as_secs_f64() * 1e6,
        store.next_due_at().await?
    );

    // The pass: closes every due vote, each in its own durable transaction.
    let t = Instant::now();
    let pass = scheduler::pass(&store, now, &policy).await?;
    let took = t.elapsed();
    println!(
        "  scheduler::pass(now): {:.1} ms  {pass:?}  ({:.2} ms per close, {:.0} closes/s)",
        ms(took),
        ms(took) / pass.done.max(1) as f64,
        rate(pass.done, took)
    );
    ensure!(
        pass.done == DUE && pass.failed == 0,
        "the pass closed {} of {DUE} due votes ({} failed)",
        pass.done,
        pass.failed
    );
    let left = store.due_groups(now, u32::MAX).await?.len();
    let still_open = count(&store, &under_vote_sql, now).await?;
    let closed_sql = format!(
        "SELECT COUNT(*) FROM groups WHERE state IN ('{}', '{}')",
        GroupState::Rejected.code(),
        GroupState::Active.code()
    );
    let closed = count(&store, &closed_sql, now).await?;
    println!(
        "  after the pass: {left} due, {still_open} votes still open, {closed} closed; \
         next deadline {:?}",
        store.next_due_at().await?
    );
    ensure!(
        left == 0 && still_open == (OPEN_VOTES - DUE) as i64 && closed == DUE as i64,
        "after the pass: {left} due, {still_open} open, {closed} closed"
    );
    let again = scheduler::pass(&store, now, &policy).await?;
    ensure!(again.done == 0, "a second pass found more to do: {again:?}");
    store.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    ensure!(n > 0, "N must be at least 1");
    let began = Instant::now();
    let dir = tempfile::tempdir()?;
    println!(
        "votes bench: N={n} ballots, {CONCURRENCY} in flight, debug={}, database in {}",
        cfg!(debug_assertions),
        dir.path().display()
    );

    println!("\n1. Ballots end to end (sandbox -> gateway -> bot -> SQLite -> callback)");
    let e2e = end_to_end(n, dir.path()).await?;
    println!(
        "  electorate: {} moderators (N voters + 3); /group call-vote -> vote message: {:.1} ms",
        e2e.electorate,
        ms(e2e.call_vote)
    );
    line("button click -> confirmation", &e2e.ballots, e2e.wall);
    let e2e_rate = rate(n, e2e.wall);
    println!(
        "  sustained: {n} ballots confirmed in {:.2} s = {e2e_rate:.1} ballots/s",
        e2e.wall.as_secs_f64()
    );
    println!(
        "  store check: {} ballots recorded for {} confirmed: {}; tally {}",
        e2e.recorded,
        e2e.ballots.n,
        if e2e.recorded == e2e.ballots.n {
            "equal"
        } else {
            "MISMATCH"
        },
        e2e.tally
    );
    ensure!(
        e2e.recorded == e2e.ballots.n,
        "{} ballots recorded but {} confirmed",
        e2e.recorded,
        e2e.ballots.n
    );

    println!("\n2. Baseline: the same durable write, Store::execute(Cast) on a fresh file");
    let raw = raw_store(n, dir.path()).await?;
    println!("  settings: {}", raw.settings);
    line(
        "store.execute, one at a time",
        &raw.sequential,
        raw.sequential_wall,
    );
    line(
        &format!("store.execute, {CONCURRENCY} in flight"),
        &raw.concurrent,
        raw.concurrent_wall,
    );
    let seq_rate = rate(n, raw.sequential_wall);
    let conc_rate = rate(n, raw.concurrent_wall);
    println!(
        "  ratio end-to-end / raw (throughput): {:.2} of one-at-a-time, {:.2} of {CONCURRENCY} in flight",
        e2e_rate / seq_rate,
        e2e_rate / conc_rate
    );
    println!(
        "  ratio end-to-end / raw (p50 latency): {:.2}x one-at-a-time, {:.2}x {CONCURRENCY} in flight",
        e2e.ballots.p50.as_secs_f64() / raw.sequential.p50.as_secs_f64(),
        e2e.ballots.p50.as_secs_f64() / raw.concurrent.p50.as_secs_f64()
    );

    println!("\n3. Scheduler: {GROUPS} groups, {OPEN_VOTES} open votes, {DUE} due at now");
    scheduler_bench(dir.path()).await?;

    println!();
    if let Some(kib) = peak_rss_kib() {
        println!(
            "peak memory (VmHWM, bot + sandbox + benches, one process): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    println!("total time: {:.1} s", began.elapsed().as_secs_f64());
    Ok(())
}
