//! OpenAI's response shapes: a `chat.completion` body, a `chat.completion.chunk` event, the
//! `usage` object and the finish reason, built from an answer and its decision.

use axum::body::Bytes;
use serde_json::{Value, json};

use super::decide::Decided;
use crate::config::{Config, ModelId};
use crate::provider::Answer;

/// The time now, in seconds since the epoch (OpenAI's `created`).
pub(super) fn now_secs() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// The response body: the provider's own (OpenAI-compatible providers) with `model` set to the
/// answering model, else one built in OpenAI's format.
pub(super) fn completion_body(
    config: &Config,
    d: &Decided,
    m: ModelId,
    a: &Answer,
    b: &crate::provider::Billed,
) -> Value {
    let name = &config.models[m].name;
    let (input, output) = (b.input, b.output);
    if let Some(Value::Object(raw)) = &a.raw {
        let mut raw = raw.clone();
        raw.insert("model".to_string(), json!(name));
        // Usage as OpenAI reports it, whatever the provider left out; an implausible report is
        // replaced by the local count it was billed on.
        let usage = raw.entry("usage").or_insert_with(|| json!({}));
        if b.implausible {
            *usage = usage_json(input, output);
        }
        if let Value::Object(u) = usage {
            u.entry("prompt_tokens").or_insert_with(|| json!(input));
            u.entry("completion_tokens").or_insert_with(|| json!(output));
            u.entry("total_tokens").or_insert_with(|| json!(input.saturating_add(output)));
        }
        return Value::Object(raw);
    }
    json!({
        "id": format!("chatcmpl-{}", d.request_id),
        "object": "chat.completion",
        "created": now_secs(),
        "model": name,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": a.text},
                     "finish_reason": finish_reason(a)}],
        "usage": usage_json(input, output),
    })
}

/// OpenAI's finish reason for an answer (Anthropic's `end_turn` is `stop`, `max_tokens` is
/// `length`).
pub(super) fn finish_reason(a: &Answer) -> &str {
    match a.finish_reason.as_deref() {
        None | Some("end_turn" | "stop_sequence") => "stop",
        Some("max_tokens") => "length",
        Some("tool_use") => "tool_calls",
        Some(other) => other,
    }
}

/// One server-sent event of a chat.completion.chunk.
pub(super) fn chunk(id: &str, model: &str, delta: Value, finish: Option<&str>, usage: Option<Value>) -> Bytes {
    let mut v = json!({
        "id": format!("chatcmpl-{id}"),
        "object": "chat.completion.chunk",
        "created": now_secs(),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    });
    if let Some(u) = usage {
        v["choices"] = json!([]);
        v["usage"] = u;
    }
    Bytes::from(format!("data: {v}\n\n"))
}

/// OpenAI's `usage` object; the total saturates.
pub(super) fn usage_json(input: u64, output: u64) -> Value {
    json!({"prompt_tokens": input, "completion_tokens": output, "total_tokens": input.saturating_add(output)})
}
