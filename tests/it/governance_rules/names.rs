//! Names that cannot pass for another (src/governance/names.rs): what a template's name may hold,
//! and the skeleton two names are compared by. Rules first, then properties over random names.

use super::*;
use proptest::prelude::*;

#[test]
fn a_tag_character_inside_a_name_is_refused_naming_it() {
    let problems = problems_of(&wg_draft().name("Reg\u{E0041}istry"));
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].0, Field::Name);
    assert_eq!(
        problems[0].1,
        "contains invisible or control characters (U+E0041); type it as plain text"
    );
}

#[test]
fn a_name_of_hangul_fillers_is_refused_as_blank() {
    let text = refusal_text(&wg_draft().name("\u{3164}\u{3164}"));
    assert!(
        text.contains(
            "- Name contains U+3164, a character that shows as blank; use visible letters and digits"
        ),
        "{text}"
    );
    let text = refusal_text(&wg_draft().name("Registry \u{2800}"));
    assert!(text.contains("U+2800"), "{text}");
}

#[test]
fn a_cyrillic_letter_inside_a_latin_word_is_refused_outright() {
    let text = refusal_text(&wg_draft().name("Reg\u{456}stry"));
    assert!(
        text.contains("- Name mixes Latin and Cyrillic letters in the word \"Reg\u{456}stry\""),
        "{text}"
    );
}

#[test]
fn latin_with_japanese_chinese_or_korean_in_one_word_is_fine() {
    for name in ["MCPサーバー", "MCP服务器", "MCP서버"] {
        assert!(wg_draft().name(name).validate().is_ok(), "{name}");
    }
}

#[test]
fn a_name_is_stored_in_nfkc() {
    let t = wg_draft().name("Ｒｅｇｉｓｔｒｙ").validate().unwrap();
    assert_eq!(t.name, "Registry");
}

#[test]
fn a_whole_word_of_lookalikes_has_the_skeleton_of_the_name_it_imitates() {
    // "Сору": Cyrillic С, о, р, у. Each word is of one script, so the name itself is valid; the
    // store then refuses it as the same name as "Copy" (tests/it/store.rs).
    let t = wg_draft()
        .name("\u{421}\u{43E}\u{440}\u{443}")
        .validate()
        .unwrap();
    assert_eq!(name_skeleton(&t.name), name_skeleton("Copy"));
    assert!(names_similar(&t.name, "copy"));
}

#[test]
fn text_answers_refuse_tag_characters_too() {
    // Tag characters carry hidden ASCII: text a reader cannot see but a program reads.
    let text = refusal_text(&ig_draft().field(Field::FirstTopic, "Threats\u{E0049}\u{E0047}"));
    assert!(text.contains("invisible or control characters"), "{text}");
    // An emoji with its variation selector is ordinary text.
    assert!(ig_draft()
        .field(Field::FirstTopic, "Security \u{2764}\u{FE0F}")
        .validate()
        .is_ok());
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Invisible characters that must never be accepted inside a name, and never change its skeleton.
const INVISIBLE: [char; 10] = [
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{202E}',
    '\u{2066}',
    '\u{FEFF}',
    '\u{E0041}',
    '\u{E007F}',
    '\u{00AD}',
];

/// Characters that draw nothing.
const BLANK_LOOKING: [char; 4] = ['\u{3164}', '\u{2800}', '\u{115F}', '\u{FFA0}'];

/// Latin letters and the Cyrillic letters that look the same.
const LOOKALIKES: [(char, char); 7] = [
    ('a', '\u{430}'),
    ('c', '\u{441}'),
    ('e', '\u{435}'),
    ('o', '\u{43E}'),
    ('p', '\u{440}'),
    ('x', '\u{445}'),
    ('y', '\u{443}'),
];

fn latin_name() -> impl Strategy<Value = String> {
    "[A-Za-z][a-z]{2,10}( [A-Za-z][a-z]{1,10}){0,3}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn plain_latin_names_are_valid_and_keep_their_letters(name in latin_name()) {
        prop_assert_eq!(name_problem(&name), None);
        prop_assert_eq!(normalize_name(&name), name.clone());
        prop_assert_eq!(name_skeleton(&name), name_skeleton(&name.to_uppercase()));
    }

    #[test]
    fn an_invisible_character_anywhere_is_refused_and_changes_no_skeleton(
        name in latin_name(),
        at in any::<prop::sample::Index>(),
        c in prop::sample::select(&INVISIBLE[..]),
    ) {
        let chars: Vec<char> = name.chars().collect();
        let i = at.index(chars.len() + 1);
        let mut sneaky: String = chars[..i].iter().collect();
        sneaky.push(c);
        sneaky.extend(&chars[i..]);
        let p = name_problem(&sneaky);
        prop_assert!(
            p.as_deref().is_some_and(|p| p.contains("invisible")),
            "{:?} gave {:?}", sneaky, p
        );
        prop_assert_eq!(name_skeleton(&sneaky), name_skeleton(&name));
    }

    #[test]
    fn one_cyrillic_lookalike_in_a_latin_word_is_refused_and_caught_by_the_skeleton(
        name in "[a-z]{1,6}[aceopxy][a-z]{1,6}( [a-z]{2,8}){0,2}",
        which in any::<prop::sample::Index>(),
    ) {
        let first_word_len = name.split(' ').next().unwrap().len();
        let positions: Vec<usize> = name
            .char_indices()
            .filter(|(i, c)| *i < first_word_len && LOOKALIKES.iter().any(|(l, _)| l == c))
            .map(|(i, _)| i)
            .collect();
        let i = positions[which.index(positions.len())];
        let latin = name[i..].chars().next().unwrap();
        let cyrillic = LOOKALIKES.iter().find(|(l, _)| *l == latin).unwrap().1;
        let spoof = format!("{}{cyrillic}{}", &name[..i], &name[i + 1..]);
        let p = name_problem(&spoof);
        prop_assert!(
            p.as_deref().is_some_and(|p| p.starts_with("mixes")
                && p.contains("Latin")
                && p.contains("Cyrillic")),
            "{:?} gave {:?}", spoof, p
        );
        prop_assert_eq!(name_skeleton(&spoof), name_skeleton(&name));
    }

    #[test]
    fn a_valid_name_holds_nothing_invisible_or_blank(name in "\\PC{2,20}") {
        if name_problem(&name).is_none() {
            let stored = normalize_name(&name);
            prop_assert!(stored.chars().all(|c| !c.is_control() && !INVISIBLE.contains(&c)));
            prop_assert!(stored.chars().all(|c| !BLANK_LOOKING.contains(&c)));
            prop_assert!(stored.chars().any(char::is_alphanumeric));
            // Normalising again changes nothing: the stored name is its own normal form.
            prop_assert_eq!(normalize_name(&stored), stored.clone());
            prop_assert_eq!(name_problem(&stored), None);
        }
    }
}
