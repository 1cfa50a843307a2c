//! The evaluation of one request: everything a router reads, each computed at most once.
//!
//! The keyword analysis, the ML prediction and every stage's verdict are computed on first use
//! and kept, so a strategy, the chain, the canary and replay's curves that ask for the same thing
//! share one computation. The owned part ([`Memo`]) can move between threads: `batch` evaluates
//! rows on workers and resolves quotas on its writer, resuming the same evaluation.

use crate::ml::model::Prediction;
use crate::router::{Engine, Stage, Verdict};
use crate::text::Analysis;

/// What an evaluation has computed so far (no borrowed data: it can move between threads).
#[derive(Debug, Default)]
pub struct Memo {
    verdicts: [Option<Verdict>; Stage::COUNT],
    /// `Some(None)`: predicted, no trained model.
    prediction: Option<Option<Prediction>>,
}

/// One request under evaluation.
pub struct Eval<'e, 't> {
    engine: &'e Engine,
    pub text: &'t str,
    pub tag: Option<&'t str>,
    analysis: Option<Analysis<'t>>,
    memo: Memo,
}

impl<'e, 't> Eval<'e, 't> {
    pub fn new(engine: &'e Engine, text: &'t str, tag: Option<&'t str>) -> Eval<'e, 't> {
        Eval::resume(engine, text, tag, Memo::default())
    }

    /// Continues an evaluation whose [`Memo`] was kept (the analysis is redone on demand).
    pub fn resume(engine: &'e Engine, text: &'t str, tag: Option<&'t str>, memo: Memo) -> Eval<'e, 't> {
        Eval { engine, text, tag, analysis: None, memo }
    }

    /// What has been computed, to resume later.
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
        let (engine, text) = (self.engine, self.text);
        self.memo.prediction.get_or_insert_with(|| engine.ml.as_ref().map(|m| m.predict(text))).as_ref()
    }

    /// The verdict of `stage`, computed on first use.
    pub fn verdict(&mut self, stage: Stage) -> &Verdict {
        let i = stage.index();
        let v = match self.memo.verdicts[i].take() {
            Some(v) => v,
            None => {
                let engine = self.engine;
                engine.router(stage).route(self)
            }
        };
        self.memo.verdicts[i].insert(v)
    }

    /// The verdict of `stage` if it has been computed.
    pub fn computed(&self, stage: Stage) -> Option<&Verdict> {
        self.memo.verdicts[stage.index()].as_ref()
    }
}
