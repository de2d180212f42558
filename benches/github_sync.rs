//! The GitHub sync's coverage against GitHub's budgets, on the GitHub stand-in (which keeps
//! GitHub's rules: 60 anonymous REST requests an hour, 5,000 GraphQL points an hour for a token,
//! both refilled by the clock) and a real SQLite file.
//!
//! For 10, 50 and 200 WGs with 5 items each, without and with a token, the sync runs hourly on the
//! governance clock until every item has been read (at most 25 intervals); it reports, per
//! interval, the requests sent, the items read and the GraphQL points spent, after how many
//! intervals every item had been read, and what `check-config` predicts for it. The baseline,
//! measured in the same run, is the work itself: one read per distinct item per interval;
//! "requests/item" is the ratio of the requests sent to the items read.
//!
//! Run: `cargo bench --bench github_sync`.

use anyhow::{Context as _, Result};
use chrono::{Duration, TimeZone, Utc};
use github_standin::{GitHubStandIn, StandInIssue};
use govbot::clock::Clock as _;
use govbot::clock::ManualClock;
use govbot::config::GitHub;
use govbot::github::sync::pass;
use govbot::github::{GitHubClient, Token};
use govbot::governance::*;
use govbot::store::{Store, Target};
use std::collections::BTreeSet;

const ITEMS_PER_WG: u64 = 5;
const MAX_INTERVALS: usize = 25;
const TOKEN: &str = "ghp_benchTOKEN0123456789";

async fn run(
    store: &Store,
    command: Command,
    target: Target,
    actor: &Actor,
    now: Timestamp,
) -> Result<i64> {
    let policy = Policy::default();
    Ok(store
        .execute(target, &command, &Acting::new(actor, now, &policy), None)
        .await
        .with_context(|| format!("{command:?}"))?
        .id
        .0)
}

/// `wgs` active WGs, the k-th tracking issues 5k+1 … 5k+5 of org/repo; the time they are active.
async fn seed(store: &Store, wgs: u64, t0: Timestamp) -> Result<Timestamp> {
    let proposer = Actor::member(MemberId(1), []);
    let moderator = Actor::member(MemberId(100), [Role::Moderator]);
    let mut ids = Vec::new();
    for k in 0..wgs {
        let refs: Vec<String> = (1..=ITEMS_PER_WG)
            .map(|i| {
                format!(
                    "https://github.com/org/repo/issues/{}",
                    k * ITEMS_PER_WG + i
                )
            })
            .collect();
        let template = TemplateDraft::new(GroupKind::Wg)
            .name(format!("Working group {k}"))
            .facilitator(MemberId(1))
            .field(Field::UseCases, "Servers need to be found")
            .field(Field::FirstItem, refs.join(" "))
            .validate()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let id = run(
            store,
            Command::Propose { template },
            Target::New,
            &proposer,
            t0,
        )
        .await?;
        let target = Target::Group(govbot::store::GroupId(id));
        let electorate: BTreeSet<_> = [MemberId(100)].into();
        run(
            store,
            Command::CallVote { electorate },
            target,
            &moderator,
            t0,
        )
        .await?;
        run(
            store,
            Command::Cast {
                choice: Choice::Yes,
            },
            target,
            &moderator,
            t0,
        )
        .await?;
        ids.push(target);
    }
    let active = t0 + Policy::default().vote_window.to_chrono();
    for target in ids {
        run(store, Command::CloseVote, target, &Actor::System, active).await?;
    }
    Ok(active)
}

struct Interval {
    requests: usize,
    read: usize,
    points: u64,
}

async fn scenario(wgs: u64, with_token: bool) -> Result<(usize, Vec<Interval>, Option<usize>)> {
    let dir = tempfile::tempdir()?;
    let store = Store::open(&dir.path().join("govbot.db")).await?;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let mut now = seed(&store, wgs, t0).await?;
    let clock = ManualClock::new(now);
    let github = GitHubStandIn::start_with_clock({
        let clock = clock.clone();
        move || clock.now()
    })
    .await?;
    github.add_token(TOKEN);
    let items = (wgs * ITEMS_PER_WG) as usize;
    for n in 1..=items as u64 {
        github.set_issue("org", "repo", n, StandInIssue::open("An item", t0));
    }
    let settings = GitHub {
        api_base: github.api_base(),
        ..GitHub::default()
    };
    let client = GitHubClient::new(
        &github.api_base(),
        with_token.then(|| Token::new(TOKEN.into())),
    )?;
    let policy = Policy::default();
    let mut intervals = Vec::new();
    let mut covered_after = None;
    for i in 0..MAX_INTERVALS {
        let before = github.request_count();
        let points_before = github.graphql_rate_limit(TOKEN);
        let report = pass(&store, &client, &settings, &policy, now).await?;
        let points = points_before
            .1
            .saturating_sub(github.graphql_rate_limit(TOKEN).1);
        intervals.push(Interval {
            requests: github.request_count() - before,
            read: report.read,
            points,
        });
        let rows = store.github_sync_rows().await?;
        let read = rows.values().filter(|r| r.last_read_at.is_some()).count();
        now += Duration::hours(1);
        clock.set(now);
        if read == items {
            covered_after = Some(i + 1);
            break;
        }
    }
    store.close().await;
    Ok((items, intervals, covered_after))
}

#[tokio::main]
async fn main() -> Result<()> {
    println!(
        "GitHub sync: hourly passes, 5 items per WG, against the stand-in's budgets \
         (anonymous: 60 REST requests/hour; token: 5,000 GraphQL points/hour)\n"
    );
    println!(
        "| WGs | items | token | requests per interval | items read per interval | GraphQL points per interval | requests/item read (baseline 1) | every item read after | check-config predicts |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for wgs in [10u64, 50, 200] {
        for with_token in [false, true] {
            let (items, intervals, covered) = scenario(wgs, with_token).await?;
            let first = &intervals[0];
            let requests: usize = intervals.iter().map(|i| i.requests).sum();
            let read: usize = intervals.iter().map(|i| i.read).sum();
            let predicted =
                govbot::github::sync::Coverage::of(items, with_token, Duration::hours(1));
            println!(
                "| {wgs} | {items} | {} | {} | {} | {} | {:.3} | {} | {} |",
                if with_token { "yes" } else { "no" },
                first.requests,
                first.read,
                first.points,
                requests as f64 / read.max(1) as f64,
                covered.map_or_else(
                    || format!("not within {MAX_INTERVALS} intervals"),
                    |n| format!("{n} interval{}", if n == 1 { "" } else { "s" })
                ),
                predicted.intervals_to_read_all(),
            );
        }
    }
    Ok(())
}
