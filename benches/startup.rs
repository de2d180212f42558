//! Start-up with open votes (issue 13): a clean restart of the bot with 10 / 100 / 1,000 votes
//! open, each vote message (after its proposal's announcement, in the moderators' channel)
//! carrying govbot's three reactions and one ballot by reaction, all of it recorded and shown
//! before the stop. Counted from the sandbox's REST log: the calls made before
//! the gateway connected (the set-up check, the same whatever the number of votes) and after it,
//! by kind; and the time from `discord::start` to the gateway connected and to the open votes
//! reconciled. Goals: at most one call per open vote, none of them before connecting, and no edit
//! of a vote message that is up to date. Discord's rate limits at their real figures.
//!
//! Run: `cargo bench --bench startup -- [V ...]` (default 10 100 1000).

use anyhow::{ensure, Context as _, Result};
use discord_standin::{SandboxOptions, World};
use govbot::clock::Clock as _;
use govbot::governance::{Acting, Actor, Choice, Command, Field, GroupKind, MemberId, Policy};
use govbot::governance::{Role, TemplateDraft};
use govbot::harness::Harness;
use govbot::standard_world::names;
use govbot::standard_world::StandardWorld as _;
use govbot::store::{Target, Trigger};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::ms;

struct Point {
    votes: usize,
    before: Vec<String>,
    after: BTreeMap<String, usize>,
    connected: Duration,
    ready: Duration,
}

/// The route of a call, with ids replaced by what they are, for counting by kind.
fn kind(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let named: Vec<String> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() {
                match segments.get(i.wrapping_sub(1)) {
                    Some(&"channels") => "{channel}".into(),
                    Some(&"messages") => "{message}".into(),
                    Some(&"guilds") => "{guild}".into(),
                    Some(&"applications") => "{application}".into(),
                    _ => "{id}".into(),
                }
            } else if segments.get(i.wrapping_sub(1)) == Some(&"reactions") {
                "{emoji}".into()
            } else {
                (*s).to_owned()
            }
        })
        .collect();
    format!("{method} {}", named.join("/"))
}

async fn point(votes: usize, dir: &Path) -> Result<Point> {
    let db = dir.join(format!("startup-{votes}.db"));
    let mut h = Harness::start_with(&db, World::standard(), SandboxOptions::default()).await?;
    h.stop_bot().await?;

    // The votes, recorded as the bot would have: proposal, vote, the vote message with govbot's
    // reactions and a moderator's ballot by reaction, the message showing the group's version.
    let store = h.store().await?;
    let bot = h.sandbox.world().bot_user_id;
    let moderators = h.channel(names::MODERATORS);
    let electorate: Vec<u64> = ["mod-ana", "mod-ben", "mod-cy"].map(|m| h.user(m)).to_vec();
    let ben = h.user("mod-ben");
    let policy = Policy::default();
    let now = h.clock.now();
    let alice = Actor::member(MemberId(h.user("alice")), []);
    let ana = Actor::member(MemberId(electorate[0]), [Role::Moderator]);
    for k in 0..votes {
        let template = TemplateDraft::new(GroupKind::Wg)
            .name(format!("Startup WG {k}"))
            .facilitator(alice.id().unwrap())
            .field(Field::UseCases, "clients need to find servers")
            .field(Field::FirstItem, "SEP-1234")
            .validate()
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let ctx = |a| Acting::new(a, now, &policy);
        let id = store
            .execute(
                Target::New,
                &Command::Propose { template },
                &ctx(&alice),
                None,
            )
            .await?
            .id;
        let call = Command::CallVote {
            electorate: electorate.iter().map(|m| MemberId(*m)).collect(),
        };
        let opened = store
            .execute(Target::Group(id), &call, &ctx(&ana), None)
            .await?
            .group
            .vote
            .as_ref()
            .context("no vote")?
            .opened_at;
        // The moderators' channel as the bot left it: the proposal's announcement, then its vote.
        h.sandbox
            .post_message(moderators, bot, &format!("New WG proposal #{id}"))
            .await;
        let message = h
            .sandbox
            .post_message(moderators, bot, &format!("Vote on WG #{id}"))
            .await;
        for emoji in ["✅", "❌", "➖"] {
            h.sandbox
                .add_reaction(bot, moderators, message, emoji)
                .await;
        }
        h.sandbox.add_reaction(ben, moderators, message, "✅").await;
        let ballot = Command::BallotOn {
            vote: opened,
            choice: Some(Choice::Yes),
        };
        let trigger = Trigger::Reaction {
            message,
            user: ben,
            emoji: "✅".into(),
            added: true,
        };
        let by_ben = Actor::member(MemberId(ben), []);
        store
            .execute(Target::Group(id), &ballot, &ctx(&by_ben), Some(&trigger))
            .await?;
        let purpose = format!("vote:{}", opened.timestamp_millis());
        store
            .set_group_message(id, &purpose, moderators, message)
            .await?;
        let version = store.group(id).await?.version;
        store.set_shown_version(id, &purpose, version).await?;
    }
    // Everything recorded was shown before the stop.
    let last: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM audit_log")
        .fetch_one(store.pool())
        .await?;
    store
        .set_outbox_cursor(govbot::discord::outbox::CONSUMER, last)
        .await?;
    ensure!(
        store.stale_vote_messages().await?.is_empty(),
        "every vote message shows its group's version"
    );
    store.close().await;

    let identified = h.sandbox.identify_count();
    let from = h.sandbox.rest_log().len();
    let t = Instant::now();
    h.start_bot().await?;
    let connected = t.elapsed();
    h.caught_up_within(Duration::from_secs(600)).await?;
    let ready = t.elapsed();
    // The outbox's start-up pass runs at once: an edit would come within the edit interval.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let calls = h.sandbox.rest_log()[from..].to_vec();
    let before = calls
        .iter()
        .filter(|c| c.identified <= identified)
        .map(|c| kind(&c.method, &c.path))
        .collect();
    let mut after: BTreeMap<String, usize> = BTreeMap::new();
    for c in calls.iter().filter(|c| c.identified > identified) {
        *after.entry(kind(&c.method, &c.path)).or_default() += 1;
    }
    h.shutdown().await?;
    Ok(Point {
        votes,
        before,
        after,
        connected,
        ready,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<()> {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1_000]
    } else {
        sizes
    };
    let dir = tempfile::tempdir()?;
    println!(
        "start-up bench: a clean restart with V open votes; debug={}; Discord's rate limits at \
         their real figures",
        cfg!(debug_assertions)
    );
    println!(
        "  {:>6} | {:>14} | {:>14} {:>14} | {:>12} | {:>14} {:>16}",
        "V",
        "before connect",
        "after connect",
        "per open vote",
        "vote edits",
        "connected ms",
        "votes caught up ms"
    );
    let mut fixed = Vec::new();
    let mut kinds = Vec::new();
    for v in sizes {
        let p = point(v, dir.path()).await?;
        let after: usize = p.after.values().sum();
        let edits: usize = p
            .after
            .iter()
            .filter(|(k, _)| k.starts_with("PATCH /channels/"))
            .map(|(_, n)| n)
            .sum();
        println!(
            "  {:>6} | {:>14} | {:>14} {:>14.3} | {:>12} | {:>14.0} {:>16.0}",
            p.votes,
            p.before.len(),
            after,
            after as f64 / p.votes as f64,
            edits,
            ms(p.connected),
            ms(p.ready)
        );
        fixed = p.before;
        kinds.push((p.votes, p.after));
    }
    println!("  calls before connecting (the set-up check, whatever V): {fixed:?}");
    for (v, after) in kinds {
        println!("  calls after connecting, V={v}: {after:?}");
    }
    Ok(())
}
