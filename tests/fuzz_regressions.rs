//! Replays the fuzzing inputs on the stable toolchain: every file in `fuzz/regressions/<target>/`
//! (inputs that once crashed, hung or exhausted memory in a cargo-fuzz target) and in
//! `fuzz/seeds/<target>/` (the committed seed corpus) goes through the same harness the fuzz
//! target calls, [`llmroute::fuzzing`]. A harness that panics on any of them fails the test,
//! which names every failing file.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// The files replayed for `target`, sorted; `README.md` files are documentation, not inputs.
fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for kind in ["regressions", "seeds"] {
        let Ok(dir) = std::fs::read_dir(root.join(kind).join(target)) else { continue };
        for entry in dir.flatten() {
            let path = entry.path();
            if path.is_file() && path.file_name().is_none_or(|n| n != "README.md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs `harness` on every input of `target`; panics naming each input that made it panic.
fn replay(target: &str, harness: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no inputs for `{target}` in fuzz/seeds or fuzz/regressions");
    let mut failed = Vec::new();
    for path in &files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| harness(&bytes))) {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failed.push(format!("{}: {msg}", path.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "`{target}` panicked on {} of {} inputs:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn data() {
    replay("data", llmroute::fuzzing::data);
}

#[test]
fn pylit() {
    replay("pylit", llmroute::fuzzing::pylit);
}

#[test]
fn config() {
    replay("config", llmroute::fuzzing::config);
}

#[test]
fn model() {
    replay("model", llmroute::fuzzing::model);
}

#[test]
fn prices() {
    replay("prices", llmroute::fuzzing::prices);
}

#[test]
fn provider() {
    replay("provider", llmroute::fuzzing::provider);
}

#[test]
fn gateway() {
    replay("gateway", llmroute::fuzzing::gateway);
}

#[test]
fn state_import() {
    replay("state_import", llmroute::fuzzing::state_import);
}
