//! `[difficulty]`: the difficulty router's dimensions and score bands as written, validated into
//! [`Difficulty`] (weights in range, thresholds ascending, band models resolved).

use serde::{Deserialize, Serialize};

use super::ModelId;
use super::check::{Checker, ModelRef, Names};
use super::models::Params;
use crate::error::Result;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDifficulty {
    pub length: RawLengthDim,
    pub reasoning: RawKeywordDim,
    pub structure: RawKeywordDim,
    pub domain: RawKeywordDim,
    pub bands: Vec<RawBand>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLengthDim {
    /// Length in characters at which this dimension saturates.
    pub saturation: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawKeywordDim {
    pub keywords: Vec<String>,
    /// Number of distinct keywords at which this dimension saturates.
    pub saturation: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Upper bound (exclusive) of the band; absent on the last band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    pub model: ModelRef,
    #[serde(default, skip_serializing_if = "Params::is_empty")]
    pub params: Params,
}

#[derive(Debug, Clone)]
pub struct KeywordDim {
    pub keywords: Vec<String>,
    pub saturation: f64,
    pub weight: f64,
}

#[derive(Debug, Clone)]
pub struct Band {
    pub name: String,
    pub below: Option<f64>,
    pub model: ModelId,
    pub params: Params,
}

#[derive(Debug, Clone)]
pub struct Difficulty {
    pub length_saturation: f64,
    pub length_weight: f64,
    pub reasoning: KeywordDim,
    pub structure: KeywordDim,
    pub domain: KeywordDim,
    pub bands: Vec<Band>,
}

/// A saturation point: finite, within (0, 1e9].
fn positive(c: &Checker, v: f64, path: &str) -> Result<()> {
    if !v.is_finite() || v <= 0.0 || v > 1e9 {
        return Err(c.err(path, format!("{} is outside (0, 1e9]", crate::error::num(v))));
    }
    Ok(())
}

/// A dimension's weight: within [0, 1e6].
fn weight(c: &Checker, v: f64, path: &str) -> Result<()> {
    if !(0.0..=1e6).contains(&v) {
        return Err(c.err(path, format!("{} is outside [0, 1e6]", crate::error::num(v))));
    }
    Ok(())
}

impl RawKeywordDim {
    fn validate(&self, c: &Checker, name: &str) -> Result<KeywordDim> {
        positive(c, self.saturation, &format!("difficulty.{name}.saturation"))?;
        weight(c, self.weight, &format!("difficulty.{name}.weight"))?;
        if let Some(j) = self.keywords.iter().position(|k| k.trim().is_empty()) {
            return Err(c.err(&format!("difficulty.{name}.keywords[{j}]"), "keywords must not be empty"));
        }
        Ok(KeywordDim { keywords: self.keywords.clone(), saturation: self.saturation, weight: self.weight })
    }
}

impl RawDifficulty {
    pub(super) fn validate(&self, c: &Checker, names: &Names) -> Result<Difficulty> {
        let d = self;
        positive(c, d.length.saturation, "difficulty.length.saturation")?;
        weight(c, d.length.weight, "difficulty.length.weight")?;
        let reasoning = d.reasoning.validate(c, "reasoning")?;
        let structure = d.structure.validate(c, "structure")?;
        let domain = d.domain.validate(c, "domain")?;
        Ok(Difficulty {
            length_saturation: d.length.saturation,
            length_weight: d.length.weight,
            reasoning,
            structure,
            domain,
            bands: self.bands(c, names)?,
        })
    }

    fn bands(&self, c: &Checker, names: &Names) -> Result<Vec<Band>> {
        if self.bands.is_empty() {
            return Err(c.err("difficulty.bands", "needs at least one band"));
        }
        let mut bands = Vec::with_capacity(self.bands.len());
        let mut previous: Option<f64> = None;
        let last = self.bands.len() - 1;
        for (i, b) in self.bands.iter().enumerate() {
            let path = format!("difficulty.bands[{i}]");
            match (b.below, i == last) {
                (Some(_), true) => {
                    return Err(
                        c.err(&format!("{path}.below"), "the last band takes every remaining score; remove `below`")
                    );
                }
                (None, false) => {
                    return Err(c.err(&format!("{path}.below"), "missing; only the last band may leave out `below`"));
                }
                (Some(v), false) => {
                    if !v.is_finite() {
                        return Err(c.err(&format!("{path}.below"), format!("must be a number, got {v}")));
                    }
                    if let Some(p) = previous
                        && v <= p
                    {
                        return Err(c.err(
                            &format!("{path}.below"),
                            format!("thresholds out of order: {v} is not above the previous band's {p}"),
                        ));
                    }
                    previous = Some(v);
                }
                (None, true) => {}
            }
            c.params(&b.params, &format!("{path}.params"))?;
            let model = c.model_ref(names, &b.model, &format!("{path}.model"))?;
            bands.push(Band {
                name: b.name.clone().unwrap_or_else(|| format!("band{i}")),
                below: b.below,
                model,
                params: b.params,
            });
        }
        Ok(bands)
    }
}
