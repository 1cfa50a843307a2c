//! A user's own Model2Vec static embedding model, read from its directory, so the ML router can
//! train on dense prompt vectors without a network or a Python runtime.
//!
//! A text's vector is what the `model2vec` Python package (0.10) computes with
//! `StaticModel.from_pretrained(dir).encode([text])`:
//!
//! 1. the text is cut to its first `max_length × median token length` characters (the median of
//!    the vocabulary's token lengths in characters, as an integer), and to `MAX_TEXT_CHARS`
//!    whatever the config says, so no text costs more than a bounded tokenization;
//! 2. it is tokenized without special tokens (`[CLS]` typed in the text is still a token), the ids
//!    are cut to the first `max_length`, and the tokenizer's unknown-token id is dropped;
//! 3. each id's row (through `mapping` when the vocabulary was quantized) times the id's weight
//!    (when the file has `weights`) is averaged;
//! 4. with `normalize`, the mean is divided by its L2 norm (+1e-32).
//!
//! A text with no token left gives the zero vector, as in model2vec, and `embed` returns 0.
//! Arithmetic follows numpy's: sums in f32 (f64 for F64 rows, F64 weights and unweighted I8
//! rows), the mean rounded to float16 for F16 rows (model2vec returns float16 vectors then), and
//! the norm summed pairwise in f32. I8 rows are used as stored integers, as model2vec does (its
//! int8 quantization keeps no scale). BF16 rows, which model2vec's numpy loader cannot read, are
//! widened to f32. F64 rows and weights are held as f32, so an F64 model's vectors equal
//! model2vec's float64 ones to f32 rounding; every other dtype gives model2vec's values bit for bit
//! on the fixtures in `fixtures/encoder/model2vec/`.
//!
//! Files are found as `from_pretrained` finds them: `config.json`, `model.safetensors` (tensor
//! `embeddings`) and `tokenizer.json`; else the sentence-transformers layouts
//! (`config_sentence_transformers.json`, tensor `embedding.weight`, at the top or in
//! `0_StaticEmbedding/`). Config keys other than `normalize` and `max_length` do not change what
//! `encode` returns and are not read; `hidden_dim` in particular can disagree with the rows after
//! a dimensionality cut, so the tensor's shape is the dimension. Tensors other than
//! `embeddings`, `weights` and `mapping` are ignored, as model2vec ignores them.

use std::path::{Path, PathBuf};

use safetensors::SafeTensorError;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokenizers::{ModelWrapper, Tokenizer};

use crate::fsutil::read_bounded;

/// The largest `model.safetensors` or `tokenizer.json` read: 2 GiB (a 500k-token × 1024-dim F32
/// model). The rows are held as f32, so an F16 file of this size takes 4 GiB of memory.
pub const MAX_FILE_BYTES: u64 = 2 << 30;
/// The largest `config.json` read.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// The widest embedding accepted.
pub const MAX_DIM: usize = 4096;
/// The largest `max_length` accepted in `config.json`.
pub const MAX_MAX_LENGTH: u64 = 1 << 20;
/// model2vec's `max_length` when `config.json` has none.
pub const DEFAULT_MAX_LENGTH: usize = 512;
/// The most characters of a text that are tokenized, whatever `max_length` says: model2vec's own
/// cut (`max_length × median token length`) is far below this for every published model, and a
/// model with `max_length: null` would otherwise tokenize a text of any length.
pub const MAX_TEXT_CHARS: usize = 1 << 20;

const LAYOUT_HINT: &str = "a model2vec model directory holds config.json, model.safetensors and tokenizer.json";

/// How the rows were stored, which decides how model2vec rounds its arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stored {
    F32,
    F16,
    BF16,
    F64,
    I8,
}

impl Stored {
    fn of(dtype: Dtype) -> Option<Stored> {
        Some(match dtype {
            Dtype::F32 => Stored::F32,
            Dtype::F16 => Stored::F16,
            Dtype::BF16 => Stored::BF16,
            Dtype::F64 => Stored::F64,
            Dtype::I8 => Stored::I8,
            _ => return None,
        })
    }
}

/// A loaded Model2Vec model: the tokenizer and the embedding rows as f32, dequantised once.
pub struct StaticModel {
    tokenizer: Tokenizer,
    /// `n_rows × dim`, row-major.
    rows: Vec<f32>,
    n_rows: usize,
    dim: usize,
    vocab_size: usize,
    /// Token id → row, for a vocabulary-quantized model.
    mapping: Option<Vec<u32>>,
    /// Per-token-id weights.
    weights: Option<Vec<f32>>,
    normalize: bool,
    max_length: Option<usize>,
    /// Characters kept before tokenizing: `max_length × median token length`, at most
    /// `MAX_TEXT_CHARS`.
    char_cut: usize,
    unk_id: Option<u32>,
    stored: Stored,
    /// Sum in f64, as numpy does for F64 rows or weights and unweighted I8 rows.
    wide_sum: bool,
    /// Round each row × weight to float16, as numpy does when both are float16 (or I8 × F16).
    f16_products: bool,
    /// sha256 hex of the files and settings the vectors depend on.
    fingerprint: String,
}

/// The three files of a model, where `from_pretrained` looks for them.
struct Layout {
    config: PathBuf,
    embeddings: PathBuf,
    tokenizer: PathBuf,
    tensor: &'static str,
}

/// model2vec's layouts, in its order: (config, tensors, tokenizer, tensor name).
const LAYOUTS: [(&str, &str, &str, &str); 3] = [
    ("config.json", "model.safetensors", "tokenizer.json", "embeddings"),
    ("config_sentence_transformers.json", "model.safetensors", "tokenizer.json", "embedding.weight"),
    (
        "config_sentence_transformers.json",
        "0_StaticEmbedding/model.safetensors",
        "0_StaticEmbedding/tokenizer.json",
        "embedding.weight",
    ),
];

fn find_layout(dir: &Path) -> Result<Layout, String> {
    if !dir.is_dir() {
        return Err(format!("{}: no such directory ({LAYOUT_HINT})", dir.display()));
    }
    for (config, embeddings, tokenizer, tensor) in LAYOUTS {
        let layout = Layout {
            config: dir.join(config),
            embeddings: dir.join(embeddings),
            tokenizer: dir.join(tokenizer),
            tensor,
        };
        if layout.config.exists() && layout.embeddings.exists() && layout.tokenizer.exists() {
            return Ok(layout);
        }
    }
    let (config, embeddings, tokenizer, _) = LAYOUTS[0];
    let missing = [config, embeddings, tokenizer].into_iter().map(|f| dir.join(f)).find(|p| !p.exists());
    let missing = missing.unwrap_or_else(|| dir.join(tokenizer));
    Err(format!("{}: no such file ({LAYOUT_HINT})", missing.display()))
}

/// The `config.json` keys that change what `encode` returns.
struct Settings {
    normalize: bool,
    max_length: Option<usize>,
}

fn read_settings(path: &Path) -> Result<Settings, String> {
    let shown = path.display();
    let bytes = read_bounded(path, MAX_CONFIG_BYTES, "model configuration").map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| format!("{shown}: not JSON: {e}"))?;
    let Some(config) = value.as_object() else {
        return Err(format!("{shown}: not a JSON object"));
    };
    let normalize = match config.get("normalize") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("{shown}: key `normalize` is {other}; expected true, false or null")),
    };
    let max_length = match config.get("max_length") {
        None => Some(DEFAULT_MAX_LENGTH),
        Some(Value::Null) => None,
        Some(v) => match v.as_u64().filter(|n| (1..=MAX_MAX_LENGTH).contains(n)).map(usize::try_from) {
            Some(Ok(n)) => Some(n),
            _ => {
                return Err(format!(
                    "{shown}: key `max_length` is {v}; expected an integer from 1 to {MAX_MAX_LENGTH} or null"
                ));
            }
        },
    };
    Ok(Settings { normalize, max_length })
}

/// The tensors of `model.safetensors`, decoded and checked on their own.
struct Tensors {
    rows: Vec<f32>,
    n_rows: usize,
    dim: usize,
    stored: Stored,
    weights: Option<(Vec<f32>, Dtype)>,
    mapping: Option<Vec<u32>>,
}

/// Feeds a file's length and bytes to the fingerprint.
fn hash_file(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn read_tensors(path: &Path, name: &'static str, hasher: &mut Sha256) -> Result<Tensors, String> {
    let at = |msg: String| format!("{}: {msg}", path.display());
    let bytes = read_bounded(path, MAX_FILE_BYTES, "model").map_err(|e| e.to_string())?;
    hash_file(hasher, &bytes);
    let file = SafeTensors::deserialize(&bytes).map_err(|e| at(diagnose(&bytes, &e)))?;
    let view = file.tensor(name).map_err(|_| at(missing_tensor(&file, name)))?;
    let dtype = view.dtype();
    let stored = Stored::of(dtype)
        .ok_or_else(|| at(format!("tensor `{name}` has dtype {dtype}; expected F32, F16, BF16, F64 or I8")))?;
    let &[n_rows, dim] = view.shape() else {
        return Err(at(format!("tensor `{name}` has shape {:?}; expected two dimensions [vocab, dim]", view.shape())));
    };
    if dim == 0 || dim > MAX_DIM {
        return Err(at(format!("tensor `{name}` has {dim} columns; expected a dim from 1 to {MAX_DIM}")));
    }
    if n_rows == 0 {
        return Err(at(format!("tensor `{name}` has no rows")));
    }
    let rows = floats(&view, name, dim).map_err(at)?;
    let weights = match file.tensor("weights") {
        Ok(w) => Some((read_weights(&w).map_err(at)?, w.dtype())),
        Err(_) => None,
    };
    let mapping = match file.tensor("mapping") {
        Ok(m) => Some(read_mapping(&m, n_rows).map_err(at)?),
        Err(_) => None,
    };
    Ok(Tensors { rows, n_rows, dim, stored, weights, mapping })
}

fn missing_tensor(file: &SafeTensors, name: &str) -> String {
    let mut names = file.names();
    names.sort_unstable();
    let held = if names.is_empty() {
        "none".to_string()
    } else {
        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
    };
    format!("no tensor `{name}` (the file holds {held})")
}

/// A float tensor's values as f32, each checked finite; `width` places a bad value by row and
/// column (1 for a vector).
fn floats(view: &TensorView, name: &str, width: usize) -> Result<Vec<f32>, String> {
    let data = view.data();
    let values: Vec<f32> = match view.dtype() {
        Dtype::F32 => data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        Dtype::F16 => data.chunks_exact(2).map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]]))).collect(),
        Dtype::BF16 => {
            data.chunks_exact(2).map(|b| f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16)).collect()
        }
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        Dtype::I8 => data.iter().map(|&b| f32::from(b as i8)).collect(),
        other => return Err(format!("tensor `{name}` has dtype {other}; expected F32, F16, BF16, F64 or I8")),
    };
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        let place = if width == 1 { format!("index {i}") } else { format!("row {}, column {}", i / width, i % width) };
        return Err(format!("tensor `{name}` holds {} at {place}; every value must be a finite f32", values[i]));
    }
    Ok(values)
}

fn read_weights(view: &TensorView) -> Result<Vec<f32>, String> {
    let dtype = view.dtype();
    if !matches!(dtype, Dtype::F32 | Dtype::F16 | Dtype::BF16 | Dtype::F64) {
        return Err(format!("tensor `weights` has dtype {dtype}; expected F32, F16, BF16 or F64"));
    }
    if view.shape().len() != 1 {
        return Err(format!("tensor `weights` has shape {:?}; expected one dimension [vocab]", view.shape()));
    }
    floats(view, "weights", 1)
}

/// `mapping`: token id → row of `embeddings`, any integer dtype, every entry a row.
fn read_mapping(view: &TensorView, n_rows: usize) -> Result<Vec<u32>, String> {
    if view.shape().len() != 1 {
        return Err(format!("tensor `mapping` has shape {:?}; expected one dimension [vocab]", view.shape()));
    }
    let data = view.data();
    let values: Vec<i128> = match view.dtype() {
        Dtype::I8 => data.iter().map(|&b| i128::from(b as i8)).collect(),
        Dtype::U8 => data.iter().map(|&b| i128::from(b)).collect(),
        Dtype::I16 => data.chunks_exact(2).map(|b| i128::from(i16::from_le_bytes([b[0], b[1]]))).collect(),
        Dtype::U16 => data.chunks_exact(2).map(|b| i128::from(u16::from_le_bytes([b[0], b[1]]))).collect(),
        Dtype::I32 => data.chunks_exact(4).map(|b| i128::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))).collect(),
        Dtype::U32 => data.chunks_exact(4).map(|b| i128::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))).collect(),
        Dtype::I64 => data.chunks_exact(8).map(|b| i128::from(i64::from_le_bytes(eight(b)))).collect(),
        Dtype::U64 => data.chunks_exact(8).map(|b| i128::from(u64::from_le_bytes(eight(b)))).collect(),
        other => return Err(format!("tensor `mapping` has dtype {other}; expected an integer dtype")),
    };
    values
        .iter()
        .enumerate()
        .map(|(token, &row)| match u32::try_from(row) {
            Ok(r) if (r as usize) < n_rows => Ok(r),
            _ => Err(format!("tensor `mapping` maps token {token} to row {row}; `embeddings` has {n_rows} rows")),
        })
        .collect()
}

fn eight(b: &[u8]) -> [u8; 8] {
    [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// Names what is wrong with a file the safetensors crate refused: a cut, a tensor whose shape
/// does not fit its bytes, trailing bytes; else the crate's own words.
fn diagnose(bytes: &[u8], error: &SafeTensorError) -> String {
    header_problem(bytes).unwrap_or_else(|| format!("not a safetensors file: {error}"))
}

fn header_problem(bytes: &[u8]) -> Option<String> {
    let len = bytes.len();
    let Some(&[a, b, c, d, e, f, g, h]) = bytes.get(..8) else {
        return Some(format!("truncated: {len} bytes, shorter than the 8-byte header length"));
    };
    let n = u64::from_le_bytes([a, b, c, d, e, f, g, h]);
    let Some(header_end) = usize::try_from(n).ok().and_then(|n| n.checked_add(8)).filter(|&end| end <= len) else {
        return Some(format!("truncated: the header length says {n} bytes but {} follow", len - 8));
    };
    let header: serde_json::Map<String, Value> = serde_json::from_slice(&bytes[8..header_end]).ok()?;
    let mut data_end = 0u64;
    for (name, info) in header.iter().filter(|(name, _)| *name != "__metadata__") {
        let dtype: Dtype = serde_json::from_value(info.get("dtype")?.clone()).ok()?;
        let shape: Vec<u64> = serde_json::from_value(info.get("shape")?.clone()).ok()?;
        let [start, end]: [u64; 2] = serde_json::from_value(info.get("data_offsets")?.clone()).ok()?;
        let bits = shape
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
            .and_then(|v| v.checked_mul(dtype.bitsize() as u64));
        let Some(size) = bits.map(|b| b.div_ceil(8)) else {
            return Some(format!("tensor `{name}`: shape {shape:?} of {dtype} overflows"));
        };
        if end.checked_sub(start) != Some(size) {
            let held = end.saturating_sub(start);
            return Some(format!(
                "tensor `{name}`: shape {shape:?} of {dtype} takes {size} bytes but its data_offsets [{start}, {end}] hold {held}"
            ));
        }
        data_end = data_end.max(end);
    }
    let needed = data_end.saturating_add(header_end as u64);
    (needed != len as u64)
        .then(|| format!("truncated or damaged: its tensors end at byte {needed} but the file has {len} bytes"))
}

/// The tokenizer, with model2vec's truncation and padding switched off (the cut to `max_length`
/// ids is done on the ids, which is what tokenizers' right truncation without special tokens
/// does).
fn read_tokenizer(path: &Path, hasher: &mut Sha256) -> Result<(Tokenizer, Option<u32>), String> {
    let shown = path.display();
    let bytes = read_bounded(path, MAX_FILE_BYTES, "tokenizer").map_err(|e| e.to_string())?;
    hash_file(hasher, &bytes);
    let mut tokenizer = Tokenizer::from_bytes(&bytes)
        .map_err(|e| format!("{shown}: not a tokenizer.json the tokenizers library reads: {e}").replace('\n', " "))?;
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|e| format!("{shown}: {e}"))?;
    // model2vec's `_get_unk_token_id`: the model's `unk_token` looked up in the whole vocabulary,
    // or a Unigram model's `unk_id`.
    let unk_id = match tokenizer.get_model() {
        ModelWrapper::WordPiece(m) => tokenizer.token_to_id(&m.unk_token),
        ModelWrapper::WordLevel(m) => tokenizer.token_to_id(&m.unk_token),
        ModelWrapper::BPE(m) => m.unk_token.as_deref().and_then(|t| tokenizer.token_to_id(t)),
        ModelWrapper::Unigram(_) => unigram_unk_id(&bytes).map_err(|e| format!("{shown}: {e}"))?,
    };
    Ok((tokenizer, unk_id))
}

fn unigram_unk_id(bytes: &[u8]) -> Result<Option<u32>, String> {
    #[derive(Deserialize)]
    struct File {
        model: Model,
    }
    #[derive(Deserialize)]
    struct Model {
        #[serde(default)]
        unk_id: Option<u32>,
    }
    let file: File = serde_json::from_slice(bytes).map_err(|e| format!("key `model.unk_id`: {e}"))?;
    Ok(file.model.unk_id)
}

/// numpy's `int(np.median(lengths))` over the vocabulary's tokens, lengths in characters.
fn median_token_length(tokenizer: &Tokenizer) -> usize {
    let mut lengths: Vec<usize> = tokenizer.get_vocab(true).keys().map(|t| t.chars().count()).collect();
    lengths.sort_unstable();
    let n = lengths.len();
    match n {
        0 => 0,
        _ if n % 2 == 1 => lengths[n / 2],
        _ => (lengths[n / 2 - 1] + lengths[n / 2]) / 2,
    }
}

impl StaticModel {
    /// Loads the model in `dir`. Errors are one line naming the file and, where there is one, the
    /// tensor or key.
    pub fn load(dir: &Path) -> Result<StaticModel, String> {
        // A library's message (serde, safetensors, tokenizers) can span lines; the error is one.
        Self::load_lines(dir).map_err(|e| e.replace(['\r', '\n'], " "))
    }

    fn load_lines(dir: &Path) -> Result<StaticModel, String> {
        let layout = find_layout(dir)?;
        let settings = read_settings(&layout.config)?;
        let mut hasher = Sha256::new();
        hasher.update(b"model2vec static model\n");
        let tensors = read_tensors(&layout.embeddings, layout.tensor, &mut hasher)?;
        let (tokenizer, unk_id) = read_tokenizer(&layout.tokenizer, &mut hasher)?;
        let max_length = settings.max_length.map_or("null".to_string(), |m| m.to_string());
        hasher.update(format!("tensor={} normalize={} max_length={max_length}\n", layout.tensor, settings.normalize));
        let fingerprint = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        let vocab = tokenizer.get_vocab(true);
        let vocab_size = vocab.len();
        let (st, tok) = (layout.embeddings.display(), layout.tokenizer.display());
        let expect = |what: &str, len: usize| {
            if len == vocab_size {
                Ok(())
            } else {
                Err(format!("{st}: tensor `{what}` has {len} entries but {tok} has {vocab_size} tokens"))
            }
        };
        match &tensors.mapping {
            None if tensors.n_rows != vocab_size => {
                let (name, n) = (layout.tensor, tensors.n_rows);
                return Err(format!("{st}: tensor `{name}` has {n} rows but {tok} has {vocab_size} tokens"));
            }
            None => {}
            Some(m) => expect("mapping", m.len())?,
        }
        if let Some((w, _)) = &tensors.weights {
            expect("weights", w.len())?;
        }
        if let Some((token, id)) = vocab.iter().find(|(_, id)| **id as usize >= vocab_size) {
            return Err(format!("{tok}: token {token:?} has id {id}, beyond the {vocab_size}-token vocabulary"));
        }
        let median = median_token_length(&tokenizer);
        let weights_dtype = tensors.weights.as_ref().map(|(_, d)| *d);
        Ok(StaticModel {
            tokenizer,
            n_rows: tensors.n_rows,
            dim: tensors.dim,
            vocab_size,
            mapping: tensors.mapping,
            normalize: settings.normalize,
            max_length: settings.max_length,
            char_cut: settings.max_length.map_or(MAX_TEXT_CHARS, |m| m.saturating_mul(median).min(MAX_TEXT_CHARS)),
            unk_id,
            stored: tensors.stored,
            wide_sum: tensors.stored == Stored::F64
                || weights_dtype == Some(Dtype::F64)
                || (tensors.stored == Stored::I8 && weights_dtype.is_none()),
            f16_products: weights_dtype == Some(Dtype::F16) && matches!(tensors.stored, Stored::F16 | Stored::I8),
            weights: tensors.weights.map(|(w, _)| w),
            rows: tensors.rows,
            fingerprint,
        })
    }

    /// The length of every vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The tokenizer's vocabulary, added tokens included.
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    /// Writes the text's vector into `out` (its length must be `dim()`; any other length gets
    /// zeros and 0) and returns the number of tokens averaged. A text with no known token, the
    /// empty text among them, gives the zero vector and 0, as in model2vec; so does a text the
    /// tokenizer refuses (a Unigram or WordLevel model without an unknown token meeting one),
    /// where model2vec would raise.
    pub fn embed(&self, text: &str, out: &mut [f32]) -> usize {
        out.fill(0.0);
        if out.len() != self.dim {
            return 0;
        }
        let ids = self.token_ids(text);
        if ids.is_empty() {
            return 0;
        }
        if self.wide_sum {
            self.mean_f64(&ids, out);
        } else {
            self.mean_f32(&ids, out);
        }
        if self.stored == Stored::F16 {
            // model2vec's output array has the rows' dtype: the mean is stored as float16.
            out.iter_mut().for_each(|x| *x = round_to_f16(*x));
        }
        if self.normalize {
            let norm = pairwise_sum_of_squares(out).sqrt() + 1e-32;
            out.iter_mut().for_each(|x| *x /= norm);
            if self.stored == Stored::F16 {
                out.iter_mut().for_each(|x| *x = round_to_f16(*x));
            }
        }
        ids.len()
    }

    /// sha256 hex over `model.safetensors`, `tokenizer.json` and the config values that change
    /// the vectors (`normalize`, `max_length`), so a model trained on these vectors can tell
    /// that the directory it was trained with has changed. Keys that do not change the vectors
    /// and the directory's path are not part of it.
    pub fn fingerprint(&self) -> String {
        self.fingerprint.clone()
    }

    /// One line for `--explain` and model files: the shape and what changes the vectors.
    pub fn describe(&self) -> String {
        let mut details = vec![format!("{:?}", self.stored)];
        if self.mapping.is_some() {
            details.push(format!("{} rows after vocabulary quantization", self.n_rows));
        }
        if self.weights.is_some() {
            details.push("per-token weights".to_string());
        }
        if self.normalize {
            details.push("normalized".to_string());
        }
        details.push(match self.max_length {
            Some(m) => format!("first {m} tokens"),
            None => "no token limit".to_string(),
        });
        format!("model2vec static model, {} tokens × {} dims ({})", self.vocab_size, self.dim, details.join(", "))
    }

    /// The ids that are averaged: model2vec's character cut, tokenization without special
    /// tokens, the cut to `max_length` ids, and the unknown token dropped.
    fn token_ids(&self, text: &str) -> Vec<u32> {
        let text = text.char_indices().nth(self.char_cut).map_or(text, |(i, _)| &text[..i]);
        let Ok(encoding) = self.tokenizer.encode_fast(text, false) else {
            return Vec::new();
        };
        let ids = encoding.get_ids();
        let kept = self.max_length.map_or(ids, |m| &ids[..m.min(ids.len())]);
        kept.iter().copied().filter(|&id| Some(id) != self.unk_id).collect()
    }

    /// Token id → its row and weight; `None` only for an id outside the vocabulary, which
    /// `load` rules out.
    fn row(&self, id: u32) -> Option<(&[f32], Option<f32>)> {
        let index = match &self.mapping {
            Some(m) => *m.get(id as usize)? as usize,
            None => id as usize,
        };
        let row = self.rows.get(index * self.dim..(index + 1) * self.dim)?;
        let weight = match &self.weights {
            Some(w) => Some(*w.get(id as usize)?),
            None => None,
        };
        Some((row, weight))
    }

    fn mean_f32(&self, ids: &[u32], out: &mut [f32]) {
        for (row, weight) in ids.iter().filter_map(|&id| self.row(id)) {
            match weight {
                None => out.iter_mut().zip(row).for_each(|(o, &e)| *o += e),
                Some(w) if self.f16_products => out.iter_mut().zip(row).for_each(|(o, &e)| *o += round_to_f16(e * w)),
                Some(w) => out.iter_mut().zip(row).for_each(|(o, &e)| *o += e * w),
            }
        }
        // numpy divides the f32 sum by an integer count in f64.
        let n = ids.len() as f64;
        out.iter_mut().for_each(|o| *o = (f64::from(*o) / n) as f32);
    }

    fn mean_f64(&self, ids: &[u32], out: &mut [f32]) {
        let mut sum = vec![0f64; self.dim];
        for (row, weight) in ids.iter().filter_map(|&id| self.row(id)) {
            let w = weight.map_or(1.0, f64::from);
            sum.iter_mut().zip(row).for_each(|(s, &e)| *s += f64::from(e) * w);
        }
        let n = ids.len() as f64;
        out.iter_mut().zip(&sum).for_each(|(o, s)| *o = (s / n) as f32);
    }
}

/// numpy's float32 `add.reduce` of `x²`: pairwise, eight accumulators per block of up to 128.
fn pairwise_sum_of_squares(x: &[f32]) -> f32 {
    let n = x.len();
    if n < 8 {
        x.iter().fold(0.0, |acc, v| acc + v * v)
    } else if n <= 128 {
        let (blocks, rest) = x.split_at(n - n % 8);
        let mut r = [0f32; 8];
        for (i, block) in blocks.chunks_exact(8).enumerate() {
            for (acc, v) in r.iter_mut().zip(block) {
                *acc = if i == 0 { v * v } else { *acc + v * v };
            }
        }
        let head = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        rest.iter().fold(head, |acc, v| acc + v * v)
    } else {
        let half = n / 2 - (n / 2) % 8;
        pairwise_sum_of_squares(&x[..half]) + pairwise_sum_of_squares(&x[half..])
    }
}

/// IEEE binary16 → f32 (exact).
fn f16_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    match exp {
        0 => sign * man as f32 * (1.0 / 16_777_216.0),
        0x1f => f32::from_bits((u32::from(h & 0x8000) << 16) | 0x7f80_0000 | (man << 13)),
        _ => f32::from_bits((u32::from(h & 0x8000) << 16) | ((exp + 112) << 23) | (man << 13)),
    }
}

/// f32 → the nearest binary16 (ties to even), as bits.
fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 112; // the binary16 biased exponent
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    // The binary16 value in units of its last place, before rounding: `full >> shift`.
    let (full, shift, base) = if e > 0 { (man, 13, (e as u32) << 10) } else { (man | 0x80_0000, (14 - e) as u32, 0) };
    if shift > 24 {
        return sign;
    }
    let kept = full >> shift;
    let dropped = full & ((1 << shift) - 1);
    let half = 1 << (shift - 1);
    let round_up = dropped > half || (dropped == half && kept & 1 == 1);
    sign | (base + kept + u32::from(round_up)) as u16
}

/// `x` rounded to the nearest binary16, back as f32.
fn round_to_f16(x: f32) -> f32 {
    f16_to_f32(f32_to_f16(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_f16_survives_a_round_trip_through_f32() {
        for h in 0..=u16::MAX {
            let x = f16_to_f32(h);
            if x.is_nan() {
                assert_eq!(f32_to_f16(x) & 0x7c00, 0x7c00, "{h:#06x}");
                assert!(f16_to_f32(f32_to_f16(x)).is_nan());
            } else {
                assert_eq!(f32_to_f16(x), h, "{h:#06x} = {x}");
            }
        }
    }

    #[test]
    fn f32_rounds_to_the_nearest_f16_and_ties_to_even() {
        // Between each pair of neighbouring finite binary16 values (subnormals included): the
        // midpoint goes to the one with an even last bit, anything off the midpoint to the nearer.
        for h in 0..0x7bffu16 {
            let (lo, hi) = (f16_to_f32(h), f16_to_f32(h + 1));
            let mid = ((f64::from(lo) + f64::from(hi)) / 2.0) as f32;
            assert_eq!(f64::from(mid), (f64::from(lo) + f64::from(hi)) / 2.0, "midpoint exact in f32");
            let even = if h % 2 == 0 { h } else { h + 1 };
            assert_eq!(f32_to_f16(mid), even, "tie above {h:#06x}");
            assert_eq!(f32_to_f16(-mid), even | 0x8000, "negative tie above {h:#06x}");
            assert_eq!(f32_to_f16(f32::from_bits(mid.to_bits() - 1)), h, "below the tie above {h:#06x}");
            assert_eq!(f32_to_f16(f32::from_bits(mid.to_bits() + 1)), h + 1, "above the tie above {h:#06x}");
        }
        assert_eq!(f32_to_f16(65504.0), 0x7bff);
        assert_eq!(f32_to_f16(65520.0), 0x7c00, "halfway past the largest finite rounds to infinity");
        assert_eq!(f32_to_f16(1e-8), 0, "below half the smallest subnormal");
        assert_eq!(f32_to_f16(f32::MIN_POSITIVE / 2.0), 0, "an f32 subnormal");
    }

    #[test]
    fn pairwise_sum_follows_numpys_blocks() {
        // Values whose sum depends on the order: 1 + 2^-24 + ... is lost sequentially but kept
        // when the small ones meet first. numpy's blocks: <8 sequential, ≤128 eight lanes,
        // larger halves at a multiple of 8.
        let small = 2f32.powi(-13); // its square, 2^-26, is below half an ulp of 1
        let mut x = vec![small; 16];
        x[0] = 1.0;
        // Eight lanes: lane 0 holds 1 + 2^-26 (lost), lanes 1..7 hold 2·2^-26 each, summed
        // pairwise before meeting lane 0.
        let lanes = {
            let s = 2.0 * small * small;
            let r = [1.0f32, s, s, s, s, s, s, s];
            ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        };
        assert_eq!(pairwise_sum_of_squares(&x), lanes);
        let sequential = x.iter().fold(0f32, |a, v| a + v * v);
        assert_eq!(sequential, 1.0);
        assert!(lanes > 1.0);
        let x: Vec<f32> = (0..300).map(|i| (i as f32 * 0.37).sin()).collect();
        let exact: f64 = x.iter().map(|&v| f64::from(v * v)).sum();
        assert!((f64::from(pairwise_sum_of_squares(&x)) - exact).abs() < 1e-4);
    }

    #[test]
    fn the_median_token_length_truncates_like_int_of_numpys_median() {
        let wordlevel = |tokens: &[&str]| {
            let vocab: serde_json::Map<String, Value> =
                tokens.iter().enumerate().map(|(i, t)| (t.to_string(), Value::from(i))).collect();
            let json = serde_json::json!({"version": "1.0", "truncation": null, "padding": null,
                "added_tokens": [], "normalizer": null, "pre_tokenizer": {"type": "Whitespace"},
                "post_processor": null, "decoder": null,
                "model": {"type": "WordLevel", "vocab": vocab, "unk_token": tokens[0]}});
            Tokenizer::from_bytes(json.to_string().as_bytes()).unwrap()
        };
        assert_eq!(median_token_length(&wordlevel(&["a", "bb", "ccc"])), 2);
        assert_eq!(median_token_length(&wordlevel(&["a", "bb", "ccc", "dddd"])), 2, "int(2.5)");
        assert_eq!(median_token_length(&wordlevel(&["日本", "x", "yyy", "zzzzz"])), 2, "characters, not bytes");
    }
}
