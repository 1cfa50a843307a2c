//! The Model2Vec loader, checked against the real `model2vec` package: the tiny models in
//! fixtures/encoder/model2vec/ (written and encoded by gen.py there) give model2vec's vectors and
//! token counts, and every damaged or unsupported model directory is refused with a one-line error
//! naming the file and the tensor or key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use llmroute::ml::encoder::model2vec::{MAX_FILE_BYTES, StaticModel};
use serde_json::{Value, json};

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/encoder/model2vec").join(p)
}

/// model2vec computes in float32 (float64 for the F64 model); values of the unnormalized I8
/// model reach ~100, so the tolerance is 1e-5 relative above 1 and absolute below.
fn close(got: f32, want: f64) -> bool {
    (f64::from(got) - want).abs() <= 1e-5 * want.abs().max(1.0)
}

#[test]
fn vectors_equal_model2vecs_encode_for_every_fixture_model() {
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap();
    let texts: Vec<&str> = expected["texts"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let models = expected["models"].as_array().unwrap();
    assert_eq!(models.len(), 6);
    for case in models {
        let name = case["name"].as_str().unwrap();
        let model = StaticModel::load(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(model.dim() as u64, case["dim"].as_u64().unwrap(), "{name}: dim");
        assert_eq!(model.vocab_size() as u64, case["vocab_size"].as_u64().unwrap(), "{name}: vocab");
        let indices = case["text_indices"].as_array().unwrap();
        let tokens = case["tokens"].as_array().unwrap();
        let vectors = case["vectors"].as_array().unwrap();
        assert_eq!(indices.len(), vectors.len());
        let mut out = vec![f32::NAN; model.dim()];
        for ((index, want_tokens), want) in indices.iter().zip(tokens).zip(vectors) {
            let text = texts[index.as_u64().unwrap() as usize];
            let shown: String = text.chars().take(40).collect();
            let used = model.embed(text, &mut out);
            assert_eq!(used as u64, want_tokens.as_u64().unwrap(), "{name}: tokens of {shown:?}");
            let want = want.as_array().unwrap();
            assert_eq!(want.len(), out.len());
            for (d, (&got, w)) in out.iter().zip(want).enumerate() {
                let w = w.as_f64().unwrap();
                assert!(close(got, w), "{name}: {shown:?}[{d}]: {got} vs model2vec's {w}");
            }
            if used == 0 {
                assert!(out.iter().all(|&x| x == 0.0), "{name}: {shown:?} gives the zero vector");
            }
        }
    }
}

#[test]
fn the_description_names_the_shape_and_what_changes_the_vectors() {
    let f32_model = StaticModel::load(&fixture("wordpiece_f32")).unwrap();
    assert_eq!(f32_model.describe(), "model2vec static model, 44 tokens × 16 dims (F32, normalized, first 512 tokens)");
    let f16_model = StaticModel::load(&fixture("unigram_f16")).unwrap();
    assert_eq!(
        f16_model.describe(),
        "model2vec static model, 49 tokens × 16 dims \
         (F16, 12 rows after vocabulary quantization, per-token weights, normalized, first 512 tokens)"
    );
    let f64_model = StaticModel::load(&fixture("unigram_f64")).unwrap();
    assert_eq!(f64_model.describe(), "model2vec static model, 49 tokens × 16 dims (F64, no token limit)");
}

#[test]
fn a_vector_of_the_wrong_length_gets_zeros_and_no_tokens() {
    let model = StaticModel::load(&fixture("wordpiece_f32")).unwrap();
    let mut short = vec![1.0f32; 15];
    assert_eq!(model.embed("hello world", &mut short), 0);
    assert!(short.iter().all(|&x| x == 0.0));
}

// ---- hand-built model directories ----

/// A safetensors file from (name, dtype, shape, little-endian data), offsets in order.
fn safetensors(tensors: &[(&str, &str, &[usize], Vec<u8>)]) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut data = Vec::new();
    for (name, dtype, shape, bytes) in tensors {
        let start = data.len();
        data.extend_from_slice(bytes);
        header.insert(name.to_string(), json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}));
    }
    raw_safetensors(&Value::Object(header).to_string(), &data)
}

fn raw_safetensors(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn f32s(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// 44 tokens (the fixture's WordPiece tokenizer) × `dim` F32 rows: row i is i + d/10.
fn rows(n: usize, dim: usize) -> Vec<f32> {
    (0..n * dim).map(|k| (k / dim) as f32 + (k % dim) as f32 / 10.0).collect()
}

/// A model directory with the fixture's WordPiece tokenizer, `config` as config.json and `model`
/// as model.safetensors.
fn model_dir(config: Value, model: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("wordpiece_f32/tokenizer.json"), dir.path().join("tokenizer.json")).unwrap();
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    std::fs::write(dir.path().join("model.safetensors"), model).unwrap();
    dir
}

fn plain_config() -> Value {
    json!({"model_type": "model2vec", "normalize": false, "hidden_dim": 4})
}

/// The error `load` gives, with the directory written as `<dir>`.
fn refusal(dir: &Path) -> String {
    match StaticModel::load(dir) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e.replace(&dir.display().to_string(), "<dir>"),
    }
}

fn refusal_of(model: &[u8]) -> String {
    let dir = model_dir(plain_config(), model);
    refusal(dir.path())
}

#[test]
fn a_hand_built_f32_model_averages_its_rows() {
    let dir = model_dir(plain_config(), &safetensors(&[("embeddings", "F32", &[44, 4], f32s(&rows(44, 4)))]));
    let model = StaticModel::load(dir.path()).unwrap();
    let mut out = [0f32; 4];
    // "hello" is id 22, "world" 23, "zebra" unknown and dropped.
    assert_eq!(model.embed("Hello zebra world", &mut out), 2);
    assert_eq!(out, [22.5, 22.6, 22.7, 22.8]);
}

#[test]
fn bf16_rows_are_widened_to_f32() {
    // BF16 is the top half of an f32: these values (k + d/4, k < 44) are exact in it.
    let values: Vec<f32> = (0..44 * 4).map(|k| (k / 4) as f32 + (k % 4) as f32 / 4.0).collect();
    let bf16: Vec<u8> = values.iter().flat_map(|v| ((v.to_bits() >> 16) as u16).to_le_bytes()).collect();
    let dir = model_dir(json!({"normalize": true}), &safetensors(&[("embeddings", "BF16", &[44, 4], bf16)]));
    let model = StaticModel::load(dir.path()).unwrap();
    let mut out = [0f32; 4];
    assert_eq!(model.embed("hello world", &mut out), 2);
    let mean = [22.5f32, 22.75, 23.0, 23.25];
    let norm = mean.iter().map(|x| x * x).sum::<f32>().sqrt();
    for (got, want) in out.iter().zip(mean) {
        assert!((got - want / norm).abs() < 1e-6, "{got} vs {}", want / norm);
    }
}

#[test]
fn a_missing_file_or_directory_is_named() {
    let dir = model_dir(plain_config(), &safetensors(&[("embeddings", "F32", &[44, 4], f32s(&rows(44, 4)))]));
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    assert_eq!(
        refusal(dir.path()),
        "<dir>/tokenizer.json: no such file \
         (a model2vec model directory holds config.json, model.safetensors and tokenizer.json)"
    );
    let gone = dir.path().join("nowhere");
    assert_eq!(
        StaticModel::load(&gone).err().unwrap().replace(&dir.path().display().to_string(), "<dir>"),
        "<dir>/nowhere: no such directory \
         (a model2vec model directory holds config.json, model.safetensors and tokenizer.json)"
    );
}

#[test]
fn an_unsupported_dtype_is_refused_by_name() {
    assert_eq!(
        refusal_of(&safetensors(&[("embeddings", "U8", &[44, 4], vec![1; 176])])),
        "<dir>/model.safetensors: tensor `embeddings` has dtype U8; expected F32, F16, BF16, F64 or I8"
    );
    let weights = vec![0u8; 44 * 4];
    assert_eq!(
        refusal_of(&safetensors(&[
            ("embeddings", "F32", &[44, 4], f32s(&rows(44, 4))),
            ("weights", "I32", &[44], weights)
        ])),
        "<dir>/model.safetensors: tensor `weights` has dtype I32; expected F32, F16, BF16 or F64"
    );
}

#[test]
fn shapes_that_do_not_fit_their_bytes_or_overflow_are_refused() {
    let header = r#"{"embeddings":{"dtype":"F32","shape":[44,4],"data_offsets":[0,700]}}"#;
    assert_eq!(
        refusal_of(&raw_safetensors(header, &[0; 700])),
        "<dir>/model.safetensors: tensor `embeddings`: shape [44, 4] of F32 takes 704 bytes \
         but its data_offsets [0, 700] hold 700"
    );
    let header = r#"{"embeddings":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,16]}}"#;
    assert_eq!(
        refusal_of(&raw_safetensors(header, &[0; 16])),
        "<dir>/model.safetensors: tensor `embeddings`: shape [4294967296, 4294967296, 16] of F32 overflows"
    );
    assert_eq!(
        refusal_of(&safetensors(&[("embeddings", "F32", &[44, 2, 2], f32s(&rows(44, 4)))])),
        "<dir>/model.safetensors: tensor `embeddings` has shape [44, 2, 2]; expected two dimensions [vocab, dim]"
    );
}

#[test]
fn a_vocabulary_of_another_size_is_refused() {
    assert_eq!(
        refusal_of(&safetensors(&[("embeddings", "F32", &[40, 4], f32s(&rows(40, 4)))])),
        "<dir>/model.safetensors: tensor `embeddings` has 40 rows but <dir>/tokenizer.json has 44 tokens"
    );
    assert_eq!(
        refusal_of(&safetensors(&[
            ("embeddings", "F32", &[44, 4], f32s(&rows(44, 4))),
            ("weights", "F32", &[43], f32s(&[1.0; 43]))
        ])),
        "<dir>/model.safetensors: tensor `weights` has 43 entries but <dir>/tokenizer.json has 44 tokens"
    );
    let mut mapping = vec![0i64; 44];
    mapping[7] = 4;
    assert_eq!(
        refusal_of(&safetensors(&[
            ("embeddings", "F32", &[4, 4], f32s(&rows(4, 4))),
            ("mapping", "I64", &[44], mapping.iter().flat_map(|m| m.to_le_bytes()).collect())
        ])),
        "<dir>/model.safetensors: tensor `mapping` maps token 7 to row 4; `embeddings` has 4 rows"
    );
}

#[test]
fn a_missing_tensor_is_refused_with_what_the_file_holds() {
    assert_eq!(
        refusal_of(&safetensors(&[("embedding", "F32", &[44, 4], f32s(&rows(44, 4)))])),
        "<dir>/model.safetensors: no tensor `embeddings` (the file holds `embedding`)"
    );
}

#[test]
fn a_truncated_file_is_refused() {
    let whole = safetensors(&[("embeddings", "F32", &[44, 4], f32s(&rows(44, 4)))]);
    let header_end = whole.len() - 44 * 4 * 4;
    assert_eq!(
        refusal_of(&whole[..whole.len() - 10]),
        format!(
            "<dir>/model.safetensors: truncated or damaged: its tensors end at byte {} but the file has {} bytes",
            whole.len(),
            whole.len() - 10
        )
    );
    assert_eq!(
        refusal_of(&whole[..20]),
        format!("<dir>/model.safetensors: truncated: the header length says {} bytes but 12 follow", header_end - 8)
    );
    assert_eq!(
        refusal_of(&whole[..5]),
        "<dir>/model.safetensors: truncated: 5 bytes, shorter than the 8-byte header length"
    );
}

#[test]
fn a_dim_outside_1_to_4096_is_refused() {
    assert_eq!(
        refusal_of(&safetensors(&[("embeddings", "F32", &[44, 0], Vec::new())])),
        "<dir>/model.safetensors: tensor `embeddings` has 0 columns; expected a dim from 1 to 4096"
    );
    assert_eq!(
        refusal_of(&safetensors(&[("embeddings", "I8", &[44, 4097], vec![0; 44 * 4097])])),
        "<dir>/model.safetensors: tensor `embeddings` has 4097 columns; expected a dim from 1 to 4096"
    );
}

#[test]
fn non_finite_values_are_refused_with_their_place() {
    let mut values = rows(44, 4);
    values[3 * 4 + 2] = f32::NAN;
    assert_eq!(
        refusal_of(&safetensors(&[("embeddings", "F32", &[44, 4], f32s(&values))])),
        "<dir>/model.safetensors: tensor `embeddings` holds NaN at row 3, column 2; every value must be a finite f32"
    );
    // 1e300 is finite in F64 but not in f32.
    let mut values: Vec<f64> = rows(44, 4).iter().map(|&v| f64::from(v)).collect();
    values[5] = 1e300;
    assert_eq!(
        refusal_of(&safetensors(&[(
            "embeddings",
            "F64",
            &[44, 4],
            values.iter().flat_map(|v| v.to_le_bytes()).collect()
        )])),
        "<dir>/model.safetensors: tensor `embeddings` holds inf at row 1, column 1; every value must be a finite f32"
    );
    let mut weights = [1.0f32; 44];
    weights[9] = f32::INFINITY;
    assert_eq!(
        refusal_of(&safetensors(&[
            ("embeddings", "F32", &[44, 4], f32s(&rows(44, 4))),
            ("weights", "F32", &[44], f32s(&weights))
        ])),
        "<dir>/model.safetensors: tensor `weights` holds inf at index 9; every value must be a finite f32"
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_it_is_read() {
    let dir = model_dir(plain_config(), b"");
    // A sparse file: its length is over the limit, its blocks are not written.
    let f = std::fs::File::options().write(true).open(dir.path().join("model.safetensors")).unwrap();
    f.set_len(MAX_FILE_BYTES + 1).unwrap();
    assert_eq!(refusal(dir.path()), "<dir>/model.safetensors: cannot read model: larger than 2048 MiB");
}

#[test]
fn config_keys_of_the_wrong_kind_are_refused() {
    let model = safetensors(&[("embeddings", "F32", &[44, 4], f32s(&rows(44, 4)))]);
    let dir = model_dir(json!({"normalize": "yes"}), &model);
    assert_eq!(refusal(dir.path()), r#"<dir>/config.json: key `normalize` is "yes"; expected true, false or null"#);
    let dir = model_dir(json!({"max_length": 0}), &model);
    assert_eq!(
        refusal(dir.path()),
        "<dir>/config.json: key `max_length` is 0; expected an integer from 1 to 1048576 or null"
    );
    let dir = model_dir(json!([1, 2]), &model);
    assert_eq!(refusal(dir.path()), "<dir>/config.json: not a JSON object");
}

#[test]
fn a_damaged_tokenizer_is_refused() {
    let dir = model_dir(plain_config(), &safetensors(&[("embeddings", "F32", &[44, 4], f32s(&rows(44, 4)))]));
    std::fs::write(dir.path().join("tokenizer.json"), r#"{"model": {"type": "Nonesuch"}}"#).unwrap();
    let e = refusal(dir.path());
    assert!(e.starts_with("<dir>/tokenizer.json: not a tokenizer.json the tokenizers library reads: "), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

// ---- what the router relies on: threads, any input, the fingerprint ----

const FIXTURE_MODELS: [&str; 6] =
    ["wordpiece_f32", "wordpiece_i8", "unigram_f16", "unigram_f64", "wide_f32", "st_nested"];

#[test]
fn one_model_embeds_from_many_threads_with_the_same_vectors() {
    fn shared<T: Send + Sync>(_: &T) {}
    let model = StaticModel::load(&fixture("unigram_f16")).unwrap();
    shared(&model);
    let texts = ["hello world", "Explain quantum physics, cheaply?", "中文 日本語", ""];
    let want: Vec<(usize, Vec<f32>)> = texts
        .iter()
        .map(|t| {
            let mut out = vec![0f32; model.dim()];
            (model.embed(t, &mut out), out)
        })
        .collect();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mut out = vec![0f32; model.dim()];
                for _ in 0..50 {
                    for (text, (tokens, vector)) in texts.iter().zip(&want) {
                        assert_eq!(model.embed(text, &mut out), *tokens);
                        assert_eq!(&out, vector);
                    }
                }
            });
        }
    });
}

/// Deterministic odd text: control characters, combining marks, surrogate-range neighbours,
/// private use, emoji, CJK, the special tokens' pieces, at random lengths.
fn odd_texts() -> Vec<String> {
    let pieces: &[&str] = &[
        "\0",
        "\u{1}",
        "\t",
        "\r\n",
        " ",
        "\u{a0}",
        "\u{200b}",
        "\u{200d}",
        "\u{feff}",
        "\u{301}",
        "\u{fe0f}",
        "\u{d7ff}",
        "\u{e000}",
        "\u{fffd}",
        "\u{ffff}",
        "\u{10ffff}",
        "🙂",
        "👩\u{200d}💻",
        "中",
        "本",
        "日本",
        "[",
        "]",
        "[CLS",
        "[UNK]",
        "<s>",
        "</s",
        "##",
        "▁",
        "hello",
        "HELLO",
        "ﬁ",
        "ǅ",
        "İ",
        "ß",
        "σς",
        "١٢٣",
        "\u{202e}",
        "!",
        "?",
        ".",
        "...",
        "a",
        "z",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..400)
        .map(|_| {
            let len = (next() % 40) as usize;
            (0..len).map(|_| pieces[(next() % pieces.len() as u64) as usize]).collect()
        })
        .collect()
}

#[test]
fn odd_text_gives_a_finite_vector_and_never_panics() {
    let texts = odd_texts();
    for name in FIXTURE_MODELS {
        let model = StaticModel::load(&fixture(name)).unwrap();
        let mut out = vec![0f32; model.dim()];
        for text in &texts {
            let tokens = model.embed(text, &mut out);
            assert!(out.iter().all(|x| x.is_finite()), "{name}: {text:?}");
            if tokens == 0 {
                assert!(out.iter().all(|&x| x == 0.0), "{name}: {text:?}");
            }
        }
    }
}

#[test]
fn a_long_text_is_cut_before_it_is_tokenized() {
    let long = "a ".repeat(1_200_000); // 2.4 M characters
    let mut out = vec![0f32; 16];
    // max_length 512 (the default): model2vec's own cut, of characters (512 × the median token
    // length) and then of tokens.
    let model = StaticModel::load(&fixture("wordpiece_f32")).unwrap();
    assert_eq!(model.embed(&long, &mut out), 512);
    // max_length null: no token limit, but no more than MAX_TEXT_CHARS characters are tokenized.
    let model = StaticModel::load(&fixture("unigram_f64")).unwrap();
    let tokens = model.embed(&long, &mut out);
    let mut whole = vec![0f32; 16];
    let cut: String = long.chars().take(llmroute::ml::encoder::model2vec::MAX_TEXT_CHARS).collect();
    assert_eq!(tokens, model.embed(&cut, &mut whole));
    assert_eq!(out, whole);
    assert!(tokens > 0 && tokens <= llmroute::ml::encoder::model2vec::MAX_TEXT_CHARS);
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_fingerprint_changes_with_the_files_and_settings_that_change_vectors() {
    let fingerprint = |dir: &Path| StaticModel::load(dir).unwrap().fingerprint();
    let original = fingerprint(&fixture("wordpiece_f32"));
    assert_eq!(original.len(), 64);
    assert!(original.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{original}");

    // A copy elsewhere, with a config key that does not change the vectors: the same.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixture("wordpiece_f32"), dir.path());
    let config_path = dir.path().join("config.json");
    let mut config: Value = serde_json::from_str(&std::fs::read_to_string(&config_path).unwrap()).unwrap();
    config["tokenizer_name"] = json!("renamed");
    std::fs::write(&config_path, config.to_string()).unwrap();
    assert_eq!(fingerprint(dir.path()), original);

    // Each setting that changes the vectors changes it.
    let mut seen = vec![original.clone()];
    for (key, value) in [("normalize", json!(false)), ("max_length", json!(100)), ("max_length", json!(null))] {
        let mut changed = config.clone();
        changed[key] = value;
        std::fs::write(&config_path, changed.to_string()).unwrap();
        let f = fingerprint(dir.path());
        assert!(!seen.contains(&f), "{key}: {f}");
        seen.push(f);
    }
    // model2vec's default max_length written out is the same setting as no key.
    let mut explicit = config.clone();
    explicit["max_length"] = json!(512);
    std::fs::write(&config_path, explicit.to_string()).unwrap();
    assert_eq!(fingerprint(dir.path()), original);
    std::fs::write(&config_path, config.to_string()).unwrap();

    // A changed tokenizer (same vocabulary, an added token that strips spaces on its left) and a
    // changed row change it.
    let tokenizer_path = dir.path().join("tokenizer.json");
    let tokenizer = std::fs::read_to_string(&tokenizer_path).unwrap();
    let mut edited: Value = serde_json::from_str(&tokenizer).unwrap();
    edited["added_tokens"][0]["lstrip"] = json!(true);
    std::fs::write(&tokenizer_path, edited.to_string()).unwrap();
    let f = fingerprint(dir.path());
    assert!(!seen.contains(&f));
    seen.push(f);
    std::fs::write(&tokenizer_path, &tokenizer).unwrap();
    assert_eq!(fingerprint(dir.path()), original);

    let weights_path = dir.path().join("model.safetensors");
    let mut weights = std::fs::read(&weights_path).unwrap();
    let last = weights.len() - 1;
    weights[last] ^= 1;
    std::fs::write(&weights_path, &weights).unwrap();
    let f = fingerprint(dir.path());
    assert!(!seen.contains(&f));

    // Other models differ from each other.
    let all: std::collections::BTreeSet<String> = FIXTURE_MODELS.iter().map(|m| fingerprint(&fixture(m))).collect();
    assert_eq!(all.len(), FIXTURE_MODELS.len());
}
