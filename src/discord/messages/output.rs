//! Turning rendered templates into Discord messages: an embed when the template has a title,
//! plain content otherwise. Cards and announcements never ping: the people they name are shown,
//! not notified.

use super::render::Rendered;
use crate::governance::MemberId;
use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateInteractionResponseMessage, CreateMessage, EditInteractionResponse, EditMessage, Nonce,
    UserId,
};

/// govbot's colour on embeds, so its cards are recognisable in a busy channel.
const EMBED_COLOUR: u32 = 0x5865F2;

fn embed(r: &Rendered) -> Option<CreateEmbed> {
    r.title.as_ref().map(|t| {
        CreateEmbed::new()
            .title(t)
            .description(&r.body)
            .colour(EMBED_COLOUR)
    })
}

pub fn create(r: &Rendered) -> CreateMessage {
    create_pinging(r, &[])
}

/// A new message that notifies exactly `ping` (a reminder names who has not voted yet).
pub fn create_pinging(r: &Rendered, ping: &[MemberId]) -> CreateMessage {
    let mentions = CreateAllowedMentions::new()
        .users(ping.iter().map(|m| UserId::new(m.0)).collect::<Vec<_>>());
    let m = CreateMessage::new().allowed_mentions(mentions);
    match embed(r) {
        Some(e) => m.embed(e),
        None => m.content(&r.body),
    }
}

/// Marks a new message with a nonce derived from `key` (what the message is for, e.g. a group
/// and a purpose) and asks Discord to enforce it: a create repeated within Discord's few minutes
/// (after a crash between the post and its record, or a lost answer) returns the first message
/// instead of posting a second one.
pub fn exactly_once(m: CreateMessage, key: &str) -> CreateMessage {
    m.nonce(Nonce::String(nonce(key))).enforce_nonce(true)
}

/// 18 characters (Discord allows 25): `gb` and a 64-bit FNV-1a hash of `key`.
fn nonce(key: &str) -> String {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("gb{hash:016x}")
}

pub fn edit(r: &Rendered) -> EditMessage {
    let m = EditMessage::new().allowed_mentions(CreateAllowedMentions::new());
    match embed(r) {
        Some(e) => m.content("").embed(e),
        None => m.content(&r.body).embeds(Vec::new()),
    }
}

pub fn reply(r: &Rendered, ephemeral: bool) -> CreateInteractionResponseMessage {
    let m = CreateInteractionResponseMessage::new()
        .ephemeral(ephemeral)
        .allowed_mentions(CreateAllowedMentions::new());
    match embed(r) {
        Some(e) => m.embed(e),
        None => m.content(&r.body),
    }
}

pub fn edit_reply(r: &Rendered) -> EditInteractionResponse {
    let m = EditInteractionResponse::new().allowed_mentions(CreateAllowedMentions::new());
    match embed(r) {
        Some(e) => m.embed(e),
        None => m.content(&r.body),
    }
}

/// Buttons whose `custom_id` carries everything needed to act on them after a restart.
pub fn buttons(specs: &[(&str, &str, ButtonStyle)]) -> Vec<CreateActionRow> {
    vec![CreateActionRow::Buttons(
        specs
            .iter()
            .map(|(id, label, style)| CreateButton::new(*id).label(*label).style(*style))
            .collect(),
    )]
}

/// A private answer through poise, after the command was deferred.
pub fn poise_reply(r: &Rendered) -> poise::CreateReply {
    let m = poise::CreateReply::default()
        .ephemeral(true)
        .allowed_mentions(CreateAllowedMentions::new());
    match embed(r) {
        Some(e) => m.embed(e),
        None => m.content(&r.body),
    }
}

/// An HTTP error without the request's headers or URL (which carry nothing secret, but are noise).
pub(crate) fn brief(e: &serenity::Error) -> String {
    match e {
        serenity::Error::Http(h) => match h {
            serenity::all::HttpError::UnsuccessfulRequest(r) => {
                format!("HTTP {}: {}", r.status_code.as_u16(), r.error.message)
            }
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nonces_are_stable_distinct_and_short() {
        let a = super::nonce("1/announcement");
        assert_eq!(a, super::nonce("1/announcement"));
        assert_ne!(a, super::nonce("2/announcement"));
        assert!(a.len() <= 25, "{a}");
    }
}
