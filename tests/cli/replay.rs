//! `simulate` and `batch` over recorded logs: single models and the oracle match the file,
//! every strategy with intervals, reproducible seeds, segments, per-day quotas, CSV/plots,
//! bad rows, nested JSON and long formats, and `batch`'s ordered decisions and costs.

use crate::harness::{Env, default_config, fixture, read, repo};

fn strategy<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no strategy {name}: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// The single-model rows equal the file's column means (empty quality cells count as 0), and
/// the oracle equals RouterBench's `oracle_model_to_route_to`.
#[test]
fn single_models_and_oracle_match_the_file() {
    let env = Env::new();
    let path = fixture::arg(fixture::MINI_ROUTERBENCH);
    let v = env.run(&["simulate", &path, "--format", "json", "--bootstrap", "0"]).ok().json();
    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let num = |r: &csv::StringRecord, name: &str| r[col(name)].parse::<f64>().unwrap_or(0.0);
    let n = rows.len() as f64;
    for m in ["model-a", "model-b", "model-c"] {
        let q = rows.iter().map(|r| num(r, m)).sum::<f64>() / n;
        let c = rows.iter().map(|r| num(r, &format!("{m}|total_cost"))).sum::<f64>() / n;
        let s = strategy(&v, &format!("all {m}"));
        assert!(close(s["avg_cost"].as_f64().unwrap(), c), "{m} cost");
        assert!(close(s["quality"].as_f64().unwrap(), q), "{m} quality");
    }
    assert_eq!(v["empty_quality_cells"], 1);
    // Oracle: the file's oracle column; `no_model_correct` rows go to the cheapest model.
    let (mut oc, mut oq) = (0.0, 0.0);
    for r in &rows {
        let m = match &r[col("oracle_model_to_route_to")] {
            "no_model_correct" => "model-a",
            m => m,
        };
        oc += num(r, &format!("{m}|total_cost"));
        oq += num(r, m);
    }
    let o = strategy(&v, "oracle (upper bound)");
    assert!(close(o["avg_cost"].as_f64().unwrap(), oc / n));
    assert!(close(o["quality"].as_f64().unwrap(), oq / n));
    // Annual savings against the most expensive model at the default traffic.
    let base = strategy(&v, "all model-c")["avg_cost"].as_f64().unwrap();
    let a = strategy(&v, "all model-a");
    assert!(close(a["annual_savings"].as_f64().unwrap(), (base - a["avg_cost"].as_f64().unwrap()) * 11_700_000.0));
    assert_eq!(v["baseline"], "model-c");
}

#[test]
fn simulate_json_lists_every_strategy_with_intervals_and_metrics() {
    let env = Env::new();
    let v = env.run(&["simulate", &fixture::arg(fixture::ROUTELLM), "--format", "json"]).ok().json();
    let names: Vec<&str> = v["strategies"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    for want in ["rules", "difficulty", "chain", "oracle (upper bound)"] {
        assert!(names.contains(&want), "{names:?}");
    }
    assert!(names.iter().any(|n| n.starts_with("cascade")));
    assert!(names.iter().any(|n| n.starts_with("consensus")));
    assert!(names.iter().any(|n| n.starts_with("random mix")));
    for s in v["strategies"].as_array().unwrap() {
        for k in ["avg_cost", "quality", "premium_share", "annual_savings"] {
            assert!(s[k].is_number(), "{k} in {s}");
        }
        let ci = s["ci"]["quality"].as_array().unwrap();
        let q = s["quality"].as_f64().unwrap();
        assert!(ci[0].as_f64().unwrap() <= q && q <= ci[1].as_f64().unwrap(), "{s}");
    }
    let routers = v["metrics"]["routers"].as_array().unwrap();
    let random = routers.iter().find(|r| r["name"] == "random").unwrap();
    assert!((random["apgr"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    assert!(v["metrics"]["zero_router_aiq"].as_f64().unwrap() > 0.0);
    assert_eq!(v["rows"], 1597);
}

#[test]
fn simulate_is_reproducible() {
    let env = Env::new();
    let args = ["simulate", &fixture::arg(fixture::ROUTELLM), "--format", "json", "--evaluator-error-rate", "0.1"];
    let a = env.run(&args).ok().stdout;
    assert_eq!(a, env.run(&args).ok().stdout);
    let b = env.run(&[&args[..], &["--seed", "7"]].concat()).ok().stdout;
    assert_ne!(a, b, "another seed changes the bootstrap and the evaluator errors");
}

#[test]
fn evaluator_errors_make_the_cascade_worse() {
    let env = Env::new();
    let q = |rate: &str| {
        let v = env
            .run(&[
                "simulate",
                &fixture::arg(fixture::ROUTELLM),
                "--format",
                "json",
                "--bootstrap",
                "0",
                "--evaluator-error-rate",
                rate,
            ])
            .ok()
            .json();
        let s = v["strategies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"].as_str().unwrap().starts_with("cascade"))
            .unwrap()
            .clone();
        (s["quality"].as_f64().unwrap(), s["avg_cost"].as_f64().unwrap())
    };
    let (perfect, _) = q("0");
    let (noisy, _) = q("0.3");
    assert!(noisy < perfect, "{noisy} vs {perfect}");
}

#[test]
fn by_column_breaks_the_table_down() {
    let env = Env::new();
    let v = env
        .run(&["simulate", &fixture::arg(fixture::MINI_ROUTERBENCH), "--by", "eval_name", "--format", "json"])
        .ok()
        .json();
    let segs: Vec<(&str, u64)> = v["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["segment"].as_str().unwrap(), s["rows"].as_u64().unwrap()))
        .collect();
    assert_eq!(segs, [("code", 2), ("lang", 5), ("math", 5)]);
    let t = env.run(&["simulate", &fixture::arg(fixture::MINI_ROUTERBENCH), "--by", "eval_name"]).ok().stdout;
    assert!(t.contains("segment math (5 rows)"), "{t}");
}

#[test]
fn quotas_apply_per_synthetic_day() {
    let env = Env::new();
    // A config where the premium model takes one request a day.
    let cfg = default_config()
        .replace("daily_quota = 1000", "daily_quota = 1")
        .replace("daily_quota = 3000", "daily_quota = 1");
    env.write("q.toml", cfg);
    let args =
        ["--config", "q.toml", "simulate", &fixture::arg(fixture::ROUTELLM), "--format", "json", "--bootstrap", "0"];
    let free = env.run(&args).ok().json();
    let with = env.run(&[&args[..], &["--requests-per-day", "100"]].concat()).ok().json();
    assert_eq!(strategy(&free, "difficulty")["quota_fallbacks"], 0);
    assert!(
        strategy(&with, "chain")["quota_fallbacks"].as_u64().unwrap() > 0
            || strategy(&with, "rules")["quota_fallbacks"].as_u64().unwrap() > 0
    );
    assert_eq!(with["quotas_applied"], true);
}

#[test]
fn other_formats_and_plots() {
    let env = Env::new();
    let f = fixture::arg(fixture::MINI_ROUTERBENCH);
    let csv = env.run(&["simulate", &f, "--format", "csv"]).ok().stdout;
    assert!(csv.starts_with("segment,strategy,key,avg_cost,quality,quality_ci_low,quality_ci_high,premium_share,annual_savings,delta_hull,quota_fallbacks,refused,unservable,upper_bound\n"));
    assert!(csv.contains(",all model-a,all:model-a,0.0001541667,"), "{csv}");
    let md = env.run(&["simulate", &f, "--format", "markdown"]).ok().stdout;
    assert!(md.contains("| strategy"), "{md}");
    env.run(&["simulate", &f, "--plot", "plane.svg", "--bootstrap", "0"]).ok();
    assert!(std::fs::read_to_string(env.path("plane.svg")).unwrap().contains("<svg"));
    env.run(&["simulate", &f, "--plot", "plane.png", "--bootstrap", "0"]).ok();
    assert_eq!(&std::fs::read(env.path("plane.png")).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    env.run(&["simulate", &f, "--plot", "plane.gif"]).fails(2, "error: plane.gif: the plot must end in .png or .svg\n");
}

#[test]
fn bad_rows_stop_or_are_skipped() {
    let env = Env::new();
    let text = read(fixture::MINI_ROUTERBENCH);
    let bad: String = text
        .lines()
        .enumerate()
        .map(|(i, l)| if i == 3 { l.replacen(",1.0,1.0,1.0,", ",1.0,oops,1.0,", 1) } else { l.to_string() } + "\n")
        .collect();
    env.write("bad.csv", bad);
    env.run(&["simulate", "bad.csv"])
        .fails(2, "error: bad.csv:4: column `model-b`: `oops` is not a number (use --skip-bad to skip bad rows)\n");
    let r = env.run(&["simulate", "bad.csv", "--skip-bad", "--format", "json"]).code(1);
    assert_eq!(r.json()["rows"], 11);
    assert_eq!(r.json()["bad_rows"], 1);
    assert!(r.stderr.contains("warning: skipped bad.csv:4:"), "{}", r.stderr);
}

#[test]
fn plain_logs_are_priced_from_tokens_and_quality_is_unknown() {
    let env = Env::new();
    env.write(
        "log.csv",
        "prompt,output_tokens\n你好,20\nExplain the theory of relativity in detail,500\n写代码实现快速排序,300\n",
    );
    let v = env.run(&["simulate", "log.csv", "--format", "json", "--bootstrap", "0"]).ok().json();
    assert_eq!(v["quality_known"], false);
    let mini = strategy(&v, "all gpt-4o-mini");
    assert_eq!(mini["quality"], serde_json::Value::Null);
    // gpt-4o-mini: (prompt tokens + 7) × 0.15 + output tokens × 0.60, per 1M; the prompts are
    // 1, 7 and 6 o200k tokens long.
    let want = ((8.0 + 14.0 + 13.0) * 0.15 + (20.0 + 500.0 + 300.0) * 0.60) / 1e6 / 3.0;
    assert!(close(mini["avg_cost"].as_f64().unwrap(), want), "{mini}");
    let table = env.run(&["simulate", "log.csv"]).ok().stdout;
    assert!(table.contains("quality    unknown: the log has no outcome columns and no labels; costs only"), "{table}");
    // With labels, quality = the routed model is at least the label's tier.
    env.write("labelled.csv", "prompt,label\nhello,SIMPLE\nprove the riemann hypothesis,REASONING\n");
    let v = env.run(&["simulate", "labelled.csv", "--format", "json", "--bootstrap", "0"]).ok().json();
    assert_eq!(strategy(&v, "all gpt-4o-mini")["quality"], 0.5);
    assert_eq!(strategy(&v, "all gpt-4o")["quality"], 1.0);
}

#[test]
fn nested_json_outcomes_with_a_template() {
    let env = Env::new();
    let cfg = default_config() + &read(fixture::LLMROUTER_PRICES);
    env.write("llmrouter.toml", cfg);
    let v = env
        .run(&[
            "--config",
            "llmrouter.toml",
            "simulate",
            &fixture::arg(fixture::LLMROUTER),
            "--quality",
            "scores.{model}",
            "--text-col",
            "question",
            "--format",
            "json",
            "--bootstrap",
            "0",
        ])
        .ok()
        .json();
    assert_eq!(v["rows"], 300);
    assert_eq!(v["models"].as_array().unwrap().len(), 9);
}

#[test]
fn long_format_groups_rows_by_id() {
    let env = Env::new();
    let v = env
        .run(&[
            "simulate",
            &fixture::arg(fixture::ROUTERARENA),
            "--long",
            "--id-col",
            "global_index",
            "--quality",
            "score",
            "--cost",
            "cost",
            "--text-col",
            "question",
            "--by",
            "category",
            "--format",
            "json",
            "--bootstrap",
            "0",
        ])
        .ok()
        .json();
    assert_eq!(v["rows"], 150);
    let names: Vec<&str> = v["models"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["gemini-2.0-flash-001", "claude-3-haiku-20240307"]);
}

#[test]
fn batch_streams_decisions_in_input_order() {
    let env = Env::new();
    let f = fixture::arg(fixture::MINI_ROUTERBENCH);
    let out = env.run(&["batch", &f]).ok().stdout;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "id,model,method,reason,arm,input_tokens,output_tokens,cost_usd,cost_source");
    assert_eq!(lines.len(), 13);
    assert!(lines[1].starts_with("math.0,"), "{}", lines[1]);
    assert!(lines[11].starts_with("lang.10,gpt-4o-mini,rule,greeting,control,"), "{}", lines[11]);
    let j = env.run(&["batch", &f, "--format", "jsonl", "--threads", "3"]).ok().stdout;
    let first: serde_json::Value = serde_json::from_str(j.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "math.0");
    // Thread count does not change the output.
    assert_eq!(env.run(&["batch", &f, "--threads", "1"]).ok().stdout, out);
    // -o writes atomically and refuses to overwrite.
    env.run(&["batch", &f, "-o", "decisions.csv"]).ok();
    assert_eq!(std::fs::read_to_string(env.path("decisions.csv")).unwrap(), out);
    env.run(&["batch", &f, "-o", "decisions.csv"])
        .fails(2, "error: decisions.csv: already exists; pass --force to overwrite it\n");
}

#[test]
fn batch_reports_the_recorded_cost_else_logged_tokens_else_an_estimate() {
    let env = Env::article();
    let f = fixture::arg(fixture::MINI_ROUTERBENCH);
    // The fixture's models are not catalog models: every cost is estimated from the prompt.
    let out = env.run(&["batch", &f]).ok().stdout;
    assert!(out.lines().skip(1).all(|l| l.ends_with(",estimated")), "{out}");
    // 14 input tokens (7 for the prompt, 7 for the chat format) and 250 expected output tokens.
    assert!(out.contains("math.0,gpt-4o-mini,difficulty,simple,control,14,250,0.0001521000,estimated\n"), "{out}");
    // Mapped, the chosen model's recorded cost is reported (model-a|total_cost of math.0).
    let out = env.run(&["batch", &f, "--map", "model-a=gpt-4o-mini", "--map", "model-c=gpt-4o"]).ok().stdout;
    assert!(out.contains("math.0,gpt-4o-mini,difficulty,simple,control,,,0.0001000000,recorded\n"), "{out}");
    env.run(&["batch", &f, "--map", "model-a=gpt-5"])
        .fails(2, "error: --map `model-a=gpt-5`: `gpt-5` is not a catalog model\n");
    // Logged tokens are priced: 100 in + 100 out (the greeting rule's max_tokens) at
    // gpt-4o-mini's $0.15 / $0.60 per million; a row without them is estimated.
    env.write(
        "log.csv",
        "id,prompt,input_tokens,output_tokens,gpt-4o-mini|total_cost\na,hello,100,,\nb,hello,,,\nc,hello,,,0.5\n",
    );
    let out = env.run(&["batch", "log.csv", "--format", "jsonl"]).ok().stdout;
    let v: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        (v[0]["cost_usd"].as_f64().unwrap(), v[0]["cost_source"].as_str().unwrap()),
        (0.000075, "logged_tokens")
    );
    assert_eq!(v[1]["cost_source"], "estimated");
    assert_eq!((v[2]["cost_usd"].as_f64().unwrap(), v[2]["cost_source"].as_str().unwrap()), (0.5, "recorded"));
    // A cost that is not a number is a bad row, named with its line.
    env.write("bad.csv", "prompt,gpt-4o-mini|total_cost\nhello,0.1\nhello,cheap\n");
    env.run(&["batch", "bad.csv"]).fails(2, "error: bad.csv:3: column `gpt-4o-mini|total_cost`: `cheap` is not a number (use --skip-bad to skip bad rows)\n");
}

#[test]
fn batch_keeps_input_order_across_chunks_and_workers_and_quotes_fields() {
    // 20,000 rows span three chunks dealt to different workers; bad rows in between are reported
    // in input order; ids with commas and quotes come back as valid CSV.
    let env = Env::new();
    let prompts = ["hello there", "帮我写代码实现快速排序", "compare these two proofs step by step", "你好"];
    let mut log = String::from("id,prompt\n");
    for i in 0..20_000 {
        match i {
            5_000 | 12_345 => log.push_str(&format!("bad{i}\n")),
            _ if i % 997 == 0 => log.push_str(&format!("\"q\"\"{i},x\",{}\n", prompts[i % 4])),
            _ => log.push_str(&format!("r{i},{}\n", prompts[i % 4])),
        }
    }
    env.write("log.csv", log);
    let one = env.run(&["batch", "log.csv", "--skip-bad", "--threads", "1"]).code(1);
    let three = env.run(&["batch", "log.csv", "--skip-bad", "--threads", "3"]).code(1);
    assert_eq!(one.stdout, three.stdout);
    assert_eq!(one.stderr, three.stderr);
    let warnings: Vec<&str> = three.stderr.lines().collect();
    assert_eq!(warnings.len(), 3, "{}", three.stderr);
    assert!(warnings[0].contains("log.csv:5002"), "{}", warnings[0]);
    assert!(warnings[1].contains("log.csv:12347"), "{}", warnings[1]);
    let mut rdr = csv::Reader::from_reader(three.stdout.as_bytes());
    let ids: Vec<String> = rdr.records().map(|r| r.unwrap()[0].to_string()).collect();
    let want: Vec<String> = (0..20_000)
        .filter(|i| *i != 5_000 && *i != 12_345)
        .map(|i| if i % 997 == 0 { format!("q\"{i},x") } else { format!("r{i}") })
        .collect();
    assert_eq!(ids, want);
}

#[test]
fn batch_applies_quotas_over_timestamps() {
    let env = Env::article();
    let mut log = String::from("id,timestamp,prompt\n");
    for i in 0..5 {
        log.push_str(&format!("a{i},2026-11-01T10:0{i}:00Z,分析一下这只股票的财报\n"));
    }
    log.push_str("b0,2026-11-02T09:00:00Z,分析一下这只股票的财报\n");
    env.write("log.csv", log);
    let cfg = std::fs::read_to_string(repo("src/config/article.toml"))
        .unwrap()
        .replace("daily_quota = 1000", "daily_quota = 2")
        .replace("timezone = \"local\"", "timezone = \"UTC\"");
    env.write("q.toml", cfg);
    let out = env.run(&["--config", "q.toml", "batch", "log.csv", "--quotas"]).ok().stdout;
    let models: Vec<&str> = out.lines().skip(1).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(models, ["gpt-4o", "gpt-4o", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o"]);
    // Over quota, the rule's stage passes to the next stage (difficulty), as the chain does live.
    assert!(out.contains("a2,gpt-4o-mini,difficulty,simple,"), "{out}");
}

#[test]
fn batch_reports_bad_rows_with_their_line() {
    let env = Env::new();
    env.write("log.jsonl", "{\"prompt\": \"hello\"}\n{\"prompt\": \n{\"prompt\": \"你好\"}\n");
    let r = env.run(&["batch", "log.jsonl"]).code(2);
    assert!(r.stderr.starts_with("error: log.jsonl:2: invalid JSON"), "{}", r.stderr);
    let r = env.run(&["batch", "log.jsonl", "--skip-bad"]).code(1);
    assert_eq!(r.stdout.lines().count(), 3);
}

#[test]
fn import_prices_updates_the_catalog() {
    let env = Env::new();
    env.write(
        "prices.json",
        r#"{"sample_spec": {}, "gpt-4o": {"input_cost_per_token": 5e-06, "output_cost_per_token": 2e-05, "litellm_provider": "openai"},
            "anthropic/claude-3-haiku-20240307": {"input_cost_per_token": 2.5e-07, "output_cost_per_token": 1.25e-06, "litellm_provider": "anthropic"}}"#,
    );
    env.run(&["models", "import-prices", "prices.json", "-o", "new.toml"]).ok();
    let v = env.run(&["--config", "new.toml", "models", "--json"]).ok().json();
    let gpt4o = v.as_array().unwrap().iter().find(|m| m["name"] == "gpt-4o").unwrap();
    assert_eq!((gpt4o["input_price"].as_f64(), gpt4o["output_price"].as_f64()), (Some(5.0), Some(20.0)));
    env.run(&["models", "import-prices", "prices.json", "-o", "new.toml"]).code(2).stderr_has("already exists");
}

/// On the real RouterBench rows (not in the repository: no data license; read from
/// `../shared/data` when present): single models equal the column means, the oracle matches
/// `oracle_model_to_route_to`, and empty cells are counted.
#[test]
fn routerbench_rows_when_present() {
    let dir = repo("../shared/data/routerbench_routerdc");
    let files: Vec<String> = ["arc_challenge_train.csv", "mbpp_train.csv", "winograde_train.csv"]
        .iter()
        .map(|f| dir.join(f))
        .filter(|p| p.exists())
        .map(|p| p.to_str().unwrap().to_string())
        .collect();
    if files.len() < 3 {
        eprintln!("skipped: {} not present", dir.display());
        return;
    }
    let env = Env::new();
    let mut args = vec!["simulate"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--format", "json", "--bootstrap", "0", "--by", "eval_name"]);
    let v = env.run(&args).ok().json();
    let (mut rows, mut empty) = (Vec::new(), 0usize);
    let mut headers = csv::StringRecord::new();
    for f in &files {
        let mut rdr = csv::Reader::from_path(f).unwrap();
        headers = rdr.headers().unwrap().clone();
        rows.extend(rdr.records().map(|r| r.unwrap()));
    }
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let models: Vec<String> = headers
        .iter()
        .filter(|h| !h.contains('|') && headers.iter().any(|x| x == format!("{h}|total_cost")))
        .map(str::to_string)
        .collect();
    assert_eq!(models.len(), 11);
    let n = rows.len() as f64;
    for m in &models {
        let q: f64 = rows
            .iter()
            .map(|r| {
                let cell = &r[col(m)];
                if cell.is_empty() {
                    empty += 1;
                }
                cell.parse::<f64>().unwrap_or(0.0)
            })
            .sum::<f64>()
            / n;
        let c = rows.iter().map(|r| r[col(&format!("{m}|total_cost"))].parse::<f64>().unwrap()).sum::<f64>() / n;
        let s = strategy(&v, &format!("all {m}"));
        assert!(close(s["quality"].as_f64().unwrap(), q), "{m}");
        assert!(close(s["avg_cost"].as_f64().unwrap(), c), "{m}");
    }
    assert_eq!(v["empty_quality_cells"].as_u64().unwrap() as usize, empty);
    // Oracle: the file's choice, or the row's cheapest model when no model was correct (RouterBench
    // prefers a recorded outcome over empty cells, which one row exercises).
    let (mut oc, mut oq) = (0.0, 0.0);
    for r in &rows {
        let m = match &r[col("oracle_model_to_route_to")] {
            "no_model_correct" => models
                .iter()
                .min_by(|a, b| {
                    let c = |m: &str| r[col(&format!("{m}|total_cost"))].parse::<f64>().unwrap();
                    c(a).total_cmp(&c(b))
                })
                .unwrap()
                .clone(),
            m => m.to_string(),
        };
        oc += r[col(&format!("{m}|total_cost"))].parse::<f64>().unwrap();
        oq += r[col(&m)].parse::<f64>().unwrap_or(0.0);
    }
    let o = strategy(&v, "oracle (upper bound)");
    assert!(close(o["quality"].as_f64().unwrap(), oq / n));
    assert!((o["avg_cost"].as_f64().unwrap() - oc / n).abs() < 1e-9, "{} vs {}", o["avg_cost"], oc / n);
    assert_eq!(v["segments"].as_array().unwrap().len(), 3);
}
