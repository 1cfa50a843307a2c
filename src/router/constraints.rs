//! The constraint step: before any router decides, every catalog model that cannot serve the
//! request is marked — a prompt longer than its context window, an answer longer than its output
//! limit, or a capability it lacks (tools, image input, JSON-schema output). The chain treats a
//! marked model as it treats one over its daily quota: a stage that chose it passes on, the
//! fallback order skips it. A model whose limits or capabilities the catalog does not state is
//! never marked.

use crate::config::Capability;
use crate::config::{Config, Model, ModelId};
use crate::prompt::Prompt;

/// What a request needs from the model that answers it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    /// The request's input tokens (every message, with the chat format's overhead).
    pub input_tokens: u64,
    /// The answer length the request asks for; absent: the model's own `params.max_tokens`.
    pub max_tokens: Option<u64>,
    pub capabilities: Vec<Capability>,
}

impl Needs {
    /// What the prompt's chat request asks for, its tokens left at 0 (the caller counts them once).
    pub fn of_asks(prompt: &Prompt) -> Needs {
        Needs { input_tokens: 0, max_tokens: prompt.asks.max_tokens, capabilities: prompt.asks.capabilities.clone() }
    }

    /// A prompt of `input_tokens` and nothing else (a replayed log row).
    pub fn tokens(input_tokens: u64) -> Needs {
        Needs { input_tokens, ..Needs::default() }
    }
}

/// A model the request cannot go to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub model: ModelId,
    pub reason: String,
}

/// Why `model` cannot serve `needs`, or `None`.
pub fn reason(model: &Model, needs: &Needs) -> Option<String> {
    let out = needs.max_tokens.or(model.params.max_tokens.map(u64::from));
    if let Some(w) = model.context_window {
        let total = needs.input_tokens.saturating_add(needs.max_tokens.unwrap_or(0));
        if total > w {
            return Some(match needs.max_tokens {
                Some(m) => {
                    format!("{} input + {} output tokens > {} context", group(needs.input_tokens), group(m), group(w))
                }
                None => format!("{} tokens > {} context", group(needs.input_tokens), group(w)),
            });
        }
    }
    if let (Some(limit), Some(out)) = (model.max_output_tokens, out)
        && out > limit
    {
        return Some(format!("max_tokens {} > {} output limit", group(out), group(limit)));
    }
    let caps = model.capabilities.as_deref()?;
    needs.capabilities.iter().find(|c| !caps.contains(c)).map(|c| match c {
        Capability::Tools => "no tool calling".to_string(),
        Capability::Vision => "no image input".to_string(),
        Capability::JsonSchema => "no JSON-schema output".to_string(),
    })
}

/// Every catalog model that cannot serve `needs`, in catalog order.
pub fn exclusions(config: &Config, needs: &Needs) -> Vec<Exclusion> {
    config
        .models
        .iter()
        .enumerate()
        .filter_map(|(model, m)| reason(m, needs).map(|reason| Exclusion { model, reason }))
        .collect()
}

/// Tokens a one-message prompt has beyond its text's (the chat format's overhead, with room).
const PLAIN_OVERHEAD: u64 = 16;

/// Exclusions for a plain prompt (a log row, a batch item): only a context window can rule a
/// model out (`config validate` keeps every model's `max_tokens` within its output limit), and a
/// prompt of `bytes` bytes has at most `bytes` + the chat overhead tokens (every token is at
/// least one byte), so `tokens()` is counted only when the prompt could exceed the smallest window.
pub fn for_plain(config: &Config, bytes: usize, tokens: impl FnOnce() -> u64) -> Vec<Exclusion> {
    match config.models.iter().filter_map(|m| m.context_window).min() {
        Some(w) if bytes as u64 + PLAIN_OVERHEAD > w => exclusions(config, &Needs::tokens(tokens())),
        _ => Vec::new(),
    }
}

/// Every catalog model that cannot serve `prompt` (of `input_tokens`, counted once by the caller).
pub fn of_request(config: &Config, prompt: &Prompt, input_tokens: u64) -> Vec<Exclusion> {
    exclusions(config, &Needs { input_tokens, ..Needs::of_asks(prompt) })
}

/// The error for a model the client named that is among `excluded`.
pub fn refuse_named(config: &Config, model: ModelId, excluded: &[Exclusion]) -> crate::error::Result<()> {
    match excluded.iter().find(|e| e.model == model) {
        Some(e) => Err(crate::error::Error::Unservable(format!(
            "`{}` cannot serve this request: {}",
            config.models[model].name, e.reason
        ))),
        None => Ok(()),
    }
}

/// Whether any model states a limit or capabilities (when none does, nothing is ever excluded
/// and replay need not count tokens for it).
pub fn any_stated(config: &Config) -> bool {
    config
        .models
        .iter()
        .any(|m| m.context_window.is_some() || m.max_output_tokens.is_some() || m.capabilities.is_some())
}

/// The message when no catalog model can serve a request.
pub fn none_can_serve(config: &Config, excluded: &[Exclusion]) -> String {
    let each: Vec<String> =
        excluded.iter().map(|e| format!("`{}`: {}", config.models[e.model].name, e.reason)).collect();
    format!("no model in the catalog can serve this request ({})", each.join("; "))
}

fn group(n: u64) -> String {
    crate::error::grouped(&n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_digits() {
        assert_eq!(
            [group(0), group(999), group(1000), group(212_304), group(1_047_576)],
            ["0", "999", "1,000", "212,304", "1,047,576"]
        );
    }
}
