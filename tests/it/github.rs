//! The GitHub client against the local GitHub stand-in on 127.0.0.1: never the network.

use crate::common::t0;
use chrono::{DateTime, Duration, Utc};
use github_standin::{GitHubStandIn, StandInIssue};
use govbot::github::{
    parse_item, to_activity, Fetched, GitHubClient, GitHubError, GitHubItem, ItemKind, ItemState,
    Token, TOKEN_VAR,
};
use govbot::governance::{CloseReason, ItemRef};
use std::time::Duration as StdDuration;

/// A token that is plainly a test's, long enough that finding it in a message is no accident.
const SECRET: &str = "ghp_standinSECRETtoken0123456789abcdef";

/// Every call to the stand-in is bounded, so a hung test fails instead of waiting forever.
const BOUND: StdDuration = StdDuration::from_secs(10);

fn item(owner: &str, repo: &str, number: u64, kind: ItemKind) -> GitHubItem {
    GitHubItem {
        owner: owner.into(),
        repo: repo.into(),
        number,
        kind,
    }
}

/// A stand-in whose clock stands at [`t0`] (so the budgets the tests set do not refill on their
/// own) and which accepts [`SECRET`], as GitHub accepts only the tokens it issued.
async fn standin() -> GitHubStandIn {
    let github = GitHubStandIn::start_with_clock(t0).await.unwrap();
    github.add_token(SECRET);
    github
}

fn client(github: &GitHubStandIn, token: Option<&str>) -> GitHubClient {
    GitHubClient::new(&github.api_base(), token.map(|t| Token::new(t.into()))).unwrap()
}

async fn fetch(
    client: &GitHubClient,
    item: &GitHubItem,
    now: DateTime<Utc>,
) -> Result<govbot::github::ItemStatus, GitHubError> {
    let fetched = tokio::time::timeout(BOUND, client.fetch(item, None, now))
        .await
        .expect("the client answered within the bound")?;
    match fetched {
        Fetched::Changed { status, .. } => Ok(status),
        Fetched::NotModified => panic!("no ETag was sent, so nothing can be 'not modified'"),
    }
}

fn assert_secret_free(err: &GitHubError) {
    let shown = format!("{err} / {err:?}");
    assert!(!shown.contains(SECRET), "the token leaked: {shown}");
    assert!(
        !shown.contains("standinSECRET"),
        "part of the token leaked: {shown}"
    );
}

// ---------------------------------------------------------------------------------------------
// References

#[test]
fn urls_are_understood_the_way_people_paste_them() {
    let issue = |n| Some(item("org", "repo", n, ItemKind::Issue));
    let pull = |n| Some(item("org", "repo", n, ItemKind::Pull));
    let cases = [
        ("https://github.com/org/repo/issues/7", issue(7)),
        ("https://github.com/org/repo/issues/7/", issue(7)),
        (
            "https://github.com/org/repo/issues/7#issuecomment-1",
            issue(7),
        ),
        ("https://github.com/org/repo/issues/7?q=is%3Aopen", issue(7)),
        ("http://www.github.com/org/repo/issues/7", issue(7)),
        ("https://GitHub.com/org/repo/issues/7", issue(7)),
        ("https://github.com/org/repo/pull/12", pull(12)),
        ("https://github.com/org/repo/pull/12/", pull(12)),
        ("https://github.com/org/repo/pull/12/files", pull(12)),
        (
            "https://github.com/org/repo/pull/12/files#diff-abc",
            pull(12),
        ),
        (
            "https://github.com/org/repo/pull/12/commits/abc123",
            pull(12),
        ),
        (
            "https://github.com/my-org/my.repo_2/issues/3",
            Some(item("my-org", "my.repo_2", 3, ItemKind::Issue)),
        ),
        (
            "https://github.com/org/repo/discussions/7",
            Some(item("org", "repo", 7, ItemKind::Discussion)),
        ),
        // Not an Issue, PR or Discussion of github.com.
        ("https://github.com/org/repo", None),
        ("https://github.com/org/repo/issues", None),
        ("https://github.com/org/repo/issues/", None),
        ("https://github.com/org/repo/issues/x7", None),
        ("https://github.com/org/repo/issues/+7", None),
        ("https://github.com/org/repo/issues/0", None),
        ("https://gitlab.com/org/repo/issues/7", None),
        ("https://github.com.evil.example/org/repo/issues/7", None),
        ("https://github.com/org/../issues/7", None),
        ("https://github.com/o%2Fx/repo/issues/7", None),
        ("ftp://github.com/org/repo/issues/7", None),
        ("not a url", None),
    ];
    for (url, want) in cases {
        assert_eq!(parse_item(&ItemRef::Url(url.into()), None), want, "{url}");
    }
}

#[test]
fn a_sep_is_an_item_of_the_configured_repository() {
    let sep_repo = Some(("modelcontextprotocol", "modelcontextprotocol"));
    assert_eq!(
        parse_item(&ItemRef::Sep(1686), sep_repo),
        Some(item(
            "modelcontextprotocol",
            "modelcontextprotocol",
            1686,
            ItemKind::Issue
        ))
    );
    assert_eq!(parse_item(&ItemRef::Sep(1686), None), None);
    assert_eq!(parse_item(&ItemRef::Sep(0), sep_repo), None);
    assert_eq!(parse_item(&ItemRef::Sep(1), Some(("org", "a/b"))), None);
    // A URL ignores the SEP repository.
    assert_eq!(
        parse_item(
            &ItemRef::Url("https://github.com/org/repo/pull/5".into()),
            sep_repo
        ),
        Some(item("org", "repo", 5, ItemKind::Pull))
    );
}

#[test]
fn the_token_never_prints() {
    let token = Token::new(SECRET.into());
    assert_eq!(format!("{token}"), "Token(***)");
    assert_eq!(format!("{token:?}"), "Token(***)");
    let client = GitHubClient::new("http://127.0.0.1:9", Some(token)).unwrap();
    assert!(!format!("{client:?}").contains(SECRET));
}

#[test]
fn a_bad_api_base_is_refused() {
    for base in ["", "api.github.com", "ftp://example.org"] {
        let err = GitHubClient::new(base, None).unwrap_err();
        assert!(matches!(err, GitHubError::Setup { .. }), "{base}: {err}");
    }
    let err = GitHubClient::new(
        "https://api.github.com",
        Some(Token::new("bad\ntoken".into())),
    )
    .unwrap_err();
    assert!(matches!(err, GitHubError::Setup { .. }), "{err}");
    assert!(!err.to_string().contains("bad\ntoken"));
}

// ---------------------------------------------------------------------------------------------
// States

#[tokio::test]
async fn an_open_issue_is_open_with_its_last_update() {
    let github = standin().await;
    let updated = t0() - Duration::days(3);
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", updated));
    let client = client(&github, None);

    let status = fetch(&client, &item("org", "repo", 7, ItemKind::Issue), t0())
        .await
        .unwrap();
    assert_eq!(status.state, ItemState::Open);
    assert_eq!(status.kind, ItemKind::Issue);
    assert_eq!(status.updated_at, updated);
    assert_eq!(status.closed_at, None);
    assert_eq!(to_activity(&status), (Some(updated), None));

    let requests = github.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/repos/org/repo/issues/7");
}

#[tokio::test]
async fn a_closed_issue_is_closed_and_completed() {
    let github = standin().await;
    let closed = t0() - Duration::hours(5);
    github.set_issue("org", "repo", 8, StandInIssue::closed("Done", closed));
    let client = client(&github, None);

    let status = fetch(&client, &item("org", "repo", 8, ItemKind::Issue), t0())
        .await
        .unwrap();
    assert_eq!(status.state, ItemState::Closed(CloseReason::Completed));
    assert_eq!(status.closed_at, Some(closed));
    assert_eq!(
        to_activity(&status),
        (Some(closed), Some(CloseReason::Completed))
    );
}

#[tokio::test]
async fn a_merged_pr_is_merged_and_completed() {
    let github = standin().await;
    let merged = t0() - Duration::hours(1);
    github.set_issue(
        "org",
        "repo",
        12,
        StandInIssue::closed("Add tasks", merged).pull(Some(merged)),
    );
    let client = client(&github, None);

    let status = fetch(&client, &item("org", "repo", 12, ItemKind::Pull), t0())
        .await
        .unwrap();
    assert_eq!(status.state, ItemState::Closed(CloseReason::Merged));
    assert_eq!(status.kind, ItemKind::Pull);
    assert_eq!(
        to_activity(&status),
        (Some(merged), Some(CloseReason::Merged))
    );
}

#[tokio::test]
async fn a_pr_closed_without_merging_is_closed_and_an_open_one_open() {
    let github = standin().await;
    let closed = t0() - Duration::hours(2);
    github.set_issue(
        "org",
        "repo",
        13,
        StandInIssue::closed("Abandoned", closed).pull(None),
    );
    github.set_issue(
        "org",
        "repo",
        14,
        StandInIssue::open("Draft", closed).pull(None),
    );
    let client = client(&github, None);

    let status = fetch(&client, &item("org", "repo", 13, ItemKind::Pull), t0())
        .await
        .unwrap();
    assert_eq!(
        (status.state, status.kind),
        (
            ItemState::Closed(CloseReason::ClosedUnmerged),
            ItemKind::Pull
        )
    );
    assert_eq!(
        to_activity(&status),
        (Some(closed), Some(CloseReason::ClosedUnmerged))
    );

    let status = fetch(&client, &item("org", "repo", 14, ItemKind::Pull), t0())
        .await
        .unwrap();
    assert_eq!(
        (status.state, status.kind),
        (ItemState::Open, ItemKind::Pull)
    );
    assert_eq!(to_activity(&status), (Some(closed), None));
}

#[tokio::test]
async fn a_sep_is_read_from_the_sep_repository_whether_issue_or_pr() {
    let github = standin().await;
    let merged = t0() - Duration::days(1);
    github.set_issue(
        "modelcontextprotocol",
        "modelcontextprotocol",
        1686,
        StandInIssue::closed("SEP-1686: Tasks", merged).pull(Some(merged)),
    );
    let client = client(&github, None);
    let sep = parse_item(
        &ItemRef::Sep(1686),
        Some(("modelcontextprotocol", "modelcontextprotocol")),
    )
    .unwrap();

    let status = fetch(&client, &sep, t0()).await.unwrap();
    assert_eq!(
        (status.state, status.kind),
        (ItemState::Closed(CloseReason::Merged), ItemKind::Pull)
    );
    assert_eq!(
        github.requests()[0].path,
        "/repos/modelcontextprotocol/modelcontextprotocol/issues/1686"
    );
}

// ---------------------------------------------------------------------------------------------
// Errors

#[tokio::test]
async fn a_missing_item_is_not_found_and_says_it_may_be_private() {
    let github = standin().await;
    let client = client(&github, None);

    let err = fetch(&client, &item("org", "repo", 404, ItemKind::Issue), t0())
        .await
        .unwrap_err();
    assert_eq!(
        err,
        GitHubError::NotFound {
            item: "org/repo#404".into()
        }
    );
    let message = err.to_string();
    assert!(message.contains("org/repo#404"), "{message}");
    assert!(message.contains("private"), "{message}");
    assert_eq!(github.request_count(), 1);
}

#[tokio::test]
async fn a_bad_token_is_unauthorized_and_never_shown() {
    let github = standin().await;
    github.set_token(Some("the-right-token"));
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    let client = client(&github, Some(SECRET));

    let err = fetch(&client, &item("org", "repo", 7, ItemKind::Issue), t0())
        .await
        .unwrap_err();
    assert_eq!(err, GitHubError::Unauthorized);
    assert!(err.to_string().contains(TOKEN_VAR), "{err}");
    assert_secret_free(&err);
    // The token was sent, so its absence from the message is not for want of one.
    assert_eq!(
        github.requests()[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
}

#[tokio::test]
async fn no_token_where_one_is_required_is_unauthorized() {
    let github = standin().await;
    github.require_auth(true);
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    let client = client(&github, None);

    let err = fetch(&client, &item("org", "repo", 7, ItemKind::Issue), t0())
        .await
        .unwrap_err();
    assert_eq!(err, GitHubError::Unauthorized);
    assert!(!github.requests()[0].has_authorization());
}

#[tokio::test]
async fn no_error_shows_the_token() {
    let github = standin().await;
    let client = client(&github, Some(SECRET));
    let issue = item("org", "repo", 7, ItemKind::Issue);
    let mut errors = Vec::new();

    errors.push(fetch(&client, &issue, t0()).await.unwrap_err()); // 404
    github.fail_with(Some(500));
    errors.push(fetch(&client, &issue, t0()).await.unwrap_err());
    github.fail_with(None);
    github.set_token(Some("another"));
    errors.push(fetch(&client, &issue, t0()).await.unwrap_err()); // 401
    github.set_token(Some(SECRET));
    github.set_rate_limit(60, 0, t0() + Duration::minutes(30));
    errors.push(fetch(&client, &issue, t0()).await.unwrap_err()); // 403 rate limit
    let nowhere = GitHubClient::new(&unused_base().await, Some(Token::new(SECRET.into()))).unwrap();
    errors.push(fetch(&nowhere, &issue, t0()).await.unwrap_err());

    assert_eq!(errors.len(), 5);
    for err in &errors {
        assert_secret_free(err);
    }
    assert!(matches!(errors[0], GitHubError::NotFound { .. }));
    assert!(matches!(errors[1], GitHubError::Http { status: 500, .. }));
    assert!(matches!(errors[2], GitHubError::Unauthorized));
    assert!(matches!(errors[3], GitHubError::RateLimited { .. }));
    assert!(matches!(errors[4], GitHubError::Unreachable { .. }));
}

#[tokio::test]
async fn a_server_error_is_reported_and_does_not_pause() {
    let github = standin().await;
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    let client = client(&github, None);
    let issue = item("org", "repo", 7, ItemKind::Issue);

    github.fail_with(Some(500));
    let err = fetch(&client, &issue, t0()).await.unwrap_err();
    let GitHubError::Http { status, message } = &err else {
        panic!("expected an HTTP error, got {err:?}");
    };
    assert_eq!(*status, 500);
    assert!(message.contains("Server Error"), "{message}");
    assert!(message.contains("org/repo#7"), "{message}");

    // A 403 that is not about rate limits (e.g. a permission) is an error, not a pause.
    github.fail_with(Some(403));
    let err = fetch(&client, &issue, t0()).await.unwrap_err();
    assert!(
        matches!(err, GitHubError::Forbidden { .. }) && err.is_persistent(),
        "{err:?}"
    );
    assert_eq!(client.paused_until(t0()), None);

    github.fail_with(None);
    fetch(&client, &issue, t0()).await.unwrap();
    assert_eq!(github.request_count(), 3);
}

/// A base URL on 127.0.0.1 where nothing listens.
async fn unused_base() -> String {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn nothing_listening_or_no_answer_is_unreachable() {
    let nowhere = GitHubClient::new(&unused_base().await, None).unwrap();
    let issue = item("org", "repo", 7, ItemKind::Issue);
    let err = fetch(&nowhere, &issue, t0()).await.unwrap_err();
    assert!(matches!(err, GitHubError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().starts_with("cannot reach GitHub"), "{err}");

    let github = standin().await;
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    github.set_delay(Some(StdDuration::from_secs(5)));
    let slow = client(&github, None).with_timeout(StdDuration::from_millis(200));
    let err = fetch(&slow, &issue, t0()).await.unwrap_err();
    assert!(matches!(err, GitHubError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("200ms"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Headers and rate limits

#[tokio::test]
async fn the_client_sends_the_api_version_and_its_token() {
    let github = standin().await;
    github.set_token(Some(SECRET));
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    let issue = item("org", "repo", 7, ItemKind::Issue);

    fetch(&client(&github, Some(SECRET)), &issue, t0())
        .await
        .unwrap();
    fetch(&client(&github, None), &issue, t0()).await.unwrap();

    let requests = github.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(
            request.header("accept"),
            Some("application/vnd.github+json")
        );
        assert_eq!(request.header("x-github-api-version"), Some("2022-11-28"));
        assert_eq!(request.header("user-agent"), Some("govbot"));
    }
    assert_eq!(
        requests[0].header("authorization"),
        Some(format!("Bearer {SECRET}").as_str())
    );
    assert!(!requests[1].has_authorization());
}

#[tokio::test]
async fn a_spent_budget_pauses_the_client_until_the_reset() {
    let github = standin().await;
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    let reset = t0() + Duration::minutes(30);
    github.set_rate_limit(5000, 0, reset);
    let client = client(&github, Some(SECRET));
    let issue = item("org", "repo", 7, ItemKind::Issue);

    let err = fetch(&client, &issue, t0()).await.unwrap_err();
    assert_eq!(err, GitHubError::RateLimited { until: reset });
    assert_eq!(github.request_count(), 1);
    assert_eq!(client.paused_until(t0()), Some(reset));

    // Until the reset, nothing is sent.
    for now in [
        t0(),
        t0() + Duration::minutes(10),
        reset - Duration::seconds(1),
    ] {
        let err = fetch(&client, &issue, now).await.unwrap_err();
        assert_eq!(err, GitHubError::RateLimited { until: reset });
    }
    assert_eq!(github.request_count(), 1);

    // GitHub refills the budget at the reset; the client asks again from then on.
    github.set_rate_limit(5000, 5000, reset + Duration::hours(1));
    let status = fetch(&client, &issue, reset).await.unwrap();
    assert_eq!(status.state, ItemState::Open);
    assert_eq!(github.request_count(), 2);
    assert_eq!(client.paused_until(reset), None);
    assert_eq!(client.rate_limit().map(|r| r.remaining), Some(4999));
}

#[tokio::test]
async fn a_secondary_limit_waits_as_long_as_retry_after_says() {
    let github = standin().await;
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    github.answer_429_next(120);
    let client = client(&github, Some(SECRET));
    let issue = item("org", "repo", 7, ItemKind::Issue);

    let err = fetch(&client, &issue, t0()).await.unwrap_err();
    let until = t0() + Duration::seconds(120);
    assert_eq!(err, GitHubError::RateLimited { until });
    assert!(err.to_string().contains("rate limit"), "{err}");

    let err = fetch(&client, &issue, t0() + Duration::seconds(119))
        .await
        .unwrap_err();
    assert_eq!(err, GitHubError::RateLimited { until });
    assert_eq!(github.request_count(), 1);

    fetch(&client, &issue, until).await.unwrap();
    assert_eq!(github.request_count(), 2);
}

#[tokio::test]
async fn a_low_budget_pauses_the_client_before_it_is_spent() {
    let github = standin().await;
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    let reset = t0() + Duration::minutes(45);
    // 11 of 100 left: the first call leaves 10, a tenth, which is still enough to go on.
    github.set_rate_limit(100, 11, reset);
    let client = client(&github, Some(SECRET));
    let issue = item("org", "repo", 7, ItemKind::Issue);

    fetch(&client, &issue, t0()).await.unwrap();
    assert_eq!(client.paused_until(t0()), None);
    // The second leaves 9, under a tenth: its answer is kept, and then the client pauses.
    fetch(&client, &issue, t0()).await.unwrap();
    assert_eq!(client.paused_until(t0()), Some(reset));
    let rate = client.rate_limit().unwrap();
    assert_eq!((rate.limit, rate.remaining, rate.reset), (100, 9, reset));

    let err = fetch(&client, &issue, t0() + Duration::minutes(44))
        .await
        .unwrap_err();
    assert_eq!(err, GitHubError::RateLimited { until: reset });
    assert_eq!(github.request_count(), 2);
    assert_eq!(github.rate_limit().1, 9, "the reserve is left untouched");

    github.set_rate_limit(100, 100, reset + Duration::hours(1));
    fetch(&client, &issue, reset).await.unwrap();
    assert_eq!(github.request_count(), 3);
}

#[tokio::test]
async fn the_stand_in_spends_its_budget_like_github() {
    let github = standin().await;
    github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", t0()));
    let reset = t0() + Duration::minutes(5);
    github.set_rate_limit(60, 2, reset);
    let http = reqwest::Client::new();
    let url = format!("{}/repos/org/repo/issues/7", github.api_base());

    let mut seen = Vec::new();
    for _ in 0..3 {
        let response = http
            .get(&url)
            .header("user-agent", "test")
            .timeout(BOUND)
            .send()
            .await
            .unwrap();
        let header = |name: &str| response.headers()[name].to_str().unwrap().to_string();
        seen.push((
            response.status().as_u16(),
            header("x-ratelimit-remaining"),
            header("x-ratelimit-reset"),
        ));
        let body: serde_json::Value = response.json().await.unwrap();
        if seen.len() == 3 {
            assert!(
                body["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("API rate limit exceeded"),
                "{body}"
            );
        } else {
            assert_eq!(body["number"], 7);
            assert_eq!(body["html_url"], "https://github.com/org/repo/issues/7");
        }
    }
    let reset = reset.timestamp().to_string();
    assert_eq!(
        seen,
        vec![
            (200, "1".to_string(), reset.clone()),
            (200, "0".to_string(), reset.clone()),
            (403, "0".to_string(), reset),
        ]
    );

    // No User-Agent: GitHub refuses the request.
    let response = http.get(&url).timeout(BOUND).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 403);
}
