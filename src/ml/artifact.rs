//! The model file: a versioned binary format, checked before use, written atomically.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "LLMROUTE"
//! 8       4     format version (u32 LE): 1 label model, 2 outcome model, 3 calibrated label
//!               model (all TF-IDF + forest); 4 any other inputs or classifier
//! 12      8     payload length (u64 LE)
//! 20      n     payload
//! 20+n    4     CRC-32 of the payload (u32 LE)
//! payload: header JSON (u32 length + bytes: labels, analyzer, tf-idf settings, threshold,
//!          metadata, counts; an outcome model adds its cost model, λ and categorical feature) | vocabulary (u32 length + UTF-8 bytes, per term) | idf (f64 per term)
//!          | trees (u32 nodes, u32 values, then per node u32 feature, f32 threshold, u32 next,
//!          then f32 values). A node's feature is a column, `0xFFFFFFFF` for a leaf whose class
//!          distribution starts at `values[next * classes]`, or `0xFFFFFFFE` for a pure leaf of
//!          class `next` (most leaves of fully grown trees, so they cost no value storage).
//! version 4: the header adds `features` (tfidf, encoder, both), `encoder` (its spec, dims,
//!          fingerprint and column scaling), `classifier` (forest, logistic) and `heads`; the
//!          vocabulary is empty without TF-IDF; a logistic classifier's heads (see
//!          `Linear::to_bytes`) take the place of the trees.
//! ```
//! Every field is bounds-checked on load, and tree structure is validated (children after their
//! parent, features and leaves in range), so a damaged file is an error, never a panic.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ml::features::{self, EncoderInput, EncoderRecord, Inputs};
use crate::ml::forest::{Forest, LEAF, Node, PURE, Tree};
use crate::ml::linear::Linear;
use crate::ml::model::{Classifier, Kind, Model, Outcomes, TrainingMeta};
use crate::ml::tfidf::{Tfidf, TfidfConfig, Vocab};

pub const MAGIC: &[u8; 8] = b"LLMROUTE";
/// The format of label models (unchanged, so their files stay byte-identical).
pub const VERSION: u32 = 1;
/// The format of outcome models (older builds refuse them instead of misreading them).
pub const VERSION_OUTCOMES: u32 = 2;
/// The format of label models with calibrated probabilities (likewise refused by older builds).
pub const VERSION_CALIBRATED: u32 = 3;
/// Models with a sentence encoder or a logistic classifier.
pub const VERSION_GENERAL: u32 = 4;

#[derive(Serialize, Deserialize)]
struct Header {
    labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tfidf: Option<TfidfConfig>,
    threshold: f64,
    n_features: usize,
    n_trees: usize,
    meta: TrainingMeta,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcomes: Option<Outcomes>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calibration: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    features: Option<features::Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoder: Option<EncoderRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    classifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    heads: Option<usize>,
}

impl Header {
    /// The format version a header of these fields is written as.
    fn version(&self) -> u32 {
        match (&self.features, &self.outcomes, self.calibration) {
            (Some(_), _, _) => VERSION_GENERAL,
            (None, Some(_), None) => VERSION_OUTCOMES,
            (None, None, Some(_)) => VERSION_CALIBRATED,
            (None, None, None) => VERSION,
            (None, Some(_), Some(_)) => 0,
        }
    }
}

pub fn to_bytes(m: &Model) -> Vec<u8> {
    // TF-IDF with a forest keeps the formats of versions 1 to 3, byte for byte.
    let general = m.inputs.kind != features::Kind::Tfidf || !matches!(m.classifier, Classifier::Forest(_));
    let header = Header {
        labels: m.labels.clone(),
        tfidf: m.inputs.tfidf.as_ref().map(|t| t.config),
        threshold: m.threshold,
        n_features: m.inputs.tfidf_columns(),
        n_trees: match &m.classifier {
            Classifier::Forest(f) => f.trees.len(),
            Classifier::Linear(_) => 0,
        },
        meta: m.meta.clone(),
        outcomes: match &m.kind {
            Kind::Labels => None,
            Kind::Outcomes(o) => Some(o.clone()),
        },
        calibration: m.calibration,
        features: general.then_some(m.inputs.kind),
        encoder: m.inputs.encoder.as_ref().map(|e| e.record.clone()),
        classifier: general.then(|| m.classifier.name().to_string()),
        heads: match &m.classifier {
            Classifier::Linear(h) => Some(h.len()),
            Classifier::Forest(_) => None,
        },
    };
    let version = header.version();
    let mut p = Vec::new();
    let h = serde_json::to_vec(&header).unwrap_or_default();
    p.extend_from_slice(&(h.len() as u32).to_le_bytes());
    p.extend_from_slice(&h);
    if let Some(t) = &m.inputs.tfidf {
        for term in t.vocabulary.terms() {
            p.extend_from_slice(&(term.len() as u32).to_le_bytes());
            p.extend_from_slice(term.as_bytes());
        }
        for v in &t.idf {
            p.extend_from_slice(&v.to_le_bytes());
        }
    }
    match &m.classifier {
        Classifier::Forest(f) => {
            for t in &f.trees {
                p.extend_from_slice(&(t.nodes.len() as u32).to_le_bytes());
                p.extend_from_slice(&(t.values.len() as u32).to_le_bytes());
                for n in &t.nodes {
                    p.extend_from_slice(&n.feature.to_le_bytes());
                    p.extend_from_slice(&n.threshold.to_le_bytes());
                    p.extend_from_slice(&n.next.to_le_bytes());
                }
                for v in &t.values {
                    p.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        Classifier::Linear(heads) => heads.iter().for_each(|h| p.extend_from_slice(&h.to_bytes())),
    }
    let mut out = Vec::with_capacity(p.len() + 24);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&p);
    out.extend_from_slice(&crc32fast::hash(&p).to_le_bytes());
    out
}

/// Writes the model atomically (temporary file, then rename).
pub fn save(m: &Model, path: &Path, overwrite: bool) -> Result<()> {
    crate::fsutil::write_atomic(path, &to_bytes(m), overwrite)
}

/// The largest model file read.
pub const MAX_MODEL_BYTES: u64 = 1 << 30;

pub fn load(path: &Path) -> Result<Model> {
    let name = path.display().to_string();
    if let Some(b) = crate::ml::builtin::lookup(&name) {
        let b = b.map_err(Error::Usage)?;
        return from_bytes(b.bytes).map_err(|m| Error::Usage(format!("{name}: {m}")));
    }
    let bytes = crate::fsutil::read_bounded(path, MAX_MODEL_BYTES, "model")?;
    from_bytes(&bytes).map_err(|m| Error::Usage(format!("{name}: {m}")))
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> std::result::Result<&'a [u8], String> {
        let end =
            self.at.checked_add(n).filter(|&e| e <= self.b.len()).ok_or("corrupt model file (truncated payload)")?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u32(&mut self) -> std::result::Result<u32, String> {
        let s = self.take(4)?;
        Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn f64(&mut self) -> std::result::Result<f64, String> {
        let s = self.take(8)?;
        Ok(f64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]))
    }
}

/// The longest vocabulary term a model may hold, in bytes.
const MAX_TERM_BYTES: usize = 64 << 10;

/// Every range `train` enforces, checked before the model is used: a crafted file with a valid
/// checksum cannot make routing hang or allocate without bound.
fn check_header(h: &Header) -> std::result::Result<(), String> {
    let bad = |what: &str| Err(format!("corrupt model file ({what})"));
    let k = h.labels.len();
    if !(2..=MAX_LABELS).contains(&k) {
        return bad(&format!("{k} labels; a model has 2 to {MAX_LABELS}"));
    }
    if h.labels.iter().any(|l| l.is_empty() || l.len() > 1024) {
        return bad("a label is empty or longer than 1024 bytes");
    }
    check_inputs(h)?;
    match (h.classifier.as_deref(), h.heads) {
        (None | Some("forest"), None) if !(1..=MAX_TREES).contains(&h.n_trees) => {
            return bad(&format!("{} trees; a model has 1 to {MAX_TREES}", h.n_trees));
        }
        (None | Some("forest"), None) => {}
        (Some("logistic"), Some(n)) if h.n_trees == 0 && n == if h.outcomes.is_some() { k } else { 1 } => {}
        _ => return bad("classifier, trees and heads disagree"),
    }
    if !(0.0..=1.0).contains(&h.threshold) {
        return bad("threshold outside [0, 1]");
    }
    if h.calibration.is_some_and(|a| !crate::ml::calibration::RANGE.contains(&a)) {
        return bad("calibration outside its range");
    }
    if let Some(o) = &h.outcomes {
        let finite = |v: f64| v.is_finite() && v.abs() <= 1e9;
        if o.cost.len() != k || o.mean_cost.len() != k {
            return bad("cost model and labels differ in length");
        }
        if !o.cost.iter().all(|&(a, b)| finite(a) && finite(b)) || !o.mean_cost.iter().all(|&c| finite(c) && c >= 0.0) {
            return bad("cost model out of range");
        }
        if !(0.0..=crate::ml::outcome::MAX_LAMBDA).contains(&o.lambda) {
            return bad("λ out of range");
        }
        if let Some(f) = &o.feature
            && (f.values.len() > MAX_LABELS || f.values.iter().any(|v| v.len() > 1024))
        {
            return bad("categorical feature too large");
        }
    }
    Ok(())
}

/// The inputs' fields: TF-IDF settings when present, the encoder's shape, and (version 4) that
/// `features` names exactly the inputs the header describes.
fn check_inputs(h: &Header) -> std::result::Result<(), String> {
    let bad = |what: &str| Err(format!("corrupt model file ({what})"));
    match &h.tfidf {
        Some(t) => {
            let a = &t.analyzer;
            if !(1..=MAX_NGRAM).contains(&a.ngram_min) || !(a.ngram_min..=MAX_NGRAM).contains(&a.ngram_max) {
                return bad(&format!(
                    "n-gram range {},{}; a model has 1 <= min <= max <= {MAX_NGRAM}",
                    a.ngram_min, a.ngram_max
                ));
            }
            if t.max_features.is_some_and(|m| !(1..=MAX_FEATURES).contains(&m)) {
                return bad(&format!("max_features outside 1..={MAX_FEATURES}"));
            }
            if !(1..=MAX_FEATURES).contains(&h.n_features) || t.max_features.is_some_and(|m| h.n_features > m) {
                return bad(&format!("{} features", h.n_features));
            }
        }
        None if h.n_features != 0 => return bad("vocabulary without TF-IDF settings"),
        None => {}
    }
    if let Some(e) = &h.encoder
        && !(1..=MAX_ENCODER_DIMS).contains(&e.dims)
    {
        return bad(&format!("encoder of {} dims; an encoder has 1 to {MAX_ENCODER_DIMS}", e.dims));
    }
    let consistent = match h.features {
        None => h.tfidf.is_some() && h.encoder.is_none() && h.classifier.is_none() && h.heads.is_none(),
        Some(f) => {
            f.uses_tfidf() == h.tfidf.is_some() && f.uses_encoder() == h.encoder.is_some() && h.classifier.is_some()
        }
    };
    if !consistent {
        return bad("features and inputs disagree");
    }
    Ok(())
}

/// The widest encoder a model may use.
pub const MAX_ENCODER_DIMS: usize = 4096;

/// The ranges `train` accepts (and the loader enforces).
pub const MAX_LABELS: usize = 10_000;
pub const MAX_NGRAM: usize = 10;
pub const MAX_FEATURES: usize = 10_000_000;
pub const MAX_TREES: usize = 10_000;

/// Reads a model file's bytes: the frame (magic number, version, length, checksum), the header,
/// the vocabulary and idf weights, then the trees, each checked before it is trusted.
pub fn from_bytes(b: &[u8]) -> std::result::Result<Model, String> {
    let (version, payload) = frame(b)?;
    let mut c = Cursor { b: payload, at: 0 };
    let hlen = c.u32()? as usize;
    let header: Header =
        serde_json::from_slice(c.take(hlen)?).map_err(|e| format!("corrupt model file (header: {e})"))?;
    check_header(&header)?;
    if version != header.version() {
        return Err("corrupt model file (the header does not match the format version)".to_string());
    }
    let k = header.labels.len();
    // An outcome model's categorical values are forest columns after the vocabulary.
    let extra = header.outcomes.as_ref().and_then(|o| o.feature.as_ref()).map_or(0, |f| f.values.len());
    let dims = header.encoder.as_ref().map_or(0, |e| e.dims);
    let forest_features = header.n_features + dims + extra;
    let mut terms: Vec<&str> = Vec::with_capacity(header.n_features.min(1 << 24));
    for _ in 0..header.n_features {
        let n = c.u32()? as usize;
        if n > MAX_TERM_BYTES {
            return Err("corrupt model file (a vocabulary term is too long)".to_string());
        }
        let s =
            std::str::from_utf8(c.take(n)?).map_err(|_| "corrupt model file (vocabulary is not UTF-8)".to_string())?;
        terms.push(s);
    }
    let vocabulary = Vocab::from_terms(terms);
    let mut idf = Vec::with_capacity(header.n_features);
    for _ in 0..header.n_features {
        let v = c.f64()?;
        if !(v.is_finite() && v >= 0.0) {
            return Err("corrupt model file (an idf weight is not a non-negative number)".to_string());
        }
        idf.push(v);
    }
    let classifier = match header.heads {
        None => {
            let mut trees = Vec::with_capacity(header.n_trees.min(1 << 16));
            for t in 0..header.n_trees {
                trees.push(read_tree(&mut c, t, k, forest_features)?);
            }
            Classifier::Forest(Forest::new(forest_features, k, trees))
        }
        Some(n) => {
            let classes = if header.outcomes.is_some() { 2 } else { k };
            let mut heads = Vec::with_capacity(n);
            for i in 0..n {
                let (h, used) = Linear::read_from(&payload[c.at..]).map_err(|e| format!("corrupt model file ({e})"))?;
                c.at += used;
                if h.n_features() != forest_features || h.n_classes() != classes {
                    return Err(format!("corrupt model file (logistic head {i} has the wrong shape)"));
                }
                heads.push(h);
            }
            Classifier::Linear(heads)
        }
    };
    if c.at != payload.len() {
        return Err("corrupt model file (unexpected bytes after the classifier)".to_string());
    }
    let encoder = header.encoder.map(EncoderInput::open).transpose()?;
    let inputs = Inputs {
        kind: header.features.unwrap_or(features::Kind::Tfidf),
        tfidf: header.tfidf.map(|t| Tfidf::from_parts(t, vocabulary, idf)),
        encoder,
    };
    Ok(Model {
        labels: header.labels,
        inputs,
        classifier,
        threshold: header.threshold,
        meta: header.meta,
        kind: header.outcomes.map_or(Kind::Labels, Kind::Outcomes),
        calibration: header.calibration,
        fast: Default::default(),
    })
}

/// The format version and the payload of a model file, once its magic number, version, length
/// and checksum are right.
fn frame(b: &[u8]) -> std::result::Result<(u32, &[u8]), String> {
    if b.len() < 8 || &b[..8] != MAGIC {
        return Err("not an llmroute model file (bad magic number)".to_string());
    }
    if b.len() < 20 {
        return Err("corrupt model file (truncated header)".to_string());
    }
    let version = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
    if ![VERSION, VERSION_OUTCOMES, VERSION_CALIBRATED, VERSION_GENERAL].contains(&version) {
        return Err(format!(
            "model file format version {version} is not supported (this llmroute reads versions {VERSION} to \
             {VERSION_GENERAL}); retrain with `llmroute train`"
        ));
    }
    let len = u64::from_le_bytes([b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19]]);
    let len = usize::try_from(len).map_err(|_| "corrupt model file (length)".to_string())?;
    if b.len() < 20 + 4 || b.len() - 24 < len {
        return Err(format!("corrupt model file (truncated: {} of {} bytes)", b.len(), (len as u128) + 24));
    }
    if b.len() != len + 24 {
        return Err("corrupt model file (trailing bytes)".to_string());
    }
    let payload = &b[20..20 + len];
    let stored = u32::from_le_bytes([b[20 + len], b[21 + len], b[22 + len], b[23 + len]]);
    if crc32fast::hash(payload) != stored {
        return Err("corrupt model file (checksum mismatch)".to_string());
    }
    Ok((version, payload))
}

/// Reads tree `t` of a forest over `forest_features` columns and `k` labels: every node points
/// forward to a node, a leaf or a label that exists, and every class share is in [0, 1].
fn read_tree(c: &mut Cursor, t: usize, k: usize, forest_features: usize) -> std::result::Result<Tree, String> {
    let n_nodes = c.u32()? as usize;
    let n_values = c.u32()? as usize;
    if n_nodes == 0 || !n_values.is_multiple_of(k) || n_nodes.checked_mul(12).is_none_or(|x| x > c.b.len()) {
        return Err(format!("corrupt model file (tree {t} sizes)"));
    }
    let n_leaves = n_values / k;
    let mut nodes = Vec::with_capacity(n_nodes);
    // Read in bulk: one bounds check per tree, not three per node.
    let word = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    for (i, b) in c.take(n_nodes * 12)?.chunks_exact(12).enumerate() {
        let n = Node { feature: word(&b[0..4]), threshold: f32::from_bits(word(&b[4..8])), next: word(&b[8..12]) };
        let ok = n.threshold.is_finite()
            && if n.feature == LEAF {
                (n.next as usize) < n_leaves
            } else if n.feature == PURE {
                (n.next as usize) < k
            } else {
                (n.feature as usize) < forest_features && (n.next as usize) > i && (n.next as usize) + 1 < n_nodes
            };
        if !ok {
            return Err(format!("corrupt model file (tree {t} node {i})"));
        }
        nodes.push(n);
    }
    let bytes = c.take(n_values.checked_mul(4).ok_or("corrupt model file (truncated payload)")?)?;
    let values: Vec<f32> = bytes.chunks_exact(4).map(|b| f32::from_bits(word(b))).collect();
    if values.iter().any(|v| !(0.0..=1.0).contains(v)) {
        return Err(format!("corrupt model file (tree {t} class shares outside [0, 1])"));
    }
    Ok(Tree { nodes, values })
}
