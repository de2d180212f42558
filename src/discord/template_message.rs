//! Reading a creation template from a message, the way people write them in
//! `#wg-ig-group-creation`.
//!
//! The first line names the kind and the group (`IG: Security in MCP`, `## WG - Registry`,
//! `**Working Group: Tool Filtering**`); the fields follow as labelled lines or bullets, with the
//! answer on the same line or on the lines below. Case, bold, bullets, headings and blank lines
//! are tolerated; facilitators and maintainers are @mentions. A message whose first line names no
//! kind is ordinary chat and yields `None`.
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

/// The draft in `text`, or `None` when the message is not a template at all.
pub fn parse(text: &str) -> Option<TemplateDraft> {
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
        let before = l;
        l = l.trim_start_matches('#').trim_start();
        for bullet in ["- ", "* ", "• ", "> "] {
            if let Some(rest) = l.strip_prefix(bullet) {
                l = rest.trim_start();
            }
        }
        if l == before {
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

/// Discord user mentions in `text`: `<@123>` and the older `<@!123>`.
pub fn mentions(text: &str) -> Vec<MemberId> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        rest = &rest[start + 2..];
        let body = rest.strip_prefix('!').unwrap_or(rest);
        if let Some(end) = body.find('>') {
            if let Ok(id) = body[..end].parse::<u64>() {
                let id = MemberId(id);
                if !out.contains(&id) {
                    out.push(id);
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
    fn garbage_after_a_header_is_an_invalid_template_not_a_panic() {
        let garbage: String = "ä<@:\u{0}#*-".repeat(1500);
        let d = parse(&format!("IG: x\n{garbage}")).unwrap();
        assert!(d.validate().is_err());
    }
}
