//! The api crate in layers, read from its sources: routes never import one
//! another, nothing imports upward, and no two modules import each other
//! through any path. ARCHITECTURE.md draws the same layers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules of `crates/api/src` by path (`routes::issues`, `services::lookups`,
/// `state`; `lib.rs` is `crate`) with their source, comments and test-only
/// items left out. `main.rs` is the binary, a crate of its own.
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
            match name.as_str() {
                "main" => continue,
                "lib" => name = "crate".to_owned(),
                _ => {}
            }
            out.insert(name, without_tests(&std::fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// A source without its comments and without the items marked
/// `#[cfg(test)]` (a test module, or one test-only function or import,
/// wherever it stands: what follows it is still read).
fn without_tests(text: &str) -> String {
    let code: Vec<&str> = text
        .lines()
        .map(|l| match l.find("// ") {
            Some(at) if !l[..at].contains('"') => &l[..at],
            _ => l,
        })
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let code = code.join("\n");
    let mut out = String::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at + "#[cfg(test)]".len()..];
        // The item ends at its first `;` outside braces, or with the brace
        // that closes its first block.
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    end = i + 1;
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The paths a use tree or a path expression names, from just after its
/// `crate::` or `super::`: `a::b::C` is one, `{a::X, b::{c, d}}` four,
/// `a::{self, *}` names `a`.
fn paths_at(text: &str) -> Vec<Vec<String>> {
    fn tree(chars: &[char], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        loop {
            match chars.get(*i) {
                Some('{') => {
                    *i += 1;
                    loop {
                        while chars.get(*i).is_some_and(|c| c.is_whitespace() || *c == ',') {
                            *i += 1;
                        }
                        match chars.get(*i) {
                            None => return,
                            Some('}') => {
                                *i += 1;
                                return;
                            }
                            _ => {
                                let before = *i;
                                tree(chars, i, path.clone(), out);
                                // `as name`, or anything else that is not a path.
                                while chars.get(*i).is_some_and(|c| !matches!(c, ',' | '}')) {
                                    *i += 1;
                                }
                                if *i == before {
                                    *i += 1;
                                }
                            }
                        }
                    }
                }
                Some('*') => {
                    *i += 1;
                    out.push(path);
                    return;
                }
                _ => {}
            }
            let start = *i;
            while *i < chars.len() && (chars[*i].is_alphanumeric() || chars[*i] == '_') {
                *i += 1;
            }
            let segment: String = chars[start..*i].iter().collect();
            if !segment.is_empty() && segment != "self" {
                path.push(segment);
            }
            if chars.get(*i) == Some(&':') && chars.get(*i + 1) == Some(&':') {
                *i += 2;
                continue;
            }
            out.push(path);
            return;
        }
    }
    let chars: Vec<char> = text.chars().take(2000).collect();
    let mut out = Vec::new();
    tree(&chars, &mut 0, Vec::new(), &mut out);
    out
}

/// The inline modules (`mod x { … }`) that enclose byte `at` of a source,
/// outermost first.
fn inline_modules(code: &str, at: usize) -> Vec<String> {
    let mut names = Vec::new();
    for (start, _) in code[..at].match_indices("mod ") {
        if code[..start].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[start + "mod ".len()..];
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let after = rest[name.len()..].trim_start();
        if name.is_empty() || !after.starts_with('{') {
            continue;
        }
        let open = code.len() - after.len();
        let mut depth = 0usize;
        let mut close = code.len();
        for (i, c) in code[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = open + i;
                        break;
                    }
                }
                _ => {}
            }
        }
        if at < close {
            names.push(name);
        }
    }
    names
}

/// What each module refers to: for every path after `crate::` or
/// `super::` (any number of them), the longest module it names, or the
/// crate root (`crate`) for an item of `lib.rs` that is not one of its
/// `pub use`s; for every macro called by name, the module that defines it.
fn imports(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    // `pub use a::{X, y}` in lib.rs: `crate::X` is `a`'s item.
    let mut reexported: BTreeMap<String, String> = BTreeMap::new();
    let root = modules.get("crate").map(String::as_str).unwrap_or_default();
    for (at, _) in root.match_indices("pub use ") {
        for path in paths_at(&root[at + "pub use ".len()..]) {
            if let Some((last, module)) = path.split_last() {
                reexported.insert(last.clone(), module.join("::"));
            }
        }
    }
    let mut macros: BTreeMap<String, String> = BTreeMap::new();
    for (name, code) in modules {
        for (at, _) in code.match_indices("macro_rules! ") {
            let rest = &code[at + "macro_rules! ".len()..];
            let macro_name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            macros.insert(macro_name, name.clone());
        }
    }
    let resolve = |path: &[String]| -> String {
        for end in (1..=path.len()).rev() {
            let candidate = path[..end].join("::");
            if modules.contains_key(&candidate) {
                return candidate;
            }
        }
        match path.first().and_then(|first| reexported.get(first)) {
            Some(module) => {
                let mut full: Vec<String> = module.split("::").map(str::to_owned).collect();
                full.extend(path[1..].iter().cloned());
                for end in (1..=full.len()).rev() {
                    let candidate = full[..end].join("::");
                    if modules.contains_key(&candidate) {
                        return candidate;
                    }
                }
                "crate".to_owned()
            }
            None => "crate".to_owned(),
        }
    };
    let mut out = BTreeMap::new();
    for (name, code) in modules {
        let mut deps = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue; // `langnghe_api_crate::…` and the like
            }
            for path in paths_at(&code[at + "crate::".len()..]) {
                deps.insert(resolve(&path));
            }
        }
        for (at, _) in code.match_indices("super::") {
            if code[..at].ends_with("super::") || code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue; // counted from the first `super::`
            }
            // `super` of an inline `mod x { … }` is the file's own module.
            let mut base: Vec<String> = if name == "crate" {
                Vec::new()
            } else {
                name.split("::").map(str::to_owned).collect()
            };
            base.extend(inline_modules(code, at));
            base.pop();
            let mut rest = &code[at + "super::".len()..];
            while let Some(more) = rest.strip_prefix("super::") {
                base.pop();
                rest = more;
            }
            for path in paths_at(rest) {
                let mut full = base.clone();
                full.extend(path);
                deps.insert(if full.is_empty() {
                    "crate".to_owned()
                } else {
                    resolve(&full)
                });
            }
        }
        // lib.rs names its own modules without `crate::`.
        if name == "crate" {
            for module in modules.keys().filter(|m| m.as_str() != "crate") {
                if code.contains(&format!("{module}::")) || code.contains(&format!("use {module};")) {
                    deps.insert(module.clone());
                }
            }
        }
        for (macro_name, home) in &macros {
            let called = code.match_indices(&format!("{macro_name}!")).any(|(at, _)| {
                !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                    && !code[..at].ends_with("macro_rules! ")
            });
            if called {
                deps.insert(home.clone());
            }
        }
        deps.remove(name);
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
        "state" | "auth" | "extract" | "network" | "problem_language" => 1,
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

/// Every way of naming a module is read: grouped and nested imports,
/// `super::` anywhere, items of lib.rs (as the crate root, unless lib.rs
/// re-exports them from a module), macros, and code after a test-only item.
#[test]
fn the_layer_checks_read_every_way_of_naming_a_module() {
    let source = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(m, code)| (m.to_string(), without_tests(code)))
            .collect()
    };
    let set = |names: &[&str]| -> BTreeSet<String> { names.iter().map(|n| n.to_string()).collect() };
    let sources = source(&[
        (
            "crate",
            "pub mod a;\npub use clock::{Clock, local_day};\npub fn random_secret() {}\nfn f() { state::AppState::new(); }",
        ),
        ("clock", "pub struct Clock;"),
        ("state", "pub struct AppState;"),
        ("services", "pub mod x; pub mod y;"),
        ("services::x", "use super::y::Y; macro_rules! shout { () => {} }"),
        ("services::y", "use super::super::state::AppState;"),
        (
            "error",
            "pub enum Code {}\npub mod vi {\n    use super::Code;\n}\nfn e() { super::clock::Clock; }",
        ),
        (
            "routes::r",
            "use crate::{services::{self, x::X, y}, clock::*};\nfn g() { crate::local_day(); shout!(); }",
        ),
        ("config", "fn k() { crate::random_secret(); }"),
        (
            "routes::t",
            "#[cfg(test)]\nfn helper() { crate::state::AppState; }\nfn real() { crate::Clock::now(); }\n#[cfg(test)]\nmod tests { use crate::config; }\nfn after() { crate::services::x::go(); }",
        ),
    ]);
    let graph = imports(&sources);
    assert_eq!(
        graph["routes::r"],
        set(&["services", "services::x", "services::y", "clock"])
    );
    assert_eq!(graph["services::x"], set(&["services::y"]));
    assert_eq!(graph["services::y"], set(&["state"]));
    assert_eq!(
        graph["error"],
        set(&["clock"]),
        "super in an inline module is the file's module"
    );
    assert_eq!(graph["config"], set(&["crate"]), "an item of lib.rs is the crate root");
    assert_eq!(graph["crate"], set(&["clock", "state"]));
    assert_eq!(
        graph["routes::t"],
        set(&["clock", "services::x"]),
        "test items left out, the rest read"
    );
    // A lower module reaching an item of lib.rs points up at the root.
    assert!(layer("crate") > layer("config"));
}
