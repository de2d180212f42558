//! Discord's REST rate limits, as the sandbox enforces them, and faults tests can inject.
//!
//! What is enforced (Discord's docs: `developers/topics/rate-limits.mdx` in
//! discord/discord-api-docs; section names below):
//!
//! - **Per-route buckets** ("Rate Limits", first paragraphs): each route the bot uses has a
//!   bucket counted per bot token and per top-level resource of its path: `channel_id`,
//!   `guild_id`, or `webhook_id + webhook_token`. Some routes share a bucket (reactions, role
//!   grants, permission overwrites, interaction webhooks), as `X-RateLimit-Bucket` shows.
//! - **Headers** ("Header Format"): every answer from a route with a bucket carries
//!   `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch seconds), `-Reset-After` (seconds) and
//!   `-Bucket`; routes Discord limits only globally carry none, as on Discord ("For most API
//!   requests made, we return optional HTTP response headers").
//! - **429** ("Exceeding A Rate Limit"): a request to a spent bucket is answered 429 with
//!   `Retry-After`, `X-RateLimit-Scope: user` and `{"message": "You are being rate limited.",
//!   "retry_after": <seconds>, "global": false}`, plus the bucket's headers.
//! - **Global limit** ("Global Rate Limit"): 50 requests per second per bot token; past it, 429
//!   with `X-RateLimit-Global: true`, `X-RateLimit-Scope: global` and `"global": true`. The
//!   interaction endpoints (the callback, `@original` and follow-ups, i.e. `/interactions/..` and
//!   `/webhooks/{application_id}/{token}..`) do not count ("Interaction endpoints are not bound
//!   to the bot's Global Rate Limit", and `developers/interactions/receiving-and-responding.mdx`,
//!   "Endpoints").
//!
//! The figures per route are not documented by Discord ("rate limits should not be hard coded");
//! they are the values bots observe in the headers, taken from the table kept by the hata library
//! (`hata/discord/http/rate_limit_groups.py` in HuyaneMatsu/hata, "Group Details" and "Shared
//! Groups"), with the reaction figure confirmed by JDA (`Route.java`, `RateLimit(1, 250)`) and
//! discord-api-docs issue #182, and the channel name/topic sub-limit from discord-api-docs issues
//! #2190/#2208 (Discord's announcement: 2 per 10 minutes). Routes for which no figure was observed
//! have no bucket here (global limit only); each rule below says which it is.
//!
//! Time is wall-clock transport time, not the governance clock. [`RateLimitOptions::scale`]
//! multiplies every window so tests stay fast; 1.0 (the default) is Discord's figures.
//!
//! The sandbox also remembers every 429 it announced: a request that reaches a bucket (or, for
//! the global limit, the API) before the announced `retry_after` has passed is a **violation**,
//! recorded with how early it was ([`RateLimitEvent::early`]); it is answered 429 again.

use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Discord's global limit: requests per second per bot ("Global Rate Limit").
pub const GLOBAL_PER_SECOND: u32 = 50;

/// How the sandbox applies Discord's rate limits.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitOptions {
    /// Enforce per-route and global limits (injected faults apply either way).
    pub enabled: bool,
    /// Multiplies every window (bucket resets, the global second); 1.0 is Discord's figures,
    /// 0.05 makes a 4-second bucket reset after 200 ms.
    pub scale: f64,
}

impl Default for RateLimitOptions {
    fn default() -> Self {
        RateLimitOptions {
            enabled: true,
            scale: 1.0,
        }
    }
}

impl RateLimitOptions {
    /// Discord's figures with every window multiplied by `scale`.
    pub fn scaled(scale: f64) -> RateLimitOptions {
        RateLimitOptions {
            enabled: true,
            scale,
        }
    }

    /// No rate limits (faults can still be injected).
    pub fn off() -> RateLimitOptions {
        RateLimitOptions {
            enabled: false,
            scale: 1.0,
        }
    }
}

/// Which requests an injected fault applies to: a method (or any) and a path under `/api/v10`
/// whose segments are literal or `*` (any one segment); a final `**` matches any rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    method: Option<String>,
    pattern: Option<Vec<String>>,
}

impl RouteMatch {
    /// Every request.
    pub fn any() -> RouteMatch {
        RouteMatch {
            method: None,
            pattern: None,
        }
    }

    /// `method` (e.g. `"POST"`, or `"*"` for any) on `path`, e.g.
    /// `/channels/123/messages` or `/channels/*/messages/**`.
    pub fn route(method: &str, path: &str) -> RouteMatch {
        RouteMatch {
            method: (method != "*").then(|| method.to_ascii_uppercase()),
            pattern: Some(segments(path).map(str::to_owned).collect()),
        }
    }

    fn matches(&self, method: &str, path: &[&str]) -> bool {
        if self.method.as_deref().is_some_and(|m| m != method) {
            return false;
        }
        let Some(pattern) = &self.pattern else {
            return true;
        };
        let mut i = 0;
        for p in pattern {
            if p == "**" {
                return true;
            }
            match path.get(i) {
                Some(s) if p == "*" || p == s => i += 1,
                _ => return false,
            }
        }
        i == path.len()
    }
}

/// What the sandbox did with a request at its gate.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Passed on to the route.
    Admitted,
    /// Answered 429.
    Limited {
        retry_after: Duration,
        global: bool,
        /// By a fault a test injected rather than a spent bucket.
        injected: bool,
    },
    /// Answered with an injected server error.
    ServerError(u16),
}

/// One request as the rate limiter saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitEvent {
    /// Since the sandbox started (wall clock).
    pub at: Duration,
    pub method: String,
    /// Under `/api/v10`, without the query.
    pub path: String,
    /// The route with its parameters named, e.g. `POST /channels/{channel_id}/messages`.
    pub route: String,
    /// The top-level resource its buckets are counted per, e.g. `channel_id=123`; empty if none.
    pub major: String,
    /// The buckets it counted against (`X-RateLimit-Bucket` values); empty for a route limited
    /// only globally.
    pub buckets: Vec<String>,
    pub outcome: Outcome,
    /// Set when the request arrived before a `retry_after` the sandbox had announced for its
    /// bucket (or globally) had passed: by how much it was early.
    pub early: Option<Duration>,
}

impl RateLimitEvent {
    pub fn is_violation(&self) -> bool {
        self.early.is_some()
    }
}

/// The gate's decision for one request: an answer instead of the route's, and headers to add.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    /// Status and JSON body to answer with instead of routing the request.
    pub refusal: Option<(u16, Value)>,
    pub headers: Vec<(&'static str, String)>,
}

impl Gate {
    pub fn apply(&self, headers: &mut axum::http::HeaderMap) {
        for (name, value) in &self.headers {
            if let Ok(value) = axum::http::HeaderValue::from_str(value) {
                headers.insert(*name, value);
            }
        }
    }
}

/// The rate limiter of one sandbox.
pub(crate) struct Limiter {
    options: RateLimitOptions,
    application_id: u64,
    started: Instant,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Per (token, bucket, major parameter).
    buckets: HashMap<(String, String, String), Bucket>,
    /// Per token.
    global: HashMap<String, GlobalWindow>,
    faults: Vec<Fault>,
    log: Vec<RateLimitEvent>,
}

struct Bucket {
    remaining: u32,
    reset_at: Instant,
    /// The end of the last 429 window announced for this bucket.
    closed_until: Option<Instant>,
}

struct GlobalWindow {
    count: u32,
    reset_at: Instant,
    closed_until: Option<Instant>,
}

#[derive(Debug, Clone)]
enum Fault {
    /// The next `times` matching requests that find their bucket open get 429 with
    /// `retry_after`, and the bucket stays closed that long.
    RateLimit {
        route: RouteMatch,
        retry_after: Duration,
        times: u32,
    },
    /// The next request bound by the global limit gets a global 429.
    Global { retry_after: Duration },
    /// Every matching request until `until` gets `status`.
    ServerError {
        route: RouteMatch,
        status: u16,
        until: Instant,
    },
}

/// A bucket's figures: `limit` requests per `per` seconds (Discord's, before scaling).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Limit {
    /// The bucket's name; routes that share a bucket share it.
    bucket: &'static str,
    limit: u32,
    per: f64,
}

/// A request's route as the limiter sees it.
#[derive(Debug, Clone, PartialEq)]
struct Class {
    route: String,
    major: String,
    limits: Vec<Limit>,
    /// An interaction endpoint: not bound to the global limit.
    global_exempt: bool,
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
}

const fn limit(bucket: &'static str, limit: u32, per: f64) -> Limit {
    Limit { bucket, limit, per }
}

/// The buckets of a route. Sources: see the module docs; "hata" is HuyaneMatsu/hata's
/// `rate_limit_groups.py` (observed `X-RateLimit-*` headers), "none observed" means hata found no
/// per-route limit (or never measured one), so only the global limit applies.
fn limits_of(method: &str, s: &[&str], body: Option<&Value>) -> Vec<Limit> {
    match (method, s) {
        // hata `client_gateway_bot`: 2 per 5 s.
        ("GET", ["gateway", "bot"]) => vec![limit("gateway_bot", 2, 5.0)],
        // hata `application_command_guild_update_multiple`: 2 per 60 s per guild.
        ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            vec![limit("guild_commands_put", 2, 60.0)]
        }
        // hata `application_command_global_update_multiple`: 2 per 60 s.
        ("PUT", ["applications", _, "commands"]) => vec![limit("global_commands_put", 2, 60.0)],
        // hata `guild_user_get_chunk`: 10 per 10 s per guild.
        ("GET", ["guilds", _, "members"]) => vec![limit("guild_members", 10, 10.0)],
        // hata `guild_user_get`: 5 per 1 s per guild.
        ("GET", ["guilds", _, "members", _]) => vec![limit("guild_member", 5, 1.0)],
        // hata shared group GROUP_USER_ROLE_MODIFY: 10 per 10 s per guild, add and remove.
        ("PUT" | "DELETE", ["guilds", _, "members", _, "roles", _]) => {
            vec![limit("member_role", 10, 10.0)]
        }
        // hata `channel_edit`: 5 per 15 s per channel; changing the name or topic also counts
        // against 2 per 10 minutes (discord-api-docs #2190, #2208: Discord's announcement).
        ("PATCH", ["channels", _]) => {
            let mut limits = vec![limit("channel_edit", 5, 15.0)];
            let renames = body.is_some_and(|b| b.get("name").is_some() || b.get("topic").is_some());
            if renames {
                limits.push(limit("channel_name_topic", 2, 600.0));
            }
            limits
        }
        // hata shared group GROUP_PERMISSION_OVERWRITE_MODIFY: 10 per 15 s per channel.
        ("PUT" | "DELETE", ["channels", _, "permissions", _]) => {
            vec![limit("permission_overwrite", 10, 15.0)]
        }
        // hata `message_get_chunk`: 5 per 5 s per channel.
        ("GET", ["channels", _, "messages"]) => vec![limit("messages_list", 5, 5.0)],
        // hata `message_create`: 5 per 4 s per channel.
        ("POST", ["channels", _, "messages"]) => vec![limit("message_create", 5, 4.0)],
        // hata `message_get`: 5 per 5 s per channel.
        ("GET", ["channels", _, "messages", _]) => vec![limit("message_get", 5, 5.0)],
        // hata `message_edit`: 5 per 4 s per channel.
        ("PATCH", ["channels", _, "messages", _]) => vec![limit("message_edit", 5, 4.0)],
        // hata `message_delete`: 3 per 1 s per channel (recent messages).
        ("DELETE", ["channels", _, "messages", _]) => vec![limit("message_delete", 3, 1.0)],
        // hata shared group GROUP_REACTION_MODIFY: 1 per 0.25 s per channel, adding and removing
        // (JDA `RateLimit(1, 250)`; discord-api-docs #182).
        ("PUT" | "DELETE", ["channels", _, "messages", _, "reactions", _, _]) => {
            vec![limit("reaction_modify", 1, 0.25)]
        }
        // hata shared group GROUP_INTERACTION_EXECUTE: 5 per 2 s per interaction token, for
        // follow-ups and `@original` ("Interactions webhooks share the same rate limit
        // properties as normal webhooks", receiving-and-responding.mdx).
        (_, ["webhooks", _, _, ..]) => vec![limit("webhook_execute", 5, 2.0)],
        // None observed (hata marks these unlimited or "optimistic"): the interaction callback,
        // GET /users/@me, /oauth2/applications/@me, /gateway, the guild, its channels and roles,
        // creating a channel, GET /channels/{id}, the command lists, reaction users.
        _ => Vec::new(),
    }
}

/// The route with its parameters named, and the top-level resource it is counted per.
fn route_and_major(method: &str, s: &[&str]) -> (String, String) {
    let mut route = String::from(method);
    route.push(' ');
    let mut major = String::new();
    let mut i = 0;
    while i < s.len() {
        route.push('/');
        let name = match (i.checked_sub(1).map(|p| s[p]), s[i]) {
            (_, "@me") => None,
            (Some("channels"), _) => Some("{channel_id}"),
            (Some("guilds"), _) => Some("{guild_id}"),
            (Some("messages"), _) => Some("{message_id}"),
            (Some("members"), _) => Some("{user_id}"),
            (Some("roles"), _) => Some("{role_id}"),
            (Some("permissions"), _) => Some("{overwrite_id}"),
            (Some("reactions"), _) => Some("{emoji}"),
            (Some("applications"), _) => Some("{application_id}"),
            (Some("commands"), _) => Some("{command_id}"),
            (Some("users"), _) => Some("{user_id}"),
            (Some("interactions"), _) => Some("{interaction_id}"),
            (Some("webhooks"), _) => Some("{webhook_id}"),
            _ if i >= 2 && s[i - 2] == "webhooks" => Some("{webhook_token}"),
            _ if i >= 2 && s[i - 2] == "interactions" => Some("{interaction_token}"),
            _ if i >= 2 && s[i - 2] == "reactions" => Some("{user_id}"),
            _ => None,
        };
        route.push_str(name.unwrap_or(s[i]));
        if major.is_empty() {
            match (name, s.get(i + 1)) {
                (Some("{channel_id}"), _) => major = format!("channel_id={}", s[i]),
                (Some("{guild_id}"), _) => major = format!("guild_id={}", s[i]),
                // A webhook is counted per id and token (Discord: `webhook_id + webhook_token`).
                (Some("{webhook_id}"), Some(token)) => {
                    major = format!("webhook_id={}+{}", s[i], token);
                }
                (Some("{webhook_id}"), None) => major = format!("webhook_id={}", s[i]),
                _ => {}
            }
        }
        i += 1;
    }
    (route, major)
}

fn classify(method: &str, s: &[&str], application_id: u64, body: Option<&Value>) -> Class {
    let (route, major) = route_and_major(method, s);
    // The interaction endpoints (rate-limits.mdx "Global Rate Limit"; receiving-and-responding
    // "Endpoints"): the callback, and the webhooks of the bot's own application.
    let global_exempt = match s {
        ["interactions", _, _, "callback"] => true,
        ["webhooks", app, _, ..] => app.parse::<u64>().ok() == Some(application_id),
        _ => false,
    };
    Class {
        route,
        major,
        limits: limits_of(method, s, body),
        global_exempt,
    }
}

/// `X-RateLimit-Bucket`: an opaque id per bucket, as Discord's (a hash, not including the
/// top-level resource).
fn bucket_id(name: &str) -> String {
    // FNV-1a, 64 bits, twice with different seeds: stable across runs and platforms.
    let hash = |seed: u64| {
        name.bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    format!(
        "{:016x}{:016x}",
        hash(0xcbf2_9ce4_8422_2325),
        hash(0x84222325_cbf29ce4)
    )
}

/// Seconds with millisecond precision, rounded up: a client that waits this long is never early.
fn secs_up(d: Duration) -> f64 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    ms as f64 / 1000.0
}

fn fmt_secs(d: Duration) -> String {
    format!("{:.3}", secs_up(d))
}

/// The wall-clock epoch time `after` from now, in seconds with milliseconds.
fn epoch_after(after: Duration) -> String {
    let at = SystemTime::now() + after;
    let secs = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    fmt_secs(secs)
}

impl Limiter {
    pub fn new(options: RateLimitOptions, application_id: u64) -> Limiter {
        Limiter {
            options,
            application_id,
            started: Instant::now(),
            inner: Mutex::new(Inner::default()),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn window(&self, per: f64) -> Duration {
        Duration::from_secs_f64((per * self.options.scale).max(0.0))
    }

    /// `Retry-After`: whole seconds rounded up, as in Discord's examples; with scaled windows,
    /// milliseconds (rounded up), or every scaled wait would last a second.
    fn retry_after_header(&self, d: Duration) -> String {
        if self.options.scale == 1.0 {
            d.as_nanos().div_ceil(1_000_000_000).to_string()
        } else {
            fmt_secs(d)
        }
    }

    /// Decides whether a request (`path` under `/api/v10`, `None` for anything else) goes on to
    /// its route, and with which headers.
    pub fn admit(
        &self,
        method: &str,
        path: Option<&str>,
        token: &str,
        body: Option<&Value>,
    ) -> Gate {
        let Some(path) = path else {
            return Gate::default();
        };
        let s: Vec<&str> = segments(path).collect();
        let class = classify(method, &s, self.application_id, body);
        let now = Instant::now();
        let mut inner = self.inner();
        inner.faults.retain(|f| match f {
            Fault::RateLimit { times, .. } => *times > 0,
            Fault::ServerError { until, .. } => *until > now,
            Fault::Global { .. } => true,
        });
        let mut event = RateLimitEvent {
            at: now.duration_since(self.started),
            method: method.to_owned(),
            path: path.to_owned(),
            route: class.route.clone(),
            major: class.major.clone(),
            buckets: Vec::new(),
            outcome: Outcome::Admitted,
            early: None,
        };
        let gate = self.decide(&mut inner, &class, method, &s, token, now, &mut event);
        inner.log.push(event);
        gate
    }

    #[allow(clippy::too_many_arguments)]
    fn decide(
        &self,
        inner: &mut Inner,
        class: &Class,
        method: &str,
        s: &[&str],
        token: &str,
        now: Instant,
        event: &mut RateLimitEvent,
    ) -> Gate {
        // An injected server error: the request never reaches the API, so it counts nowhere.
        let server_error = inner.faults.iter().find_map(|f| match f {
            Fault::ServerError { route, status, .. } if route.matches(method, s) => Some(*status),
            _ => None,
        });
        if let Some(status) = server_error {
            event.outcome = Outcome::ServerError(status);
            let reason = axum::http::StatusCode::from_u16(status)
                .ok()
                .and_then(|c| c.canonical_reason())
                .unwrap_or("Server Error");
            return Gate {
                refusal: Some((
                    status,
                    json!({"message": format!("{status}: {reason}"), "code": 0}),
                )),
                headers: Vec::new(),
            };
        }

        // The global limit (rate-limits.mdx "Global Rate Limit"): 50 per second per bot,
        // interaction endpoints exempt.
        if !class.global_exempt {
            if let Some(gate) = self.global(inner, token, now, event) {
                return gate;
            }
        }

        // Per-route buckets (rate-limits.mdx, first section): per bot, bucket and top-level
        // resource. An injected fault also applies to routes that have no bucket of their own.
        let injected = inner.faults.iter_mut().find_map(|f| match f {
            Fault::RateLimit {
                route,
                retry_after,
                times,
            } if *times > 0 && route.matches(method, s) => Some((retry_after, times)),
            _ => None,
        });
        let mut limits = if self.options.enabled {
            class.limits.clone()
        } else {
            Vec::new()
        };
        if limits.is_empty() {
            // A stand-in bucket for the route (no limit, no headers), where an injected 429
            // window is remembered.
            limits.push(limit("", 0, 0.0));
        }
        let keys: Vec<_> = limits
            .iter()
            .map(|l| {
                let name = if l.bucket.is_empty() {
                    class.route.clone()
                } else {
                    l.bucket.to_owned()
                };
                (token.to_owned(), name, class.major.clone())
            })
            .collect();
        event.buckets = limits
            .iter()
            .filter(|l| l.limit > 0)
            .map(|l| bucket_id(l.bucket))
            .collect();

        // Refresh the windows that have passed.
        for (l, key) in limits.iter().zip(&keys) {
            let window = self.window(l.per);
            let bucket = inner.buckets.entry(key.clone()).or_insert(Bucket {
                remaining: l.limit,
                reset_at: now + window,
                closed_until: None,
            });
            if bucket.reset_at <= now {
                bucket.remaining = l.limit;
                bucket.reset_at = now + window;
            }
        }

        // A request inside an announced 429 window: a violation, refused again.
        let closed = keys
            .iter()
            .zip(&limits)
            .filter_map(|(k, l)| {
                let until = inner.buckets[k].closed_until.filter(|u| *u > now)?;
                Some((until, k, l))
            })
            .max_by_key(|(until, _, _)| *until);
        if let Some((until, key, l)) = closed {
            let retry_after = until - now;
            event.early = Some(retry_after);
            event.outcome = Outcome::Limited {
                retry_after,
                global: false,
                injected: false,
            };
            let bucket = &inner.buckets[key];
            return self.limited(l, bucket.remaining, bucket.reset_at, retry_after, now);
        }

        // An injected 429 opens a window of its own.
        if let Some((retry_after, times)) = injected {
            let retry_after = *retry_after;
            *times -= 1;
            let (key, l) = (&keys[0], limits[0]);
            let bucket = inner.buckets.get_mut(key).expect("created above");
            bucket.closed_until = Some(now + retry_after);
            event.outcome = Outcome::Limited {
                retry_after,
                global: false,
                injected: true,
            };
            // The bucket is spent until the window ends, as its headers say.
            return self.limited(&l, 0, now + retry_after, retry_after, now);
        }

        // A spent bucket: 429 until it resets.
        let spent = keys
            .iter()
            .zip(&limits)
            .find(|(k, l)| l.limit > 0 && inner.buckets[*k].remaining == 0);
        if let Some((key, l)) = spent {
            let bucket = inner.buckets.get_mut(key).expect("created above");
            let retry_after = bucket.reset_at - now;
            bucket.closed_until = Some(bucket.reset_at);
            event.outcome = Outcome::Limited {
                retry_after,
                global: false,
                injected: false,
            };
            return self.limited(l, 0, bucket.reset_at, retry_after, now);
        }

        // Admitted: count it in every bucket, show the tightest.
        let mut shown: Option<(Limit, u32, Instant)> = None;
        for (key, l) in keys.iter().zip(&limits) {
            if l.limit == 0 {
                continue;
            }
            let bucket = inner.buckets.get_mut(key).expect("created above");
            bucket.remaining -= 1;
            if shown.is_none_or(|(_, r, _)| bucket.remaining < r) {
                shown = Some((*l, bucket.remaining, bucket.reset_at));
            }
        }
        Gate {
            refusal: None,
            headers: shown
                .map(|(l, remaining, reset_at)| {
                    Self::bucket_headers(&l, remaining, reset_at.saturating_duration_since(now))
                })
                .unwrap_or_default(),
        }
    }

    /// The global window of `token`; `Some` when the request is refused.
    fn global(
        &self,
        inner: &mut Inner,
        token: &str,
        now: Instant,
        event: &mut RateLimitEvent,
    ) -> Option<Gate> {
        let window = self.window(1.0);
        let armed = inner
            .faults
            .iter()
            .position(|f| matches!(f, Fault::Global { .. }));
        let global = inner
            .global
            .entry(token.to_owned())
            .or_insert(GlobalWindow {
                count: 0,
                reset_at: now + window,
                closed_until: None,
            });
        if global.reset_at <= now {
            global.count = 0;
            global.reset_at = now + window;
        }
        let (retry_after, injected) = if let Some(until) = global.closed_until.filter(|u| *u > now)
        {
            // Inside an announced global window: a violation.
            event.early = Some(until - now);
            (until - now, false)
        } else if let Some(i) = armed {
            let Fault::Global { retry_after } = inner.faults.remove(i) else {
                unreachable!("found above")
            };
            global.closed_until = Some(now + retry_after);
            (retry_after, true)
        } else if self.options.enabled && global.count >= GLOBAL_PER_SECOND {
            global.closed_until = Some(global.reset_at);
            (global.reset_at - now, false)
        } else {
            global.count += 1;
            return None;
        };
        event.outcome = Outcome::Limited {
            retry_after,
            global: true,
            injected,
        };
        Some(self.global_limited(retry_after))
    }

    fn bucket_headers(
        l: &Limit,
        remaining: u32,
        reset_after: Duration,
    ) -> Vec<(&'static str, String)> {
        vec![
            ("x-ratelimit-limit", l.limit.to_string()),
            ("x-ratelimit-remaining", remaining.to_string()),
            ("x-ratelimit-reset", epoch_after(reset_after)),
            ("x-ratelimit-reset-after", fmt_secs(reset_after)),
            ("x-ratelimit-bucket", bucket_id(l.bucket)),
        ]
    }

    /// A per-route 429 ("Example Exceeded User Rate Limit Response").
    fn limited(
        &self,
        l: &Limit,
        remaining: u32,
        reset_at: Instant,
        retry_after: Duration,
        now: Instant,
    ) -> Gate {
        let mut headers = if l.limit > 0 {
            Self::bucket_headers(l, remaining, reset_at.saturating_duration_since(now))
        } else {
            Vec::new()
        };
        headers.push(("retry-after", self.retry_after_header(retry_after)));
        headers.push(("x-ratelimit-scope", "user".to_owned()));
        Gate {
            refusal: Some((
                429,
                json!({
                    "message": "You are being rate limited.",
                    "retry_after": secs_up(retry_after),
                    "global": false,
                }),
            )),
            headers,
        }
    }

    /// The global 429 ("Example Exceeded Global Rate Limit Response").
    fn global_limited(&self, retry_after: Duration) -> Gate {
        Gate {
            refusal: Some((
                429,
                json!({
                    "message": "You are being rate limited.",
                    "retry_after": secs_up(retry_after),
                    "global": true,
                }),
            )),
            headers: vec![
                ("retry-after", self.retry_after_header(retry_after)),
                ("x-ratelimit-global", "true".to_owned()),
                ("x-ratelimit-scope", "global".to_owned()),
            ],
        }
    }

    pub fn log(&self) -> Vec<RateLimitEvent> {
        self.inner().log.clone()
    }

    pub fn inject_rate_limit(&self, route: RouteMatch, retry_after: Duration, times: u32) {
        self.inner().faults.push(Fault::RateLimit {
            route,
            retry_after,
            times,
        });
    }

    pub fn inject_global_rate_limit(&self, retry_after: Duration) {
        self.inner().faults.push(Fault::Global { retry_after });
    }

    pub fn inject_server_error(&self, route: RouteMatch, status: u16, lasting: Duration) {
        self.inner().faults.push(Fault::ServerError {
            route,
            status,
            until: Instant::now() + lasting,
        });
    }

    pub fn clear_faults(&self) {
        self.inner().faults.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: u64 = 42;

    fn limiter(scale: f64) -> Limiter {
        Limiter::new(RateLimitOptions::scaled(scale), APP)
    }

    fn header<'a>(gate: &'a Gate, name: &str) -> Option<&'a str> {
        gate.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn routes_are_named_and_counted_per_top_level_resource() {
        let class = |m: &str, p: &str| {
            let s: Vec<&str> = segments(p).collect();
            classify(m, &s, APP, None)
        };
        let c = class("POST", "/channels/1/messages");
        assert_eq!(c.route, "POST /channels/{channel_id}/messages");
        assert_eq!(c.major, "channel_id=1");
        assert_eq!(c.limits, vec![limit("message_create", 5, 4.0)]);
        let r = class("DELETE", "/channels/1/messages/2/reactions/%E2%9C%85/3");
        assert_eq!(
            r.route,
            "DELETE /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/{user_id}"
        );
        let me = class("PUT", "/channels/1/messages/2/reactions/%E2%9C%85/@me");
        assert_eq!(me.limits, r.limits, "adding and removing share a bucket");
        let roles = class("PUT", "/guilds/7/members/8/roles/9");
        assert_eq!(roles.major, "guild_id=7");
        let w = class("PATCH", "/webhooks/42/tok/messages/@original");
        assert_eq!(w.major, "webhook_id=42+tok");
        assert!(w.global_exempt, "the bot's interaction webhooks are exempt");
        assert!(!class("POST", "/webhooks/43/tok").global_exempt);
        let cb = class("POST", "/interactions/5/tok/callback");
        assert!(cb.global_exempt && cb.limits.is_empty());
        assert!(class("GET", "/users/@me").limits.is_empty());
        assert_eq!(
            class("PUT", "/applications/42/guilds/7/commands").major,
            "guild_id=7"
        );
    }

    #[test]
    fn a_spent_bucket_answers_429_until_it_resets_and_an_early_retry_is_a_violation() {
        let l = limiter(0.1); // 5 per 400 ms
        let post = |l: &Limiter| l.admit("POST", Some("/channels/1/messages"), "t", None);
        for i in 0..5 {
            let gate = post(&l);
            assert!(gate.refusal.is_none(), "request {i}");
            assert_eq!(header(&gate, "x-ratelimit-limit"), Some("5"));
            assert_eq!(
                header(&gate, "x-ratelimit-remaining"),
                Some((4 - i).to_string().as_str())
            );
        }
        let limited = post(&l);
        let (status, body) = limited.refusal.clone().unwrap();
        assert_eq!(status, 429);
        assert_eq!(body["global"], false);
        let retry = body["retry_after"].as_f64().unwrap();
        assert!(retry > 0.0 && retry <= 0.4, "{retry}");
        assert_eq!(header(&limited, "x-ratelimit-scope"), Some("user"));
        assert!(header(&limited, "retry-after").is_some());
        // Another channel has its own bucket.
        assert!(l
            .admit("POST", Some("/channels/2/messages"), "t", None)
            .refusal
            .is_none());
        // Too early: a violation.
        assert_eq!(post(&l).refusal.unwrap().0, 429);
        let log = l.log();
        assert!(!log[5].is_violation() && log[7].is_violation());
        std::thread::sleep(Duration::from_secs_f64(retry));
        assert!(post(&l).refusal.is_none(), "the bucket reset");
        assert_eq!(l.log().iter().filter(|e| e.is_violation()).count(), 1);
    }

    /// What govbot's own pace (`src/discord/pace.rs`) exists for: Discord counts a channel's
    /// reaction changes in one bucket whatever the emoji, user or direction, and its message
    /// edits in one bucket whatever the message, so routes serenity limits apart are refused
    /// together.
    #[test]
    fn a_channels_reaction_changes_and_message_edits_share_a_bucket_across_routes() {
        let l = limiter(1.0);
        let admit = |m: &str, p: &str| l.admit(m, Some(p), "t", None).refusal;
        assert!(admit("PUT", "/channels/1/messages/2/reactions/%E2%9C%85/@me").is_none());
        let other_emoji = admit("DELETE", "/channels/1/messages/2/reactions/%E2%9D%8C/3");
        assert_eq!(
            other_emoji.map(|r| r.0),
            Some(429),
            "1 per 250 ms per channel"
        );
        for n in 0..5 {
            let path = format!("/channels/1/messages/{}", 10 + n % 2);
            assert!(admit("PATCH", &path).is_none(), "edit {n}");
        }
        let sixth = admit("PATCH", "/channels/1/messages/12");
        assert_eq!(sixth.map(|r| r.0), Some(429), "5 edits per 4 s per channel");
        assert!(
            admit("PATCH", "/channels/9/messages/12").is_none(),
            "per channel"
        );
    }

    #[test]
    fn the_global_limit_spares_interaction_endpoints() {
        let l = limiter(1.0);
        for i in 0..GLOBAL_PER_SECOND {
            let gate = l.admit("GET", Some(&format!("/channels/{i}")), "t", None);
            assert!(gate.refusal.is_none(), "request {i}");
            assert!(
                gate.headers.is_empty(),
                "GET /channels/{{id}} has no bucket"
            );
        }
        let gate = l.admit("GET", Some("/channels/99"), "t", None);
        let (status, body) = gate.refusal.clone().unwrap();
        assert_eq!((status, body["global"].clone()), (429, json!(true)));
        // At Discord's scale Retry-After is whole seconds, rounded up, as in Discord's examples.
        assert_eq!(header(&gate, "retry-after"), Some("1"));
        assert_eq!(header(&gate, "x-ratelimit-global"), Some("true"));
        assert_eq!(header(&gate, "x-ratelimit-scope"), Some("global"));
        assert!(l
            .admit("POST", Some("/interactions/1/tok/callback"), "t", None)
            .refusal
            .is_none());
        assert!(l
            .admit("POST", Some(&format!("/webhooks/{APP}/tok")), "t", None)
            .refusal
            .is_none());
        // Another bot has its own global limit.
        assert!(l
            .admit("GET", Some("/channels/99"), "other", None)
            .refusal
            .is_none());
    }

    #[test]
    fn renaming_a_channel_counts_against_its_own_small_bucket() {
        let l = limiter(1.0);
        let rename = json!({"name": "x"});
        let edit = |body: &Value| l.admit("PATCH", Some("/channels/1"), "t", Some(body));
        assert!(edit(&rename).refusal.is_none());
        assert!(edit(&rename).refusal.is_none());
        assert_eq!(edit(&rename).refusal.unwrap().0, 429);
        let other = json!({"parent_id": "5"});
        let gate = edit(&other);
        assert!(gate.refusal.is_none(), "moving it is another bucket");
        assert_eq!(header(&gate, "x-ratelimit-remaining"), Some("2"));
    }

    #[test]
    fn injected_faults_apply_to_matching_routes_only() {
        // Limits off, but a scale other than 1 so Retry-After keeps its milliseconds.
        let options = RateLimitOptions {
            enabled: false,
            scale: 0.5,
        };
        let l = Limiter::new(options, APP);
        l.inject_rate_limit(
            RouteMatch::route("POST", "/channels/1/messages"),
            Duration::from_millis(300),
            1,
        );
        assert!(l
            .admit("POST", Some("/channels/2/messages"), "t", None)
            .refusal
            .is_none());
        let gate = l.admit("POST", Some("/channels/1/messages"), "t", None);
        assert_eq!(gate.refusal.as_ref().unwrap().0, 429);
        assert_eq!(header(&gate, "retry-after"), Some("0.300"));
        assert!(l
            .admit("POST", Some("/channels/1/messages"), "t", None)
            .refusal
            .is_some());
        assert!(l.log()[2].is_violation());
        std::thread::sleep(Duration::from_millis(301));
        assert!(l
            .admit("POST", Some("/channels/1/messages"), "t", None)
            .refusal
            .is_none());

        l.inject_server_error(RouteMatch::any(), 503, Duration::from_secs(60));
        let gate = l.admit("GET", Some("/users/@me"), "t", None);
        assert_eq!(gate.refusal.unwrap().0, 503);
        l.clear_faults();
        assert!(l
            .admit("GET", Some("/users/@me"), "t", None)
            .refusal
            .is_none());
    }

    #[test]
    fn route_patterns() {
        let m = RouteMatch::route("*", "/channels/*/messages/**");
        assert!(m.matches("PATCH", &["channels", "1", "messages", "2"]));
        assert!(m.matches("POST", &["channels", "1", "messages"]));
        assert!(!m.matches("GET", &["channels", "1"]));
        let exact = RouteMatch::route("post", "/channels/1/messages");
        assert!(exact.matches("POST", &["channels", "1", "messages"]));
        assert!(!exact.matches("POST", &["channels", "1", "messages", "2"]));
    }
}
