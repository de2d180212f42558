//! Votes on Discord: calling one, ballots by button and by reaction (equivalent), and reconciling
//! the reactions added or removed while govbot was down (for every open vote at once, see
//! [`super::reconcile`]). The vote message itself, its tally and
//! its close are shown by the outbox ([`super::outbox`]) from the audit log.

use super::component_id::ComponentId;
use super::data::Data;
use super::messages::notices::{self, emoji_of};
use super::messages::output;
use super::messages::render::Rendered;
use crate::governance::{
    Acting, Actor, Choice, Command, GovernanceError, Group, MemberId, Role, Timestamp, Vote,
};
use crate::store::{Executed, GroupId, StoreError, Target, Trigger};
use anyhow::Result;
use serenity::all::{
    ButtonStyle, ChannelId, ComponentInteraction, Context, CreateActionRow, CreateButton,
    CreateInteractionResponse, GuildId, Http, Message, MessageId, ReactionType, UserId,
};
use std::collections::BTreeSet;

/// The purpose under which a vote's message is remembered: one per vote, by its opening time, so
/// a reversal vote later gets its own message.
pub fn vote_purpose(v: &Vote) -> String {
    format!("vote:{}", v.opened_at.timestamp_millis())
}

/// A ballot button's custom id names the group, the vote (its opening instant, in
/// milliseconds) and the choice, so a click on an earlier vote's button can never count in a
/// later vote of the same group.
pub fn ballot_button(id: GroupId, v: &Vote, c: Choice) -> String {
    ComponentId::Ballot {
        group: id,
        vote: Some(v.opened_at),
        choice: c,
    }
    .to_string()
}

/// What a ballot button stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BallotButton {
    pub group: GroupId,
    /// The vote's opening instant; `None` on buttons posted before ids named the vote, which
    /// are bound to the vote whose message they are on.
    pub vote: Option<Timestamp>,
    pub choice: Choice,
}

pub fn parse_ballot_button(custom_id: &str) -> Option<BallotButton> {
    match ComponentId::parse(custom_id)? {
        ComponentId::Ballot {
            group,
            vote,
            choice,
        } => Some(BallotButton {
            group,
            vote,
            choice,
        }),
        _ => None,
    }
}

/// Approve / Reject / Abstain, disabled once the vote is over.
pub fn ballot_buttons(id: GroupId, v: &Vote, open: bool) -> Vec<CreateActionRow> {
    let b = |c: Choice, label: &str, style: ButtonStyle| {
        CreateButton::new(ballot_button(id, v, c))
            .label(label)
            .style(style)
            .disabled(!open)
    };
    vec![CreateActionRow::Buttons(vec![
        b(Choice::Yes, "Approve", ButtonStyle::Success),
        b(Choice::No, "Reject", ButtonStyle::Danger),
        b(Choice::Abstain, "Abstain", ButtonStyle::Secondary),
    ])]
}

pub fn choice_of(data: &Data, emoji: &str) -> Option<Choice> {
    [Choice::Yes, Choice::No, Choice::Abstain]
        .into_iter()
        .find(|c| emoji_of(&data.config.vote_reactions, *c) == emoji)
}

/// The members holding the moderator role now, read from the guild's member list (paged, as
/// Discord gives at most 1,000 members a page); bots are not members of an electorate.
pub async fn moderators(http: &Http, data: &Data) -> Result<BTreeSet<MemberId>> {
    let guild = GuildId::new(data.config.guild_id);
    let role = serenity::all::RoleId::new(data.config.roles.moderator);
    let mut out = BTreeSet::new();
    let mut after: Option<UserId> = None;
    loop {
        let page = guild.members(http, Some(1000), after).await?;
        for m in &page {
            if !m.user.bot && m.roles.contains(&role) {
                out.insert(MemberId(m.user.id.get()));
            }
        }
        match page.last() {
            Some(last) if page.len() == 1000 => after = Some(last.user.id),
            _ => return Ok(out),
        }
    }
}

/// Opens the creation vote on `id` (the command and the announcement's button), or a reversal
/// vote when `reversal` gives its reason. Returns what to tell the caller.
pub async fn call(
    http: &Http,
    data: &Data,
    actor: &Actor,
    id: GroupId,
    reversal: Option<&str>,
    trigger: Option<&Trigger>,
) -> Result<Rendered> {
    if !actor.has(Role::Moderator) {
        let e = GovernanceError::Forbidden {
            action: if reversal.is_some() {
                "start a reversal vote"
            } else {
                "call a vote"
            },
            allowed: "community moderators",
        };
        return Ok(super::messages::views::error(&e.to_string(), None)?);
    }
    let electorate =
        match moderators(http, data).await {
            Ok(e) => e,
            Err(e) => {
                tracing::error!("reading the member list for an electorate failed: {e:#}");
                return Ok(super::messages::views::error(
                "govbot cannot read the server's member list to find the moderators, so no vote \
                 was opened",
                Some("An administrator must enable the Server Members intent on the bot's page in \
                      Discord's developer portal; then try again."),
            )?);
            }
        };
    let command = match reversal {
        Some(reason) => Command::StartReversal {
            reason: reason.to_owned(),
            electorate,
        },
        None => Command::CallVote { electorate },
    };
    let gov = Acting::new(actor, data.now(), data.policy());
    match data
        .store
        .execute(Target::Group(id), &command, &gov, trigger)
        .await
    {
        Ok(done) => match done.group.vote.as_ref() {
            Some(v) => Ok(notices::vote_called(
                id,
                &done.group,
                v,
                data.config.channels.moderators,
            )?),
            None => Err(StoreError::Corrupt("a vote opened without a vote".into()).into()),
        },
        Err(e) if e.is_user_facing() => Ok(super::messages::views::error(&e.user_message(), None)?),
        Err(e) => Err(e.into()),
    }
}

/// How long a ballot may take to be decided before its click is acknowledged first (deferred)
/// and answered after. Discord refuses a first answer later than 3 seconds after the interaction
/// was created ("Receiving and Responding": "you must send an initial response within 3
/// seconds"), and part of that goes to the gateway's delivery; a second is well inside it. A
/// ballot is normally decided in a few milliseconds and answered in one call.
const ANSWER_AT_ONCE_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);

/// A click on Approve / Reject / Abstain. The interaction is recorded in the ballot's own
/// transaction, so a repeated delivery neither counts twice nor answers twice. The ballot counts
/// only in the vote the button belongs to, and only while that vote runs.
///
/// The answer is one call when the ballot is decided within [`ANSWER_AT_ONCE_WITHIN`]; a ballot
/// that waits longer on the database's lock is acknowledged at that point and answered once
/// decided, so a stall never turns into Discord's "interaction failed" for a ballot that was in
/// fact recorded.
pub async fn on_ballot_button(
    ctx: &Context,
    data: &Data,
    c: &ComponentInteraction,
    button: BallotButton,
) -> Result<()> {
    let decided = decide_ballot(data, c, &button);
    tokio::pin!(decided);
    let (decided, deferred) = tokio::select! {
        d = &mut decided => (d, false),
        _ = tokio::time::sleep(ANSWER_AT_ONCE_WITHIN) => {
            if let Err(e) = c.defer_ephemeral(ctx).await {
                tracing::warn!(interaction = c.id.get(), "could not acknowledge a slow ballot: {e}");
            }
            (decided.await, true)
        }
    };
    let (answer, done, failure) = match decided {
        // A repeated delivery of a click already recorded: the first delivery answers.
        Ok(None) => return Ok(()),
        Ok(Some((answer, done))) => (answer, done, None),
        // Not left unanswered ("interaction failed"): the voter is told to try again, and the
        // error goes to the log.
        Err(e) => (
            super::messages::views::error(
                "Your ballot could not be recorded (an internal error, logged for the \
                 operators). Please try again in a moment.",
                None,
            )?,
            None,
            Some(e),
        ),
    };
    if deferred {
        c.edit_response(ctx, output::edit_reply(&answer)).await?;
    } else {
        c.create_response(
            ctx,
            CreateInteractionResponse::Message(output::reply(&answer, true)),
        )
        .await?;
    }
    if let Some(done) = done {
        clear_other_reaction(ctx, data, &done, MemberId(c.user.id.get()), button.choice).await;
    }
    failure.map_or(Ok(()), Err)
}

/// Records the ballot of a click, and what to answer: `None` for a click already recorded; the
/// decision beside the answer when the ballot counted.
async fn decide_ballot(
    data: &Data,
    c: &ComponentInteraction,
    button: &BallotButton,
) -> Result<Option<(Rendered, Option<Executed>)>> {
    let id = button.group;
    let vote = match button.vote {
        Some(vote) => Some(vote),
        None => vote_of_message(data, id, c.message.id.get()).await?,
    };
    let Some(vote) = vote else {
        let over = GovernanceError::VoteOver {
            opened_at: c.message.timestamp.to_utc(),
        };
        return Ok(Some((
            super::messages::views::error(&over.to_string(), None)?,
            None,
        )));
    };
    let actor = Actor::member(MemberId(c.user.id.get()), []);
    let gov = Acting::new(&actor, data.now(), data.policy());
    let command = Command::BallotOn {
        vote,
        choice: Some(button.choice),
    };
    let trigger = Trigger::Interaction(c.id.get());
    match data
        .store
        .execute(Target::Group(id), &command, &gov, Some(&trigger))
        .await
    {
        Ok(done) => {
            let Some(v) = done.group.vote.as_ref() else {
                return Err(StoreError::Corrupt("a ballot without a vote".into()).into());
            };
            let answer = notices::ballot_recorded(id, &done.group, v, Some(button.choice))?;
            Ok(Some((answer, Some(done))))
        }
        Err(StoreError::Duplicate(_)) => Ok(None),
        Err(e) if e.is_user_facing() => Ok(Some((
            super::messages::views::error(&e.user_message(), None)?,
            None,
        ))),
        Err(e) => Err(e.into()),
    }
}

/// The vote whose message `message` is (its opening instant), if it is one of `id`'s votes.
async fn vote_of_message(data: &Data, id: GroupId, message: u64) -> Result<Option<Timestamp>> {
    Ok(data
        .store
        .group_of_message(message)
        .await?
        .filter(|(group, _)| *group == id)
        .and_then(|(_, purpose)| {
            let ms = purpose.strip_prefix("vote:")?.parse().ok()?;
            chrono::DateTime::from_timestamp_millis(ms)
        }))
}

/// After a ballot that replaces another, the reaction for the other choice would contradict it on
/// the message: it is removed (its removal event then finds it is not the standing ballot and
/// changes nothing).
async fn clear_other_reaction(
    http: impl AsRef<Http>,
    data: &Data,
    done: &Executed,
    voter: MemberId,
    choice: Choice,
) {
    let Some(v) = done.group.vote.as_ref() else {
        return;
    };
    let before = done.ballots_before.choice_of(v, voter);
    let Some(previous) = before.filter(|p| *p != choice) else {
        return;
    };
    let Ok(Some((channel, message))) = data.store.group_message(done.id, &vote_purpose(v)).await
    else {
        return;
    };
    let emoji = emoji_of(&data.config.vote_reactions, previous);
    remove_reaction(http.as_ref(), data, channel, message, voter.0, emoji).await;
}

/// Removes `user`'s `emoji` reaction from a message; a failure is logged (the ballot stands).
async fn remove_reaction(
    http: &Http,
    data: &Data,
    channel: u64,
    message: u64,
    user: u64,
    emoji: &str,
) {
    data.paces.reactions.turn(channel).await;
    let r = ChannelId::new(channel)
        .delete_reaction(
            http,
            MessageId::new(message),
            Some(UserId::new(user)),
            ReactionType::Unicode(emoji.to_owned()),
        )
        .await;
    if let Err(e) = r {
        tracing::warn!(message, user, "could not remove a reaction: {e}");
    }
}

/// A reaction added to or removed from a message govbot posted. On a vote message a voting
/// reaction is a ballot: adding casts it, removing withdraws it if it is the standing ballot.
/// Reactions from people outside the electorate, or after the close, are removed.
pub async fn on_reaction(
    http: &Http,
    data: &Data,
    channel: u64,
    message: u64,
    user: u64,
    emoji: &str,
    added: bool,
) -> Result<()> {
    if user == data.bot_user {
        return Ok(());
    }
    let Some((id, purpose)) = data.store.group_of_message(message).await? else {
        return Ok(());
    };
    let Some(choice) = choice_of(data, emoji) else {
        return Ok(());
    };
    let stored = data.store.group(id).await?;
    let Some(vote) = stored
        .group
        .vote
        .as_ref()
        .filter(|v| vote_purpose(v) == purpose)
    else {
        return Ok(());
    };
    let voter = MemberId(user);
    let trigger = Trigger::Reaction {
        message,
        user,
        emoji: emoji.to_owned(),
        added,
    };
    if !added {
        let standing = data.store.standing_of(id, vote, voter).await?;
        if standing != Some(choice) || !vote.is_open_at(data.now()) {
            // Not the standing ballot (replaced, or cleared by govbot): nothing to withdraw, but
            // the same reaction added again later must count.
            data.store.claim(&trigger, data.now()).await?;
            return Ok(());
        }
        return ballot(data, id, vote, voter, None, &trigger)
            .await
            .map(|_| ());
    }
    if !vote.electorate.contains(&voter) {
        tracing::info!(group = %id, user, "removing a reaction from outside the electorate");
        remove_reaction(http, data, channel, message, user, emoji).await;
        return Ok(());
    }
    match ballot(data, id, vote, voter, Some(choice), &trigger).await? {
        Some(Ok(done)) => clear_other_reaction(http, data, &done, voter, choice).await,
        Some(Err(e)) => {
            tracing::info!(group = %id, user, "a reaction ballot was refused: {e}");
            remove_reaction(http, data, channel, message, user, emoji).await;
        }
        None => {}
    }
    Ok(())
}

/// Casts (or with `None` withdraws) a ballot. `Ok(None)` for a repeated trigger; a refusal the
/// voter caused comes back inside, as the governance error.
async fn ballot(
    data: &Data,
    id: GroupId,
    vote: &Vote,
    voter: MemberId,
    choice: Option<Choice>,
    trigger: &Trigger,
) -> Result<Option<std::result::Result<Executed, StoreError>>> {
    let actor = Actor::member(voter, []);
    let gov = Acting::new(&actor, data.now(), data.policy());
    let command = Command::BallotOn {
        vote: vote.opened_at,
        choice,
    };
    match data
        .store
        .execute(Target::Group(id), &command, &gov, Some(trigger))
        .await
    {
        Err(StoreError::Duplicate(_)) => Ok(None),
        Err(e) if e.is_user_facing() => Ok(Some(Err(e))),
        Err(e) => Err(e.into()),
        Ok(done) => Ok(Some(Ok(done))),
    }
}

/// Compares the reactions on one vote's message with what was recorded and handles the
/// difference like live reactions, right after the message is first recorded (a reaction that came
/// between posting and recording it found no vote yet): one GET of the message, and its reaction
/// users only for an emoji whose count differs (see [`reconcile_reactions`]).
pub async fn reconcile_vote(http: &Http, data: &Data, id: GroupId, g: &Group) -> Result<usize> {
    let Some(vote) = g.running_vote() else {
        return Ok(0);
    };
    let Some((channel, message)) = data.store.group_message(id, &vote_purpose(vote)).await? else {
        return Ok(0);
    };
    let m = http
        .get_message(ChannelId::new(channel), MessageId::new(message))
        .await?;
    reconcile_reactions(http, data, id, vote, &m).await
}

/// How many people (besides govbot) have `c`'s reaction on `m`, from the message alone.
fn reaction_count(data: &Data, m: &Message, c: Choice) -> u64 {
    let emoji = emoji_of(&data.config.vote_reactions, c);
    m.reactions
        .iter()
        .find(|r| matches!(&r.reaction_type, ReactionType::Unicode(e) if e == emoji))
        .map_or(0, |r| {
            r.count_details.normal.saturating_sub(u64::from(r.me))
        })
}

/// Compares the reactions on `m`, one of `id`'s vote message as just read from Discord, with the
/// reactions govbot handled, and handles the difference like live reactions: a reaction added
/// while govbot could not see it is a ballot, one removed withdraws it. The message's reaction
/// counts say which emoji differ; only their users are read (pages of 100). Returns the reactions
/// handled.
///
/// Counts cannot see two changes that cancel out on the same emoji while govbot was away (one
/// person's reaction removed and another's added): the price of one call per vote. The next
/// change to that emoji's count, or a live reaction, brings it back in line.
pub async fn reconcile_reactions(
    http: &Http,
    data: &Data,
    id: GroupId,
    vote: &Vote,
    m: &Message,
) -> Result<usize> {
    let (channel, message) = (m.channel_id.get(), m.id.get());
    let mut handled = 0;
    for c in [Choice::Yes, Choice::No, Choice::Abstain] {
        let emoji = emoji_of(&data.config.vote_reactions, c).to_owned();
        let known = data.store.reaction_adds(message, &emoji).await?;
        if known.len() as u64 == reaction_count(data, m, c) {
            continue;
        }
        tracing::info!(group = %id, emoji, "the vote message's reactions changed unseen; reading them");
        let mut present = BTreeSet::new();
        let mut after: Option<UserId> = None;
        loop {
            let users = ChannelId::new(channel)
                .reaction_users(
                    http,
                    MessageId::new(message),
                    ReactionType::Unicode(emoji.clone()),
                    Some(100),
                    after,
                )
                .await?;
            present.extend(
                users
                    .iter()
                    .map(|u| u.id.get())
                    .filter(|u| *u != data.bot_user),
            );
            match users.last() {
                Some(last) if users.len() == 100 => after = Some(last.id),
                _ => break,
            }
        }
        for user in present.difference(&known) {
            on_reaction(http, data, channel, message, *user, &emoji, true).await?;
            handled += 1;
        }
        for user in known.difference(&present) {
            on_reaction(http, data, channel, message, *user, &emoji, false).await?;
            handled += 1;
        }
    }
    if handled > 0 {
        tracing::info!(group = %id, handled, opened_at = %vote.opened_at, "vote reactions reconciled");
    }
    Ok(handled)
}
