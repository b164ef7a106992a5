//! The api crate in layers, read from its sources: routes never import one
//! another, nothing imports upward, and no two modules import each other
//! through any path. ARCHITECTURE.md draws the same layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules of `crates/api/src` by path (`routes::issues`, `services::lookups`,
/// `state`) with their source, test modules and comments left out.
fn modules() -> BTreeMap<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/api/src");
    let mut out = BTreeMap::new();
    let mut stack: Vec<PathBuf> = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&root).unwrap().with_extension("");
            let mut name = rel.to_string_lossy().replace('/', "::");
            if let Some(parent) = name.strip_suffix("::mod") {
                name = parent.to_owned();
            }
            if name == "lib" || name == "main" {
                name = "crate".to_owned();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: Vec<&str> = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
            out.insert(name, code.join("\n"));
        }
    }
    out
}

/// What each module refers to: the longest module path after each
/// `crate::` (and, inside `routes`, after `super::`).
fn imports(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for (name, code) in modules {
        let mut deps = BTreeSet::new();
        let mut refer = |path: Vec<&str>| {
            for end in (1..=path.len()).rev() {
                let candidate = path[..end].join("::");
                if modules.contains_key(&candidate) {
                    if &candidate != name {
                        deps.insert(candidate);
                    }
                    break;
                }
            }
        };
        for (prefix, base) in [("crate::", ""), ("super::", "routes::")] {
            if prefix == "super::" && !name.starts_with("routes::") {
                continue;
            }
            for (at, _) in code.match_indices(prefix) {
                let rest = &code[at + prefix.len()..];
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == ':')
                    .collect();
                let full = format!("{base}{path}");
                refer(full.split("::").filter(|s| !s.is_empty()).collect());
            }
        }
        out.insert(name.clone(), deps);
    }
    out
}

/// Strongly connected components of more than one module (import cycles).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Tarjan<'a> {
        fn visit(&mut self, v: &'a str) {
            let i = self.index.len();
            self.index.insert(v, i);
            self.low.insert(v, i);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.found
}

/// The layer of a module, lowest first: what a module may import is at its
/// own layer or below, and never a cycle.
fn layer(module: &str) -> usize {
    match module.split("::").next().unwrap_or_default() {
        "server" | "cli" | "demo" | "web_app" | "crate" => 5,
        "routes" => 4,
        // Background jobs beside the routes: they call services and
        // storage, never a handler.
        "jobs" => 3,
        "services" | "survey_format" => 2,
        "state" | "auth" | "extract" => 1,
        _ => 0,
    }
}

#[test]
fn routes_never_import_one_another() {
    let graph = imports(&modules());
    let crossing: Vec<String> = graph
        .iter()
        .filter(|(m, _)| m.starts_with("routes::"))
        .flat_map(|(m, deps)| {
            deps.iter()
                .filter(|d| d.starts_with("routes::") || d.as_str() == "routes")
                .map(move |d| format!("{m} → {d}"))
        })
        .collect();
    assert!(crossing.is_empty(), "route modules import each other: {crossing:#?}");
}

#[test]
fn the_api_crate_has_no_import_cycle() {
    let graph = imports(&modules());
    assert!(graph.len() > 30, "the sources were not read: {:?}", graph.keys());
    let found = cycles(&graph);
    assert!(found.is_empty(), "modules that import each other: {found:#?}");
}

#[test]
fn nothing_imports_a_higher_layer() {
    let graph = imports(&modules());
    let upward: Vec<String> = graph
        .iter()
        .flat_map(|(m, deps)| {
            deps.iter()
                .filter(|d| layer(d) > layer(m))
                .map(move |d| format!("{m} (layer {}) → {d} (layer {})", layer(m), layer(d)))
        })
        .collect();
    assert!(upward.is_empty(), "imports that point up: {upward:#?}");
}

/// The checks themselves find what they are for.
#[test]
fn the_layer_checks_see_a_cycle_and_a_route_import() {
    let mut sources = BTreeMap::new();
    sources.insert("routes::a".to_owned(), "use crate::routes::b::Thing;".to_owned());
    sources.insert(
        "routes::b".to_owned(),
        "use super::a::Other; use crate::state::AppState;".to_owned(),
    );
    sources.insert("state".to_owned(), "pub struct AppState;".to_owned());
    let graph = imports(&sources);
    assert_eq!(graph["routes::a"], BTreeSet::from(["routes::b".to_owned()]));
    assert_eq!(
        graph["routes::b"],
        BTreeSet::from(["routes::a".to_owned(), "state".to_owned()])
    );
    assert_eq!(
        cycles(&graph),
        vec![vec!["routes::a".to_owned(), "routes::b".to_owned()]]
    );
    assert!(layer("routes::a") > layer("services::lookups"));
    assert!(layer("routes::a") > layer("jobs::rollup"));
    assert!(layer("jobs::rollup") > layer("services::results"));
    assert!(layer("services::lookups") > layer("state"));
}
