//! Group kinds and their creation templates, with validation that names every problem at once.
//!
//! The spec's IG template asks for facilitators, optional maintainers, IGs with similar goals,
//! how this IG differs from them, and a first topic; the WG template asks for facilitators,
//! optional maintainers, an explanation of interest or use cases, and a first Issue/PR/SEP.
//! Both also need the group's name.

use super::ids::MemberId;
use super::items::ItemRef;
use super::names::{name_problem, normalize_name, text_has_invisible};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum GroupKind {
    #[serde(rename = "IG")]
    Ig,
    #[serde(rename = "WG")]
    Wg,
}

impl GroupKind {
    pub fn code(self) -> &'static str {
        match self {
            GroupKind::Ig => "IG",
            GroupKind::Wg => "WG",
        }
    }
    pub fn long_name(self) -> &'static str {
        match self {
            GroupKind::Ig => "Interest Group",
            GroupKind::Wg => "Working Group",
        }
    }
    /// The fields of this kind's template, in the order people fill them in.
    pub fn fields(self) -> &'static [Field] {
        match self {
            GroupKind::Ig => &[
                Field::Name,
                Field::Facilitators,
                Field::Maintainers,
                Field::SimilarGroups,
                Field::Differentiation,
                Field::FirstTopic,
            ],
            GroupKind::Wg => &[
                Field::Name,
                Field::Facilitators,
                Field::Maintainers,
                Field::UseCases,
                Field::FirstItem,
            ],
        }
    }
}

impl fmt::Display for GroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for GroupKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ig" | "interest group" => Ok(GroupKind::Ig),
            "wg" | "working group" => Ok(GroupKind::Wg),
            _ => Err(format!("unknown group kind {s:?}: use IG or WG")),
        }
    }
}

/// One field of a creation template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Name,
    Facilitators,
    Maintainers,
    SimilarGroups,
    Differentiation,
    FirstTopic,
    UseCases,
    FirstItem,
}

impl Field {
    /// Whether the field is a free-text answer (not the name or the people).
    pub fn is_text(self) -> bool {
        !matches!(self, Field::Name | Field::Facilitators | Field::Maintainers)
    }

    /// A stable identifier, used as the input's id in the proposal modal.
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Facilitators => "facilitators",
            Field::Maintainers => "maintainers",
            Field::SimilarGroups => "similar_groups",
            Field::Differentiation => "differentiation",
            Field::FirstTopic => "first_topic",
            Field::UseCases => "use_cases",
            Field::FirstItem => "first_item",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        [
            Field::Name,
            Field::Facilitators,
            Field::Maintainers,
            Field::SimilarGroups,
            Field::Differentiation,
            Field::FirstTopic,
            Field::UseCases,
            Field::FirstItem,
        ]
        .into_iter()
        .find(|f| f.key() == key)
    }

    /// The label a person sees, worded as in the spec's template.
    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Facilitators => "Facilitator(s)",
            Field::Maintainers => "Maintainer(s) (optional)",
            Field::SimilarGroups => "IGs with potentially similar goals/discussions",
            Field::Differentiation => "How this IG differentiates itself from the related IGs",
            Field::FirstTopic => "First topic to discuss within the IG",
            Field::UseCases => "Explanation of interest/use cases",
            Field::FirstItem => "First Issue/PR/SEP that the WG will work on",
        }
    }

    /// The label on the `/group propose` form: the same question, rephrased by hand to fit
    /// [`MAX_FORM_LABEL`] (a cut label reads as a mistake).
    pub fn form_label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Facilitators => "Facilitators",
            Field::Maintainers => "Maintainers (optional)",
            Field::SimilarGroups => "IGs with similar goals or discussions",
            Field::Differentiation => "How this IG differs from those IGs",
            Field::FirstTopic => "First topic to discuss in the IG",
            Field::UseCases => "Interest and use cases",
            Field::FirstItem => "First Issue, PR or SEP the WG will work on",
        }
    }
}

/// The longest label Discord shows on a form (a modal's title and each text input's label).
pub const MAX_FORM_LABEL: usize = 45;

/// Discord's limit for an embed field value, so every answer fits on the proposal's card.
pub const MAX_TEXT_CHARS: usize = 1024;
pub const MAX_PEOPLE: usize = 10;

/// The kind-specific answers of a valid template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Details {
    #[serde(rename = "IG")]
    Ig {
        similar_groups: String,
        differentiation: String,
        first_topic: String,
    },
    #[serde(rename = "WG")]
    Wg {
        use_cases: String,
        first_item: ItemRef,
        /// Every other reference in the same answer: all are tracked.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        more_items: Vec<ItemRef>,
        /// The first item as the proposer wrote it, e.g. `SEP-1686: Tasks`.
        first_item_text: String,
    },
}

/// A creation template that passed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub facilitators: Vec<MemberId>,
    pub maintainers: Vec<MemberId>,
    pub details: Details,
}

impl Template {
    pub fn kind(&self) -> GroupKind {
        match self.details {
            Details::Ig { .. } => GroupKind::Ig,
            Details::Wg { .. } => GroupKind::Wg,
        }
    }

    /// The answers in template order, as `(field, text)`, for cards and exports.
    pub fn answers(&self) -> Vec<(Field, String)> {
        match &self.details {
            Details::Ig {
                similar_groups,
                differentiation,
                first_topic,
            } => vec![
                (Field::SimilarGroups, similar_groups.clone()),
                (Field::Differentiation, differentiation.clone()),
                (Field::FirstTopic, first_topic.clone()),
            ],
            Details::Wg {
                use_cases,
                first_item_text,
                ..
            } => vec![
                (Field::UseCases, use_cases.clone()),
                (Field::FirstItem, first_item_text.clone()),
            ],
        }
    }
}

/// A template as submitted, before validation: any field may be missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateDraft {
    pub kind: GroupKind,
    pub name: Option<String>,
    pub facilitators: Vec<MemberId>,
    pub maintainers: Vec<MemberId>,
    pub texts: BTreeMap<Field, String>,
}

impl TemplateDraft {
    pub fn new(kind: GroupKind) -> Self {
        TemplateDraft {
            kind,
            name: None,
            facilitators: Vec::new(),
            maintainers: Vec::new(),
            texts: BTreeMap::new(),
        }
    }
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    pub fn facilitator(mut self, id: MemberId) -> Self {
        self.facilitators.push(id);
        self
    }
    pub fn maintainer(mut self, id: MemberId) -> Self {
        self.maintainers.push(id);
        self
    }
    pub fn field(mut self, field: Field, text: impl Into<String>) -> Self {
        self.texts.insert(field, text.into());
        self
    }

    /// Checks every field and reports every problem together, so a proposer fixes them in one go.
    pub fn validate(&self) -> Result<Template, TemplateErrors> {
        let mut problems = Vec::new();
        let mut report = |field, problem: String| problems.push(FieldProblem { field, problem });

        let name = match self.name.as_deref() {
            None => {
                report(Field::Name, "is missing".into());
                String::new()
            }
            Some(raw) => {
                if let Some(p) = name_problem(raw) {
                    report(Field::Name, p);
                }
                normalize_name(raw)
            }
        };
        people_problems(Field::Facilitators, &self.facilitators, 1, &mut report);
        people_problems(Field::Maintainers, &self.maintainers, 0, &mut report);
        if let Some(both) = self
            .facilitators
            .iter()
            .find(|f| self.maintainers.contains(f))
        {
            report(
                Field::Maintainers,
                format!("{both} is listed as both facilitator and maintainer; keep one"),
            );
        }

        for field in self.kind.fields() {
            if matches!(
                field,
                Field::Name | Field::Facilitators | Field::Maintainers
            ) {
                continue;
            }
            match self.texts.get(field).map(|t| t.trim()) {
                None | Some("") => report(*field, "is missing".into()),
                Some(t) => {
                    if let Some(p) = text_problem(t) {
                        report(*field, p);
                    }
                }
            }
        }
        for field in self.texts.keys() {
            if !self.kind.fields().contains(field) {
                report(
                    *field,
                    format!("is not part of the {} template", self.kind.long_name()),
                );
            }
        }
        let mut items = Vec::new();
        if self.kind == GroupKind::Wg {
            let text = self.text(Field::FirstItem);
            let found = ItemRef::all_in(&text);
            if found.is_empty() && !text.is_empty() {
                report(
                    Field::FirstItem,
                    "names no Issue, PR or SEP; give its URL (https://github.com/…/issues/12), \
                     write SEP-123, or `manual: <link>` for something govbot cannot read"
                        .into(),
                );
            }
            for reference in found {
                match reference {
                    Ok(item) => items.push(item),
                    Err(refused) => report(Field::FirstItem, refused.to_string()),
                }
            }
        }
        let mut items = items.into_iter();
        let first_item = items.next();

        if !problems.is_empty() {
            return Err(TemplateErrors {
                kind: self.kind,
                problems,
            });
        }
        let details = match (self.kind, first_item) {
            (GroupKind::Ig, _) => Details::Ig {
                similar_groups: self.text(Field::SimilarGroups),
                differentiation: self.text(Field::Differentiation),
                first_topic: self.text(Field::FirstTopic),
            },
            (GroupKind::Wg, Some(first_item)) => Details::Wg {
                use_cases: self.text(Field::UseCases),
                first_item,
                more_items: items.collect(),
                first_item_text: self.text(Field::FirstItem),
            },
            (GroupKind::Wg, None) => unreachable!("a WG without a first item was reported above"),
        };
        Ok(Template {
            name,
            facilitators: self.facilitators.clone(),
            maintainers: self.maintainers.clone(),
            details,
        })
    }

    fn text(&self, field: Field) -> String {
        self.texts
            .get(&field)
            .map(|t| t.trim().to_string())
            .unwrap_or_default()
    }
}

fn text_problem(text: &str) -> Option<String> {
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Some(format!(
            "is {chars} characters long; keep it to {MAX_TEXT_CHARS} or fewer (link to a document for more)"
        ));
    }
    if text_has_invisible(text) {
        return Some("contains invisible or control characters; type it as plain text".into());
    }
    None
}

fn people_problems(
    field: Field,
    people: &[MemberId],
    min: usize,
    report: &mut impl FnMut(Field, String),
) {
    if people.len() < min {
        report(
            field,
            "is missing; mention at least one person, e.g. @alice".into(),
        );
    }
    if people.len() > MAX_PEOPLE {
        report(
            field,
            format!("lists {} people; name at most {MAX_PEOPLE}", people.len()),
        );
    }
    for (i, p) in people.iter().enumerate() {
        if people[..i].contains(p) {
            report(field, format!("lists {p} twice"));
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: Field,
    pub problem: String,
}

impl fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field.label(), self.problem)
    }
}

/// Every problem found in one template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TemplateErrors {
    pub kind: GroupKind,
    pub problems: Vec<FieldProblem>,
}

impl fmt::Display for TemplateErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} template has {} problem{}:",
            self.kind.long_name(),
            self.problems.len(),
            if self.problems.len() == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n- {p}")?;
        }
        Ok(())
    }
}
