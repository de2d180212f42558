//! The real `govbot run` binary as a child process, pointed at an in-process sandbox: what an
//! operator's service manager runs, signals and restarts.
//!
//! Each [`BotProcess`] writes its configuration into a temporary directory of its own (also the
//! child's working directory), so the same sandbox and database can be given to one process after
//! another (a restart after a crash). The child's stdout and stderr are collected in the
//! background and stay readable after it exits. Every wait is bounded: a child that does not do
//! what is expected in time is killed and the test fails with what it printed.

use discord_standin::Sandbox;
use govbot::harness::WAIT;
use govbot::standard_world::StandardWorld as _;
use nix::unistd::Pid;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

pub use nix::sys::signal::Signal;

/// What the child's `RUST_LOG` is set to: govbot's info lines (start-up, "shutting down") and
/// every other crate's warnings, whatever the test runner's own environment says.
pub const RUST_LOG: &str = "govbot=info,warn";

type Output = Arc<Mutex<Vec<u8>>>;

pub struct BotProcess {
    sandbox: Sandbox,
    child: Child,
    pid: Pid,
    dir: TempDir,
    config: PathBuf,
    stdout: Output,
    stderr: Output,
    readers: Vec<JoinHandle<()>>,
    status: Option<ExitStatus>,
}

impl BotProcess {
    /// The configuration matching `sandbox`, with the database at `database`.
    pub fn config_toml(sandbox: &Sandbox, database: &Path) -> String {
        sandbox.world().config_toml(database, &sandbox.api_base())
    }

    /// Runs `govbot run` against `sandbox` with its database at `database`, and waits (at most
    /// [`WAIT`]) until the sandbox has seen a new IDENTIFY from it and it is connected. Panics,
    /// with the child's output, if it exits or does not connect in time.
    pub async fn spawn(sandbox: &Sandbox, database: &Path) -> BotProcess {
        Self::spawn_with(sandbox, database, &[]).await
    }

    /// [`BotProcess::spawn`] with `args` after `run`.
    pub async fn spawn_with(sandbox: &Sandbox, database: &Path, args: &[&str]) -> BotProcess {
        let before = sandbox.identify_count();
        let mut bot = Self::launch_with(sandbox, &Self::config_toml(sandbox, database), args);
        bot.wait_connected(before).await;
        bot
    }

    /// Runs `govbot run` with the configuration `config_toml` and `sandbox`'s token, without
    /// waiting for anything: for configurations the bot must refuse.
    pub fn launch(sandbox: &Sandbox, config_toml: &str) -> BotProcess {
        Self::launch_full(sandbox, config_toml, &[], &[])
    }

    /// [`BotProcess::launch`] with `args` after `run` (such as `--accept-broken-audit`).
    pub fn launch_with(sandbox: &Sandbox, config_toml: &str, args: &[&str]) -> BotProcess {
        Self::launch_full(sandbox, config_toml, args, &[])
    }

    /// [`BotProcess::launch`] with more environment variables (e.g. `GOVBOT_LOG_FORMAT`).
    pub fn launch_with_env(
        sandbox: &Sandbox,
        config_toml: &str,
        env: &[(&str, &str)],
    ) -> BotProcess {
        Self::launch_full(sandbox, config_toml, &[], env)
    }

    fn launch_full(
        sandbox: &Sandbox,
        config_toml: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> BotProcess {
        let dir = tempfile::tempdir().expect("creating the bot's temporary directory");
        let config = dir.path().join("govbot.toml");
        std::fs::write(&config, config_toml).expect("writing the bot's configuration");
        let mut child = Command::new(env!("CARGO_BIN_EXE_govbot"))
            .arg("--config")
            .arg(&config)
            .arg("run")
            .args(args)
            .current_dir(dir.path())
            .env_remove("GOVBOT_CONFIG")
            .env_remove("GOVBOT_DATABASE")
            .env("DISCORD_TOKEN", sandbox.token())
            .env("RUST_LOG", RUST_LOG)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("spawning the govbot binary");
        let pid = Pid::from_raw(
            i32::try_from(child.id().expect("a just-spawned child has a pid"))
                .expect("pids fit in an i32"),
        );
        let stdout = Output::default();
        let stderr = Output::default();
        let readers = vec![
            collect(
                child.stdout.take().expect("stdout is piped"),
                stdout.clone(),
            ),
            collect(
                child.stderr.take().expect("stderr is piped"),
                stderr.clone(),
            ),
        ];
        BotProcess {
            sandbox: sandbox.clone(),
            child,
            pid,
            dir,
            config,
            stdout,
            stderr,
            readers,
            status: None,
        }
    }

    /// Waits until the sandbox has seen more than `before` IDENTIFYs and a bot is connected.
    /// Panics if the child exits first or [`WAIT`] passes.
    pub async fn wait_connected(&mut self, before: u64) {
        let sandbox = self.sandbox.clone();
        let connected = sandbox.wait_gateway(|g| g.identifies > before && g.connected, WAIT);
        tokio::select! {
            result = connected => {
                if let Err(e) = result {
                    self.fail(&format!("govbot did not connect to the sandbox: {e:#}")).await;
                }
            }
            status = self.child.wait() => {
                let status = status.expect("waiting for govbot");
                self.status = Some(status);
                self.drain().await;
                panic!(
                    "govbot exited ({status}) before connecting to the sandbox\n{}",
                    self.output()
                );
            }
        }
    }

    /// Waits (at most [`WAIT`]) until the child has a handler for `signal`, so that sending it
    /// tests govbot's shutdown rather than the default action (death by signal). `govbot run`
    /// installs its SIGINT and SIGTERM handlers only after it has connected, and a connected
    /// bot does not mean a running main task: under load the two can be apart. Reads `SigCgt`
    /// in `/proc/<pid>/status`; elsewhere than Linux it returns at once. Panics, with the
    /// child's output, if the child exits or installs no handler in time.
    pub async fn wait_handler(&mut self, signal: Signal) {
        if !cfg!(target_os = "linux") {
            return;
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        let bit = 1u64 << (signal as i32 - 1);
        loop {
            if let Some(status) = self.child.try_wait().expect("checking on govbot") {
                self.status = Some(status);
                self.drain().await;
                panic!(
                    "govbot exited ({status}) while waiting for its {signal} handler\n{}",
                    self.output()
                );
            }
            if caught_signals(self.pid).is_some_and(|caught| caught & bit != 0) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                self.fail(&format!("govbot installed no {signal} handler in {WAIT:?}"))
                    .await;
            }
            // Nothing announces the handler, so look again shortly (bounded by the deadline).
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Sends `signal` to the child. Panics if it has already been waited for (its pid may belong
    /// to another process by now).
    pub fn signal(&self, signal: Signal) {
        assert!(
            self.status.is_none(),
            "govbot already exited ({:?}); not sending {signal}",
            self.status
        );
        nix::sys::signal::kill(self.pid, signal)
            .unwrap_or_else(|e| panic!("sending {signal} to govbot ({}): {e}", self.pid));
    }

    /// Waits at most `timeout` for the child to exit, then until its output is all collected.
    /// If it is still running after `timeout`, kills it and panics with what it printed.
    pub async fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        if let Some(status) = self.status {
            return status;
        }
        match tokio::time::timeout(timeout, self.child.wait()).await {
            Ok(status) => {
                let status = status.expect("waiting for govbot");
                self.status = Some(status);
                self.drain().await;
                status
            }
            Err(_) => {
                self.fail(&format!("govbot still running after {timeout:?}"))
                    .await
            }
        }
    }

    /// Kills the child (SIGKILL), reaps it and panics with `why` and everything it printed.
    async fn fail(&mut self, why: &str) -> ! {
        let _ = self.child.start_kill();
        if let Ok(Ok(status)) = tokio::time::timeout(WAIT, self.child.wait()).await {
            self.status = Some(status);
        }
        self.drain().await;
        panic!("{why}; killed it\n{}", self.output())
    }

    /// Waits (bounded) for the readers to reach the end of the child's stdout and stderr.
    async fn drain(&mut self) {
        for reader in self.readers.drain(..) {
            if tokio::time::timeout(WAIT, reader).await.is_err() {
                eprintln!("govbot's output pipes stayed open after it exited");
            }
        }
    }

    /// What the child wrote to stdout so far (all of it once [`BotProcess::wait_exit`] returned).
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout.lock().unwrap()).into_owned()
    }

    /// What the child wrote to stderr so far (all of it once [`BotProcess::wait_exit`] returned):
    /// its logs and its final error.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Both streams, labelled, for failure messages.
    pub fn output(&self) -> String {
        format!(
            "--- govbot (pid {}) stdout ---\n{}--- govbot stderr ---\n{}---",
            self.pid,
            self.stdout(),
            self.stderr()
        )
    }

    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// The exit status, once [`BotProcess::wait_exit`] saw it.
    pub fn status(&self) -> Option<ExitStatus> {
        self.status
    }

    /// The configuration file the child was given.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// The child's own temporary directory (its configuration and working directory).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// The signals `pid` has handlers for (bit n-1 for signal n), from `/proc/<pid>/status`.
fn caught_signals(pid: Pid) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hex = status.lines().find_map(|l| l.strip_prefix("SigCgt:"))?;
    u64::from_str_radix(hex.trim(), 16).ok()
}

/// Appends everything `pipe` yields to `out` until end of file.
fn collect(mut pipe: impl AsyncRead + Unpin + Send + 'static, out: Output) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut buf = [0u8; 8192];
        loop {
            match pipe.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.lock().unwrap().extend_from_slice(&buf[..n]),
            }
        }
    })
}
