//! What govbot counts for `/metrics` (see `observability`): commands, decisions, ballots, audit
//! events, Discord's REST answers and gateway sessions. Recording is a call into the `metrics`
//! crate's global recorder, which does nothing until the endpoint installs one, so the store and
//! the Discord adapter count without knowing whether anyone scrapes.

/// Counter names, one place for the code and the docs (docs/operating.md lists them).
pub mod names {
    pub const COMMANDS: &str = "govbot_discord_commands_total";
    pub const COMMAND_ERRORS: &str = "govbot_discord_command_errors_total";
    pub const DECISIONS: &str = "govbot_decisions_total";
    pub const BALLOTS: &str = "govbot_ballots_total";
    pub const AUDIT_EVENTS: &str = "govbot_audit_events_total";
    pub const REST: &str = "govbot_discord_rest_responses_total";
    pub const RATE_LIMITED: &str = "govbot_discord_rate_limited_total";
    pub const SESSIONS: &str = "govbot_gateway_sessions_total";
    pub const RESUMES: &str = "govbot_gateway_resumes_total";
    pub const DISCONNECTS: &str = "govbot_gateway_disconnects_total";
}

/// A governance command carried out (or refused) by the store.
pub fn decision(kind: &str, outcome: &'static str) {
    metrics::counter!(names::DECISIONS, "kind" => kind.to_owned(), "outcome" => outcome)
        .increment(1);
}

/// An event appended to the audit log.
pub fn audit_event(event: &crate::governance::Event) {
    use crate::governance::EventKind;
    metrics::counter!(names::AUDIT_EVENTS, "kind" => event.kind.name()).increment(1);
    if let EventKind::BallotCast { choice, .. } = &event.kind {
        let choice = choice.map_or_else(
            || "withdrawn".to_owned(),
            |c| format!("{c:?}").to_lowercase(),
        );
        metrics::counter!(names::BALLOTS, "choice" => choice).increment(1);
    }
}

/// A slash command received.
pub fn command(name: &str) {
    metrics::counter!(names::COMMANDS, "command" => name.to_owned()).increment(1);
}

/// A slash command that failed with an internal error.
pub fn command_error(name: &str) {
    metrics::counter!(names::COMMAND_ERRORS, "command" => name.to_owned()).increment(1);
}

/// An answer (or none) from Discord's REST API.
pub fn rest_answer(status: Option<u16>) {
    let class = match status {
        Some(s @ 100..=599) => ["1xx", "2xx", "3xx", "4xx", "5xx"][usize::from(s / 100 - 1)],
        Some(_) | None => "error",
    };
    metrics::counter!(names::REST, "class" => class).increment(1);
    if status == Some(429) {
        metrics::counter!(names::RATE_LIMITED).increment(1);
    }
}

/// A gateway event that changes the session: READY, RESUMED, or a connection lost.
pub fn gateway(counter: &'static str) {
    metrics::counter!(counter).increment(1);
}

/// A governance command's kind in snake case, from its variant name ("CallVote" → "call_vote").
pub fn command_kind(command: &crate::governance::Command) -> String {
    let debug = format!("{command:?}");
    let variant: String = debug
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    let mut out = String::with_capacity(variant.len() + 4);
    for (i, c) in variant.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_kinds_are_snake_case_variant_names() {
        use crate::governance::Command;
        assert_eq!(command_kind(&Command::CloseVote), "close_vote");
        assert_eq!(command_kind(&Command::RemindQuiet), "remind_quiet");
    }
}
