//! Tables fit the terminal (issue 17): `COLUMNS` (or the terminal's width) bounds boxed tables;
//! pipes without `COLUMNS` get them unwrapped.

use crate::harness::{Env, fixture};

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

const RB_MODELS: [&str; 11] = [
    "WizardLM/WizardLM-13B-V1.2",
    "claude-instant-v1",
    "claude-v1",
    "claude-v2",
    "gpt-3.5-turbo-1106",
    "gpt-4-1106-preview",
    "meta/code-llama-instruct-34b-chat",
    "meta/llama-2-70b-chat",
    "mistralai/mistral-7b-chat",
    "mistralai/mixtral-8x7b-chat",
    "zero-one-ai/Yi-34B-Chat",
];

#[test]
fn simulate_fits_80_columns_and_says_where_the_hidden_columns_are() {
    let env = Env::new();
    let f = fixture::arg(fixture::ROUTELLM);
    let args = ["simulate", &f, "--bootstrap", "200"];
    let narrow = env.run_env(&args, &[("COLUMNS", "80")]).ok().stdout;
    assert!(widest(&narrow) <= 80, "{narrow}");
    assert!(
        narrow.contains("│ strategy                           ┆ $/request ┆ quality ┆ premium ┆ savings │"),
        "{narrow}"
    );
    assert!(
        narrow.contains("│ all Mixtral-8x7B-Instruct-v0.1     ┆ $0.000018 ┆  0.6807 ┆   0.0 % ┆ $22,375 │"),
        "{narrow}"
    );
    assert!(narrow.contains("(95 % intervals and Δ hull: --format plain, --json, or a 133-column terminal)\n"));
    // Header lines wrap under their value.
    assert!(narrow.contains(
        "cascade    Mixtral-8x7B-Instruct-v0.1 → gpt-4-1106-preview: accepts a recorded\n           quality"
    ));
    // A pipe without COLUMNS: nothing is wrapped or left out.
    let piped = env.run(&args).ok().stdout;
    assert!(piped.contains(" quality [95% CI] ┆"), "{piped}");
    assert!(piped.contains("│ all mistralai/Mixtral-8x7B-Instruct-v0.1  ┆"), "{piped}");
    assert!(widest(&piped) > 130);
    // Wide enough: the full table.
    let wide = env.run_env(&args, &[("COLUMNS", "200")]).ok().stdout;
    assert!(wide.contains(" quality [95% CI] ┆"), "{wide}");
}

#[test]
fn train_confusion_matrix_of_11_models_fits_80_columns_with_a_legend() {
    let env = Env::new();
    let mut rows = String::from("prompt,label\n");
    for i in 0..40 {
        for (k, m) in RB_MODELS.iter().enumerate() {
            rows.push_str(&format!("topic{k} word{i} extra{},{m}\n", i % 5));
        }
    }
    env.write("rb.csv", rows);
    let args = ["train", "rb.csv", "-o", "rb.model", "--n-estimators", "3", "--force"];
    let narrow = env.run_env(&args, &[("COLUMNS", "80")]).ok().stdout;
    assert!(widest(&narrow) <= 80, "{narrow}");
    assert!(narrow.contains("confusion (rows: true label, columns: predicted)\n   1  WizardLM/WizardLM-13B-V1.2\n"));
    assert!(narrow.contains("  11  zero-one-ai/Yi-34B-Chat\n"), "{narrow}");
    assert!(narrow.contains("│ true\\pred ┆ 1 ┆ 2 ┆ 3 ┆ 4 ┆"), "{narrow}");
    let piped = env.run(&args).ok().stdout;
    assert!(piped.contains("│ true \\ predicted                  ┆ WizardLM/WizardLM-13B-V1.2 ┆"), "{piped}");
    assert!(widest(&piped) > 250);
}

#[test]
fn plain_and_markdown_never_wrap() {
    let env = Env::new();
    let f = fixture::arg(fixture::ROUTELLM);
    for format in ["plain", "markdown"] {
        let out =
            env.run_env(&["simulate", &f, "--bootstrap", "0", "--format", format], &[("COLUMNS", "80")]).ok().stdout;
        let row = out.lines().find(|l| l.contains("all mistralai/Mixtral-8x7B-Instruct-v0.1")).unwrap();
        assert!(row.contains("0.6807") && row.ends_with("+0.0000") || row.ends_with("+0.0000 |"), "{format}:\n{out}");
        assert!(widest(&out) > 80, "{format}:\n{out}");
    }
}

#[test]
fn models_at_80_columns_wraps_between_words_and_says_where_the_left_out_columns_are() {
    let env = Env::new();
    env.run_env(&["models"], &[("COLUMNS", "80")]).ok().stdout_eq(
        "\
╭─────────────────┬──────────┬────────┬─────────┬───────┬─────────┬───────────╮
│ model           ┆ tier     ┆  input ┆  output ┆ daily ┆ context ┆ provider  │
│                 ┆          ┆   $/1M ┆    $/1M ┆ quota ┆       / ┆           │
│                 ┆          ┆        ┆         ┆       ┆  output ┆           │
╞═════════════════╪══════════╪════════╪═════════╪═══════╪═════════╪═══════════╡
│ gpt-4o-mini     ┆ cheap    ┆ 0.1500 ┆  0.6000 ┆ 50000 ┆ 128,000 ┆ openai    │
│                 ┆          ┆        ┆         ┆       ┆       / ┆           │
│                 ┆          ┆        ┆         ┆       ┆  16,384 ┆           │
│ claude-3-haiku  ┆ cheap    ┆ 0.2500 ┆  1.2500 ┆ 10000 ┆ 200,000 ┆ anthropic │
│                 ┆          ┆        ┆         ┆       ┆ / 4,096 ┆           │
│ claude-3-sonnet ┆ balanced ┆ 3.0000 ┆ 15.0000 ┆  3000 ┆ 200,000 ┆ anthropic │
│                 ┆          ┆        ┆         ┆       ┆ / 4,096 ┆           │
│ gpt-4o          ┆ premium  ┆ 2.5000 ┆ 10.0000 ┆  1000 ┆ 128,000 ┆ openai    │
│                 ┆          ┆        ┆         ┆       ┆       / ┆           │
│                 ┆          ┆        ┆         ┆       ┆  16,384 ┆           │
╰─────────────────┴──────────┴────────┴─────────┴───────┴─────────┴───────────╯
(capabilities, ml labels: --format plain, --json, or a 150-column terminal)
ml model: builtin:tiers (trained from the UncommonRoute prompt → tier data (MIT
          license), 1,892 prompts in 7 languages, on the built-in encoder)
",
    );
    // Narrower still: fewer columns, never a word or a number broken.
    let narrow = env.run_env(&["models"], &[("COLUMNS", "50")]).ok().stdout;
    assert!(widest(&narrow) <= 50, "{narrow}");
    assert!(narrow.contains("│ claude-3-sonnet ┆ balanced ┆ 3.0000 ┆ 15.0000 │\n"), "{narrow}");
    // Wide enough, or a pipe: every column on one line each.
    let wide = env.run_env(&["models"], &[("COLUMNS", "150")]).ok().stdout;
    assert_eq!(wide, env.run(&["models"]).ok().stdout);
    assert!(wide.contains("┆ tools vision json_schema ┆ openai    ┆ SIMPLE, cheap      │\n"), "{wide}");
}
