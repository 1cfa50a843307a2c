//! Labelled training data: hand labels from a column, or labels derived from outcome columns.

use crate::data::{self, Format, RowError};
use crate::error::{Error, Result};

/// How each row gets its label.
#[derive(Debug, Clone)]
pub enum LabelSource {
    /// A label column.
    Column(String),
    /// RouterBench-style outcomes: for every model `m` a quality column `m` and a cost column
    /// `m|total_cost`; the label is the cheapest model whose quality reaches `min_quality`
    /// (default: the row's best quality).
    Outcomes { min_quality: Option<f64> },
}

/// Texts in one buffer: a single allocation, returned to the system as a whole when dropped
/// (many small strings would stay in the allocator and keep the peak memory up).
#[derive(Debug, Default, Clone)]
pub struct Texts {
    buf: String,
    ends: Vec<usize>,
}

impl Texts {
    pub fn push(&mut self, t: &str) {
        self.buf.push_str(t);
        self.ends.push(self.buf.len());
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The texts at `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> Texts {
        let mut t = Texts::default();
        for &r in rows {
            t.push(self.get(r));
        }
        t
    }
}

/// Labelled rows: texts, and labels as indices into `names` (first-seen order).
#[derive(Debug, Default, Clone)]
pub struct Labelled {
    pub texts: Texts,
    pub labels: Vec<u32>,
    pub names: Vec<String>,
    pub bad_rows: Vec<RowError>,
    /// Each row's value of the segment column (`evaluate --by`); empty when none was asked for.
    pub segments: Vec<String>,
}

impl Labelled {
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    pub fn label(&self, i: usize) -> &str {
        &self.names[self.labels[i] as usize]
    }

    /// Appends another file's rows.
    pub fn extend(&mut self, other: Labelled) {
        for i in 0..other.len() {
            self.push(other.texts.get(i), other.label(i));
        }
        self.segments.extend(other.segments);
        self.bad_rows.extend(other.bad_rows);
    }

    fn push(&mut self, text: &str, label: &str) {
        let id = match self.names.iter().position(|n| n == label) {
            Some(i) => i,
            None => {
                self.names.push(label.to_string());
                self.names.len() - 1
            }
        };
        self.texts.push(text);
        self.labels.push(id as u32);
    }

    /// The rows `rows`, in that order.
    pub fn select(&self, rows: &[usize]) -> Labelled {
        Labelled {
            texts: self.texts.select(rows),
            labels: rows.iter().map(|&r| self.labels[r]).collect(),
            names: self.names.clone(),
            bad_rows: Vec::new(),
            segments: if self.segments.is_empty() {
                Vec::new()
            } else {
                rows.iter().map(|&r| self.segments[r].clone()).collect()
            },
        }
    }
}

/// Reads `path`; rows with a problem stop the read (exit 2) unless `skip_bad`, which passes each
/// to `on_bad` and counts it. With `segment_col`, each row's value of that column is kept
/// (an empty cell reads as `(empty)`).
pub fn read(
    path: &std::path::Path,
    format: Option<Format>,
    text_col: &str,
    source: &LabelSource,
    segment_col: Option<&str>,
    skip_bad: bool,
    on_bad: &mut dyn FnMut(&RowError),
) -> Result<Labelled> {
    let mut r = data::open(path, format)?;
    let text = r.column(text_col)?;
    let segment = segment_col.map(|c| r.column(c)).transpose()?;
    let label_col = match source {
        LabelSource::Column(c) => Some(r.column(c)?),
        LabelSource::Outcomes { .. } => None,
    };
    let outcomes = match source {
        LabelSource::Outcomes { .. } => {
            let models = outcome_models(r.headers());
            if models.len() < 2 {
                return Err(Error::Usage(format!(
                    "{}: --label-from-outcomes needs quality columns `<model>` with cost columns `<model>|total_cost` \
                     for two or more models (RouterBench format); found {}",
                    r.name,
                    models.len()
                )));
            }
            models
                .iter()
                .map(|m| Ok((m.clone(), r.column(m)?, r.column(&format!("{m}|total_cost"))?)))
                .collect::<Result<Vec<_>>>()?
        }
        LabelSource::Column(_) => Vec::new(),
    };
    let mut out = Labelled::default();
    loop {
        let row = (|| -> std::result::Result<Option<(String, String, Option<String>)>, RowError> {
            if !r.advance()? {
                return Ok(None);
            }
            let t = r.text(&text)?.ok_or_else(|| r.row_error(format!("column `{text_col}` is empty")))?;
            let t = data::pylit::prompt_text(&t).into_owned();
            if t.trim().is_empty() {
                return Err(r.row_error(format!("column `{text_col}` is empty")));
            }
            if let Some(m) = crate::text::too_long(&t) {
                return Err(r.row_error(format!("column `{text_col}`: {m}")));
            }
            let label = if let Some(c) = &label_col {
                let l = r.text(c)?.ok_or_else(|| r.row_error(format!("column `{}` is empty", c.name)))?;
                if l.trim().is_empty() {
                    return Err(r.row_error(format!("column `{}` is empty", c.name)));
                }
                l.trim().to_string()
            } else {
                let min_quality = match source {
                    LabelSource::Outcomes { min_quality } => *min_quality,
                    LabelSource::Column(_) => None,
                };
                let mut rows = Vec::with_capacity(outcomes.len());
                for (m, q, c) in &outcomes {
                    rows.push((m, r.number(q)?.unwrap_or(0.0), r.number(c)?));
                }
                let best = rows.iter().map(|x| x.1).fold(f64::MIN, f64::max);
                let bar = min_quality.unwrap_or(best);
                rows.iter()
                    .filter(|(_, q, c)| *q >= bar && c.is_some())
                    .min_by(|a, b| a.2.unwrap_or(f64::MAX).total_cmp(&b.2.unwrap_or(f64::MAX)))
                    .map(|(m, _, _)| m.to_string())
                    .ok_or_else(|| r.row_error("no model reaches the quality bar and has a cost"))?
            };
            let seg = match &segment {
                Some(c) => Some(r.text(c)?.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())),
                None => None,
            };
            Ok(Some((t, label, seg.map(|v| v.unwrap_or_else(|| "(empty)".to_string())))))
        })();
        match row {
            Ok(Some((t, l, seg))) => {
                out.push(&t, &l);
                out.segments.extend(seg);
            }
            Ok(None) => break,
            Err(e) if skip_bad => {
                on_bad(&e);
                out.bad_rows.push(e);
            }
            Err(e) => return Err(Error::Usage(format!("{e} (use --skip-bad to skip bad rows)"))),
        }
    }
    if out.texts.is_empty() {
        return Err(Error::Usage(format!("{}: no usable rows", r.name)));
    }
    Ok(out)
}

/// Models with both a quality column and a `|total_cost` column, in header order.
pub fn outcome_models(headers: &[String]) -> Vec<String> {
    headers
        .iter()
        .filter(|h| !h.contains('|') && headers.iter().any(|x| *x == format!("{h}|total_cost")))
        .cloned()
        .collect()
}
