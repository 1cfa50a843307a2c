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
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Target {
    Route(Strategy),
    Model(ModelId),
    /// `router:cascade` or `router:consensus`: logged as the chain decides, answered as `ask
    /// --cascade`/`--consensus` answers, each call counted on its own model.
    Multi(multi::Kind),
}

pub(super) fn target(config: &Config, model: &str) -> std::result::Result<Target, String> {
    if model.is_empty() || model == "auto" || model == "llmroute" {
        return Ok(Target::Route(Strategy::CHAIN));
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::Source;

    fn config() -> Config {
        Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).expect("the default")
    }

    fn parse(v: Value) -> std::result::Result<ChatRequest, String> {
        parse_chat(v.to_string().as_bytes())
    }

    #[test]
    fn a_chat_body_is_read_field_by_field() {
        let r = parse(json!({
            "model": "auto",
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": [{"type": "text", "text": "first"}, {"type": "image_url"}, {"text": "second"}]},
                {"role": "assistant", "content": null},
                {"role": "user"},
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": 50,
            "max_completion_tokens": 60,
            "temperature": 0.5,
            "top_p": 1,
            "user": "u-1",
            "seed": 7,
        }))
        .expect("a valid body");
        assert_eq!(r.model, "auto");
        assert!(r.stream);
        let messages: Vec<(&str, &str)> = r.messages.iter().map(|m| (m.role.as_str(), m.content.as_str())).collect();
        assert_eq!(messages, [("system", "be brief"), ("user", "first\nsecond"), ("assistant", ""), ("user", "")]);
        // The routers see the last user message.
        assert_eq!(r.prompt.text, "");
        assert_eq!(r.prompt.messages.len(), 4);
        assert_eq!(r.params, Params { temperature: Some(0.5), max_tokens: Some(60), top_p: Some(1.0) });
        assert_eq!(r.user.as_deref(), Some("u-1"));
        // What the gateway does not read is forwarded as it is; what it read is not.
        let extra: Vec<&str> = r.extra.keys().map(String::as_str).collect();
        assert_eq!(extra, ["seed", "user"]);
    }

    #[test]
    fn defaults_when_fields_are_absent_or_null() {
        let r = parse(json!({"messages": [{"role": "user", "content": "hi"}], "model": null, "stream": null}))
            .expect("a valid body");
        assert_eq!(r.model, "");
        assert!(!r.stream);
        assert_eq!(r.prompt.text, "hi");
        assert_eq!(r.params, Params::default());
        assert_eq!(r.user, None);
        assert!(r.extra.is_empty());
    }

    #[test]
    fn malformed_bodies_are_refused_with_the_reason() {
        let err = |v: Value| parse(v).err().expect("refused");
        let user = json!([{"role": "user", "content": "hi"}]);
        assert_eq!(
            parse_chat(b"[1,").err().expect("refused"),
            "the body is not JSON: EOF while parsing a value at line 1 column 3"
        );
        assert_eq!(err(json!([1])), "the body must be a JSON object");
        assert_eq!(err(json!({})), "missing `messages`");
        assert_eq!(err(json!({"messages": "hi"})), "`messages` must be an array");
        assert_eq!(err(json!({"messages": []})), "`messages` is empty");
        assert_eq!(err(json!({"messages": [{"content": "hi"}]})), "`messages[0].role` is missing");
        assert_eq!(
            err(json!({"messages": [{"role": "user", "content": 3}]})),
            "`messages[0].content` must be a string or an array of parts"
        );
        assert_eq!(err(json!({"messages": user, "model": 1})), "`model` must be a string");
        assert_eq!(err(json!({"messages": user, "stream": "yes"})), "`stream` must be a boolean");
        assert_eq!(err(json!({"messages": user, "max_tokens": "9"})), "`max_tokens` must be a number");
        assert_eq!(err(json!({"messages": user, "max_tokens": 0})), "`max_tokens` must be a positive integer");
        assert_eq!(err(json!({"messages": user, "max_tokens": 1.5})), "`max_tokens` must be a positive integer");
        assert_eq!(
            err(json!({"messages": user, "max_completion_tokens": 5e9})),
            "`max_tokens` must be a positive integer"
        );
        assert_eq!(err(json!({"messages": user, "temperature": 2.5})), "`temperature` 2.5 is outside 0 to 2");
        assert_eq!(err(json!({"messages": user, "temperature": -1})), "`temperature` -1 is outside 0 to 2");
        assert_eq!(err(json!({"messages": user, "top_p": 0})), "`top_p` 0 is outside (0, 1]");
        assert_eq!(err(json!({"messages": user, "top_p": 1.5})), "`top_p` 1.5 is outside (0, 1]");
    }

    #[test]
    fn model_names_select_the_routing() {
        let c = config();
        assert_eq!(target(&c, ""), Ok(Target::Route(Strategy::CHAIN)));
        assert_eq!(target(&c, "auto"), Ok(Target::Route(Strategy::CHAIN)));
        assert_eq!(target(&c, "llmroute"), Ok(Target::Route(Strategy::CHAIN)));
        assert_eq!(target(&c, "router:rules"), Ok(Target::Route(Strategy::RULES)));
        assert_eq!(target(&c, "router:adaptive"), Ok(Target::Route(Strategy::ADAPTIVE)));
        assert_eq!(target(&c, "router:cascade"), Ok(Target::Multi(multi::Kind::Cascade)));
        assert_eq!(target(&c, "router:consensus"), Ok(Target::Multi(multi::Kind::Consensus)));
        let mini = c.models.iter().position(|m| m.name == "gpt-4o-mini").expect("in the default catalog");
        assert_eq!(target(&c, "gpt-4o-mini"), Ok(Target::Model(mini)));
        assert_eq!(
            target(&c, "router:fastest"),
            Err("unknown strategy `router:fastest`; use one of router:chain, router:rules, router:difficulty, \
                 router:ml, router:adaptive, router:cascade, router:consensus"
                .to_string())
        );
        assert_eq!(
            target(&c, "gpt-4o-mimi"),
            Err("unknown model `gpt-4o-mimi`; did you mean `gpt-4o-mini`?; use `auto`, `router:<strategy>` or a \
                 catalog model (GET /v1/models)"
                .to_string())
        );
    }

    #[test]
    fn the_client_parameters_win_over_the_decision() {
        let client = Params { temperature: Some(0.1), max_tokens: None, top_p: None };
        let decided = Params { temperature: Some(0.9), max_tokens: Some(100), top_p: None };
        assert_eq!(merge(client, decided), Params { temperature: Some(0.1), max_tokens: Some(100), top_p: None });
    }

    #[test]
    fn empty_and_non_text_headers_are_absent() {
        let mut h = HeaderMap::new();
        h.insert("x-llmroute-tag", axum::http::HeaderValue::from_static("code"));
        h.insert("x-llmroute-user", axum::http::HeaderValue::from_static(""));
        h.insert("x-other", axum::http::HeaderValue::from_bytes(b"\xff").expect("opaque bytes"));
        assert_eq!(header_str(&h, "x-llmroute-tag"), Some("code"));
        assert_eq!(header_str(&h, "x-llmroute-user"), None);
        assert_eq!(header_str(&h, "x-other"), None);
        assert_eq!(header_str(&h, "x-missing"), None);
    }

    #[test]
    fn the_fuzz_entry_point_checks_body_and_model() {
        let c = config();
        let body = |model: &str| json!({"model": model, "messages": [{"role": "user", "content": "hi"}]}).to_string();
        assert_eq!(crate::serve::parse_request(&c, body("auto").as_bytes()), Ok(()));
        assert!(crate::serve::parse_request(&c, body("nope").as_bytes()).is_err());
        assert_eq!(crate::serve::parse_request(&c, b"{}"), Err("missing `messages`".to_string()));
    }
}
