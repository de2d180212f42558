//! Group-life reminders at scale: the scheduler finding and sending the reminders due among
//! 100,000 groups through the `groups_by_due` index. 600 active WGs have reached the point 7 days
//! before their inactivity limit (`RemindInactivity`) and 400 active IGs have been quiet for the
//! policy's period (`RemindQuiet`); the other 99,000 (active WGs and IGs with deadlines ahead,
//! maintenance WGs, proposals, retired groups) have nothing due.
//!
//! Eleven template groups are lived through the governance core (a human command at a time, with
//! govbot's own scheduled commands carried out in between as the scheduler would); every other
//! group is a copy of one of them with all its times moved back, checked to be the group the core
//! builds at those times.
//! Run: `cargo bench --bench reminders`.

use anyhow::{bail, ensure, Context as _, Result};
use chrono::{Duration as Span, TimeZone, Utc};
use govbot::governance::{
    decide, due_command, next_deadline, replay, Acting, Actor, Ballots, Choice, Command, Event,
    Field, Group, GroupKind, GroupState, HumanDuration, ItemRef, MemberId, Policy, Role, Template,
    TemplateDraft, Timestamp,
};
use govbot::scheduler;
use govbot::store::{append_history, GroupId, Store};
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::{count, defer_foreign_keys, insert, millis, ms, peak_rss_kib, Row};

/// The scheduler's database: this many groups, of which `DUE` have a reminder due at `now`.
const GROUPS: usize = 100_000;
const DUE: usize = 1_000;
/// Rows per multi-row INSERT when filling the database (11 parameters each); all of them go in
/// one transaction.
const INSERT_CHUNK: usize = 500;
/// Copies are checked against the group the core builds at their own times: every due copy, and
/// one in this many of the others.
const CHECK_EVERY: usize = 20;
/// Each group's channel is this plus its id.
const CHANNEL_BASE: u64 = 900_000_000_000;

// ---------------------------------------------------------------------------------------------
// The groups

/// The life a group has lived by `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Life {
    /// Active WG whose last item activity was 23 days ago: the 7-days-before reminder is due.
    WgDue,
    /// Active IG whose last meeting was 30 days ago: the quiet reminder is due.
    IgDue,
    /// Active WG with item activity 10 days ago: its first reminder is 13 days ahead.
    WgRecent,
    /// Active WG already reminded 7 days before its limit; the 2-days-before point is ahead.
    WgReminded,
    /// Active WG maintaining a project: exempt from inactivity, no deadline.
    WgMaintenance,
    /// Active IG that spoke 2 days ago.
    IgRecent,
    /// Active IG reminded twice while quiet; the next reminder is 20 days ahead.
    IgReminded,
    WgProposed,
    IgProposed,
    /// WG retired by the scheduler: reminded, flagged as a candidate, retired after the grace.
    WgRetired,
    /// IG retired by a moderator's decision.
    IgRetired,
}

/// How many groups live each life, and the seconds between successive copies' times (the k-th
/// copy is the template moved back by k times that).
const PLAN: [(Life, usize, i64); 11] = [
    (Life::WgDue, 600, 1),
    (Life::IgDue, 400, 1),
    (Life::WgRecent, 24_000, 30),
    (Life::WgReminded, 5_000, 10),
    (Life::WgMaintenance, 3_000, 60),
    (Life::IgRecent, 20_000, 60),
    (Life::IgReminded, 4_000, 60),
    (Life::WgProposed, 15_000, 30),
    (Life::IgProposed, 8_000, 30),
    (Life::WgRetired, 12_000, 60),
    (Life::IgRetired, 8_000, 60),
];

impl Life {
    fn kind(self) -> GroupKind {
        match self {
            Life::WgDue
            | Life::WgRecent
            | Life::WgReminded
            | Life::WgMaintenance
            | Life::WgProposed
            | Life::WgRetired => GroupKind::Wg,
            _ => GroupKind::Ig,
        }
    }

    /// What the scheduler must do for such a group at `now`.
    fn expected(self) -> Option<Command> {
        match self {
            Life::WgDue => Some(Command::RemindInactivity),
            Life::IgDue => Some(Command::RemindQuiet),
            _ => None,
        }
    }

    fn state(self) -> GroupState {
        match self {
            Life::WgProposed | Life::IgProposed => GroupState::Proposed,
            Life::WgRetired | Life::IgRetired => GroupState::Retired,
            _ => GroupState::Active,
        }
    }
}

fn name(life: Life, id: i64) -> String {
    format!("{life:?} {id}")
}

fn template(kind: GroupKind, name: &str) -> Result<Template> {
    let draft = match kind {
        GroupKind::Wg => TemplateDraft::new(GroupKind::Wg)
            .field(Field::UseCases, "clients need to find servers")
            .field(Field::FirstItem, "SEP-1234"),
        GroupKind::Ig => TemplateDraft::new(GroupKind::Ig)
            .field(Field::SimilarGroups, "Auth in MCP")
            .field(
                Field::Differentiation,
                "Threat models and hardening, not login flows",
            )
            .field(Field::FirstTopic, "Prompt injection through tool output"),
    };
    draft
        .name(name)
        .facilitator(MemberId(1))
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A group lived command by command through the core. Before each command, and when asked, the
/// scheduler's part is played: whatever `due_command` says at each deadline up to that time.
struct Lived<'a> {
    policy: &'a Policy,
    group: Option<Group>,
    /// The running (or last) vote's ballots, kept beside the group.
    ballots: Ballots,
    events: Vec<Event>,
}

impl<'a> Lived<'a> {
    fn new(policy: &'a Policy) -> Self {
        Lived {
            policy,
            group: None,
            ballots: Ballots::default(),
            events: Vec::new(),
        }
    }

    fn act(&mut self, actor: &Actor, at: Timestamp, command: Command) -> Result<()> {
        self.advance(at)?;
        let ctx = Acting::new(actor, at, self.policy);
        let events = decide(self.group.as_ref(), &self.ballots, &command, &ctx)
            .with_context(|| format!("{command:?}"))?;
        match self.group.as_mut() {
            Some(g) => events.iter().for_each(|e| g.apply(e)),
            None => self.group = Some(replay(&events)?),
        }
        events.iter().for_each(|e| self.ballots.apply(e));
        self.events.extend(events);
        Ok(())
    }

    /// Carries out everything due up to and including `until`, each at its own deadline.
    fn advance(&mut self, until: Timestamp) -> Result<()> {
        let Some(g) = self.group.as_mut() else {
            return Ok(());
        };
        while let Some(t) = next_deadline(g).filter(|t| *t <= until) {
            let Some(command) = due_command(g, t) else {
                bail!("{}: a deadline at {t} with nothing due", g.name);
            };
            let ctx = Acting::new(&Actor::System, t, self.policy);
            let events = g
                .decide_and_apply(&mut self.ballots, &command, &ctx)
                .with_context(|| format!("scheduled {command:?} at {t}"))?;
            self.events.extend(events);
        }
        Ok(())
    }
}

/// A template group: its state and the history that led to it.
struct Built {
    group: Group,
    events: Vec<Event>,
}

impl Built {
    /// When the last event happened: the row's `updated_at`.
    fn updated_at(&self) -> Timestamp {
        self.events.last().map_or(self.group.proposed_at, |e| e.at)
    }
}

/// The group `id` living `life` as of `origin` (the bench's `now` for templates).
fn build(life: Life, origin: Timestamp, id: i64, policy: &Policy) -> Result<Built> {
    let o = origin;
    let d = Span::days;
    let h = Span::hours;
    let alice = Actor::member(MemberId(1), []);
    let moderators: Vec<Actor> = (2..=4)
        .map(|m| Actor::member(MemberId(m), [Role::Moderator]))
        .collect();
    let sep = ItemRef::Sep(1234);
    let mut g = Lived::new(policy);
    let template = template(life.kind(), &name(life, id))?;
    let channel = CHANNEL_BASE + id as u64;

    // Proposed, voted on by all three moderators, approved at the close (the scheduler sends the
    // 24-hour reminder and closes the vote), given its channel; active from `active_since`.
    let approve = |g: &mut Lived, active_since: Timestamp| -> Result<()> {
        let window = policy.vote_window.to_chrono();
        let called = active_since - window;
        g.act(
            &alice,
            called - h(1),
            Command::Propose {
                template: template.clone(),
            },
        )?;
        let electorate = (2..=4).map(MemberId).collect();
        g.act(&moderators[0], called, Command::CallVote { electorate })?;
        for (i, m) in moderators.iter().enumerate() {
            g.act(
                m,
                called + h(1 + i as i64),
                Command::Cast {
                    choice: Choice::Yes,
                },
            )?;
        }
        g.act(
            &Actor::System,
            active_since + Span::minutes(1),
            Command::LinkChannel { channel },
        )
    };

    let until = match life {
        Life::WgDue => {
            approve(&mut g, o - d(40))?;
            g.act(
                &alice,
                o - d(35),
                Command::PostStatus {
                    text: "Drafting the SEP".into(),
                },
            )?;
            g.act(
                &Actor::System,
                o - d(23) + h(1),
                Command::RecordItemActivity {
                    item: sep,
                    seen_at: o - d(23),
                },
            )?;
            // The reminder point is `o` itself: the scheduler last ran the second before.
            o - Span::seconds(1)
        }
        Life::IgDue => {
            approve(&mut g, o - d(50))?;
            g.act(
                &Actor::System,
                o - d(45),
                Command::NoteConversation { at: o - d(45) },
            )?;
            g.act(
                &alice,
                o - d(30) + h(2),
                Command::RecordMeeting {
                    at: o - d(30),
                    attendees: vec![MemberId(1), MemberId(5), MemberId(6)],
                },
            )?;
            o - Span::seconds(1)
        }
        Life::WgRecent => {
            approve(&mut g, o - d(30))?;
            g.act(
                &alice,
                o - d(20),
                Command::TrackItem {
                    item: ItemRef::Url(
                        "https://github.com/modelcontextprotocol/modelcontextprotocol/pull/1686"
                            .into(),
                    ),
                },
            )?;
            g.act(
                &Actor::System,
                o - d(10),
                Command::RecordItemActivity {
                    item: sep,
                    seen_at: o - d(10) - Span::minutes(30),
                },
            )?;
            o
        }
        Life::WgReminded => {
            approve(&mut g, o - d(40))?;
            g.act(
                &Actor::System,
                o - d(26),
                Command::RecordItemActivity {
                    item: sep,
                    seen_at: o - d(26),
                },
            )?;
            o
        }
        Life::WgMaintenance => {
            approve(&mut g, o - d(60))?;
            g.act(
                &moderators[1],
                o - d(55),
                Command::SetMaintenance { on: true },
            )?;
            o
        }
        Life::IgRecent => {
            approve(&mut g, o - d(60))?;
            // In the order they happen: the log refuses time going back within a group.
            let spoke =
                |g: &mut Lived, at| g.act(&Actor::System, at, Command::NoteConversation { at });
            spoke(&mut g, o - d(50))?;
            g.act(
                &alice,
                o - d(25) + h(1),
                Command::RecordMeeting {
                    at: o - d(25),
                    attendees: vec![MemberId(1), MemberId(7)],
                },
            )?;
            spoke(&mut g, o - d(2))?;
            o
        }
        Life::IgReminded => {
            approve(&mut g, o - d(70))?;
            o
        }
        Life::WgProposed | Life::IgProposed => {
            g.act(
                &alice,
                o - d(1),
                Command::Propose {
                    template: template.clone(),
                },
            )?;
            o
        }
        Life::WgRetired => {
            approve(&mut g, o - d(80))?;
            o
        }
        Life::IgRetired => {
            approve(&mut g, o - d(100))?;
            g.act(
                &moderators[2],
                o - d(5),
                Command::Retire {
                    reason: "merged into another IG".into(),
                },
            )?;
            o
        }
    };
    g.advance(until)?;
    let group = g.group.context("no group")?;
    Ok(Built {
        group,
        events: g.events,
    })
}

/// Every instant in the group's state, for moving them all at once.
fn for_each_time(g: &mut Group, mut f: impl FnMut(&mut Timestamp)) {
    f(&mut g.proposed_at);
    if let Some(v) = g.vote.as_mut() {
        f(&mut v.opened_at);
        f(&mut v.closes_at);
        v.cancelled_at.iter_mut().for_each(&mut f);
    }
    if let Some(v) = g.veto.as_mut() {
        f(&mut v.at);
    }
    g.active_since.iter_mut().for_each(&mut f);
    g.ended_at.iter_mut().for_each(&mut f);
    for i in &mut g.items {
        f(&mut i.added_at);
        f(&mut i.last_activity);
        i.completed_at.iter_mut().for_each(&mut f);
    }
    if let Some(c) = g.candidacy.as_mut() {
        f(&mut c.since);
    }
    g.kept_at.iter_mut().for_each(&mut f);
    if let Some((at, _)) = g.last_status.as_mut() {
        f(at);
    }
    if let Some((deadline, _)) = g.inactivity_reminded.as_mut() {
        f(deadline);
    }
    g.last_conversation.iter_mut().for_each(&mut f);
    g.meetings.iter_mut().for_each(|m| f(&mut m.at));
    g.quiet_reminded_at.iter_mut().for_each(&mut f);
}

/// Group `id`: a copy of `template` with every time moved by `shift`, its own name and channel.
fn copy(template: &Group, life: Life, id: i64, shift: Span) -> Group {
    let mut g = template.clone();
    for_each_time(&mut g, |t| *t += shift);
    g.name = name(life, id);
    g.template.name = g.name.clone();
    if g.channel.is_some() {
        g.channel = Some(CHANNEL_BASE + id as u64);
    }
    g
}

// ---------------------------------------------------------------------------------------------
// The database

/// A template's history in the audit log, chained as the store chains every event.
async fn insert_history(conn: &mut SqliteConnection, id: i64, events: &[Event]) -> Result<()> {
    Ok(append_history(conn, GroupId(id), 0, events).await?)
}

// ---------------------------------------------------------------------------------------------
// The bench

async fn reminders_bench(dir: &Path) -> Result<()> {
    let store = Store::open(&dir.join("reminders.db")).await?;
    let policy = Policy::default();
    let now = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    ensure!(
        PLAN.iter().map(|p| p.1).sum::<usize>() == GROUPS
            && PLAN
                .iter()
                .filter(|p| p.0.expected().is_some())
                .map(|p| p.1)
                .sum::<usize>()
                == DUE,
        "the plan does not add up to {GROUPS} groups with {DUE} due"
    );

    // The templates, through the core, as of `now`; ids are given in plan order, so each
    // template is the first group of its life.
    let setup = Instant::now();
    let mut first_id = BTreeMap::new();
    let mut next_id = 1i64;
    let mut templates = BTreeMap::new();
    for (life, n, _) in PLAN {
        let built = build(life, now, next_id, &policy)?;
        ensure!(
            built.group.state == life.state() && due_command(&built.group, now) == life.expected(),
            "template {life:?}: {} with {:?} due",
            built.group.state,
            due_command(&built.group, now)
        );
        first_id.insert(life, next_id);
        templates.insert(life, built);
        next_id += n as i64;
    }
    let built_in = setup.elapsed();
    let json_bytes: Vec<String> = [Life::WgDue, Life::IgDue]
        .iter()
        .map(|l| {
            Ok(format!(
                "{l:?} {} B",
                serde_json::to_string(&templates[l].group)?.len()
            ))
        })
        .collect::<Result<_>>()?;

    // Every group: the template itself (with its history in the audit log) or a copy moved back
    // k * spacing seconds, checked against the core at its own times, then inserted.
    let mut expected_due: BTreeMap<i64, Command> = BTreeMap::new();
    let mut checked = 0usize;
    let mut check_time = Duration::ZERO;
    let mut rows = Vec::with_capacity(INSERT_CHUNK);
    let fill = Instant::now();
    let mut tx = store.pool().begin().await?;
    defer_foreign_keys(&mut tx).await?;
    for (life, n, spacing) in PLAN {
        let t = &templates[&life];
        let first = first_id[&life];
        for k in 0..n {
            let id = first + k as i64;
            let shift = -Span::seconds(spacing * k as i64);
            let group = if k == 0 {
                insert_history(&mut tx, id, &t.events).await?;
                t.group.clone()
            } else {
                copy(&t.group, life, id, shift)
            };
            let due = due_command(&group, now);
            let deadline = next_deadline(&group);
            let coherent = match &due {
                Some(_) => deadline.is_some_and(|d| d <= now),
                None => deadline.is_none_or(|d| d > now),
            };
            ensure!(
                due == life.expected() && coherent && group.state == life.state(),
                "group {id} ({life:?}, moved {shift}): {} with {due:?} due, next deadline {deadline:?}",
                group.state
            );
            if k > 0 && (life.expected().is_some() || k % CHECK_EVERY == 0) {
                let c = Instant::now();
                let real = build(life, now + shift, id, &policy)?;
                ensure!(
                    real.group == group && real.events.len() == t.events.len(),
                    "group {id} ({life:?}, moved {shift}) is not the group the core builds at its times"
                );
                check_time += c.elapsed();
                checked += 1;
            }
            if let Some(c) = due {
                expected_due.insert(id, c);
            }
            rows.push(Row {
                id,
                group,
                // A copy has a state but no history in the log (the audit log takes each group's
                // events in order from seq 1), so its log starts with what the scheduler appends.
                version: if k == 0 { t.events.len() as i64 } else { 0 },
                updated_at: t.updated_at() + shift,
            });
            if rows.len() == INSERT_CHUNK {
                insert(&mut tx, &rows).await?;
                rows.clear();
            }
        }
    }
    if !rows.is_empty() {
        insert(&mut tx, &rows).await?;
    }
    tx.commit().await?;
    let filled = fill.elapsed();
    let setup = setup.elapsed();

    let total = count(&store, "SELECT COUNT(*) FROM groups", now).await?;
    let scheduled = count(
        &store,
        "SELECT COUNT(*) FROM groups WHERE next_due_at IS NOT NULL",
        now,
    )
    .await?;
    let history = count(&store, "SELECT COUNT(*) FROM audit_log", now).await?;
    let due_now: BTreeSet<i64> = store
        .due_groups(now, u32::MAX)
        .await?
        .into_iter()
        .map(|g| g.0)
        .collect();
    let composition: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT kind, state, COUNT(*) FROM groups GROUP BY kind, state ORDER BY kind, state",
    )
    .fetch_all(store.pool())
    .await?;
    println!(
        "  templates: {} lived through the core in {:.1} ms (state_json {})",
        PLAN.len(),
        ms(built_in),
        json_bytes.join(", ")
    );
    println!(
        "  copies: {checked} checked equal to the group the core builds at their own times \
         ({:.2} s of the fill); due_command(now) checked for all {GROUPS}",
        check_time.as_secs_f64()
    );
    println!(
        "  database: {total} groups inserted in {:.2} s (one transaction, INSERTs of \
         {INSERT_CHUNK} rows), {scheduled} with a deadline, {} due at now, {history} audit rows \
         (the templates' histories); setup {:.2} s",
        filled.as_secs_f64(),
        due_now.len(),
        setup.as_secs_f64()
    );
    let parts: Vec<String> = composition
        .iter()
        .map(|(k, s, n)| format!("{k} {s} {n}"))
        .collect();
    println!("  composition: {}", parts.join(", "));
    let by_command = |c: Command| expected_due.values().filter(|v| **v == c).count();
    println!(
        "  due at now: {} RemindInactivity (WG), {} RemindQuiet (IG)",
        by_command(Command::RemindInactivity),
        by_command(Command::RemindQuiet)
    );
    ensure!(
        total == GROUPS as i64
            && due_now.len() == DUE
            && due_now.iter().eq(expected_due.keys())
            && by_command(Command::RemindInactivity) == 600
            && by_command(Command::RemindQuiet) == 400,
        "expected {GROUPS} groups and {DUE} due (600 + 400); got {total}, {} due",
        due_now.len()
    );
    for id in first_id.values() {
        let stored = store.group(GroupId(*id)).await?.group;
        ensure!(
            store.replay(GroupId(*id)).await?.group == stored,
            "template {id}: its history does not replay to its state"
        );
    }

    support::check_due_query(&store, now).await?;

    // The pass: sends every due reminder, each in its own durable transaction.
    let last_event: i64 = count(&store, "SELECT COALESCE(MAX(id), 0) FROM audit_log", now).await?;
    let t = Instant::now();
    let pass = scheduler::pass(&store, now, &policy).await?;
    let took = t.elapsed();
    println!(
        "  scheduler::pass(now): {:.1} ms  {pass:?}  ({:.3} ms per reminder, {:.0} reminders/s)",
        ms(took),
        ms(took) / pass.done.max(1) as f64,
        pass.done as f64 / took.as_secs_f64()
    );
    ensure!(
        pass.done == DUE && pass.failed == 0,
        "the pass sent {} of {DUE} due reminders ({} failed)",
        pass.done,
        pass.failed
    );

    // What it wrote: one reminder event per due group, by govbot, at `now`.
    let written: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*), COUNT(DISTINCT group_id), SUM(actor IS NULL AND at = ?) \
         FROM audit_log WHERE id > ? GROUP BY kind ORDER BY kind",
    )
    .bind(millis(now))
    .bind(last_event)
    .fetch_all(store.pool())
    .await?;
    let rows_written: i64 = written.iter().map(|w| w.1).sum();
    let parts: Vec<String> = written
        .iter()
        .map(|(k, n, _, _)| format!("{n} {k}"))
        .collect();
    println!(
        "  audit_log rows written: {rows_written} ({})",
        parts.join(", ")
    );
    ensure!(
        written
            == vec![
                ("inactivity_reminder".to_string(), 600, 600, 600),
                ("quiet_reminder".to_string(), 400, 400, 400),
            ],
        "the pass wrote {written:?}"
    );
    let touched = count(
        &store,
        "SELECT COUNT(*) FROM groups WHERE updated_at = ?",
        now,
    )
    .await?;
    let mut next_due = Vec::with_capacity(DUE);
    for (id, command) in &expected_due {
        let g = store.group(GroupId(*id)).await?.group;
        let reminded = match command {
            Command::RemindInactivity => g
                .inactivity_reminded
                .as_ref()
                .is_some_and(|(_, sent)| sent == &[HumanDuration::days(7)]),
            _ => g.quiet_reminded_at == Some(now),
        };
        ensure!(
            reminded && due_command(&g, now).is_none(),
            "group {id} after the pass: not reminded, or {:?} still due",
            due_command(&g, now)
        );
        next_due.push(next_deadline(&g).context("no next deadline after a reminder")?);
    }
    for life in [Life::WgDue, Life::IgDue] {
        let id = GroupId(first_id[&life]);
        ensure!(
            store.replay(id).await?.group == store.group(id).await?.group,
            "template {id} ({life:?}): its history with the reminder does not replay to its state"
        );
    }
    println!(
        "  after the pass: {touched} groups updated; the reminded groups' next deadlines \
         {} .. {} (the WGs' 2-days-before point, the IGs' next quiet period); templates replay",
        next_due.iter().min().context("none")?,
        next_due.iter().max().context("none")?
    );
    ensure!(touched == DUE as i64, "{touched} groups updated, not {DUE}");

    let t = Instant::now();
    let again = scheduler::pass(&store, now, &policy).await?;
    let again_took = t.elapsed();
    println!(
        "  second pass(now): {:.3} ms  {again:?}; earliest deadline now {:?}",
        ms(again_took),
        store.next_due_at().await?
    );
    ensure!(
        again.done == 0 && again.failed == 0 && store.due_groups(now, 1).await?.is_empty(),
        "a second pass found more to do: {again:?}"
    );
    store.close().await;
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let began = Instant::now();
    let dir = tempfile::tempdir()?;
    println!(
        "reminders bench: debug={}, database in {}",
        cfg!(debug_assertions),
        dir.path().display()
    );
    println!(
        "\nScheduler: {GROUPS} groups, {DUE} due a group-life reminder at now \
         (600 WG inactivity, 400 IG quiet)"
    );
    reminders_bench(dir.path()).await?;
    println!();
    if let Some(kib) = peak_rss_kib() {
        println!("peak memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0);
    }
    println!("total time: {:.1} s", began.elapsed().as_secs_f64());
    Ok(())
}
