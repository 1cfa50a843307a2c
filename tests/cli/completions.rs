//! The committed completion scripts and man pages are what the binary generates.

use crate::harness::{Env, repo};

const FILES: [(&str, &str); 5] = [
    ("bash", "llmroute.bash"),
    ("zsh", "_llmroute"),
    ("fish", "llmroute.fish"),
    ("powershell", "_llmroute.ps1"),
    ("elvish", "llmroute.elv"),
];

/// The committed scripts in `completions/` must match what the binary generates.
/// Regenerate them with `scripts/gen-completions.sh`.
#[test]
fn committed_completions_are_fresh() {
    let env = Env::new();
    for (shell, file) in FILES {
        let generated = env.run(&["completions", shell]).ok().stdout;
        let committed = std::fs::read_to_string(repo("completions").join(file))
            .unwrap_or_else(|_| panic!("completions/{file} is missing; run scripts/gen-completions.sh"));
        assert!(generated == committed, "completions/{file} is stale; run scripts/gen-completions.sh");
    }
}

/// The committed man pages in `man/` must be the ones the binary generates, no more and no fewer.
/// Regenerate them with `scripts/gen-completions.sh`.
#[test]
fn committed_man_pages_are_fresh() {
    let env = Env::new();
    env.run(&["man", "--dir", "man"]).ok();
    let names = |dir: std::path::PathBuf| {
        let mut v: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    let generated = names(env.path("man"));
    assert!(
        generated.contains(&"llmroute.1".to_string()) && generated.contains(&"llmroute-feedback-add.1".to_string())
    );
    assert_eq!(generated, names(repo("man")), "man/ is stale; run scripts/gen-completions.sh");
    for name in &generated {
        let fresh = std::fs::read(env.path("man").join(name)).unwrap();
        let committed = std::fs::read(repo("man").join(name)).unwrap();
        assert!(fresh == committed, "man/{name} is stale; run scripts/gen-completions.sh");
    }
    // One page on stdout is the same page.
    let route = env.run(&["man", "route"]).ok().stdout;
    // The footer carries the program and its version, a subcommand's page too.
    let title = format!(".TH llmroute-route 1  \"llmroute {}\" \n", env!("CARGO_PKG_VERSION"));
    assert_eq!(route.lines().nth(2).map(|l| format!("{l}\n")), Some(title));
    assert_eq!(route.as_bytes(), std::fs::read(repo("man/llmroute-route.1")).unwrap());
    assert!(route.contains(".SH NAME\nllmroute\\-route \\- Decide which model should answer a prompt\n"), "{route}");
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let env = Env::new();
    env.run(&["completions", "tcsh"]).code(2).stderr_has("invalid value 'tcsh'");
}
