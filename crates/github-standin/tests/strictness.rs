//! The GitHub stand-in itself, driven with plain HTTP requests: each of GitHub's rules it keeps
//! is shown refusing or answering as GitHub does, and every answer's shape is checked against
//! GitHub's own REST description.

use chrono::{DateTime, Duration, TimeZone, Utc};
use github_standin::{
    GitHubStandIn, StandInActor, StandInDiscussion, StandInIssue, TimelineEvent, TimelineKind,
};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration as StdDuration;

const TOKEN: &str = "ghp_standinTOKEN0123456789abcdef";
const BOUND: StdDuration = StdDuration::from_secs(10);

/// A GitHub client's query for one item (`i0`) and one Discussion (`d1`): the text govbot's client
/// sends (govbot's own tests also send it through the stand-in, generated).
const ITEMS_QUERY: &str = include_str!("items.graphql");

/// A clock the test moves by hand; the stand-in reads it.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    fn new(t: DateTime<Utc>) -> TestClock {
        TestClock(Arc::new(Mutex::new(t)))
    }

    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }

    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

async fn standin() -> (GitHubStandIn, TestClock) {
    let clock = TestClock::new(t0());
    let reads = clock.clone();
    let github = GitHubStandIn::start_with_clock(move || reads.now())
        .await
        .unwrap();
    github.add_token(TOKEN);
    (github, clock)
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    fn remaining(&self) -> u64 {
        self.header("x-ratelimit-remaining")
            .unwrap()
            .parse()
            .unwrap()
    }
}

/// A GET with a User-Agent, the token if any, and `extra` headers; redirects are not followed.
async fn get(
    github: &GitHubStandIn,
    path: &str,
    token: Option<&str>,
    extra: &[(&str, &str)],
) -> Answer {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = http
        .get(format!("{}{path}", github.api_base()))
        .header("user-agent", "govbot-test")
        .timeout(BOUND);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

async fn graphql(
    github: &GitHubStandIn,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Answer {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", github.api_base()))
        .header("user-agent", "govbot-test")
        .json(&json!({ "query": query, "variables": variables }))
        .timeout(BOUND);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.text().await.unwrap(),
    }
}

// ---------------------------------------------------------------------------------------------
// GitHub's REST description

/// OpenAPI 3.0's `nullable: true` as JSON Schema: the schema, or null.
fn nullable_to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                nullable_to_json_schema(v);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                let inner = Value::Object(std::mem::take(map));
                map.insert("anyOf".into(), json!([{ "type": "null" }, inner]));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_json_schema),
        _ => {}
    }
}

/// A validator for `pointer` (e.g. `/components/schemas/issue`) in the vendored description.
fn validator(pointer: &str) -> jsonschema::Validator {
    let mut root: Value =
        serde_json::from_str(include_str!("../rest-description/issues-get.json")).unwrap();
    nullable_to_json_schema(&mut root);
    root["$ref"] = json!(format!("#{pointer}"));
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, body: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{body:#}");
}

#[tokio::test]
async fn every_answer_has_the_shape_github_describes() {
    let (github, _clock) = standin().await;
    let t = t0();
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t));
    github.set_issue(
        "o",
        "r",
        2,
        StandInIssue::closed("Dropped", t).closed_as("not_planned"),
    );
    github.set_issue("o", "r", 3, StandInIssue::closed("Merged", t).pull(Some(t)));
    github.set_issue("o", "r", 4, StandInIssue::closed("Abandoned", t).pull(None));
    github.set_issue(
        "o",
        "r",
        5,
        StandInIssue::open("Old PR", t)
            .pull(None)
            .without_merged_at(),
    );
    github.set_issue(
        "o",
        "r",
        6,
        StandInIssue::closed("Twice", t).closed_as("duplicate"),
    );

    let issue = validator("/components/schemas/issue");
    for number in 1..=6 {
        let answer = get(
            &github,
            &format!("/repos/o/r/issues/{number}"),
            Some(TOKEN),
            &[],
        )
        .await;
        assert_eq!(answer.status, 200);
        assert_valid(&issue, &answer.json());
    }
    let pr = get(&github, "/repos/o/r/issues/5", Some(TOKEN), &[])
        .await
        .json();
    assert!(pr["pull_request"].get("merged_at").is_none(), "{pr}");
    let dropped = get(&github, "/repos/o/r/issues/2", Some(TOKEN), &[])
        .await
        .json();
    assert_eq!(dropped["state_reason"], "not_planned");
    // The validator is not lenient: GitHub never sends a state outside its enum.
    let mut wrong = dropped.clone();
    wrong["state_reason"] = json!("abandoned");
    assert!(!issue.is_valid(&wrong));

    let error = validator("/components/schemas/basic-error");
    github.move_issue(("o", "r", 1), ("o", "moved", 1));
    github.delete_issue("o", "r", 2);
    for (path, status) in [
        ("/repos/o/r/issues/1", 301),
        ("/repos/o/r/issues/2", 410),
        ("/repos/o/r/issues/99", 404),
    ] {
        let answer = get(&github, path, Some(TOKEN), &[]).await;
        assert_eq!(answer.status, status, "{path}");
        assert_valid(&error, &answer.json());
    }
    // 304: "Not modified", described without a body.
    let first = get(&github, "/repos/o/r/issues/3", Some(TOKEN), &[]).await;
    let etag = first.header("etag").unwrap().to_string();
    let again = get(
        &github,
        "/repos/o/r/issues/3",
        Some(TOKEN),
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!((again.status, again.body.as_str()), (304, ""));
}

// ---------------------------------------------------------------------------------------------
// Request rules

#[tokio::test]
async fn a_request_without_a_user_agent_is_refused() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    let response = reqwest::Client::new()
        .get(format!("{}/repos/o/r/issues/1", github.api_base()))
        .timeout(BOUND)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("User-Agent"),
        "{body}"
    );
}

#[tokio::test]
async fn only_supported_api_versions_are_served() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    for version in ["2022-11-28", "2026-03-10"] {
        let answer = get(
            &github,
            "/repos/o/r/issues/1",
            None,
            &[("x-github-api-version", version)],
        )
        .await;
        assert_eq!(answer.status, 200, "{version}");
        assert_eq!(
            answer.header("x-github-api-version-selected"),
            Some(version)
        );
    }
    let answer = get(
        &github,
        "/repos/o/r/issues/1",
        None,
        &[("x-github-api-version", "v3")],
    )
    .await;
    assert_eq!(answer.status, 400);
    let message = answer.json()["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("\"v3\", is not a supported version"),
        "{message}"
    );
    assert!(message.contains("\"2022-11-28\""), "{message}");
}

#[tokio::test]
async fn only_registered_live_tokens_pass() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    github.add_token("second");
    assert_eq!(
        get(&github, "/repos/o/r/issues/1", Some(TOKEN), &[])
            .await
            .status,
        200
    );
    assert_eq!(
        get(&github, "/repos/o/r/issues/1", Some("second"), &[])
            .await
            .status,
        200
    );

    let wrong = get(&github, "/repos/o/r/issues/1", Some("made-up"), &[]).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["message"], "Bad credentials");

    github.expire_token(TOKEN);
    let expired = get(&github, "/repos/o/r/issues/1", Some(TOKEN), &[]).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.json()["message"], "Bad credentials");
    assert_eq!(
        get(&github, "/repos/o/r/issues/1", Some("second"), &[])
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn an_sso_protected_owner_refuses_tokens() {
    let (github, _clock) = standin().await;
    github.set_issue("org", "r", 1, StandInIssue::open("Open", t0()));
    github.set_issue("other", "r", 1, StandInIssue::open("Open", t0()));
    github.sso_protect("org");

    let refused = get(&github, "/repos/org/r/issues/1", Some(TOKEN), &[]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json()["message"],
        "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization."
    );
    assert!(refused
        .header("x-github-sso")
        .unwrap()
        .starts_with("required; url="));
    assert_eq!(
        get(&github, "/repos/other/r/issues/1", Some(TOKEN), &[])
            .await
            .status,
        200
    );
}

// ---------------------------------------------------------------------------------------------
// Rate limits

#[tokio::test]
async fn anonymous_and_token_budgets_are_separate_and_refill_after_the_reset() {
    let (github, clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    let path = "/repos/o/r/issues/1";

    let anonymous = get(&github, path, None, &[]).await;
    assert_eq!(anonymous.header("x-ratelimit-limit"), Some("60"));
    assert_eq!(anonymous.remaining(), 59);
    assert_eq!(anonymous.header("x-ratelimit-used"), Some("1"));
    assert_eq!(anonymous.header("x-ratelimit-resource"), Some("core"));
    let reset = (t0() + Duration::hours(1)).timestamp().to_string();
    assert_eq!(anonymous.header("x-ratelimit-reset"), Some(reset.as_str()));

    let token = get(&github, path, Some(TOKEN), &[]).await;
    assert_eq!(token.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(token.remaining(), 4999);
    assert_eq!(get(&github, path, None, &[]).await.remaining(), 58);

    // Spend the anonymous hour.
    for _ in 0..58 {
        get(&github, path, None, &[]).await;
    }
    let spent = get(&github, path, None, &[]).await;
    assert_eq!((spent.status, spent.remaining()), (403, 0));
    assert!(spent.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("API rate limit exceeded"));
    assert_eq!(
        get(&github, path, Some(TOKEN), &[]).await.status,
        200,
        "the token's budget is its own"
    );

    clock.advance(Duration::minutes(59));
    assert_eq!(
        get(&github, path, None, &[]).await.status,
        403,
        "not yet reset"
    );
    clock.advance(Duration::minutes(1));
    let refilled = get(&github, path, None, &[]).await;
    assert_eq!((refilled.status, refilled.remaining()), (200, 59));
    let next_reset = (t0() + Duration::hours(2)).timestamp().to_string();
    assert_eq!(
        refilled.header("x-ratelimit-reset"),
        Some(next_reset.as_str())
    );
}

#[tokio::test]
async fn a_spent_budget_is_refused_with_403_or_429() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    let reset = t0() + Duration::minutes(10);
    github.set_rate_limit(5000, 0, reset);
    let refused = get(&github, "/repos/o/r/issues/1", Some(TOKEN), &[]).await;
    assert_eq!((refused.status, refused.remaining()), (403, 0));
    assert_eq!(github.rate_limit(), (5000, 0, reset));

    github.answer_spent_budget_with(429);
    let refused = get(&github, "/repos/o/r/issues/1", Some(TOKEN), &[]).await;
    assert_eq!((refused.status, refused.remaining()), (429, 0));
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .starts_with("API rate limit exceeded"));
}

#[tokio::test]
async fn secondary_limits_answer_403_or_429_with_or_without_retry_after() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    let path = "/repos/o/r/issues/1";
    for (status, retry_after) in [(403, Some(60)), (403, None), (429, Some(5)), (429, None)] {
        github.answer_secondary_next(status, retry_after);
        let refused = get(&github, path, Some(TOKEN), &[]).await;
        assert_eq!(refused.status, status);
        assert_eq!(
            refused.header("retry-after"),
            retry_after.map(|s| s.to_string()).as_deref()
        );
        assert!(refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit"));
        assert_eq!(
            get(&github, path, Some(TOKEN), &[]).await.status,
            200,
            "only the next call"
        );
    }
    github.answer_429_next(30);
    let refused = get(&github, path, Some(TOKEN), &[]).await;
    assert_eq!(
        (refused.status, refused.header("retry-after")),
        (429, Some("30"))
    );
}

#[tokio::test]
async fn a_304_is_free_for_a_token_and_not_for_anonymous_callers() {
    let (github, _clock) = standin().await;
    let t = t0();
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t));
    let path = "/repos/o/r/issues/1";

    let first = get(&github, path, Some(TOKEN), &[]).await;
    let etag = first.header("etag").unwrap().to_string();
    assert_eq!(
        first.header("last-modified"),
        Some("Mon, 02 Nov 2026 09:00:00 GMT")
    );
    assert_eq!(first.remaining(), 4999);
    let again = get(&github, path, Some(TOKEN), &[("if-none-match", &etag)]).await;
    assert_eq!((again.status, again.body.as_str()), (304, ""));
    assert_eq!(again.remaining(), 4999, "an authorized 304 costs nothing");
    let since = get(
        &github,
        path,
        Some(TOKEN),
        &[("if-modified-since", "Mon, 02 Nov 2026 09:00:00 GMT")],
    )
    .await;
    assert_eq!((since.status, since.remaining()), (304, 4999));

    let anonymous = get(&github, path, None, &[("if-none-match", &etag)]).await;
    assert_eq!(
        (anonymous.status, anonymous.remaining()),
        (304, 59),
        "an anonymous 304 is counted"
    );

    // A change makes a new ETag, and the old one no longer matches.
    github.set_issue(
        "o",
        "r",
        1,
        StandInIssue::closed("Open", t + Duration::hours(1)),
    );
    let changed = get(&github, path, Some(TOKEN), &[("if-none-match", &etag)]).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

// ---------------------------------------------------------------------------------------------
// Moved, deleted, hidden

#[tokio::test]
async fn a_moved_issue_answers_301_to_its_new_place() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    github.move_issue(("o", "r", 1), ("o2", "r2", 9));

    let moved = get(&github, "/repos/o/r/issues/1", Some(TOKEN), &[]).await;
    assert_eq!(moved.status, 301);
    let location = format!("{}/repos/o2/r2/issues/9", github.api_base());
    assert_eq!(moved.header("location"), Some(location.as_str()));
    let body = moved.json();
    assert_eq!(body["message"], "Moved Permanently");
    assert_eq!(body["url"], location);
    assert!(body["documentation_url"]
        .as_str()
        .unwrap()
        .contains("follow-redirects"));
    let there = get(&github, "/repos/o2/r2/issues/9", Some(TOKEN), &[]).await;
    assert_eq!(
        (there.status, there.json()["number"].clone()),
        (200, json!(9))
    );
}

#[tokio::test]
async fn a_deleted_issue_is_gone_and_a_hidden_repository_not_found() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Open", t0()));
    github.set_issue("o", "secret", 1, StandInIssue::open("Open", t0()));
    github.delete_issue("o", "r", 1);
    let gone = get(&github, "/repos/o/r/issues/1", Some(TOKEN), &[]).await;
    assert_eq!(
        (gone.status, gone.json()["message"].clone()),
        (410, json!("This issue was deleted"))
    );

    github.hide_repo("o", "secret");
    for token in [Some(TOKEN), None] {
        let hidden = get(&github, "/repos/o/secret/issues/1", token, &[]).await;
        assert_eq!(
            (hidden.status, hidden.json()["message"].clone()),
            (404, json!("Not Found"))
        );
    }
}

#[tokio::test]
async fn a_discussion_is_not_an_issue_in_rest() {
    let (github, _clock) = standin().await;
    github.set_discussion("o", "r", 3, discussion());
    assert_eq!(
        get(&github, "/repos/o/r/issues/3", Some(TOKEN), &[])
            .await
            .status,
        404
    );
}

// ---------------------------------------------------------------------------------------------
// GraphQL

fn discussion() -> StandInDiscussion {
    StandInDiscussion {
        title: "Ideas".into(),
        closed: true,
        state_reason: Some("RESOLVED".into()),
        created_at: t0(),
        updated_at: t0() + Duration::days(2),
        closed_at: Some(t0() + Duration::days(2)),
        comments: vec![
            (StandInActor::person("carol"), t0() + Duration::days(1)),
            (
                StandInActor::bot("github-actions[bot]"),
                t0() + Duration::hours(1),
            ),
        ],
    }
}

fn variables(item: (&str, &str, u64), discussion: (&str, &str, u64)) -> Value {
    json!({
        "o0": item.0, "r0": item.1, "n0": item.2,
        "o1": discussion.0, "r1": discussion.1, "n1": discussion.2,
    })
}

#[tokio::test]
async fn graphql_needs_a_good_token() {
    let (github, _clock) = standin().await;
    let none = graphql(&github, None, "{ rateLimit { cost } }", json!({})).await;
    assert_eq!(none.status, 401);
    assert_eq!(
        none.json()["message"],
        "This endpoint requires you to be authenticated."
    );
    let bad = graphql(
        &github,
        Some("made-up"),
        "{ rateLimit { cost } }",
        json!({}),
    )
    .await;
    assert_eq!(
        (bad.status, bad.json()["message"].clone()),
        (401, json!("Bad credentials"))
    );
    let request = &github.requests()[0];
    assert_eq!(request.path, "/graphql");
    assert_eq!(
        request.json_body().unwrap()["query"],
        "{ rateLimit { cost } }"
    );
}

#[tokio::test]
async fn graphql_refuses_what_githubs_schema_does_not_have() {
    let (github, _clock) = standin().await;
    let answer = graphql(
        &github,
        Some(TOKEN),
        "{ repository(owner: \"o\", name: \"r\") { stars } }",
        json!({}),
    )
    .await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert!(body.get("data").is_none(), "{body}");
    let errors = body["errors"].as_array().unwrap();
    let error = errors
        .iter()
        .find(|e| e["message"].as_str().unwrap().contains("`stars`"))
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(
        error["locations"],
        json!([{ "line": 1, "column": 39 }]),
        "{body}"
    );
}

#[tokio::test]
async fn graphql_connections_need_first_or_last_within_100() {
    let (github, _clock) = standin().await;
    let unbounded = "{ repository(owner: \"o\", name: \"r\") { discussion(number: 1) { comments { totalCount } } } }";
    let body = graphql(&github, Some(TOKEN), unbounded, json!({}))
        .await
        .json();
    assert_eq!(
        body["errors"][0]["type"], "MISSING_PAGINATION_BOUNDARIES",
        "{body}"
    );
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`comments`"));

    let excessive = "{ repository(owner: \"o\", name: \"r\") { discussion(number: 1) { comments(last: 101) { totalCount } } } }";
    let body = graphql(&github, Some(TOKEN), excessive, json!({}))
        .await
        .json();
    assert_eq!(body["errors"][0]["type"], "EXCESSIVE_PAGINATION", "{body}");
    assert_eq!(
        github.graphql_rate_limit(TOKEN).1,
        5000,
        "a refused document costs nothing"
    );
}

#[tokio::test]
async fn the_items_query_reads_an_issue_with_bot_and_human_activity_and_a_discussion() {
    let (github, _clock) = standin().await;
    let t = t0();
    github.set_issue(
        "o",
        "r",
        9,
        StandInIssue::open("Referrer", t)
            .pull(None)
            .with_event(TimelineEvent::new(
                TimelineKind::Commit,
                StandInActor::person("Dana Dev"),
                t + Duration::hours(2),
            )),
    );
    github.set_issue(
        "o",
        "r",
        1,
        StandInIssue::open("Tasks", t + Duration::hours(5))
            .with_event(TimelineEvent::new(
                TimelineKind::Comment,
                StandInActor::bot("dependabot[bot]"),
                t + Duration::hours(4),
            ))
            .with_event(TimelineEvent::new(
                TimelineKind::Comment,
                StandInActor::person("alice"),
                t + Duration::hours(1),
            ))
            .with_event(TimelineEvent::new(
                TimelineKind::Labeled,
                StandInActor::person("bob"),
                t + Duration::hours(2),
            ))
            .with_event(TimelineEvent::new(
                TimelineKind::CrossReference {
                    source: ("o".into(), "r".into(), 9),
                },
                StandInActor::person("dana"),
                t + Duration::hours(3),
            )),
    );
    github.set_discussion("o", "r", 3, discussion());

    let answer = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 1), ("o", "r", 3)),
    )
    .await;
    assert_eq!(answer.status, 200);
    let body = answer.json();
    assert!(body.get("errors").is_none(), "{body:#}");
    let issue = &body["data"]["i0"]["issueOrPullRequest"];
    assert_eq!(issue["__typename"], "Issue");
    assert_eq!(issue["url"], "https://github.com/o/r/issues/1");
    assert_eq!(
        (issue["state"].clone(), issue["stateReason"].clone()),
        (json!("OPEN"), Value::Null)
    );
    assert_eq!(issue["updatedAt"], "2026-11-02T14:00:00Z");
    assert_eq!(issue["closedAt"], Value::Null);
    assert_eq!(
        issue["timelineItems"]["nodes"],
        json!([
            { "__typename": "IssueComment", "createdAt": "2026-11-02T10:00:00Z", "author": { "__typename": "User", "login": "alice" } },
            {
                "__typename": "CrossReferencedEvent",
                "createdAt": "2026-11-02T12:00:00Z",
                "actor": { "__typename": "User", "login": "dana" },
                "source": {
                    "__typename": "PullRequest",
                    "url": "https://github.com/o/r/pull/9",
                    "commits": { "nodes": [{ "commit": { "committedDate": "2026-11-02T11:00:00Z", "author": { "name": "Dana Dev" } } }] }
                }
            },
            { "__typename": "IssueComment", "createdAt": "2026-11-02T13:00:00Z", "author": { "__typename": "Bot", "login": "dependabot[bot]" } },
        ]),
        "chronological, the label left out by itemTypes"
    );
    assert_eq!(
        body["data"]["d1"]["discussion"],
        json!({
            "url": "https://github.com/o/r/discussions/3",
            "closed": true,
            "closedAt": "2026-11-04T09:00:00Z",
            "stateReason": "RESOLVED",
            "updatedAt": "2026-11-04T09:00:00Z",
            "comments": { "nodes": [
                { "createdAt": "2026-11-02T10:00:00Z", "author": { "__typename": "Bot", "login": "github-actions[bot]" } },
                { "createdAt": "2026-11-03T09:00:00Z", "author": { "__typename": "User", "login": "carol" } },
            ] }
        })
    );
}

#[tokio::test]
async fn the_items_query_reads_a_merged_pr_and_an_issue_closed_as_not_planned() {
    let (github, _clock) = standin().await;
    let t = t0();
    github.set_issue(
        "o",
        "r",
        2,
        StandInIssue::closed("Merged", t + Duration::hours(3))
            .pull(Some(t + Duration::hours(3)))
            .with_event(TimelineEvent::new(
                TimelineKind::Commit,
                StandInActor::person("Erin"),
                t + Duration::hours(1),
            ))
            .with_event(TimelineEvent::new(
                TimelineKind::Review,
                StandInActor::person("frank"),
                t + Duration::hours(2),
            ))
            .with_event(TimelineEvent::new(
                TimelineKind::Merged,
                StandInActor::person("frank"),
                t + Duration::hours(3),
            ))
            .with_event(TimelineEvent::new(
                TimelineKind::Closed,
                StandInActor::person("frank"),
                t + Duration::hours(3),
            )),
    );
    github.set_issue(
        "o",
        "r",
        4,
        StandInIssue::closed("Dropped", t)
            .closed_as("not_planned")
            .with_event(TimelineEvent::new(
                TimelineKind::Closed,
                StandInActor::bot("stale[bot]"),
                t,
            )),
    );
    github.set_discussion("o", "r", 3, discussion());

    let body = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 2), ("o", "r", 3)),
    )
    .await
    .json();
    let pr = &body["data"]["i0"]["issueOrPullRequest"];
    assert_eq!(pr["__typename"], "PullRequest", "{body:#}");
    assert_eq!(
        (pr["prState"].clone(), pr["merged"].clone()),
        (json!("MERGED"), json!(true))
    );
    assert_eq!(pr["mergedAt"], "2026-11-02T12:00:00Z");
    let types: Vec<&str> = pr["timelineItems"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["__typename"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "PullRequestCommit",
            "PullRequestReview",
            "MergedEvent",
            "ClosedEvent"
        ]
    );
    assert_eq!(
        pr["timelineItems"]["nodes"][0]["commit"]["author"]["name"],
        "Erin"
    );
    assert_eq!(
        pr["timelineItems"]["nodes"][1]["submittedAt"],
        "2026-11-02T11:00:00Z"
    );

    let body = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 4), ("o", "r", 3)),
    )
    .await
    .json();
    let issue = &body["data"]["i0"]["issueOrPullRequest"];
    assert_eq!(
        (issue["state"].clone(), issue["stateReason"].clone()),
        (json!("CLOSED"), json!("NOT_PLANNED")),
        "{body:#}"
    );
    assert_eq!(
        issue["timelineItems"]["nodes"][0]["actor"],
        json!({ "__typename": "Bot", "login": "stale[bot]" })
    );
}

#[tokio::test]
async fn a_missing_item_is_a_not_found_error_beside_the_other_aliases_data() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Tasks", t0()));
    github.set_discussion("o", "r", 3, discussion());

    let body = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 404), ("o", "r", 3)),
    )
    .await
    .json();
    assert_eq!(
        body["data"]["i0"]["issueOrPullRequest"],
        Value::Null,
        "{body:#}"
    );
    assert_eq!(body["data"]["d1"]["discussion"]["closed"], true);
    let error = &body["errors"][0];
    assert_eq!(error["type"], "NOT_FOUND");
    assert_eq!(error["path"], json!(["i0", "issueOrPullRequest"]));
    assert_eq!(
        error["message"],
        "Could not resolve to an issue or pull request with the number of 404."
    );

    let body = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "nowhere", 1), ("o", "r", 3)),
    )
    .await
    .json();
    assert_eq!(body["data"]["i0"], Value::Null);
    assert_eq!(body["errors"][0]["path"], json!(["i0"]));
    assert_eq!(
        body["errors"][0]["message"],
        "Could not resolve to a Repository with the name 'o/nowhere'."
    );

    github.hide_repo("o", "r");
    let body = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 1), ("o", "r", 3)),
    )
    .await
    .json();
    assert_eq!(
        body["data"],
        json!({ "rateLimit": body["data"]["rateLimit"], "i0": null, "d1": null })
    );
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_sso_protected_owner_is_forbidden_in_graphql() {
    let (github, _clock) = standin().await;
    github.set_issue("org", "r", 1, StandInIssue::open("Tasks", t0()));
    github.set_discussion("o", "r", 3, discussion());
    github.sso_protect("org");
    let body = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("org", "r", 1), ("o", "r", 3)),
    )
    .await
    .json();
    assert_eq!(body["data"]["i0"], Value::Null);
    assert_eq!(
        (
            body["errors"][0]["type"].clone(),
            body["errors"][0]["path"].clone()
        ),
        (json!("FORBIDDEN"), json!(["i0"]))
    );
    assert_eq!(body["data"]["d1"]["discussion"]["closed"], true);
}

#[tokio::test]
async fn an_unimplemented_field_is_an_error_not_wrong_data() {
    let (github, _clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Tasks", t0()));
    let query = "{ repository(owner: \"o\", name: \"r\") { issueOrPullRequest(number: 1) { ... on Issue { bodyText } } } }";
    let body = graphql(&github, Some(TOKEN), query, json!({})).await.json();
    assert_eq!(
        body["errors"][0]["message"], "the stand-in does not implement Issue.bodyText",
        "{body:#}"
    );
}

#[tokio::test]
async fn graphql_spends_points_from_its_own_budget_and_reports_them() {
    let (github, clock) = standin().await;
    github.set_issue("o", "r", 1, StandInIssue::open("Tasks", t0()));
    github.set_discussion("o", "r", 3, discussion());

    let answer = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 1), ("o", "r", 3)),
    )
    .await;
    assert_eq!(answer.header("x-ratelimit-resource"), Some("graphql"));
    assert_eq!(answer.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(answer.remaining(), 4999);
    assert_eq!(
        answer.json()["data"]["rateLimit"],
        json!({ "cost": 1, "limit": 5000, "remaining": 4999, "resetAt": "2026-11-02T10:00:00Z" })
    );
    // A query of 100 nested pages of 100 needs 1 + 100 requests: 101 / 100 rounds to 1; of 3
    // such, 303 / 100 rounds to 3.
    let nested = "query { rateLimit { cost } a: repository(owner: \"o\", name: \"r\") { ...D } b: repository(owner: \"o\", name: \"r\") { ...D } c: repository(owner: \"o\", name: \"r\") { ...D } }
        fragment D on Repository { discussions(first: 100) { nodes { comments(first: 100) { totalCount } } } }";
    let body = graphql(&github, Some(TOKEN), nested, json!({}))
        .await
        .json();
    // The executor does not serve `discussions`, but the cost is counted before execution.
    assert_eq!(body["data"]["rateLimit"]["cost"], 3, "{body:#}");
    assert_eq!(github.graphql_rate_limit(TOKEN).1, 4996);
    // REST's budget is another one.
    assert_eq!(github.rate_limit().1, 60);

    github.set_graphql_rate_limit(TOKEN, 5000, 0, t0() + Duration::minutes(30));
    let spent = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 1), ("o", "r", 3)),
    )
    .await;
    assert_eq!((spent.status, spent.remaining()), (200, 0));
    let body = spent.json();
    assert_eq!(body["errors"][0]["type"], "RATE_LIMITED", "{body:#}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("API rate limit exceeded"));
    assert!(body.get("data").is_none());

    clock.advance(Duration::minutes(30));
    let refilled = graphql(
        &github,
        Some(TOKEN),
        ITEMS_QUERY,
        variables(("o", "r", 1), ("o", "r", 3)),
    )
    .await;
    assert_eq!(refilled.remaining(), 4999);
    assert!(refilled.json().get("errors").is_none());
}
