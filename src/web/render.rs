//! The site's templates (`templates/web/`), compiled into the binary like the bot's messages:
//! strict (a value missing from the context is an error, never an empty gap or an "undefined"),
//! and autoescaped: every value is HTML-escaped unless the code marks it safe, which it never
//! does for anything a person wrote.

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use serde::Serialize;
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/web/base.html")),
    (
        "directory.html",
        include_str!("../../templates/web/directory.html"),
    ),
    (
        "proposals.html",
        include_str!("../../templates/web/proposals.html"),
    ),
    ("past.html", include_str!("../../templates/web/past.html")),
    ("group.html", include_str!("../../templates/web/group.html")),
    (
        "proposal.html",
        include_str!("../../templates/web/proposal.html"),
    ),
    (
        "not_found.html",
        include_str!("../../templates/web/not_found.html"),
    ),
    (
        "macros.html",
        include_str!("../../templates/web/macros.html"),
    ),
    ("feed.xml", include_str!("../../templates/web/feed.xml")),
];

/// The site's one stylesheet.
pub const STYLESHEET: &str = include_str!("../../templates/web/style.css");

/// Escapes text for HTML and XML, in element content and in double-quoted attributes.
pub fn escape(text: &str, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let mut last = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&text[last..i])?;
        out.write_str(entity)?;
        last = i + c.len_utf8();
    }
    out.write_str(&text[last..])
}

fn time(value: &str, format: &str) -> Result<String, Error> {
    chrono::DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&chrono::Utc).format(format).to_string())
        .map_err(|e| {
            Error::new(
                ErrorKind::InvalidOperation,
                format!("not a time: {value}: {e}"),
            )
        })
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        // minijinja's own HTML escaping also writes `/` as `&#x2f;`, which only matters in
        // unquoted attributes (every attribute here is quoted); plain escaping keeps links and
        // text readable in the source.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == AutoEscape::Html && !value.is_safe() {
                if let Some(s) = value.as_str() {
                    return escape(s, out).map_err(Error::from);
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        // `{{ t|date }}`: 2026-11-05; `{{ t|datetime }}`: 2026-11-05 09:00 UTC.
        env.add_filter("date", |v: String| time(&v, "%Y-%m-%d"));
        env.add_filter("datetime", |v: String| time(&v, "%Y-%m-%d %H:%M UTC"));
        // The first `n` characters of a long text, cut at a word, marked with an ellipsis.
        env.add_filter("excerpt", |v: String, n: usize| -> String {
            if v.chars().count() <= n {
                return v;
            }
            let cut: String = v.chars().take(n).collect();
            let cut = match cut.rfind(char::is_whitespace) {
                Some(i) if i > n / 2 => &cut[..i],
                _ => &cut,
            };
            format!("{}…", cut.trim_end())
        });
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("web template {name} does not compile: {e:#}"));
        }
        env
    })
}

/// Renders template `name` with `ctx`.
pub fn render(name: &str, ctx: impl Serialize) -> Result<String, Error> {
    env().get_template(name)?.render(Value::from_serialize(ctx))
}

#[cfg(test)]
mod tests {
    #[test]
    fn escaping_covers_text_and_quoted_attributes() {
        let mut out = String::new();
        super::escape(r#"<a href="x">Tom & 'Jerry'</a>"#, &mut out).unwrap();
        assert_eq!(
            out,
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
    }
}
