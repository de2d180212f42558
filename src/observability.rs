//! Seeing from outside whether the bot is well: an optional HTTP endpoint (`[observability]
//! listen = "127.0.0.1:9464"`, off unless set) serving
//! - `/healthz`: 200 while the process serves at all;
//! - `/readyz`: 200 when the gateway session is up, the database takes writes and the outbox is
//!   not stuck, otherwise 503; the body is JSON naming each check and, when not ready, the reason;
//! - `/metrics`: Prometheus' text format.
//!
//! Counters (commands, decisions, ballots, audit events, REST answers, gateway sessions) are kept
//! by the `metrics` crate's global recorder, installed when the endpoint is configured; they count
//! from the process's start, as Prometheus expects of counters. Gauges that describe the database
//! (effects waiting, the oldest one's age, the scheduler's lag, groups by state) are read from it
//! at each scrape, so they are true after a restart and of this bot's database alone.
//!
//! The endpoint has no authentication: it listens on loopback unless the configuration allows
//! another address in so many words (`allow_non_loopback = true`).

use crate::clock::Clock;
use crate::counters::{self, names};
use crate::store::Store;
use anyhow::{Context as _, Result};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use serenity::all::ShardManager;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// An effect waiting longer than this makes `/readyz` answer 503: Discord has not been shown a
/// decision for a quarter of an hour.
pub const OUTBOX_STUCK_AFTER: Duration = Duration::from_secs(15 * 60);

/// How long `/readyz` waits to begin a write before calling the database not writable.
const WRITE_CHECK: Duration = Duration::from_secs(3);

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's metrics recorder (once; later calls return the same handle).
fn recorder() -> Option<PrometheusHandle> {
    RECORDER
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => {
                describe();
                Some(handle)
            }
            Err(e) => {
                tracing::warn!("cannot install the metrics recorder: {e}");
                None
            }
        })
        .clone()
}

fn describe() {
    use metrics::describe_counter as d;
    d!(
        names::COMMANDS,
        "Slash commands received, by command (its full name)."
    );
    d!(
        names::COMMAND_ERRORS,
        "Slash commands that failed with an internal error, by command."
    );
    d!(
        names::DECISIONS,
        "Governance commands carried out by the store, by kind and outcome (recorded, refused, \
         failed)."
    );
    d!(
        names::BALLOTS,
        "Ballots recorded, by choice (withdrawn included)."
    );
    d!(
        names::AUDIT_EVENTS,
        "Events appended to the audit log, by kind."
    );
    d!(
        names::REST,
        "Answers from Discord's REST API, by status class (2xx, 3xx, 4xx, 5xx; error: none)."
    );
    d!(
        names::RATE_LIMITED,
        "Answers 429 (rate limited) from Discord's REST API."
    );
    d!(names::SESSIONS, "Gateway sessions begun (READY).");
    d!(names::RESUMES, "Gateway sessions resumed (RESUMED).");
    d!(
        names::DISCONNECTS,
        "Gateway connections lost after being connected."
    );
}

/// What the endpoint looks at.
#[derive(Clone)]
pub struct Probe {
    pub store: Store,
    pub shards: Arc<ShardManager>,
    pub clock: Arc<dyn Clock>,
}

/// One check of `/readyz`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Check {
    pub ok: bool,
    pub detail: String,
}

impl Probe {
    async fn gateway(&self) -> Check {
        let runners = self.shards.runners.lock().await;
        if runners.is_empty() {
            return Check {
                ok: false,
                detail: "no gateway session yet".to_owned(),
            };
        }
        let down: Vec<String> = runners
            .iter()
            .filter(|(_, r)| !matches!(r.stage, serenity::all::ConnectionStage::Connected))
            .map(|(id, r)| format!("shard {id} is {}", r.stage))
            .collect();
        match down.first() {
            None => Check {
                ok: true,
                detail: format!(
                    "connected{}",
                    runners
                        .values()
                        .find_map(|r| r.latency)
                        .map(|l| format!(", heartbeat {} ms", l.as_millis()))
                        .unwrap_or_default()
                ),
            },
            Some(_) => Check {
                ok: false,
                detail: down.join("; "),
            },
        }
    }

    async fn database(&self) -> Check {
        match self.store.writable(WRITE_CHECK).await {
            Ok(()) => Check {
                ok: true,
                detail: "writable".to_owned(),
            },
            Err(e) => Check {
                ok: false,
                detail: e,
            },
        }
    }

    async fn outbox(&self, figures: Option<&crate::store::Figures>) -> Check {
        let Some(figures) = figures else {
            return Check {
                ok: false,
                detail: "cannot read the outbox".to_owned(),
            };
        };
        let Some(oldest) = &figures.oldest_effect else {
            return Check {
                ok: true,
                detail: "nothing waits".to_owned(),
            };
        };
        let age = self.age_ms(oldest.recorded_ms);
        let waiting = figures.effects_pending + figures.effects_retrying + figures.effects_failed;
        let age_text =
            humantime::format_duration(Duration::from_secs(u64::try_from(age / 1000).unwrap_or(0)));
        if age < i64::try_from(OUTBOX_STUCK_AFTER.as_millis()).unwrap_or(i64::MAX) {
            return Check {
                ok: true,
                detail: format!("{waiting} waiting, the oldest for {age_text}"),
            };
        }
        Check {
            ok: false,
            detail: format!(
                "stuck: the effects of event {} ({}) have waited {age_text} after {} attempt{}{} \
                 (`govbot outbox list`)",
                oldest.event_id,
                oldest.kind,
                oldest.attempts,
                if oldest.attempts == 1 { "" } else { "s" },
                oldest
                    .problem
                    .as_deref()
                    .map(|p| format!(": {p}"))
                    .unwrap_or_default()
            ),
        }
    }

    fn age_ms(&self, then_ms: i64) -> i64 {
        (self.clock.now().timestamp_millis() - then_ms).max(0)
    }

    /// `/readyz`: every check, and whether all passed.
    pub async fn ready(&self) -> (bool, serde_json::Value) {
        let figures = self.store.figures().await;
        let gateway = self.gateway().await;
        let database = self.database().await;
        let outbox = self.outbox(figures.as_ref().ok()).await;
        let failing: Vec<String> = [
            ("gateway", &gateway),
            ("database", &database),
            ("outbox", &outbox),
        ]
        .iter()
        .filter(|(_, c)| !c.ok)
        .map(|(name, c)| format!("{name}: {}", c.detail))
        .collect();
        let ready = failing.is_empty();
        let mut body = json!({
            "ready": ready,
            "checks": { "gateway": gateway, "database": database, "outbox": outbox },
        });
        if !ready {
            body["reason"] = json!(failing.join("; "));
        }
        (ready, body)
    }

    /// The gauges read at scrape time, in Prometheus' text format.
    pub async fn gauges(&self) -> String {
        let mut out = String::new();
        let mut gauge = |name: &str, help: &str, values: &[(String, f64)]| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
            for (labels, v) in values {
                let _ = writeln!(out, "{name}{labels} {v}");
            }
            out.push('\n');
        };
        let info = format!(
            "{{version=\"{}\",commit=\"{}\"}}",
            env!("CARGO_PKG_VERSION"),
            crate::COMMIT
        );
        gauge(
            "govbot_build_info",
            "The running version and commit.",
            &[(info, 1.0)],
        );
        let connected = self.gateway().await.ok;
        gauge(
            "govbot_gateway_connected",
            "1 while the gateway session is up.",
            &[(String::new(), f64::from(u8::from(connected)))],
        );
        let figures = match self.store.figures().await {
            Ok(f) => f,
            Err(e) => {
                tracing::warn!("/metrics cannot read the database: {e}");
                gauge(
                    "govbot_database_readable",
                    "1 when the database could be read for this scrape.",
                    &[(String::new(), 0.0)],
                );
                return out;
            }
        };
        gauge(
            "govbot_database_readable",
            "1 when the database could be read for this scrape.",
            &[(String::new(), 1.0)],
        );
        gauge(
            "govbot_effects",
            "Effects on Discord waiting: pending (behind an earlier event of their group), \
             retrying (failed, retried by themselves), failed (a person must fix something).",
            &[
                (
                    "{state=\"pending\"}".to_owned(),
                    figures.effects_pending as f64,
                ),
                (
                    "{state=\"retrying\"}".to_owned(),
                    figures.effects_retrying as f64,
                ),
                (
                    "{state=\"failed\"}".to_owned(),
                    figures.effects_failed as f64,
                ),
            ],
        );
        let oldest = figures
            .oldest_effect
            .as_ref()
            .map_or(0.0, |o| self.age_ms(o.recorded_ms) as f64 / 1000.0);
        gauge(
            "govbot_effects_oldest_age_seconds",
            "How long the oldest waiting effect has waited (0 when none waits).",
            &[(String::new(), oldest)],
        );
        let lag = figures
            .earliest_due_ms
            .map_or(0.0, |due| self.age_ms(due) as f64 / 1000.0);
        gauge(
            "govbot_scheduler_lag_seconds",
            "How far the scheduler is behind the earliest due time (0 when nothing is overdue).",
            &[(String::new(), lag)],
        );
        let groups: Vec<(String, f64)> = figures
            .groups
            .iter()
            .map(|(kind, state, n)| (format!("{{kind=\"{kind}\",state=\"{state}\"}}"), *n as f64))
            .collect();
        gauge("govbot_groups", "Groups by kind and state.", &groups);
        let open = figures
            .groups
            .iter()
            .filter(|(_, state, _)| state.starts_with("under_"))
            .map(|(_, _, n)| *n)
            .sum::<i64>();
        gauge(
            "govbot_open_votes",
            "Votes running (creation and reversal votes).",
            &[(String::new(), open as f64)],
        );
        gauge(
            "govbot_audit_log_events",
            "Events in the audit log.",
            &[(String::new(), figures.audit_events as f64)],
        );
        out
    }
}

/// The endpoint, serving until `stop` turns true.
pub struct Endpoint {
    pub addr: SocketAddr,
    pub task: JoinHandle<()>,
}

/// Binds `listen` (failing at once if it cannot) and serves the endpoint in the background.
pub async fn serve(
    listen: SocketAddr,
    probe: Probe,
    mut stop: watch::Receiver<bool>,
) -> Result<Endpoint> {
    let handle = recorder();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen} (observability.listen)"))?;
    let addr = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state((probe, handle));
    let task = tokio::spawn(async move {
        let server = axum::serve(listener, app).with_graceful_shutdown(async move {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        });
        if let Err(e) = server.await {
            tracing::error!("the observability endpoint failed: {e}");
        }
    });
    tracing::info!("serving /healthz, /readyz and /metrics on http://{addr}");
    Ok(Endpoint { addr, task })
}

type AppState = (Probe, Option<PrometheusHandle>);

async fn readyz(State((probe, _)): State<AppState>) -> impl IntoResponse {
    let (ready, body) = probe.ready().await;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

async fn metrics(State((probe, handle)): State<AppState>) -> impl IntoResponse {
    let mut text = handle.map(|h| h.render()).unwrap_or_default();
    if !text.is_empty() && !text.ends_with("\n\n") {
        text.push('\n');
    }
    text.push_str(&probe.gauges().await);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

/// A reqwest retry policy that retries nothing and counts every answer from Discord's REST API by
/// status class (reqwest asks its retry policy about every answer, which makes it the one place
/// that sees them all, whichever serenity call sent the request). Retrying nothing is what
/// reqwest's default did here: it retries only HTTP/2 and HTTP/3 protocol refusals, and this
/// build speaks HTTP/1.1.
pub fn counting_retry_policy() -> reqwest::retry::Builder {
    reqwest::retry::never().classify_fn(|answer| {
        counters::rest_answer(answer.status().map(|s| s.as_u16()));
        answer.success()
    })
}
