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
