//! Checking requests (and the sandbox's own answers) against Discord's official OpenAPI 3.1
//! description of its HTTP API.
//!
//! The sandbox accepts whatever serenity sends, so on its own it would only prove that the bot
//! and the sandbox agree with each other. Discord publishes a machine-readable description of
//! every route and request body (`discord-api-spec/openapi.json`); checking each request against
//! it ties what the bot sends to what Discord documents: the method and path must name an
//! operation, the query parameters must be ones the operation declares, and the JSON body (or the
//! `payload_json` part of a multipart body) must match the operation's `requestBody` schema.
//! The same machinery checks the sandbox's answers against the documented response schemas, so
//! the stand-in's fidelity is tested too.
//!
//! How: the whole document is registered once as a JSON Schema 2020-12 resource under
//! [`DOCUMENT_URI`]; a check compiles a small wrapper schema whose `#/components/...` references
//! are made absolute against that URI. Compiling is slow (the references fan out across the
//! document), so compiled validators are cached per operation, and loaded documents are cached
//! per file for the whole process, so a test binary pays for each schema once.
//!
//! Request bodies that are unions discriminated by `type` (the interaction callback) are checked
//! against the branch whose `type` enum holds the body's `type`, so a too-long `content` is
//! reported as such rather than as "matches none of seven schemas", and a `type` no branch
//! accepts is reported as an unknown type.
//!
//! One leniency, where the description is stricter than Discord: permission bitfields sent as
//! strings (as Discord documents them, and as serenity sends them) are accepted where the
//! description says integer.
//!
//! What it does not check: headers, rate limits, and rules Discord enforces beyond the schema
//! (command-name casing, permissions, which callback types suit which interaction; the sandbox's
//! REST handlers enforce the last).

use anyhow::Context as _;
use jsonschema::error::ValidationErrorKind;
use jsonschema::{Draft, Registry, ValidationError, Validator};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The URI the document is registered under; references are resolved against it.
pub const DOCUMENT_URI: &str = "https://discord.com/developers/openapi.json";

/// How many schema errors one check reports at most; the rest are summarised.
const MAX_ERRORS: usize = 8;
/// Error messages quote the offending value; long values are cut to keep the log readable.
const MAX_MESSAGE_CHARS: usize = 300;

/// A loaded description: the route templates and a cache of compiled validators.
pub struct OpenApi {
    doc: &'static Value,
    registry: Registry<'static>,
    routes: Vec<Template>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

/// A path template such as `/channels/{channel_id}/messages/{message_id}`.
struct Template {
    path: String,
    segments: Vec<Segment>,
}

enum Segment {
    Literal(String),
    Param,
}

/// An operation found for a request: its path template and (lowercase) method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub template: String,
    pub method: String,
    pub operation_id: String,
}

/// One problem in a request or response body: where (`/data/content`, empty for the body
/// itself), what, and the code Discord's Invalid Form Body gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    pub path: String,
    pub message: String,
    /// Discord's code for the problem in a 50035 answer: `BASE_TYPE_MAX_LENGTH` (with Discord's
    /// message, "Must be 256 or fewer in length.") for a string or an array over its limit,
    /// `BASE_TYPE_MIN_LENGTH` under it, `BASE_TYPE_REQUIRED` for a missing field, and
    /// `SCHEMA_VALIDATION` for anything else the description refuses.
    pub code: &'static str,
}

/// The code of a body problem Discord has no specific code for.
pub const SCHEMA_VALIDATION: &str = "SCHEMA_VALIDATION";

impl std::fmt::Display for BodyProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "body: {}", self.message)
        } else {
            write!(f, "body{}: {}", self.path, self.message)
        }
    }
}

/// The result of checking a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestCheck {
    /// Problems with the route or the query: unknown path, method or parameter.
    pub route: Vec<String>,
    /// Problems with the body against the operation's request schema.
    pub body: Vec<BodyProblem>,
}

impl RequestCheck {
    pub fn is_ok(&self) -> bool {
        self.route.is_empty() && self.body.is_empty()
    }

    /// Every problem as one line each.
    pub fn messages(&self) -> Vec<String> {
        self.route
            .iter()
            .cloned()
            .chain(self.body.iter().map(ToString::to_string))
            .collect()
    }
}

impl OpenApi {
    /// The vendored description, parsed once per process.
    pub fn vendored() -> anyhow::Result<Arc<OpenApi>> {
        static VENDORED_API: OnceLock<Arc<OpenApi>> = OnceLock::new();
        if let Some(api) = VENDORED_API.get() {
            return Ok(api.clone());
        }
        let doc: Value = serde_json::from_str(VENDORED)
            .context("parsing the vendored copy of Discord's OpenAPI description")?;
        let api = Arc::new(OpenApi::from_document(doc)?);
        Ok(VENDORED_API.get_or_init(|| api).clone())
    }

    /// The description in the file at `path`, loaded once per process.
    pub fn load(path: &Path) -> anyhow::Result<Arc<OpenApi>> {
        static LOADED: OnceLock<Mutex<HashMap<PathBuf, Arc<OpenApi>>>> = OnceLock::new();
        let key = path.canonicalize().unwrap_or_else(|_| path.to_owned());
        let loaded = LOADED.get_or_init(Default::default);
        // Held while parsing so that parallel tests do not each parse the document.
        let mut loaded = loaded.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(api) = loaded.get(&key) {
            return Ok(api.clone());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading Discord's OpenAPI description {}", path.display()))?;
        let doc: Value = serde_json::from_str(&text)
            .with_context(|| format!("parsing Discord's OpenAPI description {}", path.display()))?;
        let api = Arc::new(OpenApi::from_document(doc)?);
        loaded.insert(key, api.clone());
        Ok(api)
    }

    /// A description from an already parsed document. The document is kept for the life of the
    /// process (it is referenced by every compiled validator).
    pub fn from_document(doc: Value) -> anyhow::Result<OpenApi> {
        let doc: &'static Value = Box::leak(Box::new(doc));
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .context("the OpenAPI document has no `paths`")?;
        let routes = paths
            .keys()
            .map(|path| Template {
                path: path.clone(),
                segments: split(path)
                    .map(|s| {
                        if s.starts_with('{') && s.ends_with('}') {
                            Segment::Param
                        } else {
                            Segment::Literal(s.to_owned())
                        }
                    })
                    .collect(),
            })
            .collect();
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOCUMENT_URI, doc)
            .and_then(|b| b.prepare())
            .map_err(|e| anyhow::anyhow!("registering the OpenAPI document: {e}"))?;
        Ok(OpenApi {
            doc,
            registry,
            routes,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// The operation for `method` on `path` (without the `/api/v10` prefix and query). Literal
    /// segments win over parameters, as in Discord's router: `/guilds/1/members/@me` is the
    /// `@me` operation, not `{user_id}`.
    pub fn operation(&self, method: &str, path: &str) -> Result<Operation, String> {
        let method = method.to_ascii_lowercase();
        let segments: Vec<&str> = split(path).collect();
        let mut matching: Vec<(&Template, usize)> = self
            .routes
            .iter()
            .filter(|t| t.segments.len() == segments.len())
            .filter(|t| {
                t.segments.iter().zip(&segments).all(|(t, s)| match t {
                    Segment::Literal(l) => l == s,
                    Segment::Param => !s.is_empty(),
                })
            })
            .map(|t| {
                let literals = t
                    .segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count();
                (t, literals)
            })
            .collect();
        if matching.is_empty() {
            return Err(format!(
                "{} {path}: no such route in Discord's OpenAPI description",
                method.to_ascii_uppercase()
            ));
        }
        matching.sort_by_key(|m| std::cmp::Reverse(m.1));
        for (template, _) in &matching {
            if let Some(op) = self.doc["paths"][&template.path].get(&method) {
                return Ok(Operation {
                    template: template.path.clone(),
                    method,
                    operation_id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                });
            }
        }
        Err(format!(
            "{} {path}: the route {} exists but has no {} operation",
            method.to_ascii_uppercase(),
            matching[0].0.path,
            method.to_ascii_uppercase()
        ))
    }

    /// Checks a request: the route, the query parameter names, and the JSON body (`None` for no
    /// body) against the operation's `application/json` request schema.
    pub fn check_request(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Option<&Value>,
    ) -> RequestCheck {
        let mut check = RequestCheck::default();
        let op = match self.operation(method, path) {
            Ok(op) => op,
            Err(problem) => {
                check.route.push(problem);
                return check;
            }
        };
        let item = &self.doc["paths"][&op.template];
        let spec = &item[&op.method];
        let declared: Vec<&str> = [&item["parameters"], &spec["parameters"]]
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        for (name, _) in query_pairs(query) {
            if !declared.contains(&name.as_str()) {
                check.route.push(format!(
                    "{} {}: query parameter {name:?} is not one the operation declares ({})",
                    op.method.to_ascii_uppercase(),
                    op.template,
                    declared.join(", ")
                ));
            }
        }
        let request_body = &spec["requestBody"];
        match (request_body.is_null(), body) {
            (true, None) => {}
            (true, Some(_)) => check.body.push(BodyProblem {
                path: String::new(),
                message: format!("{} takes no request body", op.operation_id),
                code: SCHEMA_VALIDATION,
            }),
            (false, None) => {
                if request_body["required"] == true {
                    check.body.push(BodyProblem {
                        path: String::new(),
                        message: format!("{} requires a request body", op.operation_id),
                        code: SCHEMA_VALIDATION,
                    });
                }
            }
            (false, Some(body)) => {
                let pointer = format!(
                    "/paths/{}/{}/requestBody/content/application~1json/schema",
                    escape(&op.template),
                    op.method
                );
                check.body = self.check_body(&pointer, &permissions_as_integers(body));
            }
        }
        check
    }

    /// Checks an answer: `status` must be one the operation documents, and a JSON body must match
    /// that status's schema. Used on the sandbox's own answers.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: Option<&Value>,
    ) -> Vec<String> {
        let op = match self.operation(method, path) {
            Ok(op) => op,
            Err(problem) => return vec![problem],
        };
        let responses = &self.doc["paths"][&op.template][&op.method]["responses"];
        let code = status.to_string();
        let class = format!("{}XX", status / 100);
        let Some(key) = [code.as_str(), class.as_str()]
            .into_iter()
            .find(|k| responses.get(*k).is_some())
        else {
            return vec![format!(
                "{} {}: status {status} is not documented",
                op.method.to_ascii_uppercase(),
                op.template
            )];
        };
        let schema = &responses[key]["content"]["application/json"]["schema"];
        match (schema.is_null(), body) {
            (true, None | Some(Value::Null)) => Vec::new(),
            (true, Some(_)) => vec![format!(
                "{} {}: status {status} documents no body, but one was sent",
                op.method.to_ascii_uppercase(),
                op.template
            )],
            (false, None) => vec![format!(
                "{} {}: status {status} documents a JSON body, but none was sent",
                op.method.to_ascii_uppercase(),
                op.template
            )],
            (false, Some(body)) => {
                let pointer = format!(
                    "/paths/{}/{}/responses/{key}/content/application~1json/schema",
                    escape(&op.template),
                    op.method
                );
                self.check_body(&pointer, body)
                    .into_iter()
                    .map(|p| format!("{} {}: {p}", op.method.to_ascii_uppercase(), op.template))
                    .collect()
            }
        }
    }

    /// Checks `value` against the document's schema named `name` in `components/schemas`
    /// (e.g. `MessageResponse`).
    pub fn check_component(&self, name: &str, value: &Value) -> Vec<BodyProblem> {
        self.check_body(&format!("/components/schemas/{}", escape(name)), value)
    }

    /// Checks `body` against the schema at `pointer` in the document, narrowing a union
    /// discriminated by `type` to its branch first.
    fn check_body(&self, pointer: &str, body: &Value) -> Vec<BodyProblem> {
        let Some(schema) = self.doc.pointer(pointer) else {
            return vec![BodyProblem {
                path: String::new(),
                message: format!("the description has no schema at {pointer}"),
                code: SCHEMA_VALIDATION,
            }];
        };
        let pointer = match self.discriminated_branch(schema, body) {
            Ok(Some(branch)) => branch,
            Ok(None) => pointer.to_owned(),
            Err(problem) => return vec![problem],
        };
        let validator = match self.validator(&pointer) {
            Ok(v) => v,
            Err(e) => {
                return vec![BodyProblem {
                    path: String::new(),
                    message: format!("cannot compile the schema at {pointer}: {e}"),
                    code: SCHEMA_VALIDATION,
                }]
            }
        };
        let mut problems: Vec<BodyProblem> = validator
            .iter_errors(body)
            .flat_map(|e| explain(&e))
            .collect();
        if problems.len() > MAX_ERRORS {
            let more = problems.len() - MAX_ERRORS;
            problems.truncate(MAX_ERRORS);
            problems.push(BodyProblem {
                path: String::new(),
                message: format!("and {more} more"),
                code: SCHEMA_VALIDATION,
            });
        }
        problems
    }

    /// For an `anyOf`/`oneOf` of references whose targets each fix `type` with an `enum`, the
    /// pointer of the branch accepting `body.type`; an error if none does; `None` for any other
    /// schema.
    fn discriminated_branch(
        &self,
        schema: &Value,
        body: &Value,
    ) -> Result<Option<String>, BodyProblem> {
        let Some(branches) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Value::as_array)
        else {
            return Ok(None);
        };
        let mut accepted = Vec::new();
        for branch in branches {
            let Some(target) = branch["$ref"].as_str().and_then(|r| r.strip_prefix('#')) else {
                return Ok(None);
            };
            let Some(types) = self
                .doc
                .pointer(target)
                .and_then(|t| t["properties"]["type"]["enum"].as_array())
            else {
                return Ok(None);
            };
            if types.contains(&body["type"]) {
                return Ok(Some(target.to_owned()));
            }
            accepted.extend(types.iter().map(ToString::to_string));
        }
        Err(BodyProblem {
            path: "/type".to_owned(),
            message: format!(
                "{} is not a documented type here (documented: {})",
                body["type"],
                accepted.join(", ")
            ),
            code: SCHEMA_VALIDATION,
        })
    }

    fn validator(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        if let Some(v) = self.lock().get(pointer) {
            return Ok(v.clone());
        }
        // Compiled outside the lock: compiling takes a while and other checks may proceed.
        let schema =
            serde_json::json!({ "$ref": format!("{DOCUMENT_URI}#{}", uri_fragment(pointer)) });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .build(&schema)
            .map_err(|e| e.to_string())?;
        let validator = Arc::new(validator);
        self.lock().insert(pointer.to_owned(), validator.clone());
        Ok(validator)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Validator>>> {
        self.validators.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `body` with permission bitfields written as strings turned into integers.
///
/// Discord documents permissions as "a variable-length integer serialised into a string" and
/// accepts them as strings everywhere (serenity always sends strings), but the OpenAPI
/// description types the request fields `allow`, `deny`, `permissions` and
/// `default_member_permissions` as integers. Without this, every permission overwrite a bot
/// sends would be reported, wrongly.
fn permissions_as_integers(body: &Value) -> Value {
    const FIELDS: [&str; 4] = ["allow", "deny", "permissions", "default_member_permissions"];
    match body {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let as_integer = match v {
                        Value::String(s) if FIELDS.contains(&k.as_str()) => {
                            s.parse::<u64>().ok().map(Value::from)
                        }
                        _ => None,
                    };
                    (
                        k.clone(),
                        as_integer.unwrap_or_else(|| permissions_as_integers(v)),
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(permissions_as_integers).collect()),
        other => other.clone(),
    }
}

/// Discord's description as vendored in `crates/discord-standin/discord-api-spec/` (MIT; see its README
/// for the source commit), embedded so the sandbox checks requests wherever it runs.
const VENDORED: &str = include_str!("../discord-api-spec/openapi.json");

/// Which copy of Discord's description the sandbox checks against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenApiSource {
    /// The copy vendored with this crate.
    Vendored,
    /// Another copy, e.g. a newer one.
    File(PathBuf),
}

impl OpenApiSource {
    /// `$DISCORD_STANDIN_OPENAPI` if set, otherwise the vendored copy.
    pub fn from_env() -> OpenApiSource {
        match std::env::var_os("DISCORD_STANDIN_OPENAPI") {
            Some(path) => OpenApiSource::File(PathBuf::from(path)),
            None => OpenApiSource::Vendored,
        }
    }

    pub fn load(&self) -> anyhow::Result<Arc<OpenApi>> {
        match self {
            OpenApiSource::File(path) => OpenApi::load(path),
            OpenApiSource::Vendored => OpenApi::vendored(),
        }
    }
}

/// The name/value pairs of a query string, percent-decoded. Empty pairs are skipped (serenity
/// writes `?&limit=…`).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

/// Decodes `%XX` escapes; invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn split(path: &str) -> impl Iterator<Item = &str> {
    path.trim_matches('/').split('/')
}

/// A JSON pointer token for `s` (`/` and `~` escaped).
fn escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as a URI fragment: characters a URI may not hold are percent-encoded.
fn uri_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        if c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The problems behind one schema error. A failed `anyOf`/`oneOf` (Discord writes nullable
/// fields as `oneOf: [null, {$ref}]`) is explained by the errors of its closest branch, ignoring
/// branches that only want another type there, so a too-long `content` inside `data` is reported
/// as too long rather than as "matches no schema".
fn explain(error: &ValidationError<'_>) -> Vec<BodyProblem> {
    let here = error.instance_path().as_str();
    let branches = match error.kind() {
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
        }
        kind => {
            // Discord's codes and wording for the limits (as its 50035 answers give them); a
            // missing field is reported at its own path, as Discord does.
            let mut path = here.to_owned();
            let (code, message) = match kind {
                ValidationErrorKind::MaxLength { limit }
                | ValidationErrorKind::MaxItems { limit } => (
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {limit} or fewer in length."),
                ),
                ValidationErrorKind::MinLength { limit }
                | ValidationErrorKind::MinItems { limit } => (
                    "BASE_TYPE_MIN_LENGTH",
                    format!("Must be {limit} or more in length."),
                ),
                ValidationErrorKind::Required { property } => {
                    path = format!("{here}/{}", property.as_str().unwrap_or_default());
                    ("BASE_TYPE_REQUIRED", "This field is required".to_owned())
                }
                _ => (SCHEMA_VALIDATION, shorten(&error.masked().to_string())),
            };
            return vec![BodyProblem {
                path,
                message,
                code,
            }];
        }
    };
    let wrong_type_here = |branch: &Vec<ValidationError<'static>>| {
        branch.iter().all(|e| {
            matches!(e.kind(), ValidationErrorKind::Type { .. })
                && e.instance_path().as_str() == here
        })
    };
    match branches
        .iter()
        .filter(|b| !b.is_empty() && !wrong_type_here(b))
        .min_by_key(|b| b.len())
    {
        Some(closest) => closest.iter().flat_map(|e| explain(e)).collect(),
        None => vec![BodyProblem {
            path: here.to_owned(),
            message: "matches none of the schemas allowed here".to_owned(),
            code: SCHEMA_VALIDATION,
        }],
    }
}

fn shorten(message: &str) -> String {
    if message.chars().count() <= MAX_MESSAGE_CHARS {
        return message.to_owned();
    }
    let cut: String = message.chars().take(MAX_MESSAGE_CHARS).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_percent_escapes_and_skips_empty_pairs() {
        assert_eq!(percent_decode("%F0%9F%91%8D"), "👍");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(
            query_pairs("&limit=100&after=5"),
            vec![
                ("limit".to_owned(), "100".to_owned()),
                ("after".to_owned(), "5".to_owned())
            ]
        );
    }

    #[test]
    fn fragments_escape_braces() {
        assert_eq!(
            uri_fragment("/paths/~1channels~1{channel_id}"),
            "/paths/~1channels~1%7Bchannel_id%7D"
        );
    }
}
