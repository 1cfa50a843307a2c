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
                     "finish_reason": a.openai_finish_reason()}],
        "usage": usage_json(input, output),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Source;
    use crate::provider::Billed;

    fn config() -> Config {
        Config::from_str(crate::config::EMBEDDED_DEFAULT, Source::Embedded).expect("the default")
    }

    fn decided(model: ModelId) -> Decided {
        Decided {
            request_id: "r1".to_string(),
            model,
            method: "rule",
            reason: "greeting".to_string(),
            params: Default::default(),
            estimated_usd: 0.0,
            day: "2026-12-07".to_string(),
            usage: Default::default(),
            excluded: Vec::new(),
        }
    }

    fn billed(input: u64, output: u64, implausible: bool) -> Billed {
        Billed { input, cached: 0, output, estimated: false, implausible, usd: 0.0 }
    }

    #[test]
    fn usage_totals_saturate() {
        assert_eq!(usage_json(3, 4), json!({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}));
        assert_eq!(
            usage_json(u64::MAX, 1),
            json!({"prompt_tokens": u64::MAX, "completion_tokens": 1, "total_tokens": u64::MAX})
        );
    }

    #[test]
    fn a_provider_body_is_returned_with_the_answering_model_and_full_usage() {
        let c = config();
        let m = c.models.iter().position(|m| m.name == "gpt-4o-mini").expect("in the catalog");
        let raw = json!({"id": "x", "model": "upstream-name", "usage": {"prompt_tokens": 5}});
        let a = Answer { raw: Some(raw), ..Default::default() };
        let body = completion_body(&c, &decided(m), m, &a, &billed(9, 2, false));
        assert_eq!(
            body,
            json!({"id": "x", "model": "gpt-4o-mini",
                   "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 11}})
        );
        // An implausible report is replaced by the count it was billed on.
        let raw = json!({"usage": {"prompt_tokens": u64::MAX, "completion_tokens": 1}});
        let a = Answer { raw: Some(raw), ..Default::default() };
        let body = completion_body(&c, &decided(m), m, &a, &billed(9, 2, true));
        assert_eq!(body["usage"], usage_json(9, 2));
    }

    #[test]
    fn a_built_body_is_a_chat_completion() {
        let c = config();
        let m = c.models.iter().position(|m| m.name == "claude-3-haiku").expect("in the catalog");
        let a =
            Answer { text: "hello".to_string(), finish_reason: Some("max_tokens".to_string()), ..Default::default() };
        let mut body = completion_body(&c, &decided(m), m, &a, &billed(9, 2, false));
        assert!(body["created"].as_i64().is_some_and(|t| t > 0));
        body["created"] = json!(0);
        assert_eq!(
            body,
            json!({"id": "chatcmpl-r1", "object": "chat.completion", "created": 0, "model": "claude-3-haiku",
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"},
                                "finish_reason": "length"}],
                   "usage": {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}})
        );
    }

    #[test]
    fn chunks_are_server_sent_events() {
        let event = |b: Bytes| -> Value {
            let s = String::from_utf8(b.to_vec()).expect("UTF-8");
            let data = s.strip_prefix("data: ").and_then(|s| s.strip_suffix("\n\n")).expect("one event");
            let mut v: Value = serde_json::from_str(data).expect("JSON");
            v["created"] = json!(0);
            v
        };
        assert_eq!(
            event(chunk("r1", "m", json!({"content": "hi"}), None, None)),
            json!({"id": "chatcmpl-r1", "object": "chat.completion.chunk", "created": 0, "model": "m",
                   "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": null}]})
        );
        assert_eq!(
            event(chunk("r1", "m", json!({}), None, Some(usage_json(1, 2)))),
            json!({"id": "chatcmpl-r1", "object": "chat.completion.chunk", "created": 0, "model": "m",
                   "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}})
        );
    }
}
