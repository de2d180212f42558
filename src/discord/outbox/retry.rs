//! When to try a failed effect again, and whether a person must fix something first.
//!
//! Every failure is retried, for as long as it takes: with a capped exponential backoff, jittered
//! so that many effects failing together (an outage) do not all come back in the same instant.
//! What differs is who is told: a 5xx, a timeout or a 429 passes by itself; a 403 (a permission
//! taken away) or a 404 (a channel deleted) needs a person, so the moderators are told what to
//! fix, once, and the effect is retried after the fix (at the latest one backoff cap later, or at
//! once with `govbot outbox retry`).

use std::time::Duration;

/// The first retry's delay.
pub const BASE: Duration = Duration::from_millis(500);
/// The longest wait between two attempts: how long a fixed permission may wait to be noticed.
pub const CAP: Duration = Duration::from_secs(300);

/// The backoff step after `attempts` failures (1 or more): `BASE * 2^(n-1)`, capped at [`CAP`].
pub fn step(attempts: u32) -> Duration {
    let exp = attempts.saturating_sub(1).min(20);
    BASE.saturating_mul(1 << exp).min(CAP)
}

/// The delay before the attempt that follows `attempts` failures: the [`step`] scaled into
/// (50%, 100%] by a jitter derived from `seed` (the event), so that it is spread across events
/// yet reproducible.
pub fn backoff(attempts: u32, seed: i64) -> Duration {
    let full = step(attempts);
    let mix = (seed as u64 ^ u64::from(attempts).rotate_left(32))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_right(29);
    let fraction = 0.5 + 0.5 * ((mix % 1000) as f64 + 1.0) / 1000.0;
    full.mul_f64(fraction)
}

/// Discord's JSON error codes the outbox tells apart.
const UNKNOWN_CHANNEL: isize = 10003;
const UNKNOWN_MESSAGE: isize = 10008;
const MISSING_ACCESS: isize = 50001;
const MISSING_PERMISSIONS: isize = 50013;

/// Discord's refusal behind `e`, if that is what it is: `(status, JSON code, message)`.
fn refusal(e: &anyhow::Error) -> Option<(u16, isize, String)> {
    e.chain()
        .find_map(|cause| match cause.downcast_ref::<serenity::Error>() {
            Some(serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r))) => {
                Some((
                    r.status_code.as_u16(),
                    r.error.code,
                    r.error.message.clone(),
                ))
            }
            _ => None,
        })
}

/// Whether `e` is Discord saying the message no longer exists (someone deleted it): an edit of
/// it has nothing left to do.
pub fn is_unknown_message(e: &anyhow::Error) -> bool {
    refusal(e).is_some_and(|(status, code, _)| status == 404 && code == UNKNOWN_MESSAGE)
}

/// What a person must do before `e` can pass, or `None` when retrying alone will do (5xx, 429,
/// a network error, a busy database).
pub fn needs_person(e: &anyhow::Error) -> Option<String> {
    let (status, code, message) = refusal(e)?;
    let fix = match (status, code) {
        (429 | 500..=599, _) => return None,
        (403, MISSING_PERMISSIONS) => {
            "the bot's role lacks a permission there: give it the permissions docs/operating.md \
             lists for that place (`govbot check-config --online` names what is missing)"
        }
        (403, MISSING_ACCESS | _) => {
            "the bot cannot see that channel: allow View Channel to its role there \
             (`govbot check-config --online` checks every place)"
        }
        (404, UNKNOWN_CHANNEL) => {
            "a channel govbot uses no longer exists: restore it or set its new id in the \
             configuration, then restart govbot"
        }
        (404, _) => {
            "something govbot uses no longer exists on Discord (a message, a member or a role)"
        }
        _ => "Discord refused govbot's request, which is a bug in govbot: report it",
    };
    Some(format!("HTTP {status} ({message}): {fix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_jittered_within_its_step() {
        for seed in [1, 7, 1234, -5] {
            let mut step = BASE;
            for attempts in 1..30 {
                let d = backoff(attempts, seed);
                assert!(d > step / 2 && d <= step, "{attempts}: {d:?} vs {step:?}");
                step = (step * 2).min(CAP);
            }
        }
        let spread: std::collections::BTreeSet<_> = (0..50).map(|s| backoff(3, s)).collect();
        assert!(spread.len() > 10, "the jitter spreads events apart");
    }
}
