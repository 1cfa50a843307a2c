//! How a prompt becomes the classifier's row, in one place so `train` and every routing command
//! (`route`, `batch`, `simulate`, `ask`, `serve`) compute the same numbers:
//!
//! ```text
//! columns: [ TF-IDF terms (tfidf, both) | encoder vector, standardised (encoder, both) | tags ]
//! ```
//!
//! The encoder's block is standardised with the training rows' mean and deviation (stored in the
//! model), and under `both` each of its columns is further divided by √dims so the block weighs
//! about as much as the unit-length TF-IDF row beside it. An outcome model's categorical feature
//! adds its one-hot columns last (see `Model::predict_with`).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::ml::dataset::Texts;
use crate::ml::encoder::{self, Embed};
use crate::ml::sparse::Csr;
use crate::ml::tfidf::{self, Tfidf, TfidfConfig};

/// Which representations the classifier reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// TF-IDF over the prompt's n-grams (the trained vocabulary only).
    Tfidf,
    /// The sentence encoder's vector.
    Encoder,
    /// Both, side by side.
    Both,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Tfidf => "tfidf",
            Kind::Encoder => "encoder",
            Kind::Both => "both",
        }
    }
    pub fn uses_tfidf(self) -> bool {
        self != Kind::Encoder
    }
    pub fn uses_encoder(self) -> bool {
        self != Kind::Tfidf
    }
}

/// The encoder a model was trained with, as the model file records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncoderRecord {
    /// `builtin:multilingual`, or the absolute path of a Model2Vec directory.
    pub spec: String,
    pub dims: usize,
    /// The encoder's digest at training time: another encoder under the same name is refused.
    pub fingerprint: String,
    /// Per column: subtracted, then multiplied (standardisation and the block weight).
    pub shift: Vec<f32>,
    pub scale: Vec<f32>,
}

/// The encoder in use: its record and the loaded encoder.
#[derive(Clone)]
pub struct EncoderInput {
    pub record: EncoderRecord,
    pub embed: Arc<dyn Embed>,
}

impl fmt::Debug for EncoderInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EncoderInput").field("record", &self.record).finish_non_exhaustive()
    }
}

impl EncoderInput {
    /// Loads the encoder a model file names and checks it is the one the model was trained on.
    pub fn open(record: EncoderRecord) -> Result<EncoderInput, String> {
        let embed = encoder::load(&record.spec).map_err(|e| format!("the model's encoder: {e}"))?;
        if embed.dims() != record.dims || embed.fingerprint() != record.fingerprint {
            return Err(format!(
                "the model was trained with encoder `{}` ({} dims, fingerprint {}), which now holds another \
                 ({} dims, fingerprint {}); restore it or retrain the model",
                record.spec,
                record.dims,
                short(&record.fingerprint),
                embed.dims(),
                short(&embed.fingerprint())
            ));
        }
        if record.shift.len() != record.dims || record.scale.len() != record.dims {
            return Err("corrupt model file (encoder scaling and dims differ)".to_string());
        }
        if !record.shift.iter().chain(&record.scale).all(|v| v.is_finite()) {
            return Err("corrupt model file (encoder scaling is not finite)".to_string());
        }
        Ok(EncoderInput { record, embed })
    }
}

fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

/// A model's inputs: the representations [`Kind`] names.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub kind: Kind,
    pub tfidf: Option<Tfidf>,
    pub encoder: Option<EncoderInput>,
}

/// Reusable buffers for one thread's rows.
#[derive(Default)]
pub struct Scratch {
    /// The TF-IDF transform's buffers; `indices`/`values` hold the finished row.
    pub tfidf: tfidf::Scratch,
    pub dense: Vec<f32>,
    /// Linear scores.
    pub z: Vec<f64>,
}

impl Inputs {
    /// Columns before any categorical one-hot columns.
    pub fn n_columns(&self) -> usize {
        self.tfidf_columns() + self.encoder.as_ref().map_or(0, |e| e.record.dims)
    }

    pub fn tfidf_columns(&self) -> usize {
        self.tfidf.as_ref().map_or(0, Tfidf::n_features)
    }

    /// Builds `text`'s row into `scratch` (`scratch.tfidf.indices` and `values`).
    pub fn row(&self, text: &str, scratch: &mut Scratch) {
        self.row_parts(text, scratch, true);
    }

    /// [`Inputs::row`] without the encoder's block (for a [`Projection`]).
    pub fn row_without_encoder(&self, text: &str, scratch: &mut Scratch) {
        self.row_parts(text, scratch, false);
    }

    fn row_parts(&self, text: &str, scratch: &mut Scratch, with_encoder: bool) {
        let s = &mut scratch.tfidf;
        s.indices.clear();
        s.values.clear();
        if let Some(t) = &self.tfidf {
            let row = t.transform_f64(text, s);
            for &(c, v) in &row {
                s.indices.push(c);
                s.values.push(v as f32);
            }
        }
        if let Some(e) = self.encoder.as_ref().filter(|_| with_encoder) {
            let offset = self.tfidf_columns() as u32;
            scratch.dense.resize(e.record.dims, 0.0);
            e.embed.embed(text, &mut scratch.dense);
            let r = &e.record;
            for (j, ((&v, &m), &k)) in scratch.dense.iter().zip(&r.shift).zip(&r.scale).enumerate() {
                s.indices.push(offset + j as u32);
                s.values.push((v - m) * k);
            }
        }
    }

    /// Fits the representations on training texts and returns their rows. `encoder` is the
    /// encoder's spec when `kind` uses one. The texts are freed once counted (TF-IDF), so large
    /// label sets train in less memory.
    pub fn fit(
        kind: Kind,
        tfidf: TfidfConfig,
        encoder: Option<&str>,
        texts: Texts,
        threads: usize,
    ) -> Result<(Inputs, Csr), String> {
        let n = texts.len();
        let dense = if kind.uses_encoder() {
            let refs: Vec<&str> = texts.iter().collect();
            Some(fit_encoder(kind, encoder.unwrap_or(encoder::BUILTIN), &refs, threads)?)
        } else {
            None
        };
        let (fitted, sparse) = if kind.uses_tfidf() {
            let (t, x) = Tfidf::fit_transform_owned(tfidf, texts, threads);
            (Some(t), Some(x))
        } else {
            drop(texts);
            (None, None)
        };
        let (encoder, vectors) = dense.unzip();
        let inputs = Inputs { kind, tfidf: fitted, encoder };
        let x = match (sparse, &inputs.encoder, vectors) {
            (Some(x), None, _) => x,
            (sparse, Some(e), Some(v)) => {
                let d = e.record.dims;
                let offset = inputs.tfidf_columns();
                let mut x = Csr::with_capacity(inputs.n_columns(), n, sparse.as_ref().map_or(0, Csr::nnz) + n * d);
                for r in 0..n {
                    let (i, val) = sparse.as_ref().map_or((&[][..], &[][..]), |s| s.row(r));
                    let row = v[r * d..(r + 1) * d].iter().zip(&e.record.shift).zip(&e.record.scale);
                    let dense = row.enumerate().map(|(j, ((&v, &m), &k))| ((offset + j) as u32, (v - m) * k));
                    x.push_row(i.iter().copied().zip(val.iter().copied()).chain(dense));
                }
                x
            }
            _ => return Err("no features to fit".to_string()),
        };
        Ok((inputs, x))
    }
}

/// Runs `f` over `n` items split into up to `threads` contiguous ranges, results in order.
fn chunked<T: Send>(n: usize, threads: usize, f: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    let per = n.div_ceil(threads.max(1)).max(1);
    let ranges: Vec<_> = (0..n).step_by(per).map(|a| a..(a + per).min(n)).collect();
    if ranges.len() <= 1 {
        return ranges.into_iter().map(&f).collect();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = ranges.into_iter().map(|r| scope.spawn(|| f(r))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}

/// Loads the encoder and measures its columns' mean and deviation on the training texts.
fn fit_encoder(kind: Kind, spec: &str, texts: &[&str], threads: usize) -> Result<(EncoderInput, Vec<f32>), String> {
    let spec = if spec.starts_with(crate::ml::builtin::PREFIX) {
        spec.to_string()
    } else {
        let p = std::path::Path::new(spec);
        std::fs::canonicalize(p).map_err(|e| format!("--encoder {spec}: {e}"))?.display().to_string()
    };
    let embed = encoder::load(&spec).map_err(|e| format!("--encoder {spec}: {e}"))?;
    let d = embed.dims();
    let chunks = chunked(texts.len(), threads, |range| {
        let (mut s, mut s2) = (vec![0.0f64; d], vec![0.0f64; d]);
        let mut vectors = vec![0.0f32; range.len() * d];
        for (t, v) in texts[range].iter().zip(vectors.chunks_exact_mut(d)) {
            embed.embed(t, v);
            for (j, &x) in v.iter().enumerate() {
                s[j] += f64::from(x);
                s2[j] += f64::from(x) * f64::from(x);
            }
        }
        (s, s2, vectors)
    });
    let sums: Vec<_> = chunks.iter().map(|(s, s2, _)| (s, s2)).collect();
    let n = texts.len().max(1) as f64;
    let (mut shift, mut scale) = (vec![0.0f32; d], vec![1.0f32; d]);
    let block = if kind == Kind::Both { 1.0 / (d as f64).sqrt() } else { 1.0 };
    for j in 0..d {
        let mean = sums.iter().map(|(s, _)| s[j]).sum::<f64>() / n;
        let var = (sums.iter().map(|(_, s2)| s2[j]).sum::<f64>() / n - mean * mean).max(0.0);
        shift[j] = mean as f32;
        // A constant column stays unscaled (it is 0 after the shift).
        scale[j] = if var > 1e-12 { (block / var.sqrt()) as f32 } else { block as f32 };
    }
    let record = EncoderRecord { spec, dims: d, fingerprint: embed.fingerprint(), shift, scale };
    let vectors = chunks.into_iter().flat_map(|(_, _, v)| v).collect();
    Ok((EncoderInput { record, embed }, vectors))
}

/// A logistic model's scores on a table encoder's block, per table row: the encoder's vector
/// is the mean of table rows, standardisation is affine and the scores linear, so
///
/// ```text
/// Σ_j w_jc (mean_j − shift_j) scale_j = (1/n) Σ_rows Σ_j w_jc scale_j row_j − Σ_j w_jc scale_j shift_j
/// ```
///
/// and a prompt costs `columns` additions per piece instead of a `dims`-wide mean, its
/// standardisation and a `dims × columns` product. A row's `columns` numbers are computed the
/// first time a prompt uses it (by any thread; racing threads store the same bits), so loading a
/// model costs nothing. Results equal the explicit row's within float rounding (a test checks).
pub struct Projection {
    columns: usize,
    /// `w_jc · scale_j`, `[j * columns + c]`.
    weights: Vec<f64>,
    /// Per column: `−Σ_j w_jc scale_j shift_j`.
    bias: Vec<f64>,
    /// Per block of [`CHUNK`] table rows, allocated when one of them is first used (a single
    /// `route` touches a few dozen rows of 64,884).
    chunks: Vec<std::sync::OnceLock<Chunk>>,
}

/// Table rows per [`Chunk`].
const CHUNK: usize = 256;

/// Per row of a block and column, the f64 bits of `Σ_j w_jc scale_j row_j`, and whether the
/// row's are stored yet.
struct Chunk {
    cells: Box<[std::sync::atomic::AtomicU64]>,
    filled: Box<[std::sync::atomic::AtomicBool]>,
}

impl fmt::Debug for Projection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Projection").field("columns", &self.columns).finish_non_exhaustive()
    }
}

impl Projection {
    /// The projection of `e`'s block through `heads` (whose columns are concatenated), when `e`
    /// is a table encoder; `offset` is the block's first column.
    pub fn new(e: &EncoderInput, offset: usize, heads: &[&crate::ml::linear::Linear]) -> Option<Projection> {
        let n_rows = e.embed.n_rows();
        let d = e.record.dims;
        if n_rows == 0 || heads.is_empty() {
            return None;
        }
        let columns: usize = heads.iter().map(|h| h.columns()).sum();
        let mut weights = vec![0.0; d * columns];
        let mut at = 0;
        for h in heads {
            let k = h.columns();
            let coef = h.coef();
            for j in 0..d {
                for c in 0..k {
                    let w = coef.get((offset + j) * k + c).copied().unwrap_or(0.0);
                    weights[j * columns + at + c] = f64::from(w) * f64::from(e.record.scale[j]);
                }
            }
            at += k;
        }
        let bias = (0..columns)
            .map(|c| -(0..d).map(|j| weights[j * columns + c] * f64::from(e.record.shift[j])).sum::<f64>())
            .collect();
        let chunks = (0..n_rows.div_ceil(CHUNK)).map(|_| std::sync::OnceLock::new()).collect();
        Some(Projection { columns, weights, bias, chunks })
    }

    /// Adds to `z` (one entry per column) the mean over `text`'s table rows of their
    /// projections; false when the encoder cannot list them.
    pub fn add_mean(&self, e: &EncoderInput, text: &str, z: &mut [f64], buf: &mut Vec<f32>) -> bool {
        use std::sync::atomic::Ordering;
        let cols = self.columns;
        let mut sum = [0.0f64; 16];
        let mut wide = vec![];
        let acc: &mut [f64] = if cols <= 16 {
            &mut sum[..cols]
        } else {
            wide.resize(cols, 0.0);
            &mut wide
        };
        let mut n = 0usize;
        let listed = e.embed.rows(text, &mut |r| {
            let Some(slot) = self.chunks.get(r as usize / CHUNK) else { return };
            let chunk = slot.get_or_init(|| Chunk {
                cells: (0..CHUNK * cols).map(|_| std::sync::atomic::AtomicU64::new(0)).collect(),
                filled: (0..CHUNK).map(|_| std::sync::atomic::AtomicBool::new(false)).collect(),
            });
            let i = r as usize % CHUNK;
            let cells = &chunk.cells[i * cols..(i + 1) * cols];
            if !chunk.filled[i].load(Ordering::Acquire) {
                buf.resize(e.record.dims, 0.0);
                e.embed.row(r, buf);
                for (c, cell) in cells.iter().enumerate() {
                    let v: f64 = buf.iter().enumerate().map(|(j, &x)| self.weights[j * cols + c] * f64::from(x)).sum();
                    cell.store(v.to_bits(), Ordering::Relaxed);
                }
                chunk.filled[i].store(true, Ordering::Release);
            }
            for (a, cell) in acc.iter_mut().zip(cells) {
                *a += f64::from_bits(cell.load(Ordering::Relaxed));
            }
            n += 1;
        });
        if !listed {
            return false;
        }
        let inv = 1.0 / n.max(1) as f64;
        for ((z, a), b) in z.iter_mut().zip(acc.iter()).zip(&self.bias) {
            *z += a * inv + b;
        }
        true
    }
}
