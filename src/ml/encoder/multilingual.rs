//! The built-in multilingual encoder (`builtin:multilingual`): a static token-vector table
//! derived from the Universal Sentence Encoder Multilingual v3 (Apache-2.0) by
//! scripts/build-encoder.py, read in place from the binary. A prompt's vector is the mean of the
//! rows of `<s>`, its SentencePiece pieces and `</s>`: a tokenizer pass and one row read per
//! piece, microseconds per prompt, no network.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use safetensors::{Dtype, SafeTensors};

use super::spm::{Scratch, Unigram};
use super::trie::ByteTrie;

/// The file scripts/build-encoder.sh builds; its digest is recorded in `multilingual.sha256`.
pub static BYTES: &[u8] = include_bytes!("../builtin/encoder.safetensors");
pub const FORMAT: &str = "llmroute-static-encoder/1";
/// The SHA-256 of [`BYTES`] as the build script recorded it (tests/encoder.rs checks the two agree).
pub const FINGERPRINT: &str = include_str!("../builtin/encoder.sha256").trim_ascii();

pub struct Multilingual {
    tokenizer: Unigram<'static>,
    /// int8 rows, `dims` bytes each: `<unk>`, `<s>`, `</s>`, then the kept pieces.
    vectors: &'static [u8],
    /// f32 per row, little-endian.
    scales: &'static [u8],
    rows: usize,
    dims: usize,
    bos: u32,
    eos: u32,
    /// Each row's SentencePiece piece id (u32 LE), to compare with SentencePiece itself.
    piece_ids: &'static [u8],
    source: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The built-in encoder, parsed on first use.
pub fn builtin() -> Result<&'static Multilingual, String> {
    static CELL: OnceLock<Result<Multilingual, String>> = OnceLock::new();
    CELL.get_or_init(|| Multilingual::from_bytes(BYTES)).as_ref().map_err(|e| format!("built-in encoder: {e}"))
}

fn tensor<'a>(st: &SafeTensors<'a>, name: &str, dtype: Dtype, shape: &[usize]) -> Result<&'a [u8], String> {
    let t = st.tensor(name).map_err(|e| format!("tensor `{name}`: {e}"))?;
    if t.dtype() != dtype || (!shape.is_empty() && t.shape() != shape) || t.shape().len() != shape.len().max(1) {
        return Err(format!("tensor `{name}` is {:?} {:?}; expected {dtype:?} {shape:?}", t.dtype(), t.shape()));
    }
    Ok(t.data())
}

fn trie<'a>(st: &SafeTensors<'a>, prefix: &str) -> Result<ByteTrie<'a>, String> {
    let get = |part: &str, dtype| tensor(st, &format!("{prefix}.{part}"), dtype, &[]);
    ByteTrie::new(
        get("labels", Dtype::U8)?,
        get("first", Dtype::U32)?,
        get("count", Dtype::U32)?,
        get("value", Dtype::U32)?,
    )
    .map_err(|e| format!("`{prefix}` {e}"))
}

fn meta<T: std::str::FromStr>(m: &HashMap<String, String>, key: &str) -> Result<T, String> {
    m.get(key).and_then(|v| v.parse().ok()).ok_or_else(|| format!("metadata `{key}` is missing or malformed"))
}

impl Multilingual {
    pub fn from_bytes(bytes: &'static [u8]) -> Result<Multilingual, String> {
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(|e| e.to_string())?;
        let m = header.metadata().clone().unwrap_or_default();
        if m.get("format").map(String::as_str) != Some(FORMAT) {
            return Err(format!("metadata `format` is not {FORMAT}"));
        }
        let st = SafeTensors::deserialize(bytes).map_err(|e| e.to_string())?;
        let v = st.tensor("vectors").map_err(|e| format!("tensor `vectors`: {e}"))?;
        let (rows, dims) = match *v.shape() {
            [r, d] if v.dtype() == Dtype::I8 && r > 2 && (1..=4096).contains(&d) => (r, d),
            _ => return Err(format!("tensor `vectors` is {:?} {:?}; expected I8 [rows, dims]", v.dtype(), v.shape())),
        };
        let max_id = u32::try_from(rows).map_err(|_| "too many rows".to_string())?;
        let strings = tensor(&st, "norm.strings", Dtype::U8, &[])?;
        let row = |key| {
            meta::<u32>(&m, key)
                .and_then(|r| if r < max_id { Ok(r) } else { Err(format!("metadata `{key}` is out of range")) })
        };
        let flag = |key| meta::<bool>(&m, key);
        let unk_score: f32 = meta(&m, "unk_score")?;
        if !unk_score.is_finite() {
            return Err("metadata `unk_score` is not finite".into());
        }
        let tokenizer = Unigram {
            vocab: trie(&st, "vocab")?,
            scores: tensor(&st, "scores", Dtype::F32, &[rows])?,
            norm: trie(&st, "norm")?,
            norm_strings: strings,
            unk_id: row("unk_row")?,
            unk_score,
            add_dummy_prefix: flag("add_dummy_prefix")?,
            remove_extra_whitespaces: flag("remove_extra_whitespaces")?,
            escape_whitespaces: flag("escape_whitespaces")?,
            ascii: Vec::new(),
        }
        .with_ascii_table();
        Ok(Multilingual {
            tokenizer,
            vectors: v.data(),
            scales: tensor(&st, "scales", Dtype::F32, &[rows])?,
            rows,
            dims,
            bos: row("bos_row")?,
            eos: row("eos_row")?,
            piece_ids: tensor(&st, "ids", Dtype::U32, &[rows])?,
            source: m.get("source").cloned().unwrap_or_default(),
        })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The SentencePiece piece ids of `text`, without `<s>`/`</s>` (to check the tokenizer
    /// against SentencePiece itself).
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        SCRATCH.with_borrow_mut(|s| {
            self.tokenizer.encode(text, s, |row| {
                let b = self.piece_ids.get(row as usize * 4..row as usize * 4 + 4).unwrap_or(&[0xFF; 4]);
                ids.push(u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            })
        });
        ids
    }

    /// Calls `emit` with the rows [`Multilingual::embed`] averages: `<s>`, the pieces, `</s>`.
    pub fn piece_rows(&self, text: &str, emit: &mut dyn FnMut(u32)) {
        emit(self.bos);
        SCRATCH.with_borrow_mut(|s| self.tokenizer.encode(text, s, &mut *emit));
        emit(self.eos);
    }

    /// Adds row `id`, dequantised, to `out`.
    pub fn add_row(&self, id: u32, out: &mut [f32]) {
        let (r, d) = (id as usize, self.dims);
        let (Some(q), Some(s)) = (self.vectors.get(r * d..r * d + d), self.scales.get(r * 4..r * 4 + 4)) else {
            return;
        };
        let scale = f32::from_le_bytes([s[0], s[1], s[2], s[3]]);
        for (o, &b) in out.iter_mut().zip(q) {
            *o += scale * f32::from(b as i8);
        }
    }

    /// Writes the mean of the rows of `<s>`, the text's pieces and `</s>` into `out` (`dims`
    /// long); returns the number of rows averaged.
    pub fn embed(&self, text: &str, out: &mut [f32]) -> usize {
        out.fill(0.0);
        let mut n = 2;
        self.add_row(self.bos, out);
        SCRATCH.with_borrow_mut(|s| {
            self.tokenizer.encode(text, s, |id| {
                self.add_row(id, out);
                n += 1;
            })
        });
        self.add_row(self.eos, out);
        let inv = 1.0 / n as f32;
        out.iter_mut().for_each(|o| *o *= inv);
        n
    }
}
