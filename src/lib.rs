//! llmroute: route each LLM prompt to the cheapest model that answers it well.
pub mod tokenizer;
