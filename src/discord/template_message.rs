//! Reading a creation template from a message, the way people write them in
//! `#wg-ig-group-creation`.
//!
//! The first line names the kind and the group (`IG: Security in MCP`, `## WG - Registry`,
//! `**Working Group: Tool Filtering**`); the fields follow as labelled lines or bullets, with the
//! answer on the same line or on the lines below. Case, bold, bullets, headings and blank lines
//! are tolerated; facilitators and maintainers are @mentions. A message whose first line names no
//! kind is ordinary chat and yields `None`.
//!
//! A message longer than [`MAX_MESSAGE_CHARS`] is not parsed at all: [`read`] counts its length
//! first and only looks at its first line, to tell a template that is too long from chat. Every
//! step is linear in the message's length.
//!
//! ```
//! use govbot::discord::template_message::parse;
//! use govbot::governance::{GroupKind, MemberId};
//!
//! let draft = parse("WG: Registry\n- **Facilitators**: <@42>\n- Use cases: finding servers\n- First SEP: SEP-7").unwrap();
//! assert_eq!(draft.kind, GroupKind::Wg);
//! assert_eq!(draft.name.as_deref(), Some("Registry"));
//! assert_eq!(draft.facilitators, [MemberId(42)]);
//! ```

use crate::governance::{Field, GroupKind, MemberId, TemplateDraft};

/// Messages longer than this are not templates (Discord's own limit is 4,000 for Nitro users);
/// they are answered as an invalid template rather than parsed.
pub const MAX_MESSAGE_CHARS: usize = 6000;

/// What a message in the creation channel is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Ordinary chat: its first line names no kind of group.
    Chat,
    /// A template of this kind, longer than [`MAX_MESSAGE_CHARS`]: refused without being parsed.
    TooLong(GroupKind),
    Template(TemplateDraft),
}

/// Reads a message: its length is checked before anything else, and a message over
/// [`MAX_MESSAGE_CHARS`] is only looked at up to its first line's first characters.
pub fn read(text: &str) -> Reading {
    if text.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        // A header is short: a first line too long to hold one, or none, makes it chat.
        let first = text
            .lines()
            .map(|l| l.trim())
            .find(|l| !l.is_empty())
            .unwrap_or_default();
        let head: String = first.chars().take(MAX_HEADER_CHARS).collect();
        return match header(&strip_decoration(&head)) {
            Some((kind, _)) => Reading::TooLong(kind),
            None => Reading::Chat,
        };
    }
    match parse_unchecked(text) {
        Some(draft) => Reading::Template(draft),
        None => Reading::Chat,
    }
}

/// How much of an overlong message's first line is read to find its kind: a header's words and a
/// name of [`crate::governance::MAX_NAME_CHARS`], with room for decoration.
const MAX_HEADER_CHARS: usize = 200;

/// The draft in `text`, or `None` when the message is not a template at all, or is one longer than
/// [`MAX_MESSAGE_CHARS`] (see [`read`], which tells the two apart).
pub fn parse(text: &str) -> Option<TemplateDraft> {
    match read(text) {
        Reading::Template(draft) => Some(draft),
        Reading::Chat | Reading::TooLong(_) => None,
    }
}

fn parse_unchecked(text: &str) -> Option<TemplateDraft> {
    let mut lines = text.lines().map(strip_decoration).filter(|l| !l.is_empty());
    let (kind, name) = header(&lines.next()?)?;
    let mut draft = TemplateDraft::new(kind);
    if !name.is_empty() {
        draft.name = Some(name);
    }
    let mut current: Option<(Field, String)> = None;
    for line in lines {
        match labelled(&line, kind) {
            Some((field, rest)) => {
                if let Some((f, value)) = current.take() {
                    store(&mut draft, f, &value);
                }
                current = Some((field, rest));
            }
            None => {
                if let Some((_, value)) = current.as_mut() {
                    if !value.is_empty() {
                        value.push('\n');
                    }
                    value.push_str(&line);
                }
            }
        }
    }
    if let Some((f, value)) = current {
        store(&mut draft, f, &value);
    }
    Some(draft)
}

fn store(draft: &mut TemplateDraft, field: Field, value: &str) {
    let value = value.trim();
    match field {
        Field::Name => {
            if !value.is_empty() {
                draft.name = Some(value.to_string());
            }
        }
        Field::Facilitators => draft.facilitators.extend(mentions(value)),
        Field::Maintainers => draft.maintainers.extend(mentions(value)),
        _ => {
            if !value.is_empty() {
                draft.texts.insert(field, value.to_string());
            }
        }
    }
}

/// Drops Markdown decoration that does not change meaning: headings, bullets, bold, italics.
fn strip_decoration(line: &str) -> String {
    let mut l = line.trim();
    loop {
        // Compared by length, not content: each round only ever shortens the line from the front.
        let before = l.len();
        l = l.trim_start_matches('#').trim_start();
        for bullet in ["- ", "* ", "• ", "> "] {
            if let Some(rest) = l.strip_prefix(bullet) {
                l = rest.trim_start();
            }
        }
        if l.len() == before {
            break;
        }
    }
    l.replace("**", "").replace("__", "").trim().to_string()
}

/// `IG: name`, `WG - name`, `Interest Group: name`, `Working Group Proposal: name`, or a lone `IG`.
fn header(line: &str) -> Option<(GroupKind, String)> {
    let (kind, rest) = [
        ("interest group", GroupKind::Ig),
        ("working group", GroupKind::Wg),
        ("ig", GroupKind::Ig),
        ("wg", GroupKind::Wg),
    ]
    .into_iter()
    .find_map(|(word, kind)| strip_word(line, word).map(|rest| (kind, rest)))?;
    let rest = ["proposal", "creation", "template"]
        .into_iter()
        .find_map(|w| strip_word(rest, w))
        .unwrap_or(rest);
    let Some(sep) = rest.chars().next() else {
        return Some((kind, String::new()));
    };
    if !matches!(sep, ':' | '-' | '–' | '—') {
        return None;
    }
    Some((kind, rest[sep.len_utf8()..].trim().to_string()))
}

/// `text` after a leading ASCII `word` in any case, trimmed; byte-safe for any input.
fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let head = text.get(..word.len())?;
    head.eq_ignore_ascii_case(word)
        .then(|| text[word.len()..].trim_start())
}

/// A line that starts with a field's label followed by `:`; the label is matched by its key words
/// so that "Facilitator(s)", "Facilitators" and "facilitator" all work.
fn labelled(line: &str, kind: GroupKind) -> Option<(Field, String)> {
    let (label, rest) = line.split_once(':')?;
    let label = label.to_lowercase();
    if label.chars().count() > 80 || label.contains("http") {
        return None;
    }
    let field = field_for(&label)?;
    kind.fields()
        .contains(&field)
        .then(|| (field, rest.trim().to_string()))
}

fn field_for(label: &str) -> Option<Field> {
    let has = |w: &str| label.contains(w);
    let words: Vec<&str> = label
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let word = |w: &str| words.contains(&w);
    // Most specific first: "How this IG differentiates itself from the related IGs" mentions
    // related IGs, and the use-case label may mention an IG discussion.
    Some(if has("facilitator") {
        Field::Facilitators
    } else if has("maintainer") {
        Field::Maintainers
    } else if has("differ") {
        Field::Differentiation
    } else if has("similar") || has("related ig") {
        Field::SimilarGroups
    } else if has("topic") {
        Field::FirstTopic
    } else if has("use case") || has("interest") || has("explanation") {
        Field::UseCases
    } else if word("issue") || word("pr") || word("sep") || word("prs") || word("issues") {
        Field::FirstItem
    } else if words == ["name"] || has("group name") {
        Field::Name
    } else {
        return None;
    })
}

/// Discord user mentions in `text`, in order and without repeats: `<@123>` and the older
/// `<@!123>`. One pass: after each `<@`, only the digits that follow are read (a mention has
/// nothing else before its `>`), so a text full of `<@` without a `>` costs no more than any other.
pub fn mentions(text: &str) -> Vec<MemberId> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let body = rest.strip_prefix('!').unwrap_or(rest);
        let digits = body.bytes().take_while(u8::is_ascii_digit).count();
        if body[digits..].starts_with('>') {
            if let Ok(id) = body[..digits].parse::<u64>() {
                if seen.insert(id) {
                    out.push(MemberId(id));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_is_not_a_template() {
        for text in [
            "hello everyone!",
            "is there an IG for security?",
            "",
            "   \n\n",
            "wgmi",
            "Igloo: cold",
            "Wor\u{212A}ing group: Kelvin",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn headers_people_write() {
        let cases = [
            ("IG: Security in MCP", GroupKind::Ig, "Security in MCP"),
            ("## WG - Registry", GroupKind::Wg, "Registry"),
            (
                "**Working Group: Tool Filtering**",
                GroupKind::Wg,
                "Tool Filtering",
            ),
            (
                "Interest Group Proposal: Auth in MCP",
                GroupKind::Ig,
                "Auth in MCP",
            ),
            ("wg — Server Identity", GroupKind::Wg, "Server Identity"),
        ];
        for (text, kind, name) in cases {
            let d = parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!((d.kind, d.name.as_deref()), (kind, Some(name)), "{text}");
        }
    }

    #[test]
    fn a_full_ig_template_with_bullets_bold_and_multiline_answers() {
        let text = "# IG: Security in MCP\n\n\
            - **Facilitator(s):** <@11> and <@!12>\n\
            - **Maintainer(s) (optional):** none\n\
            - IGs with potentially similar goals/discussions:\n  Auth in MCP\n  Enterprise\n\
            - How this IG differentiates itself from the related IGs: threat models, not login\n\
            * First topic you to discuss within the IG: prompt injection";
        let d = parse(text).unwrap();
        assert_eq!(d.facilitators, [MemberId(11), MemberId(12)]);
        assert!(d.maintainers.is_empty());
        assert_eq!(d.texts[&Field::SimilarGroups], "Auth in MCP\nEnterprise");
        assert_eq!(d.texts[&Field::FirstTopic], "prompt injection");
        let t = d.validate().unwrap();
        assert_eq!(t.name, "Security in MCP");
    }

    #[test]
    fn a_wg_template_names_its_missing_fields() {
        let d = parse("WG: Registry\nFacilitators: <@5>").unwrap();
        let err = d.validate().unwrap_err().to_string();
        assert!(
            err.contains("Explanation of interest/use cases is missing"),
            "{err}"
        );
        assert!(
            err.contains("First Issue/PR/SEP that the WG will work on is missing"),
            "{err}"
        );
    }

    #[test]
    fn the_name_can_come_as_a_field() {
        let d = parse("WG\nName: Inspector\nFacilitators: <@5>").unwrap();
        assert_eq!(d.name.as_deref(), Some("Inspector"));
    }

    #[test]
    fn mentions_are_read_in_order_once_each() {
        assert_eq!(
            mentions("<@1> and <@!2>, <@1> again, <@3 no, <@> <@x> <@45>"),
            [MemberId(1), MemberId(2), MemberId(45)]
        );
        assert_eq!(mentions("<@99999999999999999999999>"), []);
    }

    #[test]
    fn a_message_over_the_limit_is_too_long_without_being_parsed() {
        let long = format!(
            "## WG: Registry\nFacilitators: <@1>\n{}",
            "x".repeat(MAX_MESSAGE_CHARS)
        );
        assert_eq!(read(&long), Reading::TooLong(GroupKind::Wg));
        assert_eq!(parse(&long), None);
        assert_eq!(read(&"chat ".repeat(2000)), Reading::Chat);
        // The first line is read only as far as a header could reach.
        assert_eq!(read(&"IG".repeat(MAX_MESSAGE_CHARS)), Reading::Chat);
        let exact = format!("IG: x\n{}", "y".repeat(MAX_MESSAGE_CHARS - 6));
        assert_eq!(exact.chars().count(), MAX_MESSAGE_CHARS);
        assert!(matches!(read(&exact), Reading::Template(_)));
    }

    #[test]
    fn garbage_after_a_header_is_an_invalid_template_not_a_panic() {
        let garbage: String = "ä<@:\u{0}#*-".repeat(600);
        let d = parse(&format!("IG: x\n{garbage}")).unwrap();
        assert!(d.validate().is_err());
        let more: String = "ä<@:\u{0}#*-".repeat(1500);
        assert_eq!(
            read(&format!("IG: x\n{more}")),
            Reading::TooLong(GroupKind::Ig)
        );
    }
}
