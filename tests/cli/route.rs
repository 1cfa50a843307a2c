//! `route`: the decision for one prompt (model, method, reason, params, estimated cost), its
//! human and JSON forms, the strategies and `--explain`, prompts from stdin or a chat body, and
//! bad input as one line with exit 2.

use crate::harness::{Env, Run, article_config};

#[test]
fn route_json_has_the_article_fields_for_the_article_examples() {
    let env = Env::article();
    let cases = [
        ("你好", "gpt-4o-mini", "greeting", 0.3, Some(100)),
        ("帮我写代码实现快速排序", "claude-3-sonnet", "code_generation", 0.2, Some(2000)),
        ("分析一下这只股票的财报", "gpt-4o", "financial_analysis", 0.1, Some(1000)),
    ];
    for (prompt, model, reason, temperature, max_tokens) in cases {
        let v = env.run(&["route", "--json", prompt]).ok().json();
        assert_eq!(v["model"], model, "{prompt}");
        assert_eq!(v["reason"], reason);
        assert_eq!(v["method"], "rule");
        assert_eq!(v["rule"], reason);
        assert_eq!(v["difficulty"], serde_json::Value::Null);
        assert_eq!(v["params"]["temperature"], temperature);
        assert_eq!(v["params"]["max_tokens"].as_u64(), max_tokens);
        assert!(v["estimated_cost_usd"].as_f64().unwrap() > 0.0);
        assert_eq!(v["counted"], true);
    }
}

#[test]
fn route_estimated_cost_uses_exact_token_counts_and_list_prices() {
    let env = Env::new();
    let v = env.dry_route(&["你好"]);
    // "你好" is 1 o200k token + 3 per message + 1 for the role + 3 reply priming = 8 input tokens
    // (OpenAI's cookbook count); 100 output tokens (the greeting rule's max_tokens caps the
    // 250-token estimate).
    assert_eq!(v["input_tokens"], 8);
    assert_eq!(v["output_tokens"], 100);
    assert_eq!(v["token_count"], "exact");
    let want = (8.0 * 0.15 + 100.0 * 0.60) / 1e6;
    assert!((v["estimated_cost_usd"].as_f64().unwrap() - want).abs() < 1e-12);
}

#[test]
fn route_human_output_is_stable() {
    let env = Env::article();
    env.run(&["route", "--dry-run", "分析一下这只股票的财报"]).ok().stdout_eq(
        "model       gpt-4o\n\
         method      rule\n\
         reason      financial_analysis\n\
         params      temperature=0.1 max_tokens=1000\n\
         difficulty  -\n\
         est. cost   $0.00253750 (15 input + 250 output tokens)\n\
         quota       not counted (--dry-run)\n",
    );
}

#[test]
fn chain_passes_to_difficulty_when_no_rule_matches() {
    let env = Env::article();
    let v = env.dry_route(&["为什么天空是蓝色的?请比较并推导"]);
    assert_eq!(v["method"], "difficulty");
    assert_eq!(v["model"], "claude-3-haiku");
    assert_eq!(v["tier"], "moderate");
    let d = v["difficulty"].as_f64().unwrap();
    let want = 0.0 + (16.0f64 / 2000.0).min(1.0) * 0.2 + 1.0 * 0.3 + 0.0 * 0.2 + 0.0 * 0.3;
    // Printed to 4 decimals, as the text output shows it (no float noise such as 0.30160000000000003).
    assert_eq!(d, (want * 1e4).round() / 1e4);
    let text = env.run(&["route", "--json", "--dry-run", "为什么天空是蓝色的?请比较并推导"]).ok().stdout;
    assert!(text.contains("\"difficulty\": 0.3016,"), "{text}");
}

#[test]
fn strategy_rules_reproduces_the_default_route() {
    let env = Env::new();
    let v = env.dry_route(&["--strategy", "rules", "what is 2+2"]);
    assert_eq!(v["model"], "gpt-4o-mini");
    assert_eq!(v["reason"], "default");
    assert_eq!(v["params"], serde_json::json!({"temperature": 0.7}));
}

#[test]
fn strategy_difficulty_ignores_rules() {
    let env = Env::new();
    let v = env.dry_route(&["--strategy", "difficulty", "你好"]);
    assert_eq!(v["method"], "difficulty");
    assert_eq!(v["model"], "gpt-4o-mini");
    assert_eq!(v["params"], serde_json::json!({"temperature": 0.7, "max_tokens": 300}));
}

#[test]
fn explain_lists_every_stage_and_the_breakdown() {
    let env = Env::article();
    let v = env.run(&["route", "--json", "--explain", "--dry-run", "输出 JSON 表格"]).ok().json();
    let stages: Vec<(String, String)> = v["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stage"].as_str().unwrap().to_string(), s["verdict"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        stages,
        [
            ("rules".into(), "declined".into()),
            ("ml".into(), "declined".into()),
            ("difficulty".into(), "decided".into())
        ]
    );
    let dims = v["difficulty_breakdown"]["dimensions"].as_array().unwrap();
    assert_eq!(dims[2]["name"], "structure");
    assert_eq!(dims[2]["matched"], serde_json::json!(["表格", "JSON"]));
}

#[test]
fn tag_selects_a_tagged_rule() {
    let env = Env::new();
    let cfg = article_config().replace(
        "[default_route]",
        "[[rules]]\nname = \"translation\"\ntags = [\"translate\"]\nmodel = \"claude-3-haiku\"\n\n[default_route]",
    );
    let c = &env.file("tagged.toml", cfg);
    let v = env
        .run(&["--config", c, "route", "--json", "--dry-run", "--tag", "translate", "bonjour tout le monde"])
        .ok()
        .json();
    assert_eq!((v["model"].as_str(), v["rule"].as_str()), (Some("claude-3-haiku"), Some("translation")));
    let v = env.run(&["--config", c, "route", "--json", "--dry-run", "bonjour tout le monde"]).ok().json();
    assert_eq!(v["method"], "difficulty");
}

#[test]
fn prompt_from_stdin() {
    let env = Env::new();
    let v = env.run_stdin(&["route", "--json", "--dry-run", "-"], "hello there\n").ok().json();
    assert_eq!(v["reason"], "greeting");
}

#[test]
fn chat_body_routes_on_the_last_user_message() {
    let env = Env::new();
    let body = r#"{"model":"x","messages":[{"role":"user","content":"帮我写代码"},{"role":"assistant","content":"ok"},{"role":"user","content":"你好"}]}"#;
    let v = env.dry_route(&["--chat", body]);
    assert_eq!(v["reason"], "greeting");
    let v = env.run_stdin(&["route", "--json", "--dry-run", "--chat", "-"], body).ok().json();
    assert_eq!(v["reason"], "greeting");
    // Input tokens cover all three messages.
    assert!(v["input_tokens"].as_u64().unwrap() > 7);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let env = Env::new();
    let cases: Vec<(Run, &str)> = vec![
        (env.run(&["route", ""]), "error: argument: the prompt is empty\n"),
        (env.run(&["route", "   "]), "error: argument: the prompt is empty\n"),
        (env.run_stdin(&["route", "-"], b"ok\n\xff\xfe"), "error: stdin: invalid UTF-8 at line 2 (byte offset 3)\n"),
        (
            env.run(&["route", "--chat", "{\"messages\": [}"]),
            "error: argument: invalid chat JSON at line 1 column 15: expected value\n",
        ),
        (
            env.run(&["route", "--chat", r#"{"messages":[{"role":"system","content":"x"}]}"#]),
            "error: argument: the chat body has no message with role `user`\n",
        ),
        (env.run(&["route", "--chat", r#"{"prompt":"x"}"#]), "error: argument: a chat body needs a `messages` array\n"),
    ];
    for (r, want) in cases {
        r.fails(2, want).no_stdout();
    }
}

#[test]
fn closed_stdout_is_not_an_error() {
    let env = Env::new();
    let mut c = env.cmd(&["models"]);
    c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn an_unquoted_prompt_of_several_words_gets_a_tip_to_quote_it() {
    let env = Env::new();
    env.run(&["route", "--dry-run", "what", "is", "the", "capital", "of", "France"]).no_stdout().fails(
        2,
        "error: unexpected argument 'is' found

  tip: quote a prompt with spaces: llmroute route \"what is the capital of France\"

Usage: llmroute route [OPTIONS] <PROMPT>

For more information, try '--help'.
",
    );
    env.run(&["ask", "what", "is"]).fails(
        2,
        "error: unexpected argument 'is' found

  tip: quote a prompt with spaces: llmroute ask \"what is\"

Usage: llmroute ask [OPTIONS] <PROMPT>

For more information, try '--help'.
",
    );
}
