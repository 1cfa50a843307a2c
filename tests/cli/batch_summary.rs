//! `batch`'s manners (issue 17): nothing on stdout before an error, and a closing summary on a
//! terminal or with `--summary`.

use crate::harness::{Env, fixture};

#[test]
fn batch_of_a_missing_file_prints_no_csv_header_before_its_error() {
    let env = Env::new();
    env.run(&["batch", "missing.csv"])
        .code(2)
        .stdout_eq("")
        .stderr_eq("error: missing.csv: cannot open: No such file or directory\n");
}

#[test]
fn batch_summary_has_the_rows_model_mix_cost_and_all_premium_cost() {
    let env = Env::new();
    env.write(
        "q.csv",
        "id,prompt,timestamp\na,hello there,2026-11-26T10:00:00Z\nb,prove the theorem step by step,2026-11-26T11:00:00Z\n\
         c,another question,2026-11-26T12:00:00Z\nd,one more,2026-11-26T13:00:00Z\ne,next day,2026-11-27T01:00:00Z\n",
    );
    let tiny = fixture::arg(fixture::TINY_QUOTAS);
    let args = ["--config", &tiny, "batch", "q.csv", "--quotas"];
    // Not a terminal: no summary unless asked.
    let quiet = env.run(&args).ok().stderr_eq("");
    let mut with = args.to_vec();
    with.push("--summary");
    let r = env.run(&with).ok();
    assert_eq!(r.stdout, quiet.stdout, "the decisions do not change");
    // The figures, computed again from the decisions: one quota of 1 per model and day.
    let mut rdr = csv::Reader::from_reader(r.stdout.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let cost: f64 = rows.iter().filter_map(|r| r[7].parse::<f64>().ok()).sum();
    assert_eq!(format!("{cost:.6}"), "0.008974");
    // `big` (2.50 / 10.00 per 1M) for every row: its input tokens and 250 output tokens each.
    let input: Vec<u64> = rows.iter().filter_map(|r| r[5].parse().ok()).collect();
    let refused_tokens = 9; // "one more": 2 o200k tokens + 7 of chat overhead
    let premium: f64 =
        input.iter().chain([refused_tokens].iter()).map(|&t| (t as f64 * 2.5 + 250.0 * 10.0) / 1e6).sum();
    assert_eq!(format!("{premium:.6}"), "0.012623");
    assert_eq!(
        r.stderr,
        "routed     5 rows\n\
         models     big 2 (40.0 %), mid 1 (20.0 %), mini 1 (20.0 %), refused 1 (20.0 %, every quota exhausted)\n\
         cost       $0.008974 estimated; all big: $0.012623 (28.9 % less)\n"
    );
}

#[test]
fn batch_summary_counts_bad_rows_without_quotas() {
    let env = Env::new();
    env.write("log.jsonl", "{\"id\":\"1\",\"prompt\":\"hello\"}\nnot json\n{\"id\":\"3\",\"prompt\":\"prove it\"}\n");
    let r = env.run(&["batch", "log.jsonl", "--skip-bad", "--summary", "--json"]).code(1);
    assert_eq!(r.stdout.lines().count(), 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(lines[0].starts_with("warning: skipped log.jsonl:2:"), "{}", r.stderr);
    assert_eq!(lines[1], "routed     2 rows, 1 bad skipped");
    // "prove it", two words and no problem to prove, is SIMPLE to the tier model.
    assert_eq!(lines[2], "models     gpt-4o-mini 2 (100.0 %)");
    // 8 and 9 input tokens; 100 (the greeting rule's max_tokens) and 250 output tokens, at
    // gpt-4o-mini's $0.15 / $0.60 per million: $0.00021255; all gpt-4o ($2.50 / $10, 250 output
    // tokens each): $0.0050425.
    assert_eq!(lines[3], "cost       $0.000213 estimated; all gpt-4o: $0.005043 (95.8 % less)");
    assert_eq!(lines[4], "error: 1 bad row(s) skipped");
}
