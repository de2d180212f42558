//! Text people typed, shown in govbot's messages as they typed it.
//!
//! Discord reads message content and embed descriptions as Markdown: `[MCP Registry](https://evil)`
//! is a masked link, `# x` a heading, `<@&123>` a role mention, ``` ` ``` code, `@everyone` a
//! mention of everyone. A purpose, a name or a reason echoed unchanged in the bot's own
//! announcement would be shown with govbot's authority. So every value a template prints is
//! escaped by [`escape`] (`src/discord/render.rs` does it for every `{{ value }}`), unless it is a
//! [`Markdown`] value that govbot composed itself.
//!
//! Escaping uses Discord's own rule: a backslash before any ASCII punctuation shows that character
//! literally and hides the backslash, so escaped text looks exactly as typed. `@everyone` and
//! `@here` get a zero-width space after the `@` (Discord has no escape for them), which is what
//! discord.py's `escape_mentions` does. A plain web address is left alone, so that an `_` in
//! `https://example.com/a_b` neither breaks the link nor shows a backslash (discord.py's
//! `ignore_links`); one holding anything else (brackets, backslashes, backticks) is shown as text
//! and not linked, since Discord would take the escapes after it into the link.

use serde::{Serialize, Serializer};

/// Markdown govbot composed itself, printed by templates as it is. Anything a person typed inside
/// it must have gone through [`escape`] first; [`Markdown::text`] does that for plain text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Markdown(String);

impl Markdown {
    /// Markdown written by govbot: mentions, timestamps, code, emphasis.
    pub fn trusted(markdown: impl Into<String>) -> Self {
        Markdown(markdown.into())
    }

    /// Plain text shown as typed.
    pub fn text(text: &str) -> Self {
        Markdown(escape(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Markdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Markdown {
    /// As a string minijinja marks safe, so the renderer prints it without escaping.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        minijinja::Value::from_safe_string(self.0.clone()).serialize(s)
    }
}

/// Zero-width space: breaks `@everyone` and `@here` without changing what a reader sees.
pub const ZWSP: char = '\u{200B}';

/// Characters that make Markdown wherever they are: emphasis, code, spoilers, masked links
/// (`[text](url)` needs both brackets, so parentheses are left alone), mentions and tags (`<@1>`,
/// `<#1>`, `<t:1>`, `<:emoji:1>`), quotes, and the escape itself.
fn always_escaped(c: char) -> bool {
    matches!(
        c,
        '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '<' | '>'
    )
}

/// Characters that make Markdown only at the start of a line: headings (`# `), subtext (`-# `),
/// lists (`- `, `+ `).
fn line_start_escaped(c: char) -> bool {
    matches!(c, '#' | '-' | '+')
}

/// Characters a web address may hold for govbot to leave it unescaped.
fn in_address(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#@!$&'()+,;=%".contains(c)
}

/// What to do with a web address at the start of `s`. Discord links `http://` or `https://` and
/// everything after it up to a space or a `<`, whatever it holds (escapes included), so:
/// - an address of [`in_address`] characters up to a space or the end is left as it is, and stays
///   a link (`Keep(len)`);
/// - any other is shown as text, never linked: its `://` is escaped (`Unlink(len of the scheme)`),
///   else Discord would read the backslash of an escaped `\<` after it as part of the link, and
///   the `<` would start a mention.
enum Address {
    Keep(usize),
    Unlink(usize),
}

fn address(s: &str) -> Option<Address> {
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|p| s.starts_with(p))?
        .len();
    let run = s[scheme..]
        .find(|c: char| c.is_whitespace() || c == '<')
        .map_or(s.len(), |n| scheme + n);
    // Up to a `<`, the escaping backslash govbot puts before it would end the link.
    let ends_cleanly = !s[run..].starts_with('<');
    Some(
        if run > scheme && ends_cleanly && s[scheme..run].chars().all(in_address) {
            Address::Keep(run)
        } else {
            Address::Unlink(scheme)
        },
    )
}

/// `text` with everything Discord would read as Markdown or as a mention escaped, so that it shows
/// exactly as typed. Linear in the length of `text`.
pub fn escape(text: &str) -> String {
    escape_with(text, false)
}

/// A message govbot wrote around what people typed, as the core's refusals and the answers to
/// commands are (`WG 'Registry' already exists`, `member 12 is not a facilitator`, `` `manual:
/// <link>` ``): everything is escaped as by [`escape`] except single-line inline code spans, which
/// Discord never reads as anything but code, and the core's `member 123` becomes a mention.
///
/// The mention rewriting cannot tell govbot's words from a person's: a name typed as "member 123"
/// shows as that member's mention (never a ping: govbot's messages allow no mentions to notify).
/// Where a message's parts are known, build it with [`escape`] and [`Markdown::trusted`] instead.
pub fn composite(text: &str) -> Markdown {
    Markdown(mention_members(&escape_with(text, true)))
}

/// Rewrites the core's "member 123" as Discord's `<@123>` mention.
pub fn mention_members(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("member ") {
        let after = &rest[i + "member ".len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            out.push_str(&rest[..i + "member ".len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..i]);
        out.push_str(&format!("<@{}>", &after[..digits]));
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The length of the inline code span at the start of `s` (which starts with a backtick), if it is
/// one Discord reads as code: one backtick, then at least one character on the same line and no
/// backtick, then one backtick. Looks no further than the next backtick or line break.
fn code_span_len(s: &str) -> Option<usize> {
    let body = &s[1..];
    if body.starts_with('`') {
        return None;
    }
    let end = body.find(['`', '\n'])?;
    let closes = body[end..].starts_with('`') && !body[end + 1..].starts_with('`');
    (end > 0 && closes).then_some(end + 2)
}

fn escape_with(text: &str, keep_code: bool) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut line_start = true;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        match address(rest) {
            Some(Address::Keep(len)) => {
                push_neutralising_mentions(&mut out, &rest[..len]);
                i += len;
                line_start = false;
                continue;
            }
            Some(Address::Unlink(scheme)) => {
                out.push_str(&rest[..scheme - 3]);
                out.push_str("\\://");
                i += scheme;
                line_start = false;
                continue;
            }
            None => {}
        }
        if keep_code && rest.starts_with('`') {
            if let Some(len) = code_span_len(rest) {
                out.push_str(&rest[..len]);
                i += len;
                line_start = false;
                continue;
            }
        }
        let c = rest.chars().next().expect("i is on a char boundary");
        i += c.len_utf8();
        match c {
            '\n' => {
                out.push(c);
                line_start = true;
                continue;
            }
            ' ' | '\t' => {
                out.push(c);
                continue;
            }
            '@' => {
                out.push('@');
                if starts_mass_mention(&text[i..]) {
                    out.push(ZWSP);
                }
            }
            c if always_escaped(c) || (line_start && line_start_escaped(c)) => {
                out.push('\\');
                out.push(c);
            }
            '0'..='9' if line_start => {
                // "1. item" and "1) item" are ordered lists: escape what follows the number.
                out.push(c);
                let digits = text[i..]
                    .find(|d: char| !d.is_ascii_digit())
                    .unwrap_or(text.len() - i);
                out.push_str(&text[i..i + digits]);
                i += digits;
                if text[i..].starts_with('.') {
                    out.push_str("\\.");
                    i += 1;
                }
            }
            c => out.push(c),
        }
        line_start = false;
    }
    out
}

fn starts_mass_mention(after_at: &str) -> bool {
    ["everyone", "here"].into_iter().any(|w| {
        after_at
            .get(..w.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(w))
    })
}

fn push_neutralising_mentions(out: &mut String, s: &str) {
    for (i, c) in s.char_indices() {
        out.push(c);
        if c == '@' && starts_mass_mention(&s[i + 1..]) {
            out.push(ZWSP);
        }
    }
}

/// `text` for inside an inline code span (between backticks), where Markdown is not read and
/// backslashes show: only a backtick could end the span early, so backticks become the
/// lookalike `ˋ` (U+02CB), and line breaks spaces.
pub fn code(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '`' => 'ˋ',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
}

/// What Discord shows for `markdown` when it only reads escapes: each backslash before ASCII
/// punctuation hides itself, and the zero-width spaces [`escape`] adds are dropped. The inverse of
/// [`escape`], for tests and for checking that text shows as typed.
pub fn shown(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut chars = markdown.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&n) if n.is_ascii_punctuation() => {
                    out.push(n);
                    chars.next();
                }
                _ => out.push('\\'),
            },
            ZWSP if out.ends_with('@') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_s_masked_link_shows_as_typed() {
        let typed = "[MCP Registry](https://evil.example/login)";
        let escaped = escape(typed);
        assert_eq!(escaped, r"\[MCP Registry\](https://evil.example/login)");
        assert_eq!(shown(&escaped), typed);
    }

    #[test]
    fn headings_lists_quotes_and_code_are_escaped() {
        assert_eq!(escape("# Big"), r"\# Big");
        assert_eq!(escape("ok\n## Big"), "ok\n\\## Big");
        assert_eq!(escape("-# small"), r"\-# small");
        assert_eq!(
            escape("- a\n+ b\n1. c\n  * d"),
            "\\- a\n\\+ b\n1\\. c\n  \\* d"
        );
        assert_eq!(escape("> quote"), r"\> quote");
        assert_eq!(escape("```rust\nx\n```"), "\\`\\`\\`rust\nx\n\\`\\`\\`");
        assert_eq!(
            escape("**bold** __u__ ~~s~~ ||spoiler||"),
            r"\*\*bold\*\* \_\_u\_\_ \~\~s\~\~ \|\|spoiler\|\|"
        );
    }

    #[test]
    fn mentions_cannot_form() {
        assert_eq!(
            escape("<@123> <@&456> <#789> <t:1:R>"),
            r"\<@123\> \<@&456\> \<#789\> \<t:1:R\>"
        );
        assert_eq!(
            escape("hi @everyone and @Here"),
            "hi @\u{200B}everyone and @\u{200B}Here"
        );
        assert_eq!(escape("mail me@example.com"), "mail me@example.com");
    }

    #[test]
    fn hyphens_hashes_and_numbers_inside_a_line_stay_as_they_are() {
        assert_eq!(
            escape("2026-11-02, SEP-1234 v2.0, org/repo#7 (C#)"),
            "2026-11-02, SEP-1234 v2.0, org/repo#7 (C#)"
        );
    }

    #[test]
    fn web_addresses_keep_their_underscores() {
        let typed = "see https://example.com/a_b_c?x=1#frag_2 and more_stuff";
        assert_eq!(
            escape(typed),
            r"see https://example.com/a_b_c?x=1#frag_2 and more\_stuff"
        );
        // An address holding Markdown is shown, not linked: Discord would link it whole.
        assert_eq!(
            escape("https://x.y/[a](https://evil)"),
            r"https\://x.y/\[a\](https://evil)"
        );
        assert_eq!(escape("https://[<@123>"), r"https\://\[\<@123\>");
        assert_eq!(
            escape("xhttps://a_b"),
            "xhttps://a_b",
            "Discord links it after a letter too"
        );
        assert_eq!(
            escape("HTTPS://a_b"),
            r"HTTPS://a\_b",
            "Discord links lower case only"
        );
    }

    #[test]
    fn what_is_shown_is_what_was_typed() {
        for typed in [
            "",
            "plain words",
            "\\ backslash \\* and \\\\",
            "C# and F#: (a) [b] <c> `d` *e* _f_ ~g~ |h|",
            "@everyone @here @someone",
            "\n- \n1. \n> \n# ",
            "https://a.b/_x_ https://c.d/(e)",
        ] {
            assert_eq!(shown(&escape(typed)), typed, "{typed:?}");
        }
    }

    #[test]
    fn composite_messages_keep_govbot_s_code_and_mention_members() {
        let m = composite(
            "WG '[x](https://e.vil)' is proposed; only member 12 can run `/group withdraw 3`",
        );
        assert_eq!(
            m.as_str(),
            r"WG '\[x\](https://e.vil)' is proposed; only <@12> can run `/group withdraw 3`"
        );
        // An unclosed or multi-line backtick is escaped like any other.
        assert_eq!(composite("a ` b\nc` d").as_str(), "a \\` b\nc\\` d");
        assert_eq!(composite("``x``").as_str(), r"\`\`x\`\`");
    }

    #[test]
    fn code_spans_lose_only_their_backticks() {
        assert_eq!(code("a`b\nc_d"), "aˋb c_d");
    }
}
