//! A scripted HTTP/1.1 server on 127.0.0.1 for the live-call tests: replies can be JSON, an SSE
//! stream, an error status with headers, a delay, malformed JSON, a dropped connection or a
//! truncated body. Replies are queued per model (the request's `model` field), else globally.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Reply {
    Json(u16, String),
    Status(u16, Vec<(String, String)>, String),
    Stream(Vec<String>),
    Delay(u64, Box<Reply>),
    Malformed,
    Drop,
    Truncated,
    /// A 200 whose body is `n` bytes (a JSON string of `x`), with its length announced.
    Big(usize),
    /// A 200 whose chunked body never ends (until the client goes away).
    Endless,
    /// A stream of these events, then the connection drops mid-answer.
    BrokenStream(Vec<String>),
    /// A stream that sends all but its last event, then waits for the gate to open.
    Gated(Vec<String>, Gate),
}

/// A latch a test opens to let a [`Reply::Gated`] stream finish.
#[derive(Clone, Debug, Default)]
pub struct Gate(Arc<(Mutex<bool>, std::sync::Condvar)>);

impl Gate {
    pub fn open(&self) {
        *self.0.0.lock().unwrap() = true;
        self.0.1.notify_all();
    }

    fn wait(&self) {
        let mut open = self.0.0.lock().unwrap();
        while !*open {
            open = self.0.1.wait(open).unwrap();
        }
    }
}

#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    queue: VecDeque<Reply>,
    per_model: HashMap<String, VecDeque<Reply>>,
    default: Option<Reply>,
    requests: Vec<Request>,
}

pub struct Mock {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl Mock {
    pub fn start() -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let st = st.clone();
                std::thread::spawn(move || handle(conn, &st));
            }
        });
        Mock { port, state }
    }

    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn push(&self, r: Reply) {
        self.state.lock().unwrap().queue.push_back(r);
    }

    pub fn push_for(&self, model: &str, r: Reply) {
        self.state.lock().unwrap().per_model.entry(model.to_string()).or_default().push_back(r);
    }

    pub fn always(&self, r: Reply) {
        self.state.lock().unwrap().default = Some(r);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }
}

fn handle(mut conn: TcpStream, st: &Arc<Mutex<State>>) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body).unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    let model = body.get("model").and_then(|m| m.as_str()).unwrap_or("").to_string();
    let reply = {
        let mut s = st.lock().unwrap();
        s.requests.push(Request { path, headers, body });
        let r = s.per_model.get_mut(&model).and_then(VecDeque::pop_front).or_else(|| s.queue.pop_front());
        r.or_else(|| s.default.clone()).unwrap_or(Reply::Status(
            500,
            vec![],
            "{\"error\":{\"message\":\"no scripted reply\"}}".into(),
        ))
    };
    respond(&mut conn, reply);
}

fn respond(conn: &mut TcpStream, reply: Reply) {
    let send = |conn: &mut TcpStream, code: u16, ctype: &str, extra: &[(String, String)], body: &str| {
        let mut head = format!(
            "HTTP/1.1 {code} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n",
            body.len()
        );
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = conn.write_all(head.as_bytes());
        let _ = conn.write_all(body.as_bytes());
    };
    match reply {
        Reply::Json(code, body) => send(conn, code, "application/json", &[], &body),
        Reply::Status(code, hs, body) => send(conn, code, "application/json", &hs, &body),
        Reply::Stream(events) => {
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            for e in events {
                let _ = conn.write_all(format!("data: {e}\n\n").as_bytes());
                let _ = conn.flush();
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        Reply::Delay(ms, r) => {
            std::thread::sleep(Duration::from_millis(ms));
            respond(conn, *r);
        }
        Reply::Malformed => send(conn, 200, "application/json", &[], "{\"choices\": [ this is not json"),
        Reply::Drop => {
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
        Reply::Truncated => {
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{\"choices\": [");
        }
        Reply::Big(n) => {
            let body = format!("\"{}\"", "x".repeat(n.saturating_sub(2)));
            send(conn, 200, "application/json", &[], &body);
        }
        Reply::Endless => {
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            let chunk = format!("{:x}\r\n{}\r\n", 65536, "x".repeat(65536));
            while conn.write_all(chunk.as_bytes()).is_ok() {}
        }
        Reply::Gated(mut events, gate) => {
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            let last = events.pop();
            for e in events {
                let _ = conn.write_all(format!("data: {e}\n\n").as_bytes());
                let _ = conn.flush();
            }
            gate.wait();
            if let Some(e) = last {
                let _ = conn.write_all(format!("data: {e}\n\n").as_bytes());
            }
        }
        Reply::BrokenStream(events) => {
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            for e in events {
                let _ = conn.write_all(format!("data: {e}\n\n").as_bytes());
                let _ = conn.flush();
            }
            let _ = conn.shutdown(std::net::Shutdown::Both);
        }
    }
}

pub fn openai_ok(text: &str, input: u64, output: u64) -> Reply {
    Reply::Json(
        200,
        serde_json::json!({
            "id": "chatcmpl-1",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": input, "completion_tokens": output}
        })
        .to_string(),
    )
}

pub fn anthropic_ok(text: &str, input: u64, output: u64) -> Reply {
    Reply::Json(
        200,
        serde_json::json!({
            "id": "msg_1", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": input, "output_tokens": output}
        })
        .to_string(),
    )
}

pub fn openai_stream(chunks: &[&str], input: u64, output: u64) -> Reply {
    let mut events: Vec<String> = chunks
        .iter()
        .map(|c| {
            serde_json::json!({"choices": [{"index": 0, "delta": {"content": c}, "finish_reason": null}]}).to_string()
        })
        .collect();
    events.push(serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}).to_string());
    events.push(
        serde_json::json!({"choices": [], "usage": {"prompt_tokens": input, "completion_tokens": output}}).to_string(),
    );
    events.push("[DONE]".to_string());
    Reply::Stream(events)
}

pub fn anthropic_stream(chunks: &[&str], input: u64, output: u64) -> Reply {
    let mut events = vec![
        serde_json::json!({"type": "message_start", "message": {"usage": {"input_tokens": input, "output_tokens": 1}}})
            .to_string(),
    ];
    for c in chunks {
        events.push(
            serde_json::json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": c}})
                .to_string(),
        );
    }
    events.push(serde_json::json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": output}}).to_string());
    events.push(serde_json::json!({"type": "message_stop"}).to_string());
    Reply::Stream(events)
}

/// The live-call tests' configuration: `cheap` and `top` on the OpenAI-compatible mock at
/// `oa`, `mid` on the Anthropic one at `an`; prompts mentioning "anthropic" route to `mid`,
/// everything else to `cheap`; fallback cheap → mid → top; keys from `LR_TEST_OA_KEY` and
/// `LR_TEST_AN_KEY`.
pub fn live_config(oa: &str, an: &str) -> String {
    format!(
        r#"
[providers.oa]
type = "openai"
base_url = "{oa}/v1"
api_key_env = "LR_TEST_OA_KEY"

[providers.an]
type = "anthropic"
base_url = "{an}"
api_key_env = "LR_TEST_AN_KEY"

[models.cheap]
tier = "cheap"
input_price = 1.0
output_price = 2.0
provider = "oa"
model_id = "cheap-1"

[models.mid]
tier = "balanced"
input_price = 3.0
output_price = 15.0
provider = "an"
model_id = "mid-1"

[models.top]
tier = "premium"
input_price = 10.0
output_price = 30.0
provider = "oa"
model_id = "top-1"

[[rules]]
name = "to_anthropic"
keywords = ["anthropic"]
model = "mid"
params = {{ max_tokens = 300 }}

[difficulty.length]
saturation = 2000
weight = 0.2
[difficulty.reasoning]
keywords = []
saturation = 3
weight = 0.3
[difficulty.structure]
keywords = []
saturation = 2
weight = 0.2
[difficulty.domain]
keywords = []
saturation = 2
weight = 0.3
[[difficulty.bands]]
name = "all"
model = "cheap"
params = {{ temperature = 0.5 }}

[chain]
stages = ["rules", "difficulty"]
fallback = ["cheap", "mid", "top"]

[quota]
timezone = "UTC"

[live]
timeout_secs = 2
deadline_secs = 30
max_retries = 2
backoff_ms = 10
max_backoff_ms = 40

[cascade]
models = ["cheap", "mid", "top"]
accept = 0.8

[consensus]
models = ["cheap", "mid", "top"]
"#
    )
}
