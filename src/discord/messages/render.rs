//! Every message people read is rendered from a file in `templates/`, strictly: a value missing
//! from the context is an error, never an empty gap in a message.
//!
//! Every string a template prints with `{{ value }}` is escaped ([`crate::discord::markdown::escape`]),
//! so that what people typed (names, purposes, reasons, answers, statuses) shows as typed and can
//! never become a link, a heading, a mention or code in govbot's message. Only a value of type
//! [`crate::discord::markdown::Markdown`], composed by govbot, is printed as Markdown; a value
//! inside an inline code span goes through the `code` filter instead (`{{ item|code }}`).
//!
//! Templates are compiled into the binary so a deployed bot needs no files beside it. A template
//! whose first line starts with `# ` renders as an embed with that line as its title (embeds hold
//! 4,096 characters, enough for a full proposal card); any other renders as plain content.

use crate::discord::markdown;
use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;
use std::sync::{Mutex, OnceLock, PoisonError};

/// A message's template, compiled into the binary. Each message names its own with
/// [`template!`] where it renders, so a new message needs its template file and the code that
/// shows it, and no list kept by hand.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    name: &'static str,
    source: &'static str,
}

impl Template {
    #[doc(hidden)]
    pub const fn new(name: &'static str, source: &'static str) -> Self {
        Template { name, source }
    }
}

/// The template `templates/NAME.md.j2`, read at compile time: a missing file fails the build.
macro_rules! template {
    ($name:literal) => {
        $crate::discord::messages::render::Template::new(
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/",
                $name,
                ".md.j2"
            )),
        )
    };
}
pub(crate) use template;

/// Discord's limits: message content and embed description.
pub const MAX_CONTENT: usize = 2000;
pub const MAX_EMBED_DESCRIPTION: usize = 4096;
const MAX_EMBED_TITLE: usize = 256;

/// The templates compiled so far; each is compiled on its first use and kept.
fn env() -> &'static Mutex<Environment<'static>> {
    static ENV: OnceLock<Mutex<Environment<'static>>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_formatter(|out, _state, value| {
            match value.as_str() {
                Some(s) if !value.is_safe() => out.write_str(&markdown::escape(s)),
                _ => write!(out, "{value}"),
            }
            .map_err(minijinja::Error::from)
        });
        env.add_filter("code", |text: &str| {
            Value::from_safe_string(markdown::code(text))
        });
        // English plurals, never "moderator(s)": `{{ n|count("moderator") }}` is "1 moderator" or
        // "3 moderators"; an irregular plural is given, `{{ n|count("person", "people") }}`.
        env.add_filter("count", |n: i64, one: &str, many: Option<&str>| {
            format!("{n} {}", noun(n, one, many))
        });
        // The word alone, for a label: `{{ facilitators|length|noun("Facilitator") }}`.
        env.add_filter("noun", |n: i64, one: &str, many: Option<&str>| {
            noun(n, one, many)
        });
        Mutex::new(env)
    })
}

/// `one` for exactly one, otherwise `many` (by default `one` with an "s").
fn noun(n: i64, one: &str, many: Option<&str>) -> String {
    match (n, many) {
        (1, _) => one.to_string(),
        (_, Some(many)) => many.to_string(),
        (_, None) => format!("{one}s"),
    }
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

pub fn render(template: Template, ctx: impl Serialize) -> Result<Rendered, RenderError> {
    let Template { name, source } = template;
    let text = {
        // Rendering takes microseconds, so one lock for the compiled templates costs nothing.
        let mut env = env().lock().unwrap_or_else(PoisonError::into_inner);
        if env.get_template(name).is_err() {
            env.add_template(name, source)
                .map_err(|source| RenderError {
                    name: name.to_string(),
                    source,
                })?;
        }
        env.get_template(name).and_then(|t| t.render(ctx))
    }
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

/// `text` in at most `max` characters, shortened at a word boundary with "…" when it must be: for
/// a title, where a word cut in half reads as a mistake. Only a first word longer than `max` is
/// cut inside.
pub fn shorten_at_word(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let room: String = text.chars().take(max.saturating_sub(1)).collect();
    // The cut falls between words when the next character is a space.
    let next_is_space = text
        .chars()
        .nth(room.chars().count())
        .is_some_and(char::is_whitespace);
    let kept = if next_is_space {
        room.as_str()
    } else {
        room.rfind(char::is_whitespace)
            .map_or(room.as_str(), |i| &room[..i])
    };
    format!("{}…", kept.trim_end())
}
