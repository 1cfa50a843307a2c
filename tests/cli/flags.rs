//! One flag scheme across commands (issue 17): `--classifier FILE` for the ML stage's model,
//! `--model NAME` / `--force-model NAME` for an LLM, `--input-format` for what is read, `--format`
//! for what is printed and `--json` as its shorthand.

use crate::harness::{Env, fixture};

fn used(env: &Env, model: &str) -> u64 {
    let q = env.quota_json();
    q.as_array().unwrap().iter().find(|r| r["model"] == model).unwrap()["used"].as_u64().unwrap()
}

#[test]
fn route_force_model_skips_routing_and_counts_the_named_model() {
    let env = Env::new();
    // A greeting routes to gpt-4o-mini; named, it goes to gpt-4o.
    let v = env.run(&["route", "--json", "--force-model", "gpt-4o", "--request-id", "f-1", "hi"]).ok().json();
    assert_eq!(v["model"], "gpt-4o");
    assert_eq!((v["method"].as_str(), v["reason"].as_str()), (Some("client"), Some("requested")));
    assert_eq!(v["strategy"], "client");
    assert_eq!(v["counted"], true);
    assert_eq!((used(&env, "gpt-4o"), used(&env, "gpt-4o-mini")), (1, 0));
    // `--model` is the same flag; a dry run counts nothing.
    let v = env.dry_route(&["--model", "claude-3-haiku", "hi"]);
    assert_eq!((v["model"].as_str(), v["counted"].as_bool()), (Some("claude-3-haiku"), Some(false)));
    assert_eq!(used(&env, "claude-3-haiku"), 0);
    // The decision is logged: feedback joins it.
    env.run(&["feedback", "add", "--request-id", "f-1", "--rating", "5"]).ok();
    assert_eq!(env.run(&["feedback", "stats", "--json"]).ok().json()[0]["key"], "gpt-4o");
}

#[test]
fn route_force_model_names_an_unknown_model_and_respects_its_quota() {
    let env = Env::new();
    env.run(&["route", "--model", "gpt4o", "hi"]).fails(
        2,
        "error: --model: unknown model `gpt4o`; did you mean `gpt-4o`? (`llmroute models` lists the catalog)\n",
    );
    env.run(&["route", "--model", "gpt-4o", "--strategy", "rules", "hi"])
        .code(2)
        .stderr_has("'--model <NAME>' cannot be used with '--strategy <STRATEGY>'");
    let tiny = &fixture::arg(fixture::TINY_QUOTAS);
    let now = "2026-11-26T23:00:00Z";
    env.run_at(now, &["--config", tiny, "route", "--model", "mid", "hi"]).ok();
    let r = env.run_at(now, &["--config", tiny, "route", "--json", "--model", "mid", "hi"]).code(4);
    assert_eq!(r.json()["error"], "all_quotas_exhausted");
    let r = env.run_at(now, &["--config", tiny, "route", "--dry-run", "--model", "mid", "hi"]).code(4);
    assert!(r.stderr.starts_with("error: all_quotas_exhausted"), "{}", r.stderr);
}

#[test]
fn classifier_is_the_ml_stage_model_flag_everywhere() {
    let env = Env::new();
    let v = env.run(&["route", "--json", "--dry-run", "--classifier", "builtin:tiers", "--strategy", "ml", "hi"]).ok();
    assert_eq!(v.json()["method"], "ml");
    let r = env.run(&["route", "--dry-run", "--classifier", "missing.model", "hi"]).code(2);
    assert!(r.stderr.starts_with("error: missing.model: cannot read model"), "{}", r.stderr);
    for cmd in ["simulate", "batch", "evaluate", "serve"] {
        let help = env.run(&[cmd, "--help"]).ok().stdout;
        assert!(help.contains("--classifier <FILE>"), "{cmd}:\n{help}");
        assert!(!help.contains("--model <"), "{cmd}:\n{help}");
    }
}

#[test]
fn json_is_the_shorthand_of_format_json() {
    let env = Env::new();
    let f = &fixture::arg(fixture::MINI_ROUTERBENCH);
    let long = env.run(&["simulate", f, "--format", "json", "--bootstrap", "0"]).ok().stdout;
    let short = env.run(&["simulate", f, "--json", "--bootstrap", "0"]).ok().stdout;
    assert_eq!(long, short);
    assert!(long.starts_with('{'));
    env.run(&["simulate", f, "--json", "--format", "csv"])
        .code(2)
        .stderr_has("'--json' cannot be used with '--format <FORMAT>'");
    assert_eq!(env.run(&["batch", f, "--json"]).ok().stdout, env.run(&["batch", f, "--format", "jsonl"]).ok().stdout);
    for args in
        [&["models", "--format", "json"][..], &["quota", "--format", "json"], &["route", "--format", "json", "hi"]]
    {
        assert!(env.run(args).ok().json().is_object() || env.run(args).ok().json().is_array(), "{args:?}");
    }
}

#[test]
fn input_format_names_what_train_and_evaluate_read() {
    let env = Env::new();
    let mut rows = String::from("prompt,label\n");
    for i in 0..30 {
        rows.push_str(&format!("hello number {i},cheap\nprove theorem {i},premium\n"));
    }
    // No extension to guess from: `--input-format csv` says what it is.
    env.write("rows.data", rows);
    let args = ["train", "rows.data", "--input-format", "csv", "-o", "m.model", "--n-estimators", "5", "--json"];
    let v = env.run(&args).ok().json();
    assert_eq!(v["rows"], 60);
    let v =
        env.run(&["evaluate", "--classifier", "m.model", "rows.data", "--input-format", "csv", "--json"]).ok().json();
    assert_eq!(v["n"], 60);
    env.run(&["train", "rows.data", "--format", "csv", "-o", "x.model"])
        .code(2)
        .stderr_has("invalid value 'csv' for '--format <FORMAT>'");
}

#[test]
fn plain_markdown_and_csv_render_the_same_table() {
    let env = Env::new();
    let plain = env.run(&["models", "--format", "plain"]).ok().stdout;
    assert!(plain.starts_with("model "), "{plain}");
    assert!(!plain.contains('│') && !plain.lines().any(|l| l.ends_with(' ')), "{plain}");
    let md = env.run(&["models", "--format", "markdown"]).ok().stdout;
    assert!(md.starts_with("| model "), "{md}");
    let csv = env.run(&["models", "--format", "csv"]).ok().stdout;
    assert_eq!(
        csv.lines().next(),
        Some("model,tier,input $/1M,output $/1M,daily quota,context / output,capabilities,provider,ml labels")
    );
    assert_eq!(
        csv.lines().nth(1),
        Some(
            "gpt-4o-mini,cheap,0.1500,0.6000,50000,\"128,000 / 16,384\",tools vision json_schema,openai,\"SIMPLE, cheap\""
        )
    );
}

#[test]
fn global_options_are_listed_once_and_accepted_anywhere() {
    let env = Env::new();
    let top = env.run(&["--help"]).ok().stdout;
    assert_eq!(top.matches("--config <PATH>").count(), 1, "{top}");
    assert_eq!(top.matches("--state <PATH>").count(), 1, "{top}");
    let help = env.run(&["completions", "--help"]).ok().stdout;
    assert!(!help.contains("--config <PATH>") && !help.contains("--state <PATH>"), "{help}");
    assert!(help.ends_with(
        "Examples:\n  llmroute completions zsh > ~/.zfunc/_llmroute\n  llmroute completions bash > \
         ~/.local/share/bash-completion/completions/llmroute\n  llmroute completions fish > \
         ~/.config/fish/completions/llmroute.fish\n\nGlobal options (see `llmroute --help`): --config PATH, --state PATH\n"
    ));
    // A nested subcommand shows its parent's examples that use it.
    let help = env.run(&["quota", "reset", "--help"]).ok().stdout;
    assert!(help.contains("Examples:\n  llmroute quota reset gpt-4o"), "{help}");
    // Still accepted before and after the subcommand.
    let article = &fixture::arg(fixture::ARTICLE_CONFIG);
    let state = &env.arg("elsewhere.db");
    let after = env.run(&["route", "--json", "--config", article, "--state", state, "你好"]).ok().json();
    assert_eq!(after["rule"], "greeting");
    let before = env.run(&["--config", article, "route", "--json", "--dry-run", "你好"]).ok().json();
    assert_eq!(before["rule"], "greeting");
    assert!(env.path("elsewhere.db").exists());
}

#[test]
fn help_lists_the_provider_key_variables_in_its_environment_section() {
    let env = Env::new();
    let help = env.run(&["--help"]).ok().stdout;
    let section = &help[help.find("Environment:\n").expect("an environment section")..];
    assert_eq!(
        section,
        "\
Environment:
  LLMROUTE_CONFIG    configuration file (after --config, before ./llmroute.toml)
  LLMROUTE_STATE     state store path (quota counters)
  LLMROUTE_NOW       pretend the current time is this RFC 3339 instant (tests, replays)
  OPENAI_API_KEY     OpenAI's API key for `ask` and `serve` ([providers.openai] api_key_env)
  ANTHROPIC_API_KEY  Anthropic's API key for `ask` and `serve` ([providers.anthropic] api_key_env)
  NO_COLOR           disable colour
"
    );
}
