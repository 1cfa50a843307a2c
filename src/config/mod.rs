//! Configuration: lookup, parsing with key paths, and validation into runtime types.
//!
//! Lookup order: `--config PATH` > `LLMROUTE_CONFIG` > `./llmroute.toml` > the embedded default.
//! Every error names the file, the line and column when known, and the key path, e.g.
//! ``llmroute.toml:31:9: `rules[1].model`: unknown model `gpt4o`; did you mean `gpt-4o`?``.
//! Array indices in key paths count from 0.

pub mod raw;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use regex::Regex;

use crate::error::{Error, Result, did_you_mean};
use crate::tokenizer::Counting;
pub use raw::{
    KeywordMatch, LowConfidence, Params, ProviderKind, RawConfig, RawLive, RawProvider, StageName, Strategy,
};
use raw::{ModelRef, RawTier};

/// The default configuration compiled into the binary.
pub const EMBEDDED_DEFAULT: &str = include_str!("default.toml");
/// The design article's routers as written (`config init --article`).
pub const ARTICLE_PROFILE: &str = include_str!("article.toml");

/// The highest price a model may have, in USD per 1M tokens (the dearest listed models cost a
/// few hundred); higher values are unit mistakes.
pub const MAX_PRICE: f64 = 100_000.0;

/// The most tokens one call may ask for or be expected to produce.
pub const MAX_TOKENS_PER_CALL: u64 = 10_000_000;
/// The longest latency a feedback record may carry, in milliseconds (about 11.6 days).
pub const MAX_LATENCY_MS: f64 = 1e9;
/// The largest context window or output limit a catalog model may state (tokens).
pub const MAX_CONTEXT_TOKENS: u64 = 100_000_000;
/// The largest daily quota (requests per day).
pub const MAX_DAILY_QUOTA: u64 = 1_000_000_000_000;

/// Index of a model in [`Config::models`].
pub type ModelId = usize;

/// Where the effective configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag(PathBuf),
    Env(PathBuf),
    WorkingDir(PathBuf),
    Embedded,
}

impl Source {
    /// The name used in messages: the path as given, or `<embedded default>`.
    pub fn file_name(&self) -> String {
        match self {
            Source::Flag(p) | Source::Env(p) | Source::WorkingDir(p) => p.display().to_string(),
            Source::Embedded => "<embedded default>".to_string(),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Source::Flag(p) => write!(f, "{} (--config)", p.display()),
            Source::Env(p) => write!(f, "{} (LLMROUTE_CONFIG)", p.display()),
            Source::WorkingDir(p) => write!(f, "{} (working directory)", p.display()),
            Source::Embedded => f.write_str("embedded default"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    pub name: String,
    /// Position in the tier order (higher = more capable).
    pub tier_rank: i64,
    /// The tier as written: a name, or the rank as text.
    pub tier: String,
    /// USD per 1M input tokens.
    pub input_price: f64,
    /// USD per 1M output tokens.
    pub output_price: f64,
    pub daily_quota: Option<u64>,
    pub params: Params,
    pub provider: Option<String>,
    pub model_id: Option<String>,
    pub expected_output_tokens: u32,
    pub counting: Counting,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u64>,
    /// `None`: not stated (not checked).
    pub capabilities: Option<Vec<raw::Capability>>,
    /// USD per 1M cached input tokens (the input price when not stated).
    pub cached_input_price: f64,
    pub deprecation_date: Option<jiff::civil::Date>,
}

impl Model {
    /// The model's list prices.
    pub fn price(&self) -> crate::cost::Price {
        crate::cost::Price {
            input: self.input_price,
            output: self.output_price,
            expected_output: self.expected_output_tokens,
            cached_input: self.cached_input_price,
        }
    }

    /// Cost in USD of a call with these token counts.
    pub fn cost(&self, input_tokens: u64, output_tokens: u64) -> f64 {
        self.price().usd(input_tokens, output_tokens)
    }

    /// Cost in USD of a call of which `cached` input tokens were read from the provider's prompt
    /// cache (billed at `cached_input_price`).
    pub fn cost_cached(&self, input_tokens: u64, cached: u64, output_tokens: u64) -> f64 {
        self.price().usd_cached(input_tokens, cached, output_tokens)
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub name: String,
    pub keywords: Vec<String>,
    pub keyword_match: KeywordMatch,
    pub regex: Option<Regex>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub tags: Vec<String>,
    pub model: ModelId,
    pub params: Params,
}

#[derive(Debug, Clone)]
pub struct Route {
    pub model: ModelId,
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

#[derive(Debug, Clone)]
pub struct ChainConfig {
    pub stages: Vec<StageName>,
    /// Fallback order, cheapest first.
    pub fallback: Vec<ModelId>,
}

#[derive(Debug, Clone)]
pub struct MlConfig {
    /// Trained model file, resolved against the configuration file's directory.
    pub model: Option<PathBuf>,
    pub on_low_confidence: LowConfidence,
    pub min_confidence: Option<f64>,
    pub low_confidence_model: ModelId,
    pub untrained_model: ModelId,
    pub labels: std::collections::BTreeMap<String, ModelId>,
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

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub source: Source,
    pub raw: RawConfig,
    pub tiers: Vec<String>,
    pub models: Vec<Model>,
    pub rules: Vec<Rule>,
    pub default_route: Route,
    pub difficulty: Difficulty,
    pub chain: ChainConfig,
    pub timezone: TimeZone,
    pub timezone_name: String,
    pub output_tokens: u32,
    pub ml: MlConfig,
    pub adaptive: raw::RawAdaptive,
    pub canary: Option<raw::RawCanary>,
    pub providers: std::collections::BTreeMap<String, RawProvider>,
    pub live: RawLive,
    pub serve: raw::RawServe,
    pub state: raw::RawState,
    pub cascade: CascadeConfig,
    /// Consensus voters.
    pub consensus: Vec<ModelId>,
}

#[derive(Debug, Clone)]
pub struct CascadeConfig {
    pub models: Vec<ModelId>,
    pub max_attempts: usize,
    pub accept: f64,
    pub judge: Option<ModelId>,
}

impl Config {
    /// Finds and loads the effective configuration.
    pub fn load(flag: Option<&Path>) -> Result<Config> {
        let source = locate(flag);
        match &source {
            Source::Embedded => Config::from_str(EMBEDDED_DEFAULT, Source::Embedded),
            Source::Flag(p) | Source::Env(p) | Source::WorkingDir(p) => {
                let text = read_text(p)?;
                Config::from_str(&text, source.clone())
            }
        }
    }

    /// Parses and validates `text`.
    pub fn from_str(text: &str, source: Source) -> Result<Config> {
        let file = source.file_name();
        let raw = parse(text, &file)?;
        Validator { text, file: &file }.validate(raw, source.clone())
    }

    /// The text this configuration was read from (the embedded default's text for the embedded
    /// one): where commands that edit the configuration keeping its comments start.
    pub fn source_text(&self) -> Result<String> {
        match &self.source {
            Source::Embedded => Ok(EMBEDDED_DEFAULT.to_string()),
            Source::Flag(p) | Source::Env(p) | Source::WorkingDir(p) => read_text(p),
        }
    }

    pub fn model_id(&self, name: &str) -> Option<ModelId> {
        self.models.iter().position(|m| m.name == name)
    }

    /// The catalog model a model of a log (or an outcome model's label) stands for without an
    /// explicit mapping: the one of that name, else the one whose provider `model_id` it is.
    pub fn model_for_data_name(&self, name: &str) -> Option<ModelId> {
        self.model_id(name).or_else(|| self.models.iter().position(|m| m.model_id.as_deref() == Some(name)))
    }

    /// Looks a model up by name, with a "did you mean" on failure.
    pub fn require_model(&self, name: &str) -> Result<ModelId> {
        self.model_id(name).ok_or_else(|| {
            let hint = did_you_mean(name, self.models.iter().map(|m| m.name.as_str())).unwrap_or_else(|| {
                format!(" (known: {})", self.models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", "))
            });
            Error::usage(format!("unknown model `{name}`{hint}"))
        })
    }

    /// Model ids ordered cheapest first: by tier, then by price, then by name.
    pub fn models_by_cost(&self) -> Vec<ModelId> {
        by_cost(&self.models)
    }
}

/// Applies the lookup order.
pub fn locate(flag: Option<&Path>) -> Source {
    if let Some(p) = flag {
        return Source::Flag(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("LLMROUTE_CONFIG").filter(|v| !v.is_empty()) {
        return Source::Env(PathBuf::from(p));
    }
    let cwd = PathBuf::from("llmroute.toml");
    if cwd.is_file() {
        return Source::WorkingDir(cwd);
    }
    Source::Embedded
}

/// The largest configuration file read.
const MAX_CONFIG_BYTES: u64 = 16 << 20;

fn read_text(path: &Path) -> Result<String> {
    let bytes = crate::fsutil::read_bounded(path, MAX_CONFIG_BYTES, "configuration")
        .map_err(|e| Error::Config(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::Config(format!("{}:{line}: not valid UTF-8 (byte offset {at})", path.display()))
    })
}

/// 1-based line and column (in characters) of byte offset `at`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..text.floor_char_boundary(at)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn parse(text: &str, file: &str) -> Result<RawConfig> {
    let de = toml::Deserializer::parse(text).map_err(|e| {
        let loc = e.span().map(|s| line_col(text, s.start));
        Error::Config(format_error(file, loc, None, &format!("invalid TOML: {}", first_line(e.message()))))
    })?;
    serde_path_to_error::deserialize::<_, RawConfig>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let loc = inner.span().map(|s| line_col(text, s.start));
        let (path, msg) = explain_serde(&path, inner.message());
        Error::Config(format_error(file, loc, path.as_deref(), &msg))
    })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}

/// Rewrites serde's messages into llmroute's vocabulary ("key" rather than "field").
fn explain_serde(path: &str, message: &str) -> (Option<String>, String) {
    let base = if path == "." || path.is_empty() { None } else { Some(path.to_string()) };
    let join = |key: &str| match &base {
        Some(b) => format!("{b}.{key}"),
        None => key.to_string(),
    };
    let message = first_line(message);
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once('`')
    {
        let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = did_you_mean(key, options.iter().copied()).unwrap_or_else(|| {
            format!("; expected one of {}", options.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", "))
        });
        let path = match &base {
            Some(b) if b == key || b.ends_with(&format!(".{key}")) => b.clone(),
            _ => join(key),
        };
        return (Some(path), format!("unknown key{hint}"));
    }
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some((key, _)) = rest.split_once('`')
    {
        return (Some(join(key)), "missing required key".to_string());
    }
    if let Some(rest) = message.strip_prefix("unknown variant `")
        && let Some((value, expected)) = rest.split_once('`')
    {
        let options: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = did_you_mean(value, options.iter().copied()).unwrap_or_else(|| {
            format!("; expected one of {}", options.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", "))
        });
        return (base, format!("unknown value `{value}`{hint}"));
    }
    (base, message.to_string())
}

fn format_error(file: &str, loc: Option<(usize, usize)>, path: Option<&str>, msg: &str) -> String {
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

struct Validator<'a> {
    text: &'a str,
    file: &'a str,
}

impl Validator<'_> {
    fn err(&self, path: &str, msg: impl fmt::Display) -> Error {
        Error::Config(format_error(self.file, None, Some(path), &msg.to_string()))
    }

    fn err_at(&self, span: std::ops::Range<usize>, path: &str, msg: impl fmt::Display) -> Error {
        let loc = Some(line_col(self.text, span.start));
        Error::Config(format_error(self.file, loc, Some(path), &msg.to_string()))
    }

    fn model_ref(&self, names: &HashMap<&str, ModelId>, r: &ModelRef, path: &str) -> Result<ModelId> {
        let name = r.get_ref();
        names.get(name.as_str()).copied().ok_or_else(|| {
            let hint = did_you_mean(name, names.keys().copied()).unwrap_or_default();
            self.err_at(r.span(), path, format!("unknown model `{name}`{hint}"))
        })
    }

    fn params(&self, p: &Params, path: &str) -> Result<()> {
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
    fn price(&self, v: f64, path: &str) -> Result<()> {
        if !(0.0..=MAX_PRICE).contains(&v) {
            return Err(self.err(
                path,
                format!("{} is outside 0..={} (USD per 1M tokens)", crate::error::num(v), crate::error::num(MAX_PRICE)),
            ));
        }
        Ok(())
    }

    /// A whole number within `lo..=hi`.
    fn int_in(&self, v: u64, lo: u64, hi: u64, path: &str) -> Result<()> {
        if !(lo..=hi).contains(&v) {
            return Err(self.err(path, format!("{v} is outside {lo}..={hi}")));
        }
        Ok(())
    }

    /// A number of seconds within (0, 86400].
    fn seconds(&self, v: f64, path: &str) -> Result<()> {
        if !(v.is_finite() && v > 0.0 && v <= crate::cli::MAX_SECONDS) {
            return Err(self.err(path, format!("{} is outside (0, 86400] seconds", crate::error::num(v))));
        }
        Ok(())
    }

    fn validate(&self, raw: RawConfig, source: Source) -> Result<Config> {
        // Tiers.
        if raw.tiers.is_empty() {
            return Err(self.err("tiers", "needs at least one tier name"));
        }
        let mut seen = HashSet::new();
        for (i, t) in raw.tiers.iter().enumerate() {
            if !seen.insert(t.as_str()) {
                return Err(self.err(&format!("tiers[{i}]"), format!("duplicate tier `{t}`")));
            }
        }

        // Models.
        if raw.models.is_empty() {
            return Err(self.err("models", "the catalog needs at least one model"));
        }
        let mut models = Vec::with_capacity(raw.models.len());
        for (name, m) in &raw.models {
            let path = format!("models.{}", key(name));
            let (tier_rank, tier) = match &m.tier {
                RawTier::Name(t) => match raw.tiers.iter().position(|x| x == t) {
                    Some(i) => (i as i64, t.clone()),
                    None => {
                        let hint = did_you_mean(t, raw.tiers.iter().map(String::as_str)).unwrap_or_else(|| {
                            format!(
                                "; tiers are {}",
                                raw.tiers.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                            )
                        });
                        return Err(self.err(&format!("{path}.tier"), format!("unknown tier `{t}`{hint}")));
                    }
                },
                RawTier::Rank(r) => (*r, r.to_string()),
            };
            self.price(m.input_price, &format!("{path}.input_price"))?;
            self.price(m.output_price, &format!("{path}.output_price"))?;
            self.params(&m.params, &format!("{path}.params"))?;
            if let Some(q) = m.daily_quota {
                self.int_in(q, 0, MAX_DAILY_QUOTA, &format!("{path}.daily_quota"))?;
            }
            if let Some(t) = m.expected_output_tokens {
                self.int_in(u64::from(t), 1, MAX_TOKENS_PER_CALL, &format!("{path}.expected_output_tokens"))?;
            }
            for (v, key) in [(m.context_window, "context_window"), (m.max_output_tokens, "max_output_tokens")] {
                if let Some(v) = v {
                    self.int_in(v, 1, MAX_CONTEXT_TOKENS, &format!("{path}.{key}"))?;
                }
            }
            if let (Some(want), Some(limit)) = (m.params.max_tokens, m.max_output_tokens)
                && u64::from(want) > limit
            {
                return Err(self.err(
                    &format!("{path}.params.max_tokens"),
                    format!("{want} is over the model's output limit ({limit}, `max_output_tokens`)"),
                ));
            }
            if let Some(p) = m.cached_input_price {
                self.price(p, &format!("{path}.cached_input_price"))?;
            }
            let deprecation_date = match &m.deprecation_date {
                None => None,
                Some(d) => Some(d.parse::<jiff::civil::Date>().map_err(|_| {
                    self.err(&format!("{path}.deprecation_date"), format!("`{d}` is not a date (YYYY-MM-DD)"))
                })?),
            };
            let id = m.model_id.as_deref().unwrap_or(name);
            let openai = ["gpt-", "o1", "o3", "o4", "chatgpt-"].iter().any(|p| id.starts_with(p));
            models.push(Model {
                name: name.clone(),
                tier_rank,
                tier,
                input_price: m.input_price,
                output_price: m.output_price,
                daily_quota: m.daily_quota,
                params: m.params,
                provider: m.provider.clone(),
                model_id: m.model_id.clone(),
                expected_output_tokens: m.expected_output_tokens.unwrap_or(raw.estimate.output_tokens),
                counting: if openai { Counting::Exact } else { Counting::Approximate },
                context_window: m.context_window,
                max_output_tokens: m.max_output_tokens,
                capabilities: m.capabilities.clone().map(|mut c| {
                    c.sort();
                    c.dedup();
                    c
                }),
                cached_input_price: m.cached_input_price.unwrap_or(m.input_price),
                deprecation_date,
            });
        }
        let names: HashMap<&str, ModelId> = models.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();

        // Rules.
        let mut rules = Vec::with_capacity(raw.rules.len());
        let mut rule_names = HashSet::new();
        for (i, r) in raw.rules.iter().enumerate() {
            let path = format!("rules[{i}]");
            if r.name.trim().is_empty() {
                return Err(self.err(&format!("{path}.name"), "must not be empty"));
            }
            if !rule_names.insert(r.name.as_str()) {
                return Err(self.err(&format!("{path}.name"), format!("duplicate rule name `{}`", r.name)));
            }
            if let Some(j) = r.keywords.iter().position(|k| k.trim().is_empty()) {
                return Err(self.err(&format!("{path}.keywords[{j}]"), "keywords must not be empty"));
            }
            let regex = match &r.regex {
                Some(re) => Some(Regex::new(&format!("(?i){re}")).map_err(|e| {
                    self.err(&format!("{path}.regex"), format!("invalid regex: {}", first_line(&e.to_string())))
                })?),
                None => None,
            };
            if r.keywords.is_empty()
                && regex.is_none()
                && r.min_length.is_none()
                && r.max_length.is_none()
                && r.tags.is_empty()
            {
                return Err(self.err(
                    &path,
                    "a rule needs at least one condition (`keywords`, `regex`, `min_length`, `max_length` or `tags`); \
                     put a catch-all route in `default_route`",
                ));
            }
            if let (Some(lo), Some(hi)) = (r.min_length, r.max_length)
                && lo > hi
            {
                return Err(self.err(&format!("{path}.min_length"), format!("{lo} is greater than max_length {hi}")));
            }
            self.params(&r.params, &format!("{path}.params"))?;
            let model = self.model_ref(&names, &r.model, &format!("{path}.model"))?;
            rules.push(Rule {
                name: r.name.clone(),
                keywords: r.keywords.clone(),
                keyword_match: r.keyword_match,
                regex,
                min_length: r.min_length,
                max_length: r.max_length,
                tags: r.tags.clone(),
                model,
                params: r.params,
            });
        }

        // Difficulty.
        let d = &raw.difficulty;
        let positive = |v: f64, path: &str| -> Result<()> {
            if !v.is_finite() || v <= 0.0 || v > 1e9 {
                return Err(self.err(path, format!("{} is outside (0, 1e9]", crate::error::num(v))));
            }
            Ok(())
        };
        let weight = |v: f64, path: &str| -> Result<()> {
            if !(0.0..=1e6).contains(&v) {
                return Err(self.err(path, format!("{} is outside [0, 1e6]", crate::error::num(v))));
            }
            Ok(())
        };
        positive(d.length.saturation, "difficulty.length.saturation")?;
        weight(d.length.weight, "difficulty.length.weight")?;
        let mut dims = Vec::new();
        for (name, dim) in [("reasoning", &d.reasoning), ("structure", &d.structure), ("domain", &d.domain)] {
            positive(dim.saturation, &format!("difficulty.{name}.saturation"))?;
            weight(dim.weight, &format!("difficulty.{name}.weight"))?;
            if let Some(j) = dim.keywords.iter().position(|k| k.trim().is_empty()) {
                return Err(self.err(&format!("difficulty.{name}.keywords[{j}]"), "keywords must not be empty"));
            }
            dims.push(KeywordDim { keywords: dim.keywords.clone(), saturation: dim.saturation, weight: dim.weight });
        }
        if d.bands.is_empty() {
            return Err(self.err("difficulty.bands", "needs at least one band"));
        }
        let mut bands = Vec::with_capacity(d.bands.len());
        let mut previous: Option<f64> = None;
        let last = d.bands.len() - 1;
        for (i, b) in d.bands.iter().enumerate() {
            let path = format!("difficulty.bands[{i}]");
            match (b.below, i == last) {
                (Some(_), true) => {
                    return Err(
                        self.err(&format!("{path}.below"), "the last band takes every remaining score; remove `below`")
                    );
                }
                (None, false) => {
                    return Err(self.err(&format!("{path}.below"), "missing; only the last band may leave out `below`"));
                }
                (Some(v), false) => {
                    if !v.is_finite() {
                        return Err(self.err(&format!("{path}.below"), format!("must be a number, got {v}")));
                    }
                    if let Some(p) = previous
                        && v <= p
                    {
                        return Err(self.err(
                            &format!("{path}.below"),
                            format!("thresholds out of order: {v} is not above the previous band's {p}"),
                        ));
                    }
                    previous = Some(v);
                }
                (None, true) => {}
            }
            self.params(&b.params, &format!("{path}.params"))?;
            let model = self.model_ref(&names, &b.model, &format!("{path}.model"))?;
            bands.push(Band {
                name: b.name.clone().unwrap_or_else(|| format!("band{i}")),
                below: b.below,
                model,
                params: b.params,
            });
        }
        let [reasoning, structure, domain]: [KeywordDim; 3] =
            dims.try_into().map_err(|_| self.err("difficulty", "internal: expected three keyword dimensions"))?;
        let difficulty = Difficulty {
            length_saturation: d.length.saturation,
            length_weight: d.length.weight,
            reasoning,
            structure,
            domain,
            bands,
        };

        // Default route.
        let default_route = match &raw.default_route {
            Some(r) => {
                self.params(&r.params, "default_route.params")?;
                Route { model: self.model_ref(&names, &r.model, "default_route.model")?, params: r.params }
            }
            None => Route { model: cheapest(&models), params: Params::default() },
        };

        // Chain.
        if raw.chain.stages.is_empty() {
            return Err(self.err("chain.stages", "needs at least one stage"));
        }
        let mut seen_stages = HashSet::new();
        for (i, s) in raw.chain.stages.iter().enumerate() {
            if !seen_stages.insert(*s) {
                return Err(self.err(&format!("chain.stages[{i}]"), format!("duplicate stage `{}`", s.as_str())));
            }
        }
        let fallback = match &raw.chain.fallback {
            Some(list) => {
                let mut ids = Vec::with_capacity(list.len());
                for (i, r) in list.iter().enumerate() {
                    let id = self.model_ref(&names, r, &format!("chain.fallback[{i}]"))?;
                    if ids.contains(&id) {
                        return Err(self.err_at(
                            r.span(),
                            &format!("chain.fallback[{i}]"),
                            format!("`{}` is listed twice", r.get_ref()),
                        ));
                    }
                    ids.push(id);
                }
                if ids.is_empty() {
                    return Err(self.err("chain.fallback", "needs at least one model"));
                }
                ids
            }
            None => by_cost(&models),
        };

        // ML stage.
        let m = &raw.ml;
        if let Some(t) = m.min_confidence
            && !(0.0..=1.0).contains(&t)
        {
            return Err(self.err("ml.min_confidence", format!("{t} is outside 0..=1")));
        }
        if let Some(l) = m.lambda
            && !(0.0..=crate::ml::outcome::MAX_LAMBDA).contains(&l)
        {
            return Err(self.err("ml.lambda", format!("{l} is outside 0..={:e}", crate::ml::outcome::MAX_LAMBDA)));
        }
        let mut labels = std::collections::BTreeMap::new();
        for (label, r) in &m.labels {
            labels.insert(label.clone(), self.model_ref(&names, r, &format!("ml.labels.{}", key(label)))?);
        }
        let low_confidence_model = match &m.low_confidence_model {
            Some(r) => self.model_ref(&names, r, "ml.low_confidence_model")?,
            None => labels.get("premium").copied().or_else(|| fallback.last().copied()).unwrap_or(0),
        };
        let untrained_model = match &m.untrained_model {
            Some(r) => self.model_ref(&names, r, "ml.untrained_model")?,
            None => labels.get("balanced").copied().unwrap_or(default_route.model),
        };
        let base_dir = match &source {
            Source::Flag(p) | Source::Env(p) | Source::WorkingDir(p) => p.parent().map(Path::to_path_buf),
            Source::Embedded => None,
        };
        let ml = MlConfig {
            model: m.model.as_ref().map(|p| match &base_dir {
                // `builtin:<name>` is a model in the binary, not a file.
                Some(d) if Path::new(p).is_relative() && !p.starts_with(crate::ml::builtin::PREFIX) => d.join(p),
                _ => PathBuf::from(p),
            }),
            on_low_confidence: m.on_low_confidence,
            min_confidence: m.min_confidence,
            low_confidence_model,
            untrained_model,
            labels,
            lambda: m.lambda,
        };

        // Adaptive router and gray release.
        let a = &raw.adaptive;
        if !(0.0..=1.0).contains(&a.target) {
            return Err(self.err("adaptive.target", format!("{} is outside 0..=1", a.target)));
        }
        if !(1.0..=5.0).contains(&a.success_rating) {
            return Err(self.err("adaptive.success_rating", format!("{} is outside 1..=5", a.success_rating)));
        }
        if let Some(c) = &raw.canary {
            if !(0.0..=1.0).contains(&c.share) {
                return Err(self.err("canary.share", format!("{} is outside 0..=1", c.share)));
            }
            if c.strategy == Strategy::Chain {
                return Err(self.err(
                    "canary.strategy",
                    "the canary must differ from the chain: `rules`, `difficulty`, `ml` or `adaptive`",
                ));
            }
        }

        // Providers and live calls.
        for (pname, p) in &raw.providers {
            let path = format!("providers.{}", key(pname));
            if !(p.base_url.starts_with("http://") || p.base_url.starts_with("https://")) {
                return Err(self.err(&format!("{path}.base_url"), format!("`{}` is not an http(s) URL", p.base_url)));
            }
            if let Some(v) = &p.api_key_env
                && (v.is_empty() || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                return Err(
                    self.err(&format!("{path}.api_key_env"), format!("`{v}` is not an environment variable name"))
                );
            }
            for h in p.headers.keys() {
                if h.is_empty() || !h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                    return Err(self.err(&format!("{path}.headers"), format!("`{h}` is not a header name")));
                }
            }
        }
        for (name, m) in &raw.models {
            if let Some(p) = &m.provider
                && !raw.providers.contains_key(p)
            {
                let hint = did_you_mean(p, raw.providers.keys().map(String::as_str)).unwrap_or_else(|| {
                    "; define it under `[providers.<name>]` with `type`, `base_url` and `api_key_env`".to_string()
                });
                return Err(
                    self.err(&format!("models.{}.provider", key(name)), format!("unknown provider `{p}`{hint}"))
                );
            }
        }
        let l = &raw.live;
        self.seconds(l.timeout_secs, "live.timeout_secs")?;
        self.seconds(l.deadline_secs, "live.deadline_secs")?;
        self.int_in(u64::from(l.max_retries), 0, 100, "live.max_retries")?;
        self.int_in(l.backoff_ms, 0, 600_000, "live.backoff_ms")?;
        self.int_in(l.max_backoff_ms, 0, 3_600_000, "live.max_backoff_ms")?;
        self.int_in(l.max_body_bytes, 1 << 10, 1 << 30, "live.max_body_bytes")?;
        let sv = &raw.serve;
        if sv.listen.trim().is_empty() || !sv.listen.contains(':') {
            return Err(self.err("serve.listen", format!("`{}` is not a HOST:PORT address", sv.listen)));
        }
        if sv.keys_env.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(self.err("serve.keys_env", "the variable name is empty".to_string()));
        }
        self.int_in(sv.max_request_bytes, 1 << 10, 64 << 20, "serve.max_request_bytes")?;
        self.int_in(sv.max_concurrency, 1, 10_000, "serve.max_concurrency")?;
        self.seconds(sv.shutdown_grace_secs, "serve.shutdown_grace_secs")?;
        self.int_in(sv.workers, 0, 1024, "serve.workers")?;
        self.seconds(sv.header_read_timeout_secs, "serve.header_read_timeout_secs")?;
        self.seconds(sv.body_read_timeout_secs, "serve.body_read_timeout_secs")?;
        self.int_in(sv.max_connections, 16, 1 << 20, "serve.max_connections")?;
        for (i, o) in sv.allowed_origins.iter().enumerate() {
            if !raw::origin_ok(o) {
                return Err(self.err(
                    &format!("serve.allowed_origins[{i}]"),
                    format!("`{o}` is not an origin like `https://app.example.com` or `http://localhost:3000`"),
                ));
            }
        }
        for (i, h) in sv.allowed_hosts.iter().enumerate() {
            if h.is_empty() || h.contains(|c: char| c.is_whitespace() || c == '/' || c == ',') {
                return Err(self.err(
                    &format!("serve.allowed_hosts[{i}]"),
                    format!("`{h}` is not a host like `gateway.internal` or `gateway.internal:8080` (or `*`)"),
                ));
            }
        }
        for (i, e) in sv.public_endpoints.iter().enumerate() {
            if !raw::PUBLIC_ENDPOINTS.contains(&e.as_str()) {
                return Err(self.err(
                    &format!("serve.public_endpoints[{i}]"),
                    format!("`{e}` is not one of {}", raw::PUBLIC_ENDPOINTS.join(", ")),
                ));
            }
        }
        let st = &raw.state;
        if st.url_env.trim().is_empty() {
            return Err(self.err("state.url_env", "the variable name is empty"));
        }
        if st.key_prefix.len() > 64 || st.key_prefix.chars().any(char::is_whitespace) {
            return Err(self.err("state.key_prefix", "at most 64 characters, no spaces"));
        }
        self.int_in(st.pool_size, 1, 1024, "state.pool_size")?;
        self.int_in(st.connect_timeout_ms, 1, 600_000, "state.connect_timeout_ms")?;
        self.int_in(st.timeout_ms, 1, 600_000, "state.timeout_ms")?;
        self.int_in(u64::from(raw.estimate.output_tokens), 1, MAX_TOKENS_PER_CALL, "estimate.output_tokens")?;
        let refs = |list: &Option<Vec<ModelRef>>, path: &str| -> Result<Option<Vec<ModelId>>> {
            match list {
                Some(l) => {
                    let ids = l
                        .iter()
                        .enumerate()
                        .map(|(i, r)| self.model_ref(&names, r, &format!("{path}[{i}]")))
                        .collect::<Result<Vec<_>>>()?;
                    if ids.is_empty() {
                        return Err(self.err(path, "needs at least one model"));
                    }
                    Ok(Some(ids))
                }
                None => Ok(None),
            }
        };
        let c = &raw.cascade;
        if !(0.0..=1.0).contains(&c.accept) {
            return Err(self.err("cascade.accept", format!("{} is outside 0..=1", c.accept)));
        }
        self.int_in(c.max_attempts as u64, 1, 16, "cascade.max_attempts")?;
        let cascade = CascadeConfig {
            models: refs(&c.models, "cascade.models")?.unwrap_or_else(|| {
                let f = &fallback;
                let mut v = vec![f[0], f[f.len() / 2], f[f.len() - 1]];
                v.dedup();
                v
            }),
            max_attempts: c.max_attempts,
            accept: c.accept,
            judge: match &c.judge {
                Some(r) => Some(self.model_ref(&names, r, "cascade.judge")?),
                None => None,
            },
        };
        let consensus = refs(&raw.consensus.models, "consensus.models")?
            .unwrap_or_else(|| by_cost(&models).into_iter().rev().take(3).collect());

        // Quota time zone.
        let timezone = parse_timezone(&raw.quota.timezone).map_err(|m| self.err("quota.timezone", m))?;

        Ok(Config {
            source,
            tiers: raw.tiers.clone(),
            models,
            rules,
            default_route,
            difficulty,
            chain: ChainConfig { stages: raw.chain.stages.clone(), fallback },
            timezone,
            timezone_name: raw.quota.timezone.clone(),
            output_tokens: raw.estimate.output_tokens,
            ml,
            adaptive: raw.adaptive.clone(),
            canary: raw.canary.clone(),
            providers: raw.providers.clone(),
            live: raw.live.clone(),
            serve: raw.serve.clone(),
            state: raw.state.clone(),
            cascade,
            consensus,
            raw,
        })
    }
}

fn by_cost(models: &[Model]) -> Vec<ModelId> {
    let mut ids: Vec<ModelId> = (0..models.len()).collect();
    ids.sort_by(|&a, &b| {
        let (ma, mb) = (&models[a], &models[b]);
        ma.tier_rank
            .cmp(&mb.tier_rank)
            .then((ma.input_price + ma.output_price).total_cmp(&(mb.input_price + mb.output_price)))
            .then(ma.name.cmp(&mb.name))
    });
    ids
}

fn cheapest(models: &[Model]) -> ModelId {
    by_cost(models).first().copied().unwrap_or(0)
}

/// A TOML key, quoted when it is not a bare key.
fn key(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// The system time zone. Reads `/etc/localtime` directly when `TZ` is unset: asking jiff for the
/// system zone scans the whole zoneinfo tree to learn the zone's name, which costs a millisecond
/// on every `route` call.
fn local_timezone() -> TimeZone {
    if std::env::var_os("TZ").is_none()
        && let Ok(bytes) = std::fs::read("/etc/localtime")
        && let Ok(tz) = TimeZone::tzif("localtime", &bytes)
    {
        return tz;
    }
    TimeZone::system()
}

/// `local`, `UTC`, a fixed offset (`+08:00`, `-5`, `+0530`), or an IANA name.
pub fn parse_timezone(s: &str) -> std::result::Result<TimeZone, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("local") {
        return Ok(local_timezone());
    }
    if t.eq_ignore_ascii_case("utc") || t == "Z" {
        return Ok(TimeZone::UTC);
    }
    if let Some(rest) = t.strip_prefix('+').map(|r| (1, r)).or_else(|| t.strip_prefix('-').map(|r| (-1, r))) {
        let (sign, body) = rest;
        let digits: String = body.chars().filter(|c| *c != ':').collect();
        let ok = !digits.is_empty() && digits.len() <= 4 && digits.chars().all(|c| c.is_ascii_digit());
        if ok {
            let (h, m) = if digits.len() <= 2 {
                (digits.parse::<i32>().unwrap_or(99), 0)
            } else {
                let split = digits.len() - 2;
                (digits[..split].parse::<i32>().unwrap_or(99), digits[split..].parse::<i32>().unwrap_or(99))
            };
            if h <= 14 && m < 60 {
                let secs = sign * (h * 3600 + m * 60);
                return jiff::tz::Offset::from_seconds(secs)
                    .map(TimeZone::fixed)
                    .map_err(|e| format!("invalid offset `{s}`: {e}"));
            }
        }
        return Err(format!("invalid UTC offset `{s}`; write it like `+08:00` or `-05:30`"));
    }
    TimeZone::get(t).map_err(|_| {
        format!(
            "unknown time zone `{s}`; use `local`, `UTC`, an offset like `+08:00`, or an IANA name like `Asia/Shanghai`"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config> {
        Config::from_str(text, Source::Flag("llmroute.toml".into()))
    }

    fn err(text: &str) -> String {
        load(text).err().map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn embedded_default_is_valid() {
        let c = Config::from_str(EMBEDDED_DEFAULT, Source::Embedded).unwrap();
        assert_eq!(c.models.len(), 4);
        assert_eq!(c.rules.len(), 6);
        assert_eq!(c.ml.model.as_deref().and_then(|p| p.to_str()), Some("builtin:tiers"));
        let article = Config::from_str(ARTICLE_PROFILE, Source::Embedded).unwrap();
        assert_eq!(article.rules.len(), 3);
        assert_eq!(article.ml.model, None);
        assert_eq!(c.difficulty.bands.len(), 4);
        let fb: Vec<&str> = c.chain.fallback.iter().map(|&i| c.models[i].name.as_str()).collect();
        assert_eq!(fb, ["gpt-4o-mini", "claude-3-haiku", "claude-3-sonnet", "gpt-4o"]);
    }

    #[test]
    fn unknown_model_in_a_rule_names_the_key_path_and_suggests() {
        let text = ARTICLE_PROFILE.replacen("model = \"claude-3-sonnet\"", "model = \"gpt4o\"", 1);
        let e = err(&text);
        assert!(e.starts_with("llmroute.toml:"), "{e}");
        assert!(e.contains("`rules[1].model`: unknown model `gpt4o`; did you mean `gpt-4o`?"), "{e}");
    }

    #[test]
    fn unknown_key_is_reported_with_its_path() {
        let text = ARTICLE_PROFILE.replacen("keywords = [\"你好\"", "keywordz = [\"你好\"", 1);
        let e = err(&text);
        assert!(e.contains("`rules[0].keywordz`: unknown key; did you mean `keywords`?"), "{e}");
    }

    #[test]
    fn wrong_type_is_reported_with_line_and_path() {
        let text = EMBEDDED_DEFAULT.replacen("input_price = 0.15", "input_price = \"cheap\"", 1);
        let e = err(&text);
        assert!(e.contains("`models.gpt-4o-mini.input_price`"), "{e}");
        assert!(e.contains("invalid type"), "{e}");
    }

    #[test]
    fn negative_price_is_rejected() {
        let text = EMBEDDED_DEFAULT.replacen("output_price = 10.00", "output_price = -1.0", 1);
        let e = err(&text);
        assert!(e.contains("`models.gpt-4o.output_price`: -1 is outside 0..=100000 (USD per 1M tokens)"), "{e}");
        let text = EMBEDDED_DEFAULT.replacen("output_price = 10.00", "output_price = 1e308", 1);
        let e = err(&text);
        assert!(e.contains("`models.gpt-4o.output_price`: 1e308 is outside 0..=100000 (USD per 1M tokens)"), "{e}");
    }

    #[test]
    fn thresholds_out_of_order_are_rejected() {
        let text = EMBEDDED_DEFAULT.replacen("below = 0.5", "below = 0.1", 1);
        let e = err(&text);
        assert!(e.contains("`difficulty.bands[1].below`: thresholds out of order"), "{e}");
    }

    #[test]
    fn timezones_parse() {
        assert!(parse_timezone("UTC").is_ok());
        assert!(parse_timezone("+08:00").is_ok());
        assert!(parse_timezone("-0530").is_ok());
        assert!(parse_timezone("+25:00").is_err());
        assert!(parse_timezone("Mars/Olympus").is_err());
    }
}
