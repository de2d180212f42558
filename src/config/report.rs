//! What a configuration check found, as a value: the offline check (`govbot check-config`) builds
//! one from the file, and a live check against Discord can build its own and print it the same way.
//!
//! Each problem is printed as `file:line:column: severity: key: message`, the form editors and
//! terminals turn into links, and says how to fix it. A value that is wrong or in the wrong place
//! is never printed in full (see [`hint`]): it may be a secret pasted into the wrong key.

use std::fmt;
use std::path::PathBuf;

/// Whether a problem stops govbot from using the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The configuration cannot be used until it is fixed.
    Error,
    /// Usable, but probably not what a community wants (a one-minute vote is fine for a trial).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One thing wrong (or doubtful) in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub severity: Severity,
    /// The dotted key, e.g. `policy.vote_window`; `None` when the file is not valid TOML there.
    pub key: Option<String>,
    /// `None` when no place in the file is to blame, e.g. a key missing from the file.
    pub location: Option<Location>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigProblem {
    pub fn error(key: impl Into<String>, location: Option<Location>, message: String) -> Self {
        ConfigProblem {
            severity: Severity::Error,
            key: Some(key.into()),
            location,
            message,
        }
    }

    pub fn warning(key: impl Into<String>, location: Option<Location>, message: String) -> Self {
        ConfigProblem {
            severity: Severity::Warning,
            ..ConfigProblem::error(key, location, message)
        }
    }
}

/// A place in a file, counted from 1 as editors show it; the column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The location of byte `offset` in `text` (moved back to a character boundary, so that no
    /// span a parser reports can make slicing panic).
    pub fn of(text: &str, offset: usize) -> Location {
        let mut at = offset.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Location {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for ConfigProblem {
    /// `line:column: severity: key: message`, without the file, which [`Report`] adds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(Location { line, column }) = self.location {
            write!(f, "{line}:{column}:")?;
        }
        write!(f, " {}:", self.severity)?;
        if let Some(key) = &self.key {
            write!(f, " {key}:")?;
        }
        write!(f, " {}", self.message)
    }
}

/// Every problem found in one configuration file, in the order of the file (problems with no
/// place in it last), so they can all be fixed in one pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub path: PathBuf,
    pub problems: Vec<ConfigProblem>,
}

impl Report {
    pub fn new(path: PathBuf, mut problems: Vec<ConfigProblem>) -> Report {
        problems.sort_by_key(|p| (p.location.is_none(), p.location));
        Report { path, problems }
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == severity)
            .count()
    }
}

impl fmt::Display for Report {
    /// One line when there is one problem; otherwise a count, then one indented line each.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        // A problem without a location prints as `file: severity: ...`.
        let location = |p: &ConfigProblem| format!("{path}:{p}");
        match self.problems.as_slice() {
            [] => write!(f, "{path}: no problems"),
            [one] => f.write_str(&location(one)),
            many => {
                let plural = |n: usize, what: &str| match n {
                    1 => format!("1 {what}"),
                    n => format!("{n} {what}s"),
                };
                write!(
                    f,
                    "{path}: {}, {}",
                    plural(self.count(Severity::Error), "error"),
                    plural(self.count(Severity::Warning), "warning")
                )?;
                for p in many {
                    write!(f, "\n  {}", location(p))?;
                }
                Ok(())
            }
        }
    }
}

/// A value described without being shown: its type and size, and for a longer string its first
/// three characters. A wrong value may be a secret pasted into the wrong key (a bot token as a
/// channel id), and error messages end up in terminals, logs and issue reports.
pub fn hint(value: &toml_edit::Value) -> String {
    use toml_edit::Value;
    match value {
        Value::String(s) => {
            let s = s.value();
            match s.chars().count() {
                0 => "an empty string".to_owned(),
                n @ 1..=3 => format!("a {n}-character string"),
                n => {
                    let start: String = s.chars().take(3).collect();
                    format!("a {n}-character string starting {start:?}")
                }
            }
        }
        Value::Integer(i) => {
            let v = *i.value();
            let digits = v.unsigned_abs().to_string().len();
            let sign = if v < 0 { "negative " } else { "" };
            match digits {
                1 => format!("a {sign}one-digit number"),
                n => format!("a {sign}{n}-digit number"),
            }
        }
        Value::Float(_) => "a decimal number".to_owned(),
        Value::Boolean(_) => "true or false".to_owned(),
        Value::Datetime(_) => "a date or time".to_owned(),
        Value::Array(a) => match a.len() {
            1 => "a list of one value".to_owned(),
            n => format!("a list of {n} values"),
        },
        Value::InlineTable(_) => "a table".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(toml: &str) -> toml_edit::Value {
        toml.parse().unwrap()
    }

    #[test]
    fn a_hint_never_shows_more_than_three_characters() {
        for (toml, shown) in [
            (
                r#""MTIz.secret-value""#,
                r#"a 17-character string starting "MTI""#,
            ),
            (r#""abc""#, "a 3-character string"),
            (r#""""#, "an empty string"),
            ("123456789", "a 9-digit number"),
            ("-2", "a negative one-digit number"),
            ("2.5", "a decimal number"),
            ("[1, 2]", "a list of 2 values"),
        ] {
            assert_eq!(hint(&value(toml)), shown, "{toml}");
        }
    }

    #[test]
    fn problems_are_listed_in_the_order_of_the_file_and_missing_keys_last() {
        let at = |line| Some(Location { line, column: 1 });
        let report = Report::new(
            "govbot.toml".into(),
            vec![
                ConfigProblem::error("roles", None, "is required".into()),
                ConfigProblem::warning("policy.vote_window", at(9), "short".into()),
                ConfigProblem::error("guild_id", at(1), "bad".into()),
            ],
        );
        assert_eq!(
            report.to_string(),
            "govbot.toml: 2 errors, 1 warning\n  \
             govbot.toml:1:1: error: guild_id: bad\n  \
             govbot.toml:9:1: warning: policy.vote_window: short\n  \
             govbot.toml: error: roles: is required"
        );
        assert!(report.has_errors());
    }
}
