//! Log lines on standard error: text for people, or one JSON object a line for a log collector
//! (`--log-format json`, or `logging.format = "json"` in the configuration). `RUST_LOG` chooses
//! which lines, as `tracing_subscriber::EnvFilter` reads it; without it, govbot's own lines from
//! INFO up and every other crate's warnings (`govbot=info,warn`).
//!
//! What is logged at INFO: start-up ("connected as NAME to GUILD; N commands registered; M open
//! votes"), one line per decision recorded (group, kind, actor id, reason), the backups written,
//! shutting down. No line ever holds a token: tokens are [`Secret`](crate::secret::Secret)s, which
//! print as `***`.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One line per event, for people.
    #[default]
    Text,
    /// One JSON object per line, for a log collector.
    Json,
}

/// What `RUST_LOG` means when it is not set.
pub const DEFAULT_FILTER: &str = "govbot=info,warn";

/// Installs the process's log subscriber, writing to standard error in `format`.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}
