//! The configuration: errors name file, line, column and key path; the lookup order (flag, env,
//! working directory, embedded); `config init`, `validate` and `show`; `models` lists the catalog.

use crate::harness::{Env, article_config, default_config};

/// Writes a variant of the default config and returns the error line `models` prints for it.
fn error_for(env: &Env, text: &str) -> String {
    env.write("llmroute.toml", text);
    let r = env.run(&["models"]).code(2).no_stdout();
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    r.stderr
}

#[test]
fn config_errors_name_file_line_and_key_path() {
    let env = Env::new();
    // The article's profile: its line numbers are fixed by the article.
    let base = article_config();
    let cases = [
        (
            base.replacen("model = \"claude-3-sonnet\"", "model = \"gpt4o\"", 1),
            "error: llmroute.toml:61:9: `rules[1].model`: unknown model `gpt4o`; did you mean `gpt-4o`?\n",
        ),
        (
            base.replacen("keywords = [\"你好\"", "keywordz = [\"你好\"", 1),
            "error: llmroute.toml:54:1: `rules[0].keywordz`: unknown key; did you mean `keywords`?\n",
        ),
        (
            base.replacen("input_price = 0.15", "input_price = \"cheap\"", 1),
            "error: llmroute.toml:17:15: `models.gpt-4o-mini.input_price`: invalid type: string \"cheap\", expected f64\n",
        ),
        (
            base.replacen("output_price = 10.00", "output_price = -10.00", 1),
            "error: llmroute.toml: `models.gpt-4o.output_price`: -10 is outside 0..=100000 (USD per 1M tokens)\n",
        ),
        (
            base.replacen("below = 0.5", "below = 0.15", 1),
            "error: llmroute.toml: `difficulty.bands[1].below`: thresholds out of order: 0.15 is not above the previous band's 0.2\n",
        ),
        (
            base.replacen("tier = \"premium\"", "tier = \"premum\"", 1),
            "error: llmroute.toml: `models.gpt-4o.tier`: unknown tier `premum`; did you mean `premium`?\n",
        ),
        (
            base.replacen("timezone = \"local\"", "timezone = \"Mars/Olympus\"", 1),
            "error: llmroute.toml: `quota.timezone`: unknown time zone `Mars/Olympus`; use `local`, `UTC`, an offset like `+08:00`, or an IANA name like `Asia/Shanghai`\n",
        ),
        (
            base.replacen("stages = [\"rules\", \"ml\", \"difficulty\"]", "stages = [\"rules\", \"mll\"]", 1),
            "error: llmroute.toml:129:20: `chain.stages[1]`: unknown value `mll`; did you mean `ml`?\n",
        ),
        (
            base.replacen("[quota]", "[quota\n", 1),
            "error: llmroute.toml:152:7: invalid TOML: unclosed table, expected `]`\n",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(error_for(&env, &text), want);
    }
}

#[test]
fn lookup_order_is_flag_then_env_then_working_dir_then_embedded() {
    let env = Env::new();
    let show = |env: &Env, extra: &[&str], vars: &[(&str, &str)]| {
        let mut args = extra.to_vec();
        args.extend(["config", "show"]);
        env.run_env(&args, vars).ok().stdout.lines().next().unwrap().to_string()
    };
    assert_eq!(show(&env, &[], &[]), "# effective configuration, from: embedded default");
    env.write("llmroute.toml", default_config());
    assert_eq!(show(&env, &[], &[]), "# effective configuration, from: llmroute.toml (working directory)");
    let other = &env.file("other.toml", default_config());
    assert_eq!(
        show(&env, &[], &[("LLMROUTE_CONFIG", other)]),
        format!("# effective configuration, from: {other} (LLMROUTE_CONFIG)")
    );
    assert_eq!(
        show(&env, &["--config", other], &[("LLMROUTE_CONFIG", "missing.toml")]),
        format!("# effective configuration, from: {other} (--config)")
    );
}

#[test]
fn missing_config_file_is_a_clear_error() {
    let env = Env::new();
    env.run(&["--config", "nope.toml", "models"])
        .fails(2, "error: nope.toml: cannot read configuration: No such file or directory\n");
}

#[test]
fn config_file_with_invalid_utf8_is_reported_with_its_line() {
    let env = Env::new();
    env.write("bad.toml", b"tiers = [\"cheap\"]\n# caf\xe9\n");
    env.run(&["--config", "bad.toml", "models"]).fails(2, "error: bad.toml:2: not valid UTF-8 (byte offset 23)\n");
}

#[test]
fn init_writes_the_default_and_refuses_to_overwrite() {
    let env = Env::new();
    env.run(&["config", "init"]).ok();
    assert_eq!(std::fs::read_to_string(env.path("llmroute.toml")).unwrap(), default_config());
    env.write("llmroute.toml", "# mine\n");
    env.run(&["config", "init"]).fails(2, "error: llmroute.toml: already exists; pass --force to overwrite it\n");
    assert_eq!(std::fs::read_to_string(env.path("llmroute.toml")).unwrap(), "# mine\n");
    env.run(&["config", "init", "--force"]).ok();
    assert_eq!(std::fs::read_to_string(env.path("llmroute.toml")).unwrap(), default_config());
    env.run(&["config", "init", "sub.toml"]).ok();
    assert!(env.path("sub.toml").exists());
}

#[test]
fn validate_reports_ok_or_the_error() {
    let env = Env::new();
    env.run(&["config", "validate"])
        .ok()
        .stdout_eq("embedded default: ok (4 models, 6 rules, 4 difficulty bands, chain: rules -> ml -> difficulty)\n");
    let p = env.file("x.toml", default_config().replacen("below = 0.2", "below = 0.9", 1));
    env.run(&["config", "validate", &p]).code(2).stderr_has("`difficulty.bands[1].below`: thresholds out of order");
}

#[test]
fn show_prints_a_config_that_validates_and_routes_the_same() {
    let env = Env::new();
    let shown = env.run(&["config", "show"]).ok().stdout;
    env.write("shown.toml", &shown);
    env.run(&["config", "validate", "shown.toml"]).ok();
    let a = env.dry_route(&["为什么要比较算法"]);
    let b = env.run(&["--config", "shown.toml", "route", "--json", "--dry-run", "为什么要比较算法"]).ok().json();
    assert_eq!(a, b);
}

#[test]
fn models_lists_the_catalog_cheapest_first() {
    let env = Env::new();
    let v = env.run(&["models", "--json"]).ok().json();
    let names: Vec<&str> = v.as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["gpt-4o-mini", "claude-3-haiku", "claude-3-sonnet", "gpt-4o"]);
    assert_eq!(v[3]["input_price"], 2.5);
    assert_eq!(v[3]["daily_quota"], 1000);
    insta::assert_snapshot!(env.run(&["models"]).ok().stdout);
}

#[test]
fn serve_workers_are_range_checked_in_the_config_and_the_flag() {
    let env = Env::new();
    let cfg = default_config();
    assert!(cfg.contains("\nworkers = 0 "));
    env.write("bad.toml", cfg.replacen("\nworkers = 0 ", "\nworkers = 5000 ", 1));
    env.run(&["config", "validate", "bad.toml"]).code(2).stderr_has("`serve.workers`: 5000 is outside 0..=1024");
    env.run(&["serve", "--workers", "2000"]).code(2).stderr_has("--workers");
}
