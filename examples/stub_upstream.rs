//! An OpenAI-compatible upstream that answers every chat request at once with a fixed body, for
//! `bench/serve.sh`: the gateway's added latency is measured against this stub alone.
//!
//!   cargo run --release --example stub_upstream -- 127.0.0.1:18700
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use axum::Router;
use axum::routing::post;

const BODY: &str = r#"{"id":"chatcmpl-stub","object":"chat.completion","created":0,"model":"stub","choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"#;

fn main() {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:18700".to_string());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    rt.block_on(async {
        let app = Router::new().route(
            "/v1/chat/completions",
            post(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], BODY) }),
        );
        let listener = tokio::net::TcpListener::bind(&addr).await.unwrap();
        println!("stub listening on {addr}");
        axum::serve(listener, app).await.unwrap();
    });
}
