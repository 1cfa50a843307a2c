//! The crate's layers, enforced: every `crate::…` path in `src/` may name only a module of its own
//! layer or a lower one, and no two modules may name each other.
//!
//! The layers are written here, once, top down; `ARCHITECTURE.md` explains them. A new top-level
//! module must be placed in a layer before this test passes, so the question "where does this go?"
//! is answered when the module is made, not when it has grown a cycle.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules of `src/`, top layer first. `lib` stands for `lib.rs` and `main.rs`.
const LAYERS: &[&[&str]] = &[
    &["lib", "fuzzing"],
    &["cli"],
    &["commands", "serve"],
    &["live", "output"],
    &["replay", "spend", "feedback"],
    &["router", "provider"],
    &["state"],
    &["prompt", "quota", "prices", "canary"],
    &["config"],
    &["ml", "data", "tokenizer", "cost"],
    &["error", "fsutil", "rng", "clock", "text", "units"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// One `crate::<module>` reference: where it is and what it names.
struct Reference {
    file: PathBuf,
    line: usize,
    target: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/router/ml.rs` → `router`, `src/lib.rs` → `lib`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("file under src");
    let first = rel.components().next().expect("non-empty path").as_os_str().to_string_lossy();
    let name = first.trim_end_matches(".rs");
    if name == "main" { "lib".to_string() } else { name.to_string() }
}

/// The text with `//` comments (doc comments included) and `/* */` blocks blanked, lines kept.
/// String literals are kept: `#[serde(serialize_with = "crate::x::f")]` is a real dependency.
fn without_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if c == b'\\' && i + 1 < bytes.len() {
                out.push(c as char);
                out.push(bytes[i + 1] as char);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_string = false;
            }
            out.push(c as char);
            i += 1;
        } else if c == b'"' && !(i > 0 && bytes[i - 1] == b'\'' && bytes.get(i + 1) == Some(&b'\'')) {
            in_string = true;
            out.push('"');
            i += 1;
        } else if text[i..].starts_with("//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
        } else if text[i..].starts_with("/*") {
            let end = text[i + 2..].find("*/").map_or(bytes.len(), |e| i + 2 + e + 2);
            out.extend(text[i..end].chars().filter(|&ch| ch == '\n'));
            i = end;
        } else {
            // Multi-byte characters are copied whole.
            let ch = text[i..].chars().next().expect("char boundary");
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Every module a line names through `crate::`: `crate::a::b`, and each head of `crate::{a, b::c}`.
fn targets(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::`, `my_crate::`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut head = true;
            let mut name = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => head = true,
                    ':' => head = false,
                    c if head && (c.is_alphanumeric() || c == '_') => name.push(c),
                    _ => {}
                }
                if (!head || ch == ',') && !name.is_empty() {
                    found.push(std::mem::take(&mut name));
                }
            }
            if !name.is_empty() {
                found.push(name);
            }
        } else {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

fn references(src: &Path) -> Vec<(String, Reference)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut refs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let from = module_of(src, &file);
        for (n, line) in without_comments(&text).lines().enumerate() {
            for target in targets(line) {
                if target != from && target != "self" && target != "super" {
                    refs.push((from.clone(), Reference { file: file.clone(), line: n + 1, target }));
                }
            }
        }
    }
    refs
}

#[test]
fn modules_import_only_their_own_layer_or_below_and_never_each_other() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let refs = references(&src);
    let mut problems = Vec::new();
    let mut edges: BTreeMap<(String, String), (PathBuf, usize)> = BTreeMap::new();
    let mut modules = BTreeSet::new();
    for (from, r) in &refs {
        modules.insert(from.clone());
        let at = format!("{}:{}", r.file.strip_prefix(&src).unwrap_or(&r.file).display(), r.line);
        let (Some(lf), Some(lt)) = (layer_of(from), layer_of(&r.target)) else {
            problems.push(format!("src/{at}: `{from}` → `{}`: a module missing from LAYERS", r.target));
            continue;
        };
        if lt < lf {
            problems
                .push(format!("src/{at}: `{from}` (layer {lf}) imports `{}` (layer {lt}), a layer above it", r.target));
        }
        edges.entry((from.clone(), r.target.clone())).or_insert((r.file.clone(), r.line));
    }
    for ((a, b), (file, line)) in &edges {
        if a < b
            && let Some((file2, line2)) = edges.get(&(b.clone(), a.clone()))
        {
            problems.push(format!(
                "`{a}` and `{b}` import each other: src/{}:{line} and src/{}:{line2}",
                file.strip_prefix(&src).unwrap_or(file).display(),
                file2.strip_prefix(&src).unwrap_or(file2).display()
            ));
        }
    }
    for m in &modules {
        if layer_of(m).is_none() {
            problems.push(format!("src/{m}: not placed in any layer of LAYERS (tests/layering.rs)"));
        }
    }
    problems.sort();
    problems.dedup();
    assert!(problems.is_empty(), "{} layering problem(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn the_reader_finds_grouped_paths_and_ignores_comments() {
    assert_eq!(targets("use crate::{config::Config, error::{Error, Result}, prompt};"), ["config", "error", "prompt"]);
    assert_eq!(targets("#[serde(serialize_with = \"crate::output::json_usd\")]"), ["output"]);
    assert_eq!(targets("$crate::x::y; other_crate::z"), Vec::<String>::new());
    let text = "let a = 1; // crate::cli\n/* crate::serve\n */ crate::text::f();\n";
    let stripped = without_comments(text);
    assert_eq!(stripped.lines().flat_map(targets).collect::<Vec<_>>(), ["text"]);
    assert_eq!(stripped.lines().count(), 3);
}

#[test]
fn every_layer_name_is_a_module_of_src() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    for name in LAYERS.iter().flat_map(|l| l.iter()) {
        let exists = *name == "lib" || src.join(format!("{name}.rs")).exists() || src.join(name).is_dir();
        assert!(exists, "LAYERS names `{name}`, which is not a module of src/");
    }
}
