//! `simulate --decisions FILE`: one line per row and strategy, so any figure of the table can be
//! audited. CSV, or JSON Lines when FILE ends in `.jsonl`; written atomically.

use std::io::{BufWriter, Write};
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::fsutil::AtomicFile;
use crate::output;
use crate::replay::{DecisionLine, DecisionSink};

pub const CSV_HEADER: &str =
    "id,strategy,arm,model,data_model,method,reason,input_tokens,output_tokens,cost_usd,cost_source,quality\n";

pub struct DecisionFile {
    out: BufWriter<std::fs::File>,
    file: AtomicFile,
    jsonl: bool,
    line: Vec<u8>,
    shown: String,
}

#[derive(Serialize)]
struct Json<'a> {
    id: &'a str,
    strategy: &'a str,
    arm: Option<&'a str>,
    model: Option<&'a str>,
    data_model: Option<&'a str>,
    method: &'a str,
    reason: &'a str,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cost_usd: f64,
    cost_source: &'a str,
    quality: Option<f64>,
}

impl DecisionFile {
    pub fn create(path: &Path, overwrite: bool) -> Result<DecisionFile> {
        let mut file = AtomicFile::create(path, overwrite)?;
        let shown = path.display().to_string();
        let handle = file.file()?.try_clone().map_err(|e| Error::usage(format!("{shown}: cannot write: {e}")))?;
        let jsonl = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("jsonl"));
        let mut out = BufWriter::with_capacity(1 << 16, handle);
        if !jsonl {
            out.write_all(CSV_HEADER.as_bytes()).map_err(|e| Error::usage(format!("{shown}: cannot write: {e}")))?;
        }
        Ok(DecisionFile { out, file, jsonl, line: Vec::new(), shown })
    }

    /// Flushes and moves the file into place.
    pub fn commit(mut self) -> Result<()> {
        self.out.flush().map_err(|e| Error::usage(format!("{}: cannot write: {e}", self.shown)))?;
        drop(self.out);
        self.file.commit()
    }
}

impl DecisionSink for DecisionFile {
    fn write(&mut self, l: &DecisionLine) -> Result<()> {
        self.line.clear();
        if self.jsonl {
            let j = Json {
                id: l.id,
                strategy: l.strategy,
                arm: l.arm.map(|a| a.as_str()),
                model: l.model,
                data_model: l.data_model,
                method: l.method,
                reason: l.reason,
                input_tokens: l.cost.input_tokens,
                output_tokens: l.cost.output_tokens,
                cost_usd: output::round(l.cost.usd, 10),
                cost_source: l.cost.source.as_str(),
                quality: l.quality.map(|q| output::round(q, 10)),
            };
            serde_json::to_writer(&mut self.line, &j).map_err(|e| Error::usage(format!("cannot encode JSON: {e}")))?;
        } else {
            let num = |v: Option<u64>| v.map_or(String::new(), |v| v.to_string());
            let fields = [
                l.id.to_string(),
                l.strategy.to_string(),
                l.arm.map_or("", |a| a.as_str()).to_string(),
                l.model.unwrap_or("").to_string(),
                l.data_model.unwrap_or("").to_string(),
                l.method.to_string(),
                l.reason.to_string(),
                num(l.cost.input_tokens),
                num(l.cost.output_tokens),
                format!("{:.10}", l.cost.usd),
                l.cost.source.as_str().to_string(),
                l.quality.map_or(String::new(), |q| format!("{q:.10}")),
            ];
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    self.line.push(b',');
                }
                output::csv_field(&mut self.line, f);
            }
        }
        self.line.push(b'\n');
        self.out.write_all(&self.line).map_err(|e| Error::usage(format!("{}: cannot write: {e}", self.shown)))
    }
}
