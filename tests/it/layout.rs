//! The source tree keeps the shape docs/ARCHITECTURE.md describes: no two modules of one layer
//! import each other, directly or around a loop, so each can be read (and changed) knowing only
//! what it imports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The module each `.rs` file under `root` is, as a path of names (`outbox/show.rs` is
/// `["outbox", "show"]`, `outbox/mod.rs` is `["outbox"]`), with its source.
fn modules(root: &Path) -> Vec<(Vec<String>, String)> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap().with_extension("");
            let mut names: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if names.last().is_some_and(|n| n == "mod") {
                names.pop();
            }
            out.push((names, std::fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// The code of `source` that is compiled into the product: without comments and test modules.
fn product_code(source: &str) -> String {
    let source = source
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap_or_default();
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each word that follows `prefix` in `code` (`crate::discord::votes::x` gives `votes`).
fn names_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    code.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &code[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|n| !n.is_empty())
        .collect()
}

/// Which top-level modules of `layer` (e.g. `crate::discord`) each one uses: through the layer's
/// path, `super::`, or `super::super::` from a nested file.
fn imports(dir: &str, layer: &str) -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (path, source) in modules(&root) {
        let Some(me) = path.first().cloned() else {
            continue;
        };
        let code = product_code(&source);
        let mut used: Vec<&str> = names_after(&code, &format!("{layer}::"));
        // `super::` from a file directly in `dir` names a sibling; from one level down it names
        // the file's own parent's children, which are inside `me`.
        let siblings = match path.len() {
            1 => "super::",
            2 => "super::super::",
            _ => "super::super::super::",
        };
        used.extend(names_after(&code, siblings));
        if path.len() == 1 {
            for group in code.split("use super::{").skip(1) {
                let inside = group.split('}').next().unwrap_or_default();
                used.extend(
                    inside
                        .split(',')
                        .map(|n| n.trim().split("::").next().unwrap()),
                );
            }
        }
        let entry = graph.entry(me.clone()).or_default();
        entry.extend(
            used.into_iter()
                .filter(|u| *u != me && *u != "super" && !u.is_empty())
                .map(str::to_string),
        );
    }
    graph
}

/// A loop of imports in `graph`, if there is one.
fn a_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|p| p == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_discord_adapter_has_no_import_cycles() {
    let graph = imports("src/discord", "crate::discord");
    assert!(
        graph["commands"].contains("messages") && graph["outbox"].contains("channels"),
        "the import scan found too little to mean anything: {graph:?}"
    );
    assert_eq!(
        a_cycle(&graph),
        None,
        "modules of src/discord import each other"
    );
}

#[test]
fn the_top_level_modules_have_no_import_cycles() {
    let graph = imports("src", "crate");
    assert!(
        graph["discord"].contains("governance") && graph["store"].contains("governance"),
        "the import scan found too little to mean anything: {graph:?}"
    );
    assert_eq!(a_cycle(&graph), None, "top-level modules import each other");
}

#[test]
fn the_cycle_finder_finds_a_loop() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(
        a_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}
