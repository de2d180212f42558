//! Creation templates: fields, validation, every problem at once.

use super::*;

#[test]
fn ig_template_happy_path() {
    let t = ig_draft().maintainer(STEER).validate().unwrap();
    assert_eq!(t.kind(), GroupKind::Ig);
    assert_eq!(t.name, "Security in MCP");
    assert_eq!(t.facilitators, vec![ALICE]);
    assert_eq!(t.maintainers, vec![STEER]);
    assert_eq!(
        t.details,
        Details::Ig {
            similar_groups: "Auth in MCP".into(),
            differentiation: "Threat models and hardening, not login flows".into(),
            first_topic: "Prompt injection through tool output".into(),
        }
    );
}

#[test]
fn wg_template_happy_path() {
    let t = wg_draft().validate().unwrap();
    assert_eq!(t.kind(), GroupKind::Wg);
    assert_eq!(t.name, "Registry");
    assert!(t.maintainers.is_empty(), "maintainers are optional");
    assert_eq!(
        t.details,
        Details::Wg {
            use_cases: "A public registry of MCP servers".into(),
            first_item: ItemRef::Sep(1234),
            more_items: Vec::new(),
            first_item_text: "SEP-1234: Registry API".into(),
        }
    );
}

/// Removes one field from a complete draft.
fn without(mut draft: TemplateDraft, field: Field) -> TemplateDraft {
    match field {
        Field::Name => draft.name = None,
        Field::Facilitators => draft.facilitators.clear(),
        Field::Maintainers => draft.maintainers.clear(),
        other => {
            draft.texts.remove(&other);
        }
    }
    draft
}

#[test]
fn each_missing_field_is_named() {
    for (draft, kind_name) in [
        (ig_draft(), "Interest Group"),
        (wg_draft(), "Working Group"),
    ] {
        for field in draft.kind.fields() {
            if *field == Field::Maintainers {
                assert!(without(draft.clone(), *field).validate().is_ok());
                continue;
            }
            let incomplete = without(draft.clone(), *field);
            let problems = problems_of(&incomplete);
            assert_eq!(problems.len(), 1, "{field:?}: {problems:?}");
            assert_eq!(problems[0].0, *field);
            assert!(problems[0].1.starts_with("is missing"), "{problems:?}");
            let text = refusal_text(&incomplete);
            assert!(
                text.starts_with(&format!("the {kind_name} template has 1 problem:")),
                "{text}"
            );
            assert!(
                text.contains(&format!("- {} is missing", field.label())),
                "{text}"
            );
        }
    }
}

#[test]
fn a_blank_field_counts_as_missing() {
    let draft = ig_draft().field(Field::FirstTopic, "  \n\t ").name("   ");
    let problems = problems_of(&draft);
    let fields: Vec<_> = problems.iter().map(|p| p.0).collect();
    assert_eq!(fields, [Field::Name, Field::FirstTopic], "{problems:?}");
    let text = refusal_text(&draft);
    assert!(
        text.contains("- First topic to discuss within the IG is missing"),
        "{text}"
    );
}

#[test]
fn all_problems_reported_at_once() {
    let text = refusal_text(&TemplateDraft::new(GroupKind::Ig));
    assert_eq!(
        text,
        "the Interest Group template has 5 problems:\n\
         - Name is missing\n\
         - Facilitator(s) is missing; mention at least one person, e.g. @alice\n\
         - IGs with potentially similar goals/discussions is missing\n\
         - How this IG differentiates itself from the related IGs is missing\n\
         - First topic to discuss within the IG is missing"
    );
    let text = refusal_text(&TemplateDraft::new(GroupKind::Wg));
    assert_eq!(
        text,
        "the Working Group template has 4 problems:\n\
         - Name is missing\n\
         - Facilitator(s) is missing; mention at least one person, e.g. @alice\n\
         - Explanation of interest/use cases is missing\n\
         - First Issue/PR/SEP that the WG will work on is missing"
    );
    // Problems of different kinds in one draft are reported together too.
    let draft = wg_draft()
        .name("x".repeat(81))
        .facilitator(ALICE)
        .field(Field::FirstItem, "soon")
        .field(Field::FirstTopic, "not a WG field");
    let fields: Vec<_> = problems_of(&draft).into_iter().map(|p| p.0).collect();
    assert_eq!(
        fields,
        [
            Field::Name,
            Field::Facilitators,
            Field::FirstTopic,
            Field::FirstItem
        ]
    );
}

#[test]
fn no_facilitator_refused() {
    let mut draft = wg_draft();
    draft.facilitators.clear();
    let draft = draft.maintainer(STEER);
    assert_eq!(
        problems_of(&draft),
        [(
            Field::Facilitators,
            "is missing; mention at least one person, e.g. @alice".to_string()
        )]
    );
}

#[test]
fn too_many_facilitators_refused() {
    let mut draft = wg_draft();
    draft.facilitators = (100..111).map(MemberId).collect();
    let text = refusal_text(&draft);
    assert!(
        text.contains("- Facilitator(s) lists 11 people; name at most 10"),
        "{text}"
    );
    draft.facilitators.pop();
    assert!(draft.validate().is_ok());
}

#[test]
fn too_long_name_refused() {
    let text = refusal_text(&wg_draft().name("n".repeat(81)));
    assert!(
        text.contains("- Name is 81 characters long; keep it to 80 or fewer"),
        "{text}"
    );
    assert!(wg_draft().name("n".repeat(80)).validate().is_ok());
    // Characters, not bytes: 80 accented letters are 160 bytes.
    assert!(wg_draft().name("é".repeat(80)).validate().is_ok());
}

#[test]
fn too_short_or_symbol_only_name_refused() {
    let text = refusal_text(&wg_draft().name("R"));
    assert!(
        text.contains("- Name is too short; use at least 2 characters"),
        "{text}"
    );
    let text = refusal_text(&wg_draft().name("!!!"));
    assert!(
        text.contains("- Name needs at least one letter or digit"),
        "{text}"
    );
}

#[test]
fn name_whitespace_is_normalized() {
    let t = wg_draft()
        .name("  Tool \n  Filtering  ")
        .validate()
        .unwrap();
    assert_eq!(t.name, "Tool Filtering");
}

#[test]
fn too_long_text_refused() {
    let text = refusal_text(&ig_draft().field(Field::Differentiation, "d".repeat(1025)));
    assert!(
        text.contains(
            "- How this IG differentiates itself from the related IGs is 1025 characters long; \
             keep it to 1024 or fewer (link to a document for more)"
        ),
        "{text}"
    );
    assert!(ig_draft()
        .field(Field::Differentiation, "d".repeat(1024))
        .validate()
        .is_ok());
}

/// 10 KB of deterministic garbage: every kind of character, control characters included.
fn garbage() -> String {
    let s: String = (0u32..20_000)
        .filter_map(|i| char::from_u32(i.wrapping_mul(2_654_435_761) % 0x11_0000))
        .take(10 * 1024)
        .collect();
    assert_eq!(s.chars().count(), 10 * 1024);
    s
}

#[test]
fn ten_kb_of_garbage_in_a_field_is_refused_briefly() {
    for field in [Field::FirstTopic, Field::SimilarGroups] {
        let draft = ig_draft().field(field, garbage());
        let problems = problems_of(&draft);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].0, field);
        let text = refusal_text(&draft);
        assert!(text.contains(field.label()), "{text}");
        assert!(text.contains("characters long"), "{text}");
        assert!(text.len() < 400, "the refusal must not echo the garbage");
    }
    let draft = ig_draft().name(garbage());
    let text = refusal_text(&draft);
    assert!(text.contains("- Name "), "{text}");
    assert!(text.len() < 400, "the refusal must not echo the garbage");
}

#[test]
fn control_characters_in_a_text_are_refused_but_newlines_are_fine() {
    let text = refusal_text(&ig_draft().field(Field::FirstTopic, "Topic\u{0007} bell"));
    assert!(
        text.contains(
            "- First topic to discuss within the IG contains invisible or control characters; type it as plain text"
        ),
        "{text}"
    );
    assert!(ig_draft()
        .field(Field::FirstTopic, "Line one\nLine two\twith a tab")
        .validate()
        .is_ok());
}

#[test]
fn zero_width_space_in_name_refused() {
    let text = refusal_text(&wg_draft().name("Reg\u{200B}istry"));
    assert!(
        text.contains(
            "- Name contains invisible or control characters (U+200B); type it as plain text"
        ),
        "{text}"
    );
}

#[test]
fn rtl_override_in_name_refused() {
    for name in ["\u{202E}yrtsigeR", "Registry\u{2066}", "\u{FEFF}Registry"] {
        let problems = problems_of(&wg_draft().name(name));
        assert_eq!(problems.len(), 1, "{name:?}");
        assert_eq!(problems[0].0, Field::Name);
        assert!(problems[0].1.contains("invisible or control characters"));
    }
}

#[test]
fn ordinary_non_ascii_name_accepted() {
    let t = ig_draft().name("Sécurité 安全").validate().unwrap();
    assert_eq!(t.name, "Sécurité 安全");
    let t = ig_draft().name("MCP für Ärzte — Ω").validate().unwrap();
    assert_eq!(t.name, "MCP für Ärzte — Ω");
}

#[test]
fn duplicate_facilitator_refused() {
    let text = refusal_text(&wg_draft().facilitator(ALICE));
    assert_eq!(
        text,
        "the Working Group template has 1 problem:\n- Facilitator(s) lists member 1 twice"
    );
}

#[test]
fn duplicate_maintainer_refused() {
    let text = refusal_text(&wg_draft().maintainer(STEER).maintainer(STEER));
    assert!(
        text.contains("- Maintainer(s) (optional) lists member 41 twice"),
        "{text}"
    );
}

#[test]
fn person_both_facilitator_and_maintainer_refused() {
    let text = refusal_text(&wg_draft().maintainer(ALICE));
    assert_eq!(
        text,
        "the Working Group template has 1 problem:\n\
         - Maintainer(s) (optional) member 1 is listed as both facilitator and maintainer; keep one"
    );
}

#[test]
fn a_field_of_the_other_template_is_refused() {
    let text = refusal_text(&wg_draft().field(Field::FirstTopic, "Tasks"));
    assert!(
        text.contains(
            "- First topic to discuss within the IG is not part of the Working Group template"
        ),
        "{text}"
    );
    let text = refusal_text(&ig_draft().field(Field::FirstItem, "SEP-1"));
    assert!(
        text.contains("- First Issue/PR/SEP that the WG will work on is not part of the Interest Group template"),
        "{text}"
    );
}

#[test]
fn wg_first_item_must_name_a_url_or_sep() {
    let accepted = [
        ("SEP-1686: Tasks", ItemRef::Sep(1686)),
        ("sep-12", ItemRef::Sep(12)),
        (
            "https://github.com/modelcontextprotocol/registry/issues/12",
            ItemRef::Url("https://github.com/modelcontextprotocol/registry/issues/12".into()),
        ),
        (
            "Tracked in <https://github.com/org/repo/pull/3>.",
            ItemRef::Url("https://github.com/org/repo/pull/3".into()),
        ),
    ];
    for (text, want) in accepted {
        let t = wg_draft().field(Field::FirstItem, text).validate().unwrap();
        let Details::Wg {
            first_item,
            first_item_text,
            ..
        } = t.details
        else {
            panic!("a WG template");
        };
        assert_eq!(first_item, want, "{text}");
        assert_eq!(first_item_text, text.trim());
    }
    for text in [
        "we will write a SEP",
        "SEP-x",
        "ftp://example.com/spec",
        "https://",
    ] {
        let refusal = refusal_text(&wg_draft().field(Field::FirstItem, text));
        assert!(
            refusal.contains(
                "- First Issue/PR/SEP that the WG will work on names no Issue, PR or SEP; \
                 give its URL (https://github.com/…/issues/12), write SEP-123, or \
                 `manual: <link>` for something govbot cannot read"
            ),
            "{text}: {refusal}"
        );
    }
}

#[test]
fn template_errors_reach_people_through_the_governance_error() {
    let e = TemplateDraft::new(GroupKind::Wg).validate().unwrap_err();
    let wrapped = GovernanceError::from(e.clone());
    assert_eq!(wrapped.to_string(), e.to_string());
    assert!(wrapped.to_string().contains("Name is missing"));
}
