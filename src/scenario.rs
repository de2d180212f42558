//! `govbot sandbox`: the real bot and the local Discord stand-in in one process, playing a scripted
//! scenario and printing the conversation as a transcript. It needs no token and no network.

use crate::discord::component_id::ComponentId;
use crate::harness::{Harness, WAIT};
use crate::report;
use crate::store::GroupId;
use anyhow::{bail, Context as _, Result};
use discord_standin::Interaction;
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
    let all: Vec<Value> = m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect();
    let mut labels: Vec<String> = all
        .iter()
        .filter_map(|c| c["label"].as_str().map(|l| format!("[{l}]")))
        .collect();
    if !labels.is_empty() && all.iter().all(|c| c["disabled"] == true) {
        labels.push("(disabled)".to_string());
    }
    labels
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
            .or_else(|| {
                self.h
                    .sandbox
                    .channels()
                    .into_iter()
                    .find(|c| c["id"] == json!(id.to_string()))
                    .and_then(|c| c["name"].as_str().map(str::to_string))
            })
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

fn custom_ids(m: &Value) -> Vec<String> {
    m["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .collect()
}

/// Polls `check` until it gives a value, for at most [`WAIT`]: a bounded wait for the bot to act,
/// never a sleep for time to pass (the governance clock only moves when the script moves it).
async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> Result<T> {
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = check() {
            return Ok(v);
        }
        if start.elapsed() >= WAIT {
            bail!("timed out waiting for {what}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// The bot's private answer to `i`, following a deferral to the edited original response.
async fn answer(h: &Harness, i: &Interaction) -> Result<Value> {
    let r = h.sandbox.wait_response(i, WAIT).await?;
    if r.kind != 5 {
        return Ok(r.data);
    }
    eventually("the deferred answer", || {
        h.sandbox
            .original_message(i)
            .filter(|m| !message_text(m).trim().is_empty())
    })
    .await
}

/// `user` clicks `custom_id` on `message` in `channel`; returns the bot's private answer.
async fn click(
    h: &Harness,
    user: &str,
    channel: u64,
    message: &Value,
    custom_id: &str,
) -> Result<Value> {
    let i = h
        .sandbox
        .try_click_button(h.user(user), channel, id_of(message), custom_id)
        .await?;
    answer(h, &i).await
}

/// Proposal #1 goes to a moderator vote, is approved, and its channel opens when the window ends.
async fn vote(h: &Harness, t: &mut Transcript<'_>) -> Result<u64> {
    let sb = &h.sandbox;
    let moderators = h.channel("community-moderators");
    let id = 1;
    let call = ComponentId::CallVote(GroupId(id)).to_string();
    let is_yes = |c: &str| {
        crate::discord::votes::parse_ballot_button(c)
            .is_some_and(|b| b.group.0 == id && b.choice == crate::governance::Choice::Yes)
    };
    let vote_message = |pred: fn(&str) -> bool| {
        sb.wait_message(
            moderators,
            move |m| custom_ids(m).iter().any(|c| is_yes(c)) && pred(&message_text(m)),
            WAIT,
        )
    };

    t.heading("A moderator calls a vote on proposal #1")?;
    let announcement = sb
        .wait_message(moderators, |m| custom_ids(m).contains(&call), WAIT)
        .await
        .context("waiting for proposal #1's announcement")?;
    writeln!(
        t.out,
        "
[#community-moderators] mod-ana clicks [Call vote] on the announcement of proposal #1"
    )?;
    let said = click(h, "mod-ana", moderators, &announcement, &call).await?;
    t.private("mod-ana", &said)?;
    let vote = vote_message(|_| true)
        .await
        .context("waiting for the vote message")?;
    t.bot(moderators, &vote, " (the vote)")?;

    t.heading("Moderators vote; a non-moderator cannot")?;
    writeln!(
        t.out,
        "
[#community-moderators] mod-ana clicks [Approve]"
    )?;
    let yes = custom_ids(&vote)
        .into_iter()
        .find(|c| is_yes(c))
        .context("the vote message has no Approve button")?;
    let said = click(h, "mod-ana", moderators, &vote, &yes).await?;
    t.private("mod-ana", &said)?;
    writeln!(
        t.out,
        "
[#community-moderators] mod-ben reacts ✅ to the vote"
    )?;
    sb.add_reaction(h.user("mod-ben"), moderators, id_of(&vote), "✅")
        .await;
    // The channel is private: of those outside the vote, only the maintainers see it.
    writeln!(
        t.out,
        "
[#community-moderators] core-kim (a core maintainer, who can read the moderators' channel) reacts ✅ to the vote"
    )?;
    let kim = h.user("core-kim");
    sb.add_reaction(kim, moderators, id_of(&vote), "✅").await;
    eventually("core-kim's reaction to be removed", || {
        let r = sb.reactions(moderators, id_of(&vote));
        (!r.iter().any(|(_, users)| users.contains(&kim))).then_some(())
    })
    .await?;
    writeln!(
        t.out,
        "[govbot removes core-kim's reaction: not a moderator]"
    )?;
    writeln!(
        t.out,
        "
[#community-moderators] core-kim clicks [Approve]"
    )?;
    let said = click(h, "core-kim", moderators, &vote, &yes).await?;
    t.private("core-kim", &said)?;
    let vote = vote_message(|text| text.contains("2 approve"))
        .await
        .context("waiting for the tally to show 2 approve")?;
    t.bot(moderators, &vote, " (the vote, edited)")?;

    t.heading("72 hours pass: the vote closes")?;
    h.clock.advance(chrono::Duration::hours(72));
    writeln!(
        t.out,
        "
[the sandbox moves its clock 72 hours ahead, past the vote's window]"
    )?;
    let closed = vote_message(|text| text.contains("Result:** approved"))
        .await
        .context("waiting for the vote's result")?;
    t.bot(moderators, &closed, " (the vote, edited)")?;
    let result = sb
        .wait_message(
            moderators,
            |m| {
                id_of(m) != id_of(&closed)
                    && message_text(m).contains("Vote closed")
                    && message_text(m).contains("approved")
            },
            WAIT,
        )
        .await
        .context("waiting for the vote's result post")?;
    t.bot(moderators, &result, "")?;

    let categories = [
        h.channel(crate::standard_world::names::WG_CATEGORY),
        h.channel(crate::standard_world::names::IG_CATEGORY),
    ];
    let channel = eventually("the group's new channel", || {
        sb.channels().into_iter().find(|c| {
            let name = c["name"].as_str().unwrap_or_default();
            let parent = c["parent_id"].as_str().and_then(|p| p.parse::<u64>().ok());
            (name.starts_with("wg-") || name.starts_with("ig-"))
                && parent.is_some_and(|p| categories.contains(&p))
        })
    })
    .await?;
    let channel_id: u64 = channel["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("the new channel has no id")?;
    let parent = channel["parent_id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .map(|p| t.channel_name(p))
        .unwrap_or_default();
    writeln!(
        t.out,
        "
[govbot creates the channel #{} in the category {parent}]",
        channel["name"].as_str().unwrap_or_default()
    )?;
    let opening = sb
        .wait_message(channel_id, |m| !message_text(m).trim().is_empty(), WAIT)
        .await
        .context("waiting for the new channel's opening message")?;
    t.bot(channel_id, &opening, "")?;
    let announcements = h.channel("announcements");
    let news = sb
        .wait_message(
            announcements,
            |m| message_text(m).contains(&format!("<#{channel_id}>")),
            WAIT,
        )
        .await
        .context("waiting for the announcement of the new group")?;
    t.bot(announcements, &news, "")?;
    Ok(channel_id)
}

/// The new WG goes quiet: reminders before the inactivity limit, candidacy, and retirement at the
/// end of the grace period, all from the scheduler as the clock moves.
async fn quiet_wg(h: &Harness, t: &mut Transcript<'_>, channel: u64) -> Result<()> {
    let sb = &h.sandbox;
    let moderators = h.channel("community-moderators");
    let reminders = |n: usize| {
        eventually("the inactivity reminders", move || {
            let found: Vec<Value> = sb
                .messages(channel)
                .into_iter()
                .filter(|m| message_text(m).contains("becomes a retirement candidate"))
                .collect();
            (found.len() == n).then(|| found[n - 1].clone())
        })
    };
    t.heading("The WG goes quiet")?;
    h.clock.advance(chrono::Duration::days(23));
    writeln!(
        t.out,
        "
[the sandbox moves its clock 23 days ahead: nothing has moved on the WG's items]"
    )?;
    let first = reminders(1).await?;
    t.bot(channel, &first, "")?;
    h.clock.advance(chrono::Duration::days(5));
    writeln!(t.out, "\n[5 more days pass]")?;
    let second = reminders(2).await?;
    t.bot(channel, &second, "")?;

    t.heading("A month without activity: a retirement candidate")?;
    h.clock.advance(chrono::Duration::days(2));
    writeln!(t.out, "\n[2 more days pass: the month is up]")?;
    let candidacy = sb
        .wait_message(
            moderators,
            |m| {
                custom_ids(m)
                    .iter()
                    .any(|c| matches!(ComponentId::parse(c), Some(ComponentId::Keep(_))))
            },
            WAIT,
        )
        .await
        .context("waiting for the candidacy in the moderators' channel")?;
    t.bot(moderators, &candidacy, "")?;
    let in_channel = sb
        .wait_message(
            channel,
            |m| message_text(m).contains("is a retirement candidate"),
            WAIT,
        )
        .await
        .context("waiting for the candidacy in the WG's channel")?;
    t.bot(channel, &in_channel, "")?;

    t.heading("Nobody keeps it: retired after the grace period")?;
    h.clock.advance(chrono::Duration::days(7));
    writeln!(
        t.out,
        "\n[7 days pass without activity or a moderator keeping it]"
    )?;
    let archive = h.channel(crate::standard_world::names::ARCHIVE_CATEGORY);
    eventually("the channel's move to the archive", || {
        sb.channels().into_iter().find(|c| {
            c["id"].as_str() == Some(channel.to_string().as_str())
                && c["parent_id"].as_str() == Some(archive.to_string().as_str())
        })
    })
    .await?;
    let notice = sb
        .wait_message(channel, |m| message_text(m).contains("was retired"), WAIT)
        .await
        .context("waiting for the retirement notice")?;
    t.bot(channel, &notice, "")?;
    writeln!(
        t.out,
        "[govbot moves the channel to the category Archive, read-only; nothing is deleted]"
    )?;
    let announcements = h.channel("announcements");
    let news = sb
        .wait_message(
            announcements,
            |m| message_text(m).contains("was retired"),
            WAIT,
        )
        .await
        .context("waiting for the retirement's announcement")?;
    t.bot(announcements, &news, "")?;
    Ok(())
}

/// Proposal #2 is voted in, so the scenario ends with a live group: `govbot export` on the kept
/// database then has a directory to show.
async fn second_vote(h: &Harness, t: &mut Transcript<'_>) -> Result<()> {
    let sb = &h.sandbox;
    let moderators = h.channel("community-moderators");
    let id = 2;
    let call = ComponentId::CallVote(GroupId(id)).to_string();
    let yes = move |c: &str| {
        crate::discord::votes::parse_ballot_button(c)
            .is_some_and(|b| b.group.0 == id && b.choice == crate::governance::Choice::Yes)
    };

    t.heading("Meanwhile, proposal #2 is voted in")?;
    let announcement = sb
        .wait_message(moderators, |m| custom_ids(m).contains(&call), WAIT)
        .await
        .context("waiting for proposal #2's announcement")?;
    writeln!(
        t.out,
        "\n[#community-moderators] mod-ana clicks [Call vote] on the announcement of proposal #2"
    )?;
    click(h, "mod-ana", moderators, &announcement, &call).await?;
    let vote = sb
        .wait_message(moderators, |m| custom_ids(m).iter().any(|c| yes(c)), WAIT)
        .await
        .context("waiting for proposal #2's vote")?;
    let approve = custom_ids(&vote)
        .into_iter()
        .find(|c| yes(c))
        .context("the vote message has no Approve button")?;
    for moderator in ["mod-ana", "mod-ben"] {
        writeln!(
            t.out,
            "[#community-moderators] {moderator} clicks [Approve]"
        )?;
        click(h, moderator, moderators, &vote, &approve).await?;
    }
    h.clock.advance(chrono::Duration::hours(72));
    writeln!(t.out, "[72 hours pass: the vote closes]")?;
    let announcements = h.channel("announcements");
    let news = sb
        .wait_message(
            announcements,
            |m| message_text(m).contains("Auth in MCP"),
            WAIT,
        )
        .await
        .context("waiting for the announcement of the new IG")?;
    t.bot(announcements, &news, "")?;
    Ok(())
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
    let said = answer(h, &i).await?;
    t.private("carol", &said)?;

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
    let said = answer(h, &i).await?;
    t.private("mod-ana", &said)?;

    t.heading("The audit log of proposal #1 (govbot groups history 1)")?;
    let store = h.store().await?;
    let g = store.group(GroupId(1)).await?;
    let events = store.history(GroupId(1)).await?;
    let names = store.member_names().await?;
    write!(t.out, "{}", report::history(&g, &events, &names))?;

    let channel = vote(h, &mut t).await?;
    quiet_wg(h, &mut t, channel).await?;
    second_vote(h, &mut t).await?;

    let problems = sb.openapi_problems();
    if !problems.is_empty() {
        bail!(
            "the bot sent requests outside Discord's API description:\n{}",
            problems.join("\n")
        );
    }
    writeln!(
        t.out,
        "\nEvery one of the bot's {} REST calls matched Discord's API description.",
        sb.rest_log().len()
    )?;
    Ok(())
}
