//! The floors of `src/`: data flows one way, so every import points to a lower floor and no
//! files of `src/` import each other round in a cycle; the planner (`src/plan/`) stands on the
//! model and the selectors alone.
//!
//! No tool but this file: it reads every `.rs` file under `src/`, finds the `crate::…` paths each
//! one uses (in `use` items, grouped or not, and inline as in `crate::report::short_name(…)`),
//! and `super::…` paths, which name the parent module. Comments, string literals and
//! `#[cfg(test)]` items are left out: a test may reach anywhere. A path leads to the file that
//! holds its longest prefix (`crate::plan::restore::X` to `src/plan/restore.rs`,
//! `crate::report::short_name` to `src/report/mod.rs`). A module's own `mod x; use x::…` is not
//! counted: `mod.rs` is the face of its children.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// One import: where it stands (`src/a.rs:3: use crate::b::B;`), and the files (or floors)
/// it leads from and to.
#[derive(Debug, Clone)]
struct Import {
    from: String,
    to: String,
    line: usize,
    site: String,
}

impl Import {
    fn describe(&self) -> String {
        format!("{}   (→ {})", self.site, self.to)
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the source: comments and literals out, then tokens.

/// The source with comments, strings and char literals blanked (newlines kept, so that line
/// numbers stay true).
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char, out: &mut String| out.push(if c == '\n' { '\n' } else { ' ' });
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(chars[i], &mut out);
                    i += 1;
                }
            }
        } else if let Some((hashes, body)) = raw_string_at(&chars, i) {
            out.push('r');
            i = body;
            // Find `"` followed by as many `#`.
            while i < chars.len() {
                if chars[i] == '"' && (0..hashes).all(|k| chars.get(i + 1 + k) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                blank(chars[i], &mut out);
                i += 1;
            }
            out.push_str("\"\"");
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(chars[i], &mut out);
                    i += 1;
                }
                if i < chars.len() {
                    blank(chars[i], &mut out);
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A char literal (`'x'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push('\'');
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// If a raw string (`r"…"`, `r#"…"#`, `br"…"`) opens at `at`: its number of `#` and where its
/// body starts.
fn raw_string_at(chars: &[char], at: usize) -> Option<(usize, usize)> {
    let is_ident = |c: &char| c.is_alphanumeric() || *c == '_';
    let before = |back: usize| at.checked_sub(back).map(|i| chars[i]);
    let starts_word = match before(1) {
        Some('b') => !before(2).is_some_and(|c| is_ident(&c)),
        other => !other.is_some_and(|c| is_ident(&c)),
    };
    if chars.get(at) != Some(&'r') || !starts_word {
        return None;
    }
    let mut i = at + 1;
    while chars.get(i) == Some(&'#') {
        i += 1;
    }
    (chars.get(i) == Some(&'"')).then_some((i - at - 1, i + 1))
}

#[derive(Debug, Clone, PartialEq)]
struct Token {
    text: String,
    line: usize,
}

fn tokens(stripped: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for (index, line) in stripped.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c.is_alphanumeric() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                out.push(Token {
                    text: chars[start..i].iter().collect(),
                    line: index + 1,
                });
            } else if c == ':' && chars.get(i + 1) == Some(&':') {
                out.push(Token {
                    text: "::".into(),
                    line: index + 1,
                });
                i += 2;
            } else {
                out.push(Token {
                    text: c.to_string(),
                    line: index + 1,
                });
                i += 1;
            }
        }
    }
    out
}

/// The index just past the item that starts at `start`: to its `;` or its closing brace,
/// whichever ends it.
fn item_end(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < tokens.len() {
        match tokens[i].text.as_str() {
            "{" | "(" | "[" => depth += 1,
            "}" | ")" | "]" => {
                depth = depth.saturating_sub(1);
                if depth == 0 && tokens[i].text == "}" {
                    return i + 1;
                }
            }
            ";" if depth == 0 => return i + 1,
            _ => {}
        }
        i += 1;
    }
    tokens.len()
}

/// The index just past an attribute `#[…]` that starts at `start`.
fn attribute_end(tokens: &[Token], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(start + 1) {
        match token.text.as_str() {
            "[" => depth += 1,
            "]" => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

fn texts(range: &[Token]) -> Vec<&str> {
    range.iter().map(|t| t.text.as_str()).collect()
}

/// The tokens without `#[cfg(test)]` items, and the names of the `#[cfg(test)] mod x;` files.
fn without_test_items(tokens: Vec<Token>) -> (Vec<Token>, Vec<String>) {
    let mut kept = Vec::new();
    let mut test_files = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens.len() >= i + 7
            && texts(&tokens[i..i + 7]) == ["#", "[", "cfg", "(", "test", ")", "]"]
        {
            let mut item = i + 7;
            while tokens.get(item).is_some_and(|t| t.text == "#") {
                item = attribute_end(&tokens, item);
            }
            let end = item_end(&tokens, item);
            let words = texts(&tokens[item..end]);
            if let Some(at) = words.iter().position(|w| *w == "mod")
                && words.last() == Some(&";")
                && let Some(name) = words.get(at + 1)
            {
                test_files.push(name.to_string());
            }
            i = end;
        } else {
            kept.push(tokens[i].clone());
            i += 1;
        }
    }
    (kept, test_files)
}

// ---------------------------------------------------------------------------------------------
// Paths.

fn is_ident(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Parses a use tree at `i` (what follows `prefix::`): the paths it names and the index past it.
/// Inline paths end at the first token that does not continue a path (`(`, `<`, `;` …).
fn use_tree(tokens: &[Token], i: usize) -> (Vec<Vec<String>>, usize) {
    match tokens.get(i).map(|t| t.text.as_str()) {
        Some("{") => {
            let mut paths = Vec::new();
            let mut at = i + 1;
            while at < tokens.len() && tokens[at].text != "}" {
                let (inner, next) = use_tree(tokens, at);
                paths.extend(inner);
                at = next;
                if tokens.get(at).is_some_and(|t| t.text == ",") {
                    at += 1;
                } else if tokens.get(at).is_some_and(|t| t.text != "}") {
                    // Not a use group after all: stop rather than misread.
                    break;
                }
            }
            (paths, at + 1)
        }
        Some("*") => (vec![Vec::new()], i + 1),
        Some(word) if is_ident(word) => {
            let head = if word == "self" {
                None
            } else {
                Some(word.to_string())
            };
            let mut at = i + 1;
            let mut paths = if tokens.get(at).is_some_and(|t| t.text == "::")
                && tokens
                    .get(at + 1)
                    .is_some_and(|t| t.text == "{" || t.text == "*" || is_ident(&t.text))
            {
                let (tails, next) = use_tree(tokens, at + 1);
                at = next;
                tails
            } else {
                vec![Vec::new()]
            };
            if tokens.get(at).is_some_and(|t| t.text == "as") {
                at += 2;
            }
            for path in &mut paths {
                if let Some(head) = &head {
                    path.insert(0, head.clone());
                }
            }
            (paths, at)
        }
        _ => (vec![Vec::new()], i),
    }
}

/// The module path a file stands for: `src/a/b.rs` and `src/a/b/mod.rs` are `a::b`; `lib.rs`
/// and `main.rs` are the crate roots.
fn module_of(file: &str) -> Vec<String> {
    let inner = file.trim_start_matches("src/").trim_end_matches(".rs");
    let mut parts: Vec<String> = inner.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod")) {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// The file that holds the longest prefix of `path`, among `files`.
fn resolve(path: &[String], files: &BTreeSet<String>) -> String {
    for len in (1..=path.len()).rev() {
        let joined = path[..len].join("/");
        for candidate in [format!("src/{joined}.rs"), format!("src/{joined}/mod.rs")] {
            if files.contains(&candidate) {
                return candidate;
            }
        }
    }
    "src/lib.rs".to_string()
}

/// The imports of one file, with `files` the set of all files (for resolving).
fn imports_of(file: &str, source: &str, files: &BTreeSet<String>) -> (Vec<Import>, Vec<String>) {
    let lines: Vec<&str> = source.lines().collect();
    let (tokens, test_files) = without_test_items(tokens(&strip(source)));
    let own_module = module_of(file);
    let mut imports = Vec::new();
    // Inline modules (`mod name { … }`) that enclose the current token, with the brace depth
    // at which each closes.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let text = tokens[i].text.as_str();
        match text {
            "{" => {
                depth += 1;
                let is_inline_mod =
                    i >= 2 && tokens[i - 2].text == "mod" && is_ident(&tokens[i - 1].text);
                if is_inline_mod {
                    inline.push((tokens[i - 1].text.clone(), depth));
                }
            }
            "}" => {
                if inline.last().is_some_and(|(_, at)| *at == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        let starts_path = matches!(text, "crate" | "super" | "package_warden")
            && tokens.get(i + 1).is_some_and(|t| t.text == "::")
            && (i == 0 || !matches!(tokens[i - 1].text.as_str(), "$" | "::"))
            // The binary reaches the library as `package_warden::`; the library has no such name.
            && (text != "package_warden" || file == "src/main.rs");
        if !starts_path {
            i += 1;
            continue;
        }
        let mut base: Vec<String> = if text == "super" {
            own_module
                .iter()
                .cloned()
                .chain(inline.iter().map(|(name, _)| name.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let mut at = i;
        while tokens.get(at).is_some_and(|t| t.text == "super")
            && tokens.get(at + 1).is_some_and(|t| t.text == "::")
        {
            base.pop();
            at += 2;
        }
        if text != "super" {
            at = i + 2;
        }
        if text == "crate" && file == "src/main.rs" {
            // The binary's own items: nothing else imports main.rs, so no floor to check.
            i = at;
            continue;
        }
        let (paths, next) = use_tree(&tokens, at);
        let line = tokens[i].line;
        for path in paths {
            let full: Vec<String> = base.iter().cloned().chain(path).collect();
            let to = resolve(&full, files);
            let seen = imports
                .iter()
                .any(|known: &Import| known.line == line && known.to == to);
            if to != file && !seen {
                let text = lines.get(line - 1).map_or("", |l| l.trim());
                imports.push(Import {
                    from: file.to_string(),
                    to,
                    line,
                    site: format!("{file}:{line}: {text}"),
                });
            }
        }
        i = next.max(i + 1);
    }
    // `#[cfg(test)] mod tests;` beside this file: `src/a/mod.rs` → `src/a/tests.rs`,
    // `src/a.rs` → `src/a/tests.rs`.
    let dir = own_module.join("/");
    let test_files = test_files
        .into_iter()
        .map(|name| {
            if dir.is_empty() {
                format!("src/{name}.rs")
            } else {
                format!("src/{dir}/{name}.rs")
            }
        })
        .collect();
    (imports, test_files)
}

/// Every import among `sources` (path → text), test-only files left out.
fn imports(sources: &BTreeMap<String, String>) -> Vec<Import> {
    let files: BTreeSet<String> = sources.keys().cloned().collect();
    let mut all = Vec::new();
    let mut test_only = BTreeSet::new();
    for (file, source) in sources {
        let (imports, test_files) = imports_of(file, source, &files);
        all.push(imports);
        test_only.extend(test_files);
    }
    all.into_iter()
        .flatten()
        .filter(|import| !test_only.contains(&import.from))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Cycles.

/// The cycles among the files: one per strongly connected group of two or more files, each as
/// the imports that go round it.
fn cycles(imports: &[Import]) -> Vec<Vec<Import>> {
    let mut edges: BTreeMap<&str, BTreeMap<&str, &Import>> = BTreeMap::new();
    for import in imports {
        edges
            .entry(import.from.as_str())
            .or_default()
            .entry(import.to.as_str())
            .or_insert(import);
    }
    let nodes: BTreeSet<&str> = imports
        .iter()
        .flat_map(|i| [i.from.as_str(), i.to.as_str()])
        .collect();
    let reach = |from: &str| -> BTreeSet<&str> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(node) = stack.pop() {
            for next in edges.get(node).into_iter().flat_map(|e| e.keys()) {
                if seen.insert(*next) {
                    stack.push(next);
                }
            }
        }
        seen
    };
    let reachable: BTreeMap<&str, BTreeSet<&str>> = nodes.iter().map(|n| (*n, reach(n))).collect();
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for node in &nodes {
        if done.contains(node) || !reachable[node].contains(node) {
            continue;
        }
        let group: BTreeSet<&str> = reachable[node]
            .iter()
            .filter(|other| reachable[*other].contains(node))
            .copied()
            .collect();
        done.extend(group.iter().copied());
        found.push(shortest_cycle(node, &group, &edges));
    }
    found
}

/// The shortest way from `start` back to itself inside `group`, as imports.
fn shortest_cycle(
    start: &str,
    group: &BTreeSet<&str>,
    edges: &BTreeMap<&str, BTreeMap<&str, &Import>>,
) -> Vec<Import> {
    let mut came_from: BTreeMap<&str, &Import> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for (next, import) in edges.get(node).into_iter().flatten() {
            if !group.contains(next) || came_from.contains_key(next) {
                continue;
            }
            came_from.insert(next, import);
            if *next == start {
                let mut path = vec![(*import).clone()];
                let mut at = import.from.as_str();
                while at != start {
                    let import = came_from[at];
                    path.push(import.clone());
                    at = import.from.as_str();
                }
                path.reverse();
                return path;
            }
            queue.push_back(next);
        }
    }
    unreachable!("{start} is in a cycle")
}

fn describe_cycles(cycles: &[Vec<Import>]) -> String {
    let mut text = String::new();
    for cycle in cycles {
        let files: Vec<&str> = cycle.iter().map(|i| i.from.as_str()).collect();
        let _ = writeln!(text, "cycle: {} → {}", files.join(" → "), files[0]);
        for import in cycle {
            let _ = writeln!(text, "  {}", import.describe());
        }
    }
    text
}

// ---------------------------------------------------------------------------------------------
// The checks on src/.

fn sources_under(root: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|err| panic!("could not read {}: {err}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).expect("under the root");
                let name = relative.to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|err| panic!("could not read {}: {err}", path.display()));
                out.insert(name, text);
            }
        }
    }
    let root = root.to_path_buf();
    let mut out = BTreeMap::new();
    walk(&root.join("src"), &root, &mut out);
    out
}

fn project_imports() -> Vec<Import> {
    imports(&sources_under(Path::new(env!("CARGO_MANIFEST_DIR"))))
}

/// The floor a file stands on: its top-level module (`src/plan/rules/x.rs` and `src/plan.rs`
/// are both `plan`); `lib.rs` is the crate root, `main.rs` the binary.
fn floor_of(file: &str) -> String {
    match module_of(file).first() {
        Some(module) => module.clone(),
        None if file == "src/main.rs" => "main".to_string(),
        None => "the crate root".to_string(),
    }
}

/// The imports between floors: the same imports, seen from a height.
fn between_floors(imports: &[Import]) -> Vec<Import> {
    imports
        .iter()
        .map(|import| Import {
            from: floor_of(&import.from),
            to: floor_of(&import.to),
            ..import.clone()
        })
        .filter(|import| import.from != import.to)
        .collect()
}

#[test]
fn the_files_of_src_import_each_other_in_no_cycle() {
    let cycles = cycles(&project_imports());
    assert!(
        cycles.is_empty(),
        "{} import cycle(s) among the files of src/; every import must point to a lower floor \
         (break each cycle by moving what both sides need below them):\n{}",
        cycles.len(),
        describe_cycles(&cycles)
    );
}

/// A module and its children form one floor: `config/mod.rs` may hand its error type to
/// `config/prune.rs` and take its settings back, but no two floors may lean on each other, even
/// through files that do not import each other (`plan/restore.rs` → `config/mod.rs` while
/// `config/prune.rs` → `plan/mod.rs`).
#[test]
fn the_floors_of_src_import_each_other_in_no_cycle() {
    let cycles = cycles(&between_floors(&project_imports()));
    assert!(
        cycles.is_empty(),
        "{} import cycle(s) among the floors (top-level modules) of src/:\n{}",
        cycles.len(),
        describe_cycles(&cycles)
    );
}

/// The imports of `src/plan/` that reach past the model and the selectors, described.
fn planner_offences(imports: &[Import]) -> Vec<String> {
    let allowed =
        |to: &str| to == "src/model.rs" || to == "src/selector.rs" || to.starts_with("src/plan/");
    imports
        .iter()
        .filter(|import| import.from.starts_with("src/plan/") && !allowed(&import.to))
        .map(Import::describe)
        .collect()
}

/// The planner is pure: it sees no client, clock, environment or inputs, only the domain model
/// and the selectors (and itself).
#[test]
fn the_planner_imports_nothing_but_the_model_and_the_selectors() {
    let offending = planner_offences(&project_imports());
    assert!(
        offending.is_empty(),
        "src/plan/ may import only src/model.rs and src/selector.rs; {} import(s) reach \
         elsewhere:\n  {}",
        offending.len(),
        offending.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// The checks can fail: synthetic sources with known answers.

fn synthetic(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(path, text)| (path.to_string(), text.to_string()))
        .collect()
}

fn edges(imports: &[Import]) -> BTreeSet<(String, String)> {
    imports
        .iter()
        .map(|i| (i.from.clone(), i.to.clone()))
        .collect()
}

#[test]
fn a_known_cycle_is_found_and_named_with_its_lines() {
    let sources = synthetic(&[
        (
            "src/lib.rs",
            "pub mod a;\npub mod b;\npub mod c;\npub mod model;\n",
        ),
        ("src/model.rs", "pub struct M;\n"),
        ("src/a.rs", "use crate::b::B;\npub fn g() {}\n"),
        (
            "src/b.rs",
            "use crate::{\n    c::{self, C},\n    model::M,\n};\npub struct B;\n",
        ),
        (
            "src/c.rs",
            "pub struct C;\npub fn f() {\n    crate::a::g();\n}\n",
        ),
    ]);
    let found = cycles(&imports(&sources));
    assert_eq!(found.len(), 1, "{}", describe_cycles(&found));
    let report = describe_cycles(&found);
    assert!(
        report.contains("cycle: src/a.rs → src/b.rs → src/c.rs → src/a.rs"),
        "{report}"
    );
    assert!(report.contains("src/c.rs:3: crate::a::g();"), "{report}");
    assert!(report.contains("src/b.rs:1: use crate::{"), "{report}");
}

#[test]
fn comments_strings_and_test_modules_make_no_import() {
    let sources = synthetic(&[
        ("src/lib.rs", "pub mod a;\npub mod b;\n"),
        ("src/a.rs", "use crate::b::B;\n"),
        (
            "src/b.rs",
            "//! See [`a`](crate::a).\npub struct B; // crate::a::x\n\
             /* crate::a::y /* nested */ crate::a::z */\n\
             const S: &str = \"crate::a::w\";\nconst R: &str = r#\"crate::a::v\"#;\n\
             fn l<'a>(x: &'a str) -> char { let _ = x; 'c' }\n\
             #[cfg(test)]\nmod tests {\n    use crate::a;\n    fn t() { crate::a::f() }\n}\n\
             #[cfg(test)]\nmod more;\n",
        ),
        ("src/b/more.rs", "use crate::a::A;\n"),
    ]);
    let found = imports(&sources);
    assert_eq!(
        edges(&found),
        BTreeSet::from([("src/a.rs".to_string(), "src/b.rs".to_string())]),
        "{found:#?}"
    );
}

#[test]
fn super_names_the_parent_module_and_paths_reach_the_deepest_file() {
    let sources = synthetic(&[
        ("src/lib.rs", "pub mod x;\npub mod report;\n"),
        ("src/report/mod.rs", "pub fn short_name() {}\n"),
        ("src/x/mod.rs", "mod y;\nuse crate::x::y::Thing;\n"),
        (
            "src/x/y.rs",
            "use super::Parent;\nmod inner {\n    use super::Thing;\n    use super::super::Parent;\n}\n\
             fn f() { crate::report::short_name(); }\n",
        ),
    ]);
    let found = imports(&sources);
    assert_eq!(
        edges(&found),
        BTreeSet::from([
            ("src/x/mod.rs".to_string(), "src/x/y.rs".to_string()),
            ("src/x/y.rs".to_string(), "src/x/mod.rs".to_string()),
            ("src/x/y.rs".to_string(), "src/report/mod.rs".to_string()),
        ]),
        "{found:#?}"
    );
    assert_eq!(cycles(&found).len(), 1);
}

#[test]
fn floors_lean_on_each_other_through_files_that_do_not() {
    let sources = synthetic(&[
        ("src/lib.rs", "pub mod plan;\npub mod config;\n"),
        ("src/config/mod.rs", "mod prune;\npub struct Settings;\n"),
        ("src/config/prune.rs", "use crate::plan::Policy;\n"),
        ("src/plan/mod.rs", "pub mod restore;\npub struct Policy;\n"),
        ("src/plan/restore.rs", "use crate::config::Settings;\n"),
    ]);
    let found = imports(&sources);
    assert!(cycles(&found).is_empty());
    let report = describe_cycles(&cycles(&between_floors(&found)));
    assert!(report.contains("cycle: config → plan → config"), "{report}");
    assert!(
        report.contains("src/plan/restore.rs:1: use crate::config::Settings;   (→ config)"),
        "{report}"
    );
}

#[test]
fn the_planner_check_names_the_offending_line() {
    let sources = synthetic(&[
        (
            "src/lib.rs",
            "pub mod plan;\npub mod model;\npub mod config;\n",
        ),
        ("src/model.rs", ""),
        ("src/config.rs", ""),
        (
            "src/plan/mod.rs",
            "mod restore;\nuse crate::model::M;\nuse crate::plan::restore::R;\n",
        ),
        ("src/plan/restore.rs", "use crate::config::{A, B};\n"),
    ]);
    assert_eq!(
        planner_offences(&imports(&sources)),
        ["src/plan/restore.rs:1: use crate::config::{A, B};   (→ src/config.rs)"]
    );
}
