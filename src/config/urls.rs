//! The API base URLs (`discord.api_base`, `github.api_base`): where govbot sends its tokens.
//!
//! Plain `http://` would send the bot token (or `GITHUB_TOKEN`) unencrypted, so it is accepted
//! only for a stand-in on this machine (a loopback address or `localhost`), which is what the
//! tests and the sandbox use; anything else must be `https://`. A URL carrying a user name or
//! password is refused too: the summary of `govbot check-config` prints the URL.

use super::report::hint;
use reqwest::Url;
use std::net::IpAddr;
use toml_edit::Value;

/// Reads an API base URL; the trailing slash goes because routes are appended as `/api/...`.
/// Only the scheme and host are checked: anything subtler is better reported by the first request.
pub(super) fn api_base(example: &'static str) -> impl FnOnce(&Value) -> Result<String, String> {
    move |value| {
        let not_a_url = || {
            format!(
                "{} is not an http:// or https:// URL; write it like \"{example}\" (or \
                 \"http://127.0.0.1:8080\" for a stand-in on this machine)",
                hint(value)
            )
        };
        let text = value.as_str().ok_or_else(not_a_url)?;
        let url = match Url::parse(text) {
            Ok(url) if !text.contains(char::is_whitespace) && url.host().is_some() => url,
            _ => return Err(not_a_url()),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "must not carry a user name or password; tokens come from the environment"
                    .to_owned(),
            );
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(format!(
                    "plain http:// would send the token unencrypted, so it is only accepted for a \
                     stand-in on this machine (127.0.0.1, ::1 or localhost); use https://, as in \
                     \"{example}\""
                ))
            }
            _ => return Err(not_a_url()),
        }
        Ok(text.trim_end_matches('/').to_owned())
    }
}

/// `localhost` or a loopback address (`127.0.0.0/8`, `::1`); the URL parser has already
/// lowercased the name and put IPv6 addresses in brackets.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(url: &str) -> Result<String, String> {
        api_base("https://discord.com")(&Value::from(url))
    }

    #[test]
    fn http_is_only_for_this_machine() {
        for local in [
            "http://127.0.0.1:8080",
            "http://127.0.0.2",
            "http://[::1]:9",
            "http://localhost:3000/",
            "http://LOCALHOST",
        ] {
            assert!(read(local).is_ok(), "{local}");
        }
        for remote in [
            "http://discord.com",
            "http://10.0.0.1",
            "http://localhost.example.com",
            "http://[::2]",
        ] {
            let message = read(remote).unwrap_err();
            assert!(message.contains("use https://"), "{remote}: {message}");
        }
        assert_eq!(
            read("https://discord.com/").as_deref(),
            Ok("https://discord.com")
        );
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_being_shown() {
        let message = read("https://bot:s3cret@discord.com").unwrap_err();
        assert!(message.contains("user name or password"), "{message}");
        assert!(!message.contains("s3cret"), "{message}");
    }
}
