//! `llmroute config init|show|validate`.

mod args;
pub use args::ConfigCommand;

use crate::commands::Context;
use crate::config::{ARTICLE_PROFILE, Config, EMBEDDED_DEFAULT, Source};
use crate::error::{Error, Result};
use crate::fsutil::write_atomic;
use crate::output;

pub fn run(ctx: &Context, cmd: &ConfigCommand) -> Result<()> {
    match cmd {
        ConfigCommand::Init { path, force, article } => {
            let (text, what) = if *article {
                (ARTICLE_PROFILE, "the design article's profile")
            } else {
                (EMBEDDED_DEFAULT, "the default configuration")
            };
            write_atomic(path, text.as_bytes(), *force)?;
            output::note(&format!("wrote {what} to {}", path.display()));
            Ok(())
        }
        ConfigCommand::Show => {
            let config = ctx.config()?;
            let body = config.effective_toml()?;
            output::print(&format!("# effective configuration, from: {}\n\n{body}", config.source))
        }
        ConfigCommand::Validate { path } => {
            let config = match path {
                Some(p) => Config::load(Some(p))?,
                None => ctx.config()?,
            };
            let file = match &config.source {
                Source::Embedded => "embedded default".to_string(),
                s => s.file_name(),
            };
            // The classifier the ML stage names must load (and its labels name catalog models).
            crate::router::Engine::new(&config, None).map_err(|e| Error::Config(format!("{file}: `ml.model`: {e}")))?;
            let today = crate::clock::Clock::new(config.timezone.clone())?.now().date();
            for m in &config.models {
                if let Some(d) = m.deprecation_date.filter(|d| *d <= today) {
                    output::warn(&format!(
                        "{file}: `models.{}`: retired by its provider on {d} (`deprecation_date`); requests to it may fail",
                        m.name
                    ));
                }
            }
            output::print(&format!(
                "{file}: ok ({} models, {} rules, {} difficulty bands, chain: {})\n",
                config.models.len(),
                config.rules.len(),
                config.difficulty.bands.len(),
                config.chain.stages.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" -> ")
            ))
        }
    }
}
