//! Anthropic's Messages API (`POST {base_url}/v1/messages`): the system prompt goes in its own
//! field, `max_tokens` is required, the key travels in `x-api-key`.

use serde_json::{Value, json};

use crate::config::Params;
use crate::provider::{Answer, Call, CallError, Message, Sink, json_body, send, sse};

/// `max_tokens` when the decision sets none (the API requires one).
pub const DEFAULT_MAX_TOKENS: u32 = 1024;

/// The `anthropic-version` header sent when the provider names none.
const DEFAULT_VERSION: &str = "2023-06-01";

/// An Anthropic stop reason in OpenAI's vocabulary (`None`: not one of Anthropic's).
pub fn openai_finish_reason(reason: &str) -> Option<&'static str> {
    match reason {
        "end_turn" | "stop_sequence" => Some("stop"),
        "max_tokens" => Some("length"),
        "tool_use" => Some("tool_calls"),
        _ => None,
    }
}

fn body(model: &str, messages: &[Message], params: &Params, stream: bool) -> Value {
    let system: Vec<&str> = messages.iter().filter(|m| m.role == "system").map(|m| m.content.as_str()).collect();
    let turns: Vec<&Message> = messages.iter().filter(|m| m.role != "system").collect();
    let mut b = json!({
        "model": model,
        "max_tokens": params.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        "messages": turns,
    });
    if !system.is_empty() {
        b["system"] = json!(system.join("\n\n"));
    }
    if let Some(t) = params.temperature {
        b["temperature"] = json!(t.min(1.0));
    }
    if let Some(t) = params.top_p {
        b["top_p"] = json!(t);
    }
    if stream {
        b["stream"] = json!(true);
    }
    b
}

/// Every input token and the cached ones: Anthropic's `input_tokens` leaves out the tokens read
/// from (`cache_read_input_tokens`) and written to (`cache_creation_input_tokens`) the cache.
fn input_usage(usage: Option<&Value>) -> (Option<u64>, Option<u64>) {
    let Some(u) = usage else { return (None, None) };
    let n = |k: &str| u.get(k).and_then(Value::as_u64);
    let read = n("cache_read_input_tokens");
    let total = n("input_tokens")
        .map(|i| i.saturating_add(read.unwrap_or(0)).saturating_add(n("cache_creation_input_tokens").unwrap_or(0)));
    (total, read)
}

/// The answer in a non-streamed response body.
pub fn parse_response(v: &Value) -> Result<Answer, CallError> {
    let parts = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| CallError::Malformed("no `content` array".to_string()))?;
    let text: String = parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect();
    let (input_tokens, cached_tokens) = input_usage(v.get("usage"));
    Ok(Answer {
        text,
        input_tokens,
        cached_tokens,
        output_tokens: v.pointer("/usage/output_tokens").and_then(Value::as_u64),
        counted_output: None,
        finish_reason: v.get("stop_reason").and_then(Value::as_str).map(str::to_string),
        raw: None,
    })
}

/// Adds one stream event to `a`; `Ok(false)` at `message_stop`. New text is appended to
/// `a.text`.
pub fn apply_event(data: &str, a: &mut Answer) -> Result<bool, CallError> {
    let v: Value =
        serde_json::from_str(data).map_err(|e| CallError::Malformed(format!("stream event is not JSON ({e})")))?;
    match v.get("type").and_then(Value::as_str) {
        Some("message_start") => {
            (a.input_tokens, a.cached_tokens) = input_usage(v.pointer("/message/usage"));
        }
        Some("content_block_delta") => {
            if let Some(t) = v.pointer("/delta/text").and_then(Value::as_str) {
                a.text.push_str(t);
            }
        }
        Some("message_delta") => {
            a.output_tokens = v.pointer("/usage/output_tokens").and_then(Value::as_u64).or(a.output_tokens);
            a.finish_reason = v.pointer("/delta/stop_reason").and_then(Value::as_str).map(str::to_string);
        }
        Some("message_stop") => return Ok(false),
        Some("error") => {
            return Err(CallError::Malformed(
                v.pointer("/error/message").and_then(Value::as_str).unwrap_or("error event").to_string(),
            ));
        }
        _ => {}
    }
    Ok(true)
}

pub async fn call(
    call: &Call<'_>,
    version: Option<&str>,
    model: &str,
    messages: &[Message],
    params: &Params,
    sink: Option<&mut dyn Sink>,
) -> Result<Answer, CallError> {
    let p = call.provider;
    let url = format!("{}/v1/messages", p.base_url.trim_end_matches('/'));
    let mut req = call.http.post(&url).header("anthropic-version", version.unwrap_or(DEFAULT_VERSION)).json(&body(
        model,
        messages,
        params,
        sink.is_some(),
    ));
    if let Some(k) = call.key {
        req = req.header("x-api-key", k);
    }
    let resp = send(req, call).await?;
    match sink {
        None => parse_response(&json_body(resp, call.max_body).await?),
        Some(sink) => {
            let mut a = Answer::default();
            sse(resp, call.max_body, sink, |data, sink| {
                let before = a.text.len();
                let more = apply_event(data, &mut a)?;
                if a.text.len() > before {
                    sink.piece(&a.text[before..]);
                }
                crate::provider::settle_text(&mut a, before, sink);
                Ok(more)
            })
            .await?;
            Ok(a)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_prompt_moves_to_its_field_and_max_tokens_is_always_set() {
        let msgs = vec![
            Message { role: "system".into(), content: "be brief".into() },
            Message { role: "system".into(), content: "in French".into() },
            Message { role: "user".into(), content: "hi".into() },
        ];
        let b = body("claude-3-haiku-20240307", &msgs, &Params::default(), false);
        assert_eq!(
            b,
            json!({"model": "claude-3-haiku-20240307", "max_tokens": DEFAULT_MAX_TOKENS,
                "messages": [{"role": "user", "content": "hi"}], "system": "be brief\n\nin French"})
        );
        // Anthropic's temperature stops at 1.
        let p = Params { temperature: Some(1.7), max_tokens: Some(50), top_p: None };
        let b = body("m", &msgs[2..], &p, true);
        assert_eq!(b["temperature"], json!(1.0));
        assert_eq!(b["max_tokens"], json!(50));
        assert_eq!(b["stream"], json!(true));
        assert!(b.get("system").is_none() && b.get("top_p").is_none());
    }

    #[test]
    fn input_usage_adds_the_tokens_read_from_and_written_to_the_cache() {
        let v = json!({
            "content": [{"type": "text", "text": "Bon"}, {"type": "text", "text": "jour"}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 10, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 5,
                "output_tokens": 3}
        });
        let a = parse_response(&v).unwrap();
        assert_eq!(a.text, "Bonjour");
        assert_eq!((a.input_tokens, a.cached_tokens, a.output_tokens), (Some(115), Some(100), Some(3)));
        assert_eq!(a.finish_reason.as_deref(), Some("end_turn"));
        let e = parse_response(&json!({"type": "message"})).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("malformed response: no `content` array"));
    }

    #[test]
    fn stream_events_fill_the_answer_until_message_stop() {
        let mut a = Answer::default();
        let events = [
            r#"{"type":"message_start","message":{"usage":{"input_tokens":12,"cache_read_input_tokens":4}}}"#,
            r#"{"type":"content_block_delta","delta":{"text":"Bon"}}"#,
            r#"{"type":"ping"}"#,
            r#"{"type":"content_block_delta","delta":{"text":"jour"}}"#,
            r#"{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":2}}"#,
        ];
        for e in events {
            assert!(apply_event(e, &mut a).unwrap());
        }
        assert!(!apply_event(r#"{"type":"message_stop"}"#, &mut a).unwrap());
        assert_eq!(a.text, "Bonjour");
        assert_eq!((a.input_tokens, a.cached_tokens, a.output_tokens), (Some(16), Some(4), Some(2)));
        assert_eq!(a.finish_reason.as_deref(), Some("max_tokens"));
        let e = apply_event(r#"{"type":"error","error":{"message":"overloaded"}}"#, &mut a).err();
        assert_eq!(e.map(|e| e.to_string()).as_deref(), Some("malformed response: overloaded"));
    }

    fn finish(reason: Option<&str>) -> String {
        Answer { finish_reason: reason.map(String::from), ..Answer::default() }.openai_finish_reason().to_string()
    }

    #[test]
    fn stop_reasons_read_in_openai_vocabulary() {
        assert_eq!(finish(None), "stop");
        assert_eq!(finish(Some("end_turn")), "stop");
        assert_eq!(finish(Some("stop_sequence")), "stop");
        assert_eq!(finish(Some("max_tokens")), "length");
        assert_eq!(finish(Some("tool_use")), "tool_calls");
        assert_eq!(finish(Some("content_filter")), "content_filter");
        assert_eq!(finish(Some("length")), "length");
    }
}
