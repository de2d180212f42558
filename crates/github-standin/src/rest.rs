//! The stand-in's REST answers: `GET /repos/{owner}/{repo}/issues/{number}` ("Get an issue",
//! https://docs.github.com/en/rest/issues/issues#get-an-issue), with GitHub's rules in the order
//! GitHub applies them. Every answer's shape is the one GitHub's own description gives
//! (`rest-description/issues-get.json`; the tests validate against it).

use super::{error_body, Budget, Caller, Credentials, Inner, ItemKey, Reply, Shared, StandInIssue};
use axum::http::{HeaderMap, Method, Uri};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// The API versions GitHub serves; a request may name one in `X-GitHub-Api-Version`, and
/// "if you specify an API version that is no longer supported, you will receive a 400 error":
/// https://docs.github.com/en/rest/about-the-rest-api/api-versions#specifying-an-api-version
pub const SUPPORTED_API_VERSIONS: [&str; 2] = ["2026-03-10", "2022-11-28"];

/// "Requests without the X-GitHub-Api-Version header will default to use the 2022-11-28
/// version" (same page).
const DEFAULT_API_VERSION: &str = "2022-11-28";

const GET_AN_ISSUE_DOCS: &str = "https://docs.github.com/rest/issues/issues#get-an-issue";

/// The SAML SSO refusal of a token not authorized for an organization:
/// https://docs.github.com/en/enterprise-cloud@latest/authentication/authenticating-with-saml-single-sign-on/authorizing-a-personal-access-token-for-use-with-saml-single-sign-on
pub const SSO_MESSAGE: &str = "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.";

/// The secondary-rate-limit refusal:
/// https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-secondary-rate-limit
const SECONDARY_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.";

fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An HTTP date, as in `Last-Modified`.
fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A weak ETag derived from the body (FNV-1a, so it is the same across runs).
fn etag(body: &str) -> String {
    let hash = body.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("W/\"{hash:016x}\"")
}

/// Whether `If-None-Match` names `tag`; weak comparison, as for a GET
/// (https://www.rfc-editor.org/rfc/rfc9110#name-if-none-match).
fn none_match(header: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    header.trim() == "*" || header.split(',').any(|t| bare(t) == bare(tag))
}

/// GitHub's user object (`simple-user`), for the stand-in's one author.
fn octocat() -> Value {
    let api = "https://api.github.com/users/octocat";
    json!({
        "login": "octocat",
        "id": 1,
        "node_id": "MDQ6VXNlcjE=",
        "avatar_url": "https://github.com/images/error/octocat_happy.gif",
        "gravatar_id": "",
        "url": api,
        "html_url": "https://github.com/octocat",
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": "User",
        "site_admin": false,
    })
}

/// GitHub's issue object (`issue` in its description), for "Get an issue".
pub(crate) fn issue_json(
    api_base: &str,
    owner: &str,
    repo: &str,
    number: u64,
    issue: &StandInIssue,
) -> Value {
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
        "labels_url": format!("{api}/issues/{number}/labels{{/name}}"),
        "comments_url": format!("{api}/issues/{number}/comments"),
        "events_url": format!("{api}/issues/{number}/events"),
        "html_url": html_url,
        "number": number,
        "state": issue.state,
        "state_reason": issue.state_reason,
        "title": issue.title,
        "body": null,
        "user": octocat(),
        "labels": [],
        "assignee": null,
        "assignees": [],
        "milestone": null,
        "locked": false,
        "active_lock_reason": null,
        "comments": issue.timeline.iter().filter(|e| e.kind == super::TimelineKind::Comment).count(),
        "created_at": timestamp(issue.created_at),
        "updated_at": timestamp(issue.updated_at),
        "closed_at": issue.closed_at.map(timestamp),
        "closed_by": null,
        "author_association": "MEMBER",
    });
    if let Some(pr) = issue.pull_request {
        let mut pull = json!({
            "url": format!("{api}/pulls/{number}"),
            "html_url": format!("{web}/pull/{number}"),
            "diff_url": format!("{web}/pull/{number}.diff"),
            "patch_url": format!("{web}/pull/{number}.patch"),
        });
        if !pr.omit_merged_at {
            pull["merged_at"] = json!(pr.merged_at.map(timestamp));
        }
        object["pull_request"] = pull;
    }
    object
}

fn not_found() -> Reply {
    Reply::json(404, error_body("Not Found", GET_AN_ISSUE_DOCS, 404))
}

/// The answer to a REST request whose User-Agent is there.
pub(crate) fn answer(
    shared: &Shared,
    state: &mut Inner,
    credentials: Credentials,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Reply {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let version = header("x-github-api-version");
    if let Some(version) = &version {
        if !SUPPORTED_API_VERSIONS.contains(&version.as_str()) {
            // GitHub's wording, as its 400 answers quote it.
            let supported = SUPPORTED_API_VERSIONS
                .iter()
                .enumerate()
                .map(|(i, v)| match i {
                    0 => format!("\"{v}\" (most recent)"),
                    _ => format!("\"{v}\""),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let message = format!("The version you specified in the \"X-GitHub-API-Version\" request header, \"{version}\", is not a supported version. The following versions are currently supported: {supported}.");
            return Reply::json(
                400,
                error_body(&message, "https://docs.github.com/rest", 400),
            );
        }
    }
    let version = version.unwrap_or_else(|| DEFAULT_API_VERSION.to_string());
    let caller = match credentials {
        Credentials::Bad => {
            return Reply::json(
                401,
                error_body("Bad credentials", "https://docs.github.com/rest", 401),
            )
        }
        Credentials::None if state.require_auth => {
            return Reply::json(
                401,
                error_body(
                    "Requires authentication",
                    "https://docs.github.com/rest",
                    401,
                ),
            )
        }
        Credentials::None => Caller::Anonymous,
        Credentials::Valid(token) => Caller::Token(token),
    };
    state.last_core_caller = caller.clone();
    if let Some((status, retry_after)) = state.secondary_next.take() {
        let budget = *state.core_budget(&caller, now);
        let body = error_body(
            SECONDARY_MESSAGE,
            "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            status,
        );
        let reply = Reply::json(status, body).rate_headers(&budget, "core");
        return match retry_after {
            Some(seconds) => reply.header("retry-after", seconds),
            None => reply,
        };
    }
    let spent_status = state.spent_status;
    let budget = state.core_budget(&caller, now);
    if budget.remaining == 0 {
        // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit
        let message = match &caller {
            Caller::Anonymous => "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
            Caller::Token(_) => "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
        };
        let body = error_body(
            message,
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
            spent_status,
        );
        let budget = *budget;
        return Reply::json(spent_status, body).rate_headers(&budget, "core");
    }
    let reply = resource(shared, state, &caller, method, uri, headers);
    // "Making a conditional request does not count against your primary rate limit if a 304
    // response is returned and the request was made while correctly authorized with an
    // Authorization header":
    // https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
    let free = reply.status == 304 && matches!(caller, Caller::Token(_));
    let budget: &mut Budget = state.core_budget(&caller, now);
    if !free {
        budget.remaining -= 1;
    }
    let budget = *budget;
    reply
        .rate_headers(&budget, "core")
        .header("x-github-api-version-selected", version)
}

/// The resource's own answer, once the request has passed every check.
fn resource(
    shared: &Shared,
    state: &Inner,
    caller: &Caller,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Reply {
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let [repos, owner, repo, issues, number] = segments.as_slice() else {
        return not_found();
    };
    if *method != Method::GET || *repos != "repos" || *issues != "issues" {
        return not_found();
    }
    let Ok(number) = number.parse::<u64>() else {
        return not_found();
    };
    // A private repository is 404 to whoever may not see it, never 403, so that its existence
    // does not leak:
    // https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api#404-not-found-for-an-existing-resource
    if state
        .hidden
        .contains(&(owner.to_string(), repo.to_string()))
    {
        return not_found();
    }
    if matches!(caller, Caller::Token(_)) && state.sso_owners.contains(*owner) {
        // The `X-GitHub-SSO` header carries the URL at which to authorize the token:
        // https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api#using-basic-authentication
        return Reply::json(
            403,
            error_body(
                SSO_MESSAGE,
                "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/",
                403,
            ),
        )
        .header(
            "x-github-sso",
            format!("required; url=https://github.com/orgs/{owner}/sso?authorization_request=standin"),
        );
    }
    let wanted: ItemKey = (owner.to_string(), repo.to_string(), number);
    // "The API returns a 301 Moved Permanently status if the issue was transferred to another
    // repository … If the issue was deleted from a repository where the authenticated user has
    // read access, the API returns a 410 Gone status" ("Get an issue", above).
    if let Some((o, r, n)) = state.moved.get(&wanted) {
        let location = format!("{}/repos/{o}/{r}/issues/{n}", shared.api_base);
        let body = json!({
            "message": "Moved Permanently",
            "url": location,
            "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects",
        });
        return Reply::json(301, body).header("location", location);
    }
    if state.deleted.contains(&wanted) {
        return Reply::json(
            410,
            error_body("This issue was deleted", GET_AN_ISSUE_DOCS, 410),
        );
    }
    let Some(issue) = state.issues.get(&wanted) else {
        return not_found();
    };
    let body = issue_json(&shared.api_base, owner, repo, number, issue);
    let tag = etag(&body.to_string());
    let last_modified = http_date(issue.updated_at);
    // "If the data has not changed, you will receive a 304 Not Modified response" to a request
    // carrying the ETag in `If-None-Match` or the date in `If-Modified-Since`:
    // https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let unchanged = match header("if-none-match") {
        Some(given) => none_match(&given, &tag),
        None => header("if-modified-since")
            .and_then(|since| DateTime::parse_from_rfc2822(&since).ok())
            .is_some_and(|since| issue.updated_at <= since),
    };
    let reply = match unchanged {
        true => Reply {
            status: 304,
            body: None,
            headers: Vec::new(),
        },
        false => Reply::json(200, body),
    };
    reply
        .header("etag", tag)
        .header("last-modified", last_modified)
}
