//! The public record at scale: every kind of page of a site whose directory holds 10,000 live
//! groups (5,000 IGs, 5,000 WGs), beside 1,000 past groups and 1,000 proposals, rendered from the
//! database as the server and the export render them (`Site::route`), each beside a baseline
//! measured in the same run: the plain SELECT of the rows the page shows (no parsing, no
//! rendering), and the 404 page (the frame alone: a trivial template and the audit count).
//!
//! Every group is lived through the governance core (proposed, voted on, approved at the close,
//! given a channel, then its own life), so the rows and the audit log are the ones the bot
//! writes; they are bulk-inserted, the log chained as the store chains it. One WG has a long history (1,000 item-activity events): the
//! worst case for a group's page.
//! Run: `cargo bench --bench web` (goal: every page well under 100 ms).

use anyhow::{bail, Context as _, Result};
use chrono::{Duration as Span, TimeZone, Utc};
use govbot::clock::ManualClock;
use govbot::governance::GroupState;
use govbot::governance::{
    decide, due_command, next_deadline, replay, Acting, Actor, Ballots, Choice, CloseReason,
    Command, Event, Field, Group, GroupKind, ItemRef, MemberId, Policy, Role, Template,
    TemplateDraft, Timestamp,
};
use govbot::store::{append_history, page_query, GroupId, ListOrder, Store};
use govbot::web::{Route, Settings, Site, PAGE_SIZE};
use sqlx::{QueryBuilder, Sqlite};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::{defer_foreign_keys, insert, millis, ms, peak_rss_kib, Row};

const LIVE_IGS: usize = 5_000;
const LIVE_WGS: usize = 5_000;
const RETIRED_WGS: usize = 500;
const REVERSED_IGS: usize = 500;
const PROPOSED: usize = 400;
const UNDER_VOTE: usize = 300;
const VETOED: usize = 300;
/// Item-activity events of the one long-lived WG.
const BUSY_EVENTS: usize = 1_000;
const CHUNK: usize = 500;
const CHANNEL_BASE: u64 = 900_000_000_000;
/// Facilitators are drawn from this many members, all known by name.
const PEOPLE: u64 = 500;
const REPS: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Ig,
    Wg,
    RetiredWg,
    ReversedIg,
    Proposed,
    UnderVote,
    Vetoed,
    BusyWg,
}

fn template(kind: GroupKind, name: &str, facilitator: MemberId) -> Result<Template> {
    let draft = match kind {
        GroupKind::Wg => TemplateDraft::new(GroupKind::Wg)
            .field(
                Field::UseCases,
                "Clients need to find servers they can trust, and servers need one place to \
                 say what they are. A registry with metadata, namespaces and a review process.",
            )
            .field(Field::FirstItem, "SEP-1234: server metadata"),
        GroupKind::Ig => TemplateDraft::new(GroupKind::Ig)
            .field(Field::SimilarGroups, "Auth in MCP")
            .field(
                Field::Differentiation,
                "Threat models and hardening of servers and clients, not login flows: prompt \
                 injection through tool output, supply chain, sandboxing.",
            )
            .field(Field::FirstTopic, "Prompt injection through tool output"),
    };
    draft
        .name(name)
        .facilitator(facilitator)
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

/// A group lived command by command through the core, the scheduler's part played before each
/// command (whatever is due at each deadline).
struct Lived<'a> {
    policy: &'a Policy,
    group: Option<Group>,
    /// The running vote's ballots.
    ballots: Ballots,
    events: Vec<Event>,
}

impl<'a> Lived<'a> {
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

    fn advance(&mut self, until: Timestamp) -> Result<()> {
        let Some(g) = self.group.as_mut() else {
            return Ok(());
        };
        while let Some(t) = next_deadline(g).filter(|t| *t <= until) {
            let Some(command) = due_command(g, t) else {
                bail!("{}: a deadline at {t} with nothing due", g.name);
            };
            let ctx = Acting::new(&Actor::System, t, self.policy);
            let events = g.decide_and_apply(&mut self.ballots, &command, &ctx)?;
            self.events.extend(events);
        }
        Ok(())
    }
}

/// Group `id` living `life` as of `now`.
fn live(life: Life, id: i64, now: Timestamp, policy: &Policy) -> Result<(Group, Vec<Event>)> {
    let d = Span::days;
    let h = Span::hours;
    let facilitator = MemberId(100 + id as u64 % PEOPLE);
    let proposer = Actor::member(facilitator, []);
    let moderators: Vec<Actor> = (2..=6)
        .map(|m| Actor::member(MemberId(m), [Role::Moderator]))
        .collect();
    let core = Actor::member(MemberId(7), [Role::CoreMaintainer]);
    let kind = match life {
        Life::Ig | Life::ReversedIg => GroupKind::Ig,
        _ => GroupKind::Wg,
    };
    let name = format!("{life:?} group {id:05}");
    let template = template(kind, &name, facilitator)?;
    let mut g = Lived {
        policy,
        group: None,
        ballots: Ballots::default(),
        events: Vec::new(),
    };
    // Every group is proposed within a day, a month before `now`, so that no WG reaches its
    // inactivity limit; the long-lived WG began earlier, its activity every 3 hours since.
    let start = if life == Life::BusyWg {
        now - d(140)
    } else {
        now - d(30) + Span::minutes(id % 1440)
    };
    g.act(&proposer, start, Command::Propose { template })?;
    let electorate = (2..=6).map(MemberId).collect();
    match life {
        Life::Proposed => return Ok((g.group.unwrap(), g.events)),
        Life::Vetoed => {
            g.act(
                &core,
                start + h(5),
                Command::Veto {
                    reason: "overlaps an existing group".into(),
                },
            )?;
            return Ok((g.group.unwrap(), g.events));
        }
        Life::UnderVote => {
            let called = now - h(10);
            g.act(&moderators[0], called, Command::CallVote { electorate })?;
            for m in &moderators[..2] {
                let choice = Choice::Yes;
                g.act(m, called + h(1), Command::Cast { choice })?;
            }
            return Ok((g.group.unwrap(), g.events));
        }
        _ => {}
    }
    // Approved by four of five moderators at the close, given its channel.
    g.act(
        &moderators[0],
        start + h(2),
        Command::CallVote { electorate },
    )?;
    for (i, m) in moderators.iter().take(4).enumerate() {
        let choice = if i == 3 { Choice::Abstain } else { Choice::Yes };
        g.act(m, start + h(3 + i as i64), Command::Cast { choice })?;
    }
    let opened = start + h(2) + policy.vote_window.to_chrono() + Span::minutes(1);
    g.act(
        &Actor::System,
        opened,
        Command::LinkChannel {
            channel: CHANNEL_BASE + id as u64,
        },
    )?;
    let recent = now - d(2) - Span::minutes(id % 600);
    match life {
        Life::Ig => {
            g.act(
                &proposer,
                recent,
                Command::RecordMeeting {
                    at: recent - h(2),
                    attendees: vec![facilitator, MemberId(8), MemberId(9)],
                },
            )?;
            g.act(
                &Actor::System,
                recent + h(1),
                Command::NoteConversation { at: recent },
            )?;
        }
        Life::Wg | Life::BusyWg => {
            let pr = ItemRef::Url(format!(
                "https://github.com/modelcontextprotocol/registry/pull/{}",
                id % 900 + 1
            ));
            g.act(
                &proposer,
                opened + d(1),
                Command::TrackItem { item: pr.clone() },
            )?;
            g.act(
                &proposer,
                opened + d(2),
                Command::TrackItem {
                    item: ItemRef::Sep(2000 + id as u32 % 50),
                },
            )?;
            g.act(
                &Actor::System,
                opened + d(5),
                Command::CompleteItem {
                    item: pr,
                    reason: CloseReason::Merged,
                },
            )?;
            g.act(
                &proposer,
                opened + d(6),
                Command::PostStatus {
                    text: "Metadata schema drafted; review next week".into(),
                },
            )?;
            let busy = if life == Life::BusyWg { BUSY_EVENTS } else { 0 };
            for n in 0..busy {
                let seen = opened + d(7) + h(3 * n as i64);
                g.act(
                    &Actor::System,
                    seen + Span::minutes(5),
                    Command::RecordItemActivity {
                        item: ItemRef::Sep(1234),
                        seen_at: seen,
                    },
                )?;
            }
            g.act(
                &Actor::System,
                recent + h(1),
                Command::RecordItemActivity {
                    item: ItemRef::Sep(1234),
                    seen_at: recent,
                },
            )?;
        }
        Life::RetiredWg => g.act(
            &moderators[1],
            opened + d(5),
            Command::Retire {
                reason: "merged into the Registry WG".into(),
            },
        )?,
        Life::ReversedIg => g.act(
            &core,
            opened + d(3),
            Command::Veto {
                reason: "duplicates an existing IG".into(),
            },
        )?,
        Life::Proposed | Life::UnderVote | Life::Vetoed => unreachable!(),
    }
    Ok((g.group.unwrap(), g.events))
}

/// The ids of a few groups of each life, to time their pages.
struct Samples {
    ig: GroupId,
    wg: GroupId,
    busy: GroupId,
    proposal: GroupId,
    retired: GroupId,
}

async fn fill(store: &Store, now: Timestamp) -> Result<Samples> {
    let policy = Policy::default();
    let plan = [
        (Life::Ig, LIVE_IGS),
        (Life::Wg, LIVE_WGS - 1),
        (Life::BusyWg, 1),
        (Life::RetiredWg, RETIRED_WGS),
        (Life::ReversedIg, REVERSED_IGS),
        (Life::Proposed, PROPOSED),
        (Life::UnderVote, UNDER_VOTE),
        (Life::Vetoed, VETOED),
    ];
    let mut id = 0i64;
    let mut first = std::collections::HashMap::new();
    let mut tx = store.pool().begin().await?;
    defer_foreign_keys(&mut tx).await?;
    for (life, count) in plan {
        let mut rows = Vec::new();
        let mut events = Vec::new();
        for _ in 0..count {
            id += 1;
            first.entry(format!("{life:?}")).or_insert(id);
            let (group, lived) = live(life, id, now, &policy)?;
            let updated_at = lived.last().map_or(group.proposed_at, |e| e.at);
            events.push((id, lived));
            rows.push(Row {
                id,
                version: events.last().unwrap().1.len() as i64,
                group,
                updated_at,
            });
        }
        // Each history chained into the log as the store chains every event (with its votes and
        // ballots rows), then the groups' rows.
        for (id, lived) in &events {
            append_history(&mut tx, GroupId(*id), 0, lived).await?;
        }
        for chunk in rows.chunks(CHUNK) {
            insert(&mut tx, chunk).await?;
        }
    }
    // Every member by name; each IG's channel over the last four weeks.
    let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO members (id, display_name, updated_at) ");
    q.push_values(1..=(100 + PEOPLE), |mut b, m| {
        b.push_bind(m as i64)
            .push_bind(format!("Member {m:03}"))
            .push_bind(millis(now));
    });
    q.build().execute(&mut *tx).await?;
    let igs: Vec<i64> = (1..=LIVE_IGS as i64).collect();
    for chunk in igs.chunks(CHUNK / 4) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO channel_activity (group_id, week_start, messages, last_message_at) ",
        );
        let weeks: Vec<(i64, i64)> = chunk
            .iter()
            .flat_map(|g| (0..4).map(move |w| (*g, w)))
            .collect();
        q.push_values(&weeks, |mut b, (g, w)| {
            let at = now - Span::weeks(*w) - Span::hours(*g % 48);
            b.push_bind(*g)
                .push_bind(govbot::store::week_start(at).format("%Y-%m-%d").to_string())
                .push_bind(5 + (*g + *w) % 20)
                .push_bind(millis(at));
        });
        q.build().execute(&mut *tx).await?;
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO channel_participants (group_id, week_start, user_id) ",
        );
        let people: Vec<(i64, i64, i64)> = weeks
            .iter()
            .flat_map(|(g, w)| (0..3).map(move |p| (*g, *w, 100 + (*g + p) % PEOPLE as i64)))
            .collect();
        q.push_values(&people, |mut b, (g, w, p)| {
            let at = now - Span::weeks(*w) - Span::hours(*g % 48);
            b.push_bind(*g)
                .push_bind(govbot::store::week_start(at).format("%Y-%m-%d").to_string())
                .push_bind(*p);
        });
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    let at = |life: &str| GroupId(first[life]);
    Ok(Samples {
        ig: at("Ig"),
        wg: at("Wg"),
        busy: at("BusyWg"),
        proposal: at("UnderVote"),
        retired: at("RetiredWg"),
    })
}

/// Mean and worst time of `reps` runs.
async fn time<F, Fut, T>(reps: u32, mut f: F) -> Result<(Duration, Duration, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut worst = Duration::ZERO;
    let mut total = Duration::ZERO;
    let mut last = None;
    for _ in 0..reps {
        let t = Instant::now();
        last = Some(f().await?);
        let took = t.elapsed();
        total += took;
        worst = worst.max(took);
    }
    Ok((total / reps, worst, last.expect("at least one run")))
}

/// What a page's baseline reads: the same rows by the query `Store::page_in` runs, or a plain
/// SELECT of a group and its events (or of the feed's events).
enum Base {
    Page(&'static [GroupState], ListOrder, i64),
    Sql(&'static str, Vec<i64>),
}

async fn select(store: &Store, base: &Base) -> Result<usize> {
    let rows = match base {
        Base::Page(states, order, offset) => {
            let codes: Vec<&str> = states.iter().map(|s| s.code()).collect();
            sqlx::query(&page_query(*order))
                .bind(serde_json::to_string(&codes)?)
                .bind(PAGE_SIZE)
                .bind(offset)
                .fetch_all(store.pool())
                .await?
        }
        Base::Sql(sql, binds) => {
            let mut q = sqlx::query(sql);
            for b in binds {
                q = q.bind(*b);
            }
            q.fetch_all(store.pool()).await?
        }
    };
    Ok(rows.len())
}

const LIVE: &[GroupState] = &GroupState::LIVE;
const PAST: &[GroupState] = &[GroupState::Reversed, GroupState::Retired];
const PROPOSALS: &[GroupState] = &[
    GroupState::Proposed,
    GroupState::UnderVote,
    GroupState::Rejected,
    GroupState::Vetoed,
    GroupState::Withdrawn,
];
const ALL: &[GroupState] = &GroupState::ALL;
/// A directory page in one query that sorts whole rows: what `page_in` avoids.
const WHOLE_ROWS_SQL: &str = "SELECT id, version, state_json FROM groups \
     WHERE state IN ('active', 'under_reversal_vote') ORDER BY kind, name_key, id LIMIT 100 OFFSET ?";
const GROUP_SQL: &str = "SELECT state_json, (SELECT json_group_array(event_json) FROM \
     (SELECT event_json FROM audit_log WHERE group_id = ?1 ORDER BY seq)) FROM groups WHERE id = ?1";
const FEED_SQL: &str = "SELECT group_id, seq, event_json FROM audit_log WHERE kind IN \
     ('vote_closed', 'approved', 'vetoed', 'veto_lifted', 'retired', 'withdrawn') \
     ORDER BY id DESC LIMIT 50";

#[tokio::main]
async fn main() -> Result<()> {
    let now = Utc.with_ymd_and_hms(2027, 6, 1, 9, 0, 0).unwrap();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("govbot.db");
    let store = Store::open(&path).await?;
    let t = Instant::now();
    let s = fill(&store, now).await?;
    let groups: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM groups")
        .fetch_one(store.pool())
        .await?;
    let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(store.pool())
        .await?;
    store.close().await;
    println!(
        "built {groups} groups ({} live: {LIVE_IGS} IGs, {LIVE_WGS} WGs; {} past; {} proposals) \
         and {events} audit events through the core in {:.1} s; database {:.1} MiB",
        LIVE_IGS + LIVE_WGS,
        RETIRED_WGS + REVERSED_IGS,
        PROPOSED + UNDER_VOTE + VETOED,
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path)?.len() as f64 / (1024.0 * 1024.0)
    );

    let store = Store::open_read_only(&path).await?;
    let settings = Settings {
        guild: Some(111_111_111_111_111_111),
        ..Settings::standalone()
    };
    let site = Site::new(store.clone(), settings, Arc::new(ManualClock::new(now)));
    let last = (LIVE_IGS + LIVE_WGS) as i64 / PAGE_SIZE;
    let all_last = groups / PAGE_SIZE;
    let group_sql = |id: GroupId| Base::Sql(GROUP_SQL, vec![id.0]);
    let page = |states, order, n: i64| Base::Page(states, order, (n - 1) * PAGE_SIZE);
    let by_name = ListOrder::KindThenName;
    let cases: Vec<(String, Route, Base)> = vec![
        (
            "directory, page 1".into(),
            Route::Directory(1),
            page(LIVE, by_name, 1),
        ),
        (
            format!("directory, page {}", last / 2),
            Route::Directory(last / 2),
            page(LIVE, by_name, last / 2),
        ),
        (
            format!("directory, page {last} (last)"),
            Route::Directory(last),
            page(LIVE, by_name, last),
        ),
        (
            "proposals, page 1".into(),
            Route::Proposals(1),
            page(PROPOSALS, ListOrder::OpenThenNewest, 1),
        ),
        (
            "past groups, page 1".into(),
            Route::Past(1),
            page(PAST, ListOrder::Newest, 1),
        ),
        ("group page: IG".into(), Route::Group(s.ig), group_sql(s.ig)),
        ("group page: WG".into(), Route::Group(s.wg), group_sql(s.wg)),
        (
            format!("group page: WG with {} events", BUSY_EVENTS + 10),
            Route::Group(s.busy),
            group_sql(s.busy),
        ),
        (
            "group page: retired WG".into(),
            Route::Group(s.retired),
            group_sql(s.retired),
        ),
        (
            "group page: proposal under vote".into(),
            Route::Group(s.proposal),
            group_sql(s.proposal),
        ),
        (
            "decisions feed (Atom)".into(),
            Route::Feed,
            Base::Sql(FEED_SQL, vec![]),
        ),
        (
            "JSON list, page 1".into(),
            Route::ApiList(1),
            page(ALL, ListOrder::Id, 1),
        ),
        (
            format!("JSON list, page {all_last} (last)"),
            Route::ApiList(all_last),
            page(ALL, ListOrder::Id, all_last),
        ),
        (
            "JSON group: WG".into(),
            Route::ApiGroup(s.wg),
            group_sql(s.wg),
        ),
    ];

    // The trivial baseline: the frame alone (a tiny template, the audit log's count).
    let (frame, _, _) = time(REPS, || async {
        Ok(site.route(Route::NotFound).await?.map(|d| d.body.len()))
    })
    .await?;
    println!(
        "\nbaseline: the 404 page (frame only: trivial template + audit count) {:.2} ms\n",
        ms(frame)
    );
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>12} {:>8} {:>8}",
        "page", "mean ms", "max ms", "KiB", "SELECT ms", "x SELECT", "x frame"
    );
    let mut worst_page = Duration::ZERO;
    for (name, route, base) in &cases {
        let (mean, worst, size) = time(REPS, || async {
            let doc = site
                .route(*route)
                .await?
                .with_context(|| format!("{route:?} is missing"))?;
            Ok(doc.body.len())
        })
        .await?;
        let (base, _, rows) = time(REPS, || select(&store, base)).await?;
        anyhow::ensure!(rows > 0, "{name}: the baseline read nothing");
        worst_page = worst_page.max(worst);
        println!(
            "{name:<34} {:>9.2} {:>9.2} {:>9.1} {:>12.2} {:>8.1} {:>8.1}",
            ms(mean),
            ms(worst),
            size as f64 / 1024.0,
            ms(base),
            mean.as_secs_f64() / base.as_secs_f64(),
            mean.as_secs_f64() / frame.as_secs_f64(),
        );
    }
    let plan: Vec<(i64, i64, i64, String)> =
        sqlx::query_as(&format!("EXPLAIN QUERY PLAN {}", page_query(by_name)))
            .bind(serde_json::to_string(&["active", "under_reversal_vote"])?)
            .bind(PAGE_SIZE)
            .bind(0)
            .fetch_all(store.pool())
            .await?;
    println!("\nEXPLAIN QUERY PLAN of the directory's page query:");
    for (_, _, _, detail) in &plan {
        println!("  {detail}");
    }
    anyhow::ensure!(
        plan.iter()
            .any(|p| p.3.contains("COVERING INDEX groups_by_name")),
        "the directory's page is not chosen from the groups_by_name index: {plan:?}"
    );
    let whole_rows = Base::Sql(WHOLE_ROWS_SQL, vec![(last - 1) * PAGE_SIZE]);
    let (whole, _, _) = time(5, || select(&store, &whole_rows)).await?;
    let narrow = page(LIVE, by_name, last);
    let (chosen, _, _) = time(5, || select(&store, &narrow)).await?;
    println!(
        "directory page {last} in one query sorting whole rows: {:.2} ms; choosing the page from \
         the indexes first (page_in): {:.2} ms ({:.1}x faster)",
        ms(whole),
        ms(chosen),
        whole.as_secs_f64() / chosen.as_secs_f64()
    );
    println!(
        "\nslowest single render: {:.2} ms (goal: well under 100 ms); peak RSS {} MiB",
        ms(worst_page),
        peak_rss_kib().unwrap_or(0) / 1024
    );
    if std::env::args().any(|a| a == "export") {
        let out = dir.path().join("site");
        let t = Instant::now();
        let done = govbot::web::export::write(&site, &out).await?;
        println!(
            "export: {} files ({} group pages) in {:.1} s",
            done.files,
            done.groups,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
