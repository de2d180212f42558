//! The one GraphQL query govbot sends (many items at once) and how its answer is read.
//!
//! Why GraphQL when a token is set: one query reads up to [`BATCH`] items for 21 points of the
//! 5,000-point hourly budget, and it tells who did what, so activity means "a person commented,
//! committed, reviewed or changed the state" instead of any change of `updated_at` (which bots,
//! label changes and force-pushes also bump). A PR that references a tracked issue counts too: its
//! latest commit is work on that issue even when the PR is not tracked itself.
//!
//! Each item becomes an aliased field (`i0`, `d1`, …) with its own variables; a fragment is only
//! written when used, because GitHub refuses a document with an unused fragment or variable. A
//! PR's `state` is read as `prState`: GraphQL refuses one response key with two types (an
//! issue's `IssueState` and a PR's `PullRequestState`) in one selection.

use super::client::{issue_close_reason, ItemState, ItemStatus};
use super::{GitHubError, GitHubItem, ItemKind};
use crate::governance::{CloseReason, ItemRef};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// Items per query: GitHub's node limit and the query's cost stay small (a query of 50 items
/// costs 21 points of the hour's 5,000).
pub const BATCH: usize = 50;

/// How many of an item's latest timeline entries are read to find the latest human one.
pub const TIMELINE_WINDOW: u32 = 20;

/// The points a query for `items` items costs by GitHub's documented formula ("Rate limits and
/// query limits for the GraphQL API": the requests needed to fulfil each connection, divided by
/// 100, rounded, at least 1). The formula reads the query, not the data, so both of an item's
/// timelines count (the one selected on `Issue` and the one on `PullRequest`): per item, for each,
/// the timeline (1 request) and each of its entries' referencing-PR commits (1 each).
pub fn query_cost(items: usize) -> u64 {
    let requests = items as u64 * 2 * (1 + u64::from(TIMELINE_WINDOW));
    ((requests + 50) / 100).max(1)
}

const ACTIVITY: &str = "fragment Activity on Node {
  __typename
  ... on IssueComment { createdAt author { __typename login } }
  ... on ClosedEvent { createdAt actor { __typename login } }
  ... on ReopenedEvent { createdAt actor { __typename login } }
  ... on MergedEvent { createdAt actor { __typename login } }
  ... on PullRequestReview { submittedAt author { __typename login } }
  ... on PullRequestCommit { commit { committedDate author { name } } }
  ... on CrossReferencedEvent {
    createdAt actor { __typename login }
    source { __typename ... on PullRequest { url commits(last: 1) { nodes { commit { committedDate author { name } } } } } }
  }
}";

fn item_fragment() -> String {
    let w = TIMELINE_WINDOW;
    format!(
        "fragment Item on IssueOrPullRequest {{
  __typename
  ... on Issue {{
    url state stateReason updatedAt closedAt
    timelineItems(last: {w}, itemTypes: [ISSUE_COMMENT, CLOSED_EVENT, REOPENED_EVENT, CROSS_REFERENCED_EVENT]) {{ nodes {{ ...Activity }} }}
  }}
  ... on PullRequest {{
    url prState: state merged mergedAt updatedAt closedAt
    timelineItems(last: {w}, itemTypes: [ISSUE_COMMENT, CLOSED_EVENT, REOPENED_EVENT, MERGED_EVENT, PULL_REQUEST_COMMIT, PULL_REQUEST_REVIEW, CROSS_REFERENCED_EVENT]) {{ nodes {{ ...Activity }} }}
  }}
}}"
    )
}

fn discussion_fragment() -> String {
    format!(
        "fragment Discussion on Discussion {{
  url closed closedAt stateReason updatedAt
  comments(last: {TIMELINE_WINDOW}) {{ nodes {{ createdAt author {{ __typename login }} }} }}
}}"
    )
}

fn alias(index: usize, item: &GitHubItem) -> String {
    match item.kind {
        ItemKind::Discussion => format!("d{index}"),
        ItemKind::Issue | ItemKind::Pull => format!("i{index}"),
    }
}

/// The query and its variables for `items` (at most [`BATCH`]).
pub fn items_query(items: &[GitHubItem]) -> (String, Value) {
    let mut declarations = Vec::new();
    let mut fields = Vec::new();
    let mut variables = Map::new();
    let (mut any_item, mut any_discussion) = (false, false);
    for (i, item) in items.iter().enumerate() {
        declarations.push(format!("$o{i}: String!, $r{i}: String!, $n{i}: Int!"));
        variables.insert(format!("o{i}"), json!(item.owner));
        variables.insert(format!("r{i}"), json!(item.repo));
        variables.insert(format!("n{i}"), json!(item.number));
        let inner = if item.kind == ItemKind::Discussion {
            any_discussion = true;
            format!("discussion(number: $n{i}) {{ ...Discussion }}")
        } else {
            any_item = true;
            format!("issueOrPullRequest(number: $n{i}) {{ ...Item }}")
        };
        fields.push(format!(
            "  {}: repository(owner: $o{i}, name: $r{i}) {{ {inner} }}",
            alias(i, item)
        ));
    }
    let mut query = format!(
        "query Items({}) {{\n  rateLimit {{ cost limit remaining resetAt }}\n{}\n}}\n",
        declarations.join(", "),
        fields.join("\n")
    );
    if any_item {
        query.push_str(&item_fragment());
        query.push('\n');
        query.push_str(ACTIVITY);
        query.push('\n');
    }
    if any_discussion {
        query.push_str(&discussion_fragment());
        query.push('\n');
    }
    (query, Value::Object(variables))
}

/// What a GraphQL answer said: per item, in order, its status or why not; and whether GitHub
/// said the budget is spent (until when).
#[derive(Debug)]
pub struct Read {
    pub items: Vec<Result<ItemStatus, GitHubError>>,
    pub rate_limited: Option<DateTime<Utc>>,
}

/// Reads an answer to [`items_query`] for the same `items`.
pub fn read_answer(items: &[GitHubItem], body: &[u8], now: DateTime<Utc>) -> Result<Read, String> {
    let answer: Value =
        serde_json::from_slice(body).map_err(|e| format!("not a GraphQL answer ({e})"))?;
    let errors = answer["errors"].as_array().cloned().unwrap_or_default();
    let reset = answer["data"]["rateLimit"]["resetAt"]
        .as_str()
        .and_then(|t| t.parse::<DateTime<Utc>>().ok());
    if errors.iter().any(|e| e["type"] == "RATE_LIMITED") {
        return Ok(Read {
            items: Vec::new(),
            rate_limited: Some(reset.unwrap_or(now)),
        });
    }
    if answer["data"].is_null() {
        let said: Vec<&str> = errors
            .iter()
            .filter_map(|e| e["message"].as_str())
            .collect();
        return Err(format!("GitHub answered no data: {}", said.join("; ")));
    }
    let read = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = alias(i, item);
            let error = errors
                .iter()
                .find(|e| e["path"].get(0).and_then(Value::as_str) == Some(name.as_str()));
            let node = match item.kind {
                ItemKind::Discussion => &answer["data"][&name]["discussion"],
                _ => &answer["data"][&name]["issueOrPullRequest"],
            };
            if node.is_null() {
                return Err(item_error(item, error));
            }
            read_node(item, node, now).map_err(|message| GitHubError::Unexpected { message })
        })
        .collect();
    Ok(Read {
        items: read,
        rate_limited: None,
    })
}

fn item_error(item: &GitHubItem, error: Option<&Value>) -> GitHubError {
    let kind = error.and_then(|e| e["type"].as_str()).unwrap_or("");
    let message = error
        .and_then(|e| e["message"].as_str())
        .unwrap_or("no reason given")
        .to_string();
    match kind {
        "NOT_FOUND" | "" => GitHubError::NotFound {
            item: item.to_string(),
        },
        "FORBIDDEN" => GitHubError::Forbidden {
            item: item.to_string(),
            message,
        },
        other => GitHubError::Unexpected {
            message: format!("GitHub could not read {item} ({other}): {message}"),
        },
    }
}

fn time(value: &Value) -> Option<DateTime<Utc>> {
    value.as_str()?.parse().ok()
}

fn read_node(item: &GitHubItem, node: &Value, now: DateTime<Utc>) -> Result<ItemStatus, String> {
    let updated_at = time(&node["updatedAt"]).ok_or("an item without updatedAt")?;
    let closed_at = time(&node["closedAt"]);
    let location = node["url"]
        .as_str()
        .and_then(|u| ItemRef::Url(u.to_string()).github());
    let (kind, state, human) = if item.kind == ItemKind::Discussion {
        let state = if node["closed"].as_bool().unwrap_or(false) {
            ItemState::Closed(match node["stateReason"].as_str() {
                Some("OUTDATED") => CloseReason::Outdated,
                Some("DUPLICATE") => CloseReason::Duplicate,
                _ => CloseReason::Resolved,
            })
        } else {
            ItemState::Open
        };
        let human = nodes(&node["comments"])
            .filter(|c| is_person(&c["author"]))
            .filter_map(|c| time(&c["createdAt"]))
            .max();
        (ItemKind::Discussion, state, human)
    } else {
        let is_pull = node["__typename"] == "PullRequest";
        let state_key = if is_pull { "prState" } else { "state" };
        let state = match (node[state_key].as_str(), is_pull) {
            (Some("OPEN"), _) => ItemState::Open,
            (Some("MERGED"), true) => ItemState::Closed(CloseReason::Merged),
            (Some("CLOSED"), true) if node["merged"].as_bool() == Some(true) => {
                ItemState::Closed(CloseReason::Merged)
            }
            (Some("CLOSED"), true) => ItemState::Closed(CloseReason::ClosedUnmerged),
            (Some("CLOSED"), false) => ItemState::Closed(issue_close_reason(
                node["stateReason"]
                    .as_str()
                    .map(str::to_ascii_lowercase)
                    .as_deref(),
            )),
            (other, _) => return Err(format!("unknown state {other:?} of {item}")),
        };
        let human = nodes(&node["timelineItems"])
            .filter_map(human_activity)
            .max();
        let kind = if is_pull {
            ItemKind::Pull
        } else {
            ItemKind::Issue
        };
        (kind, state, human)
    };
    Ok(ItemStatus {
        kind,
        state,
        updated_at,
        closed_at,
        activity: human.map(|t| t.min(now)),
        location,
    })
}

fn nodes(connection: &Value) -> impl Iterator<Item = &Value> {
    connection["nodes"]
        .as_array()
        .map(|a| a.iter())
        .into_iter()
        .flatten()
        .filter(|n| !n.is_null())
}

/// A GitHub App (`Bot`) or a `…[bot]` account is not a person; a deleted account (`null`) may have
/// been one, and counts.
fn is_person(actor: &Value) -> bool {
    actor["__typename"] != "Bot"
        && !actor["login"]
            .as_str()
            .is_some_and(|l| l.ends_with("[bot]"))
}

fn human_commit(commit: &Value) -> Option<DateTime<Utc>> {
    let name = commit["author"]["name"].as_str().unwrap_or("");
    (!name.ends_with("[bot]"))
        .then(|| time(&commit["committedDate"]))
        .flatten()
}

/// When a timeline entry shows a person's work, if it does.
fn human_activity(node: &Value) -> Option<DateTime<Utc>> {
    match node["__typename"].as_str()? {
        "IssueComment" | "PullRequestReview" => {
            let at = time(&node["createdAt"]).or_else(|| time(&node["submittedAt"]))?;
            is_person(&node["author"]).then_some(at)
        }
        "ClosedEvent" | "ReopenedEvent" | "MergedEvent" => {
            let at = time(&node["createdAt"])?;
            is_person(&node["actor"]).then_some(at)
        }
        "PullRequestCommit" => human_commit(&node["commit"]),
        "CrossReferencedEvent" => {
            let linked = is_person(&node["actor"])
                .then(|| time(&node["createdAt"]))
                .flatten();
            let source_work = nodes(&node["source"]["commits"])
                .filter_map(|c| human_commit(&c["commit"]))
                .max();
            linked.max(source_work)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn item(kind: ItemKind, number: u64) -> GitHubItem {
        GitHubItem {
            owner: "org".into(),
            repo: "repo".into(),
            number,
            kind,
        }
    }

    #[test]
    fn a_full_batch_costs_a_few_points() {
        assert_eq!(query_cost(BATCH), 21);
        assert_eq!(query_cost(1), 1);
    }

    #[test]
    fn fragments_and_variables_are_written_only_when_used() {
        let (query, vars) = items_query(&[item(ItemKind::Issue, 1)]);
        assert!(query.contains("fragment Item on"));
        assert!(!query.contains("fragment Discussion"), "{query}");
        assert_eq!(vars["n0"], 1);
        let (query, vars) = items_query(&[item(ItemKind::Discussion, 2)]);
        assert!(!query.contains("fragment Item"), "{query}");
        assert!(query.contains("d0: repository(owner: $o0, name: $r0)"));
        assert_eq!(vars["o0"], "org");
    }

    #[test]
    fn bots_are_not_activity_and_people_are() {
        let now = Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap();
        let body = json!({"data": {
            "rateLimit": {"cost": 1, "limit": 5000, "remaining": 4999, "resetAt": "2026-11-30T01:00:00Z"},
            "i0": {"issueOrPullRequest": {
                "__typename": "Issue", "url": "https://github.com/org/repo/issues/1",
                "state": "OPEN", "stateReason": null,
                "updatedAt": "2026-11-29T00:00:00Z", "closedAt": null,
                "timelineItems": {"nodes": [
                    {"__typename": "IssueComment", "createdAt": "2026-11-01T00:00:00Z",
                     "author": {"__typename": "User", "login": "alice"}},
                    {"__typename": "IssueComment", "createdAt": "2026-11-29T00:00:00Z",
                     "author": {"__typename": "Bot", "login": "stale"}}
                ]}
            }}
        }});
        let read = read_answer(
            &[item(ItemKind::Issue, 1)],
            body.to_string().as_bytes(),
            now,
        )
        .unwrap();
        let status = read.items[0].as_ref().unwrap();
        assert_eq!(
            status.activity,
            Some(Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(status.state, ItemState::Open);
    }
}
