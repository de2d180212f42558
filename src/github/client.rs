//! The GitHub client: REST (`GET /repos/{owner}/{repo}/issues/{number}`, which answers for Issues
//! and PRs alike, with conditional requests) for everyone, and GraphQL (many items in one query,
//! with who did what) when a token is set; GitHub's rate limits kept for both.
//!
//! Rate limits follow GitHub's "Rate limits for the REST API" and "Rate limits and query limits
//! for the GraphQL API": REST calls and GraphQL points are separate budgets; every answer's
//! `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` are read; a 403 or 429
//! that says a limit is spent pauses that budget until `retry-after` seconds have passed, or
//! else until `x-ratelimit-reset` when nothing remains, or else for a minute; and the client also
//! pauses until the reset once less than a tenth of the budget remains, leaving the rest to
//! whatever else shares the token. A paused client refuses calls without sending them. Time comes
//! from the caller (`now`), which is the bot's governance clock, so tests move it.

use super::{GitHubItem, ItemKind};
use crate::governance::{CloseReason, ItemRef};
use chrono::{DateTime, TimeZone as _, Utc};
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, ETAG, IF_NONE_MATCH, USER_AGENT,
};
use reqwest::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use crate::config::{GITHUB_API_BASE as DEFAULT_API_BASE, GITHUB_TOKEN_VAR as TOKEN_VAR};

/// The REST API version the client speaks (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";

/// How long one call may take, connecting included, unless [`GitHubClient::with_timeout`] says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long to wait after a rate-limit answer that says neither how long nor until when
/// (GitHub's documented "wait at least one minute").
const UNSPECIFIED_WAIT: chrono::Duration = chrono::Duration::seconds(60);

/// The longest piece of an error body repeated in an error message.
const MAX_MESSAGE: usize = 300;

/// A GitHub token: a [`Secret`](crate::secret::Secret), printed as `Token(***)`.
pub use crate::secret::Secret as Token;

/// The token in [`TOKEN_VAR`], without surrounding whitespace; `None` when it is unset, empty
/// or not UTF-8 (the sync then reads public repositories anonymously).
pub fn github_token() -> Option<Token> {
    Token::from_env(TOKEN_VAR).ok()
}

/// Where an Issue, PR or Discussion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemState {
    Open,
    /// Closed, and how: completed, not planned, a duplicate, merged, closed unmerged, resolved…
    Closed(CloseReason),
}

/// What GitHub says about an Issue, PR or Discussion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemStatus {
    /// What GitHub says it is (a PR's issue object carries `pull_request`).
    pub kind: ItemKind,
    pub state: ItemState,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the item last moved, as govbot counts activity: through GraphQL, the latest comment,
    /// commit, review or state change by a person (not a bot), `None` when none is among its
    /// latest timeline entries; through REST, which does not say who did what, `updated_at`.
    pub activity: Option<DateTime<Utc>>,
    /// Where GitHub says the item lives now (after a transfer or a repository rename).
    pub location: Option<GitHubItem>,
}

/// A REST answer: the item, or "not modified since the ETag you sent" (a 304).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    Changed {
        status: ItemStatus,
        etag: Option<String>,
    },
    NotModified,
}

/// The budget GitHub reported in its last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub limit: u64,
    pub remaining: u64,
    pub reset: DateTime<Utc>,
}

/// GitHub's separate budgets: REST calls (`core`) and GraphQL points (`graphql`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Core,
    Graphql,
}

/// Why a call told nothing about an item. Messages are written for operators and users, and never
/// contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitHubError {
    /// GitHub's rate limit is spent, or nearly (a tenth is kept in reserve); the client sends
    /// nothing before `until`.
    #[error(
        "GitHub's API rate limit is used up for now: govbot will not ask GitHub again until {until}"
    )]
    RateLimited { until: DateTime<Utc> },
    #[error(
        "GitHub has no {item}: it does not exist, it was moved where the token cannot see it, or it is private and the token in {TOKEN_VAR} (if any) cannot see it"
    )]
    NotFound { item: String },
    #[error("GitHub says {item} was deleted (410)")]
    Gone { item: String },
    #[error(
        "GitHub refused the request as unauthorized (401): check {TOKEN_VAR}, which must hold a valid GitHub token that has not expired or been revoked"
    )]
    Unauthorized,
    /// A 403 that is not a rate limit: SAML single sign-on not granted, a blocked repository.
    #[error("GitHub refused to show {item} (403): {message}")]
    Forbidden { item: String, message: String },
    #[error("GitHub answered HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("cannot reach GitHub: {message}")]
    Unreachable { message: String },
    /// GitHub answered, but not with an object the client understands.
    #[error("GitHub's answer could not be understood: {message}")]
    Unexpected { message: String },
    /// The client could not be set up (a bad API base, a token that cannot be sent).
    #[error("cannot set up the GitHub client: {message}")]
    Setup { message: String },
    /// Something only a token allows (GraphQL, and so Discussions).
    #[error("{what} needs a GitHub token: set {TOKEN_VAR}")]
    NeedsToken { what: String },
}

impl GitHubError {
    /// Whether asking again later will not help until a person acts (a token, access, the item).
    pub fn is_persistent(&self) -> bool {
        matches!(
            self,
            GitHubError::NotFound { .. }
                | GitHubError::Gone { .. }
                | GitHubError::Unauthorized
                | GitHubError::Forbidden { .. }
                | GitHubError::NeedsToken { .. }
        )
    }
}

/// Reads Issues, PRs and Discussions from GitHub. Clones share the connection pool and the
/// rate-limit state.
#[derive(Clone)]
pub struct GitHubClient {
    http: reqwest::Client,
    api_base: String,
    token: Option<Token>,
    authorization: Option<HeaderValue>,
    timeout: Duration,
    budget: Arc<Mutex<HashMap<Resource, Budget>>>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Budget {
    last: Option<RateLimit>,
    paused_until: Option<DateTime<Utc>>,
}

impl fmt::Debug for GitHubClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubClient")
            .field("api_base", &self.api_base)
            .field("token", &self.token)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The part of GitHub's issue object the client reads. Keys the REST description marks optional
/// are `Option` with a default, so their absence is not an error.
#[derive(Deserialize)]
struct IssueObject {
    state: String,
    #[serde(default)]
    state_reason: Option<String>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    html_url: Option<String>,
    #[serde(default)]
    pull_request: Option<PullRequestPart>,
}

#[derive(Deserialize)]
struct PullRequestPart {
    #[serde(default)]
    merged_at: Option<DateTime<Utc>>,
}

/// An answer that got through the rate-limit checks.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl GitHubClient {
    /// A client for the API at `api_base` (e.g. [`DEFAULT_API_BASE`], or a stand-in's), sending
    /// `token` as a bearer token when there is one. Without a token GitHub allows only public
    /// items, only REST, and a small budget (60 calls an hour).
    pub fn new(api_base: &str, token: Option<Token>) -> Result<GitHubClient, GitHubError> {
        let api_base = api_base.trim().trim_end_matches('/').to_string();
        match reqwest::Url::parse(&api_base) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => {
                return Err(GitHubError::Setup {
                    message: format!(
                        "the API base {api_base:?} is not an http(s) URL such as {DEFAULT_API_BASE}"
                    ),
                })
            }
        }
        let authorization = match &token {
            None => None,
            Some(token) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| GitHubError::Setup {
                        message: format!(
                            "the token in {TOKEN_VAR} holds characters that cannot be sent in an HTTP header"
                        ),
                    })?;
                value.set_sensitive(true);
                Some(value)
            }
        };
        // GitHub answers 301 for a renamed repository or a transferred issue and asks clients to
        // follow it ("Follow redirects" in the REST best practices); reqwest's default policy does,
        // and the object's `html_url` then says where the item lives now.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| GitHubError::Setup {
                message: e.to_string(),
            })?;
        Ok(GitHubClient {
            http,
            api_base,
            token,
            authorization,
            timeout: DEFAULT_TIMEOUT,
            budget: Arc::default(),
        })
    }

    /// How long one call may take before it counts as [`GitHubError::Unreachable`].
    pub fn with_timeout(mut self, timeout: Duration) -> GitHubClient {
        self.timeout = timeout;
        self
    }

    pub fn api_base(&self) -> &str {
        &self.api_base
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The REST budget GitHub reported last, if it has answered with one.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.budget_of(Resource::Core).last
    }

    /// The budget of `resource` GitHub reported last.
    pub fn rate_limit_of(&self, resource: Resource) -> Option<RateLimit> {
        self.budget_of(resource).last
    }

    fn budget_of(&self, resource: Resource) -> Budget {
        self.budget
            .lock()
            .unwrap()
            .get(&resource)
            .copied()
            .unwrap_or_default()
    }

    /// When the client will send REST calls again, if it is paused at `now`.
    pub fn paused_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.paused_until_of(Resource::Core, now)
    }

    pub fn paused_until_of(&self, resource: Resource, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.budget_of(resource).paused_until.filter(|u| *u > now)
    }

    /// Asks GitHub's REST API where an Issue or PR stands (Discussions have no REST endpoint:
    /// [`GitHubError::NeedsToken`]). With `etag` from an earlier answer GitHub may answer
    /// [`Fetched::NotModified`], which costs no budget when a token is sent. Refused without a
    /// call, as [`GitHubError::RateLimited`], while the client is paused at `now`.
    pub async fn fetch(
        &self,
        item: &GitHubItem,
        etag: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Fetched, GitHubError> {
        if item.kind == ItemKind::Discussion {
            return Err(GitHubError::NeedsToken {
                what: format!("Reading the Discussion {item} (GitHub's GraphQL API)"),
            });
        }
        let url = format!(
            "{}/repos/{}/{}/issues/{}",
            self.api_base, item.owner, item.repo, item.number
        );
        let mut request = self.http.get(&url);
        if let Some(etag) = etag {
            request = request.header(IF_NONE_MATCH, etag);
        }
        let answer = self.send(request, Resource::Core, now).await?;
        match answer.status {
            StatusCode::NOT_MODIFIED => Ok(Fetched::NotModified),
            s if s.is_success() => {
                let etag = answer
                    .headers
                    .get(ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                Ok(Fetched::Changed {
                    status: self.read_issue(&answer.body)?,
                    etag,
                })
            }
            _ => Err(self.refusal(&answer, &item.to_string())),
        }
    }

    /// Asks GitHub's GraphQL API about many items in one query (a token is required): for each,
    /// in order, where it stands and its latest human activity, or why GitHub could not say.
    /// The whole batch fails only when GitHub answers nothing about any item (a rate limit, a
    /// refused token, GitHub unreachable).
    pub async fn fetch_batch(
        &self,
        items: &[GitHubItem],
        now: DateTime<Utc>,
    ) -> Result<Vec<Result<ItemStatus, GitHubError>>, GitHubError> {
        if self.token.is_none() {
            return Err(GitHubError::NeedsToken {
                what: "GitHub's GraphQL API".into(),
            });
        }
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let (query, variables) = super::graphql::items_query(items);
        let request = self
            .http
            .post(format!("{}/graphql", self.api_base))
            .json(&serde_json::json!({ "query": query, "variables": variables }));
        let answer = self.send(request, Resource::Graphql, now).await?;
        if !answer.status.is_success() {
            return Err(self.refusal(&answer, "the GraphQL query"));
        }
        let read = super::graphql::read_answer(items, &answer.body, now).map_err(|message| {
            GitHubError::Unexpected {
                message: self.scrub(message),
            }
        })?;
        if let Some(said) = read.rate_limited {
            // GitHub answers a spent GraphQL budget with 200 and a RATE_LIMITED error; when it is
            // back is in `x-ratelimit-reset` (or the query's `rateLimit.resetAt`).
            let rate = read_rate(&answer.headers);
            let until = rate
                .map(|r| r.reset)
                .into_iter()
                .chain(Some(said))
                .max()
                .filter(|u| *u > now)
                .unwrap_or(now + UNSPECIFIED_WAIT);
            self.pause(Resource::Graphql, until, rate);
            return Err(GitHubError::RateLimited { until });
        }
        Ok(read.items)
    }

    /// Sends one call with the headers GitHub asks for, keeping the rate limits: refused without
    /// sending while paused; a rate-limit answer pauses and is [`GitHubError::RateLimited`].
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        resource: Resource,
        now: DateTime<Utc>,
    ) -> Result<Answer, GitHubError> {
        if let Some(until) = self.paused_until_of(resource, now) {
            return Err(GitHubError::RateLimited { until });
        }
        let mut request = request
            .timeout(self.timeout)
            .header(ACCEPT, "application/vnd.github+json")
            .header("X-GitHub-Api-Version", API_VERSION)
            .header(USER_AGENT, "govbot");
        if let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.unreachable(&e))?
            .to_vec();
        let rate = read_rate(&headers);

        if matches!(
            status,
            StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
        ) {
            let retry_after = header_u64(&headers, "retry-after");
            let spent = status == StatusCode::TOO_MANY_REQUESTS
                || retry_after.is_some()
                || header_u64(&headers, "x-ratelimit-remaining") == Some(0)
                || github_message(&body).is_some_and(|m| m.to_lowercase().contains("rate limit"));
            if spent {
                let until = match (retry_after, rate) {
                    (Some(seconds), _) => now + seconds_from(seconds),
                    (None, Some(rate)) if rate.remaining == 0 && rate.reset > now => rate.reset,
                    _ => now + UNSPECIFIED_WAIT,
                };
                self.pause(resource, until, rate);
                return Err(GitHubError::RateLimited { until });
            }
        }
        self.note_budget(resource, rate, now);
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    fn pause(&self, resource: Resource, until: DateTime<Utc>, rate: Option<RateLimit>) {
        let mut budgets = self.budget.lock().unwrap();
        let budget = budgets.entry(resource).or_default();
        if rate.is_some() {
            budget.last = rate;
        }
        budget.paused_until = Some(budget.paused_until.map_or(until, |u| u.max(until)));
    }

    /// What a non-success answer about `what` means.
    fn refusal(&self, answer: &Answer, what: &str) -> GitHubError {
        let said = github_message(&answer.body);
        match answer.status {
            StatusCode::UNAUTHORIZED => GitHubError::Unauthorized,
            StatusCode::NOT_FOUND => GitHubError::NotFound {
                item: what.to_string(),
            },
            StatusCode::GONE => GitHubError::Gone {
                item: what.to_string(),
            },
            StatusCode::FORBIDDEN => GitHubError::Forbidden {
                item: what.to_string(),
                message: shorten(&self.scrub(said.unwrap_or_else(|| "no reason given".into()))),
            },
            s => {
                let said = said
                    .or_else(|| {
                        let text = String::from_utf8_lossy(&answer.body).trim().to_string();
                        (!text.is_empty()).then_some(text)
                    })
                    .unwrap_or_else(|| s.canonical_reason().unwrap_or("no reason given").into());
                GitHubError::Http {
                    status: s.as_u16(),
                    message: format!("{} (asking about {what})", shorten(&self.scrub(said))),
                }
            }
        }
    }

    /// Keeps the budget GitHub reported and pauses until its reset once less than a tenth is
    /// left.
    fn note_budget(&self, resource: Resource, rate: Option<RateLimit>, now: DateTime<Utc>) {
        let Some(rate) = rate else { return };
        let mut budgets = self.budget.lock().unwrap();
        let budget = budgets.entry(resource).or_default();
        budget.last = Some(rate);
        let low = rate.remaining.saturating_mul(10) < rate.limit;
        if low && rate.reset > now {
            budget.paused_until = Some(
                budget
                    .paused_until
                    .map_or(rate.reset, |u| u.max(rate.reset)),
            );
        }
    }

    fn read_issue(&self, body: &[u8]) -> Result<ItemStatus, GitHubError> {
        let issue: IssueObject =
            serde_json::from_slice(body).map_err(|e| GitHubError::Unexpected {
                message: self.scrub(format!("not an issue object ({e})")),
            })?;
        let merged = issue
            .pull_request
            .as_ref()
            .is_some_and(|pr| pr.merged_at.is_some());
        let is_pull = issue.pull_request.is_some();
        let state = match issue.state.as_str() {
            "open" => ItemState::Open,
            "closed" => ItemState::Closed(if merged {
                CloseReason::Merged
            } else if is_pull {
                CloseReason::ClosedUnmerged
            } else {
                issue_close_reason(issue.state_reason.as_deref())
            }),
            other => {
                return Err(GitHubError::Unexpected {
                    message: self.scrub(format!(
                        "unknown state {:?} (expected \"open\" or \"closed\")",
                        shorten(other)
                    )),
                })
            }
        };
        Ok(ItemStatus {
            kind: if is_pull {
                ItemKind::Pull
            } else {
                ItemKind::Issue
            },
            state,
            updated_at: issue.updated_at,
            closed_at: issue.closed_at,
            activity: Some(issue.updated_at),
            location: issue.html_url.and_then(|url| ItemRef::Url(url).github()),
        })
    }

    fn unreachable(&self, e: &reqwest::Error) -> GitHubError {
        let message = if e.is_timeout() {
            format!(
                "no answer from {} within {}",
                self.api_base,
                humantime::format_duration(self.timeout)
            )
        } else {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            message
        };
        GitHubError::Unreachable {
            message: self.scrub(message),
        }
    }

    /// `text` with the token, should it ever appear there, masked.
    fn scrub(&self, text: String) -> String {
        match &self.token {
            Some(token) if !token.expose().is_empty() && text.contains(token.expose()) => {
                text.replace(token.expose(), "***")
            }
            _ => text,
        }
    }
}

/// An issue's REST `state_reason` when closed: `completed` (or none, as on issues closed before
/// GitHub kept a reason), `not_planned`, `duplicate`.
pub(crate) fn issue_close_reason(reason: Option<&str>) -> CloseReason {
    match reason.map(str::to_ascii_lowercase).as_deref() {
        Some("not_planned") => CloseReason::NotPlanned,
        Some("duplicate") => CloseReason::Duplicate,
        _ => CloseReason::Completed,
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn read_rate(headers: &HeaderMap) -> Option<RateLimit> {
    let limit = header_u64(headers, "x-ratelimit-limit")?;
    let remaining = header_u64(headers, "x-ratelimit-remaining")?;
    let reset = header_u64(headers, "x-ratelimit-reset")?;
    let reset = Utc.timestamp_opt(i64::try_from(reset).ok()?, 0).single()?;
    Some(RateLimit {
        limit,
        remaining,
        reset,
    })
}

fn seconds_from(seconds: u64) -> chrono::Duration {
    // A day is far beyond anything GitHub asks for; the cap keeps the arithmetic safe.
    chrono::Duration::seconds(i64::try_from(seconds.min(86_400)).unwrap_or(86_400))
}

/// The `message` of GitHub's error body, if it is one.
fn github_message(body: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct ErrorBody {
        message: String,
    }
    serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.message)
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_MESSAGE {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(MAX_MESSAGE).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_echoed_in_an_answer_is_masked() {
        let secret = "ghp_echoedSECRET0123456789";
        let client =
            GitHubClient::new("http://127.0.0.1:9", Some(Token::new(secret.into()))).unwrap();
        let masked = client.scrub(format!("bad header: Bearer {secret}, again {secret}"));
        assert_eq!(masked, "bad header: Bearer ***, again ***");
        let plain = GitHubClient::new("http://127.0.0.1:9", None).unwrap();
        assert_eq!(plain.scrub("as is".into()), "as is");
    }

    #[test]
    fn long_messages_are_shortened() {
        let long = "x".repeat(MAX_MESSAGE + 50);
        let short = shorten(&long);
        assert_eq!(short.chars().count(), MAX_MESSAGE + 1);
        assert!(short.ends_with('…'));
        assert_eq!(shorten("short"), "short");
    }
}
