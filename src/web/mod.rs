//! The public record: a read-only web site of the groups and their decisions, served by
//! `govbot run` when `[web] listen` is set (or alone by `govbot web`), and written as static files
//! by `govbot export --format html --output DIR`.
//!
//! Every page is a function of the database alone (never of Discord): [`Site::get`] turns a path
//! into a document, and both the server (`server.rs`) and the export (`export.rs`) go through it,
//! so a served page and an exported file are the same bytes. The pages:
//!
//! | path | what |
//! |---|---|
//! | `index.html`, `index-N.html` | the directory: live IGs and WGs, [`PAGE_SIZE`] a page |
//! | `proposals.html`, `proposals-N.html` | proposals, shown as [`privacy`] allows |
//! | `past.html`, `past-N.html` | groups that were retired or reversed |
//! | `groups/ID.html` | one group: its record, or a proposal's few public facts |
//! | `feed.atom` | the newest decisions (Atom) |
//! | `api/groups.json`, `api/groups-N.json`, `api/groups/ID.json` | the same data as JSON |
//! | `style.css`, `404.html` | the stylesheet and the page for unknown addresses |
//!
//! The server also answers `/`, `/groups/ID`, `/api/groups` and `/api/groups/ID`. What each page
//! shows for each state of a group, and what it never shows, is in `docs/web.md` and
//! [`privacy`].

pub mod export;
pub mod model;
pub mod privacy;
pub mod render;
pub mod server;

use crate::clock::Clock;
use crate::config::Config;
use crate::export::recent_since;
use crate::governance::{GroupState, Timestamp};
use crate::store::{GroupId, ListOrder, Store, StoreError, StoredGroup};
use minijinja::context;
use model::{Listed, Names};
use privacy::{
    AuditHead, Disclosure, OPEN_PROPOSAL_STATES, PAST_STATES, PROPOSAL_STATES, PUBLIC_STATES,
};
use serde::Serialize;
use std::sync::Arc;

/// Groups per page of a list (the directory, proposals, past groups, the JSON list).
pub const PAGE_SIZE: i64 = 100;
/// Decisions in the Atom feed.
pub const FEED_ENTRIES: i64 = 50;
/// The site's title.
pub const TITLE: &str = "Interest Groups and Working Groups";

/// What the site needs besides the database: where channel and item links point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The guild, for links to groups' channels; without it channels are not linked.
    pub guild: Option<u64>,
    /// Where `SEP-n` lives ("owner/repo").
    pub sep_repository: String,
    /// The site's public address (ending in `/`), for the feed's absolute links.
    pub public_url: Option<String>,
}

impl Settings {
    pub fn from_config(cfg: &Config) -> Settings {
        Settings {
            guild: Some(cfg.guild_id),
            sep_repository: cfg.github.clone().unwrap_or_default().sep_repository,
            public_url: cfg.web.as_ref().and_then(|w| w.public_url.clone()),
        }
    }

    /// Without a configuration: no channel links, SEPs in the default repository.
    pub fn standalone() -> Settings {
        Settings {
            guild: None,
            sep_repository: crate::config::GitHub::default().sep_repository,
            public_url: None,
        }
    }
}

/// A page, a feed, a JSON document or the stylesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub content_type: &'static str,
    pub body: String,
}

const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";
const ATOM: &str = "application/atom+xml; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("rendering a page: {0:#}")]
    Render(#[from] minijinja::Error),
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// A path of the site, as [`Site::get`] understands it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Directory(i64),
    Proposals(i64),
    Past(i64),
    Group(GroupId),
    Feed,
    Style,
    ApiList(i64),
    ApiGroup(GroupId),
    NotFound,
}

/// `prefix.html` for page 1, `prefix-N.html` after.
fn paged(prefix: &str, ext: &str, page: i64) -> String {
    if page == 1 {
        format!("{prefix}.{ext}")
    } else {
        format!("{prefix}-{page}.{ext}")
    }
}

/// A positive number written plainly (no sign, no leading zero).
fn number(s: &str) -> Option<i64> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Route {
    /// The route of a request path or file name; `None` for anything the site does not have.
    pub fn parse(path: &str) -> Option<Route> {
        let p = path.strip_prefix('/').unwrap_or(path);
        Some(match p {
            "" | "index.html" => Route::Directory(1),
            "proposals.html" => Route::Proposals(1),
            "past.html" => Route::Past(1),
            "feed.atom" => Route::Feed,
            "style.css" => Route::Style,
            "api/groups" | "api/groups.json" => Route::ApiList(1),
            "404.html" => Route::NotFound,
            _ => {
                let page = |prefix: &str, ext: &str| {
                    p.strip_prefix(prefix)
                        .and_then(|r| r.strip_suffix(ext))
                        .and_then(number)
                        .filter(|n| *n >= 2)
                };
                let group = |prefix: &str, ext: &str| {
                    let rest = p.strip_prefix(prefix)?;
                    number(rest.strip_suffix(ext).unwrap_or(rest)).map(GroupId)
                };
                if let Some(n) = page("index-", ".html") {
                    Route::Directory(n)
                } else if let Some(n) = page("proposals-", ".html") {
                    Route::Proposals(n)
                } else if let Some(n) = page("past-", ".html") {
                    Route::Past(n)
                } else if let Some(n) = page("api/groups-", ".json") {
                    Route::ApiList(n)
                } else if let Some(id) = group("groups/", ".html") {
                    Route::Group(id)
                } else if let Some(id) = group("api/groups/", ".json") {
                    Route::ApiGroup(id)
                } else {
                    return None;
                }
            }
        })
    }

    /// The file this route is written to by the export (and its canonical address).
    pub fn path(self) -> String {
        match self {
            Route::Directory(n) => paged("index", "html", n),
            Route::Proposals(n) => paged("proposals", "html", n),
            Route::Past(n) => paged("past", "html", n),
            Route::Group(id) => model::page_path(id),
            Route::Feed => "feed.atom".to_owned(),
            Route::Style => "style.css".to_owned(),
            Route::ApiList(n) => paged("api/groups", "json", n),
            Route::ApiGroup(id) => model::api_path(id),
            Route::NotFound => "404.html".to_owned(),
        }
    }
}

/// Previous and next pages of a list.
#[derive(Debug, Clone, Serialize)]
struct Pager {
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// One page of a list of groups.
struct GroupPage {
    count: i64,
    pages: i64,
    groups: Vec<StoredGroup>,
}

fn pages_of(count: i64) -> i64 {
    ((count + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
}

fn pager(prefix: &str, ext: &str, page: i64, pages: i64) -> Pager {
    Pager {
        page,
        pages,
        prev: (page > 1).then(|| paged(prefix, ext, page - 1)),
        next: (page < pages).then(|| paged(prefix, ext, page + 1)),
    }
}

/// What every page's frame shows: the title, when it was generated, the audit log's head.
#[derive(Debug, Clone, Serialize)]
struct Frame {
    title: &'static str,
    /// The way back to the site's root from this page ("", "../", or the site's address).
    root: String,
    /// The navigation entry this page belongs to.
    section: &'static str,
    generated_at: Timestamp,
    audit: AuditHead,
}

/// `api/groups.json`: one page of every group, by id; `prev` and `next` are paths from the
/// site's root.
#[derive(Debug, Serialize)]
struct ApiList {
    generated_at: Timestamp,
    audit: AuditHead,
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
    groups: Vec<Listed>,
}

/// The public record over one database.
#[derive(Clone)]
pub struct Site {
    store: Store,
    settings: Arc<Settings>,
    clock: Arc<dyn Clock>,
}

impl Site {
    /// The site over `store` (best opened with [`Store::open_read_only`]), its clock saying
    /// what "now" is for "the last weeks" and "generated at".
    pub fn new(store: Store, settings: Settings, clock: Arc<dyn Clock>) -> Site {
        Site {
            store,
            settings: Arc::new(settings),
            clock,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The document at `path` (a request path or an exported file's name); `None` when the site
    /// has nothing there.
    pub async fn get(&self, path: &str) -> Result<Option<Document>, Error> {
        match Route::parse(path) {
            Some(route) => self.route(route).await,
            None => Ok(None),
        }
    }

    /// The document of `route`; `None` for a page past the last or a group that does not exist.
    pub async fn route(&self, route: Route) -> Result<Option<Document>, Error> {
        match route {
            Route::Directory(n) => self.directory(n).await,
            Route::Proposals(n) => self.proposals(n).await,
            Route::Past(n) => self.past(n).await,
            Route::Group(id) => self.group(id).await,
            Route::Feed => self.feed().await.map(Some),
            Route::Style => Ok(Some(Document {
                content_type: CSS,
                body: render::STYLESHEET.to_owned(),
            })),
            Route::ApiList(n) => self.api_list(n).await,
            Route::ApiGroup(id) => self.api_group(id).await,
            Route::NotFound => self.not_found(0).await.map(Some),
        }
    }

    /// Every file of the site, as the export writes them.
    pub async fn routes(&self) -> Result<Vec<Route>, Error> {
        let live = pages_of(self.store.count_in(&GroupState::LIVE).await?);
        let proposals = pages_of(self.store.count_in(&PROPOSAL_STATES).await?);
        let past = pages_of(self.store.count_in(&PAST_STATES).await?);
        let ids = self.store.group_ids().await?;
        let all = pages_of(ids.len() as i64);
        let mut routes = vec![Route::Style, Route::NotFound, Route::Feed];
        routes.extend((1..=live).map(Route::Directory));
        routes.extend((1..=proposals).map(Route::Proposals));
        routes.extend((1..=past).map(Route::Past));
        routes.extend((1..=all).map(Route::ApiList));
        for id in ids {
            routes.push(Route::Group(id));
            routes.push(Route::ApiGroup(id));
        }
        Ok(routes)
    }

    async fn frame(&self, root: &str, section: &'static str) -> Result<Frame, Error> {
        Ok(Frame {
            title: TITLE,
            root: root.to_owned(),
            section,
            generated_at: self.clock.now(),
            audit: AuditHead::read(&self.store).await?,
        })
    }

    fn html(body: String) -> Document {
        Document {
            content_type: HTML,
            body,
        }
    }

    /// Public groups as the lists show them, with their names and their channels' recent
    /// activity read for these groups only.
    async fn summaries(&self, groups: &[StoredGroup]) -> Result<Vec<model::Summary>, Error> {
        let names = Names(
            self.store
                .names_of(
                    groups
                        .iter()
                        .flat_map(|s| model::members_of_group(&s.group)),
                )
                .await?,
        );
        let ids: Vec<GroupId> = groups.iter().map(|s| s.id).collect();
        let recent = self
            .store
            .activity_of(&ids, recent_since(self.clock.now()))
            .await?;
        Ok(groups
            .iter()
            .map(|s| model::summary(&self.settings, s, &names, recent.get(&s.id), &[]))
            .collect())
    }

    /// Page `page` (from 1) of the groups in `states`, with how many there are and in how many
    /// pages; `None` past the last page.
    async fn group_page(
        &self,
        states: &[GroupState],
        order: ListOrder,
        page: i64,
    ) -> Result<Option<GroupPage>, Error> {
        let count = self.store.count_in(states).await?;
        let pages = pages_of(count);
        if page > pages {
            return Ok(None);
        }
        let groups = self
            .store
            .page_in(states, order, (page - 1) * PAGE_SIZE, PAGE_SIZE)
            .await?;
        Ok(Some(GroupPage {
            count,
            pages,
            groups,
        }))
    }

    async fn directory(&self, page: i64) -> Result<Option<Document>, Error> {
        let Some(GroupPage {
            count,
            pages,
            groups,
        }) = self
            .group_page(&GroupState::LIVE, ListOrder::KindThenName, page)
            .await?
        else {
            return Ok(None);
        };
        let summaries = self.summaries(&groups).await?;
        let (igs, wgs): (Vec<_>, Vec<_>) = summaries.into_iter().partition(|s| s.kind == "IG");
        let body = render::render(
            "directory.html",
            context! {
                site => self.frame("", "directory").await?,
                igs,
                wgs,
                live => count,
                open_proposals => self.store.count_in(&OPEN_PROPOSAL_STATES).await?,
                past => self.store.count_in(&PAST_STATES).await?,
                pager => pager("index", "html", page, pages),
            },
        )?;
        Ok(Some(Self::html(body)))
    }

    async fn proposals(&self, page: i64) -> Result<Option<Document>, Error> {
        let Some(GroupPage {
            count,
            pages,
            groups,
        }) = self
            .group_page(&PROPOSAL_STATES, ListOrder::OpenThenNewest, page)
            .await?
        else {
            return Ok(None);
        };
        let (open, ended): (Vec<_>, Vec<_>) = groups
            .iter()
            .partition(|s| OPEN_PROPOSAL_STATES.contains(&s.group.state));
        let open: Vec<_> = open.into_iter().map(model::proposal).collect();
        let ended: Vec<_> = ended.into_iter().map(model::proposal).collect();
        let body = render::render(
            "proposals.html",
            context! {
                site => self.frame("", "proposals").await?,
                open,
                ended,
                count,
                pager => pager("proposals", "html", page, pages),
            },
        )?;
        Ok(Some(Self::html(body)))
    }

    async fn past(&self, page: i64) -> Result<Option<Document>, Error> {
        let Some(GroupPage {
            count,
            pages,
            groups,
        }) = self
            .group_page(&PAST_STATES, ListOrder::Newest, page)
            .await?
        else {
            return Ok(None);
        };
        let groups = self.summaries(&groups).await?;
        let body = render::render(
            "past.html",
            context! {
                site => self.frame("", "past").await?,
                groups,
                count,
                pager => pager("past", "html", page, pages),
            },
        )?;
        Ok(Some(Self::html(body)))
    }

    async fn stored(&self, id: GroupId) -> Result<Option<StoredGroup>, Error> {
        match self.store.group(id).await {
            Ok(g) => Ok(Some(g)),
            Err(StoreError::UnknownGroup(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A public group's whole record.
    async fn record(&self, s: &StoredGroup) -> Result<model::Record, Error> {
        let events = self.store.history(s.id).await?;
        let names = Names(
            self.store
                .names_of(
                    model::members_of_group(&s.group).chain(
                        events
                            .iter()
                            .flat_map(|e| model::members_of_event(&e.event)),
                    ),
                )
                .await?,
        );
        let now = self.clock.now();
        let since = recent_since(now);
        let recent = self.store.activity_of(&[s.id], since).await?;
        let weeks = match s.group.kind {
            crate::governance::GroupKind::Ig => {
                self.store.weekly_activity(s.id, since, now).await?
            }
            crate::governance::GroupKind::Wg => Vec::new(),
        };
        Ok(model::record(
            &self.settings,
            s,
            &events,
            &names,
            recent.get(&s.id),
            &weeks,
        ))
    }

    async fn group(&self, id: GroupId) -> Result<Option<Document>, Error> {
        let Some(s) = self.stored(id).await? else {
            return Ok(None);
        };
        let body = match Disclosure::of(s.group.state) {
            Disclosure::Public => {
                let record = self.record(&s).await?;
                let section = if s.group.state.is_live_group() {
                    "directory"
                } else {
                    "past"
                };
                render::render(
                    "group.html",
                    context! { site => self.frame("../", section).await?, g => record },
                )?
            }
            Disclosure::Proposal => render::render(
                "proposal.html",
                context! {
                    site => self.frame("../", "proposals").await?,
                    p => model::proposal(&s),
                },
            )?,
        };
        Ok(Some(Self::html(body)))
    }

    async fn feed(&self) -> Result<Document, Error> {
        let events = self
            .store
            .newest_events_of(&model::DECISION_KINDS, FEED_ENTRIES)
            .await?;
        let ids: Vec<GroupId> = events.iter().map(|e| e.group_id).collect();
        let groups: std::collections::BTreeMap<GroupId, StoredGroup> = self
            .store
            .groups_by_id(&ids)
            .await?
            .into_iter()
            .map(|g| (g.id, g))
            .collect();
        let names = Names(
            self.store
                .names_of(events.iter().filter_map(|e| e.event.actor.id()))
                .await?,
        );
        let tag = match self.settings.guild {
            Some(guild) => format!("tag:govbot,2026:guild-{guild}"),
            None => "tag:govbot,2026:record".to_owned(),
        };
        let entries: Vec<model::FeedEntry> = events
            .iter()
            .filter_map(|e| {
                let g = groups.get(&e.group_id)?;
                model::feed_entry(e.group_id, e.seq, &g.group, &e.event, &names, &tag)
            })
            .collect();
        let site = self.frame("", "feed").await?;
        let updated = entries.first().map_or(site.generated_at, |e| e.at);
        let body = render::render(
            "feed.xml",
            context! {
                site,
                entries,
                updated,
                id => tag,
                base => self.settings.public_url.clone(),
            },
        )?;
        Ok(Document {
            content_type: ATOM,
            body,
        })
    }

    async fn api_list(&self, page: i64) -> Result<Option<Document>, Error> {
        let Some(GroupPage {
            count: _,
            pages,
            groups,
        }) = self
            .group_page(&GroupState::ALL, ListOrder::Id, page)
            .await?
        else {
            return Ok(None);
        };
        let (public, _): (Vec<&StoredGroup>, Vec<_>) = groups
            .iter()
            .partition(|s| Disclosure::of(s.group.state) == Disclosure::Public);
        let public: Vec<StoredGroup> = public.into_iter().cloned().collect();
        let mut summaries = self.summaries(&public).await?.into_iter();
        let listed: Vec<Listed> = groups
            .iter()
            .map(|s| match Disclosure::of(s.group.state) {
                Disclosure::Public => Listed::Public(Box::new(
                    summaries.next().expect("one summary per public group"),
                )),
                Disclosure::Proposal => Listed::Proposal(model::proposal(s)),
            })
            .collect();
        let site = self.frame("", "api").await?;
        let p = pager("api/groups", "json", page, pages);
        let body = serde_json::to_string_pretty(&ApiList {
            generated_at: site.generated_at,
            audit: site.audit,
            page: p.page,
            pages: p.pages,
            prev: p.prev,
            next: p.next,
            groups: listed,
        })?;
        Ok(Some(Document {
            content_type: JSON,
            body: body + "\n",
        }))
    }

    async fn api_group(&self, id: GroupId) -> Result<Option<Document>, Error> {
        let Some(s) = self.stored(id).await? else {
            return Ok(None);
        };
        let body = match Disclosure::of(s.group.state) {
            Disclosure::Public => serde_json::to_string_pretty(&self.record(&s).await?)?,
            Disclosure::Proposal => serde_json::to_string_pretty(&model::proposal(&s))?,
        };
        Ok(Some(Document {
            content_type: JSON,
            body: body + "\n",
        }))
    }

    /// The page for an address the site does not have, `depth` folders below the root (its
    /// links lead back up; a static host serves `404.html` at any depth, so there they are
    /// absolute when the site's address is known).
    pub async fn not_found(&self, depth: usize) -> Result<Document, Error> {
        let root = match (&self.settings.public_url, depth) {
            (Some(url), _) => url.clone(),
            (None, depth) => "../".repeat(depth),
        };
        let body = render::render(
            "not_found.html",
            context! { site => self.frame(&root, "none").await? },
        )?;
        Ok(Self::html(body))
    }
}

const _: () = {
    // The public states and the lists agree: live and past groups are public.
    assert!(PUBLIC_STATES.len() == GroupState::LIVE.len() + PAST_STATES.len());
};
