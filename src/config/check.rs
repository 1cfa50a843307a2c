//! What every section's validation shares: the file being validated (for `FILE:LINE:COL`), the
//! error format with the key path, and the checks of common value kinds (prices, whole numbers,
//! seconds, sampling parameters, model references).

use std::collections::HashMap;
use std::fmt;

use super::ModelId;
use super::limits::{MAX_PRICE, MAX_SECONDS, MAX_TOKENS_PER_CALL};
use super::models::Params;
use crate::error::{Error, Result, did_you_mean};

/// A model name in the file, with its position for error messages.
pub(super) type ModelRef = toml::Spanned<String>;

/// Catalog model names to their ids, for resolving [`ModelRef`]s.
pub(super) type Names<'a> = HashMap<&'a str, ModelId>;

/// The file being validated: every section reports its errors through it.
pub(super) struct Checker<'a> {
    pub text: &'a str,
    pub file: &'a str,
}

impl Checker<'_> {
    pub fn err(&self, path: &str, msg: impl fmt::Display) -> Error {
        Error::Config(format_error(self.file, None, Some(path), &msg.to_string()))
    }

    pub fn err_at(&self, span: std::ops::Range<usize>, path: &str, msg: impl fmt::Display) -> Error {
        let loc = Some(super::line_col(self.text, span.start));
        Error::Config(format_error(self.file, loc, Some(path), &msg.to_string()))
    }

    pub fn model_ref(&self, names: &Names, r: &ModelRef, path: &str) -> Result<ModelId> {
        let name = r.get_ref();
        names.get(name.as_str()).copied().ok_or_else(|| {
            let hint = did_you_mean(name, names.keys().copied()).unwrap_or_default();
            self.err_at(r.span(), path, format!("unknown model `{name}`{hint}"))
        })
    }

    /// A non-empty list of model references (`None` when the key is absent).
    pub fn model_refs(&self, names: &Names, list: &Option<Vec<ModelRef>>, path: &str) -> Result<Option<Vec<ModelId>>> {
        let Some(l) = list else { return Ok(None) };
        let ids = l
            .iter()
            .enumerate()
            .map(|(i, r)| self.model_ref(names, r, &format!("{path}[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        if ids.is_empty() {
            return Err(self.err(path, "needs at least one model"));
        }
        Ok(Some(ids))
    }

    pub fn params(&self, p: &Params, path: &str) -> Result<()> {
        if let Some(t) = p.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return Err(self.err(&format!("{path}.temperature"), format!("{t} is outside 0..=2")));
        }
        if let Some(t) = p.top_p
            && !(t > 0.0 && t <= 1.0)
        {
            return Err(self.err(&format!("{path}.top_p"), format!("{t} is outside (0, 1]")));
        }
        if let Some(t) = p.max_tokens {
            self.int_in(u64::from(t), 1, MAX_TOKENS_PER_CALL, &format!("{path}.max_tokens"))?;
        }
        Ok(())
    }

    /// A price in USD per 1M tokens: finite, from 0 to [`MAX_PRICE`].
    pub fn price(&self, v: f64, path: &str) -> Result<()> {
        if !(0.0..=MAX_PRICE).contains(&v) {
            return Err(self.err(
                path,
                format!("{} is outside 0..={} (USD per 1M tokens)", crate::error::num(v), crate::error::num(MAX_PRICE)),
            ));
        }
        Ok(())
    }

    /// A whole number within `lo..=hi`.
    pub fn int_in(&self, v: u64, lo: u64, hi: u64, path: &str) -> Result<()> {
        if !(lo..=hi).contains(&v) {
            return Err(self.err(path, format!("{v} is outside {lo}..={hi}")));
        }
        Ok(())
    }

    /// A number within `0..=1`.
    pub fn share(&self, v: f64, path: &str) -> Result<()> {
        if !(0.0..=1.0).contains(&v) {
            return Err(self.err(path, format!("{v} is outside 0..=1")));
        }
        Ok(())
    }

    /// A number of seconds within (0, 86400].
    pub fn seconds(&self, v: f64, path: &str) -> Result<()> {
        if !(v.is_finite() && v > 0.0 && v <= MAX_SECONDS) {
            return Err(self.err(path, format!("{} is outside (0, 86400] seconds", crate::error::num(v))));
        }
        Ok(())
    }
}

pub(super) fn format_error(file: &str, loc: Option<(usize, usize)>, path: Option<&str>, msg: &str) -> String {
    let mut s = file.to_string();
    if let Some((l, c)) = loc {
        s.push_str(&format!(":{l}:{c}"));
    }
    if let Some(p) = path {
        s.push_str(&format!(": `{p}`"));
    }
    s.push_str(": ");
    s.push_str(msg);
    s
}

pub(super) fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

/// A TOML key, quoted when it is not a bare key.
pub(super) fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}
