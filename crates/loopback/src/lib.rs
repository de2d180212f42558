//! Serving a local stand-in (of Discord, of GitHub) on 127.0.0.1 for tests: bind a free port of
//! the loopback interface only, serve an axum router on it, and stop serving when the last handle
//! is dropped, so a test that fails or forgets leaves no server behind.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let stop = loopback::Stop::new();
//! let listener = loopback::bind("the example stand-in").await?;
//! let addr = listener.local_addr()?;
//! stop.serve(listener, axum::Router::new(), "the example stand-in");
//! // … requests to http://{addr} …
//! drop(stop); // the server stops
//! # Ok(()) }
//! ```

use anyhow::Context as _;
use std::sync::Arc;
use tokio::sync::watch;

/// A free port of 127.0.0.1 (never another interface: tests reach nothing beyond this machine).
pub async fn bind(what: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .with_context(|| format!("binding {what} to 127.0.0.1"))
}

/// Stops every server started through it when the last clone is dropped.
#[derive(Clone)]
pub struct Stop(Arc<StopOnDrop>);

struct StopOnDrop(watch::Sender<bool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(true);
    }
}

impl Default for Stop {
    fn default() -> Self {
        Stop::new()
    }
}

impl Stop {
    pub fn new() -> Stop {
        let (tx, _) = watch::channel(false);
        Stop(Arc::new(StopOnDrop(tx)))
    }

    /// Resolves when the last clone has been dropped (at once if it already has). It holds no
    /// clone itself, so a task waiting on it keeps nothing alive: for what a server's graceful
    /// shutdown does not reach, such as upgraded (WebSocket) connections.
    pub fn stopped(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut stop = self.0 .0.subscribe();
        async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        }
    }

    /// Serves `app` on `listener` (plain TCP, TLS, anything axum can serve) in a task until this
    /// handle's last clone is dropped; a server error is logged with `what` it was.
    pub fn serve<L>(&self, listener: L, app: axum::Router, what: &'static str)
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        let mut stop = self.0 .0.subscribe();
        tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|stopped| *stopped).await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("{what} stopped: {e}");
            }
        });
    }
}
