//! Fuzzing harnesses: one function per parser that reads outside input, each taking raw bytes.
//!
//! The cargo-fuzz targets in `fuzz/fuzz_targets/` call these functions, and so does the stable
//! regression test (`tests/fuzz_regressions.rs`), which replays the committed seeds and every
//! input that once crashed a target. Keeping the harnesses here, in the library, means both
//! exercise exactly the same code. None of them may panic, hang or allocate without bound on
//! any input: that is what fuzzing checks. They read no file that the input names, and never use
//! the network.

use crate::config::{Config, Source, Strategy};
use crate::data::Format;
use crate::provider::{Answer, SseDecoder, anthropic, openai};
use crate::quota::Unlimited;
use crate::router::Engine;

/// The most rows (or row errors) read from one input.
const MAX_ROWS: usize = 10_000;

/// Tabular inputs (CSV, TSV, JSON Lines, JSON array, and sniffed): every row, every column.
pub fn data(bytes: &[u8]) {
    for format in [Some(Format::Csv), Some(Format::Tsv), Some(Format::Jsonl), Some(Format::Json), None] {
        let Ok(mut r) = crate::data::from_bytes("fuzz", bytes.to_vec(), format) else { continue };
        for _ in 0..MAX_ROWS {
            match r.advance() {
                Ok(false) => break,
                // batch and simulate report a bad row and go on with the next one.
                Err(_) => continue,
                Ok(true) => {}
            }
            for name in r.headers() {
                if let Ok(col) = r.column(name) {
                    let _ = r.text(&col);
                    let _ = r.number(&col);
                }
                let _ = r.json_path(name);
            }
            let _ = r.text_column(None);
        }
    }
}

/// Python list literals of strings (RouterBench prompts).
pub fn pylit(bytes: &[u8]) {
    let Ok(s) = std::str::from_utf8(bytes) else { return };
    let _ = crate::data::pylit::parse_str_list(s);
    let _ = crate::data::pylit::prompt_text(s);
}

/// Configuration files: parse and validate, then build the routers and route a few prompts.
pub fn config(bytes: &[u8]) {
    let Ok(s) = std::str::from_utf8(bytes) else { return };
    let Ok(config) = Config::from_str(s, Source::Embedded) else { return };
    // `[ml] model` names a file; a harness reads no files.
    if config.ml.model.is_some() {
        return;
    }
    let Ok(engine) = Engine::new(&config, None) else { return };
    let head: String = s.chars().take(200).collect();
    for (text, tag) in
        [("hello", None), ("你好", None), ("", None), (head.as_str(), None), (head.as_str(), Some("math"))]
    {
        // The production chain first, then each router alone.
        for strategy in Strategy::ALL {
            let chain = engine.chain(&config, strategy);
            let mut eval = engine.eval(text, tag);
            let pick = chain.pick(&mut eval, &Unlimited);
            let _ = chain.chosen(&mut eval, pick);
        }
    }
}

/// Trained model files: load, then predict a few texts.
///
/// The file's CRC-32 covers the whole payload, so almost every mutation would stop at the
/// checksum; the bytes are therefore also loaded with their length and checksum fields made
/// consistent, which takes the fuzzer on to the header, the vocabulary, the tree checks and
/// prediction.
pub fn model(bytes: &[u8]) {
    load_and_predict(bytes);
    if bytes.len() >= 24 && bytes.starts_with(crate::ml::artifact::MAGIC) {
        let payload = &bytes[20..bytes.len() - 4];
        let mut fixed = Vec::with_capacity(bytes.len());
        fixed.extend_from_slice(&bytes[..12]);
        fixed.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        fixed.extend_from_slice(payload);
        fixed.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        if fixed != bytes {
            load_and_predict(&fixed);
        }
    }
}

fn load_and_predict(bytes: &[u8]) {
    let Ok(model) = crate::ml::artifact::from_bytes(bytes) else { return };
    let mut scratch = crate::ml::features::Scratch::default();
    let long: String = "Explain the proof, step by step. 证明 ".chars().cycle().take(2_000).collect();
    let texts = ["", "hello", "Write a Python function that sorts a list", "你好，世界", " \t\n ", long.as_str()];
    for text in texts {
        let _ = model.predict(text, &mut scratch);
    }
    // After `WARM_UP` predictions through one scratch, the vectorizer switches to a trie of the
    // vocabulary and the forest to a leaf scorer, both built from the file's contents: predict
    // again through those.
    for _ in 0..crate::ml::WARM_UP {
        let _ = model.predict("warm up", &mut scratch);
    }
    for text in texts {
        let _ = model.predict(text, &mut scratch);
    }
}

/// LiteLLM price tables.
pub fn prices(bytes: &[u8]) {
    let Ok(s) = std::str::from_utf8(bytes) else { return };
    let Ok(table) = crate::prices::parse("fuzz", s) else { return };
    let _ = table.find("gpt-4o", None);
    let _ = table.find("claude-3-haiku", Some("anthropic"));
    let _ = table.get("claude-3-haiku");
}

/// Provider responses: whole JSON bodies, and the same bytes as a server-sent-events stream
/// arriving in a few chunks.
pub fn provider(bytes: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(bytes) {
        let _ = openai::parse_response(&v);
        let _ = anthropic::parse_response(&v);
    }
    let mut decoder = SseDecoder::new(1 << 20);
    let (mut oa, mut an) = (Answer::default(), Answer::default());
    let (mut oa_live, mut an_live) = (true, true);
    // Chunk sizes taken from the input's length, so the same bytes always split the same way.
    let step = (bytes.len() / 3).max(1);
    for chunk in bytes.chunks(step) {
        if decoder.push(chunk).is_err() {
            break;
        }
        while let Some(data) = decoder.next_data() {
            if oa_live {
                oa_live = matches!(openai::apply_event(&data, &mut oa), Ok(true));
            }
            if an_live {
                an_live = matches!(anthropic::apply_event(&data, &mut an), Ok(true));
            }
        }
    }
}

/// A gateway request body (`POST /v1/chat/completions`): parsed, validated and its `model`
/// resolved against the embedded configuration, as `serve` does before routing.
pub fn gateway(bytes: &[u8]) {
    static CONFIG: std::sync::OnceLock<Option<Config>> = std::sync::OnceLock::new();
    let Some(config) = CONFIG.get_or_init(|| Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).ok())
    else {
        return;
    };
    let _ = crate::serve::parse_request(config, bytes);
}

/// `state import`'s line reading, parsing and range checks (against the embedded default
/// catalog), over the whole input: never a store, never a file.
pub fn state_import(bytes: &[u8]) {
    static CONFIG: std::sync::LazyLock<Option<Config>> =
        std::sync::LazyLock::new(|| Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).ok());
    let Some(config) = CONFIG.as_ref() else { return };
    let mut lines = crate::state::transfer::Lines::new(bytes, "fuzz", config);
    for _ in 0..MAX_ROWS {
        match lines.next_record() {
            Ok(Some(record)) => {
                // What passed the checks must survive the trip out and back unchanged.
                let Ok(text) = serde_json::to_string(&record) else { panic!("an accepted record does not encode") };
                match serde_json::from_str::<crate::state::Record>(&text) {
                    Ok(again) => assert!(again == record || has_nan(&record), "a record changed on the way back"),
                    Err(e) => panic!("an accepted record does not decode again: {e}"),
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
}

/// Whether a record holds a float that is not equal to itself (none passes the checks).
fn has_nan(r: &crate::state::Record) -> bool {
    use crate::state::Record;
    let floats: Vec<Option<f64>> = match r {
        Record::Quota(_) => vec![],
        Record::Decision(d) => vec![Some(d.estimated_cost), d.cost],
        Record::Feedback(f) => vec![f.rating, f.latency_ms, f.cost],
    };
    floats.into_iter().flatten().any(f64::is_nan)
}
