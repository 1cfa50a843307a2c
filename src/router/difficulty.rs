//! Difficulty routing: a weighted score in [0, 1] from four signals, mapped to a band's model.
//!
//! score = w_len·min(chars / sat_len, 1) + Σ_d w_d·min(#distinct keywords of d present / sat_d, 1)
//! for d in reasoning, structure, domain, summed in that order (as the article's Python does, so
//! results are bit-identical to it).

use serde::Serialize;

use crate::config::{Band, Config, KeywordDim};
use crate::router::{Decision, Eval, Label, Method, Router, Verdict};
use crate::text::{Analysis, KeywordId, KeywordIndexBuilder};

#[derive(Clone)]
struct Dim {
    cfg: KeywordDim,
    ids: Vec<KeywordId>,
}

#[derive(Clone)]
pub struct DifficultyRouter {
    length_saturation: f64,
    length_weight: f64,
    dims: [Dim; 3],
    bands: Vec<Band>,
    /// The bands' names, shared by their decisions.
    names: Vec<std::sync::Arc<str>>,
}

/// Per-dimension contributions, shown by `route --explain`.
#[derive(Debug, Clone, Serialize)]
pub struct DifficultyBreakdown {
    pub score: f64,
    pub band: String,
    pub dimensions: Vec<DimensionScore>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionScore {
    pub name: &'static str,
    /// Characters for `length`; distinct keywords present for the others.
    pub raw: f64,
    pub saturation: f64,
    /// min(raw / saturation, 1).
    pub score: f64,
    pub weight: f64,
    /// weight · score.
    pub contribution: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matched: Vec<String>,
}

const DIM_NAMES: [&str; 3] = ["reasoning", "structure", "domain"];

impl DifficultyRouter {
    pub fn new(config: &Config, kw: &mut KeywordIndexBuilder) -> DifficultyRouter {
        let d = &config.difficulty;
        let dim = |c: &KeywordDim, kw: &mut KeywordIndexBuilder| Dim {
            ids: c.keywords.iter().map(|k| kw.add(k)).collect(),
            cfg: c.clone(),
        };
        DifficultyRouter {
            length_saturation: d.length_saturation,
            length_weight: d.length_weight,
            dims: [dim(&d.reasoning, kw), dim(&d.structure, kw), dim(&d.domain, kw)],
            bands: d.bands.clone(),
            names: d.bands.iter().map(|b| std::sync::Arc::from(b.name.as_str())).collect(),
        }
    }

    /// The score alone (the article's `assess_difficulty`).
    pub fn score(&self, a: &Analysis) -> f64 {
        let mut total = 0.0 + (a.chars as f64 / self.length_saturation).min(1.0) * self.length_weight;
        for d in &self.dims {
            let count = d.ids.iter().filter(|&&id| a.has(id)).count() as f64;
            total += (count / d.cfg.saturation).min(1.0) * d.cfg.weight;
        }
        total
    }

    pub fn band(&self, score: f64) -> &Band {
        &self.bands[self.band_index(score)]
    }

    fn band_index(&self, score: f64) -> usize {
        self.bands.iter().position(|b| b.below.is_none_or(|below| score < below)).unwrap_or(self.bands.len() - 1)
    }

    pub fn breakdown(&self, a: &Analysis) -> DifficultyBreakdown {
        let len_score = (a.chars as f64 / self.length_saturation).min(1.0);
        let mut dimensions = vec![DimensionScore {
            name: "length",
            raw: a.chars as f64,
            saturation: self.length_saturation,
            score: len_score,
            weight: self.length_weight,
            contribution: len_score * self.length_weight,
            matched: Vec::new(),
        }];
        for (name, d) in DIM_NAMES.iter().zip(&self.dims) {
            let matched: Vec<String> =
                d.ids.iter().zip(&d.cfg.keywords).filter(|(id, _)| a.has(**id)).map(|(_, k)| k.clone()).collect();
            let s = (matched.len() as f64 / d.cfg.saturation).min(1.0);
            dimensions.push(DimensionScore {
                name,
                raw: matched.len() as f64,
                saturation: d.cfg.saturation,
                score: s,
                weight: d.cfg.weight,
                contribution: s * d.cfg.weight,
                matched,
            });
        }
        let score = self.score(a);
        DifficultyBreakdown { score, band: self.band(score).name.clone(), dimensions }
    }
}

impl Router for DifficultyRouter {
    fn stage(&self) -> &'static str {
        "difficulty"
    }

    fn route(&self, eval: &mut Eval) -> Verdict {
        let score = self.score(eval.analysis());
        let i = self.band_index(score);
        let (band, name) = (&self.bands[i], Label::from(&self.names[i]));
        let mut d = Decision::new(band.model, band.params, Method::DIFFICULTY, name.clone());
        d.tier = Some(name);
        d.difficulty = Some(score);
        Verdict::Decide(d)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, EMBEDDED_DEFAULT, Source};
    use crate::router::{Engine, Stage, Verdict};

    /// The article's `assess_difficulty`, transcribed term by term.
    fn article(len: usize, reasoning: usize, structure: usize, domain: usize) -> f64 {
        let scores = [
            (len as f64 / 2000.0).min(1.0) * 0.2,
            (reasoning as f64 / 3.0).min(1.0) * 0.3,
            (structure as f64 / 2.0).min(1.0) * 0.2,
            (domain as f64 / 2.0).min(1.0) * 0.3,
        ];
        scores.iter().fold(0.0, |a, b| a + b)
    }

    fn decide(text: &str) -> (f64, String) {
        let c = Config::from_str(EMBEDDED_DEFAULT, Source::Embedded).unwrap();
        let e = Engine::new(&c, None).unwrap();
        match e.eval(text, None).verdict(Stage::DIFFICULTY).clone() {
            Verdict::Decide(d) => (d.difficulty.unwrap(), c.models[d.model].name.clone()),
            Verdict::Decline(_) => unreachable!("difficulty always decides"),
        }
    }

    #[test]
    fn short_greeting_scores_length_only() {
        let (s, m) = decide("你好");
        assert_eq!(s, article(2, 0, 0, 0));
        assert_eq!(m, "gpt-4o-mini");
    }

    #[test]
    fn reasoning_keywords_count_once_each() {
        // 分析 twice counts once; 比较 once.
        let text = "分析并比较这两个方案,再分析一次";
        let (s, m) = decide(text);
        assert_eq!(s, article(text.chars().count(), 2, 0, 0));
        assert_eq!(m, "claude-3-haiku");
    }

    #[test]
    fn mixed_chinese_and_english_keywords() {
        let text = "为什么这个算法的时间复杂度是 O(n log n)? 请比较并推导, 输出 json 和表格";
        let (s, m) = decide(text);
        // reasoning: 为什么 比较 推导 (3) · structure: JSON 表格 (2) · domain: 算法 (1)
        assert_eq!(s, article(text.chars().count(), 3, 2, 1));
        assert_eq!(m, "claude-3-sonnet");
    }

    #[test]
    fn long_prompt_saturates_length() {
        let text = format!("{}如果假设因果成立,请用数学公式推导,并给出法律和金融上的分析", "长".repeat(2500));
        let (s, m) = decide(&text);
        // reasoning: 如果 假设 因果 推导 分析 (5, saturates at 3) · domain: 数学 公式 法律 金融 (4, saturates at 2)
        assert_eq!(s, article(text.chars().count(), 5, 0, 4));
        assert_eq!(s, 0.2 + 0.3 + 0.0 + 0.3);
        assert_eq!(m, "gpt-4o");
    }

    #[test]
    fn band_edges_are_exclusive_upper_bounds() {
        let c = Config::from_str(EMBEDDED_DEFAULT, Source::Embedded).unwrap();
        let e = Engine::new(&c, None).unwrap();
        let name = |s: f64| c.models[e.difficulty.band(s).model].name.clone();
        assert_eq!(name(0.0), "gpt-4o-mini");
        assert_eq!(name(0.2), "claude-3-haiku");
        assert_eq!(name(0.5), "claude-3-sonnet");
        assert_eq!(name(0.8), "gpt-4o");
        assert_eq!(name(1.0), "gpt-4o");
    }

    #[test]
    fn english_keywords_score_as_the_chinese_ones_do() {
        // reasoning: why compare (2) · structure: table json (2) · domain: algorithm complexity (2)
        let text = "Why is this algorithm's complexity O(n log n)? Compare the options and answer as a table in JSON.";
        let (s, m) = decide(text);
        assert_eq!(s, article(text.chars().count(), 2, 2, 2));
        assert_eq!(m, "claude-3-sonnet");
        // Whole words only: "this" has no "hi", "iffy" no "if", "lawn" no "law".
        let text = "this lawn looks iffy";
        assert_eq!(decide(text).0, article(text.chars().count(), 0, 0, 0));
    }
}
