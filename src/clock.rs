//! The governance clock. The core never reads time itself; adapters ask a [`Clock`], which is the
//! system clock in production and a [`ManualClock`] that tests and the sandbox move explicitly.

use crate::governance::Timestamp;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;

    /// A receiver woken when the clock jumps, for clocks that jump (a manual clock). The system
    /// clock only flows, so waiters just sleep.
    fn jumps(&self) -> Option<watch::Receiver<Timestamp>> {
        None
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

/// A clock that only moves when told to. Watchers are woken on every move, so a scheduler
/// sleeping until a deadline notices when a test jumps past it.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<Timestamp>>,
    moved: watch::Sender<Timestamp>,
}

impl ManualClock {
    pub fn new(start: Timestamp) -> Self {
        ManualClock {
            now: Arc::new(Mutex::new(start)),
            moved: watch::Sender::new(start),
        }
    }

    pub fn set(&self, t: Timestamp) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = t;
        self.moved.send_replace(t);
    }

    pub fn advance(&self, by: chrono::Duration) {
        let t = self.now() + by;
        self.set(t);
    }

    /// A receiver that sees every move of this clock.
    pub fn watch(&self) -> watch::Receiver<Timestamp> {
        self.moved.subscribe()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn jumps(&self) -> Option<watch::Receiver<Timestamp>> {
        Some(self.watch())
    }
}

/// Waits for the next jump of a clock that jumps (see [`Clock::jumps`]); forever for one that
/// does not, so it can sit in a `select!` beside a real sleep.
pub async fn jumped(jumps: &mut Option<watch::Receiver<Timestamp>>) {
    match jumps {
        Some(rx) => {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}
