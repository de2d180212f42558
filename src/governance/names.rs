//! Group names that cannot pass for another.
//!
//! A name is stored in Unicode's compatibility form (NFKC: `Ｒｅｇｉｓｔｒｙ` is `Registry`) with its
//! whitespace collapsed, and refused when it holds something a reader cannot see or could
//! mistake:
//! - invisible and format characters: controls, format characters (zero-width spaces and
//!   joiners, bidirectional controls, the tag characters U+E0000–U+E007F), every other default
//!   ignorable code point, private-use and unassigned code points;
//! - characters that render blank, such as U+3164 HANGUL FILLER or U+2800 BRAILLE PATTERN BLANK;
//! - a word that mixes scripts ("Regіstry" with a Cyrillic і), as Unicode TR39 defines a
//!   single-script string; Latin mixed with Han, Hiragana, Katakana, Bopomofo or Hangul, as
//!   Japanese, Chinese and Korean are written, is allowed (TR39's "highly restrictive" level).
//!
//! Two names are the same name when their [`name_skeleton`]s are equal: case, punctuation,
//! spacing and lookalike characters from other scripts (TR39's confusable skeleton) do not tell
//! groups apart, so a pure-Cyrillic "Сору" is the same name as "Copy".
//!
//! The Unicode data comes from the unicode-rs crates (`unicode-security` for TR39's skeleton and
//! script sets, `unicode-normalization`, `unicode-properties`, `unicode-script`), not from tables
//! kept here; only [`BLANK`], the few characters that are neither invisible by Unicode's
//! definition nor format characters yet draw nothing, is listed by hand.

use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_script::{Script, UnicodeScript};
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::mixed_script::AugmentedScriptSet;
use unicode_security::GeneralSecurityProfile;

pub const MAX_NAME_CHARS: usize = 80;
pub const MIN_NAME_CHARS: usize = 2;

/// Characters that are letters or symbols to Unicode but draw nothing, so a name made of them
/// looks empty. (The Hangul fillers are also default ignorable; they are named here so that the
/// refusal says "blank".)
pub const BLANK: [char; 6] = [
    '\u{115F}',  // HANGUL CHOSEONG FILLER
    '\u{1160}',  // HANGUL JUNGSEONG FILLER
    '\u{2800}',  // BRAILLE PATTERN BLANK
    '\u{3164}',  // HANGUL FILLER
    '\u{FFA0}',  // HALFWIDTH HANGUL FILLER
    '\u{1D159}', // MUSICAL SYMBOL NULL NOTEHEAD
];

/// A name as it is stored and shown: NFKC, each run of whitespace one space, trimmed.
pub fn normalize_name(raw: &str) -> String {
    let nfkc: String = raw.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key two names are compared by, for duplicates and for similar names: the name in NFKC,
/// lower case, reduced to its Unicode TR39 confusable skeleton (so letters of other scripts that
/// look like Latin ones, `0` and `O`, `rn` and `m`, compare equal), lower-cased again, with every
/// run of characters other than letters, digits and their marks made one space.
///
/// "Security in MCP", "security-in-mcp", "SECURITY  in  MCP!" and "Ѕесurity in MCP" (Cyrillic
/// Ѕ, е, с) have one skeleton. Case is folded before the skeleton is taken, so an upper-case `I`
/// compares as `i`, not as its lookalike `l`.
///
/// This is the one definition: the store keeps it in `groups.name_key` and looks names up by it.
/// Changing what it returns needs `store::NAME_KEY_VERSION` bumped, so that the stored keys are
/// rewritten at the next start.
pub fn name_skeleton(name: &str) -> String {
    let folded: String = name.nfkc().flat_map(char::to_lowercase).collect();
    let mut out = String::with_capacity(folded.len());
    let mut gap = false;
    for c in unicode_security::skeleton(&folded).flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c.general_category_group() == GeneralCategoryGroup::Mark {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
    }
    out
}

/// Whether two names are similar enough to warn about: the same skeleton, or most of the longer
/// words (three characters or more) of `name` among the words of `other`.
pub fn names_similar(name: &str, other: &str) -> bool {
    let (a, b) = (name_skeleton(name), name_skeleton(other));
    if a.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let words: Vec<&str> = a.split(' ').filter(|w| w.chars().count() > 2).collect();
    let shared = words
        .iter()
        .filter(|w| b.split(' ').any(|o| o == **w))
        .count();
    !words.is_empty() && shared * 2 > words.len()
}

/// What is wrong with a name as typed, if anything: one problem, the first found, worded for the
/// person who typed it. Lengths and scripts are judged on the name as stored ([`normalize_name`]);
/// invisible and blank characters both as typed and as stored, so that the refusal names the
/// character the person typed. It never echoes more than one word.
pub fn name_problem(raw: &str) -> Option<String> {
    let name = normalize_name(raw);
    let chars = name.chars().count();
    if chars < MIN_NAME_CHARS {
        return Some(format!(
            "is too short; use at least {MIN_NAME_CHARS} characters"
        ));
    }
    if chars > MAX_NAME_CHARS {
        return Some(format!(
            "is {chars} characters long; keep it to {MAX_NAME_CHARS} or fewer"
        ));
    }
    // Whitespace as typed (a newline, a no-break space) is only collapsed.
    let typed = || raw.chars().filter(|c| !c.is_whitespace());
    if let Some(c) = typed().chain(name.chars()).find(|c| BLANK.contains(c)) {
        return Some(format!(
            "contains {}, a character that shows as blank; use visible letters and digits",
            code_point(c)
        ));
    }
    for text in [typed().collect::<String>(), name.clone()] {
        let mut previous = None;
        for c in text.chars() {
            if is_invisible(c, previous) {
                return Some(format!(
                    "contains invisible or control characters ({}); type it as plain text",
                    code_point(c)
                ));
            }
            previous = Some(c);
        }
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Some("needs at least one letter or digit".into());
    }
    name.split(' ').find_map(mixed_script_problem)
}

/// A text answer's problem with invisible characters, if any: controls other than newline and tab,
/// and format characters (zero-width, bidirectional controls, tag characters). Text answers are
/// shown as typed, so emoji variation selectors are fine there.
pub fn text_has_invisible(text: &str) -> bool {
    text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || c.general_category() == GeneralCategory::Format
    })
}

/// `U+E0041`, as a refusal names a character it cannot show.
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Invisible in a name: a control, a format character, a private-use or unassigned code point,
/// or any other default ignorable code point, except an emoji's variation selector (U+FE0E,
/// U+FE0F) right after a symbol, as in "⚙️".
fn is_invisible(c: char, previous: Option<char>) -> bool {
    if matches!(c, '\u{FE0E}' | '\u{FE0F}') {
        return !previous.is_some_and(|p| {
            p.general_category_group() == GeneralCategoryGroup::Symbol
                || matches!(p, '#' | '*' | '0'..='9')
        });
    }
    c.is_control()
        || matches!(
            c.general_category(),
            GeneralCategory::Format
                | GeneralCategory::PrivateUse
                | GeneralCategory::Unassigned
                | GeneralCategory::Surrogate
                | GeneralCategory::LineSeparator
                | GeneralCategory::ParagraphSeparator
        )
        || c.identifier_type() == Some(IdentifierType::Default_Ignorable)
}

/// A word whose letters are not of one script (TR39's resolved script set is empty), unless it is
/// Latin with the scripts of Chinese, Japanese or Korean.
fn mixed_script_problem(word: &str) -> Option<String> {
    let letters: String = word.chars().filter(|c| c.is_alphanumeric()).collect();
    if !AugmentedScriptSet::for_str(&letters).is_empty() {
        return None;
    }
    let mut without_latin = AugmentedScriptSet::default();
    for c in letters.chars() {
        let set = AugmentedScriptSet::for_char(c);
        if !set.base.contains_script(Script::Latin) {
            without_latin.intersect_with(set);
        }
    }
    if without_latin.hanb || without_latin.jpan || without_latin.kore {
        return None;
    }
    let mut scripts: Vec<&str> = Vec::new();
    for c in letters.chars() {
        let s = c.script();
        if !matches!(s, Script::Common | Script::Inherited | Script::Unknown)
            && !scripts.contains(&s.full_name())
        {
            scripts.push(s.full_name());
        }
    }
    let scripts = match scripts.as_slice() {
        [] | [_] => "letters of different scripts".to_string(),
        [init @ .., last] => format!("{} and {last} letters", init.join(", ")),
    };
    Some(format!(
        "mixes {scripts} in the word \"{word}\"; write each word in one script, since a letter \
         of another alphabet can pass for a Latin one (a whole word in another script is fine)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(raw: &str) -> Option<String> {
        name_problem(raw)
    }

    #[test]
    fn the_issue_s_names_are_refused_with_a_reason() {
        let tag = problem("Reg\u{E0041}istry").unwrap();
        assert!(
            tag.contains("invisible") && tag.contains("U+E0041"),
            "{tag}"
        );
        let blank = problem("\u{3164}\u{3164}").unwrap();
        assert!(
            blank.contains("blank") && blank.contains("U+3164"),
            "{blank}"
        );
        let mixed = problem("Reg\u{456}stry").unwrap();
        assert!(mixed.contains("Latin and Cyrillic"), "{mixed}");
        assert!(mixed.contains("Reg\u{456}stry"), "{mixed}");
    }

    #[test]
    fn blank_looking_characters_are_refused() {
        for c in BLANK {
            let p = problem(&format!("A{c}B")).unwrap();
            assert!(p.contains("blank") || p.contains("invisible"), "{c:?}: {p}");
        }
        assert!(problem("\u{2800}\u{2800}").unwrap().contains("blank"));
    }

    #[test]
    fn invisible_and_format_characters_are_refused() {
        for c in [
            '\u{200B}',
            '\u{200C}',
            '\u{200D}',
            '\u{200E}',
            '\u{202E}',
            '\u{2066}',
            '\u{2069}',
            '\u{FEFF}',
            '\u{00AD}',
            '\u{061C}',
            '\u{180E}',
            '\u{E0001}',
            '\u{E007F}',
            '\u{E000}',
            '\u{FE00}',
            '\u{034F}',
            '\u{0007}',
            '\u{0600}',
        ] {
            let p = problem(&format!("Regi{c}stry")).unwrap_or_default();
            assert!(p.contains("invisible"), "{c:?} passed: {p:?}");
        }
    }

    #[test]
    fn an_emoji_may_keep_its_variation_selector() {
        assert_eq!(problem("\u{2699}\u{FE0F} Tools"), None);
        assert!(problem("Tools\u{FE0F}").is_some());
    }

    #[test]
    fn names_are_stored_in_nfkc_with_whitespace_collapsed() {
        assert_eq!(
            normalize_name("  Ｒｅｇｉｓｔｒｙ \u{3000} ２ "),
            "Registry 2"
        );
        assert_eq!(normalize_name("ﬁle\u{00A0}tools"), "file tools");
        assert_eq!(normalize_name("Cafe\u{301}"), "Café");
    }

    #[test]
    fn single_script_words_pass_whatever_the_script() {
        for name in [
            "Registry",
            "Sécurité 安全",
            "MCP für Ärzte — Ω",
            "Реестр серверов",
            "MCPサーバー",
            "MCP 서버",
            "Tools & SDKs (v2)",
            "C++ / Rust",
        ] {
            assert_eq!(problem(name), None, "{name}");
        }
    }

    #[test]
    fn mixed_scripts_within_a_word_are_refused() {
        for name in ["Regіstry", "Security in MСP", "αlpha", "Ѕecurity"] {
            let p = problem(name).unwrap_or_else(|| panic!("{name} passed"));
            assert!(p.starts_with("mixes"), "{p}");
        }
    }

    #[test]
    fn skeletons_fold_case_punctuation_and_lookalikes() {
        let k = name_skeleton("Registry");
        assert_eq!(name_skeleton("REGISTRY"), k);
        assert_eq!(name_skeleton("registry!"), k);
        assert_eq!(
            name_skeleton("Reg\u{E0041}istry"),
            k,
            "tag characters are ignored"
        );
        assert_eq!(name_skeleton("Regіstry"), k, "a Cyrillic і is an i");
        assert_eq!(name_skeleton("Ｒｅｇｉｓｔｒｙ"), k);
        assert_eq!(
            name_skeleton("Security in MCP"),
            name_skeleton("security-in-mcp")
        );
        assert_eq!(
            name_skeleton("Security in MCP"),
            name_skeleton("SECURITY  in  MCP!")
        );
        // A whole word in Cyrillic lookalikes: each word is single-script, the skeleton catches it.
        assert_eq!(problem("\u{421}\u{43E}\u{440}\u{443}"), None);
        assert_eq!(
            name_skeleton("\u{421}\u{43E}\u{440}\u{443}"),
            name_skeleton("Copy")
        );
        assert_ne!(name_skeleton("Registry"), name_skeleton("Registries"));
        assert_ne!(
            name_skeleton("Café"),
            name_skeleton("Cafe"),
            "accents are kept"
        );
    }

    #[test]
    fn similar_names_share_most_words() {
        assert!(names_similar("MCP Security", "Security in MCP"));
        assert!(names_similar("Regіstry", "registry"));
        assert!(!names_similar("Tool Filtering", "Security in MCP"));
        assert!(!names_similar("!!", "??"));
    }
}
