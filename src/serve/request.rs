//! A chat request as the gateway reads it: the body parsed and checked (messages, sampling
//! ranges, `stream`), and the routing its `model` field asks for. Pure functions of the body and
//! the configuration, so the fuzz harness and the unit tests below call them directly.

use axum::http::HeaderMap;
use clap::ValueEnum;
use serde_json::Value;

use crate::config::{Config, ModelId, Params, Strategy};
use crate::live::multi;
use crate::prompt::Prompt;
use crate::provider::Message;

/// The routing a request's `model` field asks for.
#[derive(Clone, Copy)]
pub(super) enum Target {
    Route(Strategy),
    Model(ModelId),
    /// `router:cascade` or `router:consensus`: logged as the chain decides, answered as `ask
    /// --cascade`/`--consensus` answers, each call counted on its own model.
    Multi(multi::Kind),
}

pub(super) fn target(config: &Config, model: &str) -> std::result::Result<Target, String> {
    if model.is_empty() || model == "auto" || model == "llmroute" {
        return Ok(Target::Route(Strategy::Chain));
    }
    match model {
        "router:cascade" => return Ok(Target::Multi(multi::Kind::Cascade)),
        "router:consensus" => return Ok(Target::Multi(multi::Kind::Consensus)),
        _ => {}
    }
    if let Some(s) = model.strip_prefix("router:") {
        return <Strategy as clap::ValueEnum>::from_str(s, false).map(Target::Route).map_err(|_| {
            let names: Vec<String> = Strategy::value_variants()
                .iter()
                .filter_map(|v| v.to_possible_value().map(|p| format!("router:{}", p.get_name())))
                .chain(["router:cascade".to_string(), "router:consensus".to_string()])
                .collect();
            format!("unknown strategy `{model}`; use one of {}", names.join(", "))
        });
    }
    config.models.iter().position(|m| m.name == model).map(Target::Model).ok_or_else(|| {
        let hint = crate::error::did_you_mean(model, config.models.iter().map(|m| m.name.as_str())).unwrap_or_default();
        format!("unknown model `{model}`{hint}; use `auto`, `router:<strategy>` or a catalog model (GET /v1/models)")
    })
}

/// The text of a message's `content`: a string, or the text parts of an array.
fn content_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            Some(parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("\n"))
        }
        Value::Null => Some(String::new()),
        _ => None,
    }
}

/// A parsed chat request.
pub(super) struct ChatRequest {
    pub(super) model: String,
    pub(super) messages: Vec<Message>,
    pub(super) prompt: Prompt,
    pub(super) stream: bool,
    /// The sampling parameters the client set.
    pub(super) params: Params,
    /// Every other field, forwarded as it is.
    pub(super) extra: serde_json::Map<String, Value>,
    pub(super) user: Option<String>,
}

pub(super) fn parse_chat(body: &[u8]) -> std::result::Result<ChatRequest, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Value::Object(mut o) = v else { return Err("the body must be a JSON object".to_string()) };
    let asks = crate::prompt::asks(&o);
    let raw = o.remove("messages").ok_or("missing `messages`")?;
    let Value::Array(raw) = raw else { return Err("`messages` must be an array".to_string()) };
    if raw.is_empty() {
        return Err("`messages` is empty".to_string());
    }
    let mut messages = Vec::with_capacity(raw.len());
    for (i, m) in raw.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str).ok_or_else(|| format!("`messages[{i}].role` is missing"))?;
        let content = m
            .get("content")
            .map_or(Some(String::new()), content_text)
            .ok_or_else(|| format!("`messages[{i}].content` must be a string or an array of parts"))?;
        messages.push(Message { role: role.to_string(), content });
    }
    let text = messages.iter().rev().find(|m| m.role == "user").map(|m| m.content.clone()).unwrap_or_default();
    if let Some(m) = crate::prompt::too_long(&text) {
        return Err(m);
    }
    let prompt =
        Prompt { text, messages: messages.iter().map(|m| (m.role.clone(), m.content.clone())).collect(), asks };
    let model = match o.remove("model") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s,
        Some(_) => return Err("`model` must be a string".to_string()),
    };
    let stream = match o.remove("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => return Err("`stream` must be a boolean".to_string()),
    };
    o.remove("stream_options");
    let num = |o: &serde_json::Map<String, Value>, k: &str| -> std::result::Result<Option<f64>, String> {
        match o.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().filter(|x| x.is_finite()).map(Some).ok_or_else(|| format!("`{k}` must be a number")),
        }
    };
    let max_tokens = match num(&o, "max_completion_tokens")?.or(num(&o, "max_tokens")?) {
        Some(t) if t >= 1.0 && t <= u32::MAX as f64 && t.fract() == 0.0 => Some(t as u32),
        Some(_) => return Err("`max_tokens` must be a positive integer".to_string()),
        None => None,
    };
    // The ranges the configuration allows (and providers accept).
    let temperature = num(&o, "temperature")?;
    if let Some(t) = temperature.filter(|t| !(0.0..=2.0).contains(t)) {
        return Err(format!("`temperature` {} is outside 0 to 2", crate::error::num(t)));
    }
    let top_p = num(&o, "top_p")?;
    if let Some(t) = top_p.filter(|t| !(*t > 0.0 && *t <= 1.0)) {
        return Err(format!("`top_p` {} is outside (0, 1]", crate::error::num(t)));
    }
    let params = Params { temperature, max_tokens, top_p };
    for k in ["temperature", "max_tokens", "max_completion_tokens", "top_p"] {
        o.remove(k);
    }
    let user = match o.get("user") {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    Ok(ChatRequest { model, messages, prompt, stream, params, extra: o, user })
}

/// The client's parameters, the decision's filling what the client left out.
pub(super) fn merge(client: Params, decided: Params) -> Params {
    Params {
        temperature: client.temperature.or(decided.temperature),
        max_tokens: client.max_tokens.or(decided.max_tokens),
        top_p: client.top_p.or(decided.top_p),
    }
}

/// A request header's value, when it is set, text and not empty.
pub(super) fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok()).filter(|s| !s.is_empty())
}
