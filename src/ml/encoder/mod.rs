//! Sentence encoders: text → a dense vector the routers' classifiers read. Two kinds, behind one
//! trait so the model file, `train` and every routing command treat them alike:
//! - `builtin:multilingual`, the static table shipped in the binary ([`multilingual`]);
//! - a directory in Model2Vec's format (`model.safetensors` + `tokenizer.json`), a user's own.

pub mod model2vec;
pub mod multilingual;
pub mod spm;
pub mod trie;

use std::path::Path;
use std::sync::Arc;

/// The name of the built-in encoder wherever an encoder is accepted (`--encoder`).
pub const BUILTIN: &str = "builtin:multilingual";

/// A text encoder.
pub trait Embed: Send + Sync {
    /// The vector's length.
    fn dims(&self) -> usize;
    /// Writes `text`'s vector into `out` (`dims()` long); returns the number of tokens it read.
    fn embed(&self, text: &str, out: &mut [f32]) -> usize;
    /// One line for `--explain`, `models` and the model file's report.
    fn describe(&self) -> String;
    /// A digest of everything that decides the vectors: a model trained on one encoder refuses
    /// another of the same name.
    fn fingerprint(&self) -> String;
    /// For an encoder whose vector is the mean of rows of a table (the built-in one): calls
    /// `emit` with the rows `text` averages and returns true. Other encoders return false.
    fn rows(&self, _text: &str, _emit: &mut dyn FnMut(u32)) -> bool {
        false
    }
    /// Row `r` of that table into `out` (`dims()` long); the number of rows.
    fn row(&self, _r: u32, _out: &mut [f32]) {}
    fn n_rows(&self) -> usize {
        0
    }
}

impl Embed for &'static multilingual::Multilingual {
    fn dims(&self) -> usize {
        multilingual::Multilingual::dims(self)
    }
    fn embed(&self, text: &str, out: &mut [f32]) -> usize {
        multilingual::Multilingual::embed(self, text, out)
    }
    fn describe(&self) -> String {
        format!(
            "{BUILTIN}: static table of {} pieces × {} dims, {}",
            multilingual::Multilingual::rows(self),
            multilingual::Multilingual::dims(self),
            self.source()
        )
    }
    fn fingerprint(&self) -> String {
        multilingual::FINGERPRINT.to_string()
    }
    fn rows(&self, text: &str, emit: &mut dyn FnMut(u32)) -> bool {
        multilingual::Multilingual::piece_rows(self, text, emit);
        true
    }
    fn row(&self, r: u32, out: &mut [f32]) {
        out.fill(0.0);
        self.add_row(r, out);
    }
    fn n_rows(&self) -> usize {
        multilingual::Multilingual::rows(self)
    }
}

impl Embed for model2vec::StaticModel {
    fn dims(&self) -> usize {
        self.dim()
    }
    fn embed(&self, text: &str, out: &mut [f32]) -> usize {
        self.embed(text, out)
    }
    fn describe(&self) -> String {
        self.describe()
    }
    fn fingerprint(&self) -> String {
        self.fingerprint()
    }
}

/// The encoder `spec` names: [`BUILTIN`] or a Model2Vec directory.
pub fn load(spec: &str) -> Result<Arc<dyn Embed>, String> {
    if spec == BUILTIN {
        return Ok(Arc::new(multilingual::builtin()?));
    }
    if spec.starts_with("builtin:") {
        return Err(format!("`{spec}` is not a built-in encoder (built-in: `{BUILTIN}`)"));
    }
    Ok(Arc::new(model2vec::StaticModel::load(Path::new(spec)).map_err(|e| e.to_string())?))
}
