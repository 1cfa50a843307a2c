//! OpenAI-compatible chat completions (`POST {base_url}/chat/completions`).

use serde_json::{Value, json};

use crate::config::Params;
use crate::provider::{Answer, Call, CallError, Message, Sink, json_body, send, sse};

fn body(model: &str, messages: &[Message], params: &Params, stream: bool) -> Value {
    let mut b = json!({ "model": model, "messages": messages });
    if let Some(t) = params.temperature {
        b["temperature"] = json!(t);
    }
    if let Some(t) = params.max_tokens {
        b["max_tokens"] = json!(t);
    }
    if let Some(t) = params.top_p {
        b["top_p"] = json!(t);
    }
    if stream {
        b["stream"] = json!(true);
        b["stream_options"] = json!({ "include_usage": true });
    }
    b
}

fn usage(v: &Value) -> (Option<u64>, Option<u64>) {
    (
        v.pointer("/usage/prompt_tokens").and_then(Value::as_u64),
        v.pointer("/usage/completion_tokens").and_then(Value::as_u64),
    )
}

/// Prompt tokens served from the provider's cache (part of `prompt_tokens`).
fn cached(v: &Value) -> Option<u64> {
    v.pointer("/usage/prompt_tokens_details/cached_tokens").and_then(Value::as_u64)
}

/// The answer in a non-streamed response body.
pub fn parse_response(v: &Value) -> Result<Answer, CallError> {
    let message = v
        .pointer("/choices/0/message")
        .and_then(Value::as_object)
        .ok_or_else(|| CallError::Malformed("no `choices[0].message`".to_string()))?;
    // A message calling tools may have no text (`content` null).
    let content = match message.get("content") {
        Some(Value::String(s)) => s.as_str(),
        Some(Value::Null) | None if message.get("tool_calls").is_some() => "",
        _ => return Err(CallError::Malformed("no `choices[0].message.content`".to_string())),
    };
    let (i, o) = usage(v);
    Ok(Answer {
        text: content.to_string(),
        input_tokens: i,
        cached_tokens: cached(v),
        output_tokens: o,
        counted_output: None,
        finish_reason: v.pointer("/choices/0/finish_reason").and_then(Value::as_str).map(str::to_string),
        raw: Some(v.clone()),
    })
}

/// Adds one stream event to `a`; `Ok(false)` at the end of the stream. New text is appended to
/// `a.text`.
pub fn apply_event(data: &str, a: &mut Answer) -> Result<bool, CallError> {
    if data == "[DONE]" {
        return Ok(false);
    }
    let v: Value =
        serde_json::from_str(data).map_err(|e| CallError::Malformed(format!("stream event is not JSON ({e})")))?;
    if let Some(t) = v.pointer("/choices/0/delta/content").and_then(Value::as_str) {
        a.text.push_str(t);
    }
    if let Some(r) = v.pointer("/choices/0/finish_reason").and_then(Value::as_str) {
        a.finish_reason = Some(r.to_string());
    }
    let (i, o) = usage(&v);
    a.cached_tokens = cached(&v).or(a.cached_tokens);
    a.input_tokens = i.or(a.input_tokens);
    a.output_tokens = o.or(a.output_tokens);
    Ok(true)
}

pub async fn call(
    call: &Call<'_>,
    model: &str,
    messages: &[Message],
    params: &Params,
    sink: Option<&mut dyn Sink>,
) -> Result<Answer, CallError> {
    let url = format!("{}/chat/completions", call.provider.base_url.trim_end_matches('/'));
    let mut b = body(model, messages, params, sink.is_some());
    // A client's own fields (tools, response_format…) travel as they are; the routed model, the
    // messages, the stream switch and the decided params stay ours.
    for (k, v) in call.extra {
        if let Some(o) = b.as_object_mut() {
            o.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let mut req = call.http.post(&url).json(&b);
    if let Some(k) = call.key {
        req = req.bearer_auth(k);
    }
    let resp = send(req, call).await?;
    match sink {
        None => parse_response(&json_body(resp, call.max_body).await?),
        Some(sink) => {
            let mut a = Answer::default();
            sse(resp, call.max_body, sink, |data, sink| {
                let before = a.text.len();
                let more = apply_event(data, &mut a)?;
                if sink.events() {
                    if more {
                        sink.piece(data);
                    }
                } else if a.text.len() > before {
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

    fn msgs() -> Vec<Message> {
        vec![
            Message { role: "system".into(), content: "be brief".into() },
            Message { role: "user".into(), content: "hi".into() },
        ]
    }

    #[test]
    fn the_body_carries_only_the_parameters_set() {
        let b = body("gpt-4o", &msgs(), &Params::default(), false);
        assert_eq!(
            b,
            json!({"model": "gpt-4o", "messages": [
                {"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]})
        );
        let p = Params { temperature: Some(0.2), max_tokens: Some(64), top_p: Some(0.9) };
        let b = body("gpt-4o", &msgs(), &p, true);
        assert_eq!(b["temperature"], json!(0.2));
        assert_eq!(b["max_tokens"], json!(64));
        assert_eq!(b["top_p"], json!(0.9));
        assert_eq!(b["stream"], json!(true));
        assert_eq!(b["stream_options"], json!({"include_usage": true}));
    }

    #[test]
    fn a_response_gives_its_text_usage_and_cached_tokens() {
        let v = json!({
            "choices": [{"message": {"content": "Bonjour"}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 7, "prompt_tokens_details": {"cached_tokens": 64}}
        });
        let a = parse_response(&v).unwrap();
        assert_eq!(a.text, "Bonjour");
        assert_eq!((a.input_tokens, a.cached_tokens, a.output_tokens), (Some(120), Some(64), Some(7)));
        assert_eq!(a.finish_reason.as_deref(), Some("stop"));
        assert_eq!(a.raw, Some(v));
        // A tool call may have no text; a message without content otherwise is malformed.
        let tool = json!({"choices": [{"message": {"content": null, "tool_calls": []}}]});
        assert_eq!(parse_response(&tool).unwrap().text, "");
        let bad = json!({"choices": [{"message": {"role": "assistant"}}]});
        let e = parse_response(&bad).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("malformed response: no `choices[0].message.content`"));
    }

    #[test]
    fn stream_events_append_text_and_keep_the_last_usage() {
        let mut a = Answer::default();
        assert!(apply_event(r#"{"choices":[{"delta":{"content":"Bon"}}]}"#, &mut a).unwrap());
        assert!(apply_event(r#"{"choices":[{"delta":{"content":"jour"},"finish_reason":"stop"}]}"#, &mut a).unwrap());
        assert!(apply_event(r#"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}"#, &mut a).unwrap());
        assert!(!apply_event("[DONE]", &mut a).unwrap());
        assert_eq!(a.text, "Bonjour");
        assert_eq!((a.input_tokens, a.output_tokens, a.cached_tokens), (Some(9), Some(2), None));
        assert_eq!(a.finish_reason.as_deref(), Some("stop"));
        assert!(apply_event("{not json", &mut a).is_err());
    }
}
