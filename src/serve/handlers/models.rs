//! `GET /v1/models`: the routings (`auto`, `router:<strategy>`, cascade, consensus) and the
//! catalog's models, in OpenAI's list format.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use clap::ValueEnum;
use serde_json::json;

use crate::config::Strategy;
use crate::serve::app::App;
use crate::serve::openai::now_secs;

/// The list every OpenAI client reads to offer a model.
pub(in crate::serve) async fn models(State(app): State<Arc<App>>) -> Response {
    let created = now_secs();
    let mut data = vec![json!({"id": "auto", "object": "model", "created": created, "owned_by": "llmroute"})];
    for s in Strategy::value_variants() {
        if let Some(p) = s.to_possible_value() {
            data.push(json!({"id": format!("router:{}", p.get_name()), "object": "model", "created": created, "owned_by": "llmroute"}));
        }
    }
    for id in ["router:cascade", "router:consensus"] {
        data.push(json!({"id": id, "object": "model", "created": created, "owned_by": "llmroute"}));
    }
    for m in &app.config.models {
        data.push(json!({"id": m.name, "object": "model", "created": created,
            "owned_by": m.provider.clone().unwrap_or_else(|| "llmroute".to_string())}));
    }
    axum::Json(json!({"object": "list", "data": data})).into_response()
}
