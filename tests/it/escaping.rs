//! What people typed, rendered into govbot's messages, shows as typed and forms no Markdown: no
//! masked link, heading, mention or code (src/discord/markdown.rs, applied to every template value
//! by src/discord/render.rs). Properties over random text made mostly of Markdown's characters.

use crate::common::t0;
use govbot::discord::markdown::{self, Markdown};
use govbot::discord::messages::render::Rendered;
use govbot::discord::messages::views::{self, CardSource};
use govbot::discord::messages::{notices, views::Overlap};
use govbot::governance::*;
use govbot::store::{GroupId, NameMatch, StoredEvent, StoredGroup};
use proptest::prelude::*;

/// The Markdown Discord would read in `text`, in order: masked links, mentions and tags, mass
/// mentions, headings, subtext, quotes and lists at the start of a line, `__`, `~~` and `||`
/// pairs, and inline code. Backslash escapes are honoured; a code span hides what is inside it, and
/// a web address is one link up to the next space or `<`, as Discord's autolinking reads it.
/// Bold (`**`) is left out: the templates' own labels are bold, and [`escape`] escapes every `*`.
fn constructs(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    let mut line_start = true;
    let mut open_bracket = false;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\\' && next.is_some_and(|n| n.is_ascii_punctuation()) {
            i += 2;
            line_start = false;
            continue;
        }
        if let Some(len) = autolink_len(&chars[i..]) {
            i += len;
            line_start = false;
            continue;
        }
        if c == '`' {
            // A code span: a run of backticks closed by a run of the same length.
            let run = chars[i..].iter().take_while(|c| **c == '`').count();
            let mut j = i + run;
            let mut closed = None;
            while j < chars.len() {
                let r = chars[j..].iter().take_while(|c| **c == '`').count();
                if r == run {
                    closed = Some(j + r);
                    break;
                }
                j += r.max(1);
            }
            match closed {
                Some(end) => {
                    found.push("code".to_string());
                    i = end;
                }
                None => i += run,
            }
            line_start = false;
            continue;
        }
        match c {
            '\n' => {
                line_start = true;
                open_bracket = false;
                i += 1;
                continue;
            }
            ' ' if line_start => {
                i += 1;
                continue;
            }
            '[' => open_bracket = true,
            ']' if open_bracket && next == Some('(') => found.push("link".into()),
            '<' if matches!(next, Some('@' | '#' | ':' | 'a' | 't' | '/')) => {
                let tag: String = chars[i..]
                    .iter()
                    .take_while(|c| **c != '>')
                    .take(40)
                    .collect();
                found.push(format!("mention {tag}>"));
            }
            '@' => {
                let after: String = chars[i + 1..].iter().take(8).collect();
                if after.starts_with("everyone") || after.starts_with("here") {
                    found.push("mass mention".into());
                }
            }
            '#' | '>' | '-' | '+' | '*' if line_start => {
                let n = next.unwrap_or(' ');
                if n == ' '
                    || (c == '#' && n == '#')
                    || (c == '-' && n == '#')
                    || (c == '>' && n == '>')
                {
                    found.push(format!("line starting {c}{n}"));
                }
            }
            '_' | '~' | '|' if next == Some(c) => {
                found.push(format!("{c}{c}"));
                i += 2;
                line_start = false;
                continue;
            }
            _ => {}
        }
        line_start = false;
        i += 1;
    }
    found
}

/// The length of the web address Discord links at the start of `chars`, whatever it holds: its
/// rule is `https?://[^\s<]+[^<.,:;"')\]\s]`.
fn autolink_len(chars: &[char]) -> Option<usize> {
    let head: String = chars.iter().take(8).collect();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| head.starts_with(s))?
        .len();
    let run = chars[scheme..]
        .iter()
        .take_while(|c| !c.is_whitespace() && **c != '<')
        .count();
    // Backtrack to a last character the rule accepts; at least two characters after the scheme.
    let mut end = run;
    while end > 0 && ".,:;\"')]".contains(chars[scheme + end - 1]) {
        end -= 1;
    }
    (end >= 2).then_some(scheme + end)
}

/// What `typed` added to a message: the constructs of `with` (rendered with what a person typed)
/// that `without` (the same message rendered with neutral text in its place) does not have.
fn added(with: &Rendered, without: &Rendered) -> Vec<String> {
    let parts = |r: &Rendered| {
        let mut all = constructs(r.title.as_deref().unwrap_or_default());
        all.extend(constructs(&r.body));
        all
    };
    let mut extra = parts(with);
    for c in parts(without) {
        if let Some(at) = extra.iter().position(|e| *e == c) {
            extra.remove(at);
        }
    }
    extra
}

fn same(with: &Rendered, without: &Rendered) -> Result<(), TestCaseError> {
    let extra = added(with, without);
    prop_assert!(
        extra.is_empty(),
        "the typed text formed {:?} in:\n{}",
        extra,
        with.text()
    );
    Ok(())
}

/// No masked link, and no Markdown but inline code (which can hold nothing else), in a message
/// where govbot's words and what people typed are mixed ([`markdown::composite`]).
fn no_link(with: &Rendered, without: &Rendered) -> Result<(), TestCaseError> {
    let extra: Vec<String> = added(with, without)
        .into_iter()
        .filter(|c| c != "code")
        .collect();
    prop_assert!(extra.is_empty(), "formed {:?} in:\n{}", extra, with.text());
    Ok(())
}

/// Text made mostly of what Markdown and Discord read, with letters, spaces and line breaks.
fn hostile(max: usize) -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "@",
        "#",
        "*",
        "_",
        "~",
        "`",
        "|",
        "\\",
        ":",
        "/",
        ".",
        "-",
        "+",
        "!",
        "&",
        "1",
        "a",
        "Z",
        " ",
        " ",
        "\n",
        "https://",
        "evil.example/x_y",
        "everyone",
        "here",
        "<@123>",
        "<@&456>",
        "<#789>",
        "<t:1:R>",
        "[MCP Registry](",
        "```",
        "# ",
        "-# ",
        "> ",
        "||",
        "**",
        "é",
        "安",
    ]);
    prop::collection::vec(pieces, 0..max).prop_map(|v| v.concat())
}

fn template_with(name: &str, answer: &str) -> Option<Template> {
    TemplateDraft::new(GroupKind::Ig)
        .name(name)
        .facilitator(MemberId(1001))
        .field(Field::SimilarGroups, answer)
        .field(Field::Differentiation, answer)
        .field(Field::FirstTopic, answer)
        .validate()
        .ok()
}

fn group_of(template: Template) -> Group {
    let alice = Actor::member(MemberId(1001), []);
    let events = decide(
        None,
        &Ballots::NONE,
        &Command::Propose { template },
        &Acting::new(&alice, t0(), &Policy::default()),
    )
    .unwrap();
    replay(&events).unwrap()
}

/// Every message that shows `text` (purposes and answers, a veto's reason, a status, the history,
/// a refusal echoing it), rendered once with it and once with neutral words in its place.
fn render_all(text: &str) -> Vec<(String, Rendered)> {
    let mut out = Vec::new();
    if let Some(t) = template_with("Registry", text) {
        let g = group_of(t);
        out.push((
            "card".to_string(),
            views::card(GroupId(12), &g, Vec::new(), false, CardSource::Message).unwrap(),
        ));
        out.push((
            "announcement".into(),
            views::announcement(GroupId(12), &g, Vec::new(), None, "72h".into()).unwrap(),
        ));
        out.push((
            "opening".into(),
            notices::group_opening(GroupId(12), &g).unwrap(),
        ));
    }
    let g = group_of(template_with("Registry", "plain").unwrap());
    let facts = notices::VetoFacts {
        actor: MemberId(4001),
        reason: text,
        lifted: false,
        reversed: false,
        restored: false,
        vote_cancelled: false,
    };
    out.push((
        "veto".into(),
        notices::veto_notice(GroupId(12), &g, facts).unwrap(),
    ));
    let event = Event {
        at: t0(),
        actor: Actor::member(MemberId(1001), []),
        reason: Some(text.to_string()),
        policy: Policy::default(),
        kind: EventKind::StatusPosted {
            text: text.to_string(),
        },
    };
    out.push((
        "status".into(),
        notices::status_posted(&g, &event, text).unwrap(),
    ));
    let stored = StoredEvent {
        group_id: GroupId(12),
        seq: 2,
        trigger: None,
        event,
    };
    let moderator = Actor::member(MemberId(9), [Role::Moderator]);
    out.push((
        "history".into(),
        notices::history(GroupId(12), &g, &[stored], &moderator, 1).unwrap(),
    ));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_user_text_rendered_contains_no_unescaped_markdown_link(text in hostile(40)) {
        let neutral: std::collections::HashMap<String, Rendered> =
            render_all("plain words").into_iter().collect();
        for (what, r) in render_all(&text) {
            same(&r, &neutral[&what])?;
            prop_assert!(!added(&r, &neutral[&what]).contains(&"link".to_string()), "{}", what);
        }
        // A refusal echoing what was typed: govbot's words and the person's in one message.
        let refusal = |t: &str| views::error(&format!("'{t}' is not a date"), None).unwrap();
        no_link(&refusal(&text), &refusal("plain words"))?;
        // The status shows as typed.
        let g = group_of(template_with("Registry", "plain").unwrap());
        let event = Event {
            at: t0(),
            actor: Actor::member(MemberId(1001), []),
            reason: None,
            policy: Policy::default(),
            kind: EventKind::StatusPosted { text: text.clone() },
        };
        let status = notices::status_posted(&g, &event, &text).unwrap();
        prop_assert!(
            markdown::shown(&status.body).contains(text.trim()),
            "the status shows as typed: {:?}", status.body
        );
    }

    #[test]
    fn any_valid_name_rendered_contains_no_unescaped_markdown_link(
        name in "[a-zA-Z][a-zA-Z \\[\\]()<>@#*_~`|\\\\:/.!-]{1,40}",
    ) {
        if template_with(&name, "plain").is_none() {
            return Ok(());
        }
        let messages = |name: &str| -> Vec<Rendered> {
            let g = group_of(template_with(name, "plain").unwrap());
            let stored = StoredGroup { id: GroupId(3), version: 1, group: g.clone() };
            let similar = NameMatch {
                id: stored.id,
                kind: g.kind,
                name: g.name.clone(),
                state: g.state,
            };
            let overlap = || vec![Overlap::of(&similar)];
            vec![
                views::card(GroupId(12), &g, overlap(), false, CardSource::Form).unwrap(),
                views::announcement(GroupId(12), &g, overlap(), None, "72h".into()).unwrap(),
                views::list(std::slice::from_ref(&stored), None).unwrap(),
                views::info(&stored, &Ballots::NONE, &Actor::System).unwrap(),
                notices::group_announced(&g, 5555).unwrap(),
                notices::done(Markdown::trusted(format!(
                    "Proposal #3 ('{}') is withdrawn.",
                    markdown::escape(&g.name)
                )))
                .unwrap(),
            ]
        };
        for (with, without) in messages(&name).iter().zip(messages("Plain Name").iter()) {
            same(with, without)?;
        }
    }

    #[test]
    fn escaped_text_shows_exactly_as_typed_and_forms_nothing(text in hostile(60)) {
        let escaped = markdown::escape(&text);
        prop_assert_eq!(markdown::shown(&escaped), text.clone());
        prop_assert_eq!(constructs(&escaped), Vec::<String>::new());
    }
}

#[test]
fn the_issue_s_purpose_is_posted_as_typed_not_as_a_link() {
    let purpose = "[MCP Registry](https://evil.example/login)";
    let g = group_of(template_with("Registry", purpose).unwrap());
    let card = views::card(GroupId(12), &g, Vec::new(), false, CardSource::Message).unwrap();
    assert!(
        card.body
            .contains(r"\[MCP Registry\](https://evil.example/login)"),
        "{}",
        card.body
    );
    assert!(markdown::shown(&card.body).contains(purpose));
    assert!(!constructs(&card.body).contains(&"link".to_string()));
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    for (markdown, found) in [
        ("see [x](https://e)", "link"),
        ("# big", "line starting # "),
        ("ok\n> quote", "line starting > "),
        ("hi <@12>", "mention <@12>"),
        ("@everyone", "mass mention"),
        ("`code`", "code"),
        ("__u__", "__"),
    ] {
        assert!(
            constructs(markdown).contains(&found.to_string()),
            "{markdown}: {:?}",
            constructs(markdown)
        );
    }
    for plain in [
        r"see \[x\](https://e)",
        "https://x.y/[a](https://evil) is one address, as Discord reads it",
        "a - b",
        "**Label:** text",
        "@\u{200B}everyone",
        r"\<@12\>",
    ] {
        assert_eq!(constructs(plain), Vec::<String>::new(), "{plain}");
    }
}
