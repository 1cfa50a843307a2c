//! The evaluation of one request: everything a router reads, each computed at most once.
//!
//! The keyword analysis, the ML prediction and every stage's verdict are computed on first use
//! and kept, so a strategy, the chain, the canary and replay's curves that ask for the same thing
//! share one computation. The owned part ([`Memo`]) can move between threads: `batch` evaluates
//! rows on workers and resolves quotas on its writer, resuming the same evaluation; `simulate`
//! evaluates rows on workers and lets several strategies read one memo at once
//! ([`Eval::shared`]).

use crate::config::ModelId;
use crate::ml::model::Prediction;
use crate::router::constraints::Exclusion;
use crate::router::{Engine, Label, Stage, Verdict};
use crate::text::Analysis;

/// What an evaluation has computed so far (no borrowed data: it can move between threads).
#[derive(Debug, Default)]
pub struct Memo {
    /// The verdicts computed, in the order they were (a handful at most).
    verdicts: Vec<(Stage, Verdict)>,
    /// `Some(None)`: predicted, no trained model.
    prediction: Option<Option<Prediction>>,
    /// The models the constraint step ruled out (usually none: no allocation).
    excluded: Vec<Exclusion>,
}

impl Memo {
    fn get(&self, stage: Stage) -> Option<&Verdict> {
        self.verdicts.iter().find(|(s, _)| *s == stage).map(|(_, v)| v)
    }
}

/// Stands in for a slot that is always filled just before it is read.
static NOT_EVALUATED: Verdict = Verdict::Decline(Label::Static("not evaluated"));

/// One request under evaluation.
pub struct Eval<'e, 't> {
    engine: &'e Engine,
    pub text: &'t str,
    pub tag: Option<&'t str>,
    analysis: Option<Analysis<'t>>,
    /// A memo computed elsewhere, read first (shared by the strategies of a replay).
    base: Option<&'t Memo>,
    /// A prediction made elsewhere (replay predicts while it loads).
    predicted: Option<&'t Prediction>,
    memo: Memo,
}

impl<'e, 't> Eval<'e, 't> {
    pub fn new(engine: &'e Engine, text: &'t str, tag: Option<&'t str>) -> Eval<'e, 't> {
        Eval::resume(engine, text, tag, Memo::default())
    }

    /// Continues an evaluation whose [`Memo`] was kept (the analysis is redone on demand).
    pub fn resume(engine: &'e Engine, text: &'t str, tag: Option<&'t str>, memo: Memo) -> Eval<'e, 't> {
        Eval { engine, text, tag, analysis: None, base: None, predicted: None, memo }
    }

    /// Reads a memo that other evaluations read too; what it lacks is computed here.
    pub fn shared(engine: &'e Engine, text: &'t str, tag: Option<&'t str>, base: &'t Memo) -> Eval<'e, 't> {
        Eval { engine, text, tag, analysis: None, base: Some(base), predicted: None, memo: Memo::default() }
    }

    /// Uses a prediction of this text made elsewhere (by the engine's own classifier).
    pub fn with_prediction(mut self, p: Option<&'t Prediction>) -> Eval<'e, 't> {
        self.predicted = p;
        self
    }

    /// Rules models out before any router decides (the constraint step's answer).
    pub fn exclude(&mut self, excluded: Vec<Exclusion>) {
        self.memo.excluded = excluded;
    }

    /// Why `model` cannot serve this request, or `None` when it can.
    pub fn excluded(&self, model: ModelId) -> Option<&str> {
        self.exclusions().iter().find(|e| e.model == model).map(|e| e.reason.as_str())
    }

    /// Every model ruled out, in catalog order.
    pub fn exclusions(&self) -> &[Exclusion] {
        match self.base {
            Some(b) if self.memo.excluded.is_empty() => &b.excluded,
            _ => &self.memo.excluded,
        }
    }

    /// What has been computed here, to resume later.
    pub fn into_memo(self) -> Memo {
        self.memo
    }

    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// The keyword analysis of the prompt.
    pub fn analysis(&mut self) -> &Analysis<'t> {
        let (engine, text, tag) = (self.engine, self.text, self.tag);
        self.analysis.get_or_insert_with(|| Analysis::new(&engine.index, text, tag))
    }

    /// The trained classifier's prediction; `None` without a trained model.
    pub fn prediction(&mut self) -> Option<&Prediction> {
        if self.predicted.is_some() {
            return self.predicted;
        }
        if let Some(p) = self.base.and_then(|b| b.prediction.as_ref()) {
            return p.as_ref();
        }
        let (engine, text, tag) = (self.engine, self.text, self.tag);
        self.memo.prediction.get_or_insert_with(|| engine.ml.as_ref().map(|m| m.predict(text, tag))).as_ref()
    }

    /// The verdict of `stage`, computed on first use.
    pub fn verdict(&mut self, stage: Stage) -> &Verdict {
        if let Some(v) = self.base.and_then(|b| b.get(stage)) {
            return v;
        }
        if self.memo.get(stage).is_none() {
            let engine = self.engine;
            let v = engine.router(stage).route(self);
            if self.memo.verdicts.capacity() == 0 {
                // Most requests are decided by their first or second stage.
                self.memo.verdicts.reserve(2);
            }
            self.memo.verdicts.push((stage, v));
        }
        self.memo.get(stage).unwrap_or(&NOT_EVALUATED)
    }

    /// The verdict of `stage` if it has been computed.
    pub fn computed(&self, stage: Stage) -> Option<&Verdict> {
        self.base.and_then(|b| b.get(stage)).or_else(|| self.memo.get(stage))
    }
}
