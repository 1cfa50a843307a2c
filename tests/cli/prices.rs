//! `models import-prices` (issue 17): the configuration is edited in place, comments and layout
//! kept, and LiteLLM's dated and provider-prefixed names are matched by a stated rule.

use crate::harness::{Env, default_config, fixture};

/// The embedded default with a stale price (and its comment) and a model only LiteLLM's dated
/// releases price.
fn config() -> String {
    let s = default_config();
    let s = s.replacen(
        "[models.claude-3-haiku]\ntier = \"cheap\"\ninput_price = 0.25",
        "[models.claude-3-haiku]\ntier = \"cheap\"\ninput_price = 0.30   # last year's list price",
        1,
    );
    s.replacen(
        "[models.gpt-4o]\n",
        "# Audio answers.\n[models.gpt-4o-audio-preview]\ntier = \"premium\"\ninput_price = 5.0\noutput_price = 20.0\n\
         provider = \"openai\"\n\n[models.gpt-4o]\n",
        1,
    )
}

#[test]
fn import_prices_edits_only_the_prices_and_names_each_match_and_its_rule() {
    let env = Env::new();
    let original = config();
    env.write("my.toml", &original);
    let slice = &fixture::arg(fixture::LITELLM_SLICE);
    env.run(&["--config", "my.toml", "models", "import-prices", slice, "--in-place"]).ok().stdout_eq("").stderr_eq(
        "\
╭──────────────────────┬────────────────────────────────────┬─────────────────┬──────────────────┬────────────────────╮
│ model                ┆ price-table entry                  ┆ rule            ┆ input $/1M       ┆ output $/1M        │
╞══════════════════════╪════════════════════════════════════╪═════════════════╪══════════════════╪════════════════════╡
│ claude-3-haiku       ┆ vertex_ai/claude-3-haiku@20240307  ┆ provider prefix ┆ 0.3000 -> 0.2500 ┆ 1.2500 -> 1.2500   │
│ claude-3-sonnet      ┆ vertex_ai/claude-3-sonnet@20240229 ┆ provider prefix ┆ 3.0000 -> 3.0000 ┆ 15.0000 -> 15.0000 │
│ gpt-4o               ┆ gpt-4o                             ┆ exact           ┆ 2.5000 -> 2.5000 ┆ 10.0000 -> 10.0000 │
│ gpt-4o-audio-preview ┆ gpt-4o-audio-preview-2025-06-03    ┆ newest dated    ┆ 5.0000 -> 2.5000 ┆ 20.0000 -> 10.0000 │
│ gpt-4o-mini          ┆ gpt-4o-mini                        ┆ exact           ┆ 0.1500 -> 0.1500 ┆ 0.6000 -> 0.6000   │
╰──────────────────────┴────────────────────────────────────┴─────────────────┴──────────────────┴────────────────────╯
updated my.toml (5 model(s))
",
    );
    // Every comment and line stays; only the three stale prices change (unchanged ones keep their
    // spelling, `0.60` and `3.00`).
    let expected = original
        .replacen("input_price = 0.30   # last year's list price", "input_price = 0.25   # last year's list price", 1)
        .replacen("input_price = 5.0\noutput_price = 20.0", "input_price = 2.5\noutput_price = 10.0", 1);
    assert_ne!(expected, original);
    assert_eq!(std::fs::read_to_string(env.path("my.toml")).unwrap(), expected);
    // The same result on stdout without --in-place; the file is left alone.
    env.write("again.toml", &original);
    env.run(&["--config", "again.toml", "models", "import-prices", slice]).ok().stdout_eq(&expected);
    assert_eq!(std::fs::read_to_string(env.path("again.toml")).unwrap(), original);
}

#[test]
fn import_prices_says_where_to_get_the_table_and_how_names_match() {
    let env = Env::new();
    env.run(&["models", "import-prices", "missing.json"]).fails(
        2,
        "error: missing.json: cannot read the price table: No such file or directory (the price table is LiteLLM's \
         model_prices_and_context_window.json, from \
         https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json)\n",
    );
    env.write("other.json", r#"{"gpt-4o": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2e-05}}"#);
    env.run(&["models", "import-prices", "other.json"]).ok().stderr_has(
        "warning: no price found for claude-3-haiku, claude-3-sonnet, gpt-4o-mini; kept their prices (set \
             `model_id` to the table's key; each catalog model is looked up by its `model_id`, then by its name",
    );
    let r = env.run(&["models", "import-prices", "other.json", "--in-place"]).code(2);
    assert!(r.stderr.starts_with("error: --in-place needs a configuration file"), "{}", r.stderr);
    let help = env.run(&["models", "import-prices", "--help"]).ok().stdout;
    assert!(help.contains("else the newest dated release (`NAME-YYYYMMDD`, `NAME-YYYY-MM-DD`, `NAME@YYYYMMDD`)"));
}

/// The default catalog without its limits, capabilities, cache prices and retirement dates: the
/// import fills every one of them from the table, as the table's own JSON says (read here).
#[test]
fn import_prices_fills_context_windows_output_limits_capabilities_and_cache_prices() {
    let env = Env::new();
    let detail = ["context_window", "max_output_tokens", "capabilities", "cached_input_price", "deprecation_date"];
    let stripped: String = default_config()
        .lines()
        .filter(|l| !detail.iter().any(|d| l.starts_with(&format!("{d} ="))))
        .map(|l| format!("{l}\n"))
        .collect();
    env.write("bare.toml", &stripped);
    let table = &fixture::arg(fixture::LITELLM_CATALOG);
    env.run(&["--config", "bare.toml", "models", "import-prices", table, "--in-place"]).ok();
    let models = env.run(&["--config", "bare.toml", "models", "--json"]).ok().json();
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(table).unwrap()).unwrap();
    let entry = |m: &str| match m {
        "claude-3-haiku" => &json["vertex_ai/claude-3-haiku@20240307"],
        "claude-3-sonnet" => &json["vertex_ai/claude-3-sonnet@20240229"],
        other => &json[other],
    };
    for m in models.as_array().unwrap() {
        let name = m["name"].as_str().unwrap();
        let e = entry(name);
        assert_eq!(m["context_window"], e["max_input_tokens"], "{name}");
        assert_eq!(m["max_output_tokens"], e["max_output_tokens"], "{name}");
        let mut caps = Vec::new();
        for (flag, cap) in [
            ("supports_function_calling", "tools"),
            ("supports_vision", "vision"),
            ("supports_response_schema", "json_schema"),
        ] {
            if e[flag] == true {
                caps.push(cap);
            }
        }
        assert_eq!(m["capabilities"], serde_json::json!(caps), "{name}");
        let cached = e["cache_read_input_token_cost"].as_f64().map_or(m["input_price"].as_f64().unwrap(), |c| c * 1e6);
        assert!((m["cached_input_price"].as_f64().unwrap() - cached).abs() < 1e-9, "{name}: {m}");
        assert_eq!(m["deprecation_date"], e["deprecation_date"], "{name}");
    }
    // What `models` shows, and `config validate` on the first day past a retirement date.
    let shown = env.run(&["--config", "bare.toml", "models"]).ok().stdout;
    assert!(shown.contains("┆ 128,000 / 16,384 ┆ tools vision json_schema ┆"), "{shown}");
    env.run_at("2026-12-04T00:00:00Z", &["config", "validate", "bare.toml"]).ok().stderr_eq(
        "warning: bare.toml: `models.claude-3-haiku`: retired by its provider on 2026-08-23 (`deprecation_date`); \
         requests to it may fail\n",
    );
}
