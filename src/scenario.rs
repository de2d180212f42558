//! `govbot sandbox`: the real bot and the local Discord stand-in in one process, playing a scripted
//! scenario and printing the conversation as a transcript. It needs no token and no network.

use crate::harness::{Harness, WAIT};
use crate::report;
use crate::store::GroupId;
use anyhow::{bail, Context as _, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// Everything a person reads in a Discord message: content, embed titles and descriptions.
pub fn message_text(m: &Value) -> String {
    let mut parts = Vec::new();
    if let Some(c) = m["content"].as_str().filter(|c| !c.is_empty()) {
        parts.push(c.to_string());
    }
    for e in m["embeds"].as_array().into_iter().flatten() {
        if let Some(t) = e["title"].as_str() {
            parts.push(format!("# {t}"));
        }
        if let Some(d) = e["description"].as_str() {
            parts.push(d.to_string());
        }
    }
    parts.join("\n")
}

fn buttons(m: &Value) -> Vec<String> {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["label"].as_str().map(|l| format!("[{l}]")))
        .collect()
}

struct Transcript<'a> {
    out: &'a mut dyn Write,
    h: &'a Harness,
}

impl Transcript<'_> {
    fn channel_name(&self, id: u64) -> String {
        self.h
            .sandbox
            .world()
            .channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn say(&mut self, who: &str, channel: u64, text: &str) -> Result<()> {
        writeln!(self.out, "\n[#{}] {who}:", self.channel_name(channel))?;
        for line in text.lines() {
            writeln!(self.out, "    {line}")?;
        }
        Ok(())
    }

    fn bot(&mut self, channel: u64, m: &Value, note: &str) -> Result<()> {
        let mut text = message_text(m);
        let b = buttons(m);
        if !b.is_empty() {
            text.push('\n');
            text.push_str(&b.join(" "));
        }
        self.say(&format!("govbot{note}"), channel, &text)
    }

    fn private(&mut self, to: &str, data: &Value) -> Result<()> {
        writeln!(self.out, "\n[only {to} sees this] govbot:")?;
        for line in message_text(data).lines() {
            writeln!(self.out, "    {line}")?;
        }
        Ok(())
    }

    fn heading(&mut self, text: &str) -> Result<()> {
        writeln!(self.out, "\n=== {text}")?;
        Ok(())
    }
}

fn replied_to(m: &Value) -> Option<u64> {
    m["message_reference"]["message_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
}

fn id_of(m: &Value) -> u64 {
    m["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}

/// Plays the scenario with its database in `dir`, writing the transcript to `out`.
pub async fn play(dir: &Path, out: &mut dyn Write) -> Result<()> {
    let h = Harness::start(&dir.join("govbot.db")).await?;
    let result = script(&h, out).await;
    h.shutdown().await?;
    result
}

async fn script(h: &Harness, out: &mut dyn Write) -> Result<()> {
    let sb = &h.sandbox;
    let creation = h.channel("wg-ig-group-creation");
    let moderators = h.channel("community-moderators");
    let (alice, bob, carol) = (h.user("alice"), h.user("bob"), h.user("carol"));
    let mut t = Transcript { out, h };
    writeln!(
        t.out,
        "govbot sandbox: the real bot against a local Discord stand-in at {} (no token, no network).",
        sb.api_base()
    )?;

    t.heading("A member posts a WG template and forgets a field")?;
    let draft = format!(
        "WG: Registry\n- **Facilitator(s):** <@{alice}>\n- **Explanation of interest/use cases:** clients need a trusted list of MCP servers"
    );
    t.say("alice", creation, &draft)?;
    let msg = sb.post_message(creation, alice, &draft).await;
    let reply = sb
        .wait_message(creation, |m| replied_to(m) == Some(msg), WAIT)
        .await
        .context("waiting for govbot's answer to the template")?;
    t.bot(creation, &reply, " (reply to alice)")?;

    t.heading("She edits the message to add it")?;
    let fixed = format!("{draft}\n- **First Issue/PR/SEP:** SEP-1234: server metadata");
    t.say("alice (edited)", creation, &fixed)?;
    sb.edit_message(creation, msg, &fixed).await;
    let reply_id = id_of(&reply);
    let card = sb
        .wait_message(
            creation,
            |m| id_of(m) == reply_id && message_text(m).contains("proposal #1"),
            WAIT,
        )
        .await
        .context("waiting for the card")?;
    t.bot(creation, &card, " (its reply, edited)")?;
    let announcement = sb
        .wait_message(
            moderators,
            |m| message_text(m).contains("proposal #1"),
            WAIT,
        )
        .await?;
    t.bot(moderators, &announcement, "")?;

    t.heading("Chat in the creation channel is left alone")?;
    t.say("carol", creation, "nice! is there an auth group yet?")?;
    sb.post_message(creation, carol, "nice! is there an auth group yet?")
        .await;

    t.heading("Another member proposes through /group propose and its form")?;
    writeln!(
        t.out,
        "\n[#wg-ig-group-creation] bob runs: /group propose kind:IG name:Auth in MCP"
    )?;
    let i = sb
        .slash_command(
            bob,
            creation,
            "group",
            json!([{"type": 1, "name": "propose", "options": [
                {"type": 4, "name": "kind", "value": 0},
                {"type": 3, "name": "name", "value": "Auth in MCP"}
            ]}]),
        )
        .await;
    let modal = sb.wait_response(&i, WAIT).await?;
    if modal.kind != 9 {
        bail!("expected a form, got a response of type {}", modal.kind);
    }
    let fields: Vec<String> = modal.data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["components"][0]["label"].as_str().map(str::to_string))
        .collect();
    writeln!(
        t.out,
        "\n[form for bob] {}\n    fields: {}",
        modal.data["title"].as_str().unwrap_or_default(),
        fields.join(" | ")
    )?;
    let custom_id = modal.data["custom_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let answers = [
        ("similar_groups", "Security in MCP"),
        (
            "differentiation",
            "Authorization flows only, not threat models",
        ),
        ("first_topic", "OAuth for remote servers"),
    ];
    writeln!(t.out, "[bob submits the form]")?;
    let submit = sb.submit_modal(bob, creation, &custom_id, &answers).await;
    let card = sb.wait_followup(&submit, 0, WAIT).await?;
    t.bot(creation, &card, " (answer to bob's form)")?;
    let announcement = sb
        .wait_message(
            moderators,
            |m| message_text(m).contains("proposal #2"),
            WAIT,
        )
        .await?;
    t.bot(moderators, &announcement, "")?;

    t.heading("Someone else tries to withdraw alice's proposal")?;
    writeln!(
        t.out,
        "\n[#wg-ig-group-creation] carol runs: /group withdraw id:1"
    )?;
    let i = sb
        .slash_command(
            carol,
            creation,
            "group",
            json!([{"type": 1, "name": "withdraw", "options": [{"type": 4, "name": "id", "value": 1}]}]),
        )
        .await;
    let r = sb.wait_response(&i, WAIT).await?;
    t.private("carol", &r.data)?;

    t.heading("A moderator lists the proposals")?;
    let moderator = h.user("mod-ana");
    writeln!(t.out, "\n[#community-moderators] mod-ana runs: /group list")?;
    let i = sb
        .slash_command(
            moderator,
            moderators,
            "group",
            json!([{"type": 1, "name": "list", "options": []}]),
        )
        .await;
    let r = sb.wait_response(&i, WAIT).await?;
    t.private("mod-ana", &r.data)?;

    t.heading("The audit log of proposal #1 (govbot groups history 1)")?;
    let store = h.store().await?;
    let g = store.group(GroupId(1)).await?;
    let events = store.history(GroupId(1)).await?;
    let names = store.member_names().await?;
    write!(t.out, "{}", report::history(&g, &events, &names))?;

    let problems = sb.openapi_problems();
    if !problems.is_empty() {
        bail!(
            "the bot sent requests outside Discord's API description:\n{}",
            problems.join("\n")
        );
    }
    if crate::sandbox::openapi::default_path().is_some() {
        writeln!(
            t.out,
            "\nEvery one of the bot's {} REST calls matched Discord's API description.",
            sb.rest_log().len()
        )?;
    } else {
        writeln!(
            t.out,
            "\nThe bot made {} REST calls; they were not checked against Discord's API description \
             (set GOVBOT_DISCORD_OPENAPI to its openapi.json to check them).",
            sb.rest_log().len()
        )?;
    }
    Ok(())
}
