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
    use crate::provider::Answer;

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
