//! Faults injected into the sandbox's REST API, so tests and benches can play a Discord that
//! fails: an outage (5xx), a permission an operator took away (403), a channel someone deleted
//! (404), an answer lost after the request was carried out. A fault answers every request it
//! matches with Discord's error shape (status and `{"message", "code"}`) until its guard is
//! dropped, and counts the requests it matched, so a test can wait for the bot's retries without
//! sleeping.

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

/// What a fault answers: status, Discord's JSON error code, message.
type Refusal = (u16, u32, String);

struct Fault {
    id: u64,
    /// The request is carried out first and only its answer is replaced (a lost answer).
    after: bool,
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
    /// The error the first matching fault answers with instead of carrying the request out:
    /// `(status, code, message)`.
    pub(crate) fn check(&self, method: &str, path: &str, body: &Value) -> Option<Refusal> {
        self.matching(false, Request { method, path, body })
    }

    /// The error that replaces the answer of a request already carried out.
    pub(crate) fn lost(&self, method: &str, path: &str, body: &Value) -> Option<Refusal> {
        self.matching(true, Request { method, path, body })
    }

    fn matching(&self, after: bool, request: Request) -> Option<Refusal> {
        let active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        let fault = active
            .iter()
            .find(|f| f.after == after && (f.matches)(&request))?;
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
        self.inject(false, Box::new(matches), (status, code, message.to_owned()))
    }

    /// Carries out every request `matches` accepts, then answers it with `status` and Discord's
    /// JSON error instead of the real answer, until the guard is dropped: the bot cannot know it
    /// was done (a gateway timeout, a crash before the answer was read).
    pub fn lose_answers(
        &self,
        matches: impl Fn(&Request) -> bool + Send + Sync + 'static,
        status: u16,
        code: u32,
        message: &str,
    ) -> FaultGuard {
        self.inject(true, Box::new(matches), (status, code, message.to_owned()))
    }

    fn inject(&self, after: bool, matches: Matcher, refusal: Refusal) -> FaultGuard {
        let (status, code, message) = refusal;
        let faults = &self.shared.faults;
        let id = faults.next_id.fetch_add(1, Ordering::SeqCst);
        let hits = Arc::new(AtomicU64::new(0));
        faults
            .active
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Fault {
                id,
                after,
                matches,
                status,
                code,
                message,
                hits: hits.clone(),
            });
        FaultGuard {
            shared: self.shared.clone(),
            id,
            hits,
        }
    }
}
