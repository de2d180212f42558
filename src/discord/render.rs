//! Every message people read is rendered from a file in `templates/`, strictly: a value missing
//! from the context is an error, never an empty gap in a message.
//!
//! Templates are compiled into the binary so a deployed bot needs no files beside it. A template
//! whose first line starts with `# ` renders as an embed with that line as its title (embeds hold
//! 4,096 characters, enough for a full proposal card); any other renders as plain content.

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "proposal_card",
        include_str!("../../templates/proposal_card.md.j2"),
    ),
    (
        "template_problems",
        include_str!("../../templates/template_problems.md.j2"),
    ),
    (
        "edit_problems",
        include_str!("../../templates/edit_problems.md.j2"),
    ),
    (
        "edit_too_late",
        include_str!("../../templates/edit_too_late.md.j2"),
    ),
    (
        "proposal_withdrawn",
        include_str!("../../templates/proposal_withdrawn.md.j2"),
    ),
    (
        "moderators_announcement",
        include_str!("../../templates/moderators_announcement.md.j2"),
    ),
    (
        "moderators_withdrawn",
        include_str!("../../templates/moderators_withdrawn.md.j2"),
    ),
    (
        "group_info",
        include_str!("../../templates/group_info.md.j2"),
    ),
    (
        "group_list",
        include_str!("../../templates/group_list.md.j2"),
    ),
    ("error", include_str!("../../templates/error.md.j2")),
    (
        "outbox_stuck",
        include_str!("../../templates/outbox_stuck.md.j2"),
    ),
    (
        "group_health",
        include_str!("../../templates/group_health.md.j2"),
    ),
    (
        "inactivity_reminder",
        include_str!("../../templates/inactivity_reminder.md.j2"),
    ),
    (
        "retirement_candidate",
        include_str!("../../templates/retirement_candidate.md.j2"),
    ),
    (
        "item_unreadable",
        include_str!("../../templates/item_unreadable.md.j2"),
    ),
    (
        "candidacy_decided",
        include_str!("../../templates/candidacy_decided.md.j2"),
    ),
    (
        "quiet_reminder",
        include_str!("../../templates/quiet_reminder.md.j2"),
    ),
    (
        "status_posted",
        include_str!("../../templates/status_posted.md.j2"),
    ),
    (
        "vote_message",
        include_str!("../../templates/vote_message.md.j2"),
    ),
    (
        "vote_called",
        include_str!("../../templates/vote_called.md.j2"),
    ),
    (
        "ballot_recorded",
        include_str!("../../templates/ballot_recorded.md.j2"),
    ),
    (
        "vote_reminder",
        include_str!("../../templates/vote_reminder.md.j2"),
    ),
    (
        "vote_result",
        include_str!("../../templates/vote_result.md.j2"),
    ),
    (
        "veto_notice",
        include_str!("../../templates/veto_notice.md.j2"),
    ),
    (
        "group_opening",
        include_str!("../../templates/group_opening.md.j2"),
    ),
    (
        "group_announced",
        include_str!("../../templates/group_announced.md.j2"),
    ),
    (
        "group_archived",
        include_str!("../../templates/group_archived.md.j2"),
    ),
    ("history", include_str!("../../templates/history.md.j2")),
    (
        "action_done",
        include_str!("../../templates/action_done.md.j2"),
    ),
    ("sponsored", include_str!("../../templates/sponsored.md.j2")),
    (
        "audit_head",
        include_str!("../../templates/audit_head.md.j2"),
    ),
];

/// Discord's limits: message content and embed description.
pub const MAX_CONTENT: usize = 2000;
pub const MAX_EMBED_DESCRIPTION: usize = 4096;
const MAX_EMBED_TITLE: usize = 256;

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name} does not compile: {e}"));
        }
        env
    })
}

/// A rendered message: an embed when the template has a title line, plain content otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: Option<String>,
    pub body: String,
}

impl Rendered {
    /// The whole message as text, as a transcript or a snapshot shows it.
    pub fn text(&self) -> String {
        match &self.title {
            Some(t) => format!("# {t}\n{}", self.body),
            None => self.body.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("rendering template {name}: {source:#}")]
pub struct RenderError {
    name: String,
    #[source]
    source: minijinja::Error,
}

/// The names of every template, for tests that render each one.
pub fn template_names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|(n, _)| *n)
}

pub fn render(name: &str, ctx: impl Serialize) -> Result<Rendered, RenderError> {
    let text = env()
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|source| RenderError {
            name: name.to_string(),
            source,
        })?;
    let text = text.trim().to_string();
    Ok(match text.strip_prefix("# ") {
        Some(rest) => {
            let (title, body) = rest.split_once('\n').unwrap_or((rest, ""));
            Rendered {
                title: Some(truncate(title.trim(), MAX_EMBED_TITLE)),
                body: truncate(body.trim(), MAX_EMBED_DESCRIPTION),
            }
        }
        None => Rendered {
            title: None,
            body: truncate(&text, MAX_CONTENT),
        },
    })
}

/// Cuts `text` to `max` characters, marking the cut, so Discord never refuses a message as too long.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
