//! The GitHub sync pass on a real SQLite file against the GitHub stand-in on 127.0.0.1: one test
//! per way the sync used to misread GitHub (the issue "WG activity read right from GitHub").

use crate::common::t0;
use chrono::{DateTime, Duration, Utc};
use github_standin::{
    GitHubStandIn, StandInActor, StandInDiscussion, StandInIssue, TimelineEvent, TimelineKind,
};
use govbot::clock::Clock as _;
use govbot::clock::ManualClock;
use govbot::config::GitHub;
use govbot::github::sync::{pass, SyncReport};
use govbot::github::{GitHubClient, Token};
use govbot::governance::*;
use govbot::store::{GroupId, Store, Target};
use std::collections::BTreeSet;
use tempfile::TempDir;

const ORG: &str = "org";
const REPO: &str = "repo";
const SECRET: &str = "ghp_syncTESTtoken0123456789abcdef";

fn url(n: u64) -> String {
    format!("https://github.com/{ORG}/{REPO}/issues/{n}")
}

struct World {
    _dir: TempDir,
    store: Store,
    github: GitHubStandIn,
    settings: GitHub,
    policy: Policy,
    /// The governance time, which the stand-in's clock follows (its budgets refill by it).
    now: Timestamp,
    clock: ManualClock,
}

impl World {
    async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("govbot.db")).await.unwrap();
        let clock = ManualClock::new(t0());
        let github = GitHubStandIn::start_with_clock({
            let clock = clock.clone();
            move || clock.now()
        })
        .await
        .unwrap();
        github.add_token(SECRET);
        let settings = GitHub {
            api_base: github.api_base(),
            ..GitHub::default()
        };
        World {
            _dir: dir,
            store,
            github,
            settings,
            policy: Policy::default(),
            now: t0(),
            clock,
        }
    }

    fn client(&self, token: Option<&str>) -> GitHubClient {
        GitHubClient::new(&self.github.api_base(), token.map(|t| Token::new(t.into()))).unwrap()
    }

    async fn run(&self, target: Target, command: Command, actor: &Actor) -> GroupId {
        self.store
            .execute(
                target,
                &command,
                &Acting::new(actor, self.now, &self.policy),
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{command:?}: {e}"))
            .id
    }

    /// An active WG whose first-item answer is `items`, approved by one moderator's vote.
    async fn active_wg(&mut self, name: &str, items: &str) -> GroupId {
        let template = TemplateDraft::new(GroupKind::Wg)
            .name(name)
            .facilitator(MemberId(1))
            .field(Field::UseCases, "Servers need to be found")
            .field(Field::FirstItem, items)
            .validate()
            .unwrap();
        let proposer = Actor::member(MemberId(1), []);
        let moderator = Actor::member(MemberId(100), [Role::Moderator]);
        let id = self
            .run(Target::New, Command::Propose { template }, &proposer)
            .await;
        let electorate: BTreeSet<_> = [MemberId(100)].into();
        self.run(
            Target::Group(id),
            Command::CallVote { electorate },
            &moderator,
        )
        .await;
        self.run(
            Target::Group(id),
            Command::Cast {
                choice: Choice::Yes,
            },
            &moderator,
        )
        .await;
        let closes = self.group(id).await.running_vote().unwrap().closes_at;
        self.set_now(self.now.max(closes));
        self.run(Target::Group(id), Command::CloseVote, &Actor::System)
            .await;
        let g = self.group(id).await;
        assert_eq!(g.state, GroupState::Active, "{name} is active");
        id
    }

    async fn group(&self, id: GroupId) -> Group {
        self.store.group(id).await.unwrap().group
    }

    async fn pass(&self, client: &GitHubClient) -> SyncReport {
        pass(&self.store, client, &self.settings, &self.policy, self.now)
            .await
            .unwrap()
    }

    fn advance(&mut self, by: Duration) {
        self.set_now(self.now + by);
    }

    fn set_now(&mut self, t: Timestamp) {
        self.now = t;
        self.clock.set(t);
    }

    fn open(&self, n: u64, updated: DateTime<Utc>) {
        self.github
            .set_issue(ORG, REPO, n, StandInIssue::open("An item", updated));
    }

    /// What the scheduler would do for the WG now.
    async fn due(&self, id: GroupId) -> Option<Command> {
        due_command(&self.group(id).await, self.now)
    }
}

fn item_paths(github: &GitHubStandIn) -> Vec<String> {
    github
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/repos/"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Coverage: round robin across passes, each distinct item once, closed items daily.

#[tokio::test]
async fn items_beyond_the_hourly_budget_are_read_on_the_next_pass_not_skipped_forever() {
    let mut w = World::new().await;
    // 12 WGs with 5 items each: 60 items, and GitHub's anonymous budget of 60 an hour, of which
    // govbot keeps a tenth in reserve.
    let mut groups = Vec::new();
    for g in 0..12u64 {
        let refs: Vec<String> = (1..=5).map(|i| url(g * 5 + i)).collect();
        groups.push(w.active_wg(&format!("Group {g}"), &refs.join(" ")).await);
    }
    for n in 1..=60 {
        w.open(n, w.now);
    }
    let reset = w.now + Duration::hours(1);
    w.github.set_rate_limit(60, 60, reset);
    let client = w.client(None);

    let first = w.pass(&client).await;
    assert_eq!(first.due, 60);
    assert!(
        first.paused_until.is_some(),
        "the budget ran low: {first:?}"
    );
    assert!(first.read < 60, "{first:?}");
    let read_first: BTreeSet<String> = item_paths(&w.github).into_iter().collect();

    // The next hour: GitHub's budget is back, and the pass starts with what it did not read.
    w.advance(Duration::hours(1));
    w.github.set_rate_limit(60, 60, w.now + Duration::hours(1));
    let before = w.github.request_count();
    let second = w.pass(&client).await;
    let asked_second: Vec<String> = w.github.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    let unread: BTreeSet<String> = (1..=60)
        .map(|n| format!("/repos/{ORG}/{REPO}/issues/{n}"))
        .filter(|p| !read_first.contains(p))
        .collect();
    assert!(!unread.is_empty());
    let first_asked: BTreeSet<String> = asked_second[..unread.len()].iter().cloned().collect();
    assert_eq!(
        first_asked, unread,
        "the second pass starts with the items the first did not reach"
    );
    assert!(second.read >= unread.len(), "{second:?}");
    // Every WG's items were read within the two passes: the newest WG too.
    let g = w.group(*groups.last().unwrap()).await;
    assert!(g.items.iter().all(|i| i.unreadable.is_none()), "{g:?}");
    let rows = w.store.github_sync_rows().await.unwrap();
    assert_eq!(
        rows.values().filter(|r| r.last_read_at.is_some()).count(),
        60,
        "every item has been read"
    );
}

#[tokio::test]
async fn an_item_tracked_by_two_wgs_is_read_once_and_closed_items_only_daily() {
    let mut w = World::new().await;
    let a = w
        .active_wg("Alpha", &format!("{} {}", url(1), url(2)))
        .await;
    let b = w.active_wg("Beta", &url(1)).await;
    w.open(1, w.now);
    w.github
        .set_issue(ORG, REPO, 2, StandInIssue::closed("Done", w.now));
    let client = w.client(None);

    w.advance(Duration::minutes(1));
    let report = w.pass(&client).await;
    assert_eq!(report.due, 2, "{report:?}");
    assert_eq!(
        item_paths(&w.github).len(),
        2,
        "issue 1 is asked once for both WGs"
    );
    assert_eq!(
        w.group(a).await.items[1].close_reason,
        Some(CloseReason::Completed)
    );
    assert_eq!(w.group(b).await.items.len(), 1);

    // An hour later the open item is asked again, the closed one is not; a day later it is.
    w.advance(Duration::hours(1));
    let before = w.github.request_count();
    w.pass(&client).await;
    let asked: Vec<String> = w.github.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(asked, vec![format!("/repos/{ORG}/{REPO}/issues/1")]);
    w.advance(Duration::days(1));
    let before = w.github.request_count();
    w.pass(&client).await;
    assert_eq!(w.github.request_count() - before, 2);
}

// ---------------------------------------------------------------------------------------------
// 2. Unreadable is not inactive.

#[tokio::test]
async fn an_item_github_does_not_show_pauses_the_inactivity_clock_until_it_can_be_read() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", &url(7)).await;
    // Issue 7 is not on GitHub (deleted, made private, transferred away): 404.
    let client = w.client(None);
    w.advance(Duration::hours(1));
    let report = w.pass(&client).await;
    assert_eq!(report.unreadable, 1, "{report:?}");
    let g = w.group(id).await;
    let unreadable = g.items[0].unreadable.clone().expect("marked unreadable");
    assert!(
        unreadable.reason.contains("GitHub has no org/repo#7"),
        "{unreadable:?}"
    );
    let history = w.store.history(id).await.unwrap();
    let told = history
        .iter()
        .filter(|e| matches!(e.event.kind, EventKind::ItemUnreadable { .. }))
        .count();
    assert_eq!(told, 1);

    // Well past the inactivity limit: no candidacy, no reminder; and the moderators are not told
    // again on every pass.
    for _ in 0..3 {
        w.advance(Duration::days(15));
        w.pass(&client).await;
    }
    assert_eq!(
        w.due(id).await,
        None,
        "nothing is due while an item is unreadable"
    );
    let history = w.store.history(id).await.unwrap();
    let told = history
        .iter()
        .filter(|e| matches!(e.event.kind, EventKind::ItemUnreadable { .. }))
        .count();
    assert_eq!(told, 1, "the moderators are told once");

    // Readable again (access granted): the mark goes, and the clock counts from its activity.
    w.open(7, w.now - Duration::days(2));
    w.advance(Duration::hours(1));
    w.pass(&client).await;
    let g = w.group(id).await;
    assert_eq!(g.items[0].unreadable, None);
    assert_eq!(
        g.items[0].last_activity,
        w.now - Duration::days(2) - Duration::hours(1)
    );
    assert_eq!(w.due(id).await, None);
}

#[tokio::test]
async fn a_refused_token_marks_items_unreadable_with_what_to_fix() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", &url(7)).await;
    w.open(7, w.now);
    w.github.set_token(Some("the-right-one"));
    let client = w.client(Some(SECRET));
    w.advance(Duration::hours(1));
    let report = w.pass(&client).await;
    assert_eq!(report.unreadable, 1, "{report:?}");
    let reason = w.group(id).await.items[0]
        .unreadable
        .clone()
        .unwrap()
        .reason;
    assert!(
        reason.contains("401") && reason.contains("GITHUB_TOKEN"),
        "{reason}"
    );
    assert!(!reason.contains(SECRET));
}

#[tokio::test]
async fn an_item_not_read_for_two_intervals_for_any_reason_is_marked_unreadable() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", &url(7)).await;
    w.open(7, w.now);
    let client = w.client(None);
    w.advance(Duration::minutes(1));
    w.pass(&client).await;
    assert_eq!(w.group(id).await.items[0].unreadable, None);

    // GitHub answers 500 from now on: one interval is a blip, two are a problem to report.
    w.github.fail_with(Some(502));
    w.advance(Duration::hours(1));
    let report = w.pass(&client).await;
    assert_eq!((report.failed, report.unreadable), (1, 0), "{report:?}");
    w.advance(Duration::hours(1));
    let report = w.pass(&client).await;
    assert_eq!(report.unreadable, 1, "{report:?}");
    let reason = w.group(id).await.items[0]
        .unreadable
        .clone()
        .unwrap()
        .reason;
    assert!(
        reason.contains("not read from GitHub since") && reason.contains("502"),
        "{reason}"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Only references govbot can follow.

#[test]
fn references_govbot_cannot_follow_are_refused_at_intake_with_the_way_out() {
    for (answer, why) in [
        ("https://github.com/org/repo/discussions", "a list"),
        ("https://docs.google.com/document/d/1x", "not on github.com"),
        (
            "https://github.com/org/repo/pull/5.diff",
            "link the PR itself",
        ),
        (
            "https://github.com/org/repo/issues?q=label%3Asep",
            "a search",
        ),
        ("https://github.com/orgs/org/projects/3", "project board"),
    ] {
        let errors = TemplateDraft::new(GroupKind::Wg)
            .name("Registry")
            .facilitator(MemberId(1))
            .field(Field::UseCases, "Servers need to be found")
            .field(Field::FirstItem, answer)
            .validate()
            .unwrap_err();
        let shown = errors.to_string();
        assert!(shown.contains(why), "{answer}: {shown}");
        assert!(
            shown.contains("manual:") || why == "link the PR itself",
            "{answer}: {shown}"
        );
    }
}

#[tokio::test]
async fn every_reference_in_the_answer_is_tracked_and_a_manual_item_is_never_asked_about() {
    let mut w = World::new().await;
    let id = w
        .active_wg(
            "Registry",
            &format!(
                "SEP-1234, {} and https://github.com/org/repo/discussions/9",
                url(3)
            ),
        )
        .await;
    let items: Vec<ItemRef> = w
        .group(id)
        .await
        .items
        .into_iter()
        .map(|i| i.item)
        .collect();
    assert_eq!(
        items,
        vec![
            ItemRef::Sep(1234),
            ItemRef::Url(url(3)),
            ItemRef::Url("https://github.com/org/repo/discussions/9".into()),
        ]
    );
    let manual = w
        .active_wg("Docs", "manual: https://docs.google.com/document/d/1x")
        .await;
    w.open(3, w.now);
    w.github.set_issue(
        "modelcontextprotocol",
        "modelcontextprotocol",
        1234,
        StandInIssue::open("SEP-1234", w.now),
    );
    w.advance(Duration::minutes(5));
    let report = w.pass(&w.client(None)).await;
    // Without a token a Discussion cannot be read (GraphQL only): unreadable, with the fix.
    let g = w.group(id).await;
    let reason = g.items[2]
        .unreadable
        .clone()
        .expect("the Discussion")
        .reason;
    assert!(reason.contains("GITHUB_TOKEN"), "{reason}");
    assert_eq!(report.read, 2, "{report:?}");
    assert!(item_paths(&w.github).iter().all(|p| !p.contains("docs")));
    assert_eq!(w.group(manual).await.items[0].unreadable, None);
}

// ---------------------------------------------------------------------------------------------
// 4 and 5. State as GitHub has it: reopened items reopen; close reasons are kept.

#[tokio::test]
async fn an_item_reopened_on_github_reopens_and_clears_all_items_completed() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", &url(7)).await;
    w.github
        .set_issue(ORG, REPO, 7, StandInIssue::closed("Done", w.now));
    let client = w.client(None);
    w.advance(Duration::minutes(1));
    w.pass(&client).await;
    assert_eq!(w.due(id).await, Some(Command::FlagRetirementCandidate));

    w.advance(Duration::days(1));
    w.open(7, w.now);
    let report = w.pass(&client).await;
    assert_eq!(report.reopened, 1, "{report:?}");
    let g = w.group(id).await;
    assert_eq!(
        (g.items[0].completed_at, g.items[0].close_reason),
        (None, None)
    );
    assert_eq!(w.due(id).await, None, "work resumed: not a candidate");
}

#[tokio::test]
async fn a_person_marking_an_item_done_stands_while_it_stays_open_on_github() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", &url(7)).await;
    w.open(7, w.now);
    w.run(
        Target::Group(id),
        Command::CompleteItem {
            item: ItemRef::Url(url(7)),
            reason: CloseReason::ByHand,
        },
        &Actor::member(MemberId(1), []),
    )
    .await;
    w.advance(Duration::days(2));
    let report = w.pass(&w.client(None)).await;
    assert_eq!(report.reopened, 0, "{report:?}");
    assert_eq!(
        w.group(id).await.items[0].close_reason,
        Some(CloseReason::ByHand)
    );
}
#[tokio::test]
async fn close_reasons_are_kept_and_shown_in_the_candidacy() {
    let mut w = World::new().await;
    let id = w
        .active_wg("Registry", &format!("{} {} {}", url(1), url(2), url(3)))
        .await;
    w.github.set_issue(
        ORG,
        REPO,
        1,
        StandInIssue::closed("Won't do", w.now).closed_as("not_planned"),
    );
    w.github.set_issue(
        ORG,
        REPO,
        2,
        StandInIssue::closed("Abandoned", w.now).pull(None),
    );
    w.github.set_issue(
        ORG,
        REPO,
        3,
        StandInIssue::closed("Shipped", w.now).pull(Some(w.now)),
    );
    w.advance(Duration::minutes(1));
    w.pass(&w.client(None)).await;
    let g = w.group(id).await;
    let reasons: Vec<_> = g.items.iter().map(|i| i.close_reason).collect();
    assert_eq!(
        reasons,
        vec![
            Some(CloseReason::NotPlanned),
            Some(CloseReason::ClosedUnmerged),
            Some(CloseReason::Merged)
        ]
    );
    let notice = govbot::discord::messages::notices::retirement_candidate(
        &g,
        w.now,
        RetirementCause::AllItemsCompleted,
    )
    .unwrap();
    let shown = format!("{notice:?}");
    assert!(
        shown.contains("closed as not planned (**not done**)")
            && shown.contains("closed without being merged (**not done**)")
            && shown.contains(&format!("{}: merged", url(3))),
        "{shown}"
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Activity as the spec means it: a person's, through GraphQL when a token is set.

fn event(kind: TimelineKind, who: StandInActor, at: Timestamp) -> TimelineEvent {
    TimelineEvent::new(kind, who, at)
}

#[tokio::test]
async fn with_a_token_items_are_read_in_batches_and_bots_are_not_activity() {
    let mut w = World::new().await;
    let mut groups = Vec::new();
    for g in 0..12u64 {
        let refs: Vec<String> = (1..=5).map(|i| url(g * 5 + i)).collect();
        groups.push(w.active_wg(&format!("Group {g}"), &refs.join(" ")).await);
    }
    let person = w.now + Duration::days(1);
    let bot = w.now + Duration::days(9);
    for n in 1..=60 {
        let issue = StandInIssue::open("An item", bot)
            .with_event(event(
                TimelineKind::Comment,
                StandInActor::person("alice"),
                person,
            ))
            .with_event(event(
                TimelineKind::Labeled,
                StandInActor::person("bob"),
                bot,
            ))
            .with_event(event(
                TimelineKind::Comment,
                StandInActor::bot("stale[bot]"),
                bot,
            ));
        w.github.set_issue(ORG, REPO, n, issue);
    }
    w.advance(Duration::days(10));
    let report = w.pass(&w.client(Some(SECRET))).await;
    assert_eq!((report.due, report.read), (60, 60), "{report:?}");
    let paths: Vec<String> = w.github.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        vec!["/graphql", "/graphql"],
        "two queries of up to 50 items"
    );
    for id in groups {
        let g = w.group(id).await;
        assert!(
            g.items.iter().all(|i| i.last_activity == person),
            "a person's comment counts, a bot's comment and a label do not: {:?}",
            g.items
        );
    }
}

#[tokio::test]
async fn work_in_an_untracked_pr_that_references_a_tracked_issue_keeps_the_wg_alive() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", "SEP-1234").await;
    let commit = w.now + Duration::days(20);
    w.github.set_issue(
        ORG,
        REPO,
        77,
        StandInIssue::open("Implement SEP-1234", commit)
            .pull(None)
            .with_event(event(
                TimelineKind::Commit,
                StandInActor::person("alice"),
                commit,
            )),
    );
    w.github.set_issue(
        "modelcontextprotocol",
        "modelcontextprotocol",
        1234,
        StandInIssue::open("SEP-1234: Registry", w.now).with_event(event(
            TimelineKind::CrossReference {
                source: (ORG.into(), REPO.into(), 77),
            },
            StandInActor::person("alice"),
            w.now + Duration::days(1),
        )),
    );
    w.advance(Duration::days(25));
    w.pass(&w.client(Some(SECRET))).await;
    assert_eq!(w.group(id).await.items[0].last_activity, commit);
}

#[tokio::test]
async fn a_discussion_is_followed_with_a_token_and_its_resolution_kept() {
    let mut w = World::new().await;
    let discussion = "https://github.com/org/repo/discussions/9";
    let id = w.active_wg("Registry", discussion).await;
    let comment = w.now + Duration::days(3);
    w.github.set_discussion(
        ORG,
        REPO,
        9,
        StandInDiscussion {
            title: "Design".into(),
            closed: true,
            state_reason: Some("RESOLVED".into()),
            created_at: w.now,
            updated_at: w.now + Duration::days(4),
            closed_at: Some(w.now + Duration::days(4)),
            comments: vec![
                (StandInActor::person("carol"), comment),
                (
                    StandInActor::bot("github-actions[bot]"),
                    w.now + Duration::days(4),
                ),
            ],
        },
    );
    w.advance(Duration::days(5));
    let report = w.pass(&w.client(Some(SECRET))).await;
    assert_eq!(report.read, 1, "{report:?}");
    let item = &w.group(id).await.items[0];
    assert_eq!(item.last_activity, comment.max(item.completed_at.unwrap()));
    assert_eq!(item.close_reason, Some(CloseReason::Resolved));
    assert_eq!(item.unreadable, None);
}

#[tokio::test]
async fn a_spent_graphql_budget_pauses_the_pass_which_resumes_after_the_reset() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", &url(1)).await;
    w.open(1, w.now);
    let reset = w.now + Duration::minutes(30);
    w.github.set_graphql_rate_limit(SECRET, 5000, 0, reset);
    w.advance(Duration::minutes(1));
    let client = w.client(Some(SECRET));
    let report = w.pass(&client).await;
    assert!(
        report.paused_until.is_some_and(|u| u >= reset),
        "{report:?}"
    );
    assert_eq!(report.read, 0);
    assert_eq!(
        w.group(id).await.items[0].unreadable,
        None,
        "a pause is not a failure"
    );
    w.set_now(reset + Duration::minutes(1));
    w.github
        .set_graphql_rate_limit(SECRET, 5000, 5000, w.now + Duration::hours(1));
    let report = w.pass(&client).await;
    assert_eq!(report.read, 1, "{report:?}");
}

// ---------------------------------------------------------------------------------------------
// GitHub's other answers: moves, conditional requests, deletions, single sign-on.

#[tokio::test]
async fn a_moved_item_is_followed_to_its_new_place() {
    let mut w = World::new().await;
    let id = w.active_wg("Registry", &url(7)).await;
    w.github
        .set_issue("new-org", "new-repo", 3, StandInIssue::open("Moved", w.now));
    w.github
        .move_issue((ORG, REPO, 7), ("new-org", "new-repo", 3));
    w.advance(Duration::hours(1));
    let report = w.pass(&w.client(None)).await;
    assert_eq!(report.moved, 1, "{report:?}");
    let g = w.group(id).await;
    assert_eq!(
        g.items[0].item,
        ItemRef::Url("https://github.com/new-org/new-repo/issues/3".into())
    );
    // From now on the new place is asked directly.
    w.advance(Duration::hours(1));
    let before = w.github.request_count();
    w.pass(&w.client(None)).await;
    let asked: Vec<String> = w.github.requests()[before..]
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(asked, vec!["/repos/new-org/new-repo/issues/3"]);
}

#[tokio::test]
async fn with_a_token_a_moved_or_deleted_item_is_told_apart_from_a_missing_one() {
    let mut w = World::new().await;
    let moved = w.active_wg("Registry", &url(7)).await;
    let deleted = w.active_wg("Archive", &url(8)).await;
    w.github
        .set_issue("new-org", "new-repo", 3, StandInIssue::open("Moved", w.now));
    w.github
        .move_issue((ORG, REPO, 7), ("new-org", "new-repo", 3));
    w.open(8, w.now);
    w.github.delete_issue(ORG, REPO, 8);
    w.advance(Duration::hours(1));
    let report = w.pass(&w.client(Some(SECRET))).await;
    assert_eq!(report.moved, 1, "{report:?}");
    assert_eq!(
        w.group(moved).await.items[0].item,
        ItemRef::Url("https://github.com/new-org/new-repo/issues/3".into())
    );
    let reason = w.group(deleted).await.items[0]
        .unreadable
        .clone()
        .unwrap()
        .reason;
    assert!(reason.contains("was deleted"), "{reason}");
}

#[tokio::test]
async fn an_unchanged_item_is_asked_with_its_etag_and_answered_not_modified() {
    let mut w = World::new().await;
    w.active_wg("Registry", &url(7)).await;
    w.open(7, w.now);
    let client = w.client(None);
    w.advance(Duration::hours(1));
    w.pass(&client).await;
    w.advance(Duration::hours(1));
    let report = w.pass(&client).await;
    assert_eq!((report.read, report.not_modified), (1, 1), "{report:?}");
    let last = w.github.requests().pop().unwrap();
    assert!(last.header("if-none-match").is_some(), "{last:?}");
}

#[tokio::test]
async fn deleted_items_and_sso_refusals_are_unreadable_with_their_reason() {
    let mut w = World::new().await;
    let deleted = w.active_wg("Registry", &url(7)).await;
    let sso = w
        .active_wg("Locked", "https://github.com/locked-org/repo/issues/1")
        .await;
    w.open(7, w.now);
    w.github
        .set_issue("locked-org", "repo", 1, StandInIssue::open("Locked", w.now));
    w.github.delete_issue(ORG, REPO, 7);
    w.github.sso_protect("locked-org");
    w.advance(Duration::hours(1));
    // GitHub says "deleted" (410) only through REST; SAML single sign-on refuses a token.
    for (id, token, what) in [(deleted, None, "was deleted"), (sso, Some(SECRET), "SAML")] {
        w.pass(&w.client(token)).await;
        let reason = w.group(id).await.items[0]
            .unreadable
            .clone()
            .map(|u| u.reason)
            .unwrap_or_default();
        assert!(reason.contains(what), "{what}: {reason:?}");
    }
}
