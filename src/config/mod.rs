//! Configuration: lookup, parsing with key paths, and validation into runtime types.
//!
//! Lookup order: `--config PATH` > `LLMROUTE_CONFIG` > `./llmroute.toml` > the embedded default.
//! Every error names the file, the line and column when known, and the key path, e.g.
//! ``llmroute.toml:31:9: `rules[1].model`: unknown model `gpt4o`; did you mean `gpt-4o`?``.
//! Array indices in key paths count from 0.

mod check;
mod difficulty;
pub mod flag_values;
pub mod limits;
mod live;
mod ml;
mod models;
mod providers;
mod quota;
mod raw;
mod routing;
mod rules;
mod serve;
mod state;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::tz::TimeZone;

use crate::error::{Error, Result, did_you_mean};
use check::{Checker, first_line, format_error};
pub use difficulty::{Band, Difficulty, KeywordDim};
pub use limits::{MAX_CONTEXT_TOKENS, MAX_DAILY_QUOTA, MAX_LATENCY_MS, MAX_PRICE, MAX_SECONDS, MAX_TOKENS_PER_CALL};
pub use live::{CascadeConfig, Live};
pub use ml::{LowConfidence, MlConfig};
pub use models::{Capability, Model, Params};
pub use providers::{Provider, ProviderApi, ProviderKind};
pub use quota::parse_timezone;
use raw::RawConfig;
pub use routing::{Adaptive, Canary, ChainConfig, Entry as StrategyEntry, STRATEGIES, StageName, Strategy};
pub use rules::{KeywordMatch, Route, Rule};
pub use serve::{PUBLIC_ENDPOINTS, Serve, origin_ok};
pub use state::{State, StateBackend, Unavailable};

/// The default configuration compiled into the binary.
pub const EMBEDDED_DEFAULT: &str = include_str!("default.toml");
/// The design article's routers as written (`config init --article`).
pub const ARTICLE_PROFILE: &str = include_str!("article.toml");

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

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub source: Source,
    /// The text this configuration was parsed from (for [`Config::effective_toml`]).
    text: Arc<str>,
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
    pub adaptive: Adaptive,
    pub canary: Option<Canary>,
    pub providers: std::collections::BTreeMap<String, Provider>,
    pub live: Live,
    pub serve: Serve,
    pub state: State,
    pub cascade: CascadeConfig,
    /// Consensus voters.
    pub consensus: Vec<ModelId>,
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
        validate(&Checker { text, file: &file }, raw, source.clone(), text)
    }

    /// The effective configuration as TOML, every default filled in (`config show`).
    pub fn effective_toml(&self) -> Result<String> {
        let raw = parse(&self.text, &self.source.file_name())?;
        toml::to_string_pretty(&raw).map_err(|e| Error::usage(format!("cannot render the configuration: {e}")))
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
        models::by_cost(&self.models)
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

/// Validates `raw` section by section, in the order the file's errors are reported.
fn validate(c: &Checker, raw: RawConfig, source: Source, text: &str) -> Result<Config> {
    models::validate_tiers(c, &raw.tiers)?;
    let models = models::validate_models(c, &raw.models, &raw.tiers, raw.estimate.output_tokens)?;
    let names: check::Names = models.iter().enumerate().map(|(i, m)| (m.name.as_str(), i)).collect();
    let rules = rules::validate_rules(c, &names, &raw.rules)?;
    let difficulty = raw.difficulty.validate(c, &names)?;
    let default_route = rules::validate_default_route(c, &names, &raw.default_route, &models)?;
    let chain = raw.chain.validate(c, &names, &models)?;
    let base_dir = match &source {
        Source::Flag(p) | Source::Env(p) | Source::WorkingDir(p) => p.parent(),
        Source::Embedded => None,
    };
    let defaults = ml::MlDefaults { fallback: &chain.fallback, default_model: default_route.model, base_dir };
    let ml = raw.ml.validate(c, &names, &defaults)?;
    let adaptive = raw.adaptive.validate(c)?;
    let canary = raw.canary.as_ref().map(|k| k.validate(c)).transpose()?;
    let providers = providers::validate_providers(c, &raw.providers, &raw.models)?;
    let live = raw.live.validate(c)?;
    let serve = raw.serve.validate(c)?;
    let state = raw.state.validate(c)?;
    let output_tokens = raw.estimate.validate(c)?;
    let cascade = raw.cascade.validate(c, &names, &chain.fallback)?;
    let consensus = raw.consensus.validate(c, &names, &models)?;
    let timezone = raw.quota.validate(c)?;
    Ok(Config {
        source,
        text: Arc::from(text),
        tiers: raw.tiers,
        models,
        rules,
        default_route,
        difficulty,
        chain,
        timezone,
        timezone_name: raw.quota.timezone,
        output_tokens,
        ml,
        adaptive,
        canary,
        providers,
        live,
        serve,
        state,
        cascade,
        consensus,
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
