//! Votes at scale, each figure a growth curve measured in one run (issue 13):
//!
//! 1. **A ballot at electorate 10 / 100 / 1,000 / 5,000**: end to end (a button click in the
//!    sandbox, through the gateway, the bot and SQLite, to the bot's confirmation) and on the
//!    store alone (`Store::execute(Cast)`), one ballot at a time and 8 in flight, beside the
//!    floor: a plain durable single-row INSERT in the same SQLite file. Each size casts whole
//!    votes (every voter once), at least 200 ballots; beside `/ping` in the same sandbox, an
//!    interaction answered at once without the database (what Discord's round trips cost). Goals:
//!    the cost at 5,000 within 1.5x of the cost at 10; end to end within 2x of the floor.
//! 2. **fsyncs per ballot**, end to end and on the store alone, counted by running the same
//!    ballots again in a child process under `strace -f -e trace=fsync,fdatasync` (SQLite's
//!    syncs are one of the two) and counting the calls between the phase's start and end. Goal:
//!    at most 1.2.
//! 3. **The tally edit lag during a burst of 3,000 ballots** (8 in flight, Discord's own rate
//!    limits): for each ballot, from its confirmation to the first edit of the vote message whose
//!    tally counts it, as the sandbox received the edits. Goal: at most 1 s.
//! 4. **The scheduler** finding and closing the due votes among 100,000 groups through the
//!    `groups_by_due` index.
//!
//! Run: `cargo bench --bench votes` (everything), or name parts: `-- curve fsync burst scheduler`;
//! `-- --sizes 10,5000` changes the curve's electorates, `-- --runs R` how many times it is
//! measured (3; the medians are reported), `-- --burst N` the burst's size. Print `uptime` beside the figures: the machine's load
//! moves them.

use anyhow::{bail, ensure, Context as _, Result};
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
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "support/mod.rs"]
mod support;
use support::{count, insert, mean, ms, peak_rss_kib, Row};

/// The electorates of the ballot curve.
const SIZES: [usize; 4] = [10, 100, 1_000, 5_000];
/// At least this many ballots per size: whole votes of the electorate until reached.
const MIN_BALLOTS: usize = 200;
/// Ballots in flight at once for the throughput figures and the burst.
const CONCURRENCY: usize = 8;
/// Plain durable inserts for the floor.
const FLOOR_INSERTS: usize = 500;
/// Ballots per phase in the fsync count.
const FSYNC_BALLOTS: usize = 300;
/// The burst for the tally lag.
const BURST: usize = 3_000;
/// The scheduler's database: this many groups, of which `OPEN_VOTES` are under vote and `DUE` of
/// those have reached their close.
const GROUPS: usize = 100_000;
const OPEN_VOTES: usize = 10_000;
const DUE: usize = 1_000;
/// Rows per multi-row INSERT when filling the scheduler's database; all of them go in one
/// transaction.
const INSERT_CHUNK: usize = 500;

const CHOICES: [Choice; 3] = [Choice::Yes, Choice::No, Choice::Abstain];

// ---------------------------------------------------------------------------------------------
// Figures

#[derive(Debug, Clone, Copy)]
struct Latency {
    n: usize,
    p50: Duration,
    mean: Duration,
    p99: Duration,
    max: Duration,
}

fn latency(mut samples: Vec<Duration>) -> Latency {
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    Latency {
        n: samples.len(),
        p50: pct(0.5),
        mean: samples.iter().sum::<Duration>() / samples.len() as u32,
        p99: pct(0.99),
        max: *samples.last().unwrap(),
    }
}

fn rate(n: usize, total: Duration) -> f64 {
    n as f64 / total.as_secs_f64()
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
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

/// The ballots a vote message's tally line counts (approve + reject + abstain), if it has one.
fn shown_tally(text: &str) -> Option<u32> {
    let tally = &text[text.find("**Tally:**")?..];
    let count = |emoji: &str| -> Option<u32> {
        let rest = &tally[tally.find(emoji)? + emoji.len()..];
        rest.trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    Some(count("✅")? + count("❌")? + count("➖")?)
}

// ---------------------------------------------------------------------------------------------
// End to end: a sandbox whose guild has an electorate of `e` moderators

/// The standard world with moderators added until `e` hold the role (the standard three
/// included); returns it and the added voters' ids.
fn world_with_electorate(e: usize) -> (World, Vec<u64>) {
    let mut world = World::standard();
    let moderator = world.role_id(names::MODERATOR);
    // Fixed ids in the standard world's layout (the guild is …0001, its members …03xx), well
    // above all of its own.
    let first = world.guild_id - 1 + 100_000;
    let voters: Vec<u64> = (0..e.saturating_sub(3) as u64).map(|k| first + k).collect();
    world
        .members
        .extend(voters.iter().enumerate().map(|(k, id)| MemberSpec {
            user_id: *id,
            username: format!("voter-{k:05}"),
            roles: vec![moderator],
        }));
    (world, voters)
}

/// A vote open on Discord: its group, message and ballot buttons.
struct OpenVote {
    id: GroupId,
    message: u64,
    buttons: Vec<String>,
}

/// A WG proposed by template message, and its vote called by `/group call-vote`; waits for the
/// vote message.
async fn open_vote_on_discord(h: &Harness, name: &str) -> Result<OpenVote> {
    let sb = &h.sandbox;
    let creation = h.channel(names::CREATION);
    let moderators = h.channel(names::MODERATORS);
    let alice = h.user("alice");
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
    store.close().await;
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
    Ok(OpenVote {
        id,
        message: id_of(&message).context("the vote message has no id")?,
        buttons: custom_ids(&message)
            .into_iter()
            .filter(|c| ours(c))
            .collect(),
    })
}

/// `voters` click their ballot on `vote` (yes, no, abstain in turn), `concurrency` at a time, each
/// waiting for the bot's confirmation. Returns each click's latency and when it was confirmed.
async fn click_all(
    sb: &Sandbox,
    channel: u64,
    vote: &OpenVote,
    voters: &[u64],
    concurrency: usize,
) -> Result<Vec<(Duration, Instant)>> {
    let voters = Arc::new(voters.to_vec());
    let buttons = Arc::new(vote.buttons.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (sb, voters, next, buttons) =
                (sb.clone(), voters.clone(), next.clone(), buttons.clone());
            let message = vote.message;
            tokio::spawn(async move {
                let mut samples = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(voter) = voters.get(k) else {
                        return anyhow::Ok(samples);
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
                    // Answered once the ballot is committed (in one call, or deferred first
                    // when the database is slow): the sample is click -> confirmation.
                    let confirmed = sb.wait_answer(&i, WAIT).await?;
                    let at = Instant::now();
                    samples.push((at - t, at));
                    let said = text(&confirmed);
                    ensure!(
                        said.contains("Your ballot on"),
                        "ballot {k} was not confirmed as recorded: {said:?}"
                    );
                }
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(voters.len());
    for w in workers {
        samples.extend(w.await??);
    }
    Ok(samples)
}

/// Checks that `id`'s vote recorded `n` ballots.
async fn recorded(store: &Store, id: GroupId, n: usize) -> Result<()> {
    let vote = store.group(id).await?.group.vote.context("no vote")?;
    let got = store.ballots(id, &vote).await?.len();
    ensure!(got == n, "group {id}: {got} ballots recorded of {n}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The store alone

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

/// Unique trigger ids for the store-only ballots.
static TRIGGERS: AtomicUsize = AtomicUsize::new(10_000_000);

/// A vote of `electorate` opened on the store alone, and each of `voters` casting once,
/// `concurrency` at a time. Returns the latencies.
async fn store_vote(
    store: &Store,
    name: &str,
    electorate: &[u64],
    voters: usize,
    concurrency: usize,
) -> Result<Vec<Duration>> {
    let policy = Arc::new(Policy::default());
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let id = propose(store, name, t0, &policy).await?;
    call_vote(store, id, electorate, t0, &policy).await?;
    let at = t0 + Span::minutes(1);
    let voters = Arc::new(electorate[..voters].to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency)
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
                    let trigger = TRIGGERS.fetch_add(1, Ordering::Relaxed) as u64;
                    let t = Instant::now();
                    cast(&store, id, *voter, k, trigger, at, &policy).await?;
                    samples.push(t.elapsed());
                }
            })
        })
        .collect();
    let mut samples = Vec::with_capacity(voters.len());
    for w in workers {
        samples.extend(w.await??);
    }
    recorded(store, id, voters.len()).await?;
    Ok(samples)
}

/// The floor: `n` plain durable single-row INSERTs (autocommit, WAL, synchronous = FULL) in the
/// store's own file, one at a time.
async fn floor(store: &Store, n: usize) -> Result<Vec<Duration>> {
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, v INTEGER)")
        .execute(store.pool())
        .await?;
    let mut samples = Vec::with_capacity(n);
    for k in 0..n {
        let t = Instant::now();
        sqlx::query("INSERT INTO bench_floor (v) VALUES (?)")
            .bind(k as i64)
            .execute(store.pool())
            .await?;
        samples.push(t.elapsed());
    }
    Ok(samples)
}

// ---------------------------------------------------------------------------------------------
// 1. The ballot curve

/// One electorate's figures.
struct Point {
    electorate: usize,
    /// `/ping` in the same sandbox: an interaction answered at once, without the database.
    ping: Latency,
    e2e: Latency,
    e2e_rate: f64,
    store: Latency,
    store_rate: f64,
    floor: Latency,
}

/// Whole votes of `e` until at least `MIN_BALLOTS` ballots: how many votes, each all voters.
fn votes_for(e: usize) -> usize {
    MIN_BALLOTS.div_ceil(e)
}

/// Ballots end to end at electorate `e` (whole votes, one at a time, then the same 8 in flight),
/// then on the store alone in the same file with the bot stopped, then the floor.
async fn curve_point(e: usize, dir: &Path) -> Result<Point> {
    let (world, voters) = world_with_electorate(e);
    let db = dir.join(format!("curve-{e}.db"));
    let mut h = Harness::start_with(&db, world, Harness::options()).await?;
    h.sandbox.wait_command("group", WAIT).await?;
    let moderators = h.channel(names::MODERATORS);
    // Every voter: the added ones and the standard three.
    let mut everyone = voters.clone();
    everyone.extend(["mod-ana", "mod-ben", "mod-cy"].map(|m| h.user(m)));
    ensure!(
        everyone.len() == e,
        "{} voters for electorate {e}",
        everyone.len()
    );
    let mut seq = Vec::new();
    let mut conc = Vec::new();
    let mut conc_wall = Duration::ZERO;
    for v in 0..votes_for(e) {
        let vote = open_vote_on_discord(&h, &format!("Curve {e} sequential {v}")).await?;
        seq.extend(
            click_all(&h.sandbox, moderators, &vote, &everyone, 1)
                .await?
                .into_iter()
                .map(|(d, _)| d),
        );
        let vote = open_vote_on_discord(&h, &format!("Curve {e} concurrent {v}")).await?;
        let t = Instant::now();
        conc.extend(
            click_all(&h.sandbox, moderators, &vote, &everyone, CONCURRENCY)
                .await?
                .into_iter()
                .map(|(d, _)| d),
        );
        conc_wall += t.elapsed();
        let store = h.store().await?;
        recorded(&store, vote.id, e).await?;
        store.close().await;
    }
    let e2e_rate = rate(conc.len(), conc_wall);
    let mut ping = Vec::with_capacity(MIN_BALLOTS);
    for _ in 0..MIN_BALLOTS {
        let t = Instant::now();
        let i = h
            .sandbox
            .slash_command(h.user("mod-ana"), moderators, "ping", json!([]))
            .await;
        h.sandbox.wait_response(&i, WAIT).await?;
        ping.push(t.elapsed());
    }
    h.stop_bot().await?;

    let store = h.store().await?;
    let electorate: Vec<u64> = (0..e as u64).map(|k| 10_000 + k).collect();
    let mut store_seq = Vec::new();
    let mut store_conc = 0;
    let mut store_wall = Duration::ZERO;
    for v in 0..votes_for(e) {
        store_seq
            .extend(store_vote(&store, &format!("Store {e} seq {v}"), &electorate, e, 1).await?);
        let t = Instant::now();
        store_conc += store_vote(
            &store,
            &format!("Store {e} conc {v}"),
            &electorate,
            e,
            CONCURRENCY,
        )
        .await?
        .len();
        store_wall += t.elapsed();
    }
    let floor = latency(floor(&store, FLOOR_INSERTS).await?);
    store.close().await;
    h.shutdown().await?;
    Ok(Point {
        electorate: e,
        ping: latency(ping),
        e2e: latency(seq),
        e2e_rate,
        store: latency(store_seq),
        store_rate: rate(store_conc, store_wall),
        floor,
    })
}

fn point_line(p: &Point) {
    println!(
        "  {:>9} {:>6} | {:>7.2} {:>7.2} {:>7.2} ms    {:>9.1} | {:>7.2} {:>7.2} {:>7.2} ms    {:>9.1} | {:>6.2} {:>6.2} ms   | {:>9.2}x {:>9.2}x | {:>7.2} ms",
        p.electorate,
        p.e2e.n,
        ms(p.e2e.p50),
        ms(p.e2e.mean),
        ms(p.e2e.p99),
        p.e2e_rate,
        ms(p.store.p50),
        ms(p.store.mean),
        ms(p.store.p99),
        p.store_rate,
        ms(p.floor.p50),
        ms(p.floor.mean),
        ms(p.e2e.p50) / ms(p.floor.p50),
        ms(p.store.p50) / ms(p.floor.p50),
        ms(p.ping.p50),
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The curve `runs` times over (the machine is shared: one run can catch another's build), each
/// run's table, then the median of the runs' p50 per size.
async fn curve(dir: &Path, sizes: &[usize], runs: usize) -> Result<()> {
    println!(
        "\n1. A ballot at each electorate: whole votes, >= {MIN_BALLOTS} ballots a size, one at a \
         time (latency) and {CONCURRENCY} in flight (ballots/s); the floor is {FLOOR_INSERTS} plain \
         durable single-row INSERTs in the same file (WAL, synchronous=FULL); {runs} run(s)"
    );
    let mut all: Vec<Vec<Point>> = Vec::new();
    for run in 0..runs {
        println!(
            "  run {}: {:>9} {:>6} | {:>27} {:>9} | {:>27} {:>9} | {:>17} | {:>10} {:>10} | {:>10}",
            run + 1,
            "electorate",
            "n",
            "end to end p50/mean/p99 ms",
            "ballots/s",
            "store only p50/mean/p99 ms",
            "ballots/s",
            "floor p50/mean ms",
            "e2e/floor",
            "store/flr",
            "/ping p50"
        );
        let run_dir = dir.join(format!("curve-run-{run}"));
        std::fs::create_dir_all(&run_dir)?;
        let mut points = Vec::new();
        for &e in sizes {
            let p = curve_point(e, &run_dir).await?;
            point_line(&p);
            points.push(p);
        }
        all.push(points);
    }
    println!("  median of the runs' p50 (ms):");
    println!(
        "  {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10} | {:>10}",
        "electorate", "end to end", "store only", "floor", "e2e/floor", "store/flr", "/ping"
    );
    let med = |k: usize, f: &dyn Fn(&Point) -> f64| median(all.iter().map(|r| f(&r[k])).collect());
    let mut rows = Vec::new();
    for (k, e) in sizes.iter().enumerate() {
        let e2e = med(k, &|p| ms(p.e2e.p50));
        let store = med(k, &|p| ms(p.store.p50));
        let floor = med(k, &|p| ms(p.floor.p50));
        let ping = med(k, &|p| ms(p.ping.p50));
        println!(
            "  {e:>10} | {e2e:>10.2} | {store:>10.2} | {floor:>10.2} | {:>9.2}x | {:>9.2}x | {ping:>10.2}",
            e2e / floor,
            store / floor
        );
        rows.push((*e, e2e, store, floor));
    }
    let (small, large) = (rows[0], rows[rows.len() - 1]);
    println!(
        "  growth {} -> {} (medians): end to end {:.2}x, store only {:.2}x, floor {:.2}x \
         (goal: <= 1.5x); end to end / floor at {}: {:.2}x (goal: <= 2x)",
        small.0,
        large.0,
        large.1 / small.1,
        large.2 / small.2,
        large.3 / small.3,
        large.0,
        large.1 / large.3,
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. fsyncs per ballot

/// In the child under strace: the ballots of one electorate, end to end then on the store, each
/// phase bracketed by `PHASE` lines with wall-clock times for the parent to count between.
async fn fsync_child(e: usize, dir: &Path) -> Result<()> {
    let (world, voters) = world_with_electorate(e);
    let db = dir.join(format!("fsync-{e}.db"));
    let mut h = Harness::start_with(&db, world, Harness::options()).await?;
    h.sandbox.wait_command("group", WAIT).await?;
    let moderators = h.channel(names::MODERATORS);
    let mut everyone = voters.clone();
    everyone.extend(["mod-ana", "mod-ben", "mod-cy"].map(|m| h.user(m)));
    let n = FSYNC_BALLOTS.min(e);
    let votes = FSYNC_BALLOTS.div_ceil(n);
    // The votes are opened first: only the clicks are counted.
    let mut open = Vec::new();
    for v in 0..votes {
        open.push(open_vote_on_discord(&h, &format!("Fsync {e} {v}")).await?);
    }
    let t = unix_now();
    for vote in &open {
        click_all(&h.sandbox, moderators, vote, &everyone[..n], 1).await?;
    }
    // The tally edit that follows the last ballot belongs to the phase.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    println!("PHASE e2e {t:.6} {:.6} {}", unix_now(), n * votes);
    h.stop_bot().await?;

    let store = h.store().await?;
    let policy = Policy::default();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let electorate: Vec<u64> = (0..e as u64).map(|k| 10_000 + k).collect();
    let mut ids = Vec::new();
    for v in 0..votes {
        let id = propose(&store, &format!("Fsync store {e} {v}"), t0, &policy).await?;
        call_vote(&store, id, &electorate, t0, &policy).await?;
        ids.push(id);
    }
    let t = unix_now();
    for id in ids {
        for (k, voter) in electorate[..n].iter().enumerate() {
            let trigger = TRIGGERS.fetch_add(1, Ordering::Relaxed) as u64;
            cast(
                &store,
                id,
                *voter,
                k,
                trigger,
                t0 + Span::minutes(1),
                &policy,
            )
            .await?;
        }
    }
    println!("PHASE store {t:.6} {:.6} {}", unix_now(), n * votes);
    let t = unix_now();
    floor(&store, FSYNC_BALLOTS).await?;
    println!("PHASE floor {t:.6} {:.6} {FSYNC_BALLOTS}", unix_now());
    store.close().await;
    h.shutdown().await?;
    Ok(())
}

/// Runs [`fsync_child`] for `e` under strace and counts the syncs of each phase.
fn fsync_count(e: usize) -> Result<Vec<(String, f64, usize)>> {
    let exe = std::env::current_exe()?;
    let trace = tempfile::NamedTempFile::new()?;
    let out = std::process::Command::new("strace")
        .args([
            "-f",
            "-qq",
            "--seccomp-bpf",
            "-ttt",
            "-e",
            "trace=fsync,fdatasync",
            "-o",
        ])
        .arg(trace.path())
        .arg(&exe)
        .args(["--fsync-child", &e.to_string()])
        .output()
        .context("running the bench under strace (is strace installed?)")?;
    ensure!(
        out.status.success(),
        "the strace'd child failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let syncs: Vec<f64> = std::fs::read_to_string(trace.path())?
        .lines()
        .filter(|l| l.contains("fsync(") || l.contains("fdatasync("))
        .filter_map(|l| l.split_whitespace().nth(1)?.parse().ok())
        .collect();
    let mut phases: Vec<(String, f64, usize)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 5 && f[0] == "PHASE" {
            let (start, end): (f64, f64) = (f[2].parse()?, f[3].parse()?);
            let n: usize = f[4].parse()?;
            let count = syncs.iter().filter(|t| **t >= start && **t <= end).count();
            match phases.iter_mut().find(|p| p.0 == f[1]) {
                Some(p) => {
                    p.1 += count as f64;
                    p.2 += n;
                }
                None => phases.push((f[1].to_owned(), count as f64, n)),
            }
        }
    }
    ensure!(!phases.is_empty(), "the child printed no phases");
    Ok(phases)
}

fn fsyncs() -> Result<()> {
    println!(
        "\n2. fsyncs per ballot: the same ballots in a child under `strace -f --seccomp-bpf -e \
         trace=fsync,fdatasync`, counted between each phase's start and end ({FSYNC_BALLOTS} \
         ballots a phase; end to end includes the tally edits that follow)"
    );
    println!(
        "  {:>10} | {:>12} | {:>12} | {:>12}",
        "electorate", "end to end", "store only", "floor"
    );
    for e in [10, 1_000] {
        let phases = fsync_count(e)?;
        let per = |name: &str| {
            phases
                .iter()
                .find(|p| p.0 == name)
                .map_or(f64::NAN, |p| p.1 / p.2 as f64)
        };
        println!(
            "  {e:>10} | {:>12.3} | {:>12.3} | {:>12.3}   (syncs per ballot; goal <= 1.2)",
            per("e2e"),
            per("store"),
            per("floor")
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. The tally during a burst

async fn burst(n: usize, dir: &Path) -> Result<()> {
    println!(
        "\n3. Tally edit lag during a burst of {n} ballots ({CONCURRENCY} in flight, Discord's rate \
         limits at their real figures): from each ballot's confirmation to the first edit of the \
         vote message whose tally counts it"
    );
    let (world, voters) = world_with_electorate(n + 3);
    let h = Harness::start_with(&dir.join("burst.db"), world, SandboxOptions::default()).await?;
    h.sandbox.wait_command("group", WAIT).await?;
    let moderators = h.channel(names::MODERATORS);
    let vote = open_vote_on_discord(&h, "Burst").await?;
    let path = format!("/channels/{moderators}/messages/{}", vote.message);
    let from = h.sandbox.rest_log().len();
    let start = Instant::now();
    let mut confirmed: Vec<Instant> =
        click_all(&h.sandbox, moderators, &vote, &voters, CONCURRENCY)
            .await?
            .into_iter()
            .map(|(_, at)| at)
            .collect();
    let wall = start.elapsed();
    confirmed.sort();
    // The last edit follows the last ballot within the edit interval.
    let all_shown = Instant::now() + Duration::from_secs(10);
    let edits = loop {
        let edits: Vec<(Instant, u32)> = h.sandbox.rest_log()[from..]
            .iter()
            .filter(|c| c.method == "PATCH" && c.path == path && c.status < 300)
            .filter_map(|c| Some((c.arrived, shown_tally(&text(c.body.as_ref()?))?)))
            .collect();
        if edits.last().is_some_and(|(_, shown)| *shown as usize >= n) {
            break edits;
        }
        if Instant::now() > all_shown {
            bail!(
                "the vote message never showed all {n} ballots: {:?}",
                edits.last()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let lags: Vec<Duration> = confirmed
        .iter()
        .enumerate()
        .map(|(i, at)| {
            edits
                .iter()
                .find(|(_, shown)| *shown as usize > i)
                .map_or(Duration::MAX, |(t, _)| t.saturating_duration_since(*at))
        })
        .collect();
    let worst = lags
        .iter()
        .enumerate()
        .max_by_key(|(_, l)| **l)
        .map(|(i, l)| (i, ms(*l)));
    let lag = latency(lags);
    let gaps: Vec<String> = edits
        .windows(2)
        .map(|w| format!("{:.0}", ms(w[1].0 - w[0].0)))
        .collect();
    println!(
        "  {n} ballots confirmed in {:.2} s = {:.1} ballots/s; {} edits of the vote message, \
         the first {:.0} ms after the first confirmation, then {} ms apart; the longest lag \
         (ballot, ms): {worst:?}",
        wall.as_secs_f64(),
        rate(n, wall),
        edits.len(),
        edits
            .first()
            .zip(confirmed.first())
            .map_or(0.0, |((t, _), c)| ms(t.saturating_duration_since(*c))),
        gaps.join(", ")
    );
    println!(
        "  lag: p50={:.0} ms  mean={:.0} ms  p99={:.0} ms  max={:.0} ms  (goal: <= 1000 ms)",
        ms(lag.p50),
        ms(lag.mean),
        ms(lag.p99),
        ms(lag.max)
    );
    h.shutdown().await?;
    Ok(())
}
// 4. The scheduler among many groups

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
    support::log_warnings();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = tempfile::tempdir()?;
    if let Some(i) = args.iter().position(|a| a == "--fsync-child") {
        let e: usize = args.get(i + 1).context("--fsync-child E")?.parse()?;
        return fsync_child(e, dir.path()).await;
    }
    let burst_n = match args.iter().position(|a| a == "--burst") {
        Some(i) => args.get(i + 1).context("--burst N")?.parse()?,
        None => BURST,
    };
    let parts = ["curve", "fsync", "burst", "scheduler"];
    let chosen: Vec<&str> = parts
        .into_iter()
        .filter(|p| args.iter().any(|a| a == p))
        .collect();
    let run = |p: &str| chosen.is_empty() || chosen.contains(&p);
    let began = Instant::now();
    println!(
        "votes bench: debug={}, database in {}",
        cfg!(debug_assertions),
        dir.path().display()
    );
    let sizes: Vec<usize> = match args.iter().position(|a| a == "--sizes") {
        Some(i) => args
            .get(i + 1)
            .context("--sizes 10,100")?
            .split(',')
            .map(str::parse)
            .collect::<Result<_, _>>()?,
        None => SIZES.to_vec(),
    };
    let runs = match args.iter().position(|a| a == "--runs") {
        Some(i) => args.get(i + 1).context("--runs R")?.parse()?,
        None => 3,
    };
    if run("curve") {
        curve(dir.path(), &sizes, runs).await?;
    }
    if run("fsync") {
        fsyncs()?;
    }
    if run("burst") {
        burst(burst_n, dir.path()).await?;
    }
    if run("scheduler") {
        println!("\n4. Scheduler: {GROUPS} groups, {OPEN_VOTES} open votes, {DUE} due at now");
        scheduler_bench(dir.path()).await?;
    }
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
