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

#[test]
fn unknown_shell_is_a_usage_error() {
    let env = Env::new();
    let r = env.run(&["completions", "tcsh"]).code(2);
    assert!(r.stderr.contains("invalid value 'tcsh'"), "{}", r.stderr);
}
