//! Faults injected into the sandbox's REST API, so tests and benches can play a Discord that
//! fails: an outage (5xx), a permission an operator took away (403), a channel someone deleted
//! (404). A fault answers every request it matches with Discord's error shape (status and
//! `{"message", "code"}`) until its guard is dropped, and counts the requests it refused, so a
//! test can wait for the bot's retries without sleeping.

use super::state::Shared;
use super::Sandbox;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A request as a fault's matcher sees it: method, path under `/api/v10`, JSON body (`Null` when
/// it had none).
pub struct Request<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a Value,
}

type Matcher = Box<dyn Fn(&Request) -> bool + Send + Sync>;

struct Fault {
    id: u64,
    matches: Matcher,
    status: u16,
    code: u32,
    message: String,
    hits: Arc<AtomicU64>,
}

/// The faults in force, checked in the order they were injected.
#[derive(Default)]
pub(crate) struct Faults {
    active: Mutex<Vec<Fault>>,
    next_id: AtomicU64,
}

impl Faults {
    /// The error the first matching fault answers with: `(status, code, message)`.
    pub(crate) fn check(
        &self,
        method: &str,
        path: &str,
        body: &Value,
    ) -> Option<(u16, u32, String)> {
        let request = Request { method, path, body };
        let active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        let fault = active.iter().find(|f| (f.matches)(&request))?;
        fault.hits.fetch_add(1, Ordering::SeqCst);
        Some((fault.status, fault.code, fault.message.clone()))
    }
}

/// A fault in force; dropping it clears the fault.
pub struct FaultGuard {
    shared: Arc<Shared>,
    id: u64,
    hits: Arc<AtomicU64>,
}

impl FaultGuard {
    /// How many requests this fault refused so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::SeqCst)
    }
}

impl Drop for FaultGuard {
    fn drop(&mut self) {
        let mut active = self
            .shared
            .faults
            .active
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        active.retain(|f| f.id != self.id);
    }
}

impl Sandbox {
    /// Answers every request `matches` accepts with `status` and Discord's JSON error `code` and
    /// `message`, until the returned guard is dropped. E.g. an outage: `503, 0, "upstream
    /// connect error"`; a permission taken away: `403, 50013, "Missing Permissions"`.
    pub fn fail_requests(
        &self,
        matches: impl Fn(&Request) -> bool + Send + Sync + 'static,
        status: u16,
        code: u32,
        message: &str,
    ) -> FaultGuard {
        let faults = &self.shared.faults;
        let id = faults.next_id.fetch_add(1, Ordering::SeqCst);
        let hits = Arc::new(AtomicU64::new(0));
        faults
            .active
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Fault {
                id,
                matches: Box::new(matches),
                status,
                code,
                message: message.to_owned(),
                hits: hits.clone(),
            });
        FaultGuard {
            shared: self.shared.clone(),
            id,
            hits,
        }
    }
}
