//! A streamed answer (`"stream": true`): the gateway's [`Sink`] turns each piece of the upstream
//! answer into a `chat.completion.chunk` event for the client, through a bounded queue, then adds
//! the finish chunk, the usage chunk and `[DONE]` (or an error event).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::chat::Call;
use crate::config::{Config, ModelId};
use crate::live;
use crate::provider::Sink;
use crate::serve::book::book;
use crate::serve::decide::{over_quota, plan};
use crate::serve::openai::{chunk, usage_json};

/// Events queued for a slow client at most, and their bytes at most (an event larger than that
/// is queued alone); past them the upstream is read no faster than the client reads, so the
/// relay's memory stays bounded whatever the client does.
const STREAM_QUEUE: usize = 16;
const STREAM_QUEUE_BYTES: usize = 64 << 10;

/// A chunk for the client and its share of [`STREAM_QUEUE_BYTES`], given back once the server
/// took the chunk.
type Queued = (Bytes, Option<tokio::sync::OwnedSemaphorePermit>);

/// The gateway's [`Sink`]: each piece of a streamed answer becomes a `chat.completion.chunk`
/// event for the client. OpenAI-compatible providers' events are relayed as they are (tool-call
/// deltas included) with our id, object and the answering model; others' text is wrapped.
struct Relay {
    tx: tokio::sync::mpsc::Sender<Queued>,
    bytes: Arc<tokio::sync::Semaphore>,
    queued: Vec<Bytes>,
    config: &'static Config,
    id: String,
    model: ModelId,
    /// Whether the provider sent its finish chunk.
    finished: bool,
}

impl Relay {
    fn openai(&self) -> bool {
        let m = &self.config.models[self.model];
        m.provider.as_ref().and_then(|p| self.config.providers.get(p)).map(|p| p.kind())
            == Some(crate::config::ProviderKind::Openai)
    }
}

impl Sink for Relay {
    fn begin(&mut self, model: ModelId) {
        self.model = model;
    }

    fn piece(&mut self, t: &str) {
        let name = &self.config.models[self.model].name;
        if !self.openai() {
            self.queued.push(chunk(&self.id, name, json!({"content": t}), None, None));
            return;
        }
        let Ok(Value::Object(mut e)) = serde_json::from_str::<Value>(t) else { return };
        // The usage-only event: ours follows, counted the same way as every answer.
        if e.get("choices").and_then(Value::as_array).is_some_and(Vec::is_empty) {
            return;
        }
        let choice = e.get("choices").and_then(|c| c.get(0));
        self.finished |= choice.and_then(|c| c.get("finish_reason")).is_some_and(|f| !f.is_null());
        // The role went out in the stream's first chunk already.
        let finishing = choice.and_then(|c| c.get("finish_reason")).is_some_and(|f| !f.is_null());
        if let Some(Value::Object(delta)) =
            e.get_mut("choices").and_then(|c| c.get_mut(0)).and_then(|c| c.get_mut("delta"))
        {
            delta.remove("role");
            let empty = delta.is_empty() || (delta.len() == 1 && delta.get("content").is_some_and(|c| c == ""));
            if empty && !finishing {
                return;
            }
        }
        e.insert("id".to_string(), json!(format!("chatcmpl-{}", self.id)));
        e.insert("object".to_string(), json!("chat.completion.chunk"));
        e.insert("model".to_string(), json!(name));
        e.remove("usage");
        self.queued.push(Bytes::from(format!("data: {}\n\n", Value::Object(e))));
    }

    fn events(&self) -> bool {
        self.openai()
    }

    fn drain(&mut self) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool> + Send + '_>> {
        Box::pin(async move {
            for b in self.queued.drain(..) {
                let n = u32::try_from(b.len().clamp(1, STREAM_QUEUE_BYTES)).unwrap_or(1);
                let Ok(permit) = self.bytes.clone().acquire_many_owned(n).await else { return false };
                if self.tx.send((b, Some(permit))).await.is_err() {
                    return false;
                }
            }
            true
        })
    }

    fn keeps_text(&self) -> bool {
        false
    }

    fn restartable(&self) -> bool {
        false
    }
}

/// A streamed answer: events are relayed as they arrive (a fallback model that takes over
/// before anything was relayed streams the same way), then the finish chunk unless the provider
/// sent one, our usage chunk and `[DONE]`. Once a part was relayed, a failure ends the stream
/// with an error event (the OpenAI client raises it), never with a clean finish. When the client
/// goes away, the upstream call stops and the request is settled as answered by nothing.
pub(super) fn stream(call: Call, headers: HeaderMap) -> Response {
    let Call { app, req, d, pending, client, params, started } = call;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Queued>(STREAM_QUEUE);
    let model_name = app.config.models[d.model].name.clone();
    tokio::spawn(async move {
        let _permit = app.upstream.acquire().await;
        let id = d.request_id.clone();
        let gone = tx.clone();
        if tx
            .send((chunk(&id, &model_name, json!({"role": "assistant", "content": ""}), None, None), None))
            .await
            .is_err()
        {
            return;
        }
        let bytes = Arc::new(tokio::sync::Semaphore::new(STREAM_QUEUE_BYTES));
        let mut relay = Relay {
            tx,
            bytes,
            queued: Vec::new(),
            config: app.config,
            id: id.clone(),
            model: d.model,
            finished: false,
        };
        let over = over_quota(app.config, &d);
        let call = live::fallback(&client, app.config, plan(&d, &over), &req.messages, &params, Some(&mut relay));
        let o = tokio::select! {
            o = call => o,
            // The client went away: the call (and its retries) stops here; `pending` settles it.
            _ = gone.closed() => return,
        };
        let tx = relay.tx.clone();
        pending.settle(o.answered.as_ref().map(|(m, _)| *m)).await;
        let latency = started.elapsed();
        match o.answered {
            Some((m, ans)) => {
                let b = book(&app, &d, m, &req.messages, &ans, latency, &o.attempts);
                let (input, output) = (b.input, b.output);
                let name = app.config.models[m].name.clone();
                if !relay.finished {
                    let _ = tx.send((chunk(&id, &name, json!({}), Some(ans.openai_finish_reason()), None), None)).await;
                }
                let _ = tx.send((chunk(&id, &name, json!({}), None, Some(usage_json(input, output))), None)).await;
            }
            None => {
                app.metrics.failed(&d, latency, &o.attempts);
                let e = json!({"error": {"message": crate::provider::all_failed(&o.attempts),
                    "type": "upstream_error", "code": "upstream_error"}});
                let _ = tx.send((Bytes::from(format!("data: {e}\n\n")), None)).await;
            }
        }
        let _ = tx.send((Bytes::from_static(b"data: [DONE]\n\n"), None)).await;
    });
    let body = Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        // The chunk's share of the byte budget is given back as the server takes it.
        rx.poll_recv(cx).map(|b| b.map(|(b, _permit)| Ok::<_, std::convert::Infallible>(b)))
    }));
    let mut r = Response::new(body);
    r.headers_mut().extend(headers);
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
