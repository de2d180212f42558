//! The public record (`src/web`): the site served over HTTP and written as static files, against
//! a database filled by the real bot in the sandbox (an active IG whose purpose holds markup, an
//! active WG, a retired WG, a proposal under review, one under vote, a vetoed one), and the same
//! site in a real browser (`browser.rs`). Nothing private may appear on any page.
//!
//! The database is built once per test run (by the bot, in a thread of its own) and shared
//! read-only by the tests here, each serving it with its own server and a clock fixed at the
//! fixture's end.

mod browser;

use crate::common::*;
use govbot::clock::{Clock as _, ManualClock};
use govbot::config::{Config, Web};
use govbot::governance::Timestamp;
use govbot::harness::{Harness, SANDBOX_TOKEN, WAIT};
use govbot::standard_world::StandardWorld as _;
use govbot::store::{GroupId, Store};
use govbot::web::{self, Route, Settings, Site};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// The IG's purpose: markup and a Markdown link that must reach readers as plain text.
pub const PURPOSE: &str =
    r#"<script>alert("pwned")</script> see [the charter](https://evil.example/charter)"#;
const IG_NAME: &str = "Security & Trust";
/// Names and reasons of proposals that were never approved: never on the site.
const SECRET_PROPOSAL: &str = "Secret Plans";
const SECRET_VOTE: &str = "Hidden Ballot";
const SECRET_VETOED: &str = "Vetoed Idea";
const SECRET_REASON: &str = "conflicts with the unannounced roadmap";
const RETIRE_REASON: &str = "merged into the Registry WG";

pub struct Fixture {
    pub db: PathBuf,
    pub guild: u64,
    /// The governance clock when the bot stopped: what the tests' sites take as "now".
    pub now: Timestamp,
    pub ig: GroupId,
    pub ig_channel: u64,
    pub wg: GroupId,
    pub wg_channel: u64,
    pub retired: GroupId,
    pub proposal: GroupId,
    pub voting: GroupId,
    pub vetoed: GroupId,
    /// Strings no page may contain: member ids, message ids of the moderators' and creation
    /// channels, the moderators' channel, tokens, unapproved proposals' names and reasons.
    pub private: Vec<(String, String)>,
    /// What the bot itself served (`[web] listen` in `govbot run`) before it stopped.
    pub live_directory: String,
    pub live_api: Value,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

/// The shared database, built on first use.
pub fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        std::thread::spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
                .block_on(build())
        })
        .join()
        .expect("building the web fixture failed")
    })
}

fn ig_template(facilitator: u64) -> String {
    format!(
        "IG: {IG_NAME}\n\
         Facilitator(s): <@{facilitator}>\n\
         IGs with similar goals: none yet\n\
         How this IG differs from them: {PURPOSE}\n\
         First topic: threat models"
    )
}

fn id_opt(id: GroupId) -> Value {
    json!({"type": 4, "name": "id", "value": id.0})
}

async fn slash(env: &Env, user: &str, sub: &str, options: Value) -> String {
    let (i, _, _) = env.group(user, sub, options).await;
    let (_, said) = answer(env, &i).await;
    assert!(!refused(&said), "/group {sub} by {user}: {said}");
    said
}

async fn build() -> Fixture {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-fixture");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("govbot.db");
    let h = Harness::start_with(&db, discord_standin::World::standard(), Harness::options())
        .await
        .unwrap();
    let mut env = Env {
        h,
        dir: tempfile::tempdir().unwrap(),
    };
    let alice = env.h.user("alice");

    // Three groups voted in (each vote moves the clock 72 hours), one of them retired.
    let (ig, ig_channel) = active_group(&env, &ig_template(alice)).await;
    let (wg, wg_channel) = active_group(&env, &wg_template("Registry", alice)).await;
    let (retired, _) = active_group(&env, &wg_template("Hosting", alice)).await;
    slash(
        &env,
        "mod-ana",
        "retire",
        json!([id_opt(retired), {"type": 3, "name": "reason", "value": RETIRE_REASON}]),
    )
    .await;

    // The IG talks and meets.
    let bob = env.h.user("bob");
    for (who, text) in [(alice, "hello"), (bob, "agenda?"), (alice, "threat models")] {
        env.h.sandbox.post_message(ig_channel, who, text).await;
    }
    let store = env.h.store().await.unwrap();
    eventually("three messages counted", || {
        let a =
            block_on(store.activity_since(env.h.clock.now() - chrono::Duration::weeks(1))).ok()?;
        (a.get(&ig)?.messages == 3).then_some(())
    })
    .await;
    let today = env.h.clock.now().format("%Y-%m-%d").to_string();
    slash(
        &env,
        "alice",
        "meeting",
        json!([id_opt(ig), {"type": 3, "name": "date", "value": today}]),
    )
    .await;

    // Proposals that are not public: under review, under vote (one ballot), vetoed.
    let (proposal, _) = propose_template(&env, &wg_template(SECRET_PROPOSAL, alice)).await;
    let (voting, _) = propose_template(&env, &wg_template(SECRET_VOTE, alice)).await;
    slash(&env, "mod-ana", "call-vote", json!([id_opt(voting)])).await;
    let vote = env
        .h
        .sandbox
        .wait_message(env.moderators(), |m| has_ballot_buttons(m, voting), WAIT)
        .await
        .unwrap();
    click(&env, "mod-ben", &vote, &ballot(&vote, "yes")).await;
    let (vetoed, _) = propose_template(&env, &wg_template(SECRET_VETOED, alice)).await;
    slash(
        &env,
        "core-kim",
        "veto",
        json!([id_opt(vetoed), {"type": 3, "name": "reason", "value": SECRET_REASON}]),
    )
    .await;

    // `govbot run` with [web] listen serves the site beside the bot.
    env.h.config.web = Some(Web {
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: None,
    });
    env.h.restart_bot().await.unwrap();
    let addr = env.h.web_addr().expect("the bot serves the site");
    let live_directory = get(addr, "/").await.text().await.unwrap();
    let live_api: Value = get(addr, "/api/groups").await.json().await.unwrap();

    let mut private = vec![
        ("the bot's token".to_owned(), SANDBOX_TOKEN.to_owned()),
        (
            "an interaction token".to_owned(),
            "sandbox-interaction-token".to_owned(),
        ),
        (
            "the moderators' channel".to_owned(),
            env.moderators().to_string(),
        ),
        ("a proposal's name".to_owned(), SECRET_PROPOSAL.to_owned()),
        ("a proposal's name".to_owned(), SECRET_VOTE.to_owned()),
        ("a proposal's name".to_owned(), SECRET_VETOED.to_owned()),
        ("a veto's reason".to_owned(), SECRET_REASON.to_owned()),
    ];
    for channel in [env.moderators(), env.creation()] {
        for m in env.h.sandbox.messages(channel) {
            private.push((
                format!("message in channel {channel}"),
                id_of(&m).to_string(),
            ));
        }
    }
    for name in [
        "alice",
        "bob",
        "carol",
        "dave",
        "mod-ana",
        "mod-ben",
        "mod-cy",
        "core-kim",
        "lead-lee",
        "steer-sam",
    ] {
        private.push((format!("{name}'s member id"), env.h.user(name).to_string()));
    }
    let fixture = Fixture {
        db,
        guild: env.h.config.guild_id,
        now: env.h.clock.now(),
        ig,
        ig_channel,
        wg,
        wg_channel,
        retired,
        proposal,
        voting,
        vetoed,
        private,
        live_directory,
        live_api,
    };
    env.h.shutdown().await.unwrap();
    fixture
}

/// The fixture's database served read-only at a clock fixed at the fixture's end.
pub async fn site(f: &Fixture) -> Site {
    site_at(&f.db, f.guild, f.now).await
}

async fn site_at(db: &Path, guild: u64, now: Timestamp) -> Site {
    let store = Store::open_read_only(db).await.unwrap();
    let settings = Settings {
        guild: Some(guild),
        ..Settings::standalone()
    };
    Site::new(store, settings, Arc::new(ManualClock::new(now)))
}

/// Serves `site` on a free port until the test ends.
pub async fn serve(site: Site) -> SocketAddr {
    let listener = web::server::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // The sender lives as long as the runtime: the server stops with the test.
    std::mem::forget(stop);
    tokio::spawn(web::server::serve(listener, site, stopped));
    addr
}

pub async fn get(addr: SocketAddr, path: &str) -> reqwest::Response {
    reqwest::get(format!("http://{addr}{path}")).await.unwrap()
}

async fn page(addr: SocketAddr, path: &str) -> String {
    let r = get(addr, path).await;
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.unwrap()
}

fn group_page(id: GroupId) -> String {
    format!("/groups/{}.html", id.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_directory_lists_live_groups_with_their_people_channels_and_activity() {
    let f = fixture();
    let addr = serve(site(f).await).await;
    let r = get(addr, "/").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let policy = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    let html = r.text().await.unwrap();
    assert_eq!(html, page(addr, "/index.html").await);

    assert!(html.contains("Security &amp; Trust"), "{html}");
    assert!(html.contains(">Registry</a>"), "{html}");
    // The retired WG is not in the directory but under past groups.
    assert!(!html.contains(">Hosting</a>"), "{html}");
    assert!(
        html.contains("<dt>Facilitators</dt><dd>alice</dd>"),
        "{html}"
    );
    for channel in [f.ig_channel, f.wg_channel] {
        let link = format!("https://discord.com/channels/{}/{channel}", f.guild);
        assert!(html.contains(&link), "no link {link}");
    }
    // Activity: the IG's messages and meeting, the WG's first item with its link.
    assert!(
        html.contains("3 messages from 2 people in the last 4 weeks; last meeting"),
        "{html}"
    );
    assert!(
        html.contains(
            r#"<a href="https://github.com/modelcontextprotocol/modelcontextprotocol/issues/1234" rel="nofollow noopener">SEP-1234</a>"#
        ),
        "{html}"
    );
    assert!(html.contains("created <time datetime=\"2026-11-05T09:00:00Z\">2026-11-05</time>"));
    // Landmarks and the audit log's size.
    for landmark in [
        "<main id=\"main\">",
        "<nav aria-label=\"Sections\">",
        "<footer",
    ] {
        assert!(html.contains(landmark), "{landmark}");
    }
    // The audit log's size and head, as `govbot audit head` reads them.
    let head = Store::open_read_only(&f.db)
        .await
        .unwrap()
        .audit_head()
        .await
        .unwrap();
    assert_eq!(head.hash.len(), 64);
    assert!(
        html.contains(&format!(
            "The audit log holds {} events; its head hash is <code class=\"hash\">{}</code>.",
            head.events, head.hash
        )),
        "{html}"
    );
    assert!(
        html.contains("1 group <a href=\"past.html\">ended</a>"),
        "{html}"
    );
    assert!(html.contains("2 proposals <a href=\"proposals.html\">await a decision</a>"));

    let past = page(addr, "/past.html").await;
    assert!(past.contains(">Hosting</a> (Working Group)"), "{past}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_page_has_its_template_votes_decisions_and_history() {
    let f = fixture();
    let addr = serve(site(f).await).await;
    let html = page(addr, &group_page(f.wg)).await;
    assert_eq!(html, page(addr, &format!("/groups/{}", f.wg.0)).await);
    assert!(html.contains("<h1 id=\"name\">Registry</h1>"), "{html}");
    assert!(html.contains("clients need to find servers"), "{html}");
    // The vote: rule, electorate, tally, result, deadline.
    assert!(html.contains("Creation vote of"), "{html}");
    assert!(html.contains("<dt>Result</dt><dd><strong>approved</strong></dd>"));
    assert!(html.contains("3 approve, 0 reject, 0 abstain; 0 of 3 did not vote"));
    assert!(html.contains("approve from more than half of the electorate, over 72 hours"));
    assert!(html.contains("<dt>Electorate</dt><dd>3 moderators"));
    assert!(html.contains("<dt>Deadline</dt><dd><time datetime=\"2026-11-08T09:00:00Z\">"));
    assert!(html.contains("Who voted what is not published"));
    // The history: who, when, what; ballots left out.
    assert!(html.contains("<span class=\"who\">alice</span> proposed the Working Group “Registry”"));
    assert!(html.contains(
        "<span class=\"who\">mod-ana (community moderator)</span> called a creation vote among 3 moderators"
    ));
    assert!(!html.contains("voted approve"), "{html}");
    assert!(html.contains("<strong>created by vote</strong>"), "{html}");

    // The retired WG: its retirement with who and why, its archived channel.
    let html = page(addr, &group_page(f.retired)).await;
    assert!(html.contains("<span class=\"state state-retired\">retired</span>"));
    assert!(
        html.contains(&format!(
            "by mod-ana (community moderator). Reason: {RETIRE_REASON}. Its Discord channel is archived"
        )),
        "{html}"
    );
    assert!(html.contains("(archived, read-only)"), "{html}");
    assert!(
        html.contains("<strong>retired</strong> by mod-ana"),
        "{html}"
    );

    // The IG: its channel week by week and its meeting.
    let html = page(addr, &group_page(f.ig)).await;
    assert!(html.contains("<caption>Messages in its Discord channel, week by week"));
    assert!(html.contains("Meetings recorded: 1."), "{html}");
    assert!(html.contains("recorded a meeting on"), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_show_only_their_number_kind_state_and_dates() {
    let f = fixture();
    let addr = serve(site(f).await).await;
    let html = page(addr, "/proposals.html").await;
    for (id, state) in [
        (f.proposal, "under review"),
        (f.voting, "under vote"),
        (f.vetoed, "vetoed"),
    ] {
        let line = format!(
            "<a href=\"groups/{0}.html\">Working Group proposal #{0}</a>: {state}",
            id.0
        );
        assert!(html.contains(&line), "no {line} in {html}");
    }
    assert!(html.contains("the vote closes <time datetime="), "{html}");

    let stub = page(addr, &group_page(f.vetoed)).await;
    assert!(stub.contains(&format!("<h1>Working Group proposal #{}</h1>", f.vetoed.0)));
    assert!(stub.contains("its details are not public"), "{stub}");
    let json: Value = get(addr, &format!("/api/groups/{}", f.vetoed.0))
        .await
        .json()
        .await
        .unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "api",
            "ended_at",
            "id",
            "kind",
            "kind_name",
            "page",
            "proposed_at",
            "public",
            "state",
            "state_label",
            "vote_closes_at",
        ]
    );
    assert_eq!(json["public"], false);
    assert_eq!(json["state"], "vetoed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_json_and_the_feed_carry_the_same_record_with_ids_as_strings() {
    let f = fixture();
    let addr = serve(site(f).await).await;
    let r = get(addr, "/api/groups").await;
    assert_eq!(r.headers()["content-type"], "application/json");
    let list: Value = r.json().await.unwrap();
    assert_eq!(list, f.live_api, "the bot served the same list");
    let groups = list["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 6);
    assert!(groups.iter().all(|g| g["id"].is_string()), "{list:#}");
    assert_eq!(list["page"], 1);
    assert_eq!(list["pages"], 1);
    let head = Store::open_read_only(&f.db)
        .await
        .unwrap()
        .audit_head()
        .await
        .unwrap();
    assert_eq!(list["audit"]["events"], head.events);
    assert_eq!(list["audit"]["head_hash"], head.hash.as_str());
    let wg_id = f.wg.0.to_string();
    let wg = groups.iter().find(|g| g["id"] == wg_id.as_str()).unwrap();
    assert_eq!(wg["facilitators"], json!(["alice"]));
    assert_eq!(wg["activity"]["open"][0]["text"], "SEP-1234");

    let one: Value = get(addr, &format!("/api/groups/{}", f.wg.0))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["name"], "Registry");
    assert_eq!(one["votes"][0]["result"], "approved");
    assert_eq!(one["votes"][0]["electorate"], 3);
    assert_eq!(one["votes"][0]["tally"]["approve"], 3);
    assert_eq!(one["votes"][0]["ballots"], json!([]));
    assert_eq!(one["ballots"], "tally_only");
    assert_eq!(
        one,
        serde_json::from_str::<Value>(&page(addr, &format!("/api/groups/{}.json", f.wg.0)).await)
            .unwrap()
    );

    let r = get(addr, "/feed.atom").await;
    assert_eq!(
        r.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let feed = r.text().await.unwrap();
    assert!(feed.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">"
    ));
    assert!(
        feed.contains("<title>Registry (WG): created by vote</title>"),
        "{feed}"
    );
    assert!(feed.contains("<title>Security &amp; Trust (IG): created by vote</title>"));
    assert!(feed.contains("<title>Hosting (WG): retired</title>\n<updated>"));
    assert!(feed.contains(&format!(
        "<title>WG proposal #{}: vetoed</title>",
        f.vetoed.0
    )));
    assert_eq!(feed.matches("<entry>").count(), 5, "{feed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_text_is_shown_as_text_never_as_markup() {
    let f = fixture();
    let addr = serve(site(f).await).await;
    let escaped = r#"&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; see [the charter](https://evil.example/charter)"#;
    for path in ["/".to_owned(), group_page(f.ig)] {
        let html = page(addr, &path).await;
        assert!(html.contains(escaped), "{path}: {html}");
        assert!(!html.contains("<script"), "{path}");
        assert!(!html.contains("href=\"https://evil.example"), "{path}");
    }
    let json: Value = get(addr, &format!("/api/groups/{}", f.ig.0))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(json["purpose"]["text"], PURPOSE);
}

/// Every file of the site, fetched over HTTP: none holds a member id, a message id of the
/// moderators' or creation channel, a token, or an unapproved proposal's name or reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_private_is_on_any_page() {
    let f = fixture();
    let site = site(f).await;
    let addr = serve(site.clone()).await;
    let routes = site.routes().await.unwrap();
    assert!(routes.len() >= 6 * 2 + 7, "{routes:?}");
    for route in routes {
        let path = format!("/{}", route.path());
        let body = page(addr, &path).await;
        for (what, secret) in &f.private {
            assert!(!body.contains(secret), "{path} shows {what} ({secret})");
        }
        assert!(!body.contains("undefined"), "{path}");
    }
    // The channel links are the only Discord ids: the guild's and the public groups'.
    let html = page(addr, &group_page(f.ig)).await;
    assert!(html.contains(&f.ig_channel.to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_addresses_are_404_and_the_site_is_read_only() {
    let f = fixture();
    let addr = serve(site(f).await).await;
    for path in [
        "/groups/999.html",
        "/groups/0.html",
        "/groups/01.html",
        "/index-2.html",
        "/api/groups/999",
        "/nothing",
        "/groups/1/extra",
    ] {
        let r = get(addr, path).await;
        assert_eq!(r.status(), 404, "{path}");
        let html = r.text().await.unwrap();
        assert!(html.contains("<h1>Not found</h1>"), "{path}");
    }
    // A 404 page's links lead back up to the root.
    let html = get(addr, "/groups/1/extra").await.text().await.unwrap();
    assert!(html.contains("href=\"../../style.css\""), "{html}");
    let client = reqwest::Client::new();
    let r = client.post(format!("http://{addr}/")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "GET, HEAD");
    let r = client
        .head(format!("http://{addr}/index.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().is_empty());
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The export writes, for every address of the site, exactly what the server answers there; it
/// refuses a directory holding anything else and removes its own stale files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_static_export_is_the_served_site_file_for_file() {
    let f = fixture();
    let site = site(f).await;
    let addr = serve(site.clone()).await;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("public");
    let done = web::export::write(&site, &dir).await.unwrap();
    assert_eq!(done.groups, 6);
    let written = files(&dir);
    assert_eq!(written.len(), done.files + 1, "the files and the marker");
    for path in written {
        let name = path
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if name == web::export::MARKER {
            continue;
        }
        let served = page(addr, &format!("/{name}")).await;
        assert_eq!(std::fs::read_to_string(&path).unwrap(), served, "{name}");
        for (what, secret) in &f.private {
            assert!(!served.contains(secret), "{name} shows {what}");
        }
    }
    // Relative links work from a file:// copy and under any path prefix.
    let index = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(index.contains(&format!("href=\"groups/{}.html\"", f.wg.0)));
    let group = std::fs::read_to_string(dir.join(format!("groups/{}.html", f.wg.0))).unwrap();
    assert!(group.contains("href=\"../style.css\""));

    // A stale page of an earlier export is removed; files not ours are never touched.
    std::fs::write(dir.join("index-7.html"), "old").unwrap();
    let marker = dir.join(web::export::MARKER);
    let listed = std::fs::read_to_string(&marker).unwrap();
    std::fs::write(&marker, format!("{listed}index-7.html\n../outside.txt\n")).unwrap();
    std::fs::write(out.path().join("outside.txt"), "keep").unwrap();
    let again = web::export::write(&site, &dir).await.unwrap();
    assert_eq!(again.removed, 1);
    assert!(!dir.join("index-7.html").exists());
    assert!(out.path().join("outside.txt").exists());

    let other = out.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let refused = web::export::write(&site, &other).await.unwrap_err();
    assert!(refused.to_string().contains("not empty"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_bot_serves_the_site_when_web_listen_is_set() {
    let f = fixture();
    assert!(f.live_directory.contains("Security &amp; Trust"));
    assert!(f.live_directory.contains(">Registry</a>"));
    assert_eq!(f.live_api["groups"].as_array().unwrap().len(), 6);
}

/// `govbot export --format html` and `govbot web`, as an operator runs them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_exports_and_serves_the_record() {
    let f = fixture();
    let bin = env!("CARGO_BIN_EXE_govbot");
    let out = tempfile::tempdir().unwrap();
    let db = f.db.to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .args(args)
            .current_dir(out.path())
            .env_remove("GOVBOT_CONFIG")
            .env_remove("GOVBOT_DATABASE")
            .output()
            .unwrap()
    };
    let missing = run(&["--db", &db, "export", "--format", "html"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("add --output DIR"));
    let done = run(&[
        "--db", &db, "export", "--format", "html", "--output", "site",
    ]);
    assert!(done.status.success(), "{done:?}");
    assert!(String::from_utf8_lossy(&done.stdout).contains("6 group pages"));
    assert!(out.path().join("site/groups").is_dir());

    let mut child = tokio::process::Command::new(bin)
        .args(["--db", &db, "web", "--listen", "127.0.0.1:0"])
        .current_dir(out.path())
        .env_remove("GOVBOT_CONFIG")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    use tokio::io::AsyncBufReadExt as _;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let url = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line}"));
    let addr: SocketAddr = url.parse().unwrap();
    let html = page(addr, &group_page(f.wg)).await;
    assert!(html.contains("<h1 id=\"name\">Registry</h1>"));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id().unwrap() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let status = tokio::time::timeout(WAIT, child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status}");
}

/// Who voted what is shown only under `policy.ballot_visibility = "public"`, as frozen with each
/// vote and event: the same group, both ways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ballots_are_named_only_when_ballots_are_public() {
    use govbot::web::model::{self, Names};
    use govbot::web::privacy::BallotVisibility;
    let f = fixture();
    let store = Store::open_read_only(&f.db).await.unwrap();
    let s = store.group(f.wg).await.unwrap();
    let events = store.history(f.wg).await.unwrap();
    let names = Names(
        store
            .names_of(
                events
                    .iter()
                    .flat_map(|e| model::members_of_event(&e.event)),
            )
            .await
            .unwrap(),
    );
    let settings = Settings::standalone();
    let secret = model::record(&settings, &s, &events, &names, None, &[]);
    assert_eq!(secret.ballots, BallotVisibility::TallyOnly);
    assert!(secret.votes[0].ballots.is_empty());
    assert!(secret.history.iter().all(|l| !l.what.starts_with("voted")));
    // The same group had its proposal and its vote been made under
    // `policy.ballot_visibility = "public"`: each vote and event keeps the policy frozen with it.
    let mut public_group = s.clone();
    public_group.group.policy.ballot_visibility = govbot::governance::BallotVisibility::Public;
    let mut public_events = events.clone();
    for e in &mut public_events {
        e.event.policy.ballot_visibility = govbot::governance::BallotVisibility::Public;
        if let govbot::governance::EventKind::VoteOpened { rule, .. } = &mut e.event.kind {
            rule.ballot_visibility = govbot::governance::BallotVisibility::Public;
        }
    }
    let public = model::record(&settings, &public_group, &public_events, &names, None, &[]);
    assert_eq!(public.ballots, BallotVisibility::Public);
    let ballots: Vec<String> = public.votes[0]
        .ballots
        .iter()
        .map(|b| format!("{}: {}", b.voter, b.choice))
        .collect();
    assert_eq!(
        ballots,
        ["mod-ana: approve", "mod-ben: approve", "mod-cy: approve"]
    );
    let voted: Vec<&str> = public
        .history
        .iter()
        .filter(|l| l.what == "voted approve")
        .map(|l| l.who.as_str())
        .collect();
    assert_eq!(voted.len(), 3, "{:#?}", public.history);
    assert_eq!(public.history.len(), secret.history.len() + 3);
}

#[test]
fn web_settings_are_read_and_checked() {
    let base = crate::common::example::example_with_real_ids();
    let path = crate::common::example::example_path();
    let parse = |extra: &str| Config::parse(&format!("{base}\n{extra}"), &path);
    let cfg =
        parse("[web]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"https://groups.example.org\"")
            .unwrap();
    let web = cfg.web.clone().unwrap();
    assert_eq!(web.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(
        web.public_url.as_deref(),
        Some("https://groups.example.org/")
    );
    assert!(cfg.warnings().is_empty());
    assert_eq!(
        Config::parse(&base, &path).unwrap().web,
        None,
        "off by default"
    );

    let public = parse("[web]\nlisten = \"0.0.0.0:80\"").unwrap();
    assert!(
        public.warnings()[0].message.contains("TLS reverse proxy"),
        "{:?}",
        public.warnings()
    );
    for (bad, says) in [
        ("[web]\n", "add listen"),
        ("[web]\nlisten = \"localhost\"", "not an address and port"),
        (
            "[web]\nlisten = \"127.0.0.1:1\"\npublic_url = \"ftp://x\"",
            "not the address of a site",
        ),
        (
            "[web]\nlisten = \"127.0.0.1:1\"\nport = 8080",
            "unknown key",
        ),
    ] {
        let err = parse(bad).unwrap_err().to_string();
        assert!(err.contains(says), "{bad}: {err}");
    }
}

#[test]
fn routes_and_paths_agree() {
    for path in [
        "index.html",
        "index-2.html",
        "proposals.html",
        "proposals-3.html",
        "past.html",
        "past-2.html",
        "groups/7.html",
        "feed.atom",
        "style.css",
        "api/groups.json",
        "api/groups-2.json",
        "api/groups/7.json",
        "404.html",
    ] {
        let route = Route::parse(path).unwrap_or_else(|| panic!("{path}"));
        assert_eq!(route.path(), path);
    }
    for (alias, path) in [
        ("/", "index.html"),
        ("/groups/7", "groups/7.html"),
        ("/api/groups", "api/groups.json"),
        ("/api/groups/7", "api/groups/7.json"),
    ] {
        assert_eq!(Route::parse(alias).unwrap().path(), path);
    }
    for bad in [
        "index-1.html",
        "index-01.html",
        "groups/+7.html",
        "groups/-1.html",
        "groups/7.json",
        "groups/../etc/passwd",
        "api/groups/7.html",
    ] {
        assert_eq!(Route::parse(bad), None, "{bad}");
    }
}

/// Every state of a group, recorded through the store (no bot needed), shows what docs/web.md
/// says: the reversal vote running, reversals by veto and by vote, a reversal rejected, approval
/// by sponsorship, and proposals rejected and withdrawn as their few public facts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_of_a_group_shows_what_the_docs_say() {
    use govbot::governance::*;
    use govbot::store::Target;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("govbot.db");
    let store = Store::open(&path).await.unwrap();
    let t0 = t0();
    let h = |n: i64| t0 + chrono::Duration::hours(n);
    let policy = Policy::default();
    let sponsorship = Policy {
        approval: Approval::Sponsorship,
        ..Policy::default()
    };
    let alice = Actor::member(MemberId(1), []);
    let mods: Vec<Actor> = (2..=4)
        .map(|m| Actor::member(MemberId(m), [Role::Moderator]))
        .collect();
    let core = Actor::member(MemberId(7), [Role::CoreMaintainer]);
    let lead = Actor::member(MemberId(8), [Role::LeadMaintainer]);
    for (id, name) in [(1, "Alice"), (2, "Ana"), (7, "Kim"), (8, "Lee")] {
        store.remember_member(MemberId(id), name, t0).await.unwrap();
    }
    let electorate: std::collections::BTreeSet<MemberId> = (2..=4).map(MemberId).collect();
    let run = |id: Option<GroupId>, who: Actor, at, command: Command, policy: Policy| {
        let store = store.clone();
        async move {
            let target = id.map_or(Target::New, Target::Group);
            store
                .execute(target, &command, &Acting::new(&who, at, &policy), None)
                .await
                .unwrap_or_else(|e| panic!("{command:?}: {e}"))
                .id
        }
    };
    let template = |name: &str| {
        TemplateDraft::new(GroupKind::Wg)
            .name(name)
            .facilitator(MemberId(1))
            .field(Field::UseCases, "find servers")
            .field(Field::FirstItem, "SEP-1")
            .validate()
            .unwrap()
    };
    // A vote among the three moderators, `yes` of them approving, closed at its deadline.
    let vote = |id: GroupId, at, yes: usize, reversal: Option<&'static str>| {
        let (run, mods, electorate) = (&run, &mods, electorate.clone());
        async move {
            let open = match reversal {
                Some(reason) => Command::StartReversal {
                    reason: reason.into(),
                    electorate,
                },
                None => Command::CallVote { electorate },
            };
            run(Some(id), mods[0].clone(), at, open, Policy::default()).await;
            for (i, m) in mods.iter().enumerate() {
                let choice = if i < yes { Choice::Yes } else { Choice::No };
                run(
                    Some(id),
                    m.clone(),
                    at,
                    Command::Cast { choice },
                    Policy::default(),
                )
                .await;
            }
        }
    };
    let close = |id: GroupId, at| {
        run(
            Some(id),
            Actor::System,
            at,
            Command::CloseVote,
            Policy::default(),
        )
    };
    let propose = |name: &str, p: Policy| {
        run(
            None,
            alice.clone(),
            t0,
            Command::Propose {
                template: template(name),
            },
            p,
        )
    };

    let reversing = propose("Reversing", policy.clone()).await;
    vote(reversing, t0, 3, None).await;
    close(reversing, h(72)).await;
    vote(reversing, h(80), 1, Some("it duplicates another WG")).await;

    let vetoed = propose("Vetoed Later", policy.clone()).await;
    vote(vetoed, t0, 3, None).await;
    close(vetoed, h(72)).await;
    let veto = Command::Veto {
        reason: "breaks the charter".into(),
    };
    run(Some(vetoed), core.clone(), h(90), veto, policy.clone()).await;

    let kept = propose("Kept", policy.clone()).await;
    vote(kept, t0, 3, None).await;
    close(kept, h(72)).await;
    vote(kept, h(80), 1, Some("inactive")).await;
    close(kept, h(152)).await;

    let dissolved = propose("Dissolved", policy.clone()).await;
    vote(dissolved, t0, 3, None).await;
    close(dissolved, h(72)).await;
    vote(dissolved, h(80), 3, Some("no longer needed")).await;
    close(dissolved, h(152)).await;

    let sponsored = propose("Sponsored", sponsorship.clone()).await;
    run(
        Some(sponsored),
        lead.clone(),
        h(2),
        Command::Sponsor,
        sponsorship.clone(),
    )
    .await;

    let rejected = propose("Rejected Idea", policy.clone()).await;
    vote(rejected, t0, 0, None).await;
    close(rejected, h(72)).await;
    let withdrawn = propose("Withdrawn Idea", policy.clone()).await;
    run(
        Some(withdrawn),
        alice.clone(),
        h(1),
        Command::Withdraw,
        policy.clone(),
    )
    .await;
    store.close().await;

    let addr = serve(site_at(&path, 1, h(100)).await).await;
    let reading = page(addr, &group_page(reversing)).await;
    assert!(reading.contains("A vote on reversing this group's creation is running; it closes"));
    assert!(reading.contains("Reversal vote of"), "{reading}");
    assert!(reading.contains("not yet: the vote is open"), "{reading}");
    assert!(
        reading.contains("published when the vote closes"),
        "{reading}"
    );
    assert!(
        reading.contains("Reason: it duplicates another WG"),
        "{reading}"
    );

    let reading = page(addr, &group_page(vetoed)).await;
    assert!(
        reading.contains("Its creation was reversed by veto on <time datetime=\"2026-11-06T03:00:00Z\">2026-11-06</time> by Kim (core maintainer). Reason: breaks the charter."),
        "{reading}"
    );
    let reading = page(addr, &group_page(kept)).await;
    assert!(reading.contains("<strong>reversal rejected by vote; the group stays</strong>"));
    assert!(reading.contains("<span class=\"state state-active\">active</span>"));
    let reading = page(addr, &group_page(dissolved)).await;
    assert!(
        reading.contains("Its creation was reversed by vote on"),
        "{reading}"
    );
    assert!(reading.contains("Tally: 3 approve, 0 reject, 0 abstain; 0 of 3 did not vote"));
    let reading = page(addr, &group_page(sponsored)).await;
    assert!(reading.contains("No vote was held: the group was approved by sponsorship."));
    assert!(
        reading.contains("Sponsors: 0 core maintainers, 1 lead maintainer."),
        "{reading}"
    );
    assert!(reading.contains("<span class=\"who\">a lead maintainer</span> sponsored"));
    assert!(reading.contains("<span class=\"who\">the sponsorship rule</span> approved the group"));
    assert!(!reading.contains("Lee"), "a sponsor is named by role only");

    let proposals = page(addr, "/proposals.html").await;
    for (id, state) in [(rejected, "rejected"), (withdrawn, "withdrawn")] {
        let line = format!("Working Group proposal #{}</a>: {state} on", id.0);
        assert!(proposals.contains(&line), "{line}: {proposals}");
    }
    assert!(!proposals.contains("Idea"), "{proposals}");
    let past = page(addr, "/past.html").await;
    for name in ["Vetoed Later", "Dissolved"] {
        assert!(past.contains(&format!(">{name}</a>")), "{name}: {past}");
    }
    let directory = page(addr, "/").await;
    for name in ["Reversing", "Kept", "Sponsored"] {
        assert!(directory.contains(&format!(">{name}</a>")), "{name}");
    }
    assert!(directory.contains("A vote on reversing its creation closes"));
}
