//! The governance core's values that store-level tests build directly, without the bot.

use govbot::governance::{Actor, Field, GroupKind, MemberId, Role, Template, TemplateDraft};

pub fn member(id: u64) -> Actor {
    Actor::member(MemberId(id), [])
}

pub fn moderator(id: u64) -> Actor {
    Actor::member(MemberId(id), [Role::Moderator])
}

/// A valid WG template named `name`, facilitated by member 1.
pub fn wg(name: &str) -> Template {
    TemplateDraft::new(GroupKind::Wg)
        .name(name)
        .facilitator(MemberId(1))
        .field(Field::UseCases, "Servers need to be found")
        .field(Field::FirstItem, "SEP-1234")
        .validate()
        .unwrap()
}
