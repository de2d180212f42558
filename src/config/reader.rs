//! Reading a TOML document key by key, collecting every problem instead of stopping at the first.
//!
//! serde stops at the first missing key or bad value, which makes fixing a file a loop of one
//! error at a time. toml_edit's document keeps each key and value with its position, so each
//! table is read here by hand: every missing key, bad value and unknown key of the whole file is
//! reported, each at its line and column.

use super::report::{hint, ConfigProblem, Location};
use super::TOKEN_VAR;
use toml_edit::{Item, TableLike, Value};

/// Where the problems of one document are collected.
pub(super) struct Reader<'t> {
    text: &'t str,
    pub problems: Vec<ConfigProblem>,
}

/// One table of the document: its dotted path (empty for the root) and the byte offset to point
/// at when a key is missing from it (`None` for the root: no line is to blame).
pub(super) struct Section<'d> {
    pub path: String,
    table: &'d dyn TableLike,
    at: Option<usize>,
}

/// A value read from the file, with the offset of the value itself, so a later rule that refuses
/// it (two channels with one id) can point at it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spanned<T> {
    pub value: T,
    pub at: usize,
}

impl<'t> Reader<'t> {
    pub fn new(text: &'t str) -> Self {
        Reader {
            text,
            problems: Vec::new(),
        }
    }

    pub fn root<'d>(&self, table: &'d dyn TableLike) -> Section<'d> {
        Section {
            path: String::new(),
            table,
            at: None,
        }
    }

    pub fn location(&self, offset: usize) -> Location {
        Location::of(self.text, offset)
    }

    pub fn error(&mut self, key: &str, at: Option<usize>, message: String) {
        let location = at.map(|at| self.location(at));
        self.problems
            .push(ConfigProblem::error(key, location, message));
    }

    pub fn warn(&mut self, key: &str, at: Option<usize>, message: String) {
        let location = at.map(|at| self.location(at));
        self.problems
            .push(ConfigProblem::warning(key, location, message));
    }

    /// Refuses every key of `section` that is not `accepted`: a misspelt `vote_windw` would
    /// otherwise leave the default in force without anyone noticing. A key named like a token
    /// gets its own explanation (see [`Reader::token`]), wherever it is.
    pub fn only(&mut self, section: &Section, accepted: &[&str]) {
        for (name, item) in section.table.iter() {
            if accepted.contains(&name) {
                continue;
            }
            let key = section.key(name);
            let at = section.key_offset(name);
            if is_token_key(name) {
                self.token(&key, at);
            } else {
                let list: Vec<_> = accepted.iter().map(|k| format!("`{k}`")).collect();
                let place = match section.path.as_str() {
                    "" => "at the top of the file".to_owned(),
                    path => format!("in [{path}]"),
                };
                self.error(
                    &key,
                    at,
                    format!(
                        "unknown key; remove it or correct its spelling: the keys accepted {place} \
                         are {}",
                        list.join(", ")
                    ),
                );
                self.tokens_within(&key, item);
            }
        }
    }

    /// A token in the file, refused with the way to provide it instead. Configuration files get
    /// copied, pasted into issues and committed; a token in one is a leaked token.
    fn token(&mut self, key: &str, at: Option<usize>) {
        let (what, var) = if key.starts_with("github.") {
            ("a GitHub token", super::GITHUB_TOKEN_VAR)
        } else {
            ("the bot token", TOKEN_VAR)
        };
        self.error(
            key,
            at,
            format!(
                "{what} does not belong in the configuration file; remove it and export {var} \
                 instead (and reset the token if this file was ever shared or committed)"
            ),
        );
    }

    /// Token keys inside a table that is itself unknown (`[bot]` with a `token`).
    fn tokens_within(&mut self, path: &str, item: &Item) {
        let Some(table) = item.as_table_like() else {
            return;
        };
        for (name, inner) in table.iter() {
            let key = format!("{path}.{name}");
            if is_token_key(name) {
                let at = table.key(name).and_then(|k| k.span()).map(|s| s.start);
                self.token(&key, at);
            } else {
                self.tokens_within(&key, inner);
            }
        }
    }

    /// The table `name` of `section`, if present: a `[header]` table, a dotted key or an inline
    /// table. Anything else under that name is refused.
    pub fn table<'d>(&mut self, section: &Section<'d>, name: &str) -> Option<Section<'d>> {
        let item = section.table.get(name)?;
        let key = section.key(name);
        match item.as_table_like() {
            Some(table) => Some(Section {
                at: item.span().map(|s| s.start).or(section.key_offset(name)),
                path: key,
                table,
            }),
            None => {
                let found = describe_item(item);
                self.error(
                    &key,
                    section.key_offset(name),
                    format!("must be a table ([{key}] followed by its keys), not {found}"),
                );
                None
            }
        }
    }

    /// A required table; its absence is reported with `how` to add it.
    pub fn required_table<'d>(
        &mut self,
        section: &Section<'d>,
        name: &str,
        how: &str,
    ) -> Option<Section<'d>> {
        let found = self.table(section, name);
        if found.is_none() && section.table.get(name).is_none() {
            self.missing(section, name, how);
        }
        found
    }

    /// The value `name` of `section`, read by `parse`, which says what is wrong with a bad value
    /// (without showing it: see [`hint`]). `None` when absent or bad (then reported).
    pub fn optional<T>(
        &mut self,
        section: &Section,
        name: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<Spanned<T>> {
        let item = section.table.get(name)?;
        let key = section.key(name);
        let Some(value) = item.as_value() else {
            let found = describe_item(item);
            self.error(
                &key,
                section.key_offset(name),
                format!("must be a value (`{name} = ...`), not {found}"),
            );
            return None;
        };
        let at = value
            .span()
            .map(|s| s.start)
            .or(section.key_offset(name))
            .unwrap_or(0);
        match parse(value) {
            Ok(value) => Some(Spanned { value, at }),
            Err(message) => {
                self.error(&key, Some(at), message);
                None
            }
        }
    }

    /// As [`Reader::optional`], and its absence is reported with `how` to add it.
    pub fn required<T>(
        &mut self,
        section: &Section,
        name: &str,
        how: &str,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Option<Spanned<T>> {
        if section.table.get(name).is_none() {
            self.missing(section, name, how);
            return None;
        }
        self.optional(section, name, parse)
    }

    fn missing(&mut self, section: &Section, name: &str, how: &str) {
        let place = match section.path.as_str() {
            "" => "the file",
            _ => "this table",
        };
        self.error(
            &section.key(name),
            section.at,
            format!("is required but missing from {place}; {how}"),
        );
    }

    /// Where `key` is written, if it is: for a problem that is about a key's value as a whole.
    pub fn offset_of(&self, section: &Section, name: &str) -> Option<usize> {
        let item = section.table.get(name)?;
        item.span().map(|s| s.start).or(section.key_offset(name))
    }
}

impl Section<'_> {
    /// The dotted key of `name` in this table.
    pub fn key(&self, name: &str) -> String {
        match self.path.as_str() {
            "" => name.to_owned(),
            path => format!("{path}.{name}"),
        }
    }

    fn key_offset(&self, name: &str) -> Option<usize> {
        self.table.key(name).and_then(|k| k.span()).map(|s| s.start)
    }
}

/// `token`, `bot_token`, `Token`: names under which a secret gets pasted.
fn is_token_key(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name == "token" || name.ends_with("_token")
}

fn describe_item(item: &Item) -> String {
    match item {
        Item::Value(v) => hint(v),
        Item::Table(_) => "a table".to_owned(),
        Item::ArrayOfTables(_) => "a list of tables".to_owned(),
        Item::None => "nothing".to_owned(),
    }
}

/// A string value, or what it is instead, for messages.
pub(super) fn string(value: &Value) -> Result<&str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("must be a string in quotes, not {}", hint(value)))
}
