//! A local stand-in for GitHub's REST API on 127.0.0.1, so the GitHub client is tested without a
//! network or a token.
//!
//! It serves `GET /repos/{owner}/{repo}/issues/{number}` from issues the test sets, shaped as
//! GitHub documents its issue object (a PR's carries `pull_request.merged_at`), and keeps GitHub's
//! rules that matter to a client: the `x-ratelimit-*` headers on every answer, a budget spent one
//! call at a time and answered with GitHub's 403 "API rate limit exceeded" once empty, a 429 with
//! `retry-after` on demand (a secondary rate limit), 401 "Bad credentials" for a wrong token, 403
//! without a `User-Agent`, and 404 "Not Found" for anything else. Every request is recorded.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use govbot::github::standin::{GitHubStandIn, StandInIssue};
//! use chrono::Utc;
//!
//! let github = GitHubStandIn::start().await?;
//! github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", Utc::now()));
//! // Point a GitHubClient at github.api_base(), then look at github.requests().
//! # Ok(()) }
//! ```

use anyhow::Context as _;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, TimeZone as _, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The budget a fresh stand-in grants: GitHub's for a personal access token.
pub const DEFAULT_LIMIT: u64 = 5000;

/// An Issue or PR as the stand-in serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInIssue {
    pub title: String,
    /// `"open"` or `"closed"`; a string so that a test can also send something GitHub never does.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// `Some` for a PR.
    pub pull_request: Option<PullRequest>,
}

/// The `pull_request` part of a PR's issue object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullRequest {
    pub merged_at: Option<DateTime<Utc>>,
}

impl StandInIssue {
    /// An open Issue, last updated at `updated_at`.
    pub fn open(title: &str, updated_at: DateTime<Utc>) -> StandInIssue {
        StandInIssue {
            title: title.to_string(),
            state: "open".into(),
            created_at: updated_at,
            updated_at,
            closed_at: None,
            pull_request: None,
        }
    }

    /// An Issue closed (and last updated) at `closed_at`.
    pub fn closed(title: &str, closed_at: DateTime<Utc>) -> StandInIssue {
        StandInIssue {
            state: "closed".into(),
            closed_at: Some(closed_at),
            ..StandInIssue::open(title, closed_at)
        }
    }

    /// The same, as a PR merged at `merged_at` (`None`: not merged).
    pub fn pull(mut self, merged_at: Option<DateTime<Utc>>) -> StandInIssue {
        self.pull_request = Some(PullRequest { merged_at });
        self
    }
}

/// A request the stand-in received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Header names in lower case; a repeated header's values joined with `, `.
    pub headers: BTreeMap<String, String>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    pub fn has_authorization(&self) -> bool {
        self.headers.contains_key("authorization")
    }
}

/// A running stand-in. Clones share it; it stops when the last clone is dropped.
#[derive(Clone)]
pub struct GitHubStandIn {
    shared: Arc<Shared>,
    _stop: Arc<StopOnDrop>,
}

struct StopOnDrop(watch::Sender<bool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(true);
    }
}

struct Shared {
    api_base: String,
    state: Mutex<Inner>,
}

struct Inner {
    issues: HashMap<(String, String, u64), StandInIssue>,
    requests: Vec<RecordedRequest>,
    token: Option<String>,
    require_auth: bool,
    limit: u64,
    remaining: u64,
    reset: DateTime<Utc>,
    retry_after_next: Option<u64>,
    fail_with: Option<u16>,
    delay: Option<Duration>,
}

impl GitHubStandIn {
    /// Starts a stand-in on a free port of 127.0.0.1 with no issues, any token (or none)
    /// accepted, and a full budget of [`DEFAULT_LIMIT`] that resets in 2100.
    pub async fn start() -> anyhow::Result<GitHubStandIn> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the GitHub stand-in to 127.0.0.1")?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            api_base: format!("http://127.0.0.1:{port}"),
            state: Mutex::new(Inner {
                issues: HashMap::new(),
                requests: Vec::new(),
                token: None,
                require_auth: false,
                limit: DEFAULT_LIMIT,
                remaining: DEFAULT_LIMIT,
                reset: Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap(),
                retry_after_next: None,
                fail_with: None,
                delay: None,
            }),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let (shutdown, _) = watch::channel(false);
        let mut stop = shutdown.subscribe();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("the GitHub stand-in stopped: {e}");
            }
        });
        Ok(GitHubStandIn {
            shared,
            _stop: Arc::new(StopOnDrop(shutdown)),
        })
    }

    /// The base URL to give [`GitHubClient::new`](super::GitHubClient::new).
    pub fn api_base(&self) -> String {
        self.shared.api_base.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.state.lock().unwrap()
    }

    /// Serves `issue` as `owner/repo#number` from now on.
    pub fn set_issue(&self, owner: &str, repo: &str, number: u64, issue: StandInIssue) {
        self.state()
            .issues
            .insert((owner.to_string(), repo.to_string(), number), issue);
    }

    pub fn remove_issue(&self, owner: &str, repo: &str, number: u64) {
        self.state()
            .issues
            .remove(&(owner.to_string(), repo.to_string(), number));
    }

    /// The only token accepted from now on (`None`: any). A request carrying another is answered
    /// 401 Bad credentials.
    pub fn set_token(&self, token: Option<&str>) {
        self.state().token = token.map(str::to_string);
    }

    /// Whether a request without a token is answered 401 "Requires authentication".
    pub fn require_auth(&self, required: bool) {
        self.state().require_auth = required;
    }

    /// Sets the budget: `x-ratelimit-limit`, what remains of it, and when it resets. Every call
    /// that passes the token check spends one; with none left calls get GitHub's 403. Time does
    /// not refill it: a test calls this again to play the reset.
    pub fn set_rate_limit(&self, limit: u64, remaining: u64, reset: DateTime<Utc>) {
        let mut state = self.state();
        state.limit = limit;
        state.remaining = remaining;
        state.reset = reset;
    }

    /// The budget now: (limit, remaining, reset).
    pub fn rate_limit(&self) -> (u64, u64, DateTime<Utc>) {
        let state = self.state();
        (state.limit, state.remaining, state.reset)
    }

    /// Answers the next call (only) with a secondary rate limit: 429 and `retry-after: seconds`.
    pub fn answer_429_next(&self, retry_after_seconds: u64) {
        self.state().retry_after_next = Some(retry_after_seconds);
    }

    /// Answers every call with this status (e.g. 500) until set back to `None`.
    pub fn fail_with(&self, status: Option<u16>) {
        self.state().fail_with = status;
    }

    /// Holds every answer back this long (`None`: answer at once).
    pub fn set_delay(&self, delay: Option<Duration>) {
        self.state().delay = delay;
    }

    /// Every request received, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state().requests.clone()
    }

    pub fn request_count(&self) -> usize {
        self.state().requests.len()
    }
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// GitHub's issue object, as documented for "Get an issue".
fn issue_json(api_base: &str, owner: &str, repo: &str, number: u64, issue: &StandInIssue) -> Value {
    let api = format!("{api_base}/repos/{owner}/{repo}");
    let web = format!("https://github.com/{owner}/{repo}");
    let html_url = match issue.pull_request {
        Some(_) => format!("{web}/pull/{number}"),
        None => format!("{web}/issues/{number}"),
    };
    let mut object = json!({
        "id": 1_000_000 + number,
        "node_id": format!("I_standin{number}"),
        "url": format!("{api}/issues/{number}"),
        "repository_url": api,
        "html_url": html_url,
        "number": number,
        "state": issue.state,
        "state_reason": if issue.state == "closed" { json!("completed") } else { Value::Null },
        "title": issue.title,
        "body": null,
        "user": { "login": "octocat", "id": 1, "type": "User", "site_admin": false },
        "labels": [],
        "assignee": null,
        "assignees": [],
        "milestone": null,
        "locked": false,
        "comments": 0,
        "created_at": timestamp(issue.created_at),
        "updated_at": timestamp(issue.updated_at),
        "closed_at": issue.closed_at.map(timestamp),
        "author_association": "MEMBER",
    });
    if let Some(pr) = issue.pull_request {
        object["pull_request"] = json!({
            "url": format!("{api}/pulls/{number}"),
            "html_url": format!("{web}/pull/{number}"),
            "diff_url": format!("{web}/pull/{number}.diff"),
            "patch_url": format!("{web}/pull/{number}.patch"),
            "merged_at": pr.merged_at.map(timestamp),
        });
    }
    object
}

fn error_body(message: &str, documentation_url: &str, status: u16) -> Value {
    json!({
        "message": message,
        "documentation_url": documentation_url,
        "status": status.to_string(),
    })
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut recorded = BTreeMap::<String, String>::new();
    for (name, value) in &headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        recorded
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let delay = {
        let mut state = shared.state.lock().unwrap();
        state.requests.push(RecordedRequest {
            method: method.to_string(),
            path: uri.path().to_string(),
            query: uri.query().map(str::to_string),
            headers: recorded,
        });
        state.delay
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let (status, body, rate, retry_after) = answer(&shared, &method, &uri, &headers);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("x-github-api-version-selected", "2022-11-28");
    if let Some((limit, remaining, reset)) = rate {
        response = response
            .header("x-ratelimit-limit", limit)
            .header("x-ratelimit-remaining", remaining)
            .header("x-ratelimit-used", limit.saturating_sub(remaining))
            .header("x-ratelimit-reset", reset.timestamp())
            .header("x-ratelimit-resource", "core");
    }
    if let Some(seconds) = retry_after {
        response = response.header("retry-after", seconds);
    }
    response
        .body(Body::from(body.to_string()))
        .expect("a well-formed response")
}

type Answer = (u16, Value, Option<(u64, u64, DateTime<Utc>)>, Option<u64>);

/// The answer to one request, the way GitHub decides it: server trouble, then the request's
/// shape and credentials, then the rate limits, then the resource.
fn answer(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap) -> Answer {
    let mut state = shared.state.lock().unwrap();
    let docs = "https://docs.github.com/rest";
    if let Some(status) = state.fail_with {
        let body = error_body("Server Error", docs, status);
        return (status, body, None, None);
    }
    if !headers.contains_key("user-agent") {
        let message = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.";
        return (403, error_body(message, docs, 403), None, None);
    }
    let authorization = headers
        .get("authorization")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    match (&authorization, &state.token) {
        (Some(given), expected) => {
            let secret = given
                .strip_prefix("Bearer ")
                .or_else(|| given.strip_prefix("token "))
                .unwrap_or("");
            let good = !secret.is_empty() && expected.as_deref().is_none_or(|t| t == secret);
            if !good {
                return (401, error_body("Bad credentials", docs, 401), None, None);
            }
        }
        (None, _) if state.require_auth => {
            return (
                401,
                error_body("Requires authentication", docs, 401),
                None,
                None,
            );
        }
        (None, _) => {}
    }
    if let Some(seconds) = state.retry_after_next.take() {
        let rate = Some((state.limit, state.remaining, state.reset));
        let body = error_body(
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            429,
        );
        return (429, body, rate, Some(seconds));
    }
    if state.remaining == 0 {
        let rate = Some((state.limit, 0, state.reset));
        let body = error_body(
            "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            403,
        );
        return (403, body, rate, None);
    }
    state.remaining -= 1;
    let rate = Some((state.limit, state.remaining, state.reset));
    let not_found = |rate| {
        let body = error_body(
            "Not Found",
            "https://docs.github.com/rest/issues/issues#get-an-issue",
            404,
        );
        (404, body, rate, None)
    };
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let [repos, owner, repo, issues, number] = segments.as_slice() else {
        return not_found(rate);
    };
    if *method != Method::GET || *repos != "repos" || *issues != "issues" {
        return not_found(rate);
    }
    let Ok(number) = number.parse::<u64>() else {
        return not_found(rate);
    };
    match state
        .issues
        .get(&(owner.to_string(), repo.to_string(), number))
    {
        Some(issue) => (
            200,
            issue_json(&shared.api_base, owner, repo, number, issue),
            rate,
            None,
        ),
        None => not_found(rate),
    }
}
