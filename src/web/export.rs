//! `govbot export --format html --output DIR`: the whole site as static files, for GitHub Pages
//! or any web server. Each file is what the server answers at the same path ([`Site::get`]).
//!
//! The directory must be new, empty, or an earlier export: a list of the files written
//! ([`MARKER`]) lets the next export remove pages that no longer exist (a directory page beyond
//! the last), so a published site never keeps a stale page; a directory holding anything else is
//! refused rather than mixed into.

use super::{Route, Site};
use anyhow::{bail, Context as _, Result};
use std::collections::BTreeSet;
use std::path::Path;

/// The file listing what the last export wrote.
pub const MARKER: &str = ".govbot-export";

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub files: usize,
    pub groups: usize,
    /// Files of an earlier export removed because the site no longer has them.
    pub removed: usize,
}

pub async fn write(site: &Site, dir: &Path) -> Result<Exported> {
    let previous = previous_files(dir)?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let routes = site.routes().await?;
    let mut written = BTreeSet::new();
    let mut groups = 0;
    for route in routes {
        let Some(doc) = site.route(route).await? else {
            continue;
        };
        if matches!(route, Route::Group(_)) {
            groups += 1;
        }
        let name = route.path();
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, doc.body)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.insert(name);
    }
    let mut removed = 0;
    for old in previous.difference(&written) {
        let path = dir.join(old);
        if path.is_file() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove the stale {}", path.display()))?;
            removed += 1;
        }
    }
    let list: Vec<&str> = written.iter().map(String::as_str).collect();
    std::fs::write(dir.join(MARKER), list.join("\n") + "\n")
        .with_context(|| format!("cannot write {}", dir.join(MARKER).display()))?;
    Ok(Exported {
        files: written.len(),
        groups,
        removed,
    })
}

/// The files an earlier export wrote in `dir`; empty for a directory that is new or empty.
fn previous_files(dir: &Path) -> Result<BTreeSet<String>> {
    if !dir.exists() {
        return Ok(BTreeSet::new());
    }
    if !dir.is_dir() {
        bail!("{} is a file; --output names a directory", dir.display());
    }
    let marker = dir.join(MARKER);
    if !marker.exists() {
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty and holds no earlier export ({MARKER} is missing); name a new or \
                 empty directory, so that nothing else is overwritten",
                dir.display()
            );
        }
        return Ok(BTreeSet::new());
    }
    let text = std::fs::read_to_string(&marker)
        .with_context(|| format!("cannot read {}", marker.display()))?;
    // Only names the site itself writes are ever removed, whatever the file says.
    Ok(text
        .lines()
        .filter(|l| Route::parse(l).is_some_and(|r| r.path() == *l))
        .map(str::to_owned)
        .collect())
}
