//! The audit log's hash chain: the canonical serialisation of an event, its SHA-256, and the
//! sealing of events written before the chain existed. `docs/audit.md` states the serialisation
//! for anyone who wants to check a database without govbot; a test here holds the code to it.

use super::error::StoreError;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Row, SqliteConnection};
use std::fmt::Write as _;

/// The version of the serialisation, part of what is hashed.
pub const FORMAT: i64 = 1;

/// One event as the chain sees it: every column of its `audit_log` row but the hash itself.
#[derive(Debug, Clone, Copy)]
pub struct ChainedEvent<'a> {
    pub id: i64,
    pub group: i64,
    pub seq: i64,
    /// Milliseconds since the Unix epoch (the `at` column).
    pub at: i64,
    pub actor: Option<i64>,
    pub kind: &'a str,
    pub reason: Option<&'a str>,
    pub trigger: Option<&'a str>,
    /// The event itself (`event_json`, parsed).
    pub event: &'a Value,
    /// The previous event's hash, or the genesis.
    pub prev: &'a str,
}

impl ChainedEvent<'_> {
    /// The canonical serialisation: the canonical JSON (see [`canonical_json`]) of the object
    /// `{"actor", "at", "event", "group", "id", "kind", "prev", "reason", "seq", "trigger", "v"}`,
    /// written here key by key in that (sorted) order.
    pub fn canonical(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str("{\"actor\":");
        opt_int(&mut out, self.actor);
        let _ = write!(out, ",\"at\":{},\"event\":", self.at);
        write_value(&mut out, self.event);
        let _ = write!(
            out,
            ",\"group\":{},\"id\":{},\"kind\":",
            self.group, self.id
        );
        write_string(&mut out, self.kind);
        out.push_str(",\"prev\":");
        write_string(&mut out, self.prev);
        out.push_str(",\"reason\":");
        opt_str(&mut out, self.reason);
        let _ = write!(out, ",\"seq\":{},\"trigger\":", self.seq);
        opt_str(&mut out, self.trigger);
        let _ = write!(out, ",\"v\":{FORMAT}}}");
        out
    }

    /// SHA-256 of the canonical serialisation's UTF-8 bytes, in lower-case hex.
    pub fn hash(&self) -> String {
        sha256_hex(self.canonical().as_bytes())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Whether `s` looks like a hash of the chain: 64 lower-case hex digits.
pub fn is_hash(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Canonical JSON: no whitespace; object keys sorted by their UTF-8 bytes; strings with only `"`,
/// `\` and the control characters U+0000 to U+001F escaped (`\b`, `\t`, `\n`, `\f`, `\r`, the
/// others as `\u00xx` in lower-case hex), everything else written as itself; integers in decimal.
/// This is what Python's `json.dumps(v, sort_keys=True, separators=(",", ":"),
/// ensure_ascii=False)` writes for the same value. Events hold no floating-point numbers; one
/// would be written as serde_json writes an `f64`.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_value(out, v);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn opt_int(out: &mut String, v: Option<i64>) {
    match v {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

fn opt_str(out: &mut String, v: Option<&str>) {
    match v {
        Some(s) => write_string(out, s),
        None => out.push_str("null"),
    }
}

/// The chain's genesis and the last event written before the chain existed.
pub(super) async fn genesis(conn: &mut SqliteConnection) -> Result<(String, i64), StoreError> {
    let row = sqlx::query("SELECT genesis, sealed_through FROM audit_genesis WHERE only = 1")
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::Corrupt("the audit log has no genesis".into()))?;
    Ok((row.get("genesis"), row.get("sealed_through")))
}

/// The last event's id (0 for an empty log) and the hash the next event links to.
pub(super) async fn tip(conn: &mut SqliteConnection) -> Result<(i64, String), StoreError> {
    let last = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    match last {
        None => Ok((0, genesis(conn).await?.0)),
        Some(row) => {
            let id: i64 = row.get("id");
            let hash: Option<String> = row.get("hash");
            let hash = hash.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "audit event {id} has no hash: the log is not sealed yet; run `govbot migrate`"
                ))
            })?;
            Ok((id, hash))
        }
    }
}

/// Seals the events written before the chain existed, in order, each linked to the one before
/// (the first to the genesis); returns how many it sealed. Run by [`super::Store::migrate`] after
/// the migrations, in one transaction, so a crash leaves all of them sealed or none; the next
/// open finishes the job. The database lets exactly this change through (`0008_audit_chain.sql`).
pub(super) async fn seal(conn: &mut SqliteConnection) -> Result<usize, StoreError> {
    let (genesis, sealed_through) = genesis(conn).await?;
    let unsealed: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE hash IS NULL AND id <= ?")
            .bind(sealed_through)
            .fetch_one(&mut *conn)
            .await?;
    if unsealed == 0 {
        return Ok(0);
    }
    let rows = sqlx::query(
        "SELECT id, group_id, seq, at, actor, kind, reason, trigger_key, event_json, hash
         FROM audit_log WHERE id <= ? ORDER BY id",
    )
    .bind(sealed_through)
    .fetch_all(&mut *conn)
    .await?;
    let mut prev = genesis;
    let mut sealed = 0;
    for row in &rows {
        let id: i64 = row.get("id");
        if let Some(hash) = row.get::<Option<String>, _>("hash") {
            prev = hash;
            continue;
        }
        let json: &str = row.get("event_json");
        let event: Value = serde_json::from_str(json)
            .map_err(|e| StoreError::Corrupt(format!("audit event {id} cannot be sealed: {e}")))?;
        let hash = ChainedEvent {
            id,
            group: row.get("group_id"),
            seq: row.get("seq"),
            at: row.get("at"),
            actor: row.get("actor"),
            kind: row.get("kind"),
            reason: row.get("reason"),
            trigger: row.get("trigger_key"),
            event: &event,
            prev: &prev,
        }
        .hash();
        sqlx::query("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?")
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        prev = hash;
        sealed += 1;
    }
    Ok(sealed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_event_serialisation_is_the_canonical_json_of_its_object() {
        let event = json!({"z": 1, "a": [true, null, "x"], "é": {"b": 2, "B": 3}});
        let e = ChainedEvent {
            id: 7,
            group: 3,
            seq: 2,
            at: 1_790_000_000_000,
            actor: None,
            kind: "ballot_cast",
            reason: Some("a \"quoted\"\nline\u{1}"),
            trigger: Some("interaction:1"),
            event: &event,
            prev: "00",
        };
        let object = json!({
            "v": FORMAT, "id": 7, "group": 3, "seq": 2, "at": 1_790_000_000_000_i64,
            "actor": null, "kind": "ballot_cast", "reason": "a \"quoted\"\nline\u{1}",
            "trigger": "interaction:1", "event": event, "prev": "00",
        });
        assert_eq!(e.canonical(), canonical_json(&object));
        assert_eq!(
            e.canonical(),
            "{\"actor\":null,\"at\":1790000000000,\"event\":{\"a\":[true,null,\"x\"],\"z\":1,\
             \"é\":{\"B\":3,\"b\":2}},\"group\":3,\"id\":7,\"kind\":\"ballot_cast\",\"prev\":\"00\",\
             \"reason\":\"a \\\"quoted\\\"\\nline\\u0001\",\"seq\":2,\"trigger\":\"interaction:1\",\
             \"v\":1}"
        );
        assert!(is_hash(&e.hash()));
    }

    #[test]
    fn sha256_is_the_standard_one() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
