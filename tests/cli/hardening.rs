//! Hostile and broken inputs: each is a one-line error with a documented exit code, never a
//! panic, a hang, an unbounded read or a replaced special file.

use std::os::unix::ffi::OsStrExt;

use crate::harness::{Env, default_config, fixture};

fn mkfifo(env: &Env, name: &str) -> std::path::PathBuf {
    let p = env.path(name);
    let ok = std::process::Command::new("mkfifo").arg(&p).status().unwrap().success();
    assert!(ok, "mkfifo");
    p
}

fn train_small(env: &Env, out: &str) {
    env.run(&[
        "train",
        &fixture::arg(fixture::TIERS_TRAIN),
        "--label-col",
        "expected_tier",
        "--valid-split",
        "0",
        "--n-estimators",
        "3",
        "-o",
        out,
    ])
    .ok();
}

#[test]
fn outputs_replace_only_regular_files_and_follow_symlinks() {
    let env = Env::new();
    let log = fixture::arg(fixture::MINI_ROUTERBENCH);
    let fifo = mkfifo(&env, "pipe");
    env.run(&["batch", &log, "-o", fifo.to_str().unwrap(), "--force"])
        .fails(2, &format!("error: {}: is not a regular file; refusing to replace it\n", fifo.display()));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    env.run(&["batch", &log, "-o", "/dev/null", "--force"])
        .fails(2, "error: /dev/null: is not a regular file; refusing to replace it\n");
    env.run(&[
        "train",
        &fixture::arg(fixture::TIERS_TRAIN),
        "--label-col",
        "expected_tier",
        "-o",
        "/dev/null",
        "--force",
    ])
    .fails(2, "error: /dev/null: is not a regular file; refusing to replace it\n");
    // A symbolic link is followed: its target gets the output, the link stays a link.
    env.write("real.csv", "old");
    std::os::unix::fs::symlink(env.path("real.csv"), env.path("link.csv")).unwrap();
    env.run(&["batch", &log, "-o", "link.csv", "--force"]).ok();
    assert!(std::fs::symlink_metadata(env.path("link.csv")).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(env.path("real.csv")).unwrap().starts_with("id,model,"));
    // --plot and --decisions refuse to overwrite without --force.
    env.write("plane.svg", "mine");
    env.run(&["simulate", &log, "--plot", "plane.svg"])
        .fails(2, "error: --plot plane.svg: already exists; pass --force to overwrite it\n");
    assert_eq!(std::fs::read_to_string(env.path("plane.svg")).unwrap(), "mine");
}

#[test]
fn numeric_flags_and_config_values_have_ranges() {
    let env = Env::new();
    let log = fixture::arg(fixture::MINI_ROUTERBENCH);
    for (args, flag) in [
        (vec!["ask", "--timeout", "1e20", "hi"], "--timeout <SECS>"),
        (vec!["ask", "--deadline", "1e19", "hi"], "--deadline <SECS>"),
        (vec!["simulate", &log, "--bootstrap", "18446744073709551615"], "--bootstrap <N>"),
        (vec!["simulate", &log, "--bootstrap", "10000000000"], "--bootstrap <N>"),
        (vec!["batch", &log, "--threads", "20000"], "--threads <N>"),
        (vec!["batch", &log, "--threads", "0"], "--threads <N>"),
        (vec!["train", &log, "--max-features", "0", "-o", "m.model"], "--max-features <N>"),
        (vec!["train", &log, "--n-estimators", "0", "-o", "m.model"], "--n-estimators <N>"),
        (vec!["train", &log, "--min-confidence", "2", "-o", "m.model"], "--min-confidence <X>"),
        (vec!["simulate", &log, "--map", "="], "--map <DATA=CATALOG>"),
    ] {
        let r = env.run(&args).code(2);
        assert!(r.stderr.starts_with("error: invalid value"), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("for '{flag}'")), "{args:?}: {}", r.stderr);
    }
    assert!(!env.path("m.model").exists(), "no model is written from bad flags");
    let base = default_config();
    for (edit, want) in [
        (
            base.replace("timeout_secs = 60", "timeout_secs = 1e20"),
            "`live.timeout_secs`: 1e20 is outside (0, 86400] seconds",
        ),
        (
            base.replace("daily_quota = 1000\n", "daily_quota = 9223372036854775808\n"),
            "`models.gpt-4o.daily_quota`: 9223372036854775808 is outside 0..=1000000000000",
        ),
        (base.replace("max_attempts = 3", "max_attempts = 0"), "`cascade.max_attempts`: 0 is outside 1..=16"),
        (
            base.replace("output_tokens = 250", "output_tokens = 0"),
            "`estimate.output_tokens`: 0 is outside 1..=10000000",
        ),
    ] {
        env.write("bad.toml", edit);
        env.run(&["config", "validate", "bad.toml"]).code(2).stderr_has(want);
    }
}

#[test]
fn only_regular_model_files_are_read() {
    let env = Env::new();
    env.run(&["route", "--dry-run", "--classifier", "/dev/zero", "hi"])
        .fails(2, "error: /dev/zero: cannot read model: not a regular file\n");
    let fifo = mkfifo(&env, "model.fifo");
    env.run(&["route", "--dry-run", "--classifier", fifo.to_str().unwrap(), "hi"])
        .fails(2, &format!("error: {}: cannot read model: not a regular file\n", fifo.display()));
    // `config validate` loads the model the ML stage names.
    let cfg = default_config().replace("model = \"builtin:tiers\"", "model = \"/dev/zero\"");
    env.write("llmroute.toml", &cfg);
    env.run(&["config", "validate"])
        .fails(2, "error: llmroute.toml: `ml.model`: /dev/zero: cannot read model: not a regular file\n");
    env.write("llmroute.toml", cfg.replace("/dev/zero", "missing.model"));
    let r = env.run(&["config", "validate"]).code(2);
    assert!(r.stderr.starts_with("error: llmroute.toml: `ml.model`: "), "{}", r.stderr);
    assert!(r.stderr.contains("missing.model: cannot read model: No such file or directory"), "{}", r.stderr);
}

/// Rebuilds a model file around an edited header, with a valid checksum.
fn with_header(bytes: &[u8], edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap()) as usize;
    let payload = &bytes[20..20 + len];
    let hlen = u32::from_le_bytes(payload[..4].try_into().unwrap()) as usize;
    let mut header: serde_json::Value = serde_json::from_slice(&payload[4..4 + hlen]).unwrap();
    edit(&mut header);
    let h = serde_json::to_vec(&header).unwrap();
    let mut p = (h.len() as u32).to_le_bytes().to_vec();
    p.extend_from_slice(&h);
    p.extend_from_slice(&payload[4 + hlen..]);
    let mut out = bytes[..12].to_vec();
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&p);
    out.extend_from_slice(&crc32fast::hash(&p).to_le_bytes());
    out
}

#[test]
fn a_crafted_model_with_a_valid_checksum_is_refused_before_use() {
    let env = Env::new();
    train_small(&env, "tier.model");
    let good = std::fs::read(env.path("tier.model")).unwrap();
    // The rebuilt file is accepted when nothing changed.
    env.write("same.model", with_header(&good, |_| {}));
    env.run(&["route", "--dry-run", "--classifier", "same.model", "hi"]).ok();
    for (edit, want) in [
        (
            Box::new(|h: &mut serde_json::Value| h["tfidf"]["analyzer"]["ngram_max"] = (1u64 << 62).into())
                as Box<dyn Fn(&mut serde_json::Value)>,
            "corrupt model file (n-gram range 1,4611686018427387904; a model has 1 <= min <= max <= 10)",
        ),
        (
            Box::new(|h| h["tfidf"]["analyzer"]["ngram_max"] = 100_000_000.into()),
            "corrupt model file (n-gram range 1,100000000; a model has 1 <= min <= max <= 10)",
        ),
        (Box::new(|h| h["n_trees"] = 1_000_000.into()), "corrupt model file (1000000 trees; a model has 1 to 10000)"),
        (Box::new(|h| h["threshold"] = 2.0.into()), "corrupt model file (threshold outside [0, 1])"),
        (
            Box::new(|h| h["labels"] = serde_json::json!(["only"])),
            "corrupt model file (1 labels; a model has 2 to 10000)",
        ),
    ] {
        env.write("bad.model", with_header(&good, edit));
        for cmd in [
            vec!["route", "--dry-run", "--classifier", "bad.model", "hi"],
            vec!["batch", "-", "--classifier", "bad.model"],
        ] {
            let r = env.run(&cmd).code(2);
            assert_eq!(r.stderr, format!("error: bad.model: {want}\n"), "{cmd:?}");
        }
    }
}

#[test]
fn feedback_import_strips_a_byte_order_mark_and_refuses_nothing_to_import() {
    let env = Env::new();
    env.write("fb.json", "\u{feff}[{\"request_id\": \"x1\", \"model\": \"gpt-4o\", \"rating\": 5}]");
    env.run(&["feedback", "import", "fb.json"])
        .ok()
        .stderr_eq("imported 1 feedback record(s) from fb.json (0 replaced earlier feedback)\n");
    env.write("empty.csv", "request_id,model,rating\n");
    env.run(&["feedback", "import", "empty.csv"]).fails(2, "error: empty.csv: no feedback rows to import\n");
}

#[test]
fn batch_skips_a_bad_first_json_line() {
    let env = Env::new();
    env.write(
        "log.jsonl",
        "{not json\n{\"id\": \"a\", \"prompt\": \"hello\"}\n{\"id\": \"b\", \"prompt\": \"你好\"}\n",
    );
    let r = env.run(&["batch", "log.jsonl", "--skip-bad", "--format", "jsonl"]).code(1);
    assert_eq!(r.stdout.lines().count(), 2, "{}", r.stdout);
    assert!(r.stderr.contains("warning: skipped log.jsonl:1: invalid JSON"), "{}", r.stderr);
    assert!(r.stderr.ends_with("error: 1 bad row(s) skipped\n"), "{}", r.stderr);
}

#[test]
fn json_arrays_are_read_item_by_item() {
    let env = Env::new();
    let mut arr = String::from("[\n");
    let mut lines = String::new();
    for i in 0..3000 {
        let row = format!("{{\"id\": \"r{i}\", \"prompt\": \"question {i}, with \\\"quotes\\\" and ] [ {{ }}\"}}");
        arr.push_str(&row);
        arr.push_str(if i < 2999 { ",\n" } else { "\n]\n" });
        lines.push_str(&row);
        lines.push('\n');
    }
    env.write("a.json", arr);
    env.write("a.jsonl", lines);
    let from_array = env.run(&["batch", "a.json"]).ok().stdout;
    assert_eq!(from_array, env.run(&["batch", "a.jsonl"]).ok().stdout);
    assert_eq!(from_array.lines().count(), 3001);
    // A broken array is an error at the item where it breaks.
    env.write("b.json", "[{\"prompt\": \"a\"}, {\"prompt\": \"b\"} {\"prompt\": \"c\"}]");
    env.run(&["batch", "b.json"])
        .fails(2, "error: b.json:2: expected `,` or `]` after an item (use --skip-bad to skip bad rows)\n");
    env.write("c.json", "[{\"prompt\": \"a\"}, {\"prompt\": \"b\"");
    env.run(&["batch", "c.json"])
        .fails(2, "error: c.json:2: unexpected end of input in the array (use --skip-bad to skip bad rows)\n");
}

#[test]
fn prompts_over_four_mebibytes_are_refused() {
    let env = Env::new();
    let big = "a".repeat((4 << 20) + 1);
    env.run_stdin(&["route", "--dry-run", "-"], &big)
        .fails(2, "error: stdin: the messages are 4194305 bytes, longer than the 4 MiB llmroute routes\n");
    env.write("log.csv", format!("id,prompt\na,hello\nb,{big}\nc,你好\n"));
    let r = env.run(&["batch", "log.csv", "--skip-bad"]).code(1);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);
    assert!(
        r.stderr.contains("warning: skipped log.csv:3: column `prompt`: the prompt is 4194305 bytes, longer than the 4 MiB llmroute routes"),
        "{}",
        r.stderr
    );
}

#[test]
fn an_interrupted_batch_leaves_no_temporary_file() {
    let env = Env::new();
    for signal in ["INT", "TERM", "HUP"] {
        // stdin stays open and empty: batch waits for rows with its output half-made.
        let mut child = env.cmd(&["batch", "-", "-o", "out.csv"]).stdin(std::process::Stdio::piped()).spawn().unwrap();
        let tmp = |env: &Env| {
            std::fs::read_dir(env.path(""))
                .unwrap()
                .filter_map(|e| e.ok())
                .any(|e| e.file_name().as_bytes().ends_with(b"out.csv"))
        };
        let start = std::time::Instant::now();
        while !tmp(&env) {
            assert!(start.elapsed().as_secs() < 30, "the temporary file never appeared");
            std::thread::yield_now();
        }
        let ok = std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(ok.unwrap().success());
        // `Child::wait` closes the child's stdin first; an end of input racing the signal would
        // end the batch with "no prompt column" instead. Keep stdin open until the child is gone.
        let stdin = child.stdin.take();
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(130), "{signal}");
        assert!(!tmp(&env), "{signal}: a temporary file was left behind");
        assert!(!env.path("out.csv").exists());
    }
}

#[test]
fn state_store_paths_and_read_only_stores() {
    let env = Env::new();
    env.run(&["route", "hello"]).ok();
    let db = env.path("state.db");
    let mut perms = std::fs::metadata(&db).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&db, perms).unwrap();
    // Reading needs no write access (root ignores permissions; the point is that it does not
    // try to write).
    env.run(&["route", "--dry-run", "hello"]).ok();
    env.run(&["quota", "--json"]).ok();
    env.run_env(&["route", "--dry-run", "hi"], &[("LLMROUTE_STATE", "")])
        .fails(2, "error: LLMROUTE_STATE is set but empty; unset it or name the state store\n");
    env.run(&["--state", "/dev/null", "route", "hi"]).fails(5, "error: state store `/dev/null`: not a regular file\n");
    assert!(!std::path::Path::new("/dev/null-journal").exists());
}

#[test]
fn control_bytes_from_files_are_escaped_in_messages() {
    let env = Env::new();
    env.write("log.csv", "id,\u{1b}[31mprompt\u{7}\nx,hello\n");
    let r = env.run(&["batch", "log.csv", "--text-col", "text"]).code(2);
    assert!(!r.stderr.contains('\u{1b}') && !r.stderr.contains('\u{7}'), "{:?}", r.stderr);
    assert!(r.stderr.contains("\\u{1b}[31mprompt\\u{7}"), "{}", r.stderr);
}

#[test]
fn file_names_need_not_be_utf8() {
    let env = Env::new();
    let name = std::ffi::OsStr::from_bytes(b"log-\xff.csv");
    std::fs::write(env.path("").join(name), "id,prompt\na,hello\n").unwrap();
    let mut c = env.cmd(&["batch"]);
    c.arg(name);
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("a,gpt-4o-mini,"));
}

#[test]
fn out_of_range_timestamps_are_bad_rows() {
    let env = Env::new();
    env.write("log.csv", "prompt,timestamp\nhello,1e308\n");
    let r = env.run(&["simulate", "log.csv"]).code(2);
    assert!(r.stderr.starts_with("error: log.csv:2: column `timestamp`: `1e308` is not a timestamp"), "{}", r.stderr);
}
