//! Routing only to models that can serve the request: context windows, output limits and
//! capabilities (tools, image input, JSON-schema output) from the catalog, in `route`, `batch`,
//! `simulate` and the gateway; no model left is exit 6 (HTTP 400 from `serve`).

use crate::harness::{Env, default_config, fixture, read};

/// `word ` × n: n + 8 input tokens as `route` counts them.
fn long(n: usize) -> String {
    "word ".repeat(n)
}

#[test]
fn a_long_prompt_skips_the_small_window_models_and_says_why() {
    let env = Env::new();
    let v = env.run_stdin(&["route", "--json", "--dry-run", "-"], long(140_000)).ok().json();
    assert_eq!(v["input_tokens"], 140_008);
    assert!(v["model"].as_str().unwrap().starts_with("claude-3"), "{v}");
    assert_eq!(
        v["excluded"],
        serde_json::json!([
            {"model": "gpt-4o", "reason": "140,008 tokens > 128,000 context"},
            {"model": "gpt-4o-mini", "reason": "140,008 tokens > 128,000 context"}
        ])
    );
    // --explain lists every exclusion; a stage whose model is ruled out says so.
    let r = env
        .run_stdin(&["route", "--dry-run", "--explain", "--strategy", "rules", "-"], format!("hi {}", long(130_000)));
    let out = r.ok().stdout;
    assert!(out.contains("\nexcluded\n  gpt-4o          130,009 tokens > 128,000 context\n  gpt-4o-mini     130,009 tokens > 128,000 context\n"), "{out}");

    // Longer than every window: exit 6, each model's reason.
    env.run_stdin(&["route", "--dry-run", "-"], long(210_000)).fails(
        6,
        "error: no model in the catalog can serve this request (`claude-3-haiku`: 210,008 tokens > 200,000 context; \
         `claude-3-sonnet`: 210,008 tokens > 200,000 context; `gpt-4o`: 210,008 tokens > 128,000 context; \
         `gpt-4o-mini`: 210,008 tokens > 128,000 context)\n",
    );
    // A model asked for by name that cannot serve it.
    env.run_stdin(&["route", "--dry-run", "--model", "gpt-4o", "-"], long(140_000))
        .fails(6, "error: `gpt-4o` cannot serve this request: 140,008 tokens > 128,000 context\n");
}

#[test]
fn batch_and_simulate_route_around_the_window_and_count_what_single_models_could_not_serve() {
    let env = Env::new();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["id", "prompt"]).unwrap();
    w.write_record(["short", "hello"]).unwrap();
    w.write_record(["long", &long(140_000)]).unwrap();
    w.write_record(["huge", &long(210_000)]).unwrap();
    env.write("log.csv", w.into_inner().unwrap());
    let out = env.run(&["batch", "log.csv", "--format", "jsonl"]).ok().stdout;
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["model"], "gpt-4o-mini");
    assert!(lines[1]["model"].as_str().unwrap().starts_with("claude-3"), "{}", lines[1]);
    assert_eq!(
        (lines[2]["model"].clone(), lines[2]["reason"].as_str()),
        (serde_json::Value::Null, Some("no_model_can_serve"))
    );

    let v = env.run(&["simulate", "log.csv", "--format", "json", "--bootstrap", "0"]).ok().json();
    let unservable = |key: &str| {
        v["strategies"].as_array().unwrap().iter().find(|s| s["key"] == key).unwrap_or_else(|| panic!("{key}"))["unservable"]
            .as_u64()
            .unwrap()
    };
    // The 128,000-token models cannot answer the two long rows; routers send the 140,000-token
    // one to a Claude model and have no model for the 210,000-token one.
    assert_eq!((unservable("all:gpt-4o"), unservable("all:gpt-4o-mini")), (2, 2));
    assert_eq!((unservable("all:claude-3-haiku"), unservable("chain"), unservable("rules")), (1, 1, 1));
    let table = env.run(&["simulate", "log.csv", "--bootstrap", "0"]).ok().stdout;
    assert!(table.contains("too long   all gpt-4o: 2 rows longer than the context window of every model it may use; refused (no cost, quality 0)\n"), "{table}");
}

/// A catalog where `gpt-4o-mini` has no image input and `claude-3-haiku` is text only.
fn capability_config(env: &Env) {
    let cfg = default_config();
    let cfg = cfg.replacen(
        "capabilities = [\"tools\", \"vision\", \"json_schema\"]",
        "capabilities = [\"tools\", \"json_schema\"]",
        1,
    );
    let cfg = cfg.replacen("capabilities = [\"tools\", \"vision\"]", "capabilities = []", 1);
    env.write("llmroute.toml", cfg);
    let models = env.run(&["models", "--json"]).ok().json();
    let caps = |m: &str| models.as_array().unwrap().iter().find(|r| r["name"] == m).unwrap()["capabilities"].clone();
    assert_eq!(
        (caps("gpt-4o-mini"), caps("claude-3-haiku")),
        (serde_json::json!(["tools", "json_schema"]), serde_json::json!([]))
    );
}

fn chat(env: &Env, body: serde_json::Value) -> serde_json::Value {
    env.run_stdin(&["route", "--json", "--dry-run", "--chat", "-"], body.to_string()).ok().json()
}

#[test]
fn chat_requests_with_tools_images_or_a_schema_never_land_on_a_model_without_them() {
    let env = Env::new();
    capability_config(&env);
    let user = |content: serde_json::Value| serde_json::json!([{"role": "user", "content": content}]);
    let image = serde_json::json!([{"type": "text", "text": "hello"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]);
    // A greeting goes to gpt-4o-mini; with an image it cannot.
    assert_eq!(chat(&env, serde_json::json!({"messages": user("hello".into())}))["model"], "gpt-4o-mini");
    let v = chat(&env, serde_json::json!({"messages": user(image)}));
    let model = v["model"].as_str().unwrap();
    assert!(["claude-3-sonnet", "gpt-4o"].contains(&model), "{v}");
    assert_eq!(v["excluded"][0], serde_json::json!({"model": "claude-3-haiku", "reason": "no image input"}));
    assert_eq!(v["excluded"][1], serde_json::json!({"model": "gpt-4o-mini", "reason": "no image input"}));
    // Tools: never the text-only claude-3-haiku, over many prompts.
    let tools = serde_json::json!([{"type": "function", "function": {"name": "lookup", "parameters": {}}}]);
    let dev = read(fixture::TIERS_DEV);
    let mut haiku_without_tools = 0;
    for line in dev.lines().take(40) {
        let prompt = serde_json::from_str::<serde_json::Value>(line).unwrap()["prompt"].clone();
        let plain = chat(&env, serde_json::json!({"messages": user(prompt.clone())}));
        haiku_without_tools += usize::from(plain["model"] == "claude-3-haiku");
        let v = chat(&env, serde_json::json!({"messages": user(prompt), "tools": tools}));
        assert_ne!(v["model"], "claude-3-haiku", "{v}");
    }
    assert!(haiku_without_tools > 0, "the prompts exercise claude-3-haiku without tools");
    // A JSON schema: only the OpenAI models have structured output.
    let schema = serde_json::json!({"type": "json_schema", "json_schema": {"name": "x", "schema": {}}});
    let v =
        chat(&env, serde_json::json!({"messages": user("分析一下这只股票的财报".into()), "response_format": schema}));
    assert!(v["model"].as_str().unwrap().starts_with("gpt-4o"), "{v}");
    // An answer longer than every output limit but gpt-4o's (16,384) and gpt-4o-mini's.
    let v = chat(&env, serde_json::json!({"messages": user("分析一下这只股票的财报".into()), "max_tokens": 8000}));
    assert!(v["model"].as_str().unwrap().starts_with("gpt-4o"), "{v}");
    assert_eq!(
        v["excluded"][0],
        serde_json::json!({"model": "claude-3-haiku", "reason": "max_tokens 8,000 > 4,096 output limit"})
    );
    // Image and a schema on a text-only... every model lacks one of them: exit 6.
    let r = env.run_stdin(
        &["route", "--dry-run", "--chat", "-"],
        serde_json::json!({"messages": user(serde_json::json!([{"type": "image_url", "image_url": {"url": "x"}}, {"type": "text", "text": "hi"}])), "response_format": schema, "max_tokens": 20000}).to_string(),
    );
    let r = r.code(6);
    assert!(
        r.stderr.starts_with("error: no model in the catalog can serve this request (`claude-3-haiku`: "),
        "{}",
        r.stderr
    );
}

/// A log's `cached_input_tokens` column prices those input tokens at `cached_input_price` in
/// `batch` and `simulate` alike (gpt-4o-mini: $0.15 input, $0.075 cached, $0.60 output per 1M).
#[test]
fn logged_cached_input_tokens_are_priced_at_the_cached_price() {
    let env = Env::new();
    env.write(
        "log.csv",
        "id,prompt,input_tokens,cached_input_tokens,output_tokens\nr1,hello,10000,8000,100\nr2,hello,10000,,100\n",
    );
    let out = env.run(&["batch", "log.csv", "--format", "jsonl"]).ok().stdout;
    let costs: Vec<f64> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["cost_usd"].as_f64().unwrap())
        .collect();
    let want = [(2000.0 * 0.15 + 8000.0 * 0.075 + 100.0 * 0.60) / 1e6, (10000.0 * 0.15 + 100.0 * 0.60) / 1e6];
    for (got, want) in costs.iter().zip(want) {
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
    }
    env.run(&["simulate", "log.csv", "--decisions", "d.jsonl", "--bootstrap", "0", "--format", "json"]).ok();
    let sim: Vec<f64> = std::fs::read_to_string(env.path("d.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["strategy"] == "chain")
        .map(|v| v["cost_usd"].as_f64().unwrap())
        .collect();
    assert_eq!(sim, costs);
}
