//! One type for every secret govbot holds (the Discord bot token, the GitHub token), so there
//! is one place that decides how a secret prints and where it may come from.
//!
//! A [`Secret`] prints as `Token(***)` in both `Debug` and `Display`, so no log line, error
//! report or `{:?}` of a struct holding one can leak it; the value is read only through
//! [`Secret::expose`], which is easy to find in review.

use std::fmt;

#[derive(Clone)]
pub struct Secret(String);

/// Why an environment variable gave no secret, worded to follow the variable's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingSecret {
    NotSet,
    Empty,
    NotUnicode,
}

impl MissingSecret {
    pub fn problem(self) -> &'static str {
        match self {
            MissingSecret::NotSet => "is not set",
            MissingSecret::Empty => "is empty",
            MissingSecret::NotUnicode => "is not valid UTF-8",
        }
    }
}

impl Secret {
    pub fn new(secret: String) -> Secret {
        Secret(secret)
    }

    /// The secret in the environment variable `var`, without surrounding whitespace: a token
    /// read from a file often ends in a newline, and the API would answer that with a puzzling
    /// 401. Blank counts as empty.
    ///
    /// Without the variable, a systemd credential of the same name is read instead
    /// (`LoadCredential=DISCORD_TOKEN:/etc/govbot/discord-token` in the unit puts it in
    /// `$CREDENTIALS_DIRECTORY/DISCORD_TOKEN`, readable by the service alone and never in its
    /// environment).
    pub fn from_env(var: &str) -> Result<Secret, MissingSecret> {
        match std::env::var(var) {
            Ok(value) if value.trim().is_empty() => Err(MissingSecret::Empty),
            Ok(value) => Ok(Secret(value.trim().to_owned())),
            Err(std::env::VarError::NotPresent) => match credential(var) {
                Some(value) if value.trim().is_empty() => Err(MissingSecret::Empty),
                Some(value) => Ok(Secret(value.trim().to_owned())),
                None => Err(MissingSecret::NotSet),
            },
            Err(std::env::VarError::NotUnicode(_)) => Err(MissingSecret::NotUnicode),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// The systemd credential `name`, when the service manager passed one.
fn credential(name: &str) -> Option<String> {
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY")?;
    std::fs::read_to_string(std::path::Path::new(&dir).join(name)).ok()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}
