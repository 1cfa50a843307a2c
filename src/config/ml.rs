//! `[ml]`: the ML router's settings as written, validated into [`MlConfig`] (labels and fallback
//! models resolved, the model file resolved against the configuration file's directory).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::check::{Checker, ModelRef, Names, key};
use super::{Config, ModelId};
use crate::error::Result;

/// What the ML stage does with a low-confidence prediction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowConfidence {
    /// Route to the low-confidence (premium) model, as the design article does.
    #[default]
    Premium,
    /// Decline, so the next stage of the chain decides.
    Decline,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMl {
    /// Trained model file (relative paths are relative to the configuration file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default)]
    pub on_low_confidence: LowConfidence,
    /// Overrides the threshold stored in the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f64>,
    /// Model for low-confidence predictions (default: the model of label `premium`, else the
    /// last model of the fallback order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_confidence_model: Option<ModelRef>,
    /// Model for `--strategy ml` while no model is trained (default: the model of label
    /// `balanced`, else the default route's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub untrained_model: Option<ModelRef>,
    /// Class label -> catalog model. A label that is itself a catalog model name needs no entry.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, ModelRef>,
    /// An outcome model's cost–quality knob (overrides the λ stored in the model): the router
    /// picks the model maximising expected quality − λ × expected cost in USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct MlConfig {
    /// Trained model file, resolved against the configuration file's directory.
    pub model: Option<PathBuf>,
    pub on_low_confidence: LowConfidence,
    pub min_confidence: Option<f64>,
    pub low_confidence_model: ModelId,
    pub untrained_model: ModelId,
    pub labels: BTreeMap<String, ModelId>,
    /// Overrides an outcome model's λ.
    pub lambda: Option<f64>,
}

impl MlConfig {
    /// The catalog model of a class label: `[ml.labels]`, else the catalog model a data model of
    /// that name stands for ([`Config::model_for_data_name`]).
    pub fn model_for_label(&self, config: &Config, label: &str) -> Option<ModelId> {
        self.labels.get(label).copied().or_else(|| config.model_for_data_name(label))
    }

    /// Adds `label -> catalog model` pairs (`--map`; a flag wins over `[ml.labels]`).
    pub fn add_labels(&mut self, map: &[(String, ModelId)]) {
        for (label, id) in map {
            self.labels.insert(label.clone(), *id);
        }
    }
}

/// The models `[ml]` falls back to when it names none.
pub(super) struct MlDefaults<'a> {
    /// The chain's fallback order (its last model is the premium default).
    pub fallback: &'a [ModelId],
    /// The default route's model (the untrained default).
    pub default_model: ModelId,
    /// The configuration file's directory (relative model paths are resolved against it).
    pub base_dir: Option<&'a Path>,
}

impl RawMl {
    pub(super) fn validate(&self, c: &Checker, names: &Names, d: &MlDefaults) -> Result<MlConfig> {
        let m = self;
        if let Some(t) = m.min_confidence {
            c.share(t, "ml.min_confidence")?;
        }
        if let Some(l) = m.lambda
            && !(0.0..=crate::ml::outcome::MAX_LAMBDA).contains(&l)
        {
            return Err(c.err("ml.lambda", format!("{l} is outside 0..={:e}", crate::ml::outcome::MAX_LAMBDA)));
        }
        let mut labels = BTreeMap::new();
        for (label, r) in &m.labels {
            labels.insert(label.clone(), c.model_ref(names, r, &format!("ml.labels.{}", key(label)))?);
        }
        let low_confidence_model = match &m.low_confidence_model {
            Some(r) => c.model_ref(names, r, "ml.low_confidence_model")?,
            None => labels.get("premium").copied().or_else(|| d.fallback.last().copied()).unwrap_or(0),
        };
        let untrained_model = match &m.untrained_model {
            Some(r) => c.model_ref(names, r, "ml.untrained_model")?,
            None => labels.get("balanced").copied().unwrap_or(d.default_model),
        };
        Ok(MlConfig {
            model: m.model.as_ref().map(|p| match d.base_dir {
                // `builtin:<name>` is a model in the binary, not a file.
                Some(dir) if Path::new(p).is_relative() && !p.starts_with(crate::ml::builtin::PREFIX) => dir.join(p),
                _ => PathBuf::from(p),
            }),
            on_low_confidence: m.on_low_confidence,
            min_confidence: m.min_confidence,
            low_confidence_model,
            untrained_model,
            labels,
            lambda: m.lambda,
        })
    }
}
