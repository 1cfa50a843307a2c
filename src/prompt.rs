//! Reading a prompt: from an argument, stdin, or an OpenAI chat-completions body.

use std::io::Read;

use crate::config::Capability;
use crate::error::{Error, Result};
use crate::tokenizer::{ChatPart, chat_input_tokens};

/// What a route decision is made on.
#[derive(Debug, Clone)]
pub struct Prompt {
    /// The text the routers see (the last user message for chat bodies).
    pub text: String,
    /// Every message of the request as (role, content) (one user message for a plain prompt).
    pub messages: Vec<(String, String)>,
    /// What a chat request asks of the model beyond text (nothing for a plain prompt).
    pub asks: Asks,
}

/// What a chat request asks of the model beyond its text: capabilities and an answer length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Asks {
    /// Sorted, without repeats.
    pub capabilities: Vec<Capability>,
    /// `max_completion_tokens` or `max_tokens`.
    pub max_tokens: Option<u64>,
}

/// What the chat-completions body `body` asks for: `tools` (or `functions`) → tools, an image part
/// in a message → vision, `response_format.type = "json_schema"` → JSON-schema output.
pub fn asks(body: &serde_json::Map<String, serde_json::Value>) -> Asks {
    use serde_json::Value;
    let mut capabilities = Vec::new();
    let non_empty = |k: &str| body.get(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if non_empty("tools") || non_empty("functions") {
        capabilities.push(Capability::Tools);
    }
    let image =
        |p: &Value| matches!(p.get("type").and_then(Value::as_str), Some("image_url" | "image" | "input_image"));
    let messages = body.get("messages").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    if messages.iter().any(|m| m.get("content").and_then(Value::as_array).is_some_and(|parts| parts.iter().any(image)))
    {
        capabilities.push(Capability::Vision);
    }
    if body.get("response_format").and_then(|f| f.get("type")).and_then(Value::as_str) == Some("json_schema") {
        capabilities.push(Capability::JsonSchema);
    }
    let max_tokens = ["max_completion_tokens", "max_tokens"].iter().find_map(|k| body.get(*k).and_then(Value::as_u64));
    Asks { capabilities, max_tokens }
}

impl Prompt {
    pub fn plain(text: String) -> Prompt {
        Prompt { messages: vec![("user".to_string(), text.clone())], text, asks: Asks::default() }
    }

    /// Input tokens of the request: every message with the chat format's overhead
    /// ([`chat_input_tokens`]).
    pub fn input_tokens(&self) -> u64 {
        chat_input_tokens(self.messages.iter().map(|(role, content)| ChatPart { role, content, name: None }))
    }
}

pub use crate::text::{MAX_PROMPT_BYTES, too_long};

/// Reads the raw input: the argument itself, or stdin when it is `-` (at most a little more
/// than the longest prompt plus a chat body's framing).
pub fn read_arg(arg: &str) -> Result<String> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let mut bytes = Vec::new();
    let limit = (MAX_PROMPT_BYTES * 4) as u64;
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::usage(format!("cannot read stdin: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Error::usage(format!("stdin: more than {} MiB", limit >> 20)));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::usage(format!("stdin: invalid UTF-8 at line {line} (byte offset {at})"))
    })
}

/// Builds the prompt from raw input, as plain text or as a chat body.
pub fn parse(raw: String, chat: bool, origin: &str) -> Result<Prompt> {
    let prompt = if chat { parse_chat(&raw, origin)? } else { Prompt::plain(raw) };
    if prompt.text.trim().is_empty() {
        return Err(Error::usage(format!("{origin}: the prompt is empty")));
    }
    let total: usize = prompt.messages.iter().map(|(_, c)| c.len()).sum();
    if total > MAX_PROMPT_BYTES {
        return Err(Error::usage(format!(
            "{origin}: the messages are {total} bytes, longer than the {} MiB llmroute routes",
            MAX_PROMPT_BYTES >> 20
        )));
    }
    Ok(prompt)
}

/// Text of a message `content`: a string, or an array of parts whose `text` fields are joined.
fn content_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(parts) => {
            let texts: Vec<&str> = parts.iter().filter_map(|p| p.get("text").and_then(|t| t.as_str())).collect();
            Some(texts.join("\n"))
        }
        serde_json::Value::Null => Some(String::new()),
        _ => None,
    }
}

fn parse_chat(raw: &str, origin: &str) -> Result<Prompt> {
    let body: serde_json::Value = serde_json::from_str(raw).map_err(|e| {
        Error::usage(format!(
            "{origin}: invalid chat JSON at line {} column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e)
        ))
    })?;
    let messages = body
        .get("messages")
        .and_then(|m| m.as_array())
        .ok_or_else(|| Error::usage(format!("{origin}: a chat body needs a `messages` array")))?;
    let mut contents = Vec::with_capacity(messages.len());
    let mut last_user = None;
    for (i, m) in messages.iter().enumerate() {
        let role = m
            .get("role")
            .and_then(|r| r.as_str())
            .ok_or_else(|| Error::usage(format!("{origin}: `messages[{i}].role` is missing or not a string")))?;
        let content = m.get("content").map_or(Some(String::new()), content_text).ok_or_else(|| {
            Error::usage(format!("{origin}: `messages[{i}].content` must be a string or an array of parts"))
        })?;
        if role == "user" {
            last_user = Some(content.clone());
        }
        contents.push((role.to_string(), content));
    }
    let text =
        last_user.ok_or_else(|| Error::usage(format!("{origin}: the chat body has no message with role `user`")))?;
    let asks = body.as_object().map(asks).unwrap_or_default();
    Ok(Prompt { text, messages: contents, asks })
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.find(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_routes_on_the_last_user_message() {
        let p = parse(
            r#"{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"},{"role":"assistant","content":"hi"},{"role":"user","content":[{"type":"text","text":"你好"}]}]}"#.into(),
            true,
            "arg",
        )
        .unwrap();
        assert_eq!(p.text, "你好");
        assert_eq!(p.messages.len(), 4);
    }

    #[test]
    fn chat_errors_are_one_line() {
        let e = parse("{\"messages\": [".into(), true, "stdin").unwrap_err().to_string();
        assert!(e.starts_with("stdin: invalid chat JSON at line 1"), "{e}");
        let e =
            parse(r#"{"messages":[{"role":"system","content":"x"}]}"#.into(), true, "stdin").unwrap_err().to_string();
        assert_eq!(e, "stdin: the chat body has no message with role `user`");
    }

    #[test]
    fn empty_prompt_is_an_error() {
        assert!(parse("   ".into(), false, "argument").is_err());
    }
}
