//! A local stand-in for GitHub's REST and GraphQL APIs on 127.0.0.1, so the GitHub client is
//! tested without a network or a token, against a server as strict as GitHub.
//!
//! - [`rest`] serves `GET /repos/{owner}/{repo}/issues/{number}`, shaped by GitHub's own REST
//!   description (vendored in `rest-description/`), with GitHub's rules for API versions,
//!   tokens, SAML SSO, primary and secondary rate limits, conditional requests, moved, deleted
//!   and hidden issues.
//! - [`graphql`] serves `POST /graphql`: documents are validated against GitHub's public schema
//!   (vendored in `graphql-schema/`), GitHub's query limits and point costs are enforced, and the
//!   selection set is executed over the same issues, PRs and Discussions.
//!
//! Time comes from an injected clock (any `Fn() -> DateTime<Utc>`), so budgets refill when a test
//! moves its clock past their reset, never by sleeping. Every request is recorded. The crate knows
//! nothing of the bot it tests: any GitHub client can be pointed at [`GitHubStandIn::api_base`].
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use github_standin::{GitHubStandIn, StandInIssue};
//! use chrono::Utc;
//!
//! let github = GitHubStandIn::start().await?;
//! github.add_token("ghp_test");
//! github.set_issue("org", "repo", 7, StandInIssue::open("Tasks", Utc::now()));
//! // Point a client at github.api_base(), then look at github.requests().
//! # Ok(()) }
//! ```

pub mod graphql;
pub mod rest;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The hourly budget of a token on the REST API ("5,000 requests per hour" for a user):
/// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-authenticated-users
pub const DEFAULT_LIMIT: u64 = 5000;

/// The hourly budget of unauthenticated REST calls ("60 requests per hour", per originating IP
/// address; every client of the stand-in is 127.0.0.1, so they share it):
/// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#primary-rate-limit-for-unauthenticated-users
pub const ANONYMOUS_LIMIT: u64 = 60;

/// The hourly GraphQL budget of a user, in points ("5,000 points per hour per user"):
/// https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#primary-rate-limit
pub const GRAPHQL_LIMIT: u64 = 5000;

/// Where an Issue, PR or Discussion lives: owner, repository, number.
pub type ItemKey = (String, String, u64);

fn key(owner: &str, repo: &str, number: u64) -> ItemKey {
    (owner.to_string(), repo.to_string(), number)
}

/// An Issue or PR as the stand-in serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInIssue {
    pub title: String,
    /// `"open"` or `"closed"`; a string so that a test can also send something GitHub never does.
    pub state: String,
    /// REST's `state_reason`: `"completed"`, `"not_planned"`, `"reopened"`, `"duplicate"`, or
    /// `None` (JSON null). GraphQL's `stateReason` is the same in upper case.
    pub state_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// `Some` for a PR.
    pub pull_request: Option<PullRequest>,
    /// What happened to it, in any order; GraphQL's `timelineItems` sorts it by time.
    pub timeline: Vec<TimelineEvent>,
}

/// The `pull_request` part of a PR's issue object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullRequest {
    pub merged_at: Option<DateTime<Utc>>,
    /// Leave the `merged_at` key out of the REST answer altogether: GitHub's description does
    /// not list it among `pull_request`'s required keys, so a client must cope without it.
    pub omit_merged_at: bool,
}

/// Someone who did something: a person or an app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInActor {
    pub login: String,
    /// GraphQL's `__typename` is `Bot` rather than `User`.
    pub bot: bool,
}

impl StandInActor {
    pub fn person(login: &str) -> StandInActor {
        StandInActor {
            login: login.to_string(),
            bot: false,
        }
    }

    pub fn bot(login: &str) -> StandInActor {
        StandInActor {
            login: login.to_string(),
            bot: true,
        }
    }
}

/// One item of an Issue's or PR's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEvent {
    pub kind: TimelineKind,
    /// Who did it; for a [`TimelineKind::Commit`], its login is the commit's git author name.
    pub actor: StandInActor,
    pub at: DateTime<Utc>,
}

impl TimelineEvent {
    pub fn new(kind: TimelineKind, actor: StandInActor, at: DateTime<Utc>) -> TimelineEvent {
        TimelineEvent { kind, actor, at }
    }
}

/// The kinds of timeline items the stand-in knows, each one of GraphQL's timeline item types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineKind {
    Comment,
    Commit,
    Review,
    Closed,
    Reopened,
    Merged,
    Labeled,
    /// Mentioned from another Issue or PR of the stand-in: (owner, repo, number).
    CrossReference {
        source: ItemKey,
    },
}

/// A Discussion, reachable only through GraphQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInDiscussion {
    pub title: String,
    pub closed: bool,
    /// GraphQL's `DiscussionStateReason`: `RESOLVED`, `OUTDATED`, `DUPLICATE`, `REOPENED`.
    pub state_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub comments: Vec<(StandInActor, DateTime<Utc>)>,
}

impl StandInIssue {
    /// An open Issue, last updated at `updated_at`.
    pub fn open(title: &str, updated_at: DateTime<Utc>) -> StandInIssue {
        StandInIssue {
            title: title.to_string(),
            state: "open".into(),
            state_reason: None,
            created_at: updated_at,
            updated_at,
            closed_at: None,
            pull_request: None,
            timeline: Vec::new(),
        }
    }

    /// An Issue closed as completed (and last updated) at `closed_at`.
    pub fn closed(title: &str, closed_at: DateTime<Utc>) -> StandInIssue {
        StandInIssue {
            state: "closed".into(),
            state_reason: Some("completed".into()),
            closed_at: Some(closed_at),
            ..StandInIssue::open(title, closed_at)
        }
    }

    /// The same with another `state_reason` (REST's lower-case value, e.g. `"not_planned"`).
    pub fn closed_as(mut self, reason: &str) -> StandInIssue {
        self.state_reason = Some(reason.to_string());
        self
    }

    /// The same, as a PR merged at `merged_at` (`None`: not merged).
    pub fn pull(mut self, merged_at: Option<DateTime<Utc>>) -> StandInIssue {
        self.pull_request = Some(PullRequest {
            merged_at,
            omit_merged_at: false,
        });
        self
    }

    /// The same PR with `merged_at` left out of its REST answer (see [`PullRequest`]).
    pub fn without_merged_at(mut self) -> StandInIssue {
        if let Some(pr) = &mut self.pull_request {
            pr.omit_merged_at = true;
        }
        self
    }

    /// The same with one more timeline item.
    pub fn with_event(mut self, event: TimelineEvent) -> StandInIssue {
        self.timeline.push(event);
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
    /// The body, if there was one (a GraphQL request's).
    pub body: Option<String>,
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

    /// The body parsed as JSON (a GraphQL request's `{"query", "variables"}`).
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_str(self.body.as_deref()?).ok()
    }
}

/// A running stand-in. Clones share it; it stops when the last clone is dropped.
#[derive(Clone)]
pub struct GitHubStandIn {
    shared: Arc<Shared>,
    _stop: loopback::Stop,
}

/// The time of whoever drives the stand-in (a test's manual clock, or the system's).
type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

pub(crate) struct Shared {
    pub(crate) api_base: String,
    clock: Clock,
    pub(crate) state: Mutex<Inner>,
}

/// An hourly budget, refilled once the clock passes `reset`, as GitHub's primary limits are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub(crate) limit: u64,
    pub(crate) remaining: u64,
    pub(crate) reset: DateTime<Utc>,
}

impl Budget {
    fn full(limit: u64, now: DateTime<Utc>) -> Budget {
        Budget {
            limit,
            remaining: limit,
            reset: now + chrono::Duration::hours(1),
        }
    }

    /// A new window once the old one is over: "the time at which the current rate limit window
    /// resets" is `x-ratelimit-reset`, after which the full limit is available again
    /// (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit).
    pub(crate) fn refresh(&mut self, now: DateTime<Utc>) {
        if now >= self.reset {
            *self = Budget::full(self.limit, now);
        }
    }

    pub(crate) fn used(&self) -> u64 {
        self.limit.saturating_sub(self.remaining)
    }
}

/// Who a request comes from, as far as budgets go.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Caller {
    Anonymous,
    Token(String),
}

pub(crate) struct Inner {
    pub(crate) issues: HashMap<ItemKey, StandInIssue>,
    pub(crate) discussions: HashMap<ItemKey, StandInDiscussion>,
    pub(crate) moved: HashMap<ItemKey, ItemKey>,
    pub(crate) deleted: HashSet<ItemKey>,
    pub(crate) hidden: HashSet<(String, String)>,
    pub(crate) sso_owners: HashSet<String>,
    requests: Vec<RecordedRequest>,
    /// Registered tokens, and whether each has expired.
    tokens: HashMap<String, bool>,
    pub(crate) require_auth: bool,
    pub(crate) core: HashMap<Caller, Budget>,
    pub(crate) graphql: HashMap<String, Budget>,
    /// The caller of the last REST request: whose budget [`GitHubStandIn::rate_limit`] shows.
    pub(crate) last_core_caller: Caller,
    pub(crate) secondary_next: Option<(u16, Option<u64>)>,
    pub(crate) spent_status: u16,
    fail_with: Option<u16>,
    delay: Option<Duration>,
}

impl Inner {
    /// `caller`'s REST budget, refreshed to `now`.
    pub(crate) fn core_budget(&mut self, caller: &Caller, now: DateTime<Utc>) -> &mut Budget {
        let limit = match caller {
            Caller::Anonymous => ANONYMOUS_LIMIT,
            Caller::Token(_) => DEFAULT_LIMIT,
        };
        let budget = self
            .core
            .entry(caller.clone())
            .or_insert_with(|| Budget::full(limit, now));
        budget.refresh(now);
        budget
    }

    /// `token`'s GraphQL budget, refreshed to `now`.
    pub(crate) fn graphql_budget(&mut self, token: &str, now: DateTime<Utc>) -> &mut Budget {
        let budget = self
            .graphql
            .entry(token.to_string())
            .or_insert_with(|| Budget::full(GRAPHQL_LIMIT, now));
        budget.refresh(now);
        budget
    }
}

impl GitHubStandIn {
    /// Starts a stand-in on the system clock; see [`GitHubStandIn::start_with_clock`].
    pub async fn start() -> anyhow::Result<GitHubStandIn> {
        GitHubStandIn::start_with_clock(Utc::now).await
    }

    /// Starts a stand-in on a free port of 127.0.0.1 with no issues, no token registered (only
    /// anonymous requests pass), and full budgets whose hour starts at `clock`'s now.
    pub async fn start_with_clock(
        clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
    ) -> anyhow::Result<GitHubStandIn> {
        let clock: Clock = Arc::new(clock);
        let listener = loopback::bind("the GitHub stand-in").await?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared {
            api_base: format!("http://127.0.0.1:{port}"),
            clock,
            state: Mutex::new(Inner {
                issues: HashMap::new(),
                discussions: HashMap::new(),
                moved: HashMap::new(),
                deleted: HashSet::new(),
                hidden: HashSet::new(),
                sso_owners: HashSet::new(),
                requests: Vec::new(),
                tokens: HashMap::new(),
                require_auth: false,
                core: HashMap::new(),
                graphql: HashMap::new(),
                last_core_caller: Caller::Anonymous,
                secondary_next: None,
                spent_status: 403,
                fail_with: None,
                delay: None,
            }),
        });
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        let stop = loopback::Stop::new();
        stop.serve(listener, app, "the GitHub stand-in");
        Ok(GitHubStandIn {
            shared,
            _stop: stop,
        })
    }

    /// The base URL to give a client (REST paths and `/graphql` hang off it).
    pub fn api_base(&self) -> String {
        self.shared.api_base.clone()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.state.lock().unwrap()
    }

    /// Serves `issue` as `owner/repo#number` from now on.
    pub fn set_issue(&self, owner: &str, repo: &str, number: u64, issue: StandInIssue) {
        self.state().issues.insert(key(owner, repo, number), issue);
    }

    pub fn remove_issue(&self, owner: &str, repo: &str, number: u64) {
        self.state().issues.remove(&key(owner, repo, number));
    }

    /// Serves `discussion` as `owner/repo` Discussion `number`, through GraphQL only (REST has
    /// no Discussions: `/issues/{number}` for it is 404).
    pub fn set_discussion(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        discussion: StandInDiscussion,
    ) {
        self.state()
            .discussions
            .insert(key(owner, repo, number), discussion);
    }

    /// Moves an Issue (transferred to another repository, or its repository renamed): its old
    /// path answers 301 to the new one from now on.
    pub fn move_issue(&self, from: (&str, &str, u64), to: (&str, &str, u64)) {
        let mut state = self.state();
        let from = key(from.0, from.1, from.2);
        let to = key(to.0, to.1, to.2);
        if let Some(issue) = state.issues.remove(&from) {
            state.issues.insert(to.clone(), issue);
        }
        state.moved.insert(from, to);
    }

    /// Deletes an Issue: 410 Gone from now on.
    pub fn delete_issue(&self, owner: &str, repo: &str, number: u64) {
        let mut state = self.state();
        let deleted = key(owner, repo, number);
        state.issues.remove(&deleted);
        state.deleted.insert(deleted);
    }

    /// Makes a repository private to every token the stand-in knows: 404 for all of it, and in
    /// GraphQL as if it did not exist.
    pub fn hide_repo(&self, owner: &str, repo: &str) {
        self.state()
            .hidden
            .insert((owner.to_string(), repo.to_string()));
    }

    /// Puts `owner` behind SAML single sign-on that no token has been authorized for: any
    /// request with a token for its resources is refused (403 in REST, `FORBIDDEN` in GraphQL).
    pub fn sso_protect(&self, owner: &str) {
        self.state().sso_owners.insert(owner.to_string());
    }

    /// Registers `token` as the only one accepted (`None`: none, only anonymous requests pass).
    /// A request carrying another is answered 401 Bad credentials.
    pub fn set_token(&self, token: Option<&str>) {
        let mut state = self.state();
        state.tokens.clear();
        if let Some(token) = token {
            state.tokens.insert(token.to_string(), false);
        }
    }

    /// Registers one more accepted token.
    pub fn add_token(&self, token: &str) {
        self.state().tokens.insert(token.to_string(), false);
    }

    /// Expires `token`: 401 Bad credentials from now on, as for a wrong one.
    pub fn expire_token(&self, token: &str) {
        self.state().tokens.insert(token.to_string(), true);
    }

    /// Whether a REST request without a token is answered 401 "Requires authentication".
    pub fn require_auth(&self, required: bool) {
        self.state().require_auth = required;
    }

    /// Sets the REST budget of every caller: the anonymous one and every registered token's
    /// (`x-ratelimit-limit`, what remains of it, and when it resets). Every REST call spends one
    /// of its caller's; with none left calls are refused (see
    /// [`GitHubStandIn::answer_spent_budget_with`]). When the clock passes `reset`, the budget
    /// refills to `limit` for another hour.
    pub fn set_rate_limit(&self, limit: u64, remaining: u64, reset: DateTime<Utc>) {
        let mut state = self.state();
        let budget = Budget {
            limit,
            remaining,
            reset,
        };
        let callers: Vec<Caller> = std::iter::once(Caller::Anonymous)
            .chain(state.tokens.keys().cloned().map(Caller::Token))
            .collect();
        for caller in callers {
            state.core.insert(caller, budget);
        }
    }

    /// The REST budget in use, of the last REST request's caller (anonymous before any):
    /// (limit, remaining, reset).
    pub fn rate_limit(&self) -> (u64, u64, DateTime<Utc>) {
        let now = (self.shared.clock)();
        let mut state = self.state();
        let caller = state.last_core_caller.clone();
        let budget = *state.core_budget(&caller, now);
        (budget.limit, budget.remaining, budget.reset)
    }

    /// Sets `token`'s GraphQL budget, in points.
    pub fn set_graphql_rate_limit(
        &self,
        token: &str,
        limit: u64,
        remaining: u64,
        reset: DateTime<Utc>,
    ) {
        self.state().graphql.insert(
            token.to_string(),
            Budget {
                limit,
                remaining,
                reset,
            },
        );
    }

    /// `token`'s GraphQL budget now: (limit, remaining, reset).
    pub fn graphql_rate_limit(&self, token: &str) -> (u64, u64, DateTime<Utc>) {
        let now = (self.shared.clock)();
        let budget = *self.state().graphql_budget(token, now);
        (budget.limit, budget.remaining, budget.reset)
    }

    /// The status a spent REST budget is answered with: 403 (the default) or 429; GitHub's docs
    /// allow either ("you will receive a 403 or 429 response"):
    /// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit
    pub fn answer_spent_budget_with(&self, status: u16) {
        assert!(
            status == 403 || status == 429,
            "GitHub answers a spent budget with 403 or 429"
        );
        self.state().spent_status = status;
    }

    /// Answers the next REST call (only) with a secondary rate limit: `status` (403 or 429),
    /// with `retry-after: seconds` if given.
    pub fn answer_secondary_next(&self, status: u16, retry_after_seconds: Option<u64>) {
        assert!(
            status == 403 || status == 429,
            "GitHub answers a secondary rate limit with 403 or 429"
        );
        self.state().secondary_next = Some((status, retry_after_seconds));
    }

    /// Answers the next REST call (only) with a secondary rate limit: 429 and `retry-after`.
    pub fn answer_429_next(&self, retry_after_seconds: u64) {
        self.answer_secondary_next(429, Some(retry_after_seconds));
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

/// An answer: status, JSON body (`None`: an empty one, as for a 304), extra headers.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
    pub(crate) headers: Vec<(String, String)>,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            headers: Vec::new(),
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl ToString) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The `x-ratelimit-*` headers of `budget`, counted against `resource`:
    /// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#checking-the-status-of-your-rate-limit
    pub(crate) fn rate_headers(self, budget: &Budget, resource: &str) -> Reply {
        self.header("x-ratelimit-limit", budget.limit)
            .header("x-ratelimit-remaining", budget.remaining)
            .header("x-ratelimit-used", budget.used())
            .header("x-ratelimit-reset", budget.reset.timestamp())
            .header("x-ratelimit-resource", resource)
    }
}

/// GitHub's error body (`basic-error` in its REST description).
pub(crate) fn error_body(message: &str, documentation_url: &str, status: u16) -> Value {
    json!({
        "message": message,
        "documentation_url": documentation_url,
        "status": status.to_string(),
    })
}

/// What a request's `Authorization` header makes of it.
pub(crate) enum Credentials {
    None,
    Valid(String),
    Bad,
}

impl Inner {
    /// A token is good only if registered and not expired; GitHub answers anything else 401
    /// "Bad credentials":
    /// https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#401-unauthorized
    fn credentials(&self, headers: &HeaderMap) -> Credentials {
        let Some(given) = headers.get("authorization") else {
            return Credentials::None;
        };
        let given = String::from_utf8_lossy(given.as_bytes());
        let secret = given
            .strip_prefix("Bearer ")
            .or_else(|| given.strip_prefix("token "))
            .unwrap_or("");
        match self.tokens.get(secret) {
            Some(false) => Credentials::Valid(secret.to_string()),
            _ => Credentials::Bad,
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
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
            body: (!body.is_empty()).then(|| String::from_utf8_lossy(&body).into_owned()),
        });
        state.delay
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    let reply = answer(&shared, &method, &uri, &headers, &body);
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::builder().status(status);
    if reply.body.is_some() {
        response = response.header("content-type", "application/json; charset=utf-8");
    }
    for (name, value) in &reply.headers {
        response = response.header(name, value);
    }
    let body = match reply.body {
        Some(body) => Body::from(body.to_string()),
        None => Body::empty(),
    };
    response.body(body).expect("a well-formed response")
}

/// The answer to one request, the way GitHub decides it: server trouble, then the request's
/// shape and credentials, then (in [`rest`] or [`graphql`]) rate limits and the resource.
fn answer(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Reply {
    let now = (shared.clock)();
    let mut state = shared.state.lock().unwrap();
    if let Some(status) = state.fail_with {
        return Reply::json(
            status,
            error_body("Server Error", "https://docs.github.com/rest", status),
        );
    }
    // "All API requests must include a valid User-Agent header. Requests with no User-Agent
    // header will be rejected."
    // https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent
    if !headers.contains_key("user-agent") {
        let message = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.";
        return Reply::json(
            403,
            error_body(message, "https://docs.github.com/rest", 403),
        );
    }
    let credentials = state.credentials(headers);
    if uri.path() == "/graphql" && *method == Method::POST {
        graphql::answer(&mut state, credentials, body, now)
    } else {
        rest::answer(shared, &mut state, credentials, method, uri, headers, now)
    }
}
