//! The stand-in's GraphQL endpoint, `POST /graphql`, as GitHub documents it
//! (https://docs.github.com/en/graphql/guides/forming-calls-with-graphql): a token is required,
//! the document is validated against GitHub's public schema (`graphql-schema/schema.graphql`),
//! GitHub's query limits and point costs apply, and the selection set is executed over the
//! stand-in's Issues, PRs and Discussions. A field the schema has but this executor does not
//! serve is a GraphQL error naming it, so that a test fails loudly instead of reading wrong data.

use super::{
    error_body, Credentials, Inner, ItemKey, Reply, StandInActor, StandInIssue, TimelineEvent,
    TimelineKind,
};
use apollo_compiler::ast::Value as GqlValue;
use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use std::sync::LazyLock;

/// GitHub's public schema, parsed once. The published file does not pass a strict check: it
/// defines `EnterpriseOwnerInfo.repositoryDeployKeySetting` and `…SettingOrganizations` twice,
/// identically, which the GraphQL specification forbids
/// (https://spec.graphql.org/October2021/#sec-Objects.Type-Validation). apollo-compiler keeps
/// one of each and reports the duplicates; those errors are tolerated, any other fails, so
/// documents are still validated against everything else GitHub publishes.
pub static SCHEMA: LazyLock<Valid<Schema>> = LazyLock::new(|| {
    let sdl = include_str!("../graphql-schema/schema.graphql");
    match Schema::parse_and_validate(sdl, "schema.graphql") {
        Ok(schema) => schema,
        Err(invalid) => {
            let unexpected: Vec<String> = invalid
                .errors
                .iter()
                .map(|e| e.error.to_string())
                .filter(|e| {
                    !(e.starts_with("duplicate definitions for the `repositoryDeployKeySetting")
                        && e.ends_with("field of object type `EnterpriseOwnerInfo`"))
                })
                .collect();
            assert!(
                unexpected.is_empty(),
                "GitHub's GraphQL schema: {unexpected:?}"
            );
            Valid::assume_valid(invalid.partial)
        }
    }
});

/// The limits every call must meet "to pass schema validation":
/// https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#node-limit
const MAX_PAGE: i64 = 100;
const MAX_NODES: u64 = 500_000;

const DOCS: &str = "https://docs.github.com/graphql";

fn timestamp(t: DateTime<Utc>) -> Value {
    json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A request error: 200 with `errors` and no `data`, as GitHub answers a document it refuses.
fn refused(errors: Vec<Value>) -> Reply {
    Reply::json(200, json!({ "errors": errors }))
}

/// The answer to `POST /graphql` whose User-Agent is there.
pub(crate) fn answer(
    state: &mut Inner,
    credentials: Credentials,
    body: &[u8],
    now: DateTime<Utc>,
) -> Reply {
    // "To communicate with the GraphQL server, you'll need an OAuth token":
    // https://docs.github.com/en/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql
    let token = match credentials {
        Credentials::Valid(token) => token,
        Credentials::None => {
            return Reply::json(
                401,
                json!({
                    "message": "This endpoint requires you to be authenticated.",
                    "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
                }),
            )
        }
        Credentials::Bad => return Reply::json(401, error_body("Bad credentials", DOCS, 401)),
    };
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return Reply::json(400, error_body("Problems parsing JSON", DOCS, 400));
    };
    let Some(query) = request["query"].as_str() else {
        return refused(vec![json!({
            "message": "A query attribute must be specified and must be a string."
        })]);
    };
    let document = match ExecutableDocument::parse_and_validate(&SCHEMA, query, "query.graphql") {
        Ok(document) => document,
        Err(invalid) => {
            let errors = invalid
                .errors
                .iter()
                .map(|e| serde_json::to_value(e.to_json()).expect("an error is JSON"))
                .collect();
            return refused(errors);
        }
    };
    let operation = match document.operations.get(request["operationName"].as_str()) {
        Ok(operation) => operation,
        Err(e) => return refused(vec![json!({ "message": e.message().to_string() })]),
    };
    let given = match request.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(vars)) => vars.clone(),
        Some(_) => return refused(vec![json!({ "message": "Variables are invalid JSON." })]),
    };
    let given = serde_json::from_value(Value::Object(given)).expect("a JSON object");
    let variables =
        match apollo_compiler::request::coerce_variable_values(&SCHEMA, operation, &given) {
            Ok(coerced) => match serde_json::to_value(&*coerced).expect("variables are JSON") {
                Value::Object(vars) => vars,
                _ => Map::new(),
            },
            Err(e) => {
                return refused(vec![serde_json::to_value(
                    e.to_graphql_error(&document.sources),
                )
                .expect("an error is JSON")])
            }
        };
    let mut exec = Exec {
        document: &document,
        variables: &variables,
        state,
        errors: Vec::new(),
        rate: RateInfo::default(),
    };
    let mut limits = Limits::default();
    exec.limits(&operation.selection_set, 1, &mut limits);
    if !limits.errors.is_empty() {
        return refused(limits.errors);
    }
    if limits.nodes > MAX_NODES {
        return refused(vec![json!({
            "type": "MAX_NODE_LIMIT_EXCEEDED",
            "message": format!("This query requests up to {} possible nodes which exceeds the maximum limit of {MAX_NODES}.", limits.nodes),
        })]);
    }
    // "Add up the number of requests needed to fulfill each unique connection in the call …
    // Divide the number by 100 and round the result to get the final aggregate cost"; the
    // minimum cost of a call is 1:
    // https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#calculating-a-rate-limit-score-before-running-the-call
    let cost = ((limits.requests as f64 / 100.0).round() as u64).max(1);
    let budget = exec.state.graphql_budget(&token, now);
    if budget.remaining < cost {
        // "If you exceed your primary rate limit, the response status will still be 200, but you
        // will receive an error message":
        // https://docs.github.com/en/graphql/overview/rate-limits-and-query-limits-for-the-graphql-api#exceeding-the-primary-rate-limit
        let budget = *budget;
        return refused(vec![json!({
            "type": "RATE_LIMITED",
            "message": "API rate limit exceeded for user ID 1.",
        })])
        .rate_headers(&budget, "graphql");
    }
    budget.remaining -= cost;
    let budget = *budget;
    exec.rate = RateInfo {
        cost,
        limit: budget.limit,
        remaining: budget.remaining,
        used: budget.used(),
        reset: budget.reset,
        nodes: limits.nodes,
    };
    let data = exec.selection_set(&Obj::Query, &operation.selection_set, &mut Vec::new());
    let mut body = json!({ "data": data.map(Value::Object).unwrap_or(Value::Null) });
    if !exec.errors.is_empty() {
        body["errors"] = Value::Array(exec.errors);
    }
    Reply::json(200, body).rate_headers(&budget, "graphql")
}

/// What the `rateLimit` field reports about this call.
#[derive(Default)]
struct RateInfo {
    cost: u64,
    limit: u64,
    remaining: u64,
    used: u64,
    reset: DateTime<Utc>,
    nodes: u64,
}

/// The static analysis of a document: requests it may need, nodes it may return, and the
/// connections it leaves unbounded.
#[derive(Default)]
struct Limits {
    requests: u64,
    nodes: u64,
    errors: Vec<Value>,
}

/// An object being executed.
#[derive(Debug, Clone)]
enum Obj {
    Query,
    RateLimit,
    Repository(String, String),
    Issue(ItemKey),
    PullRequest(ItemKey),
    Discussion(ItemKey),
    Connection {
        type_name: String,
        nodes: Vec<Obj>,
        total: usize,
    },
    Event(TimelineEvent),
    Actor(StandInActor),
    Commit(TimelineEvent),
    GitActor(String),
    DiscussionComment(StandInActor, DateTime<Utc>),
}

/// What a field resolves to.
enum Out {
    Leaf(Value),
    Object(Obj),
    List(Vec<Obj>),
}

/// A field error: its GitHub `type` if it has one, and its message.
struct FieldError(Option<&'static str>, String);

/// The GraphQL typename of a timeline item, and its `itemTypes` enum value.
fn item_type(kind: &TimelineKind) -> (&'static str, &'static str) {
    match kind {
        TimelineKind::Comment => ("IssueComment", "ISSUE_COMMENT"),
        TimelineKind::Commit => ("PullRequestCommit", "PULL_REQUEST_COMMIT"),
        TimelineKind::Review => ("PullRequestReview", "PULL_REQUEST_REVIEW"),
        TimelineKind::Closed => ("ClosedEvent", "CLOSED_EVENT"),
        TimelineKind::Reopened => ("ReopenedEvent", "REOPENED_EVENT"),
        TimelineKind::Merged => ("MergedEvent", "MERGED_EVENT"),
        TimelineKind::Labeled => ("LabeledEvent", "LABELED_EVENT"),
        TimelineKind::CrossReference { .. } => ("CrossReferencedEvent", "CROSS_REFERENCED_EVENT"),
    }
}

fn typename(obj: &Obj) -> &str {
    match obj {
        Obj::Query => "Query",
        Obj::RateLimit => "RateLimit",
        Obj::Repository(..) => "Repository",
        Obj::Issue(_) => "Issue",
        Obj::PullRequest(_) => "PullRequest",
        Obj::Discussion(_) => "Discussion",
        Obj::Connection { type_name, .. } => type_name,
        Obj::Event(event) => item_type(&event.kind).0,
        Obj::Actor(actor) if actor.bot => "Bot",
        Obj::Actor(_) => "User",
        Obj::Commit(_) => "Commit",
        Obj::GitActor(_) => "GitActor",
        Obj::DiscussionComment(..) => "DiscussionComment",
    }
}

/// `first` or `last` items of `items`, as a connection page.
fn page<T: Clone>(items: &[T], first: Option<i64>, last: Option<i64>) -> Vec<T> {
    let mut page = items.to_vec();
    if let Some(first) = first {
        page.truncate(first.max(0) as usize);
    }
    if let Some(last) = last {
        let skip = page.len().saturating_sub(last.max(0) as usize);
        page.drain(..skip);
    }
    page
}

struct Exec<'a> {
    document: &'a Valid<ExecutableDocument>,
    variables: &'a Map<String, Value>,
    state: &'a mut Inner,
    errors: Vec<Value>,
    rate: RateInfo,
}

impl Exec<'_> {
    /// A literal or variable argument value as JSON.
    fn json(&self, value: &GqlValue) -> Value {
        match value {
            GqlValue::Null => Value::Null,
            GqlValue::Enum(name) => json!(name.as_str()),
            GqlValue::Variable(name) => self
                .variables
                .get(name.as_str())
                .cloned()
                .unwrap_or(Value::Null),
            GqlValue::String(s) => json!(s),
            GqlValue::Float(f) => json!(f.try_to_f64().ok()),
            GqlValue::Int(i) => json!(i.try_to_i32().ok()),
            GqlValue::Boolean(b) => json!(b),
            GqlValue::List(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            GqlValue::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), self.json(v)))
                    .collect(),
            ),
        }
    }

    fn arg(&self, field: &Field, name: &str) -> Value {
        field
            .specified_argument_by_name(name)
            .map(|v| self.json(v))
            .unwrap_or(Value::Null)
    }

    fn location(&self, field: &Node<Field>) -> Value {
        field
            .location()
            .and_then(|span| span.line_column(&self.document.sources))
            .map(|lc| json!([{ "line": lc.line, "column": lc.column }]))
            .unwrap_or(json!([]))
    }

    /// The selections of `set` that apply to `type_name`, by response key, in order (the
    /// specification's CollectFields).
    fn collect<'s>(
        document: &'s ExecutableDocument,
        set: &'s SelectionSet,
        type_name: &str,
        out: &mut Vec<(String, Vec<&'s Node<Field>>)>,
    ) {
        let applies =
            |condition: &str| condition == type_name || SCHEMA.is_subtype(condition, type_name);
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    let key = field.response_key().to_string();
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, fields)) => fields.push(field),
                        None => out.push((key, vec![field])),
                    }
                }
                Selection::InlineFragment(inline) => {
                    if inline.type_condition.as_ref().is_none_or(|c| applies(c)) {
                        Self::collect(document, &inline.selection_set, type_name, out);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                        if applies(fragment.type_condition()) {
                            Self::collect(document, &fragment.selection_set, type_name, out);
                        }
                    }
                }
            }
        }
    }

    /// Checks every connection's `first`/`last` and adds up requests and nodes, following
    /// fragments of every type (the analysis happens before anything is resolved).
    fn limits(&self, set: &SelectionSet, multiplier: u64, limits: &mut Limits) {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    let mut inner = multiplier;
                    let type_name = field.definition.ty.inner_named_type().as_str();
                    if type_name.ends_with("Connection") {
                        let first = self.arg(field, "first").as_i64();
                        let last = self.arg(field, "last").as_i64();
                        let location = self.location(field);
                        let (bound, size) = match (first, last) {
                            (None, None) => {
                                limits.errors.push(json!({
                                    "type": "MISSING_PAGINATION_BOUNDARIES",
                                    "locations": location,
                                    "message": format!("You must provide a `first` or `last` value to properly paginate the `{}` connection.", field.name),
                                }));
                                continue;
                            }
                            (Some(n), _) => ("first", n),
                            (None, Some(n)) => ("last", n),
                        };
                        if !(1..=MAX_PAGE).contains(&size) {
                            limits.errors.push(json!({
                                "type": "EXCESSIVE_PAGINATION",
                                "locations": location,
                                "message": format!("Requesting {size} records on the `{}` connection exceeds the `{bound}` limit of {MAX_PAGE} records.", field.name),
                            }));
                            continue;
                        }
                        limits.requests += multiplier;
                        inner = multiplier * size as u64;
                        limits.nodes += inner;
                    }
                    self.limits(&field.selection_set, inner, limits);
                }
                Selection::InlineFragment(inline) => {
                    self.limits(&inline.selection_set, multiplier, limits);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = self.document.fragments.get(&spread.fragment_name) {
                        self.limits(&fragment.selection_set, multiplier, limits);
                    }
                }
            }
        }
    }

    /// Executes `set` on `obj`; `None` when a non-null field came out null, which makes this
    /// object null in turn (https://spec.graphql.org/October2021/#sec-Handling-Field-Errors).
    fn selection_set(
        &mut self,
        obj: &Obj,
        set: &SelectionSet,
        path: &mut Vec<Value>,
    ) -> Option<Map<String, Value>> {
        let type_name = typename(obj).to_string();
        let mut groups = Vec::new();
        Self::collect(self.document, set, &type_name, &mut groups);
        let mut result = Map::new();
        for (key, fields) in groups {
            let field = fields[0];
            path.push(json!(key));
            let value = if field.name == "__typename" {
                json!(type_name)
            } else {
                let merged = SelectionSet {
                    ty: field.selection_set.ty.clone(),
                    selections: fields
                        .iter()
                        .flat_map(|f| f.selection_set.selections.iter().cloned())
                        .collect(),
                };
                match self.resolve(obj, &type_name, field) {
                    Ok(Out::Leaf(value)) => value,
                    Ok(Out::Object(child)) => self
                        .selection_set(&child, &merged, path)
                        .map(Value::Object)
                        .unwrap_or(Value::Null),
                    Ok(Out::List(children)) => {
                        let mut items = Vec::new();
                        let mut item_null = false;
                        for (i, child) in children.iter().enumerate() {
                            path.push(json!(i));
                            let item = self.selection_set(child, &merged, path);
                            path.pop();
                            item_null |= item.is_none();
                            items.push(item.map(Value::Object).unwrap_or(Value::Null));
                        }
                        let items_non_null = field.definition.ty.item_type().is_non_null();
                        match item_null && items_non_null {
                            true => Value::Null,
                            false => Value::Array(items),
                        }
                    }
                    Err(FieldError(kind, message)) => {
                        let mut error = json!({
                            "path": path.clone(),
                            "locations": self.location(field),
                            "message": message,
                        });
                        if let Some(kind) = kind {
                            error["type"] = json!(kind);
                        }
                        self.errors.push(error);
                        Value::Null
                    }
                }
            };
            path.pop();
            if value.is_null() && field.definition.ty.is_non_null() {
                return None;
            }
            result.insert(key, value);
        }
        Some(result)
    }

    fn issue(&self, key: &ItemKey) -> Option<&StandInIssue> {
        self.state.issues.get(key)
    }

    fn item(&self, key: &ItemKey) -> Option<Obj> {
        let issue = self.issue(key)?;
        Some(match issue.pull_request {
            Some(_) => Obj::PullRequest(key.clone()),
            None => Obj::Issue(key.clone()),
        })
    }

    fn number(&self, field: &Field) -> u64 {
        self.arg(field, "number").as_u64().unwrap_or(0)
    }

    fn resolve(
        &mut self,
        obj: &Obj,
        type_name: &str,
        field: &Node<Field>,
    ) -> Result<Out, FieldError> {
        let leaf = |v: Value| Ok(Out::Leaf(v));
        let name = field.name.as_str();
        let unimplemented = || {
            Err(FieldError(
                None,
                format!("the stand-in does not implement {type_name}.{name}"),
            ))
        };
        let first = self.arg(field, "first").as_i64();
        let last = self.arg(field, "last").as_i64();
        let connection = |nodes: Vec<Obj>| {
            Ok(Out::Object(Obj::Connection {
                type_name: field.definition.ty.inner_named_type().to_string(),
                total: nodes.len(),
                nodes: page(&nodes, first, last),
            }))
        };
        match (obj, name) {
            (Obj::Query, "rateLimit") => Ok(Out::Object(Obj::RateLimit)),
            (Obj::Query, "repository") => {
                let owner = self.arg(field, "owner").as_str().unwrap_or("").to_string();
                let repo = self.arg(field, "name").as_str().unwrap_or("").to_string();
                let known = |k: &ItemKey| k.0 == owner && k.1 == repo;
                let exists =
                    self.state.issues.keys().any(known) || self.state.discussions.keys().any(known);
                let hidden = self.state.hidden.contains(&(owner.clone(), repo.clone()));
                if !exists || hidden {
                    return Err(FieldError(
                        Some("NOT_FOUND"),
                        format!(
                            "Could not resolve to a Repository with the name '{owner}/{repo}'."
                        ),
                    ));
                }
                if self.state.sso_owners.contains(&owner) {
                    return Err(FieldError(
                        Some("FORBIDDEN"),
                        super::rest::SSO_MESSAGE.into(),
                    ));
                }
                Ok(Out::Object(Obj::Repository(owner, repo)))
            }
            (Obj::RateLimit, "cost") => leaf(json!(self.rate.cost)),
            (Obj::RateLimit, "limit") => leaf(json!(self.rate.limit)),
            (Obj::RateLimit, "remaining") => leaf(json!(self.rate.remaining)),
            (Obj::RateLimit, "used") => leaf(json!(self.rate.used)),
            (Obj::RateLimit, "nodeCount") => leaf(json!(self.rate.nodes)),
            (Obj::RateLimit, "resetAt") => leaf(timestamp(self.rate.reset)),
            (Obj::Repository(owner, repo), "nameWithOwner") => {
                leaf(json!(format!("{owner}/{repo}")))
            }
            (Obj::Repository(owner, repo), "issueOrPullRequest") => {
                let number = self.number(field);
                self.item(&(owner.clone(), repo.clone(), number))
                    .map(Out::Object)
                    .ok_or_else(|| {
                        FieldError(
                            Some("NOT_FOUND"),
                            format!("Could not resolve to an issue or pull request with the number of {number}."),
                        )
                    })
            }
            (Obj::Repository(owner, repo), "discussion") => {
                let key = (owner.clone(), repo.clone(), self.number(field));
                match self.state.discussions.contains_key(&key) {
                    true => Ok(Out::Object(Obj::Discussion(key))),
                    false => Err(FieldError(
                        Some("NOT_FOUND"),
                        format!(
                            "Could not resolve to a Discussion with the number of {}.",
                            key.2
                        ),
                    )),
                }
            }
            (Obj::Issue(key) | Obj::PullRequest(key), _) => {
                let issue = self
                    .issue(key)
                    .expect("resolved from the stand-in's issues")
                    .clone();
                let is_pr = matches!(obj, Obj::PullRequest(_));
                let merged_at = issue.pull_request.and_then(|pr| pr.merged_at);
                match name {
                    "url" => {
                        let kind = if is_pr { "pull" } else { "issues" };
                        leaf(json!(format!(
                            "https://github.com/{}/{}/{kind}/{}",
                            key.0, key.1, key.2
                        )))
                    }
                    "number" => leaf(json!(key.2)),
                    "title" => leaf(json!(issue.title)),
                    "createdAt" => leaf(timestamp(issue.created_at)),
                    "updatedAt" => leaf(timestamp(issue.updated_at)),
                    "closedAt" => leaf(json!(issue.closed_at.map(timestamp))),
                    "closed" => leaf(json!(issue.state == "closed")),
                    "state" if is_pr && merged_at.is_some() => leaf(json!("MERGED")),
                    "state" => leaf(json!(issue.state.to_uppercase())),
                    "stateReason" if !is_pr => {
                        leaf(json!(issue.state_reason.map(|r| r.to_uppercase())))
                    }
                    "merged" if is_pr => leaf(json!(merged_at.is_some())),
                    "mergedAt" if is_pr => leaf(json!(merged_at.map(timestamp))),
                    "timelineItems" => {
                        let types: Vec<String> = self
                            .arg(field, "itemTypes")
                            .as_array()
                            .map(|t| {
                                t.iter()
                                    .filter_map(|v| v.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default();
                        let mut events = issue.timeline.clone();
                        events.sort_by_key(|e| e.at);
                        let nodes = events
                            .into_iter()
                            .filter(|e| {
                                types.is_empty() || types.iter().any(|t| t == item_type(&e.kind).1)
                            })
                            .map(Obj::Event)
                            .collect();
                        connection(nodes)
                    }
                    "commits" if is_pr => {
                        let mut commits: Vec<TimelineEvent> = issue
                            .timeline
                            .iter()
                            .filter(|e| e.kind == TimelineKind::Commit)
                            .cloned()
                            .collect();
                        commits.sort_by_key(|e| e.at);
                        connection(commits.into_iter().map(Obj::Event).collect())
                    }
                    _ => unimplemented(),
                }
            }
            (Obj::Discussion(key), _) => {
                let discussion = self.state.discussions[key].clone();
                match name {
                    "url" => leaf(json!(format!(
                        "https://github.com/{}/{}/discussions/{}",
                        key.0, key.1, key.2
                    ))),
                    "number" => leaf(json!(key.2)),
                    "title" => leaf(json!(discussion.title)),
                    "closed" => leaf(json!(discussion.closed)),
                    "closedAt" => leaf(json!(discussion.closed_at.map(timestamp))),
                    "stateReason" => leaf(json!(discussion.state_reason)),
                    "createdAt" => leaf(timestamp(discussion.created_at)),
                    "updatedAt" => leaf(timestamp(discussion.updated_at)),
                    "comments" => {
                        let mut comments = discussion.comments.clone();
                        comments.sort_by_key(|(_, at)| *at);
                        connection(
                            comments
                                .into_iter()
                                .map(|(actor, at)| Obj::DiscussionComment(actor, at))
                                .collect(),
                        )
                    }
                    _ => unimplemented(),
                }
            }
            (Obj::Connection { nodes, .. }, "nodes") => Ok(Out::List(nodes.clone())),
            (Obj::Connection { total, .. }, "totalCount") => leaf(json!(total)),
            (Obj::Event(event), _) => match (&event.kind, name) {
                (TimelineKind::Commit, "commit") => Ok(Out::Object(Obj::Commit(event.clone()))),
                (TimelineKind::Commit, _) => unimplemented(),
                (_, "createdAt") => leaf(timestamp(event.at)),
                (TimelineKind::Review, "submittedAt") => leaf(timestamp(event.at)),
                (TimelineKind::Comment | TimelineKind::Review, "author") => {
                    Ok(Out::Object(Obj::Actor(event.actor.clone())))
                }
                (TimelineKind::Comment | TimelineKind::Review, _) => unimplemented(),
                (_, "actor") => Ok(Out::Object(Obj::Actor(event.actor.clone()))),
                (TimelineKind::CrossReference { source }, "source") => {
                    self.item(source).map(Out::Object).ok_or_else(|| {
                        FieldError(
                            None,
                            format!(
                                "the stand-in has no {}/{}#{} to cross-reference",
                                source.0, source.1, source.2
                            ),
                        )
                    })
                }
                _ => unimplemented(),
            },
            (Obj::Actor(actor), "login") => leaf(json!(actor.login)),
            (Obj::Commit(event), "committedDate" | "authoredDate") => leaf(timestamp(event.at)),
            (Obj::Commit(event), "author" | "committer") => {
                Ok(Out::Object(Obj::GitActor(event.actor.login.clone())))
            }
            (Obj::GitActor(name), "name") => leaf(json!(name)),
            (Obj::DiscussionComment(_, at), "createdAt") => leaf(timestamp(*at)),
            (Obj::DiscussionComment(actor, _), "author") => {
                Ok(Out::Object(Obj::Actor(actor.clone())))
            }
            _ => unimplemented(),
        }
    }
}
